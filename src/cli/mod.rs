//! The command line: one binary, a subcommand per task; with none it serves.

mod backup;
mod legacy;
mod migrate;
mod progress;
mod serve;
mod transfer;
mod user;

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser, Subcommand};

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
    #[command(flatten)]
    database: DatabaseArgs,

    #[command(flatten)]
    serve: serve::ServeArgs,

    #[command(subcommand)]
    command: Option<Command>,
}

/// Where the data lives, for every subcommand that opens it.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Where the data lives: sqlite://FILE (created if missing) or postgres://USER@HOST/DATABASE.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://desserts.db", hide_env_values = true)]
    database_url: String,

    /// Most connections one process keeps to PostgreSQL.
    #[arg(long, env = "DESSERTS_DB_POOL_SIZE", default_value_t = PoolSettings::default().max_connections)]
    db_pool_size: usize,

    /// Seconds to wait for a database connection or query before answering "unavailable".
    #[arg(long, env = "DESSERTS_DB_TIMEOUT", default_value_t = PoolSettings::default().timeout.as_secs_f64())]
    db_timeout: f64,
}

impl DatabaseArgs {
    fn url(&self) -> anyhow::Result<DatabaseUrl> {
        // Parsed here rather than by clap, whose error would repeat the URL and its password.
        self.database_url.parse().map_err(|e: String| anyhow::anyhow!("DATABASE_URL: {e}"))
    }

    fn pool(&self) -> anyhow::Result<PoolSettings> {
        if self.db_pool_size == 0 {
            bail!("DESSERTS_DB_POOL_SIZE must be at least 1");
        }
        let timeout = Duration::try_from_secs_f64(self.db_timeout)
            .ok()
            .filter(|timeout| !timeout.is_zero())
            .ok_or_else(|| anyhow::anyhow!("DESSERTS_DB_TIMEOUT must be a positive number of seconds"))?;
        Ok(PoolSettings {
            max_connections: self.db_pool_size,
            timeout,
        })
    }

    /// Opens the store without touching its schema.
    fn open(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.url()?, self.pool()?)?)
    }

    /// Opens the store and brings its schema up to date: every command but `migrate` needs it.
    async fn open_migrated(&self) -> anyhow::Result<Store> {
        let store = self.open()?;
        let applied = store.migrate().await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "applied migrations");
        }
        Ok(store)
    }
}

/// `--quiet`, for the commands that show their progress on a terminal.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct QuietArg {
    /// Show no progress, even on a terminal.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API (the default).
    Serve {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        serve: serve::ServeArgs,
    },
    /// Apply pending database migrations, or list them.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Write every user (with password hashes), dessert and menu as one JSON document.
    Export {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to write; standard output when not given.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Also write each account's one-time code key, recovery code digests and passkeys;
        /// without it, accounts import with codes off and no passkeys.
        #[arg(long)]
        with_secrets: bool,
        #[command(flatten)]
        quiet: QuietArg,
    },
    /// Load an export into an empty database, all or nothing, keeping ids and relations.
    Import {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The export document.
        file: std::path::PathBuf,
        /// Check every row against today's rules and report problems by row; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        quiet: QuietArg,
    },
    /// Adopt a desserts.db made by the original Flask app: users, desserts and menus.
    ImportLegacy {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The old app's SQLite file; it is only read.
        path: std::path::PathBuf,
        /// Who gets the desserts and menus that have no owner: a username from the file or
        /// from this database.
        #[arg(long)]
        owner: Option<String>,
        /// Fix rows that break today's rules (and print each fix) instead of refusing them.
        #[arg(long)]
        repair: bool,
        #[command(flatten)]
        quiet: QuietArg,
    },
    /// Copy a live SQLite database to a new file without stopping the server, or check one.
    Backup {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to write (it must not exist yet), or with --verify the backup to check.
        file: std::path::PathBuf,
        /// Check every row of the backup FILE against today's rules and report problems by
        /// row; change nothing (the database is not opened).
        #[arg(long)]
        verify: bool,
        #[command(flatten)]
        quiet: QuietArg,
    },
    /// Print a shell completion script: `desserts completions bash > /etc/bash_completion.d/desserts`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

/// Runs the command line and returns what the process should exit with.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve {
        database: cli.database,
        serve: cli.serve,
    });
    if let Command::Completions { shell } = command {
        clap_complete::generate(shell, &mut Cli::command(), "desserts", &mut std::io::stdout());
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match command {
            Command::Serve { database, serve } => {
                serve::check(&serve)?;
                serve::run(database.open_migrated().await?, serve).await
            }
            Command::Migrate { database, status } => migrate::run(&database.open()?, status).await,
            Command::User(command) => user::run(command).await,
            Command::Export {
                database,
                out,
                with_secrets,
                quiet,
            } => transfer::export(&database.open_migrated().await?, out.as_deref(), with_secrets, quiet.quiet).await,
            Command::Import {
                database,
                file,
                dry_run: true,
                quiet,
            } => {
                // A dry run reads the document only: the database need not exist.
                let _ = database;
                transfer::check(&file, quiet.quiet)
            }
            Command::Import { database, file, quiet, .. } => transfer::import(&database.open_migrated().await?, &file, quiet.quiet).await,
            Command::ImportLegacy {
                database,
                path,
                owner,
                repair,
                quiet,
            } => legacy::run(&database.open_migrated().await?, &path, owner.as_deref(), repair, quiet.quiet).await,
            Command::Backup {
                file, verify: true, quiet, ..
            } => backup::verify(&file, quiet.quiet).await,
            Command::Backup { database, file, quiet, .. } => backup::run(&database.open_migrated().await?, &file, quiet.quiet).await,
            Command::Completions { .. } => Ok(()),
        }
    })
}
