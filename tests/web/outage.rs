//! The database goes away and comes back while the server runs (PostgreSQL only: an
//! embedded SQLite file cannot go away on its own).

use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::{Browser, Proxy, ServerProcess, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL only: the PostgreSQL leg of .ci/run runs it (DESSERTS_TEST_DATABASE_URL, --include-ignored)"]
async fn the_server_answers_503_while_the_database_is_away_and_recovers_by_itself() {
    let db = TestDb::new();
    assert!(db.is_postgres(), "this test needs PostgreSQL: set DESSERTS_TEST_DATABASE_URL");
    let mut url = url::Url::parse(&db.url).expect("url");
    let upstream = (url.host_str().expect("host"), url.port().unwrap_or(5432))
        .to_socket_addrs()
        .expect("address")
        .next()
        .expect("an address");
    let mut proxy = Proxy::start(upstream).await;
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(proxy.port)).expect("port");
    let server = ServerProcess::start(url.as_str(), &[("DESSERTS_DB_TIMEOUT", "1")]);

    let ann = Browser::new(&server.base);
    assert_eq!(ann.signup("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);
    let id = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let add_form = ann.get("/add").await;

    // Down: connections refused and the open ones closed.
    proxy.cut().await;
    expect_unavailable(&ann, "down").await;
    let token = add_form.csrf_token();
    let refused = ann
        .post_raw(
            "/add",
            &[("csrf_token", &token), ("name", "Lost Cake"), ("price", "1"), ("calories", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE, "{}", refused.body);

    // Stalled: the network swallows everything; the server gives up after its timeout.
    proxy.stall().await;
    expect_unavailable(&ann, "stalled").await;

    // Back: the server reconnects by itself; the session and the data are as they were.
    proxy.restore().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let health = ann.get("/healthz").await;
        if health.status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not recover: {}", health.status);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let list = ann.get("/").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.assert_contains("Apple Pie").assert_lacks("Lost Cake");
    assert_eq!(ann.get(&format!("/desserts/{id}")).await.status, StatusCode::OK);
    assert!(server.log().lines().all(|line| !line.contains("panicked")), "{}", server.log());
}

/// `/healthz` and a page both answer 503 promptly, the page with a message for people.
async fn expect_unavailable(browser: &Browser, state: &str) {
    let started = Instant::now();
    let health = browser.get("/healthz").await;
    assert_eq!(
        health.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "healthz while {state}: {}",
        health.body
    );
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "page while {state}: {}", page.body);
    page.assert_contains("Temporarily unavailable");
    assert!(!page.header("retry-after").is_empty(), "Retry-After while {state}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "answers while {state} took {:?}",
        started.elapsed()
    );
}
