//! Argon2id password hashing on a few low-priority threads of its own ([`workers::Pool`]),
//! so a flood of logins cannot take the pages' threads, their CPU or the server's memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::domain::Password;
use crate::workers::{self, Pool, PoolError};

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The queue is full: the caller should answer "busy, try again shortly".
    #[error("too many passwords are waiting to be checked")]
    Busy,
    #[error("password hashing failed while {step}: {cause}")]
    Failed { step: &'static str, cause: String },
}

/// The error of `step`, keeping what went wrong underneath (the hashing crates' errors
/// are not all `std` errors, so their text is kept).
fn failed<E: std::fmt::Display>(step: &'static str) -> impl FnOnce(E) -> HashError {
    move |cause| HashError::Failed {
        step,
        cause: cause.to_string(),
    }
}

/// Jobs that may wait for a hashing thread, per thread. A job takes about 40 ms, so a full
/// queue is a couple of seconds' work; past it, requests are turned away at once rather
/// than waiting longer than anyone would.
const QUEUED_PER_THREAD: usize = 48;

/// Hashes and verifies passwords on a few threads of its own; clone freely, the threads
/// are shared and stop when the last clone is dropped.
#[derive(Clone)]
pub struct Hasher {
    pool: Pool<WorkingMemory>,
    /// Working memory buffers allocated so far: one per thread, however many logins.
    #[cfg_attr(not(test), allow(dead_code, reason = "the tests check it"))]
    buffers: Arc<AtomicUsize>,
    /// A hash of nothing anyone knows: verifying against it when an account does not
    /// exist makes a login take the same time either way.
    dummy_hash: Arc<String>,
}

/// One hashing thread's Argon2 working memory, allocated at its first job and kept: 19 MiB
/// allocated afresh for every login let the allocator keep hundreds of megabytes under a
/// flood of logins.
struct WorkingMemory {
    blocks: Vec<Block>,
    allocated: Arc<AtomicUsize>,
}

impl WorkingMemory {
    fn get(&mut self) -> &mut Vec<Block> {
        if self.blocks.is_empty() {
            self.blocks = working_memory(&params());
            self.allocated.fetch_add(1, Ordering::Relaxed);
        }
        &mut self.blocks
    }
}

const THREAD_NAME: &str = "password-hash";

/// OWASP's recommended Argon2id parameters: 19 MiB, 2 passes, 1 lane.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

fn working_memory(params: &Params) -> Vec<Block> {
    vec![Block::default(); params.block_count()]
}

/// Hashes with fresh working memory: for the command line.
pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    hash_with(password, &mut working_memory(&params()))
}

/// Checks with fresh working memory. A malformed stored hash verifies as false.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    verify_with(password, hash, &mut Vec::new())
}

/// An Argon2id PHC string of `password` with a new random salt, in `memory`.
fn hash_with(password: &str, memory: &mut [Block]) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(failed("drawing a salt"))?;
    let salt = SaltString::encode_b64(&salt).map_err(failed("encoding the salt"))?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(failed("decoding the salt"))?;
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(failed("computing the hash"))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(failed("writing the parameters"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// The most a stored Argon2 hash may ask a login to spend: 64 MiB of memory, 10 passes, 4
/// lanes, 64 bytes of output. The server's own hashes ask for far less; a hash past these
/// can come only from an edited export or database, and is refused on import and never
/// computed, so that no row can make a login allocate gigabytes.
pub const MAX_MEMORY_KIB: u32 = 64 * 1024;
pub const MAX_PASSES: u32 = 10;
pub const MAX_LANES: u32 = 4;
const OUTPUT_BYTES: std::ops::RangeInclusive<usize> = 16..=64;

/// A stored hash, read and checked against the limits above.
struct StoredHash {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    expected: Output,
}

/// Reads a stored PHC string: an Argon2 hash (any of the three variants) with a salt and
/// parameters within the limits; the reason when it is not one.
fn read_stored(hash: &str) -> Result<StoredHash, String> {
    let parsed = PasswordHash::new(hash).map_err(|_| "is not a PHC hash string".to_string())?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|_| "is not an Argon2 hash".to_string())?;
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .map_err(|_| "has an unknown Argon2 version".to_string())?;
    let params = Params::try_from(&parsed).map_err(|_| "has unreadable Argon2 parameters".to_string())?;
    if params.m_cost() > MAX_MEMORY_KIB || params.t_cost() > MAX_PASSES || params.p_cost() > MAX_LANES {
        return Err(format!(
            "asks for more than this server spends on a password (at most m={MAX_MEMORY_KIB}, t={MAX_PASSES}, p={MAX_LANES})"
        ));
    }
    let mut salt_bytes = [0u8; 64];
    let salt = parsed
        .salt
        .and_then(|salt| salt.decode_b64(&mut salt_bytes).ok())
        .ok_or_else(|| "has no readable salt".to_string())?
        .to_vec();
    let expected = parsed
        .hash
        .filter(|output| OUTPUT_BYTES.contains(&output.len()))
        .ok_or_else(|| "has no hash of 16 to 64 bytes".to_string())?;
    Ok(StoredHash {
        algorithm,
        version,
        params,
        salt,
        expected,
    })
}

/// Whether `hash` is a stored password hash this server will check: the reason when not.
/// Imports call it for every account.
pub fn check_stored(hash: &str) -> Result<(), String> {
    read_stored(hash).map(drop)
}

/// Whether a stored hash was made otherwise than the server makes hashes now (another
/// variant, other parameters): it is replaced at the next successful login.
pub fn needs_rehash(hash: &str) -> bool {
    let ours = params();
    read_stored(hash).is_ok_and(|stored| {
        stored.algorithm != Algorithm::Argon2id
            || stored.version != Version::V0x13
            || stored.params.m_cost() != ours.m_cost()
            || stored.params.t_cost() != ours.t_cost()
            || stored.params.p_cost() != ours.p_cost()
            || stored.expected.len() != Params::DEFAULT_OUTPUT_LEN
    })
}

/// Recomputes the hash with the stored parameters and compares in constant time. `memory`
/// grows when the stored parameters ask for more than it holds (within the limits above).
/// A hash that cannot be read, or asks for too much, verifies as false.
fn verify_with(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(stored) = read_stored(hash) else {
        return false;
    };
    let blocks = stored.params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let argon2 = Argon2::new(stored.algorithm, stored.version, stored.params);
    Output::init_with(stored.expected.len(), |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), &stored.salt, out, &mut memory[..blocks])
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .is_ok_and(|actual| actual == stored.expected)
}

impl Hasher {
    /// Hashings and checks waiting for a thread now.
    pub fn waiting(&self) -> usize {
        self.pool.waiting()
    }
}

impl Hasher {
    pub fn new() -> Result<Self, HashError> {
        // With every core hashing, the list page's p99 nearly tripled beside a flood.
        Self::with_threads(workers::half_the_cores())
    }

    fn with_threads(threads: usize) -> Result<Self, HashError> {
        let buffers = Arc::new(AtomicUsize::new(0));
        let allocated = buffers.clone();
        let pool = Pool::start(THREAD_NAME, threads, QUEUED_PER_THREAD, move || WorkingMemory {
            blocks: Vec::new(),
            allocated: allocated.clone(),
        })
        .map_err(failed("starting the hashing threads"))?;
        let dummy = hash_blocking(&crate::tokens::random_token().map_err(failed("drawing a dummy password"))?)?;
        Ok(Self {
            pool,
            buffers,
            dummy_hash: Arc::new(dummy),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        self.run(move |memory| hash_with(password.expose(), memory)).await?
    }

    /// A new hash of a password that was just verified against an older hash: such a
    /// password may predate the password rules (an adopted legacy account), so it is taken
    /// as it is.
    pub async fn rehash(&self, password: &str) -> Result<String, HashError> {
        let password = secrecy::SecretString::from(password);
        self.run(move |memory| hash_with(secrecy::ExposeSecret::expose_secret(&password), memory))
            .await?
    }

    /// Checks `password` against `hash`, or against the dummy hash when there is no account.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, HashError> {
        let exists = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let password = secrecy::SecretString::from(password);
        let matches = self
            .run(move |memory| verify_with(secrecy::ExposeSecret::expose_secret(&password), &hash, memory))
            .await?;
        Ok(exists && matches)
    }

    /// Queues `work` for the hashing threads and waits for its answer; `Busy` at once when
    /// the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> Result<T, HashError> {
        self.pool
            .run(move |memory: &mut WorkingMemory| work(memory.get()))
            .await
            .map_err(|error| match error {
                PoolError::Busy => HashError::Busy,
                PoolError::Stopped => failed("waiting for a job")("the hashing threads have stopped"),
            })
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
        // Hashes made by the argon2 crate's own hasher, with other parameters, verify too.
        use argon2::password_hash::PasswordHasher as _;
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let small = Params::new(4096, 1, 1, None).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, small)
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        let mut memory = Vec::new();
        assert!(verify_with("pw", &other, &mut memory));
        assert!(!verify_with("pv", &other, &mut memory));
        assert!(
            verify_with("correct horse", &hash, &mut memory),
            "memory grows to the stored parameters"
        );
    }

    #[test]
    fn stored_hashes_are_bounded_and_old_ones_are_rehashed() {
        use argon2::password_hash::PasswordHasher as _;
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let made_with = |algorithm, m, t, p| {
            Argon2::new(algorithm, Version::V0x13, Params::new(m, t, p, None).unwrap())
                .hash_password(b"pw", &salt)
                .unwrap()
                .to_string()
        };
        let ours = hash_blocking("pw").unwrap();
        assert_eq!(check_stored(&ours), Ok(()));
        assert!(!needs_rehash(&ours));
        for other in [
            made_with(Algorithm::Argon2id, 4096, 1, 1),
            made_with(Algorithm::Argon2i, 19 * 1024, 2, 1),
            made_with(Algorithm::Argon2id, 19 * 1024, 3, 1),
        ] {
            assert_eq!(check_stored(&other), Ok(()), "{other}");
            assert!(needs_rehash(&other), "{other}");
        }
        // Past the limits: refused, and never computed (a 4 GiB hash would take seconds
        // and gigabytes; this one answers at once).
        let huge = "$argon2id$v=19$m=4194304,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE";
        let slow = "$argon2id$v=19$m=19456,t=100000,p=1$MDEyMzQ1Njc4OWFiY2RlZg$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE";
        for refused in [huge, slow] {
            assert!(
                check_stored(refused).unwrap_err().contains("more than this server spends"),
                "{refused}"
            );
            let started = std::time::Instant::now();
            assert!(!verify_blocking("pw", refused));
            assert!(started.elapsed() < std::time::Duration::from_millis(100));
        }
        for unreadable in ["", "$2b$12$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=19456,t=2,p=1$$"] {
            assert!(check_stored(unreadable).is_err(), "{unreadable}");
            assert!(!needs_rehash(unreadable), "nothing to rehash from");
        }
    }

    #[tokio::test]
    async fn the_hasher_reuses_its_working_memory() {
        let hasher = Hasher::with_threads(1).unwrap();
        let password = Password::parse("correct horse battery").unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(hasher.verify("correct horse battery", Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse battery", Some(hash)).await.unwrap());
        assert!(!hasher.verify("anything at all", None).await.unwrap());
        assert_eq!(hasher.buffers.load(Ordering::Relaxed), 1, "one buffer, used in turn");
    }

    /// A full queue turns requests away at once, and jobs whose callers are gone are skipped.
    #[tokio::test]
    async fn a_full_queue_answers_busy_and_abandoned_jobs_are_skipped() {
        let hasher = Hasher::with_threads(1).unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        // Hold the one thread until released, so the queue fills behind it.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let blocker = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(move |_| {
                        let _ = held.recv();
                    })
                    .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let mut waiting = Vec::new();
        for _ in 0..QUEUED_PER_THREAD {
            let (ran, hasher) = (ran.clone(), hasher.clone());
            waiting.push(tokio::spawn(async move {
                hasher
                    .run(move |_| {
                        ran.fetch_add(1, Ordering::Relaxed);
                    })
                    .await
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(matches!(hasher.run(|_| ()).await, Err(HashError::Busy)));
        // Every waiting caller gives up; their jobs never run.
        for job in &waiting {
            job.abort();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        // Skipping the abandoned jobs takes the thread no time at all.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(hasher.verify("anything at all", None).await.is_ok(), "the queue has room again");
        assert_eq!(ran.load(Ordering::Relaxed), 0, "abandoned jobs were skipped");
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_below_the_pages_priority() {
        let hasher = Hasher::new().unwrap();
        assert!(!hasher.verify("anything at all", None).await.unwrap());
        let nice_values: Vec<i64> = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|task| {
                let task = task.ok()?.path();
                let name = std::fs::read_to_string(task.join("comm")).ok()?;
                let stat = std::fs::read_to_string(task.join("stat")).ok()?;
                // Field 19 of stat, counted after the parenthesised name, which may hold spaces.
                let after_name = &stat[stat.rfind(')')? + 2..];
                (name.trim() == THREAD_NAME).then(|| after_name.split(' ').nth(16)?.parse().ok())?
            })
            .collect();
        assert!(!nice_values.is_empty(), "the hashing threads are running");
        assert!(
            nice_values.iter().all(|nice| *nice >= i64::from(workers::NICENESS)),
            "{nice_values:?}"
        );
    }
}
