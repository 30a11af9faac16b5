//! Argon2id password hashing, off the async threads and bounded, so a flood of logins
//! cannot starve the server of threads or memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes and verifies passwords; clone freely, the bound is shared.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// A hash of nothing anyone knows: verifying against it when an account does not
    /// exist makes a login take the same time either way.
    dummy_hash: Arc<String>,
}

/// OWASP's recommended Argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| HashError(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// A malformed stored hash verifies as false rather than failing the request.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

impl Hasher {
    pub fn new() -> Result<Self, HashError> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let dummy = hash_blocking(&crate::tokens::random_token().map_err(|e| HashError(e.to_string()))?)?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(threads)),
            dummy_hash: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        self.run(move || hash_blocking(password.expose())).await?
    }

    /// Checks `password` against `hash`, or against the dummy hash when there is no account.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, HashError> {
        let exists = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let password = secrecy::SecretString::from(password);
        let matches = self
            .run(move || verify_blocking(secrecy::ExposeSecret::expose_secret(&password), &hash))
            .await?;
        Ok(exists && matches)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|e| HashError(e.to_string()))?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(|e| HashError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let hash = hash_blocking("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("correct horse", &hash));
        assert!(!verify_blocking("wrong horse", &hash));
        assert!(!verify_blocking("correct horse", "not a hash"));
    }
}
