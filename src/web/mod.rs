//! The HTML pages: server-rendered, working without JavaScript.

mod account;
mod admin;
pub mod assets;
mod auth;
mod desserts;
mod error;
mod kitchens;
mod labels;
mod menus;
mod pages;
mod passkeys;
mod photos;
mod recovery;
mod security;
pub mod visit;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;

pub use auth::safe_next;
pub use error::Error;

use crate::state::AppState;

/// Every page, with the session loaded around it.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(desserts::router())
        .merge(account::router())
        .merge(menus::router())
        .merge(labels::router())
        .merge(kitchens::router())
        .merge(recovery::router())
        .merge(security::router())
        .merge(passkeys::router())
        .merge(admin::router())
        .layer(middleware::from_fn_with_state(state, visit::load_visit))
}

/// What needs no session: health, static files, the page for an unknown path.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/static/{name}", get(assets::serve))
        .route("/favicon.ico", get(|| assets::serve(axum::extract::Path("favicon.svg".into()))))
        .merge(menus::public_router())
        .merge(photos::router())
}

pub async fn not_found() -> Error {
    Error::NotFound
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.check_health().await {
        Ok(()) => (StatusCode::OK, "ok".to_string()),
        Err(error) => {
            tracing::warn!(error = %error, cause = %std::error::Error::source(&error).map(ToString::to_string).unwrap_or_default(), "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, error.to_string())
        }
    }
}
