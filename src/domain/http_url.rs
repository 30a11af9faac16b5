use std::fmt;

/// An absolute `http` or `https` URL of at most 500 characters, stored normalised so
/// that it can be put in an attribute as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// As typed (trimmed); the stored form, normalised, may differ by a character or two.
    pub const MAX_CHARS: usize = 500;

    /// What an accepted URL looks like, as typed: `http` or `https`, a host name whose last
    /// label starts with a letter or an IPv4 address, a port of up to four digits, and a
    /// path, query and fragment of the characters a URL keeps unencoded. The API's document
    /// states the same pattern, so what it calls valid the server takes as it is.
    pub const PATTERN: &str = concat!(
        r"^\s*https?://",
        r"(?:(?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))",
        r"(?::[1-9][0-9]{0,3})?",
        r"(?:[/?#][A-Za-z0-9._~!$&'()*+,;=:@/?#%-]*)?\s*$"
    );

    pub fn parse(raw: &str) -> Result<Self, String> {
        const MESSAGE: &str = "Enter a full web address starting with http:// or https://";
        // Counted as typed, spaces around it included, as the API's document counts.
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(format!("Web address must be at most {} characters", Self::MAX_CHARS));
        }
        static SHAPE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| regex::Regex::new(HttpUrl::PATTERN).ok());
        if !SHAPE.as_ref().is_some_and(|shape| shape.is_match(raw)) {
            return Err(MESSAGE.into());
        }
        let raw = raw.trim();
        let url = url::Url::parse(raw).map_err(|_| MESSAGE.to_string())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(MESSAGE.into());
        }
        Ok(Self(String::from(url)))
    }

    /// Empty input means "no URL".
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(raw).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https() {
        assert_eq!(
            HttpUrl::parse(" https://example.com/a.png ").unwrap().as_str(),
            "https://example.com/a.png"
        );
        assert!(HttpUrl::parse("http://example.com").is_ok());
        assert!(HttpUrl::parse("http://127.0.0.1:8080/a?b=c#d").is_ok());
        assert!(regex::Regex::new(HttpUrl::PATTERN).is_ok());
    }

    #[test]
    fn rejects_what_the_pattern_does_not_describe() {
        for raw in [
            "http://a*/",
            "http://[",
            "http://999.1.1.1/",
            "http://a.1/",
            "http://ex ample.com",
            "http://a.com/\"<x>",
            "http://a.com:123456",
        ] {
            assert!(HttpUrl::parse(raw).is_err(), "{raw} should be rejected");
        }
    }

    #[test]
    fn rejects_other_schemes_and_relative_urls() {
        for raw in [
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://example.com/x",
            "/images/a.png",
            "example.com",
            "https://",
            "",
        ] {
            assert!(HttpUrl::parse(raw).is_err(), "{raw} should be rejected");
        }
    }

    #[test]
    fn rejects_long_urls() {
        let long = format!("https://example.com/{}", "a".repeat(500));
        assert!(HttpUrl::parse(&long).is_err());
        let fits = format!("https://example.com/{}", "a".repeat(500 - 20));
        assert!(HttpUrl::parse(&fits).is_ok());
    }

    #[test]
    fn optional_treats_blank_as_none() {
        assert_eq!(HttpUrl::parse_optional("  ").unwrap(), None);
    }
}
