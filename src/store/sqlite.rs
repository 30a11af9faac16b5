//! SQLite: one writer connection, a few readers queried inline.
//!
//! WAL mode lets readers run beside the writer. A read on an index takes microseconds, so
//! readers run on the calling thread instead of paying for a hop to the blocking pool;
//! writes, which may wait on another process's lock or on the disk, go to that pool.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, ToSql, TransactionBehavior, params_from_iter};

use super::migrations::{Migration, refuse_newer};
use super::{FromRow, Param, Row, Statement, StoreError, UniqueKey, now};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub(super) struct Sqlite {
    inner: Arc<Inner>,
}

struct Inner {
    /// Writes handed to the writer and not yet done (one at a time runs, the rest wait).
    writes: AtomicUsize,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // A new database holds password hashes and sessions: create it readable by its
        // owner only. SQLite gives its -wal and -shm files the same permissions.
        if std::fs::symlink_metadata(path).is_err()
            && let Err(error) = crate::files::create_private(path)
            && error.kind() != std::io::ErrorKind::AlreadyExists
        {
            return Err(StoreError::Unavailable(super::Fault::caused_by(
                format!("cannot create {}", path.display()),
                error,
            )));
        }
        let writer = connect(path, false)?;
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let readers = (0..threads * 2)
            .map(|_| connect(path, true).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                writes: AtomicUsize::new(0),
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// Runs a read-only query on the calling thread.
    pub fn read<T>(&self, query: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        query(&self.reader())
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let readers = &self.inner.readers;
        let start = self.inner.next_reader.fetch_add(1, Ordering::Relaxed);
        for offset in 0..readers.len() {
            if let Ok(conn) = readers[(start + offset) % readers.len()].try_lock() {
                return conn;
            }
        }
        lock(&readers[start % readers.len()])
    }

    /// Runs a write on the blocking pool, one writer at a time. `work` gets the connection
    /// so it can open a transaction when it touches more than one row.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        inner.writes.fetch_add(1, Ordering::Relaxed);
        let done = tokio::task::spawn_blocking(move || {
            let done = work(&mut lock(&inner.writer));
            inner.writes.fetch_sub(1, Ordering::Relaxed);
            done
        })
        .await;
        done.map_err(|e| StoreError::Internal(super::Fault::caused_by("database task", e)))?
    }

    /// Writes under way or waiting for the writer.
    pub fn writes_queued(&self) -> usize {
        self.inner.writes.load(Ordering::Relaxed)
    }
}

/// Runs `work` in a transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so
/// it never fails half way through on a lock upgrade.
pub(super) fn in_transaction<T>(
    conn: &mut Connection,
    work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(classify)?;
    let value = work(&tx)?;
    tx.commit().map_err(classify)?;
    Ok(value)
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(value) => ToSqlOutput::Borrowed(ValueRef::Integer(*value)),
            Param::Text(value) => ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes())),
            Param::Bool(value) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*value))),
            Param::Bytes(value) => ToSqlOutput::Borrowed(ValueRef::Blob(value)),
            Param::Null => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

pub(super) fn fetch_optional<T>(conn: &Connection, sql: &str, args: &[Param], from_row: FromRow<T>) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(classify)?;
    let mut rows = statement.query(params_from_iter(args)).map_err(classify)?;
    match rows.next().map_err(classify)? {
        Some(row) => from_row(&Row::Sqlite(row)).map(Some),
        None => Ok(None),
    }
}

/// Runs a change with `RETURNING` and steps it to its end. SQLite commits an autocommit
/// statement when it finishes; a statement dropped after its first row is finished by a
/// reset whose error (a full disk, say) nobody sees, so the row would be acknowledged
/// without being stored.
pub(super) fn write_returning<T>(conn: &Connection, sql: &str, args: &[Param], from_row: FromRow<T>) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(classify)?;
    let mut rows = statement.query(params_from_iter(args)).map_err(classify)?;
    let first = match rows.next().map_err(classify)? {
        Some(row) => Some(from_row(&Row::Sqlite(row))?),
        None => None,
    };
    while rows.next().map_err(classify)?.is_some() {}
    Ok(first)
}

pub(super) fn fetch_all<T>(conn: &Connection, sql: &str, args: &[Param], from_row: FromRow<T>) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(classify)?;
    let mut rows = statement.query(params_from_iter(args)).map_err(classify)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next().map_err(classify)? {
        found.push(from_row(&Row::Sqlite(row))?);
    }
    Ok(found)
}

pub(super) fn transaction(conn: &mut Connection, statements: &[Statement]) -> Result<Vec<u64>, StoreError> {
    let run = |conn: &Connection, statement: &Statement| -> Result<u64, StoreError> {
        let mut prepared = conn.prepare_cached(&statement.sql).map_err(classify)?;
        let changed = prepared.execute(params_from_iter(&statement.args)).map_err(classify)?;
        Ok(changed as u64)
    };
    if let [only] = statements {
        // One statement is atomic by itself.
        return Ok(vec![run(conn, only)?]);
    }
    in_transaction(conn, |tx| statements.iter().map(|statement| run(tx, statement)).collect())
}

/// Runs `queries` in one read transaction, copying their rows out.
pub(super) fn snapshot(conn: &Connection, queries: &[&str]) -> Result<Vec<Vec<Vec<Param>>>, StoreError> {
    conn.execute_batch("BEGIN").map_err(classify)?;
    let copied: Result<Vec<_>, StoreError> = queries.iter().map(|sql| copy_rows(conn, sql)).collect();
    conn.execute_batch(if copied.is_ok() { "COMMIT" } else { "ROLLBACK" })
        .map_err(classify)?;
    copied
}

fn copy_rows(conn: &Connection, sql: &str) -> Result<Vec<Vec<Param>>, StoreError> {
    let mut statement = conn.prepare(sql).map_err(classify)?;
    let columns = statement.column_count();
    let mut rows = statement.query([]).map_err(classify)?;
    let mut copied = Vec::new();
    while let Some(row) = rows.next().map_err(classify)? {
        let values = (0..columns)
            .map(|i| {
                Ok(match row.get_ref(i).map_err(classify)? {
                    ValueRef::Null => Param::Null,
                    ValueRef::Integer(value) => Param::Int(value),
                    ValueRef::Real(value) => Param::Text(value.to_string()),
                    ValueRef::Text(text) => Param::Text(String::from_utf8_lossy(text).into_owned()),
                    ValueRef::Blob(bytes) => Param::Bytes(bytes.to_vec()),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        copied.push(values);
    }
    Ok(copied)
}

pub(super) fn vacuum_into(conn: &mut Connection, target: &Path) -> Result<(), StoreError> {
    // Made first, empty and private (SQLite fills an empty file), so the copy of password
    // hashes and sessions is readable by its owner only.
    crate::files::create_private(target)
        .map_err(|e| StoreError::Internal(super::Fault::caused_by(format!("cannot create {}", target.display()), e)))?;
    let target = target
        .to_str()
        .ok_or_else(|| StoreError::Internal(super::Fault::new(format!("{} is not a UTF-8 path", target.display()))))?;
    conn.execute("VACUUM INTO ?1", [target]).map(drop).map_err(classify)
}

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

/// Creates the ledger under the write lock: a plain `CREATE TABLE IF NOT EXISTS` reads the
/// schema first and then upgrades to a write, which SQLite refuses at once ("locked",
/// without waiting) when another process wrote in between.
pub(super) fn create_ledger(conn: &mut Connection) -> Result<(), StoreError> {
    retry_while_busy(|| in_transaction(conn, |tx| tx.execute(CREATE_LEDGER, []).map(drop).map_err(classify)))
}

/// Applies pending migrations, each in its own transaction. The write lock that
/// `BEGIN IMMEDIATE` takes keeps two processes from applying the same one.
pub(super) fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<Vec<i64>, StoreError> {
    create_ledger(conn)?;
    // A migration that makes a table again (to change a foreign key) drops the old one,
    // which would delete the rows that refer to it while foreign keys are enforced. They are
    // off while migrations run (the setting cannot change inside a transaction), and each
    // migration checks every key before it commits.
    conn.execute_batch("PRAGMA foreign_keys = OFF;").map_err(classify)?;
    let applied = apply_each(conn, migrations);
    conn.execute_batch("PRAGMA foreign_keys = ON;").map_err(classify)?;
    applied
}

fn apply_each(conn: &mut Connection, migrations: &[Migration]) -> Result<Vec<i64>, StoreError> {
    let mut applied = Vec::new();
    for migration in migrations {
        let done = retry_while_busy(|| {
            in_transaction(conn, |tx| {
                let found: Option<i64> = tx
                    .query_row("SELECT max(version) FROM schema_migrations", [], |row| row.get(0))
                    .map_err(classify)?;
                refuse_newer(found, migrations)?;
                if found.is_some_and(|found| found >= migration.version) {
                    return Ok(false);
                }
                tx.execute_batch(migration.sql).map_err(|e| {
                    StoreError::Internal(super::Fault::caused_by(
                        format!("migration {} ({})", migration.version, migration.name),
                        e,
                    ))
                })?;
                let broken: Option<String> = tx
                    .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
                    .optional()
                    .map_err(classify)?;
                if let Some(table) = broken {
                    return Err(StoreError::Internal(super::Fault::new(format!(
                        "migration {} ({}) leaves a row of {table} whose foreign key points nowhere",
                        migration.version, migration.name
                    ))));
                }
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    rusqlite::params![migration.version, migration.name, now()],
                )
                .map_err(classify)?;
                Ok(true)
            })
        })?;
        if done {
            applied.push(migration.version);
        }
    }
    Ok(applied)
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding a connection leaves no half-done transaction (rusqlite rolls
    // back on drop), so the connection is still good.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `work` again while SQLite answers "busy" or "locked" without having waited for the
/// busy timeout itself (it does so where waiting could deadlock: a lock upgrade, a change of
/// journal mode, the recovery of a new WAL file), up to the same timeout in all.
fn retry_while_busy<T>(mut work: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(5);
    loop {
        match work() {
            Err(StoreError::Unavailable(message)) if is_busy(&message.detail()) && std::time::Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy") || message.contains("database table is locked")
}

fn connect(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    retry_while_busy(|| try_connect(path, read_only))
}

fn try_connect(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Unavailable(super::Fault::caused_by(format!("cannot open {}", path.display()), e)))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| not_a_database(path, e))?;
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(classify)?;
    // Readers map the file rather than copy each page out of the kernel with a read call:
    // a photo spans dozens of pages, and serving thumbnails spent most of its time in those
    // calls. The map is address space, not memory; the kernel's page cache backs it.
    conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_BYTES};")).map_err(classify)?;
    // Without the planner stability guarantee, a statement whose plan might depend on a
    // bound value (LIMIT, OFFSET, a range on an indexed column) is compiled again on every
    // run, which cost a fifth of the list page's time. Our plans do not depend on values.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).map_err(classify)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// How much of the database file each connection maps: 1 GiB.
const MMAP_BYTES: u64 = 1 << 30;

fn not_a_database(path: &Path, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            StoreError::Unavailable(super::Fault::new(format!("{} is not an SQLite database", path.display())))
        }
        _ => classify(error),
    }
}

/// Maps SQLite's errors to what callers can act on.
pub(super) fn classify(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &error
        && failure.code == ErrorCode::ConstraintViolation
        && let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ")
        && let Some(key) = UniqueKey::of_sqlite_columns(columns)
    {
        return StoreError::Duplicate(key);
    }
    match error.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure
            | ErrorCode::ReadOnly,
        ) => StoreError::Unavailable(super::Fault::caused_by("SQLite answered", error)),
        _ => StoreError::Internal(super::Fault::caused_by("SQLite answered", error)),
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::StatementStatus;

    use super::*;

    /// A statement runs from the cache as compiled, whatever values are bound to it.
    #[test]
    fn cached_statements_are_not_compiled_again_for_new_values() {
        let dir = tempfile::tempdir().unwrap();
        let conn = connect(&dir.path().join("d.db"), false).unwrap();
        conn.execute_batch("CREATE TABLE t (owner INTEGER, rank INTEGER); CREATE INDEX t_owner_rank ON t (owner, rank);")
            .unwrap();
        let sql = "SELECT rank FROM t WHERE owner = ?1 AND rank > ?2 ORDER BY rank LIMIT ?3 OFFSET ?4";
        for run in 0..5_i64 {
            let mut statement = conn.prepare_cached(sql).unwrap();
            let rows: Vec<i64> = statement
                .query_map([run, run * 10, 20 + run, run], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(rows.is_empty());
            assert_eq!(statement.get_status(StatementStatus::RePrepare), 0, "run {run}");
        }
    }
}
