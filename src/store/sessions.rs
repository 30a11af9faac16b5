//! Browser sessions, kept server side so that any server instance can serve any of them
//! and ending one is a `DELETE`.

use super::users::user_from_row;
use super::{Statement, Store, StoreError, args};
use crate::domain::User;

/// A session row as stored; `id_hash` is the SHA-256 of the id in the cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub now: i64,
    pub expires_at: i64,
}

/// A live session with its user (if logged in), read in one query.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    pub csrf_token: String,
    pub flash: Option<String>,
    pub last_seen_at: i64,
    pub user: Option<User>,
}

pub async fn load(store: &Store, id_hash: &str, now: i64) -> Result<Option<LoadedSession>, StoreError> {
    store
        .fetch_optional(
            "SELECT s.csrf_token, s.flash, s.last_seen_at,
                    users.id, users.username, users.email, users.name, users.avatar, users.created_at
             FROM sessions s LEFT JOIN users ON users.id = s.user_id
             WHERE s.id_hash = ?1 AND s.expires_at > ?2",
            args![id_hash, now],
            |row| {
                let user_id: Option<i64> = row.get(3)?;
                Ok(LoadedSession {
                    csrf_token: row.get(0)?,
                    flash: row.get(1)?,
                    last_seen_at: row.get(2)?,
                    user: user_id.map(|_| user_from_row(row, 3)).transpose()?,
                })
            },
        )
        .await
}

/// Creates `session`, first deleting the one it replaces (at login the id changes).
pub async fn replace(store: &Store, old_id_hash: Option<String>, session: NewSession) -> Result<(), StoreError> {
    let mut statements = Vec::with_capacity(2);
    if let Some(old) = old_id_hash {
        statements.push(Statement::new("DELETE FROM sessions WHERE id_hash = ?1", args![old]));
    }
    statements.push(Statement::new(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, flash, created_at, last_seen_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        args![
            session.id_hash,
            session.user_id,
            session.csrf_token,
            session.flash,
            session.now,
            session.expires_at
        ],
    ));
    store.transaction(statements).await.map(drop)
}

pub async fn set_flash(store: &Store, id_hash: &str, flash: &str) -> Result<(), StoreError> {
    store
        .execute("UPDATE sessions SET flash = ?1 WHERE id_hash = ?2", args![flash, id_hash])
        .await
        .map(drop)
}

/// Clears a flash once shown, unless a newer one replaced it meanwhile.
pub async fn clear_flash(store: &Store, id_hash: &str, shown: &str) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE sessions SET flash = NULL WHERE id_hash = ?1 AND flash = ?2",
            args![id_hash, shown],
        )
        .await
        .map(drop)
}

/// Marks a session as used, pushing its expiry forward.
pub async fn touch(store: &Store, id_hash: &str, now: i64, expires_at: i64) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE sessions SET last_seen_at = ?1, expires_at = ?2 WHERE id_hash = ?3",
            args![now, expires_at, id_hash],
        )
        .await
        .map(drop)
}

pub async fn delete(store: &Store, id_hash: &str) -> Result<(), StoreError> {
    store
        .execute("DELETE FROM sessions WHERE id_hash = ?1", args![id_hash])
        .await
        .map(drop)
}

pub async fn delete_expired(store: &Store, now: i64) -> Result<u64, StoreError> {
    store.execute("DELETE FROM sessions WHERE expires_at <= ?1", args![now]).await
}

/// How many session rows there are, live or expired.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    store.fetch_one("SELECT count(*) FROM sessions", vec![], |row| row.get(0)).await
}
