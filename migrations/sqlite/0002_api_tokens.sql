-- Bearer tokens for the JSON API. Only the SHA-256 of a token is stored: it is shown once,
-- when it is made. Deleting the user deletes their tokens.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
