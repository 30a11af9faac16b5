//! A published menu on paper and behind a QR code: the print stylesheet, and a QR code that
//! a real decoder reads as the menu's absolute public link.

use reqwest::StatusCode;

use crate::support::qr::decode_svg;
use crate::support::{Browser, TestApp};

/// Publishes a menu holding one dessert; returns the owner's menu page path and the slug.
async fn published_menu(owner: &Browser) -> (String, String) {
    let flan = owner.add_dessert("Flan", "3", "250").await;
    let made = owner.submit("/menus", "/menus", &[("name", "Window")]).await;
    let menu = made.location().to_string();
    owner
        .submit(&menu, &format!("{menu}/desserts"), &[("dessert_id", &flan.to_string())])
        .await;
    owner.submit(&menu, &format!("{menu}/publish"), &[]).await;
    let slug = owner.get(&menu).await.public_slug();
    (menu, slug)
}

#[tokio::test]
async fn a_published_menu_has_a_qr_code_of_its_public_link_until_unpublished() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let (menu, slug) = published_menu(&ann).await;
    let public_url = format!("{}/m/{slug}", app.base);
    let qr = format!("/m/{slug}/qr.svg");

    let page = ann.get(&menu).await;
    page.assert_contains(&format!(r#"<img class="qr" src="{qr}""#))
        .assert_contains(&format!(r#"<input id="public-url" type="text" readonly value="{public_url}">"#))
        .assert_contains(&format!(
            r#"<a class="button primary public-link" href="{public_url}">See it as a customer</a>"#
        ))
        .assert_contains(&format!(r#"<a class="button" href="{public_url}#print">Print</a>"#))
        .assert_contains(&format!(
            r#"<a class="button" href="{qr}" download="menu-qr-code.svg">Download the QR code</a>"#
        ));

    let stranger = app.browser();
    let (status, headers, body) = stranger.get_bytes(&qr, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert_eq!(headers["cache-control"], "public, no-cache");
    let svg = String::from_utf8(body).unwrap();
    assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert_eq!(decode_svg(&svg), public_url);

    // A cache that has it asks, and keeps it.
    let etag = headers["etag"].to_str().unwrap().to_string();
    let (again, _, empty) = stranger.get_bytes(&qr, &[("if-none-match", &etag)]).await;
    assert_eq!(again, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());

    // The printed page shows it too, for a menu on paper to lead back to itself.
    stranger
        .get(&format!("/m/{slug}"))
        .await
        .assert_contains(&format!(r#"<img src="{qr}" alt="QR code of this menu's link""#));

    ann.submit(&menu, &format!("{menu}/unpublish"), &[]).await;
    assert_eq!(stranger.get_bytes(&qr, &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get_bytes(&qr, &[("if-none-match", &etag)]).await.0, StatusCode::NOT_FOUND);
    ann.get(&menu).await.assert_lacks("qr.svg").assert_lacks(">Print<");
    for unknown in ["/m/nope/qr.svg", "/m/%2E%2E/qr.svg", "/m/a.b/qr.svg"] {
        assert_eq!(stranger.get_bytes(unknown, &[]).await.0, StatusCode::NOT_FOUND, "{unknown}");
    }
}

#[tokio::test]
async fn the_qr_code_and_public_links_are_built_on_the_configured_public_url() {
    let app = TestApp::spawn_with(desserts::config::WebSettings {
        public_url: Some("https://menu.example.com/".into()),
        ..Default::default()
    })
    .await;
    let ann = app.signed_up("ann").await;
    let (menu, slug) = published_menu(&ann).await;
    let public_url = format!("https://menu.example.com/m/{slug}");
    ann.get(&menu).await.assert_contains(&format!(r#"href="{public_url}""#));
    let (_, _, body) = app.browser().get_bytes(&format!("/m/{slug}/qr.svg"), &[]).await;
    assert_eq!(decode_svg(&String::from_utf8(body).unwrap()), public_url);
    let token = app
        .api()
        .post(
            "/api/v1/tokens",
            serde_json::json!({"username": "ann", "password": "correct horse battery"}),
        )
        .await;
    let api = app.api().with_token(token.body["token"].as_str().unwrap());
    let menus = api.get("/api/v1/menus").await;
    assert_eq!(menus.body["items"][0]["public_url"], public_url.as_str(), "{}", menus.text);
}

#[tokio::test]
async fn the_public_menu_links_a_print_stylesheet_without_navigation_or_buttons() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let (_, slug) = published_menu(&ann).await;
    let page = app.browser().get(&format!("/m/{slug}")).await;
    let start = page
        .body
        .find(r#"<link rel="stylesheet" href="/static/print.css?v="#)
        .expect("the print stylesheet is linked");
    let tag = &page.body[start..start + page.body[start..].find('>').unwrap()];
    assert!(tag.ends_with(r#" media="print""#), "{tag}");
    let href = tag.split('"').nth(3).unwrap().replace("&#38;", "&");
    let (status, headers, css) = app.browser().get_bytes(&href, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    let css = String::from_utf8(css).unwrap();
    for rule in [
        ".site-header, .site-footer, nav, form, button",
        "display: none !important",
        "break-inside: avoid",
        "color: #000",
    ] {
        assert!(css.contains(rule), "print.css lacks {rule}");
    }
    // The owner's own pages have no print stylesheet of their own.
    ann.get("/").await.assert_lacks("print.css");
}
