//! `desserts export` and `desserts import`: the whole database as one JSON document.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use crate::store::{Store, StoreError, dump, two_factor};
use crate::transfer::Document;

pub async fn export(store: &Store, out: Option<&Path>, with_secrets: bool) -> anyhow::Result<()> {
    let document = Document::from_dump(dump::read_all(store, with_secrets).await?);
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

pub async fn import(store: &Store, file: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let document: Document =
        serde_json::from_str(&text).with_context(|| format!("{} is not a desserts export document", file.display()))?;
    let counts = (
        document.users.len(),
        document.desserts.len(),
        document.menus.len(),
        document.photos.len(),
    );
    let rows = document.into_dump().map_err(|problems| {
        anyhow::anyhow!(
            "{} has {} problem(s); nothing was imported:\n  {}",
            file.display(),
            problems.len(),
            problems.join("\n  ")
        )
    })?;
    if !dump::is_empty(store).await? {
        bail!("the database already holds data; import goes into an empty database only");
    }
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
    println!(
        "imported {} users, {} desserts, {} menus, {} photos",
        counts.0, counts.1, counts.2, counts.3
    );
    Ok(())
}
