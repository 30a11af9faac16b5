use std::path::Path;

use anyhow::{Context, bail};

use crate::store::Store;

/// Writes a consistent copy of the live database to `target`, which must not exist yet.
pub async fn run(store: &Store, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        bail!("{} already exists; choose a new file name", target.display());
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("{} is not a directory", parent.display());
    }
    store
        .backup_to(target)
        .await
        .with_context(|| format!("cannot back up to {}", target.display()))?;
    println!("backed up to {}", target.display());
    Ok(())
}
