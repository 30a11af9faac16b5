//! The `desserts` binary, run as an operator would.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{ServerProcess, TestDb, run_desserts as desserts, text};

#[test]
fn migrate_and_its_status() {
    let test_db = TestDb::new();
    let db = &test_db.url;
    let status = desserts(db, &["migrate", "--status"], "");
    assert!(status.status.success(), "{}", text(&status.stderr));
    assert!(
        text(&status.stdout).contains("0001 accounts_and_desserts") && text(&status.stdout).contains("pending"),
        "{}",
        text(&status.stdout)
    );
    let run = desserts(db, &["migrate"], "");
    assert!(run.status.success());
    assert!(text(&run.stdout).contains("applied 0001"));
    let again = desserts(db, &["migrate"], "");
    assert!(text(&again.stdout).contains("up to date"));
    let status = text(&desserts(db, &["migrate", "--status"], "").stdout);
    assert!(status.contains("applied 20"), "{status}");
}

#[test]
fn user_add_and_list() {
    let test_db = TestDb::new();
    let db = &test_db.url;
    let added = desserts(
        db,
        &["user", "add", "ann", "--email", "ann@example.com", "--name", "Ann Lee"],
        "correct horse battery\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("created user ann"));
    assert!(
        !text(&added.stdout).contains("correct horse") && !text(&added.stderr).contains("correct horse"),
        "the password is never printed"
    );

    let listed = desserts(db, &["user", "list"], "");
    assert!(listed.status.success());
    let out = text(&listed.stdout);
    assert!(out.contains("ann") && out.contains("ann@example.com"), "{out}");
    assert!(
        out.lines().any(|line| line.starts_with("1 ") && line.trim_end().ends_with(" 0")),
        "{out}"
    );
}

#[test]
fn admins_and_disabled_accounts_from_the_command_line() {
    let test_db = TestDb::new();
    let db = &test_db.url;
    let add = |name: &str, extra: &[&str]| {
        let email = format!("{name}@example.com");
        let mut args = vec!["user", "add", name, "--email", &email, "--name", "Someone"];
        args.extend_from_slice(extra);
        desserts(db, &args, "correct horse battery\n")
    };
    let root = add("root", &["--admin"]);
    assert!(root.status.success(), "{}", text(&root.stderr));
    assert!(text(&root.stdout).contains("created admin root"), "{}", text(&root.stdout));
    assert!(add("bob", &[]).status.success());
    let state = |name: &str| {
        let listed = text(&desserts(db, &["user", "list"], "").stdout);
        let line = listed
            .lines()
            .find(|line| line.contains(&format!(" {name} ")))
            .unwrap_or_default()
            .to_string();
        line.split_whitespace().nth(4).unwrap_or("").to_string()
    };
    assert_eq!((state("root"), state("bob")), ("admin".into(), String::new()));

    let disabled = desserts(db, &["user", "disable", "BOB"], "");
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    assert_eq!(state("bob"), "disabled");
    let refused = desserts(db, &["user", "disable", "root"], "");
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("is an admin"), "{}", text(&refused.stderr));
    assert_eq!(state("root"), "admin");
    for args in [
        &["user", "disable", "nobody"][..],
        &["user", "enable", "nobody"],
        &["user", "admin", "nobody"],
        &["user", "admin", "a\u{7}b"],
    ] {
        let out = desserts(db, args, "");
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out.stderr).contains("no user"), "{args:?}: {}", text(&out.stderr));
    }
    assert!(desserts(db, &["user", "enable", "bob"], "").status.success());
    assert_eq!(state("bob"), "");
    assert!(desserts(db, &["user", "admin", "bob"], "").status.success());
    assert!(desserts(db, &["user", "admin", "root", "--revoke"], "").status.success());
    assert_eq!((state("root"), state("bob")), (String::new(), "admin".into()));
}

#[test]
fn user_add_refuses_bad_input_and_changes_nothing() {
    let test_db = TestDb::new();
    let db = &test_db.url;
    assert!(
        desserts(
            db,
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
        let out = desserts(db, args, stdin);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(text(&out.stderr).contains(message), "{args:?}: {}", text(&out.stderr));
    }
    let listed = text(&desserts(db, &["user", "list"], "").stdout);
    assert_eq!(listed.lines().count(), 2, "only the header and ann: {listed}");
}

#[test]
fn bad_database_urls_and_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(&not_a_db, "these are not the tables you are looking for, not at all, no").unwrap();
    let out = desserts(&format!("sqlite://{}", not_a_db.display()), &["migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not an SQLite database"), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&not_a_db).unwrap(),
        "these are not the tables you are looking for, not at all, no"
    );

    let out = desserts("mysql://ann:hunter22@db/x", &["migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unsupported database URL"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("hunter22"), "the password is never printed");

    let out = desserts("postgres://ann:hunter22@127.0.0.1:notaport/x", &["migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("invalid PostgreSQL URL"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("hunter22"), "the password is never printed");

    // Nothing listens on port 1: the command gives up at once with a message.
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_desserts"))
        .args(["migrate"])
        .env("DATABASE_URL", "postgres://ann:hunter22@127.0.0.1:1/x")
        .env("DESSERTS_DB_TIMEOUT", "2")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unreachable"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("hunter22"), "the password is never printed");
    assert!(started.elapsed() < Duration::from_secs(10));

    for (name, value, message) in [
        ("DESSERTS_DB_POOL_SIZE", "0", "DESSERTS_DB_POOL_SIZE must be at least 1"),
        ("DESSERTS_DB_TIMEOUT", "-1", "DESSERTS_DB_TIMEOUT must be a positive"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_desserts"))
            .args(["migrate", "--status"])
            .env("DATABASE_URL", format!("sqlite://{}", dir.path().join("fine.db").display()))
            .env(name, value)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains(message), "{}", text(&out.stderr));
    }
}

#[test]
fn serve_answers_and_stops_gracefully_on_sigterm() {
    let db = TestDb::new();
    let server = ServerProcess::start(&db.url, &[]);
    let health = server.raw_get("/healthz").expect("answer");
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok"), "{health}");
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        assert!(std::path::Path::new(path).exists(), "the database file was created");
    }
    let (status, log) = server.stop();
    assert!(status.success(), "exit after SIGTERM: {status:?}");
    assert!(log.contains("shutting down"), "{log}");
}

#[tokio::test]
async fn backup_copies_a_live_database_and_refuses_to_overwrite() {
    let db = TestDb::new();
    let server = ServerProcess::start(&db.url, &[]);
    let api = crate::support::Api::new(&server.base).signed_up("ann").await;
    api.add("Apple Pie", 4.5, 300).await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().unwrap().to_string();

    let out = desserts(&db.url, &["backup", &copy_arg], "");
    if db.is_postgres() {
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("pg_dump"), "{}", text(&out.stderr));
        assert!(!copy.exists());
        return;
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The server kept serving during the backup, and the copy holds what it had.
    assert_eq!(api.get("/api/v1/me").await.body["dessert_count"], 1);
    let listed = text(&desserts(&format!("sqlite://{copy_arg}"), &["user", "list"], "").stdout);
    assert!(
        listed.lines().any(|line| line.contains("ann") && line.trim_end().ends_with(" 1")),
        "{listed}"
    );

    let before = std::fs::read(&copy).unwrap();
    let again = desserts(&db.url, &["backup", &copy_arg], "");
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
    assert_eq!(std::fs::read(&copy).unwrap(), before, "the old backup is untouched");
    let nowhere = dir.path().join("missing/dir/copy.db");
    let out = desserts(&db.url, &["backup", nowhere.to_str().unwrap()], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("is not a directory"), "{}", text(&out.stderr));
}

#[test]
fn a_database_newer_than_the_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    let url = format!("sqlite://{}", path.display());
    assert!(desserts(&url, &["migrate"], "").status.success());
    // As a later release would leave it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from_the_future', 0)",
        [],
    )
    .unwrap();
    drop(conn);
    for args in [&["serve", "--addr", "127.0.0.1:0"][..], &["migrate"], &["user", "list"]] {
        let out = desserts(&url, args, "");
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out.stderr).contains("newer than this program"),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let status = desserts(&url, &["migrate", "--status"], "");
    assert!(text(&status.stdout).contains("0099 from_the_future"), "{}", text(&status.stdout));
}

/// Several processes that start at once on a new SQLite file (servers and `migrate` run by
/// a deployment script, say) wait for each other instead of failing with "locked".
#[test]
fn processes_that_start_together_on_a_new_file_all_succeed() {
    if TestDb::new().is_postgres() {
        eprintln!("skipped: this is about a new SQLite file");
        return;
    }
    for round in 0..25 {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("new.db").display());
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_desserts"))
                    .arg("migrate")
                    .env("DATABASE_URL", &url)
                    .env("RUST_LOG", "warn")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start migrate")
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().expect("wait");
            assert!(output.status.success(), "round {round}: {}", text(&output.stderr));
        }
        let status = desserts(&url, &["migrate", "--status"], "");
        assert!(!text(&status.stdout).contains("pending"), "round {round}: {}", text(&status.stdout));
    }
}

#[test]
fn each_subcommands_help_lists_only_its_own_options() {
    let help = |args: &[&str]| {
        let output = desserts("sqlite://unused.db", args, "");
        assert!(output.status.success(), "{args:?}: {}", text(&output.stderr));
        text(&output.stdout)
    };
    let serve = help(&["serve", "--help"]);
    assert!(serve.contains("--addr") && serve.contains("--smtp-url"), "{serve}");
    let server_only = ["--addr", "--smtp-url", "--public-url", "--metrics-addr", "--backup-dir"];
    for command in [
        &["user", "add", "--help"][..],
        &["user", "list", "--help"],
        &["user", "admin", "--help"],
        &["user", "disable", "--help"],
        &["export", "--help"],
        &["import", "--help"],
        &["import-legacy", "--help"],
        &["migrate", "--help"],
        &["backup", "--help"],
    ] {
        let text = help(command);
        for option in server_only {
            assert!(!text.contains(option), "{command:?} lists {option}: {text}");
        }
        assert!(text.contains("--database-url"), "{command:?}: {text}");
    }
    // What uses no database lists none of its options.
    for command in [&["user", "--help"][..], &["completions", "--help"]] {
        let text = help(command);
        for option in server_only.iter().chain(&["--database-url", "--db-pool-size", "--quiet"]) {
            assert!(!text.contains(option), "{command:?} lists {option}: {text}");
        }
    }
    // Each long command has --quiet, and only those.
    for command in ["export", "import", "import-legacy", "backup"] {
        assert!(help(&[command, "--help"]).contains("--quiet"), "{command}");
    }
    for command in [&["migrate", "--help"][..], &["user", "add", "--help"], &["serve", "--help"]] {
        assert!(!help(command).contains("--quiet"), "{command:?}");
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef desserts"),
        ("fish", "complete -c desserts"),
    ] {
        let out = desserts("sqlite://unused.db", &["completions", shell], "");
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["import-legacy", "with-secrets", "backup-keep", "disable"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let out = desserts("sqlite://unused.db", &["completions", "tcsh"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("possible values"), "{}", text(&out.stderr));
    assert!(!std::path::Path::new("unused.db").exists(), "completions open no database");
}

/// Runs `desserts ARGS` with standard error (and output) on a terminal, through `script`:
/// what the command wrote there.
fn on_a_terminal(url: &str, args: &[&str]) -> (bool, String) {
    let command = std::iter::once(env!("CARGO_BIN_EXE_desserts"))
        .chain(args.iter().copied())
        .map(|word| format!("'{}'", word.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs the command on a terminal");
    (out.status.success(), text(&out.stdout))
}

#[test]
fn long_commands_show_progress_on_a_terminal_only() {
    let test_db = TestDb::new();
    let db = &test_db.url;
    assert!(
        desserts(
            db,
            &["user", "add", "ann", "--email", "ann@example.com", "--name", "Ann"],
            "correct horse battery\n"
        )
        .status
        .success()
    );
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("all.json");
    let export = export.to_str().unwrap();
    // Piped: the summary only, no progress and no terminal codes.
    let piped = desserts(db, &["export", "--out", export], "");
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert!(
        !text(&piped.stderr).contains("reading") && !text(&piped.stderr).contains('\u{1b}'),
        "{}",
        text(&piped.stderr)
    );
    // On a terminal: each step, rewritten in place.
    std::fs::remove_file(export).unwrap();
    let (ok, shown) = on_a_terminal(db, &["export", "--out", export]);
    assert!(ok, "{shown}");
    assert!(
        shown.contains("export: reading the database") && shown.contains("\r\u{1b}[2K"),
        "{shown:?}"
    );
    std::fs::remove_file(export).unwrap();
    let (ok, quiet) = on_a_terminal(db, &["export", "--out", export, "--quiet"]);
    assert!(ok, "{quiet}");
    assert!(!quiet.contains("reading"), "{quiet:?}");
    let (ok, checked) = on_a_terminal(db, &["import", "--dry-run", export]);
    assert!(ok, "{checked}");
    assert!(checked.contains("checking 1 users"), "{checked:?}");
    if !test_db.is_postgres() {
        let backup = dir.path().join("copy.db");
        let (ok, copied) = on_a_terminal(db, &["backup", backup.to_str().unwrap()]);
        assert!(ok, "{copied}");
        assert!(copied.contains("copying the database"), "{copied:?}");
        let piped = desserts(db, &["backup", "--verify", backup.to_str().unwrap()], "");
        assert!(piped.status.success(), "{}", text(&piped.stderr));
        assert!(text(&piped.stderr).is_empty(), "{}", text(&piped.stderr));
    }
}

/// A new database, an export and a backup hold password hashes: owner-only files.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_with_secrets_are_created_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let mode = |path: &std::path::Path| std::fs::metadata(path).expect("file").permissions().mode() & 0o777;
    let db = dir.path().join("new.db");
    let url = format!("sqlite://{}", db.display());
    assert!(desserts(&url, &["migrate"], "").status.success());
    assert_eq!(mode(&db), 0o600, "database");
    let export = dir.path().join("all.json");
    let exported = desserts(&url, &["export", "--out", export.to_str().unwrap()], "");
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert_eq!(mode(&export), 0o600, "export");
    let backup = dir.path().join("copy.db");
    let backed_up = desserts(&url, &["backup", backup.to_str().unwrap()], "");
    assert!(backed_up.status.success(), "{}", text(&backed_up.stderr));
    assert_eq!(mode(&backup), 0o600, "backup");
    // A planted link at the export's working name is replaced, not followed.
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "untouched").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("again.partial")).unwrap();
    let again = dir.path().join("again.json");
    assert!(desserts(&url, &["export", "--out", again.to_str().unwrap()], "").status.success());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert_eq!(mode(&again), 0o600);
}

/// Without SMTP, mail goes to the log: said loudly at start, and refused on an address
/// other machines can reach unless asked for.
#[test]
fn mail_to_the_log_is_announced_and_refused_off_loopback() {
    let db = TestDb::new();
    let refused = desserts(&db.url, &["serve", "--addr", "0.0.0.0:0"], "");
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("DESSERTS_SMTP_URL"), "{}", text(&refused.stderr));
    let server = ServerProcess::start(&db.url, &[]);
    let (_, log) = server.stop();
    assert!(log.contains("WARN") && log.contains("DESSERTS_SMTP_URL is not set"), "{log}");
}
