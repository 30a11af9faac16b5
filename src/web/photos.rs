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
use super::visit::Visit;
use crate::domain::PhotoSize;
use crate::photos::http::{Audience, image_response, known_digests};
use crate::state::AppState;
use crate::store::photos;

/// The owner's photos: pages of theirs show them, so they need the visit.
pub fn router() -> Router<AppState> {
    Router::new().route("/desserts/{id}/photo", get(own_photo))
}

/// Photos on published menus, for anyone with the menu's link.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/m/{slug}/photos/{dessert_id}", get(published_photo))
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
    visit: Visit,
    Path(id): Path<String>,
    Query(size): Query<SizeParam>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let user = visit.user().ok_or(Error::NotFound)?;
    let known = known_digests(&headers);
    let first = known.first().map_or("", String::as_str);
    let image = photos::find_own(&state.store, user.id, parse_id(&id)?, size.size(), first)
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
