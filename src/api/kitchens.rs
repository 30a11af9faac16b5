//! The caller's kitchens: where the `kitchen` parameter of the other endpoints points.
//! Members and invitations are managed on the pages.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::Caller;
use super::{Error, ErrorBody};
use crate::state::AppState;
use crate::store::kitchens::{self, KitchenEntry};

#[derive(Debug, Serialize, ToSchema)]
pub struct KitchenJson {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "Café Lee")]
    pub name: String,
    /// The caller's role here.
    #[schema(inline, value_type = RoleName)]
    pub role: &'static str,
    /// Whether it is the caller's personal kitchen, where requests without `kitchen` work.
    pub personal: bool,
    #[schema(minimum = 1)]
    pub members: i64,
}

/// `owner` (everything, members too), `editor` (changes desserts, labels and menus) or
/// `viewer` (reads).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum RoleName {
    Owner,
    Editor,
    Viewer,
}

impl From<KitchenEntry> for KitchenJson {
    fn from(entry: KitchenEntry) -> Self {
        Self {
            id: entry.kitchen.id,
            name: entry.kitchen.name,
            role: entry.kitchen.role.code(),
            personal: entry.kitchen.personal,
            members: entry.members,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KitchenList {
    pub items: Vec<KitchenJson>,
}

/// The kitchens the caller is a member of, their personal kitchen first, with their role in
/// each.
#[utoipa::path(
    get,
    path = "/api/v1/kitchens",
    operation_id = "list_kitchens",
    tag = "kitchens",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every kitchen of the caller's", body = KitchenList),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<KitchenList>, Error> {
    let found = kitchens::list_for_user(&state.store, caller.user.id).await?;
    Ok(Json(KitchenList {
        items: found.into_iter().map(KitchenJson::from).collect(),
    }))
}
