//! Mail about an account, made and sent: the one-time links, and the notices of changes.

use super::Services;
use crate::domain::{Email, Timestamp, User, lookup_key};
use crate::failure::Failure;
use crate::mail::{Mail, Notice};
use crate::store::attempts::{self, Counted};
use crate::store::{self, mail_tokens, users};
use crate::tokens::{random_token, token_hash};

/// Mails `user` a link that confirms their current address.
pub(super) async fn send_confirmation(services: Services<'_>, user: &User) -> Result<(), Failure> {
    let token = random_token()?;
    mail_tokens::create_verification(services.store, user.id, &lookup_key(&user.email), &token_hash(&token), store::now()).await?;
    let link = services.mailer.link(&format!("/verify/{token}"));
    let mail = Mail::verify_email(&user.email, &user.name, &link)?;
    services.mailer.send_later(mail);
    Ok(())
}

/// Mails `user` their confirmation link again, unless they (or their client address) have
/// asked too often lately: then the seconds to wait.
pub async fn resend_confirmation(services: Services<'_>, user: &User, client: &str) -> Result<Option<i64>, Failure> {
    let key = Counted::ConfirmationRequests(user.id);
    if let Some(seconds) = attempts::count_request(services.store, key, Counted::Client(client), store::now(), services.limits).await? {
        return Ok(Some(seconds));
    }
    send_confirmation(services, user).await?;
    Ok(None)
}

/// Asks for a reset link to `email`, from `client`. Requests count like failed logins, per
/// address and per client, whether or not the address has an account, so the limit says
/// nothing about it either: the seconds to wait, or `None` once the request is taken. The
/// lookup, and making and mailing the link, happen in the background, so that the answer
/// takes the same time whether or not the account exists.
pub async fn ask_for_reset(services: Services<'_>, email: Email, client: &str) -> Result<Option<i64>, Failure> {
    let key = Counted::ResetRequests(&email.key());
    if let Some(seconds) = attempts::count_request(services.store, key, Counted::Client(client), store::now(), services.limits).await? {
        return Ok(Some(seconds));
    }
    let (store, hasher, mailer, limits) = (
        services.store.clone(),
        services.hasher.clone(),
        services.mailer.clone(),
        services.limits,
    );
    tokio::spawn(async move {
        let services = Services {
            store: &store,
            hasher: &hasher,
            mailer: &mailer,
            limits,
        };
        if let Err(error) = send_reset(services, &email).await {
            tracing::warn!(%error, "could not send a password reset link");
        }
    });
    Ok(None)
}

/// Mails a password reset link to the account with this address, if there is one. Nothing
/// tells the caller which.
async fn send_reset(services: Services<'_>, email: &Email) -> Result<(), Failure> {
    let email_key = email.key();
    let Some((user, _)) = users::find_for_login(services.store, &email_key).await? else {
        return Ok(());
    };
    // find_for_login also matches usernames; a reset goes only to an address.
    if lookup_key(&user.email) != email_key {
        return Ok(());
    }
    let token = random_token()?;
    mail_tokens::create_reset(services.store, user.id, &email_key, &token_hash(&token), store::now()).await?;
    let link = services.mailer.link(&format!("/password/reset/{token}"));
    let mail = Mail::reset_password(&user.email, &user.name, &link)?;
    services.mailer.send_later(mail);
    Ok(())
}

/// Tells `to` (the account's address, or its old one) of `notice`, which happened now, with
/// a link to the page that sends a reset link. Never a reset link itself: a notice must not
/// be a key to the account.
pub(super) fn send_notice(services: Services<'_>, to: &str, user: &User, notice: Notice) -> Result<(), Failure> {
    let when = Timestamp(store::now()).date_and_time();
    let link = services.mailer.link("/password/forgot");
    let mail = Mail::notice(to, &user.name, &user.username, notice, &when, &link)?;
    services.mailer.send_later(mail);
    Ok(())
}
