-- Passkeys (WebAuthn credentials) for logging in without a password. `credential_id` is
-- the authenticator's id for it (base64url), by which a login finds it; `user_handle` is
-- the random id the authenticator keeps for the account (the same for all of an account's
-- passkeys); `passkey` is the credential as the WebAuthn library serialises it (the public
-- key and its algorithm); `sign_count` is the authenticator's counter as last seen.
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    user_handle   TEXT NOT NULL,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    sign_count    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A passkey ceremony in progress (adding one, or logging in with one): its challenge and
-- state, kept with the session so that any instance finishes what another started.
ALTER TABLE sessions ADD COLUMN ceremony TEXT;
