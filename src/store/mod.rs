//! The database. Handlers call one function per query (`desserts::list_for_user`) and
//! never see SQL; what differs between backends stays in this module.

pub mod desserts;
pub mod login_failures;
pub mod migrations;
pub mod sessions;
mod sqlite;
pub mod users;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::DatabaseUrl;

/// What went wrong in the database, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique rule was broken; the value names the field ("username", "name", ...).
    #[error("{0} is already taken")]
    Duplicate(&'static str),
    #[error("the database is busy or unreachable: {0}")]
    Unavailable(String),
    #[error("the database schema is at version {found}, newer than this program knows ({known}); upgrade desserts")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Internal(String),
}

/// A handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

enum Backend {
    Sqlite(sqlite::Sqlite),
}

impl Store {
    /// Opens the database the URL names, creating an SQLite file if it is missing.
    pub fn open(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let backend = match url {
            DatabaseUrl::Sqlite(path) => Backend::Sqlite(sqlite::Sqlite::open(path)?),
        };
        Ok(Self {
            backend: Arc::new(backend),
        })
    }

    fn sqlite(&self) -> &sqlite::Sqlite {
        match &*self.backend {
            Backend::Sqlite(db) => db,
        }
    }

    /// Answers when the database can run a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.sqlite().read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
    }

    /// The SQLite file behind this store, where there is one.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        Some(self.sqlite().path().to_path_buf())
    }
}

/// Seconds since the Unix epoch, UTC: how every time is stored.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
