//! `/account/security`: one-time codes from an authenticator app, recovery codes, and the
//! list of passkeys (added and removed in `passkeys`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::Error;
use super::error::with_retry_after;
use super::pages::{Layout, minutes, render, render_with};
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::accounts::two_factor::{self, CodeCheck, Enabling};
use crate::accounts::{self, PasswordCheck};
use crate::domain::User;
use crate::state::{AppState, Site};
use crate::store::attempts::Counted;
use crate::store::passkeys::{self, PasskeySummary};
use crate::store::two_factor as stored;
use crate::totp::TotpSecret;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/security", get(page))
        .route("/account/security/totp", post(start))
        .route("/account/security/totp/enable", post(enable))
        .route("/account/security/totp/disable", post(disable))
        .route("/account/security/recovery-codes", post(new_recovery_codes))
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    layout: Layout,
    codes_on: bool,
    recovery_codes_left: i64,
    passkeys: Vec<PasskeySummary>,
    /// Why passkeys cannot be added here (the site reached by an IP address), if so.
    no_passkeys: String,
    /// Why a change was refused, if it was.
    error: String,
}

pub(super) async fn security_page(
    state: &AppState,
    visit: &Visit,
    user: &User,
    site: &str,
    status: StatusCode,
    error: String,
) -> Result<Response, Error> {
    let codes_on = two_factor::codes_on(state.accounts(), user.id).await?;
    let recovery_codes_left = if codes_on {
        stored::recovery_codes_left(&state.store, user.id).await?
    } else {
        0
    };
    render_with(
        status,
        &SecurityPage {
            layout: visit.layout(),
            codes_on,
            recovery_codes_left,
            passkeys: passkeys::list(&state.store, user.id).await?,
            no_passkeys: crate::passkeys::available_at(site)
                .err()
                .map(|why| why.to_string())
                .unwrap_or_default(),
            error,
        },
    )
}

async fn page(State(state): State<AppState>, CurrentUser { user, visit, .. }: CurrentUser, Site(site): Site) -> Result<Response, Error> {
    security_page(&state, &visit, &user, &site, StatusCode::OK, String::new()).await
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct SetupPage {
    layout: Layout,
    /// The QR code of the `otpauth://` URI, as SVG made here.
    qr_svg: String,
    secret: String,
    error: String,
}

fn setup_page(visit: &Visit, user: &User, secret: &TotpSecret, status: StatusCode, error: String) -> Result<Response, Error> {
    let uri = secret.uri(&user.username);
    let qr_svg = crate::qr::svg(&uri).ok_or_else(|| Error::Internal("no QR code holds the otpauth URI".into()))?;
    // The secret in groups of four, as apps that take it typed show it.
    let base32 = secret.base32();
    let grouped: Vec<&str> = base32
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect();
    render_with(
        status,
        &SetupPage {
            layout: visit.layout(),
            qr_svg,
            secret: grouped.join(" "),
            error,
        },
    )
}

/// Starts setting codes up: a secret waiting for its first code, shown as a QR code.
async fn start(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    match two_factor::start(state.accounts(), user.id).await? {
        Some(secret) => setup_page(&visit, &user, &secret, StatusCode::OK, String::new()),
        None => Ok(Redirect::to("/account/security").into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
    /// Whether codes were just turned on (else the codes were made again).
    turned_on: bool,
}

async fn enable(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, Error> {
    let (state, user, visit) = (&state, &user, &visit);
    let refused = |status: StatusCode, message: String| async move {
        match two_factor::start(state.accounts(), user.id).await? {
            Some(secret) => setup_page(visit, user, &secret, status, message),
            None => Ok(Redirect::to("/account/security").into_response()),
        }
    };
    match two_factor::enable(state.accounts(), user.id, &form.code).await? {
        Enabling::On(codes) => render(&RecoveryCodesPage {
            layout: visit.layout(),
            codes,
            turned_on: true,
        }),
        Enabling::WrongCode => {
            refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "That is not the code your app shows now. Check that the app added Desserts, and enter its current six digits.".into(),
            )
            .await
        }
        Enabling::Limited(seconds) => {
            let message = format!("Too many wrong codes or passwords. Try again in {}.", minutes(seconds));
            Ok(with_retry_after(refused(StatusCode::TOO_MANY_REQUESTS, message).await?, seconds))
        }
        Enabling::NotStarted => Ok(Redirect::to("/account/security").into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DisableForm {
    password: String,
    code: String,
}

/// Turns codes off, with the password and a current or recovery code; else `422`.
async fn disable(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Site(site): Site,
    CsrfForm(form): CsrfForm<DisableForm>,
) -> Result<Response, Error> {
    let (state, user, visit, site) = (&state, &user, &visit, &site);
    let refuse = |status: StatusCode, message: String, retry_after: Option<i64>| async move {
        let response = security_page(state, visit, user, site, status, message).await?;
        Ok::<_, Error>(match retry_after {
            Some(seconds) => with_retry_after(response, seconds),
            None => response,
        })
    };
    match accounts::confirm_password(state.accounts(), user, &form.password).await? {
        PasswordCheck::Confirmed => {}
        PasswordCheck::WrongPassword => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, "That is not your current password.".into(), None).await;
        }
        PasswordCheck::Limited(seconds) => {
            let message = format!("Too many wrong passwords or codes. Try again in {}.", minutes(seconds));
            return refuse(StatusCode::TOO_MANY_REQUESTS, message, Some(seconds)).await;
        }
    }
    match two_factor::check_code(state.accounts(), user.id, &form.code, Counted::InSession(user.id), false).await? {
        CodeCheck::Accepted => {
            two_factor::disable(state.accounts(), user.id).await?;
            visit.flash("One-time codes are off: your password alone logs you in now").await?;
            Ok(Redirect::to("/account/security").into_response())
        }
        CodeCheck::Wrong => {
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "That code is not right, or it was used already.".into(),
                None,
            )
            .await
        }
        CodeCheck::Limited(seconds) => {
            let message = format!("Too many wrong passwords or codes. Try again in {}.", minutes(seconds));
            refuse(StatusCode::TOO_MANY_REQUESTS, message, Some(seconds)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    password: String,
}

/// New recovery codes in place of the old ones, once the password is confirmed.
async fn new_recovery_codes(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Site(site): Site,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, Error> {
    if !two_factor::codes_on(state.accounts(), user.id).await? {
        return Ok(Redirect::to("/account/security").into_response());
    }
    match accounts::confirm_password(state.accounts(), &user, &form.password).await? {
        PasswordCheck::Confirmed => render(&RecoveryCodesPage {
            layout: visit.layout(),
            codes: two_factor::regenerate_recovery_codes(state.accounts(), user.id).await?,
            turned_on: false,
        }),
        PasswordCheck::WrongPassword => {
            security_page(
                &state,
                &visit,
                &user,
                &site,
                StatusCode::UNPROCESSABLE_ENTITY,
                "That is not your current password.".into(),
            )
            .await
        }
        PasswordCheck::Limited(seconds) => {
            let message = format!("Too many wrong passwords or codes. Try again in {}.", minutes(seconds));
            let response = security_page(&state, &visit, &user, &site, StatusCode::TOO_MANY_REQUESTS, message).await?;
            Ok(with_retry_after(response, seconds))
        }
    }
}
