//! Backups of a live SQLite database: one copy on demand (`desserts backup FILE`), copies on
//! a schedule kept N deep (`serve --backup-dir`), and checking a copy (`backup --verify`).
//! A copy is written beside its name and renamed into place once it is on disk, so that a
//! crash or a full disk never leaves half a backup under a backup's name.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::store::{Store, StoreError};

/// Scheduled copies are named `desserts-` and the UTC time to the millisecond, so that they
/// sort by age and nothing else in the folder is taken for one.
const PREFIX: &str = "desserts-";
const SUFFIX: &str = ".db";

/// Where scheduled backups go, how often, and how many stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep: usize,
}

/// A duration as people write one: `10s`, `30m`, `6h`, `1d`, or a sum (`1h30m`).
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let refusal = || format!("{raw:?} is not a duration: write one such as 30s, 15m, 6h or 1d");
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in raw.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(refusal()),
        };
        let value: u64 = number.parse().map_err(|_| refusal())?;
        total = value
            .checked_mul(unit)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(refusal)?;
        number.clear();
    }
    if !number.is_empty() || total == 0 {
        return Err(refusal());
    }
    Ok(Duration::from_secs(total))
}

/// Writes a consistent copy of the database to `target`, which must not exist yet.
pub async fn write_copy(store: &Store, target: &Path) -> Result<(), BackupError> {
    if std::fs::symlink_metadata(target).is_ok() {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    let partial = partial_name(target);
    if std::fs::symlink_metadata(&partial).is_ok() {
        // Left by a run that failed (or planted): the name itself goes, never what it points to.
        std::fs::remove_file(&partial).map_err(|e| BackupError::io(&partial, e))?;
    }
    if let Err(error) = store.backup_to(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Store(error));
    }
    let on_disk = std::fs::File::open(&partial).and_then(|file| file.sync_all());
    if let Err(error) = on_disk {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::io(&partial, error));
    }
    // Not over a file that appeared meanwhile: a hard link fails if the name is taken.
    std::fs::hard_link(&partial, target).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            BackupError::Exists(target.to_path_buf())
        } else {
            BackupError::io(target, e)
        }
    })?;
    let _ = std::fs::remove_file(&partial);
    if let Some(dir) = target.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        // The new name itself is on disk once its folder is.
        let _ = std::fs::File::open(dir).and_then(|dir| dir.sync_all());
    }
    Ok(())
}

fn partial_name(target: &Path) -> PathBuf {
    let mut name = target.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".partial");
    target.with_file_name(name)
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} already exists; choose a new file name", .0.display())]
    Exists(PathBuf),
    #[error("{}: {cause}", path.display())]
    Io { path: PathBuf, cause: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    fn io(path: &Path, cause: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            cause,
        }
    }
}

/// The name of a scheduled copy made at `now_millis`.
fn scheduled_name(now_millis: i64) -> String {
    let time =
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_millis) * 1_000_000).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:3]Z");
    let stamp = time.format(&format).unwrap_or_default();
    format!("{PREFIX}{stamp}{SUFFIX}")
}

/// The scheduled copies in `dir`, oldest first.
pub fn scheduled_copies(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut copies: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with(PREFIX) && name.ends_with(SUFFIX) && entry.file_type().is_ok_and(|kind| kind.is_file())
        })
        .map(|entry| entry.path())
        .collect();
    copies.sort();
    Ok(copies)
}

/// Makes one scheduled copy and removes the oldest past `keep`; the path of the new copy.
pub async fn make_scheduled_copy(store: &Store, schedule: &Schedule) -> Result<PathBuf, BackupError> {
    let target = schedule.dir.join(scheduled_name(crate::store::now_millis()));
    write_copy(store, &target).await?;
    let copies = scheduled_copies(&schedule.dir).map_err(|e| BackupError::io(&schedule.dir, e))?;
    let surplus = copies.len().saturating_sub(schedule.keep.max(1));
    for old in &copies[..surplus] {
        if let Err(error) = std::fs::remove_file(old) {
            tracing::warn!(%error, file = %old.display(), "cannot remove an old backup");
        }
    }
    Ok(target)
}

/// How scheduled backups have gone, for the metrics; shared by the schedule and the scrape.
#[derive(Debug, Default)]
pub struct BackupRecord {
    /// Whether a schedule runs in this process.
    pub scheduled: AtomicBool,
    /// When the last copy was written, in seconds since the epoch; 0 before the first.
    pub last_success: AtomicI64,
    /// Copies that failed.
    pub failures: AtomicU64,
}

/// Makes a copy every `schedule.every` until the process ends. A failed copy (a full disk)
/// is logged and tried again at the next turn; the copies made before stay.
pub async fn run_schedule(store: Store, schedule: Schedule, record: Arc<BackupRecord>) {
    record.scheduled.store(true, Ordering::Relaxed);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + schedule.every, schedule.every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match make_scheduled_copy(&store, &schedule).await {
            Ok(path) => {
                record.last_success.store(crate::store::now(), Ordering::Relaxed);
                tracing::info!(file = %path.display(), "backup written");
            }
            Err(error) => {
                record.failures.fetch_add(1, Ordering::Relaxed);
                tracing::error!(%error, "backup failed; trying again at the next turn");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        for bad in ["", "0s", "10", "h", "5x", "-1h", "99999999999999999999d", "1.5h", "\0"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scheduled_names_sort_by_time() {
        let earlier = scheduled_name(1_795_512_600_000);
        let later = scheduled_name(1_795_512_600_001);
        assert_eq!(earlier, "desserts-20261124T093000.000Z.db");
        assert!(earlier < later);
    }
}
