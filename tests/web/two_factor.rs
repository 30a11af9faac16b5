//! One-time codes: setting them up, the login's second step, recovery codes, limits, and the
//! API's tokens.

use desserts::totp::{STEP_SECS, TotpSecret};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Browser, TestApp};

/// The key the setup page shows, as the app would read it.
fn shown_secret(page: &str) -> TotpSecret {
    let start = page.find("<code class=\"secret\">").expect("the key is shown") + "<code class=\"secret\">".len();
    let end = start + page[start..].find("</code>").unwrap();
    TotpSecret::from_base32(&page[start..end].replace(' ', "")).expect("a base32 key")
}

/// The code of the step `offset` steps from now.
fn code(secret: &TotpSecret, offset: i64) -> String {
    secret.code_at_step(desserts::store::now() / STEP_SECS + offset)
}

/// Turns codes on for `browser`'s account with the current code; the key and the recovery codes.
async fn turn_on(browser: &Browser) -> (TotpSecret, Vec<String>) {
    let setup = browser.submit("/account/security", "/account/security/totp", &[]).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.body);
    let secret = shown_secret(&setup.body);
    assert!(setup.body.contains("<svg"), "a QR code");
    let on = browser
        .submit("/account/security", "/account/security/totp/enable", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let codes: Vec<String> = on
        .body
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest[..rest.find("</code>").unwrap()].to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn password_step(browser: &Browser, username: &str) -> crate::support::Page {
    browser
        .submit(
            "/login",
            "/login",
            &[("username", username), ("password", "correct horse battery"), ("next", "/menus")],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_go_on_only_after_a_right_code() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let setup = ann.submit("/account/security", "/account/security/totp", &[]).await;
    let secret = shown_secret(&setup.body);
    // The QR code holds the otpauth URI of that key, for this account.
    let svg_start = setup.body.find("<svg").unwrap();
    let svg_end = setup.body[svg_start..].find("</svg>").unwrap() + svg_start + "</svg>".len();
    let uri = crate::support::qr::decode_svg(&setup.body[svg_start..svg_end]);
    assert_eq!(uri, secret.uri("ann"));
    assert!(uri.starts_with("otpauth://totp/Desserts%3Aann?secret="), "{uri}");
    // The same key again while none is confirmed.
    let again = ann.submit("/account/security", "/account/security/totp", &[]).await;
    assert_eq!(shown_secret(&again.body), secret);
    for wrong in ["000000", "abc\0", &"9".repeat(5000)] {
        let wrong_code = if wrong == "000000" && code(&secret, 0) == "000000" {
            "111111"
        } else {
            wrong
        };
        let refused = ann
            .submit("/account/security", "/account/security/totp/enable", &[("code", wrong_code)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong:?}");
    }
    assert_eq!(app.db.count("SELECT count(*) FROM totp WHERE enabled"), 0, "still off");
    // Still one step to log in.
    let fresh = app.browser();
    assert_eq!(password_step(&fresh, "ann").await.location(), "/menus");
    let on = ann
        .submit("/account/security", "/account/security/totp/enable", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(on.status, StatusCode::OK);
    on.assert_contains("One-time codes are on");
    assert_eq!(app.db.count("SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"), 10);
    ann.get("/account/security").await.assert_contains("10 recovery codes left");
    // The key is never shown again.
    assert_eq!(
        ann.submit("/account/security", "/account/security/totp", &[]).await.location(),
        "/account/security"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_takes_the_password_then_a_code_once_and_a_new_session_id() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    ann.add_dessert("Pie", "4", "300").await;
    let (secret, recovery) = turn_on(&ann).await;

    let phone = app.browser();
    let first = password_step(&phone, "ann").await;
    assert_eq!(
        (first.status, first.location()),
        (StatusCode::SEE_OTHER, "/login/two-factor?next=%2Fmenus")
    );
    let pending_cookie = phone.session_cookie().unwrap();
    // Between the two steps, nothing of the account is reachable.
    assert!(phone.get("/").await.location().starts_with("/login"));
    assert!(phone.get("/account").await.location().starts_with("/login"));
    let prompt = phone.get("/login/two-factor?next=%2Fmenus").await;
    assert_eq!(prompt.status, StatusCode::OK);
    prompt.assert_contains("Enter your code");
    let wrong = phone
        .submit(
            "/login/two-factor",
            "/login/two-factor",
            &[("code", "not a code"), ("next", "/menus")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = phone
        .submit(
            "/login/two-factor",
            "/login/two-factor",
            &[("code", &code(&secret, 1)), ("next", "/menus")],
        )
        .await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/menus"));
    assert_ne!(phone.session_cookie().unwrap(), pending_cookie, "a new session id");
    phone.get("/").await.assert_contains("Pie");
    // The pending session's cookie logs nobody in.
    let thief = app.browser_with_cookie(&pending_cookie);
    assert!(thief.get("/").await.location().starts_with("/login"));

    // The same code again, for another login: refused.
    let laptop = app.browser();
    password_step(&laptop, "ann").await;
    let reused = laptop
        .submit(
            "/login/two-factor",
            "/login/two-factor",
            &[("code", &code(&secret, 1)), ("next", "/")],
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY, "a code is taken once");
    // A recovery code works once.
    let by_recovery = laptop
        .submit(
            "/login/two-factor",
            "/login/two-factor",
            &[("code", &recovery[0].to_uppercase()), ("next", "/")],
        )
        .await;
    assert_eq!(by_recovery.status, StatusCode::SEE_OTHER);
    let tablet = app.browser();
    password_step(&tablet, "ann").await;
    let spent = tablet
        .submit("/login/two-factor", "/login/two-factor", &[("code", &recovery[0]), ("next", "/")])
        .await;
    assert_eq!(spent.status, StatusCode::UNPROCESSABLE_ENTITY, "a recovery code is used once");
    // Without the password step, the code page sends people to log in.
    assert_eq!(app.browser().get("/login/two-factor").await.location(), "/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_count_like_failed_logins() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let (_, recovery) = turn_on(&ann).await;
    let phone = app.browser();
    password_step(&phone, "ann").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let answer = phone
            .submit("/login/two-factor", "/login/two-factor", &[("code", "999999"), ("next", "/")])
            .await;
        statuses.push(answer.status);
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    // Limited: even a right code is refused, with when to try again.
    let right = phone
        .submit("/login/two-factor", "/login/two-factor", &[("code", &recovery[1]), ("next", "/")])
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!right.header("retry-after").is_empty());
    // And the right password does not clear the count: the password step is refused too.
    let other = app.browser();
    assert_eq!(password_step(&other, "ann").await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_codes_off_needs_the_password_and_a_code() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let (_, recovery) = turn_on(&ann).await;
    for (password, code) in [("wrong password", recovery[0].as_str()), ("correct horse battery", "123")] {
        let refused = ann
            .submit(
                "/account/security",
                "/account/security/totp/disable",
                &[("password", password), ("code", code)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{password} {code}");
    }
    assert_eq!(app.db.count("SELECT count(*) FROM totp WHERE enabled"), 1);
    let off = ann
        .submit(
            "/account/security",
            "/account/security/totp/disable",
            &[("password", "correct horse battery"), ("code", &recovery[0])],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.count("SELECT count(*) FROM totp"), 0);
    assert_eq!(app.db.count("SELECT count(*) FROM recovery_codes"), 0);
    let fresh = app.browser();
    assert_eq!(password_step(&fresh, "ann").await.location(), "/menus", "one step again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_token_needs_the_code_too() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let (secret, recovery) = turn_on(&ann).await;
    let api = app.api();
    let ask = |code: Option<&str>, password: &str| {
        let mut body = json!({"username": "ann", "password": password});
        if let Some(code) = code {
            body["code"] = code.into();
        }
        body
    };
    let without = api.post("/api/v1/tokens", ask(None, "correct horse battery")).await;
    assert_eq!(
        (without.status, without.error_code()),
        (StatusCode::UNAUTHORIZED, "two_factor_required")
    );
    let wrong = api.post("/api/v1/tokens", ask(Some("000001"), "correct horse battery")).await;
    assert_eq!(
        (wrong.status, wrong.error_code()),
        (StatusCode::UNAUTHORIZED, "two_factor_required")
    );
    let wrong_password = api.post("/api/v1/tokens", ask(Some(&code(&secret, 1)), "wrong password")).await;
    assert_eq!(
        (wrong_password.status, wrong_password.error_code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let made = api
        .post("/api/v1/tokens", ask(Some(&code(&secret, 1)), "correct horse battery"))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let again = api
        .post("/api/v1/tokens", ask(Some(&code(&secret, 1)), "correct horse battery"))
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "the code was used");
    let by_recovery = api.post("/api/v1/tokens", ask(Some(&recovery[2]), "correct horse battery")).await;
    assert_eq!(by_recovery.status, StatusCode::CREATED);
    let not_a_string = api
        .post(
            "/api/v1/tokens",
            json!({"username": "ann", "password": "correct horse battery", "code": 123456}),
        )
        .await;
    assert_eq!(not_a_string.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_still_asks_for_a_code() {
    let sink = crate::support::SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let (secret, _) = turn_on(&ann).await;
    let stranger = app.browser();
    stranger
        .submit("/password/forgot", "/password/forgot", &[("email", "ann@example.com")])
        .await;
    let link = loop {
        if let Some(link) = sink.received().iter().find_map(|mail| mail.link("/password/reset/")) {
            break crate::support::site_path(&link);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let reset = stranger.submit(&link, &link, &[("new_password", "a brand new password")]).await;
    assert_eq!((reset.status, reset.location()), (StatusCode::SEE_OTHER, "/login/two-factor"));
    assert!(
        stranger.get("/").await.location().starts_with("/login"),
        "not logged in by the link alone"
    );
    stranger.get("/login/two-factor").await.assert_contains("Your new password is set");
    assert!(ann.get("/").await.location().starts_with("/login"), "the old session has ended");
    let done = stranger
        .submit(
            "/login/two-factor",
            "/login/two-factor",
            &[("code", &code(&secret, 1)), ("next", "/")],
        )
        .await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(stranger.get("/").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_carries_the_codes_only_when_asked() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let (secret, _) = turn_on(&ann).await;
    let plain = crate::support::run_desserts(&app.db.url, &["export"], "");
    assert!(plain.status.success());
    let plain_text = crate::support::text(&plain.stdout);
    assert!(!plain_text.contains(&secret.base32()) && !plain_text.contains("\"totp\""));
    assert!(
        crate::support::text(&plain.stderr).contains("left out the one-time code settings of 1 account(s)"),
        "{}",
        crate::support::text(&plain.stderr)
    );
    let full = crate::support::run_desserts(&app.db.url, &["export", "--with-secrets"], "");
    let full_text = crate::support::text(&full.stdout);
    assert!(full_text.contains(&secret.base32()));
    assert_eq!(full_text.matches("code_hash").count(), 10);

    // Imported with them, the account still asks for a code.
    let target = crate::support::TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, &full_text).unwrap();
    let imported = crate::support::run_desserts(&target.url, &["import", file.to_str().unwrap()], "");
    assert!(imported.status.success(), "{}", crate::support::text(&imported.stderr));
    assert_eq!(target.count("SELECT count(*) FROM totp WHERE enabled"), 1);
    assert_eq!(target.count("SELECT count(*) FROM recovery_codes"), 10);
    // A broken key is refused with its row named.
    let broken = full_text.replacen(&secret.base32(), "not-base32", 1);
    std::fs::write(&file, broken).unwrap();
    let other = crate::support::TestDb::new();
    let refused = crate::support::run_desserts(&other.url, &["import", file.to_str().unwrap()], "");
    assert!(!refused.status.success());
    assert!(crate::support::text(&refused.stderr).contains("totp 1 secret: is not a base32 key"));
}
