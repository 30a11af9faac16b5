//! The account page: what we know of you, a new password, leaving.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::pages::{FieldMessage, Layout, minutes, render_with};
use super::visit::{ClientAddr, CsrfForm, CurrentUser, Visit};
use crate::app::AppState;
use crate::domain::{FieldErrors, Password, User};
use crate::store::{self, login_failures, mail_tokens, users};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/delete", post(delete_account))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    user: User,
    dessert_count: i64,
    email_confirmed: bool,
    errors: FieldErrors,
}

async fn show(state: &AppState, layout: Layout, user: User, status: StatusCode, errors: FieldErrors) -> Result<Response, Error> {
    let dessert_count = users::dessert_count(&state.store, user.id).await?;
    let email_confirmed = mail_tokens::email_confirmed(&state.store, user.id).await?;
    render_with(
        status,
        &AccountPage {
            layout,
            user,
            dessert_count,
            email_confirmed,
            errors,
        },
    )
}

async fn account_page(State(state): State<AppState>, CurrentUser { user, visit }: CurrentUser) -> Result<Response, Error> {
    show(&state, visit.layout(), user, StatusCode::OK, FieldErrors::new()).await
}

/// Why a password confirmation failed.
enum Refusal {
    WrongPassword,
    /// Too many wrong passwords: seconds until the next try.
    Limited(i64),
}

/// Checks the password of the logged-in person, counting failures like logins do, so a
/// borrowed session cannot be used to guess it.
async fn confirm_password(state: &AppState, user: &User, client: &str, password: &str) -> Result<Option<Refusal>, Error> {
    let account_key = format!("user:{}", user.id);
    let now = store::now();
    if let Some(seconds) = login_failures::retry_after(&state.store, &account_key, client, now, state.login_limits).await? {
        return Ok(Some(Refusal::Limited(seconds)));
    }
    let hash = users::password_hash(&state.store, user.id).await?;
    if state.hasher.verify(password, hash).await? {
        return Ok(None);
    }
    login_failures::record(&state.store, &account_key, client, now).await?;
    Ok(Some(Refusal::WrongPassword))
}

/// The account page again, with the refusal beside `field`.
async fn refuse(state: &AppState, visit: &Visit, user: User, field: &'static str, refusal: Refusal) -> Result<Response, Error> {
    match refusal {
        Refusal::WrongPassword => {
            let errors = FieldErrors::single(field, "That is not your current password");
            show(state, visit.layout(), user, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Refusal::Limited(seconds) => {
            let errors = FieldErrors::single(field, format!("Too many wrong passwords. Try again in {}.", minutes(seconds)));
            let mut response = show(state, visit.layout(), user, StatusCode::TOO_MANY_REQUESTS, errors).await?;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            Ok(response)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<PasswordChange>,
) -> Result<Response, Error> {
    let new_password = Password::parse(&form.new_password);
    if let Some(refusal) = confirm_password(&state, &user, &client, &form.current_password).await? {
        return refuse(&state, &visit, user, "current_password", refusal).await;
    }
    let new_password = match new_password {
        Ok(password) => password,
        Err(message) => {
            return show(
                &state,
                visit.layout(),
                user,
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single("new_password", message),
            )
            .await;
        }
    };
    let hash = state.hasher.hash(&new_password).await?;
    users::set_password_ending_sessions(&state.store, user.id, hash).await?;
    visit
        .log_in(user, "Password changed. Other devices have been logged out.".into())
        .await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteAccount {
    password: String,
}

async fn delete_account(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<DeleteAccount>,
) -> Result<Response, Error> {
    if let Some(refusal) = confirm_password(&state, &user, &client, &form.password).await? {
        return refuse(&state, &visit, user, "password", refusal).await;
    }
    users::delete(&state.store, user.id).await?;
    visit.end("Your account and all your desserts have been deleted.".into()).await?;
    Ok(Redirect::to("/login").into_response())
}
