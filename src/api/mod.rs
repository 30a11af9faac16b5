//! The JSON API under `/api/v1`: bearer tokens, the JSON error shape, and an OpenAPI 3.1
//! document generated from the handlers below.

mod accounts;
mod desserts;
mod error;
mod extract;
mod json;
mod kitchens;
mod labels;
mod limits;
mod menus;
mod photos;

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::{Error, ErrorBody};

use crate::domain::FieldErrors;
use crate::state::AppState;

pub const PREFIX: &str = "/api/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "desserts",
        description = "Keep a dessert menu of your own, or share one in a kitchen. Authenticate with \
                       `Authorization: Bearer <token>`; make a token with `POST /api/v1/tokens`. Desserts, labels \
                       and menus belong to a kitchen: the list and create endpoints take `kitchen` (your personal \
                       kitchen by default); a kitchen you are not a member of is `404`, and a viewer's change `403`.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "account", description = "Sign-up, tokens and your account"),
        (name = "kitchens", description = "The kitchens you are a member of, and your role in each"),
        (name = "desserts", description = "The desserts and labels of your kitchens"),
        (name = "menus", description = "The menus of your kitchens: named groups of their desserts")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::sign_up))
        .routes(routes!(accounts::create_token, accounts::list_tokens))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(accounts::delete_token))
        .routes(routes!(accounts::me))
        .routes(routes!(kitchens::list))
        .routes(routes!(desserts::list, desserts::create))
        .routes(routes!(desserts::read, desserts::update, desserts::delete))
        .routes(routes!(photos::put, photos::get, photos::delete))
        .routes(routes!(labels::list))
        .routes(routes!(menus::list, menus::create))
        .routes(routes!(menus::read, menus::delete))
        .routes(routes!(menus::add_dessert, menus::remove_dessert))
        .routes(routes!(menus::order))
}

/// The OpenAPI document, made once from the routes.
pub fn openapi() -> &'static str {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let (_, mut document) = routes().split_for_parts();
        // After the routes, which bring the body schemas it edits.
        limits::Limits.modify(&mut document);
        document.info.version = env!("CARGO_PKG_VERSION").to_string();
        let mut json = serde_json::to_value(&document).unwrap_or_default();
        limits::link_what_is_made_to_what_uses_it(&mut json);
        limits::allergen_and_label_rules(&mut json);
        serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    });
    &DOCUMENT
}

/// Every API route, with the document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router.route(
        "/api/v1/openapi.json",
        get(|| async { ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], openapi()) }),
    )
}

/// Gives API paths the JSON error shape even for answers no handler made: unknown paths,
/// wrong methods, bodies over the limit, timeouts, panics.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with(PREFIX);
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !is_api || is_json || !(response.status().is_client_error() || response.status().is_server_error()) {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut replaced = Error::for_status(response.status()).into_response();
    for (name, value) in [(header::RETRY_AFTER, retry_after), (header::ALLOW, allow)] {
        if let Some(value) = value {
            replaced.headers_mut().insert(name, value);
        }
    }
    replaced
}

/// The parsed value when there were no type errors either; otherwise every field's message,
/// a type error first.
fn merge<T>(mut errors: FieldErrors, parsed: Result<T, FieldErrors>) -> Result<T, Error> {
    match parsed {
        Ok(value) if errors.is_empty() => Ok(value),
        Ok(_) => Err(Error::Validation(errors)),
        Err(parse_errors) => {
            for (field, message) in parse_errors.iter() {
                errors.add(field, message);
            }
            Err(Error::Validation(errors))
        }
    }
}
