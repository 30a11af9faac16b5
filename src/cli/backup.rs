//! `desserts backup FILE` and `desserts backup --verify FILE`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::progress::Progress;
use crate::backups;
use crate::config::DatabaseUrl;
use crate::store::{PoolSettings, Store, dump};
use crate::transfer::Document;

/// Writes a consistent copy of the live database to `target`, which must not exist yet.
pub async fn run(store: &Store, target: &Path, quiet: bool) -> anyhow::Result<()> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("{} is not a directory", parent.display());
    }
    let progress = Progress::new(quiet);
    progress.show(&format!("copying the database to {}…", target.display()));
    backups::write_copy(store, target)
        .await
        .with_context(|| format!("cannot back up to {}", target.display()))?;
    progress.done();
    println!("backed up to {}", target.display());
    Ok(())
}

/// Checks the backup `file` without changing it: SQLite's own checks, then every row
/// against today's rules as an import would check it, on a copy brought to today's schema.
pub async fn verify(file: &Path, quiet: bool) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let progress = Progress::new(quiet);
    let scratch = Scratch::copy_of(file)?;
    let store = Store::open(&DatabaseUrl::Sqlite(scratch.path.clone()), PoolSettings::default())
        .with_context(|| format!("{} is not a database this program reads", file.display()))?;
    progress.show("running SQLite's integrity check…");
    let damage = store
        .integrity_problems()
        .await
        .with_context(|| format!("{} is not a database this program reads", file.display()))?;
    if !damage.is_empty() {
        bail!("{} is damaged:\n  {}", file.display(), damage.join("\n  "));
    }
    progress.show("bringing a copy to today's schema…");
    store
        .migrate()
        .await
        .with_context(|| format!("{} cannot be brought to this program's schema", file.display()))?;
    let document = Document::from_dump(dump::read_all(&store, true).await?);
    let (_, counts) = super::transfer::check_rows(document, file, &progress)?;
    progress.done();
    println!("{}: {counts}; every row passes today's rules", file.display());
    Ok(())
}

/// A private copy of a file in the temporary folder, removed (with SQLite's side files)
/// when dropped: checking a backup never writes to it.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn copy_of(file: &Path) -> anyhow::Result<Self> {
        let name = format!("desserts-verify-{}-{}.db", std::process::id(), crate::tokens::random_token()?);
        let path = std::env::temp_dir().join(name);
        let mut copy = crate::files::create_private(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let scratch = Self { path };
        let mut original = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        std::io::copy(&mut original, &mut copy).with_context(|| format!("cannot copy {}", file.display()))?;
        Ok(scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.path.as_os_str().to_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}
