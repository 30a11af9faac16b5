//! Sign-up, login and logout.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::error::with_retry_after;
use super::pages::{FieldMessage, Layout, minutes, render, render_with};
use super::visit::{CsrfForm, NoFields, Visit};
use crate::accounts::two_factor::{self, CodeCheck};
use crate::accounts::{self, LoginOutcome, SignupOutcome};
use crate::domain::{FieldErrors, SignupInput};
use crate::state::{AppState, ClientAddr, Site};
use crate::store::attempts::Counted;
use crate::store::{UniqueKey, users};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_page).post(signup))
        .route("/login", get(login_page).post(login))
        .route("/login/two-factor", get(code_page).post(code_step))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    layout: Layout,
    form: SignupInput,
    errors: FieldErrors,
}

async fn signup_page(visit: Visit, RawQuery(query): RawQuery) -> Result<Response, Error> {
    let input: LoginInput = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let next = safe_next(&input.next).to_string();
    if visit.user().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let layout = visit.layout_with_form().await?;
    render(&SignupPage {
        layout,
        form: SignupInput {
            next,
            ..SignupInput::default()
        },
        errors: FieldErrors::new(),
    })
}

async fn signup(
    State(state): State<AppState>,
    visit: Visit,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<SignupInput>,
) -> Result<Response, Error> {
    let signup = match form.parse() {
        Ok(signup) => signup,
        Err(errors) => return signup_again(&visit, form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let user = match accounts::sign_up(state.accounts(), signup, &client).await? {
        SignupOutcome::Created(user) => user,
        SignupOutcome::Taken(key) => {
            let value = if key == UniqueKey::Email { &form.email } else { &form.username };
            let errors = FieldErrors::taken(key.field(), value);
            return signup_again(&visit, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        SignupOutcome::Limited { retry_after_secs } => {
            let mut errors = FieldErrors::new();
            errors.add(
                "username",
                format!("Too many sign-ups from your network. Try again in {}.", minutes(retry_after_secs)),
            );
            let response = signup_again(&visit, form, errors, StatusCode::TOO_MANY_REQUESTS)?;
            return Ok(with_retry_after(response, retry_after_secs));
        }
    };
    let welcome = format!(
        "Welcome, {}! Your account is ready. To confirm your address, open the link we sent to {}.",
        user.name, user.email
    );
    visit.log_in(user, welcome).await?;
    Ok(Redirect::to(safe_next(&form.next)).into_response())
}

fn signup_again(visit: &Visit, form: SignupInput, errors: FieldErrors, status: StatusCode) -> Result<Response, Error> {
    let form = SignupInput {
        password: String::new(),
        ..form
    };
    render_with(
        status,
        &SignupPage {
            layout: visit.layout(),
            form,
            errors,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginInput {
    username: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: String,
    /// Whether passkeys work where the page was reached (not by an IP address).
    passkeys: bool,
}

/// Only a path on this site: `//evil.example` and `/\evil.example` would leave it.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.chars().any(char::is_control);
    if local { next } else { "/" }
}

async fn login_page(visit: Visit, Site(site): Site, RawQuery(query): RawQuery) -> Result<Response, Error> {
    let input: LoginInput = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let next = safe_next(&input.next).to_string();
    if visit.user().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let layout = visit.layout_with_form().await?;
    render(&LoginPage {
        layout,
        username: String::new(),
        next,
        error: String::new(),
        passkeys: crate::passkeys::available_at(&site).is_ok(),
    })
}

const WRONG_CREDENTIALS: &str = "Incorrect username or password.";

async fn login(
    State(state): State<AppState>,
    visit: Visit,
    Site(site): Site,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<LoginInput>,
) -> Result<Response, Error> {
    let next = safe_next(&form.next).to_string();
    let again = |status, error: &str| {
        let page = LoginPage {
            layout: visit.layout(),
            username: form.username.trim().to_string(),
            next: next.clone(),
            error: error.into(),
            passkeys: crate::passkeys::available_at(&site).is_ok(),
        };
        render_with(status, &page)
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "Enter your username (or email) and password.");
    }
    match accounts::check_login(state.accounts(), &form.username, &form.password, &client).await? {
        LoginOutcome::Accepted(user) => {
            let welcome = format!("Welcome back, {}!", user.name);
            visit.log_in(user, welcome).await?;
            Ok(Redirect::to(&next).into_response())
        }
        LoginOutcome::CodeNeeded(user) => {
            visit.await_code(user.id).await?;
            Ok(Redirect::to(&code_step_path(&next)).into_response())
        }
        LoginOutcome::Refused => again(StatusCode::UNPROCESSABLE_ENTITY, WRONG_CREDENTIALS),
        LoginOutcome::Locked { retry_after_secs } => {
            let message = format!("Too many failed logins. Try again in {}.", minutes(retry_after_secs));
            Ok(with_retry_after(again(StatusCode::TOO_MANY_REQUESTS, &message)?, retry_after_secs))
        }
    }
}

/// `/login/two-factor`, keeping where to go after.
pub fn code_step_path(next: &str) -> String {
    if next == "/" {
        "/login/two-factor".into()
    } else {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        format!("/login/two-factor?{query}")
    }
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct CodePage {
    layout: Layout,
    next: String,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeInput {
    code: String,
    next: String,
}

async fn code_page(visit: Visit, RawQuery(query): RawQuery) -> Result<Response, Error> {
    let input: CodeInput = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    if visit.pending_user_id().is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    render(&CodePage {
        layout: visit.layout(),
        next: safe_next(&input.next).to_string(),
        error: String::new(),
    })
}

/// The second step of a login: a code from the app or a recovery code. Wrong codes count
/// like failed logins; the session gets a new id when the login completes.
async fn code_step(
    State(state): State<AppState>,
    visit: Visit,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<CodeInput>,
) -> Result<Response, Error> {
    let next = safe_next(&form.next).to_string();
    let Some(user_id) = visit.pending_user_id() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let again = |status, error: String| {
        render_with(
            status,
            &CodePage {
                layout: visit.layout(),
                next: next.clone(),
                error,
            },
        )
    };
    match two_factor::check_code(state.accounts(), user_id, &form.code, Counted::Client(&client), true).await? {
        CodeCheck::Accepted => {
            let user = users::find(&state.store, user_id).await?.ok_or(Error::NotFound)?;
            let welcome = format!("Welcome back, {}!", user.name);
            visit.log_in(user, welcome).await?;
            Ok(Redirect::to(&next).into_response())
        }
        CodeCheck::Wrong => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That code is not right, or it was used already. Enter the code your app shows now, or a recovery code.".into(),
        ),
        CodeCheck::Limited(retry_after_secs) => {
            let message = format!("Too many failed attempts. Try again in {}.", minutes(retry_after_secs));
            Ok(with_retry_after(again(StatusCode::TOO_MANY_REQUESTS, message)?, retry_after_secs))
        }
    }
}

async fn logout(visit: Visit, CsrfForm(NoFields {}): CsrfForm<NoFields>) -> Result<Response, Error> {
    visit.end("You have logged out.".into()).await?;
    Ok(Redirect::to("/login").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/desserts/3?x=1"), "/desserts/3?x=1");
        for outside in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "", "/\nx"] {
            assert_eq!(safe_next(outside), "/", "{outside:?}");
        }
    }
}
