//! Serving a stored image over HTTP: the same answer for the owner's pages, a published
//! menu and the API, differing only in who may keep a copy.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::domain::StoredImage;

/// Who may keep a copy of an image: only the owner's browser, or any cache (a published
/// menu's). Either way every use is checked with the server first (`no-cache`), so a photo
/// removed or a menu unpublished is gone at once; the check is a `304` without the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Owner,
    Public,
}

/// The versions the client says it has (`If-None-Match`), without quotes or `W/`.
pub fn known_digests(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"').to_string())
        .filter(|tag| !tag.is_empty())
        .collect()
}

/// The answer for a stored image: `304` when the client has this version, else the image.
pub fn image_response(image: StoredImage, known: &[String], audience: Audience) -> Response {
    let cache = match audience {
        Audience::Owner => "private, no-cache",
        Audience::Public => "public, no-cache",
    };
    let etag = HeaderValue::from_str(&format!("\"{}\"", image.digest)).unwrap_or(HeaderValue::from_static("\"\""));
    let headers = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    let client_has_it = known.iter().any(|tag| tag == "*" || *tag == image.digest);
    match image.bytes {
        Some(bytes) if !client_has_it => {
            let content_type = HeaderValue::from_str(&image.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
            (headers, [(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        _ => (StatusCode::NOT_MODIFIED, headers).into_response(),
    }
}
