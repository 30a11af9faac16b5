//! The application: its router with every layer, and serving it.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::{Router, middleware};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::state::{AppState, BODY_LIMIT, UPLOAD_BODY_LIMIT};
use crate::store::attempts::AttemptLimits;
use crate::store::{self, Store, api_tokens, attempts, kitchens, mail_tokens, sessions};
use crate::{api, web};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The whole application as one router, ready to serve.
pub fn build(state: AppState) -> Router {
    let security_headers = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        // Pages and API answers hold personal data: no cache may keep them, not even the
        // browser's (a shared computer's back button). Static files set their own.
        (header::CACHE_CONTROL, "no-store"),
    ];
    let metrics = state.clone();
    let router = Router::new()
        .merge(web::router(state.clone()))
        .merge(web::public_router())
        .merge(api::router())
        .fallback(web::not_found)
        .with_state(state)
        // Every extractor that reads a body stops at BODY_LIMIT, except on the routes that
        // take a photo, which say so with a DefaultBodyLimit of their own; no body is read
        // past UPLOAD_BODY_LIMIT, and one that says it is longer is refused unread.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(CatchPanicLayer::new())
        // Outside the timeout and the panic guard, so that their answers are counted too.
        .layer(middleware::from_fn(move |request, next| {
            count_request(metrics.clone(), request, next)
        }))
        .layer(middleware::from_fn(api::json_errors))
        .layer(middleware::map_response(close_after_unread_body))
        .layer(compression());
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

/// Answers shorter than this go as they are: compressing them saves less than it costs.
pub const MIN_COMPRESSED_BYTES: u16 = 512;

/// Pages, styles, scripts and JSON are compressed with brotli or gzip when the client
/// accepts either (brotli first). Images are not: JPEG, PNG and WebP are compressed already.
/// Quality 4 of either is a fraction of the CPU of their best, for most of the saving.
fn compression() -> CompressionLayer<impl Predicate> {
    let worth_it = SizeAbove::new(MIN_COMPRESSED_BYTES)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::SSE);
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Precise(4))
        .compress_when(worth_it)
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

/// After the last answer on a connection, how long and how much of what the client still
/// sends is read and dropped before closing. Closing a socket with unread data sends a
/// reset, which can destroy the answer still on its way: a client sending a body over the
/// limit would see "connection reset" instead of the 413.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1024 * 1024;

type BoxedAnswer = Pin<Box<dyn Future<Output = Result<axum::response::Response, Infallible>> + Send>>;

/// The request log names the route's template (`/password/reset/{token}`), never the path
/// itself: paths carry reset and confirmation tokens and public menu links, and a log is
/// read by more people than should hold them. The query is left out for the same reason.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("(no route)", axum::extract::MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route)
}

/// Counts the request in the metrics by its route's template, with the time to its answer.
async fn count_request(state: AppState, request: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = request.extensions().get::<axum::extract::MatchedPath>().cloned();
    let response = next.run(request).await;
    state.metrics.observe(
        &method,
        route.as_ref().map(axum::extract::MatchedPath::as_str),
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Serves the metrics at `GET /metrics` on a listener of their own until `shutdown`
/// completes: it is for the monitoring system, which reaches it on an address the public
/// does not.
pub async fn serve_metrics(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = Router::new()
        .route("/metrics", axum::routing::get(render_metrics))
        .with_state(state);
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

async fn render_metrics(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.metrics.render() {
        Ok(text) => (
            [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A body refused as too large is left unread, so the connection cannot carry another
/// request: say so, or a client would send its next request on a connection about to close.
async fn close_after_unread_body(mut response: axum::response::Response) -> axum::response::Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Serves until `shutdown` completes, then finishes the requests under way.
pub async fn serve(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let cleanup = tokio::spawn(clean_up_periodically(state.store.clone(), state.attempt_limits));
    let max_connections = state.settings.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS).clamp(1, 1 << 20);
    let connections = Arc::new(Semaphore::new(max_connections));
    let app = build(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let (stop, stopping) = tokio::sync::watch::channel(false);
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
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| -> BoxedAnswer {
            request.extensions_mut().insert(ConnectInfo(peer));
            // A router is always ready: it takes the request without waiting on poll_ready.
            let mut app = app.clone();
            Box::pin(tower_service::Service::call(&mut app, request.map(axum::body::Body::new)))
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(serve_connection(connection, stopping.clone(), permit));
    }
    drop(listener);
    cleanup.abort();
    let _ = stop.send(true);
    let all_closed = connections.acquire_many(max_connections as u32);
    if tokio::time::timeout(SHUTDOWN_GRACE, all_closed).await.is_err() {
        tracing::warn!("requests still under way at shutdown were cut off");
    }
    Ok(())
}

type Connection<S> = hyper::server::conn::http1::Connection<TokioIo<TcpStream>, S>;

/// Serves one connection until the client or the server ends it (finishing the request
/// under way when the server stops), then closes it without a reset.
async fn serve_connection<S>(mut connection: Connection<S>, mut stopping: tokio::sync::watch::Receiver<bool>, permit: OwnedSemaphorePermit)
where
    S: hyper::service::HttpService<hyper::body::Incoming> + Unpin,
    S::Future: Unpin,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut stop_asked = Box::pin(async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    });
    let mut stopping_now = false;
    // A client that went away or timed out is no error of ours.
    let _ = std::future::poll_fn(|cx| {
        if !stopping_now && stop_asked.as_mut().poll(cx).is_ready() {
            stopping_now = true;
            Pin::new(&mut connection).graceful_shutdown();
        }
        connection.poll_without_shutdown(cx)
    })
    .await;
    let mut stream = connection.into_parts().io.into_inner();
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    let _ = tokio::time::timeout(LINGER_TIME, async {
        while drained < LINGER_BYTES {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(read) => drained += read,
            }
        }
    })
    .await;
    drop(permit);
}

/// Deletes expired sessions, mail links and API tokens, invitations a day after they were
/// used or expired, and failed logins older than the counting window.
async fn clean_up_periodically(store: Store, limits: AttemptLimits) {
    let mut interval = tokio::time::interval(Duration::from_secs(600));
    loop {
        interval.tick().await;
        let now = store::now();
        if let Err(error) = sessions::delete_expired(&store, now).await {
            tracing::warn!(%error, "could not delete expired sessions");
        }
        if let Err(error) = attempts::delete_older_than(&store, now - limits.window_secs).await {
            tracing::warn!(%error, "could not delete old failed logins");
        }
        if let Err(error) = mail_tokens::delete_expired(&store, now).await {
            tracing::warn!(%error, "could not delete expired mail links");
        }
        if let Err(error) = api_tokens::delete_expired(&store, now).await {
            tracing::warn!(%error, "could not delete expired API tokens");
        }
        if let Err(error) = kitchens::delete_stale_invitations(&store, now).await {
            tracing::warn!(%error, "could not delete old invitations");
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
