//! The `desserts` binary, run as an operator would.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn desserts(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_desserts"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run desserts");
    // A command that refuses its arguments exits before reading stdin; the broken pipe is expected.
    if let Err(error) = child.stdin.take().expect("stdin").write_all(stdin.as_bytes()) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {error}");
    }
    child.wait_with_output().expect("wait")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn migrate_and_its_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let status = desserts(&db, &["migrate", "--status"], "");
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert!(
        text(&status.stdout).contains("0001 accounts_and_desserts") && text(&status.stdout).contains("pending"),
        "{}",
        text(&status.stdout)
    );
    let run = desserts(&db, &["migrate"], "");
    assert!(run.status.success());
    assert!(text(&run.stdout).contains("applied 0001"));
    let again = desserts(&db, &["migrate"], "");
    assert!(text(&again.stdout).contains("up to date"));
    let status = text(&desserts(&db, &["migrate", "--status"], "").stdout);
    assert!(status.contains("applied 20"), "{status}");
}

#[test]
fn user_add_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let added = desserts(
        &db,
        &["user", "add", "ann", "--email", "ann@example.com", "--name", "Ann Lee"],
        "correct horse battery\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("created user ann"));
    assert!(
        !text(&added.stdout).contains("correct horse") && !text(&added.stderr).contains("correct horse"),
        "the password is never printed"
    );

    let listed = desserts(&db, &["user", "list"], "");
    assert!(listed.status.success());
    let out = text(&listed.stdout);
    assert!(out.contains("ann") && out.contains("ann@example.com"), "{out}");
    assert!(
        out.lines().any(|line| line.starts_with("1 ") && line.trim_end().ends_with(" 0")),
        "{out}"
    );
}

#[test]
fn user_add_refuses_bad_input_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    assert!(
        desserts(
            &db,
            &["user", "add", "ann", "--email", "ann@example.com", "--name", "Ann"],
            "correct horse battery\n"
        )
        .status
        .success()
    );
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["user", "add", "x", "--email", "x@example.com", "--name", "X"],
            "correct horse battery\n",
            "Username must be 3 to 32",
        ),
        (
            &["user", "add", "bob", "--email", "nope", "--name", "Bob"],
            "correct horse battery\n",
            "Enter an email address",
        ),
        (
            &["user", "add", "bob", "--email", "bob@example.com", "--name", "Bob"],
            "short\n",
            "Password must be 8 to 1024",
        ),
        (
            &["user", "add", "bob", "--email", "bob@example.com", "--name", "Bob"],
            "",
            "no password",
        ),
        (
            &["user", "add", "ANN", "--email", "other@example.com", "--name", "Bob"],
            "correct horse battery\n",
            "username already exists",
        ),
        (
            &["user", "add", "bob", "--email", "ANN@example.com", "--name", "Bob"],
            "correct horse battery\n",
            "email already exists",
        ),
        (&["user", "add", "bob", "--name", "Bob"], "correct horse battery\n", "--email"),
    ];
    for (args, stdin, message) in cases {
        let out = desserts(&db, args, stdin);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(text(&out.stderr).contains(message), "{args:?}: {}", text(&out.stderr));
    }
    let listed = text(&desserts(&db, &["user", "list"], "").stdout);
    assert_eq!(listed.lines().count(), 2, "only the header and ann: {listed}");
}

#[test]
fn bad_database_urls_and_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(&not_a_db, "these are not the tables you are looking for, not at all, no").unwrap();
    let out = desserts(&not_a_db, &["migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not an SQLite database"), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&not_a_db).unwrap(),
        "these are not the tables you are looking for, not at all, no"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_desserts"))
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unsupported database URL"), "{}", text(&out.stderr));
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_desserts"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", format!("sqlite://{}", dir.path().join("served.db").display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let health = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).unwrap();
            break response;
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok"), "{health}");
    assert!(dir.path().join("served.db").exists(), "the database file was created");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit after SIGTERM: {:?}", output.status);
    assert!(text(&output.stderr).contains("shutting down"), "{}", text(&output.stderr));
}
