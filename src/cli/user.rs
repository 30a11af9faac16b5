use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::domain::{Signup, SignupInput};
use crate::passwords;
use crate::store::users::{self, NewUser};
use crate::store::{Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Picture URL (http or https).
        #[arg(long, default_value = "")]
        avatar: String,
    },
    /// List accounts with their numbers of desserts.
    List,
}

pub async fn run(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            email,
            name,
            avatar,
        } => {
            let password = read_password()?;
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
            println!("created user {} (id {})", user.username, user.id);
        }
        UserCommand::List => {
            let rows = users::list_with_dessert_counts(store).await?;
            println!("{:<6} {:<32} {:<40} {:>8}", "ID", "USERNAME", "EMAIL", "DESSERTS");
            for (user, count) in rows {
                println!("{:<6} {:<32} {:<40} {:>8}", user.id, user.username, user.email, count);
            }
        }
    }
    Ok(())
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
