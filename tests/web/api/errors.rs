//! Whatever goes wrong, the API answers in its JSON error shape with the right status.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_bad_requests() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    for body in ["{\"name\": ", "not json", "[1, 2]", "\"Pie\"", "", "{\"price\": 1e999}"] {
        let answer = ann.send_raw(Method::POST, "/api/v1/desserts", "application/json", body).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body:?}: {}", answer.text);
        assert_eq!(answer.error_code(), "bad_request");
    }
    assert_eq!(ann.get("/api/v1/desserts").await.body["total"], 0);
}

#[tokio::test]
async fn other_content_types_are_unsupported() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""] {
        let answer = ann
            .send_raw(
                Method::POST,
                "/api/v1/desserts",
                content_type,
                r#"{"name":"Pie","price":1,"calories":1}"#,
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
        assert_eq!(answer.error_code(), "unsupported_media_type");
    }
    let with_charset = ann
        .send_raw(
            Method::POST,
            "/api/v1/desserts",
            "application/json; charset=utf-8",
            r#"{"name":"Pie","price":1,"calories":1}"#,
        )
        .await;
    assert_eq!(with_charset.status, StatusCode::CREATED);
}

#[tokio::test]
async fn bodies_over_64_kib_are_too_large() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let huge = json!({"name": "x".repeat(70 * 1024), "price": 1, "calories": 1}).to_string();
    let answer = ann.send_raw(Method::POST, "/api/v1/desserts", "application/json", huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.error_code(), "payload_too_large");
    let signup = app
        .api()
        .send_raw(Method::POST, "/api/v1/users", "application/json", "x".repeat(65 * 1024 + 1))
        .await;
    assert_eq!(signup.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_paths_ids_and_methods_answer_in_json() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    for path in [
        "/api/v1/nothing",
        "/api/v2/desserts",
        "/api/v1/desserts/abc",
        "/api/v1/desserts/0",
        "/api/v1/desserts/99999999999999999999",
    ] {
        let answer = ann.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.error_code(), "not_found");
    }
    let wrong_method = ann.send(Method::PUT, "/api/v1/me", None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.error_code(), "method_not_allowed");
    // A token never stands in for a session cookie, nor the reverse.
    assert_eq!(app.browser().get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::spawn().await;
    let answer = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    let document = &answer.body;
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/users", &["post"][..]),
        ("/api/v1/tokens", &["post"]),
        ("/api/v1/tokens/current", &["delete"]),
        ("/api/v1/me", &["get"]),
        ("/api/v1/desserts", &["get", "post"]),
        ("/api/v1/desserts/{id}", &["get", "patch", "delete"]),
        ("/api/v1/menus", &["get", "post"]),
        ("/api/v1/menus/{id}", &["get", "delete"]),
        ("/api/v1/menus/{id}/desserts/{dessert_id}", &["put", "delete"]),
    ] {
        for method in methods {
            let operation = &paths[path][*method];
            assert!(operation.is_object(), "{method} {path} is documented");
            assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()));
        }
    }
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

/// The document is kept in the repository so that every change to the API shows in review.
/// `UPDATE_OPENAPI=1 cargo test` rewrites it.
#[test]
fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    let current = format!("{}\n", desserts::api::openapi());
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test and review the change"
    );
}
