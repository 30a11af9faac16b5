//! QR codes, drawn as SVG: one path of black squares on a white square, with the quiet zone
//! a scanner needs around it.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Pixels per module in the SVG's own size: a QR code of a public link (about 41 modules
/// with the quiet zone) opens at about 330 pixels, and scales without loss.
const MODULE_PIXELS: u32 = 8;

/// The QR code of `text` as an SVG document; `None` when `text` is too long for any QR code
/// (over about 2 300 bytes).
pub fn svg(text: &str) -> Option<String> {
    // Level M survives a smudged or partly covered print (15 % of the code) and keeps a
    // link's code small enough to scan from across a table.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .quiet_zone(true)
            .module_dimensions(MODULE_PIXELS, MODULE_PIXELS)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build(),
    )
}
