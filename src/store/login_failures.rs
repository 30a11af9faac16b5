//! Failed logins, counted in the database so that every server instance sees the same
//! counts.

use super::{Store, StoreError, args};

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
    // The window frees up when the failure that made the count reach the limit ages out.
    let locked_until = |column: &str, key: &str, limit: i64| {
        let sql = format!(
            "SELECT failed_at FROM login_failures WHERE {column} = ?1 AND failed_at > ?2
             ORDER BY failed_at DESC LIMIT 1 OFFSET ?3"
        );
        let args = args![key, since, limit - 1];
        async move { store.fetch_optional(&sql, args, |row| row.get::<i64>(0)).await }
    };
    let account = locked_until("account_key", account_key, limits.per_account).await?;
    let client = locked_until("client_addr", client_addr, limits.per_client).await?;
    Ok(account
        .into_iter()
        .chain(client)
        .max()
        .map(|failed_at| (failed_at + limits.window_secs - now).max(1)))
}

pub async fn record(store: &Store, account_key: &str, client_addr: &str, now: i64) -> Result<(), StoreError> {
    store
        .execute(
            "INSERT INTO login_failures (account_key, client_addr, failed_at) VALUES (?1, ?2, ?3)",
            args![account_key, client_addr, now],
        )
        .await
        .map(drop)
}

/// Counts a request that is limited like failed logins (asking for a mailed link, say):
/// the seconds to wait when `key` or the client is over the limit, else the request is
/// counted and `None` comes back.
pub async fn count_request(store: &Store, key: &str, client_addr: &str, now: i64, limits: LoginLimits) -> Result<Option<i64>, StoreError> {
    let wait = retry_after(store, key, client_addr, now, limits).await?;
    if wait.is_none() {
        record(store, key, client_addr, now).await?;
    }
    Ok(wait)
}

/// Forgets an account's failures after it logs in.
pub async fn clear_account(store: &Store, account_key: &str) -> Result<(), StoreError> {
    store
        .execute("DELETE FROM login_failures WHERE account_key = ?1", args![account_key])
        .await
        .map(drop)
}

pub async fn delete_older_than(store: &Store, cutoff: i64) -> Result<u64, StoreError> {
    store
        .execute("DELETE FROM login_failures WHERE failed_at <= ?1", args![cutoff])
        .await
}
