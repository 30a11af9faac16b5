//! Unguessable tokens: session ids, CSRF tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed")]
pub struct RandomError(#[source] getrandom::Error);

/// How long a [`random_token`] is: 256 bits in URL-safe base64.
pub const TOKEN_CHARS: usize = 43;

/// 256 random bits, URL-safe base64 ([`TOKEN_CHARS`] characters).
pub fn random_token() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Fills `bytes` from the operating system's random source.
pub fn fill_random(bytes: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(bytes).map_err(RandomError)
}

/// The form token of a visitor who has no session row yet: a keyed hash (HMAC-SHA-256) of
/// the id in their cookie, so that it needs no row and no one without the key, or without
/// the cookie, which scripts cannot read, can make it.
#[expect(clippy::expect_used, reason = "HMAC takes a key of any length: new_from_slice cannot fail")]
pub fn form_token(key: &str, session_id: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(b"form-token:");
    mac.update(session_id.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// How a token is stored: its SHA-256, hex. A stolen database holds no usable token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hash_to_hex() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), TOKEN_CHARS);
        assert_ne!(a, b);
        assert_eq!(form_token("key", "id"), form_token("key", "id"));
        assert_ne!(form_token("key", "id"), form_token("other key", "id"));
        assert_ne!(form_token("key", "id"), form_token("key", "id2"));
        assert_eq!(form_token("key", "id").len(), TOKEN_CHARS);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
