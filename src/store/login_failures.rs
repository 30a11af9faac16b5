//! Failed logins, counted in the database so that every server instance sees the same
//! counts.

use rusqlite::params;

use super::sqlite::classify;
use super::{Store, StoreError};

/// How many failures, over how long, lock an account or a client address out.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window_secs: i64,
    pub per_account: i64,
    pub per_client: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            window_secs: 15 * 60,
            per_account: 5,
            per_client: 100,
        }
    }
}

/// Seconds until the account or the client may try again; `None` when they may now.
pub async fn retry_after(
    store: &Store,
    account_key: &str,
    client_addr: &str,
    now: i64,
    limits: LoginLimits,
) -> Result<Option<i64>, StoreError> {
    let since = now - limits.window_secs;
    let query = |conn: &rusqlite::Connection, column: &str, key: &str, limit: i64| -> rusqlite::Result<Option<i64>> {
        // The window frees up when the failure that made the count reach the limit ages out.
        let sql = format!(
            "SELECT failed_at FROM login_failures WHERE {column} = ?1 AND failed_at > ?2
             ORDER BY failed_at DESC LIMIT 1 OFFSET ?3"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let mut rows = statement.query(params![key, since, limit - 1])?;
        Ok(match rows.next()? {
            Some(row) => Some(row.get::<_, i64>(0)? + limits.window_secs - now),
            None => None,
        })
    };
    store.sqlite().read(|conn| {
        let account = query(conn, "account_key", account_key, limits.per_account)?;
        let client = query(conn, "client_addr", client_addr, limits.per_client)?;
        Ok(account.into_iter().chain(client).max().map(|secs| secs.max(1)))
    })
}

pub async fn record(store: &Store, account_key: &str, client_addr: &str, now: i64) -> Result<(), StoreError> {
    let (account_key, client_addr) = (account_key.to_string(), client_addr.to_string());
    store
        .sqlite()
        .write(move |conn| {
            conn.execute(
                "INSERT INTO login_failures (account_key, client_addr, failed_at) VALUES (?1, ?2, ?3)",
                params![account_key, client_addr, now],
            )
            .map(drop)
            .map_err(classify)
        })
        .await
}

/// Forgets an account's failures after it logs in.
pub async fn clear_account(store: &Store, account_key: &str) -> Result<(), StoreError> {
    let account_key = account_key.to_string();
    store
        .sqlite()
        .write(move |conn| {
            conn.execute("DELETE FROM login_failures WHERE account_key = ?1", [account_key])
                .map(drop)
                .map_err(classify)
        })
        .await
}

pub async fn delete_older_than(store: &Store, cutoff: i64) -> Result<usize, StoreError> {
    store
        .sqlite()
        .write(move |conn| {
            conn.execute("DELETE FROM login_failures WHERE failed_at <= ?1", [cutoff])
                .map_err(classify)
        })
        .await
}
