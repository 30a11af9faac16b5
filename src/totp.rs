//! One-time codes from an authenticator app (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, 30-second
//! steps) and the recovery codes that stand in for them. The codes are computed by
//! `totp-rs`; which step a code is for is kept by the caller, so that each is used once.

use totp_rs::{Algorithm, TOTP};

use crate::tokens::{RandomError, sha256_hex};

/// Seconds a code lasts.
pub const STEP_SECS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Steps either side of now whose codes are still taken, for a clock a little off.
const SKEW: i64 = 1;
/// The name apps show beside the account.
pub const ISSUER: &str = "Desserts";
/// How many recovery codes an account gets at once.
pub const RECOVERY_CODES: usize = 10;

/// A shared key: 160 random bits, as RFC 4226 recommends.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    pub fn generate() -> Result<Self, RandomError> {
        let mut bytes = vec![0u8; 20];
        crate::tokens::fill_random(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// As stored and as people type it into an app: base32 without padding.
    pub fn base32(&self) -> String {
        base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &self.0)
    }

    pub fn from_base32(text: &str) -> Option<Self> {
        base32::decode(base32::Alphabet::Rfc4648 { padding: false }, text)
            .filter(|bytes| bytes.len() >= 16)
            .map(Self)
    }

    fn totp(&self) -> TOTP {
        // The skew is the caller's to apply (`step_of`), so that it learns the step too.
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECS as u64, self.0.clone())
    }

    /// The code for `step`.
    pub fn code_at_step(&self, step: i64) -> String {
        self.totp().generate(u64::try_from(step * STEP_SECS).unwrap_or(0))
    }

    /// The step `code` is the code of, among the steps around `now` (seconds); `None` when it
    /// is none of theirs. Compared in constant time.
    pub fn step_of(&self, code: &str, now: i64) -> Option<i64> {
        let current = now / STEP_SECS;
        (current - SKEW..=current + SKEW).find(|step| {
            let expected = self.code_at_step(*step);
            bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()))
        })
    }

    /// The `otpauth://` URI an app reads from the QR code: the issuer and the account's name.
    pub fn uri(&self, account: &str) -> String {
        let label: String = url::form_urlencoded::byte_serialize(format!("{ISSUER}:{account}").as_bytes()).collect();
        format!(
            "otpauth://totp/{}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            label.replace('+', "%20"),
            self.base32()
        )
    }
}

/// What a person typed at a code prompt: a code from the app, or a recovery code. Spaces
/// and dashes are left out, and a recovery code is compared ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeEntry {
    Totp(String),
    Recovery(String),
}

impl CodeEntry {
    pub fn parse(raw: &str) -> Option<Self> {
        let cleaned: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if cleaned.len() == DIGITS && cleaned.bytes().all(|b| b.is_ascii_digit()) {
            Some(Self::Totp(cleaned))
        } else if cleaned.len() == RECOVERY_CODE_CHARS && cleaned.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Some(Self::Recovery(cleaned.to_ascii_lowercase()))
        } else {
            None
        }
    }
}

/// Letters and digits in a recovery code (about 62 bits), shown in groups of four.
const RECOVERY_CODE_CHARS: usize = 12;

/// New recovery codes, as shown once (`abcd-efgh-jkmn`), with the digests stored.
pub fn recovery_codes() -> Result<Vec<(String, String)>, RandomError> {
    // No 0/o, 1/l/i: codes are read off paper.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; RECOVERY_CODE_CHARS];
        crate::tokens::fill_random(&mut bytes)?;
        let plain: String = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        let shown = format!("{}-{}-{}", &plain[0..4], &plain[4..8], &plain[8..12]);
        codes.push((shown, recovery_code_hash(&plain)));
    }
    Ok(codes)
}

/// How a recovery code is stored: the SHA-256 of its letters, lower case, without dashes.
pub fn recovery_code_hash(plain: &str) -> String {
    sha256_hex(format!("recovery-code:{plain}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 vectors, cut to six digits.
    #[test]
    fn codes_match_the_rfc_vectors() {
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.code_at_step(time / STEP_SECS), code, "at {time}");
            assert_eq!(secret.step_of(code, time), Some(time / STEP_SECS));
        }
        // A step either side is taken, two are not.
        let now = 1_234_567_890;
        assert!(secret.step_of(&secret.code_at_step(now / STEP_SECS - 1), now).is_some());
        assert!(secret.step_of(&secret.code_at_step(now / STEP_SECS + 1), now).is_some());
        assert!(secret.step_of(&secret.code_at_step(now / STEP_SECS - 2), now).is_none());
        assert!(secret.step_of("000000", now).is_none() || secret.code_at_step(now / STEP_SECS) == "000000");
    }

    #[test]
    fn secrets_round_trip_through_base32_and_make_an_otpauth_uri() {
        let secret = TotpSecret::generate().unwrap();
        assert_eq!(secret.base32().len(), 32, "160 bits");
        assert_eq!(TotpSecret::from_base32(&secret.base32()), Some(secret.clone()));
        assert!(TotpSecret::from_base32("not base32!").is_none());
        let uri = secret.uri("ann lee");
        assert!(uri.starts_with("otpauth://totp/Desserts%3Aann%20lee?secret="), "{uri}");
        assert!(uri.contains("&issuer=Desserts"));
        assert!(!format!("{secret:?}").contains(&secret.base32()), "never in a log");
    }

    #[test]
    fn entries_are_codes_or_recovery_codes() {
        assert_eq!(CodeEntry::parse(" 123 456 "), Some(CodeEntry::Totp("123456".into())));
        assert_eq!(CodeEntry::parse("ABCD-efgh-jkmn"), Some(CodeEntry::Recovery("abcdefghjkmn".into())));
        for bad in ["", "12345", "1234567", "abc", "12345\0", "ünïcödé-abcd", &"9".repeat(10_000)] {
            assert_eq!(CodeEntry::parse(bad), None, "{bad:?}");
        }
        let codes = recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let (shown, hash) = &codes[0];
        assert_eq!(shown.len(), 14);
        let Some(CodeEntry::Recovery(plain)) = CodeEntry::parse(&shown.to_uppercase()) else {
            panic!("a recovery code reads back");
        };
        assert_eq!(&recovery_code_hash(&plain), hash);
    }
}
