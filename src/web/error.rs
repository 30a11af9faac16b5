//! The one error type of the HTML pages: each variant knows its status and page.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::pages::{Layout, ROOT_LAYOUT};
use crate::failure::{Failure, FailureKind};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing, or someone else's: the two look the same.
    #[error("not found")]
    NotFound,
    /// An anonymous visitor asked for a page that needs a login; `next` brings them back.
    #[error("login required")]
    LoginRequired { next: String },
    #[error("the form's security token is missing or stale, or it came from another site")]
    CsrfRejected,
    /// A member whose role does not allow the change (a viewer's edit, an editor's
    /// management of members).
    #[error("the role does not allow this")]
    Forbidden,
    /// A link that worked once and no longer does (a used or expired invitation).
    #[error("gone: {0}")]
    Gone(&'static str),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("the request body is over the limit")]
    PayloadTooLarge,
    #[error("the database is unavailable")]
    Unavailable,
    /// Too much work queued (password checks): try again in a moment.
    #[error("the server is busy")]
    Busy,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        match failure.kind() {
            FailureKind::Unavailable => Self::Unavailable,
            FailureKind::Busy => Self::Busy,
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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: &'a Layout,
    title: &'a str,
    message: &'a str,
}

/// A page that says what went wrong, with nothing internal in it.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        layout: &ROOT_LAYOUT,
        title,
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, message.to_string()).into_response(),
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here. It may have been deleted.",
            ),
            Self::LoginRequired { next } => {
                let query = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", &next)
                    .finish();
                Redirect::to(&format!("/login?{query}")).into_response()
            }
            Self::CsrfRejected => error_page(
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form has expired or came from another site. Go back, reload the page and try again.",
            ),
            Self::Forbidden => error_page(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your role in this kitchen does not allow this change. Ask one of its owners.",
            ),
            Self::Gone(message) => error_page(StatusCode::GONE, "This link has ended", message),
            Self::BadRequest(message) => error_page(StatusCode::BAD_REQUEST, "Bad request", &message),
            Self::PayloadTooLarge => error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Too large",
                "What you sent is larger than this form accepts.",
            ),
            Self::Unavailable => {
                let response = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    "We cannot reach our database right now. Please try again in a minute.",
                );
                with_retry_after(response, FailureKind::Unavailable.retry_after_secs())
            }
            Self::Busy => {
                let response = error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Busy",
                    "We are busy right now. Please try again in a few seconds.",
                );
                with_retry_after(response, FailureKind::Busy.retry_after_secs())
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "Something went wrong on our side. Please try again.",
                )
            }
        }
    }
}

/// `response` saying when to try again: after `seconds`.
pub fn with_retry_after(mut response: Response, seconds: impl Into<header::HeaderValue>) -> Response {
    response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
    response
}
