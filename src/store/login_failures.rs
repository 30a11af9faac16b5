//! Failed logins, counted in the database so that every server instance sees the same
//! counts.

use super::{Statement, Store, StoreError, args};

/// How many failures, over how long, lock an account or a client address out.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window_secs: i64,
    pub per_account: i64,
    pub per_client: i64,
    /// Sign-ups from one client address within the window.
    pub signups_per_client: i64,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            window_secs: 15 * 60,
            per_account: 5,
            per_client: 100,
            signups_per_client: 20,
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
    let account = limit_reached_at(store, "account_key", account_key, since, limits.per_account).await?;
    let client = limit_reached_at(store, "client_addr", client_addr, since, limits.per_client).await?;
    Ok(account
        .into_iter()
        .chain(client)
        .max()
        .map(|failed_at| (failed_at + limits.window_secs - now).max(1)))
}

/// When the row that made `key`'s count in `column` reach `limit` since `since` was
/// written: the window frees up when that row ages out. `None` while under the limit.
async fn limit_reached_at(store: &Store, column: &str, key: &str, since: i64, limit: i64) -> Result<Option<i64>, StoreError> {
    let sql = format!(
        "SELECT failed_at FROM login_failures WHERE {column} = ?1 AND failed_at > ?2
         ORDER BY failed_at DESC LIMIT 1 OFFSET ?3"
    );
    store
        .fetch_optional(&sql, args![key, since, limit - 1], |row| row.get::<i64>(0))
        .await
}

/// Reserves a login attempt for `account_key` from `client_addr` before the password is
/// checked: the attempt is counted as a failure at once, unless the account or the client
/// is at its limit, in which case the seconds to wait come back and nothing is counted.
/// The count and the insert are one statement in one transaction, serialised per account
/// and per client (by SQLite's one writer, or PostgreSQL advisory locks), so parallel
/// attempts cannot all slip under the limit, on one instance or several. A login that
/// succeeds clears the account's count, its reservation included.
pub async fn reserve(
    store: &Store,
    account_key: &str,
    client_addr: &str,
    now: i64,
    limits: LoginLimits,
) -> Result<Option<i64>, StoreError> {
    let since = now - limits.window_secs;
    if insert_under_limits(
        store,
        (account_key, limits.per_account),
        (client_addr, limits.per_client),
        now,
        since,
    )
    .await?
    {
        return Ok(None);
    }
    // Refused: say how long until the window frees up (at least a second).
    Ok(Some(retry_after(store, account_key, client_addr, now, limits).await?.unwrap_or(1)))
}

/// Inserts a row for `account` and `client` at `now` unless either already has its limit
/// of rows since `since`; whether it did. The count and the insert are one statement in one
/// transaction, serialised per key (by SQLite's one writer, or PostgreSQL advisory locks).
async fn insert_under_limits(
    store: &Store,
    (account_key, account_limit): (&str, i64),
    (client_addr, client_limit): (&str, i64),
    now: i64,
    since: i64,
) -> Result<bool, StoreError> {
    let mut statements: Vec<Statement> = [account_key, client_addr]
        .iter()
        .filter_map(|key| store.serialize_on(&format!("login_failures:{key}")))
        .collect();
    statements.push(Statement::new(
        "INSERT INTO login_failures (account_key, client_addr, failed_at)
         SELECT ?1, ?2, ?3
         WHERE (SELECT count(*) FROM login_failures WHERE account_key = ?1 AND failed_at > ?4) < ?5
           AND (SELECT count(*) FROM login_failures WHERE client_addr = ?2 AND failed_at > ?4) < ?6",
        args![account_key, client_addr, now, since, account_limit, client_limit],
    ));
    Ok(store.transaction(statements).await?.last() == Some(&1))
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

/// Counts a sign-up from `client_addr`: the seconds to wait when the address has made too
/// many lately, else the sign-up is counted and `None` comes back. A sign-up is a row keyed
/// `signup:ADDRESS` in both columns, so that it is not counted as a failed login.
pub async fn count_signup(store: &Store, client_addr: &str, now: i64, limits: LoginLimits) -> Result<Option<i64>, StoreError> {
    let key = format!("signup:{client_addr}");
    let since = now - limits.window_secs;
    let limit_reached_at = limit_reached_at(store, "account_key", &key, since, limits.signups_per_client).await?;
    if let Some(failed_at) = limit_reached_at {
        return Ok(Some((failed_at + limits.window_secs - now).max(1)));
    }
    record(store, &key, &key, now).await?;
    Ok(None)
}

/// Counts a change of `user_id`'s address to `email_key`: the seconds to wait when the
/// account has changed its address, or accounts have changed theirs to this one, as often as
/// an account may fail to log in (`per_account`) within the window; else the change is
/// counted and `None` comes back. The row's keys are `address-change:user:ID` and
/// `address-change:to:` with the address's hash, never the address: count and insert are
/// one statement, serialised like [`reserve`].
pub async fn count_address_change(
    store: &Store,
    user_id: i64,
    email_key: &str,
    now: i64,
    limits: LoginLimits,
) -> Result<Option<i64>, StoreError> {
    let account_key = format!("address-change:user:{user_id}");
    let target_key = format!("address-change:to:{}", crate::tokens::token_hash(email_key));
    let since = now - limits.window_secs;
    let limit = limits.per_account;
    if insert_under_limits(store, (&account_key, limit), (&target_key, limit), now, since).await? {
        return Ok(None);
    }
    let account = limit_reached_at(store, "account_key", &account_key, since, limits.per_account).await?;
    let target = limit_reached_at(store, "client_addr", &target_key, since, limits.per_account).await?;
    Ok(Some(
        account
            .into_iter()
            .chain(target)
            .max()
            .map_or(1, |counted_at| (counted_at + limits.window_secs - now).max(1)),
    ))
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

/// The length of the longest key counted, for checks that keys stay small.
pub async fn longest_key(store: &Store) -> Result<i64, StoreError> {
    store
        .fetch_one(
            "SELECT CAST(COALESCE(max(length(account_key)), 0) AS BIGINT) FROM login_failures",
            vec![],
            |row| row.get(0),
        )
        .await
}
