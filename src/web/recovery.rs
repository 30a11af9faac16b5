//! Forgotten passwords and confirmed addresses: the pages behind the links we mail.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::error::with_retry_after;
use super::pages::{FieldMessage, Layout, minutes, render, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::accounts::{self, two_factor};
use crate::domain::{Email, FieldErrors, Password};
use crate::state::{AppState, ClientAddr};
use crate::store::users::PasswordProof;
use crate::store::{self, mail_tokens, users};
use crate::tokens::token_hash;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/reset/{token}", get(reset_page).post(reset))
        .route("/verify/{token}", get(verify))
        .route("/account/verify", post(resend_verification))
}

/// The answer to every request for a reset link, whether or not the address has an account.
pub const RESET_SENT: &str = "If an account exists for that address, an email with a link to set a new password is on its way.";

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    error: String,
}

async fn forgot_page(visit: Visit) -> Result<Response, Error> {
    let layout = visit.layout_with_form().await?;
    render(&ForgotPage {
        layout,
        email: String::new(),
        error: String::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ForgotInput {
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    visit: Visit,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<ForgotInput>,
) -> Result<Response, Error> {
    let Ok(email) = Email::parse(&form.email) else {
        let page = ForgotPage {
            layout: visit.layout(),
            email: form.email.trim().to_string(),
            error: "Enter the email address of your account.".into(),
        };
        return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let shown = email.as_str().to_string();
    if let Some(seconds) = accounts::ask_for_reset(state.accounts(), email, &client).await? {
        let page = ForgotPage {
            layout: visit.layout(),
            email: shown,
            error: format!("Too many requests for a new password. Try again in {}.", minutes(seconds)),
        };
        return Ok(with_retry_after(render_with(StatusCode::TOO_MANY_REQUESTS, &page)?, seconds));
    }
    visit.flash(RESET_SENT).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    layout: Layout,
    errors: FieldErrors,
}

/// A mailed link that was used, has expired or never existed: a page that says so and offers
/// a new one, still a 404 (nothing is at that address any more).
#[derive(Template)]
#[template(path = "link_ended.html")]
struct LinkEndedPage {
    layout: Layout,
    why: &'static str,
    /// A password reset link (else an address confirmation link).
    reset: bool,
}

fn reset_link_ended(visit: &Visit) -> Result<Response, Error> {
    render_with(
        StatusCode::NOT_FOUND,
        &LinkEndedPage {
            layout: visit.layout(),
            why: "A password reset link works once, for an hour after it was sent. This one has been used or has expired; a newer link may also have replaced it.",
            reset: true,
        },
    )
}

async fn reset_page(State(state): State<AppState>, visit: Visit, Path(token): Path<String>) -> Result<Response, Error> {
    if mail_tokens::reset_link_user(&state.store, &token_hash(&token), store::now())
        .await?
        .is_none()
    {
        return reset_link_ended(&visit);
    }
    let layout = visit.layout_with_form().await?;
    render(&ResetPage {
        layout,
        errors: FieldErrors::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResetInput {
    new_password: String,
}

async fn reset(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<ResetInput>,
) -> Result<Response, Error> {
    let hash_of_token = token_hash(&token);
    let Some(user_id) = mail_tokens::reset_link_user(&state.store, &hash_of_token, store::now()).await? else {
        return reset_link_ended(&visit);
    };
    let password = match Password::parse(&form.new_password) {
        Ok(password) => password,
        Err(message) => {
            let page = ResetPage {
                layout: visit.layout(),
                errors: FieldErrors::single("new_password", message),
            };
            return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let user = users::find(&state.store, user_id).await?.ok_or(Error::NotFound)?;
    let password_hash = state.hasher.hash(&password).await?;
    // A reset does not stand in for a one-time code: with codes on, the new session waits
    // for one.
    let codes_on = two_factor::codes_on(state.accounts(), user.id).await?;
    let session = if codes_on {
        visit.prepare_code_step(user.id, Some(PASSWORD_RESET_CODE_NEXT.into()))?
    } else {
        visit.prepare_login(user.clone(), PASSWORD_RESET.into())?
    };
    let proof = PasswordProof::ResetLink {
        token_hash: &hash_of_token,
        now: store::now(),
    };
    // The link may have been used or may have expired while the password was hashed.
    if !accounts::set_password(state.accounts(), &user, password_hash, proof, session.row()).await? {
        return reset_link_ended(&visit);
    }
    visit.adopt(session);
    Ok(Redirect::to(if codes_on { "/login/two-factor" } else { "/" }).into_response())
}

/// What the code step says after a password is set through a mailed link, for an account
/// with one-time codes on.
pub const PASSWORD_RESET_CODE_NEXT: &str =
    "Your new password is set, and every other session and API token of your account has ended. Enter a code to log in.";

/// What the first page says after a password is set through a mailed link.
pub const PASSWORD_RESET: &str =
    "Your new password is set. Every other session and every API token of your account has ended; this browser is logged in.";

async fn verify(State(state): State<AppState>, visit: Visit, Path(token): Path<String>) -> Result<Response, Error> {
    if mail_tokens::confirm_email(&state.store, &token_hash(&token), store::now())
        .await?
        .is_none()
    {
        return render_with(
            StatusCode::NOT_FOUND,
            &LinkEndedPage {
                layout: visit.layout(),
                why: "A confirmation link works once and for a limited time, and only while the address it was sent to is the account's. This one has been used, has expired or was for another address.",
                reset: false,
            },
        );
    }
    visit.flash("Thank you: your email address is confirmed.").await?;
    let next = if visit.user().is_some() { "/account" } else { "/login" };
    Ok(Redirect::to(next).into_response())
}

async fn resend_verification(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    ClientAddr(client): ClientAddr,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    if let Some(seconds) = accounts::resend_confirmation(state.accounts(), &user, &client).await? {
        visit
            .flash(format!("Too many links asked for. Try again in {}.", minutes(seconds)))
            .await?;
        return Ok(Redirect::to("/account").into_response());
    }
    visit.flash(format!("A new link is on its way to {}.", user.email)).await?;
    Ok(Redirect::to("/account").into_response())
}
