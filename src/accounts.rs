//! Account use cases that the pages and the API share, so each rule is stated once.

use crate::app::AppState;
use crate::domain::{Signup, User};
use crate::login::LoginError;
use crate::mail_links;
use crate::store::users::{self, NewUser};
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
