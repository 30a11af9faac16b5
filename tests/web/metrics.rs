//! The metrics listener: Prometheus text on its own address, labelled by route template.

use std::collections::HashMap;

use reqwest::StatusCode;

use crate::support::{Browser, ServerProcess, SmtpSink, TestDb};

/// Each sample of a Prometheus text exposition as `name{labels}` → value, checking the
/// format's rules on the way: comments are `# HELP`, `# TYPE` or `# EOF`, every sample
/// belongs to a declared family, and values are numbers.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut families: Vec<String> = Vec::new();
    let mut samples = HashMap::new();
    assert!(text.ends_with("# EOF\n"), "{text}");
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.split(' ');
            match words.next() {
                Some("TYPE") => {
                    let name = words.next().expect("a family name").to_string();
                    let kind = words.next().expect("a type");
                    assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                    families.push(name);
                }
                Some("HELP" | "EOF") => {}
                _ => panic!("not a Prometheus comment: {line}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        let name = series.split('{').next().unwrap();
        assert!(
            families.iter().any(|family| name.starts_with(family.as_str())),
            "{name} has no # TYPE before it"
        );
        if let Some(labels) = series.split_once('{').map(|(_, rest)| rest) {
            assert!(labels.ends_with('}'), "{line}");
        }
        assert!(samples.insert(series.to_string(), value).is_none(), "{series} twice");
    }
    samples
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_listener_counts_requests_by_route_template() {
    let sink = SmtpSink::start().await;
    let db = TestDb::new();
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let server = ServerProcess::start(
        &db.url,
        &[
            ("DESSERTS_METRICS_ADDR", metrics_addr.as_str()),
            ("DESSERTS_SMTP_URL", sink.url.as_str()),
        ],
    );
    let scrape = || async {
        let response = reqwest::get(format!("http://{metrics_addr}/metrics"))
            .await
            .expect("the metrics answer");
        assert_eq!(response.status(), StatusCode::OK);
        let kind = response.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
        response.text().await.unwrap()
    };
    let before = parse(&scrape().await);
    assert_eq!(before.get("desserts_sessions_created_total"), Some(&0.0));

    let ann = Browser::new(&server.base);
    assert_eq!(ann.signup("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);
    let pie = ann.add_dessert("Apple Pie", "4", "300").await;
    for _ in 0..3 {
        assert_eq!(ann.get(&format!("/desserts/{pie}")).await.status, StatusCode::OK);
    }
    assert_eq!(ann.get("/desserts/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        Browser::new(&server.base).get("/no/such/page/12345").await.status,
        StatusCode::NOT_FOUND
    );
    sink.wait_for(1).await;
    // The SMTP server has the message; the sender counts it once the server's answer is in.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (text, samples) = loop {
        let text = scrape().await;
        let samples = parse(&text);
        if samples.get("desserts_mail_sent_total") == Some(&1.0) || std::time::Instant::now() > deadline {
            break (text, samples);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let shown = r#"desserts_http_requests_total{method="GET",route="/desserts/{id}",status="200"}"#;
    assert_eq!(samples.get(shown), Some(&3.0), "{text}");
    let missing = r#"desserts_http_requests_total{method="GET",route="/desserts/{id}",status="404"}"#;
    assert_eq!(samples.get(missing), Some(&1.0), "{text}");
    let unmatched = r#"desserts_http_requests_total{method="GET",route="unmatched",status="404"}"#;
    assert_eq!(samples.get(unmatched), Some(&1.0), "{text}");
    // The latency histogram agrees with the count, and its buckets only grow.
    let count = r#"desserts_http_request_duration_seconds_count{method="GET",route="/desserts/{id}",status="200"}"#;
    assert_eq!(samples.get(count), Some(&3.0), "{text}");
    let infinite = r#"desserts_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/desserts/{id}",status="200"}"#;
    assert_eq!(samples.get(infinite), Some(&3.0), "{text}");
    // Templates only: no id, no unknown path, no link. (Paths with their slashes: a bare
    // number can turn up inside a latency sum.)
    for raw in [
        format!("/desserts/{pie}"),
        "/desserts/999999".into(),
        "/no/such".into(),
        "page/12345".into(),
    ] {
        assert!(!text.contains(&raw), "{raw} is in the metrics");
    }
    assert_eq!(samples.get("desserts_sessions_created_total"), Some(&1.0), "the sign-up's login");
    assert_eq!(samples.get("desserts_mail_sent_total"), Some(&1.0), "the confirmation");
    assert_eq!(samples.get("desserts_mail_failed_total"), Some(&0.0));
    let database = if db.is_postgres() {
        vec!["desserts_db_pool_in_use", "desserts_db_pool_waiting"]
    } else {
        vec!["desserts_sqlite_write_queue"]
    };
    for gauge in database
        .into_iter()
        .chain(["desserts_password_hashing_queue", "desserts_photo_queue"])
    {
        assert_eq!(samples.get(gauge), Some(&0.0), "{gauge} when idle");
    }
    assert!(!text.contains("desserts_backup"), "no backup schedule, no backup metrics");
    // The metrics are not on the public address.
    assert_eq!(Browser::new(&server.base).get("/metrics").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_setting_there_is_no_metrics_listener() {
    let db = TestDb::new();
    let server = ServerProcess::start(&db.url, &[]);
    assert_eq!(Browser::new(&server.base).get("/metrics").await.status, StatusCode::NOT_FOUND);
    let (_, log) = server.stop();
    assert!(!log.contains("metrics at"), "{log}");
}
