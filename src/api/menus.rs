//! The menus of the caller's kitchens. A menu or dessert of a kitchen they are not a member
//! of is 404, exactly like one that does not exist, a viewer's change is 403, and nothing
//! changes.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Caller, Field, Id, JsonBody, KitchenParam, KitchenParams};
use super::json::{DessertJson, MenuDessertJson, MenuJson, MenuList, MenuWithDesserts};
use super::{Error, ErrorBody};
use crate::domain::{Editing, FieldErrors, MenuName, check_order, menu_name_taken};
use crate::state::{AppState, Site};
use crate::store::{StoreError, desserts, kitchens, menus};

/// A kitchen's menus (the caller's personal kitchen by default), by name.
#[utoipa::path(
    get,
    path = "/api/v1/menus",
    operation_id = "list_menus",
    tag = "menus",
    params(KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every menu of the kitchen's", body = MenuList),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "`kitchen` names no kitchen of the caller's", body = ErrorBody),
        (status = 422, description = "`kitchen` is not an id", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, caller: Caller, wanted: KitchenParam, Site(site): Site) -> Result<Json<MenuList>, Error> {
    let kitchen = caller.kitchen(&state, wanted).await?;
    let found = menus::list_in_kitchen(&state.store, kitchen.id).await?;
    Ok(Json(MenuList {
        items: found.into_iter().map(|menu| MenuJson::new(menu, &site)).collect(),
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuBody {
    /// 1–100 characters, unique among the kitchen's menus ignoring case.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, example = "Summer")]
    name: Field,
}

/// Makes a menu in one of the caller's kitchens (their personal one by default).
#[utoipa::path(
    post,
    path = "/api/v1/menus",
    operation_id = "create_menu",
    tag = "menus",
    params(KitchenParams),
    request_body = MenuBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new menu", body = MenuJson,
            headers(("Location" = String, description = "/api/v1/menus/{id}"))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the kitchen", body = ErrorBody),
        (status = 404, description = "`kitchen` names no kitchen of the caller's", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "The name is not valid", body = ErrorBody),
        (status = 409, description = "The kitchen already has a menu of that name", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    wanted: KitchenParam,
    Site(site): Site,
    JsonBody(body): JsonBody<MenuBody>,
) -> Result<Response, Error> {
    let editing = caller.kitchen(&state, wanted).await?.editing()?;
    let mut errors = FieldErrors::new();
    let raw = body.name.text(&mut errors, "name");
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let name = MenuName::parse(&raw).map_err(|message| Error::Validation(FieldErrors::single("name", message)))?;
    match menus::create(&state.store, editing, &name).await {
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

/// A menu of one of the caller's kitchens, with its desserts in the menu's order.
#[utoipa::path(
    get,
    path = "/api/v1/menus/{id}",
    operation_id = "read_menu",
    tag = "menus",
    params(("id" = i64, Path, description = "The menu's id"), KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The menu and its desserts", body = MenuWithDesserts),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such menu in the caller's kitchens", body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Site(site): Site,
    Id(id): Id,
    wanted: KitchenParam,
) -> Result<Json<MenuWithDesserts>, Error> {
    let (menu, kitchen) = wanted.found(menus::find_reachable(&state.store, caller.user.id, id).await?)?;
    let desserts = menus::desserts_on(&state.store, kitchen.id, id, None).await?;
    let menu = MenuJson::new(menu, &site);
    Ok(Json(MenuWithDesserts {
        id: menu.id,
        kitchen_id: menu.kitchen_id,
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
    params(("id" = i64, Path, description = "The menu's id"), KitchenParams),
    request_body = MenuOrderBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The menu's desserts are in that order"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the menu's kitchen", body = ErrorBody),
        (status = 404, description = "No such menu in the caller's kitchens", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "Not each of the menu's desserts exactly once", body = ErrorBody),
    )
)]
pub async fn order(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    kitchen: KitchenParam,
    JsonBody(body): JsonBody<MenuOrderBody>,
) -> Result<StatusCode, Error> {
    let editing = editing_menu(&state, &caller, id, kitchen).await?;
    let mut errors = FieldErrors::new();
    let wanted = body.dessert_ids.ids(&mut errors, "dessert_ids");
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let on_menu = menus::dessert_ids_on(&state.store, editing.kitchen_id, id).await?;
    check_order(&on_menu, &wanted).map_err(|message| Error::Validation(FieldErrors::single("dessert_ids", message)))?;
    menus::set_order(&state.store, editing, id, &wanted).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a menu of one of the caller's kitchens; its desserts stay.
#[utoipa::path(
    delete,
    path = "/api/v1/menus/{id}",
    operation_id = "delete_menu",
    tag = "menus",
    params(("id" = i64, Path, description = "The menu's id"), KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the menu's kitchen", body = ErrorBody),
        (status = 404, description = "No such menu in the caller's kitchens", body = ErrorBody),
    )
)]
pub async fn delete(State(state): State<AppState>, caller: Caller, Id(id): Id, kitchen: KitchenParam) -> Result<StatusCode, Error> {
    let editing = editing_menu(&state, &caller, id, kitchen).await?;
    menus::delete(&state.store, editing, id).await?.ok_or(Error::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The kitchen of menu `id`, where the caller may change it: 404 when it is not in a kitchen
/// of the caller's that `kitchen` (when given) names, 403 for a viewer.
async fn editing_menu(state: &AppState, caller: &Caller, id: i64, wanted: KitchenParam) -> Result<Editing, Error> {
    wanted.editing(kitchens::of_menu(&state.store, caller.user.id, id).await?)
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

/// Puts a dessert at the end of a menu of the same kitchen; already being there is fine (it
/// keeps its place).
#[utoipa::path(
    put,
    path = "/api/v1/menus/{id}/desserts/{dessert_id}",
    operation_id = "add_menu_dessert",
    tag = "menus",
    params(
        ("id" = i64, Path, description = "The menu's id"),
        ("dessert_id" = i64, Path, description = "The dessert's id"),
        KitchenParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The dessert is on the menu"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the menu's kitchen", body = ErrorBody),
        (status = 404, description = "No such menu in the caller's kitchens, or no such dessert in its kitchen", body = ErrorBody),
    )
)]
pub async fn add_dessert(
    State(state): State<AppState>,
    caller: Caller,
    ids: MenuDessert,
    kitchen: KitchenParam,
) -> Result<StatusCode, Error> {
    let editing = editing_menu(&state, &caller, ids.menu, kitchen).await?;
    menus::add_desserts(&state.store, editing, ids.menu, &[ids.dessert]).await?;
    if menus::holds(&state.store, editing.kitchen_id, ids.menu, ids.dessert).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

/// Takes a dessert off a menu; the dessert stays. Not being there is fine.
#[utoipa::path(
    delete,
    path = "/api/v1/menus/{id}/desserts/{dessert_id}",
    operation_id = "remove_menu_dessert",
    tag = "menus",
    params(
        ("id" = i64, Path, description = "The menu's id"),
        ("dessert_id" = i64, Path, description = "The dessert's id"),
        KitchenParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The dessert is not on the menu"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the menu's kitchen", body = ErrorBody),
        (status = 404, description = "No such menu in the caller's kitchens, or no such dessert in its kitchen", body = ErrorBody),
    )
)]
pub async fn remove_dessert(
    State(state): State<AppState>,
    caller: Caller,
    ids: MenuDessert,
    kitchen: KitchenParam,
) -> Result<StatusCode, Error> {
    let editing = editing_menu(&state, &caller, ids.menu, kitchen).await?;
    desserts::find(&state.store, editing.kitchen_id, ids.dessert)
        .await?
        .ok_or(Error::NotFound)?;
    menus::remove_dessert(&state.store, editing, ids.menu, ids.dessert).await?;
    Ok(StatusCode::NO_CONTENT)
}
