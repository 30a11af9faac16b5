//! The labels of the caller's kitchens. They are made by naming them on a dessert; the pages rename and
//! delete them.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::{Caller, KitchenParam, KitchenParams};
use super::{Error, ErrorBody};
use crate::domain::Label;
use crate::state::AppState;
use crate::store::labels;

#[derive(Debug, Serialize, ToSchema)]
pub struct LabelJson {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "vegan")]
    pub name: String,
    /// How many of the kitchen's desserts carry the label.
    #[schema(example = 4, minimum = 0)]
    pub dessert_count: i64,
}

impl From<Label> for LabelJson {
    fn from(label: Label) -> Self {
        Self {
            id: label.id,
            name: label.name,
            dessert_count: label.dessert_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LabelList {
    pub items: Vec<LabelJson>,
}

/// A kitchen's labels by name (the caller's personal kitchen by default), each with how
/// many of its desserts carry it.
#[utoipa::path(
    get,
    path = "/api/v1/labels",
    operation_id = "list_labels",
    tag = "desserts",
    params(KitchenParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every label of the kitchen's", body = LabelList),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
        (status = 404, description = "`kitchen` names no kitchen of the caller's", body = ErrorBody),
        (status = 422, description = "`kitchen` is not an id", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, caller: Caller, wanted: KitchenParam) -> Result<Json<LabelList>, Error> {
    let kitchen = caller.kitchen(&state, wanted).await?;
    let found = labels::list_in_kitchen(&state.store, kitchen.id).await?;
    Ok(Json(LabelList {
        items: found.into_iter().map(LabelJson::from).collect(),
    }))
}
