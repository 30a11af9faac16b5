//! A dessert's uploaded photo: the limits on what may be uploaded, and the photo as stored
//! (re-encoded, with its thumbnail). Turning uploaded bytes into a [`NewPhoto`] is the work
//! of the photos service, on threads of its own.

/// The most an uploaded image file may weigh: 10 MiB. Bodies that carry one (the two dessert
/// forms, the API upload) may be this much larger than the 64 KiB every other body keeps to.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels on either side of an uploaded image, read from its header.
pub const MAX_PHOTO_SIDE: u32 = 10_000;
/// The most pixels in all of an uploaded image: 40 megapixels.
pub const MAX_PHOTO_PIXELS: u64 = 40_000_000;
/// The long side of a stored photo, at most.
pub const PHOTO_LONG_SIDE: u32 = 1600;
/// The width of a thumbnail (narrower images keep their width).
pub const THUMBNAIL_WIDTH: u32 = 400;

/// What people may upload, in the words of the form's hint and of a refusal.
pub const ACCEPTED_PHOTOS: &str = "JPEG, PNG, WebP or GIF, up to 10 MB";

/// Which of a photo's two images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSize {
    Full,
    Thumbnail,
}

impl PhotoSize {
    /// `?size=thumb` asks for the thumbnail; anything else, or nothing, for the photo.
    pub fn from_query(size: Option<&str>) -> Self {
        if size == Some("thumb") { Self::Thumbnail } else { Self::Full }
    }
}

/// One encoded image, ready to store and serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedImage {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    /// A digest of `bytes`, hex: the strong `ETag`.
    pub digest: String,
}

/// A photo made from an upload: the picture, at most [`PHOTO_LONG_SIDE`] on its long side,
/// and its thumbnail, both without any of the upload's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhoto {
    pub full: EncodedImage,
    pub thumbnail: EncodedImage,
}

/// What a page or an answer needs to show a dessert's photo, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoInfo {
    pub width: u32,
    pub height: u32,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
}

/// A stored image as served: its type, digest and, unless the client already has this
/// version, its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub content_type: String,
    pub digest: String,
    /// `None` when the digest is the one the client said it has.
    pub bytes: Option<Vec<u8>>,
}

/// An upload that cannot become a photo; the message is shown next to the file field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoRefusal {
    #[error("The file is empty.")]
    Empty,
    #[error("That is not an image we can use: choose a JPEG, PNG, WebP or GIF.")]
    NotAnImage,
    #[error("The image is {width} × {height} pixels: at most 10 000 on a side and 40 megapixels in all.")]
    TooManyPixels { width: u64, height: u64 },
    #[error("The image could not be read: the file may be damaged or cut short.")]
    Unreadable,
    #[error("The file is larger than 10 MB.")]
    TooLarge,
}

impl PhotoRefusal {
    /// Whether an image of `width` × `height` is within the limits.
    pub fn check_size(width: u64, height: u64) -> Result<(), Self> {
        if width == 0 || height == 0 {
            return Err(Self::Unreadable);
        }
        if width > u64::from(MAX_PHOTO_SIDE) || height > u64::from(MAX_PHOTO_SIDE) || width * height > MAX_PHOTO_PIXELS {
            return Err(Self::TooManyPixels { width, height });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked_on_each_side_and_in_all() {
        assert!(PhotoRefusal::check_size(10_000, 4_000).is_ok());
        assert!(PhotoRefusal::check_size(10_001, 10).is_err());
        assert!(PhotoRefusal::check_size(10, 10_001).is_err());
        assert!(PhotoRefusal::check_size(8_000, 5_001).is_err(), "over 40 megapixels");
        assert!(PhotoRefusal::check_size(0, 10).is_err());
        assert_eq!(PhotoSize::from_query(Some("thumb")), PhotoSize::Thumbnail);
        assert_eq!(PhotoSize::from_query(Some("big")), PhotoSize::Full);
    }
}
