-- Menus: named groups of one person's desserts, each dessert at most once per menu.
-- The link rows carry the owner, and both of their foreign keys include it, so the
-- database itself refuses a link between one person's menu and another's dessert.
CREATE UNIQUE INDEX desserts_id_owner ON desserts (id, user_id);

CREATE TABLE menus (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    -- Set while the menu is published: the unguessable part of its public link.
    public_slug TEXT UNIQUE,
    created_at  INTEGER NOT NULL,
    UNIQUE (id, user_id)
);
CREATE UNIQUE INDEX menus_name_key ON menus (user_id, name_key);

CREATE TABLE menu_desserts (
    menu_id    INTEGER NOT NULL,
    dessert_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (menu_id, dessert_id),
    FOREIGN KEY (menu_id, user_id) REFERENCES menus (id, user_id) ON DELETE CASCADE,
    FOREIGN KEY (dessert_id, user_id) REFERENCES desserts (id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX menu_desserts_dessert ON menu_desserts (dessert_id);
