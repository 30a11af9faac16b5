//! One-time codes: setting them up, the code step of a login or a token request, and
//! turning them off. A code counts like a password: a wrong one is a failed login of the
//! account (and of the client address at a login), and each code is taken once.

use super::Services;
use crate::failure::Failure;
use crate::security_events;
use crate::store::attempts::{self, Counted};
use crate::store::{self, two_factor};
use crate::totp::{CodeEntry, TotpSecret, recovery_code_hash, recovery_codes};

/// What a code check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Accepted,
    /// Not a current code or an unused recovery code of the account; counted as a failure.
    Wrong,
    /// Too many recent failures: seconds until the next try, whatever the code.
    Limited(i64),
}

/// Whether the account has codes on.
pub async fn codes_on(services: Services<'_>, user_id: i64) -> Result<bool, Failure> {
    Ok(two_factor::totp(services.store, user_id).await?.is_some_and(|state| state.enabled))
}

/// Checks `raw` (a code from the app or a recovery code) for the account, counted against
/// the account and `client` (the client address at a login; [`Counted::InSession`] inside a
/// session). The attempt is counted first, so parallel guesses cannot pass the limit. An
/// accepted code clears the account's count only when `completes_login`.
pub async fn check_code(
    services: Services<'_>,
    user_id: i64,
    raw: &str,
    client: Counted<'_>,
    completes_login: bool,
) -> Result<CodeCheck, Failure> {
    let account = Counted::Account(user_id);
    if let Some(seconds) = attempts::reserve(services.store, account, client, store::now(), services.limits).await? {
        return Ok(CodeCheck::Limited(seconds));
    }
    let accepted = match CodeEntry::parse(raw) {
        None => false,
        Some(CodeEntry::Totp(code)) => {
            let secret = two_factor::totp(services.store, user_id)
                .await?
                .filter(|state| state.enabled)
                .and_then(|state| TotpSecret::from_base32(&state.secret));
            match secret.and_then(|secret| secret.step_of(&code, store::now())) {
                Some(step) => two_factor::use_step(services.store, user_id, step).await?,
                None => false,
            }
        }
        Some(CodeEntry::Recovery(plain)) => two_factor::use_recovery_code(services.store, user_id, &recovery_code_hash(&plain)).await?,
    };
    if !accepted {
        security_events::code_refused(user_id);
        return Ok(CodeCheck::Wrong);
    }
    if completes_login {
        attempts::clear_account(services.store, account).await?;
    }
    Ok(CodeCheck::Accepted)
}

/// A secret waiting for its first code: made now, or the one made before and not yet
/// confirmed. `None` when codes are on already.
pub async fn start(services: Services<'_>, user_id: i64) -> Result<Option<TotpSecret>, Failure> {
    if let Some(state) = two_factor::totp(services.store, user_id).await? {
        if state.enabled {
            return Ok(None);
        }
        if let Some(secret) = TotpSecret::from_base32(&state.secret) {
            return Ok(Some(secret));
        }
    }
    let secret = TotpSecret::generate()?;
    Ok(two_factor::start(services.store, user_id, &secret.base32())
        .await?
        .then_some(secret))
}

/// What came of the first code.
pub enum Enabling {
    /// Codes are on; the recovery codes, shown this once.
    On(Vec<String>),
    /// The code is not the app's current one for the waiting secret.
    WrongCode,
    /// Too many wrong codes or passwords lately.
    Limited(i64),
    /// No secret is waiting (codes are on already).
    NotStarted,
}

/// Turns codes on once `raw` is a current code of the waiting secret, with ten recovery
/// codes. A wrong code counts as a failure of the account.
pub async fn enable(services: Services<'_>, user_id: i64, raw: &str) -> Result<Enabling, Failure> {
    let account = Counted::Account(user_id);
    if let Some(seconds) = attempts::reserve(services.store, account, Counted::InSession(user_id), store::now(), services.limits).await? {
        return Ok(Enabling::Limited(seconds));
    }
    let Some(state) = two_factor::totp(services.store, user_id).await?.filter(|state| !state.enabled) else {
        return Ok(Enabling::NotStarted);
    };
    let step = match (TotpSecret::from_base32(&state.secret), CodeEntry::parse(raw)) {
        (Some(secret), Some(CodeEntry::Totp(code))) => secret.step_of(&code, store::now()),
        _ => None,
    };
    let Some(step) = step else {
        return Ok(Enabling::WrongCode);
    };
    let codes = recovery_codes()?;
    let hashes: Vec<String> = codes.iter().map(|(_, hash)| hash.clone()).collect();
    if !two_factor::enable(services.store, user_id, &state.secret, step, &hashes).await? {
        return Ok(Enabling::WrongCode);
    }
    attempts::clear_account(services.store, account).await?;
    security_events::codes_turned_on(user_id);
    Ok(Enabling::On(codes.into_iter().map(|(shown, _)| shown).collect()))
}

/// New recovery codes in place of the old ones, shown this once.
pub async fn regenerate_recovery_codes(services: Services<'_>, user_id: i64) -> Result<Vec<String>, Failure> {
    let codes = recovery_codes()?;
    let hashes: Vec<String> = codes.iter().map(|(_, hash)| hash.clone()).collect();
    two_factor::new_recovery_codes(services.store, user_id, &hashes).await?;
    Ok(codes.into_iter().map(|(shown, _)| shown).collect())
}

/// Turns codes off.
pub async fn disable(services: Services<'_>, user_id: i64) -> Result<(), Failure> {
    two_factor::disable(services.store, user_id).await?;
    security_events::codes_turned_off(user_id);
    Ok(())
}
