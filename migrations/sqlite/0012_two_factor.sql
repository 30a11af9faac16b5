-- Two-factor login with one-time codes (TOTP, RFC 6238). `secret` is the shared key in
-- base32, kept until the account turns codes off; `enabled` is set once a first code was
-- right. `last_step` is the newest 30-second step whose code was accepted: a code is taken
-- only for a later step, so each is used once, whatever for.
CREATE TABLE totp (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    last_step  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- Single-use recovery codes, stored as SHA-256 digests only.
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- A login that has passed its password and waits for a code: the session is not logged in,
-- it only names the account whose code it may send.
ALTER TABLE sessions ADD COLUMN pending_user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
