//! Starts the real application on 127.0.0.1 with a fresh database and talks HTTP to it.

#![allow(dead_code)]

mod api;
mod database;
pub mod images;
mod process;
mod proxy;
pub mod qr;
mod smtp;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use api::{Answer, Api};
pub use database::TestDb;
use desserts::app;
use desserts::config::WebSettings;
use desserts::mail::MailSettings;
use desserts::state::AppState;
use desserts::store::attempts::AttemptLimits;
use desserts::store::{PoolSettings, Store};
pub use process::{ServerProcess, run_desserts, text};
pub use proxy::Proxy;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode, redirect};
pub use smtp::{PUBLIC_URL, ReceivedMail, SmtpSink, site_path};
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub db: Arc<TestDb>,
    _shutdown: oneshot::Sender<()>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(WebSettings::default()).await
    }

    pub async fn spawn_with(settings: WebSettings) -> Self {
        Self::start(settings, AttemptLimits::default(), None).await
    }

    pub async fn start_with(settings: WebSettings, limits: AttemptLimits) -> Self {
        Self::start(settings, limits, None).await
    }

    /// A server that sends its mail to `sink`, with links under [`PUBLIC_URL`], retrying quickly.
    pub async fn mailing_to(sink: &SmtpSink) -> Self {
        Self::spawn_with(WebSettings {
            mail: MailSettings {
                smtp_url: Some(sink.url.clone()),
                public_url: PUBLIC_URL.into(),
                retry_delays: vec![Duration::from_millis(50); 3],
                ..MailSettings::default()
            },
            ..WebSettings::default()
        })
        .await
    }

    pub async fn spawn_with_limits(limits: AttemptLimits) -> Self {
        Self::start(WebSettings::default(), limits, None).await
    }

    /// A second server on the same database, as a second instance behind a proxy would be.
    pub async fn spawn_sharing(other: &TestApp) -> Self {
        Self::start(WebSettings::default(), AttemptLimits::default(), Some(other.db.clone())).await
    }

    async fn start(settings: WebSettings, limits: AttemptLimits, shared_db: Option<Arc<TestDb>>) -> Self {
        let db = shared_db.unwrap_or_else(|| Arc::new(TestDb::new()));
        let store = Store::open(&db.database_url(), PoolSettings::default()).expect("open database");
        store.migrate().await.expect("migrate");
        let state = AppState::with_attempt_limits(store.clone(), settings, limits).expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(app::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Self {
            base: format!("http://{addr}"),
            store,
            db,
            _shutdown: shutdown,
        }
    }

    /// A client of the JSON API, with no token yet.
    pub fn api(&self) -> Api {
        Api::new(&self.base)
    }

    /// A new browser: its own cookies, redirects not followed so tests see each 303.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser that holds only `cookie` (`name=value`), as a thief with a copied cookie would.
    pub fn browser_with_cookie(&self, cookie: &str) -> Browser {
        Browser::with_cookie(&self.base, cookie)
    }

    /// A browser logged in as a new account named `username`.
    pub async fn signed_up(&self, username: &str) -> Browser {
        let browser = self.browser();
        let page = browser.signup(username, "correct horse battery").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-up of {username} failed: {}", page.body);
        browser
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        let found = desserts::store::users::find_by_name(&self.store, &username.to_lowercase())
            .await
            .expect("query");
        found.expect("user exists").id
    }
}

/// What a response showed.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn csrf_token(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no csrf token on the page: {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').expect("token end") + start;
        self.body[start..end].to_string()
    }

    /// The value of the input named `name`.
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\"");
        let at = self.body.find(&marker)?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag_end = at + self.body[at..].find('>')?;
        let tag = &self.body[tag_start..tag_end];
        let value_at = tag.find("value=\"")? + 7;
        let value_end = tag[value_at..].find('"')? + value_at;
        Some(tag[value_at..value_end].to_string())
    }

    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?} in page ({}):\n{}",
            self.status,
            self.body
        );
        self
    }

    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "did not expect {text:?} in page ({}):\n{}",
            self.status,
            self.body
        );
        self
    }

    /// The slug of the public link a published menu's page shows.
    pub fn public_slug(&self) -> String {
        let start = self.body.find("/m/").expect("a public link on the page") + 3;
        self.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// The dessert names in the list, in order.
    pub fn dessert_names(&self) -> Vec<String> {
        self.body
            .split("<a href=\"/desserts/")
            .skip(1)
            .filter_map(|rest| {
                rest.split_once("\">")
                    .and_then(|(_, after)| after.split_once("</a>"))
                    .map(|(name, _)| name.to_string())
            })
            .collect()
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    jar: Arc<Jar>,
}

impl Browser {
    /// A new browser for the server at `base`, with no cookies.
    pub fn new(base: &str) -> Self {
        Self::built(base, Client::builder())
    }

    /// A new browser that names itself `user_agent`.
    pub fn with_user_agent(base: &str, user_agent: &str) -> Self {
        Self::built(base, Client::builder().user_agent(user_agent))
    }

    fn built(base: &str, builder: reqwest::ClientBuilder) -> Self {
        let jar = Arc::new(Jar::default());
        let client = builder
            .cookie_provider(jar.clone())
            .redirect(redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            client,
            base: base.to_string(),
            jar,
        }
    }

    /// A browser for the server at `base` holding only `cookie` (`name=value`): the same
    /// person reaching another instance behind the proxy, or a thief with a copied cookie.
    pub fn with_cookie(base: &str, cookie: &str) -> Self {
        let browser = Self::new(base);
        browser.jar.add_cookie_str(cookie, &base.parse().expect("url"));
        browser
    }

    /// `desserts_session=...`, as the browser holds it.
    pub fn session_cookie(&self) -> Option<String> {
        let cookies = self.jar.cookies(&self.base.parse().expect("url"))?;
        cookies
            .to_str()
            .ok()?
            .split("; ")
            .find(|c| c.starts_with("desserts_session="))
            .map(str::to_string)
    }

    async fn page(response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Page { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")).await
    }

    /// POSTs exactly these fields: no token is added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("encode");
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        Self::page(request.send().await.expect("POST")).await
    }

    /// Does what a person does: opens `form_page`, fills in `fields`, submits to `action`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        assert_eq!(page.status, StatusCode::OK, "form page {form_page}: {}", page.body);
        let token = page.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }

    /// Submits `fields` as `multipart/form-data`, as a form with a file input does, with
    /// `photo` as the file (`None`: the input left empty).
    pub async fn upload(&self, form_page: &str, action: &str, fields: &[(&str, &str)], photo: Option<(&str, Vec<u8>)>) -> Page {
        let page = self.get(form_page).await;
        assert_eq!(page.status, StatusCode::OK, "form page {form_page}: {}", page.body);
        let mut form = reqwest::multipart::Form::new().text("csrf_token", page.csrf_token());
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let (file_name, bytes) = photo.unwrap_or(("", Vec::new()));
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str("application/octet-stream")
            .expect("type");
        form = form.part("photo", part);
        let request = self.client.post(format!("{}{action}", self.base)).multipart(form);
        Self::page(request.send().await.expect("POST")).await
    }

    /// GETs `path` as raw bytes, with its status and headers.
    pub async fn get_bytes(&self, path: &str, headers: &[(&str, &str)]) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("GET");
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().await.expect("body").to_vec())
    }

    pub async fn signup(&self, username: &str, password: &str) -> Page {
        let email = format!("{username}@example.com");
        self.submit(
            "/signup",
            "/signup",
            &[
                ("username", username),
                ("email", &email),
                ("name", username),
                ("password", password),
            ],
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Page {
        self.submit("/login", "/login", &[("username", username), ("password", password)])
            .await
    }

    pub async fn logout(&self) -> Page {
        self.submit("/add", "/logout", &[]).await
    }

    /// Adds a dessert and returns its id.
    pub async fn add_dessert(&self, name: &str, price: &str, calories: &str) -> i64 {
        let page = self
            .submit("/add", "/add", &[("name", name), ("price", price), ("calories", calories)])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "adding {name}: {}", page.body);
        page.location()
            .trim_start_matches("/desserts/")
            .parse()
            .expect("dessert id in Location")
    }
}
