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

/// Trims and checks text for a single-line field: a control character (a NUL, a line
/// break) is refused with the field's own `message`; an invisible format character (Unicode
/// category Cf: bidi overrides, zero-width spaces and joiners), which could make a name
/// read as another, with [`INVISIBLE_CHARACTERS`].
fn single_line<'a>(raw: &'a str, message: &'static str) -> Result<&'a str, &'static str> {
    let trimmed = raw.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(message);
    }
    if trimmed.chars().any(is_format_character) {
        return Err(INVISIBLE_CHARACTERS);
    }
    Ok(trimmed)
}

pub const INVISIBLE_CHARACTERS: &str = "Remove the invisible formatting characters (such as right-to-left marks or zero-width spaces).";

/// Unicode's general category Cf (format characters), as of Unicode 16.
fn is_format_character(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_refuses_control_and_format_characters() {
        assert_eq!(single_line("  Crème brûlée ", "m"), Ok("Crème brûlée"));
        assert_eq!(single_line("a\0b", "m"), Err("m"));
        assert_eq!(single_line("a\nb", "m"), Err("m"));
        for sneaky in ["evil\u{202E}gpj", "a\u{200B}b", "\u{FEFF}x", "x\u{2066}y", "soft\u{AD}hyphen"] {
            assert_eq!(single_line(sneaky, "m"), Err(INVISIBLE_CHARACTERS), "{sneaky:?}");
        }
        assert_eq!(single_line("Tarte \u{1F370}", "m"), Ok("Tarte \u{1F370}"));
    }
}
