//! What admins see and change: every account with its numbers, and whether it is disabled.
//! Nothing here reads a dessert, a label or a menu: an admin sees those only as a member.

use super::{Statement, Store, StoreError, args};
use crate::domain::{AccountQuery, Timestamp};

/// An account as `/admin` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    /// Whether the current address was confirmed through its link.
    pub confirmed: bool,
    /// Desserts in the account's personal kitchen.
    pub desserts: i64,
    /// Shared kitchens it is a member of.
    pub kitchens: i64,
    pub last_login_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub is_admin: bool,
    pub disabled_at: Option<Timestamp>,
}

/// Whether `user_id` is an admin whose account is not disabled.
pub async fn is_admin(store: &Store, user_id: i64) -> Result<bool, StoreError> {
    let found: Option<bool> = store
        .fetch_optional(
            "SELECT is_admin FROM users WHERE id = ?1 AND disabled_at IS NULL",
            args![user_id],
            |row| row.get(0),
        )
        .await?;
    Ok(found == Some(true))
}

/// The search's condition on `users`, its pattern as `?1` (every account when there is none).
fn matching(query: &AccountQuery) -> (&'static str, Vec<super::Param>) {
    match &query.search {
        Some(search) => (
            "WHERE (users.username_key LIKE ?1 ESCAPE '\\' OR users.email_key LIKE ?1 ESCAPE '\\'
                    OR lower(users.name) LIKE ?1 ESCAPE '\\')",
            args![super::desserts::like_pattern(search)],
        ),
        None => ("", vec![]),
    }
}

/// One page of the accounts `query` finds, by username, and how many it finds in all.
pub async fn accounts(store: &Store, query: &AccountQuery) -> Result<(Vec<AccountSummary>, i64), StoreError> {
    let (condition, mut params) = matching(query);
    let total: i64 = store
        .fetch_one(&format!("SELECT count(*) FROM users {condition}"), params.clone(), |row| row.get(0))
        .await?;
    let at = params.len();
    params.extend(args![i64::from(AccountQuery::PER_PAGE), query.offset() as i64]);
    let sql = format!(
        "SELECT users.id, users.username, users.email, users.name,
                EXISTS (SELECT 1 FROM email_verifications v WHERE v.user_id = users.id AND v.email_key = users.email_key),
                (SELECT count(*) FROM desserts JOIN kitchens ON kitchens.id = desserts.kitchen_id WHERE kitchens.personal_of = users.id),
                (SELECT count(*) FROM memberships m JOIN kitchens ON kitchens.id = m.kitchen_id
                 WHERE m.user_id = users.id AND kitchens.personal_of IS NULL),
                users.last_login_at, users.created_at, users.is_admin, users.disabled_at
         FROM users {condition} ORDER BY users.username_key LIMIT ?{} OFFSET ?{}",
        at + 1,
        at + 2
    );
    let rows = store
        .fetch_all(&sql, params, |row| {
            Ok(AccountSummary {
                id: row.get(0)?,
                username: row.get(1)?,
                email: row.get(2)?,
                name: row.get(3)?,
                confirmed: row.get(4)?,
                desserts: row.get(5)?,
                kitchens: row.get(6)?,
                last_login_at: row.get::<Option<i64>>(7)?.map(Timestamp),
                created_at: Timestamp(row.get(8)?),
                is_admin: row.get(9)?,
                disabled_at: row.get::<Option<i64>>(10)?.map(Timestamp),
            })
        })
        .await?;
    Ok((rows, total))
}

/// What became of a request to disable or enable an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disabling {
    /// It is now as asked (or already was).
    Done,
    /// Admins are not disabled from the admin page: take the right away first (`desserts
    /// user admin NAME --revoke`), so that admins cannot lock each other out.
    IsAdmin,
    NoSuchAccount,
}

/// Disables account `user_id` at `now`: in one transaction its sessions (and a login
/// waiting for its code), its API tokens and its reset links end. Its logins are refused
/// from then on by the queries that find an account to log in.
pub async fn disable(store: &Store, user_id: i64, now: i64) -> Result<Disabling, StoreError> {
    // Each ending holds only for an account that is disabled by now, never for an admin.
    let is_disabled = " AND EXISTS (SELECT 1 FROM users WHERE users.id = ?1 AND users.disabled_at IS NOT NULL)";
    let mut reset_links = super::mail_tokens::end_reset_links(user_id);
    reset_links.sql.push_str(is_disabled);
    store
        .transaction(vec![
            Statement::new(
                "UPDATE users SET disabled_at = ?2 WHERE id = ?1 AND NOT is_admin AND disabled_at IS NULL",
                args![user_id, now],
            ),
            Statement::new(
                format!("DELETE FROM sessions WHERE (user_id = ?1 OR pending_user_id = ?1){is_disabled}"),
                args![user_id],
            ),
            Statement::new(format!("DELETE FROM api_tokens WHERE user_id = ?1{is_disabled}"), args![user_id]),
            reset_links,
        ])
        .await?;
    state_after(store, user_id, true).await
}

/// Lets account `user_id` log in again.
pub async fn enable(store: &Store, user_id: i64) -> Result<Disabling, StoreError> {
    store
        .execute("UPDATE users SET disabled_at = NULL WHERE id = ?1", args![user_id])
        .await?;
    state_after(store, user_id, false).await
}

async fn state_after(store: &Store, user_id: i64, disabling: bool) -> Result<Disabling, StoreError> {
    let found: Option<(bool, Option<i64>)> = store
        .fetch_optional("SELECT is_admin, disabled_at FROM users WHERE id = ?1", args![user_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .await?;
    Ok(match found {
        None => Disabling::NoSuchAccount,
        Some((true, None)) if disabling => Disabling::IsAdmin,
        Some(_) => Disabling::Done,
    })
}

/// Gives account `username_key` the admin right, or takes it away; false when there is no
/// such account.
pub async fn set_admin(store: &Store, username_key: &str, admin: bool) -> Result<bool, StoreError> {
    let changed = store
        .transaction(vec![Statement::new(
            "UPDATE users SET is_admin = ?2 WHERE username_key = ?1",
            args![username_key, admin],
        )])
        .await?;
    Ok(changed[0] == 1)
}
