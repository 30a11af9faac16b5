//! The command line: one binary, a subcommand per task; with none it serves.

mod migrate;
mod serve;
mod user;

use clap::{Parser, Subcommand};

use crate::config::DatabaseUrl;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(name = "desserts", version, about = "Keep a dessert menu of your own")]
pub struct Cli {
    /// Where the data lives: sqlite://FILE (created if missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://desserts.db", global = true)]
    database_url: DatabaseUrl,

    #[command(flatten)]
    serve: serve::ServeArgs,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API (the default).
    Serve,
    /// Apply pending database migrations, or list them.
    Migrate {
        /// List applied and pending migrations instead of applying them.
        #[arg(long)]
        status: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(user::UserCommand),
}

/// Runs the command line and returns what the process should exit with.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(&cli.database_url, cli.serve),
        Command::Migrate { status } => migrate::run(&open(&cli.database_url)?, status),
        Command::User(command) => user::run(&open_migrated(&cli.database_url)?, command),
    }
}

fn open(url: &DatabaseUrl) -> anyhow::Result<Store> {
    Ok(Store::open(url)?)
}

/// Opens the store and brings its schema up to date: every command but `migrate` needs it.
fn open_migrated(url: &DatabaseUrl) -> anyhow::Result<Store> {
    let store = open(url)?;
    let applied = store.migrate()?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    Ok(store)
}
