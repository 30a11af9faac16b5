//! `desserts export` and `desserts import`: the whole database as one JSON document.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use super::progress::Progress;
use crate::store::dump::Dump;
use crate::store::{Store, StoreError, dump, two_factor};
use crate::transfer::{Counts, Document};

pub async fn export(store: &Store, out: Option<&Path>, with_secrets: bool, quiet: bool) -> anyhow::Result<()> {
    let progress = Progress::new(quiet);
    progress.show("export: reading the database…");
    let document = Document::from_dump(dump::read_all(store, with_secrets).await?);
    progress.show(&format!(
        "export: writing {} users, {} desserts, {} menus, {} photos…",
        document.users.len(),
        document.desserts.len(),
        document.menus.len(),
        document.photos.len()
    ));
    if !with_secrets {
        let left_out = two_factor::accounts_with_codes(store).await?;
        if left_out > 0 {
            eprintln!(
                "left out the one-time code settings of {left_out} account(s): they import with codes off (--with-secrets keeps them)"
            );
        }
    }
    let mut text = serde_json::to_string_pretty(&document).context("cannot write the document")?;
    text.push('\n');
    match out {
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write to standard output")?,
        Some(path) => {
            // Written beside the target and renamed into place, so that a failure never
            // leaves half a document.
            // It holds password hashes: readable by its owner only.
            let partial = path.with_extension("partial");
            if std::fs::symlink_metadata(&partial).is_ok() {
                // Left by a run that failed (or planted): the name itself goes, never what it points to.
                std::fs::remove_file(&partial).with_context(|| format!("cannot remove {}", partial.display()))?;
            }
            let mut file = crate::files::create_private(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", partial.display()))?;
            std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
            progress.done();
            eprintln!(
                "exported {} users, {} desserts, {} menus to {}",
                document.users.len(),
                document.desserts.len(),
                document.menus.len(),
                path.display()
            );
        }
    }
    Ok(())
}

/// Checks every row of `document` against today's rules, as an import would: the rows, or
/// every problem found, one per row and field, in an error that names `file`.
pub(super) fn check_rows(document: Document, file: &Path, progress: &Progress) -> anyhow::Result<(Dump, Counts)> {
    let counts = document.counts();
    progress.show(&format!("checking {counts}…"));
    let rows = document.into_dump().map_err(|problems| {
        anyhow::anyhow!(
            "{} has {} problem(s); nothing was changed:\n  {}",
            file.display(),
            problems.len(),
            problems.join("\n  ")
        )
    })?;
    Ok((rows, counts))
}

/// Reads an export document and checks its rows.
fn read_and_check(file: &Path, progress: &Progress) -> anyhow::Result<(Dump, Counts)> {
    progress.show(&format!("reading {}…", file.display()));
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let document: Document =
        serde_json::from_str(&text).with_context(|| format!("{} is not a desserts export document", file.display()))?;
    check_rows(document, file, progress)
}

/// `import --dry-run`: every check of an import, and nothing written.
pub fn check(file: &Path, quiet: bool) -> anyhow::Result<()> {
    let progress = Progress::new(quiet);
    let (_, counts) = read_and_check(file, &progress)?;
    progress.done();
    println!(
        "{}: {counts}; every row passes today's rules (nothing was imported)",
        file.display()
    );
    Ok(())
}

pub async fn import(store: &Store, file: &Path, quiet: bool) -> anyhow::Result<()> {
    let progress = Progress::new(quiet);
    let (rows, counts) = read_and_check(file, &progress)?;
    if !dump::is_empty(store).await? {
        bail!("the database already holds data; import goes into an empty database only");
    }
    progress.show("writing in one transaction…");
    match dump::write_all(store, rows).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(key)) => {
            bail!(
                "two rows share a {} (ignoring case) where it must be unique; nothing was imported",
                key.field()
            )
        }
        Err(error) => return Err(anyhow::Error::new(error).context("nothing was imported")),
    }
    progress.done();
    println!("imported {counts}");
    refresh_statistics(store).await;
    Ok(())
}

/// After a bulk write: the rows are in either way, so a failure here is only a warning
/// (autovacuum refreshes the statistics by itself a little later).
pub(super) async fn refresh_statistics(store: &Store) {
    if let Err(error) = store.refresh_statistics().await {
        eprintln!("warning: could not refresh the database's statistics after the import: {error}");
    }
}
