//! What every request can reach: the store, the password hasher, the mailer, the settings
//! and the limits, shared by the pages, the API and the background tasks; and the client
//! address requests are counted by.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::accounts::Services;
use crate::config::WebSettings;
use crate::mail::Mailer;
use crate::passwords::Hasher;
use crate::photos::Photos;
use crate::store::attempts::AttemptLimits;
use crate::store::{self, Store};

/// Request bodies stop here: no form or API call needs more, except those carrying a photo.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The bodies of the routes that take a photo stop here: the photo, and the form's other
/// fields (within [`BODY_LIMIT`]) around it.
pub const UPLOAD_BODY_LIMIT: usize = crate::domain::MAX_PHOTO_BYTES + BODY_LIMIT;

/// What every handler can reach. The router clones it for every request, so it is one
/// shared pointer rather than a handful.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Store,
    pub hasher: Hasher,
    pub photos: Photos,
    pub mailer: Mailer,
    pub metrics: crate::metrics::Metrics,
    pub settings: WebSettings,
    pub attempt_limits: AttemptLimits,
    /// Signs the form tokens of visitors without a session row; read once from the database.
    form_key: tokio::sync::OnceCell<String>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, settings: WebSettings) -> anyhow::Result<Self> {
        Self::with_attempt_limits(store, settings, AttemptLimits::default())
    }

    pub fn with_attempt_limits(store: Store, settings: WebSettings, attempt_limits: AttemptLimits) -> anyhow::Result<Self> {
        let hasher = Hasher::new()?;
        let photos = Photos::new()?;
        let mailer = Mailer::new(&settings.mail)?;
        let metrics = crate::metrics::Metrics::new(&store, &hasher, &photos, &mailer);
        Ok(Self(Arc::new(Shared {
            store,
            hasher,
            photos,
            mailer,
            metrics,
            settings,
            attempt_limits,
            form_key: tokio::sync::OnceCell::new(),
        })))
    }

    /// What the account use cases need.
    pub fn accounts(&self) -> Services<'_> {
        Services {
            store: &self.store,
            hasher: &self.hasher,
            mailer: &self.mailer,
            limits: self.attempt_limits,
        }
    }

    /// The key that signs form tokens, shared by every instance on the database.
    pub async fn form_key(&self) -> Result<&str, store::StoreError> {
        self.form_key
            .get_or_try_init(|| async {
                let fresh = crate::tokens::random_token()
                    .map_err(|e| store::StoreError::Internal(store::Fault::caused_by("drawing the form key", e)))?;
                store::server_keys::get_or_create(&self.store, "form_key", fresh).await
            })
            .await
            .map(String::as_str)
    }
}

/// Where the request came from: the socket's peer, or the proxy's `X-Forwarded-For` when
/// the server is told to trust it.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(client_addr(&parts.headers, &parts.extensions, state)))
    }
}

/// The client's address as it is counted: see [`ClientAddr`].
pub fn client_addr(headers: &HeaderMap, extensions: &axum::http::Extensions, state: &AppState) -> String {
    if state.settings.trust_forwarded_for
        && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').map(str::trim).find(|s| !s.is_empty())
    {
        return client_key(last);
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".into(), |info| client_key(&info.0.ip().to_string()))
}

/// How a client address is counted: an IPv4 address as it is, an IPv6 address by its /64
/// (one home or office network gets a whole /64, and can pick any address in it), and
/// anything else (a proxy's odd entry) cut to a bounded length.
pub fn client_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(network))
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        Ok(ip) => ip.to_string(),
        Err(_) => address.chars().take(64).collect(),
    }
}

/// The scheme and host of absolute public links (`https://desserts.example`, no trailing
/// slash): `DESSERTS_PUBLIC_URL` when it is set, else how the caller reached us. Empty when
/// neither is known (a request without a usable `Host`).
pub struct Site(pub String);

impl FromRequestParts<AppState> for Site {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(configured) = &state.settings.public_url {
            return Ok(Self(configured.trim_end_matches('/').to_string()));
        }
        let scheme = if state.settings.secure_cookies { "https" } else { "http" };
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .filter(|host| !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()));
        Ok(Self(host.map_or_else(String::new, |host| format!("{scheme}://{host}"))))
    }
}

/// The media type a request says its body is (`Content-Type` without parameters, lower
/// case); `None` without one.
pub fn media_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_counted_by_address_and_ipv6_by_its_64() {
        assert_eq!(client_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(client_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client_key(&"x".repeat(500)).len(), 64);
    }
}
