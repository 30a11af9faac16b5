//! Labels, and which desserts carry them. Every query names the kitchen, and the link table's
//! foreign keys hold a dessert and its labels to one kitchen.

use std::collections::HashMap;

use super::{Param, Row, Statement, Store, StoreError, args, now};
use crate::domain::{Dessert, Editing, Label, LabelName};

/// Gives the dessert of the kitchen whose `column` is `?2` exactly the labels `names`, making
/// those the kitchen has no label by yet: statements for the dessert's own transaction.
pub(super) fn set(kitchen_id: i64, dessert: (&str, Param), names: &[LabelName]) -> Vec<Statement> {
    let (column, value) = dessert;
    let made_at = now();
    let mut statements: Vec<Statement> = names
        .iter()
        .map(|name| {
            Statement::new(
                format!("INSERT INTO labels ({WRITTEN}) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kitchen_id, name_key) DO NOTHING"),
                args![kitchen_id, name.as_str(), name.key(), made_at],
            )
        })
        .collect();
    statements.push(Statement::new(
        format!(
            "DELETE FROM dessert_labels WHERE kitchen_id = ?1
             AND dessert_id IN (SELECT id FROM desserts WHERE kitchen_id = ?1 AND {column} = ?2)"
        ),
        vec![Param::from(kitchen_id), value.clone()],
    ));
    statements.extend(names.iter().map(|name| {
        Statement::new(
            format!(
                "INSERT INTO dessert_labels ({LINK_WRITTEN})
                 SELECT desserts.id, labels.id, desserts.kitchen_id FROM desserts JOIN labels ON labels.kitchen_id = desserts.kitchen_id
                 WHERE desserts.kitchen_id = ?1 AND desserts.{column} = ?2 AND labels.name_key = ?3"
            ),
            vec![Param::from(kitchen_id), value.clone(), Param::from(name.key())],
        )
    }));
    statements
}

/// Fills in the labels of `desserts` (all the kitchen's), by name: one query however many.
pub async fn attach(store: &Store, kitchen_id: i64, desserts: &mut [Dessert]) -> Result<(), StoreError> {
    if desserts.is_empty() {
        return Ok(());
    }
    let (ids, values) = super::kitchen_and_ids(kitchen_id, desserts.iter().map(|dessert| dessert.id));
    let sql = format!(
        "SELECT dessert_labels.dessert_id, labels.name FROM dessert_labels JOIN labels ON labels.id = dessert_labels.label_id
         WHERE dessert_labels.kitchen_id = ?1 AND dessert_labels.dessert_id IN ({ids})
         ORDER BY labels.name_key, labels.id"
    );
    let found: Vec<(i64, String)> = store.fetch_all(&sql, values, |row| Ok((row.get(0)?, row.get(1)?))).await?;
    fill(desserts, found);
    Ok(())
}

/// Fills in the labels of a page of `desserts` (all the kitchen's) and returns the names of all
/// the kitchen's labels, alphabetically (for the list's filters), in one query: each label
/// looks up its links to the page's desserts in `dessert_labels_label`.
pub async fn attach_listing(store: &Store, kitchen_id: i64, desserts: &mut [Dessert]) -> Result<Vec<String>, StoreError> {
    let (ids, values) = super::kitchen_and_ids(kitchen_id, desserts.iter().map(|dessert| dessert.id));
    let sql = format!(
        "SELECT labels.id, labels.name, dessert_labels.dessert_id FROM labels
         LEFT JOIN dessert_labels ON dessert_labels.label_id = labels.id AND dessert_labels.dessert_id IN ({ids})
         WHERE labels.kitchen_id = ?1 ORDER BY labels.name_key, labels.id"
    );
    let found: Vec<(i64, String, Option<i64>)> = store
        .fetch_all(&sql, values, |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .await?;
    let mut names: Vec<String> = Vec::new();
    let mut last_label = None;
    let mut links = Vec::new();
    for (label_id, name, dessert_id) in found {
        if let Some(dessert_id) = dessert_id {
            links.push((dessert_id, name.clone()));
        }
        if last_label != Some(label_id) {
            last_label = Some(label_id);
            names.push(name);
        }
    }
    fill(desserts, links);
    Ok(names)
}

/// Gives each of `desserts` the names linked to its id in `links` (in their order), and no
/// labels when none are.
fn fill(desserts: &mut [Dessert], links: Vec<(i64, String)>) {
    let mut by_dessert: HashMap<i64, Vec<String>> = HashMap::new();
    for (dessert_id, name) in links {
        by_dessert.entry(dessert_id).or_default().push(name);
    }
    for dessert in desserts {
        dessert.labels = by_dessert.remove(&dessert.id).unwrap_or_default();
    }
}

/// The the kitchen's labels by name, each with how many desserts carry it: one query.
pub async fn list_in_kitchen(store: &Store, kitchen_id: i64) -> Result<Vec<Label>, StoreError> {
    store
        .fetch_all(
            "SELECT labels.id, labels.name, (SELECT count(*) FROM dessert_labels WHERE dessert_labels.label_id = labels.id)
             FROM labels WHERE labels.kitchen_id = ?1 ORDER BY labels.name_key, labels.id",
            args![kitchen_id],
            |row| {
                Ok(Label {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    dessert_count: row.get(2)?,
                })
            },
        )
        .await
}

/// Renames one of the kitchen's labels; `Ok(false)` when they have no label `id`,
/// `Duplicate(LabelName)` when another of theirs has the name.
pub async fn rename(store: &Store, kitchen: Editing, id: i64, name: &LabelName) -> Result<bool, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let changed = store
        .execute(
            "UPDATE labels SET name = ?1, name_key = ?2 WHERE id = ?3 AND kitchen_id = ?4",
            args![name.as_str(), name.key(), id, kitchen_id],
        )
        .await?;
    Ok(changed == 1)
}

/// Deletes one of the kitchen's labels; the desserts that carried it stay. The name it had,
/// or `None` when they have no label `id`.
pub async fn delete(store: &Store, kitchen: Editing, id: i64) -> Result<Option<String>, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    store
        .write_optional(
            "DELETE FROM labels WHERE id = ?1 AND kitchen_id = ?2 RETURNING name",
            args![id, kitchen_id],
            |row| row.get(0),
        )
        .await
}

/// A label as stored, with its id and kitchen: what export and import move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRow {
    pub id: i64,
    pub kitchen_id: i64,
    pub name: String,
    pub name_key: String,
    pub created_at: i64,
}

/// A dessert carrying a label, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertLabelRow {
    pub dessert_id: i64,
    pub label_id: i64,
    pub kitchen_id: i64,
}

/// The columns every path that adds a label writes, in the order of [`LabelRow`] after the id.
const WRITTEN: &str = "kitchen_id, name, name_key, created_at";
const LINK_WRITTEN: &str = "dessert_id, label_id, kitchen_id";

pub(super) fn all_rows_query() -> String {
    format!("SELECT id, {WRITTEN} FROM labels ORDER BY id")
}

pub(super) fn all_links_query() -> String {
    format!("SELECT {LINK_WRITTEN} FROM dessert_labels ORDER BY dessert_id, label_id")
}

pub(super) fn row_from_row(row: &Row<'_>) -> Result<LabelRow, StoreError> {
    Ok(LabelRow {
        id: row.get(0)?,
        kitchen_id: row.get(1)?,
        name: row.get(2)?,
        name_key: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub(super) fn link_from_row(row: &Row<'_>) -> Result<DessertLabelRow, StoreError> {
    Ok(DessertLabelRow {
        dessert_id: row.get(0)?,
        label_id: row.get(1)?,
        kitchen_id: row.get(2)?,
    })
}

pub(super) fn restore(label: LabelRow) -> Statement {
    Statement::new(
        format!("INSERT INTO labels (id, {WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5)"),
        args![label.id, label.kitchen_id, label.name, label.name_key, label.created_at],
    )
}

pub(super) fn restore_link(link: DessertLabelRow) -> Statement {
    Statement::new(
        format!("INSERT INTO dessert_labels ({LINK_WRITTEN}) VALUES (?1, ?2, ?3)"),
        args![link.dessert_id, link.label_id, link.kitchen_id],
    )
}
