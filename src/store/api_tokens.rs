//! Bearer tokens for the JSON API, stored as their SHA-256 only.

use super::kitchens::{KITCHEN_COLUMNS, kitchen_from_row};
use super::users::{USER_COLUMNS, USER_WIDTH, user_from_row};
use super::{LAST_USED_PRECISION_SECS, Store, StoreError, args};
use crate::domain::{Kitchen, Timestamp, User};

/// A token as it is stored when made.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: i64,
    pub token_hash: String,
    pub now: i64,
    /// `None`: the token works until it is revoked.
    pub expires_at: Option<i64>,
    pub client: String,
    pub client_addr: String,
}

/// One of a person's tokens, as their account page and the API list it (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSummary {
    pub id: i64,
    pub created_at: Timestamp,
    /// To the hour ([`LAST_USED_PRECISION_SECS`]); `None`: never used.
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub client: String,
    pub client_addr: String,
    /// Whether this is the token the list was asked for with.
    pub current: bool,
}

/// A token found for a request: its id, and whether its last use should be written.
#[derive(Debug, Clone, Copy)]
pub struct TokenUse {
    pub id: i64,
    pub last_used_at: Option<i64>,
}

impl TokenUse {
    /// Whether the token's last use, as stored, is older than the precision it is kept to.
    pub fn is_stale(self, now: i64) -> bool {
        self.last_used_at.is_none_or(|at| now - at >= LAST_USED_PRECISION_SECS)
    }
}

/// Stores a new token; its id.
pub async fn create(store: &Store, token: NewToken) -> Result<i64, StoreError> {
    store
        .write_optional(
            "INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at, client, client_addr)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            args![
                token.user_id,
                token.token_hash,
                token.now,
                token.expires_at,
                token.client,
                token.client_addr
            ],
            |row| row.get(0),
        )
        .await?
        .ok_or_else(|| StoreError::Internal(super::Fault::new("INSERT ... RETURNING returned no row")))
}

/// The user a token belongs to, with their personal kitchen (where a request without
/// `kitchen` works) and the token's use; `None` for an unknown, revoked or expired token.
pub async fn user_for(store: &Store, token_hash: &str, now: i64) -> Result<Option<(User, Kitchen, TokenUse)>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, t.id, t.last_used_at, {KITCHEN_COLUMNS} FROM api_tokens t JOIN users ON users.id = t.user_id
         JOIN kitchens ON kitchens.personal_of = users.id
         JOIN memberships ON memberships.kitchen_id = kitchens.id AND memberships.user_id = users.id
         WHERE t.token_hash = ?1 AND (t.expires_at IS NULL OR t.expires_at > ?2) AND users.disabled_at IS NULL"
    );
    store
        .fetch_optional(&sql, args![token_hash, now], |row| {
            Ok((
                user_from_row(row, 0)?,
                kitchen_from_row(row, USER_WIDTH + 2)?,
                TokenUse {
                    id: row.get(USER_WIDTH)?,
                    last_used_at: row.get(USER_WIDTH + 1)?,
                },
            ))
        })
        .await
}

/// Writes down that a token was used at `now`.
pub async fn touch(store: &Store, token_id: i64, now: i64) -> Result<(), StoreError> {
    store
        .execute("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2", args![now, token_id])
        .await
        .map(drop)
}

/// The user's live tokens, the newest first; `current_token_hash` (if any) is marked.
pub async fn list_for_user(
    store: &Store,
    user_id: i64,
    current_token_hash: Option<&str>,
    now: i64,
) -> Result<Vec<TokenSummary>, StoreError> {
    store
        .fetch_all(
            "SELECT id, created_at, last_used_at, expires_at, client, client_addr, token_hash = ?2
             FROM api_tokens WHERE user_id = ?1 AND (expires_at IS NULL OR expires_at > ?3)
             ORDER BY created_at DESC, id DESC",
            args![user_id, current_token_hash.unwrap_or_default(), now],
            |row| {
                Ok(TokenSummary {
                    id: row.get(0)?,
                    created_at: Timestamp(row.get(1)?),
                    last_used_at: row.get::<Option<i64>>(2)?.map(Timestamp),
                    expires_at: row.get::<Option<i64>>(3)?.map(Timestamp),
                    client: row.get(4)?,
                    client_addr: row.get(5)?,
                    current: row.get(6)?,
                })
            },
        )
        .await
}

/// Revokes the token by its hash (the one a request came with); false when there was none.
pub async fn delete(store: &Store, token_hash: &str) -> Result<bool, StoreError> {
    Ok(store
        .execute("DELETE FROM api_tokens WHERE token_hash = ?1", args![token_hash])
        .await?
        > 0)
}

/// Revokes the user's token `token_id`; false when the user has no such token.
pub async fn delete_for_user(store: &Store, user_id: i64, token_id: i64) -> Result<bool, StoreError> {
    Ok(store
        .execute("DELETE FROM api_tokens WHERE id = ?1 AND user_id = ?2", args![token_id, user_id])
        .await?
        > 0)
}

/// Revokes every token of the user; how many there were.
pub async fn delete_all_for_user(store: &Store, user_id: i64) -> Result<u64, StoreError> {
    store.execute("DELETE FROM api_tokens WHERE user_id = ?1", args![user_id]).await
}

pub async fn delete_expired(store: &Store, now: i64) -> Result<u64, StoreError> {
    store.execute("DELETE FROM api_tokens WHERE expires_at <= ?1", args![now]).await
}
