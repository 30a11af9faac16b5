//! Desserts' photos as images: the owner's, and those on a published menu.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::Error;
use super::desserts::parse_id;
use super::menus::is_slug;
use super::visit::session_id_hash;
use crate::domain::PhotoSize;
use crate::photos::http::{Audience, image_response, known_digests};
use crate::state::AppState;
use crate::store::photos;

/// The owner's photos and those on published menus. Neither needs a whole visit: the
/// owner's are found with their session in one query, and a page shows a dozen of them.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/desserts/{id}/photo", get(own_photo))
        .route("/m/{slug}/photos/{dessert_id}", get(published_photo))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SizeParam {
    size: Option<String>,
}

impl SizeParam {
    pub fn size(&self) -> PhotoSize {
        PhotoSize::from_query(self.size.as_deref())
    }
}

/// The photo of one of the visitor's desserts; anyone else, signed in or not, gets the same
/// 404 as for a dessert without a photo.
async fn own_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(size): Query<SizeParam>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let session = session_id_hash(&headers, &state).ok_or(Error::NotFound)?;
    let known = known_digests(&headers);
    let first = known.first().map_or("", String::as_str);
    let image = photos::find_for_session(&state.store, &session, crate::store::now(), parse_id(&id)?, size.size(), first)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(image_response(image, &known, Audience::Owner))
}

/// The photo of a dessert on the menu published at `slug`, while it is published.
async fn published_photo(
    State(state): State<AppState>,
    Path((slug, dessert_id)): Path<(String, String)>,
    Query(size): Query<SizeParam>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if !is_slug(&slug) {
        return Err(Error::NotFound);
    }
    let known = known_digests(&headers);
    let first = known.first().map_or("", String::as_str);
    let image = photos::find_published(&state.store, &slug, parse_id(&dessert_id)?, size.size(), first)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(image_response(image, &known, Audience::Public))
}
