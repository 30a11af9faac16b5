//! The application: its state, its router with every layer, and serving it.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::{Router, middleware};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::WebSettings;
use crate::mail::Mailer;
use crate::passwords::Hasher;
use crate::store::login_failures::LoginLimits;
use crate::store::{self, Store, login_failures, mail_tokens, sessions};
use crate::{api, web};

/// Request bodies stop here: no form or API call needs more.
pub const BODY_LIMIT: usize = 64 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler can reach. The router clones it for every request, so it is one
/// shared pointer rather than a handful.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Store,
    pub hasher: Hasher,
    pub mailer: Mailer,
    pub settings: WebSettings,
    pub login_limits: LoginLimits,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, settings: WebSettings) -> anyhow::Result<Self> {
        Self::with_login_limits(store, settings, LoginLimits::default())
    }

    pub fn with_login_limits(store: Store, settings: WebSettings, login_limits: LoginLimits) -> anyhow::Result<Self> {
        Ok(Self(Arc::new(Shared {
            store,
            hasher: Hasher::new()?,
            mailer: Mailer::new(&settings.mail)?,
            settings,
            login_limits,
        })))
    }
}

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The whole application as one router, ready to serve.
pub fn build(state: AppState) -> Router {
    let security_headers = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        // Pages hold personal data: no shared cache may keep them. Static files set their own.
        (header::CACHE_CONTROL, "private, no-cache"),
    ];
    let router = Router::new()
        .merge(web::router(state.clone()))
        .merge(web::public_router())
        .merge(api::router())
        .fallback(web::not_found)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(api::json_errors));
    // Outermost, so that every answer carries them: those of the body limit, the timeout,
    // a panic and the API's rebuilt errors as much as a handler's.
    security_headers.into_iter().fold(
        router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        )),
        |router, (name, value)| router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))),
    )
}

/// How long a client may take to send a request's headers, counted from when the
/// connection opens or, between requests, from the end of the previous answer: a client
/// that trickles its headers (slowloris), says nothing, or keeps an idle keep-alive
/// connection is cut off after this.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections one server process accepts by default; past it, new ones wait in the
/// listen backlog until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// How long shutdown waits for requests under way before closing their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves until `shutdown` completes, then finishes the requests under way.
pub async fn serve(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let cleanup = tokio::spawn(clean_up_periodically(state.store.clone(), state.login_limits));
    let connections = Arc::new(Semaphore::new(
        state.settings.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS).max(1),
    ));
    let app = build(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(app.clone(), request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that went away or timed out is no error of ours.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    cleanup.abort();
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still under way at shutdown were cut off");
    }
    Ok(())
}

/// Deletes expired sessions and mail links, and failed logins older than the counting window.
async fn clean_up_periodically(store: Store, limits: LoginLimits) {
    let mut interval = tokio::time::interval(Duration::from_secs(600));
    loop {
        interval.tick().await;
        let now = store::now();
        if let Err(error) = sessions::delete_expired(&store, now).await {
            tracing::warn!(%error, "could not delete expired sessions");
        }
        if let Err(error) = login_failures::delete_older_than(&store, now - limits.window_secs).await {
            tracing::warn!(%error, "could not delete old failed logins");
        }
        if let Err(error) = mail_tokens::delete_expired(&store, now).await {
            tracing::warn!(%error, "could not delete expired mail links");
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests under way");
}
