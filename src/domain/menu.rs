//! Menus: named groups of one person's desserts.

use super::{Dessert, Timestamp, required_line};

/// A menu's name: trimmed, 1 to [`Self::MAX_CHARS`] characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuName(String);

impl MenuName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(Self(required_line(raw, "Menu name", Self::MAX_CHARS)?.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Names are unique per owner ignoring case.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// The message for a menu name the owner already uses.
pub fn menu_name_taken(name: &str) -> String {
    format!("You already have a menu named {}", name.trim())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub id: i64,
    pub name: String,
    /// Set while the menu is published at `/m/{slug}`.
    pub public_slug: Option<String>,
    pub dessert_count: i64,
    pub created_at: Timestamp,
}

/// What a menu's desserts add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MenuTotals {
    pub price_cents: i64,
    pub calories: i64,
}

impl MenuTotals {
    pub fn of(desserts: &[Dessert]) -> Self {
        Self {
            price_cents: desserts.iter().map(|d| d.price.cents()).sum(),
            calories: desserts.iter().map(|d| d.calories).sum(),
        }
    }

    /// The total price as money, `$1,234.50`: a menu may add up past one dessert's limit.
    pub fn price_text(&self) -> String {
        let dollars = (self.price_cents / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("${grouped}.{:02}", self.price_cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_name_rules() {
        assert_eq!(MenuName::parse("  Summer  ").unwrap().as_str(), "Summer");
        assert_eq!(MenuName::parse("Kids' Party").unwrap().key(), "kids' party");
        assert!(MenuName::parse("2024").is_ok(), "a year is a fine menu name");
        for bad in ["", "   ", "line\nbreak", &"x".repeat(101)] {
            assert!(MenuName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn totals_read_as_money() {
        let totals = |price_cents| MenuTotals { price_cents, calories: 0 };
        assert_eq!(totals(0).price_text(), "$0.00");
        assert_eq!(totals(450).price_text(), "$4.50");
        assert_eq!(totals(123_456).price_text(), "$1,234.56");
        assert_eq!(totals(100_000_000).price_text(), "$1,000,000.00");
    }
}
