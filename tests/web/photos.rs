//! Photos: uploaded through the dessert forms, re-encoded, and served to the owner and on
//! published menus only.

use reqwest::StatusCode;

use crate::support::images::{self, is_bluish, is_reddish};
use crate::support::{Browser, TestApp};

const FIELDS: [(&str, &str); 3] = [("name", "Apple Pie"), ("price", "4.50"), ("calories", "300")];

/// Adds "Apple Pie" with `photo` and returns the page the form answers with.
async fn add_with(browser: &Browser, file: &str, photo: Vec<u8>) -> crate::support::Page {
    browser.upload("/add", "/add", &FIELDS, Some((file, photo))).await
}

fn id_of(page: &crate::support::Page) -> i64 {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location().trim_start_matches("/desserts/").parse().unwrap()
}

async fn image(browser: &Browser, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    browser.get_bytes(path, &[]).await
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let decoded = image::load_from_memory(bytes).unwrap();
    (decoded.width(), decoded.height())
}

#[tokio::test]
async fn every_format_is_stored_as_a_jpeg_with_a_thumbnail() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    for (n, (file, bytes)) in [
        ("pie.jpg", images::jpeg(800, 600)),
        ("pie.png", images::png_with_alpha(800, 600)),
        ("pie.webp", images::webp(800, 600)),
        ("pie.gif", images::gif(800, 600)),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("Pie {n}");
        let page = ann
            .upload(
                "/add",
                "/add",
                &[("name", &name), ("price", "1"), ("calories", "1")],
                Some((file, bytes)),
            )
            .await;
        let id = id_of(&page);
        let (status, headers, full) = image(&ann, &format!("/desserts/{id}/photo")).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(headers["content-type"], "image/jpeg", "{file}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cache-control"], "private, no-cache");
        assert_eq!(dimensions(&full), (800, 600), "{file}");
        let (left, right) = images::left_and_right(&full);
        if file.ends_with(".png") {
            assert!(left.iter().all(|c| *c > 235), "{file}: the transparent half is white, {left:?}");
        } else {
            assert!(is_reddish(left), "{file}: {left:?}");
        }
        assert!(is_bluish(right), "{file}: the first frame, {right:?}");
        let (status, _, thumb) = image(&ann, &format!("/desserts/{id}/photo?size=thumb")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(dimensions(&thumb), (400, 300), "{file}");
        // The pages show it, with its size.
        ann.get(&format!("/desserts/{id}"))
            .await
            .assert_contains(&format!(r#"src="/desserts/{id}/photo" alt="{name}" width="800" height="600""#));
        ann.get("/").await.assert_contains(&format!(
            r#"src="/desserts/{id}/photo?size=thumb" alt="{name}" width="400" height="300""#
        ));
    }
}

#[tokio::test]
async fn the_camera_orientation_is_applied_and_every_piece_of_metadata_dropped() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    // Taken with the phone turned: stored 200 × 100, to be shown turned 90° clockwise.
    let upload = images::with_exif(&images::jpeg(200, 100), 6);
    assert!(upload.windows(9).any(|w| w == b"SecretCam"));
    let id = id_of(&add_with(&ann, "IMG_0001.JPG", upload).await);
    let (_, _, full) = image(&ann, &format!("/desserts/{id}/photo")).await;
    assert_eq!(dimensions(&full), (100, 200));
    let (top, bottom) = images::top_and_bottom(&full);
    assert!(is_reddish(top) && is_bluish(bottom), "turned clockwise: {top:?} {bottom:?}");
    for secret in [&b"Exif"[..], b"SecretCam", b"II*\0", b"MM\0*"] {
        assert!(
            !full.windows(secret.len()).any(|w| w == secret),
            "{:?} is gone",
            String::from_utf8_lossy(secret)
        );
    }
}

#[tokio::test]
async fn large_photos_are_shrunk_to_1600_and_thumbnails_to_400_wide() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = id_of(&add_with(&ann, "big.jpg", images::jpeg(4000, 3000)).await);
    let (_, _, full) = image(&ann, &format!("/desserts/{id}/photo")).await;
    assert_eq!(dimensions(&full), (1600, 1200));
    let (_, _, thumb) = image(&ann, &format!("/desserts/{id}/photo?size=thumb")).await;
    assert_eq!(dimensions(&thumb), (400, 300));
    let tall = images::png_with_alpha(300, 2400);
    let page = ann
        .upload(
            "/add",
            "/add",
            &[("name", "Tall"), ("price", "1"), ("calories", "1")],
            Some(("tall.png", tall)),
        )
        .await;
    let (_, _, full) = image(&ann, &format!("/desserts/{}/photo", id_of(&page))).await;
    assert_eq!(dimensions(&full), (200, 1600), "the long side is the height");
}

#[tokio::test]
async fn a_refused_upload_stores_nothing_keeps_the_fields_and_says_why() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let jpeg = images::jpeg(640, 480);
    let mut refused = images::impostors();
    refused.push(("empty.jpg", Vec::new()));
    refused.push(("cut.jpg", jpeg[..jpeg.len() / 2].to_vec()));
    refused.push(("bomb.png", images::png_declaring(100_000, 100_000)));
    refused.push(("wide.png", images::png_declaring(10_001, 10)));
    refused.push(("huge.png", images::png_declaring(8_000, 6_000)));
    let mut corrupt = jpeg.clone();
    for byte in corrupt.iter_mut().skip(700).step_by(3) {
        *byte = 0xFF;
    }
    refused.push(("corrupt.jpg", corrupt));
    for (file, bytes) in refused {
        let page = add_with(&ann, file, bytes).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}: {}", page.body);
        page.assert_contains(r#"<p class="error" id="photo-note">"#)
            .assert_contains(r#"value="Apple Pie""#)
            .assert_contains(r#"value="4.50""#);
    }
    assert_eq!(app.db.count("SELECT count(*) FROM desserts"), 0);
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 0);

    // On edit, a refused upload leaves the photo there was, and the fields as they were.
    let id = id_of(&add_with(&ann, "pie.jpg", images::jpeg(640, 480)).await);
    let (_, before, _) = image(&ann, &format!("/desserts/{id}/photo")).await;
    let edit = format!("/desserts/{id}/edit");
    let page = ann
        .upload(
            &edit,
            &edit,
            &[("name", "Pear Pie"), ("price", "5"), ("calories", "200")],
            Some(("x.svg", images::impostors()[0].1.clone())),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(r#"value="Pear Pie""#);
    let (_, after, _) = image(&ann, &format!("/desserts/{id}/photo")).await;
    assert_eq!(before["etag"], after["etag"]);
    ann.get(&format!("/desserts/{id}")).await.assert_contains("Apple Pie");
}

#[tokio::test]
async fn a_file_over_10_mb_is_413_and_other_forms_keep_64_kib() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let page = add_with(&ann, "huge.jpg", vec![0xFF; 10 * 1024 * 1024 + 1]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    let page = add_with(&ann, "bigger.jpg", vec![0xFF; 12 * 1024 * 1024]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    let long = "x".repeat(70 * 1024);
    let page = ann.submit("/menus", "/menus", &[("name", &long)]).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "a form without a file keeps 64 KiB");
    let page = ann
        .submit("/add", "/add", &[("name", &long), ("price", "1"), ("calories", "1")])
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "so does a URL-encoded dessert form");
    assert_eq!(app.db.count("SELECT count(*) FROM desserts"), 0);
}

#[tokio::test]
async fn url_encoded_forms_and_empty_file_inputs_work_as_before() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = ann.add_dessert("Plain", "1", "1").await;
    let page = ann
        .upload("/add", "/add", &[("name", "No file"), ("price", "1"), ("calories", "1")], None)
        .await;
    let other = id_of(&page);
    for dessert in [id, other] {
        assert_eq!(image(&ann, &format!("/desserts/{dessert}/photo")).await.0, StatusCode::NOT_FOUND);
    }
    // Editing without a file keeps the photo; ticking "remove" removes it.
    let with_photo = id_of(&add_with(&ann, "pie.jpg", images::jpeg(640, 480)).await);
    let edit = format!("/desserts/{with_photo}/edit");
    ann.get(&edit)
        .await
        .assert_contains(r#"name="remove_photo""#)
        .assert_contains(r#"accept="image/*""#);
    let kept = ann.upload(&edit, &edit, &FIELDS, None).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER);
    assert_eq!(image(&ann, &format!("/desserts/{with_photo}/photo")).await.0, StatusCode::OK);
    let kept = ann.submit(&edit, &edit, &FIELDS).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "a URL-encoded edit keeps it too");
    assert_eq!(image(&ann, &format!("/desserts/{with_photo}/photo")).await.0, StatusCode::OK);
    let mut remove = FIELDS.to_vec();
    remove.push(("remove_photo", "on"));
    let removed = ann.upload(&edit, &edit, &remove, None).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(image(&ann, &format!("/desserts/{with_photo}/photo")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 0);
    // A new photo on edit replaces the old one.
    let replaced = ann.upload(&edit, &edit, &FIELDS, Some(("new.jpg", images::jpeg(300, 300)))).await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    let (_, _, full) = image(&ann, &format!("/desserts/{with_photo}/photo")).await;
    assert_eq!(dimensions(&full), (300, 300));
}

#[tokio::test]
async fn only_the_owner_reaches_a_photo_and_deleting_the_dessert_deletes_it() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let bob = app.signed_up("bob").await;
    let id = id_of(&add_with(&ann, "pie.jpg", images::jpeg(640, 480)).await);
    for path in [format!("/desserts/{id}/photo"), format!("/desserts/{id}/photo?size=thumb")] {
        assert_eq!(image(&bob, &path).await.0, StatusCode::NOT_FOUND, "{path} for Bob");
        assert_eq!(image(&app.browser(), &path).await.0, StatusCode::NOT_FOUND, "{path} signed out");
        assert_eq!(image(&ann, &path).await.0, StatusCode::OK);
    }
    for path in ["/desserts/abc/photo", "/desserts/0/photo", "/desserts/99999/photo"] {
        assert_eq!(image(&ann, path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 1);
    let deleted = ann.submit(&format!("/delete/{id}"), &format!("/delete/{id}"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 0, "the photo went with its dessert");
    // And with its owner's account.
    add_with(&ann, "pie.jpg", images::jpeg(64, 64)).await;
    let gone = ann
        .submit("/account", "/account/delete", &[("password", "correct horse battery")])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 0, "the photo went with the account");
}

#[tokio::test]
async fn a_published_menu_serves_its_desserts_photos_until_it_is_unpublished() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let on_menu = id_of(&add_with(&ann, "pie.jpg", images::jpeg(640, 480)).await);
    let page = ann
        .upload(
            "/add",
            "/add",
            &[("name", "Secret"), ("price", "1"), ("calories", "1")],
            Some(("s.jpg", images::jpeg(64, 64))),
        )
        .await;
    let off_menu = id_of(&page);
    let menu = ann.submit("/menus", "/menus", &[("name", "Summer")]).await;
    let menu_path = menu.location().to_string();
    ann.submit(
        &menu_path,
        &format!("{menu_path}/desserts"),
        &[("dessert_id", &on_menu.to_string())],
    )
    .await;
    ann.submit(&menu_path, &format!("{menu_path}/publish"), &[]).await;
    let shown = ann.get(&menu_path).await;
    let slug = shown.public_slug();
    let stranger = app.browser();
    let public = stranger.get(&format!("/m/{slug}")).await;
    public.assert_contains(&format!(
        r#"src="/m/{slug}/photos/{on_menu}?size=thumb" alt="" width="400" height="300""#
    ));
    for size in ["", "?size=thumb"] {
        let (status, headers, bytes) = image(&stranger, &format!("/m/{slug}/photos/{on_menu}{size}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["cache-control"], "public, no-cache");
        assert_eq!(headers["content-type"], "image/jpeg");
        assert!(!bytes.is_empty());
    }
    for path in [
        format!("/m/{slug}/photos/{off_menu}"),
        format!("/m/nope/photos/{on_menu}"),
        format!("/m/{slug}/photos/x"),
        format!("/m/{slug}!/photos/{on_menu}"),
    ] {
        assert_eq!(image(&stranger, &path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    ann.submit(&menu_path, &format!("{menu_path}/unpublish"), &[]).await;
    assert_eq!(
        image(&stranger, &format!("/m/{slug}/photos/{on_menu}")).await.0,
        StatusCode::NOT_FOUND,
        "unpublished: gone at once"
    );
}

#[tokio::test]
async fn a_client_that_has_the_photo_gets_304() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let id = id_of(&add_with(&ann, "pie.jpg", images::jpeg(640, 480)).await);
    for size in ["", "?size=thumb"] {
        let path = format!("/desserts/{id}/photo{size}");
        let (_, headers, _) = image(&ann, &path).await;
        let etag = headers["etag"].to_str().unwrap().to_string();
        assert!(etag.starts_with('"') && etag.len() == 66, "a strong ETag: {etag}");
        for sent in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_string()] {
            let (status, headers, body) = ann.get_bytes(&path, &[("if-none-match", &sent)]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{sent}");
            assert!(body.is_empty());
            assert_eq!(headers["etag"].to_str().unwrap(), etag);
        }
        let (status, _, _) = ann.get_bytes(&path, &[("if-none-match", "\"other\"")]).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn the_api_puts_gets_and_deletes_a_photo_with_the_raw_image_as_body() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let bob = app.api().signed_up("bob").await;
    let id = ann.add("Apple Pie", 4.5, 300).await;
    assert_eq!(
        ann.get(&format!("/api/v1/desserts/{id}")).await.body["photo"],
        serde_json::Value::Null
    );
    let path = format!("/api/v1/desserts/{id}/photo");
    for (content_type, bytes) in [
        ("image/jpeg", images::with_exif(&images::jpeg(200, 100), 6)),
        ("image/png", images::png_with_alpha(900, 450)),
        ("image/webp", images::webp(640, 320)),
        ("image/gif; charset=binary", images::gif(64, 32)),
    ] {
        let put = ann.send_raw(reqwest::Method::PUT, &path, content_type, bytes).await;
        assert_eq!(put.status, StatusCode::OK, "{content_type}: {}", put.text);
        let photo = &put.body["photo"];
        assert_eq!(photo["url"], path);
        assert_eq!(photo["thumbnail_url"], format!("{path}?size=thumb"));
        let (width, height) = (photo["width"].as_u64().unwrap(), photo["height"].as_u64().unwrap());
        let (status, headers, full) = ann.get_bytes(&path, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(dimensions(&full), (width as u32, height as u32), "{content_type}");
        if content_type == "image/jpeg" {
            assert_eq!((width, height), (100, 200), "turned upright");
        }
        let etag = headers["etag"].to_str().unwrap().to_string();
        assert_eq!(ann.get_bytes(&path, &[("if-none-match", &etag)]).await.0, StatusCode::NOT_MODIFIED);
        assert_eq!(ann.get_bytes(&format!("{path}?size=thumb"), &[]).await.0, StatusCode::OK);
    }
    // The list shows it too.
    let listed = ann.get("/api/v1/desserts").await;
    assert_eq!(listed.body["items"][0]["photo"]["width"], 64);

    // Refusals change nothing.
    let before = ann.get_bytes(&path, &[]).await.1["etag"].clone();
    let text = ann.send_raw(reqwest::Method::PUT, &path, "text/plain", "hello").await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(text.error_code(), "unsupported_media_type");
    let svg = ann
        .send_raw(reqwest::Method::PUT, &path, "image/svg+xml", images::impostors()[0].1.clone())
        .await;
    assert_eq!(svg.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    for (file, bytes) in images::impostors().into_iter().chain([
        ("empty", Vec::new()),
        ("bomb", images::png_declaring(100_000, 100_000)),
        ("cut", images::jpeg(300, 300)[..400].to_vec()),
    ]) {
        let refused = ann.send_raw(reqwest::Method::PUT, &path, "image/jpeg", bytes).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}: {}", refused.text);
        assert!(!refused.field_error("photo").is_empty(), "{file}");
    }
    let huge = ann
        .send_raw(reqwest::Method::PUT, &path, "image/jpeg", vec![0xFF; 10 * 1024 * 1024 + 1])
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(ann.get_bytes(&path, &[]).await.1["etag"], before, "the photo is as it was");

    // Someone else's dessert is not found, whatever the method.
    let photo = images::jpeg(64, 64);
    assert_eq!(
        bob.send_raw(reqwest::Method::PUT, &path, "image/jpeg", photo.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(bob.get_bytes(&path, &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bob.delete(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api().get_bytes(&path, &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ann.send_raw(reqwest::Method::PUT, "/api/v1/desserts/99999/photo", "image/jpeg", photo)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(ann.delete(&path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(ann.get_bytes(&path, &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(ann.delete(&path).await.status, StatusCode::NO_CONTENT, "having none is fine");
    assert_eq!(
        ann.get(&format!("/api/v1/desserts/{id}")).await.body["photo"],
        serde_json::Value::Null
    );
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 0);
}

#[tokio::test]
async fn hostile_text_beside_a_file_is_refused_like_in_any_form() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let page = ann
        .upload(
            "/add",
            "/add",
            &[("name", "Pie\0"), ("price", "1"), ("calories", "1")],
            Some(("p.jpg", images::jpeg(64, 64))),
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "NUL in a name");
    let huge = "x".repeat(70 * 1024);
    let page = ann
        .upload(
            "/add",
            "/add",
            &[("name", &huge), ("price", "1"), ("calories", "1")],
            Some(("p.jpg", images::jpeg(64, 64))),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "the other fields keep to 64 KiB");
    // A text part that is not UTF-8.
    let token = ann.get("/add").await.csrf_token();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("name", reqwest::multipart::Part::bytes(vec![0xFF, 0xFE, b'a']))
        .text("price", "1")
        .text("calories", "1");
    let answer = ann.client.post(format!("{}/add", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    // Without the form's token, nothing is read into a photo.
    let form = reqwest::multipart::Form::new()
        .text("name", "Pie")
        .text("price", "1")
        .text("calories", "1")
        .part("photo", reqwest::multipart::Part::bytes(images::jpeg(64, 64)).file_name("p.jpg"));
    let answer = ann.client.post(format!("{}/add", app.base)).multipart(form).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.db.count("SELECT count(*) FROM desserts"), 0);
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), 0);
}

/// Many uploads at once: each is stored or turned away with 503 and Retry-After, and
/// what was answered 200 is what is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_uploads_is_stored_or_told_to_wait() {
    let app = TestApp::spawn().await;
    let ann = app.api().signed_up("ann").await;
    let mut ids = Vec::new();
    for n in 0..24 {
        ids.push(ann.add(&format!("Pie {n}"), 1.0, 1).await);
    }
    let photo = images::photo_like_jpeg(1200, 900);
    let answers = futures_like_join(ids.iter().map(|id| {
        let (ann, photo, path) = (ann.clone(), photo.clone(), format!("/api/v1/desserts/{id}/photo"));
        async move { ann.send_raw(reqwest::Method::PUT, &path, "image/jpeg", photo).await }
    }))
    .await;
    let mut stored = 0;
    for answer in &answers {
        match answer.status {
            StatusCode::OK => stored += 1,
            // Told to wait: "5" when the photo queue is full; a machine loaded past that
            // may answer that the database is busy ("30"), which is as honest.
            StatusCode::SERVICE_UNAVAILABLE => assert!(
                matches!(answer.header("retry-after"), "5" | "30"),
                "{:?}: {}",
                answer.header("retry-after"),
                answer.text
            ),
            other => panic!("{other}: {}", answer.text),
        }
    }
    assert!(stored > 0);
    assert_eq!(app.db.count("SELECT count(*) FROM photos"), stored);
}

async fn futures_like_join<T: Send + 'static>(
    futures: impl Iterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}
