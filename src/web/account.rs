//! The account page: what we know of you, a new password, leaving.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::error::with_retry_after;
use super::pages::{FieldMessage, Layout, minutes, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::accounts::{self, AccountDeletion, AddressChange, PasswordCheck};
use crate::domain::{Currency, Email, FieldErrors, Password, PublicName, User};
use crate::state::AppState;
use crate::store::api_tokens::{self, TokenSummary};
use crate::store::sessions::{self, SessionSummary};
use crate::store::users::PasswordProof;
use crate::store::{self, kitchens, mail_tokens, users};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/email", post(change_email))
        .route("/account/public-name", post(change_public_name))
        .route("/account/currency", post(change_currency))
        .route("/account/delete", post(delete_account))
        .route("/account/sessions/{handle}/end", post(end_session))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/account/tokens/revoke-all", post(revoke_all_tokens))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    user: User,
    dessert_count: i64,
    /// The kitchens deleting the account deletes (those it is the only member of), and those
    /// that keep it from being deleted (where it is the last owner and others are members).
    deleted_with: Vec<String>,
    held_by: Vec<String>,
    email_confirmed: bool,
    /// What was typed in the change-of-address form, shown again beside its error.
    new_email: String,
    /// The public name as stored, or as typed beside its error.
    public_name: String,
    all_currencies: Vec<Currency>,
    errors: FieldErrors,
    /// Where the person is logged in, this browser first.
    sessions: Vec<SessionSummary>,
    tokens: Vec<TokenSummary>,
    /// An admin's account page links to `/admin`.
    is_admin: bool,
}

async fn show(state: &AppState, visit: &Visit, user: User, status: StatusCode, errors: FieldErrors) -> Result<Response, Error> {
    show_with_email(state, visit, user, status, errors, String::new()).await
}

/// The account page with what was typed in the change-of-address form kept.
async fn show_with_email(
    state: &AppState,
    visit: &Visit,
    user: User,
    status: StatusCode,
    errors: FieldErrors,
    new_email: String,
) -> Result<Response, Error> {
    let public_name = users::public_name(&state.store, user.id).await?.unwrap_or_default();
    show_with_typed(state, visit, user, status, errors, new_email, public_name).await
}

async fn show_with_typed(
    state: &AppState,
    visit: &Visit,
    user: User,
    status: StatusCode,
    errors: FieldErrors,
    new_email: String,
    public_name: String,
) -> Result<Response, Error> {
    let dessert_count = users::dessert_count(&state.store, user.id).await?;
    let deleted_with = kitchens::deleted_with(&state.store, user.id).await?;
    let held_by = kitchens::held_by_last_owner(&state.store, user.id).await?;
    let email_confirmed = mail_tokens::email_confirmed(&state.store, user.id).await?;
    let now = store::now();
    let sessions = sessions::list_for_user(&state.store, user.id, &visit.session_id_hash().unwrap_or_default(), now).await?;
    let tokens = api_tokens::list_for_user(&state.store, user.id, None, now).await?;
    let is_admin = crate::store::admin::is_admin(&state.store, user.id).await?;
    render_with(
        status,
        &AccountPage {
            layout: visit.layout(),
            user,
            dessert_count,
            deleted_with,
            held_by,
            email_confirmed,
            new_email,
            public_name,
            all_currencies: Currency::all().collect(),
            errors,
            sessions,
            tokens,
            is_admin,
        },
    )
}

async fn account_page(State(state): State<AppState>, CurrentUser { user, visit, .. }: CurrentUser) -> Result<Response, Error> {
    show(&state, &visit, user, StatusCode::OK, FieldErrors::new()).await
}

/// Why a password confirmation failed, or a change was held back.
enum Refusal {
    WrongPassword,
    /// Too many tries: seconds until the next.
    Limited(i64),
}

/// Confirms the logged-in person's password (see [`accounts::confirm_password`]); the
/// refusal, if any.
async fn confirm_password(state: &AppState, user: &User, password: &str) -> Result<Option<Refusal>, Error> {
    Ok(refusal_of(accounts::confirm_password(state.accounts(), user, password).await?))
}

fn refusal_of(check: PasswordCheck) -> Option<Refusal> {
    match check {
        PasswordCheck::Confirmed => None,
        PasswordCheck::WrongPassword => Some(Refusal::WrongPassword),
        PasswordCheck::Limited(seconds) => Some(Refusal::Limited(seconds)),
    }
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
    let response = show_with_email(state, visit, user, status, errors, new_email).await?;
    Ok(match retry_after {
        Some(seconds) => with_retry_after(response, seconds),
        None => response,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordChange>,
) -> Result<Response, Error> {
    let new_password = Password::parse(&form.new_password);
    if let Some(refusal) = confirm_password(&state, &user, &form.current_password).await? {
        return refuse(&state, &visit, user, "current_password", refusal, String::new()).await;
    }
    let new_password = match new_password {
        Ok(password) => password,
        Err(message) => {
            let errors = FieldErrors::single("new_password", message);
            return show(&state, &visit, user, StatusCode::UNPROCESSABLE_ENTITY, errors).await;
        }
    };
    let hash = state.hasher.hash(&new_password).await?;
    let session = visit.prepare_login(user.clone(), PASSWORD_CHANGED.into())?;
    accounts::set_password(state.accounts(), &user, hash, PasswordProof::CurrentPassword, session.row()).await?;
    visit.adopt(session);
    Ok(Redirect::to("/account").into_response())
}

/// What the account page says after a new password.
pub const PASSWORD_CHANGED: &str =
    "Password changed. Every other session and every API token of your account has ended; this browser stays logged in.";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EmailChange {
    email: String,
    email_password: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PublicNameForm {
    public_name: String,
}

async fn change_public_name(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(form): CsrfForm<PublicNameForm>,
) -> Result<Response, Error> {
    let name = match PublicName::parse_optional(&form.public_name) {
        Ok(name) => name,
        Err(message) => {
            let errors = FieldErrors::single("public_name", message);
            return show_with_typed(
                &state,
                &visit,
                user,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                String::new(),
                form.public_name,
            )
            .await;
        }
    };
    users::set_public_name(&state.store, user.id, name.as_ref()).await?;
    visit
        .flash(match &name {
            Some(name) => format!("Your published menus are now headed by {}", name.as_str()),
            None => "Your published menus no longer carry a public name".to_string(),
        })
        .await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CurrencyForm {
    currency: String,
}

async fn change_currency(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(form): CsrfForm<CurrencyForm>,
) -> Result<Response, Error> {
    let currency = match Currency::parse(&form.currency) {
        Ok(currency) => currency,
        Err(message) => {
            return show(
                &state,
                &visit,
                user,
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single("currency", message),
            )
            .await;
        }
    };
    users::set_currency(&state.store, user.id, currency).await?;
    visit
        .flash(format!("Your prices are now shown in {} ({})", currency.name(), currency.code()))
        .await?;
    Ok(Redirect::to("/account").into_response())
}

async fn change_email(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(form): CsrfForm<EmailChange>,
) -> Result<Response, Error> {
    let again = |user, errors| show_with_email(&state, &visit, user, StatusCode::UNPROCESSABLE_ENTITY, errors, form.email.clone());
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
    let user = match accounts::change_email(state.accounts(), &user, &email).await? {
        AddressChange::Changed(changed) => changed,
        AddressChange::Taken => return again(user, FieldErrors::taken("email", &form.email)).await,
        AddressChange::Limited { retry_after_secs } => {
            return refuse(
                &state,
                &visit,
                user,
                "email",
                Refusal::Limited(retry_after_secs),
                form.email.clone(),
            )
            .await;
        }
        AddressChange::Gone => return Err(Error::NotFound),
    };
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
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(form): CsrfForm<DeleteAccount>,
) -> Result<Response, Error> {
    match accounts::delete_account(state.accounts(), &user, &form.password).await? {
        AccountDeletion::Deleted => {}
        AccountDeletion::NotConfirmed(check) => {
            if let Some(refusal) = refusal_of(check) {
                return refuse(&state, &visit, user, "password", refusal, String::new()).await;
            }
        }
        AccountDeletion::LastOwner(kitchens) => {
            let message = format!(
                "You are the last owner of {}, which others are members of: make one of them an owner first.",
                kitchens.join(", ")
            );
            return show(
                &state,
                &visit,
                user,
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::single("password", message),
            )
            .await;
        }
    }
    visit.end("Your account and all your desserts have been deleted.".into()).await?;
    Ok(Redirect::to("/login").into_response())
}

async fn end_session(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(handle): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let current = visit.session_id_hash().unwrap_or_default();
    let message = if accounts::end_session(state.accounts(), user.id, &handle, &current).await? {
        "That session has ended: whoever used it is logged out."
    } else {
        "That session had already ended."
    };
    visit.flash(message).await?;
    Ok(Redirect::to("/account#sessions").into_response())
}

async fn end_other_sessions(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let current = visit.session_id_hash().unwrap_or_default();
    let ended = accounts::end_other_sessions(state.accounts(), user.id, &current).await?;
    visit
        .flash(format!("{} ended. This browser stays logged in.", count_of(ended, "other session")))
        .await?;
    Ok(Redirect::to("/account#sessions").into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let revoked = match id.parse::<i64>() {
        Ok(id) => accounts::revoke_token(state.accounts(), user.id, id).await?,
        Err(_) => false,
    };
    let message = if revoked {
        "That API token no longer works."
    } else {
        "That API token had already been revoked."
    };
    visit.flash(message).await?;
    Ok(Redirect::to("/account#tokens").into_response())
}

async fn revoke_all_tokens(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    let revoked = accounts::revoke_all_tokens(state.accounts(), user.id).await?;
    visit.flash(format!("{} revoked.", count_of(revoked, "API token"))).await?;
    Ok(Redirect::to("/account#tokens").into_response())
}

/// "1 API token", "3 API tokens", "No API token".
fn count_of(count: u64, thing: &str) -> String {
    match count {
        0 => format!("No {thing}"),
        1 => format!("1 {thing}"),
        n => format!("{n} {thing}s"),
    }
}
