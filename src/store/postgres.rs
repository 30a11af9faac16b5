//! PostgreSQL: a pool of connections shared by every request, for running several server
//! processes on one database. Every call is bounded in time, so a database that went away
//! answers "unavailable" instead of hanging a request; the pool replaces broken
//! connections by itself once the database is back.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::future::Future;
use std::time::Duration;

use bytes::BytesMut;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, WrongType, to_sql_checked};
use tokio_postgres::{Config, IsolationLevel, NoTls};

use super::migrations::{Migration, refuse_newer};
use super::{FromRow, Param, PoolSettings, Row, Statement, StoreError, UniqueKey, now};

/// Any constant will do, as long as no other program on the same database uses it to
/// serialise its own migrations.
const MIGRATION_LOCK: i64 = 0x6465_7373_6572_7473; // "desserts"

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

pub(super) struct Postgres {
    pool: Pool,
    timeout: Duration,
}

impl Postgres {
    pub fn open(mut config: Config, settings: PoolSettings) -> Result<Self, StoreError> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(settings.timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("desserts");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(settings.max_connections)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(settings.timeout))
            .create_timeout(Some(settings.timeout))
            .recycle_timeout(Some(settings.timeout))
            .build()
            .map_err(|e| StoreError::Internal(super::Fault::caused_by("cannot build the connection pool", e)))?;
        Ok(Self {
            pool,
            timeout: settings.timeout,
        })
    }

    /// Connections lent out now, and requests waiting for one.
    pub fn connections(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size.saturating_sub(status.available), status.waiting)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool.get().await.map_err(|error| match error {
            PoolError::Backend(error) => classify(error),
            PoolError::Timeout(_) => StoreError::Unavailable(super::Fault::new("no database connection came free in time")),
            other => StoreError::Unavailable(super::Fault::caused_by("PostgreSQL answered", other)),
        })
    }

    /// Gives up on `work` once the timeout passes: a database behind a dead network would
    /// otherwise hold the request until TCP gives up, minutes later.
    async fn bounded<T>(&self, work: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| Err(StoreError::Unavailable(super::Fault::new("the database did not answer in time"))))
    }

    pub async fn fetch_optional<T>(&self, sql: &str, args: &[Param], from_row: FromRow<T>) -> Result<Option<T>, StoreError> {
        self.bounded(async {
            let client = self.client().await?;
            let rows = query(&client, sql, args).await?;
            rows.first().map(|row| from_row(&Row::Postgres(row))).transpose()
        })
        .await
    }

    pub async fn fetch_all<T>(&self, sql: &str, args: &[Param], from_row: FromRow<T>) -> Result<Vec<T>, StoreError> {
        self.bounded(async {
            let client = self.client().await?;
            let rows = query(&client, sql, args).await?;
            rows.iter().map(|row| from_row(&Row::Postgres(row))).collect()
        })
        .await
    }

    pub async fn transaction(&self, statements: &[Statement]) -> Result<Vec<u64>, StoreError> {
        self.bounded(async {
            let mut client = self.client().await?;
            if let [only] = statements {
                // One statement is atomic by itself.
                return Ok(vec![execute(&client, only).await?]);
            }
            let tx = client.transaction().await.map_err(classify)?;
            let changed = pipelined(&tx, statements).await?;
            tx.commit().await.map_err(classify)?;
            Ok(changed)
        })
        .await
    }

    /// Applies pending migrations, each in its own transaction under an advisory lock, so
    /// that server processes starting together apply each one exactly once.
    pub async fn migrate(&self, migrations: &[Migration]) -> Result<Vec<i64>, StoreError> {
        let mut client = self.client().await?;
        let mut applied = Vec::new();
        for migration in migrations {
            let tx = client.transaction().await.map_err(classify)?;
            lock_migrations(&tx).await?;
            let found: Option<i64> = tx
                .query_one("SELECT max(version) FROM schema_migrations", &[])
                .await
                .map_err(classify)?
                .get(0);
            refuse_newer(found, migrations)?;
            if found.is_some_and(|found| found >= migration.version) {
                continue;
            }
            tx.batch_execute(migration.sql).await.map_err(|e| {
                StoreError::Internal(super::Fault::caused_by(
                    format!("migration {} ({})", migration.version, migration.name),
                    e,
                ))
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[&migration.version, &migration.name, &now()],
            )
            .await
            .map_err(classify)?;
            tx.commit().await.map_err(classify)?;
            applied.push(migration.version);
        }
        Ok(applied)
    }

    /// Runs `queries` in one repeatable-read transaction, copying their rows out.
    pub async fn snapshot(&self, queries: &[&str]) -> Result<Vec<Vec<Vec<Param>>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(classify)?;
        let mut copied = Vec::with_capacity(queries.len());
        for sql in queries {
            let rows = tx.query(*sql, &[]).await.map_err(classify)?;
            copied.push(rows.iter().map(copy_row).collect::<Result<_, _>>()?);
        }
        tx.commit().await.map_err(classify)?;
        Ok(copied)
    }

    pub async fn create_ledger(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        lock_migrations(&tx).await?;
        tx.commit().await.map_err(classify)
    }
}

/// Takes the migration lock until the transaction ends, creating the ledger if need be.
async fn lock_migrations(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(classify)?;
    tx.batch_execute(CREATE_LEDGER).await.map_err(classify)
}

fn copy_row(row: &tokio_postgres::Row) -> Result<Vec<Param>, StoreError> {
    let wrong = |e: tokio_postgres::Error| StoreError::Internal(super::Fault::caused_by("PostgreSQL answered", e));
    (0..row.len())
        .map(|i| {
            let ty = row.columns()[i].type_();
            Ok(if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(i).map_err(wrong)?.map_or(Param::Null, Param::Int)
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)
                    .map_err(wrong)?
                    .map_or(Param::Null, |v| Param::Int(v.into()))
            } else if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(i).map_err(wrong)?.map_or(Param::Null, Param::Bool)
            } else if *ty == Type::BYTEA {
                row.try_get::<_, Option<Vec<u8>>>(i)
                    .map_err(wrong)?
                    .map_or(Param::Null, Param::Bytes)
            } else {
                row.try_get::<_, Option<String>>(i).map_err(wrong)?.map_or(Param::Null, Param::Text)
            })
        })
        .collect()
}

/// After rows were inserted with explicit ids, sets each table's identity past them.
pub(super) fn resume_ids(tables: &[&str]) -> Vec<Statement> {
    tables
        .iter()
        .map(|table| {
            Statement::new(
                format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM {table}), false)"),
                vec![],
            )
        })
        .collect()
}

async fn query(client: &impl GenericClient, sql: &str, args: &[Param]) -> Result<Vec<tokio_postgres::Row>, StoreError> {
    let statement = client.prepare_cached(&numbered(sql)).await.map_err(classify)?;
    client.query(&statement, &as_params(args)).await.map_err(classify)
}

async fn execute(client: &impl GenericClient, statement: &Statement) -> Result<u64, StoreError> {
    let prepared = client.prepare_cached(&numbered(&statement.sql)).await.map_err(classify)?;
    client.execute(&prepared, &as_params(&statement.args)).await.map_err(classify)
}

/// Runs `statements` in order in one transaction without waiting for each answer before
/// sending the next: one round trip for thousands of rows (an import, a form with thousands
/// of labels) instead of one each. PostgreSQL still runs them one after another, in order,
/// and once one fails it refuses the rest of the transaction; answers come back in order,
/// so the error reported is the first statement's that failed.
async fn pipelined(client: &impl GenericClient, statements: &[Statement]) -> Result<Vec<u64>, StoreError> {
    let mut prepared: HashMap<&str, tokio_postgres::Statement> = HashMap::new();
    for statement in statements {
        if !prepared.contains_key(statement.sql.as_str()) {
            let ready = client.prepare_cached(&numbered(&statement.sql)).await.map_err(classify)?;
            prepared.insert(&statement.sql, ready);
        }
    }
    let params: Vec<Vec<&(dyn ToSql + Sync)>> = statements.iter().map(|statement| as_params(&statement.args)).collect();
    let runs = statements
        .iter()
        .zip(&params)
        .map(|(statement, params)| client.execute(&prepared[statement.sql.as_str()], params));
    futures_util::future::try_join_all(runs).await.map_err(classify)
}

fn as_params(args: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|arg| arg as &(dyn ToSql + Sync)).collect()
}

/// SQLite's `?1` placeholders as PostgreSQL's `$1`. The queries hold no `?` of their own.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl ToSql for Param {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        fn typed<T: ToSql>(value: &T, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
            if !T::accepts(ty) {
                return Err(Box::new(WrongType::new::<T>(ty.clone())));
            }
            value.to_sql(ty, out)
        }
        match self {
            Param::Int(value) => typed(value, ty, out),
            Param::Text(value) => typed(value, ty, out),
            Param::Bool(value) => typed(value, ty, out),
            Param::Bytes(value) => typed(value, ty, out),
            Param::Null => Ok(IsNull::Yes),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty) || <String as ToSql>::accepts(ty) || <bool as ToSql>::accepts(ty) || <Vec<u8> as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

/// Maps PostgreSQL's errors to what callers can act on: a broken unique rule names its
/// field; a lost connection or a server going down is "unavailable", worth a retry later.
fn classify(error: tokio_postgres::Error) -> StoreError {
    let Some(db) = error.as_db_error() else {
        let lost = error.is_closed() || error.source().is_some_and(|source| source.is::<std::io::Error>());
        return if lost {
            StoreError::Unavailable(super::Fault::caused_by("PostgreSQL answered", error))
        } else {
            StoreError::Internal(super::Fault::caused_by("PostgreSQL answered", error))
        };
    };
    if *db.code() == SqlState::UNIQUE_VIOLATION
        && let Some(constraint) = db.constraint()
        && let Some(key) = UniqueKey::of_postgres_constraint(constraint)
    {
        return StoreError::Duplicate(key);
    }
    let code = db.code().code().to_string();
    // The message only: the server's DETAIL can quote a whole row, a password hash with it.
    let fault = super::Fault::new(format!("PostgreSQL answered {code}: {}", db.message()));
    // Class 08: connection exception; 53: insufficient resources; 57P: operator intervention
    // (shutdown, restart); 40001/40P01: serialization failure, deadlock.
    if code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "40001" || code == "40P01" {
        StoreError::Unavailable(fault)
    } else {
        StoreError::Internal(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ?1 AND c LIKE ?2 ESCAPE '\\' LIMIT ?10"),
            "SELECT a FROM t WHERE b = $1 AND c LIKE $2 ESCAPE '\\' LIMIT $10"
        );
        assert_eq!(numbered("SELECT '?' || ?"), "SELECT '?' || ?");
    }
}
