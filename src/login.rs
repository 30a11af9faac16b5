//! Checking a username (or email) and password, with the failed-login limit: one rule for
//! the login form and for API token requests.

use crate::app::AppState;
use crate::domain::{User, lookup_key};
use crate::passwords::{self, HashError};
use crate::security_events;
use crate::store::{self, StoreError, login_failures, mail_tokens, users};
use crate::tokens::token_hash;

pub enum LoginOutcome {
    Accepted(User),
    /// Wrong name or password; the failure has been counted.
    Refused,
    /// Too many recent failures for this account or this client address.
    Locked {
        retry_after_secs: i64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// Checks `password` for the account `name` names (username or email, any case), from
/// `client`. Failures count against the account however it was named, and unknown names
/// count too; a success clears the account's count.
pub async fn check(state: &AppState, name: &str, password: &str, client: &str) -> Result<LoginOutcome, LoginError> {
    let key = lookup_key(name);
    let found = users::find_for_login(&state.store, &key).await?;
    let account_key = found
        .as_ref()
        // An unknown name counts under its hash: a 60 KB name is no 60 KB key.
        .map_or_else(|| format!("name:{}", token_hash(&key)), |(user, _)| format!("user:{}", user.id));
    let now = store::now();
    // The attempt is counted before the (slow) check, so that parallel attempts cannot all
    // pass the limit; a success clears it again.
    if let Some(retry_after_secs) = login_failures::reserve(&state.store, &account_key, client, now, state.login_limits).await? {
        security_events::login_locked(found.as_ref().map(|(user, _)| user.id), client);
        return Ok(LoginOutcome::Locked { retry_after_secs });
    }
    let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
    let user_id = user.as_ref().map(|user| user.id);
    let verified = state.hasher.verify(password, hash.clone()).await?;
    match user.filter(|_| verified) {
        Some(user) => {
            login_failures::clear_account(&state.store, &account_key).await?;
            // A hash made otherwise than the server makes them now (imported, or made before
            // the parameters changed) is replaced while the password is at hand.
            if let Some(old) = hash.filter(|old| passwords::needs_rehash(old)) {
                let new = state.hasher.rehash(password).await?;
                users::rehash_password(&state.store, user.id, &old, &new).await?;
            }
            // Whoever logs in knows the password: a reset link asked for meanwhile is moot.
            state.store.transaction(vec![mail_tokens::end_reset_links(user.id)]).await?;
            Ok(LoginOutcome::Accepted(user))
        }
        // The reservation made above is the failure's record.
        None => {
            security_events::login_failed(user_id, client);
            Ok(LoginOutcome::Refused)
        }
    }
}
