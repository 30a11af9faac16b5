use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn menus_round_trip_with_their_desserts() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let pie = ann.add("Apple Pie", 4.5, 300).await;
    let brownie = ann.add("Brownie", 2.0, 400).await;

    let made = ann.post("/api/v1/menus", json!({"name": " Summer "})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.body["id"].as_i64().unwrap();
    assert_eq!(made.header("location"), format!("/api/v1/menus/{id}"));
    assert_eq!(made.body["name"], "Summer");
    assert_eq!(made.body["dessert_count"], 0);
    assert!(made.body["public_url"].is_null());
    assert!(made.body["created_at"].as_str().unwrap().ends_with('Z'));

    let path = format!("/api/v1/menus/{id}");
    for dessert in [brownie, pie, pie] {
        let put = ann.send(reqwest::Method::PUT, &format!("{path}/desserts/{dessert}"), None).await;
        assert_eq!(put.status, StatusCode::NO_CONTENT, "adding twice is fine");
    }
    let menu = ann.get(&path).await;
    assert_eq!(menu.status, StatusCode::OK);
    assert_eq!(menu.body["dessert_count"], 2);
    let names: Vec<&str> = menu.body["desserts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    // In the order they were put on the menu, each with its place.
    assert_eq!(names, ["Brownie", "Apple Pie"]);
    assert_eq!(menu.body["desserts"][0]["position"], 1);
    assert_eq!(menu.body["desserts"][1]["position"], 2);
    assert_eq!(menu.body["desserts"][1]["price"], 4.5);

    // The owner reorders them; only every dessert on the menu, each once, is an order.
    let order_path = format!("{path}/order");
    let order = |ids: serde_json::Value| ann.send(reqwest::Method::PUT, &order_path, Some(json!({"dessert_ids": ids})));
    assert_eq!(order(json!([pie, brownie])).await.status, StatusCode::NO_CONTENT);
    let names_now = |menu: &serde_json::Value| -> Vec<String> {
        menu["desserts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names_now(&ann.get(&path).await.body), ["Apple Pie", "Brownie"]);
    for bad in [
        json!([pie]),
        json!([pie, pie]),
        json!([pie, brownie, 999]),
        json!(null),
        json!("1,2"),
        json!([pie, 1.5]),
    ] {
        let refused = order(bad.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(!refused.field_error("dessert_ids").is_empty(), "{bad}: {}", refused.text);
    }
    assert_eq!(
        names_now(&ann.get(&path).await.body),
        ["Apple Pie", "Brownie"],
        "refusals change nothing"
    );
    let bob = app.api().signed_up("bob").await;
    let taken = bob
        .send(
            reqwest::Method::PUT,
            &format!("{path}/order"),
            Some(json!({"dessert_ids": [pie, brownie]})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::NOT_FOUND, "another person's menu");

    let listed = ann.get("/api/v1/menus").await;
    assert_eq!(listed.body["items"][0]["name"], "Summer");
    assert_eq!(listed.body["items"][0]["dessert_count"], 2);

    let removed = ann.delete(&format!("{path}/desserts/{pie}")).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(ann.delete(&format!("{path}/desserts/{pie}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(ann.get(&path).await.body["dessert_count"], 1);
    assert_eq!(
        ann.get(&format!("/api/v1/desserts/{pie}")).await.status,
        StatusCode::OK,
        "the dessert stays"
    );

    // Deleting a dessert takes it off the menu; deleting the menu keeps the desserts.
    ann.delete(&format!("/api/v1/desserts/{brownie}")).await;
    assert_eq!(ann.get(&path).await.body["dessert_count"], 0);
    assert_eq!(ann.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(ann.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ann.get(&format!("/api/v1/desserts/{pie}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn menu_names_are_checked() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    ann.post("/api/v1/menus", json!({"name": "Summer"})).await;
    for (body, message) in [
        (json!({}), "Menu name must be 1 to 100"),
        (json!({"name": ""}), "Menu name must be 1 to 100"),
        (json!({"name": "x".repeat(101)}), "Menu name must be 1 to 100"),
        (json!({"name": 7}), "Name must be a string"),
        (json!({"name": "SUMMER"}), "You already have a menu named SUMMER"),
    ] {
        let refused = ann.post("/api/v1/menus", body.clone()).await;
        let status = if message.contains("already have") {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(refused.status, status, "{body}");
        assert!(refused.field_error("name").contains(message), "{body}: {}", refused.text);
    }
    assert_eq!(ann.get("/api/v1/menus").await.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_persons_menus_and_desserts_are_not_found_and_stay_untouched() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let bob = app.api().signed_up("bob").await;
    let pie = ann.add("Apple Pie", 4.5, 300).await;
    let menu = ann.post("/api/v1/menus", json!({"name": "Summer"})).await.body["id"]
        .as_i64()
        .unwrap();
    ann.send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/{pie}"), None)
        .await;
    let cake = bob.add("Bob's Cake", 3.0, 500).await;
    let bobs_menu = bob.post("/api/v1/menus", json!({"name": "Bob's"})).await.body["id"]
        .as_i64()
        .unwrap();

    let before = ann.get(&format!("/api/v1/menus/{menu}")).await.body;
    for answer in [
        bob.get(&format!("/api/v1/menus/{menu}")).await,
        bob.delete(&format!("/api/v1/menus/{menu}")).await,
        bob.send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/{cake}"), None)
            .await,
        bob.delete(&format!("/api/v1/menus/{menu}/desserts/{pie}")).await,
        // Someone else's dessert cannot go on your menu, either way round.
        bob.send(reqwest::Method::PUT, &format!("/api/v1/menus/{bobs_menu}/desserts/{pie}"), None)
            .await,
        ann.send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/{cake}"), None)
            .await,
        ann.send(reqwest::Method::PUT, &format!("/api/v1/menus/{menu}/desserts/abc"), None)
            .await,
    ] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
        assert_eq!(answer.error_code(), "not_found");
    }
    assert_eq!(ann.get(&format!("/api/v1/menus/{menu}")).await.body, before);
    assert_eq!(bob.get(&format!("/api/v1/menus/{bobs_menu}")).await.body["dessert_count"], 0);
    assert_eq!(bob.get("/api/v1/menus").await.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_menu_published_in_the_browser_has_a_public_url_in_the_api() {
    let app = TestApp::spawn().await;
    let ann_api = app.api().signed_up("ann").await;
    let menu = ann_api.post("/api/v1/menus", json!({"name": "Summer"})).await.body["id"]
        .as_i64()
        .unwrap();
    let browser = app.browser();
    browser.login("ann", "correct horse battery").await;
    let path = format!("/menus/{menu}");
    assert_eq!(
        browser.submit(&path, &format!("{path}/publish"), &[]).await.status,
        StatusCode::SEE_OTHER
    );

    let public_url = ann_api.get(&format!("/api/v1/menus/{menu}")).await.body["public_url"]
        .as_str()
        .expect("published")
        .to_string();
    assert!(public_url.starts_with(&format!("{}/m/", app.base)), "{public_url}");
    let public = reqwest::get(&public_url).await.unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    assert!(public.text().await.unwrap().contains("Summer"));
}
