//! Every row that makes up the data, read at one moment and written back with its ids:
//! what export and import move between databases.

use super::{Param, Row, Statement, Store, StoreError, args};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub username_key: String,
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub avatar: Option<String>,
    pub password_hash: String,
    pub created_at: i64,
    /// When the current address was confirmed; `None` while it is not.
    pub email_confirmed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub name_key: String,
    pub price_cents: i64,
    pub calories: i64,
    pub origin: Option<String>,
    pub image_url: Option<String>,
    pub liked: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub name_key: String,
    pub public_slug: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntryRow {
    pub menu_id: i64,
    pub dessert_id: i64,
    pub user_id: i64,
    pub added_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dump {
    pub users: Vec<UserRow>,
    pub desserts: Vec<DessertRow>,
    pub menus: Vec<MenuRow>,
    pub menu_entries: Vec<MenuEntryRow>,
}

const QUERIES: [&str; 4] = [
    "SELECT users.id, users.username, users.username_key, users.email, users.email_key, users.name, users.avatar,
            users.password_hash, users.created_at, v.verified_at
     FROM users LEFT JOIN email_verifications v ON v.user_id = users.id AND v.email_key = users.email_key
     ORDER BY users.id",
    "SELECT id, user_id, name, name_key, price_cents, calories, origin, image_url, liked, created_at, updated_at
     FROM desserts ORDER BY id",
    "SELECT id, user_id, name, name_key, public_slug, created_at FROM menus ORDER BY id",
    "SELECT menu_id, dessert_id, user_id, added_at FROM menu_desserts ORDER BY menu_id, dessert_id",
];

fn rows<T>(values: &[Vec<Param>], from_row: impl Fn(&Row<'_>) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    values.iter().map(|row| from_row(&Row::Owned(row))).collect()
}

/// Every user, dessert, menu and menu entry, as of one moment.
pub async fn read_all(store: &Store) -> Result<Dump, StoreError> {
    let tables = store.fetch_snapshot(&QUERIES).await?;
    let [users, desserts, menus, entries] = tables.as_slice() else {
        return Err(StoreError::Internal(super::Fault::new(
            "a snapshot of four queries returned another number",
        )));
    };
    Ok(Dump {
        users: rows(users, |row| {
            Ok(UserRow {
                id: row.get(0)?,
                username: row.get(1)?,
                username_key: row.get(2)?,
                email: row.get(3)?,
                email_key: row.get(4)?,
                name: row.get(5)?,
                avatar: row.get(6)?,
                password_hash: row.get(7)?,
                created_at: row.get(8)?,
                email_confirmed_at: row.get(9)?,
            })
        })?,
        desserts: rows(desserts, |row| {
            Ok(DessertRow {
                id: row.get(0)?,
                user_id: row.get(1)?,
                name: row.get(2)?,
                name_key: row.get(3)?,
                price_cents: row.get(4)?,
                calories: row.get(5)?,
                origin: row.get(6)?,
                image_url: row.get(7)?,
                liked: row.get(8)?,
                created_at: row.get(9)?,
                updated_at: row.get(10)?,
            })
        })?,
        menus: rows(menus, |row| {
            Ok(MenuRow {
                id: row.get(0)?,
                user_id: row.get(1)?,
                name: row.get(2)?,
                name_key: row.get(3)?,
                public_slug: row.get(4)?,
                created_at: row.get(5)?,
            })
        })?,
        menu_entries: rows(entries, |row| {
            Ok(MenuEntryRow {
                menu_id: row.get(0)?,
                dessert_id: row.get(1)?,
                user_id: row.get(2)?,
                added_at: row.get(3)?,
            })
        })?,
    })
}

/// True when the database holds no user (and so no dessert or menu).
pub async fn is_empty(store: &Store) -> Result<bool, StoreError> {
    let users: i64 = store.fetch_one("SELECT count(*) FROM users", vec![], |row| row.get(0)).await?;
    Ok(users == 0)
}

/// Inserts every row with its id, in one transaction: all or nothing.
pub async fn write_all(store: &Store, dump: Dump) -> Result<(), StoreError> {
    let mut statements = Vec::with_capacity(dump.users.len() + dump.desserts.len() + dump.menus.len() + dump.menu_entries.len() + 3);
    let confirmations: Vec<Statement> = dump
        .users
        .iter()
        .filter_map(|user| {
            let confirmed_at = user.email_confirmed_at?;
            Some(Statement::new(
                "INSERT INTO email_verifications (user_id, email_key, verified_at) VALUES (?1, ?2, ?3)",
                args![user.id, user.email_key.as_str(), confirmed_at],
            ))
        })
        .collect();
    for user in dump.users {
        statements.push(Statement::new(
            "INSERT INTO users (id, username, username_key, email, email_key, name, avatar, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            args![
                user.id,
                user.username,
                user.username_key,
                user.email,
                user.email_key,
                user.name,
                user.avatar,
                user.password_hash,
                user.created_at
            ],
        ));
    }
    statements.extend(confirmations);
    for dessert in dump.desserts {
        statements.push(Statement::new(
            "INSERT INTO desserts (id, user_id, name, name_key, price_cents, calories, origin, image_url, liked, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            args![
                dessert.id,
                dessert.user_id,
                dessert.name,
                dessert.name_key,
                dessert.price_cents,
                dessert.calories,
                dessert.origin,
                dessert.image_url,
                dessert.liked,
                dessert.created_at,
                dessert.updated_at
            ],
        ));
    }
    for menu in dump.menus {
        statements.push(Statement::new(
            "INSERT INTO menus (id, user_id, name, name_key, public_slug, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![menu.id, menu.user_id, menu.name, menu.name_key, menu.public_slug, menu.created_at],
        ));
    }
    for entry in dump.menu_entries {
        statements.push(Statement::new(
            "INSERT INTO menu_desserts (menu_id, dessert_id, user_id, added_at) VALUES (?1, ?2, ?3, ?4)",
            args![entry.menu_id, entry.dessert_id, entry.user_id, entry.added_at],
        ));
    }
    statements.extend(store.resume_ids(&["users", "desserts", "menus"]));
    store.transaction(statements).await.map(drop)
}

/// A legacy account to add, its password already hashed.
pub struct AdoptedUser {
    pub username: String,
    pub username_key: String,
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub avatar: Option<String>,
    pub password_hash: String,
}

/// A legacy dessert or menu, owned by the user with `owner_key` as username key.
pub struct AdoptedDessert {
    pub owner_key: String,
    pub name: String,
    pub name_key: String,
    pub price_cents: i64,
    pub calories: i64,
    pub liked: bool,
}

pub struct AdoptedMenu {
    pub owner_key: String,
    pub name: String,
    pub name_key: String,
}

/// Adds legacy rows in one transaction, all or nothing. A row already there (the same
/// username, or the same dessert or menu name for its owner) is left as it is, so that
/// adopting a file twice adds nothing the second time. Returns how many rows were added of
/// users, desserts and menus.
pub async fn adopt(
    store: &Store,
    users: Vec<AdoptedUser>,
    desserts: Vec<AdoptedDessert>,
    menus: Vec<AdoptedMenu>,
) -> Result<(u64, u64, u64), StoreError> {
    let now = super::now();
    let (user_count, dessert_count) = (users.len(), desserts.len());
    let mut statements = Vec::new();
    for user in users {
        statements.push(Statement::new(
            "INSERT INTO users (username, username_key, email, email_key, name, avatar, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            args![
                user.username,
                user.username_key,
                user.email,
                user.email_key,
                user.name,
                user.avatar,
                user.password_hash,
                now
            ],
        ));
    }
    for dessert in desserts {
        statements.push(Statement::new(
            "INSERT INTO desserts (user_id, name, name_key, price_cents, calories, liked, created_at, updated_at)
             SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?7 FROM users WHERE username_key = ?1
             ON CONFLICT DO NOTHING",
            args![
                dessert.owner_key,
                dessert.name,
                dessert.name_key,
                dessert.price_cents,
                dessert.calories,
                dessert.liked,
                now
            ],
        ));
    }
    for menu in menus {
        statements.push(Statement::new(
            "INSERT INTO menus (user_id, name, name_key, created_at)
             SELECT id, ?2, ?3, ?4 FROM users WHERE username_key = ?1
             ON CONFLICT DO NOTHING",
            args![menu.owner_key, menu.name, menu.name_key, now],
        ));
    }
    let changed = store.transaction(statements).await?;
    let (users, rest) = changed.split_at(user_count);
    let (desserts, menus) = rest.split_at(dessert_count);
    Ok((users.iter().sum(), desserts.iter().sum(), menus.iter().sum()))
}
