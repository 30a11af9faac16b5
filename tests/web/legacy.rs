//! `desserts import-legacy` on files made with the old app's exact table definitions.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;

use crate::support::{ServerProcess, TestDb, run_desserts as desserts, text};

const BEFORE_USERS: &str = "
CREATE TABLE dessert (id INTEGER NOT NULL, name VARCHAR(100), price FLOAT, calories INTEGER, PRIMARY KEY (id));
CREATE TABLE menu (id INTEGER NOT NULL, name VARCHAR(100), PRIMARY KEY (id));";

const WITH_USERS: &str = "
CREATE TABLE user (id INTEGER NOT NULL, username VARCHAR(100), password VARCHAR(100), email VARCHAR(250),
                   name VARCHAR(100), avatar VARCHAR(250), PRIMARY KEY (id));
CREATE TABLE dessert (id INTEGER NOT NULL, name VARCHAR(100), price FLOAT, calories INTEGER, user_id INTEGER,
                      PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES user (id));";

const MIGRATED: &str = "
ALTER TABLE dessert ADD COLUMN doilikeit BOOLEAN;
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
INSERT INTO alembic_version VALUES ('ae1027a6acf');";

fn legacy_file(dir: &Path, ddl: &[&str], rows: &str) -> PathBuf {
    let path = dir.join("legacy.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for part in ddl {
        conn.execute_batch(part).unwrap();
    }
    conn.execute_batch(rows).unwrap();
    path
}

fn adopt(db: &TestDb, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["import-legacy", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    desserts(&db.url, &args, "")
}

/// The id of the personal kitchen of account `user_id` in an export.
fn personal_kitchen(data: &serde_json::Value, user_id: i64) -> i64 {
    data["kitchens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kitchen| kitchen["personal_of"] == user_id)
        .and_then(|kitchen| kitchen["id"].as_i64())
        .expect("every account has a personal kitchen")
}

fn export(db: &TestDb) -> serde_json::Value {
    serde_json::from_slice(&desserts(&db.url, &["export"], "").stdout).unwrap()
}

#[tokio::test]
async fn a_clean_file_is_adopted_whole_and_old_passwords_still_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let file = legacy_file(
        dir.path(),
        &[WITH_USERS, MIGRATED],
        "INSERT INTO user VALUES (1, 'ann', 'applepie', 'ann@example.com', 'Ann Lee', 'https://example.com/ann.png');
         INSERT INTO user VALUES (2, 'bob', 'bobspassword', 'bob@example.com', 'Bob', NULL);
         INSERT INTO dessert VALUES (1, 'Apple Pie', 4.5, 300, 1, 1);
         INSERT INTO dessert VALUES (2, 'Brownie', 2.25, 400, 1, 0);
         INSERT INTO dessert VALUES (3, 'Cake', 3, 500, 2, NULL);",
    );
    let before = std::fs::read(&file).unwrap();
    let db = TestDb::new();
    let out = adopt(&db, &file, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("adopted 2 of 2 users, 3 of 3 desserts"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read(&file).unwrap(), before, "the legacy file is only read");

    let data = export(&db);
    let desserts_of = |data: &serde_json::Value| data["desserts"].as_array().unwrap().clone();
    let pie = desserts_of(&data).into_iter().find(|d| d["name"] == "Apple Pie").unwrap();
    assert_eq!(
        (pie["price_cents"].as_i64(), pie["calories"].as_i64(), pie["liked"].as_bool()),
        (Some(450), Some(300), Some(true))
    );
    assert!(
        data["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["password_hash"].as_str().unwrap().starts_with("$argon2id$"))
    );
    assert!(
        !serde_json::to_string(&data).unwrap().contains("applepie"),
        "no plain password is kept"
    );

    let server = ServerProcess::start(&db.url, &[]);
    let ann = crate::support::Browser::new(&server.base);
    assert_eq!(ann.login("ann", "applepie").await.status, StatusCode::SEE_OTHER);
    let list = ann.get("/").await;
    assert_eq!(list.dessert_names(), ["Apple Pie", "Brownie"]);
    drop(server);
    // Now with Ann's login written down.
    let data = export(&db);
    assert!(data["users"][0]["last_login_at"].is_string());

    // A second run adds nothing.
    let again = adopt(&db, &file, &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("adopted 0 of 2 users, 0 of 3 desserts"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(export(&db), data);
}

#[test]
fn ownerless_desserts_and_menus_need_an_owner() {
    let dir = tempfile::tempdir().unwrap();
    let file = legacy_file(
        dir.path(),
        &[BEFORE_USERS],
        "INSERT INTO dessert VALUES (1, 'Apple Pie', 4.5, 300);
         INSERT INTO dessert VALUES (2, 'Brownie', 2, 400);
         INSERT INTO menu VALUES (1, 'Summer');",
    );
    let db = TestDb::new();
    let refused = adopt(&db, &file, &[]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("have no owner: name one with --owner"),
        "{}",
        text(&refused.stderr)
    );
    let nobody = adopt(&db, &file, &["--owner", "zed"]);
    assert!(!nobody.status.success());
    assert!(
        text(&nobody.stderr).contains("--owner zed: no user by that name"),
        "{}",
        text(&nobody.stderr)
    );
    assert_eq!(export(&db)["desserts"].as_array().unwrap().len(), 0, "nothing changed");

    let made = desserts(
        &db.url,
        &["user", "add", "carol", "--email", "carol@example.com", "--name", "Carol"],
        "a long password\n",
    );
    assert!(made.status.success());
    let out = adopt(&db, &file, &["--owner", "CAROL"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let data = export(&db);
    assert_eq!(data["desserts"].as_array().unwrap().len(), 2);
    let carols_kitchen = personal_kitchen(&data, data["users"][0]["id"].as_i64().unwrap());
    assert!(
        data["desserts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["kitchen_id"] == carols_kitchen)
    );
    assert_eq!(data["menus"][0]["kitchen_id"], carols_kitchen);
    assert_eq!(data["menus"][0]["name"], "Summer");
    assert!(adopt(&db, &file, &["--owner", "carol"]).status.success());
    assert_eq!(export(&db), data, "a second run adds nothing");
}

const BAD_ROWS: &str = "
INSERT INTO user VALUES (1, 'ann lee', 'applepie', 'ann@example.com', 'Ann', 'ftp://example.com/a.png');
INSERT INTO user VALUES (2, 'bob', 'bobspassword', 'ANN@example.com', 'Bob', NULL);
INSERT INTO dessert VALUES (1, '', 4.5, 300, 1, NULL);
INSERT INTO dessert VALUES (2, '12345', 2, 400, 1, NULL);
INSERT INTO dessert VALUES (3, 'Pie', 3.14159, 300, 1, NULL);
INSERT INTO dessert VALUES (4, 'PIE', 2, 300, 1, NULL);
INSERT INTO dessert VALUES (5, 'Cake', -3, NULL, 2, NULL);
INSERT INTO dessert VALUES (6, 'Huge', 5, 999999, 2, NULL);";

#[test]
fn broken_rows_stop_the_import_with_a_line_each_or_are_repaired_with_repair() {
    let dir = tempfile::tempdir().unwrap();
    let file = legacy_file(dir.path(), &[WITH_USERS, MIGRATED], BAD_ROWS);
    let db = TestDb::new();
    let refused = adopt(&db, &file, &[]);
    assert!(!refused.status.success());
    let report = text(&refused.stderr);
    for line in [
        "user 1 username:",
        "user 1 avatar:",
        "user 2 email: Another user has this email",
        "dessert 1 name:",
        "dessert 2 name: Name cannot be only digits",
        "dessert 3 price: Price must have at most 2 decimals",
        "dessert 4 name: The owner has another dessert by this name",
        "dessert 5 price:",
        "dessert 5 calories:",
        "dessert 6 calories:",
    ] {
        assert!(report.contains(line), "{line}: {report}");
    }
    assert!(report.contains("nothing was changed"));
    assert!(export(&db)["users"].as_array().unwrap().is_empty());

    let repaired = adopt(&db, &file, &["--repair"]);
    assert!(repaired.status.success(), "{}", text(&repaired.stderr));
    let fixes = text(&repaired.stdout);
    assert_eq!(fixes.lines().filter(|l| l.starts_with("fixed ")).count(), 10, "{fixes}");
    assert!(fixes.contains("adopted 2 of 2 users, 6 of 6 desserts"), "{fixes}");
    let data = export(&db);
    let names: Vec<&str> = data["desserts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dessert 1", "Dessert 12345", "Pie", "PIE (2)", "Cake", "Huge"]);
    let prices: Vec<i64> = data["desserts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["price_cents"].as_i64().unwrap())
        .collect();
    assert_eq!(prices, [450, 200, 314, 200, 0, 500]);
    let calories: Vec<i64> = data["desserts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["calories"].as_i64().unwrap())
        .collect();
    assert_eq!(calories, [300, 400, 300, 300, 0, 10000]);
    assert_eq!(data["users"][0]["username"], "ann_lee");
    assert!(data["users"][0]["avatar"].is_null());
    assert_eq!(data["users"][1]["email"], "legacy-user-2@invalid.example");

    let again = adopt(&db, &file, &["--repair"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(export(&db), data, "a second run adds nothing");
}

#[test]
fn files_that_are_not_legacy_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let missing = dir.path().join("missing.db");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database, just some text that is long enough to have a header").unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let before: Vec<Vec<u8>> = [&notes, &other].iter().map(|file| std::fs::read(file).unwrap()).collect();
    for (file, message) in [
        (&missing, "does not exist"),
        (&notes, "not an SQLite database"),
        (&other, "has no dessert table"),
    ] {
        let out = adopt(&db, file, &[]);
        assert!(!out.status.success(), "{message}");
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
    }
    // Refusing reads and leaves alone: no file made where there was none, none changed.
    assert!(!missing.exists(), "the missing file was not created");
    let after: Vec<Vec<u8>> = [&notes, &other].iter().map(|file| std::fs::read(file).unwrap()).collect();
    assert_eq!(after, before, "the refused files are as they were");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no journal or other file was left: {leftovers:?}");
}

/// A row reaches each table three ways — the app, an adoption, an import — and all three
/// write the same columns: what the first two write, the export reads back field by field,
/// and an import into an empty database writes it again unchanged.
#[tokio::test]
async fn the_app_an_adoption_and_an_import_write_every_column_alike() {
    let app = crate::support::TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let eclair = ann
        .post(
            "/api/v1/desserts",
            serde_json::json!({"name": "Éclair", "price": 2.5, "calories": 250, "origin": "France",
                               "image_url": "https://example.com/e.jpg", "liked": true}),
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let menu = ann.post("/api/v1/menus", serde_json::json!({"name": "Summer"})).await.body["id"]
        .as_i64()
        .unwrap();
    ann.send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/{eclair}"), None)
        .await;
    let browser = app.browser();
    browser.login("ann", "correct horse battery").await;
    browser
        .submit(&format!("/menus/{menu}"), &format!("/menus/{menu}/publish"), &[])
        .await;

    let dir = tempfile::tempdir().unwrap();
    let file = legacy_file(
        dir.path(),
        &[
            WITH_USERS,
            MIGRATED,
            "CREATE TABLE menu (id INTEGER NOT NULL, name VARCHAR(100), PRIMARY KEY (id));",
        ],
        "INSERT INTO user VALUES (1, 'Bob', 'bobspassword', 'Bob@Example.com', 'Bob Ray', 'https://example.com/b.png');
         INSERT INTO dessert VALUES (1, 'Brownie', 2.25, 400, 1, 1);
         INSERT INTO menu VALUES (1, 'Winter');",
    );
    let out = desserts(&app.db.url, &["import-legacy", file.to_str().unwrap(), "--owner", "bob"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));

    let data: serde_json::Value = serde_json::from_slice(&desserts(&app.db.url, &["export"], "").stdout).unwrap();
    let (users, desserts_, menus) = (&data["users"], &data["desserts"], &data["menus"]);
    let (anns, bobs) = (personal_kitchen(&data, 1), personal_kitchen(&data, 2));
    for (row, expected) in [
        (
            &users[0],
            serde_json::json!({"id": 1, "username": "ann", "email": "ann@example.com"}),
        ),
        (
            &users[1],
            serde_json::json!({"id": 2, "username": "Bob", "email": "Bob@Example.com",
                                       "name": "Bob Ray",
                                       "avatar": "https://example.com/b.png"}),
        ),
        (
            &desserts_[0],
            serde_json::json!({"id": eclair, "kitchen_id": anns, "name": "Éclair", "price_cents": 250, "calories": 250, "origin": "France",
                                           "image_url": "https://example.com/e.jpg", "liked": true}),
        ),
        (
            &desserts_[1],
            serde_json::json!({"kitchen_id": bobs, "name": "Brownie", "price_cents": 225,
                                           "calories": 400, "origin": null, "image_url": null, "liked": true}),
        ),
        (&menus[0], serde_json::json!({"id": menu, "kitchen_id": anns, "name": "Summer"})),
        (
            &menus[1],
            serde_json::json!({"kitchen_id": bobs, "name": "Winter", "public_slug": null}),
        ),
        (&data["menu_entries"][0], serde_json::json!({"menu_id": menu, "dessert_id": eclair})),
    ] {
        for (field, value) in expected.as_object().unwrap() {
            assert_eq!(&row[field], value, "{field} of {row}");
        }
        for stamp in ["created_at", "updated_at", "added_at"] {
            if let Some(at) = row.get(stamp) {
                assert!(at.as_str().unwrap().starts_with("20"), "{stamp} of {row}");
            }
        }
    }
    assert!(users[1]["password_hash"].as_str().unwrap().starts_with("$argon2id$"));
    // The app reads its own columns by name, so a column list out of order shows here.
    let shown = ann.get(&format!("/api/v1/desserts/{eclair}")).await.body;
    for field in ["name", "calories", "origin", "image_url", "liked"] {
        assert_eq!(shown[field], desserts_[0][field], "{field} as the app reads it");
    }
    assert_eq!(shown["price"], 2.5);
    let bob = app.api();
    let login = bob
        .post("/api/v1/tokens", serde_json::json!({"username": "BOB", "password": "bobspassword"}))
        .await;
    assert_eq!(
        login.status,
        reqwest::StatusCode::CREATED,
        "the adopted keys find Bob: {}",
        login.body
    );
    assert!(menus[0]["public_slug"].as_str().unwrap().len() > 10);

    let copy = TestDb::new();
    let document = dir.path().join("export.json");
    std::fs::write(&document, serde_json::to_string_pretty(&data).unwrap()).unwrap();
    let out = desserts(&copy.url, &["import", document.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(export(&copy), data, "an import writes every column back as it was");
}
