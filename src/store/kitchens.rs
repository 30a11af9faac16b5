//! Kitchens, their members and invitations. Whether a person reaches a dessert, a label or
//! a menu is decided here, by their membership of its kitchen: the `of_*` queries give the
//! kitchen with the person's role, or nothing to anyone who is not a member.

use super::{Row, Statement, Store, StoreError, args, now};
use crate::domain::{Currency, Kitchen, KitchenName, Managing, Role, Timestamp, keeps_an_owner};

/// What the app reads of a kitchen as one member sees it, with `memberships` joined for that
/// member: the fields of [`Kitchen`] in order.
pub(super) const KITCHEN_COLUMNS: &str =
    "kitchens.id, kitchens.name, kitchens.personal_of IS NOT NULL, memberships.role, kitchens.currency,
     kitchens.contents_version";

/// How many columns [`KITCHEN_COLUMNS`] is.
pub(super) const KITCHEN_WIDTH: usize = 6;

pub(super) fn kitchen_from_row(row: &Row<'_>, first: usize) -> Result<Kitchen, StoreError> {
    Ok(Kitchen {
        id: row.get(first)?,
        name: row.get(first + 1)?,
        personal: row.get(first + 2)?,
        role: role_from(&row.get::<String>(first + 3)?)?,
        // A code this program does not offer (written by a newer one) shows as dollars.
        currency: Currency::parse(&row.get::<String>(first + 4)?).unwrap_or_default(),
        contents_version: row.get(first + 5)?,
    })
}

fn role_from(code: &str) -> Result<Role, StoreError> {
    Role::parse(code).map_err(|_| StoreError::Internal(super::Fault::new(format!("stored role {code:?}"))))
}

/// The statements that make the personal kitchen of the account whose username key is
/// `username_key`, with it as owner, in the transaction that adds the account. An account
/// that has one already (an adoption that kept an existing account) keeps it.
pub(super) fn make_personal(username_key: &str) -> [Statement; 2] {
    [
        Statement::new(
            "INSERT INTO kitchens (name, personal_of, currency, created_at)
             SELECT username, id, currency, created_at FROM users WHERE username_key = ?1
             ON CONFLICT DO NOTHING",
            args![username_key],
        ),
        Statement::new(
            "INSERT INTO memberships (kitchen_id, user_id, role, joined_at)
             SELECT kitchens.id, users.id, 'owner', kitchens.created_at
             FROM users JOIN kitchens ON kitchens.personal_of = users.id WHERE users.username_key = ?1
             ON CONFLICT DO NOTHING",
            args![username_key],
        ),
    ]
}

/// The kitchen `kitchen_id` as `user_id` reaches it; `None` when they are not a member.
pub async fn find(store: &Store, user_id: i64, kitchen_id: i64) -> Result<Option<Kitchen>, StoreError> {
    let sql = format!(
        "SELECT {KITCHEN_COLUMNS} FROM kitchens JOIN memberships ON memberships.kitchen_id = kitchens.id
         WHERE kitchens.id = ?1 AND memberships.user_id = ?2"
    );
    store
        .fetch_optional(&sql, args![kitchen_id, user_id], |row| kitchen_from_row(row, 0))
        .await
}

/// The account's personal kitchen.
pub async fn personal(store: &Store, user_id: i64) -> Result<Option<Kitchen>, StoreError> {
    let sql = format!(
        "SELECT {KITCHEN_COLUMNS} FROM kitchens JOIN memberships ON memberships.kitchen_id = kitchens.id
         WHERE kitchens.personal_of = ?1 AND memberships.user_id = ?1"
    );
    store.fetch_optional(&sql, args![user_id], |row| kitchen_from_row(row, 0)).await
}

/// The kitchen of `table`'s row `id`, as `user_id` reaches it: `None` when there is no such
/// row or they are not a member of its kitchen (the two look the same).
async fn of_row(store: &Store, table: &str, user_id: i64, id: i64) -> Result<Option<Kitchen>, StoreError> {
    let sql = format!(
        "SELECT {KITCHEN_COLUMNS} FROM {table}
         JOIN memberships ON memberships.kitchen_id = {table}.kitchen_id AND memberships.user_id = ?2
         JOIN kitchens ON kitchens.id = {table}.kitchen_id
         WHERE {table}.id = ?1"
    );
    store.fetch_optional(&sql, args![id, user_id], |row| kitchen_from_row(row, 0)).await
}

/// The kitchen of dessert `id`, with `user_id`'s role there.
pub async fn of_dessert(store: &Store, user_id: i64, id: i64) -> Result<Option<Kitchen>, StoreError> {
    of_row(store, "desserts", user_id, id).await
}

/// The kitchen of menu `id`, with `user_id`'s role there.
pub async fn of_menu(store: &Store, user_id: i64, id: i64) -> Result<Option<Kitchen>, StoreError> {
    of_row(store, "menus", user_id, id).await
}

/// The kitchen of label `id`, with `user_id`'s role there.
pub async fn of_label(store: &Store, user_id: i64, id: i64) -> Result<Option<Kitchen>, StoreError> {
    of_row(store, "labels", user_id, id).await
}

/// One of a person's kitchens in their list, with how many members it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitchenEntry {
    pub kitchen: Kitchen,
    pub members: i64,
}

/// The kitchens `user_id` is a member of: the personal one first, then by name.
pub async fn list_for_user(store: &Store, user_id: i64) -> Result<Vec<KitchenEntry>, StoreError> {
    let sql = format!(
        "SELECT {KITCHEN_COLUMNS}, (SELECT count(*) FROM memberships others WHERE others.kitchen_id = kitchens.id)
         FROM kitchens JOIN memberships ON memberships.kitchen_id = kitchens.id
         WHERE memberships.user_id = ?1
         ORDER BY kitchens.personal_of IS NULL, lower(kitchens.name), kitchens.id"
    );
    store
        .fetch_all(&sql, args![user_id], |row| {
            Ok(KitchenEntry {
                kitchen: kitchen_from_row(row, 0)?,
                members: row.get(KITCHEN_WIDTH)?,
            })
        })
        .await
}

/// Makes a kitchen with `user_id` as its owner, in the currency of their personal kitchen.
pub async fn create(store: &Store, user_id: i64, name: &KitchenName) -> Result<Kitchen, StoreError> {
    let made_at = now();
    // The kitchen and its owner in one transaction: the membership finds the kitchen as the
    // newest one of this name and moment that has no member yet, which within the
    // transaction is the one just made (another transaction's is not visible until it has
    // its owner too).
    store
        .transaction(vec![
            Statement::new(
                "INSERT INTO kitchens (name, personal_of, currency, created_at)
                 SELECT ?1, NULL, currency, ?2 FROM kitchens WHERE personal_of = ?3",
                args![name.as_str(), made_at, user_id],
            ),
            Statement::new(
                "INSERT INTO memberships (kitchen_id, user_id, role, joined_at)
                 SELECT max(made.id), ?3, 'owner', ?2 FROM kitchens made
                 WHERE made.name = ?1 AND made.created_at = ?2 AND made.personal_of IS NULL
                 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.kitchen_id = made.id)",
                args![name.as_str(), made_at, user_id],
            ),
        ])
        .await?;
    let sql = format!(
        "SELECT {KITCHEN_COLUMNS} FROM kitchens JOIN memberships ON memberships.kitchen_id = kitchens.id
         WHERE memberships.user_id = ?1 AND kitchens.name = ?2 AND kitchens.created_at = ?3 AND kitchens.personal_of IS NULL
         ORDER BY kitchens.id DESC LIMIT 1"
    );
    store
        .fetch_optional(&sql, args![user_id, name.as_str(), made_at], |row| kitchen_from_row(row, 0))
        .await?
        .ok_or_else(|| StoreError::Internal(super::Fault::new("a kitchen just made was not found")))
}

/// A member as a kitchen's page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub joined_at: Timestamp,
    /// Whether this is their personal kitchen (they cannot be removed or demoted).
    pub personal: bool,
}

/// A kitchen's members: owners first, then by username.
pub async fn members(store: &Store, kitchen_id: i64) -> Result<Vec<Member>, StoreError> {
    store
        .fetch_all(
            "SELECT users.id, users.username, users.name, memberships.role, memberships.joined_at,
                    kitchens.personal_of IS NOT NULL AND kitchens.personal_of = users.id
             FROM memberships JOIN users ON users.id = memberships.user_id JOIN kitchens ON kitchens.id = memberships.kitchen_id
             WHERE memberships.kitchen_id = ?1
             ORDER BY CASE memberships.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, users.username_key",
            args![kitchen_id],
            |row| {
                Ok(Member {
                    user_id: row.get(0)?,
                    username: row.get(1)?,
                    name: row.get(2)?,
                    role: role_from(&row.get::<String>(3)?)?,
                    joined_at: Timestamp(row.get(4)?),
                    personal: row.get(5)?,
                })
            },
        )
        .await
}

/// Why a change of membership was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipRefusal {
    /// There is no such member (`404`).
    NotAMember,
    /// It would leave the kitchen without an owner (`422`).
    LastOwner,
    /// A personal kitchen keeps its account as owner, and cannot be left or deleted (`422`).
    Personal,
}

impl MembershipRefusal {
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAMember => "There is no such member.",
            Self::LastOwner => "A kitchen needs an owner: make another member an owner first.",
            Self::Personal => "A personal kitchen stays with its account: it cannot be left, deleted or given away.",
        }
    }
}

/// The condition that the membership `memberships` in scope may stop being an owner's
/// (a change of role, a removal, leaving): not in the account's personal kitchen, and not
/// the last owner. With the kitchen's lock held ([`Store::serialize_on`]), two owners
/// cannot both step down at once.
const MAY_STOP_OWNING: &str = "memberships.kitchen_id NOT IN (SELECT id FROM kitchens WHERE personal_of = memberships.user_id)
     AND (memberships.role <> 'owner'
          OR (SELECT count(*) FROM memberships owners WHERE owners.kitchen_id = memberships.kitchen_id AND owners.role = 'owner') > 1)";

fn lock_name(kitchen_id: i64) -> String {
    format!("kitchen:{kitchen_id}")
}

/// Runs `change` (one statement on `memberships`) under the kitchen's lock; when it touched
/// nothing, says why.
async fn change_membership(
    store: &Store,
    kitchen_id: i64,
    user_id: i64,
    change: Statement,
) -> Result<Result<(), MembershipRefusal>, StoreError> {
    let mut statements: Vec<Statement> = store.serialize_on(&lock_name(kitchen_id)).into_iter().collect();
    let at = statements.len();
    statements.push(change);
    let changed = store.transaction(statements).await?;
    if changed[at] > 0 {
        return Ok(Ok(()));
    }
    explain(store, kitchen_id, user_id).await.map(Err)
}

/// Why the membership of `user_id` in `kitchen_id` could not stop being an owner's.
async fn explain(store: &Store, kitchen_id: i64, user_id: i64) -> Result<MembershipRefusal, StoreError> {
    let found: Option<(String, bool, i64)> = store
        .fetch_optional(
            "SELECT memberships.role, kitchens.personal_of IS NOT NULL AND kitchens.personal_of = memberships.user_id,
                    (SELECT count(*) FROM memberships owners WHERE owners.kitchen_id = memberships.kitchen_id AND owners.role = 'owner')
             FROM memberships JOIN kitchens ON kitchens.id = memberships.kitchen_id
             WHERE memberships.kitchen_id = ?1 AND memberships.user_id = ?2",
            args![kitchen_id, user_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .await?;
    Ok(match found {
        None => MembershipRefusal::NotAMember,
        Some((_, true, _)) => MembershipRefusal::Personal,
        Some((role, false, owners)) if !keeps_an_owner(role_from(&role)?, usize::try_from(owners).unwrap_or(0)) => {
            MembershipRefusal::LastOwner
        }
        // Changed between the two statements: say so as the rule that most likely applies.
        Some(_) => MembershipRefusal::LastOwner,
    })
}

/// Gives a member another role. Becoming an owner is always allowed; stepping down is not
/// for the last owner or in a personal kitchen.
pub async fn set_role(store: &Store, kitchen: Managing, user_id: i64, role: Role) -> Result<Result<(), MembershipRefusal>, StoreError> {
    let guard = if role == Role::Owner { "TRUE" } else { MAY_STOP_OWNING };
    let change = Statement::new(
        format!("UPDATE memberships SET role = ?1 WHERE kitchen_id = ?2 AND user_id = ?3 AND ({guard})"),
        args![role.code(), kitchen.kitchen_id, user_id],
    );
    change_membership(store, kitchen.kitchen_id, user_id, change).await
}

/// Removes a member (an owner removing someone, or someone leaving).
async fn remove_member(store: &Store, kitchen_id: i64, user_id: i64) -> Result<Result<(), MembershipRefusal>, StoreError> {
    let change = Statement::new(
        format!("DELETE FROM memberships WHERE kitchen_id = ?1 AND user_id = ?2 AND {MAY_STOP_OWNING}"),
        args![kitchen_id, user_id],
    );
    change_membership(store, kitchen_id, user_id, change).await
}

/// An owner removes a member; their access ends with their next request.
pub async fn remove(store: &Store, kitchen: Managing, user_id: i64) -> Result<Result<(), MembershipRefusal>, StoreError> {
    remove_member(store, kitchen.kitchen_id, user_id).await
}

/// A member leaves a kitchen they reach.
pub async fn leave(store: &Store, kitchen: &Kitchen, user_id: i64) -> Result<Result<(), MembershipRefusal>, StoreError> {
    remove_member(store, kitchen.id, user_id).await
}

/// Deletes a kitchen with its desserts, labels, menus (their public links end) and
/// invitations; a personal kitchen is refused. The name it had, when deleted.
pub async fn delete(store: &Store, kitchen: Managing) -> Result<Result<String, MembershipRefusal>, StoreError> {
    let deleted: Option<String> = store
        .write_optional(
            "DELETE FROM kitchens WHERE id = ?1 AND personal_of IS NULL RETURNING name",
            args![kitchen.kitchen_id],
            |row| row.get(0),
        )
        .await?;
    Ok(deleted.ok_or(MembershipRefusal::Personal))
}

/// The kitchens that deleting the account would delete with it: those it is the only
/// member of (its personal kitchen among them), by name.
pub async fn deleted_with(store: &Store, user_id: i64) -> Result<Vec<String>, StoreError> {
    store
        .fetch_all(
            &format!("SELECT kitchens.name FROM kitchens WHERE {ONLY_MEMBER} ORDER BY kitchens.personal_of IS NULL, lower(kitchens.name)"),
            args![user_id],
            |row| row.get(0),
        )
        .await
}

/// The kitchens `?1` is the only member of.
const ONLY_MEMBER: &str = "kitchens.id IN (SELECT kitchen_id FROM memberships WHERE user_id = ?1)
     AND NOT EXISTS (SELECT 1 FROM memberships others WHERE others.kitchen_id = kitchens.id AND others.user_id <> ?1)";

/// The kitchens that keep the account from being deleted: those where it is the last
/// owner and there are other members, by name.
pub async fn held_by_last_owner(store: &Store, user_id: i64) -> Result<Vec<String>, StoreError> {
    store
        .fetch_all(
            &format!(
                "SELECT kitchens.name FROM kitchens WHERE {} ORDER BY lower(kitchens.name)",
                last_owner_of_others("kitchens")
            ),
            args![user_id],
            |row| row.get(0),
        )
        .await
}

/// The kitchens (as `kitchen`, a table or its alias) where `?1` is the only owner and
/// someone else is a member.
fn last_owner_of_others(kitchen: &str) -> String {
    format!(
        "{kitchen}.id IN (SELECT kitchen_id FROM memberships WHERE user_id = ?1 AND role = 'owner')
         AND NOT EXISTS (SELECT 1 FROM memberships owners WHERE owners.kitchen_id = {kitchen}.id AND owners.role = 'owner' AND owners.user_id <> ?1)
         AND EXISTS (SELECT 1 FROM memberships others WHERE others.kitchen_id = {kitchen}.id AND others.user_id <> ?1)"
    )
}

/// The statements that delete an account with the kitchens it is the only member of, in
/// one transaction; nothing happens when it is the last owner of a kitchen with other
/// members (the last statement then touches no row).
pub(super) fn delete_account(user_id: i64) -> Vec<Statement> {
    vec![
        Statement::new(
            format!(
                "DELETE FROM kitchens WHERE {ONLY_MEMBER}
                 AND NOT EXISTS (SELECT 1 FROM kitchens held WHERE {})",
                last_owner_of_others("held")
            ),
            args![user_id],
        ),
        Statement::new(
            format!(
                "DELETE FROM users WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM kitchens WHERE {})",
                last_owner_of_others("kitchens")
            ),
            args![user_id],
        ),
    ]
}

/// Moves the session whose id's digest is `id_hash` to kitchen `kitchen_id`, if its user is
/// a member; false otherwise.
pub async fn switch(store: &Store, id_hash: &str, kitchen_id: i64) -> Result<bool, StoreError> {
    let changed = store
        .execute(
            "UPDATE sessions SET kitchen_id = ?1 WHERE id_hash = ?2
             AND EXISTS (SELECT 1 FROM memberships WHERE memberships.kitchen_id = ?1 AND memberships.user_id = sessions.user_id)",
            args![kitchen_id, id_hash],
        )
        .await?;
    Ok(changed > 0)
}

/// How long an invitation's link works.
pub const INVITATION_LIFETIME_SECS: i64 = 7 * 24 * 3600;

/// An invitation to store: only its token's digest.
pub struct NewInvitation<'a> {
    pub token_hash: &'a str,
    pub email: &'a crate::domain::Email,
    pub role: Role,
    pub invited_by: i64,
}

/// Stores an invitation to the kitchen, valid for [`INVITATION_LIFETIME_SECS`].
pub async fn invite(store: &Store, kitchen: Managing, invitation: NewInvitation<'_>) -> Result<(), StoreError> {
    let at = now();
    store
        .execute(
            "INSERT INTO invitations (token_hash, kitchen_id, email, email_key, role, invited_by, created_at, expires_at, used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)",
            args![
                invitation.token_hash,
                kitchen.kitchen_id,
                invitation.email.as_str(),
                invitation.email.key(),
                invitation.role.code(),
                invitation.invited_by,
                at,
                at + INVITATION_LIFETIME_SECS
            ],
        )
        .await
        .map(drop)
}

/// An invitation not yet used or expired, as its kitchen's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    pub expires_at: Timestamp,
}

pub async fn pending(store: &Store, kitchen_id: i64, now: i64) -> Result<Vec<PendingInvitation>, StoreError> {
    store
        .fetch_all(
            "SELECT email, role, expires_at FROM invitations
             WHERE kitchen_id = ?1 AND used_at IS NULL AND expires_at > ?2 ORDER BY created_at, email_key",
            args![kitchen_id, now],
            |row| {
                Ok(PendingInvitation {
                    email: row.get(0)?,
                    role: role_from(&row.get::<String>(1)?)?,
                    expires_at: Timestamp(row.get(2)?),
                })
            },
        )
        .await
}

/// An invitation as the link shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub kitchen_id: i64,
    pub kitchen_name: String,
    pub email_key: String,
    pub role: Role,
    pub used: bool,
    pub expired: bool,
}

/// The invitation whose token's digest is `token_hash`, if there is one.
pub async fn find_invitation(store: &Store, token_hash: &str, now: i64) -> Result<Option<Invitation>, StoreError> {
    store
        .fetch_optional(
            "SELECT kitchens.id, kitchens.name, invitations.email_key, invitations.role,
                    invitations.used_at IS NOT NULL, invitations.expires_at <= ?2
             FROM invitations JOIN kitchens ON kitchens.id = invitations.kitchen_id
             WHERE invitations.token_hash = ?1",
            args![token_hash, now],
            |row| {
                Ok(Invitation {
                    kitchen_id: row.get(0)?,
                    kitchen_name: row.get(1)?,
                    email_key: row.get(2)?,
                    role: role_from(&row.get::<String>(3)?)?,
                    used: row.get(4)?,
                    expired: row.get(5)?,
                })
            },
        )
        .await
}

/// Uses the invitation for the account `user_id` whose address key is `email_key`, in one
/// transaction: marks it used and makes the account a member with the role offered (a
/// member already keeps the higher of the two roles). False, changing nothing, when it is
/// used, expired or for another address.
pub async fn accept(store: &Store, token_hash: &str, user_id: i64, email_key: &str, now: i64) -> Result<bool, StoreError> {
    let changed = store
        .transaction(vec![
            Statement::new(
                "UPDATE invitations SET used_at = ?2
                 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 AND email_key = ?3",
                args![token_hash, now, email_key],
            ),
            Statement::new(
                "INSERT INTO memberships (kitchen_id, user_id, role, joined_at)
                 SELECT kitchen_id, ?2, role, ?3 FROM invitations WHERE token_hash = ?1 AND used_at = ?3
                 ON CONFLICT (kitchen_id, user_id) DO UPDATE SET role = CASE
                     WHEN memberships.role = 'owner' OR excluded.role = 'owner' THEN 'owner'
                     WHEN memberships.role = 'editor' OR excluded.role = 'editor' THEN 'editor'
                     ELSE 'viewer' END",
                args![token_hash, user_id, now],
            ),
        ])
        .await?;
    Ok(changed[0] == 1)
}

/// Deletes invitations that expired more than a day ago or were used: the clean-up task.
pub async fn delete_stale_invitations(store: &Store, now: i64) -> Result<u64, StoreError> {
    store
        .execute(
            "DELETE FROM invitations WHERE expires_at < ?1 OR (used_at IS NOT NULL AND used_at < ?1)",
            args![now - 24 * 3600],
        )
        .await
}

/// A kitchen as stored: what export and import move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitchenRow {
    pub id: i64,
    pub name: String,
    pub personal_of: Option<i64>,
    pub currency: String,
    pub created_at: i64,
}

/// A membership as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    pub kitchen_id: i64,
    pub user_id: i64,
    /// `owner`, `editor` or `viewer`.
    pub role: String,
    pub joined_at: i64,
}

pub(super) fn all_rows_query() -> String {
    "SELECT id, name, personal_of, currency, created_at FROM kitchens ORDER BY id".into()
}

pub(super) fn all_memberships_query() -> String {
    "SELECT kitchen_id, user_id, role, joined_at FROM memberships ORDER BY kitchen_id, user_id".into()
}

pub(super) fn row_from_row(row: &Row<'_>) -> Result<KitchenRow, StoreError> {
    Ok(KitchenRow {
        id: row.get(0)?,
        name: row.get(1)?,
        personal_of: row.get(2)?,
        currency: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub(super) fn membership_from_row(row: &Row<'_>) -> Result<MembershipRow, StoreError> {
    Ok(MembershipRow {
        kitchen_id: row.get(0)?,
        user_id: row.get(1)?,
        role: row.get(2)?,
        joined_at: row.get(3)?,
    })
}

/// Writes a kitchen back with its id.
pub(super) fn restore(kitchen: KitchenRow) -> Statement {
    Statement::new(
        "INSERT INTO kitchens (id, name, personal_of, currency, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![kitchen.id, kitchen.name, kitchen.personal_of, kitchen.currency, kitchen.created_at],
    )
}

pub(super) fn restore_membership(membership: MembershipRow) -> Statement {
    Statement::new(
        "INSERT INTO memberships (kitchen_id, user_id, role, joined_at) VALUES (?1, ?2, ?3, ?4)",
        args![membership.kitchen_id, membership.user_id, membership.role, membership.joined_at],
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::config::DatabaseUrl;
    use crate::domain::{DessertInput, Email, PersonName, Username};
    use crate::store::users::{self, NewUser};
    use crate::store::{PoolSettings, desserts};

    /// What may happen to memberships: by kitchen and account index.
    #[derive(Debug, Clone)]
    enum Change {
        InviteAndAccept(usize, usize, Role),
        SetRole(usize, usize, Role),
        Remove(usize, usize),
        Leave(usize, usize),
        Delete(usize),
    }

    fn role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    const PEOPLE: usize = 3;
    /// Each person's personal kitchen, then two shared ones made by the first two people.
    const KITCHENS: usize = PEOPLE + 2;

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            (0..KITCHENS, 0..PEOPLE, role()).prop_map(|(k, u, r)| Change::InviteAndAccept(k, u, r)),
            (0..KITCHENS, 0..PEOPLE, role()).prop_map(|(k, u, r)| Change::SetRole(k, u, r)),
            (0..KITCHENS, 0..PEOPLE).prop_map(|(k, u)| Change::Remove(k, u)),
            (0..KITCHENS, 0..PEOPLE).prop_map(|(k, u)| Change::Leave(k, u)),
            (PEOPLE..KITCHENS).prop_map(Change::Delete),
        ]
    }

    /// The rules, simply: who is a member of which kitchen with which role.
    #[derive(Debug, Default)]
    struct Model {
        members: BTreeMap<(usize, usize), Role>,
        deleted: Vec<usize>,
    }

    impl Model {
        fn owners(&self, kitchen: usize) -> usize {
            self.members
                .iter()
                .filter(|((k, _), role)| *k == kitchen && **role == Role::Owner)
                .count()
        }

        /// Whether `user` may stop being what they are in `kitchen`.
        fn may_step_down(&self, kitchen: usize, user: usize) -> bool {
            kitchen != user && keeps_an_owner(self.members[&(kitchen, user)], self.owners(kitchen))
        }

        fn apply(&mut self, change: &Change) {
            match *change {
                Change::InviteAndAccept(k, u, r) => {
                    if !self.deleted.contains(&k) {
                        let role = self.members.get(&(k, u)).map_or(r, |old| (*old).max(r));
                        self.members.insert((k, u), role);
                    }
                }
                Change::SetRole(k, u, r) => {
                    if self.members.contains_key(&(k, u)) && (r == Role::Owner || self.may_step_down(k, u)) {
                        self.members.insert((k, u), r);
                    }
                }
                Change::Remove(k, u) | Change::Leave(k, u) => {
                    if self.members.contains_key(&(k, u)) && self.may_step_down(k, u) {
                        self.members.remove(&(k, u));
                    }
                }
                Change::Delete(k) => {
                    self.members.retain(|(kitchen, _), _| *kitchen != k);
                    self.deleted.push(k);
                }
            }
        }
    }

    async fn apply(store: &Store, kitchens: &[i64], people: &[(i64, Email)], change: &Change, at: i64) {
        let managing = |k: usize| Managing { kitchen_id: kitchens[k] };
        match *change {
            Change::InviteAndAccept(k, u, role) => {
                let token = format!("token-{at}");
                let invited = NewInvitation {
                    token_hash: &token,
                    email: &people[u].1,
                    role,
                    invited_by: people[0].0,
                };
                // A deleted kitchen takes no invitation (its row is gone).
                if invite(store, managing(k), invited).await.is_ok() {
                    accept(store, &token, people[u].0, &people[u].1.key(), now()).await.unwrap();
                }
            }
            Change::SetRole(k, u, role) => {
                let _refused_or_set = set_role(store, managing(k), people[u].0, role).await.unwrap();
            }
            Change::Remove(k, u) => {
                let _refused_or_removed = remove(store, managing(k), people[u].0).await.unwrap();
            }
            Change::Leave(k, u) => {
                if let Some(kitchen) = find(store, people[u].0, kitchens[k]).await.unwrap() {
                    let _refused_or_left = leave(store, &kitchen, people[u].0).await.unwrap();
                }
            }
            Change::Delete(k) => {
                let _refused_or_deleted = delete(store, managing(k)).await.unwrap();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// What each person reaches through the store (a kitchen, its dessert, with a role)
        /// is what the model of the rules says, after any sequence of changes.
        #[test]
        fn what_each_person_reaches_follows_the_rules(changes in prop::collection::vec(change(), 1..24)) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("k.db")), PoolSettings::default()).unwrap();
                store.migrate().await.unwrap();
                let mut people = Vec::new();
                let mut kitchens = Vec::new();
                let mut model = Model::default();
                for n in 0..PEOPLE {
                    let email = Email::parse(&format!("cook{n}@example.com")).unwrap();
                    let user = users::create(
                        &store,
                        NewUser {
                            username: Username::parse(&format!("cook{n}")).unwrap(),
                            email: email.clone(),
                            name: PersonName::parse("Cook").unwrap(),
                            avatar: None,
                            password_hash: "not a real hash".into(),
                        },
                    )
                    .await
                    .unwrap();
                    kitchens.push(personal(&store, user.id).await.unwrap().unwrap().id);
                    model.members.insert((n, n), Role::Owner);
                    people.push((user.id, email));
                }
                for (n, (user_id, _)) in people.iter().enumerate().take(2) {
                    let made = create(&store, *user_id, &KitchenName::parse(&format!("Café {n}")).unwrap()).await.unwrap();
                    model.members.insert((kitchens.len(), n), Role::Owner);
                    kitchens.push(made.id);
                }
                let mut pies = Vec::new();
                for kitchen in &kitchens {
                    let draft = DessertInput { name: "Pie".into(), price: "1".into(), calories: "1".into(), ..DessertInput::default() }
                        .parse()
                        .unwrap();
                    pies.push(desserts::create(&store, crate::domain::Editing { kitchen_id: *kitchen }, draft, None).await.unwrap().id);
                }
                for (at, change) in changes.iter().enumerate() {
                    apply(&store, &kitchens, &people, change, at as i64).await;
                    model.apply(change);
                    for (u, (user_id, _)) in people.iter().enumerate() {
                        for k in 0..KITCHENS {
                            let expected = model.members.get(&(k, u)).copied();
                            let reached = find(&store, *user_id, kitchens[k]).await.unwrap().map(|kitchen| kitchen.role);
                            assert_eq!(reached, expected, "kitchen {k} for person {u} after {changes:?}");
                            let dessert = desserts::find_reachable(&store, *user_id, pies[k]).await.unwrap();
                            assert_eq!(dessert.map(|(_, kitchen)| kitchen.role), expected, "dessert of kitchen {k} for person {u}");
                            let of = of_dessert(&store, *user_id, pies[k]).await.unwrap();
                            assert_eq!(of.as_ref().map(|kitchen| kitchen.editing().is_ok()), expected.map(Role::edits));
                        }
                        for k in 0..KITCHENS {
                            if !model.deleted.contains(&k) {
                                assert!(model.owners(k) >= 1, "kitchen {k} keeps an owner");
                            }
                        }
                    }
                }
            });
        }
    }
}
