//! Every row that makes up the data, read at one moment and written back with its ids:
//! what export and import move between databases. Each table's module holds its row type,
//! its column list and the statements that write it; this module puts them together.

use super::{Row, Statement, Store, StoreError};
use super::{desserts, kitchens, labels, mail_tokens, menus, passkeys, photos, two_factor, users};

pub use super::desserts::{AdoptedDessert, DessertRow};
pub use super::kitchens::{KitchenRow, MembershipRow};
pub use super::labels::{DessertLabelRow, LabelRow};
pub use super::menus::{AdoptedMenu, MenuEntryRow, MenuRow};
pub use super::passkeys::PasskeyRow;
pub use super::photos::PhotoRow;
pub use super::two_factor::{RecoveryCodeRow, TotpRow};
pub use super::users::{AdoptedUser, UserRow};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dump {
    pub users: Vec<UserRow>,
    pub kitchens: Vec<KitchenRow>,
    pub memberships: Vec<MembershipRow>,
    pub desserts: Vec<DessertRow>,
    pub menus: Vec<MenuRow>,
    pub menu_entries: Vec<MenuEntryRow>,
    pub photos: Vec<PhotoRow>,
    pub labels: Vec<LabelRow>,
    pub dessert_labels: Vec<DessertLabelRow>,
    /// One-time code settings, recovery codes and passkeys: read only when asked for.
    pub totp: Vec<TotpRow>,
    pub recovery_codes: Vec<RecoveryCodeRow>,
    pub passkeys: Vec<PasskeyRow>,
}

fn rows<T>(values: &[Vec<super::Param>], from_row: impl Fn(&Row<'_>) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    values.iter().map(|row| from_row(&Row::Owned(row))).collect()
}

/// Every user, kitchen, membership, dessert, menu, menu entry, photo and label, as of one
/// moment. Invitations are not data to move: a pending one stays behind.
pub async fn read_all(store: &Store, with_secrets: bool) -> Result<Dump, StoreError> {
    let mut queries = vec![
        users::all_rows_query(),
        kitchens::all_rows_query(),
        kitchens::all_memberships_query(),
        desserts::all_rows_query(),
        menus::all_rows_query(),
        menus::all_entries_query(),
        photos::all_rows_query(),
        labels::all_rows_query(),
        labels::all_links_query(),
    ];
    if with_secrets {
        queries.push(two_factor::all_rows_query());
        queries.push(two_factor::all_recovery_codes_query());
        queries.push(passkeys::all_rows_query());
    }
    let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
    let tables = store.fetch_snapshot(&queries).await?;
    let (data, secrets) = tables.split_at(tables.len().min(9));
    let [
        users,
        kitchens,
        memberships,
        desserts,
        menus,
        entries,
        photos,
        labels,
        dessert_labels,
    ] = data
    else {
        return Err(StoreError::Internal(super::Fault::new("a snapshot of nine queries returned fewer")));
    };
    let (totp, recovery_codes, passkeys) = match secrets {
        [totp, codes, passkeys] => (
            rows(totp, two_factor::row_from_row)?,
            rows(codes, two_factor::recovery_code_from_row)?,
            rows(passkeys, passkeys::row_from_row)?,
        ),
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    Ok(Dump {
        users: rows(users, users::row_from_row)?,
        kitchens: rows(kitchens, kitchens::row_from_row)?,
        memberships: rows(memberships, kitchens::membership_from_row)?,
        desserts: rows(desserts, desserts::row_from_row)?,
        menus: rows(menus, menus::row_from_row)?,
        menu_entries: rows(entries, menus::entry_from_row)?,
        photos: rows(photos, photos::row_from_row)?,
        labels: rows(labels, labels::row_from_row)?,
        dessert_labels: rows(dessert_labels, labels::link_from_row)?,
        totp,
        recovery_codes,
        passkeys,
    })
}

/// True when the database holds no user (and so no dessert or menu).
pub async fn is_empty(store: &Store) -> Result<bool, StoreError> {
    let users: i64 = store.fetch_one("SELECT count(*) FROM users", vec![], |row| row.get(0)).await?;
    Ok(users == 0)
}

/// Inserts every row with its id, in one transaction: all or nothing.
pub async fn write_all(store: &Store, dump: Dump) -> Result<(), StoreError> {
    let mut statements =
        Vec::with_capacity(dump.users.len() + dump.desserts.len() + dump.menus.len() + dump.menu_entries.len() + dump.photos.len() + 3);
    let confirmations: Vec<Statement> = dump
        .users
        .iter()
        .filter_map(|user| {
            Some(mail_tokens::restore_confirmation(
                user.id,
                &user.email_key,
                user.email_confirmed_at?,
            ))
        })
        .collect();
    statements.extend(dump.users.into_iter().map(users::restore));
    statements.extend(confirmations);
    statements.extend(dump.kitchens.into_iter().map(kitchens::restore));
    statements.extend(dump.memberships.into_iter().map(kitchens::restore_membership));
    statements.extend(dump.desserts.into_iter().map(desserts::restore));
    statements.extend(dump.menus.into_iter().map(menus::restore));
    statements.extend(dump.menu_entries.into_iter().map(menus::restore_entry));
    statements.extend(dump.photos.into_iter().map(photos::restore));
    statements.extend(dump.labels.into_iter().map(labels::restore));
    statements.extend(dump.dessert_labels.into_iter().map(labels::restore_link));
    statements.extend(dump.totp.into_iter().map(two_factor::restore));
    statements.extend(dump.recovery_codes.into_iter().map(two_factor::restore_recovery_code));
    statements.extend(dump.passkeys.into_iter().map(passkeys::restore));
    statements.extend(store.resume_ids(&["users", "kitchens", "desserts", "menus", "labels", "passkeys"]));
    store.transaction(statements).await.map(drop)
}

/// Adds legacy rows in one transaction, all or nothing. A row already there (the same
/// username, or the same dessert or menu name for its owner) is left as it is, so that
/// adopting a file twice adds nothing the second time. Returns how many rows were added of
/// users, desserts and menus.
pub async fn adopt(
    store: &Store,
    adopted_users: Vec<AdoptedUser>,
    adopted_desserts: Vec<AdoptedDessert>,
    adopted_menus: Vec<AdoptedMenu>,
) -> Result<(u64, u64, u64), StoreError> {
    let now = super::now();
    let (user_count, dessert_count) = (adopted_users.len(), adopted_desserts.len());
    let mut statements = Vec::with_capacity(user_count + dessert_count + adopted_menus.len());
    for user in adopted_users {
        let username_key = user.username_key.clone();
        statements.push(users::adopt(user, now));
        statements.extend(kitchens::make_personal(&username_key));
    }
    statements.extend(adopted_desserts.into_iter().map(|dessert| desserts::adopt(dessert, now)));
    statements.extend(adopted_menus.into_iter().map(|menu| menus::adopt(menu, now)));
    let changed = store.transaction(statements).await?;
    // Each account's statement is followed by the two that make its personal kitchen.
    let users: Vec<u64> = changed[..user_count * 3].iter().step_by(3).copied().collect();
    let rest = &changed[user_count * 3..];
    let (desserts, menus) = rest.split_at(dessert_count);
    Ok((users.iter().sum(), desserts.iter().sum(), menus.iter().sum()))
}
