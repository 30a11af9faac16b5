-- Users, their desserts, browser sessions and failed logins.
-- Case-insensitive uniqueness is enforced on *_key columns, which the application fills
-- with the lower-cased value (SQLite's lower() only folds ASCII).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    username_key  TEXT NOT NULL,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL,
    name          TEXT NOT NULL,
    avatar        TEXT,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username_key);
CREATE UNIQUE INDEX users_email_key ON users (email_key);

CREATE TABLE desserts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents BETWEEN 0 AND 1000000),
    calories    INTEGER NOT NULL CHECK (calories BETWEEN 0 AND 10000),
    origin      TEXT,
    image_url   TEXT,
    liked       INTEGER NOT NULL DEFAULT 0 CHECK (liked IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- One index per sort order of "this user's desserts", so a page reads only its rows.
CREATE UNIQUE INDEX desserts_user_name ON desserts (user_id, name_key);
CREATE INDEX desserts_user_price ON desserts (user_id, price_cents, id);
CREATE INDEX desserts_user_calories ON desserts (user_id, calories, id);
CREATE INDEX desserts_user_created ON desserts (user_id, created_at, id);

-- A session row exists for every browser that has seen a form; user_id is set once it
-- logs in. The id itself is never stored, only its SHA-256.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    flash        TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    account_key  TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    failed_at    INTEGER NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account_key, failed_at);
CREATE INDEX login_failures_client ON login_failures (client_addr, failed_at);
