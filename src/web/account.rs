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
use super::visit::{CsrfForm, CurrentUser, Visit};
use crate::app::AppState;
use crate::domain::{Email, FieldErrors, Password, User};
use crate::mail_links;
use crate::store::{self, StoreError, login_failures, mail_tokens, users};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/email", post(change_email))
        .route("/account/delete", post(delete_account))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    user: User,
    dessert_count: i64,
    email_confirmed: bool,
    /// What was typed in the change-of-address form, shown again beside its error.
    new_email: String,
    errors: FieldErrors,
}

async fn show(state: &AppState, layout: Layout, user: User, status: StatusCode, errors: FieldErrors) -> Result<Response, Error> {
    show_with_email(state, layout, user, status, errors, String::new()).await
}

async fn show_with_email(
    state: &AppState,
    layout: Layout,
    user: User,
    status: StatusCode,
    errors: FieldErrors,
    new_email: String,
) -> Result<Response, Error> {
    let dessert_count = users::dessert_count(&state.store, user.id).await?;
    let email_confirmed = mail_tokens::email_confirmed(&state.store, user.id).await?;
    render_with(
        status,
        &AccountPage {
            layout,
            user,
            dessert_count,
            email_confirmed,
            new_email,
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

/// Checks the password of the logged-in person, counting failures against the account like
/// logins do, so a borrowed session cannot be used to guess it. Only the account: a person
/// already logged in is not locked out because others behind the same address failed to
/// log in, and their own failures here do not count against that address.
async fn confirm_password(state: &AppState, user: &User, password: &str) -> Result<Option<Refusal>, Error> {
    let account_key = format!("user:{}", user.id);
    // In the address column, a key of this account's own, never a real address.
    let in_session = format!("in-session:{}", user.id);
    let now = store::now();
    if let Some(seconds) = login_failures::retry_after(&state.store, &account_key, &in_session, now, state.login_limits).await? {
        return Ok(Some(Refusal::Limited(seconds)));
    }
    let hash = users::password_hash(&state.store, user.id).await?;
    if state.hasher.verify(password, hash).await? {
        return Ok(None);
    }
    login_failures::record(&state.store, &account_key, &in_session, now).await?;
    Ok(Some(Refusal::WrongPassword))
}

/// The account page again, with the refusal beside `field` and `new_email` as typed.
async fn refuse(
    state: &AppState,
    visit: &Visit,
    user: User,
    field: &'static str,
    refusal: Refusal,
    new_email: String,
) -> Result<Response, Error> {
    let (status, message, retry_after) = match refusal {
        Refusal::WrongPassword => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That is not your current password".to_string(),
            None,
        ),
        Refusal::Limited(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many wrong passwords. Try again in {}.", minutes(seconds)),
            Some(seconds),
        ),
    };
    let errors = FieldErrors::single(field, message);
    let mut response = show_with_email(state, visit.layout(), user, status, errors, new_email).await?;
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    Ok(response)
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
    CsrfForm(form): CsrfForm<PasswordChange>,
) -> Result<Response, Error> {
    let new_password = Password::parse(&form.new_password);
    if let Some(refusal) = confirm_password(&state, &user, &form.current_password).await? {
        return refuse(&state, &visit, user, "current_password", refusal, String::new()).await;
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
    crate::security_events::password_changed(user.id);
    visit
        .log_in(user, "Password changed. Other devices have been logged out.".into())
        .await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmailChange {
    email: String,
    email_password: String,
}

async fn change_email(
    State(state): State<AppState>,
    CurrentUser { user, visit }: CurrentUser,
    CsrfForm(form): CsrfForm<EmailChange>,
) -> Result<Response, Error> {
    let again = |user, errors| {
        show_with_email(
            &state,
            visit.layout(),
            user,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form.email.clone(),
        )
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(message) => return again(user, FieldErrors::single("email", message)).await,
    };
    if email.as_str() == user.email {
        return again(user, FieldErrors::single("email", "This is already your address")).await;
    }
    if let Some(refusal) = confirm_password(&state, &user, &form.email_password).await? {
        return refuse(&state, &visit, user, "email_password", refusal, form.email.clone()).await;
    }
    let user = match users::set_email(&state.store, user.id, &email).await {
        Ok(Some(changed)) => {
            crate::security_events::email_changed(changed.id);
            changed
        }
        Ok(None) => return Err(Error::NotFound),
        Err(StoreError::Duplicate(field)) => return again(user, FieldErrors::taken(field, &form.email)).await,
        Err(error) => return Err(error.into()),
    };
    if let Err(error) = mail_links::send_verification(&state, &user).await {
        tracing::warn!(%error, "could not send the address confirmation");
    }
    visit
        .flash(format!(
            "Your address is now {}. To confirm it, open the link we sent there.",
            user.email
        ))
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
    CsrfForm(form): CsrfForm<DeleteAccount>,
) -> Result<Response, Error> {
    if let Some(refusal) = confirm_password(&state, &user, &form.password).await? {
        return refuse(&state, &visit, user, "password", refusal, String::new()).await;
    }
    users::delete(&state.store, user.id).await?;
    visit.end("Your account and all your desserts have been deleted.".into()).await?;
    Ok(Redirect::to("/login").into_response())
}
