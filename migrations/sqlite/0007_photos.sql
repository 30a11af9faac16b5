-- A dessert's uploaded photo, re-encoded, with its thumbnail: one row per dessert at most,
-- gone with the dessert (and so with its owner). What pages need (sizes, digests) comes
-- first and the images last, thumbnail before photo: a list page reads only the start of
-- a row, and serving a thumbnail never reads through the larger image.
CREATE TABLE photos (
    dessert_id             INTEGER PRIMARY KEY REFERENCES desserts (id) ON DELETE CASCADE,
    content_type           TEXT NOT NULL,
    width                  INTEGER NOT NULL CHECK (width BETWEEN 1 AND 10000),
    height                 INTEGER NOT NULL CHECK (height BETWEEN 1 AND 10000),
    byte_size              INTEGER NOT NULL,
    digest                 TEXT NOT NULL,
    thumbnail_content_type TEXT NOT NULL,
    thumbnail_width        INTEGER NOT NULL CHECK (thumbnail_width BETWEEN 1 AND 10000),
    thumbnail_height       INTEGER NOT NULL CHECK (thumbnail_height BETWEEN 1 AND 10000),
    thumbnail_byte_size    INTEGER NOT NULL,
    thumbnail_digest       TEXT NOT NULL,
    created_at             INTEGER NOT NULL,
    thumbnail              BLOB NOT NULL,
    image                  BLOB NOT NULL
);
