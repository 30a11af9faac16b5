use std::fmt;

const MAX_LEN: usize = 500;

/// An absolute `http` or `https` URL of at most 500 characters, stored normalised so
/// that it can be put in an attribute as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        const MESSAGE: &str = "Enter a full web address starting with http:// or https://";
        let raw = raw.trim();
        let url = url::Url::parse(raw).map_err(|_| MESSAGE.to_string())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(MESSAGE.into());
        }
        let normalised = String::from(url);
        if normalised.chars().count() > MAX_LEN {
            return Err(format!("Web address must be at most {MAX_LEN} characters"));
        }
        Ok(Self(normalised))
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
