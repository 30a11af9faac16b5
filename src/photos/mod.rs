//! Turning an uploaded file into a stored photo, on a small pool of threads of its own:
//! decoding is the heaviest work the server does, and a few uploads must not take the
//! pages' threads or the server's memory.

mod decode;
pub mod http;

use crate::domain::{EncodedImage, NewPhoto, PHOTO_LONG_SIDE, PhotoRefusal, THUMBNAIL_WIDTH};
use crate::workers::{Pool, PoolError};

pub use decode::{Format, inspect, sniff};

/// JPEG quality of the stored photo and of its thumbnail. Measured on phone photos (see
/// `docs/decisions.md`): 82 is where artefacts stop showing at full size; thumbnails are
/// seen small and take 75.
const PHOTO_QUALITY: u8 = 82;
const THUMBNAIL_QUALITY: u8 = 75;

/// Uploads that may wait for a photo thread, per thread. Each holds its file (10 MB at
/// most) while it waits; past this, uploads are turned away with "busy" at once.
const QUEUED_PER_THREAD: usize = 8;

const THREAD_NAME: &str = "photo";

/// Why no photo could be made, whatever the upload: not its fault.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// Too many uploads are waiting: try again shortly.
    #[error("too many photos are waiting to be processed")]
    Busy,
    #[error("photo processing failed while {step}: {cause}")]
    Failed { step: &'static str, cause: String },
}

/// Makes photos from uploads on threads of its own; clone freely.
#[derive(Clone)]
pub struct Photos {
    pool: Pool<()>,
}

impl Photos {
    /// One thread per two cores: decoding a large photo takes a core for a fraction of a
    /// second and up to ~120 MB, so even a burst of uploads leaves the other cores to the
    /// pages and keeps memory bounded (see `docs/decisions.md`).
    pub fn new() -> Result<Self, PhotoError> {
        Self::with_threads(crate::workers::half_the_cores())
    }

    pub fn with_threads(threads: usize) -> Result<Self, PhotoError> {
        let pool = Pool::start(THREAD_NAME, threads, QUEUED_PER_THREAD, || ()).map_err(|error| PhotoError::Failed {
            step: "starting the photo threads",
            cause: error.to_string(),
        })?;
        Ok(Self { pool })
    }

    /// Uploads waiting for a thread now.
    pub fn waiting(&self) -> usize {
        self.pool.waiting()
    }

    /// The photo an upload makes, or why the upload cannot make one (the inner error, for
    /// the person to see).
    pub async fn process(&self, upload: Vec<u8>) -> Result<Result<NewPhoto, PhotoRefusal>, PhotoError> {
        // The cheap refusals need no thread.
        if upload.is_empty() {
            return Ok(Err(PhotoRefusal::Empty));
        }
        if upload.len() > crate::domain::MAX_PHOTO_BYTES {
            return Ok(Err(PhotoRefusal::TooLarge));
        }
        if sniff(&upload).is_none() {
            return Ok(Err(PhotoRefusal::NotAnImage));
        }
        self.pool.run(move |()| make_photo(&upload)).await.map_err(|error| match error {
            PoolError::Busy => PhotoError::Busy,
            PoolError::Stopped => PhotoError::Failed {
                step: "waiting for a photo thread",
                cause: error.to_string(),
            },
        })
    }
}

/// Decodes, turns upright, shrinks and re-encodes an upload: the work of one photo thread.
pub fn make_photo(upload: &[u8]) -> Result<NewPhoto, PhotoRefusal> {
    let picture = decode::decode_upright(upload, PHOTO_LONG_SIDE)?;
    let full = decode::fit_within(picture, PHOTO_LONG_SIDE);
    let thumbnail = decode::to_width(&full, THUMBNAIL_WIDTH);
    Ok(NewPhoto {
        full: encode(&full, PHOTO_QUALITY)?,
        thumbnail: encode(&thumbnail, THUMBNAIL_QUALITY)?,
    })
}

fn encode(image: &image::RgbImage, quality: u8) -> Result<EncodedImage, PhotoRefusal> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .map_err(|_| PhotoRefusal::Unreadable)?;
    Ok(EncodedImage {
        digest: crate::tokens::sha256_hex(&bytes),
        bytes,
        content_type: Format::Jpeg.content_type().to_string(),
        width: image.width(),
        height: image.height(),
    })
}

#[cfg(test)]
mod tests {
    use image::ImageEncoder;
    use proptest::prelude::*;

    use super::*;

    fn samples() -> Vec<Vec<u8>> {
        let picture = image::RgbImage::from_fn(48, 32, |x, y| image::Rgb([(x * 5) as u8, (y * 7) as u8, 90]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&picture)
            .unwrap();
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(picture.as_raw(), 48, 32, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(picture.as_raw(), 48, 32, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut gif = Vec::new();
        image::codecs::gif::GifEncoder::new(&mut gif)
            .encode(picture.as_raw(), 48, 32, image::ExtendedColorType::Rgb8)
            .unwrap();
        vec![jpeg, png, webp, gif]
    }

    /// Whatever the bytes, an upload becomes a photo or a refusal: never a panic.
    fn photo_or_refusal(bytes: &[u8]) {
        if let Ok(photo) = make_photo(bytes) {
            assert!(photo.full.width <= PHOTO_LONG_SIDE && photo.full.height <= PHOTO_LONG_SIDE);
            assert!(photo.thumbnail.width <= THUMBNAIL_WIDTH);
            assert!(image::load_from_memory(&photo.full.bytes).is_ok(), "what is stored decodes");
        }
    }

    #[test]
    fn the_samples_make_photos() {
        for sample in samples() {
            let photo = make_photo(&sample).unwrap();
            assert_eq!((photo.full.width, photo.full.height), (48, 32));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_are_refused_or_made_into_a_photo(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
            photo_or_refusal(&bytes);
        }

        #[test]
        fn random_bytes_behind_a_real_signature_are_refused_or_made_into_a_photo(
            which in 0usize..4,
            tail in prop::collection::vec(any::<u8>(), 0..4096),
        ) {
            let mut bytes = samples().swap_remove(which);
            // Keep each format's signature and header start, so its decoder is reached.
            bytes.truncate(16);
            bytes.extend(tail);
            photo_or_refusal(&bytes);
        }

        #[test]
        fn mutated_images_are_refused_or_made_into_a_photo(
            which in 0usize..4,
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12),
            cut in any::<prop::sample::Index>(),
            truncate in any::<bool>(),
        ) {
            let mut bytes = samples().swap_remove(which);
            for (at, value) in flips {
                let at = at.index(bytes.len());
                bytes[at] = value;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            photo_or_refusal(&bytes);
        }
    }
}
