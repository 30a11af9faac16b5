//! A dessert's photo through the API: the image is the whole body, as it is sent and as
//! it comes back.

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use utoipa::ToSchema;

use super::desserts::editing_dessert;
use super::extract::{Caller, Id, KitchenParam, KitchenParams};
use super::json::DessertJson;
use super::{Error, ErrorBody};
use crate::domain::{FieldErrors, MAX_PHOTO_BYTES, PhotoSize};
use crate::photos::Format;
use crate::photos::http::{Audience, image_response, known_digests};
use crate::state::AppState;
use crate::store::{desserts, kitchens, photos};

/// Image bytes, as the body of a request or an answer.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct ImageBytes(Vec<u8>);

/// `?size=thumb` for the thumbnail.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SizeQuery {
    /// `thumb` for the thumbnail (400 px wide); anything else, or nothing, for the photo.
    size: Option<String>,
}

const SEND_AN_IMAGE: &str = "Send the image as image/jpeg, image/png, image/webp or image/gif.";

/// Whether the declared type is one of the image types taken. The bytes decide what the
/// image is; the type only has to say it is one.
fn declares_an_image(headers: &HeaderMap) -> bool {
    crate::state::media_type(headers).is_some_and(|declared| {
        [Format::Jpeg, Format::Png, Format::WebP, Format::Gif]
            .iter()
            .any(|format| format.content_type() == declared)
    })
}

/// The body, at most [`MAX_PHOTO_BYTES`], read into one buffer of the length it declares:
/// eight uploads at once then hold eight files, not twice that in chunks being joined.
async fn read_image(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Error> {
    use http_body_util::BodyExt;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
        .unwrap_or(0);
    if declared > MAX_PHOTO_BYTES {
        return Err(Error::PayloadTooLarge);
    }
    let mut bytes = Vec::with_capacity(declared);
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Error::BadRequest("The body could not be read.".into()))?;
        if let Some(data) = frame.data_ref() {
            if bytes.len() + data.len() > MAX_PHOTO_BYTES {
                return Err(Error::PayloadTooLarge);
            }
            bytes.extend_from_slice(data);
        }
    }
    Ok(bytes)
}

/// Gives a dessert of one of the caller's kitchens a photo, replacing any it had.
#[utoipa::path(
    put,
    path = "/api/v1/desserts/{id}/photo",
    operation_id = "put_dessert_photo",
    tag = "desserts",
    params(("id" = i64, Path, description = "The dessert's id"), KitchenParams),
    request_body(
        description = "The image: JPEG, PNG, WebP or GIF (its first frame), at most 10 MB, 10 000 px on a side and 40 megapixels. \
                       It is stored re-encoded, upright, at most 1600 px on its long side, without its metadata.",
        content(
            (ImageBytes = "image/jpeg"),
            (ImageBytes = "image/png"),
            (ImageBytes = "image/webp"),
            (ImageBytes = "image/gif"),
        )
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The dessert with its new photo", body = DessertJson),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the dessert's kitchen", body = ErrorBody),
        (status = 404, description = "No such dessert in the caller's kitchens", body = ErrorBody),
        (status = 413, description = "Image over 10 MB", body = ErrorBody),
        (status = 415, description = "The body is not declared as one of the image types", body = ErrorBody),
        (status = 422, description = "Not an image we can use: its format, its size, or damaged; `fields.photo` says which", body = ErrorBody),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    wanted: KitchenParam,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<DessertJson>, Error> {
    if !declares_an_image(&headers) {
        return Err(Error::UnsupportedMediaType(SEND_AN_IMAGE));
    }
    let editing = editing_dessert(&state, &caller, id, wanted).await?;
    let bytes = read_image(&headers, body).await?;
    let photo = state.photos.process(bytes).await?.map_err(|refusal| {
        let mut errors = FieldErrors::new();
        errors.add("photo", refusal.to_string());
        Error::Validation(errors)
    })?;
    if !photos::set(&state.store, editing, id, photo).await? {
        return Err(Error::NotFound);
    }
    let dessert = desserts::find(&state.store, editing.kitchen_id, id).await?.ok_or(Error::NotFound)?;
    Ok(Json(dessert.into()))
}

/// The photo of a dessert of one of the caller's kitchens, or its thumbnail.
#[utoipa::path(
    get,
    path = "/api/v1/desserts/{id}/photo",
    operation_id = "get_dessert_photo",
    tag = "desserts",
    params(("id" = i64, Path, description = "The dessert's id"), SizeQuery, KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The image, with a strong ETag", content_type = "image/jpeg", body = ImageBytes),
        (status = 304, description = "The client's copy (If-None-Match) is this version"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such dessert in the caller's kitchens, or it has no photo", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Query(query): Query<SizeQuery>,
    wanted: KitchenParam,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if wanted.0.is_some() {
        let kitchen = kitchens::of_dessert(&state.store, caller.user.id, id)
            .await?
            .ok_or(Error::NotFound)?;
        wanted.must_match(kitchen.id)?;
    }
    let known = known_digests(&headers);
    let first = known.first().map_or("", String::as_str);
    let size = PhotoSize::from_query(query.size.as_deref());
    let image = photos::find_reachable(&state.store, caller.user.id, id, size, first)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(image_response(image, &known, Audience::Owner))
}

/// Removes the photo of a dessert of one of the caller's kitchens; having none is fine.
#[utoipa::path(
    delete,
    path = "/api/v1/desserts/{id}/photo",
    operation_id = "delete_dessert_photo",
    tag = "desserts",
    params(("id" = i64, Path, description = "The dessert's id"), KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The dessert has no photo now"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the dessert's kitchen", body = ErrorBody),
        (status = 404, description = "No such dessert in the caller's kitchens", body = ErrorBody),
    )
)]
pub async fn delete(State(state): State<AppState>, caller: Caller, Id(id): Id, wanted: KitchenParam) -> Result<StatusCode, Error> {
    let editing = editing_dessert(&state, &caller, id, wanted).await?;
    if photos::delete(&state.store, editing, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}
