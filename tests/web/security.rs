use std::time::Duration;

use desserts::store::attempts::AttemptLimits;
use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_the_sessions_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = ann.add_dessert("Mousse", "3", "300").await;
    let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/add".into(), vec![("name", "Forged"), ("price", "1"), ("calories", "1")]),
        (
            format!("/desserts/{id}/edit"),
            vec![("name", "Forged"), ("price", "1"), ("calories", "1")],
        ),
        (format!("/delete/{id}"), vec![]),
        (
            "/account/password".into(),
            vec![("current_password", "correct horse battery"), ("new_password", "forged password")],
        ),
        ("/account/delete".into(), vec![("password", "correct horse battery")]),
        ("/logout".into(), vec![]),
    ];
    for (path, fields) in &attempts {
        for token in [None, Some("wrong-token"), Some("")] {
            let mut all = fields.clone();
            if let Some(token) = token {
                all.push(("csrf_token", token));
            }
            let page = ann.post_raw(path, &all).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "POST {path} with token {token:?}");
            page.assert_contains("This form has expired");
        }
    }
    assert_eq!(
        ann.get("/").await.dessert_names(),
        ["Mousse"],
        "nothing added, edited or deleted; still logged in"
    );
    let (_, hash) = desserts::store::users::find_for_login(&app.store, "ann").await.unwrap().unwrap();
    assert!(
        desserts::passwords::verify_blocking("correct horse battery", &hash),
        "password unchanged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_and_signup_need_the_token_too() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let browser = app.browser();
    let login = browser
        .post_raw("/login", &[("username", "ann"), ("password", "correct horse battery")])
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    let signup = browser
        .post_raw(
            "/signup",
            &[
                ("username", "eve"),
                ("email", "eve@example.com"),
                ("name", "Eve"),
                ("password", "secret password"),
            ],
        )
        .await;
    assert_eq!(signup.status, StatusCode::FORBIDDEN);
    assert_eq!(desserts::store::users::list_with_dessert_counts(&app.store).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_sent_from_another_site_is_refused_even_with_a_token() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let token = ann.get("/add").await.csrf_token();
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = ann
            .client
            .post(format!("{}/add", ann.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(header, value)
            .body(
                serde_urlencoded::to_string([
                    ("csrf_token", token.as_str()),
                    ("name", "Forged"),
                    ("price", "1"),
                    ("calories", "1"),
                ])
                .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    let same_origin = ann
        .client
        .post(format!("{}/add", ann.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ann.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .body(serde_urlencoded::to_string([("csrf_token", token.as_str()), ("name", "Real"), ("price", "1"), ("calories", "1")]).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::SEE_OTHER);
    assert_eq!(ann.get("/").await.dessert_names(), ["Real"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_the_username_whatever_the_password() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    app.signed_up("bob").await;
    let browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser.login("ann", "wrong password").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    for password in ["wrong password", "correct horse battery"] {
        let page = browser.login("ann", password).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "password {password:?}");
        let retry: i64 = page.header("retry-after").parse().expect("Retry-After in seconds");
        assert!((1..=900).contains(&retry), "{retry}");
        page.assert_contains("Too many failed logins");
    }
    let by_email = app.browser().login("ANN@example.com", "correct horse battery").await;
    assert_eq!(
        by_email.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is locked however it is named"
    );
    assert_eq!(
        browser.login("bob", "correct horse battery").await.status,
        StatusCode::SEE_OTHER,
        "other accounts are not"
    );

    let second_instance = TestApp::spawn_sharing(&app).await;
    let page = second_instance.browser().login("ann", "correct horse battery").await;
    assert_eq!(
        page.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the count lives in the database, shared by every instance"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_ends_when_the_window_passes_and_success_clears_the_count() {
    let app = TestApp::spawn_with_limits(AttemptLimits {
        window_secs: 2,
        per_account: 3,
        per_client: 100,
        ..AttemptLimits::default()
    })
    .await;
    app.signed_up("ann").await;
    let browser = app.browser();
    for _ in 0..2 {
        browser.login("ann", "wrong password").await;
    }
    assert_eq!(browser.login("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);
    browser.logout().await;
    for _ in 0..2 {
        assert_eq!(
            browser.login("ann", "wrong password").await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the count restarted"
        );
    }
    browser.login("ann", "wrong password").await;
    assert_eq!(
        browser.login("ann", "correct horse battery").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(browser.login("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_gets_a_larger_allowance_across_usernames() {
    let app = TestApp::spawn_with_limits(AttemptLimits {
        window_secs: 900,
        per_account: 5,
        per_client: 12,
        ..AttemptLimits::default()
    })
    .await;
    app.signed_up("ann").await;
    let browser = app.browser();
    for i in 0..12 {
        let page = browser.login(&format!("nobody{i}"), "wrong password").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
    }
    let page = browser.login("ann", "correct horse battery").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "this address is over its allowance");
    assert!(!page.header("retry-after").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_limits_are_the_contracts() {
    let limits = AttemptLimits::default();
    assert_eq!((limits.window_secs, limits.per_account, limits.per_client), (15 * 60, 5, 100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    for path in ["/", "/login", "/no/such/page", "/healthz", "/static/style.css"] {
        let page = if path == "/login" {
            app.browser().get(path).await
        } else {
            ann.get(path).await
        };
        let csp = page.header("content-security-policy");
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(page.header("x-frame-options"), "DENY", "{path}");
        assert!(!page.header("referrer-policy").is_empty(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_have_no_inline_script() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = ann.add_dessert("Pudding", "1", "1").await;
    for path in [
        "/".to_string(),
        "/add".into(),
        format!("/desserts/{id}"),
        format!("/desserts/{id}/edit"),
        format!("/delete/{id}"),
        "/account".into(),
    ] {
        let page = ann.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        page.assert_lacks(" onclick=").assert_lacks(" style=\"");
        let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
        assert_eq!(scripts.len(), 1, "{path}: one script");
        for script in scripts {
            let (attributes, rest) = script.split_once('>').unwrap();
            assert!(attributes.starts_with(" src=\"/static/app.js?v="), "{path}: <script{attributes}>");
            assert!(rest.starts_with("</script>"), "{path}: the script element is empty");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_64_kib_are_refused() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let token = ann.get("/add").await.csrf_token();
    let huge = "x".repeat(70 * 1024);
    let page = ann
        .post_raw(
            "/add",
            &[("csrf_token", &token), ("name", &huge), ("price", "1"), ("calories", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(ann.get("/").await.dessert_names().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_static_files() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let health = browser.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "ok"));

    let login = browser.get("/login").await;
    let css_href = login
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(css_href.starts_with("/static/style.css?v="), "{css_href}");
    let css = browser.get(&css_href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(
        css.header("cache-control").contains("max-age=31536000"),
        "{}",
        css.header("cache-control")
    );
    let script_href = login
        .body
        .split("<script src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let script = browser.get(&script_href).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.header("content-type").starts_with("text/javascript"));
    assert!(script.body.contains("aria-invalid"));
    let icon = browser.get("/static/favicon.svg").await;
    assert_eq!((icon.status, icon.header("content-type")), (StatusCode::OK, "image/svg+xml"));
    assert_eq!(browser.get("/static/nope.css").await.status, StatusCode::NOT_FOUND);
    assert_eq!(browser.get("/static/..%2FCargo.toml").await.status, StatusCode::NOT_FOUND);
}

fn assert_security_headers(what: &str, headers: &reqwest::header::HeaderMap) {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(
        header("content-security-policy").contains("frame-ancestors 'none'"),
        "{what}: {headers:?}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
}

/// Answers that no handler made (the body limit, a wrong method, the API's rebuilt errors)
/// carry the security headers too, and a chunked form over the limit is 413, not 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_built_outside_the_handlers_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let token = ann.get("/add").await.csrf_token();
    let client = reqwest::Client::new();

    let too_big = client
        .post(format!("{}/api/v1/users", app.base))
        .header("content-type", "application/json")
        .body(vec![b' '; 70 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_security_headers("API 413", too_big.headers());

    let wrong_method = client.put(format!("{}/api/v1/me", app.base)).send().await.unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_security_headers("API 405", wrong_method.headers());

    let page_method = client.delete(format!("{}/login", app.base)).send().await.unwrap();
    assert_eq!(page_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_security_headers("page 405", page_method.headers());

    // A chunked body has no length to refuse up front: it is cut off while it is read.
    let chunks: Vec<Result<String, std::io::Error>> = std::iter::once(Ok(format!("csrf_token={token}&name=")))
        .chain((0..70).map(|_| Ok("x".repeat(1024))))
        .collect();
    let chunked = ann
        .client
        .post(format!("{}/add", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(chunked.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_security_headers("chunked 413", chunked.headers());
    assert!(ann.get("/").await.dessert_names().is_empty());
}

/// A flood of password checks beyond what the queue holds is turned away at once with 503
/// and Retry-After, never a 500, and a real login works right after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_password_queue_answers_503_and_recovers() {
    let app = TestApp::spawn_with_limits(AttemptLimits {
        per_client: 100_000,
        ..AttemptLimits::default()
    })
    .await;
    let api = app.api();
    api.signed_up("ann").await;
    let attempts: Vec<_> = (0..300)
        .map(|n| {
            let api = api.clone();
            tokio::spawn(async move {
                let answer = api
                    .post(
                        "/api/v1/tokens",
                        serde_json::json!({"username": format!("nobody{n}"), "password": "wrong password"}),
                    )
                    .await;
                if answer.status == StatusCode::SERVICE_UNAVAILABLE {
                    assert_eq!(answer.error_code(), "unavailable");
                    assert!(!answer.header("retry-after").is_empty());
                }
                answer.status
            })
        })
        .collect();
    let mut busy = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => busy += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "300 checks at once overflow the queue");
    let token = api
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.text);
}

/// A sign-up with a taken name is refused before any hashing: a flood of them leaves logins
/// as fast as ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_sign_ups_cost_no_hashing() {
    let app = TestApp::spawn_with_limits(AttemptLimits {
        signups_per_client: 100_000,
        ..AttemptLimits::default()
    })
    .await;
    let api = app.api();
    api.signed_up("ann").await;
    let flood: Vec<_> = (0..120)
        .map(|n| {
            let api = api.clone();
            tokio::spawn(async move {
                api.post(
                    "/api/v1/users",
                    serde_json::json!({"username": "ann", "email": format!("x{n}@example.com"), "name": "X", "password": "correct horse battery"}),
                )
                .await
                .status
            })
        })
        .collect();
    let started = std::time::Instant::now();
    let login = api
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(login.status, StatusCode::CREATED);
    for attempt in flood {
        assert_eq!(attempt.await.unwrap(), StatusCode::CONFLICT);
    }
    // Had the taken sign-ups been hashed, 120 at once would have overflowed the hashing
    // queue (49 places) and some would have answered 503 rather than 409 above: that is
    // the check. The time only catches a gross regression; a loaded machine may take
    // seconds for one login, so it is no tighter than that.
    assert!(took < Duration::from_secs(5), "a login beside taken sign-ups took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_are_limited_per_client_address() {
    let app = TestApp::spawn_with_limits(AttemptLimits {
        signups_per_client: 3,
        ..AttemptLimits::default()
    })
    .await;
    for name in ["ann", "bob"] {
        app.signed_up(name).await;
    }
    let api = app.api();
    api.signed_up("cid").await;
    let refused = api
        .post(
            "/api/v1/users",
            serde_json::json!({"username": "dan", "email": "dan@example.com", "name": "Dan", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.error_code(), "rate_limited");
    assert!(refused.header("retry-after").parse::<i64>().unwrap() > 0);
    let page = app.browser().signup("eve", "correct horse battery").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!page.header("retry-after").is_empty());
    page.assert_contains("Too many sign-ups");
    assert!(
        desserts::store::users::find_for_login(&app.store, "dan").await.unwrap().is_none()
            && desserts::store::users::find_for_login(&app.store, "eve").await.unwrap().is_none()
    );
    // Sign-ups are not failed logins: the address can still log in.
    let login = app.browser().login("ann", "correct horse battery").await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
}

async fn session_rows(app: &TestApp) -> i64 {
    desserts::store::sessions::count(&app.store).await.unwrap()
}

/// Visitors without cookies, or with made-up ones, get forms they can send but add no rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookieless_visits_of_the_form_pages_add_no_session_rows() {
    let app = TestApp::spawn().await;
    let before = session_rows(&app).await;
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let (client, base) = (client.clone(), app.base.clone());
            tokio::spawn(async move {
                for n in 0..625 {
                    let path = ["/login", "/signup", "/password/forgot"][n % 3];
                    let mut request = client.get(format!("{base}{path}"));
                    if n % 2 == 0 {
                        request = request.header("cookie", format!("desserts_session={task:0>5}{n:0>38}"));
                    }
                    let response = request.send().await.unwrap();
                    assert_eq!(response.status(), StatusCode::OK);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(session_rows(&app).await, before, "10 000 cookieless visits");

    // The token works with the cookie it was given for, and only with it.
    let ann = app.browser();
    let other = app.browser();
    let token = ann.get("/login").await.csrf_token();
    let _ = other.get("/login").await;
    let stolen = other
        .post_raw(
            "/signup",
            &[
                ("csrf_token", &token),
                ("username", "eve"),
                ("email", "eve@example.com"),
                ("name", "Eve"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
    let signed_up = ann
        .post_raw(
            "/signup",
            &[
                ("csrf_token", &token),
                ("username", "ann"),
                ("email", "ann@example.com"),
                ("name", "Ann"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(signed_up.status, StatusCode::SEE_OTHER, "{}", signed_up.body);
    assert_eq!(session_rows(&app).await, before + 1, "the login made the row");
}

/// Parallel wrong passwords cannot race past the limit: the attempt is counted before the
/// password is checked. Half go to a second instance on the same database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_get_at_most_the_limits_worth_of_checks() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_sharing(&first).await;
    first.api().signed_up("ann").await;
    let attempts: Vec<_> = (0..50)
        .map(|n| {
            let api = if n % 2 == 0 { first.api() } else { second.api() };
            tokio::spawn(async move {
                api.post(
                    "/api/v1/tokens",
                    serde_json::json!({"username": "ann", "password": format!("wrong password {n}")}),
                )
                .await
                .status
            })
        })
        .collect();
    let mut checked = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked,
        AttemptLimits::default().per_account,
        "passwords checked out of 50 parallel attempts"
    );
    let locked = first
        .api()
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "locked, whatever the password");
}

/// Pages and API answers are never cached, not even by the browser; static files are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_answers_are_not_stored_by_any_cache() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    for path in ["/", "/account", "/add", "/menus", "/login"] {
        assert_eq!(ann.get(path).await.header("cache-control"), "no-store", "{path}");
    }
    let api = app.api().signed_up("bob").await;
    for path in ["/api/v1/me", "/api/v1/desserts", "/api/v1/nothing"] {
        assert_eq!(api.get(path).await.header("cache-control"), "no-store", "{path}");
    }
    let css = ann.get("/static/style.css").await;
    assert!(css.header("cache-control").contains("max-age"), "{}", css.header("cache-control"));
}

/// A huge login name is counted under a key of bounded size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_kept_under_keys_of_bounded_size() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(60_000);
    let page = app.browser().login(&huge, "wrong password").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let longest: i64 = desserts::store::attempts::longest_key(&app.store).await.unwrap();
    assert!((1..=100).contains(&longest), "longest key: {longest}");
}

/// A person already logged in can confirm their password on the account page even when
/// their address has used up its allowance of failed logins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_address_limit_does_not_lock_out_a_logged_in_person() {
    let app = TestApp::spawn_with_limits(AttemptLimits {
        per_client: 3,
        ..AttemptLimits::default()
    })
    .await;
    let ann = app.signed_up("ann").await;
    for name in ["x1", "x2", "x3"] {
        app.browser().login(name, "wrong password").await;
    }
    assert_eq!(
        app.browser().login("ann", "correct horse battery").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let changed = ann
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "correct horse battery"),
                ("new_password", "another long password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
}

/// IPv6 clients are counted by their /64: hopping between addresses of one network does
/// not buy more tries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_clients_are_counted_by_their_64() {
    let app = TestApp::start_with(
        desserts::config::WebSettings {
            trust_forwarded_for: true,
            ..Default::default()
        },
        AttemptLimits {
            per_client: 3,
            ..AttemptLimits::default()
        },
    )
    .await;
    let client = reqwest::Client::new();
    let attempt = |address: &'static str, name: &'static str| {
        let client = client.clone();
        let base = app.base.clone();
        async move {
            client
                .post(format!("{base}/api/v1/tokens"))
                .header("x-forwarded-for", address)
                .json(&serde_json::json!({"username": name, "password": "wrong password"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for (address, name) in [("2001:db8:1:2::1", "a1"), ("2001:db8:1:2::2", "a2"), ("2001:db8:1:2:ffff::9", "a3")] {
        assert_eq!(attempt(address, name).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("2001:db8:1:2::77", "a4").await, StatusCode::TOO_MANY_REQUESTS, "same /64");
    assert_eq!(attempt("2001:db8:1:3::1", "a5").await, StatusCode::UNAUTHORIZED, "another /64");
}
