//! Desserts' photos. A photo is reached through its dessert, and so through its kitchen or
//! through a published menu the dessert is on: no query reads a photo by its id alone.

use super::{Row, Statement, Store, StoreError, args, now};
use crate::domain::{Editing, EncodedImage, NewPhoto, PhotoInfo, PhotoSize, StoredImage};

/// The columns every path that stores a photo writes (an upload, an import), in the order
/// of [`photo_args`] after the dessert's id.
const WRITTEN: &str = "content_type, width, height, byte_size, digest, thumbnail_content_type, thumbnail_width, \
     thumbnail_height, thumbnail_byte_size, thumbnail_digest, created_at, thumbnail, image";

/// The sizes of the photo of the `photos` row in scope, packed in one integer (NULL without
/// a row): each side is at most 10 000, so 14 bits. A list page then reads one number per
/// row, where a string of them cost a tenth of its time. Read by [`info_from_column`]; a
/// macro, so that the dessert columns can include it with `concat!`.
macro_rules! photo_sizes {
    () => {
        "photos.width + photos.height * 16384 + photos.thumbnail_width * 268435456 + photos.thumbnail_height * 4398046511104"
    };
}
pub(super) use photo_sizes;

/// The bits of one side in [`photo_sizes`].
const SIDE_BITS: u32 = 14;

/// The sizes [`photo_sizes`] packed; `None` when a side is 0 or over the limit.
fn unpack(packed: i64) -> Option<PhotoInfo> {
    let packed = u64::try_from(packed).ok()?;
    let side = |n: u32| {
        let value = u32::try_from((packed >> (n * SIDE_BITS)) & ((1 << SIDE_BITS) - 1)).ok()?;
        (1..=crate::domain::MAX_PHOTO_SIDE).contains(&value).then_some(value)
    };
    Some(PhotoInfo {
        width: side(0)?,
        height: side(1)?,
        thumbnail_width: side(2)?,
        thumbnail_height: side(3)?,
    })
}

pub(super) fn info_from_column(row: &Row<'_>, index: usize) -> Result<Option<PhotoInfo>, StoreError> {
    let Some(packed) = row.get::<Option<i64>>(index)? else {
        return Ok(None);
    };
    unpack(packed)
        .map(Some)
        .ok_or_else(|| StoreError::Internal(super::Fault::new(format!("stored photo sizes {packed}"))))
}

/// A photo's values, in the order of [`WRITTEN`].
fn photo_args(photo: NewPhoto, created_at: i64) -> Vec<super::Param> {
    let (full, thumbnail) = (photo.full, photo.thumbnail);
    let size = |bytes: &Vec<u8>| i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    args![
        full.content_type,
        i64::from(full.width),
        i64::from(full.height),
        size(&full.bytes),
        full.digest,
        thumbnail.content_type,
        i64::from(thumbnail.width),
        i64::from(thumbnail.height),
        size(&thumbnail.bytes),
        thumbnail.digest,
        created_at,
        thumbnail.bytes,
        full.bytes,
    ]
}

/// A photo as stored, with its dessert: what export and import move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub dessert_id: i64,
    pub created_at: i64,
    pub photo: NewPhoto,
}

/// Every photo, by dessert.
pub(super) fn all_rows_query() -> String {
    format!("SELECT dessert_id, {WRITTEN} FROM photos ORDER BY dessert_id")
}

pub(super) fn row_from_row(row: &Row<'_>) -> Result<PhotoRow, StoreError> {
    let side = |index| -> Result<u32, StoreError> {
        u32::try_from(row.get::<i64>(index)?).map_err(|e| StoreError::Internal(super::Fault::caused_by("a stored photo's size", e)))
    };
    Ok(PhotoRow {
        dessert_id: row.get(0)?,
        created_at: row.get(11)?,
        photo: NewPhoto {
            full: EncodedImage {
                content_type: row.get(1)?,
                width: side(2)?,
                height: side(3)?,
                digest: row.get(5)?,
                bytes: row.get(13)?,
            },
            thumbnail: EncodedImage {
                content_type: row.get(6)?,
                width: side(7)?,
                height: side(8)?,
                digest: row.get(10)?,
                bytes: row.get(12)?,
            },
        },
    })
}

/// Writes a photo back for its dessert.
pub(super) fn restore(row: PhotoRow) -> Statement {
    let mut values = args![row.dessert_id];
    values.extend(photo_args(row.photo, row.created_at));
    Statement::new(
        format!("INSERT INTO photos (dessert_id, {WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        values,
    )
}

/// Gives the dessert of the kitchen whose `column` is the value given its photo, replacing any
/// it had; nothing when the dessert is not theirs. The same shape as `labels::set`'s.
fn put(kitchen_id: i64, dessert: (&str, super::Param), photo: NewPhoto) -> Statement {
    let (column, value) = dessert;
    let mut values = args![kitchen_id];
    values.push(value);
    values.extend(photo_args(photo, now()));
    Statement::new(
        format!(
            "INSERT INTO photos (dessert_id, {WRITTEN})
             SELECT id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15 FROM desserts
             WHERE kitchen_id = ?1 AND {column} = ?2
             ON CONFLICT (dessert_id) DO UPDATE SET
                 content_type = excluded.content_type, width = excluded.width, height = excluded.height,
                 byte_size = excluded.byte_size, digest = excluded.digest,
                 thumbnail_content_type = excluded.thumbnail_content_type,
                 thumbnail_width = excluded.thumbnail_width, thumbnail_height = excluded.thumbnail_height,
                 thumbnail_byte_size = excluded.thumbnail_byte_size, thumbnail_digest = excluded.thumbnail_digest,
                 created_at = excluded.created_at, thumbnail = excluded.thumbnail, image = excluded.image"
        ),
        values,
    )
}

/// Sets the photo of the kitchen's dessert `dessert_id`.
pub(super) fn put_by_id(kitchen_id: i64, dessert_id: i64, photo: NewPhoto) -> Statement {
    put(kitchen_id, ("id", dessert_id.into()), photo)
}

/// Sets the photo of the kitchen's dessert whose name key is `name_key` (a dessert made in the
/// same transaction, whose id is not known yet).
pub(super) fn put_by_name(kitchen_id: i64, name_key: &str, photo: NewPhoto) -> Statement {
    put(kitchen_id, ("name_key", name_key.into()), photo)
}

/// Removes the photo of the kitchen's dessert `dessert_id`, if it has one.
pub(super) fn remove(kitchen_id: i64, dessert_id: i64) -> Statement {
    Statement::new(
        "DELETE FROM photos WHERE dessert_id = (SELECT id FROM desserts WHERE id = ?1 AND kitchen_id = ?2)",
        args![dessert_id, kitchen_id],
    )
}

/// Gives the kitchen's dessert its photo. False when there is no such dessert of theirs.
pub async fn set(store: &Store, kitchen: Editing, dessert_id: i64, photo: NewPhoto) -> Result<bool, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let changed = store.transaction(vec![put_by_id(kitchen_id, dessert_id, photo)]).await?;
    Ok(changed[0] == 1)
}

/// Removes the photo of the kitchen's dessert. False when there is no such dessert of theirs
/// (a dessert of theirs without a photo is true: there is none now).
pub async fn delete(store: &Store, kitchen: Editing, dessert_id: i64) -> Result<bool, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    store.transaction(vec![remove(kitchen_id, dessert_id)]).await?;
    let exists = store
        .fetch_optional(
            "SELECT 1 FROM desserts WHERE id = ?1 AND kitchen_id = ?2",
            args![dessert_id, kitchen_id],
            |_| Ok(()),
        )
        .await?;
    Ok(exists.is_some())
}

/// The image's columns for `size`, and the bytes unless the digest is `?1` (the one the
/// client has): a 304 then reads no image.
fn image_select(size: PhotoSize) -> &'static str {
    match size {
        PhotoSize::Full => "SELECT photos.content_type, photos.digest, CASE WHEN photos.digest = ?1 THEN NULL ELSE photos.image END",
        PhotoSize::Thumbnail => {
            "SELECT photos.thumbnail_content_type, photos.thumbnail_digest,
                    CASE WHEN photos.thumbnail_digest = ?1 THEN NULL ELSE photos.thumbnail END"
        }
    }
}

fn image_from_row(row: &Row<'_>) -> Result<StoredImage, StoreError> {
    Ok(StoredImage {
        content_type: row.get(0)?,
        digest: row.get(1)?,
        bytes: row.get(2)?,
    })
}

/// The image of dessert `dessert_id` if it is in a kitchen `user_id` is a member of; `None`
/// otherwise or when it has no photo. `known_digest`: the version the client has, whose
/// bytes need not be read.
pub async fn find_reachable(
    store: &Store,
    user_id: i64,
    dessert_id: i64,
    size: PhotoSize,
    known_digest: &str,
) -> Result<Option<StoredImage>, StoreError> {
    let sql = format!(
        "{} FROM photos JOIN desserts ON desserts.id = photos.dessert_id
         JOIN memberships ON memberships.kitchen_id = desserts.kitchen_id AND memberships.user_id = ?3
         WHERE photos.dessert_id = ?2",
        image_select(size)
    );
    store
        .fetch_optional(&sql, args![known_digest, dessert_id, user_id], image_from_row)
        .await
}

/// The image of dessert `dessert_id` if it is in a kitchen the user of the live session whose
/// id's digest is `session` is a member of: the app's pages' images, in one query with the
/// session.
pub async fn find_for_session(
    store: &Store,
    session: &str,
    now: i64,
    dessert_id: i64,
    size: PhotoSize,
    known_digest: &str,
) -> Result<Option<StoredImage>, StoreError> {
    let sql = format!(
        "{} FROM sessions s
         JOIN desserts ON desserts.id = ?4
         JOIN memberships ON memberships.kitchen_id = desserts.kitchen_id AND memberships.user_id = s.user_id
         JOIN photos ON photos.dessert_id = desserts.id
         WHERE {}",
        image_select(size),
        super::sessions::live(2, 3)
    );
    store
        .fetch_optional(&sql, args![known_digest, session, now, dessert_id], image_from_row)
        .await
}

/// The image of dessert `dessert_id` if it is on the menu published at `slug`.
pub async fn find_published(
    store: &Store,
    slug: &str,
    dessert_id: i64,
    size: PhotoSize,
    known_digest: &str,
) -> Result<Option<StoredImage>, StoreError> {
    let sql = format!(
        "{} FROM photos
         JOIN menu_desserts ON menu_desserts.dessert_id = photos.dessert_id
         JOIN menus ON menus.id = menu_desserts.menu_id
         WHERE photos.dessert_id = ?2 AND menus.public_slug = ?3 AND {}",
        image_select(size),
        super::menus::ANSWERS_PUBLICLY
    );
    store
        .fetch_optional(&sql, args![known_digest, dessert_id, slug], image_from_row)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_pack_into_one_number_as_the_column_packs_them() {
        let pack = |w: i64, h: i64, tw: i64, th: i64| w + h * 16384 + tw * 268_435_456 + th * 4_398_046_511_104;
        let info = unpack(pack(1600, 1067, 400, 266)).unwrap();
        assert_eq!(
            (info.width, info.height, info.thumbnail_width, info.thumbnail_height),
            (1600, 1067, 400, 266)
        );
        assert_eq!(unpack(pack(10_000, 10_000, 10_000, 10_000)).unwrap().thumbnail_height, 10_000);
        assert!(photo_sizes!().contains("* 16384") && 1 << SIDE_BITS == 16384);
        assert!(unpack(0).is_none());
        assert!(unpack(-1).is_none());
        assert!(unpack(pack(10_001, 1, 1, 1)).is_none());
    }
}
