//! Checking a password, with the limits on failures: one rule for the login form, API token
//! requests, and the confirmations the account page asks for.

use tracing::Instrument;

use super::Services;
use crate::domain::{User, lookup_key};
use crate::failure::Failure;
use crate::passwords;
use crate::security_events;
use crate::store::attempts::{self, Counted};
use crate::store::{self, mail_tokens, users};

pub enum LoginOutcome {
    Accepted(User),
    /// The password is right and the account has one-time codes on: a code is wanted before
    /// the login is complete. The account's failure count stays until then.
    CodeNeeded(User),
    /// Wrong name or password; the failure has been counted.
    Refused,
    /// Too many recent failures for this account or this client address.
    Locked {
        retry_after_secs: i64,
    },
}

/// Checks `password` for the account `name` names (username or email, any case), from
/// `client`. Failures count against the account however it was named, and unknown names
/// count too; a success clears the account's count.
pub async fn check_login(services: Services<'_>, name: &str, password: &str, client: &str) -> Result<LoginOutcome, Failure> {
    let key = lookup_key(name);
    let found = users::find_for_login(services.store, &key).await?;
    let account = found
        .as_ref()
        .map_or(Counted::UnknownName(&key), |(user, _)| Counted::Account(user.id));
    let span = tracing::info_span!("login", user_id = found.as_ref().map(|(user, _)| user.id));
    async {
        // The attempt is counted before the (slow) check, so that parallel attempts cannot
        // all pass the limit; a success clears it again.
        let reserved = attempts::reserve(services.store, account, Counted::Client(client), store::now(), services.limits).await?;
        if let Some(retry_after_secs) = reserved {
            security_events::login_locked(found.as_ref().map(|(user, _)| user.id), client);
            return Ok(LoginOutcome::Locked { retry_after_secs });
        }
        let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
        let user_id = user.as_ref().map(|user| user.id);
        let verified = services.hasher.verify(password, hash.clone()).await?;
        match user.filter(|_| verified) {
            Some(user) => {
                rehash_if_needed(services, &user, hash.as_deref(), password).await?;
                // Whoever logs in knows the password: a reset link asked for meanwhile is moot.
                services.store.transaction(vec![mail_tokens::end_reset_links(user.id)]).await?;
                if super::two_factor::codes_on(services, user.id).await? {
                    // The password was right: not a failure. The count stays until the
                    // code completes the login, so that only wrong codes add to it.
                    attempts::release(services.store, account, Counted::Client(client)).await?;
                    return Ok(LoginOutcome::CodeNeeded(user));
                }
                attempts::clear_account(services.store, account).await?;
                Ok(LoginOutcome::Accepted(user))
            }
            // The reservation made above is the failure's record.
            None => {
                security_events::login_failed(user_id, client);
                Ok(LoginOutcome::Refused)
            }
        }
    }
    .instrument(span)
    .await
}

/// A hash made otherwise than the server makes them now (imported, or made before the
/// parameters changed) is replaced while the password is at hand.
async fn rehash_if_needed(services: Services<'_>, user: &User, old: Option<&str>, password: &str) -> Result<(), Failure> {
    if let Some(old) = old.filter(|old| passwords::needs_rehash(old)) {
        let new = services.hasher.rehash(password).await?;
        users::rehash_password(services.store, user.id, old, &new).await?;
    }
    Ok(())
}

/// What a password confirmation found.
pub enum PasswordCheck {
    Confirmed,
    WrongPassword,
    /// Too many wrong passwords: seconds until the next try.
    Limited(i64),
}

/// Checks the password of a person already logged in, counting failures against the
/// account like logins do, so a borrowed session cannot be used to guess it. Only the
/// account: a person already logged in is not locked out because others behind the same
/// address failed to log in, and their own failures here do not count against that
/// address. Like a login, the attempt is counted before the check and a success clears the
/// account's count.
pub async fn confirm_password(services: Services<'_>, user: &User, password: &str) -> Result<PasswordCheck, Failure> {
    let account = Counted::Account(user.id);
    let reserved = attempts::reserve(services.store, account, Counted::InSession(user.id), store::now(), services.limits).await?;
    if let Some(seconds) = reserved {
        return Ok(PasswordCheck::Limited(seconds));
    }
    let hash = users::password_hash(services.store, user.id).await?;
    if !services.hasher.verify(password, hash).await? {
        return Ok(PasswordCheck::WrongPassword);
    }
    attempts::clear_account(services.store, account).await?;
    Ok(PasswordCheck::Confirmed)
}
