//! Account use cases that the pages and the API share, so each rule is stated once.

use crate::app::AppState;
use crate::domain::{Email, Signup, User};
use crate::login::LoginError;
use crate::mail::Notice;
use crate::mail_links;
use crate::security_events;
use crate::store::sessions::NewSession;
use crate::store::users::{self, NewUser, PasswordProof};
use crate::store::{self, StoreError, login_failures};

pub enum SignupOutcome {
    Created(User),
    /// The username or the email address (the field named) belongs to another account.
    Taken(&'static str),
    /// Too many sign-ups from this client address lately.
    Limited {
        retry_after_secs: i64,
    },
}

/// Makes an account from a parsed sign-up, from `client`. Sign-ups are counted per client
/// address in the limits table; a taken username or address is found before the password
/// is hashed, so that refusals cost no hashing time (the unique indexes still settle a
/// race between two sign-ups). The new account is sent a link to confirm its address.
pub async fn sign_up(state: &AppState, signup: Signup, client: &str) -> Result<SignupOutcome, LoginError> {
    let now = store::now();
    if let Some(retry_after_secs) = login_failures::count_signup(&state.store, client, now, state.login_limits).await? {
        return Ok(SignupOutcome::Limited { retry_after_secs });
    }
    if let Some(field) = users::taken(&state.store, &signup.username.key(), &signup.email.key()).await? {
        return Ok(SignupOutcome::Taken(field));
    }
    let password_hash = state.hasher.hash(&signup.password).await?;
    let user = match users::create(&state.store, NewUser::new(signup, password_hash)).await {
        Ok(user) => user,
        Err(StoreError::Duplicate(field)) => return Ok(SignupOutcome::Taken(field)),
        Err(error) => return Err(error.into()),
    };
    if let Err(error) = mail_links::send_verification(state, &user).await {
        tracing::warn!(%error, "could not send the address confirmation");
    }
    Ok(SignupOutcome::Created(user))
}

/// Sets a new password for `user`, proven by `proof`, ending what a new password ends (see
/// [`users::set_password`]) and going on in `new_session`; then the account's address is
/// told. False, changing nothing, when a reset link is no longer valid.
pub async fn set_password(
    state: &AppState,
    user: &User,
    password_hash: String,
    proof: PasswordProof<'_>,
    new_session: &NewSession,
) -> Result<bool, StoreError> {
    let notice = match proof {
        PasswordProof::CurrentPassword => Notice::PasswordChanged,
        PasswordProof::ResetLink { .. } => Notice::PasswordReset,
    };
    if !users::set_password(&state.store, user.id, password_hash, proof, new_session).await? {
        return Ok(false);
    }
    match notice {
        Notice::PasswordReset => security_events::password_reset(user.id),
        _ => security_events::password_changed(user.id),
    }
    if let Err(error) = mail_links::send_notice(state, &user.email, user, notice) {
        tracing::warn!(%error, "could not send the notice of a new password");
    }
    Ok(true)
}

pub enum AddressChange {
    Changed(User),
    /// Another account has this address.
    Taken,
    /// Too many changes of this account's address, or to this address, lately.
    Limited {
        retry_after_secs: i64,
    },
    /// The account is gone.
    Gone,
}

/// Changes `user`'s address to `email` (their password already confirmed). Changes are
/// counted per account and per new address in the limits table; a change ends the
/// account's reset links, the old address is told, and the new one is sent a link to
/// confirm it.
pub async fn change_email(state: &AppState, user: &User, email: &Email) -> Result<AddressChange, StoreError> {
    let limited = login_failures::count_address_change(&state.store, user.id, &email.key(), store::now(), state.login_limits).await?;
    if let Some(retry_after_secs) = limited {
        return Ok(AddressChange::Limited { retry_after_secs });
    }
    let changed = match users::set_email(&state.store, user.id, email).await {
        Ok(Some(changed)) => changed,
        Ok(None) => return Ok(AddressChange::Gone),
        Err(StoreError::Duplicate(_)) => return Ok(AddressChange::Taken),
        Err(error) => return Err(error),
    };
    security_events::email_changed(changed.id);
    if let Err(error) = mail_links::send_notice(state, &user.email, &changed, Notice::AddressChanged) {
        tracing::warn!(%error, "could not send the notice of a new address");
    }
    if let Err(error) = mail_links::send_verification(state, &changed).await {
        tracing::warn!(%error, "could not send the address confirmation");
    }
    Ok(AddressChange::Changed(changed))
}
