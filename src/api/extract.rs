//! What API handlers take from a request, each failing in the API's JSON error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::Error;
use crate::domain::{Editing, FieldErrors, Kitchen, User, describe_client};
use crate::state::AppState;
use crate::store::{self, api_tokens, kitchens};
use crate::tokens::token_hash;

/// A JSON object body, sent as `application/json`, at most 64 KiB (the app's body limit).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = crate::state::media_type(request.headers())
            .is_some_and(|mime| mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")));
        if !is_json {
            return Err(Error::UnsupportedMediaType(super::error::SEND_JSON));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::BadRequest("The body could not be read.".into())
            }
        })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| Error::BadRequest(format!("The body is not valid JSON: {e}.")))?;
        if !value.is_object() {
            return Err(Error::BadRequest("The body must be a JSON object.".into()));
        }
        // Every field of a body type is a `Field`, which takes any JSON value, so this fails
        // only on a type that is not made that way.
        T::deserialize(value)
            .map(JsonBody)
            .map_err(|e| Error::BadRequest(format!("The body does not fit: {e}.")))
    }
}

/// One member of a JSON body: absent, or present with any value (`null` included). Its
/// type is checked when it is read, so that a wrong type is a field error (422), not a
/// malformed body (400).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field {
    #[default]
    Missing,
    Present(Value),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::Present)
    }
}

impl Field {
    pub fn is_present(&self) -> bool {
        matches!(self, Self::Present(_))
    }

    /// The text as the domain parser takes it: absent and `null` are empty.
    pub fn text(&self, errors: &mut FieldErrors, name: &'static str) -> String {
        match self {
            Self::Missing | Self::Present(Value::Null) => String::new(),
            Self::Present(Value::String(text)) => text.clone(),
            Self::Present(_) => {
                errors.add(name, format!("{} must be a string", label(name)));
                String::new()
            }
        }
    }

    /// A number, written out as the decimal text the domain parser takes.
    pub fn number(&self, errors: &mut FieldErrors, name: &'static str) -> String {
        match self {
            Self::Missing | Self::Present(Value::Null) => String::new(),
            // 582.0 is the whole number 582 (JSON has one number type); the parsers
            // take it as such.
            Self::Present(Value::Number(number)) => match number.as_f64() {
                Some(value) if number.is_f64() && value.fract() == 0.0 && value.abs() < 1e15 => format!("{}", value as i64),
                _ => number.to_string(),
            },
            Self::Present(_) => {
                errors.add(name, format!("{} must be a number", label(name)));
                String::new()
            }
        }
    }

    /// A list of strings: `None` for absent or `null`; anything but an array of strings is a
    /// field error (and an empty list).
    pub fn strings(&self, errors: &mut FieldErrors, name: &'static str) -> Option<Vec<String>> {
        match self {
            Self::Missing | Self::Present(Value::Null) => None,
            Self::Present(Value::Array(items)) if items.iter().all(Value::is_string) => {
                Some(items.iter().filter_map(|item| item.as_str().map(str::to_string)).collect())
            }
            Self::Present(_) => {
                errors.add(name, format!("{} must be a list of strings", label(name)));
                Some(Vec::new())
            }
        }
    }

    /// A list of ids (whole numbers): anything else, absent and `null` included, is a field
    /// error (and an empty list).
    pub fn ids(&self, errors: &mut FieldErrors, name: &'static str) -> Vec<i64> {
        match self {
            Self::Present(Value::Array(items)) if items.iter().all(|item| item.as_i64().is_some()) => {
                items.iter().filter_map(Value::as_i64).collect()
            }
            _ => {
                errors.add(name, format!("{} must be a list of ids", label(name)));
                Vec::new()
            }
        }
    }

    /// A boolean: absent is false, and `null` is no boolean.
    pub fn flag(&self, errors: &mut FieldErrors, name: &'static str) -> bool {
        match self {
            Self::Missing => false,
            Self::Present(Value::Bool(flag)) => *flag,
            Self::Present(_) => {
                errors.add(name, format!("{} must be true or false", label(name)));
                false
            }
        }
    }
}

/// "image_url" → "Image url": how a field is named in a message.
fn label(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The caller of an authenticated route, by their bearer token, with their personal
/// kitchen (read with the token, in the same query).
pub struct Caller {
    pub user: User,
    pub personal: Kitchen,
    pub token_hash: String,
}

impl Caller {
    /// The kitchen a list or a creation works in: the one `kitchen` names, where the caller
    /// is a member (another kitchen is as unknown as a missing one: 404), else their
    /// personal kitchen.
    pub async fn kitchen(&self, state: &AppState, wanted: KitchenParam) -> Result<Kitchen, Error> {
        match wanted.0 {
            None => Ok(self.personal.clone()),
            Some(id) if id == self.personal.id => Ok(self.personal.clone()),
            Some(id) => kitchens::find(&state.store, self.user.id, id).await?.ok_or(Error::NotFound),
        }
    }
}

/// The optional `kitchen` of the query string: which kitchen a request works in. On the
/// routes of one dessert, label or menu it must be that one's kitchen when given.
#[derive(Debug, Clone, Copy, Default)]
pub struct KitchenParam(pub Option<i64>);

impl KitchenParam {
    /// 404 when `kitchen` names another kitchen than `kitchen_id`, the one of what was found.
    pub fn must_match(self, kitchen_id: i64) -> Result<(), Error> {
        match self.0 {
            Some(id) if id != kitchen_id => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// What a route of one dessert or menu found, with its kitchen, in a kitchen of the
    /// caller's that `kitchen` (when given) names: 404 otherwise.
    pub fn found<T>(self, found: Option<(T, Kitchen)>) -> Result<(T, Kitchen), Error> {
        let (item, kitchen) = found.ok_or(Error::NotFound)?;
        self.must_match(kitchen.id)?;
        Ok((item, kitchen))
    }

    /// The kitchen of what a route changes, as [`KitchenParam::found`] takes it, where the
    /// caller may change it: 403 for a viewer.
    pub fn editing(self, kitchen: Option<Kitchen>) -> Result<Editing, Error> {
        let kitchen = kitchen.ok_or(Error::NotFound)?;
        self.must_match(kitchen.id)?;
        Ok(kitchen.editing()?)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for KitchenParam {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map_err(|_| Error::BadRequest("The query string is malformed.".into()))?;
        match pairs.iter().rev().find(|(key, _)| key == "kitchen") {
            None => Ok(Self(None)),
            Some((_, raw)) => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(|id| Self(Some(id)))
                .ok_or_else(|| Error::Validation(FieldErrors::single("kitchen", "kitchen must be the id of one of your kitchens"))),
        }
    }
}

/// The `kitchen` parameter, for the document.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct KitchenParams {
    /// The id of a kitchen you are a member of; your personal kitchen when absent. On the
    /// routes of one dessert, label or menu, when given it must be that one's kitchen.
    #[param(minimum = 1)]
    kitchen: Option<i64>,
}

/// Who sent a request, described briefly from its `User-Agent` ("curl").
pub struct ClientDescription(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientDescription {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let user_agent = parts.headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok());
        Ok(Self(describe_client(user_agent.unwrap_or_default())))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        const REFUSED: &str = "Send a valid API token: Authorization: Bearer <token>.";
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or(Error::Unauthorized(REFUSED))?;
        let (scheme, token) = header.trim().split_once(' ').ok_or(Error::Unauthorized(REFUSED))?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > 200 {
            return Err(Error::Unauthorized(REFUSED));
        }
        let token_hash = token_hash(token);
        let now = store::now();
        let (user, personal, used) = api_tokens::user_for(&state.store, &token_hash, now)
            .await?
            .ok_or(Error::Unauthorized(REFUSED))?;
        // The last use is kept to the hour: a write an hour per token, not one a request.
        if used.is_stale(now)
            && let Err(error) = api_tokens::touch(&state.store, used.id, now).await
        {
            tracing::warn!(%error, "could not note a token's use");
        }
        Ok(Self {
            user,
            personal,
            token_hash,
        })
    }
}

/// An id in the path. Anything that is not a positive integer names nothing: 404.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        raw.parse::<i64>().ok().filter(|id| *id > 0).map(Id).ok_or(Error::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_their_types_and_name_the_wrong_ones() {
        let mut errors = FieldErrors::new();
        assert_eq!(Field::Present(Value::from(4.5)).number(&mut errors, "price"), "4.5");
        assert_eq!(Field::Present(Value::from(300)).number(&mut errors, "calories"), "300");
        assert_eq!(Field::Present(Value::from(582.0)).number(&mut errors, "calories"), "582");
        // Read exactly: the double next to 1.36 is not 1.36, and its price is refused.
        let near: Value = serde_json::from_str("1.3599999999999999").unwrap();
        assert_eq!(Field::Present(near).number(&mut errors, "price"), "1.3599999999999999");
        assert_eq!(Field::Missing.text(&mut errors, "name"), "");
        assert_eq!(Field::Present(Value::Null).text(&mut errors, "origin"), "");
        assert!(Field::Present(Value::Bool(true)).flag(&mut errors, "liked"));
        assert!(errors.is_empty());
        Field::Present(Value::from("4.50")).number(&mut errors, "price");
        Field::Present(Value::from(3)).text(&mut errors, "image_url");
        Field::Present(Value::from("yes")).flag(&mut errors, "liked");
        assert_eq!(errors.get("price"), Some("Price must be a number"));
        assert_eq!(errors.get("image_url"), Some("Image url must be a string"));
        assert_eq!(errors.get("liked"), Some("Liked must be true or false"));
    }
}
