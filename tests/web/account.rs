use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_shows_what_we_know() {
    let app = TestApp::spawn().await;
    let ann = app.browser();
    let fields = [
        ("username", "ann"),
        ("email", "ann@example.com"),
        ("name", "Ann Lee"),
        ("password", "correct horse battery"),
        ("avatar", "https://example.com/ann.png"),
    ];
    assert_eq!(ann.submit("/signup", "/signup", &fields).await.status, StatusCode::SEE_OTHER);
    ann.add_dessert("Pie", "1", "1").await;
    ann.add_dessert("Cake", "1", "1").await;
    let page = ann.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<dd>ann</dd>")
        .assert_contains("<dd>ann@example.com</dd>")
        .assert_contains("<dd>Ann Lee</dd>");
    page.assert_contains("<dd>2</dd>")
        .assert_contains("src=\"https://example.com/ann.png\"");
    page.assert_lacks("argon2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let other_device = app.browser();
    assert_eq!(
        other_device.login("ann", "correct horse battery").await.status,
        StatusCode::SEE_OTHER
    );
    let old_cookie = ann.session_cookie().unwrap();

    let wrong = ann
        .submit(
            "/account",
            "/account/password",
            &[("current_password", "not it at all"), ("new_password", "brand new password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("That is not your current password");
    let short = ann
        .submit(
            "/account",
            "/account/password",
            &[("current_password", "correct horse battery"), ("new_password", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("Password must be 8 to 1024 characters");
    assert_eq!(other_device.get("/").await.status, StatusCode::OK, "failed attempts end nothing");

    let page = ann
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "correct horse battery"),
                ("new_password", "brand new password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/account");
    ann.get("/account").await.assert_contains("Password changed");
    assert_ne!(ann.session_cookie().unwrap(), old_cookie, "this browser got a new session id");
    assert_eq!(
        app.browser_with_cookie(&old_cookie).get("/").await.status,
        StatusCode::SEE_OTHER,
        "the old session ended"
    );
    assert_eq!(
        other_device.get("/").await.status,
        StatusCode::SEE_OTHER,
        "the other device was logged out"
    );

    assert_eq!(
        app.browser().login("ann", "correct horse battery").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.browser().login("ann", "brand new password").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_account_takes_its_desserts_and_sessions() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let pie = ann.add_dessert("Pie", "1", "1").await;
    bob.add_dessert("Pie", "1", "1").await;
    let ann_id = app.user_id("ann").await;
    let cookie = ann.session_cookie().unwrap();

    let wrong = ann.submit("/account", "/account/delete", &[("password", "not my password")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("That is not your current password");
    assert!(desserts::store::desserts::find(&app.store, ann_id, pie).await.unwrap().is_some());

    let page = ann
        .submit("/account", "/account/delete", &[("password", "correct horse battery")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login");
    ann.get("/login")
        .await
        .assert_contains("Your account and all your desserts have been deleted.");
    assert_eq!(app.browser_with_cookie(&cookie).get("/").await.status, StatusCode::SEE_OTHER);
    assert!(
        desserts::store::desserts::find(&app.store, ann_id, pie).await.unwrap().is_none(),
        "her desserts went with her"
    );
    let users = desserts::store::users::list_with_dessert_counts(&app.store).await.unwrap();
    assert_eq!(
        users.iter().map(|(u, n, _)| (u.username.as_str(), *n)).collect::<Vec<_>>(),
        [("bob", 1)]
    );
    assert_eq!(
        app.browser().login("ann", "correct horse battery").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_on_the_account_page_are_limited_like_logins() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    for _ in 0..5 {
        let page = ann.submit("/account", "/account/delete", &[("password", "guess guess")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let page = ann
        .submit("/account", "/account/delete", &[("password", "correct horse battery")])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!page.header("retry-after").is_empty());
    assert_eq!(ann.get("/").await.status, StatusCode::OK, "the account is still there");
}

#[tokio::test]
async fn prices_show_in_the_currency_chosen_everywhere_they_appear() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let pie = ann.add_dessert("Apple Pie", "1234.5", "300").await;
    ann.get("/").await.assert_contains("$1,234.50").assert_contains("Calories per $");
    for bad in ["", "eur", "XXX", "EUR\u{0}", &"E".repeat(10_000)] {
        let refused = ann.submit("/account", "/account/currency", &[("currency", bad)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        refused.assert_contains("Choose one of the currencies in the list");
    }
    ann.get("/").await.assert_contains("$1,234.50");

    let saved = ann.submit("/account", "/account/currency", &[("currency", "EUR")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    ann.get("/account")
        .await
        .assert_contains("Your prices are now shown in Euro (EUR)")
        .assert_contains(r#"<option value="EUR" selected>Euro (EUR)</option>"#);
    ann.get("/").await.assert_contains("€1,234.50").assert_contains("Calories per €");
    ann.get(&format!("/desserts/{pie}")).await.assert_contains("€1,234.50");
    ann.get("/add").await.assert_contains("Price (€)");
    let menu = ann.submit("/menus", "/menus", &[("name", "Summer")]).await.location().to_string();
    ann.submit(&menu, &format!("{menu}/desserts"), &[("all", "yes")]).await;
    ann.get(&menu).await.assert_contains("1 dessert: €1,234.50");
    ann.submit(&menu, &format!("{menu}/publish"), &[]).await;
    let slug = ann.get(&menu).await.public_slug();
    app.browser()
        .get(&format!("/m/{slug}"))
        .await
        .assert_contains(r#"<span class="price">€1,234.50</span>"#);
    // Another person's prices stay in theirs; the API keeps numbers.
    let bob = app.signed_up("bob").await;
    bob.add_dessert("Brownie", "2", "100").await;
    bob.get("/").await.assert_contains("$2.00");
    let token = app
        .api()
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    let api = app.api().with_token(token.body["token"].as_str().unwrap());
    assert_eq!(api.get(&format!("/api/v1/desserts/{pie}")).await.body["price"], 1234.5);
}
