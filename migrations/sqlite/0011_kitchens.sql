-- Kitchens: desserts, labels and menus belong to a kitchen, and people are its members with
-- a role. Every account gets a personal kitchen that takes over its desserts, labels and
-- menus; it has the account's id, so that no row changes its value and the links between a
-- menu, its desserts and their labels stay as they are. Kitchens made from now on take ids
-- past every account's.
CREATE TABLE kitchens (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    -- The account whose personal kitchen this is; NULL for a kitchen made to be shared.
    personal_of INTEGER UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    -- The currency the kitchen's prices are in (a personal kitchen takes the account's).
    currency    TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    created_at  INTEGER NOT NULL
);

CREATE TABLE memberships (
    kitchen_id INTEGER NOT NULL REFERENCES kitchens (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (kitchen_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships (user_id, kitchen_id);

-- A mailed invitation: only the SHA-256 of its token is kept. It is for one address (any
-- case), offers one role, and is used at most once before it expires.
CREATE TABLE invitations (
    token_hash  TEXT PRIMARY KEY,
    kitchen_id  INTEGER NOT NULL REFERENCES kitchens (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX invitations_kitchen ON invitations (kitchen_id, expires_at);

INSERT INTO kitchens (id, name, personal_of, currency, created_at)
SELECT id, username, id, currency, created_at FROM users;
INSERT INTO memberships (kitchen_id, user_id, role, joined_at)
SELECT id, id, 'owner', created_at FROM users;

-- The kitchen a session works in; NULL (or a kitchen it is no longer a member of) means
-- the account's personal kitchen.
ALTER TABLE sessions ADD COLUMN kitchen_id INTEGER REFERENCES kitchens (id) ON DELETE SET NULL;

-- The tables that named their owner name their kitchen instead. SQLite changes a foreign
-- key only by making the table again: each is copied into a new one, the old one dropped
-- and the new one renamed (foreign keys are off while a migration runs, and checked before
-- it commits).
CREATE TABLE desserts_new (
    id          INTEGER PRIMARY KEY,
    kitchen_id  INTEGER NOT NULL REFERENCES kitchens (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents BETWEEN 0 AND 1000000),
    calories    INTEGER NOT NULL CHECK (calories BETWEEN 0 AND 10000),
    origin      TEXT,
    image_url   TEXT,
    liked       INTEGER NOT NULL DEFAULT 0 CHECK (liked IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    allergens   INTEGER CHECK (allergens BETWEEN 0 AND 16383),
    traces      INTEGER NOT NULL DEFAULT 0
        CHECK (traces BETWEEN 0 AND 16383 AND (allergens IS NULL OR (allergens & traces) = 0))
);
INSERT INTO desserts_new (id, kitchen_id, name, name_key, price_cents, calories, origin, image_url, liked,
                          created_at, updated_at, allergens, traces)
SELECT id, user_id, name, name_key, price_cents, calories, origin, image_url, liked,
       created_at, updated_at, allergens, traces FROM desserts;
DROP TABLE desserts;
ALTER TABLE desserts_new RENAME TO desserts;
CREATE UNIQUE INDEX desserts_user_name ON desserts (kitchen_id, name_key);
CREATE INDEX desserts_user_price ON desserts (kitchen_id, price_cents, id);
CREATE INDEX desserts_user_calories ON desserts (kitchen_id, calories, id);
CREATE INDEX desserts_user_created ON desserts (kitchen_id, created_at, id);
CREATE UNIQUE INDEX desserts_id_owner ON desserts (id, kitchen_id);

CREATE TABLE menus_new (
    id          INTEGER PRIMARY KEY,
    kitchen_id  INTEGER NOT NULL REFERENCES kitchens (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    public_slug TEXT UNIQUE,
    created_at  INTEGER NOT NULL,
    published   INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    UNIQUE (id, kitchen_id)
);
INSERT INTO menus_new (id, kitchen_id, name, name_key, public_slug, created_at, published)
SELECT id, user_id, name, name_key, public_slug, created_at, published FROM menus;
DROP TABLE menus;
ALTER TABLE menus_new RENAME TO menus;
CREATE UNIQUE INDEX menus_name_key ON menus (kitchen_id, name_key);

CREATE TABLE menu_desserts_new (
    menu_id    INTEGER NOT NULL,
    dessert_id INTEGER NOT NULL,
    kitchen_id INTEGER NOT NULL,
    added_at   INTEGER NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (menu_id, dessert_id),
    FOREIGN KEY (menu_id, kitchen_id) REFERENCES menus (id, kitchen_id) ON DELETE CASCADE,
    FOREIGN KEY (dessert_id, kitchen_id) REFERENCES desserts (id, kitchen_id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO menu_desserts_new (menu_id, dessert_id, kitchen_id, added_at, position)
SELECT menu_id, dessert_id, user_id, added_at, position FROM menu_desserts;
DROP TABLE menu_desserts;
ALTER TABLE menu_desserts_new RENAME TO menu_desserts;
CREATE INDEX menu_desserts_dessert ON menu_desserts (dessert_id);

CREATE TABLE labels_new (
    id         INTEGER PRIMARY KEY,
    kitchen_id INTEGER NOT NULL REFERENCES kitchens (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (id, kitchen_id)
);
INSERT INTO labels_new (id, kitchen_id, name, name_key, created_at)
SELECT id, user_id, name, name_key, created_at FROM labels;
DROP TABLE labels;
ALTER TABLE labels_new RENAME TO labels;
CREATE UNIQUE INDEX labels_name_key ON labels (kitchen_id, name_key);

CREATE TABLE dessert_labels_new (
    dessert_id INTEGER NOT NULL,
    label_id   INTEGER NOT NULL,
    kitchen_id INTEGER NOT NULL,
    PRIMARY KEY (dessert_id, label_id),
    FOREIGN KEY (dessert_id, kitchen_id) REFERENCES desserts (id, kitchen_id) ON DELETE CASCADE,
    FOREIGN KEY (label_id, kitchen_id) REFERENCES labels (id, kitchen_id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO dessert_labels_new (dessert_id, label_id, kitchen_id)
SELECT dessert_id, label_id, user_id FROM dessert_labels;
DROP TABLE dessert_labels;
ALTER TABLE dessert_labels_new RENAME TO dessert_labels;
CREATE INDEX dessert_labels_label ON dessert_labels (label_id, dessert_id);
