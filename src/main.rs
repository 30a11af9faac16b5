use std::io::IsTerminal;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

fn main() -> ExitCode {
    let wanted = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // The PostgreSQL driver logs every query's parameters at debug: password hashes, token
    // hashes, public menu links. Whatever RUST_LOG asks, it says no more than info.
    let no_query_parameters =
        filter_fn(|metadata| !(metadata.target().starts_with("tokio_postgres") && *metadata.level() > tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal())
                .with_filter(wanted)
                .with_filter(no_query_parameters),
        )
        .init();
    match desserts::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
