//! Browser sessions, kept server side so that any server instance can serve any of them
//! and ending one is a `DELETE`.

use super::kitchens::{KITCHEN_COLUMNS, kitchen_from_row};
use super::users::{USER_COLUMNS, USER_WIDTH, user_from_row};
use super::{Statement, Store, StoreError, args};
use crate::domain::{Kitchen, Timestamp, User};

/// A session row as stored; `id_hash` is the SHA-256 of the id in the cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub flash: Option<String>,
    pub now: i64,
    pub expires_at: i64,
    /// What the client calls itself, described briefly ("Firefox on Linux").
    pub client: String,
    /// The client's address as it is counted (an IPv6 address by its /64).
    pub client_addr: String,
    /// A login waiting for a one-time code: the account whose code the session may send.
    pub pending_user_id: Option<i64>,
}

impl NewSession {
    /// The statement that stores this session, for a transaction that makes it along with
    /// other changes (a new password).
    pub(crate) fn insert(&self) -> Statement {
        Statement::new(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, flash, created_at, last_seen_at, expires_at, client, client_addr, pending_user_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)",
            args![
                self.id_hash.as_str(),
                self.user_id,
                self.csrf_token.as_str(),
                self.flash.as_deref(),
                self.now,
                self.expires_at,
                self.client.as_str(),
                self.client_addr.as_str(),
                self.pending_user_id
            ],
        )
    }
}

impl NewSession {
    /// Like [`NewSession::insert`], for the session of a user whose password hash is
    /// `password_hash` at that point of the transaction; nothing otherwise.
    pub(crate) fn insert_if_password_is(&self, password_hash: &str) -> Statement {
        // A session waiting for a code names the account as pending, not as logged in.
        let (account, logged_in) = match (self.user_id, self.pending_user_id) {
            (Some(user_id), _) => (Some(user_id), true),
            (None, pending) => (pending, false),
        };
        Statement::new(
            "INSERT INTO sessions (id_hash, user_id, pending_user_id, csrf_token, flash, created_at, last_seen_at, expires_at, client, client_addr)
             SELECT ?1, CASE WHEN ?10 THEN id END, CASE WHEN ?10 THEN NULL ELSE id END,
                    ?2, ?3, CAST(?4 AS BIGINT), CAST(?4 AS BIGINT), CAST(?5 AS BIGINT), ?6, ?7
             FROM users WHERE id = ?8 AND password_hash = ?9",
            args![
                self.id_hash.as_str(),
                self.csrf_token.as_str(),
                self.flash.as_deref(),
                self.now,
                self.expires_at,
                self.client.as_str(),
                self.client_addr.as_str(),
                account,
                password_hash,
                logged_in
            ],
        )
    }
}

/// One of a person's logged-in sessions, as their account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// Names the session in a form without giving away its id: the first 16 hex digits of
    /// the id's hash.
    pub handle: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub client: String,
    pub client_addr: String,
    /// Whether this is the session the list is shown to.
    pub current: bool,
}

/// How many hex digits of a session id's hash name it in forms (64 bits); the queries say
/// `substr(id_hash, 1, 16)`.
const HANDLE_LENGTH: usize = 16;

/// A live session with its user (if logged in) and the kitchen they work in, with their
/// role there, read in one query.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    pub csrf_token: String,
    pub flash: Option<String>,
    pub last_seen_at: i64,
    pub user: Option<(User, Kitchen)>,
    /// A login waiting for a one-time code of this account.
    pub pending_user_id: Option<i64>,
}

/// The condition that the session `s` is the one whose id's digest is `?{id_param}` and is
/// live at `?{now_param}`: the one definition of a session in force.
pub(super) fn live(id_param: usize, now_param: usize) -> String {
    format!("s.id_hash = ?{id_param} AND s.expires_at > ?{now_param}")
}

pub async fn load(store: &Store, id_hash: &str, now: i64) -> Result<Option<LoadedSession>, StoreError> {
    // The session's kitchen while its user is a member of it, else their personal kitchen:
    // a removed member is back in theirs on the next request. Joins rather than correlated
    // subqueries: every request runs this, and PostgreSQL sets up each subquery's plan on
    // every execution (a quarter of its time for this statement; docs/benchmarks.md).
    let sql = format!(
        "SELECT s.csrf_token, s.flash, s.last_seen_at, {USER_COLUMNS}, {KITCHEN_COLUMNS}, s.pending_user_id
         FROM sessions s LEFT JOIN users ON users.id = s.user_id AND users.disabled_at IS NULL
         LEFT JOIN memberships current ON current.user_id = s.user_id AND current.kitchen_id = s.kitchen_id
         LEFT JOIN kitchens personal ON personal.personal_of = s.user_id AND current.kitchen_id IS NULL
         LEFT JOIN memberships ON memberships.user_id = s.user_id
             AND memberships.kitchen_id = COALESCE(current.kitchen_id, personal.id)
         LEFT JOIN kitchens ON kitchens.id = memberships.kitchen_id
         WHERE {}",
        live(1, 2)
    );
    store
        .fetch_optional(&sql, args![id_hash, now], |row| {
            let user_id: Option<i64> = row.get(3)?;
            let kitchen_id: Option<i64> = row.get(3 + USER_WIDTH)?;
            let user = match (user_id, kitchen_id) {
                (Some(_), Some(_)) => Some((user_from_row(row, 3)?, kitchen_from_row(row, 3 + USER_WIDTH)?)),
                // An account without a kitchen cannot work in the app: as good as logged out.
                _ => None,
            };
            Ok(LoadedSession {
                csrf_token: row.get(0)?,
                flash: row.get(1)?,
                last_seen_at: row.get(2)?,
                user,
                pending_user_id: row.get(3 + USER_WIDTH + super::kitchens::KITCHEN_WIDTH)?,
            })
        })
        .await
}

/// Creates `session`, first deleting the one it replaces (at login the id changes).
pub async fn replace(store: &Store, old_id_hash: Option<String>, session: NewSession) -> Result<(), StoreError> {
    let mut statements = Vec::with_capacity(2);
    if let Some(old) = old_id_hash {
        statements.push(Statement::new("DELETE FROM sessions WHERE id_hash = ?1", args![old]));
    }
    statements.push(session.insert());
    if let Some(user_id) = session.user_id {
        statements.push(super::users::logged_in(user_id, session.now));
    }
    store.transaction(statements).await?;
    if session.user_id.is_some() {
        store.count_session();
    }
    Ok(())
}

pub async fn set_flash(store: &Store, id_hash: &str, flash: &str) -> Result<(), StoreError> {
    store
        .execute("UPDATE sessions SET flash = ?1 WHERE id_hash = ?2", args![flash, id_hash])
        .await
        .map(drop)
}

/// Keeps a passkey ceremony (its text) with the live session `id_hash`, in place of any
/// other; false when there is no such session.
pub async fn set_ceremony(store: &Store, id_hash: &str, ceremony: &str, now: i64) -> Result<bool, StoreError> {
    let kept = store
        .execute(
            "UPDATE sessions SET ceremony = ?1 WHERE id_hash = ?2 AND expires_at > ?3",
            args![ceremony, id_hash, now],
        )
        .await?;
    Ok(kept == 1)
}

/// Takes the passkey ceremony the live session `id_hash` keeps: once taken it is gone, so
/// that each answer to it is checked once, even when two arrive together.
pub async fn take_ceremony(store: &Store, id_hash: &str, now: i64) -> Result<Option<String>, StoreError> {
    let Some(ceremony) = store
        .fetch_optional(
            "SELECT ceremony FROM sessions WHERE id_hash = ?1 AND expires_at > ?2 AND ceremony IS NOT NULL",
            args![id_hash, now],
            |row| row.get::<String>(0),
        )
        .await?
    else {
        return Ok(None);
    };
    let taken = store
        .execute(
            "UPDATE sessions SET ceremony = NULL WHERE id_hash = ?1 AND ceremony = ?2",
            args![id_hash, ceremony.as_str()],
        )
        .await?;
    Ok((taken == 1).then_some(ceremony))
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

/// The live sessions of a user, the most recently used first; `current_id_hash` is marked.
pub async fn list_for_user(store: &Store, user_id: i64, current_id_hash: &str, now: i64) -> Result<Vec<SessionSummary>, StoreError> {
    store
        .fetch_all(
            "SELECT substr(id_hash, 1, 16), created_at, last_seen_at, client, client_addr, id_hash = ?2
             FROM sessions WHERE user_id = ?1 AND expires_at > ?3
             ORDER BY id_hash = ?2 DESC, last_seen_at DESC, created_at DESC",
            args![user_id, current_id_hash, now],
            |row| {
                Ok(SessionSummary {
                    handle: row.get(0)?,
                    created_at: Timestamp(row.get(1)?),
                    last_seen_at: Timestamp(row.get(2)?),
                    client: row.get(3)?,
                    client_addr: row.get(4)?,
                    current: row.get(5)?,
                })
            },
        )
        .await
}

/// Ends the user's session named by `handle`, never `current_id_hash` (logging out ends
/// that one). False when there was no such session.
pub async fn end_one(store: &Store, user_id: i64, handle: &str, current_id_hash: &str) -> Result<bool, StoreError> {
    if handle.len() != HANDLE_LENGTH {
        return Ok(false);
    }
    let ended = store
        .execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND substr(id_hash, 1, 16) = ?2 AND id_hash <> ?3",
            args![user_id, handle, current_id_hash],
        )
        .await?;
    Ok(ended > 0)
}

/// Ends every session of the user but `current_id_hash`; how many ended.
pub async fn end_others(store: &Store, user_id: i64, current_id_hash: &str) -> Result<u64, StoreError> {
    store
        .execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND id_hash <> ?2",
            args![user_id, current_id_hash],
        )
        .await
}

pub async fn delete_expired(store: &Store, now: i64) -> Result<u64, StoreError> {
    store.execute("DELETE FROM sessions WHERE expires_at <= ?1", args![now]).await
}

/// How many session rows there are, live or expired.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    store.fetch_one("SELECT count(*) FROM sessions", vec![], |row| row.get(0)).await
}
