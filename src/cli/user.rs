use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::Subcommand;

use super::DatabaseArgs;
use crate::domain::{Signup, SignupInput, lookup_key};
use crate::passwords;
use crate::store::admin::{self, Disabling};
use crate::store::users::{self, NewUser};
use crate::store::{Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[command(flatten)]
        database: DatabaseArgs,
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Picture URL (http or https).
        #[arg(long, default_value = "")]
        avatar: String,
        /// Make the account an admin: it may open /admin and disable accounts.
        #[arg(long)]
        admin: bool,
    },
    /// List accounts with their numbers of desserts.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Make an account an admin, or (with --revoke) an ordinary account again.
    Admin {
        #[command(flatten)]
        database: DatabaseArgs,
        username: String,
        /// Take the admin right away.
        #[arg(long)]
        revoke: bool,
    },
    /// Disable an account: its sessions and API tokens end, and it can no longer log in.
    Disable {
        #[command(flatten)]
        database: DatabaseArgs,
        username: String,
    },
    /// Let a disabled account log in again.
    Enable {
        #[command(flatten)]
        database: DatabaseArgs,
        username: String,
    },
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            database,
            username,
            email,
            name,
            avatar,
            admin,
        } => {
            let password = read_password()?;
            let store = &database.open_migrated().await?;
            let input = SignupInput {
                username,
                email,
                name,
                password,
                avatar,
                next: String::new(),
            };
            let signup = input.parse().map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(|(field, message)| format!("{field}: {message}")).collect();
                anyhow::anyhow!("invalid account:\n  {}", lines.join("\n  "))
            })?;
            let user = add(store, signup).await?;
            if admin {
                admin::set_admin(store, &lookup_key(&user.username), true).await?;
                crate::security_events::admin_right_changed(user.id, true);
            }
            let what = if admin { "admin" } else { "user" };
            println!("created {what} {} (id {})", user.username, user.id);
        }
        UserCommand::List { database } => {
            let store = &database.open_migrated().await?;
            let rows = users::list_with_dessert_counts(store).await?;
            println!("{:<6} {:<32} {:<40} {:>8}  STATE", "ID", "USERNAME", "EMAIL", "DESSERTS");
            for (user, count, state) in rows {
                println!(
                    "{:<6} {:<32} {:<40} {:>8}  {}",
                    user.id,
                    user.username,
                    user.email,
                    count,
                    state.describe()
                );
            }
        }
        UserCommand::Admin {
            database,
            username,
            revoke,
        } => {
            let store = &database.open_migrated().await?;
            let user = existing(store, &username).await?;
            admin::set_admin(store, &lookup_key(&user.username), !revoke).await?;
            crate::security_events::admin_right_changed(user.id, !revoke);
            let now = if revoke { "an ordinary account" } else { "an admin" };
            println!("{} is now {now}", user.username);
        }
        UserCommand::Disable { database, username } => {
            let store = &database.open_migrated().await?;
            let user = existing(store, &username).await?;
            match admin::disable(store, user.id, crate::store::now()).await? {
                Disabling::Done => {
                    crate::security_events::account_disabled(user.id, None);
                    println!("{} is disabled: its sessions and API tokens have ended", user.username);
                }
                Disabling::IsAdmin => bail!(
                    "{} is an admin; take the right away first (desserts user admin {} --revoke)",
                    user.username,
                    user.username
                ),
                Disabling::NoSuchAccount => bail!("no user {username:?}"),
            }
        }
        UserCommand::Enable { database, username } => {
            let store = &database.open_migrated().await?;
            let user = existing(store, &username).await?;
            admin::enable(store, user.id).await?;
            crate::security_events::account_enabled(user.id, None);
            println!("{} may log in again", user.username);
        }
    }
    Ok(())
}

/// The account a username or address names, disabled or not.
async fn existing(store: &Store, name: &str) -> anyhow::Result<crate::domain::User> {
    users::find_by_name(store, &lookup_key(name))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user {name:?}"))
}

async fn add(store: &Store, signup: Signup) -> anyhow::Result<crate::domain::User> {
    let password_hash = passwords::hash_blocking(signup.password.expose())?;
    let new_user = NewUser::new(signup, password_hash);
    match users::create(store, new_user).await {
        Ok(user) => Ok(user),
        Err(StoreError::Duplicate(key)) => bail!("a user with that {} already exists", key.field()),
        Err(error) => Err(error.into()),
    }
}

/// Without echo on a terminal; one line from a pipe.
fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ").context("cannot read the password")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}
