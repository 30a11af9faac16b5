//! Versioned SQL migrations, embedded in the binary, one list per backend. An applied
//! migration is never edited: a change of schema is a new file in each folder and a new
//! line in each list below, with the same version on both backends.

use super::{Backend, Store, StoreError, sqlite};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub(super) sql: &'static str,
}

const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts_and_desserts",
        sql: include_str!("../../migrations/sqlite/0001_accounts_and_desserts.sql"),
    },
    Migration {
        version: 2,
        name: "api_tokens",
        sql: include_str!("../../migrations/sqlite/0002_api_tokens.sql"),
    },
    Migration {
        version: 3,
        name: "menus",
        sql: include_str!("../../migrations/sqlite/0003_menus.sql"),
    },
];

const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts_and_desserts",
        sql: include_str!("../../migrations/postgres/0001_accounts_and_desserts.sql"),
    },
    Migration {
        version: 2,
        name: "api_tokens",
        sql: include_str!("../../migrations/postgres/0002_api_tokens.sql"),
    },
    Migration {
        version: 3,
        name: "menus",
        sql: include_str!("../../migrations/postgres/0003_menus.sql"),
    },
];

/// One migration and when it was applied (`None`: pending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub version: i64,
    pub name: String,
    pub applied_at: Option<i64>,
}

impl Store {
    fn known_migrations(&self) -> &'static [Migration] {
        match &*self.backend {
            Backend::Sqlite(_) => SQLITE,
            Backend::Postgres(_) => POSTGRES,
        }
    }

    /// Applies every pending migration, each in its own transaction, and returns the
    /// versions applied. Refuses a database that is newer than this program.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(db) => db.write(|conn| sqlite::migrate(conn, SQLITE)).await,
            Backend::Postgres(db) => db.migrate(POSTGRES).await,
        }
    }

    /// Every known migration with its state, then any applied one this program does not know.
    pub async fn migration_status(&self) -> Result<Vec<MigrationState>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(db) => db.write(sqlite::create_ledger).await?,
            Backend::Postgres(db) => db.create_ledger().await?,
        }
        let applied = self
            .fetch_all(
                "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
                vec![],
                |row| {
                    Ok(MigrationState {
                        version: row.get(0)?,
                        name: row.get(1)?,
                        applied_at: row.get(2)?,
                    })
                },
            )
            .await?;
        let known = self.known_migrations();
        let mut states: Vec<MigrationState> = known
            .iter()
            .map(|m| MigrationState {
                version: m.version,
                name: m.name.to_string(),
                applied_at: applied.iter().find(|a| a.version == m.version).and_then(|a| a.applied_at),
            })
            .collect();
        states.extend(applied.into_iter().filter(|a| known.iter().all(|m| m.version != a.version)));
        Ok(states)
    }
}

/// Refuses to touch a database that a newer program has migrated past what `known` holds.
pub(super) fn refuse_newer(found: Option<i64>, known: &[Migration]) -> Result<(), StoreError> {
    let known = known.last().map_or(0, |m| m.version);
    match found {
        Some(found) if found > known => Err(StoreError::SchemaTooNew { found, known }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations_in_order() {
        let versions = |list: &[Migration]| list.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
        assert!(SQLITE.windows(2).all(|pair| pair[0].version < pair[1].version));
    }

    #[test]
    fn a_newer_database_is_refused() {
        assert!(refuse_newer(None, SQLITE).is_ok());
        assert!(refuse_newer(Some(1), SQLITE).is_ok());
        let newest = SQLITE.last().expect("a migration").version;
        assert!(matches!(
            refuse_newer(Some(newest + 1), SQLITE),
            Err(StoreError::SchemaTooNew { found, known }) if found == newest + 1 && known == newest
        ));
    }
}
