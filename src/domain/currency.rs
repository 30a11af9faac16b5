//! The currency a person's prices are in: shown wherever a price is, never converted.

/// One of the currencies with two decimals that the app shows prices in, by ISO 4217 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Currency(usize);

/// Code, English name, and the sign written before an amount (`None`: the code and a space).
const KNOWN: [(&str, &str, Option<&str>); 18] = [
    ("USD", "US dollar", Some("$")),
    ("EUR", "Euro", Some("€")),
    ("GBP", "Pound sterling", Some("£")),
    ("CHF", "Swiss franc", None),
    ("CAD", "Canadian dollar", Some("CA$")),
    ("AUD", "Australian dollar", Some("A$")),
    ("NZD", "New Zealand dollar", Some("NZ$")),
    ("SEK", "Swedish krona", None),
    ("NOK", "Norwegian krone", None),
    ("DKK", "Danish krone", None),
    ("PLN", "Polish złoty", None),
    ("CZK", "Czech koruna", None),
    ("MXN", "Mexican peso", Some("MX$")),
    ("BRL", "Brazilian real", Some("R$")),
    ("INR", "Indian rupee", Some("₹")),
    ("ZAR", "South African rand", None),
    ("SGD", "Singapore dollar", Some("S$")),
    ("HKD", "Hong Kong dollar", Some("HK$")),
];

impl Currency {
    /// US dollars: what every account starts with, as prices were before there was a choice.
    pub const DEFAULT: Self = Self(0);

    /// Every currency offered, in the order of the setting's list.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..KNOWN.len()).map(Self)
    }

    /// An ISO 4217 code of [`Self::all`], in capitals as stored; any other is refused.
    pub fn parse(code: &str) -> Result<Self, String> {
        KNOWN
            .iter()
            .position(|(known, _, _)| *known == code.trim())
            .map(Self)
            .ok_or_else(|| "Choose one of the currencies in the list".to_string())
    }

    pub fn code(self) -> &'static str {
        KNOWN[self.0].0
    }

    pub fn name(self) -> &'static str {
        KNOWN[self.0].1
    }

    /// What an amount is written with: `$`, `€`, or the code (`CHF`).
    pub fn sign(self) -> &'static str {
        KNOWN[self.0].2.unwrap_or(KNOWN[self.0].0)
    }

    /// `cents` as money: `$4.50`, `€1,234.50`, `CHF 4.50`.
    pub fn money(self, cents: i64) -> String {
        let units = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        let space = if KNOWN[self.0].2.is_some() { "" } else { " " };
        format!("{}{space}{grouped}.{:02}", self.sign(), cents % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_known_ones_only() {
        assert_eq!(Currency::parse("EUR").unwrap().name(), "Euro");
        assert_eq!(Currency::parse(" GBP ").unwrap().code(), "GBP");
        for bad in ["", "eur", "XXX", "US", "USD\0", "€"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Currency::default(), Currency::DEFAULT);
        assert_eq!(Currency::DEFAULT.code(), "USD");
        assert!(Currency::all().all(|c| Currency::parse(c.code()) == Ok(c)));
    }

    #[test]
    fn amounts_read_as_money() {
        let code = |code| Currency::parse(code).unwrap();
        assert_eq!(code("USD").money(450), "$4.50");
        assert_eq!(code("EUR").money(123_456), "€1,234.56");
        assert_eq!(code("CHF").money(5), "CHF 0.05");
        assert_eq!(code("USD").money(100_000_000), "$1,000,000.00");
        assert_eq!(code("USD").money(0), "$0.00");
    }
}
