//! Passkeys (WebAuthn) for logging in without a password: which relying party a request is
//! served as, and the two ceremonies, adding a passkey and logging in with one. The checks
//! of what an authenticator answers (challenge, origin, signature, user verification,
//! counter) are `webauthn-rs`'s. A ceremony's state is kept with the session as the text of
//! a [`Ceremony`], so that any instance finishes what another started.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

/// How long a ceremony may take, from the options sent to the answer.
pub const CEREMONY_SECS: i64 = 5 * 60;
/// The name authenticators show for the site.
const RP_NAME: &str = "Desserts";

/// Why a passkey ceremony did not go through; the message is what a person reads.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasskeyError {
    #[error("Passkeys need this site to be reached by its name, not by an IP address.")]
    NoName,
    #[error("The passkey's answer could not be read.")]
    Unreadable,
    #[error("That passkey was not accepted.")]
    Refused,
    #[error("The passkey request ended (it lasts five minutes and is used once). Try again.")]
    NoCeremony,
}

/// The site as WebAuthn knows it: its host name is the relying party id, and answers must
/// come from its origin.
pub struct RelyingParty {
    webauthn: Webauthn,
    id: String,
}

/// The site at `origin` and its host name, the relying party id. An IP address is none:
/// browsers refuse it.
fn site_and_id(origin: &str) -> Result<(Url, String), PasskeyError> {
    let url = Url::parse(origin).map_err(|_| PasskeyError::NoName)?;
    match url.host() {
        Some(url::Host::Domain(name)) if !name.is_empty() => {
            let id = name.to_ascii_lowercase();
            Ok((url, id))
        }
        _ => Err(PasskeyError::NoName),
    }
}

/// Whether passkeys work for the site at `origin`, for a page to offer them or say why not,
/// without setting up a ceremony.
pub fn available_at(origin: &str) -> Result<(), PasskeyError> {
    site_and_id(origin).map(drop)
}

impl RelyingParty {
    /// For the site at `origin` (`https://desserts.example`, `http://localhost:5000`).
    pub fn for_site(origin: &str) -> Result<Self, PasskeyError> {
        let (url, id) = site_and_id(origin)?;
        let webauthn = WebauthnBuilder::new(&id, &url)
            .map(|builder| builder.rp_name(RP_NAME).timeout(Duration::from_secs(CEREMONY_SECS.unsigned_abs())))
            .and_then(WebauthnBuilder::build)
            .map_err(|_| PasskeyError::NoName)?;
        Ok(Self { webauthn, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Options for the browser to make a passkey for the account shown as `username`,
    /// whose passkeys carry `handle` (a new random one for its first), not one of `existing`
    /// (credential ids in base64url), and the ceremony to keep until the answer. The passkey
    /// must be discoverable (it names the account when logging in) and verify its user.
    pub fn start_adding(
        &self,
        handle: Option<&str>,
        username: &str,
        existing: &[String],
        now: i64,
    ) -> Result<(serde_json::Value, Ceremony), PasskeyError> {
        // Random: nothing about the account can be read from it.
        let handle = handle.and_then(|handle| Uuid::parse_str(handle).ok()).unwrap_or_else(Uuid::new_v4);
        let exclude = existing.iter().filter_map(|id| URL_SAFE_NO_PAD.decode(id).ok()).collect();
        let (options, state) = self
            .webauthn
            .start_passkey_registration(handle, username, username, Some(exclude))
            .map_err(|_| PasskeyError::Refused)?;
        let mut options = to_json(&options)?;
        // The library leaves the key's kind to the authenticator; a login without a username
        // needs one the authenticator keeps (a discoverable credential).
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(serde_json::Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        let ceremony = Ceremony {
            rp_id: self.id.clone(),
            started_at: now,
            step: Step::Adding { state, handle },
        };
        Ok((options, ceremony))
    }

    /// The passkey the browser made, checked against `ceremony`, from its answer (JSON).
    pub fn finish_adding(&self, ceremony: Ceremony, answer: &str, now: i64) -> Result<NewPasskey, PasskeyError> {
        let Step::Adding { state, handle } = ceremony.in_force(&self.id, now)? else {
            return Err(PasskeyError::NoCeremony);
        };
        let answer: RegisterPublicKeyCredential = serde_json::from_str(answer).map_err(|_| PasskeyError::Unreadable)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&answer, &state)
            .map_err(|_| PasskeyError::Refused)?;
        Ok(NewPasskey {
            credential_id: URL_SAFE_NO_PAD.encode(passkey.cred_id()),
            user_handle: handle.to_string(),
            passkey: to_text(&passkey)?,
        })
    }

    /// Options for the browser to log in with any passkey it holds for this site (no
    /// account named), and the ceremony to keep until the answer.
    pub fn start_login(&self, now: i64) -> Result<(serde_json::Value, Ceremony), PasskeyError> {
        let (mut options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|_| PasskeyError::Refused)?;
        // Asked for by a button: the browser asks at once rather than waiting in the
        // username field's suggestions.
        options.mediation = None;
        let ceremony = Ceremony {
            rp_id: self.id.clone(),
            started_at: now,
            step: Step::LoggingIn { state },
        };
        Ok((to_json(&options)?, ceremony))
    }

    /// Checks a login's answer against `ceremony` and the passkey it names (as stored), and
    /// gives the passkey back as it is to be stored after this use (its counter moves).
    pub fn finish_login(&self, ceremony: Ceremony, answer: &Assertion, stored: &StoredCredential) -> Result<UsedPasskey, PasskeyError> {
        let Step::LoggingIn { state } = ceremony.in_force(&self.id, answer.at)? else {
            return Err(PasskeyError::NoCeremony);
        };
        // The account the authenticator names must be the one the passkey was made for.
        if answer.user_handle.as_deref() != Some(stored.user_handle.as_str()) {
            return Err(PasskeyError::Refused);
        }
        let mut passkey: Passkey = serde_json::from_str(&stored.passkey).map_err(|_| PasskeyError::Refused)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(&answer.credential, state, &passkey)
            .map_err(|_| PasskeyError::Refused)?;
        if !result.user_verified() {
            return Err(PasskeyError::Refused);
        }
        passkey.update_credential(&result);
        Ok(UsedPasskey {
            passkey: to_text(&passkey)?,
            sign_count: i64::from(result.counter()),
        })
    }
}

/// A passkey ceremony in progress, kept with the session that started it.
#[derive(Serialize, Deserialize)]
pub struct Ceremony {
    rp_id: String,
    started_at: i64,
    step: Step,
}

#[derive(Serialize, Deserialize)]
enum Step {
    Adding { state: PasskeyRegistration, handle: Uuid },
    LoggingIn { state: DiscoverableAuthentication },
}

impl std::fmt::Debug for Ceremony {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ceremony").field("rp_id", &self.rp_id).finish_non_exhaustive()
    }
}

impl Ceremony {
    /// As kept with the session.
    pub fn to_text(&self) -> Result<String, PasskeyError> {
        to_text(self)
    }

    /// From what the session kept; `None` for text that is no ceremony.
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// Its step, if it was started for this relying party and has not run out of time.
    fn in_force(self, rp_id: &str, now: i64) -> Result<Step, PasskeyError> {
        let live = (self.started_at..self.started_at + CEREMONY_SECS).contains(&now);
        if self.rp_id != rp_id || !live {
            return Err(PasskeyError::NoCeremony);
        }
        Ok(self.step)
    }
}

/// A passkey just made, to be stored with its account.
#[derive(Debug, Clone)]
pub struct NewPasskey {
    /// The authenticator's id for it, base64url.
    pub credential_id: String,
    /// The account's id as the authenticator keeps it.
    pub user_handle: String,
    /// The credential as `webauthn-rs` serialises it: its public key and counter.
    pub passkey: String,
}

/// A stored passkey, as a login checks it.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub user_handle: String,
    pub passkey: String,
}

/// A passkey after a login with it: to be stored in place of what was.
#[derive(Debug, Clone)]
pub struct UsedPasskey {
    pub passkey: String,
    pub sign_count: i64,
}

/// A login's answer as the browser sent it, read once.
pub struct Assertion {
    credential: PublicKeyCredential,
    /// The passkey it was made with, by its credential id (base64url): how it is found.
    pub credential_id: String,
    /// The account the authenticator names.
    user_handle: Option<String>,
    /// When it arrived.
    at: i64,
}

impl Assertion {
    pub fn read(answer: &str, now: i64) -> Result<Self, PasskeyError> {
        let credential: PublicKeyCredential = serde_json::from_str(answer).map_err(|_| PasskeyError::Unreadable)?;
        let credential_id = URL_SAFE_NO_PAD.encode(credential.get_credential_id());
        let user_handle = credential
            .get_user_unique_id()
            .and_then(|bytes| Uuid::from_slice(bytes).ok())
            .map(|uuid| uuid.to_string());
        Ok(Self {
            credential,
            credential_id,
            user_handle,
            at: now,
        })
    }
}

/// Whether `text` is a user handle as passkeys are made with (for imports).
pub fn is_user_handle(text: &str) -> bool {
    Uuid::parse_str(text).is_ok_and(|uuid| uuid.to_string() == text)
}

/// Whether `text` is a stored passkey that can be used (for imports).
pub fn is_passkey(text: &str) -> bool {
    serde_json::from_str::<Passkey>(text).is_ok()
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, PasskeyError> {
    serde_json::to_value(value).map_err(|_| PasskeyError::Refused)
}

fn to_text<T: Serialize>(value: &T) -> Result<String, PasskeyError> {
    serde_json::to_string(value).map_err(|_| PasskeyError::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_sites_host_name_never_an_address() {
        assert_eq!(RelyingParty::for_site("http://localhost:5000").unwrap().id(), "localhost");
        assert_eq!(RelyingParty::for_site("https://Desserts.Example").unwrap().id(), "desserts.example");
        for no_name in ["http://127.0.0.1:5000", "http://[::1]:5000", "", "not a url"] {
            assert_eq!(RelyingParty::for_site(no_name).err(), Some(PasskeyError::NoName), "{no_name}");
        }
    }

    #[test]
    fn a_ceremony_is_for_its_site_and_five_minutes() {
        let site = RelyingParty::for_site("http://localhost:5000").unwrap();
        let (options, ceremony) = site.start_login(1000).unwrap();
        assert!(options["publicKey"]["challenge"].is_string());
        assert!(options.get("mediation").is_none());
        let text = ceremony.to_text().unwrap();
        let again = |text: &str| Ceremony::from_text(text).unwrap();
        assert!(again(&text).in_force("localhost", 1000 + CEREMONY_SECS - 1).is_ok());
        assert!(again(&text).in_force("localhost", 1000 + CEREMONY_SECS).is_err());
        assert!(again(&text).in_force("desserts.example", 1001).is_err());
        assert!(Ceremony::from_text("{}").is_none());
    }

    #[test]
    fn adding_asks_for_a_discoverable_verified_passkey() {
        let site = RelyingParty::for_site("http://localhost:5000").unwrap();
        let handle = Uuid::new_v4();
        let (options, _) = site.start_adding(Some(&handle.to_string()), "ann", &["AAEC".into()], 1000).unwrap();
        let selection = &options["publicKey"]["authenticatorSelection"];
        assert_eq!(selection["residentKey"], "required");
        assert_eq!(selection["userVerification"], "required");
        assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
        assert_eq!(options["publicKey"]["excludeCredentials"][0]["id"], "AAEC");
        assert!(is_user_handle(&handle.to_string()));
        assert!(!is_user_handle("not-a-uuid"));
    }
}
