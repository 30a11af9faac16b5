//! A JSON API client for tests: sends bodies as JSON, keeps no cookies.

use reqwest::header::HeaderMap;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Api {
    client: Client,
    base: String,
    pub token: Option<String>,
}

/// What the API answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as JSON; `Value::Null` when empty.
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Checks the SPEC's error shape and returns the code.
    pub fn error_code(&self) -> &str {
        let error = &self.body["error"];
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "no message: {}",
            self.text
        );
        assert!(
            self.header("content-type").starts_with("application/json"),
            "error not in JSON: {:?}",
            self.headers
        );
        error["code"].as_str().unwrap_or_else(|| panic!("no error code: {}", self.text))
    }

    pub fn field_error(&self, field: &str) -> &str {
        self.body["error"]["fields"][field].as_str().unwrap_or("")
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            client: Client::builder().build().expect("client"),
            base: base.to_string(),
            token: None,
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self {
            client: self.client.clone(),
            base: self.base.clone(),
            token: Some(token.to_string()),
        }
    }

    /// The same client and token, talking to another server (the same one restarted).
    pub fn on(&self, base: &str) -> Api {
        Self {
            client: self.client.clone(),
            base: base.to_string(),
            token: self.token.clone(),
        }
    }

    /// POSTs `body` and returns the status and the `id` it answered, or `None` when the
    /// server could not be reached or the answer was cut off.
    pub async fn try_post(&self, path: &str, body: Value) -> Option<(StatusCode, i64)> {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.ok()?;
        let status = response.status();
        let body: Value = response.json().await.ok()?;
        Some((status, body["id"].as_i64().unwrap_or(0)))
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::answer(request.send().await.expect("request")).await
    }

    /// Sends `body` exactly as given, with this content type.
    pub async fn send_raw(&self, method: Method, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.expect("request")).await
    }

    /// GETs `path` as raw bytes (an image), with its status and headers.
    pub async fn get_bytes(&self, path: &str, headers: &[(&str, &str)]) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("GET");
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().await.expect("body").to_vec())
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        Answer {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// Signs `username` up and returns a client holding a fresh token of theirs.
    pub async fn signed_up(&self, username: &str) -> Api {
        let made = self
            .post(
                "/api/v1/users",
                json!({"username": username, "email": format!("{username}@example.com"), "name": username, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        let token = self
            .post("/api/v1/tokens", json!({"username": username, "password": "correct horse battery"}))
            .await;
        assert_eq!(token.status, StatusCode::CREATED, "{}", token.text);
        self.with_token(token.body["token"].as_str().expect("token"))
    }

    /// Adds a dessert and returns its id.
    pub async fn add(&self, name: &str, price: f64, calories: i64) -> i64 {
        let made = self
            .post("/api/v1/desserts", json!({"name": name, "price": price, "calories": calories}))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        made.body["id"].as_i64().expect("id")
    }
}
