//! Reading an upload: its format from its first bytes, its size from its header before any
//! pixel, then its pixels, turned upright and shrunk.

use std::io::Cursor;

use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::domain::{EncodedImage, MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE, PhotoRefusal};

/// The formats an upload may be in, told by their first bytes, never by a name or a
/// declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl Format {
    /// The media type a client declares for this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::WebP => "image/webp",
            Self::Gif => "image/gif",
        }
    }
}

/// The format `bytes` begin like; `None` for anything else (SVG, HEIC, text, HTML, ...).
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Format::Png),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Format::Gif),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Format::WebP),
        _ => None,
    }
}

/// A stored image as it comes back from an export: its format and size read from its
/// header (no pixel is decoded), and its digest. Refused when it is not an image of ours.
pub fn inspect(bytes: Vec<u8>) -> Result<EncodedImage, PhotoRefusal> {
    let format = sniff(&bytes).ok_or(PhotoRefusal::NotAnImage)?;
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::WebP => ImageFormat::WebP,
        Format::Gif => ImageFormat::Gif,
    };
    let (width, height) = ImageReader::with_format(Cursor::new(&bytes), image_format)
        .into_dimensions()
        .map_err(|_| PhotoRefusal::Unreadable)?;
    PhotoRefusal::check_size(u64::from(width), u64::from(height))?;
    Ok(EncodedImage {
        digest: crate::tokens::sha256_hex(&bytes),
        content_type: format.content_type().to_string(),
        width,
        height,
        bytes,
    })
}

/// The most memory a decoder may ask for: a 40-megapixel image with an alpha channel, and
/// some room for the decoder's own tables.
const MAX_DECODE_BYTES: u64 = MAX_PHOTO_PIXELS * 4 + 16 * 1024 * 1024;

/// The upload's pixels, turned as its EXIF orientation says, at least `long_side` on the
/// long side where the upload is that large (a large JPEG is decoded at a half, a quarter or
/// an eighth of its size, which takes a fraction of the time and memory).
pub fn decode_upright(bytes: &[u8], long_side: u32) -> Result<DynamicImage, PhotoRefusal> {
    let (mut image, orientation) = match sniff(bytes) {
        Some(Format::Jpeg) => decode_jpeg(bytes, long_side)?,
        Some(Format::Png) => decode_other(bytes, ImageFormat::Png)?,
        Some(Format::WebP) => decode_other(bytes, ImageFormat::WebP)?,
        Some(Format::Gif) => decode_other(bytes, ImageFormat::Gif)?,
        None => return Err(PhotoRefusal::NotAnImage),
    };
    image.apply_orientation(orientation);
    Ok(image)
}

fn decode_jpeg(bytes: &[u8], long_side: u32) -> Result<(DynamicImage, Orientation), PhotoRefusal> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(|_| PhotoRefusal::Unreadable)?;
    let info = decoder.info().ok_or(PhotoRefusal::Unreadable)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    PhotoRefusal::check_size(u64::from(width), u64::from(height))?;
    let shrink = f64::from(long_side) / f64::from(width.max(height));
    if shrink < 1.0 {
        let wanted = |side: u32| u16::try_from((f64::from(side) * shrink).ceil() as u32).unwrap_or(u16::MAX);
        decoder.scale(wanted(width), wanted(height)).map_err(|_| PhotoRefusal::Unreadable)?;
    }
    decoder.set_max_decoding_buffer_size(usize::try_from(MAX_DECODE_BYTES).unwrap_or(usize::MAX));
    let pixels = decoder.decode().map_err(|_| PhotoRefusal::Unreadable)?;
    let info = decoder.info().ok_or(PhotoRefusal::Unreadable)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8),
        jpeg_decoder::PixelFormat::L8 => image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8),
        jpeg_decoder::PixelFormat::L16 => {
            let wide = pixels.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
            image::ImageBuffer::from_raw(width, height, wide).map(DynamicImage::ImageLuma16)
        }
        jpeg_decoder::PixelFormat::CMYK32 => RgbImage::from_raw(width, height, cmyk_to_rgb(&pixels)).map(DynamicImage::ImageRgb8),
    };
    Ok((image.ok_or(PhotoRefusal::Unreadable)?, orientation))
}

/// CMYK as Adobe's JPEGs store it (inverted: 255 is no ink) to RGB.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(cmyk.len() / 4 * 3);
    for pixel in cmyk.chunks_exact(4) {
        let k = u16::from(pixel[3]);
        for ink in &pixel[..3] {
            rgb.push(u8::try_from(u16::from(*ink) * k / 255).unwrap_or(u8::MAX));
        }
    }
    rgb
}

fn decode_other(bytes: &[u8], format: ImageFormat) -> Result<(DynamicImage, Orientation), PhotoRefusal> {
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| PhotoRefusal::Unreadable)?;
    PhotoRefusal::check_size(u64::from(width), u64::from(height))?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoRefusal::Unreadable)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|_| PhotoRefusal::Unreadable)?;
    Ok((image, orientation))
}

/// The image at most `long_side` on its long side, on white where it was transparent.
pub fn fit_within(image: DynamicImage, long_side: u32) -> RgbImage {
    let image = if image.width().max(image.height()) > long_side {
        image.resize(long_side, long_side, FilterType::Triangle)
    } else {
        image
    };
    if image.color().has_alpha() {
        on_white(&image)
    } else {
        image.into_rgb8()
    }
}

/// The image `width` wide (or as it is, when narrower), its height in proportion.
pub fn to_width(image: &RgbImage, width: u32) -> RgbImage {
    if image.width() <= width {
        return image.clone();
    }
    let height = (u64::from(image.height()) * u64::from(width) / u64::from(image.width())).max(1);
    image::imageops::resize(image, width, u32::try_from(height).unwrap_or(1), FilterType::Triangle)
}

/// Transparent pixels laid on white: JPEG has no transparency, and a cut-out dessert on a
/// white page should stay on white, not turn black.
fn on_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, pixel) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u16::from(pixel[3]);
        for channel in 0..3 {
            let value = u16::from(pixel[channel]) * alpha + 255 * (255 - alpha);
            out[channel] = u8::try_from(value / 255).unwrap_or(u8::MAX);
        }
    }
    rgb
}
