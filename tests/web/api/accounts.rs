use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestApp;

fn signup_body(username: &str) -> serde_json::Value {
    json!({"username": username, "email": format!("{username}@example.com"), "name": "Ann Lee", "password": "correct horse battery"})
}

#[tokio::test]
async fn sign_up_answers_the_user_and_never_the_password() {
    let app = TestApp::spawn().await;
    let made = app.api().post("/api/v1/users", signup_body("ann")).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let user = &made.body["user"];
    assert_eq!(user["username"], "ann");
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["name"], "Ann Lee");
    assert!(user["avatar"].is_null());
    assert!(user["id"].as_i64().is_some_and(|id| id > 0));
    assert!(
        !made.text.contains("correct horse") && !made.text.contains("password"),
        "{}",
        made.text
    );
    // The account works in the browser too.
    let browser = app.browser();
    assert_eq!(browser.login("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_up_checks_every_rule_and_changes_nothing_when_refused() {
    let app = TestApp::spawn().await;
    let api = app.api();
    assert_eq!(api.post("/api/v1/users", signup_body("ann")).await.status, StatusCode::CREATED);
    let cases = [
        (json!({"username": "al"}), "username", "Username must be 3 to 32"),
        (json!({"username": "ann lee"}), "username", "letters, digits"),
        (json!({"username": 42}), "username", "Username must be a string"),
        (
            json!({"username": "ANN", "email": "new@example.com"}),
            "username",
            "This username is taken",
        ),
        (json!({"email": "no-at-sign"}), "email", "Enter an email address"),
        (
            json!({"email": "ANN@example.com"}),
            "email",
            "An account with this email already exists",
        ),
        (json!({"name": ""}), "name", "Name must be 1 to 100"),
        (json!({"name": "x".repeat(101)}), "name", "100"),
        (json!({"password": "short"}), "password", "Password must be 8 to 1024"),
        (json!({"avatar": "javascript:alert(1)"}), "avatar", "http"),
    ];
    for (overrides, field, message) in cases {
        let mut body = signup_body("bob");
        for (key, value) in overrides.as_object().unwrap() {
            body[key] = value.clone();
        }
        let refused = api.post("/api/v1/users", body).await;
        // A taken username or address is a conflict; every other refusal a validation error.
        let (status, code) = if message.contains("taken") || message.contains("already") {
            (StatusCode::CONFLICT, "conflict")
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        };
        assert_eq!(refused.status, status, "{field}: {}", refused.text);
        assert_eq!(refused.error_code(), code);
        assert!(refused.field_error(field).contains(message), "{field}: {}", refused.text);
    }
    let everything_missing = api.post("/api/v1/users", json!({})).await;
    assert_eq!(everything_missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["username", "email", "name", "password"] {
        assert!(
            !everything_missing.field_error(field).is_empty(),
            "{field}: {}",
            everything_missing.text
        );
    }
    let users = desserts::store::users::list_with_dessert_counts(&app.store).await.unwrap();
    assert_eq!(users.len(), 1, "only ann was made");
}

#[tokio::test]
async fn tokens_are_long_random_work_until_revoked_and_only_that_one_is_revoked() {
    let app = TestApp::spawn().await;
    let api = app.api();
    api.post("/api/v1/users", signup_body("ann")).await;
    let credentials = json!({"username": "ANN@example.com", "password": "correct horse battery"});
    let first = api.post("/api/v1/tokens", credentials.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["user"]["username"], "ann");
    let token = first.body["token"].as_str().unwrap().to_string();
    let secret = token.strip_prefix("desserts_").expect("prefixed");
    assert!(secret.len() >= 43, "at least 256 bits: {token}");
    let second = api.post("/api/v1/tokens", credentials).await.body["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(token, second);
    // Only the hash is stored: the token itself names no one.
    assert!(
        desserts::store::api_tokens::user_for(&app.store, &token, desserts::store::now())
            .await
            .unwrap()
            .is_none()
    );

    let ann = api.with_token(&token);
    assert_eq!(ann.get("/api/v1/me").await.status, StatusCode::OK);
    let revoked = ann.delete("/api/v1/tokens/current").await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = ann.get("/api/v1/me").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.error_code(), "unauthorized");
    assert_eq!(ann.delete("/api/v1/tokens/current").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.with_token(&second).get("/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test]
async fn token_requests_are_refused_plainly() {
    let app = TestApp::spawn().await;
    let api = app.api();
    api.post("/api/v1/users", signup_body("ann")).await;
    let wrong = api
        .post("/api/v1/tokens", json!({"username": "ann", "password": "wrong password"}))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error_code(), "unauthorized");
    let unknown = api
        .post("/api/v1/tokens", json!({"username": "nobody", "password": "wrong password"}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.body["error"]["message"], wrong.body["error"]["message"],
        "does not say which part"
    );
    let missing = api.post("/api/v1/tokens", json!({"username": "ann"})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.field_error("password"), "Enter your password");
}

#[tokio::test]
async fn failed_token_requests_count_like_failed_logins() {
    let app = TestApp::spawn().await;
    let api = app.api();
    api.post("/api/v1/users", signup_body("ann")).await;
    for _ in 0..5 {
        let wrong = api
            .post("/api/v1/tokens", json!({"username": "ann", "password": "wrong password"}))
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let locked = api
        .post("/api/v1/tokens", json!({"username": "ann", "password": "correct horse battery"}))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.text);
    assert_eq!(locked.error_code(), "rate_limited");
    let retry_after: i64 = locked.header("retry-after").parse().expect("Retry-After");
    assert!((1..=900).contains(&retry_after));
    // The same count locks the login form.
    let page = app.browser().login("ann", "correct horse battery").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn me_needs_a_valid_bearer_token() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    ann.add("Apple Pie", 4.5, 300).await;
    ann.add("Brownie", 2.0, 400).await;
    let me = ann.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "ann");
    assert_eq!(me.body["dessert_count"], 2);

    let anonymous = app.api().get("/api/v1/me").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.header("www-authenticate"), "Bearer");
    assert_eq!(anonymous.error_code(), "unauthorized");
    let token = ann.token.clone().unwrap();
    for header in [
        format!("Token {token}"),
        "Bearer ".to_string(),
        "Bearer desserts_unknown".to_string(),
        token.clone(),
    ] {
        let answer = reqwest::Client::new()
            .get(format!("{}/api/v1/me", app.base))
            .header("authorization", header.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{header}");
    }
    // The scheme is case-insensitive, as HTTP says.
    let lower = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), StatusCode::OK);
}
