use std::fmt;

use serde::Deserialize;

use super::{AllergenInfo, AllergenSet, FieldErrors, HttpUrl, LabelName, Timestamp, optional_line, required_line};

/// A dessert's name: trimmed, 1 to [`Self::MAX_CHARS`] characters, not digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertName(String);

impl DessertName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = required_line(raw, "Name", Self::MAX_CHARS)?;
        if name.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
            return Err("Name cannot be only digits".into());
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Names are unique per owner ignoring case.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Money in whole cents, from 0 to 10000.00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Price(i64);

impl Price {
    pub const MAX_CENTS: i64 = 1_000_000;
    const MESSAGE: &str = "Price must be a number from 0 to 10000 with at most 2 decimals";

    /// Accepts `5`, `5.5`, `5.50`, `.5`, the same with a decimal comma (`4,50`, as much of
    /// the world writes it), and an optional leading `$`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let digits = raw.strip_prefix('$').unwrap_or(raw);
        // One separator, a point or a comma; "1,234.50" is not a price this takes.
        let (whole, fraction) = match (digits.split_once('.'), digits.split_once(',')) {
            (Some(_), Some(_)) => return Err(Self::MESSAGE.into()),
            (Some(parts), None) | (None, Some(parts)) => parts,
            (None, None) => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 || whole.len() > 7
        {
            return Err(Self::MESSAGE.into());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| Self::MESSAGE)?
        };
        let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| Self::MESSAGE)?;
        Self::from_cents(whole * 100 + fraction)
    }

    pub fn from_cents(cents: i64) -> Result<Self, String> {
        if (0..=Self::MAX_CENTS).contains(&cents) {
            Ok(Self(cents))
        } else {
            Err(Self::MESSAGE.into())
        }
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// As money in `currency` (by value or, from a template, by reference): `$4.50`, `€4.50`.
    pub fn text(self, currency: impl std::borrow::Borrow<super::Currency>) -> String {
        currency.borrow().money(self.0)
    }

    /// `5.00`: the form a person types back into a form.
    pub fn decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A whole number of calories from 0 to 10000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calories(i64);

impl Calories {
    pub const MAX: i64 = 10_000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| Self::new(n).ok())
            .ok_or_else(|| "Calories must be a whole number from 0 to 10000".into())
    }

    pub fn new(value: i64) -> Result<Self, String> {
        if (0..=Self::MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err("Calories must be a whole number from 0 to 10000".into())
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }
}

/// Where a dessert comes from: optional, at most [`Self::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub const MAX_CHARS: usize = 100;

    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        Ok(optional_line(raw, "Origin", Self::MAX_CHARS)?.map(|origin| Self(origin.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The dessert form as typed: every field a string, nothing trusted yet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DessertInput {
    pub name: String,
    pub price: String,
    pub calories: String,
    pub origin: String,
    pub image_url: String,
    /// A checkbox: present (`on`) when ticked, absent otherwise.
    pub liked: Option<String>,
    /// A checkbox: the allergen information is complete (the ticked `allergens` are all).
    pub allergens_declared: Option<String>,
    /// The codes of the allergens ticked.
    pub allergens: Vec<String>,
    /// The codes of the allergens it may contain traces of.
    pub traces: Vec<String>,
    /// Label names, separated by commas.
    pub labels: String,
    /// On the edit form, a checkbox: the photo is to go.
    pub remove_photo: Option<String>,
}

impl DessertInput {
    pub fn parse(&self) -> Result<DessertDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", DessertName::parse(&self.name));
        let price = errors.take("price", Price::parse(&self.price));
        let calories = errors.take("calories", Calories::parse(&self.calories));
        let origin = errors.take("origin", Origin::parse_optional(&self.origin));
        let image_url = errors.take("image_url", HttpUrl::parse_optional(&self.image_url));
        let allergens = errors.take("allergens", self.allergen_info());
        let labels = errors.take("labels", super::parse_label_list(&self.labels));
        match (name, price, calories, origin, image_url, allergens, labels) {
            (Some(name), Some(price), Some(calories), Some(origin), Some(image_url), Some(allergens), Some(labels))
                if errors.is_empty() =>
            {
                Ok(DessertDraft {
                    name,
                    price,
                    calories,
                    origin,
                    image_url,
                    liked: self.liked.is_some(),
                    allergens,
                    labels,
                })
            }
            _ => Err(errors),
        }
    }

    /// The allergens ticked count only when the information is declared complete; the
    /// traces count either way.
    fn allergen_info(&self) -> Result<AllergenInfo, String> {
        let contains = AllergenSet::parse_codes(self.allergens.iter().map(String::as_str))?;
        let traces = AllergenSet::parse_codes(self.traces.iter().map(String::as_str))?;
        AllergenInfo::new(self.allergens_declared.is_some().then_some(contains), traces)
    }

    /// Whether the form shows `allergen` ticked among those contained (`traces`: among the
    /// traces): for the checkboxes.
    pub fn ticks(&self, code: &str, traces: bool) -> bool {
        let list = if traces { &self.traces } else { &self.allergens };
        list.iter().any(|ticked| ticked == code)
    }

    /// The form pre-filled from a stored dessert.
    pub fn from_dessert(dessert: &Dessert) -> Self {
        Self {
            name: dessert.name.clone(),
            price: dessert.price.decimal(),
            calories: dessert.calories.to_string(),
            origin: dessert.origin.clone().unwrap_or_default(),
            image_url: dessert.image_url.clone().unwrap_or_default(),
            liked: dessert.liked.then(|| "on".to_string()),
            allergens_declared: dessert.allergens.is_declared().then(|| "on".to_string()),
            allergens: dessert
                .allergens
                .contains
                .unwrap_or_default()
                .codes()
                .into_iter()
                .map(str::to_string)
                .collect(),
            traces: dessert.allergens.traces.codes().into_iter().map(str::to_string).collect(),
            labels: dessert.labels.join(", "),
            remove_photo: None,
        }
    }
}

/// A dessert's fields, every one valid: what may be written to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertDraft {
    pub name: DessertName,
    pub price: Price,
    pub calories: Calories,
    pub origin: Option<Origin>,
    pub image_url: Option<HttpUrl>,
    pub liked: bool,
    pub allergens: AllergenInfo,
    /// Its labels; a name its owner has no label by yet makes one.
    pub labels: Vec<LabelName>,
}

/// A stored dessert. Code reaches one only through its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dessert {
    pub id: i64,
    /// The kitchen it belongs to.
    pub kitchen_id: i64,
    pub name: String,
    pub price: Price,
    pub calories: i64,
    pub origin: Option<String>,
    pub image_url: Option<String>,
    pub liked: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The uploaded photo, if there is one; shown rather than `image_url` when both are.
    pub photo: Option<super::PhotoInfo>,
    pub allergens: AllergenInfo,
    /// Its labels' names, in alphabetical order ignoring case.
    pub labels: Vec<String>,
}

impl Dessert {
    /// Calories per dollar in hundredths, rounded half up; none when the dessert is free.
    pub fn calories_per_dollar_hundredths(&self) -> Option<i64> {
        let cents = self.price.cents();
        (cents > 0).then(|| (self.calories * 10_000 * 2 + cents) / (2 * cents))
    }

    pub fn calories_per_dollar(&self) -> Option<f64> {
        self.calories_per_dollar_hundredths().map(|h| h as f64 / 100.0)
    }

    /// `12.50`, or `—` when the price is 0.
    pub fn calories_per_dollar_text(&self) -> String {
        match self.calories_per_dollar_hundredths() {
            Some(h) => format!("{}.{:02}", h / 100, h % 100),
            None => "—".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dessert_name_rules() {
        assert_eq!(DessertName::parse("  Tiramisu ").unwrap().as_str(), "Tiramisu");
        assert_eq!(DessertName::parse("Crème Brûlée").unwrap().key(), "crème brûlée");
        assert!(DessertName::parse("7 Layer Cake").is_ok());
        for bad in ["", "   ", "123", "12 34", "tab\there", &"x".repeat(101)] {
            assert!(DessertName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn price_parses_to_exact_cents() {
        for (raw, cents) in [
            ("0", 0),
            ("5", 500),
            ("5.5", 550),
            ("5.05", 505),
            (".5", 50),
            ("$3.99", 399),
            ("10000", 1_000_000),
            ("10000.00", 1_000_000),
            ("4,50", 450),
            ("4,5", 450),
            (",5", 50),
        ] {
            assert_eq!(Price::parse(raw).unwrap().cents(), cents, "{raw}");
        }
        for bad in [
            "",
            ".",
            "-1",
            "5.555",
            "3.14159",
            "10000.01",
            "abc",
            "1e3",
            "1,000",
            "1,234.50",
            "4,5,0",
            ",",
            "5 .5",
            "99999999999999999999",
        ] {
            assert!(Price::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn price_displays_as_money() {
        assert_eq!(Price::parse("5").unwrap().to_string(), "$5.00");
        assert_eq!(Price::parse("0.07").unwrap().decimal(), "0.07");
    }

    #[test]
    fn calories_rules() {
        assert_eq!(Calories::parse(" 250 ").unwrap().value(), 250);
        for bad in ["", "-1", "10001", "2.5", "abc"] {
            assert!(Calories::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn origin_is_optional_and_bounded() {
        assert_eq!(Origin::parse_optional("  ").unwrap(), None);
        assert_eq!(Origin::parse_optional(" Italy ").unwrap().unwrap().as_str(), "Italy");
        assert!(Origin::parse_optional(&"x".repeat(101)).is_err());
    }

    #[test]
    fn input_reports_every_bad_field() {
        let input = DessertInput {
            name: "42".into(),
            price: "x".into(),
            calories: "-3".into(),
            image_url: "javascript:x".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        for field in ["name", "price", "calories", "image_url"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(errors.get("origin").is_none());
    }

    fn dessert(cents: i64, calories: i64) -> Dessert {
        Dessert {
            kitchen_id: 1,
            id: 1,
            name: "x".into(),
            price: Price::from_cents(cents).unwrap(),
            calories,
            origin: None,
            image_url: None,
            liked: false,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            photo: None,
            allergens: AllergenInfo::default(),
            labels: Vec::new(),
        }
    }

    #[test]
    fn calories_per_dollar_rounds_to_two_decimals() {
        assert_eq!(dessert(400, 100).calories_per_dollar_text(), "25.00");
        assert_eq!(dessert(300, 100).calories_per_dollar_text(), "33.33");
        assert_eq!(dessert(600, 100).calories_per_dollar_text(), "16.67");
        assert_eq!(dessert(0, 100).calories_per_dollar_text(), "—");
        assert_eq!(dessert(0, 100).calories_per_dollar(), None);
    }

    proptest! {
        #[test]
        fn every_price_round_trips_through_its_decimal(cents in 0i64..=Price::MAX_CENTS) {
            let price = Price::from_cents(cents).unwrap();
            prop_assert_eq!(Price::parse(&price.decimal()).unwrap(), price);
            prop_assert_eq!(Price::parse(&price.to_string()).unwrap(), price);
        }

        #[test]
        fn price_parse_never_panics_and_stays_in_range(raw in ".{0,20}") {
            if let Ok(price) = Price::parse(&raw) {
                prop_assert!((0..=Price::MAX_CENTS).contains(&price.cents()));
            }
        }

        #[test]
        fn calories_per_dollar_matches_float_rounding(cents in 1i64..=Price::MAX_CENTS, calories in 0i64..=10_000) {
            let exact = calories as f64 / (cents as f64 / 100.0);
            let got = dessert(cents, calories).calories_per_dollar().unwrap();
            prop_assert!((got - exact).abs() <= 0.005 + 1e-9);
        }
    }
}
