//! Images made in the tests, so that no large file is committed: each format, EXIF
//! orientation and GPS, and files that only pretend to be images.

use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// Left half red, right half blue: which way up an image came back is plain from it.
pub fn halves(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(
        width,
        height,
        |x, _| if x < width / 2 { Rgb([220, 20, 20]) } else { Rgb([20, 20, 220]) },
    )
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    jpeg_of(&halves(width, height), 90)
}

pub fn jpeg_of(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .unwrap();
    out
}

/// A noisy photo-like JPEG: what a phone camera's file weighs, not a flat test card.
pub fn photo_like_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let image = RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 48) as u8;
        Rgb([
            ((x * 255 / width) as u8).saturating_add(noise),
            ((y * 255 / height) as u8).saturating_add(noise / 2),
            120 + noise,
        ])
    });
    jpeg_of(&image, 92)
}

/// A PNG with a transparent left half over an opaque blue right half.
pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([20, 20, 220, 255])
        }
    });
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

pub fn webp(width: u32, height: u32) -> Vec<u8> {
    let image = halves(width, height);
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A GIF of two frames: the first red and blue, the second all green.
pub fn gif(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        let first = image::DynamicImage::ImageRgb8(halves(width, height)).to_rgba8();
        let second = RgbaImage::from_pixel(width, height, Rgba([20, 200, 20, 255]));
        encoder
            .encode_frames([image::Frame::new(first), image::Frame::new(second)])
            .unwrap();
    }
    out
}

/// `jpeg` with an EXIF block after its start marker: the orientation tag, a camera model,
/// and a GPS position.
pub fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    // TIFF, little-endian: IFD0 at 8 with three entries, then the GPS IFD.
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let ifd0_entries = 3u16;
    let ifd0_size = 2 + 12 * u32::from(ifd0_entries) + 4;
    let model_at = 8 + ifd0_size;
    let model = b"SecretCam 9\0";
    let gps_at = model_at + model.len() as u32;
    tiff.extend(ifd0_entries.to_le_bytes());
    // Orientation, SHORT, 1 value, in place.
    tiff.extend(0x0112u16.to_le_bytes());
    tiff.extend(3u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(u32::from(orientation).to_le_bytes());
    // Model, ASCII, at model_at.
    tiff.extend(0x0110u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend((model.len() as u32).to_le_bytes());
    tiff.extend(model_at.to_le_bytes());
    // GPS IFD pointer, LONG.
    tiff.extend(0x8825u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(gps_at.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(model);
    // GPS IFD: latitude reference "N" and longitude reference "E", in place.
    tiff.extend(2u16.to_le_bytes());
    for (tag, value) in [(0x0001u16, *b"N\0\0\0"), (0x0003u16, *b"E\0\0\0")] {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(2u16.to_le_bytes());
        tiff.extend(2u32.to_le_bytes());
        tiff.extend(value);
    }
    tiff.extend(0u32.to_le_bytes());
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((segment.len() + 2) as u16).to_be_bytes());
    out.extend(segment);
    out.extend(&jpeg[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend(data);
    chunk.extend(&body);
    chunk.extend(crc32(&body).to_be_bytes());
    chunk
}

/// A PNG of a few hundred bytes whose header declares `width` × `height` pixels: a
/// decompression bomb, refused from its header.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    // A zlib stream of zeros: inflates to far more than it weighs.
    let idat = [
        0x78, 0x9C, 0xED, 0xC1, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xC2, 0xA0, 0xF7, 0x4F, 0x6D, 0x0E, 0x37, 0xA0, 0x00, 0x00,
    ];
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(b"IDAT", &idat));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// Files that are not images, whatever their names say.
pub fn impostors() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "drawing.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#.to_vec(),
        ),
        ("photo.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0".to_vec()),
        ("notes.jpg", b"These are my notes, not a photo.".to_vec()),
        ("page.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec()),
    ]
}

/// The colour at the middle of the left and of the right quarter of an image.
pub fn left_and_right(bytes: &[u8]) -> ([u8; 3], [u8; 3]) {
    let image = image::load_from_memory(bytes).unwrap().to_rgb8();
    let (w, h) = image.dimensions();
    (image.get_pixel(w / 4, h / 2).0, image.get_pixel(w * 3 / 4, h / 2).0)
}

/// The colour at the middle of the top and of the bottom quarter of an image.
pub fn top_and_bottom(bytes: &[u8]) -> ([u8; 3], [u8; 3]) {
    let image = image::load_from_memory(bytes).unwrap().to_rgb8();
    let (w, h) = image.dimensions();
    (image.get_pixel(w / 2, h / 4).0, image.get_pixel(w / 2, h * 3 / 4).0)
}

pub fn is_reddish(color: [u8; 3]) -> bool {
    color[0] > 150 && color[2] < 100
}

pub fn is_bluish(color: [u8; 3]) -> bool {
    color[2] > 150 && color[0] < 100
}
