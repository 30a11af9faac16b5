//! Accounts.

use super::{Row, Statement, Store, StoreError, args, now};
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

pub(super) const USER_COLUMNS: &str = "users.id, users.username, users.email, users.name, users.avatar, users.created_at";

pub(super) fn user_from_row(row: &Row<'_>, first: usize) -> Result<User, StoreError> {
    Ok(User {
        id: row.get(first)?,
        username: row.get(first + 1)?,
        email: row.get(first + 2)?,
        name: row.get(first + 3)?,
        avatar: row.get(first + 4)?,
        created_at: Timestamp(row.get(first + 5)?),
    })
}

/// Which of a new account's unique fields another account has already: `"username"` or
/// `"email"` (the username first when both are).
pub async fn taken(store: &Store, username_key: &str, email_key: &str) -> Result<Option<&'static str>, StoreError> {
    store
        .fetch_optional(
            "SELECT username_key = ?1 FROM users WHERE username_key = ?1 OR email_key = ?2
             ORDER BY username_key = ?1 DESC LIMIT 1",
            args![username_key, email_key],
            |row| Ok(if row.get::<bool>(0)? { "username" } else { "email" }),
        )
        .await
}

/// Creates an account; `Duplicate("username")` or `Duplicate("email")` when taken.
pub async fn create(store: &Store, user: NewUser) -> Result<User, StoreError> {
    let sql = format!(
        "INSERT INTO users (username, username_key, email, email_key, name, avatar, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING {USER_COLUMNS}"
    );
    let args = args![
        user.username.as_str(),
        user.username.key(),
        user.email.as_str(),
        user.email.key(),
        user.name.as_str(),
        user.avatar.as_ref().map(HttpUrl::as_str),
        user.password_hash,
        now(),
    ];
    store
        .write_optional(sql, args, |row| user_from_row(row, 0))
        .await?
        .ok_or_else(|| StoreError::Internal("INSERT ... RETURNING returned no row".into()))
}

/// The account a login name (username or email, any case) belongs to, with its password hash.
pub async fn find_for_login(store: &Store, login_key: &str) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS}, users.password_hash FROM users WHERE username_key = ?1 OR email_key = ?1");
    store
        .fetch_optional(&sql, args![login_key], |row| Ok((user_from_row(row, 0)?, row.get(6)?)))
        .await
}

pub async fn find(store: &Store, user_id: i64) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    store.fetch_optional(&sql, args![user_id], |row| user_from_row(row, 0)).await
}

/// Changes an account's address; `None` when there is no such account.
pub async fn set_email(store: &Store, user_id: i64, email: &Email) -> Result<Option<User>, StoreError> {
    let sql = format!("UPDATE users SET email = ?1, email_key = ?2 WHERE id = ?3 RETURNING {USER_COLUMNS}");
    store
        .write_optional(sql, args![email.as_str(), email.key(), user_id], |row| user_from_row(row, 0))
        .await
}

pub async fn password_hash(store: &Store, user_id: i64) -> Result<Option<String>, StoreError> {
    store
        .fetch_optional("SELECT password_hash FROM users WHERE id = ?1", args![user_id], |row| row.get(0))
        .await
}

/// Sets a new password hash and ends every session and reset link of the account, in one
/// transaction.
pub async fn set_password_ending_sessions(store: &Store, user_id: i64, password_hash: String) -> Result<(), StoreError> {
    store
        .transaction(vec![
            Statement::new("UPDATE users SET password_hash = ?1 WHERE id = ?2", args![password_hash, user_id]),
            Statement::new("DELETE FROM sessions WHERE user_id = ?1", args![user_id]),
            super::mail_tokens::end_reset_links(user_id),
        ])
        .await
        .map(drop)
}

/// Deletes an account; its desserts and sessions go with it (foreign keys cascade).
pub async fn delete(store: &Store, user_id: i64) -> Result<bool, StoreError> {
    Ok(store.execute("DELETE FROM users WHERE id = ?1", args![user_id]).await? > 0)
}

pub async fn dessert_count(store: &Store, user_id: i64) -> Result<i64, StoreError> {
    store
        .fetch_one("SELECT count(*) FROM desserts WHERE user_id = ?1", args![user_id], |row| row.get(0))
        .await
}

/// Every account with its number of desserts, by username.
pub async fn list_with_dessert_counts(store: &Store) -> Result<Vec<(User, i64)>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, (SELECT count(*) FROM desserts WHERE desserts.user_id = users.id)
         FROM users ORDER BY users.username_key"
    );
    store.fetch_all(&sql, vec![], |row| Ok((user_from_row(row, 0)?, row.get(6)?))).await
}
