//! `desserts import-legacy`: adopt a database of the original Flask app.

use std::collections::HashSet;
use std::path::Path;

use crate::domain::lookup_key;
use crate::legacy::{self, Plan};
use crate::passwords;
use crate::store::dump::{self, AdoptedDessert, AdoptedMenu, AdoptedUser};
use crate::store::{Store, users};
use crate::tokens::random_token;

pub async fn run(store: &Store, path: &Path, owner: Option<&str>, repair: bool, quiet: bool) -> anyhow::Result<()> {
    let progress = super::progress::Progress::new(quiet);
    progress.show(&format!("reading {}…", path.display()));
    let data = legacy::read(path).map_err(anyhow::Error::msg)?;
    progress.show("checking every row…");
    let mut existing = HashSet::new();
    if let Some(owner) = owner
        && users::find_by_name(store, &lookup_key(owner)).await?.is_some()
    {
        existing.insert(lookup_key(owner));
    }
    let plan = legacy::plan(&data, owner, repair, &existing).map_err(|problems| refusal(path, &problems, repair))?;
    progress.show(&format!("hashing the passwords of {} accounts…", plan.users.len()));
    let adopted = adopted_users(store, &plan)
        .await
        .map_err(|problems| refusal(path, &problems, repair))?;
    progress.done();
    for fix in &plan.fixes {
        println!("fixed {fix}");
    }
    let desserts = plan
        .desserts
        .iter()
        .map(|d| AdoptedDessert {
            owner_key: d.owner.clone(),
            name: d.name.as_str().to_string(),
            name_key: d.name.key(),
            price_cents: d.price.cents(),
            calories: d.calories.value(),
            liked: d.liked,
        })
        .collect();
    let menus = plan
        .menus
        .iter()
        .map(|m| AdoptedMenu {
            owner_key: m.owner.clone(),
            name: m.name.as_str().to_string(),
            name_key: m.name.key(),
        })
        .collect();
    progress.show("writing in one transaction…");
    let (users, desserts, menus) = dump::adopt(store, adopted, desserts, menus).await?;
    progress.done();
    super::transfer::refresh_statistics(store).await;
    println!(
        "adopted {users} of {} users, {desserts} of {} desserts, {menus} of {} menus (the others were already here)",
        plan.users.len(),
        plan.desserts.len(),
        plan.menus.len()
    );
    Ok(())
}

fn refusal(path: &Path, problems: &[String], repair: bool) -> anyhow::Error {
    let hint = if repair {
        ""
    } else {
        "\n(--repair fixes such rows in documented ways and prints each fix)"
    };
    anyhow::anyhow!(
        "{} cannot be adopted as it is; nothing was changed:\n  {}{hint}",
        path.display(),
        problems.join("\n  ")
    )
}

/// The accounts to add, passwords hashed. An account already in the database with the same
/// username and email is the same person, adopted before; one with the same username or
/// email and not the other is somebody else, and stops the import.
async fn adopted_users(store: &Store, plan: &Plan) -> Result<Vec<AdoptedUser>, Vec<String>> {
    let mut problems = Vec::new();
    let mut adopted = Vec::new();
    for user in &plan.users {
        let lookup = |key: String| async move { users::find_by_name(store, &key).await };
        let by_name = lookup(user.username.key()).await.map_err(|e| vec![e.to_string()])?;
        let by_email = lookup(user.email.key()).await.map_err(|e| vec![e.to_string()])?;
        match (by_name, by_email) {
            (Some(a), Some(b)) if a.id == b.id => continue,
            (None, None) => {}
            _ => {
                problems.push(format!(
                    "user {} username: {} or {} belongs to another account in the database",
                    user.legacy_id,
                    user.username.as_str(),
                    user.email.as_str()
                ));
                continue;
            }
        }
        let password = match &user.password {
            Some(password) => password.clone(),
            None => random_token().map_err(|e| vec![e.to_string()])?,
        };
        let password_hash = tokio::task::spawn_blocking(move || passwords::hash_blocking(&password))
            .await
            .map_err(|e| vec![e.to_string()])?
            .map_err(|e| vec![e.to_string()])?;
        adopted.push(AdoptedUser {
            username: user.username.as_str().to_string(),
            username_key: user.username.key(),
            email: user.email.as_str().to_string(),
            email_key: user.email.key(),
            name: user.name.as_str().to_string(),
            avatar: user.avatar.as_ref().map(|a| a.as_str().to_string()),
            password_hash,
        });
    }
    if problems.is_empty() { Ok(adopted) } else { Err(problems) }
}
