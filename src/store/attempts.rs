//! Attempts counted against limits: failed logins and password confirmations, requests for
//! mailed links, sign-ups and address changes. They are rows in the database (the table
//! `login_failures`, named for what it first counted), so every server instance sees the same
//! counts. Every count and its insert is one statement in one transaction, serialised per key
//! (by SQLite's one writer, or PostgreSQL advisory locks), so parallel requests cannot all
//! slip under a limit, on one instance or several.

use super::{Statement, Store, StoreError, args};
use crate::tokens::token_hash;

/// How many attempts, over how long, hold an account, a client address or an address back.
#[derive(Debug, Clone, Copy)]
pub struct AttemptLimits {
    pub window_secs: i64,
    /// Failed logins of one account; also requests for one account's mailed links, and
    /// address changes of one account or to one address.
    pub per_account: i64,
    /// Failed logins and requests for mailed links from one client address.
    pub per_client: i64,
    /// Sign-ups from one client address.
    pub signups_per_client: i64,
}

impl Default for AttemptLimits {
    fn default() -> Self {
        Self {
            window_secs: 15 * 60,
            per_account: 5,
            per_client: 100,
            signups_per_client: 20,
        }
    }
}

/// What an attempt counts against. Each is one bounded key; no other code builds keys.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// An account: its failed logins and failed password confirmations.
    Account(i64),
    /// A name no account has, by its hash: a 60 KB name is no 60 KB key.
    UnknownName(&'a str),
    /// A client address, as `state::client_key` bounds it.
    Client(&'a str),
    /// Failed logins with a passkey from a client address: no account is named before the
    /// passkey is checked.
    PasskeyLogins(&'a str),
    /// Stands for the client of a password confirmation inside a session: those count
    /// against the account only, never against a real address.
    InSession(i64),
    /// Requests for a reset link to an address (its lookup key).
    ResetRequests(&'a str),
    /// Requests to mail an account its confirmation link again.
    ConfirmationRequests(i64),
    /// Sign-ups from a client address.
    Signups(&'a str),
    /// Changes of an account's address.
    AddressChangesOf(i64),
    /// Changes of any account's address to this one (its lookup key), by its hash.
    AddressChangesTo(&'a str),
}

impl Counted<'_> {
    /// The key as stored.
    pub fn key(&self) -> String {
        match self {
            Self::Account(id) => format!("user:{id}"),
            Self::UnknownName(name) => format!("name:{}", token_hash(name)),
            Self::Client(address) => (*address).to_string(),
            Self::PasskeyLogins(address) => format!("passkey:{address}"),
            Self::InSession(id) => format!("in-session:{id}"),
            Self::ResetRequests(email_key) => format!("reset:{email_key}"),
            Self::ConfirmationRequests(id) => format!("verify:{id}"),
            Self::Signups(address) => format!("signup:{address}"),
            Self::AddressChangesOf(id) => format!("address-change:user:{id}"),
            Self::AddressChangesTo(email_key) => format!("address-change:to:{}", token_hash(email_key)),
        }
    }
}

/// Reserves a login attempt (or a password confirmation) for `account` from `client` before
/// the password is checked: the attempt is counted as a failure at once, unless the account
/// or the client is at its limit, in which case the seconds to wait come back and nothing is
/// counted. A check that succeeds clears the account's count, its reservation included.
pub async fn reserve(
    store: &Store,
    account: Counted<'_>,
    client: Counted<'_>,
    now: i64,
    limits: AttemptLimits,
) -> Result<Option<i64>, StoreError> {
    count_under(
        store,
        (account, limits.per_account),
        (client, limits.per_client),
        now,
        limits.window_secs,
    )
    .await
}

/// Takes back one reservation of `account` from `client`, made by [`reserve`] for a check
/// that turned out right but does not complete a login (a right password of an account that
/// still wants a code): the account's other failures stay counted.
pub async fn release(store: &Store, account: Counted<'_>, client: Counted<'_>) -> Result<(), StoreError> {
    store
        .execute(
            "DELETE FROM login_failures WHERE id = (SELECT max(id) FROM login_failures WHERE account_key = ?1 AND client_addr = ?2)",
            args![account.key(), client.key()],
        )
        .await
        .map(drop)
}

/// Counts a request that is limited like failed logins (asking for a mailed link): the
/// seconds to wait when `key` or the client is at its limit, else the request is counted
/// and `None` comes back.
pub async fn count_request(
    store: &Store,
    key: Counted<'_>,
    client: Counted<'_>,
    now: i64,
    limits: AttemptLimits,
) -> Result<Option<i64>, StoreError> {
    // The same two limits as a login attempt's.
    reserve(store, key, client, now, limits).await
}

/// Reserves a login with a passkey from `client` before the passkey is checked, like
/// [`reserve`]: counted as a failed login of the address at once (the address's limit is
/// the same for passwords and passkeys), unless the address is at its limit, in which case
/// the seconds to wait come back. A passkey that works takes the reservation back
/// ([`release`] with the same two keys).
pub async fn reserve_passkey_login(store: &Store, client: &str, now: i64, limits: AttemptLimits) -> Result<Option<i64>, StoreError> {
    count_under(
        store,
        (Counted::PasskeyLogins(client), limits.per_client),
        (Counted::Client(client), limits.per_client),
        now,
        limits.window_secs,
    )
    .await
}

/// Counts a sign-up from `client`: the seconds to wait when the address has made too many
/// lately, else the sign-up is counted and `None` comes back. Its row has the same key in
/// both columns, so that it is not counted as a failed login of the address.
pub async fn count_signup(store: &Store, client: &str, now: i64, limits: AttemptLimits) -> Result<Option<i64>, StoreError> {
    let signups = (Counted::Signups(client), limits.signups_per_client);
    count_under(store, signups, signups, now, limits.window_secs).await
}

/// Counts a change of `user_id`'s address to `email_key`: the seconds to wait when the
/// account has changed its address, or accounts have changed theirs to this one, as often as
/// an account may fail to log in (`per_account`) within the window; else the change is
/// counted and `None` comes back.
pub async fn count_address_change(
    store: &Store,
    user_id: i64,
    email_key: &str,
    now: i64,
    limits: AttemptLimits,
) -> Result<Option<i64>, StoreError> {
    count_under(
        store,
        (Counted::AddressChangesOf(user_id), limits.per_account),
        (Counted::AddressChangesTo(email_key), limits.per_account),
        now,
        limits.window_secs,
    )
    .await
}

/// Counts one attempt against `first` (the `account_key` column) and `second` (the
/// `client_addr` column), each with its limit within the window: `None` when it was
/// counted, or the seconds until the window frees up (at least one) when either is at its
/// limit and nothing was counted.
async fn count_under(
    store: &Store,
    (first, first_limit): (Counted<'_>, i64),
    (second, second_limit): (Counted<'_>, i64),
    now: i64,
    window_secs: i64,
) -> Result<Option<i64>, StoreError> {
    let (first, second) = (first.key(), second.key());
    let since = now - window_secs;
    let mut statements: Vec<Statement> = [&first, &second]
        .iter()
        .filter_map(|key| store.serialize_on(&format!("login_failures:{key}")))
        .collect();
    statements.push(Statement::new(
        "INSERT INTO login_failures (account_key, client_addr, failed_at)
         SELECT ?1, ?2, ?3
         WHERE (SELECT count(*) FROM login_failures WHERE account_key = ?1 AND failed_at > ?4) < ?5
           AND (SELECT count(*) FROM login_failures WHERE client_addr = ?2 AND failed_at > ?4) < ?6",
        args![first.as_str(), second.as_str(), now, since, first_limit, second_limit],
    ));
    if store.transaction(statements).await?.last() == Some(&1) {
        return Ok(None);
    }
    let first_full = limit_reached_at(store, "account_key", &first, since, first_limit).await?;
    let second_full = limit_reached_at(store, "client_addr", &second, since, second_limit).await?;
    Ok(Some(
        first_full
            .into_iter()
            .chain(second_full)
            .max()
            .map_or(1, |counted_at| (counted_at + window_secs - now).max(1)),
    ))
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

/// Forgets an account's failures once it has proven its password.
pub async fn clear_account(store: &Store, account: Counted<'_>) -> Result<(), StoreError> {
    store
        .execute("DELETE FROM login_failures WHERE account_key = ?1", args![account.key()])
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
