//! Types that parse untrusted input once. A value of one of these types obeys the
//! rules of the product contract; the parse error is the message a person sees.

mod account;
mod dessert;
mod errors;
mod http_url;
mod listing;
mod menu;
mod timestamp;

pub use account::{Email, Password, PersonName, Signup, SignupInput, Username, lookup_key};
pub use dessert::{Calories, Dessert, DessertDraft, DessertInput, DessertName, Origin, Price};
pub use errors::FieldErrors;
pub use http_url::HttpUrl;
pub use listing::{DessertQuery, SortDir, SortField};
pub use menu::{Menu, MenuName, MenuTotals, menu_name_taken};
pub use timestamp::Timestamp;

/// An account as the application shows it: never with its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    pub avatar: Option<String>,
    pub created_at: Timestamp,
}

/// Trims and rejects control characters, which no single-line field should hold.
fn single_line(raw: &str) -> Option<&str> {
    let trimmed = raw.trim();
    (!trimmed.chars().any(char::is_control)).then_some(trimmed)
}
