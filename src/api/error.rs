//! The API's one error type: every failure becomes `{"error": {"code", "message", "fields"?}}`
//! with its status.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::FieldErrors;
use crate::failure::{Failure, FailureKind};
use crate::state::BODY_LIMIT;

/// What the operations that take JSON say to a body of another type.
pub const SEND_JSON: &str = "Send the body as application/json.";

#[derive(Debug)]
pub enum Error {
    BadRequest(String),
    Unauthorized(&'static str),
    /// The password was right, and the account wants a one-time code that was missing or wrong.
    TwoFactorRequired,
    /// The caller's role in the kitchen does not allow the change.
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    /// The body is not of a type the operation takes; the message says which it takes.
    UnsupportedMediaType(&'static str),
    Validation(FieldErrors),
    /// A name that must be unique is taken; the field errors say which.
    Conflict(FieldErrors),
    RateLimited {
        retry_after_secs: i64,
    },
    /// The database is away (try again in 30 s) or the server is busy (in 5 s).
    Unavailable(FailureKind),
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `bad_request`, `unauthorized`, `two_factor_required`, `forbidden`, `not_found`, `method_not_allowed`,
    /// `payload_too_large`, `unsupported_media_type`, `validation_failed`, `conflict`, `rate_limited`,
    /// `unavailable`, `internal`.
    pub code: &'static str,
    /// For people.
    pub message: String,
    /// Field name → what is wrong with it; only for `validation_failed` and `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::TwoFactorRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error an infrastructure layer's bare status stands for (body limit, timeout,
    /// routing), so that it too answers in JSON.
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::BAD_REQUEST => Self::BadRequest("The request is malformed.".into()),
            StatusCode::UNAUTHORIZED => Self::Unauthorized("Authentication required."),
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(SEND_JSON),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => Self::Unavailable(FailureKind::Unavailable),
            other => Self::Internal(format!("status {other}")),
        }
    }

    fn body(self) -> ErrorDetail {
        let (code, message, fields) = match self {
            Self::BadRequest(message) => ("bad_request", message, None),
            Self::Unauthorized(message) => ("unauthorized", message.to_string(), None),
            Self::TwoFactorRequired => (
                "two_factor_required",
                "This account asks for a one-time code: send `code`, the authenticator app's current code or a recovery code.".to_string(),
                None,
            ),
            Self::Forbidden => (
                "forbidden",
                "Your role in this kitchen does not allow this change.".to_string(),
                None,
            ),
            Self::NotFound => ("not_found", "Not found.".to_string(), None),
            Self::MethodNotAllowed => ("method_not_allowed", "This method is not allowed here.".to_string(), None),
            Self::PayloadTooLarge => (
                "payload_too_large",
                format!("The body is over the limit: {} KiB, or 10 MB for a photo.", BODY_LIMIT / 1024),
                None,
            ),
            Self::UnsupportedMediaType(message) => ("unsupported_media_type", message.to_string(), None),
            Self::Validation(errors) => (
                "validation_failed",
                "Some fields are not valid.".to_string(),
                Some(fields_of(&errors)),
            ),
            Self::Conflict(errors) => (
                "conflict",
                "A name you chose is already taken.".to_string(),
                Some(fields_of(&errors)),
            ),
            Self::RateLimited { .. } => ("rate_limited", "Too many failed attempts; try again later.".to_string(), None),
            Self::Unavailable(_) => ("unavailable", "The service is unavailable; try again later.".to_string(), None),
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ("internal", "Something went wrong on our side.".to_string(), None)
            }
        };
        ErrorDetail { code, message, fields }
    }
}

/// Field name → message, as the error body shows them.
fn fields_of(errors: &FieldErrors) -> BTreeMap<String, String> {
    errors
        .iter()
        .map(|(field, message)| (field.to_string(), message.to_string()))
        .collect()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let extra = match &self {
            Self::RateLimited { retry_after_secs } => Some((header::RETRY_AFTER, HeaderValue::from(*retry_after_secs))),
            Self::Unauthorized(_) | Self::TwoFactorRequired => Some((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))),
            Self::Unavailable(kind) => Some((header::RETRY_AFTER, HeaderValue::from(kind.retry_after_secs()))),
            _ => None,
        };
        let mut response = (status, Json(ErrorBody { error: self.body() })).into_response();
        if let Some((name, value)) = extra {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure.kind() {
            kind @ (FailureKind::Unavailable | FailureKind::Busy) => Self::Unavailable(kind),
            FailureKind::Internal => Self::Internal(failure.report()),
        }
    }
}

crate::surface_errors!(Error);

impl From<crate::domain::NotAllowed> for Error {
    fn from(_: crate::domain::NotAllowed) -> Self {
        Self::Forbidden
    }
}
