use std::net::SocketAddr;

use anyhow::Context;

use crate::app::{self, AppState};
use crate::config::WebSettings;
use crate::mail::MailSettings;
use crate::store::Store;
use crate::store::login_failures::LoginLimits;

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
    #[arg(long, env = "DESSERTS_SIGNUPS_PER_ADDRESS", default_value_t = LoginLimits::default().signups_per_client)]
    signups_per_address: i64,
    /// The sender of mail.
    #[arg(long, env = "DESSERTS_MAIL_FROM", default_value = "Desserts <desserts@localhost>")]
    mail_from: String,
}

pub async fn run(store: Store, args: ServeArgs) -> anyhow::Result<()> {
    let settings = WebSettings {
        secure_cookies: args.secure_cookies,
        trust_forwarded_for: args.trust_forwarded_for,
        max_connections: Some(args.max_connections),
        mail: MailSettings {
            smtp_url: args.smtp_url.filter(|url| !url.is_empty()),
            public_url: args.public_url.unwrap_or_else(|| format!("http://{}", args.addr)),
            from: args.mail_from,
            ..MailSettings::default()
        },
    };
    let limits = LoginLimits {
        signups_per_client: args.signups_per_address.max(1),
        ..LoginLimits::default()
    };
    let state = AppState::with_login_limits(store, settings, limits)?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    app::serve(listener, state, app::shutdown_signal()).await.context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}
