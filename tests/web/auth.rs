use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_logs_the_new_user_in() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let page = browser.signup("ann", "correct horse battery").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/");
    let list = browser.get("/").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("Welcome, ann!").assert_contains("My desserts");
    let stored = desserts::store::users::find_for_login(&app.store, "ann").await.unwrap().unwrap();
    assert!(stored.1.starts_with("$argon2id$"), "password stored as an Argon2id PHC string");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_form_shows_every_rule_and_keeps_values_but_never_the_password() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let cases: &[(&str, &str, &str)] = &[
        ("username", "ab", "Username must be 3 to 32 characters"),
        ("username", &"x".repeat(33), "Username must be 3 to 32 characters"),
        ("username", "has space", "Username must be 3 to 32 characters"),
        ("email", "no-at-sign", "Enter an email address"),
        ("email", "two@@example.com", "Enter an email address"),
        ("email", "@example.com", "Enter an email address"),
        ("name", "", "Name must be 1 to 100 characters"),
        ("name", &"n".repeat(101), "Name must be 1 to 100 characters"),
        ("password", "short", "Password must be 8 to 1024 characters"),
        ("password", &"p".repeat(1025), "Password must be 8 to 1024 characters"),
        ("avatar", "javascript:alert(1)", "Enter a full web address"),
        (
            "avatar",
            &format!("https://example.com/{}", "a".repeat(500)),
            "Web address must be at most 500",
        ),
    ];
    for (field, value, message) in cases {
        let mut fields = vec![
            ("username", "valid_name"),
            ("email", "v@example.com"),
            ("name", "Val"),
            ("password", "secret password"),
        ];
        fields.retain(|(name, _)| name != field);
        fields.push((field, value));
        let page = browser.submit("/signup", "/signup", &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        page.assert_contains(message);
        if *field != "password" {
            assert_eq!(
                page.input_value(field).as_deref(),
                Some(html_escaped(value).as_str()),
                "{field} kept"
            );
        }
        assert_eq!(page.input_value("password").as_deref(), Some(""), "password never sent back");
    }
    assert!(
        desserts::store::users::list_with_dessert_counts(&app.store)
            .await
            .unwrap()
            .is_empty()
    );
}

fn html_escaped(raw: &str) -> String {
    raw.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernames_and_emails_are_unique_ignoring_case() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let other = app.browser();
    let fields = [
        ("username", "ANN"),
        ("email", "other@example.com"),
        ("name", "Other"),
        ("password", "secret password"),
    ];
    let page = other.submit("/signup", "/signup", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("This username is taken");
    let fields = [
        ("username", "other"),
        ("email", "ANN@Example.COM"),
        ("name", "Other"),
        ("password", "secret password"),
    ];
    let page = other.submit("/signup", "/signup", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("An account with this email already exists");
    assert_eq!(desserts::store::users::list_with_dessert_counts(&app.store).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_by_username_or_email_in_any_case() {
    let app = TestApp::spawn().await;
    app.signed_up("Ann").await;
    for name in ["Ann", "ann", "ANN@example.com"] {
        let browser = app.browser();
        let page = browser.login(name, "correct horse battery").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{name}");
        assert_eq!(page.location(), "/");
        browser.get("/").await.assert_contains("Welcome back, Ann!");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_get_one_message_that_does_not_say_which_part() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let browser = app.browser();
    let wrong_password = browser.login("ann", "not the password").await;
    let unknown_user = browser.login("nobody", "correct horse battery").await;
    for page in [&wrong_password, &unknown_user] {
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        page.assert_contains("Incorrect username or password.");
        assert_eq!(page.input_value("password"), None, "the password input has no value");
    }
    assert_eq!(wrong_password.input_value("username").as_deref(), Some("ann"));
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER, "still logged out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_visitors_are_sent_to_login_and_brought_back() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let browser = app.browser();
    for path in [
        "/",
        "/add",
        "/account",
        "/desserts/1",
        "/desserts/1/edit",
        "/delete/1",
        "/?q=cake&sort=price",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let expected = format!("/login?{}", serde_urlencoded::to_string([("next", path)]).unwrap());
        assert_eq!(page.location(), expected, "{path}");
    }
    let login_page = browser.get("/login?next=%2Fadd").await;
    assert_eq!(login_page.input_value("next").as_deref(), Some("/add"));
    let page = browser
        .submit(
            "/login?next=%2Fadd",
            "/login",
            &[("username", "ann"), ("password", "correct horse battery"), ("next", "/add")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/add");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
    ] {
        let browser = app.browser();
        let page = browser
            .submit(
                "/login",
                "/login",
                &[("username", "ann"), ("password", "correct horse battery"), ("next", next)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(page.location(), "/", "{next}");
        let form = app
            .browser()
            .get(&format!("/login?{}", serde_urlencoded::to_string([("next", next)]).unwrap()))
            .await;
        assert_eq!(form.input_value("next").as_deref(), Some("/"), "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_changes_at_login() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let browser = app.browser();
    let form = browser.get("/login").await;
    let before = browser.session_cookie().expect("the login form starts a session");
    let token = form.csrf_token();
    let page = browser
        .post_raw(
            "/login",
            &[("csrf_token", &token), ("username", "ann"), ("password", "correct horse battery")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let after = browser.session_cookie().expect("logged-in session");
    assert_ne!(before, after);
    assert_eq!(
        app.browser_with_cookie(&before).get("/").await.status,
        StatusCode::SEE_OTHER,
        "the pre-login id is dead"
    );
    assert_eq!(app.browser_with_cookie(&after).get("/").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let cookie = ann.session_cookie().unwrap();
    let page = ann.logout().await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/login");
    ann.get("/login").await.assert_contains("You have logged out.");
    assert_eq!(ann.get("/").await.status, StatusCode::SEE_OTHER);
    let replayed = app.browser_with_cookie(&cookie).get("/").await;
    assert_eq!(replayed.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_flags() {
    let app = TestApp::spawn().await;
    let page = app.browser().get("/login").await;
    let cookie = page.header("set-cookie");
    assert!(cookie.starts_with("desserts_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP by default: {cookie}");

    let behind_https = TestApp::spawn_with(desserts::config::WebSettings {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let cookie = behind_https.browser().get("/login").await.header("set-cookie").to_string();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(
        cookie.starts_with("__Host-desserts_session="),
        "a __Host- cookie behind HTTPS: {cookie}"
    );
    assert!(cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
    // The prefixed cookie is the one read back: a form sent with it is accepted.
    let (name_value, _) = cookie.split_once(';').unwrap();
    let browser = behind_https.browser_with_cookie(name_value);
    let form = browser.get("/signup").await;
    let page = browser
        .post_raw(
            "/signup",
            &[
                ("csrf_token", &form.csrf_token()),
                ("username", "sam"),
                ("email", "sam@example.com"),
                ("name", "Sam"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logged_in_people_skip_the_login_and_signup_forms() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    for path in ["/login", "/signup"] {
        let page = ann.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location(), "/");
    }
}
