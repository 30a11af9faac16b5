//! Versioned SQL migrations, embedded in the binary. An applied migration is never edited:
//! a change of schema is a new file and a new line below.

use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite::{classify, in_transaction};
use super::{Store, StoreError, now};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sql: &'static str,
}

const SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "accounts_and_desserts",
    sql: include_str!("../../migrations/sqlite/0001_accounts_and_desserts.sql"),
}];

/// One migration and when it was applied (`None`: pending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub version: i64,
    pub name: String,
    pub applied_at: Option<i64>,
}

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

impl Store {
    /// Applies every pending migration, each in its own transaction, and returns the
    /// versions applied. Refuses a database that is newer than this program.
    pub fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.sqlite().write_blocking(|conn| {
            conn.execute(CREATE_LEDGER, []).map_err(classify)?;
            refuse_newer(conn)?;
            let mut applied = Vec::new();
            for migration in SQLITE {
                let done = in_transaction(conn, |tx| {
                    let exists = tx
                        .query_row(
                            "SELECT 1 FROM schema_migrations WHERE version = ?1",
                            [migration.version],
                            |_| Ok(()),
                        )
                        .optional()
                        .map_err(classify)?
                        .is_some();
                    if exists {
                        return Ok(false);
                    }
                    tx.execute_batch(migration.sql)
                        .map_err(|e| StoreError::Internal(format!("migration {} ({}) failed: {e}", migration.version, migration.name)))?;
                    tx.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                        params![migration.version, migration.name, now()],
                    )
                    .map_err(classify)?;
                    Ok(true)
                })?;
                if done {
                    applied.push(migration.version);
                }
            }
            Ok(applied)
        })
    }

    /// Every known migration with its state, then any applied one this program does not know.
    pub fn migration_status(&self) -> Result<Vec<MigrationState>, StoreError> {
        self.sqlite().write_blocking(|conn| {
            conn.execute(CREATE_LEDGER, []).map_err(classify)?;
            let mut statement = conn
                .prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
                .map_err(classify)?;
            let applied: Vec<MigrationState> = statement
                .query_map([], |row| {
                    Ok(MigrationState {
                        version: row.get(0)?,
                        name: row.get(1)?,
                        applied_at: row.get(2)?,
                    })
                })
                .and_then(Iterator::collect)
                .map_err(classify)?;
            let mut states: Vec<MigrationState> = SQLITE
                .iter()
                .map(|m| MigrationState {
                    version: m.version,
                    name: m.name.to_string(),
                    applied_at: applied.iter().find(|a| a.version == m.version).and_then(|a| a.applied_at),
                })
                .collect();
            states.extend(applied.into_iter().filter(|a| SQLITE.iter().all(|m| m.version != a.version)));
            Ok(states)
        })
    }
}

fn refuse_newer(conn: &Connection) -> Result<(), StoreError> {
    let found: Option<i64> = conn
        .query_row("SELECT max(version) FROM schema_migrations", [], |row| row.get(0))
        .map_err(classify)?;
    let known = SQLITE.last().map_or(0, |m| m.version);
    match found {
        Some(found) if found > known => Err(StoreError::SchemaTooNew { found, known }),
        _ => Ok(()),
    }
}
