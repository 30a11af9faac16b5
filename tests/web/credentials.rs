//! What a credential change ends, tokens that expire and remember their use, the account
//! page's list of sessions and tokens, notices of changes, and hashes from elsewhere.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Api, Browser, ReceivedMail, SmtpSink, TestApp, site_path};

const PASSWORD: &str = "correct horse battery";

/// A new token for `username`, asked for as `user_agent` with `extra` fields in the body.
async fn token_for(app: &TestApp, username: &str, user_agent: &str, extra: Value) -> Value {
    let mut body = json!({"username": username, "password": PASSWORD});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/tokens", app.base))
        .header("user-agent", user_agent)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

fn api_with(app: &TestApp, token: &Value) -> Api {
    app.api().with_token(token["token"].as_str().unwrap())
}

/// The path of the first mailed link to `prefix`.
fn path_of(mail: &ReceivedMail, prefix: &str) -> String {
    let link = mail.link(prefix).unwrap_or_else(|| panic!("a link to {prefix} in {}", mail.data));
    site_path(&link)
}

/// The mails that arrive, from the `from`th on (counting from 1), once there are `total`.
async fn mails(sink: &SmtpSink, from: usize, total: usize) -> Vec<ReceivedMail> {
    sink.wait_for(total).await;
    sink.received()[from - 1..total].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_password_ends_every_other_session_every_token_and_every_reset_link() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let phone = app.browser();
    assert_eq!(phone.login("ann", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let script = api_with(&app, &token_for(&app, "ann", "curl/8.5.0", json!({})).await);
    sink.wait_for(1).await;
    app.browser()
        .submit("/password/forgot", "/password/forgot", &[("email", "ann@example.com")])
        .await;
    let reset = path_of(&sink.wait_for(2).await, "/password/reset/");
    let old_cookie = ann.session_cookie().unwrap();

    let changed = ann
        .submit(
            "/account",
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "a brand new password")],
        )
        .await;
    assert_eq!((changed.status, changed.location()), (StatusCode::SEE_OTHER, "/account"));
    ann.get("/account")
        .await
        .assert_contains("Every other session and every API token of your account has ended");
    assert_ne!(ann.session_cookie().unwrap(), old_cookie, "a new session id");
    assert_eq!(app.browser_with_cookie(&old_cookie).get("/").await.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/").await.location(), "/login?next=%2F", "the other session ended");
    let refused = script.get("/api/v1/me").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "the API token ended");
    assert_eq!(
        app.browser().get(&reset).await.status,
        StatusCode::NOT_FOUND,
        "the reset link ended"
    );

    let notice = sink.wait_for(3).await;
    assert_eq!(notice.to, vec!["ann@example.com".to_string()]);
    assert!(
        notice.data.contains("Subject: Your Desserts password was changed"),
        "{}",
        notice.data
    );
    assert!(notice.data.contains("UTC"), "it says when: {}", notice.data);
    assert_eq!(
        notice.link("/password/forgot").as_deref(),
        Some("http://desserts.example/password/forgot")
    );
    assert!(notice.link("/password/reset/").is_none(), "a notice is no key to the account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_through_a_link_ends_the_same_and_says_so_by_mail() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let script = api_with(&app, &token_for(&app, "ann", "curl", json!({})).await);
    let stranger = app.browser();
    stranger
        .submit("/password/forgot", "/password/forgot", &[("email", "ann@example.com")])
        .await;
    stranger
        .submit("/password/forgot", "/password/forgot", &[("email", "ann@example.com")])
        .await;
    let links = mails(&sink, 2, 3).await;
    let (first, second) = (path_of(&links[0], "/password/reset/"), path_of(&links[1], "/password/reset/"));

    let done = stranger.submit(&first, &first, &[("new_password", "a brand new password")]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/"));
    stranger.get("/").await.assert_contains("every API token of your account has ended");
    assert_eq!(ann.get("/").await.status, StatusCode::SEE_OTHER);
    assert_eq!(script.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        stranger.get(&second).await.status,
        StatusCode::NOT_FOUND,
        "the other link ended too"
    );
    let notice = sink.wait_for(4).await;
    assert_eq!(notice.to, vec!["ann@example.com".to_string()]);
    assert!(notice.data.contains("was set through a link mailed to you"), "{}", notice.data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_as_asked_and_remember_their_use() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let before = desserts::store::now();
    let default = token_for(&app, "ann", "curl/8.5.0", json!({})).await;
    let short = token_for(&app, "ann", "python-requests/2.32", json!({"expires_in_days": 1})).await;
    let forever = token_for(&app, "ann", "curl", json!({"expires_in_days": null})).await;
    let expires = |token: &Value| {
        token["expires_at"]
            .as_str()
            .map(|at| desserts::domain::Timestamp::parse_rfc3339(at).unwrap().0)
    };
    let in_days = |token: &Value| (expires(token).unwrap() - before) as f64 / 86_400.0;
    assert!((in_days(&default) - 90.0).abs() < 0.01, "{default}");
    assert!((in_days(&short) - 1.0).abs() < 0.01, "{short}");
    assert_eq!(forever["expires_at"], Value::Null);
    assert!(default["id"].as_i64().unwrap() > 0 && default["created_at"].is_string());

    // Refused lifetimes make no token and count no failed login.
    let api = app.api();
    for refused in [json!(0), json!(-1), json!(3651), json!(1.5), json!("30"), json!(true), json!(1e300)] {
        let answer = api
            .post(
                "/api/v1/tokens",
                json!({"username": "ann", "password": PASSWORD, "expires_in_days": refused}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}: {}", answer.text);
        assert!(!answer.field_error("expires_in_days").is_empty(), "{refused}: {}", answer.text);
    }

    let ann = api_with(&app, &default);
    let listed = ann.get("/api/v1/tokens").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let tokens = listed.body["tokens"].as_array().unwrap().clone();
    assert_eq!(tokens.len(), 3, "{}", listed.text);
    let by_id = |id: &Value| tokens.iter().find(|t| &t["id"] == id).unwrap().clone();
    let this = by_id(&default["id"]);
    assert_eq!(this["current"], true);
    assert_eq!(this["client"], "curl");
    assert_eq!(this["client_address"], "127.0.0.1");
    assert!(this["last_used_at"].is_string(), "used for this very request: {this}");
    let unused = by_id(&short["id"]);
    assert_eq!(unused["current"], false);
    assert_eq!(unused["client"], "python-requests");
    assert_eq!(unused["last_used_at"], Value::Null);
    assert!(listed.text.matches("desserts_").count() == 0, "never a token in the list");

    // An expired token is refused, and no longer listed.
    app.db.run_sql(&format!(
        "UPDATE api_tokens SET expires_at = {} WHERE id = {}",
        desserts::store::now() - 1,
        short["id"]
    ));
    assert_eq!(api_with(&app, &short).get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(ann.get("/api/v1/tokens").await.body["tokens"].as_array().unwrap().len(), 2);
    assert_eq!(api_with(&app, &forever).get("/api/v1/me").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_revoked_by_its_id_by_its_owner_only() {
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    app.signed_up("bob").await;
    let ann_first = token_for(&app, "ann", "curl", json!({})).await;
    let ann_second = token_for(&app, "ann", "curl", json!({})).await;
    let bob = token_for(&app, "bob", "curl", json!({})).await;
    let ann = api_with(&app, &ann_first);
    let bob_api = api_with(&app, &bob);

    for id in [bob["id"].to_string(), "0".into(), "-1".into(), "abc".into(), "99999999".into()] {
        let refused = ann.send(Method::DELETE, &format!("/api/v1/tokens/{id}"), None).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{id}: {}", refused.text);
        assert_eq!(refused.error_code(), "not_found");
    }
    assert_eq!(bob_api.get("/api/v1/me").await.status, StatusCode::OK, "bob's token still works");

    let path = format!("/api/v1/tokens/{}", ann_second["id"]);
    assert_eq!(ann.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api_with(&app, &ann_second).get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(ann.delete(&path).await.status, StatusCode::NOT_FOUND, "already revoked");
    assert_eq!(ann.get("/api/v1/me").await.status, StatusCode::OK);
    let listed = bob_api.get("/api/v1/tokens").await;
    assert_eq!(
        listed.body["tokens"].as_array().unwrap().len(),
        1,
        "only bob's own: {}",
        listed.text
    );
    assert_eq!(app.api().get("/api/v1/tokens").await.status, StatusCode::UNAUTHORIZED);
}

/// The `action` of the first form on `page` whose action starts with `prefix`.
fn form_action(page: &crate::support::Page, prefix: &str) -> Option<String> {
    let start = page.body.find(&format!("action=\"{prefix}"))? + "action=\"".len();
    let end = page.body[start..].find('"')? + start;
    Some(page.body[start..end].to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_lists_sessions_and_tokens_and_ends_them() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let phone = Browser::with_user_agent(
        &app.base,
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    );
    assert_eq!(phone.login("ann", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let token = token_for(&app, "ann", "curl/8.5.0", json!({"expires_in_days": 30})).await;
    let script = api_with(&app, &token);
    let bob = app.signed_up("bob").await;
    let bob_token = token_for(&app, "bob", "curl", json!({})).await;

    let page = ann.get("/account").await;
    page.assert_contains("This browser")
        .assert_contains("Chrome on Android")
        .assert_contains(&format!("Token {}, for curl", token["id"]))
        .assert_contains("never used")
        .assert_contains("expires ");
    assert!(!page.body.contains("desserts_"), "no token on the page");
    let end_phone = form_action(&page, "/account/sessions/").unwrap();
    assert!(
        end_phone.ends_with("/end") && end_phone.len() == "/account/sessions//end".len() + 16,
        "{end_phone}"
    );

    // Another person's handle or token id ends nothing.
    let bob_page = bob.get("/account").await;
    bob.submit("/account", &end_phone, &[]).await;
    bob.submit("/account", &format!("/account/tokens/{}/revoke", token["id"]), &[])
        .await;
    bob.get("/account")
        .await
        .assert_contains("That API token had already been revoked.");
    assert_eq!(phone.get("/").await.status, StatusCode::OK);
    assert_eq!(script.get("/api/v1/me").await.status, StatusCode::OK);
    assert!(
        form_action(&bob_page, "/account/sessions/").is_none(),
        "bob has one session: his own"
    );

    let ended = ann.submit("/account", &end_phone, &[]).await;
    assert_eq!((ended.status, ended.location()), (StatusCode::SEE_OTHER, "/account#sessions"));
    assert_eq!(phone.get("/").await.location(), "/login?next=%2F");
    ann.get("/account").await.assert_contains("That session has ended");
    assert_eq!(ann.get("/").await.status, StatusCode::OK, "this browser stays");

    let laptop = app.browser();
    let tablet = app.browser();
    for browser in [&laptop, &tablet] {
        assert_eq!(browser.login("ann", PASSWORD).await.status, StatusCode::SEE_OTHER);
    }
    ann.submit("/account", "/account/sessions/end-others", &[]).await;
    ann.get("/account").await.assert_contains("2 other sessions ended");
    for browser in [&laptop, &tablet] {
        assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);
    }

    let revoke = format!("/account/tokens/{}/revoke", token["id"]);
    ann.submit("/account", &revoke, &[]).await;
    ann.get("/account").await.assert_contains("That API token no longer works.");
    assert_eq!(script.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    for _ in 0..2 {
        token_for(&app, "ann", "curl", json!({})).await;
    }
    ann.submit("/account", "/account/tokens/revoke-all", &[]).await;
    ann.get("/account")
        .await
        .assert_contains("2 API tokens revoked.")
        .assert_contains("You have no API tokens");
    assert_eq!(
        api_with(&app, &bob_token).get("/api/v1/me").await.status,
        StatusCode::OK,
        "bob's stays"
    );

    // Without the form's token, nothing ends.
    let refused = ann.post_raw("/account/tokens/revoke-all", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_change_ends_reset_links_tells_the_old_address_and_is_limited() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    sink.wait_for(1).await;
    app.browser()
        .submit("/password/forgot", "/password/forgot", &[("email", "ann@example.com")])
        .await;
    let reset = path_of(&sink.wait_for(2).await, "/password/reset/");
    let change = |email: String| {
        let ann = &ann;
        async move {
            ann.submit("/account", "/account/email", &[("email", &email), ("email_password", PASSWORD)])
                .await
        }
    };
    assert_eq!(change("ann@example.org".into()).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get(&reset).await.status,
        StatusCode::NOT_FOUND,
        "the reset link ended"
    );
    let sent = mails(&sink, 3, 4).await;
    let notice = sent
        .iter()
        .find(|mail| mail.to == vec!["ann@example.com".to_string()])
        .expect("a notice");
    assert!(notice.data.contains("no longer comes to this address"), "{}", notice.data);

    // Per account: five changes in the window, then a refusal that changes nothing.
    for n in 2..=5 {
        assert_eq!(change(format!("ann{n}@example.org")).await.status, StatusCode::SEE_OTHER);
    }
    let limited = change("ann6@example.org".into()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
    limited.assert_contains("Try again in");
    assert!(limited.header("retry-after").parse::<i64>().unwrap() > 0);
    ann.get("/account").await.assert_contains("<dd>ann5@example.org</dd>");

    // Per new address: five accounts may take it in turn, the sixth waits.
    let target = "shared@example.org";
    for n in 0..5 {
        let name = format!("person{n}");
        let person = app.signed_up(&name).await;
        for email in [target.to_string(), format!("{name}.moved@example.org")] {
            let page = person
                .submit("/account", "/account/email", &[("email", &email), ("email_password", PASSWORD)])
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{name} to {email}: {}", page.body);
        }
    }
    let sixth = app.signed_up("person5").await;
    let limited = sixth
        .submit("/account", "/account/email", &[("email", target), ("email_password", PASSWORD)])
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
}

/// A hash from an export, made with smaller parameters than the server's: it logs in, and
/// the login replaces it with one made the server's way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_rehashes_a_password_hashed_otherwise() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let app = TestApp::spawn().await;
    app.signed_up("ann").await;
    let id = app.user_id("ann").await;
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    let small = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes(), &salt)
    .unwrap()
    .to_string();
    app.db
        .run_sql(&format!("UPDATE users SET password_hash = '{small}' WHERE id = {id}"));
    let hash = || desserts::store::users::password_hash(&app.store, id);
    assert_eq!(app.browser().login("ann", PASSWORD).await.status, StatusCode::SEE_OTHER);
    let rehashed = hash().await.unwrap().unwrap();
    assert!(rehashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{rehashed}");
    assert_eq!(app.browser().login("ann", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(hash().await.unwrap().unwrap(), rehashed, "rehashed once");
    assert_eq!(
        app.browser().login("ann", "wrong password here").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
