//! Secrets the server keeps in the database, so that every instance shares them.

use super::{Store, StoreError, args, now};

/// The secret called `name`, made from `fresh` the first time any instance asks for it.
pub async fn get_or_create(store: &Store, name: &str, fresh: String) -> Result<String, StoreError> {
    store
        .execute(
            "INSERT INTO server_keys (name, value, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
            args![name, fresh, now()],
        )
        .await?;
    store
        .fetch_one("SELECT value FROM server_keys WHERE name = ?1", args![name], |row| row.get(0))
        .await
}
