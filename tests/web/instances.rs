//! Several server processes on one database, as behind a load balancer: whatever one
//! instance learns about a visitor, the others know too.

use reqwest::StatusCode;

use crate::support::{Browser, ServerProcess, TestDb};

/// Both start at once on an empty database, so both try to migrate it together.
fn two_instances(db: &TestDb) -> (ServerProcess, ServerProcess) {
    std::thread::scope(|scope| {
        let first = scope.spawn(|| ServerProcess::start(&db.url, &[]));
        let second = scope.spawn(|| ServerProcess::start(&db.url, &[]));
        (first.join().expect("first"), second.join().expect("second"))
    })
}

#[tokio::test]
async fn a_session_started_on_one_instance_works_on_the_other() {
    let db = TestDb::new();
    let (first, second) = two_instances(&db);

    let on_first = Browser::new(&first.base);
    assert_eq!(on_first.signup("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);
    on_first.logout().await;
    let logged_in = on_first.login("ann", "correct horse battery").await;
    assert_eq!(logged_in.status, StatusCode::SEE_OTHER, "{}", logged_in.body);
    let cookie = on_first.session_cookie().expect("session cookie");

    let on_second = Browser::with_cookie(&second.base, &cookie);
    on_second
        .get("/")
        .await
        .assert_contains(r#"title="ann">Account</a>"#)
        .assert_contains("Your menu is empty");
    let id = on_second.add_dessert("Apple Pie", "4.50", "300").await;
    // The flash message set by the second instance is shown, once, by the first.
    on_first
        .get(&format!("/desserts/{id}"))
        .await
        .assert_contains("Dessert Apple Pie added")
        .assert_contains("$4.50");
    on_second
        .get("/")
        .await
        .assert_contains("Apple Pie")
        .assert_lacks("Dessert Apple Pie added");

    let deleted = on_second.submit(&format!("/delete/{id}"), &format!("/delete/{id}"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(on_first.get(&format!("/desserts/{id}")).await.status, StatusCode::NOT_FOUND);

    // Logging out through one instance ends the session on both.
    assert_eq!(on_second.logout().await.status, StatusCode::SEE_OTHER);
    for server in [&first, &second] {
        let after = Browser::with_cookie(&server.base, &cookie).get("/").await;
        assert_eq!(after.status, StatusCode::SEE_OTHER, "{} still knows the session", server.base);
        assert!(after.location().starts_with("/login"), "{}", after.location());
    }
}

#[tokio::test]
async fn the_failed_login_limit_reached_on_one_instance_holds_on_the_other() {
    let db = TestDb::new();
    let (first, second) = two_instances(&db);
    let ann = Browser::new(&first.base);
    assert_eq!(ann.signup("ann", "correct horse battery").await.status, StatusCode::SEE_OTHER);

    let attacker = Browser::new(&first.base);
    for _ in 0..5 {
        let refused = attacker.login("ann", "wrong password!").await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let elsewhere = Browser::new(&second.base);
    let locked = elsewhere.login("ann", "correct horse battery").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
    let retry_after: u64 = locked.header("retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // And the first instance refuses too, whatever the password.
    assert_eq!(
        attacker.login("ann", "correct horse battery").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}
