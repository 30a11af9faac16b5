//! A person's desserts are theirs alone: anyone else gets exactly what a missing one gives.

use reqwest::StatusCode;

use crate::support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_persons_dessert_is_not_found_everywhere_and_stays_untouched() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let id = ann.add_dessert("Ann's Secret Pie", "5", "500").await;
    let ann_id = app.user_id("ann").await;
    let before = desserts::store::desserts::find(&app.store, ann_id, id).await.unwrap().unwrap();

    let missing = bob.get("/desserts/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for path in [format!("/desserts/{id}"), format!("/desserts/{id}/edit"), format!("/delete/{id}")] {
        let page = bob.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {path}");
        assert_eq!(page.body, missing.body, "GET {path} looks exactly like a missing dessert");
        page.assert_lacks("Secret Pie");
    }
    let edit = bob
        .submit(
            "/add",
            &format!("/desserts/{id}/edit"),
            &[("name", "Stolen"), ("price", "1"), ("calories", "1")],
        )
        .await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    let delete = bob.submit("/add", &format!("/delete/{id}"), &[]).await;
    assert_eq!(delete.status, StatusCode::NOT_FOUND);

    let after = desserts::store::desserts::find(&app.store, ann_id, id).await.unwrap().unwrap();
    assert_eq!(before, after, "Ann's dessert is exactly as it was");
    assert_eq!(ann.get("/").await.dessert_names(), ["Ann&#39;s Secret Pie"]);
    assert!(bob.get("/").await.dessert_names().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_are_not_numbers_are_not_found() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    for path in [
        "/desserts/abc",
        "/desserts/-1",
        "/desserts/0",
        "/desserts/99999999999999999999999",
        "/delete/1.5",
        "/desserts/abc/edit",
    ] {
        let page = ann.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        page.assert_contains("Not found");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_get_the_not_found_page() {
    let app = TestApp::spawn().await;
    let page = app.browser().get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("<h1>Not found</h1>");
}
