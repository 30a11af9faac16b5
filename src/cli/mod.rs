//! The command line: one binary, a subcommand per task; with none it serves.

mod backup;
mod legacy;
mod migrate;
mod serve;
mod transfer;
mod user;

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::DatabaseUrl;
use crate::store::{PoolSettings, Store};

#[derive(Debug, Parser)]
#[command(
    name = "desserts",
    version,
    about = "Keep a dessert menu of your own",
    // The server's options belong to `serve` (and to no subcommand, which serves); each
    // other subcommand's --help lists only what it uses.
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Where the data lives: sqlite://FILE (created if missing) or postgres://USER@HOST/DATABASE.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://desserts.db",
        global = true,
        hide_env_values = true
    )]
    database_url: String,

    /// Most connections one process keeps to PostgreSQL.
    #[arg(long, env = "DESSERTS_DB_POOL_SIZE", default_value_t = PoolSettings::default().max_connections, global = true)]
    db_pool_size: usize,

    /// Seconds to wait for a database connection or query before answering "unavailable".
    #[arg(long, env = "DESSERTS_DB_TIMEOUT", default_value_t = PoolSettings::default().timeout.as_secs_f64(), global = true)]
    db_timeout: f64,

    #[command(flatten)]
    serve: serve::ServeArgs,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API (the default).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations, or list them.
    Migrate {
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Write every user (with password hashes), dessert and menu as one JSON document.
    Export {
        /// The file to write; standard output when not given.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Also write each account's one-time code key and recovery code digests; without
        /// it, accounts import with codes off.
        #[arg(long)]
        with_secrets: bool,
    },
    /// Load an export into an empty database, all or nothing, keeping ids and relations.
    Import {
        /// The export document.
        file: std::path::PathBuf,
    },
    /// Adopt a desserts.db made by the original Flask app: users, desserts and menus.
    ImportLegacy {
        /// The old app's SQLite file; it is only read.
        path: std::path::PathBuf,
        /// Who gets the desserts and menus that have no owner: a username from the file or
        /// from this database.
        #[arg(long)]
        owner: Option<String>,
        /// Fix rows that break today's rules (and print each fix) instead of refusing them.
        #[arg(long)]
        repair: bool,
    },
    /// Copy a live SQLite database to a new file, without stopping the server.
    Backup {
        /// The file to write; it must not exist yet.
        file: std::path::PathBuf,
    },
}

/// Runs the command line and returns what the process should exit with.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Parsed here rather than by clap, whose error would repeat the URL and its password.
    let url: DatabaseUrl = cli.database_url.parse().map_err(|e: String| anyhow::anyhow!("DATABASE_URL: {e}"))?;
    let pool = pool_settings(cli.db_pool_size, cli.db_timeout)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve(cli.serve)) {
            Command::Serve(args) => {
                serve::check(&args)?;
                serve::run(open_migrated(&url, pool).await?, args).await
            }
            Command::Migrate { status } => migrate::run(&Store::open(&url, pool)?, status).await,
            Command::User(command) => user::run(&open_migrated(&url, pool).await?, command).await,
            Command::Export { out, with_secrets } => {
                transfer::export(&open_migrated(&url, pool).await?, out.as_deref(), with_secrets).await
            }
            Command::Import { file } => transfer::import(&open_migrated(&url, pool).await?, &file).await,
            Command::ImportLegacy { path, owner, repair } => {
                legacy::run(&open_migrated(&url, pool).await?, &path, owner.as_deref(), repair).await
            }
            Command::Backup { file } => backup::run(&open_migrated(&url, pool).await?, &file).await,
        }
    })
}

fn pool_settings(max_connections: usize, timeout_secs: f64) -> anyhow::Result<PoolSettings> {
    if max_connections == 0 {
        bail!("DESSERTS_DB_POOL_SIZE must be at least 1");
    }
    let timeout = Duration::try_from_secs_f64(timeout_secs)
        .ok()
        .filter(|timeout| !timeout.is_zero())
        .ok_or_else(|| anyhow::anyhow!("DESSERTS_DB_TIMEOUT must be a positive number of seconds"))?;
    Ok(PoolSettings { max_connections, timeout })
}

/// Opens the store and brings its schema up to date: every command but `migrate` needs it.
async fn open_migrated(url: &DatabaseUrl, pool: PoolSettings) -> anyhow::Result<Store> {
    let store = Store::open(url, pool)?;
    let applied = store.migrate().await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    Ok(store)
}
