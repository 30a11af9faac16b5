//! Passkeys: adding one to an account, and logging in with one. The ceremony's state is
//! the caller's to keep with the session between the options and the answer; here it is
//! started, checked against what is stored, and the outcome recorded.

use super::Services;
use crate::domain::{PasskeyName, User};
use crate::failure::Failure;
use crate::passkeys::{Assertion, Ceremony, PasskeyError, RelyingParty};
use crate::security_events;
use crate::store::attempts;
use crate::store::{self, Store, passkeys, users};

/// The options for the browser to make a passkey for `user`, and the ceremony to keep.
pub async fn start_adding(
    store: &Store,
    site: &RelyingParty,
    user: &User,
) -> Result<Result<(serde_json::Value, Ceremony), PasskeyError>, Failure> {
    let (existing, handle) = passkeys::credentials_of(store, user.id).await?;
    Ok(site.start_adding(handle.as_deref(), &user.username, &existing, store::now()))
}

pub enum Adding {
    Added,
    /// This passkey is kept already (for this account or another).
    AlreadyKept,
    Refused(PasskeyError),
}

/// Keeps the passkey the browser made (its `answer`) as `user`'s, named `name`, once it is
/// checked against the ceremony the session kept.
pub async fn finish_adding(
    store: &Store,
    site: &RelyingParty,
    user: &User,
    ceremony: Option<Ceremony>,
    name: &PasskeyName,
    answer: &str,
) -> Result<Adding, Failure> {
    let Some(ceremony) = ceremony else {
        return Ok(Adding::Refused(PasskeyError::NoCeremony));
    };
    let now = store::now();
    let passkey = match site.finish_adding(ceremony, answer, now) {
        Ok(passkey) => passkey,
        Err(refused) => return Ok(Adding::Refused(refused)),
    };
    if !passkeys::add(store, user.id, &passkey, name, now).await? {
        return Ok(Adding::AlreadyKept);
    }
    security_events::passkey_added(user.id);
    Ok(Adding::Added)
}

pub enum PasskeyLogin {
    Accepted(User),
    /// The failure has been counted against the client address.
    Refused(PasskeyError),
    /// Too many failed logins from this address lately.
    Limited {
        retry_after_secs: i64,
    },
}

/// Logs in with a passkey's `answer` to the ceremony the session kept, from `client`. A
/// failure counts against the address like a failed password; a passkey is a login of its
/// own, needing no one-time code.
pub async fn log_in(
    services: Services<'_>,
    site: &RelyingParty,
    ceremony: Option<Ceremony>,
    answer: &str,
    client: &str,
) -> Result<PasskeyLogin, Failure> {
    let now = store::now();
    if let Some(retry_after_secs) = attempts::reserve_passkey_login(services.store, client, now, services.limits).await? {
        security_events::login_locked(None, client);
        return Ok(PasskeyLogin::Limited { retry_after_secs });
    }
    let refused = |error| {
        security_events::passkey_login_failed(client);
        Ok(PasskeyLogin::Refused(error))
    };
    let Some(ceremony) = ceremony else {
        return refused(PasskeyError::NoCeremony);
    };
    let assertion = match Assertion::read(answer, now) {
        Ok(assertion) => assertion,
        Err(error) => return refused(error),
    };
    let Some(found) = passkeys::find_by_credential(services.store, &assertion.credential_id).await? else {
        return refused(PasskeyError::Refused);
    };
    let used = match site.finish_login(ceremony, &assertion, &found.credential) {
        Ok(used) => used,
        Err(error) => return refused(error),
    };
    let Some(user) = users::find(services.store, found.user_id).await? else {
        return refused(PasskeyError::Refused);
    };
    attempts::release(
        services.store,
        attempts::Counted::PasskeyLogins(client),
        attempts::Counted::Client(client),
    )
    .await?;
    passkeys::used(services.store, found.id, &used, now).await?;
    Ok(PasskeyLogin::Accepted(user))
}
