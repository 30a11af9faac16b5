//! Slow, silent and idle clients are cut off, and open connections are capped, while other
//! clients are served.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::{ServerProcess, TestDb};

/// Reads until the server closes the connection; how long that took, or `None` if it was
/// still open after `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut buffer = [0u8; 4096];
    while start.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

fn connect(server: &ServerProcess) -> TcpStream {
    TcpStream::connect(("127.0.0.1", server.port)).expect("connect")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_silent_and_idle_connections_are_closed_while_others_are_served() {
    let db = TestDb::new();
    let server = ServerProcess::start(&db.url, &[]);
    let started = Instant::now();

    let mut silent = connect(&server);
    let mut idle = connect(&server);
    write!(idle, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let trickler = std::thread::spawn({
        let mut slow = connect(&server);
        move || {
            // One header line every two seconds, never the blank line that ends them.
            write!(slow, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
            for n in 0..15 {
                std::thread::sleep(Duration::from_secs(2));
                if write!(slow, "X-Slow-{n}: yes\r\n").is_err() {
                    return Some(started.elapsed());
                }
            }
            None
        }
    });

    // Meanwhile the server answers everyone else at once.
    for _ in 0..20 {
        let asked = Instant::now();
        let answer = server.raw_get("/healthz").expect("answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(asked.elapsed() < Duration::from_secs(2));
    }

    let silent_closed = closed_within(&mut silent, Duration::from_secs(20)).expect("a silent connection is closed");
    let idle_closed = closed_within(&mut idle, Duration::from_secs(20)).expect("an idle keep-alive connection is closed");
    assert!(silent_closed < Duration::from_secs(13), "silent: {silent_closed:?}");
    assert!(idle_closed < Duration::from_secs(13), "idle: {idle_closed:?}");
    let slow_closed = trickler.join().unwrap().expect("a slowloris connection is closed");
    assert!(slow_closed < Duration::from_secs(16), "slow: {slow_closed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_until_one_closes() {
    let db = TestDb::new();
    let server = ServerProcess::start(&db.url, &[("DESSERTS_MAX_CONNECTIONS", "3")]);
    // Let the start-up check's connection go before taking every place.
    std::thread::sleep(Duration::from_millis(300));
    let holders: Vec<TcpStream> = (0..3).map(|_| connect(&server)).collect();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let answer = server.raw_get("/healthz").expect("answer");
    let waited = asked.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Served only once the silent holders were cut off by the header timeout.
    assert!(waited > Duration::from_secs(5), "the cap held nothing back: {waited:?}");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    drop(holders);
}
