-- What a person needs to see and end their own credentials. A session and an API token
-- remember the client that made them (`client`: "Firefox on Linux", `client_addr`: the
-- address it was counted under). A token may expire (`expires_at`, NULL: never; tokens made
-- before this version never expire, as they were made) and remembers when it was last used
-- (NULL: never), to the hour.
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_expires ON api_tokens (expires_at);
