use std::fmt;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A moment in UTC, stored as whole seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// `2026-11-24T09:30:00Z`
    pub fn rfc3339(self) -> String {
        self.datetime().format(&Rfc3339).unwrap_or_default()
    }

    /// `24 Nov 2026 at 09:30 UTC`: a moment as a message tells it.
    pub fn date_and_time(self) -> String {
        let at = self.datetime();
        format!("{self} at {:02}:{:02} UTC", at.hour(), at.minute())
    }

    /// Reads what [`Timestamp::rfc3339`] writes (any offset; fractions of a second dropped).
    pub fn parse_rfc3339(raw: &str) -> Result<Self, String> {
        OffsetDateTime::parse(raw, &Rfc3339)
            .map(|at| Self(at.unix_timestamp()))
            .map_err(|_| format!("{raw:?} is not an RFC 3339 time like 2026-11-24T09:30:00Z"))
    }
}

/// `24 Nov 2026`: how pages show a date.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let date = self.datetime().date();
        let month = MONTHS[usize::from(u8::from(date.month())) - 1];
        write!(f, "{} {month} {}", date.day(), date.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = Timestamp(1_795_512_600);
        assert_eq!(t.rfc3339(), "2026-11-24T09:30:00Z");
        assert_eq!(t.to_string(), "24 Nov 2026");
        assert_eq!(t.date_and_time(), "24 Nov 2026 at 09:30 UTC");
        assert_eq!(Timestamp::parse_rfc3339(&t.rfc3339()), Ok(t));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-24T10:30:00+01:00"), Ok(t));
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
    }
}
