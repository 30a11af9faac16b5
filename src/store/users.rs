//! Accounts.

use rusqlite::{OptionalExtension, Row, params};

use super::sqlite::{classify, duplicate_of, in_transaction};
use super::{Store, StoreError, now};
use crate::domain::{Email, HttpUrl, PersonName, Signup, Timestamp, User, Username};

/// A new account, its password already hashed.
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub name: PersonName,
    pub avatar: Option<HttpUrl>,
    pub password_hash: String,
}

impl NewUser {
    pub fn new(signup: Signup, password_hash: String) -> Self {
        Self {
            username: signup.username,
            email: signup.email,
            name: signup.name,
            avatar: signup.avatar,
            password_hash,
        }
    }
}

const USER_COLUMNS: &str = "users.id, users.username, users.email, users.name, users.avatar, users.created_at";

pub(super) fn user_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(first)?,
        username: row.get(first + 1)?,
        email: row.get(first + 2)?,
        name: row.get(first + 3)?,
        avatar: row.get(first + 4)?,
        created_at: Timestamp(row.get(first + 5)?),
    })
}

const UNIQUE_COLUMNS: &[(&str, &str)] = &[("users.username_key", "username"), ("users.email_key", "email")];

/// Creates an account; `Duplicate("username")` or `Duplicate("email")` when taken.
pub async fn create(store: &Store, user: NewUser) -> Result<User, StoreError> {
    store
        .sqlite()
        .write(move |conn| {
            let sql = format!(
                "INSERT INTO users (username, username_key, email, email_key, name, avatar, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {USER_COLUMNS}"
            );
            conn.prepare_cached(&sql)
                .and_then(|mut statement| {
                    statement.query_row(
                        params![
                            user.username.as_str(),
                            user.username.key(),
                            user.email.as_str(),
                            user.email.key(),
                            user.name.as_str(),
                            user.avatar.as_ref().map(HttpUrl::as_str),
                            user.password_hash,
                            now(),
                        ],
                        |row| user_from_row(row, 0),
                    )
                })
                .map_err(|e| duplicate_of(e, UNIQUE_COLUMNS))
        })
        .await
}

/// The account a login name (username or email, any case) belongs to, with its password hash.
pub async fn find_for_login(store: &Store, login_key: &str) -> Result<Option<(User, String)>, StoreError> {
    store.sqlite().read(|conn| {
        let sql = format!("SELECT {USER_COLUMNS}, users.password_hash FROM users WHERE username_key = ?1 OR email_key = ?1");
        conn.prepare_cached(&sql)?
            .query_row([login_key], |row| Ok((user_from_row(row, 0)?, row.get(6)?)))
            .optional()
    })
}

pub async fn password_hash(store: &Store, user_id: i64) -> Result<Option<String>, StoreError> {
    store.sqlite().read(|conn| {
        conn.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
            .query_row([user_id], |row| row.get(0))
            .optional()
    })
}

/// Sets a new password hash and ends every session of the account, in one transaction.
pub async fn set_password_ending_sessions(store: &Store, user_id: i64, password_hash: String) -> Result<(), StoreError> {
    store
        .sqlite()
        .write(move |conn| {
            in_transaction(conn, |tx| {
                tx.execute("UPDATE users SET password_hash = ?1 WHERE id = ?2", params![password_hash, user_id])
                    .map_err(classify)?;
                tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id]).map_err(classify)?;
                Ok(())
            })
        })
        .await
}

/// Deletes an account; its desserts and sessions go with it (foreign keys cascade).
pub async fn delete(store: &Store, user_id: i64) -> Result<bool, StoreError> {
    store
        .sqlite()
        .write(move |conn| {
            conn.execute("DELETE FROM users WHERE id = ?1", [user_id])
                .map(|n| n > 0)
                .map_err(classify)
        })
        .await
}

pub async fn dessert_count(store: &Store, user_id: i64) -> Result<i64, StoreError> {
    store.sqlite().read(|conn| {
        conn.prepare_cached("SELECT count(*) FROM desserts WHERE user_id = ?1")?
            .query_row([user_id], |row| row.get(0))
    })
}

/// Every account with its number of desserts, by username.
pub async fn list_with_dessert_counts(store: &Store) -> Result<Vec<(User, i64)>, StoreError> {
    store.sqlite().read(|conn| {
        let sql = format!(
            "SELECT {USER_COLUMNS}, (SELECT count(*) FROM desserts WHERE desserts.user_id = users.id)
             FROM users ORDER BY users.username_key"
        );
        conn.prepare(&sql)?
            .query_map([], |row| Ok((user_from_row(row, 0)?, row.get(6)?)))?
            .collect()
    })
}
