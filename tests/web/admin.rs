//! `/admin`: unknown to all but admins; disabling an account ends its sessions and tokens
//! at once, refuses its logins with the ordinary answer and takes its menus down.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Browser, TestApp};

const PASSWORD: &str = "correct horse battery";

/// A logged-in admin named `username`, made an admin as `desserts user admin` does.
async fn admin(app: &TestApp, username: &str) -> Browser {
    let browser = app.signed_up(username).await;
    assert!(desserts::store::admin::set_admin(&app.store, username, true).await.unwrap());
    browser
}

fn users_count(app: &TestApp, condition: &str) -> i64 {
    app.db.count(&format!("SELECT count(*) FROM users WHERE {condition}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_are_unknown_to_everyone_but_admins() {
    let app = TestApp::spawn().await;
    let bob = app.signed_up("bob").await;
    let bob_id = app.user_id("bob").await;
    let stranger = app.browser();
    let unknown = stranger.get("/no-such-page").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    for browser in [&stranger, &bob] {
        let page = browser.get("/admin").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
        assert_eq!(
            page.body,
            unknown.body.replace("/no-such-page", "/admin"),
            "the same page as any unknown address"
        );
        assert_eq!(browser.get("/admin?q=bob&page=2").await.status, StatusCode::NOT_FOUND);
    }
    // A POST with the person's own form token is a 404 too, and changes nothing.
    let disable = format!("/admin/users/{bob_id}/disable");
    assert_eq!(bob.submit("/account", &disable, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.post_raw(&disable, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(users_count(&app, "disabled_at IS NOT NULL"), 0);

    bob.get("/account").await.assert_lacks("href=\"/admin\"");
    let root = admin(&app, "root").await;
    root.get("/account").await.assert_contains("href=\"/admin\"");
    let page = root.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("bob@example.com")
        .assert_contains("root@example.com")
        .assert_contains("2 accounts")
        .assert_contains("not confirmed")
        .assert_contains("Admin");
    // The admin may not see bob's desserts: an admin is no member of bob's kitchen.
    let pie = bob.add_dessert("Bob's Pie", "3", "300").await;
    assert_eq!(root.get(&format!("/desserts/{pie}")).await.status, StatusCode::NOT_FOUND);
    root.get("/admin").await.assert_lacks("Bob&#39;s Pie").assert_contains(">1</td>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_searches_and_pages() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "root").await;
    // 60 accounts more, written straight to the database: hashing 60 passwords is slow.
    for n in 0..60 {
        let signup = desserts::domain::SignupInput {
            username: format!("cook{n:02}"),
            email: format!("cook{n:02}@cafe.example"),
            name: if n == 7 { "Grace Hopper".into() } else { format!("Cook {n}") },
            password: PASSWORD.into(),
            avatar: String::new(),
            next: String::new(),
        }
        .parse()
        .unwrap();
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".to_string();
        desserts::store::users::create(&app.store, desserts::store::users::NewUser::new(signup, hash))
            .await
            .unwrap();
    }
    let first = root.get("/admin").await;
    first
        .assert_contains("61 accounts")
        .assert_contains("Page 1 of 2")
        .assert_contains("cook00");
    assert!(first.body.contains("href=\"/admin?page=2\""), "{}", first.body);
    let second = root.get("/admin?page=2").await;
    second
        .assert_contains("Page 2 of 2")
        .assert_contains("root@example.com")
        .assert_lacks(">cook00<");
    root.get("/admin?q=GRACE")
        .await
        .assert_contains("1 account matching")
        .assert_contains("cook07");
    root.get("/admin?q=cafe.example").await.assert_contains("60 accounts matching");
    // A pattern's own characters are literal, and a NUL finds nothing rather than failing.
    root.get("/admin?q=%25").await.assert_contains("No account matches");
    root.get("/admin?q=co_k").await.assert_contains("No account matches");
    assert_eq!(root.get("/admin?q=%FF%FE").await.status, StatusCode::OK, "not UTF-8");
    let nul = root.get("/admin?q=%00").await;
    assert_eq!(nul.status, StatusCode::OK);
    nul.assert_contains("No account matches");
    assert_eq!(root.get("/admin?page=abc").await.status, StatusCode::OK);
    assert_eq!(root.get(&format!("/admin?q={}", "x".repeat(5000))).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_ends_sessions_and_tokens_and_refuses_logins_until_enabled() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "root").await;
    let bob = app.signed_up("bob").await;
    let bob_id = app.user_id("bob").await;
    let token = app
        .api()
        .post("/api/v1/tokens", json!({"username": "bob", "password": PASSWORD}))
        .await;
    assert_eq!(token.status, StatusCode::CREATED);
    let api = app.api().with_token(token.body["token"].as_str().unwrap());
    assert_eq!(api.get("/api/v1/desserts").await.status, StatusCode::OK);
    let pie = bob.add_dessert("Apple Pie", "4", "300").await;
    let made = bob.submit("/menus", "/menus", &[("name", "Summer")]).await;
    let menu = made.location().to_string();
    bob.submit(&menu, &format!("{menu}/desserts"), &[("dessert_id", &pie.to_string())])
        .await;
    bob.submit(&menu, &format!("{menu}/publish"), &[]).await;
    let link = format!("/m/{}", bob.get(&menu).await.public_slug());
    let customer = app.browser();
    assert_eq!(customer.get(&link).await.status, StatusCode::OK);
    let wrong = app.browser().login("bob", "not the password").await;

    let disabled = root
        .submit("/admin", &format!("/admin/users/{bob_id}/disable"), &[("back", "/admin?q=bo")])
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(disabled.location(), "/admin?q=bo");
    root.get("/admin?q=bo")
        .await
        .assert_contains("The account is disabled")
        .assert_contains("Disabled ");
    assert_eq!(users_count(&app, "disabled_at IS NOT NULL"), 1);

    // On their very next request: the session is gone, the token refused, the menu down.
    let next = bob.get("/").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert!(next.location().starts_with("/login"), "{}", next.location());
    assert_eq!(api.get("/api/v1/desserts").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(customer.get(&link).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.db.count(&format!("SELECT count(*) FROM sessions WHERE user_id = {bob_id}")), 0);
    assert_eq!(
        app.db.count(&format!("SELECT count(*) FROM api_tokens WHERE user_id = {bob_id}")),
        0
    );
    // A login with the right password gets the answer a wrong one gets.
    let refused = app.browser().login("bob", PASSWORD).await;
    assert_eq!(refused.status, wrong.status);
    refused.assert_contains("Incorrect username or password.");
    let by_api = app
        .api()
        .post("/api/v1/tokens", json!({"username": "bob", "password": PASSWORD}))
        .await;
    assert_eq!(by_api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(by_api.error_code(), "unauthorized");
    // Disabling again is no error.
    let again = root.submit("/admin", &format!("/admin/users/{bob_id}/disable"), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/admin");

    let enabled = root.submit("/admin", &format!("/admin/users/{bob_id}/enable"), &[]).await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);
    assert_eq!(users_count(&app, "disabled_at IS NOT NULL"), 0);
    let back = app.browser();
    assert_eq!(back.login("bob", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(back.get("/").await.status, StatusCode::OK);
    assert_eq!(customer.get(&link).await.status, StatusCode::OK, "the menu answers again");
    // The old token stays ended.
    assert_eq!(api.get("/api/v1/desserts").await.status, StatusCode::UNAUTHORIZED);
    root.get("/admin").await.assert_contains("bob");
    assert!(
        app.db.count(&format!(
            "SELECT count(*) FROM users WHERE id = {bob_id} AND last_login_at IS NOT NULL"
        )) == 1,
        "the login is written down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_forms_need_their_token_and_spare_admins() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "root").await;
    let other = admin(&app, "other").await;
    app.signed_up("bob").await;
    let (root_id, other_id, bob_id) = (app.user_id("root").await, app.user_id("other").await, app.user_id("bob").await);
    for action in ["disable", "enable"] {
        let forged = root.post_raw(&format!("/admin/users/{bob_id}/{action}"), &[]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{action}");
        let wrong = root
            .post_raw(&format!("/admin/users/{bob_id}/{action}"), &[("csrf_token", "not-the-token")])
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(users_count(&app, "disabled_at IS NOT NULL"), 0);
    // Not oneself, not another admin; an unknown id or a bad one is a 404.
    let own = root.submit("/admin", &format!("/admin/users/{root_id}/disable"), &[]).await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
    root.get("/admin").await.assert_contains("You cannot disable your own account.");
    root.submit("/admin", &format!("/admin/users/{other_id}/disable"), &[]).await;
    root.get("/admin").await.assert_contains("An admin cannot be disabled here");
    assert_eq!(users_count(&app, "disabled_at IS NOT NULL"), 0);
    assert_eq!(other.get("/admin").await.status, StatusCode::OK, "the other admin is still in");
    for id in ["999999", "0", "-1", "abc", "99999999999999999999"] {
        let page = root.submit("/admin", &format!("/admin/users/{id}/disable"), &[]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
    }
    // A redirect back goes only to the admin list.
    let away = root
        .submit(
            "/admin",
            &format!("/admin/users/{bob_id}/disable"),
            &[("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(away.location(), "/admin");
    for back in ["/admin?q=a\nb", "/admin?q=\u{0}", "/admin?q=\u{7f}"] {
        let odd = root
            .submit("/admin", &format!("/admin/users/{bob_id}/enable"), &[("back", back)])
            .await;
        assert_eq!(odd.status, StatusCode::SEE_OTHER, "{back:?}");
        assert_eq!(odd.location(), "/admin", "{back:?}");
    }
    // An admin who loses the right loses the pages on the next request.
    assert!(desserts::store::admin::set_admin(&app.store, "other", false).await.unwrap());
    assert_eq!(other.get("/admin").await.status, StatusCode::NOT_FOUND);
}

/// Requests in flight with the account's token and cookie while it is disabled: every one
/// that starts after the disable has answered is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_started_after_a_disable_gets_through() {
    let app = TestApp::spawn().await;
    let root = admin(&app, "root").await;
    let bob = app.signed_up("bob").await;
    let bob_id = app.user_id("bob").await;
    let token = app
        .api()
        .post("/api/v1/tokens", json!({"username": "bob", "password": PASSWORD}))
        .await;
    let api = app.api().with_token(token.body["token"].as_str().unwrap());
    let disabled_at = std::sync::Arc::new(tokio::sync::OnceCell::<std::time::Instant>::new());
    let bob = std::sync::Arc::new(bob);
    let mut workers = Vec::new();
    for n in 0..16 {
        let (api, bob, disabled_at) = (api.clone(), bob.clone(), disabled_at.clone());
        workers.push(tokio::spawn(async move {
            let mut late_successes = 0;
            for _ in 0..40 {
                let started = std::time::Instant::now();
                let ok = if n % 2 == 0 {
                    api.get("/api/v1/desserts").await.status == StatusCode::OK
                } else {
                    bob.get("/").await.status == StatusCode::OK
                };
                if ok && disabled_at.get().is_some_and(|at| started > *at) {
                    late_successes += 1;
                }
            }
            late_successes
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let page = root.submit("/admin", &format!("/admin/users/{bob_id}/disable"), &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    disabled_at.set(std::time::Instant::now()).unwrap();
    for worker in workers {
        assert_eq!(worker.await.unwrap(), 0, "a request started after the disable got through");
    }
    assert_eq!(api.get("/api/v1/desserts").await.status, StatusCode::UNAUTHORIZED);
}
