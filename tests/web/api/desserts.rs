use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestApp;

#[tokio::test]
async fn every_field_round_trips() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let sent = json!({
        "name": "  Chocolate Éclair ",
        "price": 4.35,
        "calories": 310,
        "origin": "France",
        "image_url": "https://example.com/eclair.jpg?size=2",
        "liked": true
    });
    let made = ann.post("/api/v1/desserts", sent).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.body["id"].as_i64().unwrap();
    assert_eq!(made.header("location"), format!("/api/v1/desserts/{id}"));
    let dessert = &made.body;
    assert_eq!(dessert["name"], "Chocolate Éclair");
    assert_eq!(dessert["price"], 4.35);
    assert_eq!(dessert["calories"], 310);
    assert_eq!(dessert["calories_per_dollar"], 71.26);
    assert_eq!(dessert["origin"], "France");
    assert_eq!(dessert["image_url"], "https://example.com/eclair.jpg?size=2");
    assert_eq!(dessert["liked"], true);
    for time in ["created_at", "updated_at"] {
        let text = dessert[time].as_str().unwrap();
        assert!(text.ends_with('Z') && text.contains('T') && text.len() == 20, "{time}: {text}");
    }
    let read = ann.get(&format!("/api/v1/desserts/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(&read.body, dessert);

    let free = ann
        .post("/api/v1/desserts", json!({"name": "Water Ice", "price": 0, "calories": 0}))
        .await;
    assert_eq!(free.status, StatusCode::CREATED);
    assert!(free.body["calories_per_dollar"].is_null());
    assert!(free.body["origin"].is_null() && free.body["image_url"].is_null());
    assert_eq!(free.body["liked"], false);
    // What the API stored, the web page shows.
    let browser = app.browser();
    browser.login("ann", "correct horse battery").await;
    browser
        .get(&format!("/desserts/{id}"))
        .await
        .assert_contains("Chocolate Éclair")
        .assert_contains("$4.35")
        .assert_contains("71.26");
}

#[tokio::test]
async fn every_dessert_rule_through_json() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    ann.add("Apple Pie", 4.5, 300).await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"name": ""}), "name", "Name must be 1 to 100"),
        (json!({"name": "x".repeat(101)}), "name", "Name must be 1 to 100"),
        (json!({"name": "1234"}), "name", "only digits"),
        (json!({"name": "apple pie"}), "name", "You already have a dessert named apple pie"),
        (json!({"name": ["Pie"]}), "name", "Name must be a string"),
        (json!({"price": -1}), "price", "Price must be a number from 0 to 10000"),
        (json!({"price": 10000.01}), "price", "Price must be a number from 0 to 10000"),
        (json!({"price": 1.234}), "price", "at most 2 decimals"),
        (json!({"price": "4.50"}), "price", "Price must be a number"),
        (json!({"price": null}), "price", "Price must be a number from 0 to 10000"),
        (json!({"calories": 1.5}), "calories", "whole number"),
        (json!({"calories": -1}), "calories", "whole number from 0 to 10000"),
        (json!({"calories": 10001}), "calories", "whole number from 0 to 10000"),
        (json!({"calories": "300"}), "calories", "Calories must be a number"),
        (json!({"origin": "x".repeat(101)}), "origin", "at most 100"),
        (json!({"image_url": "javascript:alert(1)"}), "image_url", "http"),
        (
            json!({"image_url": format!("https://example.com/{}", "a".repeat(500))}),
            "image_url",
            "at most",
        ),
        (json!({"liked": "yes"}), "liked", "Liked must be true or false"),
    ];
    for (overrides, field, message) in cases {
        let mut body = json!({"name": "Brownie", "price": 2, "calories": 400});
        for (key, value) in overrides.as_object().unwrap() {
            body[key] = value.clone();
        }
        let refused = ann.post("/api/v1/desserts", body).await;
        let (status, code) = if message.contains("already have") {
            (StatusCode::CONFLICT, "conflict")
        } else {
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
        };
        assert_eq!(refused.status, status, "{field}: {}", refused.text);
        assert_eq!(refused.error_code(), code);
        assert!(refused.field_error(field).contains(message), "{field}: {}", refused.text);
    }
    let nothing = ann.post("/api/v1/desserts", json!({})).await;
    for field in ["name", "price", "calories"] {
        assert!(!nothing.field_error(field).is_empty(), "{field}: {}", nothing.text);
    }
    assert_eq!(ann.get("/api/v1/desserts").await.body["total"], 1, "nothing was added");
}

#[tokio::test]
async fn patch_changes_only_what_it_names() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let made = ann
        .post(
            "/api/v1/desserts",
            json!({"name": "Apple Pie", "price": 4.5, "calories": 300, "origin": "USA", "liked": true}),
        )
        .await;
    let id = made.body["id"].as_i64().unwrap();
    ann.add("Brownie", 2.0, 400).await;
    let path = format!("/api/v1/desserts/{id}");

    let changed = ann.patch(&path, json!({"price": 5, "origin": null})).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.body["price"], 5.0);
    assert!(changed.body["origin"].is_null());
    assert_eq!(changed.body["name"], "Apple Pie");
    assert_eq!(changed.body["calories"], 300);
    assert_eq!(changed.body["liked"], true);
    assert_eq!(changed.body["created_at"], made.body["created_at"]);

    let empty = ann.patch(&path, json!({})).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body["price"], 5.0);

    for refused_body in [
        json!({"name": "BROWNIE"}),
        json!({"price": 1.234}),
        json!({"calories": "many"}),
        json!({"name": null}),
    ] {
        let refused = ann.patch(&path, refused_body.clone()).await;
        let status = if refused_body["name"] == "BROWNIE" {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(refused.status, status, "{refused_body}: {}", refused.text);
    }
    let after = ann.get(&path).await;
    assert_eq!(after.body["name"], "Apple Pie");
    assert_eq!(after.body["price"], 5.0);
    assert_eq!(
        ann.patch("/api/v1/desserts/999999", json!({"price": 1})).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn list_searches_sorts_and_pages() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    for (name, price, calories) in [
        ("Apple Pie", 4.5, 300),
        ("Brownie", 2.0, 400),
        ("Cherry Pie", 5.25, 250),
        ("Donut", 1.0, 200),
    ] {
        ann.add(name, price, calories).await;
    }
    let names = |answer: &crate::support::Answer| -> Vec<String> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = ann.get("/api/v1/desserts").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(names(&all), ["Apple Pie", "Brownie", "Cherry Pie", "Donut"]);
    assert_eq!(
        (all.body["page"].as_i64(), all.body["per_page"].as_i64(), all.body["total"].as_i64()),
        (Some(1), Some(20), Some(4))
    );

    let pies = ann.get("/api/v1/desserts?q=PIE").await;
    assert_eq!(names(&pies), ["Apple Pie", "Cherry Pie"]);
    assert_eq!(pies.body["total"], 2);
    let by_price = ann.get("/api/v1/desserts?sort=price&dir=desc").await;
    assert_eq!(names(&by_price), ["Cherry Pie", "Apple Pie", "Brownie", "Donut"]);
    let by_calories = ann.get("/api/v1/desserts?sort=calories").await;
    assert_eq!(names(&by_calories), ["Donut", "Cherry Pie", "Apple Pie", "Brownie"]);
    let newest = ann.get("/api/v1/desserts?sort=created&per_page=1").await;
    assert_eq!(names(&newest), ["Donut"]);
    let second_page = ann.get("/api/v1/desserts?per_page=3&page=2").await;
    assert_eq!(names(&second_page), ["Donut"]);
    assert_eq!(second_page.body["total"], 4);
    let past_the_end = ann.get("/api/v1/desserts?page=9").await;
    assert_eq!(past_the_end.status, StatusCode::OK);
    assert!(names(&past_the_end).is_empty());

    for (query, field) in [
        ("sort=colour", "sort"),
        ("dir=up", "dir"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=99999999999", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
    ] {
        let refused = ann.get(&format!("/api/v1/desserts?{query}")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(!refused.field_error(field).is_empty(), "{query}: {}", refused.text);
    }
}

#[tokio::test]
async fn another_persons_dessert_is_not_found_and_stays_untouched() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let bob = app.api().signed_up("bob").await;
    let id = ann.add("Apple Pie", 4.5, 300).await;
    let path = format!("/api/v1/desserts/{id}");
    let before = ann.get(&path).await.body;

    for answer in [
        bob.get(&path).await,
        bob.patch(&path, json!({"name": "Mine now"})).await,
        bob.delete(&path).await,
    ] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
        assert_eq!(answer.error_code(), "not_found");
    }
    assert_eq!(bob.get("/api/v1/desserts").await.body["total"], 0);
    assert_eq!(ann.get(&path).await.body, before);
}

#[tokio::test]
async fn delete_removes_it_once() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let id = ann.add("Apple Pie", 4.5, 300).await;
    let path = format!("/api/v1/desserts/{id}");
    let deleted = ann.delete(&path).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.text.is_empty());
    assert_eq!(ann.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ann.delete(&path).await.status, StatusCode::NOT_FOUND);
}
