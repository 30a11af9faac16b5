//! Every text input of every route meets NUL and other control characters, invalid UTF-8,
//! lone surrogates and huge values: the answer is a 4xx (or a redirect), never a 5xx, and
//! nothing is stored. Run on both backends (PostgreSQL refuses NUL in text).

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::support::{Browser, TestApp};

/// A field's name and a valid value for it.
type Field = (&'static str, &'static str);
type Fields<'a> = &'a [Field];

/// Percent-encoded form and query values.
fn hostile_encoded() -> Vec<String> {
    vec![
        "%00".into(),
        "ab%00cd".into(),
        "%01%07%1B%7F".into(),
        "%E2%80%AE".into(), // right-to-left override
        "%FF%FE%FD".into(), // not UTF-8
        "%ED%A0%80".into(), // a surrogate, encoded as UTF-8 would not allow
        "%C0%80".into(),    // an overlong NUL
        "x%0D%0AX-Injected:%201".into(),
        "a".repeat(100_000),
    ]
}

/// JSON string values, as they appear between the quotes.
fn hostile_json() -> Vec<String> {
    vec![
        "\\u0000".into(),
        "ab\\u0000cd".into(),
        "\\u0001\\u001b\\u007f".into(),
        "\\ud800".into(),
        "\\udfff\\ud800".into(),
        "\\u202e".into(),
        "a".repeat(1_000_000),
    ]
}

fn check(what: &str, status: StatusCode) {
    assert!(
        status.is_client_error() || status.is_redirection() || status.is_success(),
        "{what} answered {status}"
    );
}

async fn post_form(browser: &Browser, path: &str, body: String) -> StatusCode {
    browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map(|response| response.status())
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

async fn get(client: &reqwest::Client, url: String) -> StatusCode {
    match client.get(&url).send().await {
        Ok(response) => response.status(),
        // The server may close on a request head over its limit; that is a refusal too.
        Err(error) if url.len() > 50_000 => {
            eprintln!("closed on a huge URL: {error}");
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        }
        Err(error) => panic!("GET {}: {error}", &url[..url.len().min(200)]),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_text_input_refuses_hostile_values_without_a_server_error() {
    let app = TestApp::spawn().await;
    let ann = app.signed_up("ann").await;
    let dessert = ann.add_dessert("Apple Pie", "4.50", "300").await;
    let edit = format!("/desserts/{dessert}/edit");
    let labelled = ann
        .submit(
            &edit,
            &edit,
            &[
                ("name", "Apple Pie"),
                ("price", "4.50"),
                ("calories", "300"),
                ("labels", "Seasonal"),
            ],
        )
        .await;
    assert_eq!(labelled.status, StatusCode::SEE_OTHER, "{}", labelled.body);
    let label_rename = format!("/labels/{}/rename", app.db.count("SELECT min(id) FROM labels"));
    let menu_page = ann.submit("/menus", "/menus", &[("name", "Summer")]).await;
    let menu: i64 = menu_page.location().trim_start_matches("/menus/").parse().expect("menu id");
    let api = app.api().signed_up("bob").await;
    let api_dessert = api.add("Brownie", 2.0, 250).await;
    let kitchen_made = ann.submit("/kitchens", "/kitchens", &[("name", "Café Lee")]).await;
    let kitchen_page = kitchen_made.location().to_string();
    let invite = format!("{kitchen_page}/invitations");
    let ann_id = app.user_id("ann").await;
    let change_role = format!("{kitchen_page}/members/{ann_id}/role");
    let desserts_before = ann.get("/").await.dessert_names();
    let anonymous = app.browser();
    let newcomer = app.browser();

    // Forms: each field in turn gets each value, the others valid.
    let valid_dessert: &[(&str, &str)] = &[
        ("name", "Tart"),
        ("price", "3"),
        ("calories", "200"),
        ("origin", "France"),
        ("image_url", "https://example.com/a.png"),
        ("labels", "Vegan, seasonal"),
    ];
    let menu_desserts = format!("/menus/{menu}/desserts");
    let menu_path = format!("/menus/{menu}");
    let move_dessert = format!("/menus/{menu}/desserts/1/move");
    let forms: Vec<(&Browser, &str, &str, Fields)> = vec![
        (
            &newcomer,
            "/signup",
            "/signup",
            &[
                ("username", "zed"),
                ("email", "zed@example.com"),
                ("name", "Zed"),
                ("password", "correct horse battery"),
                ("avatar", "https://example.com/z.png"),
            ],
        ),
        (
            &anonymous,
            "/login",
            "/login",
            &[("username", "ann"), ("password", "wrong password"), ("next", "/")],
        ),
        (&anonymous, "/password/forgot", "/password/forgot", &[("email", "ann@example.com")]),
        (&anonymous, "/login", "/password/reset/abc", &[("new_password", "another long one")]),
        (&ann, "/add", "/add", valid_dessert),
        (&ann, &edit, &edit, valid_dessert),
        (&ann, "/menus", "/menus", &[("name", "Winter")]),
        (&ann, "/menus", &menu_desserts, &[("dessert_id", "1")]),
        (&ann, "/menus", &menu_desserts, &[("all", "yes")]),
        (&ann, &menu_path, &move_dessert, &[("to", "up")]),
        (&ann, "/desserts/1", "/desserts/1/menus", &[("menu_id", "1")]),
        (&ann, "/account", "/account/public-name", &[("public_name", "Café Lee")]),
        (&ann, "/account", "/account/currency", &[("currency", "EUR")]),
        (&ann, "/labels", &label_rename, &[("name", "Summer")]),
        (
            &ann,
            "/account",
            "/account/password",
            &[("current_password", "wrong password"), ("new_password", "another long one")],
        ),
        (
            &ann,
            "/account",
            "/account/email",
            &[("email", "new@example.com"), ("email_password", "wrong password")],
        ),
        (&ann, "/account", "/account/delete", &[("password", "wrong password")]),
        (&ann, "/kitchens", "/kitchens", &[("name", "Café Ray")]),
        (&ann, &kitchen_page, &invite, &[("email", "cy@example.com"), ("role", "editor")]),
        (&ann, &kitchen_page, &change_role, &[("role", "owner")]),
        (&ann, "/account/security", "/account/security/totp/enable", &[("code", "123456")]),
        (
            &ann,
            "/account/security",
            "/account/security/totp/disable",
            &[("password", "wrong password"), ("code", "123456")],
        ),
        (
            &ann,
            "/account/security",
            "/account/security/recovery-codes",
            &[("password", "wrong password")],
        ),
        (&anonymous, "/login", "/login/two-factor", &[("code", "123456"), ("next", "/")]),
    ];
    for (browser, form_page, action, fields) in &forms {
        let page = browser.get(form_page).await;
        assert_eq!(page.status, StatusCode::OK, "{form_page} before {action}: {}", page.location());
        let token = page.csrf_token();
        for field in fields.iter().map(|(name, _)| *name).chain(["csrf_token"]) {
            for value in hostile_encoded() {
                let mut body = format!("csrf_token={token}");
                for (name, valid) in fields.iter() {
                    let value = if *name == field {
                        value.clone()
                    } else {
                        serde_urlencoded::to_string([("", valid)]).unwrap()[1..].to_string()
                    };
                    body.push_str(&format!("&{name}={value}"));
                }
                if field == "csrf_token" {
                    body = body.replacen(&token, &value, 1);
                }
                let status = post_form(browser, action, body).await;
                // A password may hold any character.
                if matches!(*action, "/signup" | "/add" | "/menus" | "/kitchens") && field != "password" {
                    assert_ne!(
                        status,
                        StatusCode::SEE_OTHER,
                        "{action} accepted {field}={}",
                        &value[..value.len().min(40)]
                    );
                }
                check(&format!("POST {action} with {field}={}", &value[..value.len().min(40)]), status);
            }
        }
        // Invalid UTF-8 and NUL in the field names too.
        let status = post_form(browser, action, format!("csrf_token={token}&%00%FF=1")).await;
        check(&format!("POST {action} with a hostile field name"), status);
    }

    // Queries and path segments.
    let client = reqwest::Client::new();
    for value in hostile_encoded() {
        for path in [
            format!("/?q={value}"),
            format!("/?sort={value}&dir={value}&page={value}"),
            format!("/?free_of={value}&label={value}&free_of=milk"),
            format!("/login?next={value}"),
            format!("/login/two-factor?next={value}"),
            format!("/signup?next={value}"),
            format!("/desserts/{value}"),
            format!("/desserts/{value}/edit"),
            format!("/delete/{value}"),
            format!("/menus/{value}"),
            format!("/kitchens/{value}"),
            format!("/invitations/{value}"),
            format!("/m/{value}"),
            format!("/m/{value}/qr.svg"),
            format!("/m/{value}/photos/{value}"),
            format!("/password/reset/{value}"),
            format!("/verify/{value}"),
            format!("/static/{value}"),
        ] {
            let status = get(&ann.client, format!("{}{path}", app.base)).await;
            check(&format!("GET {}", &path[..path.len().min(60)]), status);
        }
        for path in [
            format!("/api/v1/desserts?q={value}"),
            format!("/api/v1/desserts?sort={value}&dir={value}&page={value}&per_page={value}"),
            format!("/api/v1/desserts?free_of={value}&label={value}"),
            format!("/api/v1/desserts?kitchen={value}"),
            format!("/api/v1/menus?kitchen={value}"),
            format!("/api/v1/desserts/{value}"),
            format!("/api/v1/menus/{value}"),
            format!("/api/v1/menus/{value}/desserts/{value}"),
        ] {
            let url = format!("{}{path}", app.base);
            let status = match client.get(&url).bearer_auth(api.token.as_deref().unwrap()).send().await {
                Ok(response) => response.status(),
                Err(_) if url.len() > 50_000 => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                Err(error) => panic!("GET {path}: {error}"),
            };
            check(&format!("GET {}", &path[..path.len().min(60)]), status);
        }
    }

    // JSON bodies: each string field in turn.
    let json_bodies: Vec<(Method, String, Vec<Field>)> = vec![
        (
            Method::POST,
            "/api/v1/users".into(),
            vec![
                ("username", "\"zed\""),
                ("email", "\"zed@example.com\""),
                ("name", "\"Zed\""),
                ("password", "\"correct horse battery\""),
                ("avatar", "null"),
            ],
        ),
        (
            Method::POST,
            "/api/v1/tokens".into(),
            vec![("username", "\"bob\""), ("password", "\"wrong password\"")],
        ),
        (
            Method::POST,
            "/api/v1/desserts".into(),
            vec![
                ("name", "\"Tart\""),
                ("price", "3"),
                ("calories", "200"),
                ("origin", "\"France\""),
                ("image_url", "null"),
            ],
        ),
        (
            Method::PATCH,
            format!("/api/v1/desserts/{api_dessert}"),
            vec![("name", "\"Tart\""), ("origin", "\"France\""), ("image_url", "null")],
        ),
        (Method::POST, "/api/v1/menus".into(), vec![("name", "\"Winter\"")]),
        (Method::PUT, "/api/v1/menus/1/order".into(), vec![("dessert_ids", "[]")]),
    ];
    for (method, path, fields) in &json_bodies {
        for (field, _) in fields {
            for value in hostile_json() {
                let body = fields
                    .iter()
                    .map(|(name, valid)| {
                        if name == field {
                            format!("\"{name}\": \"{value}\"")
                        } else {
                            format!("\"{name}\": {valid}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let status = client
                    .request(method.clone(), format!("{}{path}", app.base))
                    .bearer_auth(api.token.as_deref().unwrap())
                    .header("content-type", "application/json")
                    .body(format!("{{{body}}}"))
                    .send()
                    .await
                    .expect("request")
                    .status();
                check(&format!("{method} {path} with {field}={}", &value[..value.len().min(40)]), status);
                assert_ne!(
                    status,
                    StatusCode::CREATED,
                    "{method} {path} stored {field}={}",
                    &value[..value.len().min(40)]
                );
            }
        }
    }

    // Headers the server reads as data: the token, the cookie, the origin.
    for raw in [&b"\xff\xfe"[..], b"\x80\x81 abc", b"\xc0\x80"] {
        let mut headers = HeaderMap::new();
        let mut bearer = b"Bearer ".to_vec();
        bearer.extend_from_slice(raw);
        headers.insert("authorization", HeaderValue::from_bytes(&bearer).unwrap());
        let mut cookie = b"desserts_session=".to_vec();
        cookie.extend_from_slice(raw);
        headers.insert("cookie", HeaderValue::from_bytes(&cookie).unwrap());
        headers.insert("origin", HeaderValue::from_bytes(raw).unwrap());
        headers.insert("x-forwarded-for", HeaderValue::from_bytes(raw).unwrap());
        for path in ["/api/v1/me", "/", "/login"] {
            let status = client
                .get(format!("{}{path}", app.base))
                .headers(headers.clone())
                .send()
                .await
                .expect("request")
                .status();
            check(&format!("GET {path} with header bytes {raw:?}"), status);
        }
    }

    // Nothing was stored along the way.
    assert_eq!(ann.get("/").await.dessert_names(), desserts_before);
    let bobs = api.get("/api/v1/desserts").await;
    assert_eq!(bobs.body["total"], 1, "{}", bobs.text);
    assert_eq!(api.get(&format!("/api/v1/desserts/{api_dessert}")).await.body["name"], "Brownie");
    let menus = ann.get("/menus").await;
    menus.assert_lacks("Winter");
}
