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
    Migration {
        version: 4,
        name: "mail",
        sql: include_str!("../../migrations/sqlite/0004_mail.sql"),
    },
    Migration {
        version: 5,
        name: "server_state",
        sql: include_str!("../../migrations/sqlite/0005_server_state.sql"),
    },
    Migration {
        version: 6,
        name: "credentials",
        sql: include_str!("../../migrations/sqlite/0006_credentials.sql"),
    },
    Migration {
        version: 7,
        name: "photos",
        sql: include_str!("../../migrations/sqlite/0007_photos.sql"),
    },
    Migration {
        version: 8,
        name: "allergens_and_labels",
        sql: include_str!("../../migrations/sqlite/0008_allergens_and_labels.sql"),
    },
    Migration {
        version: 9,
        name: "lasting_links_and_menu_order",
        sql: include_str!("../../migrations/sqlite/0009_lasting_links_and_menu_order.sql"),
    },
    Migration {
        version: 10,
        name: "currency",
        sql: include_str!("../../migrations/sqlite/0010_currency.sql"),
    },
    Migration {
        version: 11,
        name: "kitchens",
        sql: include_str!("../../migrations/sqlite/0011_kitchens.sql"),
    },
    Migration {
        version: 12,
        name: "two_factor",
        sql: include_str!("../../migrations/sqlite/0012_two_factor.sql"),
    },
    Migration {
        version: 13,
        name: "passkeys",
        sql: include_str!("../../migrations/sqlite/0013_passkeys.sql"),
    },
    Migration {
        version: 14,
        name: "operators",
        sql: include_str!("../../migrations/sqlite/0014_operators.sql"),
    },
    Migration {
        version: 15,
        name: "contents_versions",
        sql: include_str!("../../migrations/sqlite/0015_contents_versions.sql"),
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
    Migration {
        version: 4,
        name: "mail",
        sql: include_str!("../../migrations/postgres/0004_mail.sql"),
    },
    Migration {
        version: 5,
        name: "server_state",
        sql: include_str!("../../migrations/postgres/0005_server_state.sql"),
    },
    Migration {
        version: 6,
        name: "credentials",
        sql: include_str!("../../migrations/postgres/0006_credentials.sql"),
    },
    Migration {
        version: 7,
        name: "photos",
        sql: include_str!("../../migrations/postgres/0007_photos.sql"),
    },
    Migration {
        version: 8,
        name: "allergens_and_labels",
        sql: include_str!("../../migrations/postgres/0008_allergens_and_labels.sql"),
    },
    Migration {
        version: 9,
        name: "lasting_links_and_menu_order",
        sql: include_str!("../../migrations/postgres/0009_lasting_links_and_menu_order.sql"),
    },
    Migration {
        version: 10,
        name: "currency",
        sql: include_str!("../../migrations/postgres/0010_currency.sql"),
    },
    Migration {
        version: 11,
        name: "kitchens",
        sql: include_str!("../../migrations/postgres/0011_kitchens.sql"),
    },
    Migration {
        version: 12,
        name: "two_factor",
        sql: include_str!("../../migrations/postgres/0012_two_factor.sql"),
    },
    Migration {
        version: 13,
        name: "passkeys",
        sql: include_str!("../../migrations/postgres/0013_passkeys.sql"),
    },
    Migration {
        version: 14,
        name: "operators",
        sql: include_str!("../../migrations/postgres/0014_operators.sql"),
    },
    Migration {
        version: 15,
        name: "contents_versions",
        sql: include_str!("../../migrations/postgres/0015_contents_versions.sql"),
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

    /// Applies the pending migrations up to and including `version`: for tests that fill a
    /// database as an older release left it.
    pub async fn migrate_to(&self, version: i64) -> Result<Vec<i64>, StoreError> {
        let known = self.known_migrations();
        let upto = &known[..known.iter().take_while(|m| m.version <= version).count()];
        match &*self.backend {
            Backend::Sqlite(db) => db.write(move |conn| sqlite::migrate(conn, upto)).await,
            Backend::Postgres(db) => db.migrate(upto).await,
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
    use crate::config::DatabaseUrl;
    use crate::store::{PoolSettings, Statement, args};

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

    /// Rows as a release at each version would have written them: what every later
    /// migration must carry through.
    fn rows_at(version: i64) -> Vec<Statement> {
        tagged_rows(version).into_iter().map(|(_, row)| row).collect()
    }

    /// The rows of [`rows_at`] `version` that a release before `since` would not have written.
    fn rows_since(version: i64, since: i64) -> Vec<Statement> {
        tagged_rows(version)
            .into_iter()
            .filter(|(tag, _)| *tag > since)
            .map(|(_, row)| row)
            .collect()
    }

    /// [`rows_at`], each with the version that first wrote such a row.
    fn tagged_rows(version: i64) -> Vec<(i64, Statement)> {
        let mut rows = Vec::new();
        let mut tag: i64;
        let at = |rows: &mut Vec<(i64, Statement)>, tag: i64, row: Statement| rows.push((tag, row));
        // Desserts, labels and menus named their owner until kitchens took over (11).
        let owner = if version >= 11 { "kitchen_id" } else { "user_id" };
        if version >= 1 {
            tag = 1;
            for (id, name) in [(1, "ann"), (2, "bob")] {
                at(
                    &mut rows,
                    tag,
                    Statement::new(
                        "INSERT INTO users (id, username, username_key, email, email_key, name, avatar, password_hash, created_at)
                     VALUES (?1, ?2, ?2, ?3, ?3, ?4, NULL, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 1000)",
                        args![id, name, format!("{name}@example.com"), format!("{name} Lee")],
                    ),
                );
                if version >= 11 {
                    at(
                        &mut rows,
                        tag,
                        Statement::new(
                            "INSERT INTO kitchens (id, name, personal_of, currency, created_at) VALUES (?1, ?2, ?1, 'USD', 1000)",
                            args![id, name],
                        ),
                    );
                    at(
                        &mut rows,
                        tag,
                        Statement::new(
                            "INSERT INTO memberships (kitchen_id, user_id, role, joined_at) VALUES (?1, ?1, 'owner', 1000)",
                            args![id],
                        ),
                    );
                }
            }
            for (id, kitchen, name, cents, liked) in [
                (1, 1, "Apple Pie", 450, true),
                (2, 1, "Brownie", 200, false),
                (3, 2, "Cake", 0, false),
            ] {
                at(&mut rows, tag, Statement::new(
                    format!(
                        "INSERT INTO desserts (id, {owner}, name, name_key, price_cents, calories, origin, image_url, liked, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, 300, 'France', 'https://example.com/a.png', ?6, 1000, 2000)"
                    ),
                    args![id, kitchen, name, name.to_lowercase(), cents, liked],
                ));
            }
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, flash, created_at, last_seen_at, expires_at)
                 VALUES ('abc', 1, 'token', 'hello', 1000, 1000, 99999999999)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO login_failures (account_key, client_addr, failed_at) VALUES ('user:2', '127.0.0.1', 1000)",
                    vec![],
                ),
            );
        }
        if version >= 2 {
            tag = 2;
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (1, 'deadbeef', 1000)",
                    vec![],
                ),
            );
        }
        if version >= 3 {
            tag = 3;
            at(
                &mut rows,
                tag,
                Statement::new(
                    format!(
                        "INSERT INTO menus (id, {owner}, name, name_key, public_slug, created_at) VALUES (1, 1, 'Summer', 'summer', NULL, 1000)"
                    ),
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    format!("INSERT INTO menu_desserts (menu_id, dessert_id, {owner}, added_at) VALUES (1, 2, 1, 1000)"),
                    vec![],
                ),
            );
        }
        if version >= 4 {
            tag = 4;
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO email_verifications (user_id, email_key, verified_at) VALUES (1, 'ann@example.com', 1000)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO mail_tokens (token_hash, user_id, purpose, email_key, created_at, expires_at)
                 VALUES ('cafe', 2, 'reset_password', 'bob@example.com', 1000, 4600)",
                    vec![],
                ),
            );
        }
        if version >= 5 {
            tag = 5;
            at(
                &mut rows,
                tag,
                Statement::new("INSERT INTO write_probe (id, written_at) VALUES (1, 1000)", vec![]),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO server_keys (name, value, created_at) VALUES ('form_key', 'secret', 1000)",
                    vec![],
                ),
            );
        }
        if version >= 6 {
            tag = 6;
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, flash, created_at, last_seen_at, expires_at, client, client_addr)
                 VALUES ('def', 2, 'token', NULL, 1000, 1000, 99999999999, 'Firefox on Linux', '192.0.2.7')",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at, last_used_at, client, client_addr)
                 VALUES (2, 'beef', 1000, 2000, 1500, 'curl', '192.0.2.7')",
                    vec![],
                ),
            );
        }
        if version >= 7 {
            tag = 7;
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO photos (dessert_id, content_type, width, height, byte_size, digest, thumbnail_content_type,
                                     thumbnail_width, thumbnail_height, thumbnail_byte_size, thumbnail_digest, created_at,
                                     thumbnail, image)
                 VALUES (1, 'image/jpeg', 1600, 1200, 3, 'abc', 'image/jpeg', 400, 300, 2, 'def', 1000, ?1, ?2)",
                    args![vec![1u8, 2], vec![0u8, 255, 7]],
                ),
            );
        }
        if version >= 8 {
            tag = 8;
            at(
                &mut rows,
                tag,
                Statement::new(
                    format!("INSERT INTO labels (id, {owner}, name, name_key, created_at) VALUES (1, 1, 'Vegan', 'vegan', 1000)"),
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    format!("INSERT INTO dessert_labels (dessert_id, label_id, {owner}) VALUES (1, 1, 1)"),
                    vec![],
                ),
            );
        }
        if version >= 9 {
            tag = 9;
            at(
                &mut rows,
                tag,
                Statement::new(
                    format!(
                        "INSERT INTO menus (id, {owner}, name, name_key, public_slug, created_at, published)
                     VALUES (2, 1, 'Winter', 'winter', 'kept-while-unpublished', 1000, FALSE)"
                    ),
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    format!("INSERT INTO menu_desserts (menu_id, dessert_id, {owner}, added_at, position) VALUES (2, 1, 1, 1000, 1)"),
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new("UPDATE users SET public_name = 'Café Lee' WHERE id = 1", vec![]),
            );
        }
        if version >= 10 {
            tag = 10;
            at(
                &mut rows,
                tag,
                Statement::new("UPDATE users SET currency = 'EUR' WHERE id = 2", vec![]),
            );
        }
        if version >= 11 {
            tag = 11;
            // Ann's café, shared with Bob as an editor, with a dessert, a pending invitation,
            // and Bob's session working in it.
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO kitchens (id, name, personal_of, currency, created_at) VALUES (3, 'Café Lee', NULL, 'EUR', 2000)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO memberships (kitchen_id, user_id, role, joined_at) VALUES (3, 1, 'owner', 2000), (3, 2, 'editor', 2100)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO desserts (id, kitchen_id, name, name_key, price_cents, calories, liked, created_at, updated_at)
                 VALUES (4, 3, 'Apple Pie', 'apple pie', 500, 300, FALSE, 2000, 2000)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO invitations (token_hash, kitchen_id, email, email_key, role, invited_by, created_at, expires_at, used_at)
                 VALUES ('feed', 3, 'Cy@example.com', 'cy@example.com', 'viewer', 1, 2000, 606800, NULL)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new("UPDATE sessions SET kitchen_id = 3 WHERE user_id = 2", vec![]),
            );
        }
        if version >= 12 {
            tag = 12;
            // Ann uses one-time codes, with a recovery code used and one left; a login of
            // Bob's waits for his code.
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO totp (user_id, secret, enabled, last_step, created_at) VALUES (1, 'JBSWY3DPEHPK3PXP', TRUE, 59000000, 3000)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES (1, 'aaaa', 3100), (1, 'bbbb', NULL)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, flash, created_at, last_seen_at, expires_at, pending_user_id)
                     VALUES ('ghi', NULL, 'token', NULL, 3000, 3000, 99999999999, 2)",
                    vec![],
                ),
            );
        }
        if version >= 13 {
            tag = 13;
            // Ann has a passkey she has used; a login with a passkey is under way.
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO passkeys (id, user_id, credential_id, user_handle, name, passkey, sign_count, created_at, last_used_at)
                     VALUES (1, 1, 'Y3JlZA', '67e55044-10b1-426f-9247-bb680e5fe0c8', 'Phone', '{}', 3, 4000, 4100)",
                    vec![],
                ),
            );
            at(
                &mut rows,
                tag,
                Statement::new(
                    "INSERT INTO sessions (id_hash, user_id, csrf_token, flash, created_at, last_seen_at, expires_at, ceremony)
                     VALUES ('jkl', NULL, 'token', NULL, 4000, 4000, 99999999999, '{}')",
                    vec![],
                ),
            );
        }
        if version >= 14 {
            tag = 14;
            // Ann is an admin who has logged in; Bob is disabled.
            at(
                &mut rows,
                tag,
                Statement::new("UPDATE users SET is_admin = TRUE, last_login_at = 5000 WHERE id = 1", vec![]),
            );
            at(
                &mut rows,
                tag,
                Statement::new("UPDATE users SET disabled_at = 5100 WHERE id = 2", vec![]),
            );
        }
        rows
    }

    /// Each table with the version that made it.
    const TABLES: [(&str, i64); 20] = [
        ("users", 1),
        ("desserts", 1),
        ("sessions", 1),
        ("login_failures", 1),
        ("api_tokens", 2),
        ("menus", 3),
        ("menu_desserts", 3),
        ("email_verifications", 4),
        ("mail_tokens", 4),
        ("write_probe", 5),
        ("server_keys", 5),
        ("photos", 7),
        ("labels", 8),
        ("dessert_labels", 8),
        ("kitchens", 11),
        ("memberships", 11),
        ("invitations", 11),
        ("totp", 12),
        ("recovery_codes", 12),
        ("passkeys", 13),
    ];

    /// The tables a database at `version` has.
    fn tables_at(version: i64) -> Vec<&'static str> {
        TABLES.iter().filter(|(_, made)| *made <= version).map(|(name, _)| *name).collect()
    }

    async fn every_row(store: &Store, tables: &[&str]) -> Vec<Vec<Vec<crate::store::Param>>> {
        let queries: Vec<String> = tables.iter().map(|t| format!("SELECT * FROM {t} ORDER BY 1, 2")).collect();
        let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
        store.fetch_snapshot(&queries).await.unwrap()
    }

    /// For each migration: a database at the version before it, filled, then migrated to
    /// the newest version, keeps every row as it was.
    async fn every_migration_keeps_every_row(open: impl AsyncFn() -> Store) {
        for migration in SQLITE {
            let store = open().await;
            let before = migration.version - 1;
            store.migrate_to(before).await.unwrap();
            store.transaction(rows_at(before)).await.unwrap();
            let tables = tables_at(before);
            let rows = every_row(&store, &tables).await;
            assert!(rows.iter().all(|table| !table.is_empty()), "every table has rows at {before}");
            let applied = store.migrate().await.unwrap();
            assert_eq!(applied.first(), Some(&migration.version));
            // A migration may add columns (at the end): the columns there were keep their values.
            let after: Vec<Vec<Vec<crate::store::Param>>> = every_row(&store, &tables)
                .await
                .into_iter()
                .zip(&rows)
                .map(|(table, old)| {
                    let width = old.first().map_or(0, Vec::len);
                    table
                        .into_iter()
                        .map(|mut row| {
                            row.truncate(width);
                            row
                        })
                        .collect()
                })
                .collect();
            assert_eq!(after, rows, "rows after migrating from {before}");
            // And the newest schema takes new rows of every kind.
            store
                .transaction(rows_since(SQLITE.last().unwrap().version, before))
                .await
                .unwrap_or_else(|e| panic!("new rows after migrating from {before}: {e:?}"));
        }
    }

    /// Menus published before version 9 stay published under their link, and the desserts
    /// of a menu take positions in the order the menu showed them (by name).
    async fn menus_keep_their_links_and_order(store: Store) {
        store.migrate_to(8).await.unwrap();
        let mut rows = rows_at(8);
        rows.push(Statement::new(
            "INSERT INTO menus (id, user_id, name, name_key, public_slug, created_at) VALUES (2, 1, 'Live', 'live', 'abc', 1000)",
            vec![],
        ));
        for dessert in [2, 1] {
            rows.push(Statement::new(
                "INSERT INTO menu_desserts (menu_id, dessert_id, user_id, added_at) VALUES (2, ?1, 1, 1000)",
                args![dessert],
            ));
        }
        store.transaction(rows).await.unwrap();
        store.migrate().await.unwrap();
        let menus: Vec<(i64, Option<String>, bool)> = store
            .fetch_all("SELECT id, public_slug, published FROM menus ORDER BY id", vec![], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .await
            .unwrap();
        assert_eq!(menus, [(1, None, false), (2, Some("abc".to_string()), true)]);
        let positions: Vec<(i64, i64, i64)> = store
            .fetch_all(
                "SELECT menu_id, dessert_id, position FROM menu_desserts ORDER BY menu_id, position",
                vec![],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .await
            .unwrap();
        // Apple Pie (1) before Brownie (2) by name, whatever order they were added in.
        assert_eq!(positions, [(1, 2, 1), (2, 1, 1), (2, 2, 2)]);
    }

    /// Every account gets a personal kitchen with its id, its currency and its desserts,
    /// labels and menus, and is its owner; kitchens made later take ids past them.
    async fn accounts_get_their_personal_kitchens(store: Store) {
        store.migrate_to(10).await.unwrap();
        store.transaction(rows_at(10)).await.unwrap();
        store.migrate().await.unwrap();
        let kitchens: Vec<(i64, String, Option<i64>, String)> = store
            .fetch_all("SELECT id, name, personal_of, currency FROM kitchens ORDER BY id", vec![], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .await
            .unwrap();
        assert_eq!(
            kitchens,
            [
                (1, "ann".to_string(), Some(1), "USD".to_string()),
                (2, "bob".to_string(), Some(2), "EUR".to_string())
            ]
        );
        let members: Vec<(i64, i64, String)> = store
            .fetch_all("SELECT kitchen_id, user_id, role FROM memberships ORDER BY 1, 2", vec![], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .await
            .unwrap();
        assert_eq!(members, [(1, 1, "owner".to_string()), (2, 2, "owner".to_string())]);
        let owners = |table: &'static str| {
            let sql = format!("SELECT id, kitchen_id FROM {table} ORDER BY id");
            let store = store.clone();
            async move {
                store
                    .fetch_all(&sql, vec![], |row| Ok((row.get::<i64>(0)?, row.get::<i64>(1)?)))
                    .await
                    .unwrap()
            }
        };
        assert_eq!(owners("desserts").await, [(1, 1), (2, 1), (3, 2)]);
        assert_eq!(owners("menus").await, [(1, 1), (2, 1)]);
        assert_eq!(owners("labels").await, [(1, 1)]);
        let made: Option<i64> = store
            .write_optional(
                "INSERT INTO kitchens (name, created_at) VALUES ('New', 1) RETURNING id",
                vec![],
                |row| row.get(0),
            )
            .await
            .unwrap();
        assert_eq!(made, Some(3));
        // The composite keys now hold per kitchen: a menu of kitchen 1 cannot hold kitchen 2's dessert.
        let crossed = store
            .execute(
                "INSERT INTO menu_desserts (menu_id, dessert_id, kitchen_id, added_at, position) VALUES (1, 3, 1, 1, 9)",
                vec![],
            )
            .await;
        assert!(crossed.is_err());
        // Deleting an account takes its personal kitchen and everything in it.
        store.execute("DELETE FROM users WHERE id = 2", vec![]).await.unwrap();
        assert_eq!(owners("desserts").await, [(1, 1), (2, 1)]);
    }

    #[tokio::test]
    async fn sqlite_accounts_get_their_personal_kitchens() {
        let dir = tempfile::tempdir().unwrap();
        accounts_get_their_personal_kitchens(Store::open(&DatabaseUrl::Sqlite(dir.path().join("k.db")), PoolSettings::default()).unwrap())
            .await;
    }

    #[tokio::test]
    async fn sqlite_menus_keep_their_links_and_order() {
        let dir = tempfile::tempdir().unwrap();
        menus_keep_their_links_and_order(Store::open(&DatabaseUrl::Sqlite(dir.path().join("m.db")), PoolSettings::default()).unwrap())
            .await;
    }

    #[tokio::test]
    async fn every_sqlite_migration_keeps_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let count = std::sync::atomic::AtomicU32::new(0);
        every_migration_keeps_every_row(async || {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Store::open(&DatabaseUrl::Sqlite(dir.path().join(format!("{n}.db"))), PoolSettings::default()).unwrap()
        })
        .await;
    }

    /// On PostgreSQL when `DESSERTS_TEST_DATABASE_URL` names a server; each step on a new
    /// database, dropped afterwards.
    #[tokio::test]
    #[ignore = "PostgreSQL only: the PostgreSQL leg of .ci/run runs it (DESSERTS_TEST_DATABASE_URL, --include-ignored)"]
    async fn every_postgres_migration_keeps_every_row() {
        let admin = std::env::var("DESSERTS_TEST_DATABASE_URL").expect("this test needs PostgreSQL: set DESSERTS_TEST_DATABASE_URL");
        let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let names = std::sync::Mutex::new(Vec::new());
        let open = async || {
            let name = format!("desserts_migration_{}_{}", std::process::id(), names.lock().unwrap().len());
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
            names.lock().unwrap().push(name.clone());
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&name);
            Store::open(&url.as_str().parse().unwrap(), PoolSettings::default()).unwrap()
        };
        every_migration_keeps_every_row(&open).await;
        menus_keep_their_links_and_order(open().await).await;
        accounts_get_their_personal_kitchens(open().await).await;
        for name in names.into_inner().unwrap() {
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
        }
    }
}
