//! One-time links sent by mail: to set a new password, or to confirm an email address.
//! Only a token's SHA-256 is stored. A link works once, until it expires.

use super::{Statement, Store, StoreError, args};

/// How long a password reset link works.
pub const RESET_LIFETIME_SECS: i64 = 60 * 60;
/// How long an address confirmation link works.
pub const VERIFY_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;

const RESET: &str = "reset_password";
const VERIFY: &str = "verify_email";

/// The condition "this reset link is valid now", with the user as `?1`, the token hash as
/// `?2` and the time as `?3`.
pub(crate) const RESET_LINK_VALID: &str = "EXISTS (SELECT 1 FROM mail_tokens
     WHERE token_hash = ?2 AND purpose = 'reset_password' AND user_id = ?1 AND expires_at > ?3)";

pub async fn create_reset(store: &Store, user_id: i64, email_key: &str, token_hash: &str, now: i64) -> Result<(), StoreError> {
    create(store, user_id, RESET, email_key, token_hash, now, RESET_LIFETIME_SECS).await
}

pub async fn create_verification(store: &Store, user_id: i64, email_key: &str, token_hash: &str, now: i64) -> Result<(), StoreError> {
    create(store, user_id, VERIFY, email_key, token_hash, now, VERIFY_LIFETIME_SECS).await
}

async fn create(
    store: &Store,
    user_id: i64,
    purpose: &str,
    email_key: &str,
    token_hash: &str,
    now: i64,
    lifetime: i64,
) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO mail_tokens (token_hash, user_id, purpose, email_key, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![token_hash, user_id, purpose, email_key, now, now + lifetime],
        )
        .await
        .map(drop)
}

/// The user a reset link is for, while it is unused and unexpired.
pub async fn reset_link_user(store: &Store, token_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
    store
        .fetch_optional(
            "SELECT user_id FROM mail_tokens WHERE token_hash = ?1 AND purpose = ?2 AND expires_at > ?3",
            args![token_hash, RESET, now],
            |row| row.get(0),
        )
        .await
}

/// Ends every reset link of a user: they logged in or changed their password, so they
/// know it.
pub(crate) fn end_reset_links(user_id: i64) -> Statement {
    // The user is the only parameter, so that the statement can take a condition after it.
    Statement::new(
        "DELETE FROM mail_tokens WHERE user_id = ?1 AND purpose = 'reset_password'",
        args![user_id],
    )
}

/// Writes back when a user confirmed their current address.
pub(super) fn restore_confirmation(user_id: i64, email_key: &str, confirmed_at: i64) -> Statement {
    Statement::new(
        "INSERT INTO email_verifications (user_id, email_key, verified_at) VALUES (?1, ?2, ?3)",
        args![user_id, email_key, confirmed_at],
    )
}

/// Confirms the address a link was sent to, if the link is valid and the user still has
/// that address, and uses the link up. The user's id when it did.
pub async fn confirm_email(store: &Store, token_hash: &str, now: i64) -> Result<Option<i64>, StoreError> {
    let Some((user_id, email_key)) = store
        .fetch_optional(
            "SELECT user_id, email_key FROM mail_tokens WHERE token_hash = ?1 AND purpose = ?2 AND expires_at > ?3",
            args![token_hash, VERIFY, now],
            |row| Ok((row.get::<i64>(0)?, row.get::<String>(1)?)),
        )
        .await?
    else {
        return Ok(None);
    };
    let changed = store
        .transaction(vec![
            Statement::new(
                "INSERT INTO email_verifications (user_id, email_key, verified_at)
                 SELECT id, email_key, CAST(?3 AS BIGINT) FROM users WHERE id = ?1 AND email_key = ?2
                 AND EXISTS (SELECT 1 FROM mail_tokens WHERE token_hash = ?4 AND expires_at > ?3)
                 ON CONFLICT (user_id) DO UPDATE SET email_key = excluded.email_key, verified_at = excluded.verified_at",
                args![user_id, email_key.as_str(), now, token_hash],
            ),
            Statement::new("DELETE FROM mail_tokens WHERE token_hash = ?1", args![token_hash]),
        ])
        .await?;
    Ok((changed[0] == 1).then_some(user_id))
}

/// Whether the user's current address is the one they confirmed.
pub async fn email_confirmed(store: &Store, user_id: i64) -> Result<bool, StoreError> {
    let confirmed: i64 = store
        .fetch_one(
            "SELECT count(*) FROM email_verifications v JOIN users ON users.id = v.user_id
             WHERE v.user_id = ?1 AND v.email_key = users.email_key",
            args![user_id],
            |row| row.get(0),
        )
        .await?;
    Ok(confirmed > 0)
}

pub async fn delete_expired(store: &Store, now: i64) -> Result<u64, StoreError> {
    store.execute("DELETE FROM mail_tokens WHERE expires_at <= ?1", args![now]).await
}
