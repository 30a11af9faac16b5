//! An account's passkeys. Every query that reads or changes one names its account, so
//! another account's passkey is as good as none; a login finds one by its credential id.

use super::{Statement, Store, StoreError, args};
use crate::domain::{PasskeyName, Timestamp};
use crate::passkeys::{NewPasskey, StoredCredential, UsedPasskey};

/// A passkey as its account's security page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySummary {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

pub async fn list(store: &Store, user_id: i64) -> Result<Vec<PasskeySummary>, StoreError> {
    store
        .fetch_all(
            "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = ?1 ORDER BY created_at, id",
            args![user_id],
            |row| {
                Ok(PasskeySummary {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    created_at: Timestamp(row.get(2)?),
                    last_used_at: row.get::<Option<i64>>(3)?.map(Timestamp),
                })
            },
        )
        .await
}

/// The account's passkeys by credential id (for the browser not to make a second one on
/// the same authenticator), and the handle they share, if it has any.
pub async fn credentials_of(store: &Store, user_id: i64) -> Result<(Vec<String>, Option<String>), StoreError> {
    let rows = store
        .fetch_all(
            "SELECT credential_id, user_handle FROM passkeys WHERE user_id = ?1 ORDER BY id",
            args![user_id],
            |row| Ok((row.get::<String>(0)?, row.get::<String>(1)?)),
        )
        .await?;
    let handle = rows.first().map(|(_, handle)| handle.clone());
    Ok((rows.into_iter().map(|(id, _)| id).collect(), handle))
}

/// Keeps `passkey` as `user_id`'s, named `name`. False, keeping nothing, when a passkey with
/// its credential id is kept already (for this account or another).
pub async fn add(store: &Store, user_id: i64, passkey: &NewPasskey, name: &PasskeyName, now: i64) -> Result<bool, StoreError> {
    let added = store
        .execute(
            "INSERT INTO passkeys (user_id, credential_id, user_handle, name, passkey, sign_count, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6) ON CONFLICT (credential_id) DO NOTHING",
            args![
                user_id,
                passkey.credential_id.as_str(),
                passkey.user_handle.as_str(),
                name.as_str(),
                passkey.passkey.as_str(),
                now
            ],
        )
        .await?;
    Ok(added == 1)
}

/// A passkey a login names by its credential id: its id, its account and what checks it.
#[derive(Debug, Clone)]
pub struct FoundPasskey {
    pub id: i64,
    pub user_id: i64,
    pub credential: StoredCredential,
}

pub async fn find_by_credential(store: &Store, credential_id: &str) -> Result<Option<FoundPasskey>, StoreError> {
    store
        .fetch_optional(
            "SELECT passkeys.id, passkeys.user_id, passkeys.user_handle, passkeys.passkey
             FROM passkeys JOIN users ON users.id = passkeys.user_id
             WHERE passkeys.credential_id = ?1 AND users.disabled_at IS NULL",
            args![credential_id],
            |row| {
                Ok(FoundPasskey {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    credential: StoredCredential {
                        user_handle: row.get(2)?,
                        passkey: row.get(3)?,
                    },
                })
            },
        )
        .await
}

/// Records a login with passkey `id`: its counter moves forward (never back, should two
/// logins cross) and it was last used `now`.
pub async fn used(store: &Store, id: i64, used: &UsedPasskey, now: i64) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE passkeys SET passkey = CASE WHEN sign_count <= ?2 THEN ?3 ELSE passkey END,
                                 sign_count = CASE WHEN sign_count <= ?2 THEN ?2 ELSE sign_count END,
                                 last_used_at = ?4
             WHERE id = ?1",
            args![id, used.sign_count, used.passkey.as_str(), now],
        )
        .await
        .map(drop)
}

/// Renames `user_id`'s passkey `id`; false when the account has no such passkey.
pub async fn rename(store: &Store, user_id: i64, id: i64, name: &PasskeyName) -> Result<bool, StoreError> {
    let renamed = store
        .execute(
            "UPDATE passkeys SET name = ?3 WHERE id = ?1 AND user_id = ?2",
            args![id, user_id, name.as_str()],
        )
        .await?;
    Ok(renamed == 1)
}

/// Removes `user_id`'s passkey `id`; false when the account has no such passkey.
pub async fn remove(store: &Store, user_id: i64, id: i64) -> Result<bool, StoreError> {
    let removed = store
        .execute("DELETE FROM passkeys WHERE id = ?1 AND user_id = ?2", args![id, user_id])
        .await?;
    Ok(removed == 1)
}

/// A passkey as an export `--with-secrets` carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasskeyRow {
    pub id: i64,
    pub user_id: i64,
    pub credential_id: String,
    pub user_handle: String,
    pub name: String,
    pub passkey: String,
    pub sign_count: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl std::fmt::Debug for PasskeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasskeyRow")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

pub(super) fn all_rows_query() -> String {
    "SELECT id, user_id, credential_id, user_handle, name, passkey, sign_count, created_at, last_used_at FROM passkeys ORDER BY id".into()
}

pub(super) fn row_from_row(row: &super::Row<'_>) -> Result<PasskeyRow, StoreError> {
    Ok(PasskeyRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        credential_id: row.get(2)?,
        user_handle: row.get(3)?,
        name: row.get(4)?,
        passkey: row.get(5)?,
        sign_count: row.get(6)?,
        created_at: row.get(7)?,
        last_used_at: row.get(8)?,
    })
}

pub(super) fn restore(row: PasskeyRow) -> Statement {
    Statement::new(
        "INSERT INTO passkeys (id, user_id, credential_id, user_handle, name, passkey, sign_count, created_at, last_used_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        args![
            row.id,
            row.user_id,
            row.credential_id,
            row.user_handle,
            row.name,
            row.passkey,
            row.sign_count,
            row.created_at,
            row.last_used_at
        ],
    )
}
