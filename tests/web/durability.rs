//! What the server acknowledged is on disk: a full disk, and a kill -9 under write load.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Api, ServerProcess, TestDb};

/// A small tmpfs, unmounted when dropped. Mounting needs root; elsewhere the test says it
/// was skipped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<Self> {
        let dir = tempfile::tempdir().expect("dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

fn dessert(i: usize) -> serde_json::Value {
    json!({
        "name": format!("Dessert number {i} {}", "x".repeat(60)),
        "price": 4.5,
        "calories": 300,
        "origin": "o".repeat(100),
        "image_url": format!("https://example.com/{}", "p".repeat(400)),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_acknowledges_nothing_it_did_not_store_and_writes_resume_when_space_returns() {
    if TestDb::new().is_postgres() {
        eprintln!("skipped: the SQLite file is what fills the disk");
        return;
    }
    let Some(disk) = SmallDisk::mount(3) else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    // Room that can be given back later.
    let filler: PathBuf = disk.path().join("filler");
    std::fs::write(&filler, vec![0u8; 512 * 1024]).expect("filler");
    let url = format!("sqlite://{}", disk.path().join("desserts.db").display());
    let server = ServerProcess::start(&url, &[]);
    let api = Api::new(&server.base).signed_up("ann").await;

    let mut acknowledged = BTreeSet::new();
    let mut refused = 0;
    for i in 0..8_000 {
        let answer = api.post("/api/v1/desserts", dessert(i)).await;
        match answer.status {
            StatusCode::CREATED => {
                let id = answer.body["id"].as_i64().expect("id");
                assert!(acknowledged.insert(id), "id {id} acknowledged twice");
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(answer.error_code(), "unavailable");
                assert!(!answer.header("retry-after").is_empty(), "Retry-After on a full disk");
                assert_eq!(answer.header("x-content-type-options"), "nosniff");
                refused += 1;
                if refused >= 20 {
                    break;
                }
            }
            other => panic!("unexpected {other}: {}", answer.text),
        }
    }
    assert!(refused >= 20, "the disk never filled ({} stored)", acknowledged.len());
    assert!(acknowledged.len() > 50, "some writes went through first");
    let health = server.raw_get("/healthz").expect("healthz");
    assert!(health.starts_with("HTTP/1.1 503"), "healthz on a full disk: {health}");

    // Space comes back: writes work again without a restart.
    std::fs::remove_file(&filler).expect("free space");
    let deadline = Instant::now() + Duration::from_secs(10);
    let resumed = loop {
        let answer = api.post("/api/v1/desserts", dessert(100_000)).await;
        if answer.status == StatusCode::CREATED {
            break answer.body["id"].as_i64().expect("id");
        }
        assert!(Instant::now() < deadline, "writes did not resume: {}", answer.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    acknowledged.insert(resumed);
    let health = server.raw_get("/healthz").expect("healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "healthz once space is back: {health}");

    // Every acknowledged dessert is there after a restart, and nothing else.
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    let conn = rusqlite::Connection::open(disk.path().join("desserts.db")).expect("open");
    let mut statement = conn.prepare("SELECT id FROM desserts").expect("prepare");
    let stored: BTreeSet<i64> = statement
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(stored, acknowledged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_acknowledged_before_a_kill_9_is_there_after_the_restart() {
    let db = TestDb::new();
    let server = ServerProcess::start(&db.url, &[]);
    let api = Api::new(&server.base).signed_up("ann").await;
    let stop_at = Instant::now() + Duration::from_millis(1500);
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let api = api.clone();
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                for i in 0.. {
                    if Instant::now() > stop_at + Duration::from_secs(5) {
                        break;
                    }
                    let body = json!({"name": format!("Tart {writer}-{i}"), "price": 3, "calories": 200});
                    // Once the server is gone, requests fail: what was answered before is what counts.
                    match api.try_post("/api/v1/desserts", body).await {
                        Some((StatusCode::CREATED, id)) => acknowledged.push(id),
                        Some(_) => {}
                        None => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    tokio::time::sleep_until(stop_at.into()).await;
    server.kill_hard();
    let mut acknowledged = BTreeSet::new();
    for writer in writers {
        acknowledged.extend(writer.await.expect("writer"));
    }
    assert!(acknowledged.len() > 20, "the load ran ({} writes)", acknowledged.len());

    let server = ServerProcess::start(&db.url, &[]);
    let api = api.on(&server.base);
    for id in &acknowledged {
        let answer = api.get(&format!("/api/v1/desserts/{id}")).await;
        assert_eq!(answer.status, StatusCode::OK, "dessert {id} was acknowledged, then lost");
    }
}
