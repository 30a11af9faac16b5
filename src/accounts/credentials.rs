//! API tokens and sessions: making a token, and ending tokens and sessions, each with its
//! security event.

use super::two_factor::CodeCheck;
use super::{LoginOutcome, Services, check_login};
use crate::domain::{TokenLifetime, User};
use crate::failure::Failure;
use crate::security_events;
use crate::store::attempts::Counted;
use crate::store::{self, api_tokens, sessions};
use crate::tokens::{random_token, token_hash};

/// Tokens start with this, so that secret scanners and people can tell what they are.
pub const TOKEN_PREFIX: &str = "desserts_";

/// A token just made: the secret, shown this once, and what is stored of it.
pub struct NewApiToken {
    pub token: String,
    pub id: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub user: User,
}

pub enum TokenOutcome {
    Created(NewApiToken),
    Refused,
    /// The password is right, the account has one-time codes on, and the code was missing
    /// or not right (a wrong one is counted as a failed login).
    CodeRequired,
    Locked {
        retry_after_secs: i64,
    },
}

/// Makes an API token for the account `name` names, once `password` (and, for an account
/// with one-time codes on, `code`) is checked as a login is (with the same limits), lasting
/// `lifetime`; `client` and `description` say where it was asked for.
pub async fn create_token(
    services: Services<'_>,
    name: &str,
    password: &str,
    code: Option<&str>,
    client: &str,
    description: String,
    lifetime: TokenLifetime,
) -> Result<TokenOutcome, Failure> {
    let user = match check_login(services, name, password, client).await? {
        LoginOutcome::Accepted(user) => user,
        LoginOutcome::CodeNeeded(user) => {
            let Some(code) = code else {
                return Ok(TokenOutcome::CodeRequired);
            };
            match super::two_factor::check_code(services, user.id, code, Counted::Client(client), true).await? {
                CodeCheck::Accepted => user,
                CodeCheck::Wrong => return Ok(TokenOutcome::CodeRequired),
                CodeCheck::Limited(retry_after_secs) => return Ok(TokenOutcome::Locked { retry_after_secs }),
            }
        }
        LoginOutcome::Refused => return Ok(TokenOutcome::Refused),
        LoginOutcome::Locked { retry_after_secs } => return Ok(TokenOutcome::Locked { retry_after_secs }),
    };
    let token = format!("{TOKEN_PREFIX}{}", random_token()?);
    let now = store::now();
    let expires_at = lifetime.expires_at(now);
    let row = api_tokens::NewToken {
        user_id: user.id,
        token_hash: token_hash(&token),
        now,
        expires_at,
        client: description,
        client_addr: client.to_string(),
    };
    let id = api_tokens::create(services.store, row).await?;
    security_events::token_created(user.id, client);
    Ok(TokenOutcome::Created(NewApiToken {
        token,
        id,
        created_at: now,
        expires_at,
        user,
    }))
}

/// Revokes `user_id`'s token `token_id`; false when they have no such token.
pub async fn revoke_token(services: Services<'_>, user_id: i64, token_id: i64) -> Result<bool, Failure> {
    let revoked = api_tokens::delete_for_user(services.store, user_id, token_id).await?;
    if revoked {
        security_events::token_revoked(user_id);
    }
    Ok(revoked)
}

/// Revokes the token whose hash is `token_hash`, the one a request is made with.
pub async fn revoke_current_token(services: Services<'_>, user_id: i64, token_hash: &str) -> Result<(), Failure> {
    if api_tokens::delete(services.store, token_hash).await? {
        security_events::token_revoked(user_id);
    }
    Ok(())
}

/// Revokes every token of `user_id`'s; how many there were.
pub async fn revoke_all_tokens(services: Services<'_>, user_id: i64) -> Result<u64, Failure> {
    let revoked = api_tokens::delete_all_for_user(services.store, user_id).await?;
    security_events::tokens_revoked(user_id, revoked);
    Ok(revoked)
}

/// Ends `user_id`'s session named `handle`, never `current` (the one asking); false when
/// there was none such.
pub async fn end_session(services: Services<'_>, user_id: i64, handle: &str, current: &str) -> Result<bool, Failure> {
    let ended = sessions::end_one(services.store, user_id, handle, current).await?;
    if ended {
        security_events::sessions_ended(user_id, 1);
    }
    Ok(ended)
}

/// Ends every session of `user_id`'s but `current`; how many there were.
pub async fn end_other_sessions(services: Services<'_>, user_id: i64, current: &str) -> Result<u64, Failure> {
    let ended = sessions::end_others(services.store, user_id, current).await?;
    security_events::sessions_ended(user_id, ended);
    Ok(ended)
}
