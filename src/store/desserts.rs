//! Desserts. Every query names the kitchen: there is no way to reach a dessert without it.

use std::sync::Arc;

use super::kitchens::{KITCHEN_COLUMNS, kitchen_from_row};
use super::{Param, Row, Statement, Store, StoreError, args, now};
use crate::domain::{
    AllergenInfo, AllergenSet, Dessert, DessertDraft, DessertQuery, Editing, HttpUrl, Kitchen, NewPhoto, Origin, Price, SortDir, SortField,
    Timestamp,
};

/// One page of a list, with the number of rows on every page together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertPage {
    pub items: Vec<Dessert>,
    pub total: u64,
    /// Every label of the kitchen's, alphabetically: what the list can be filtered by.
    pub kitchen_labels: Vec<String>,
}

/// The columns every path that adds a dessert writes — the app, an import, an adoption — in
/// the order of [`DessertRow`]'s fields after the id.
const WRITTEN: &str =
    "kitchen_id, name, name_key, price_cents, calories, origin, image_url, liked, created_at, updated_at, allergens, traces";

/// What the app reads of a dessert: the columns of [`from_row`], its photo's sizes last.
/// Read `FROM` [`WITH_PHOTO`].
pub(super) const COLUMNS: &str = concat!(dessert_columns!(), ", ", super::photos::photo_sizes!());

/// Desserts with their photos: where [`COLUMNS`] are read from.
pub(super) const WITH_PHOTO: &str = "desserts LEFT JOIN photos ON photos.dessert_id = desserts.id";

/// [`COLUMNS`] for a `RETURNING` clause, which cannot join: the photo's sizes by a subquery.
const RETURNED: &str = concat!(
    dessert_columns!(),
    ", (SELECT ",
    super::photos::photo_sizes!(),
    " FROM photos WHERE photos.dessert_id = desserts.id)"
);

macro_rules! dessert_columns {
    () => {
        "desserts.id, desserts.name, desserts.price_cents, desserts.calories, desserts.origin, desserts.image_url, \
         desserts.liked, desserts.created_at, desserts.updated_at, desserts.allergens, desserts.traces, desserts.kitchen_id"
    };
}
use dessert_columns;

/// A dessert as stored, with its id and kitchen: what export and import move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertRow {
    pub id: i64,
    pub kitchen_id: i64,
    pub name: String,
    pub name_key: String,
    pub price_cents: i64,
    pub calories: i64,
    pub origin: Option<String>,
    pub image_url: Option<String>,
    pub liked: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The allergen mask; `None` while not declared.
    pub allergens: Option<i64>,
    pub traces: i64,
}

/// Every dessert in id order.
pub(super) fn all_rows_query() -> String {
    format!("SELECT id, {WRITTEN} FROM desserts ORDER BY id")
}

pub(super) fn row_from_row(row: &Row<'_>) -> Result<DessertRow, StoreError> {
    Ok(DessertRow {
        id: row.get(0)?,
        kitchen_id: row.get(1)?,
        name: row.get(2)?,
        name_key: row.get(3)?,
        price_cents: row.get(4)?,
        calories: row.get(5)?,
        origin: row.get(6)?,
        image_url: row.get(7)?,
        liked: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        allergens: row.get(11)?,
        traces: row.get(12)?,
    })
}

/// Writes a dessert back with its id.
pub(super) fn restore(dessert: DessertRow) -> Statement {
    Statement::new(
        format!("INSERT INTO desserts (id, {WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
        args![
            dessert.id,
            dessert.kitchen_id,
            dessert.name,
            dessert.name_key,
            dessert.price_cents,
            dessert.calories,
            dessert.origin,
            dessert.image_url,
            dessert.liked,
            dessert.created_at,
            dessert.updated_at,
            dessert.allergens,
            dessert.traces
        ],
    )
}

/// A legacy dessert, for the personal kitchen of the user with `owner_key` as username key.
pub struct AdoptedDessert {
    pub owner_key: String,
    pub name: String,
    pub name_key: String,
    pub price_cents: i64,
    pub calories: i64,
    pub liked: bool,
}

/// Adds a legacy dessert at `now`, unless its kitchen has one by that name. The old app had
/// no origin or picture, and declared no allergens.
pub(super) fn adopt(dessert: AdoptedDessert, now: i64) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO desserts ({WRITTEN})
             SELECT kitchens.id, ?2, ?3, ?4, ?5, NULL, NULL, ?6, ?7, ?7, NULL, 0
             FROM kitchens JOIN users ON users.id = kitchens.personal_of WHERE users.username_key = ?1
             ON CONFLICT DO NOTHING"
        ),
        args![
            dessert.owner_key,
            dessert.name,
            dessert.name_key,
            dessert.price_cents,
            dessert.calories,
            dessert.liked,
            now
        ],
    )
}

pub(super) fn from_row(row: &Row<'_>) -> Result<Dessert, StoreError> {
    let cents: i64 = row.get(2)?;
    Ok(Dessert {
        id: row.get(0)?,
        name: row.get(1)?,
        price: Price::from_cents(cents).map_err(|e| StoreError::Internal(super::Fault::new(format!("stored price {cents}: {e}"))))?,
        calories: row.get(3)?,
        origin: row.get(4)?,
        image_url: row.get(5)?,
        liked: row.get(6)?,
        created_at: Timestamp(row.get(7)?),
        updated_at: Timestamp(row.get(8)?),
        allergens: allergens_from_row(row, 9)?,
        kitchen_id: row.get(11)?,
        photo: super::photos::info_from_column(row, 12)?,
        labels: Vec::new(),
    })
}

/// The allergen masks at `first` (contained, or NULL) and `first + 1` (traces).
fn allergens_from_row(row: &Row<'_>, first: usize) -> Result<AllergenInfo, StoreError> {
    let mask = |value: i64| {
        AllergenSet::from_mask(value).ok_or_else(|| StoreError::Internal(super::Fault::new(format!("stored allergen mask {value}"))))
    };
    let contains = row.get::<Option<i64>>(first)?.map(mask).transpose()?;
    Ok(AllergenInfo {
        contains,
        traces: mask(row.get(first + 1)?)?,
    })
}

pub(super) fn order_by(sort: SortField, dir: SortDir) -> String {
    let column = match sort {
        SortField::Name => "name_key",
        SortField::Price => "price_cents",
        SortField::Calories => "calories",
        SortField::Created => "desserts.created_at",
    };
    let dir = match dir {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    };
    format!("{column} {dir}, id {dir}")
}

/// `%`, `_` and `\` in a search are literal characters, not patterns.
pub(super) fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The conditions of a list's search and filters, `AND ...`, their values added to `args`
/// (the kitchen is `?1`). Each is bounded by the kitchen's rows: the search and "free of" test
/// each of them, and the labels are read through the index on each label's links.
fn filter(query: &DessertQuery, args: &mut Vec<Param>) -> String {
    let mut filter = String::new();
    let next = |value: Param, args: &mut Vec<Param>| {
        args.push(value);
        args.len()
    };
    if let Some(search) = &query.search {
        let n = next(Param::from(like_pattern(search)), args);
        filter.push_str(&format!(" AND desserts.name_key LIKE ?{n} ESCAPE '\\'"));
    }
    if let Some(free_of) = query.free_of {
        let n = next(Param::from(free_of.mask()), args);
        filter.push_str(&format!(" AND desserts.allergens IS NOT NULL AND (desserts.allergens & ?{n}) = 0"));
    }
    // Each label named narrows by its own links (`dessert_labels_label`): a range of one
    // index per label, however many desserts the kitchen has.
    for key in &query.labels {
        let n = next(Param::from(key.as_str()), args);
        filter.push_str(&format!(
            " AND desserts.id IN (SELECT dessert_labels.dessert_id FROM dessert_labels
                 WHERE dessert_labels.label_id = (SELECT labels.id FROM labels WHERE labels.kitchen_id = ?1 AND labels.name_key = ?{n}))"
        ));
    }
    filter
}

/// One page of the kitchen's desserts. A page already read for the same query at the
/// kitchen's current contents version (read with the session, so it is the database's) is
/// used again without a statement; see [`super::kept`].
pub async fn list_in_kitchen(store: &Store, kitchen: &Kitchen, query: &DessertQuery) -> Result<Arc<DessertPage>, StoreError> {
    if let Some(page) = store.kept_lists.get(kitchen.id, kitchen.contents_version, query) {
        return Ok(page);
    }
    let page = Arc::new(read_list(store, kitchen.id, query).await?);
    store
        .kept_lists
        .keep(kitchen.id, kitchen.contents_version, query.clone(), Arc::clone(&page));
    Ok(page)
}

async fn read_list(store: &Store, kitchen_id: i64, query: &DessertQuery) -> Result<DessertPage, StoreError> {
    if query.finds_nothing {
        return Ok(DessertPage {
            items: Vec::new(),
            total: 0,
            kitchen_labels: super::labels::attach_listing(store, kitchen_id, &mut []).await?,
        });
    }
    let mut args = args![kitchen_id];
    let filter = filter(query, &mut args);
    let count_sql = format!("SELECT count(*) FROM desserts WHERE kitchen_id = ?1 {filter}");
    let total: i64 = store.fetch_one(&count_sql, args.clone(), |row| row.get(0)).await?;
    let n = args.len();
    let page_sql = format!(
        "SELECT {COLUMNS} FROM {WITH_PHOTO} WHERE kitchen_id = ?1 {filter} ORDER BY {} LIMIT ?{} OFFSET ?{}",
        order_by(query.sort, query.dir),
        n + 1,
        n + 2
    );
    args.push(Param::from(i64::from(query.per_page)));
    args.push(Param::from(i64::try_from(query.offset()).unwrap_or(i64::MAX)));
    let mut items = store.fetch_all(&page_sql, args, from_row).await?;
    let kitchen_labels = super::labels::attach_listing(store, kitchen_id, &mut items).await?;
    Ok(DessertPage {
        items,
        total: u64::try_from(total).unwrap_or(0),
        kitchen_labels,
    })
}

/// The names of those of `ids` that are the kitchen's desserts, by name.
pub async fn names_of(store: &Store, kitchen_id: i64, ids: &[i64]) -> Result<Vec<String>, StoreError> {
    let (list, values) = super::kitchen_and_ids(kitchen_id, ids.iter().copied());
    let sql = format!("SELECT name FROM desserts WHERE kitchen_id = ?1 AND id IN ({list}) ORDER BY name_key, id");
    store.fetch_all(&sql, values, |row| row.get(0)).await
}

pub async fn find(store: &Store, kitchen_id: i64, id: i64) -> Result<Option<Dessert>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {WITH_PHOTO} WHERE id = ?1 AND kitchen_id = ?2");
    with_labels(
        store,
        kitchen_id,
        store.fetch_optional(&sql, args![id, kitchen_id], from_row).await?,
    )
    .await
}

/// Dessert `id` with its labels and its kitchen as `user_id` reaches it (their role there);
/// `None` when there is no such dessert or they are not a member of its kitchen.
pub async fn find_reachable(store: &Store, user_id: i64, id: i64) -> Result<Option<(Dessert, Kitchen)>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, {KITCHEN_COLUMNS} FROM {WITH_PHOTO}
         JOIN memberships ON memberships.kitchen_id = desserts.kitchen_id AND memberships.user_id = ?2
         JOIN kitchens ON kitchens.id = desserts.kitchen_id
         WHERE desserts.id = ?1"
    );
    let found = store
        .fetch_optional(&sql, args![id, user_id], |row| {
            Ok((from_row(row)?, kitchen_from_row(row, READ_WIDTH)?))
        })
        .await?;
    let Some((dessert, kitchen)) = found else {
        return Ok(None);
    };
    Ok(with_labels(store, kitchen.id, Some(dessert))
        .await?
        .map(|dessert| (dessert, kitchen)))
}

/// How many columns [`COLUMNS`] is.
const READ_WIDTH: usize = 13;

/// The values of a draft, in the order `?1`..`?9` of [`update`] and `?2`..`?10` of [`create`].
fn draft_args(draft: &DessertDraft) -> Vec<Param> {
    args![
        draft.name.as_str(),
        draft.name.key(),
        draft.price.cents(),
        draft.calories.value(),
        draft.origin.as_ref().map(Origin::as_str),
        draft.image_url.as_ref().map(HttpUrl::as_str),
        draft.liked,
        draft.allergens.contains.map(AllergenSet::mask),
        draft.allergens.traces.mask(),
    ]
}

/// What a change of a dessert does to its photo.
pub enum PhotoChange {
    Keep,
    Set(NewPhoto),
    Remove,
}

/// Adds a dessert for the kitchen, with its photo and labels, in one transaction (labels it
/// names that the kitchen has not are made); `Duplicate(..Name)` when they already have one
/// by that name.
pub async fn create(store: &Store, kitchen: Editing, draft: DessertDraft, photo: Option<NewPhoto>) -> Result<Dessert, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let insert = format!("INSERT INTO desserts ({WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, ?11, ?9, ?10)");
    let name_key = draft.name.key().to_string();
    let mut args = args![kitchen_id];
    args.extend(draft_args(&draft));
    args.push(Param::from(now()));
    let mut statements = vec![Statement::new(insert, args)];
    statements.extend(photo.map(|photo| super::photos::put_by_name(kitchen_id, &name_key, photo)));
    if !draft.labels.is_empty() {
        statements.extend(super::labels::set(
            kitchen_id,
            ("name_key", name_key.as_str().into()),
            &draft.labels,
        ));
    }
    let made = if statements.len() == 1 {
        let Statement { sql, args } = statements.remove(0);
        store.write_optional(format!("{sql} RETURNING {RETURNED}"), args, from_row).await?
    } else {
        store.transaction(statements).await?;
        find_by_name_key(store, kitchen_id, &name_key).await?
    };
    made.ok_or_else(|| StoreError::Internal(super::Fault::new("a dessert just added was not found")))
}

/// The dessert with its labels filled in.
async fn with_labels(store: &Store, kitchen_id: i64, dessert: Option<Dessert>) -> Result<Option<Dessert>, StoreError> {
    let Some(dessert) = dessert else {
        return Ok(None);
    };
    let mut one = [dessert];
    super::labels::attach(store, kitchen_id, &mut one).await?;
    let [dessert] = one;
    Ok(Some(dessert))
}

async fn find_by_name_key(store: &Store, kitchen_id: i64, name_key: &str) -> Result<Option<Dessert>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {WITH_PHOTO} WHERE kitchen_id = ?1 AND name_key = ?2");
    with_labels(
        store,
        kitchen_id,
        store.fetch_optional(&sql, args![kitchen_id, name_key], from_row).await?,
    )
    .await
}

/// Replaces a dessert's fields and labels, and sets or removes its photo, in one
/// transaction; `None` when the kitchen has no dessert `id`.
pub async fn update(
    store: &Store,
    kitchen: Editing,
    id: i64,
    draft: DessertDraft,
    photo: PhotoChange,
) -> Result<Option<Dessert>, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    let update = "UPDATE desserts SET name = ?1, name_key = ?2, price_cents = ?3, calories = ?4, origin = ?5,
                image_url = ?6, liked = ?7, allergens = ?8, traces = ?9, updated_at = ?10
         WHERE id = ?11 AND kitchen_id = ?12";
    let mut args = draft_args(&draft);
    args.extend(args![now(), id, kitchen_id]);
    let mut statements = vec![Statement::new(update, args)];
    statements.extend(super::labels::set(kitchen_id, ("id", id.into()), &draft.labels));
    match photo {
        PhotoChange::Keep => {}
        PhotoChange::Set(photo) => statements.push(super::photos::put_by_id(kitchen_id, id, photo)),
        PhotoChange::Remove => statements.push(super::photos::remove(kitchen_id, id)),
    }
    let changed = store.transaction(statements).await?;
    if changed[0] == 0 {
        return Ok(None);
    }
    find(store, kitchen_id, id).await
}

/// Deletes a dessert and returns its name; `None` when the kitchen has no dessert `id`.
pub async fn delete(store: &Store, kitchen: Editing, id: i64) -> Result<Option<String>, StoreError> {
    let kitchen_id = kitchen.kitchen_id;
    store
        .write_optional(
            "DELETE FROM desserts WHERE id = ?1 AND kitchen_id = ?2 RETURNING name",
            args![id, kitchen_id],
            |row| row.get(0),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
