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
