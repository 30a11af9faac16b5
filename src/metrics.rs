//! Prometheus metrics, served on a listener of their own (`--metrics-addr`): requests by
//! method, route template and status with their latency, and at each scrape the database
//! connections, the worker queues, mail and logins. Labels are route templates
//! (`/desserts/{id}`), never paths: a path holds ids and secret links, and every distinct
//! value would be a series of its own.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::backups::BackupRecord;
use crate::mail::Mailer;
use crate::passwords::Hasher;
use crate::photos::Photos;
use crate::store::{Store, StoreLoad};

/// The upper bounds of the latency histogram's buckets, in seconds: from half a millisecond
/// (a page from memory) to the request timeout.
const LATENCY_BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

type LatencyFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

/// The server's metrics; one per running app.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    backups: Arc<BackupRecord>,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
}

impl Metrics {
    pub fn new(store: &Store, hasher: &Hasher, photos: &Photos, mailer: &Mailer) -> Self {
        let mut registry = Registry::with_prefix("desserts");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (to its headers), by method, route template and status",
            latency.clone(),
        );
        let backups = Arc::new(BackupRecord::default());
        registry.register_collector(Box::new(AtScrape {
            store: store.clone(),
            hasher: hasher.clone(),
            photos: photos.clone(),
            mailer: mailer.clone(),
            backups: backups.clone(),
        }));
        Self {
            registry,
            backups,
            requests,
            latency,
        }
    }

    /// Counts one answered request. `route` is the matched route's template, `None` for an
    /// address no route matches.
    pub fn observe(&self, method: &axum::http::Method, route: Option<&str>, status: u16, took: Duration) {
        let labels = RequestLabels {
            method: method_label(method),
            route: route.unwrap_or("unmatched").to_string(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(took.as_secs_f64());
    }

    /// Where a backup schedule writes how it goes.
    pub fn backup_record(&self) -> Arc<BackupRecord> {
        self.backups.clone()
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// The standard methods by name; any other (anyone can send one) as `other`, so that a
/// client cannot make series without end.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .iter()
    .find(|known| *known == method)
    .map_or("other", |known| known.as_str())
}

/// What is read when Prometheus asks: queues and connections as they are now, and totals
/// kept by the parts that count them.
struct AtScrape {
    store: Store,
    hasher: Hasher,
    photos: Photos,
    mailer: Mailer,
    backups: Arc<BackupRecord>,
}

impl std::fmt::Debug for AtScrape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AtScrape")
    }
}

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: usize) -> std::fmt::Result {
    let value = ConstGauge::new(i64::try_from(value).unwrap_or(i64::MAX));
    value.encode(encoder.encode_descriptor(name, help, None, value.metric_type())?)
}

fn counter(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: u64) -> std::fmt::Result {
    let value = ConstCounter::new(value);
    value.encode(encoder.encode_descriptor(name, help, None, value.metric_type())?)
}

impl Collector for AtScrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        match self.store.load() {
            StoreLoad::Sqlite { writes_queued } => gauge(
                &mut encoder,
                "sqlite_write_queue",
                "Writes under way or waiting for the one SQLite writer.",
                writes_queued,
            )?,
            StoreLoad::Postgres { in_use, waiting } => {
                gauge(&mut encoder, "db_pool_in_use", "PostgreSQL connections lent out.", in_use)?;
                gauge(
                    &mut encoder,
                    "db_pool_waiting",
                    "Requests waiting for a PostgreSQL connection.",
                    waiting,
                )?;
            }
        }
        gauge(
            &mut encoder,
            "password_hashing_queue",
            "Password hashings and checks waiting for a thread.",
            self.hasher.waiting(),
        )?;
        gauge(
            &mut encoder,
            "photo_queue",
            "Photo uploads waiting for a thread.",
            self.photos.waiting(),
        )?;
        let mail = self.mailer.counts();
        let read = |count: &std::sync::atomic::AtomicU64| count.load(Ordering::Relaxed);
        counter(&mut encoder, "mail_sent", "Messages the SMTP server accepted.", read(&mail.sent))?;
        counter(&mut encoder, "mail_failed", "Messages given up on.", read(&mail.failed))?;
        counter(
            &mut encoder,
            "mail_retried",
            "Sending attempts that failed and were tried again.",
            read(&mail.retried),
        )?;
        counter(
            &mut encoder,
            "mail_logged",
            "Messages written to the log because no SMTP server is set.",
            read(&mail.logged),
        )?;
        counter(
            &mut encoder,
            "sessions_created",
            "Logged-in sessions started (logins).",
            self.store.sessions_created(),
        )?;
        if self.backups.scheduled.load(Ordering::Relaxed) {
            let last = self.backups.last_success.load(Ordering::Relaxed);
            let last = ConstGauge::new(last);
            last.encode(encoder.encode_descriptor(
                "backup_last_success_timestamp_seconds",
                "When the last scheduled backup was written (0: none yet).",
                None,
                last.metric_type(),
            )?)?;
            counter(
                &mut encoder,
                "backup_failures",
                "Scheduled backups that failed.",
                self.backups.failures.load(Ordering::Relaxed),
            )?;
        }
        Ok(())
    }
}
