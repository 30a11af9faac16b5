//! The database. Handlers call one function per query (`desserts::list_for_user`) and
//! never see SQL. The query functions are written once, in SQL both backends accept, with
//! SQLite's `?1` placeholders; what differs between SQLite and PostgreSQL (connections,
//! transactions, error codes, migrations' DDL) stays in `sqlite.rs` and `postgres.rs`.

pub mod admin;
pub mod api_tokens;
pub mod attempts;
pub mod desserts;
pub mod dump;
mod kept;
pub mod kitchens;
pub mod labels;
pub mod mail_tokens;
pub mod menus;
pub mod migrations;
pub mod passkeys;
pub mod photos;
mod postgres;
pub mod server_keys;
pub mod sessions;
mod sqlite;
pub mod two_factor;
pub mod users;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::DatabaseUrl;

/// What went wrong in the database, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique rule was broken.
    #[error("{} is already taken", .0.field())]
    Duplicate(UniqueKey),
    #[error("the database is busy or unreachable: {0}")]
    Unavailable(#[source] Fault),
    #[error("the database schema is at version {found}, newer than this program knows ({known}); upgrade desserts")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Internal(#[source] Fault),
}

/// What failed in the store: the step, and the driver's error underneath when there is one
/// (its text is not repeated in the step, so a report reads "step: cause").
#[derive(Debug)]
pub struct Fault {
    step: String,
    cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Fault {
    pub fn new(step: impl Into<String>) -> Self {
        Self {
            step: step.into(),
            cause: None,
        }
    }

    pub fn caused_by(step: impl Into<String>, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            step: step.into(),
            cause: Some(Box::new(cause)),
        }
    }

    /// The step and its cause, in one line.
    pub fn detail(&self) -> String {
        match &self.cause {
            Some(cause) => format!("{}: {cause}", self.step),
            None => self.step.clone(),
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.step)
    }
}

impl std::error::Error for Fault {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

/// What must be unique: each is a unique index, named `table.column` after its last column
/// (a PostgreSQL index is named the same with `_` for `.`: `users_username_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    Username,
    Email,
    DessertName,
    MenuName,
    LabelName,
}

impl UniqueKey {
    const ALL: [Self; 5] = [Self::Username, Self::Email, Self::DessertName, Self::MenuName, Self::LabelName];

    /// The index's column, as `table.column`.
    fn index(self) -> &'static str {
        match self {
            Self::Username => "users.username_key",
            Self::Email => "users.email_key",
            Self::DessertName => "desserts.name_key",
            Self::MenuName => "menus.name_key",
            Self::LabelName => "labels.name_key",
        }
    }

    /// The field of a form or a body that holds the value.
    pub fn field(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Email => "email",
            Self::DessertName | Self::MenuName | Self::LabelName => "name",
        }
    }

    /// The key of the index in SQLite's "UNIQUE constraint failed: users.username_key".
    pub(crate) fn of_sqlite_columns(columns: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|key| columns.ends_with(key.index()))
    }

    /// The key of the PostgreSQL constraint so named (`users_username_key`).
    pub(crate) fn of_postgres_constraint(constraint: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|key| key.index().replace('.', "_") == constraint)
    }
}

/// How long to wait for a connection or a query before answering "unavailable", and how
/// many connections one server process keeps to a PostgreSQL server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    pub max_connections: usize,
    pub timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            timeout: Duration::from_secs(5),
        }
    }
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
    /// Statements sent so far, so that tests can hold a page to a fixed number of queries.
    statements: Arc<AtomicU64>,
    /// When a write last failed for want of the database (a full disk, a lost connection),
    /// in milliseconds since the epoch; 0 once a write has succeeded since.
    write_failed_at: Arc<AtomicI64>,
    /// Logged-in sessions started so far, for the metrics.
    sessions_created: Arc<AtomicU64>,
    /// Pages of kitchens' lists, for the next view of the same page of an unchanged kitchen.
    kept_lists: Arc<kept::Kept<crate::domain::DessertQuery, desserts::DessertPage>>,
}

/// How busy the database connections are now, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreLoad {
    /// Writes under way or waiting for the one writer.
    Sqlite { writes_queued: usize },
    /// Pooled connections lent out, and requests waiting for one.
    Postgres { in_use: usize, waiting: usize },
}

/// Why the health check failed.
#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("database unavailable")]
    Unreachable(#[source] StoreError),
    #[error("database cannot take writes")]
    NotWritable(#[source] StoreError),
}

enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// A value bound to a query parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Int(i64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
    Null,
}

impl From<Vec<u8>> for Param {
    fn from(value: Vec<u8>) -> Self {
        Self::Bytes(value)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Self::Text(value.to_string())
    }
}

impl From<&String> for Param {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// The parameters of one query, in placeholder order: `args![owner, name]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::store::Param::from($value)),*]
    };
}
pub(crate) use args;

/// A type a column can be read as, on either backend.
pub(crate) trait Column: rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a> {}

impl<T: rusqlite::types::FromSql + for<'a> tokio_postgres::types::FromSql<'a>> Column for T {}

/// One result row, from either backend, or copied out of one.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a tokio_postgres::Row),
    Owned(&'a [Param]),
}

impl Row<'_> {
    pub fn get<T: Column>(&self, index: usize) -> Result<T, StoreError> {
        match self {
            Row::Sqlite(row) => row.get(index).map_err(sqlite::classify),
            Row::Postgres(row) => row
                .try_get(index)
                .map_err(|e| StoreError::Internal(Fault::caused_by(format!("column {index}"), e))),
            Row::Owned(values) => {
                use rusqlite::types::ValueRef;
                let value = match values.get(index) {
                    Some(Param::Int(value)) => ValueRef::Integer(*value),
                    Some(Param::Bool(value)) => ValueRef::Integer(i64::from(*value)),
                    Some(Param::Text(value)) => ValueRef::Text(value.as_bytes()),
                    Some(Param::Bytes(value)) => ValueRef::Blob(value),
                    Some(Param::Null) => ValueRef::Null,
                    None => return Err(StoreError::Internal(Fault::new(format!("no column {index}")))),
                };
                T::column_result(value).map_err(|e| StoreError::Internal(Fault::caused_by(format!("column {index}"), e)))
            }
        }
    }
}

/// Turns a row into a value; a plain function, so that it can travel to another thread.
pub(crate) type FromRow<T> = fn(&Row<'_>) -> Result<T, StoreError>;

/// One statement of a transaction.
pub(crate) struct Statement {
    pub sql: String,
    pub args: Vec<Param>,
}

impl Statement {
    pub fn new(sql: impl Into<String>, args: Vec<Param>) -> Self {
        Self { sql: sql.into(), args }
    }
}

impl Store {
    /// Opens the database the URL names, creating an SQLite file if it is missing.
    /// PostgreSQL connections are made when first needed.
    pub fn open(url: &DatabaseUrl, pool: PoolSettings) -> Result<Self, StoreError> {
        let backend = match url {
            DatabaseUrl::Sqlite(path) => Backend::Sqlite(sqlite::Sqlite::open(path)?),
            DatabaseUrl::Postgres(config) => Backend::Postgres(postgres::Postgres::open((**config).clone(), pool)?),
        };
        Ok(Self {
            backend: Arc::new(backend),
            statements: Arc::default(),
            write_failed_at: Arc::default(),
            sessions_created: Arc::default(),
            kept_lists: Arc::default(),
        })
    }

    /// Whether the data is in an SQLite file (rather than on a PostgreSQL server).
    pub fn is_sqlite(&self) -> bool {
        matches!(&*self.backend, Backend::Sqlite(_))
    }

    /// How busy the database connections are now.
    pub fn load(&self) -> StoreLoad {
        match &*self.backend {
            Backend::Sqlite(sqlite) => StoreLoad::Sqlite {
                writes_queued: sqlite.writes_queued(),
            },
            Backend::Postgres(postgres) => {
                let (in_use, waiting) = postgres.connections();
                StoreLoad::Postgres { in_use, waiting }
            }
        }
    }

    /// Logged-in sessions this store (and its clones) has started.
    pub fn sessions_created(&self) -> u64 {
        self.sessions_created.load(Ordering::Relaxed)
    }

    fn count_session(&self) {
        self.sessions_created.fetch_add(1, Ordering::Relaxed);
    }

    /// How many statements this store (and its clones) has sent to the database.
    pub fn statements_sent(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    fn count(&self, statements: usize) {
        self.statements.fetch_add(statements as u64, Ordering::Relaxed);
    }

    /// Copies a live SQLite database into a new file, consistent as of one moment, while
    /// other readers and the server go on (`VACUUM INTO`). PostgreSQL has its own tools.
    pub async fn backup_to(&self, target: &std::path::Path) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(db) => {
                let target = target.to_path_buf();
                db.write(move |conn| sqlite::vacuum_into(conn, &target)).await
            }
            Backend::Postgres(_) => Err(StoreError::Internal(Fault::new(
                "backup copies SQLite files; for PostgreSQL use pg_dump (see docs/deploy.md)",
            ))),
        }
    }

    /// What SQLite's own checks find wrong with the file (`PRAGMA integrity_check` and
    /// `foreign_key_check`), one line each; nothing on PostgreSQL, which keeps itself.
    pub async fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(_) => {
                let mut problems: Vec<String> = self
                    .fetch_all("PRAGMA integrity_check", vec![], |row| row.get(0))
                    .await?
                    .into_iter()
                    .filter(|line: &String| line != "ok")
                    .collect();
                let dangling: Vec<String> = self
                    .fetch_all("PRAGMA foreign_key_check", vec![], |row| {
                        Ok(format!(
                            "{} row {} names a missing {}",
                            row.get::<String>(0)?,
                            row.get::<Option<i64>>(1)?.unwrap_or_default(),
                            row.get::<String>(2)?
                        ))
                    })
                    .await?;
                problems.extend(dangling);
                Ok(problems)
            }
            Backend::Postgres(_) => Ok(Vec::new()),
        }
    }

    /// Answers when the database can run a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.fetch_optional("SELECT 1", vec![], |_| Ok(())).await.map(drop)
    }

    /// Answers when the database can run a query and, if a write failed since the last one
    /// that succeeded, when it can take writes again. A write that failed within
    /// [`WRITE_FAILURE_HOLD`] is answer enough; after that the check tries a write of its
    /// own, so that it recovers without traffic (a full disk shows only on a write).
    pub async fn check_health(&self) -> Result<(), HealthError> {
        self.ping().await.map_err(HealthError::Unreachable)?;
        let failed_at = self.write_failed_at.load(Ordering::Relaxed);
        if failed_at == 0 {
            return Ok(());
        }
        if now_millis() - failed_at < WRITE_FAILURE_HOLD.as_millis() as i64 {
            return Err(HealthError::NotWritable(StoreError::Unavailable(Fault::new(
                "a write failed moments ago",
            ))));
        }
        self.execute(
            "INSERT INTO write_probe (id, written_at) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at",
            args![now_millis()],
        )
        .await
        .map(drop)
        .map_err(HealthError::NotWritable)
    }

    /// Notes whether a write went through, for [`Store::check_health`].
    fn note_write<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match &result {
            Ok(_) => self.write_failed_at.store(0, Ordering::Relaxed),
            Err(StoreError::Unavailable(_)) => self.write_failed_at.store(now_millis().max(1), Ordering::Relaxed),
            Err(_) => {}
        }
        result
    }

    /// The first row of a read-only query, if any.
    pub(crate) async fn fetch_optional<T: Send + 'static>(
        &self,
        sql: &str,
        args: Vec<Param>,
        from_row: FromRow<T>,
    ) -> Result<Option<T>, StoreError> {
        self.count(1);
        match &*self.backend {
            Backend::Sqlite(db) => db.read(|conn| sqlite::fetch_optional(conn, sql, &args, from_row)),
            Backend::Postgres(db) => db.fetch_optional(sql, &args, from_row).await,
        }
    }

    /// The only row of a read-only query that always returns one (`count(*)`).
    pub(crate) async fn fetch_one<T: Send + 'static>(&self, sql: &str, args: Vec<Param>, from_row: FromRow<T>) -> Result<T, StoreError> {
        self.fetch_optional(sql, args, from_row)
            .await?
            .ok_or_else(|| StoreError::Internal(Fault::new("a query that returns a row returned none")))
    }

    /// Every row of a read-only query.
    pub(crate) async fn fetch_all<T: Send + 'static>(
        &self,
        sql: &str,
        args: Vec<Param>,
        from_row: FromRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.count(1);
        match &*self.backend {
            Backend::Sqlite(db) => db.read(|conn| sqlite::fetch_all(conn, sql, &args, from_row)),
            Backend::Postgres(db) => db.fetch_all(sql, &args, from_row).await,
        }
    }

    /// Every row of several read-only queries, all as of one moment (one transaction), as
    /// values to read through [`Row::Owned`].
    pub(crate) async fn fetch_snapshot(&self, queries: &[&str]) -> Result<Vec<Vec<Vec<Param>>>, StoreError> {
        self.count(queries.len());
        match &*self.backend {
            Backend::Sqlite(db) => db.read(|conn| sqlite::snapshot(conn, queries)),
            Backend::Postgres(db) => db.snapshot(queries).await,
        }
    }

    /// A statement that, first in a transaction, makes transactions that name the same
    /// `key` run one at a time: on PostgreSQL an advisory lock held to the end of the
    /// transaction; on SQLite nothing, since its one writer already runs them one at a time.
    pub(crate) fn serialize_on(&self, key: &str) -> Option<Statement> {
        match &*self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(_) => Some(Statement::new("SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))", args![key])),
        }
    }

    /// Statements that, after rows were inserted with their ids, make new rows of `tables`
    /// get ids past them.
    pub(crate) fn resume_ids(&self, tables: &[&str]) -> Vec<Statement> {
        match &*self.backend {
            // An INTEGER PRIMARY KEY takes max(id) + 1 by itself.
            Backend::Sqlite(_) => Vec::new(),
            Backend::Postgres(_) => postgres::resume_ids(tables),
        }
    }

    /// Tells PostgreSQL's planner what a bulk load just wrote (`ANALYZE`). Until autovacuum
    /// gets to it, a table loaded in one transaction has no statistics, and the planner
    /// may scan whole tables for the statements every request runs. SQLite's planner goes
    /// by the indexes alone, so there is nothing to do there.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        match &*self.backend {
            Backend::Sqlite(_) => Ok(()),
            Backend::Postgres(_) => self.transaction(vec![Statement::new("ANALYZE", vec![])]).await.map(drop),
        }
    }

    /// Runs a change that returns at most one row (`... RETURNING`).
    pub(crate) async fn write_optional<T: Send + 'static>(
        &self,
        sql: impl Into<String>,
        args: Vec<Param>,
        from_row: FromRow<T>,
    ) -> Result<Option<T>, StoreError> {
        let sql = sql.into();
        self.count(1);
        let result = match &*self.backend {
            Backend::Sqlite(db) => db.write(move |conn| sqlite::write_returning(conn, &sql, &args, from_row)).await,
            Backend::Postgres(db) => db.fetch_optional(&sql, &args, from_row).await,
        };
        self.note_write(result)
    }

    /// Runs a change and returns how many rows it touched.
    pub(crate) async fn execute(&self, sql: impl Into<String>, args: Vec<Param>) -> Result<u64, StoreError> {
        Ok(self.transaction(vec![Statement::new(sql, args)]).await?[0])
    }

    /// Runs the statements in one transaction, all or nothing, and returns how many rows
    /// each touched.
    pub(crate) async fn transaction(&self, statements: Vec<Statement>) -> Result<Vec<u64>, StoreError> {
        self.count(statements.len());
        let result = match &*self.backend {
            Backend::Sqlite(db) => db.write(move |conn| sqlite::transaction(conn, &statements)).await,
            Backend::Postgres(db) => db.transaction(&statements).await,
        };
        self.note_write(result)
    }
}

/// How long a failed write alone makes the health check fail.
const WRITE_FAILURE_HOLD: Duration = Duration::from_secs(10);

/// `?2, ?3, ...` for `ids` (`NULL` for none, which matches nothing), and the values: the
/// kitchen as `?1`, then the ids.
pub(crate) fn kitchen_and_ids(kitchen_id: i64, ids: impl Iterator<Item = i64>) -> (String, Vec<Param>) {
    let mut values = args![kitchen_id];
    values.extend(ids.map(Param::from));
    let list = if values.len() == 1 {
        "NULL".to_string()
    } else {
        (2..=values.len()).map(|n| format!("?{n}")).collect::<Vec<_>>().join(", ")
    };
    (list, values)
}

pub fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// How precisely the last use of a session or an API token is kept: it is written again
/// only when the stored one is older than this, to spare a write per request.
pub const LAST_USED_PRECISION_SECS: i64 = 3600;

/// Seconds since the Unix epoch, UTC: how every time is stored.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After a failed write is old news, the health check writes to learn whether writes
    /// work again, and a success clears the failure.
    #[tokio::test]
    async fn the_health_check_probes_with_a_write_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("d.db")), PoolSettings::default()).unwrap();
        store.migrate().await.unwrap();
        assert!(store.check_health().await.is_ok());
        store.write_failed_at.store(now_millis(), Ordering::Relaxed);
        assert!(matches!(store.check_health().await, Err(HealthError::NotWritable(_))));
        store
            .write_failed_at
            .store(now_millis() - WRITE_FAILURE_HOLD.as_millis() as i64 - 1, Ordering::Relaxed);
        assert!(store.check_health().await.is_ok());
        assert_eq!(store.write_failed_at.load(Ordering::Relaxed), 0);
        let probed: i64 = store
            .fetch_one("SELECT count(*) FROM write_probe", vec![], |row| row.get(0))
            .await
            .unwrap();
        assert_eq!(probed, 1);
    }
}
