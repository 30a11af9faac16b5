//! Menus and the desserts on them. Every query names the kitchen, and the link table's
//! foreign keys hold menus and desserts to one kitchen.

use super::desserts::{COLUMNS as DESSERT_COLUMNS, WITH_PHOTO, from_row as dessert_from_row, order_by};
use super::kitchens::{KITCHEN_COLUMNS, kitchen_from_row};
use super::{Row, Statement, Store, StoreError, args, now};
use crate::domain::{Currency, Dessert, Editing, Kitchen, Menu, MenuName, SortDir, SortField, Timestamp};

/// The columns every path that adds a menu writes — the app, an import, an adoption — in the
/// order of [`MenuRow`]'s fields after the id.
const WRITTEN: &str = "kitchen_id, name, name_key, public_slug, created_at, published";

/// The columns every path that puts a dessert on a menu writes, in the order of [`MenuEntryRow`].
const ENTRY_WRITTEN: &str = "menu_id, dessert_id, kitchen_id, added_at, position";

/// What the app reads of a menu: the columns of [`menu_from_row`].
/// The slug is read only while the menu is published: a kept link is not a live one.
const MENU_COLUMNS: &str = "menus.id, menus.name, CASE WHEN menus.published THEN menus.public_slug END, menus.created_at, \
     (SELECT count(*) FROM menu_desserts WHERE menu_desserts.menu_id = menus.id), menus.kitchen_id";

fn menu_from_row(row: &Row<'_>) -> Result<Menu, StoreError> {
    Ok(Menu {
        id: row.get(0)?,
        name: row.get(1)?,
        public_slug: row.get(2)?,
        created_at: Timestamp(row.get(3)?),
        dessert_count: row.get(4)?,
        kitchen_id: row.get(5)?,
    })
}

/// A menu as stored, with its id and kitchen: what export and import move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuRow {
    pub id: i64,
    pub kitchen_id: i64,
    pub name: String,
    pub name_key: String,
    /// The public link's slug, kept while the menu is unpublished.
    pub public_slug: Option<String>,
    pub created_at: i64,
    pub published: bool,
}

/// A dessert on a menu, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntryRow {
    pub menu_id: i64,
    pub dessert_id: i64,
    pub kitchen_id: i64,
    pub added_at: i64,
    /// Where it stands on the menu, from 1.
    pub position: i64,
}

/// Every menu in id order.
pub(super) fn all_rows_query() -> String {
    format!("SELECT id, {WRITTEN} FROM menus ORDER BY id")
}

/// Every menu entry, by menu and dessert.
pub(super) fn all_entries_query() -> String {
    format!("SELECT {ENTRY_WRITTEN} FROM menu_desserts ORDER BY menu_id, dessert_id")
}

pub(super) fn row_from_row(row: &Row<'_>) -> Result<MenuRow, StoreError> {
    Ok(MenuRow {
        id: row.get(0)?,
        kitchen_id: row.get(1)?,
        name: row.get(2)?,
        name_key: row.get(3)?,
        public_slug: row.get(4)?,
        created_at: row.get(5)?,
        published: row.get(6)?,
    })
}

pub(super) fn entry_from_row(row: &Row<'_>) -> Result<MenuEntryRow, StoreError> {
    Ok(MenuEntryRow {
        menu_id: row.get(0)?,
        dessert_id: row.get(1)?,
        kitchen_id: row.get(2)?,
        added_at: row.get(3)?,
        position: row.get(4)?,
    })
}

/// Writes a menu back with its id.
pub(super) fn restore(menu: MenuRow) -> Statement {
    Statement::new(
        format!("INSERT INTO menus (id, {WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        args![
            menu.id,
            menu.kitchen_id,
            menu.name,
            menu.name_key,
            menu.public_slug,
            menu.created_at,
            menu.published
        ],
    )
}

/// Writes a menu entry back.
pub(super) fn restore_entry(entry: MenuEntryRow) -> Statement {
    Statement::new(
        format!("INSERT INTO menu_desserts ({ENTRY_WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5)"),
        args![entry.menu_id, entry.dessert_id, entry.kitchen_id, entry.added_at, entry.position],
    )
}

/// A legacy menu, for the personal kitchen of the user with `owner_key` as username key.
pub struct AdoptedMenu {
    pub owner_key: String,
    pub name: String,
    pub name_key: String,
}

/// Adds a legacy menu at `now`, unpublished, unless its kitchen has one by that name.
pub(super) fn adopt(menu: AdoptedMenu, now: i64) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO menus ({WRITTEN})
             SELECT kitchens.id, ?2, ?3, NULL, ?4, FALSE
             FROM kitchens JOIN users ON users.id = kitchens.personal_of WHERE users.username_key = ?1
             ON CONFLICT DO NOTHING"
        ),
        args![menu.owner_key, menu.name, menu.name_key, now],
    )
}

/// Makes a menu; `Duplicate(..Name)` when the kitchen has one by that name.
pub async fn create(store: &Store, kitchen: Editing, name: &MenuName) -> Result<Menu, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let sql = format!("INSERT INTO menus ({WRITTEN}) VALUES (?1, ?2, ?3, NULL, ?4, FALSE) RETURNING {MENU_COLUMNS}");
    store
        .write_optional(sql, args![kitchen_id, name.as_str(), name.key(), now()], menu_from_row)
        .await?
        .ok_or_else(|| StoreError::Internal(super::Fault::new("INSERT ... RETURNING returned no row")))
}

/// The the kitchen's menus by name, each with its number of desserts: one query.
pub async fn list_in_kitchen(store: &Store, kitchen_id: i64) -> Result<Vec<Menu>, StoreError> {
    let sql = format!("SELECT {MENU_COLUMNS} FROM menus WHERE kitchen_id = ?1 ORDER BY name_key, id");
    store.fetch_all(&sql, args![kitchen_id], menu_from_row).await
}

pub async fn find(store: &Store, kitchen_id: i64, id: i64) -> Result<Option<Menu>, StoreError> {
    let sql = format!("SELECT {MENU_COLUMNS} FROM menus WHERE id = ?1 AND kitchen_id = ?2");
    store.fetch_optional(&sql, args![id, kitchen_id], menu_from_row).await
}

/// Menu `id` with its kitchen as `user_id` reaches it (their role there), in one query;
/// `None` when there is no such menu or they are not a member of its kitchen.
pub async fn find_reachable(store: &Store, user_id: i64, id: i64) -> Result<Option<(Menu, Kitchen)>, StoreError> {
    let sql = format!(
        "SELECT {MENU_COLUMNS}, {KITCHEN_COLUMNS} FROM menus
         JOIN memberships ON memberships.kitchen_id = menus.kitchen_id AND memberships.user_id = ?2
         JOIN kitchens ON kitchens.id = menus.kitchen_id
         WHERE menus.id = ?1"
    );
    store
        .fetch_optional(&sql, args![id, user_id], |row| Ok((menu_from_row(row)?, kitchen_from_row(row, 6)?)))
        .await
}

/// The desserts on one of the kitchen's menus, in the menu's own order (`None`) or sorted by
/// a column: one query, however many there are, and one for their labels.
pub async fn desserts_on(
    store: &Store,
    kitchen_id: i64,
    menu_id: i64,
    sorted: Option<(SortField, SortDir)>,
) -> Result<Vec<Dessert>, StoreError> {
    let order = match sorted {
        Some((sort, dir)) => order_by(sort, dir),
        None => MENU_ORDER.to_string(),
    };
    let sql = format!(
        "SELECT {DESSERT_COLUMNS} FROM {WITH_PHOTO}
         JOIN menu_desserts ON menu_desserts.dessert_id = desserts.id AND menu_desserts.menu_id = ?1 AND menu_desserts.kitchen_id = ?2
         WHERE desserts.kitchen_id = ?2
         ORDER BY {order}"
    );
    let mut desserts = store.fetch_all(&sql, args![menu_id, kitchen_id], dessert_from_row).await?;
    super::labels::attach(store, kitchen_id, &mut desserts).await?;
    Ok(desserts)
}

/// A menu's own order: by position, and by name where two share one (added at the same
/// moment, or imported from before positions).
const MENU_ORDER: &str = "menu_desserts.position, desserts.name_key, desserts.id";

/// The ids of the desserts on one of the kitchen's menus, in the menu's own order: what a new
/// order is checked against and a move starts from.
pub async fn dessert_ids_on(store: &Store, kitchen_id: i64, menu_id: i64) -> Result<Vec<i64>, StoreError> {
    let sql = format!(
        "SELECT desserts.id FROM desserts
         JOIN menu_desserts ON menu_desserts.dessert_id = desserts.id AND menu_desserts.menu_id = ?1 AND menu_desserts.kitchen_id = ?2
         WHERE desserts.kitchen_id = ?2
         ORDER BY {MENU_ORDER}"
    );
    store.fetch_all(&sql, args![menu_id, kitchen_id], |row| row.get(0)).await
}

/// Gives the desserts of one of the kitchen's menus the positions 1, 2, ... in the order of
/// `dessert_ids`, in one transaction. The caller checks that they are the menu's desserts.
pub async fn set_order(store: &Store, kitchen: Editing, menu_id: i64, dessert_ids: &[i64]) -> Result<(), StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let statements = dessert_ids
        .iter()
        .zip(1_i64..)
        .map(|(dessert_id, position)| {
            Statement::new(
                "UPDATE menu_desserts SET position = ?1 WHERE menu_id = ?2 AND dessert_id = ?3 AND kitchen_id = ?4",
                args![position, menu_id, *dessert_id, kitchen_id],
            )
        })
        .collect();
    store.transaction(statements).await?;
    Ok(())
}

/// The the kitchen's menus a dessert is on, by name, as (id, name).
pub async fn holding(store: &Store, kitchen_id: i64, dessert_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    store
        .fetch_all(
            "SELECT id, name FROM menus
             WHERE kitchen_id = ?1 AND id IN (SELECT menu_id FROM menu_desserts WHERE dessert_id = ?2)
             ORDER BY name_key, id",
            args![kitchen_id, dessert_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .await
}

/// The the kitchen's menus a dessert is not on, by name, as (id, name): where it can be added.
pub async fn not_holding(store: &Store, kitchen_id: i64, dessert_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    store
        .fetch_all(
            "SELECT id, name FROM menus
             WHERE kitchen_id = ?1 AND id NOT IN (SELECT menu_id FROM menu_desserts WHERE dessert_id = ?2)
             ORDER BY name_key, id",
            args![kitchen_id, dessert_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .await
}

/// Puts the kitchen's desserts on one of their menus, at its end in the order given, in one
/// transaction: desserts already on it stay where they are, and a menu or dessert that is
/// not the kitchen's is skipped by the join (the foreign keys would refuse it too). Returns
/// how many were added.
pub async fn add_desserts(store: &Store, kitchen: Editing, menu_id: i64, dessert_ids: &[i64]) -> Result<u64, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let sql = format!(
        "INSERT INTO menu_desserts ({ENTRY_WRITTEN})
         SELECT menus.id, desserts.id, menus.kitchen_id, ?4,
                (SELECT COALESCE(MAX(position), 0) + 1 FROM menu_desserts WHERE menu_id = ?1)
         FROM menus JOIN desserts ON desserts.kitchen_id = menus.kitchen_id
         WHERE menus.id = ?1 AND desserts.id = ?2 AND menus.kitchen_id = ?3
         ON CONFLICT (menu_id, dessert_id) DO NOTHING"
    );
    let at = now();
    let statements = dessert_ids
        .iter()
        .map(|dessert_id| Statement::new(sql.clone(), args![menu_id, *dessert_id, kitchen_id, at]))
        .collect();
    Ok(store.transaction(statements).await?.iter().sum())
}

/// Whether one of the kitchen's desserts is on one of their menus.
pub async fn holds(store: &Store, kitchen_id: i64, menu_id: i64, dessert_id: i64) -> Result<bool, StoreError> {
    let found = store
        .fetch_optional(
            "SELECT 1 FROM menu_desserts WHERE menu_id = ?1 AND dessert_id = ?2 AND kitchen_id = ?3",
            args![menu_id, dessert_id, kitchen_id],
            |_| Ok(()),
        )
        .await?;
    Ok(found.is_some())
}

/// Takes a dessert off a menu (the dessert stays). False when it was not on it.
pub async fn remove_dessert(store: &Store, kitchen: Editing, menu_id: i64, dessert_id: i64) -> Result<bool, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let removed = store
        .execute(
            "DELETE FROM menu_desserts WHERE menu_id = ?1 AND dessert_id = ?2 AND kitchen_id = ?3",
            args![menu_id, dessert_id, kitchen_id],
        )
        .await?;
    Ok(removed > 0)
}

/// Deletes a menu (its desserts stay) and returns its name; `None` when it is not the kitchen's.
pub async fn delete(store: &Store, kitchen: Editing, id: i64) -> Result<Option<String>, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    store
        .write_optional(
            "DELETE FROM menus WHERE id = ?1 AND kitchen_id = ?2 RETURNING name",
            args![id, kitchen_id],
            |row| row.get(0),
        )
        .await
}

/// Publishes a menu under the link it had, or under `slug` when it never had one. Returns
/// the slug in use; `None` when the menu is not the kitchen's.
pub async fn publish(store: &Store, kitchen: Editing, id: i64, slug: &str) -> Result<Option<String>, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    store
        .write_optional(
            "UPDATE menus SET public_slug = COALESCE(public_slug, ?1), published = TRUE
             WHERE id = ?2 AND kitchen_id = ?3 RETURNING public_slug",
            args![slug, id, kitchen_id],
            |row| row.get(0),
        )
        .await
}

/// Takes a menu's public page down at once, keeping its link for publishing again. False
/// when the menu is not the kitchen's.
pub async fn unpublish(store: &Store, kitchen: Editing, id: i64) -> Result<bool, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let changed = store
        .execute(
            "UPDATE menus SET published = FALSE WHERE id = ?1 AND kitchen_id = ?2",
            args![id, kitchen_id],
        )
        .await?;
    Ok(changed > 0)
}

/// Gives a menu the new link `slug` in place of the one it had, which then answers nothing
/// for good; published or not, it stays so. False when the menu is not the kitchen's.
pub async fn replace_link(store: &Store, kitchen: Editing, id: i64, slug: &str) -> Result<bool, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let changed = store
        .execute(
            "UPDATE menus SET public_slug = ?1 WHERE id = ?2 AND kitchen_id = ?3",
            args![slug, id, kitchen_id],
        )
        .await?;
    Ok(changed > 0)
}

/// A published menu as anyone with its link may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedMenu {
    pub menu: Menu,
    /// The the kitchen's public name (a café's), when they set one.
    pub publisher: Option<String>,
    /// What the kitchen's prices are in.
    pub currency: Currency,
    /// In the menu's order.
    pub desserts: Vec<Dessert>,
}

/// The condition that the menu `menus` answers at its public link: it is published, and
/// its kitchen has an owner whose account is not disabled (a disabled account's menus stop
/// answering; a shared kitchen's go on while another owner runs it).
pub(super) const ANSWERS_PUBLICLY: &str = "menus.published AND EXISTS (
    SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
    WHERE o.kitchen_id = menus.kitchen_id AND o.role = 'owner' AND u.disabled_at IS NULL)";

/// The menu published at `slug`, if any.
pub async fn find_published(store: &Store, slug: &str) -> Result<Option<PublishedMenu>, StoreError> {
    let sql = format!(
        "SELECT {MENU_COLUMNS}, menus.kitchen_id,
                CASE WHEN kitchens.personal_of IS NULL THEN kitchens.name
                     ELSE (SELECT public_name FROM users WHERE users.id = kitchens.personal_of) END,
                kitchens.currency
         FROM menus JOIN kitchens ON kitchens.id = menus.kitchen_id WHERE menus.public_slug = ?1 AND {ANSWERS_PUBLICLY}"
    );
    let found = store
        .fetch_optional(&sql, args![slug], |row| {
            let currency = Currency::parse(&row.get::<String>(8)?).unwrap_or_default();
            Ok((menu_from_row(row)?, row.get::<i64>(6)?, row.get(7)?, currency))
        })
        .await?;
    let Some((menu, kitchen_id, publisher, currency)) = found else {
        return Ok(None);
    };
    let desserts = desserts_on(store, kitchen_id, menu.id, None).await?;
    Ok(Some(PublishedMenu {
        menu,
        publisher,
        currency,
        desserts,
    }))
}

/// Whether a menu is published at `slug` now.
pub async fn is_published(store: &Store, slug: &str) -> Result<bool, StoreError> {
    let sql = format!("SELECT menus.id FROM menus WHERE menus.public_slug = ?1 AND {ANSWERS_PUBLICLY}");
    let found: Option<i64> = store.fetch_optional(&sql, args![slug], |row| row.get(0)).await?;
    Ok(found.is_some())
}

/// The the kitchen's desserts not yet on the menu, by name, as (id, name): what can be added.
pub async fn addable(store: &Store, kitchen_id: i64, menu_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
    store
        .fetch_all(
            "SELECT id, name FROM desserts
             WHERE kitchen_id = ?1 AND id NOT IN (SELECT dessert_id FROM menu_desserts WHERE menu_id = ?2)
             ORDER BY name_key, id",
            args![kitchen_id, menu_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseUrl;
    use crate::domain::{DessertInput, Email, PersonName, Username};
    use crate::store::users::{self, NewUser};
    use crate::store::{PoolSettings, desserts};

    /// A new account's personal kitchen, with a dessert and a menu in it.
    async fn person(store: &Store, name: &str) -> (i64, i64, i64) {
        let user = users::create(
            store,
            NewUser {
                username: Username::parse(name).unwrap(),
                email: Email::parse(&format!("{name}@example.com")).unwrap(),
                name: PersonName::parse(name).unwrap(),
                avatar: None,
                password_hash: "not a real hash".into(),
            },
        )
        .await
        .unwrap();
        let draft = DessertInput {
            name: format!("{name}'s pie"),
            price: "1".into(),
            calories: "1".into(),
            ..DessertInput::default()
        }
        .parse()
        .unwrap();
        let kitchen = super::super::kitchens::personal(store, user.id).await.unwrap().unwrap();
        let editing = kitchen.editing().unwrap();
        let dessert = desserts::create(store, editing, draft, None).await.unwrap();
        let menu = create(store, editing, &MenuName::parse("Summer").unwrap()).await.unwrap();
        (kitchen.id, dessert.id, menu.id)
    }

    /// The rules hold in the database itself, whatever a query might try.
    #[tokio::test]
    async fn the_schema_keeps_menus_to_their_owners_desserts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("d.db")), PoolSettings::default()).unwrap();
        store.migrate().await.unwrap();
        let (ann, ann_pie, ann_menu) = person(&store, "ann").await;
        let ann_user: i64 = store
            .fetch_one("SELECT personal_of FROM kitchens WHERE id = ?1", args![ann], |row| row.get(0))
            .await
            .unwrap();
        let (bob, bob_pie, _) = person(&store, "bob").await;
        let link = "INSERT INTO menu_desserts (menu_id, dessert_id, kitchen_id, added_at) VALUES (?1, ?2, ?3, 0)";
        assert!(
            store.execute(link, args![ann_menu, bob_pie, ann]).await.is_err(),
            "Bob's dessert as Ann's"
        );
        assert!(
            store.execute(link, args![ann_menu, bob_pie, bob]).await.is_err(),
            "Ann's menu as Bob's"
        );
        let ann_editing = Editing { kitchen_id: ann };
        assert_eq!(add_desserts(&store, ann_editing, ann_menu, &[bob_pie]).await.unwrap(), 0);
        assert!(!holds(&store, ann, ann_menu, bob_pie).await.unwrap());
        store.execute(link, args![ann_menu, ann_pie, ann]).await.unwrap();
        assert!(store.execute(link, args![ann_menu, ann_pie, ann]).await.is_err(), "at most once");
        assert_eq!(
            add_desserts(&store, ann_editing, ann_menu, &[ann_pie]).await.unwrap(),
            0,
            "adding again is fine"
        );
        assert!(holds(&store, ann, ann_menu, ann_pie).await.unwrap());

        users::delete(&store, ann_user).await.unwrap();
        assert!(list_in_kitchen(&store, ann).await.unwrap().is_empty());
        let links: i64 = store
            .fetch_one("SELECT count(*) FROM menu_desserts", vec![], |row| row.get(0))
            .await
            .unwrap();
        assert_eq!(links, 0, "the kitchen's links went with its account");
    }
}
