//! Backups you can trust: copies on a schedule that stay consistent while writes go on, kept
//! N deep, and checking a backup or an export row by row without changing anything.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::{Api, ServerProcess, TestDb, run_desserts as desserts, text};

fn copies_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("desserts-") && name.ends_with(".db"))
        .collect();
    names.sort();
    names
}

/// SQLite's own verdict on a file, opened read-only, and how many desserts it holds.
fn check_copy(path: &std::path::Path) -> (String, i64) {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    let desserts: i64 = conn.query_row("SELECT count(*) FROM desserts", [], |row| row.get(0)).unwrap();
    (verdict, desserts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_copies_are_consistent_under_writes_and_only_the_newest_stay() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let server = ServerProcess::start(
        &url,
        &[
            ("DESSERTS_METRICS_ADDR", metrics_addr.as_str()),
            ("DESSERTS_BACKUP_DIR", backups.to_str().unwrap()),
            ("DESSERTS_BACKUP_EVERY", "1s"),
            ("DESSERTS_BACKUP_KEEP", "2"),
        ],
    );
    let api = Api::new(&server.base).signed_up("ann").await;
    // Writes go on the whole time, in parallel.
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let api = api.clone();
            let writing = writing.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while writing.load(std::sync::atomic::Ordering::Relaxed) {
                    let made = api
                        .post(
                            "/api/v1/desserts",
                            serde_json::json!({"name": format!("Cake {w}-{n}"), "price": 3, "calories": 200}),
                        )
                        .await;
                    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.len() < 4 {
        assert!(Instant::now() < deadline, "only {} copies in 30 s: {seen:?}", seen.len());
        if backups.is_dir() {
            let now = copies_in(&backups);
            // The newest 2, and for a moment the one just made before the oldest goes.
            assert!(now.len() <= 3, "at most the newest 2 stay: {now:?}");
            seen.extend(now);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut written = 0;
    for writer in writers {
        written += writer.await.unwrap();
    }
    assert!(written > 10, "writes went on: {written}");
    let metrics = reqwest::get(format!("http://{metrics_addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let last = metrics
        .lines()
        .find_map(|line| line.strip_prefix("desserts_backup_last_success_timestamp_seconds "))
        .unwrap_or_else(|| panic!("the last backup's time: {metrics}"));
    assert!(last.parse::<i64>().unwrap() > 1_700_000_000, "{last}");
    assert!(metrics.contains("desserts_backup_failures_total 0"), "{metrics}");
    drop(server);
    let kept = copies_in(&backups);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(
        &kept[..],
        &seen.iter().rev().take(2).rev().cloned().collect::<Vec<_>>()[..],
        "the newest two"
    );
    for name in &kept {
        let path = backups.join(name);
        let (verdict, desserts) = check_copy(&path);
        assert_eq!(verdict, "ok", "{name}");
        assert!(desserts > 0, "{name} holds the desserts written before it");
        let verified = desserts_cli(&["backup", "--verify", path.to_str().unwrap()]);
        assert!(verified.status.success(), "{name}: {}", text(&verified.stderr));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "{name}");
        }
    }
}

fn desserts_cli(args: &[&str]) -> std::process::Output {
    desserts("sqlite://not-opened.db", args, "")
}

#[test]
fn scheduled_backups_are_refused_where_they_cannot_work() {
    let db = TestDb::new();
    let bad = [
        (
            &["serve", "--addr", "127.0.0.1:0", "--backup-dir", "x", "--backup-every", "often"][..],
            "not a duration",
        ),
        (
            &["serve", "--addr", "127.0.0.1:0", "--backup-dir", "x", "--backup-keep", "0"],
            "backup-keep",
        ),
    ];
    for (args, message) in bad {
        let out = desserts(&db.url, args, "");
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains(message), "{args:?}: {}", text(&out.stderr));
    }
    if db.is_postgres() {
        let dir = tempfile::tempdir().unwrap();
        let out = desserts(
            &db.url,
            &["serve", "--addr", "127.0.0.1:0", "--backup-dir", dir.path().to_str().unwrap()],
            "",
        );
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("pg_dump"), "{}", text(&out.stderr));
    }
}

#[test]
fn verify_and_dry_run_report_a_planted_bad_row_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.db").display());
    let added = desserts(
        &url,
        &["user", "add", "ann", "--email", "ann@example.com", "--name", "Ann"],
        "correct horse battery\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    let conn = rusqlite::Connection::open(dir.path().join("live.db")).unwrap();
    conn.execute(
        "INSERT INTO desserts (id, kitchen_id, name, name_key, price_cents, calories, liked, created_at, updated_at)
         VALUES (1, 1, 'Apple Pie', 'apple pie', 450, 300, 0, 1000, 1000)",
        [],
    )
    .unwrap();
    drop(conn);
    let backup = dir.path().join("copy.db");
    assert!(desserts(&url, &["backup", backup.to_str().unwrap()], "").status.success());
    let good = desserts_cli(&["backup", "--verify", backup.to_str().unwrap()]);
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert!(text(&good.stdout).contains("1 users, 1 desserts"), "{}", text(&good.stdout));

    // Rows no release would write, planted by hand.
    let conn = rusqlite::Connection::open(&backup).unwrap();
    conn.execute("UPDATE desserts SET name = '   ' WHERE id = 1", []).unwrap();
    conn.execute("UPDATE users SET email = 'not an address' WHERE id = 1", []).unwrap();
    drop(conn);
    let planted = std::fs::read(&backup).unwrap();
    let bad = desserts_cli(&["backup", "--verify", backup.to_str().unwrap()]);
    assert!(!bad.status.success());
    let report = text(&bad.stderr);
    assert!(
        report.contains("2 problem(s)") && report.contains("desserts 1 name:") && report.contains("users 1 email:"),
        "{report}"
    );
    assert_eq!(std::fs::read(&backup).unwrap(), planted, "the backup is unchanged");

    // A damaged file, and one that is no database.
    let damaged = dir.path().join("damaged.db");
    std::fs::write(&damaged, &planted[..planted.len() / 2]).unwrap();
    let out = desserts_cli(&["backup", "--verify", damaged.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let not_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_db,
        "just some words, long enough to be taken for a header of something ".repeat(20),
    )
    .unwrap();
    let out = desserts_cli(&["backup", "--verify", not_db.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is not a database this program reads"),
        "{}",
        text(&out.stderr)
    );
    let out = desserts_cli(&["backup", "--verify", dir.path().join("missing.db").to_str().unwrap()]);
    assert!(text(&out.stderr).contains("is not a file"), "{}", text(&out.stderr));

    // An export with a bad row: the dry run says where, and nothing is imported anywhere.
    let export = dir.path().join("all.json");
    assert!(desserts(&url, &["export", "--out", export.to_str().unwrap()], "").status.success());
    let fresh = dir.path().join("fresh.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    let checked = desserts(&fresh_url, &["import", "--dry-run", export.to_str().unwrap()], "");
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    assert!(text(&checked.stdout).contains("every row passes"), "{}", text(&checked.stdout));
    let document = std::fs::read_to_string(&export).unwrap();
    let broken = document.replacen("\"price_cents\": 450", "\"price_cents\": -450", 1);
    assert_ne!(broken, document);
    std::fs::write(&export, &broken).unwrap();
    let out = desserts(&fresh_url, &["import", "--dry-run", export.to_str().unwrap()], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("desserts 1 price_cents:"), "{}", text(&out.stderr));
    assert!(!fresh.exists(), "a dry run opens no database");
    assert_eq!(std::fs::read_to_string(&export).unwrap(), broken, "nor changes the document");
}
