-- What a dessert states about the 14 allergens of EU law, as bit masks (bit n is the nth of
-- domain::Allergen::ALL): `allergens` is NULL while not declared (every dessert until now)
-- and 0 when declared to contain none of them; `traces`, what it may contain traces of,
-- never one it contains.
ALTER TABLE desserts ADD COLUMN allergens INTEGER CHECK (allergens BETWEEN 0 AND 16383);
ALTER TABLE desserts ADD COLUMN traces INTEGER NOT NULL DEFAULT 0
    CHECK (traces BETWEEN 0 AND 16383 AND (allergens IS NULL OR (allergens & traces) = 0));

-- Each person's labels, unique ignoring case, and which of their desserts carry them. The
-- link rows carry the owner and both foreign keys include it, as menu_desserts' do: the
-- database refuses a link to another person's label.
CREATE TABLE labels (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (id, user_id)
);
CREATE UNIQUE INDEX labels_name_key ON labels (user_id, name_key);

CREATE TABLE dessert_labels (
    dessert_id INTEGER NOT NULL,
    label_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (dessert_id, label_id),
    FOREIGN KEY (dessert_id, user_id) REFERENCES desserts (id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (label_id, user_id) REFERENCES labels (id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX dessert_labels_label ON dessert_labels (label_id, dessert_id);
