use crate::domain::Timestamp;
use crate::store::Store;

pub async fn run(store: &Store, status: bool) -> anyhow::Result<()> {
    if status {
        for migration in store.migration_status().await? {
            let state = migration
                .applied_at
                .map_or_else(|| "pending".to_string(), |at| format!("applied {}", Timestamp(at).rfc3339()));
            println!("{:04} {:<32} {state}", migration.version, migration.name);
        }
        return Ok(());
    }
    let applied = store.migrate().await?;
    if applied.is_empty() {
        println!("The database is up to date.");
    } else {
        for version in applied {
            println!("applied {version:04}");
        }
    }
    Ok(())
}
