//! Stylesheet, script and icons, compiled into the binary and cached by browsers for a year: their
//! URLs carry a hash of their content, so a new version has a new URL.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::Error;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/style.css"),
    },
    Asset {
        name: "print.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/print.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/app.js"),
    },
    Asset {
        name: "passkeys.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/passkeys.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../static/favicon.svg"),
    },
];

/// FNV-1a: stable across builds and platforms, and plenty to tell versions apart.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn versioned_url(name: &str) -> String {
    let body = ASSETS.iter().find(|asset| asset.name == name).map_or(&[][..], |asset| asset.body);
    format!("/static/{name}?v={:016x}", fingerprint(body))
}

static STYLE_URL: LazyLock<String> = LazyLock::new(|| versioned_url("style.css"));
static SCRIPT_URL: LazyLock<String> = LazyLock::new(|| versioned_url("app.js"));
static PRINT_STYLE_URL: LazyLock<String> = LazyLock::new(|| versioned_url("print.css"));
static PASSKEYS_SCRIPT_URL: LazyLock<String> = LazyLock::new(|| versioned_url("passkeys.js"));

pub fn style_url() -> &'static str {
    &STYLE_URL
}

pub fn script_url() -> &'static str {
    &SCRIPT_URL
}

/// The script of the passkey ceremonies, on the pages that offer them.
pub fn passkeys_script_url() -> &'static str {
    &PASSKEYS_SCRIPT_URL
}

/// The stylesheet a published menu prints with.
pub fn print_style_url() -> &'static str {
    &PRINT_STYLE_URL
}

pub async fn serve(Path(name): Path<String>) -> Result<Response, Error> {
    let asset = ASSETS.iter().find(|asset| asset.name == name).ok_or(Error::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
    ];
    Ok((headers, asset.body).into_response())
}
