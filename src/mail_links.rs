//! Mail about an account, made and sent: the one-time links, and the notices of changes.
//! One rule for the pages and the API.

use crate::app::AppState;
use crate::domain::Timestamp;
use crate::domain::{Email, User, lookup_key};
use crate::mail::{Mail, Notice};
use crate::store::{self, StoreError, mail_tokens, users};
use crate::tokens::{RandomError, random_token, token_hash};

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error("mail template: {0}")]
    Template(#[from] askama::Error),
}

/// Mails `user` a link that confirms their current address.
pub async fn send_verification(state: &AppState, user: &User) -> Result<(), LinkError> {
    let token = random_token()?;
    mail_tokens::create_verification(&state.store, user.id, &lookup_key(&user.email), &token_hash(&token), store::now()).await?;
    let link = state.mailer.link(&format!("/verify/{token}"));
    let mail = Mail::verify_email(&user.email, &user.name, &link)?;
    state.mailer.send_later(mail);
    Ok(())
}

/// Mails a password reset link to the account with this address, if there is one. Nothing
/// tells the caller which: the answer to the person is the same either way.
pub async fn send_reset(state: &AppState, email: &Email) -> Result<(), LinkError> {
    let email_key = email.key();
    let Some((user, _)) = users::find_for_login(&state.store, &email_key).await? else {
        return Ok(());
    };
    // find_for_login also matches usernames; a reset goes only to an address.
    if lookup_key(&user.email) != email_key {
        return Ok(());
    }
    let token = random_token()?;
    mail_tokens::create_reset(&state.store, user.id, &email_key, &token_hash(&token), store::now()).await?;
    let link = state.mailer.link(&format!("/password/reset/{token}"));
    let mail = Mail::reset_password(&user.email, &user.name, &link)?;
    state.mailer.send_later(mail);
    Ok(())
}

/// Tells `to` (the account's address, or its old one) of `notice`, which happened now, with
/// a link to the page that sends a reset link. Never a reset link itself: a notice must not
/// be a key to the account.
pub fn send_notice(state: &AppState, to: &str, user: &User, notice: Notice) -> Result<(), LinkError> {
    let when = Timestamp(store::now()).date_and_time();
    let link = state.mailer.link("/password/forgot");
    let mail = Mail::notice(to, &user.name, &user.username, notice, &when, &link)?;
    state.mailer.send_later(mail);
    Ok(())
}
