//! Sign-up, tokens and the caller's own account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Caller, ClientDescription, Field, Id, JsonBody};
use super::json::{MeJson, NewToken, SignedUp, TokenList, UserJson};
use super::{Error, merge};
use crate::accounts::{self, SignupOutcome, TokenOutcome};
use crate::domain::{FieldErrors, SignupInput, Timestamp, TokenLifetime};
use crate::state::{AppState, ClientAddr};
use crate::store::{self, UniqueKey, api_tokens, users};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupBody {
    /// Letters, digits, `_ . -`, unique ignoring case.
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "ann")]
    username: Field,
    #[serde(default)]
    #[schema(value_type = String, required = true, example = "ann@example.com")]
    email: Field,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, example = "Ann Lee")]
    name: Field,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password, example = "correct horse battery")]
    password: Field,
    /// A picture URL (http or https), up to 500 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "https://example.com/ann.jpg")]
    avatar: Field,
}

/// Creates an account.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    operation_id = "sign_up",
    tag = "account",
    request_body = SignupBody,
    responses(
        (status = 201, description = "The account is made", body = SignedUp),
        (status = 400, description = "Malformed JSON", body = super::ErrorBody),
        (status = 415, description = "Not application/json", body = super::ErrorBody),
        (status = 422, description = "A field is not valid", body = super::ErrorBody),
        (status = 409, description = "The username or the email address is taken", body = super::ErrorBody),
        (status = 429, description = "Too many sign-ups from this address lately; see Retry-After", body = super::ErrorBody),
        (status = 503, description = "Too busy to take the password now; see Retry-After", body = super::ErrorBody),
    )
)]
pub async fn sign_up(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(body): JsonBody<SignupBody>,
) -> Result<(StatusCode, Json<SignedUp>), Error> {
    let mut errors = FieldErrors::new();
    let input = SignupInput {
        username: body.username.text(&mut errors, "username"),
        email: body.email.text(&mut errors, "email"),
        name: body.name.text(&mut errors, "name"),
        password: body.password.text(&mut errors, "password"),
        avatar: body.avatar.text(&mut errors, "avatar"),
        next: String::new(),
    };
    let signup = merge(errors, input.parse())?;
    match accounts::sign_up(state.accounts(), signup, &client).await? {
        SignupOutcome::Created(user) => Ok((StatusCode::CREATED, Json(SignedUp { user: user.into() }))),
        SignupOutcome::Taken(key) => {
            let value = if key == UniqueKey::Email { &input.email } else { &input.username };
            Err(Error::Conflict(FieldErrors::taken(key.field(), value)))
        }
        SignupOutcome::Limited { retry_after_secs } => Err(Error::RateLimited { retry_after_secs }),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The username or the email address, in any case.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, pattern = "\\S", example = "ann")]
    username: Field,
    #[serde(default)]
    #[schema(value_type = String, required = true, format = Password, min_length = 1, example = "correct horse battery")]
    password: Field,
    /// How many days the token works, from 1 to 3650; 90 when left out, and `null` for a
    /// token that works until it is revoked.
    #[serde(default)]
    #[schema(value_type = Option<i64>, example = 30)]
    expires_in_days: Field,
    /// For an account with one-time codes on: the authenticator app's current code, or one
    /// of the account's unused recovery codes. Without it, or wrong, the answer is `401`
    /// with code `two_factor_required`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "123456")]
    code: Field,
}

/// A token's lifetime as asked for: absent is the default, `null` is never.
fn lifetime(field: &Field, errors: &mut FieldErrors) -> TokenLifetime {
    const NAME: &str = "expires_in_days";
    match field {
        Field::Missing => TokenLifetime::DEFAULT,
        Field::Present(serde_json::Value::Null) => TokenLifetime::NEVER,
        present => {
            let raw = present.number(errors, NAME);
            if errors.get(NAME).is_some() {
                return TokenLifetime::DEFAULT;
            }
            TokenLifetime::days(&raw).unwrap_or_else(|message| {
                errors.add(NAME, message);
                TokenLifetime::DEFAULT
            })
        }
    }
}

/// Makes an API token for an account. Failed attempts count like failed logins: after 5
/// for one account within 15 minutes, further attempts answer 429 until the window passes.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    operation_id = "create_token",
    tag = "account",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "The token, shown this once", body = NewToken),
        (status = 400, description = "Malformed JSON", body = super::ErrorBody),
        (status = 401, description = "Wrong username or password (code `unauthorized`), or the account has one-time codes on and `code` is missing or wrong (code `two_factor_required`)", body = super::ErrorBody),
        (status = 415, description = "Not application/json", body = super::ErrorBody),
        (status = 422, description = "Username or password missing, or a lifetime out of range", body = super::ErrorBody),
        (status = 429, description = "Too many failed attempts", body = super::ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds until another attempt is counted"))),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ClientDescription(description): ClientDescription,
    JsonBody(body): JsonBody<TokenRequest>,
) -> Result<(StatusCode, Json<NewToken>), Error> {
    let mut errors = FieldErrors::new();
    let username = body.username.text(&mut errors, "username");
    let password = body.password.text(&mut errors, "password");
    let lifetime = lifetime(&body.expires_in_days, &mut errors);
    let code = body.code.text(&mut errors, "code");
    if username.trim().is_empty() {
        errors.add("username", "Enter your username or email");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let code = (!code.is_empty()).then_some(code.as_str());
    match accounts::create_token(state.accounts(), &username, &password, code, &client, description, lifetime).await? {
        TokenOutcome::Created(made) => Ok((
            StatusCode::CREATED,
            Json(NewToken {
                token: made.token,
                id: made.id,
                created_at: Timestamp(made.created_at).rfc3339(),
                expires_at: made.expires_at.map(|at| Timestamp(at).rfc3339()),
                user: made.user.into(),
            }),
        )),
        TokenOutcome::Refused => Err(Error::Unauthorized("Incorrect username or password.")),
        TokenOutcome::CodeRequired => Err(Error::TwoFactorRequired),
        TokenOutcome::Locked { retry_after_secs } => Err(Error::RateLimited { retry_after_secs }),
    }
}

/// Revokes the token this request is made with.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/current",
    operation_id = "revoke_token",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The token no longer works"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = super::ErrorBody),
    )
)]
pub async fn revoke_token(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, Error> {
    accounts::revoke_current_token(state.accounts(), caller.user.id, &caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's live API tokens, the newest first; the one this request is made with is
/// marked `current`.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "list_tokens",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every live token of the caller's", body = TokenList),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = super::ErrorBody),
    )
)]
pub async fn list_tokens(State(state): State<AppState>, caller: Caller) -> Result<Json<TokenList>, Error> {
    let tokens = api_tokens::list_for_user(&state.store, caller.user.id, Some(&caller.token_hash), store::now()).await?;
    Ok(Json(TokenList {
        tokens: tokens.into_iter().map(Into::into).collect(),
    }))
}

/// Revokes one of the caller's tokens, by its id.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    operation_id = "delete_token",
    tag = "account",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's id, from its creation or the list")),
    responses(
        (status = 204, description = "The token no longer works"),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = super::ErrorBody),
        (status = 404, description = "The caller has no token with this id", body = super::ErrorBody),
    )
)]
pub async fn delete_token(State(state): State<AppState>, caller: Caller, Id(id): Id) -> Result<StatusCode, Error> {
    if !accounts::revoke_token(state.accounts(), caller.user.id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "me",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account, with its number of desserts", body = MeJson),
        (status = 401, description = "Missing, malformed, revoked or unknown token", body = super::ErrorBody),
    )
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<MeJson>, Error> {
    let dessert_count = users::dessert_count(&state.store, caller.user.id).await?;
    let user = UserJson::from(caller.user);
    Ok(Json(MeJson {
        id: user.id,
        username: user.username,
        email: user.email,
        name: user.name,
        avatar: user.avatar,
        dessert_count,
    }))
}
