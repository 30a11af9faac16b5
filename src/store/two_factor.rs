//! One-time codes and recovery codes of an account, and logins waiting for a code. The
//! secret is read here and by nothing that logs or exports it.

use super::{Statement, Store, StoreError, args, now};

/// An account's one-time code settings.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpState {
    /// Base32; never shown again once codes are on.
    pub secret: String,
    pub enabled: bool,
}

impl std::fmt::Debug for TotpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpState").field("enabled", &self.enabled).finish_non_exhaustive()
    }
}

pub async fn totp(store: &Store, user_id: i64) -> Result<Option<TotpState>, StoreError> {
    store
        .fetch_optional("SELECT secret, enabled FROM totp WHERE user_id = ?1", args![user_id], |row| {
            Ok(TotpState {
                secret: row.get(0)?,
                enabled: row.get(1)?,
            })
        })
        .await
}

/// Keeps `secret` as the one to be confirmed by a first code, in place of one not yet
/// confirmed; nothing when codes are on already. True when it was kept.
pub async fn start(store: &Store, user_id: i64, secret: &str) -> Result<bool, StoreError> {
    let changed = store
        .execute(
            "INSERT INTO totp (user_id, secret, enabled, last_step, created_at) VALUES (?1, ?2, FALSE, 0, ?3)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at
             WHERE totp.enabled = FALSE",
            args![user_id, secret, now()],
        )
        .await?;
    Ok(changed > 0)
}

/// Turns codes on with the secret being confirmed, the code of `step` used, and new
/// recovery codes, in one transaction. False, changing nothing, when there was no such
/// secret waiting (codes already on, or another started) or that step's code was used.
pub async fn enable(store: &Store, user_id: i64, secret: &str, step: i64, recovery_hashes: &[String]) -> Result<bool, StoreError> {
    // Every statement is conditioned on the state before the change, and the change comes
    // last: all of them apply, or none. On PostgreSQL the account's lock keeps a second
    // request from reading the same state meanwhile.
    const WAITING: &str = "EXISTS (SELECT 1 FROM totp WHERE user_id = ?1 AND secret = ?2 AND enabled = FALSE AND last_step < ?3)";
    let mut statements: Vec<Statement> = store.serialize_on(&format!("totp:{user_id}")).into_iter().collect();
    statements.push(Statement::new(
        format!("DELETE FROM recovery_codes WHERE user_id = ?1 AND {WAITING}"),
        args![user_id, secret, step],
    ));
    statements.extend(recovery_hashes.iter().map(|hash| {
        Statement::new(
            format!("INSERT INTO recovery_codes (user_id, code_hash, used_at) SELECT ?1, ?4, NULL WHERE {WAITING}"),
            args![user_id, secret, step, hash.as_str()],
        )
    }));
    statements.push(Statement::new(
        "UPDATE totp SET enabled = TRUE, last_step = ?3 WHERE user_id = ?1 AND secret = ?2 AND enabled = FALSE AND last_step < ?3",
        args![user_id, secret, step],
    ));
    let changed = store.transaction(statements).await?;
    Ok(changed.last() == Some(&1))
}

/// Takes the code of `step` for the account, once: true when no code of that step or a
/// later one was taken before.
pub async fn use_step(store: &Store, user_id: i64, step: i64) -> Result<bool, StoreError> {
    let changed = store
        .execute(
            "UPDATE totp SET last_step = ?2 WHERE user_id = ?1 AND enabled AND last_step < ?2",
            args![user_id, step],
        )
        .await?;
    Ok(changed == 1)
}

/// Uses one of the account's recovery codes, once: true when it was one not used before.
pub async fn use_recovery_code(store: &Store, user_id: i64, code_hash: &str) -> Result<bool, StoreError> {
    let changed = store
        .execute(
            "UPDATE recovery_codes SET used_at = ?3 WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL
             AND EXISTS (SELECT 1 FROM totp WHERE totp.user_id = ?1 AND totp.enabled)",
            args![user_id, code_hash, now()],
        )
        .await?;
    Ok(changed == 1)
}

/// Gives the account new recovery codes in place of all it had.
pub async fn new_recovery_codes(store: &Store, user_id: i64, hashes: &[String]) -> Result<(), StoreError> {
    let mut statements = vec![Statement::new("DELETE FROM recovery_codes WHERE user_id = ?1", args![user_id])];
    statements.extend(hashes.iter().map(|hash| {
        Statement::new(
            "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?1, ?2, NULL)",
            args![user_id, hash.as_str()],
        )
    }));
    store.transaction(statements).await.map(drop)
}

/// How many of the account's recovery codes are still unused.
pub async fn recovery_codes_left(store: &Store, user_id: i64) -> Result<i64, StoreError> {
    store
        .fetch_one(
            "SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
            args![user_id],
            |row| row.get(0),
        )
        .await
}

/// Turns codes off: the secret and the recovery codes go.
pub async fn disable(store: &Store, user_id: i64) -> Result<(), StoreError> {
    store
        .transaction(vec![
            Statement::new("DELETE FROM totp WHERE user_id = ?1", args![user_id]),
            Statement::new("DELETE FROM recovery_codes WHERE user_id = ?1", args![user_id]),
        ])
        .await
        .map(drop)
}

/// An account's one-time code settings as stored: what `export --with-secrets` moves.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpRow {
    pub user_id: i64,
    pub secret: String,
    pub enabled: bool,
    pub last_step: i64,
    pub created_at: i64,
}

impl std::fmt::Debug for TotpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRow")
            .field("user_id", &self.user_id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// A recovery code as stored: its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCodeRow {
    pub user_id: i64,
    pub code_hash: String,
    pub used_at: Option<i64>,
}

pub(super) fn all_rows_query() -> String {
    "SELECT user_id, secret, enabled, last_step, created_at FROM totp ORDER BY user_id".into()
}

pub(super) fn all_recovery_codes_query() -> String {
    "SELECT user_id, code_hash, used_at FROM recovery_codes ORDER BY user_id, code_hash".into()
}

pub(super) fn row_from_row(row: &super::Row<'_>) -> Result<TotpRow, StoreError> {
    Ok(TotpRow {
        user_id: row.get(0)?,
        secret: row.get(1)?,
        enabled: row.get(2)?,
        last_step: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub(super) fn recovery_code_from_row(row: &super::Row<'_>) -> Result<RecoveryCodeRow, StoreError> {
    Ok(RecoveryCodeRow {
        user_id: row.get(0)?,
        code_hash: row.get(1)?,
        used_at: row.get(2)?,
    })
}

pub(super) fn restore(row: TotpRow) -> Statement {
    Statement::new(
        "INSERT INTO totp (user_id, secret, enabled, last_step, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![row.user_id, row.secret, row.enabled, row.last_step, row.created_at],
    )
}

pub(super) fn restore_recovery_code(row: RecoveryCodeRow) -> Statement {
    Statement::new(
        "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (?1, ?2, ?3)",
        args![row.user_id, row.code_hash, row.used_at],
    )
}

/// How many accounts have one-time codes on.
pub async fn accounts_with_codes(store: &Store) -> Result<i64, StoreError> {
    store
        .fetch_one("SELECT count(*) FROM totp WHERE enabled", vec![], |row| row.get(0))
        .await
}
