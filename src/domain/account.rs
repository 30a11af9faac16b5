use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{FieldErrors, HttpUrl, required_line};

/// The form in which usernames and emails are compared: unique ignoring case. Control
/// characters, which no username or address may hold, become U+FFFD: a name typed with a
/// NUL finds no account, and no NUL reaches a query (PostgreSQL refuses it in text).
pub fn lookup_key(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c })
        .collect::<String>()
        .to_lowercase()
}

/// [`Self::MIN_CHARS`] to [`Self::MAX_CHARS`] characters of `A-Z a-z 0-9 _ . -`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 32;
    /// The characters allowed, as the API's document states them.
    pub const PATTERN: &str = "^[A-Za-z0-9_.-]+$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&raw.len()) || !raw.chars().all(allowed) {
            return Err(format!(
                "Username must be {} to {} characters: letters, digits, _ . or -",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        lookup_key(&self.0)
    }
}

/// One `@` with something on both sides, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;
    /// What [`Self::parse`] takes, as a pattern for the API's document: one `@` with
    /// something on both sides, no spaces or control characters inside.
    pub const PATTERN: &str = "^\\s*[^@\\s\\x00-\\x1f\\x7f-\\x9f]+@[^@\\s\\x00-\\x1f\\x7f-\\x9f]+\\s*$";

    pub fn parse(raw: &str) -> Result<Self, String> {
        // Counted as typed, spaces around it included, as the API's document counts.
        let typed_chars = raw.chars().count();
        let raw = raw.trim();
        let valid = match raw.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && typed_chars <= Self::MAX_CHARS
                    && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err("Enter an email address like name@example.com".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        lookup_key(&self.0)
    }
}

/// A person's display name: 1 to [`Self::MAX_CHARS`] characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(Self(required_line(raw, "Name", Self::MAX_CHARS)?.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name a person's published menus are headed by (a café's name): at most
/// [`Self::MAX_CHARS`] characters on one line; empty means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicName(String);

impl PublicName {
    pub const MAX_CHARS: usize = 80;

    /// `None` for an empty field: no public name.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        Ok(super::optional_line(raw, "Public name", Self::MAX_CHARS)?.map(|name| Self(name.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// [`Self::MIN_CHARS`] to [`Self::MAX_CHARS`] characters, taken as typed (no trimming). Kept secret so it never reaches a log.
#[derive(Debug, Clone)]
pub struct Password(SecretString);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&raw.chars().count()) {
            return Err(format!("Password must be {} to {} characters", Self::MIN_CHARS, Self::MAX_CHARS));
        }
        Ok(Self(SecretString::from(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// The sign-up form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SignupInput {
    pub username: String,
    pub email: String,
    pub name: String,
    pub password: String,
    pub avatar: String,
    /// Where to go once signed up (a page of this site, such as an invitation).
    pub next: String,
}

/// A sign-up whose every field is valid.
#[derive(Debug, Clone)]
pub struct Signup {
    pub username: Username,
    pub email: Email,
    pub name: PersonName,
    pub password: Password,
    pub avatar: Option<HttpUrl>,
}

impl SignupInput {
    pub fn parse(&self) -> Result<Signup, FieldErrors> {
        let mut errors = FieldErrors::new();
        let username = errors.take("username", Username::parse(&self.username));
        let email = errors.take("email", Email::parse(&self.email));
        let name = errors.take("name", PersonName::parse(&self.name));
        let password = errors.take("password", Password::parse(&self.password));
        let avatar = errors.take("avatar", HttpUrl::parse_optional(&self.avatar));
        match (username, email, name, password, avatar) {
            (Some(username), Some(email), Some(name), Some(password), Some(avatar)) => Ok(Signup {
                username,
                email,
                name,
                password,
                avatar,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn signup_reports_every_bad_field() {
        let input = SignupInput {
            username: "a".into(),
            email: "x".into(),
            name: "".into(),
            password: "short".into(),
            avatar: "ftp://x".into(),
            next: String::new(),
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.iter().count(), 5);
    }

    #[test]
    fn username_rules() {
        for ok in ["abc", "Ann_B.c-1", &"x".repeat(32)] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "", "has space", "émile", "semi;colon", &"x".repeat(33)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Username::parse("  Ann  ").unwrap().as_str(), "Ann");
        assert_eq!(Username::parse("Ann").unwrap().key(), "ann");
    }

    #[test]
    fn email_rules() {
        assert_eq!(Email::parse(" Ann@Example.com ").unwrap().key(), "ann@example.com");
        for bad in ["", "ann", "@example.com", "ann@", "a@b@c", "a b@c.d"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn person_name_rules() {
        assert_eq!(PersonName::parse("  Ann Lee ").unwrap().as_str(), "Ann Lee");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse("two\nlines").is_err());
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(PersonName::parse(&"é".repeat(101)).is_err());
    }

    #[test]
    fn password_length_counts_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(1024)).is_ok());
        assert!(Password::parse(&"a".repeat(1025)).is_err());
        assert_eq!(Password::parse(" spaced pass ").unwrap().expose(), " spaced pass ");
    }

    proptest! {
        #[test]
        fn every_valid_username_round_trips(raw in "[A-Za-z0-9_.-]{3,32}") {
            let name = Username::parse(&raw).unwrap();
            prop_assert_eq!(name.as_str(), raw.as_str());
        }

        #[test]
        fn username_parse_never_accepts_outside_the_alphabet(raw in ".*") {
            if let Ok(name) = Username::parse(&raw) {
                prop_assert!(name.as_str().chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
                prop_assert!((3..=32).contains(&name.as_str().len()));
            }
        }
    }
}
