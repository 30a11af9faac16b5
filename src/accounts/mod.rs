//! Account use cases that the pages and the API share, so each rule is stated once: signing
//! up, checking a password (with its limits), setting a password, changing the address,
//! mailing links and notices, API tokens and sessions, leaving. Each takes the parts of the
//! application it needs, as [`Services`], and answers with a typed outcome that each
//! surface turns into its own page or status.

mod credentials;
mod login;
mod mail;
pub mod passkeys;
pub mod two_factor;

pub use credentials::{
    NewApiToken, TOKEN_PREFIX, TokenOutcome, create_token, end_other_sessions, end_session, revoke_all_tokens, revoke_current_token,
    revoke_token,
};
pub use login::{LoginOutcome, PasswordCheck, check_login, confirm_password};
pub use mail::{ask_for_reset, resend_confirmation};

use tracing::Instrument;

use crate::domain::{Email, Signup, User};
use crate::failure::Failure;
use crate::mail::{Mailer, Notice};
use crate::passwords::Hasher;
use crate::security_events;
use crate::store::attempts::{self, AttemptLimits};
use crate::store::sessions::NewSession;
use crate::store::users::{self, NewUser, PasswordProof};
use crate::store::{self, Store, StoreError, UniqueKey};

/// What the account use cases need of the application.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub store: &'a Store,
    pub hasher: &'a Hasher,
    pub mailer: &'a Mailer,
    pub limits: AttemptLimits,
}

pub enum SignupOutcome {
    Created(User),
    /// The username or the email address (the key named) belongs to another account.
    Taken(UniqueKey),
    /// Too many sign-ups from this client address lately.
    Limited {
        retry_after_secs: i64,
    },
}

/// Makes an account from a parsed sign-up, from `client`. Sign-ups are counted per client
/// address; a taken username or address is found before the password is hashed, so that
/// refusals cost no hashing time (the unique indexes still settle a race between two
/// sign-ups). The new account is sent a link to confirm its address.
pub async fn sign_up(services: Services<'_>, signup: Signup, client: &str) -> Result<SignupOutcome, Failure> {
    let now = store::now();
    if let Some(retry_after_secs) = attempts::count_signup(services.store, client, now, services.limits).await? {
        return Ok(SignupOutcome::Limited { retry_after_secs });
    }
    if let Some(key) = users::taken(services.store, &signup.username.key(), &signup.email.key()).await? {
        return Ok(SignupOutcome::Taken(key));
    }
    let password_hash = services.hasher.hash(&signup.password).await?;
    let user = match users::create(services.store, NewUser::new(signup, password_hash)).await {
        Ok(user) => user,
        Err(StoreError::Duplicate(key)) => return Ok(SignupOutcome::Taken(key)),
        Err(error) => return Err(error.into()),
    };
    let span = tracing::info_span!("account", user_id = user.id);
    if let Err(error) = mail::send_confirmation(services, &user).instrument(span).await {
        tracing::warn!(%error, "could not send the address confirmation");
    }
    Ok(SignupOutcome::Created(user))
}

/// Sets a new password for `user`, proven by `proof`, ending what a new password ends (see
/// [`users::set_password`]: every session, API token and reset link of the account, in one
/// transaction) and going on in `new_session`; then the account's address is told. False,
/// changing nothing, when a reset link is no longer valid.
pub async fn set_password(
    services: Services<'_>,
    user: &User,
    password_hash: String,
    proof: PasswordProof<'_>,
    new_session: &NewSession,
) -> Result<bool, Failure> {
    let span = tracing::info_span!("account", user_id = user.id);
    async {
        let notice = match proof {
            PasswordProof::CurrentPassword => Notice::PasswordChanged,
            PasswordProof::ResetLink { .. } => Notice::PasswordReset,
        };
        if !users::set_password(services.store, user.id, password_hash, proof, new_session).await? {
            return Ok(false);
        }
        match notice {
            Notice::PasswordReset => security_events::password_reset(user.id),
            _ => security_events::password_changed(user.id),
        }
        if let Err(error) = mail::send_notice(services, &user.email, user, notice) {
            tracing::warn!(%error, "could not send the notice of a new password");
        }
        Ok(true)
    }
    .instrument(span)
    .await
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
/// counted per account and per new address; a change ends the account's reset links, the
/// old address is told, and the new one is sent a link to confirm it.
pub async fn change_email(services: Services<'_>, user: &User, email: &Email) -> Result<AddressChange, Failure> {
    let span = tracing::info_span!("account", user_id = user.id);
    async {
        let limited = attempts::count_address_change(services.store, user.id, &email.key(), store::now(), services.limits).await?;
        if let Some(retry_after_secs) = limited {
            return Ok(AddressChange::Limited { retry_after_secs });
        }
        let changed = match users::set_email(services.store, user.id, email).await {
            Ok(Some(changed)) => changed,
            Ok(None) => return Ok(AddressChange::Gone),
            Err(StoreError::Duplicate(_)) => return Ok(AddressChange::Taken),
            Err(error) => return Err(error.into()),
        };
        security_events::email_changed(changed.id);
        if let Err(error) = mail::send_notice(services, &user.email, &changed, Notice::AddressChanged) {
            tracing::warn!(%error, "could not send the notice of a new address");
        }
        if let Err(error) = mail::send_confirmation(services, &changed).await {
            tracing::warn!(%error, "could not send the address confirmation");
        }
        Ok(AddressChange::Changed(changed))
    }
    .instrument(span)
    .await
}

/// What came of asking to delete an account.
pub enum AccountDeletion {
    Deleted,
    /// The password was not confirmed (wrong, or too many tries).
    NotConfirmed(PasswordCheck),
    /// The account is the last owner of these kitchens, which have other members: nothing
    /// was deleted.
    LastOwner(Vec<String>),
}

/// Deletes `user`'s account, with its sessions, tokens and memberships and the kitchens it
/// is the only member of (their desserts, labels and menus), once `password` is confirmed as
/// [`confirm_password`] does. Kitchens it shares keep their data.
pub async fn delete_account(services: Services<'_>, user: &User, password: &str) -> Result<AccountDeletion, Failure> {
    let check = confirm_password(services, user, password).await?;
    if !matches!(check, PasswordCheck::Confirmed) {
        return Ok(AccountDeletion::NotConfirmed(check));
    }
    if users::delete(services.store, user.id).await? {
        tracing::info!(user_id = user.id, "account deleted");
        return Ok(AccountDeletion::Deleted);
    }
    Ok(AccountDeletion::LastOwner(
        crate::store::kitchens::held_by_last_owner(services.store, user.id).await?,
    ))
}
