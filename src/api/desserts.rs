//! The desserts of the caller's kitchens. Every query names the kitchen, found through the
//! caller's membership: a dessert of a kitchen they are not a member of is 404, exactly like
//! one that does not exist, and a viewer's change is 403.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Caller, Field, Id, JsonBody, KitchenParam, KitchenParams};
use super::json::{DessertJson, DessertList};
use super::{Error, ErrorBody, merge};
use crate::domain::{AllergenSet, DessertInput, DessertQuery, Editing, FieldErrors, LabelName, SortDir, SortField};
use crate::state::AppState;
use crate::store::{StoreError, desserts, kitchens};

const DEFAULT_PER_PAGE: u32 = 20;
const MAX_PER_PAGE: u32 = 100;

/// The query of the list, for the document; [`list_query`] reads it.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// Only desserts whose name contains this, ignoring case.
    q: Option<String>,
    /// The order: `name` (default), `price`, `calories` or `created`.
    #[param(inline, value_type = Option<SortName>)]
    sort: Option<String>,
    /// `asc` or `desc`; by default A→Z, cheapest, lightest, or newest first.
    #[param(inline, value_type = Option<DirName>)]
    dir: Option<String>,
    /// From 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4294967295u32)]
    page: Option<u32>,
    /// 1–100, 20 by default.
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
    /// Allergen codes, separated by commas: only desserts whose allergens are declared and
    /// contain none of them.
    free_of: Option<String>,
    /// A label's name, repeatable (at most 10 times): only desserts carrying every label
    /// named (ignoring case).
    #[param(explode = true)]
    label: Option<Vec<String>>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum SortName {
    Name,
    Price,
    Calories,
    Created,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum DirName {
    Asc,
    Desc,
}

/// Reads the list's query string; a value out of range is a field error.
fn list_query(raw: Option<&str>) -> Result<DessertQuery, Error> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| Error::BadRequest("The query string is malformed.".into()))?;
    let get = |name: &str| pairs.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let mut errors = FieldErrors::new();
    let sort = match get("sort") {
        None => SortField::default(),
        Some(raw) => SortField::parse(raw).unwrap_or_else(|| {
            errors.add("sort", "Sort by name, price, calories or created");
            SortField::default()
        }),
    };
    let dir = match get("dir") {
        None => sort.natural_dir(),
        Some(raw) => SortDir::parse(raw).unwrap_or_else(|| {
            errors.add("dir", "Direction is asc or desc");
            SortDir::default()
        }),
    };
    let mut number = |name: &'static str, default: u32, max: u32| match get(name) {
        None => default,
        Some(raw) => match raw.parse::<u32>() {
            Ok(value) if (1..=max).contains(&value) => value,
            _ => {
                errors.add(name, format!("{name} must be a whole number from 1 to {max}"));
                default
            }
        },
    };
    let page = number("page", 1, u32::MAX);
    let per_page = number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
    // Every part between commas is a code: an empty one is refused like an unknown one.
    let free_of = get("free_of").and_then(|raw| {
        AllergenSet::parse_codes(raw.split(','))
            .map_err(|message| errors.add("free_of", message))
            .ok()
    });
    let labels: Vec<String> = pairs
        .iter()
        .filter(|(key, _)| key == "label")
        .map(|(_, value)| value.clone())
        .collect();
    if labels.len() > DessertQuery::MAX_LABELS {
        errors.add("label", format!("Filter by at most {} labels at once", DessertQuery::MAX_LABELS));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok(DessertQuery::new(get("q").unwrap_or(""), sort, dir, page, per_page).filtered(free_of, &labels))
}

/// Lists the caller's desserts, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/desserts",
    operation_id = "list_desserts",
    tag = "desserts",
    params(ListParams, KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of desserts", body = DessertList),
        (status = 404, description = "`kitchen` names no kitchen of the caller's", body = ErrorBody),
        (status = 400, description = "Malformed query string", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 422, description = "A parameter is out of range", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    wanted: KitchenParam,
    RawQuery(raw): RawQuery,
) -> Result<Json<DessertList>, Error> {
    let query = list_query(raw.as_deref())?;
    let kitchen = caller.kitchen(&state, wanted).await?;
    let found = desserts::list_in_kitchen(&state.store, &kitchen, &query).await?;
    Ok(Json(DessertList {
        items: found.items.iter().cloned().map(DessertJson::from).collect(),
        page: query.page,
        per_page: query.per_page,
        total: found.total,
    }))
}

/// A dessert's fields. Creating one needs `name`, `price` and `calories`; changing one
/// takes any of them, and `null` clears `origin` or `image_url`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DessertBody {
    /// 1–100 characters, not only digits, unique among your desserts ignoring case.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, example = "Apple Pie")]
    name: Field,
    /// In dollars, 0–10000, at most two decimals.
    #[serde(default)]
    #[schema(value_type = f64, example = 4.5)]
    price: Field,
    /// A whole number, 0–10000.
    #[serde(default)]
    #[schema(value_type = i64, example = 300)]
    calories: Field,
    /// Where it comes from, up to 100 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "France")]
    origin: Field,
    /// A picture URL (http or https), up to 500 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "https://example.com/pie.jpg")]
    image_url: Field,
    /// False unless given.
    #[serde(default)]
    #[schema(value_type = bool)]
    liked: Field,
    /// The allergens it contains, by code; `null` (the default) while not declared, `[]` for
    /// "contains none of the 14".
    #[serde(default)]
    #[schema(value_type = Option<Vec<AllergenCode>>, example = json!(["milk", "eggs"]))]
    allergens: Field,
    /// The allergens it may contain traces of; never one it contains. `null` or `[]` (the
    /// default): none.
    #[serde(default)]
    #[schema(value_type = Option<Vec<AllergenCode>>, example = json!(["nuts"]))]
    traces: Field,
    /// Its labels' names (1–30 characters, no comma); a name you have no label by makes one.
    /// `null` or `[]`: none.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>, example = json!(["vegan"]))]
    labels: Field,
}

/// The code of one of the 14 allergens of EU law (Regulation 1169/2011, Annex II).
// The document's enum of codes is `domain::Allergen::ALL`, written in by `api/limits.rs`.
#[derive(ToSchema)]
#[schema(value_type = String)]
#[allow(dead_code)]
pub struct AllergenCode(String);

impl DessertBody {
    /// Lays the fields present over `base`; a wrong JSON type is recorded in `errors`.
    fn over(&self, base: DessertInput, errors: &mut FieldErrors) -> DessertInput {
        let present = |field: &Field| field.is_present();
        DessertInput {
            name: if present(&self.name) {
                self.name.text(errors, "name")
            } else {
                base.name
            },
            price: if present(&self.price) {
                self.price.number(errors, "price")
            } else {
                base.price
            },
            calories: if present(&self.calories) {
                self.calories.number(errors, "calories")
            } else {
                base.calories
            },
            origin: if present(&self.origin) {
                self.origin.text(errors, "origin")
            } else {
                base.origin
            },
            image_url: if present(&self.image_url) {
                self.image_url.text(errors, "image_url")
            } else {
                base.image_url
            },
            liked: if present(&self.liked) {
                self.liked.flag(errors, "liked").then(|| "on".to_string())
            } else {
                base.liked
            },
            allergens_declared: if present(&self.allergens) {
                self.allergens.strings(errors, "allergens").is_some().then(|| "on".to_string())
            } else {
                base.allergens_declared
            },
            allergens: if present(&self.allergens) {
                self.allergens.strings(&mut FieldErrors::new(), "allergens").unwrap_or_default()
            } else {
                base.allergens
            },
            traces: if present(&self.traces) {
                self.traces.strings(errors, "traces").unwrap_or_default()
            } else {
                base.traces
            },
            labels: if present(&self.labels) {
                let names = self.labels.strings(errors, "labels").unwrap_or_default();
                // Each name is one label: checked here, as joining them would split one
                // with a comma and drop a blank one.
                if let Some(Err(message)) = names.iter().map(|name| LabelName::parse(name)).find(Result::is_err) {
                    errors.add("labels", message);
                }
                names.join(",")
            } else {
                base.labels
            },
            remove_photo: None,
        }
    }
}

/// Adds a dessert to one of the caller's kitchens (their personal one by default).
#[utoipa::path(
    post,
    path = "/api/v1/desserts",
    operation_id = "create_dessert",
    tag = "desserts",
    params(KitchenParams),
    request_body(content = DessertBody, description = "`name`, `price` and `calories` are required"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new dessert", body = DessertJson,
            headers(("Location" = String, description = "/api/v1/desserts/{id}"))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the kitchen", body = ErrorBody),
        (status = 404, description = "`kitchen` names no kitchen of the caller's", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
        (status = 409, description = "The kitchen already has a dessert of that name", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    wanted: KitchenParam,
    JsonBody(body): JsonBody<DessertBody>,
) -> Result<Response, Error> {
    let editing = caller.kitchen(&state, wanted).await?.editing()?;
    let mut errors = FieldErrors::new();
    let input = body.over(DessertInput::default(), &mut errors);
    let draft = merge(errors, input.parse())?;
    match desserts::create(&state.store, editing, draft, None).await {
        Ok(dessert) => {
            let location = HeaderValue::try_from(format!("/api/v1/desserts/{}", dessert.id)).map_err(|e| Error::Internal(e.to_string()))?;
            Ok((
                StatusCode::CREATED,
                [(header::LOCATION, location)],
                Json(DessertJson::from(dessert)),
            )
                .into_response())
        }
        Err(StoreError::Duplicate(_)) => Err(Error::Conflict(FieldErrors::taken("name", &input.name))),
        Err(error) => Err(error.into()),
    }
}

/// A dessert of one of the caller's kitchens.
#[utoipa::path(
    get,
    path = "/api/v1/desserts/{id}",
    operation_id = "read_dessert",
    tag = "desserts",
    params(("id" = i64, Path, description = "The dessert's id"), KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The dessert", body = DessertJson),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "No such dessert in the caller's kitchens", body = ErrorBody),
    )
)]
pub async fn read(State(state): State<AppState>, caller: Caller, Id(id): Id, wanted: KitchenParam) -> Result<Json<DessertJson>, Error> {
    let (dessert, _) = wanted.found(desserts::find_reachable(&state.store, caller.user.id, id).await?)?;
    Ok(Json(dessert.into()))
}

/// The kitchen of dessert `id`, where the caller may change it: 404 when it is not in a
/// kitchen of the caller's that `kitchen` (when given) names, 403 for a viewer.
pub async fn editing_dessert(state: &AppState, caller: &Caller, id: i64, wanted: KitchenParam) -> Result<Editing, Error> {
    wanted.editing(kitchens::of_dessert(&state.store, caller.user.id, id).await?)
}

/// Changes the fields given; the others keep their values.
#[utoipa::path(
    patch,
    path = "/api/v1/desserts/{id}",
    operation_id = "update_dessert",
    tag = "desserts",
    params(("id" = i64, Path, description = "The dessert's id"), KitchenParams),
    request_body(content = DessertBody, description = "Any of the fields"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The dessert as it is now", body = DessertJson),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the dessert's kitchen", body = ErrorBody),
        (status = 404, description = "No such dessert in the caller's kitchens", body = ErrorBody),
        (status = 415, description = "Not application/json", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
        (status = 409, description = "The kitchen already has a dessert of that name", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    wanted: KitchenParam,
    JsonBody(body): JsonBody<DessertBody>,
) -> Result<Json<DessertJson>, Error> {
    let (current, kitchen) = wanted.found(desserts::find_reachable(&state.store, caller.user.id, id).await?)?;
    let editing = kitchen.editing()?;
    let mut errors = FieldErrors::new();
    let input = body.over(DessertInput::from_dessert(&current), &mut errors);
    let draft = merge(errors, input.parse())?;
    match desserts::update(&state.store, editing, id, draft, desserts::PhotoChange::Keep).await {
        Ok(Some(dessert)) => Ok(Json(dessert.into())),
        Ok(None) => Err(Error::NotFound),
        Err(StoreError::Duplicate(_)) => Err(Error::Conflict(FieldErrors::taken("name", &input.name))),
        Err(error) => Err(error.into()),
    }
}

/// Deletes a dessert of one of the caller's kitchens.
#[utoipa::path(
    delete,
    path = "/api/v1/desserts/{id}",
    operation_id = "delete_dessert",
    tag = "desserts",
    params(("id" = i64, Path, description = "The dessert's id"), KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 403, description = "The caller is a viewer of the dessert's kitchen", body = ErrorBody),
        (status = 404, description = "No such dessert in the caller's kitchens", body = ErrorBody),
    )
)]
pub async fn delete(State(state): State<AppState>, caller: Caller, Id(id): Id, wanted: KitchenParam) -> Result<StatusCode, Error> {
    let editing = editing_dessert(&state, &caller, id, wanted).await?;
    desserts::delete(&state.store, editing, id).await?.ok_or(Error::NotFound)?;
    Ok(StatusCode::NO_CONTENT)
}
