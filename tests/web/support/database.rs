//! A fresh database for each test: an SQLite file in a temporary folder or, when
//! `DESSERTS_TEST_DATABASE_URL` names a PostgreSQL server, a new database on it that is
//! dropped when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

use desserts::config::DatabaseUrl;
use tempfile::TempDir;

pub const POSTGRES_ENV: &str = "DESSERTS_TEST_DATABASE_URL";

pub struct TestDb {
    /// What `DATABASE_URL` would say, for the binary.
    pub url: String,
    _dir: TempDir,
    postgres: Option<PostgresDb>,
}

struct PostgresDb {
    admin_url: String,
    name: String,
}

impl TestDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty()) {
            None => Self {
                url: format!("sqlite://{}", dir.path().join("desserts.db").display()),
                _dir: dir,
                postgres: None,
            },
            Some(admin_url) => {
                static NEXT: AtomicU32 = AtomicU32::new(0);
                let name = format!(
                    "desserts_test_{}_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed),
                    rand_suffix()
                );
                admin(&admin_url, format!("CREATE DATABASE {name}"));
                let mut url = url::Url::parse(&admin_url).expect("DESSERTS_TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    _dir: dir,
                    postgres: Some(PostgresDb { admin_url, name }),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub fn database_url(&self) -> DatabaseUrl {
        self.url.parse().expect("test database URL")
    }

    /// Runs SQL straight on the database, behind the application's back: to age a row, say.
    pub fn run_sql(&self, sql: &str) {
        match self.database_url() {
            DatabaseUrl::Postgres(_) => admin(&self.url, sql.to_string()),
            DatabaseUrl::Sqlite(path) => rusqlite::Connection::open(path)
                .and_then(|conn| conn.execute_batch(sql))
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
        }
    }
}

impl TestDb {
    /// The one number a query such as `SELECT count(*) FROM photos` answers, read behind
    /// the application's back.
    pub fn count(&self, sql: &str) -> i64 {
        match self.database_url() {
            DatabaseUrl::Sqlite(path) => rusqlite::Connection::open(path)
                .and_then(|conn| conn.query_row(sql, [], |row| row.get(0)))
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
            DatabaseUrl::Postgres(_) => {
                let (url, sql) = (self.url.clone(), sql.to_string());
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    runtime.block_on(async {
                        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
                        tokio::spawn(connection);
                        client
                            .query_one(&sql, &[])
                            .await
                            .unwrap_or_else(|e| panic!("{sql}: {e}"))
                            .get::<_, i64>(0)
                    })
                })
                .join()
                .expect("query thread")
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(db) = &self.postgres {
            admin(&db.admin_url, format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name));
        }
    }
}

fn rand_suffix() -> u32 {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("random");
    u32::from_le_bytes(bytes)
}

/// Runs one statement on the admin connection, on a thread of its own so that it works
/// from inside and outside an async test alike.
fn admin(admin_url: &str, sql: String) {
    let admin_url = admin_url.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("cannot reach {POSTGRES_ENV}: {e}"));
            tokio::spawn(connection);
            client.batch_execute(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    })
    .join()
    .expect("admin statement");
}
