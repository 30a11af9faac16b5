//! The browser session of one request: loaded by a middleware before the handler runs,
//! changed by the handler (login, logout, flash), written back after it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::Error;
use super::pages::Layout;
use crate::domain::{Kitchen, User};
use crate::state::{AppState, client_addr, client_key};
use crate::store::sessions::{self, NewSession};
use crate::store::{self, Store};
use crate::tokens::{TOKEN_CHARS, form_token, random_token, token_hash as hash_id};

pub const COOKIE_NAME: &str = "desserts_session";
/// The name behind HTTPS: browsers take a `__Host-` cookie only when it is `Secure`, for
/// the whole host (`Path=/`, no `Domain`), so a sibling subdomain cannot plant one.
pub const SECURE_COOKIE_NAME: &str = "__Host-desserts_session";

fn cookie_name(secure: bool) -> &'static str {
    if secure { SECURE_COOKIE_NAME } else { COOKIE_NAME }
}
const LOGGED_IN_LIFETIME: i64 = 14 * 24 * 3600;
const ANONYMOUS_LIFETIME: i64 = 24 * 3600;
/// How long the cookie of a visitor without a session row lasts: long enough to fill in a
/// login or sign-up form.
const FORM_COOKIE_LIFETIME: i64 = 24 * 3600;
/// How long a login that passed its password may take to send its one-time code.
const PENDING_LIFETIME: i64 = 10 * 60;
/// A used session's expiry moves forward at most this often, to spare a write per request.
const TOUCH_INTERVAL: i64 = 3600;

/// The session of the request being served. Cloning shares it.
#[derive(Clone)]
pub struct Visit(Arc<VisitState>);

struct VisitState {
    app: AppState,
    store: Store,
    secure_cookie: bool,
    /// Who is asking, for the session made at login: the `User-Agent` as sent (described
    /// only when a session is made) and the address as counted.
    user_agent: Option<HeaderValue>,
    client_addr: String,
    /// The part of the app the page belongs to, marked in the navigation.
    section: &'static str,
    inner: Mutex<Inner>,
}

/// A logged-in session made but not yet stored: stored by the caller, in a transaction of
/// its own (a new password), then adopted with [`Visit::adopt`].
pub struct PendingSession {
    id: String,
    row: NewSession,
    /// `None` for a session that waits for a one-time code.
    user: Option<User>,
}

impl PendingSession {
    pub fn row(&self) -> &NewSession {
        &self.row
    }
}

#[derive(Default)]
struct Inner {
    current: Option<Current>,
    /// A `Set-Cookie` value to send with the response.
    set_cookie: Option<String>,
    flash_shown: Option<String>,
}

struct Current {
    id: String,
    id_hash: String,
    csrf_token: String,
    flash: Option<String>,
    last_seen_at: i64,
    user: Option<User>,
    /// The kitchen the user works in, with their role there (as loaded with the session).
    kitchen: Option<Kitchen>,
    /// A login that passed its password and waits for this account's one-time code.
    pending_user_id: Option<i64>,
    /// Whether a row backs this session. A visitor who has only been shown a form has a
    /// cookie and a signed token but no row: a client without cookies, or with made-up
    /// ones, cannot grow the database. The row is made when there is something to keep
    /// (a login, a flash message).
    stored: bool,
}

impl Current {
    /// A visitor with the cookie `id` and no row.
    fn unstored(id: String, form_key: &str, now: i64) -> Self {
        Self {
            id_hash: hash_id(&id),
            csrf_token: form_token(form_key, &id),
            id,
            flash: None,
            last_seen_at: now,
            user: None,
            kitchen: None,
            pending_user_id: None,
            stored: false,
        }
    }
}

/// The digest of the session id the request's cookie carries, by which its row is found;
/// `None` without one. For a handler that reads what a session may see without the rest of
/// a visit (an image on a page of the owner's).
pub fn session_id_hash(headers: &HeaderMap, state: &AppState) -> Option<String> {
    cookie_value(headers, cookie_name(state.settings.secure_cookies)).map(|id| hash_id(&id))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_string())
        .filter(|value| value.len() == TOKEN_CHARS)
}

/// Loads the session named by the request's cookie and writes back what the handler changed.
pub async fn load_visit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let now = store::now();
    let current = match cookie_value(request.headers(), cookie_name(state.settings.secure_cookies)) {
        Some(id) => {
            let id_hash = hash_id(&id);
            match sessions::load(&state.store, &id_hash, now).await {
                Ok(Some(loaded)) => {
                    let (user, kitchen) = loaded.user.unzip();
                    Some(Current {
                        id,
                        id_hash,
                        csrf_token: loaded.csrf_token,
                        flash: loaded.flash,
                        last_seen_at: loaded.last_seen_at,
                        user,
                        kitchen,
                        pending_user_id: loaded.pending_user_id,
                        stored: true,
                    })
                }
                // A cookie from a form page, an ended session or made up: the visitor keeps
                // the cookie and may send the form it was given.
                Ok(None) => match state.form_key().await {
                    Ok(key) => Some(Current::unstored(id, key, now)),
                    Err(error) => return Error::from(error).into_response(),
                },
                Err(error) => return Error::from(error).into_response(),
            }
        }
        None => None,
    };
    let client_addr = client_addr(request.headers(), request.extensions(), &state);
    let visit = Visit(Arc::new(VisitState {
        app: state.clone(),
        store: state.store.clone(),
        secure_cookie: state.settings.secure_cookies,
        user_agent: request.headers().get(header::USER_AGENT).cloned(),
        client_addr,
        section: super::pages::section_of(request.uri().path()),
        inner: Mutex::new(Inner {
            current,
            ..Inner::default()
        }),
    }));
    request.extensions_mut().insert(visit.clone());
    let mut response = next.run(request).await;
    visit.write_back(&mut response, now).await;
    response
}

impl Visit {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.0.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn user(&self) -> Option<User> {
        self.inner().current.as_ref().and_then(|c| c.user.clone())
    }

    /// The account whose one-time code this session may send to complete its login.
    pub fn pending_user_id(&self) -> Option<i64> {
        self.inner().current.as_ref().and_then(|c| c.pending_user_id)
    }

    /// Starts a new session (a new id) that is not logged in but may complete the login of
    /// `user_id` with a one-time code, for [`PENDING_LIFETIME`].
    pub async fn await_code(&self, user_id: i64) -> Result<(), Error> {
        let pending = self.prepare_code_step(user_id, None)?;
        sessions::replace(&self.0.store, self.session_id_hash(), pending.row.clone()).await?;
        self.adopt(pending);
        Ok(())
    }

    /// The kitchen the logged-in person works in, with their role there.
    pub fn kitchen(&self) -> Option<Kitchen> {
        self.inner().current.as_ref().and_then(|c| c.kitchen.clone())
    }

    /// The layout of a page, taking the flash message so it shows once.
    pub fn layout(&self) -> Layout {
        let mut inner = self.inner();
        let flash = inner.current.as_mut().and_then(|c| c.flash.take());
        inner.flash_shown.clone_from(&flash);
        let current = inner.current.as_ref();
        Layout {
            user: current.and_then(|c| c.user.clone()),
            kitchen: current.and_then(|c| c.kitchen.clone()),
            csrf_token: current.map(|c| c.csrf_token.clone()).unwrap_or_default(),
            flash,
            minimal_nav: false,
            section: self.0.section,
        }
    }

    /// The layout of a page with a form: a visitor without a session gets a cookie and a
    /// token signed for it, so the form can carry one, but no row.
    pub async fn layout_with_form(&self) -> Result<Layout, Error> {
        if self.inner().current.is_none() {
            let key = self.0.app.form_key().await?;
            let id = random_token()?;
            let cookie = self.cookie(&id, FORM_COOKIE_LIFETIME);
            let mut inner = self.inner();
            inner.current = Some(Current::unstored(id, key, store::now()));
            inner.set_cookie = Some(cookie);
        }
        Ok(self.layout())
    }

    fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        let inner = self.inner();
        match (inner.current.as_ref(), submitted) {
            (Some(current), Some(submitted)) => bool::from(current.csrf_token.as_bytes().ct_eq(submitted.as_bytes())),
            _ => false,
        }
    }

    /// Starts a new session (a new id) for `user`, ending the one the browser had.
    pub async fn log_in(&self, user: User, flash: String) -> Result<(), Error> {
        self.start(Some(user), Some(flash)).await
    }

    /// Ends the session; the browser gets a fresh anonymous one to carry `flash`.
    pub async fn end(&self, flash: String) -> Result<(), Error> {
        self.start(None, Some(flash)).await
    }

    /// A new logged-in session for `user`, to be stored by the caller along with the change
    /// that makes it (a new password ends every other session in the same transaction).
    pub fn prepare_login(&self, user: User, flash: String) -> Result<PendingSession, Error> {
        let (id, row) = self.new_session(Some(user.id), Some(flash))?;
        Ok(PendingSession { id, row, user: Some(user) })
    }

    /// Like [`Visit::prepare_login`], for an account with one-time codes on: a session that
    /// is not logged in and waits for the account's code (see [`Visit::await_code`]).
    pub fn prepare_code_step(&self, user_id: i64, flash: Option<String>) -> Result<PendingSession, Error> {
        let (id, mut row) = self.new_session(None, flash)?;
        row.pending_user_id = Some(user_id);
        row.expires_at = row.now + PENDING_LIFETIME;
        Ok(PendingSession { id, row, user: None })
    }

    /// Goes on in `pending`, which the caller has stored.
    pub fn adopt(&self, pending: PendingSession) {
        self.go_on_in(pending.id, pending.row, pending.user);
    }

    /// The hash of this visit's session id, if a row backs it: to tell it apart in the
    /// list of a person's sessions.
    pub fn session_id_hash(&self) -> Option<String> {
        self.inner().current.as_ref().filter(|c| c.stored).map(|c| c.id_hash.clone())
    }

    fn new_session(&self, user_id: Option<i64>, flash: Option<String>) -> Result<(String, NewSession), Error> {
        let now = store::now();
        let lifetime = if user_id.is_some() {
            LOGGED_IN_LIFETIME
        } else {
            ANONYMOUS_LIFETIME
        };
        let id = random_token()?;
        // Who made it, for the person's list of sessions; an anonymous one is listed nowhere.
        let (client, client_addr) = match user_id {
            Some(_) => {
                let user_agent = self.0.user_agent.as_ref().and_then(|value| value.to_str().ok()).unwrap_or_default();
                (crate::domain::describe_client(user_agent), self.0.client_addr.clone())
            }
            None => (String::new(), String::new()),
        };
        let row = NewSession {
            id_hash: hash_id(&id),
            user_id,
            csrf_token: random_token()?,
            flash,
            now,
            expires_at: now + lifetime,
            client,
            client_addr,
            pending_user_id: None,
        };
        Ok((id, row))
    }

    fn go_on_in(&self, id: String, row: NewSession, user: Option<User>) {
        let lifetime = row.expires_at - row.now;
        let cookie = self.cookie(&id, lifetime);
        let mut inner = self.inner();
        inner.current = Some(Current {
            id,
            id_hash: row.id_hash,
            csrf_token: row.csrf_token,
            flash: row.flash,
            last_seen_at: row.now,
            user,
            // A new session starts in the personal kitchen, read with it on the next request.
            kitchen: None,
            pending_user_id: row.pending_user_id,
            stored: true,
        });
        inner.set_cookie = Some(cookie);
    }

    async fn start(&self, user: Option<User>, flash: Option<String>) -> Result<(), Error> {
        let (id, row) = self.new_session(user.as_ref().map(|u| u.id), flash)?;
        let old = self.session_id_hash();
        sessions::replace(&self.0.store, old, row.clone()).await?;
        self.go_on_in(id, row, user);
        Ok(())
    }

    /// Keeps a passkey ceremony with this session until its answer comes. A visitor with
    /// only a form's cookie gets a row now, under the id and form token it has, so that the
    /// page's script goes on with both.
    pub async fn keep_ceremony(&self, ceremony: &str) -> Result<(), Error> {
        let now = store::now();
        if let Some(id_hash) = self.session_id_hash()
            && sessions::set_ceremony(&self.0.store, &id_hash, ceremony, now).await?
        {
            return Ok(());
        }
        let Some((id, row)) = self.inner().current.as_ref().map(|current| {
            let row = NewSession {
                id_hash: current.id_hash.clone(),
                user_id: None,
                csrf_token: current.csrf_token.clone(),
                flash: None,
                now,
                expires_at: now + ANONYMOUS_LIFETIME,
                client: String::new(),
                client_addr: String::new(),
                pending_user_id: None,
            };
            (current.id.clone(), row)
        }) else {
            return Err(Error::CsrfRejected);
        };
        let id_hash = row.id_hash.clone();
        sessions::replace(&self.0.store, Some(id_hash.clone()), row.clone()).await?;
        sessions::set_ceremony(&self.0.store, &id_hash, ceremony, now).await?;
        self.go_on_in(id, row, None);
        Ok(())
    }

    /// Takes the passkey ceremony this session keeps; `None` when it has none (never
    /// started, already answered, or the session ended).
    pub async fn take_ceremony(&self) -> Result<Option<String>, Error> {
        match self.session_id_hash() {
            Some(id_hash) => Ok(sessions::take_ceremony(&self.0.store, &id_hash, store::now()).await?),
            None => Ok(None),
        }
    }

    /// Leaves a one-time message for the next page.
    pub async fn flash(&self, message: impl Into<String>) -> Result<(), Error> {
        let message = message.into();
        match self.session_id_hash() {
            Some(id_hash) => Ok(sessions::set_flash(&self.0.store, &id_hash, &message).await?),
            None => self.start(None, Some(message)).await,
        }
    }

    fn cookie(&self, id: &str, max_age: i64) -> String {
        let secure = if self.0.secure_cookie { "; Secure" } else { "" };
        let name = cookie_name(self.0.secure_cookie);
        format!("{name}={id}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }

    async fn write_back(&self, response: &mut Response, now: i64) {
        let (set_cookie, clear_flash, touch) = {
            let mut inner = self.inner();
            let shown = inner.flash_shown.take();
            let current = inner.current.as_ref();
            let clear = shown.zip(current.map(|c| c.id_hash.clone()));
            let touch = current
                .filter(|c| c.user.is_some() && now - c.last_seen_at > TOUCH_INTERVAL)
                .map(|c| (c.id_hash.clone(), self.cookie(&c.id, LOGGED_IN_LIFETIME)));
            (inner.set_cookie.take(), clear, touch)
        };
        let mut set_cookie = set_cookie;
        if response.status().is_success()
            && let Some((shown, id_hash)) = clear_flash
            && let Err(error) = sessions::clear_flash(&self.0.store, &id_hash, &shown).await
        {
            tracing::warn!(%error, "could not clear a shown flash message");
        }
        if let Some((id_hash, cookie)) = touch {
            match sessions::touch(&self.0.store, &id_hash, now, now + LOGGED_IN_LIFETIME).await {
                Ok(()) => set_cookie = set_cookie.or(Some(cookie)),
                Err(error) => tracing::warn!(%error, "could not extend a session"),
            }
        }
        if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visit>()
            .cloned()
            .ok_or_else(|| Error::Internal("session middleware missing".into()))
    }
}

/// A logged-in person, with the kitchen they work in; anyone else is sent to the login page
/// and brought back after.
pub struct CurrentUser {
    pub user: User,
    pub kitchen: Kitchen,
    pub visit: Visit,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let visit = Visit::from_request_parts(parts, state).await?;
        match visit.user().zip(visit.kitchen()) {
            Some((user, kitchen)) => Ok(Self { user, kitchen, visit }),
            None => {
                // After logging in, a GET brings the person back where they were; a POST's
                // page is the form it came from, which a GET of the same path shows.
                let next = if parts.method == Method::GET {
                    parts.uri.path_and_query().map_or("/", |pq| pq.as_str()).to_string()
                } else {
                    parts.uri.path().to_string()
                };
                Err(Error::LoginRequired { next })
            }
        }
    }
}

/// A form body whose `csrf_token` matches the session's, sent from this site.
pub struct CsrfForm<T>(pub T);

/// What every form post passes before its fields are read: it comes from a page of ours,
/// and has a visit to check its token against.
struct FormPost {
    visit: Visit,
    /// For the security log: the socket's peer (a proxy's header is the handler's to read).
    peer: String,
}

impl FormPost {
    fn begin(request: &Request) -> Result<Self, Error> {
        let visit = request
            .extensions()
            .get::<Visit>()
            .cloned()
            .ok_or_else(|| Error::Internal("session middleware missing".into()))?;
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| client_key(&info.0.ip().to_string()))
            .unwrap_or_default();
        let post = Self { visit, peer };
        if !same_origin(request.headers()) {
            return Err(post.refused());
        }
        Ok(post)
    }

    fn refused(&self) -> Error {
        crate::security_events::csrf_refused(self.visit.user().map(|user| user.id), &self.peer);
        Error::CsrfRejected
    }

    /// The form's fields, once its `csrf_token` is the visit's.
    fn fields<T: DeserializeOwned>(&self, pairs: &[(String, String)]) -> Result<T, Error> {
        let token = pairs.iter().find(|(name, _)| name == "csrf_token").map(|(_, value)| value.as_str());
        if !self.visit.csrf_matches(token) {
            return Err(self.refused());
        }
        let unreadable = || Error::BadRequest("The form could not be read.".into());
        let encoded = serde_urlencoded::to_string(pairs).map_err(|_| unreadable())?;
        // A field may repeat (a group of checkboxes): it is read into a list.
        serde_html_form::from_str(&encoded).map_err(|_| unreadable())
    }
}

/// A body refused while it was read: too large (a chunked body has no length to refuse up
/// front; it is cut off while read), or broken.
fn unread(status: StatusCode, text: String) -> Error {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge
    } else {
        Error::BadRequest(text)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let post = FormPost::begin(&request)?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| unread(rejection.status(), rejection.body_text()))?;
        // A route that takes photos reads bodies up to its own larger limit; a form
        // without a file still keeps to the usual one.
        if body.len() > crate::state::BODY_LIMIT {
            return Err(Error::PayloadTooLarge);
        }
        if !is_utf8_form(&body) {
            return Err(Error::BadRequest("The form could not be read: it is not valid UTF-8 text.".into()));
        }
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|_| Error::BadRequest("The form could not be read.".into()))?;
        post.fields(&pairs).map(Self)
    }
}

/// A form that may carry a photo: `multipart/form-data` with a file field `photo`, or a
/// URL-encoded form without one. Checked like [`CsrfForm`].
pub struct CsrfUpload<T> {
    pub form: T,
    /// The file sent as `photo`; `None` when no file was chosen.
    pub photo: Option<Vec<u8>>,
}

/// The name of the file field of a form that takes a photo.
pub const PHOTO_FIELD: &str = "photo";

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfUpload<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = crate::state::media_type(request.headers()).is_some_and(|media| media == "multipart/form-data");
        if !multipart {
            let CsrfForm(form) = CsrfForm::from_request(request, state).await?;
            return Ok(Self { form, photo: None });
        }
        let post = FormPost::begin(&request)?;
        let mut parts = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|rejection| unread(rejection.status(), rejection.body_text()))?;
        let mut pairs = Vec::new();
        let mut text_bytes = 0;
        let mut photo = None;
        while let Some(field) = parts.next_field().await.map_err(|e| unread(e.status(), e.body_text()))? {
            let name = field.name().unwrap_or_default().to_string();
            let chose_a_file = field.file_name().is_some_and(|file| !file.is_empty());
            let bytes = field.bytes().await.map_err(|e| unread(e.status(), e.body_text()))?;
            if name == PHOTO_FIELD {
                if bytes.len() > crate::domain::MAX_PHOTO_BYTES {
                    return Err(Error::PayloadTooLarge);
                }
                // A file input left empty sends a part with no file name and no bytes.
                if chose_a_file || !bytes.is_empty() {
                    photo = Some(Vec::from(bytes));
                }
                continue;
            }
            text_bytes += name.len() + bytes.len();
            if text_bytes > crate::state::BODY_LIMIT {
                return Err(Error::PayloadTooLarge);
            }
            let value = String::from_utf8(bytes.to_vec())
                .map_err(|_| Error::BadRequest("The form could not be read: it is not valid UTF-8 text.".into()))?;
            pairs.push((name, value));
        }
        Ok(Self {
            form: post.fields(&pairs)?,
            photo,
        })
    }
}

/// Whether every name and value of a URL-encoded form decodes to UTF-8. The usual decoder
/// would turn other bytes into U+FFFD and store them; a form that sends them is refused.
fn is_utf8_form(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .flat_map(|pair| pair.split(|b| *b == b'='))
        .all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
}

/// The body of a form that sends nothing but its token (logout, delete).
#[derive(Deserialize)]
pub struct NoFields {}

/// Browsers say where a form was sent from; refuse what another site sent.
fn same_origin(headers: &HeaderMap) -> bool {
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if matches!(header("sec-fetch-site"), Some("cross-site" | "same-site")) {
        return false;
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, origin_host)| origin_host == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (header::HeaderName::from_static(name), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn same_origin_checks() {
        assert!(same_origin(&headers(&[])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:5000"),
            ("host", "127.0.0.1:5000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:5000")
        ])));
        assert!(!same_origin(&headers(&[("origin", "null"), ("host", "127.0.0.1:5000")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
    }

    #[test]
    fn forms_must_decode_to_utf8() {
        assert!(is_utf8_form(b"name=Cr%C3%A8me+br%C3%BBl%C3%A9e&price=3"));
        assert!(is_utf8_form(b""));
        assert!(!is_utf8_form(b"name=%FF%FE"));
        assert!(!is_utf8_form(b"%C0%80=1"));
        assert!(!is_utf8_form(b"name=%ED%A0%80"));
    }

    #[test]
    fn cookie_value_finds_our_cookie_only() {
        let id = "a".repeat(43);
        let value: &'static str = Box::leak(format!("other=1; {COOKIE_NAME}={id}").into_boxed_str());
        assert_eq!(cookie_value(&headers(&[("cookie", value)]), COOKIE_NAME), Some(id));
        assert_eq!(cookie_value(&headers(&[("cookie", "desserts_session=short")]), COOKIE_NAME), None);
    }
}
