//! Where log lines go and in what form: human text by default, one JSON object a line with
//! `DESSERTS_LOG_FORMAT=json` for a log system. Either way on standard error.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{Layer, Registry};

/// The environment variable that picks the form.
pub const FORMAT_VARIABLE: &str = "DESSERTS_LOG_FORMAT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `text` (or unset, or empty) or `json`, in any case.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(|raw| raw.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!("{FORMAT_VARIABLE} must be text or json, not {other:?}")),
        }
    }
}

/// Installs the log for the process: `RUST_LOG` picks what is written (`info` unless set).
pub fn init() -> Result<(), String> {
    let raw = std::env::var(FORMAT_VARIABLE).ok();
    let format = LogFormat::parse(raw.as_deref())?;
    let wanted = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // The PostgreSQL driver logs every query's parameters at debug: password hashes, token
    // hashes, public menu links. Whatever RUST_LOG asks, it says no more than info.
    let no_query_parameters =
        filter_fn(|metadata| !(metadata.target().starts_with("tokio_postgres") && *metadata.level() > tracing::Level::INFO));
    let lines: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .boxed(),
        // Each line: the time, level, target, the event's fields at the top, and the
        // request's span (method, route) under `span`.
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(lines.with_filter(wanted).with_filter(no_query_parameters))
        .init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("JSON")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("xml")).unwrap_err().contains("text or json"));
    }
}
