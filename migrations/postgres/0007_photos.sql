-- A dessert's uploaded photo, re-encoded, with its thumbnail: one row per dessert at most,
-- gone with the dessert (and so with its owner). The images are bytea, kept out of line by
-- PostgreSQL, so a list page's join reads only the sizes and digests.
CREATE TABLE photos (
    dessert_id             BIGINT PRIMARY KEY REFERENCES desserts (id) ON DELETE CASCADE,
    content_type           TEXT NOT NULL,
    width                  BIGINT NOT NULL CHECK (width BETWEEN 1 AND 10000),
    height                 BIGINT NOT NULL CHECK (height BETWEEN 1 AND 10000),
    byte_size              BIGINT NOT NULL,
    digest                 TEXT NOT NULL,
    thumbnail_content_type TEXT NOT NULL,
    thumbnail_width        BIGINT NOT NULL CHECK (thumbnail_width BETWEEN 1 AND 10000),
    thumbnail_height       BIGINT NOT NULL CHECK (thumbnail_height BETWEEN 1 AND 10000),
    thumbnail_byte_size    BIGINT NOT NULL,
    thumbnail_digest       TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    thumbnail              BYTEA NOT NULL,
    image                  BYTEA NOT NULL
);
