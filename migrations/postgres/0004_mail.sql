-- Mail: confirmed addresses, and the one-time links sent to confirm an address or to set a
-- new password. An address counts as confirmed while the user's email_key is the one that
-- was confirmed, so changing it makes it unconfirmed again. Only a link token's SHA-256 is
-- stored. Deleting the user deletes both.
CREATE TABLE email_verifications (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_key    TEXT COLLATE "C" NOT NULL,
    verified_at  BIGINT NOT NULL
);

CREATE TABLE mail_tokens (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL CHECK (purpose IN ('reset_password', 'verify_email')),
    email_key    TEXT COLLATE "C" NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX mail_tokens_user ON mail_tokens (user_id, purpose);
