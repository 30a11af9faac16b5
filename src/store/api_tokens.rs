//! Bearer tokens for the JSON API, stored as their SHA-256 only.

use super::users::{USER_COLUMNS, user_from_row};
use super::{Store, StoreError, args, now};
use crate::domain::User;

pub async fn create(store: &Store, user_id: i64, token_hash: &str) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?1, ?2, ?3)",
            args![user_id, token_hash, now()],
        )
        .await
        .map(drop)
}

/// The user a token belongs to; `None` for an unknown or revoked token.
pub async fn user_for(store: &Store, token_hash: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM api_tokens t JOIN users ON users.id = t.user_id WHERE t.token_hash = ?1");
    store.fetch_optional(&sql, args![token_hash], |row| user_from_row(row, 0)).await
}

/// Revokes a token; false when there was no such token.
pub async fn delete(store: &Store, token_hash: &str) -> Result<bool, StoreError> {
    Ok(store
        .execute("DELETE FROM api_tokens WHERE token_hash = ?1", args![token_hash])
        .await?
        > 0)
}
