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
    /// The kitchen it belongs to.
    pub kitchen_id: i64,
    pub name: String,
    /// Set while the menu is published at `/m/{slug}`.
    pub public_slug: Option<String>,
    pub dessert_count: i64,
    pub created_at: Timestamp,
}

/// How many desserts one form may put on a menu at once.
pub const MAX_ADDED_AT_ONCE: usize = 500;

/// A new order for a menu's desserts: each of the desserts on it exactly once.
pub fn check_order(on_menu: &[i64], wanted: &[i64]) -> Result<(), String> {
    let mut sorted_on = on_menu.to_vec();
    let mut sorted_wanted = wanted.to_vec();
    sorted_on.sort_unstable();
    sorted_wanted.sort_unstable();
    if sorted_on == sorted_wanted {
        Ok(())
    } else {
        Err(format!(
            "List each of the menu's {} desserts exactly once, in the order they should appear",
            on_menu.len()
        ))
    }
}

/// The menu's order with `dessert_id` one place earlier (`up`) or later; unchanged at
/// either end. `None` when the dessert is not on the menu.
pub fn moved(on_menu: &[i64], dessert_id: i64, up: bool) -> Option<Vec<i64>> {
    let at = on_menu.iter().position(|id| *id == dessert_id)?;
    let mut order = on_menu.to_vec();
    let other = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|n| *n < order.len())
    };
    if let Some(other) = other {
        order.swap(at, other);
    }
    Some(order)
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
    pub fn price_text(&self, currency: impl std::borrow::Borrow<super::Currency>) -> String {
        currency.borrow().money(self.price_cents)
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
    fn an_order_names_each_dessert_once() {
        assert!(check_order(&[1, 2, 3], &[3, 1, 2]).is_ok());
        assert!(check_order(&[], &[]).is_ok());
        for bad in [&[1, 2][..], &[1, 2, 3, 3], &[1, 2, 4], &[1, 1, 2]] {
            assert!(check_order(&[1, 2, 3], bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn moving_stops_at_the_ends() {
        assert_eq!(moved(&[1, 2, 3], 2, true), Some(vec![2, 1, 3]));
        assert_eq!(moved(&[1, 2, 3], 2, false), Some(vec![1, 3, 2]));
        assert_eq!(moved(&[1, 2, 3], 1, true), Some(vec![1, 2, 3]));
        assert_eq!(moved(&[1, 2, 3], 3, false), Some(vec![1, 2, 3]));
        assert_eq!(moved(&[1, 2, 3], 4, true), None);
    }

    #[test]
    fn totals_read_as_money() {
        let totals = |price_cents| MenuTotals { price_cents, calories: 0 }.price_text(super::super::Currency::DEFAULT);
        assert_eq!(totals(0), "$0.00");
        assert_eq!(totals(450), "$4.50");
        assert_eq!(totals(123_456), "$1,234.56");
        assert_eq!(totals(100_000_000), "$1,000,000.00");
    }
}
