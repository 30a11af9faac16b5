//! Types that parse untrusted input once. A value of one of these types obeys the
//! rules of the product contract; the parse error is the message a person sees.

mod account;
mod allergen;
mod credentials;
mod currency;
mod dessert;
mod errors;
mod http_url;
mod kitchen;
mod label;
mod listing;
mod menu;
mod photo;
mod timestamp;

pub use account::{Email, Password, PersonName, PublicName, Signup, SignupInput, Username, lookup_key};
pub use allergen::{Allergen, AllergenInfo, AllergenSet};
pub use credentials::{PasskeyName, TokenLifetime, describe_client};
pub use currency::Currency;
pub use dessert::{Calories, Dessert, DessertDraft, DessertInput, DessertName, Origin, Price};
pub use errors::FieldErrors;
pub use http_url::HttpUrl;
pub use kitchen::{Editing, Kitchen, KitchenName, Managing, NotAllowed, Role, keeps_an_owner};
pub use label::{Label, LabelName, label_name_taken, parse_label_list};
pub use listing::{AccountQuery, DessertQuery, SortDir, SortField};
pub use menu::{MAX_ADDED_AT_ONCE, Menu, MenuName, MenuTotals, check_order, menu_name_taken, moved};
pub use photo::{
    ACCEPTED_PHOTOS, EncodedImage, MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE, NewPhoto, PHOTO_LONG_SIDE, PhotoInfo, PhotoRefusal,
    PhotoSize, StoredImage, THUMBNAIL_WIDTH,
};
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
    /// What their prices are in.
    pub currency: Currency,
}

/// Trims and checks text for a single-line field: more than `max_chars` as typed (spaces
/// around it count, as the API's document counts them) or a control character (a NUL, a
/// line break) is refused with the field's own `message`; an invisible format character (Unicode
/// category Cf: bidi overrides, zero-width spaces and joiners), which could make a name
/// read as another, with [`INVISIBLE_CHARACTERS`].
fn single_line<'a>(raw: &'a str, max_chars: usize, message: &str) -> Result<&'a str, String> {
    if raw.chars().count() > max_chars || raw.chars().any(char::is_control) {
        return Err(message.into());
    }
    let trimmed = raw.trim();
    if trimmed.chars().any(is_format_character) {
        return Err(INVISIBLE_CHARACTERS.into());
    }
    Ok(trimmed)
}

/// A single-line field that must hold something: 1 to `max_chars` characters, called
/// `what` in its message ("Name must be 1 to 100 characters on one line").
fn required_line<'a>(raw: &'a str, what: &str, max_chars: usize) -> Result<&'a str, String> {
    let message = format!("{what} must be 1 to {max_chars} characters on one line");
    let line = single_line(raw, max_chars, &message)?;
    if line.is_empty() {
        return Err(message);
    }
    Ok(line)
}

/// A single-line field that may be left empty (`None`): at most `max_chars` characters.
fn optional_line<'a>(raw: &'a str, what: &str, max_chars: usize) -> Result<Option<&'a str>, String> {
    let message = format!("{what} must be at most {max_chars} characters on one line");
    let line = single_line(raw, max_chars, &message)?;
    Ok(Some(line).filter(|line| !line.is_empty()))
}

pub const INVISIBLE_CHARACTERS: &str = "Remove the invisible formatting characters (such as right-to-left marks or zero-width spaces).";

/// The format characters (Unicode category Cf, as of Unicode 16) that single-line text
/// refuses: those of the Basic Multilingual Plane, where the bidi controls, zero-width
/// spaces and joiners live. The few outside it are left alone: the tag characters among
/// them spell the flags of England, Scotland and Wales in emoji.
pub const FORMAT_CHARACTERS: &[(char, char)] = &[
    ('\u{AD}', '\u{AD}'),
    ('\u{600}', '\u{605}'),
    ('\u{61C}', '\u{61C}'),
    ('\u{6DD}', '\u{6DD}'),
    ('\u{70F}', '\u{70F}'),
    ('\u{890}', '\u{891}'),
    ('\u{8E2}', '\u{8E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
];

fn is_format_character(c: char) -> bool {
    FORMAT_CHARACTERS.iter().any(|(first, last)| (*first..=*last).contains(&c))
}

/// What single-line text may not hold, as the inside of a regular-expression character
/// class (`[^...]`): control characters, as `char::is_control` says, and
/// [`FORMAT_CHARACTERS`]. The API's document states its patterns with it.
pub fn forbidden_in_text_class() -> String {
    let mut class = String::from("\\x00-\\x1f\\x7f-\\x9f");
    for (first, last) in FORMAT_CHARACTERS {
        class.push_str(&format!("\\u{:04x}", u32::from(*first)));
        if first != last {
            class.push_str(&format!("-\\u{:04x}", u32::from(*last)));
        }
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_refuses_control_and_format_characters() {
        assert_eq!(single_line("  Crème brûlée ", 100, "m"), Ok("Crème brûlée"));
        assert_eq!(single_line("a\0b", 100, "m"), Err("m".into()));
        assert_eq!(single_line("a\nb", 100, "m"), Err("m".into()));
        for sneaky in ["evil\u{202E}gpj", "a\u{200B}b", "\u{FEFF}x", "x\u{2066}y", "soft\u{AD}hyphen"] {
            assert_eq!(single_line(sneaky, 100, "m"), Err(INVISIBLE_CHARACTERS.into()), "{sneaky:?}");
        }
        assert_eq!(single_line("Tarte \u{1F370}", 100, "m"), Ok("Tarte \u{1F370}"));
    }
}
