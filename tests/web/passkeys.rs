//! Passkeys over HTTP: what each step refuses, that refusals change nothing, another
//! account's passkey is out of reach, and failed passkey logins count against the address.
//! The ceremonies themselves, with a real authenticator, are in the browser tests.

use desserts::store::attempts::AttemptLimits;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Browser, TestApp};

/// The server by its host name: passkeys have no relying party at an IP address.
fn by_name(app: &TestApp) -> String {
    app.base.replace("127.0.0.1", "localhost")
}

async fn signed_up_by_name(app: &TestApp, username: &str) -> Browser {
    let browser = Browser::new(&by_name(app));
    let page = browser.signup(username, "correct horse battery").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_steps_refuse_what_they_cannot_check_and_change_nothing() {
    let app = TestApp::spawn().await;
    let visitor = Browser::new(&by_name(&app));
    let login = visitor.get("/login").await;
    assert!(login.body.contains("Sign in with a passkey"), "offered by name");
    assert!(
        !app.browser().get("/login").await.body.contains("Sign in with a passkey"),
        "not at an address"
    );

    // The options of a login: no account named, user verification required.
    assert_eq!(visitor.post_raw("/login/passkey/options", &[]).await.status, StatusCode::FORBIDDEN);
    let options = visitor.submit("/login", "/login/passkey/options", &[]).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.body);
    let options = json(&options.body);
    assert_eq!(options["publicKey"]["rpId"], "localhost");
    assert_eq!(options["publicKey"]["userVerification"], "required");
    assert!(options["publicKey"]["challenge"].as_str().is_some_and(|c| c.len() >= 43));
    assert!(
        options["publicKey"]
            .get("allowCredentials")
            .is_none_or(|list| list.as_array().is_some_and(Vec::is_empty))
    );

    // An answer that is no credential; then none, the ceremony being used up.
    let garbage = visitor.submit("/login", "/login/passkey", &[("credential", "garbage\0")]).await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST, "{}", garbage.body);
    let again = visitor.submit("/login", "/login/passkey", &[("credential", "{}")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(&again.body)["error"].as_str().unwrap().contains("request ended"),
        "{}",
        again.body
    );
    assert_eq!(visitor.get("/account").await.status, StatusCode::SEE_OTHER, "still logged out");

    // At an IP address: refused with the reason.
    let by_address = app.browser().submit("/login", "/login/passkey/options", &[]).await;
    assert_eq!(by_address.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(&by_address.body)["error"].as_str().unwrap().contains("IP address"));

    // Adding: the name is checked before the browser is asked anything.
    let ann = signed_up_by_name(&app, "ann").await;
    let long = "x".repeat(61);
    for bad in ["", "   ", "Phone\0", "Two\nlines", long.as_str()] {
        let refused = ann
            .submit("/account/security", "/account/security/passkeys/options", &[("name", bad)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(json(&refused.body)["error"].as_str().unwrap().contains("Passkey name"));
    }
    let adding = ann
        .submit("/account/security", "/account/security/passkeys/options", &[("name", "Phone")])
        .await;
    assert_eq!(adding.status, StatusCode::OK, "{}", adding.body);
    let adding = json(&adding.body);
    assert_eq!(adding["publicKey"]["user"]["name"], "ann");
    assert_eq!(adding["publicKey"]["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(adding["publicKey"]["authenticatorSelection"]["userVerification"], "required");
    let made_up = ann
        .submit(
            "/account/security",
            "/account/security/passkeys",
            &[("name", "Phone"), ("credential", "{\"id\":1}")],
        )
        .await;
    assert_eq!(made_up.status, StatusCode::BAD_REQUEST, "{}", made_up.body);
    let security = ann.get("/account/security").await;
    assert!(security.body.contains("You have no passkeys yet."));
    let ann_id = app.user_id("ann").await;
    assert!(desserts::store::passkeys::list(&app.store, ann_id).await.unwrap().is_empty());

    // Renaming and removing what is not there, or not a number: 404; without a token: 403.
    for id in ["999", "abc", "0", "-1"] {
        let rename = ann
            .submit(
                "/account/security",
                &format!("/account/security/passkeys/{id}/rename"),
                &[("name", "X")],
            )
            .await;
        assert_eq!(rename.status, StatusCode::NOT_FOUND, "rename {id}");
        let remove = ann
            .submit("/account/security", &format!("/account/security/passkeys/{id}/delete"), &[])
            .await;
        assert_eq!(remove.status, StatusCode::NOT_FOUND, "remove {id}");
    }
    assert_eq!(
        ann.post_raw("/account/security/passkeys/1/delete", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Anonymous: to the login page.
    assert_eq!(
        visitor
            .submit("/login", "/account/security/passkeys/options", &[("name", "Phone")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_passkey_logins_count_against_the_address_with_failed_passwords() {
    let limits = AttemptLimits {
        per_client: 3,
        ..AttemptLimits::default()
    };
    let app = TestApp::spawn_with_limits(limits).await;
    let _ann = signed_up_by_name(&app, "ann").await;
    let visitor = Browser::new(&by_name(&app));
    for _ in 0..3 {
        visitor.submit("/login", "/login/passkey/options", &[]).await;
        let refused = visitor.submit("/login", "/login/passkey", &[("credential", "{}")]).await;
        assert!(
            refused.status.is_client_error() && refused.status != StatusCode::TOO_MANY_REQUESTS,
            "{}",
            refused.body
        );
    }
    let limited = visitor.submit("/login", "/login/passkey", &[("credential", "{}")]).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
    assert!(limited.headers.contains_key("retry-after"));
    assert!(json(&limited.body)["error"].as_str().unwrap().contains("Too many failed logins"));
    // The same count holds passwords from that address back, even the right one.
    let password = visitor
        .submit("/login", "/login", &[("username", "ann"), ("password", "correct horse battery")])
        .await;
    assert_eq!(password.status, StatusCode::TOO_MANY_REQUESTS);
}
