use std::net::SocketAddr;

use anyhow::Context;

use crate::app;
use crate::config::WebSettings;
use crate::mail::MailSettings;
use crate::state::AppState;
use crate::store::Store;
use crate::store::attempts::AttemptLimits;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "DESSERTS_ADDR", default_value = "127.0.0.1:5000")]
    addr: SocketAddr,
    /// Mark the session cookie Secure: set it when users reach the server over HTTPS.
    #[arg(long, env = "DESSERTS_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Take the client address from X-Forwarded-For: set it only behind a proxy that sets it.
    #[arg(long, env = "DESSERTS_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// SMTP server for mail: smtp://host:port, smtps://user:pass@host. Unset: mail goes to the log.
    #[arg(long, env = "DESSERTS_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The base of links in mail, as people reach the server. Default: http:// and --addr.
    #[arg(long, env = "DESSERTS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Open connections to accept at most; past it, new ones wait until one closes.
    #[arg(long, env = "DESSERTS_MAX_CONNECTIONS", default_value_t = crate::app::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Sign-ups one client address may make within 15 minutes.
    #[arg(long, env = "DESSERTS_SIGNUPS_PER_ADDRESS", default_value_t = AttemptLimits::default().signups_per_client)]
    signups_per_address: i64,
    /// Without an SMTP server, write mail (and the links in it) to the log even though the
    /// server listens on an address other machines can reach.
    #[arg(long, env = "DESSERTS_MAIL_TO_LOG")]
    mail_to_log: bool,
    /// The sender of mail.
    #[arg(long, env = "DESSERTS_MAIL_FROM", default_value = "Desserts <desserts@localhost>")]
    mail_from: String,
    /// Serve Prometheus metrics at /metrics on this address (its own listener; off unless set).
    #[arg(long, env = "DESSERTS_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Write a consistent copy of the SQLite database into this folder on a schedule.
    #[arg(long, env = "DESSERTS_BACKUP_DIR")]
    backup_dir: Option<std::path::PathBuf>,
    /// How often to write a scheduled copy: 30m, 6h, 1d, 10s...
    #[arg(long, env = "DESSERTS_BACKUP_EVERY", default_value = "6h", value_parser = crate::backups::parse_duration)]
    backup_every: std::time::Duration,
    /// How many scheduled copies to keep; older ones are removed.
    #[arg(long, env = "DESSERTS_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    backup_keep: u32,
}

/// Refuses settings that would leak secrets, before anything is opened: without an SMTP
/// server, mail (password reset links included) goes to the log, which is fine for a
/// development server on loopback and not for one others can reach, unless asked for.
pub fn check(args: &ServeArgs) -> anyhow::Result<()> {
    let no_smtp = args.smtp_url.as_deref().is_none_or(str::is_empty);
    if no_smtp && !args.addr.ip().is_loopback() && !args.mail_to_log {
        anyhow::bail!(
            "DESSERTS_SMTP_URL is not set, so mail, with its password reset links, would be written to the log, \
             and {} is reachable from other machines: set DESSERTS_SMTP_URL, or DESSERTS_MAIL_TO_LOG=true \
             (--mail-to-log) if the log is as private as a mailbox",
            args.addr
        );
    }
    Ok(())
}

/// The backup schedule asked for, its folder made if missing; refused for PostgreSQL,
/// which has its own tools (`pg_dump`).
fn backup_schedule(store: &Store, args: &ServeArgs) -> anyhow::Result<Option<crate::backups::Schedule>> {
    let Some(dir) = args.backup_dir.clone().filter(|dir| !dir.as_os_str().is_empty()) else {
        return Ok(None);
    };
    if !store.is_sqlite() {
        anyhow::bail!("--backup-dir copies SQLite databases; for PostgreSQL use pg_dump on a schedule (see docs/operations.md)");
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot make the backup folder {}", dir.display()))?;
    if !dir.is_dir() {
        anyhow::bail!("{} is not a folder", dir.display());
    }
    Ok(Some(crate::backups::Schedule {
        dir,
        every: args.backup_every,
        keep: args.backup_keep as usize,
    }))
}

pub async fn run(store: Store, args: ServeArgs) -> anyhow::Result<()> {
    let schedule = backup_schedule(&store, &args)?;
    if args.smtp_url.as_deref().is_none_or(str::is_empty) {
        tracing::warn!(
            "DESSERTS_SMTP_URL is not set: no mail is sent, and every message, with its links (password resets \
             included), is written to this log instead. Set DESSERTS_SMTP_URL to send mail."
        );
    }
    let settings = WebSettings {
        secure_cookies: args.secure_cookies,
        trust_forwarded_for: args.trust_forwarded_for,
        max_connections: Some(args.max_connections),
        public_url: args.public_url.clone().filter(|url| !url.is_empty()),
        mail: MailSettings {
            smtp_url: args.smtp_url.filter(|url| !url.is_empty()),
            public_url: args
                .public_url
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| format!("http://{}", args.addr)),
            from: args.mail_from,
            ..MailSettings::default()
        },
    };
    let limits = AttemptLimits {
        signups_per_client: args.signups_per_address.max(1),
        ..AttemptLimits::default()
    };
    let state = AppState::with_attempt_limits(store, settings, limits)?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    if let Some(addr) = args.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen for metrics on {addr}"))?;
        tracing::info!("metrics at http://{}/metrics", metrics.local_addr()?);
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(error) = app::serve_metrics(metrics, state, app::shutdown_signal()).await {
                tracing::error!(%error, "the metrics listener failed");
            }
        });
    }
    if let Some(schedule) = schedule {
        tracing::info!(
            dir = %schedule.dir.display(),
            every_secs = schedule.every.as_secs(),
            keep = schedule.keep,
            "backups on a schedule"
        );
        tokio::spawn(crate::backups::run_schedule(
            state.store.clone(),
            schedule,
            state.metrics.backup_record(),
        ));
    }
    tracing::info!("listening on http://{}", listener.local_addr()?);
    app::serve(listener, state, app::shutdown_signal()).await.context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}
