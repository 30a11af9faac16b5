//! Passkeys on the pages: adding one from `/account/security` and logging in with one from
//! `/login`. The ceremonies need the browser's WebAuthn API, so a small script
//! (`static/passkeys.js`) asks for options and sends the answer back; those endpoints
//! answer JSON to it. Renaming and removing are ordinary forms.

use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::Error;
use super::auth::safe_next;
use super::desserts::parse_id;
use super::error::with_retry_after;
use super::pages::minutes;
use super::visit::{CsrfForm, CurrentUser, NoFields, Visit};
use crate::accounts::passkeys::{self as use_cases, Adding, PasskeyLogin};
use crate::domain::PasskeyName;
use crate::passkeys::{Ceremony, PasskeyError, RelyingParty};
use crate::security_events;
use crate::state::{AppState, ClientAddr, Site};
use crate::store::passkeys as stored;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/passkey/options", post(login_options))
        .route("/login/passkey", post(log_in))
        .route("/account/security/passkeys/options", post(adding_options))
        .route("/account/security/passkeys", post(add))
        .route("/account/security/passkeys/{id}/rename", post(rename))
        .route("/account/security/passkeys/{id}/delete", post(remove))
}

/// What the script reads when a step is refused: `{"error": "..."}`, said to the person.
fn refusal(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

fn refused(error: &PasskeyError) -> Response {
    let status = match error {
        PasskeyError::Unreadable => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    refusal(status, error.to_string())
}

/// Where the script goes once a step is done.
fn go_to(path: &str) -> Response {
    Json(serde_json::json!({ "redirect": path })).into_response()
}

/// The relying party the request is served as; where there is none (an IP address), the
/// script is told why.
struct PasskeySite(RelyingParty);

impl FromRequestParts<AppState> for PasskeySite {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Ok(Site(site)) = Site::from_request_parts(parts, state).await;
        RelyingParty::for_site(&site).map(Self).map_err(|error| refused(&error))
    }
}

/// Sends the options of a ceremony that started, keeping its state with the session.
async fn started(visit: &Visit, started: Result<(serde_json::Value, Ceremony), PasskeyError>) -> Result<Response, Error> {
    let (options, ceremony) = match started {
        Ok(started) => started,
        Err(error) => return Ok(refused(&error)),
    };
    let ceremony = ceremony.to_text().map_err(|error| Error::Internal(error.to_string()))?;
    visit.keep_ceremony(&ceremony).await?;
    Ok(Json(options).into_response())
}

/// The ceremony this session kept, if any, as it was kept.
async fn taken_ceremony(visit: &Visit) -> Result<Option<Ceremony>, Error> {
    Ok(visit.take_ceremony().await?.as_deref().and_then(Ceremony::from_text))
}

/// Starts a login with a passkey: options for `navigator.credentials.get`, with no account
/// named (the passkey names it).
async fn login_options(visit: Visit, PasskeySite(site): PasskeySite, CsrfForm(NoFields {}): CsrfForm<NoFields>) -> Result<Response, Error> {
    started(&visit, site.start_login(crate::store::now())).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    /// The answer of `navigator.credentials.get`, as JSON.
    credential: String,
    next: String,
}

/// Logs in with the passkey's answer: a new session id, no one-time code asked.
async fn log_in(
    State(state): State<AppState>,
    visit: Visit,
    PasskeySite(site): PasskeySite,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, Error> {
    let ceremony = taken_ceremony(&visit).await?;
    match use_cases::log_in(state.accounts(), &site, ceremony, &form.credential, &client).await? {
        PasskeyLogin::Accepted(user) => {
            let welcome = format!("Welcome back, {}!", user.name);
            visit.log_in(user, welcome).await?;
            Ok(go_to(safe_next(&form.next)))
        }
        PasskeyLogin::Refused(error) => Ok(refused(&error)),
        PasskeyLogin::Limited { retry_after_secs } => {
            let message = format!("Too many failed logins. Try again in {}.", minutes(retry_after_secs));
            Ok(with_retry_after(refusal(StatusCode::TOO_MANY_REQUESTS, message), retry_after_secs))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NameForm {
    name: String,
}

/// Starts adding a passkey: options for `navigator.credentials.create`, once the name it
/// is to have is right (so that a wrong one is said before the browser asks anything).
async fn adding_options(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    PasskeySite(site): PasskeySite,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, Error> {
    if let Err(message) = PasskeyName::parse(&form.name) {
        return Ok(refusal(StatusCode::UNPROCESSABLE_ENTITY, message));
    }
    started(&visit, use_cases::start_adding(&state.store, &site, &user).await?).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddForm {
    name: String,
    /// The answer of `navigator.credentials.create`, as JSON.
    credential: String,
}

async fn add(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    PasskeySite(site): PasskeySite,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response, Error> {
    let name = match PasskeyName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => return Ok(refusal(StatusCode::UNPROCESSABLE_ENTITY, message)),
    };
    let ceremony = taken_ceremony(&visit).await?;
    match use_cases::finish_adding(&state.store, &site, &user, ceremony, &name, &form.credential).await? {
        Adding::Added => {
            visit
                .flash(format!("Passkey “{}” added: you can log in with it now.", name.as_str()))
                .await?;
            Ok(go_to("/account/security"))
        }
        Adding::AlreadyKept => Ok(refusal(StatusCode::UNPROCESSABLE_ENTITY, "That passkey is added already.")),
        Adding::Refused(error) => Ok(refused(&error)),
    }
}

async fn rename(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Site(site): Site,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response, Error> {
    let id = parse_id(&id)?;
    let name = match PasskeyName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => {
            if !stored::list(&state.store, user.id).await?.iter().any(|passkey| passkey.id == id) {
                return Err(Error::NotFound);
            }
            return super::security::security_page(&state, &visit, &user, &site, StatusCode::UNPROCESSABLE_ENTITY, message).await;
        }
    };
    if !stored::rename(&state.store, user.id, id, &name).await? {
        return Err(Error::NotFound);
    }
    visit.flash(format!("Passkey renamed “{}”.", name.as_str())).await?;
    Ok(Redirect::to("/account/security").into_response())
}

async fn remove(
    State(state): State<AppState>,
    CurrentUser { user, visit, .. }: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(NoFields {}): CsrfForm<NoFields>,
) -> Result<Response, Error> {
    if !stored::remove(&state.store, user.id, parse_id(&id)?).await? {
        return Err(Error::NotFound);
    }
    security_events::passkey_removed(user.id);
    visit.flash("Passkey removed: it no longer logs you in.").await?;
    Ok(Redirect::to("/account/security").into_response())
}
