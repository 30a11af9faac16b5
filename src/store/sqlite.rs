//! SQLite: one writer connection, a few readers queried inline.
//!
//! WAL mode lets readers run beside the writer. A read on an index takes microseconds, so
//! readers run on the calling thread instead of paying for a hop to the blocking pool;
//! writes, which may wait on another process's lock or on the disk, go to that pool.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use super::StoreError;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub(super) struct Sqlite {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let writer = connect(path, false)?;
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let readers = (0..threads * 2)
            .map(|_| connect(path, true).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs a read-only query on the calling thread.
    pub fn read<T>(&self, query: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self.reader();
        query(&conn).map_err(classify)
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
        tokio::task::spawn_blocking(move || work(&mut lock(&inner.writer)))
            .await
            .map_err(|e| StoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs a write synchronously: for the command line and migrations.
    pub fn write_blocking<T>(&self, work: impl FnOnce(&mut Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        work(&mut lock(&self.inner.writer))
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

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding a connection leaves no half-done transaction (rusqlite rolls
    // back on drop), so the connection is still good.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn connect(path: &Path, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn =
        Connection::open_with_flags(path, flags).map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    if !read_only {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| not_a_database(path, e))?;
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(classify)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn not_a_database(path: &Path, error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::Unavailable(format!("{} is not an SQLite database", path.display())),
        _ => classify(error),
    }
}

/// Maps SQLite's errors to what callers can act on. Unique violations carry the
/// constraint text, which [`duplicate_of`] turns into a field name.
pub(super) fn classify(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen | ErrorCode::DiskFull) => {
            StoreError::Unavailable(error.to_string())
        }
        _ => StoreError::Internal(error.to_string()),
    }
}

/// Turns a unique-constraint failure on one of `columns` into `Duplicate(field)`.
pub(super) fn duplicate_of(error: rusqlite::Error, columns: &[(&str, &'static str)]) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, Some(message)) = &error
        && failure.code == ErrorCode::ConstraintViolation
        && message.starts_with("UNIQUE")
        && let Some((_, field)) = columns.iter().find(|(column, _)| message.contains(column))
    {
        return StoreError::Duplicate(field);
    }
    classify(error)
}
