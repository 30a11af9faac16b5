//! What people see of their own credentials: which client a session or token was made
//! from, how long a new API token lives, and what a passkey is called.

use super::required_line;

/// What a person calls one of their passkeys ("Phone", "Work laptop"): trimmed, 1 to
/// [`Self::MAX_CHARS`] characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(Self(required_line(raw, "Passkey name", Self::MAX_CHARS)?.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long an API token works: a number of days, or until it is revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime(Option<i64>);

impl TokenLifetime {
    /// A token asked for without a lifetime works this long.
    pub const DEFAULT_DAYS: i64 = 90;
    /// The longest lifetime in days that can be asked for (about ten years); `null` asks for
    /// a token that never expires.
    pub const MAX_DAYS: i64 = 3650;
    pub const MESSAGE: &str = "Expires in days must be a whole number of days from 1 to 3650, or null for a token that never expires";

    pub const DEFAULT: Self = Self(Some(Self::DEFAULT_DAYS));
    pub const NEVER: Self = Self(None);

    /// Reads a number of days as typed (`"30"`): a whole number from 1 to [`Self::MAX_DAYS`].
    pub fn days(raw: &str) -> Result<Self, &'static str> {
        match raw.trim().parse::<i64>() {
            Ok(days) if (1..=Self::MAX_DAYS).contains(&days) => Ok(Self(Some(days))),
            _ => Err(Self::MESSAGE),
        }
    }

    /// When a token made at `now` stops working; `None`: never.
    pub fn expires_at(self, now: i64) -> Option<i64> {
        self.0.map(|days| now + days * 24 * 60 * 60)
    }
}

/// A short, safe description of a client from its `User-Agent` header, such as
/// "Firefox on Linux" or "curl": enough for a person to recognise their own devices, and
/// nothing a browser could be fingerprinted by. Only ASCII letters, digits, spaces and
/// `. - _` can come out of it, at most 40 characters of the client's own words.
pub fn describe_client(user_agent: &str) -> String {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: &[(&str, &str)] = &[
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map(|(_, name)| *name);
    let system = SYSTEMS
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_string(),
        (None, system) => {
            // A program rather than a browser: its product name, "curl/8.5.0" → "curl".
            let product: String = user_agent
                .split(['/', ' '])
                .next()
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .take(40)
                .collect();
            match (product.is_empty(), system) {
                (true, Some(system)) => format!("A browser on {system}"),
                (true, None) => "An unknown client".to_string(),
                (false, Some(system)) => format!("{product} on {system}"),
                (false, None) => product,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        assert_eq!(TokenLifetime::days("30"), Ok(TokenLifetime(Some(30))));
        assert_eq!(TokenLifetime::days("3650"), Ok(TokenLifetime(Some(3650))));
        for refused in ["0", "-1", "3651", "1.5", "", "x", "99999999999999999999"] {
            assert_eq!(TokenLifetime::days(refused), Err(TokenLifetime::MESSAGE), "{refused}");
        }
        assert_eq!(TokenLifetime::DEFAULT.expires_at(1000), Some(1000 + 90 * 86_400));
        assert_eq!(TokenLifetime::NEVER.expires_at(1000), None);
    }

    #[test]
    fn clients_are_described_briefly() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
                "Edge on Windows",
            ),
            ("curl/8.5.0", "curl"),
            ("python-requests/2.32", "python-requests"),
            ("", "An unknown client"),
            ("\u{0}\u{202e}<script>", "script"),
            ("<>", "An unknown client"),
        ];
        for (agent, described) in cases {
            assert_eq!(describe_client(agent), described, "{agent}");
        }
        assert_eq!(describe_client(&"a".repeat(10_000)).len(), 40);
    }
}
