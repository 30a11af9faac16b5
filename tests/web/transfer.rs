//! `desserts export` and `desserts import`, run as an operator would.

use serde_json::json;

use crate::support::{Api, Browser, ServerProcess, TestApp, TestDb, images, run_desserts as desserts, text};

fn export(url: &str) -> String {
    let out = desserts(url, &["export"], "");
    assert!(out.status.success(), "export: {}", text(&out.stderr));
    text(&out.stdout)
}

fn import(url: &str, document: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, document).unwrap();
    desserts(url, &["import", file.to_str().unwrap()], "")
}

#[tokio::test]
async fn an_export_imports_into_an_empty_database_of_either_kind_and_exports_the_same() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let bob = app.api().signed_up("bob").await;
    let pie = ann.add("Apple Pie", 4.35, 300).await;
    ann.post(
        "/api/v1/desserts",
        json!({"name": "Éclair", "price": 0, "calories": 0, "origin": "France", "image_url": "https://example.com/e.jpg", "liked": true,
               "allergens": ["milk", "eggs"], "traces": ["nuts"], "labels": ["French", "Classic"]}),
    )
    .await;
    bob.add("Bob's Cake", 3.0, 500).await;
    let menu = ann.post("/api/v1/menus", json!({"name": "Summer"})).await.body["id"]
        .as_i64()
        .unwrap();
    ann.send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/{pie}"), None)
        .await;
    let photo = ann
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/desserts/{pie}/photo"),
            "image/png",
            images::png_with_alpha(600, 400),
        )
        .await;
    assert_eq!(photo.status, reqwest::StatusCode::OK);
    let (_, _, photo_bytes) = ann.get_bytes(&format!("/api/v1/desserts/{pie}/photo"), &[]).await;
    let browser = app.browser();
    browser.login("ann", "correct horse battery").await;
    browser
        .submit(&format!("/menus/{menu}"), &format!("/menus/{menu}/publish"), &[])
        .await;

    // Ann has confirmed her address; Bob has not.
    app.db
        .run_sql("INSERT INTO email_verifications (user_id, email_key, verified_at) VALUES (1, 'ann@example.com', 1795512600)");
    app.db.run_sql("UPDATE users SET public_name = 'Café Lee' WHERE id = 1");
    // Ann is an admin; Bob is disabled.
    app.db.run_sql("UPDATE users SET is_admin = TRUE WHERE id = 1");
    app.db.run_sql("UPDATE users SET disabled_at = 1795512700 WHERE id = 2");

    let document = export(&app.db.url);
    let parsed: serde_json::Value = serde_json::from_str(&document).unwrap();
    assert_eq!(parsed["format"], "desserts-export");
    assert_eq!(parsed["version"], 7);
    assert_eq!(parsed["users"][0]["admin"], true);
    assert!(parsed["users"][1].get("admin").is_none());
    assert_eq!(parsed["users"][1]["disabled_at"], "2026-11-24T09:31:40Z");
    assert!(parsed["users"][0]["last_login_at"].is_string(), "ann logged in");
    // Each account's personal kitchen holds its rows; each is its owner.
    assert_eq!(parsed["kitchens"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["kitchens"][0]["personal_of"], parsed["users"][0]["id"]);
    assert_eq!(parsed["memberships"][0]["role"], "owner");
    assert_eq!(parsed["desserts"][0]["kitchen_id"], parsed["kitchens"][0]["id"]);
    assert!(parsed["desserts"][0].get("user_id").is_none());
    assert_eq!(parsed["desserts"][1]["allergens"], json!(["eggs", "milk"]));
    assert_eq!(parsed["desserts"][1]["traces"], json!(["nuts"]));
    assert_eq!(parsed["desserts"][0]["allergens"], serde_json::Value::Null, "not declared");
    assert_eq!(parsed["labels"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["dessert_labels"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["photos"][0]["dessert_id"], pie);
    assert!(parsed["photos"][0]["image"].as_str().unwrap().starts_with("/9j/"), "a JPEG, base64");
    assert_eq!(parsed["users"][0]["email_confirmed_at"], "2026-11-24T09:30:00Z");
    assert!(parsed["users"][1].get("email_confirmed_at").is_none());
    assert_eq!(parsed["users"][0]["public_name"], "Café Lee");
    assert_eq!(parsed["users"][0]["currency"], "USD");
    assert!(parsed["users"][1].get("public_name").is_none());
    assert_eq!(parsed["users"].as_array().unwrap().len(), 2);
    assert!(parsed["users"][0]["password_hash"].as_str().unwrap().starts_with("$argon2id$"));
    assert_eq!(parsed["desserts"][0]["price_cents"], 435);
    assert_eq!(parsed["menu_entries"][0]["dessert_id"], pie);
    assert!(parsed["menus"][0]["public_slug"].is_string());
    assert_eq!(parsed["menus"][0]["published"], true);
    assert_eq!(parsed["menu_entries"][0]["position"], 1);

    // Into the same kind of database as the suite runs on, and into SQLite.
    let same_kind = TestDb::new();
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", sqlite_dir.path().join("copy.db").display());
    for target in [same_kind.url.as_str(), sqlite.as_str()] {
        let out = import(target, &document);
        assert!(out.status.success(), "import into {target}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("imported 2 users, 3 desserts, 1 menus, 1 photos"),
            "{}",
            text(&out.stdout)
        );
        assert_eq!(export(target), document, "export → import → export is the same document");
    }
    // PostgreSQL's planner knows the imported tables at once (ANALYZE), instead of guessing
    // until autovacuum gets to them: a table never analyzed has reltuples -1.
    if same_kind.is_postgres() {
        let unknown = same_kind.count(
            "SELECT count(*) FROM pg_class WHERE relname IN ('users', 'kitchens', 'memberships', 'desserts', 'sessions')
             AND relkind = 'r' AND reltuples < 0",
        );
        assert_eq!(unknown, 0, "every imported table has statistics");
    }

    // A version 1 document, from before addresses were confirmed, imports as unconfirmed.
    let old_dir = tempfile::tempdir().unwrap();
    let old_target = format!("sqlite://{}", old_dir.path().join("old.db").display());
    let mut old: serde_json::Value = serde_json::from_str(&document).unwrap();
    old["version"] = 1.into();
    for newer in ["photos", "labels", "dessert_labels", "kitchens", "memberships"] {
        old.as_object_mut().unwrap().remove(newer);
    }
    // Before kitchens, a row named its owner; each personal kitchen here has its account's id.
    for table in ["desserts", "menus"] {
        for row in old[table].as_array_mut().unwrap() {
            let row = row.as_object_mut().unwrap();
            let kitchen = row.remove("kitchen_id").unwrap();
            row.insert("user_id".into(), kitchen);
        }
    }
    for dessert in old["desserts"].as_array_mut().unwrap() {
        dessert.as_object_mut().unwrap().remove("allergens");
        dessert.as_object_mut().unwrap().remove("traces");
    }
    old["menus"][0].as_object_mut().unwrap().remove("published");
    old["menu_entries"][0].as_object_mut().unwrap().remove("position");
    old["users"][0].as_object_mut().unwrap().remove("email_confirmed_at");
    let version_1 = serde_json::to_string_pretty(&old).unwrap();
    let out = import(&old_target, &version_1);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let reexported: serde_json::Value = serde_json::from_str(&export(&old_target)).unwrap();
    assert!(reexported["users"][0].get("email_confirmed_at").is_none());
    // A menu with a slug was published then; its entries keep their order by name.
    assert_eq!(reexported["menus"][0]["published"], true);
    assert_eq!(reexported["menu_entries"][0]["position"], 0);

    // The imported database works: old passwords log in, the public link still works, and
    // new rows get new ids.
    let server = ServerProcess::start(&same_kind.url, &[]);
    let copy = Api::new(&server.base).signed_up("carol").await;
    let new_id = copy.add("Carol's Tart", 1.0, 100).await;
    let max_id = parsed["desserts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .max()
        .unwrap();
    assert!(new_id > max_id, "{new_id} after {max_id}");
    let ann_again = Browser::new(&server.base);
    assert_eq!(
        ann_again.login("ann", "correct horse battery").await.status,
        reqwest::StatusCode::SEE_OTHER
    );
    let slug = parsed["menus"][0]["public_slug"].as_str().unwrap();
    Browser::new(&server.base)
        .get(&format!("/m/{slug}"))
        .await
        .assert_contains("Apple Pie");
    // The photo came along, byte for byte.
    let (status, _, bytes) = ann_again.get_bytes(&format!("/desserts/{pie}/photo"), &[]).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(bytes, photo_bytes);
    let (status, _, _) = Browser::new(&server.base)
        .get_bytes(&format!("/m/{slug}/photos/{pie}?size=thumb"), &[])
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn import_refuses_bad_input_and_changes_nothing() {
    let source = TestApp::spawn().await;
    let ann = source.api().signed_up("ann").await;
    let pie = ann.add("Apple Pie", 4.5, 300).await;
    let put = ann
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/desserts/{pie}/photo"),
            "image/jpeg",
            images::jpeg(64, 48),
        )
        .await;
    assert_eq!(put.status, reqwest::StatusCode::OK);
    let document = export(&source.db.url);
    let with_photo = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut parsed: serde_json::Value = serde_json::from_str(&document).unwrap();
        change(&mut parsed["photos"][0]);
        serde_json::to_string_pretty(&parsed).unwrap()
    };
    let not_an_image = with_photo(&|photo| photo["image"] = "PHN2Zz48L3N2Zz4=".into());
    let photo_of_nothing = with_photo(&|photo| photo["dessert_id"] = 99.into());
    let bad_base64 = with_photo(&|photo| photo["thumbnail"] = "not base64!".into());
    let target = TestDb::new();
    let users_of = |url: &str| text(&desserts(url, &["user", "list"], "").stdout).lines().count() - 1;

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let out = desserts(&target.url, &["import", missing.to_str().unwrap()], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot read"), "{}", text(&out.stderr));

    let bad_row = document.replacen("\"username\": \"ann\"", "\"username\": \"ann lee\"", 1);
    let bad_price = document.replacen("\"price_cents\": 450", "\"price_cents\": -5", 1);
    let desserts_at = document.find("\"desserts\"").unwrap();
    let dangling = format!(
        "{}{}",
        &document[..desserts_at],
        document[desserts_at..].replacen("\"kitchen_id\": 1", "\"kitchen_id\": 99", 1)
    );
    let no_owner = document.replacen("\"role\": \"owner\"", "\"role\": \"viewer\"", 1);
    let bad_role = document.replacen("\"role\": \"owner\"", "\"role\": \"chef\"", 1);
    let no_personal = document.replacen("\"personal_of\": 1", "\"personal_of\": 9", 1);
    // A hash asking a login for 4 GiB of memory, or for a million passes.
    let greedy = |from: &str, to: &str| {
        assert!(document.contains(from), "the export holds {from}");
        document.replacen(from, to, 1)
    };
    let huge_memory = greedy("$m=19456,", "$m=4194304,");
    let many_passes = greedy(",t=2,", ",t=1000000,");
    let not_argon2 = greedy("$argon2id$", "$bcrypt$");
    for (broken, message) in [
        ("not json at all", "is not a desserts export document"),
        ("{\"format\": \"desserts-export\"}", "is not a desserts export document"),
        (
            &document.replacen("\"menus\"", "\"surprise\": 1, \"menus\"", 1),
            "is not a desserts export document",
        ),
        (&document.replacen("\"version\": 7", "\"version\": 9", 1), "document - version"),
        (
            &document.replacen("\"username\": \"ann\"", "\"disabled_at\": \"yesterday\", \"username\": \"ann\"", 1),
            "users 1 disabled_at:",
        ),
        (&not_an_image, "photos 1 image: That is not an image"),
        (&photo_of_nothing, "photos 99 dessert_id: names no dessert"),
        (&bad_base64, "photos 1 thumbnail: is not base64"),
        (&bad_row, "users 1 username: Username must be"),
        (&bad_price, "desserts 1 price_cents: Price must be"),
        (&dangling, "desserts 1 kitchen_id: names no kitchen (99)"),
        (&no_owner, "memberships 1/1 role: is not owner in the account's personal kitchen"),
        (&bad_role, "memberships 1/1 role: Choose owner, editor or viewer"),
        (&no_personal, "kitchens 1 personal_of: names no user (9)"),
        (&no_personal, "users 1 id: has no personal kitchen"),
        (&huge_memory, "users 1 password_hash: asks for more than this server spends"),
        (&many_passes, "users 1 password_hash: asks for more than this server spends"),
        (&not_argon2, "users 1 password_hash: is not an Argon2 hash"),
    ] {
        let out = import(&target.url, broken);
        assert!(!out.status.success(), "{message}");
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
        assert_eq!(users_of(&target.url), 0, "nothing was imported");
    }

    // Into a database that holds data: refused, and the data is as it was.
    let out = import(&source.db.url, &document);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("empty database only"), "{}", text(&out.stderr));
    assert_eq!(export(&source.db.url), document);
}
