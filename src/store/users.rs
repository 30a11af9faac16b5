//! Accounts.

use super::sessions::NewSession;
use super::{Param, Row, Statement, Store, StoreError, UniqueKey, args, now};
use crate::domain::{Currency, Email, HttpUrl, PersonName, PublicName, Signup, Timestamp, User, Username};

/// A new account, its password already hashed.
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub name: PersonName,
    pub avatar: Option<HttpUrl>,
    pub password_hash: String,
}

impl NewUser {
    pub fn new(signup: Signup, password_hash: String) -> Self {
        Self {
            username: signup.username,
            email: signup.email,
            name: signup.name,
            avatar: signup.avatar,
            password_hash,
        }
    }
}

/// The columns every path that adds an account writes — a sign-up, an import, an adoption —
/// in the order of [`UserRow`]'s fields after the id.
const WRITTEN: &str = "username, username_key, email, email_key, name, avatar, password_hash, created_at";

/// What the app reads of an account: the columns of [`user_from_row`], qualified because
/// sessions and tokens join them.
pub(super) const USER_COLUMNS: &str = "users.id, users.username, users.email, users.name, users.avatar, users.created_at, users.currency";

/// How many columns [`USER_COLUMNS`] are: where the columns a query selects after them start.
pub(super) const USER_WIDTH: usize = 7;

/// An account as stored, with its id: what export and import move.
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
    /// What the account's published menus are headed by, if set.
    pub public_name: Option<String>,
    /// The ISO code of what the account's prices are in.
    pub currency: String,
    /// Whether the account may open `/admin`.
    pub is_admin: bool,
    /// When an admin disabled the account; `None` while it may log in.
    pub disabled_at: Option<i64>,
    /// When it last logged in.
    pub last_login_at: Option<i64>,
}

/// Every account in id order, with when its current address was confirmed.
pub(super) fn all_rows_query() -> String {
    format!(
        "SELECT id, {WRITTEN},
                (SELECT v.verified_at FROM email_verifications v WHERE v.user_id = users.id AND v.email_key = users.email_key),
                public_name, currency, is_admin, disabled_at, last_login_at
         FROM users ORDER BY id"
    )
}

pub(super) fn row_from_row(row: &Row<'_>) -> Result<UserRow, StoreError> {
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
        public_name: row.get(10)?,
        currency: row.get(11)?,
        is_admin: row.get(12)?,
        disabled_at: row.get(13)?,
        last_login_at: row.get(14)?,
    })
}

/// Writes an account back with its id (the confirmation is written by
/// [`super::mail_tokens::restore_confirmation`]).
pub(super) fn restore(user: UserRow) -> Statement {
    Statement::new(
        format!(
            "INSERT INTO users (id, {WRITTEN}, public_name, currency, is_admin, disabled_at, last_login_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ),
        args![
            user.id,
            user.username,
            user.username_key,
            user.email,
            user.email_key,
            user.name,
            user.avatar,
            user.password_hash,
            user.created_at,
            user.public_name,
            user.currency,
            user.is_admin,
            user.disabled_at,
            user.last_login_at
        ],
    )
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

/// Adds a legacy account at `now`, unless its username or address is taken.
pub(super) fn adopt(user: AdoptedUser, now: i64) -> Statement {
    Statement::new(
        format!("INSERT INTO users ({WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING"),
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
    )
}

pub(super) fn user_from_row(row: &Row<'_>, first: usize) -> Result<User, StoreError> {
    Ok(User {
        id: row.get(first)?,
        username: row.get(first + 1)?,
        email: row.get(first + 2)?,
        name: row.get(first + 3)?,
        avatar: row.get(first + 4)?,
        created_at: Timestamp(row.get(first + 5)?),
        // A code this program does not offer (written by a newer one) shows as dollars
        // rather than hiding the account.
        currency: Currency::parse(&row.get::<String>(first + 6)?).unwrap_or_default(),
    })
}

/// Which of a new account's unique fields another account has already: `"username"` or
/// `"email"` (the username first when both are).
pub async fn taken(store: &Store, username_key: &str, email_key: &str) -> Result<Option<UniqueKey>, StoreError> {
    store
        .fetch_optional(
            "SELECT username_key = ?1 FROM users WHERE username_key = ?1 OR email_key = ?2
             ORDER BY username_key = ?1 DESC LIMIT 1",
            args![username_key, email_key],
            |row| {
                Ok(if row.get::<bool>(0)? {
                    UniqueKey::Username
                } else {
                    UniqueKey::Email
                })
            },
        )
        .await
}

/// Creates an account with its personal kitchen; `Duplicate(Username)` or
/// `Duplicate(Email)` when taken.
pub async fn create(store: &Store, user: NewUser) -> Result<User, StoreError> {
    let sql = format!("INSERT INTO users ({WRITTEN}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    let args = args![
        user.username.as_str(),
        user.username.key(),
        user.email.as_str(),
        user.email.key(),
        user.name.as_str(),
        user.avatar.as_ref().map(HttpUrl::as_str),
        user.password_hash,
        now(),
    ];
    let username_key = user.username.key().to_string();
    let mut statements = vec![Statement::new(sql, args)];
    statements.extend(super::kitchens::make_personal(&username_key));
    store.transaction(statements).await?;
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = ?1");
    store
        .fetch_optional(&sql, args![username_key], |row| user_from_row(row, 0))
        .await?
        .ok_or_else(|| StoreError::Internal(super::Fault::new("an account just made was not found")))
}

/// The account a login name (username or email, any case) belongs to, with its password
/// hash, unless it is disabled: a disabled account is, to a login or a reset, no account.
pub async fn find_for_login(store: &Store, login_key: &str) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, users.password_hash FROM users
         WHERE (username_key = ?1 OR email_key = ?1) AND disabled_at IS NULL"
    );
    store
        .fetch_optional(&sql, args![login_key], |row| Ok((user_from_row(row, 0)?, row.get(USER_WIDTH)?)))
        .await
}

/// The account a username or address (any case) belongs to, disabled or not.
pub async fn find_by_name(store: &Store, key: &str) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_key = ?1 OR email_key = ?1");
    store.fetch_optional(&sql, args![key], |row| user_from_row(row, 0)).await
}

/// The statement that writes down a login of `user_id` at `now`, for the transaction that
/// starts its session.
pub(super) fn logged_in(user_id: i64, now: i64) -> Statement {
    Statement::new("UPDATE users SET last_login_at = ?1 WHERE id = ?2", args![now, user_id])
}

pub async fn find(store: &Store, user_id: i64) -> Result<Option<User>, StoreError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    store.fetch_optional(&sql, args![user_id], |row| user_from_row(row, 0)).await
}

/// Changes an account's address, and ends every reset link of the account in the same
/// transaction: a link mailed to the old address must not outlive the change. `None` when
/// there is no such account.
pub async fn set_email(store: &Store, user_id: i64, email: &Email) -> Result<Option<User>, StoreError> {
    let changed = store
        .transaction(vec![
            Statement::new(
                "UPDATE users SET email = ?1, email_key = ?2 WHERE id = ?3",
                args![email.as_str(), email.key(), user_id],
            ),
            super::mail_tokens::end_reset_links(user_id),
        ])
        .await?;
    if changed[0] == 0 {
        return Ok(None);
    }
    find(store, user_id).await
}

pub async fn password_hash(store: &Store, user_id: i64) -> Result<Option<String>, StoreError> {
    store
        .fetch_optional("SELECT password_hash FROM users WHERE id = ?1", args![user_id], |row| row.get(0))
        .await
}

/// Replaces a password hash by a new hash of the same password (made with the server's
/// current parameters), unless the password changed meanwhile. Nothing else ends: the
/// password is the same.
pub async fn rehash_password(store: &Store, user_id: i64, old_hash: &str, new_hash: &str) -> Result<bool, StoreError> {
    let changed = store
        .execute(
            "UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ?3",
            args![new_hash, user_id, old_hash],
        )
        .await?;
    Ok(changed == 1)
}

/// How a new password was proven to be wanted.
pub enum PasswordProof<'a> {
    /// The logged-in person typed their current password.
    CurrentPassword,
    /// Through a mailed reset link, by its hash: the change happens only while the link is
    /// valid at `now`, and uses it up.
    ResetLink { token_hash: &'a str, now: i64 },
}

/// Sets a new password, with everything a new password ends, in one transaction: every
/// session of the account, every API token and every reset link. The browser that made the
/// change goes on in `new_session`, made in the same transaction, so it is never logged
/// out. False, changing nothing, when a reset link is no longer valid.
pub async fn set_password(
    store: &Store,
    user_id: i64,
    password_hash: String,
    proof: PasswordProof<'_>,
    new_session: &NewSession,
) -> Result<bool, StoreError> {
    // Each statement holds only while the reset link does (when there is one): the link may
    // have been used, or have expired, while the password was hashed.
    let (guard, guard_args) = match proof {
        PasswordProof::CurrentPassword => (String::new(), vec![]),
        PasswordProof::ResetLink { token_hash, now } => (format!(" AND {}", super::mail_tokens::RESET_LINK_VALID), args![token_hash, now]),
    };
    let guarded = |sql: String, mut extra: Vec<Param>| {
        let mut all = args![user_id];
        all.extend(guard_args.iter().cloned());
        all.append(&mut extra);
        Statement::new(format!("{sql}{guard}"), all)
    };
    // The new hash's place among the parameters: after the guard's.
    let hash_at = 2 + guard_args.len();
    // A reset link that goes on logged in is a login; a change of a known password is not.
    let is_reset = matches!(proof, PasswordProof::ResetLink { .. });
    let mut statements = vec![
        guarded(
            format!("UPDATE users SET password_hash = ?{hash_at} WHERE id = ?1"),
            args![password_hash.as_str()],
        ),
        guarded("DELETE FROM sessions WHERE user_id = ?1".into(), vec![]),
        guarded("DELETE FROM api_tokens WHERE user_id = ?1".into(), vec![]),
        // Made only if the password changed (a new hash has a new salt, so it is this
        // change's own), and before the reset link goes with the rest.
        new_session.insert_if_password_is(&password_hash),
        guarded(super::mail_tokens::end_reset_links(user_id).sql, vec![]),
    ];
    if is_reset && new_session.user_id.is_some() {
        // Before the link is ended, while the guard still holds.
        statements.insert(
            statements.len() - 1,
            guarded(
                format!("UPDATE users SET last_login_at = ?{hash_at} WHERE id = ?1"),
                args![new_session.now],
            ),
        );
    }
    let changed = store.transaction(statements).await?;
    if is_reset && new_session.user_id.is_some() && changed[0] == 1 {
        store.count_session();
    }
    Ok(changed[0] == 1)
}

/// Deletes an account with the kitchens it is the only member of (and their desserts,
/// labels and menus); its memberships, sessions and tokens go with it (foreign keys
/// cascade). False, changing nothing, when there is no such account or it is the last owner
/// of a kitchen with other members.
pub async fn delete(store: &Store, user_id: i64) -> Result<bool, StoreError> {
    let changed = store.transaction(super::kitchens::delete_account(user_id)).await?;
    Ok(changed.last().is_some_and(|deleted| *deleted > 0))
}

/// How many desserts the account's personal kitchen holds.
pub async fn dessert_count(store: &Store, user_id: i64) -> Result<i64, StoreError> {
    store
        .fetch_one(
            "SELECT count(*) FROM desserts JOIN kitchens ON kitchens.id = desserts.kitchen_id WHERE kitchens.personal_of = ?1",
            args![user_id],
            |row| row.get(0),
        )
        .await
}

/// The name the account's published menus are headed by, if set.
pub async fn public_name(store: &Store, user_id: i64) -> Result<Option<String>, StoreError> {
    let found: Option<Option<String>> = store
        .fetch_optional("SELECT public_name FROM users WHERE id = ?1", args![user_id], |row| row.get(0))
        .await?;
    Ok(found.flatten())
}

/// Sets (or, with `None`, clears) the name the account's published menus are headed by.
pub async fn set_public_name(store: &Store, user_id: i64, name: Option<&PublicName>) -> Result<(), StoreError> {
    store
        .execute(
            "UPDATE users SET public_name = ?1 WHERE id = ?2",
            args![name.map(|name| name.as_str().to_string()), user_id],
        )
        .await?;
    Ok(())
}

/// Sets the account's currency: its personal kitchen's prices are in it, and kitchens it
/// makes from now on start in it.
pub async fn set_currency(store: &Store, user_id: i64, currency: Currency) -> Result<(), StoreError> {
    store
        .transaction(vec![
            Statement::new("UPDATE users SET currency = ?1 WHERE id = ?2", args![currency.code(), user_id]),
            Statement::new(
                "UPDATE kitchens SET currency = ?1 WHERE personal_of = ?2",
                args![currency.code(), user_id],
            ),
        ])
        .await?;
    Ok(())
}

/// Whether an account is an admin, disabled, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub is_admin: bool,
    pub disabled: bool,
}

impl AccountState {
    pub fn describe(self) -> &'static str {
        match (self.is_admin, self.disabled) {
            (_, true) => "disabled",
            (true, false) => "admin",
            (false, false) => "",
        }
    }
}

/// Every account with the number of desserts in its personal kitchen, by username.
pub async fn list_with_dessert_counts(store: &Store) -> Result<Vec<(User, i64, AccountState)>, StoreError> {
    let sql = format!(
        "SELECT {USER_COLUMNS}, (SELECT count(*) FROM desserts JOIN kitchens ON kitchens.id = desserts.kitchen_id
                                 WHERE kitchens.personal_of = users.id),
                users.is_admin, users.disabled_at IS NOT NULL
         FROM users ORDER BY users.username_key"
    );
    store
        .fetch_all(&sql, vec![], |row| {
            let state = AccountState {
                is_admin: row.get(USER_WIDTH + 1)?,
                disabled: row.get(USER_WIDTH + 2)?,
            };
            Ok((user_from_row(row, 0)?, row.get(USER_WIDTH)?, state))
        })
        .await
}
