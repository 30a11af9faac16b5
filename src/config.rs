//! Settings from flags and environment.

use std::path::PathBuf;
use std::str::FromStr;

/// Where the data lives: `sqlite://desserts.db` (a file, created if missing) or
/// `postgres://user@host/database`. Debug output never shows a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(Box<tokio_postgres::Config>),
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
            return raw
                .parse()
                .map(|config| Self::Postgres(Box::new(config)))
                .map_err(|e| format!("invalid PostgreSQL URL: {e}"));
        }
        // The URL may hold a password: name only its scheme.
        let scheme = raw.split_once(':').map_or("", |(scheme, _)| scheme);
        Err(format!(
            "unsupported database URL (scheme {scheme:?}): expected sqlite://FILE or postgres://USER@HOST/DATABASE"
        ))
    }
}

/// How the web server behaves, beyond where it listens.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark the session cookie `Secure`: the server is reached over HTTPS (through a proxy).
    pub secure_cookies: bool,
    /// Take the client address from the last `X-Forwarded-For` entry: a trusted proxy sets it.
    pub trust_forwarded_for: bool,
    /// Where mail goes and the base of the links in it.
    pub mail: crate::mail::MailSettings,
    /// Open connections to accept at most; `None`: the default.
    pub max_connections: Option<usize>,
    /// `DESSERTS_PUBLIC_URL`, when set: the base of public links (and QR codes) in place of
    /// the address a request arrived at.
    pub public_url: Option<String>,
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

    #[test]
    fn postgres_urls() {
        let Ok(DatabaseUrl::Postgres(config)) = "postgres://ann:secret@db.example:6432/menu".parse() else {
            panic!("a PostgreSQL URL parses");
        };
        assert_eq!(config.get_dbname(), Some("menu"));
        assert_eq!(config.get_ports(), &[6432]);
        assert!(!format!("{:?}", DatabaseUrl::Postgres(config)).contains("secret"));
        assert!("postgresql://localhost/menu".parse::<DatabaseUrl>().is_ok());
        let refused = "postgres://ann:secret@db.example:notaport/menu".parse::<DatabaseUrl>().unwrap_err();
        assert!(!refused.contains("secret"), "{refused}");
        let refused = "mysql://ann:secret@db/x".parse::<DatabaseUrl>().unwrap_err();
        assert!(!refused.contains("secret"), "{refused}");
    }
}
