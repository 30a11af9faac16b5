//! Secrets never reach the log: a whole session of a person's life with the server, with
//! mail going to a real SMTP server, then the log is searched for every secret it used.

use reqwest::StatusCode;

use crate::support::{Api, Browser, PUBLIC_URL, ServerProcess, SmtpSink, TestDb, site_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_token_cookie_or_mailed_link_reaches_the_log() {
    let sink = SmtpSink::start().await;
    let db = TestDb::new();
    let server = ServerProcess::start(
        &db.url,
        &[
            ("DESSERTS_SMTP_URL", sink.url.as_str()),
            ("DESSERTS_PUBLIC_URL", PUBLIC_URL),
            ("RUST_LOG", "debug"),
        ],
    );
    let mut secrets: Vec<String> = Vec::new();
    let first_password = "first secret password";
    let second_password = "second secret password";
    secrets.extend([first_password.to_string(), second_password.to_string()]);

    let ann = Browser::new(&server.base);
    assert_eq!(ann.signup("ann", first_password).await.status, StatusCode::SEE_OTHER);
    secrets.push(ann.session_cookie().expect("cookie"));
    let verify = site_path(&sink.wait_for(1).await.link("/verify/").expect("confirmation link"));
    assert_eq!(ann.get(&verify).await.status, StatusCode::SEE_OTHER);
    secrets.push(verify.trim_start_matches("/verify/").to_string());

    let api = Api::new(&server.base);
    let token = api
        .post("/api/v1/tokens", serde_json::json!({"username": "ann", "password": first_password}))
        .await;
    let token = token.body["token"].as_str().expect("token").to_string();
    assert_eq!(api.with_token(&token).get("/api/v1/me").await.status, StatusCode::OK);
    secrets.push(token);

    // A published menu's link is a secret of sorts: whoever has it reads the menu.
    let dessert = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let made = ann.submit("/menus", "/menus", &[("name", "Summer")]).await;
    let menu = made.location().to_string();
    ann.submit(&menu, &format!("{menu}/desserts"), &[("dessert_id", &dessert.to_string())])
        .await;
    ann.submit(&menu, &format!("{menu}/publish"), &[]).await;
    let slug = ann.get(&menu).await.public_slug();
    assert_eq!(Browser::new(&server.base).get(&format!("/m/{slug}")).await.status, StatusCode::OK);
    // Its photos' addresses carry the link too.
    let edit = format!("/desserts/{dessert}/edit");
    let photo = crate::support::images::jpeg(64, 48);
    let fields = [("name", "Apple Pie"), ("price", "4.50"), ("calories", "300")];
    assert_eq!(
        ann.upload(&edit, &edit, &fields, Some(("pie.jpg", photo))).await.status,
        StatusCode::SEE_OTHER
    );
    let (status, _, _) = Browser::new(&server.base)
        .get_bytes(&format!("/m/{slug}/photos/{dessert}?size=thumb"), &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = Browser::new(&server.base).get_bytes(&format!("/m/{slug}/qr.svg"), &[]).await;
    assert_eq!(status, StatusCode::OK, "and so does its QR code's");
    secrets.push(slug);

    let stranger = Browser::new(&server.base);
    stranger
        .submit("/password/forgot", "/password/forgot", &[("email", "ann@example.com")])
        .await;
    let reset = site_path(&sink.wait_for(2).await.link("/password/reset/").expect("reset link"));
    let form = stranger.get(&reset).await;
    assert_eq!(form.status, StatusCode::OK);
    let done = stranger
        .post_raw(&reset, &[("csrf_token", &form.csrf_token()), ("new_password", second_password)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    secrets.push(reset.trim_start_matches("/password/reset/").to_string());
    secrets.push(stranger.session_cookie().expect("cookie after the reset"));
    assert_eq!(ann.login("ann", "wrong password").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A form without its token, and the token's end.
    assert_eq!(stranger.post_raw("/add", &[("name", "Tart")]).await.status, StatusCode::FORBIDDEN);
    // The reset ended the first token; a new one, then its end.
    let second = api
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": second_password}),
        )
        .await;
    let second = second.body["token"].as_str().expect("token").to_string();
    secrets.push(second.clone());
    let revoked = api.with_token(&second).delete("/api/v1/tokens/current").await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);

    let (_, log) = server.stop();
    assert!(log.contains("/password/reset/{token}"), "the log names routes: {log}");
    // Security events, one line each, with the account and the client address.
    for event in ["login_failed", "csrf_refused", "password_reset", "token_created", "token_revoked"] {
        let line = log
            .lines()
            .find(|line| line.contains(&format!("event=\"{event}\"")))
            .unwrap_or_else(|| panic!("no {event} event in the log:\n{log}"));
        assert!(line.contains("user_id=1"), "{line}");
    }
    for secret in &secrets {
        let bare = secret.split_once('=').map_or(secret.as_str(), |(_, value)| value);
        assert!(!log.contains(bare), "{bare:?} is in the log:\n{log}");
    }
}
