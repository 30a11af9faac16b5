//! Settings from flags and environment.

use std::path::PathBuf;
use std::str::FromStr;

/// Where the data lives: `sqlite://desserts.db` (a file, created if missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split_once('?').map_or(path, |(path, _)| path);
            if path.is_empty() {
                return Err("an sqlite:// URL needs a file path, e.g. sqlite://desserts.db".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Err("this build of desserts does not support PostgreSQL yet; use sqlite://FILE".into());
        }
        Err(format!("unsupported database URL {raw:?}: expected sqlite://FILE"))
    }
}

/// How the web server behaves, beyond where it listens.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark the session cookie `Secure`: the server is reached over HTTPS (through a proxy).
    pub secure_cookies: bool,
    /// Take the client address from the last `X-Forwarded-For` entry: a trusted proxy sets it.
    pub trust_forwarded_for: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        assert_eq!("sqlite://desserts.db".parse(), Ok(DatabaseUrl::Sqlite("desserts.db".into())));
        assert_eq!("sqlite:///var/lib/d.db".parse(), Ok(DatabaseUrl::Sqlite("/var/lib/d.db".into())));
        assert_eq!("sqlite:d.db?mode=rwc".parse(), Ok(DatabaseUrl::Sqlite("d.db".into())));
        assert!("sqlite://".parse::<DatabaseUrl>().is_err());
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
    }
}
