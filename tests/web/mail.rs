//! Mail that really goes out, to an SMTP server on 127.0.0.1: password resets and address
//! confirmations, and a server that keeps serving when the SMTP server does not answer.

use std::time::{Duration, Instant};

use desserts::config::WebSettings;
use desserts::mail::MailSettings;
use reqwest::StatusCode;

use crate::support::{Browser, SmtpSink, TestApp, site_path};

const RESET_SENT: &str = "If an account exists for that address, an email with a link to set a new password is on its way.";

async fn ask_for_reset(browser: &Browser, email: &str) -> crate::support::Page {
    browser.submit("/password/forgot", "/password/forgot", &[("email", email)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_arrives_works_once_and_ends_every_session() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let confirmation = sink.wait_for(1).await;
    assert!(confirmation.link("/verify/").is_some(), "sign-up sends a confirmation");
    let api = app.api().signed_up("bob").await;
    let ann_api = app.api();
    let token = ann_api
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    let ann_api = ann_api.with_token(token.body["token"].as_str().unwrap());
    drop(api);

    let stranger = app.browser();
    let asked = ask_for_reset(&stranger, "ANN@example.com").await;
    assert_eq!((asked.status, asked.location()), (StatusCode::SEE_OTHER, "/login"));
    stranger.get("/login").await.assert_contains(RESET_SENT);

    let mail = sink.wait_for(3).await;
    assert_eq!(mail.to, vec!["ann@example.com".to_string()]);
    assert!(mail.data.contains("Subject: Set a new password for Desserts"), "{}", mail.data);
    assert!(mail.data.contains("multipart/alternative"), "{}", mail.data);
    assert!(mail.data.contains("text/plain") && mail.data.contains("text/html"), "{}", mail.data);
    let link = mail.link("/password/reset/").expect("a reset link");
    let path = site_path(&link);
    let token = path.trim_start_matches("/password/reset/");
    assert!(token.len() >= 43, "256 bits or more: {token}");
    assert!(mail.data.contains(&format!("href=\"{link}\"")), "the HTML part links too");

    let form = stranger.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    let short = stranger.submit(&path, &path, &[("new_password", "short")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = stranger.submit(&path, &path, &[("new_password", "a brand new password")]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/"));
    stranger.get("/").await.assert_contains("Your new password is set");

    assert_eq!(ann.get("/").await.location(), "/login?next=%2F", "the old session has ended");
    assert_eq!(
        ann_api.get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED,
        "so has the API token"
    );
    assert_eq!(
        app.browser().login("ann", "correct horse battery").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.browser().login("ann", "a brand new password").await.status,
        StatusCode::SEE_OTHER
    );

    let used = stranger.get(&path).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND, "used once");
    used.assert_contains("This link no longer works")
        .assert_contains(r#"<a class="button primary" href="/password/forgot">Send me a new reset link</a>"#);
    let again = app.browser();
    let replay = again.post_raw(&path, &[("new_password", "yet another password")]).await;
    assert!(
        matches!(replay.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{}",
        replay.status
    );
    assert_eq!(
        app.browser().login("ann", "a brand new password").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forgot_page_answers_the_same_for_unknown_addresses() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    app.signed_up("ann").await;
    sink.wait_for(1).await;

    // The mail server holds every message unanswered: each request must be answered all
    // the same, for it does not wait for mail.
    sink.hold(true);
    let mut answers = Vec::new();
    for email in ["ann@example.com", "nobody@example.com", "someone.else@example.org"] {
        let browser = app.browser();
        let asked = tokio::time::timeout(Duration::from_secs(60), ask_for_reset(&browser, email))
            .await
            .unwrap_or_else(|_| panic!("{email}: the answer waited for the mail"));
        let next = browser.get("/login").await;
        let flash = next.body.contains(RESET_SENT);
        answers.push((email, asked.status, asked.location().to_string(), flash));
    }
    assert_eq!(sink.received().len(), 1, "the reset mail is still held");
    sink.hold(false);
    for (email, status, location, flash) in &answers {
        assert_eq!(
            (*status, location.as_str(), *flash),
            (StatusCode::SEE_OTHER, "/login", true),
            "{email}"
        );
    }
    sink.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = sink.received();
    assert_eq!(received.len(), 2, "only the real address got mail: {received:?}");
    assert_eq!(received[1].to, vec!["ann@example.com".to_string()]);

    for not_an_address in ["", "ann"] {
        let asked = ask_for_reset(&app.browser(), not_an_address).await;
        assert_eq!(asked.status, StatusCode::UNPROCESSABLE_ENTITY, "{not_an_address:?}");
        asked.assert_contains("Enter the email address of your account.");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_links_expire_and_end_when_the_person_logs_in() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    app.signed_up("ann").await;
    sink.wait_for(1).await;

    ask_for_reset(&app.browser(), "ann@example.com").await;
    let expiring = site_path(&sink.wait_for(2).await.link("/password/reset/").unwrap());
    assert_eq!(app.browser().get(&expiring).await.status, StatusCode::OK);
    app.db
        .run_sql("UPDATE mail_tokens SET expires_at = created_at WHERE purpose = 'reset_password'");
    assert_eq!(app.browser().get(&expiring).await.status, StatusCode::NOT_FOUND, "an hour later");

    ask_for_reset(&app.browser(), "ann@example.com").await;
    let remembered = site_path(&sink.wait_for(3).await.link("/password/reset/").unwrap());
    assert_eq!(app.browser().get(&remembered).await.status, StatusCode::OK);
    assert_eq!(
        app.browser().login("ann", "correct horse battery").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.browser().get(&remembered).await.status,
        StatusCode::NOT_FOUND,
        "moot after a login"
    );

    // Too many requests for one address are refused, whatever it is.
    for _ in 0..3 {
        ask_for_reset(&app.browser(), "ann@example.com").await;
    }
    let refused = ask_for_reset(&app.browser(), "ann@example.com").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.header("retry-after").parse::<u64>().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_link_confirms_the_address_once() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    let mail = sink.wait_for(1).await;
    assert_eq!(mail.to, vec!["ann@example.com".to_string()]);
    assert!(
        mail.data.contains("Subject: Confirm your email address for Desserts"),
        "{}",
        mail.data
    );
    ann.get("/account").await.assert_contains("(not confirmed yet)");

    let resent = ann.submit("/account", "/account/verify", &[]).await;
    assert_eq!((resent.status, resent.location()), (StatusCode::SEE_OTHER, "/account"));
    let second = sink.wait_for(2).await;
    let path = site_path(&second.link("/verify/").unwrap());

    let confirmed = ann.get(&path).await;
    assert_eq!((confirmed.status, confirmed.location()), (StatusCode::SEE_OTHER, "/account"));
    ann.get("/account")
        .await
        .assert_contains("your email address is confirmed")
        .assert_contains("(confirmed)")
        .assert_lacks("Send the confirmation link again");
    let used = ann.get(&path).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND, "used once");
    used.assert_contains("This link no longer works")
        .assert_contains(r#"<form method="post" action="/account/verify""#);
    let unknown = app.browser().get("/verify/not-a-real-token").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    unknown.assert_contains("Log in to send a new confirmation link");

    // The API's sign-up sends one too.
    app.api().signed_up("bob").await;
    let bobs = sink.wait_for(3).await;
    assert_eq!(bobs.to, vec!["bob@example.com".to_string()]);
    assert!(bobs.link("/verify/").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_serving_when_the_smtp_server_is_down() {
    let sink = SmtpSink::start().await;
    sink.refuse(true);
    let app = TestApp::mailing_to(&sink).await;
    let started = Instant::now();
    let ann = app.signed_up("ann").await;
    assert!(started.elapsed() < Duration::from_secs(5), "sign-up did not wait for mail");
    ann.add_dessert("Trifle", "3", "300").await;
    let asked = ask_for_reset(&app.browser(), "ann@example.com").await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);

    // Each message is tried once and again after each of the three waits, then given up.
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.attempts() < 8 {
        assert!(Instant::now() < deadline, "only {} tries", sink.attempts());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.attempts(), 8, "four tries for each of the two messages, no more");
    assert_eq!(ann.get("/").await.dessert_names(), vec!["Trifle".to_string()]);

    // A message that fails once goes out on a later try.
    sink.refuse(false);
    ask_for_reset(&app.browser(), "ann@example.com").await;
    assert!(sink.wait_for(1).await.link("/password/reset/").is_some());

    // And with nothing listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("smtp://{}", listener.local_addr().unwrap())
    };
    let lonely = TestApp::spawn_with(WebSettings {
        mail: MailSettings {
            smtp_url: Some(closed),
            retry_delays: vec![Duration::from_millis(10)],
            ..MailSettings::default()
        },
        ..WebSettings::default()
    })
    .await;
    let bob = lonely.signed_up("bob").await;
    assert_eq!(bob.get("/").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_address_is_unconfirmed_until_its_own_link_is_opened() {
    let sink = SmtpSink::start().await;
    let app = TestApp::mailing_to(&sink).await;
    let ann = app.signed_up("ann").await;
    app.signed_up("bob").await;
    let first = site_path(&sink.wait_for(1).await.link("/verify/").unwrap());
    assert_eq!(ann.get(&first).await.status, StatusCode::SEE_OTHER);
    ann.get("/account").await.assert_contains("(confirmed)");
    sink.wait_for(2).await;
    ann.submit("/account", "/account/verify", &[]).await;
    let for_old_address = site_path(&sink.wait_for(3).await.link("/verify/").unwrap());

    let change = |email: &'static str, password: &'static str| {
        let ann = &ann;
        async move {
            ann.submit("/account", "/account/email", &[("email", email), ("email_password", password)])
                .await
        }
    };
    for (email, password, message) in [
        ("not an address", "correct horse battery", "email"),
        (
            "BOB@example.com",
            "correct horse battery",
            "An account with this email already exists",
        ),
        ("ann.lee@example.org", "wrong password", "That is not your current password"),
    ] {
        let refused = change(email, password).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        refused.assert_contains(message);
        assert_eq!(refused.input_value("email").as_deref(), Some(email), "what was typed is kept");
    }
    assert_eq!(sink.received().len(), 3, "no mail for a refused change");

    let changed = change("ann.lee@example.org", "correct horse battery").await;
    assert_eq!((changed.status, changed.location()), (StatusCode::SEE_OTHER, "/account"));
    ann.get("/account")
        .await
        .assert_contains("<dd>ann.lee@example.org</dd>")
        .assert_contains("(not confirmed yet)");
    // Two mails: a link to confirm the new address, and a notice to the old one.
    sink.wait_for(5).await;
    let to = |address: &str| {
        let received = sink.received()[3..].to_vec();
        received
            .into_iter()
            .find(|mail| mail.to == vec![address.to_string()])
            .unwrap_or_else(|| panic!("a mail to {address}"))
    };
    let mail = to("ann.lee@example.org");
    let notice = to("ann@example.com");
    assert!(
        notice
            .data
            .contains("Subject: The email address of your Desserts account was changed"),
        "{}",
        notice.data
    );
    assert!(
        notice.link("/verify/").is_none() && notice.link("/password/reset/").is_none(),
        "a notice holds no key"
    );

    assert_eq!(
        ann.get(&for_old_address).await.status,
        StatusCode::NOT_FOUND,
        "a link for the old address"
    );
    ann.get("/account").await.assert_contains("(not confirmed yet)");
    let new = site_path(&mail.link("/verify/").unwrap());
    assert_eq!(ann.get(&new).await.status, StatusCode::SEE_OTHER);
    ann.get("/account").await.assert_contains("(confirmed)");
    assert_eq!(
        app.browser().login("ann.lee@example.org", "correct horse battery").await.status,
        StatusCode::SEE_OTHER
    );
}
