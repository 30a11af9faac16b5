-- What the server keeps for itself. `write_probe` is the one row a health check rewrites to
-- learn whether the database can take writes (a full disk says so only on a write).
-- `server_keys` holds secrets shared by every server instance on this database, such as the
-- key that signs the forms' security tokens of visitors who have no session yet.
CREATE TABLE write_probe (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    written_at  BIGINT NOT NULL
);

CREATE TABLE server_keys (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
