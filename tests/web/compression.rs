//! Answers are compressed when the client accepts it: pages, styles, scripts and JSON, not
//! images, and not the tiniest.

use std::io::Read;

use reqwest::StatusCode;

use crate::support::{TestApp, images};

fn decoded(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut out).map(drop).unwrap(),
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out).map(drop).unwrap(),
        other => panic!("unexpected encoding {other}"),
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_is_compressed_as_accepted_and_images_never() {
    let app = TestApp::spawn().await;
    let api = app.api().signed_up("ann").await;
    let pie = api.add("Apple Pie", 4.5, 300).await;
    for n in 0..20 {
        api.add(&format!("Cake number {n}"), 3.0, 200).await;
    }
    let put = api
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/desserts/{pie}/photo"),
            "image/jpeg",
            images::photo_like_jpeg(800, 600),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);

    for path in [
        "/login",
        "/static/style.css",
        "/static/passkeys.js",
        "/api/v1/openapi.json",
        "/api/v1/desserts",
    ] {
        let (status, headers, plain) = api.get_bytes(path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(headers.get("content-encoding").is_none(), "{path}: nothing is compressed unasked");
        for (accept, expected) in [
            ("gzip", "gzip"),
            ("br", "br"),
            ("gzip, deflate, br", "br"),
            ("br;q=0.1, gzip", "gzip"),
        ] {
            let (status, headers, body) = api.get_bytes(path, &[("accept-encoding", accept)]).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers["content-encoding"], expected, "{path} with {accept}");
            assert!(
                headers["vary"].to_str().unwrap().to_lowercase().contains("accept-encoding"),
                "{path}"
            );
            assert!(body.len() < plain.len(), "{path}: {} of {} bytes", body.len(), plain.len());
            let text = decoded(expected, &body);
            // Pages carry a new form token each time: compare what does not change.
            if path.starts_with("/static/") || path.ends_with(".json") || path.ends_with("desserts") {
                assert_eq!(text, plain, "{path} with {accept}");
            } else {
                assert!(String::from_utf8(text).unwrap().contains("Log in"), "{path}");
            }
        }
        let (_, headers, _) = api.get_bytes(path, &[("accept-encoding", "identity")]).await;
        assert!(headers.get("content-encoding").is_none(), "{path}: identity");
    }

    // Photos and thumbnails go as they are, whatever is accepted.
    for size in ["", "?size=thumb"] {
        let (status, headers, body) = api
            .get_bytes(&format!("/api/v1/desserts/{pie}/photo{size}"), &[("accept-encoding", "gzip, br")])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers.get("content-encoding").is_none(), "photo{size}");
        assert_eq!(&body[..2], &[0xFF, 0xD8], "a JPEG as stored");
    }
    // The tiniest answers too.
    let (_, headers, body) = api.get_bytes("/healthz", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(body, b"ok");
    assert!(headers.get("content-encoding").is_none(), "healthz");
}
