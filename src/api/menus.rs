//! The caller's menus. Someone else's menu or dessert is 404, exactly like one that does
//! not exist, and nothing changes.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Caller, Field, Id, JsonBody};
use super::json::{DessertJson, MenuDessertJson, MenuJson, MenuList, MenuWithDesserts};
use super::{Error, ErrorBody};
use crate::domain::{FieldErrors, MenuName, check_order, menu_name_taken};
use crate::state::{AppState, Site};
use crate::store::{StoreError, desserts, menus};

/// The caller's menus, by name.
#[utoipa::path(
    get,
    path = "/api/v1/menus",
    operation_id = "list_menus",
    tag = "menus",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every menu of the caller's", body = MenuList),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, caller: Caller, Site(site): Site) -> Result<Json<MenuList>, Error> {
    let found = menus::list_for_user(&state.store, caller.user.id).await?;
    Ok(Json(MenuList {
        items: found.into_iter().map(|menu| MenuJson::new(menu, &site)).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuBody {
    /// 1–100 characters, unique among your menus ignoring case.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, example = "Summer")]
    name: Field,
}

/// Makes a menu.
#[utoipa::path(
    post,
    path = "/api/v1/menus",
    operation_id = "create_menu",
    tag = "menus",
    request_body = MenuBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new menu", body = MenuJson,
            headers(("Location" = String, description = "/api/v1/menus/{id}"))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "The name is not valid", body = ErrorBody),
        (status = 409, description = "You already have a menu of that name", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Site(site): Site,
    JsonBody(body): JsonBody<MenuBody>,
) -> Result<Response, Error> {
    let mut errors = FieldErrors::new();
    let raw = body.name.text(&mut errors, "name");
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let name = MenuName::parse(&raw).map_err(|message| Error::Validation(FieldErrors::single("name", message)))?;
    match menus::create(&state.store, caller.user.id, &name).await {
        Ok(menu) => {
            let location = HeaderValue::try_from(format!("/api/v1/menus/{}", menu.id)).map_err(|e| Error::Internal(e.to_string()))?;
            Ok((
                StatusCode::CREATED,
                [(header::LOCATION, location)],
                Json(MenuJson::new(menu, &site)),
            )
                .into_response())
        }
        Err(StoreError::Duplicate(_)) => Err(Error::Conflict(FieldErrors::single("name", menu_name_taken(&raw)))),
        Err(error) => Err(error.into()),
    }
}

/// One of the caller's menus, with its desserts in the menu's order.
#[utoipa::path(
    get,
    path = "/api/v1/menus/{id}",
    operation_id = "read_menu",
    tag = "menus",
    params(("id" = i64, Path, description = "The menu's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The menu and its desserts", body = MenuWithDesserts),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such menu among the caller's", body = ErrorBody),
    )
)]
pub async fn read(State(state): State<AppState>, caller: Caller, Site(site): Site, Id(id): Id) -> Result<Json<MenuWithDesserts>, Error> {
    let menu = menus::find(&state.store, caller.user.id, id).await?.ok_or(Error::NotFound)?;
    let desserts = menus::desserts_on(&state.store, caller.user.id, id, None).await?;
    let menu = MenuJson::new(menu, &site);
    Ok(Json(MenuWithDesserts {
        id: menu.id,
        name: menu.name,
        dessert_count: menu.dessert_count,
        public_url: menu.public_url,
        created_at: menu.created_at,
        desserts: desserts
            .into_iter()
            .zip(1..)
            .map(|(dessert, position)| MenuDessertJson {
                position,
                dessert: DessertJson::from(dessert),
            })
            .collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuOrderBody {
    /// The ids of every dessert on the menu, each once, in the order they should appear.
    #[serde(default)]
    #[schema(value_type = Vec<i64>, required = true, example = json!([12, 7, 9]))]
    dessert_ids: Field,
}

/// Sets the order of a menu's desserts, on the public page and here.
#[utoipa::path(
    put,
    path = "/api/v1/menus/{id}/order",
    operation_id = "order_menu",
    tag = "menus",
    params(("id" = i64, Path, description = "The menu's id")),
    request_body = MenuOrderBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The menu's desserts are in that order"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such menu among the caller's", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "Not each of the menu's desserts exactly once", body = ErrorBody),
    )
)]
pub async fn order(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    JsonBody(body): JsonBody<MenuOrderBody>,
) -> Result<StatusCode, Error> {
    let owner = caller.user.id;
    menus::find(&state.store, owner, id).await?.ok_or(Error::NotFound)?;
    let mut errors = FieldErrors::new();
    let wanted = body.dessert_ids.ids(&mut errors, "dessert_ids");
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let on_menu = menus::dessert_ids_on(&state.store, owner, id).await?;
    check_order(&on_menu, &wanted).map_err(|message| Error::Validation(FieldErrors::single("dessert_ids", message)))?;
    menus::set_order(&state.store, owner, id, &wanted).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one of the caller's menus; its desserts stay.
#[utoipa::path(
    delete,
    path = "/api/v1/menus/{id}",
    operation_id = "delete_menu",
    tag = "menus",
    params(("id" = i64, Path, description = "The menu's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such menu among the caller's", body = ErrorBody),
    )
)]
pub async fn delete(State(state): State<AppState>, caller: Caller, Id(id): Id) -> Result<StatusCode, Error> {
    menus::delete(&state.store, caller.user.id, id).await?.ok_or(Error::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A menu id and a dessert id in the path; anything but positive integers names nothing.
pub struct MenuDessert {
    menu: i64,
    dessert: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for MenuDessert {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path((menu, dessert)) = axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let id = |raw: &str| raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(Error::NotFound);
        Ok(Self {
            menu: id(&menu)?,
            dessert: id(&dessert)?,
        })
    }
}

/// Puts one of the caller's desserts at the end of one of their menus; already being there
/// is fine (it keeps its place).
#[utoipa::path(
    put,
    path = "/api/v1/menus/{id}/desserts/{dessert_id}",
    operation_id = "add_menu_dessert",
    tag = "menus",
    params(
        ("id" = i64, Path, description = "The menu's id"),
        ("dessert_id" = i64, Path, description = "The dessert's id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The dessert is on the menu"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such menu or dessert among the caller's", body = ErrorBody),
    )
)]
pub async fn add_dessert(State(state): State<AppState>, caller: Caller, ids: MenuDessert) -> Result<StatusCode, Error> {
    menus::add_desserts(&state.store, caller.user.id, ids.menu, &[ids.dessert]).await?;
    if menus::holds(&state.store, caller.user.id, ids.menu, ids.dessert).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

/// Takes a dessert off one of the caller's menus; the dessert stays. Not being there is fine.
#[utoipa::path(
    delete,
    path = "/api/v1/menus/{id}/desserts/{dessert_id}",
    operation_id = "remove_menu_dessert",
    tag = "menus",
    params(
        ("id" = i64, Path, description = "The menu's id"),
        ("dessert_id" = i64, Path, description = "The dessert's id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The dessert is not on the menu"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such menu or dessert among the caller's", body = ErrorBody),
    )
)]
pub async fn remove_dessert(State(state): State<AppState>, caller: Caller, ids: MenuDessert) -> Result<StatusCode, Error> {
    let owner = caller.user.id;
    menus::find(&state.store, owner, ids.menu).await?.ok_or(Error::NotFound)?;
    desserts::find(&state.store, owner, ids.dessert).await?.ok_or(Error::NotFound)?;
    menus::remove_dessert(&state.store, owner, ids.menu, ids.dessert).await?;
    Ok(StatusCode::NO_CONTENT)
}
