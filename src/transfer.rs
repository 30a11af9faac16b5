//! The export document: every user (with their password hash), kitchen, membership,
//! dessert, label, photo, menu and menu entry, with ids, as one JSON document that any
//! desserts database can import.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::domain::{
    AllergenInfo, AllergenSet, Calories, Currency, DessertName, Email, HttpUrl, KitchenName, LabelName, MenuName, NewPhoto, Origin,
    PersonName, Price, PublicName, Role, Timestamp, Username,
};
use crate::store::dump::{
    DessertLabelRow, DessertRow, Dump, KitchenRow, LabelRow, MembershipRow, MenuEntryRow, MenuRow, PasskeyRow, PhotoRow, RecoveryCodeRow,
    TotpRow, UserRow,
};

pub const FORMAT: &str = "desserts-export";
/// 6: kitchens and their members; desserts, labels and menus name their kitchen
/// (`kitchen_id`) instead of their owner (`user_id`). 5: a menu's link kept while it is
/// unpublished, the order of its desserts, and each account's public name. 4: allergens
/// and labels. 3: photos. 2: when each address was confirmed. Every earlier
/// version still imports: each account's rows go to its personal kitchen, whose id is the
/// account's, as a database upgraded to kitchens has them.
pub const VERSION: u32 = 7;

/// The first version whose rows name a kitchen.
const KITCHENS_SINCE: u32 = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub format: String,
    pub version: u32,
    pub users: Vec<User>,
    /// Since version 6, as are `memberships`.
    #[serde(default)]
    pub kitchens: Vec<Kitchen>,
    #[serde(default)]
    pub memberships: Vec<Membership>,
    pub desserts: Vec<Dessert>,
    pub menus: Vec<Menu>,
    pub menu_entries: Vec<MenuEntry>,
    /// Since version 3; absent before, as there were no photos.
    #[serde(default)]
    pub photos: Vec<Photo>,
    /// Since version 4, as are `dessert_labels`.
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub dessert_labels: Vec<DessertLabel>,
    /// One-time code settings, only in a document exported `--with-secrets` (since version 6),
    /// as are `recovery_codes`. Without them, accounts import with codes off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub totp: Vec<Totp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<RecoveryCode>,
    /// Passkeys, likewise only `--with-secrets` (since version 6). Without them, accounts
    /// import without passkeys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<StoredPasskey>,
}

/// A passkey: the authenticator's credential id and the account's handle (base64url and a
/// UUID, as WebAuthn uses them), its name, and the credential as the server keeps it (its
/// public key and counter).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredPasskey {
    pub id: i64,
    pub user_id: i64,
    pub credential_id: String,
    pub user_handle: String,
    pub name: String,
    pub passkey: String,
    pub sign_count: i64,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
}

impl std::fmt::Debug for StoredPasskey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPasskey")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// An account's authenticator app key (base32) and the newest step whose code was taken.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totp {
    pub user_id: i64,
    pub secret: String,
    pub enabled: bool,
    pub last_step: i64,
    pub created_at: String,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp").field("user_id", &self.user_id).finish_non_exhaustive()
    }
}

/// A recovery code's SHA-256 digest, and when it was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryCode {
    pub user_id: i64,
    pub code_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kitchen {
    pub id: i64,
    pub name: String,
    /// The account whose personal kitchen this is; absent for a shared kitchen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_of: Option<i64>,
    pub currency: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    pub kitchen_id: i64,
    pub user_id: i64,
    /// `owner`, `editor` or `viewer`.
    pub role: String,
    pub joined_at: String,
}

/// The kitchen a dessert, label or menu names: `kitchen_id` since version 6; before, the
/// owner's personal kitchen, whose id is the owner's (`user_id`). `None` when the field of
/// its version is missing.
fn holder(version: u32, kitchen_id: Option<i64>, user_id: Option<i64>) -> Option<i64> {
    if version >= KITCHENS_SINCE { kitchen_id } else { user_id }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub id: i64,
    /// Since version 6: the kitchen it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen_id: Option<i64>,
    /// Before version 6: the account it belonged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    pub name: String,
    pub created_at: String,
}

/// Rows of a document by kind: "2 users, 5 desserts, 1 menus, 0 photos".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub users: usize,
    pub desserts: usize,
    pub menus: usize,
    pub photos: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} desserts, {} menus, {} photos",
            self.users, self.desserts, self.menus, self.photos
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DessertLabel {
    pub dessert_id: i64,
    pub label_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    pub avatar: Option<String>,
    /// Argon2id, PHC string format.
    pub password_hash: String,
    pub created_at: String,
    /// When the address was confirmed through the link mailed to it; absent while it is
    /// not (and in version 1 documents, which predate confirmation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_confirmed_at: Option<String>,
    /// What the account's published menus are headed by; since version 5, absent when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_name: Option<String>,
    /// The ISO code of what the account's prices are in; since version 5, absent before
    /// (US dollars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Since version 7: whether the account may open `/admin` (absent: no).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admin: bool,
    /// Since version 7: when an admin disabled the account; absent while it may log in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<String>,
    /// Since version 7: when it last logged in, if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dessert {
    pub id: i64,
    /// Since version 6: the kitchen it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen_id: Option<i64>,
    /// Before version 6: the account it belonged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    pub name: String,
    /// Exact: whole cents.
    pub price_cents: i64,
    pub calories: i64,
    pub origin: Option<String>,
    pub image_url: Option<String>,
    pub liked: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Allergen codes; `null` (and absent, before version 4) while not declared.
    #[serde(default)]
    pub allergens: Option<Vec<String>>,
    #[serde(default)]
    pub traces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Menu {
    pub id: i64,
    /// Since version 6: the kitchen it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen_id: Option<i64>,
    /// Before version 6: the account it belonged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    pub name: String,
    /// The public link's slug: since version 5 kept while the menu is unpublished, before
    /// it present only while published.
    pub public_slug: Option<String>,
    pub created_at: String,
    /// Whether the public page answers; absent before version 5, when a menu was published
    /// exactly when it had a slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    pub menu_id: i64,
    pub dessert_id: i64,
    pub added_at: String,
    /// Where the dessert stands on its menu, from 1; absent before version 5, when a menu's
    /// desserts showed by name (as equal positions still do).
    #[serde(default)]
    pub position: i64,
}

/// A dessert's photo, as stored: re-encoded images, base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub dessert_id: i64,
    pub created_at: String,
    pub image: String,
    pub thumbnail: String,
}

impl Document {
    /// How many of the main kinds of row the document holds, for a summary line.
    pub fn counts(&self) -> Counts {
        Counts {
            users: self.users.len(),
            desserts: self.desserts.len(),
            menus: self.menus.len(),
            photos: self.photos.len(),
        }
    }

    pub fn from_dump(dump: Dump) -> Self {
        let time = |seconds| Timestamp(seconds).rfc3339();
        Self {
            format: FORMAT.into(),
            version: VERSION,
            users: dump
                .users
                .into_iter()
                .map(|u| User {
                    id: u.id,
                    username: u.username,
                    email: u.email,
                    name: u.name,
                    avatar: u.avatar,
                    password_hash: u.password_hash,
                    created_at: time(u.created_at),
                    email_confirmed_at: u.email_confirmed_at.map(time),
                    public_name: u.public_name,
                    currency: Some(u.currency),
                    admin: u.is_admin,
                    disabled_at: u.disabled_at.map(time),
                    last_login_at: u.last_login_at.map(time),
                })
                .collect(),
            kitchens: dump
                .kitchens
                .into_iter()
                .map(|k| Kitchen {
                    id: k.id,
                    name: k.name,
                    personal_of: k.personal_of,
                    currency: k.currency,
                    created_at: time(k.created_at),
                })
                .collect(),
            memberships: dump
                .memberships
                .into_iter()
                .map(|m| Membership {
                    kitchen_id: m.kitchen_id,
                    user_id: m.user_id,
                    role: m.role,
                    joined_at: time(m.joined_at),
                })
                .collect(),
            desserts: dump
                .desserts
                .into_iter()
                .map(|d| Dessert {
                    id: d.id,
                    kitchen_id: Some(d.kitchen_id),
                    user_id: None,
                    name: d.name,
                    price_cents: d.price_cents,
                    calories: d.calories,
                    origin: d.origin,
                    image_url: d.image_url,
                    liked: d.liked,
                    created_at: time(d.created_at),
                    updated_at: time(d.updated_at),
                    allergens: d.allergens.map(codes_of),
                    traces: codes_of(d.traces),
                })
                .collect(),
            menus: dump
                .menus
                .into_iter()
                .map(|m| Menu {
                    id: m.id,
                    kitchen_id: Some(m.kitchen_id),
                    user_id: None,
                    name: m.name,
                    public_slug: m.public_slug,
                    created_at: time(m.created_at),
                    published: Some(m.published),
                })
                .collect(),
            menu_entries: dump
                .menu_entries
                .into_iter()
                .map(|e| MenuEntry {
                    menu_id: e.menu_id,
                    dessert_id: e.dessert_id,
                    added_at: time(e.added_at),
                    position: e.position,
                })
                .collect(),
            photos: dump
                .photos
                .into_iter()
                .map(|p| Photo {
                    dessert_id: p.dessert_id,
                    created_at: time(p.created_at),
                    image: STANDARD.encode(&p.photo.full.bytes),
                    thumbnail: STANDARD.encode(&p.photo.thumbnail.bytes),
                })
                .collect(),
            labels: dump
                .labels
                .into_iter()
                .map(|l| Label {
                    id: l.id,
                    kitchen_id: Some(l.kitchen_id),
                    user_id: None,
                    name: l.name,
                    created_at: time(l.created_at),
                })
                .collect(),
            dessert_labels: dump
                .dessert_labels
                .into_iter()
                .map(|l| DessertLabel {
                    dessert_id: l.dessert_id,
                    label_id: l.label_id,
                })
                .collect(),
            totp: dump
                .totp
                .into_iter()
                .map(|t| Totp {
                    user_id: t.user_id,
                    secret: t.secret,
                    enabled: t.enabled,
                    last_step: t.last_step,
                    created_at: time(t.created_at),
                })
                .collect(),
            recovery_codes: dump
                .recovery_codes
                .into_iter()
                .map(|c| RecoveryCode {
                    user_id: c.user_id,
                    code_hash: c.code_hash,
                    used_at: c.used_at.map(time),
                })
                .collect(),
            passkeys: dump
                .passkeys
                .into_iter()
                .map(|p| StoredPasskey {
                    id: p.id,
                    user_id: p.user_id,
                    credential_id: p.credential_id,
                    user_handle: p.user_handle,
                    name: p.name,
                    passkey: p.passkey,
                    sign_count: p.sign_count,
                    created_at: time(p.created_at),
                    last_used_at: p.last_used_at.map(time),
                })
                .collect(),
        }
    }

    /// Checks every row against the rules of the data and the relations between rows, and
    /// turns the document into rows to insert. Every problem is reported, one line each:
    /// `table id field: reason`.
    pub fn into_dump(self) -> Result<Dump, Vec<String>> {
        let mut problems = Problems::default();
        check_header(&self.format, self.version, &mut problems);
        let mut dump = Dump::default();
        let mut user_ids = HashSet::new();
        for user in self.users {
            let id = user.id;
            let mut row = problems.row("users", id.to_string());
            let made = user_row(user, &mut row);
            if !user_ids.insert(id) {
                row.add("id", "appears twice".into());
            }
            dump.users.extend(made);
        }
        let version = self.version;
        let kitchen_ids = if version >= KITCHENS_SINCE {
            kitchens_and_members(self.kitchens, self.memberships, &user_ids, &mut problems, &mut dump)
        } else {
            if !self.kitchens.is_empty() || !self.memberships.is_empty() {
                problems
                    .row("document", "-".into())
                    .add("kitchens", format!("come with version {KITCHENS_SINCE}, not {version}"));
            }
            personal_kitchens(&mut dump)
        };
        let holder_field = if version >= KITCHENS_SINCE { "kitchen_id" } else { "user_id" };
        let mut dessert_owner = HashMap::new();
        for dessert in self.desserts {
            let (id, kitchen_id) = (dessert.id, holder(version, dessert.kitchen_id, dessert.user_id));
            let mut row = problems.row("desserts", id.to_string());
            let made = dessert_row(dessert, kitchen_id, &mut row);
            owned_once(&mut row, holder_field, &kitchen_ids, &mut dessert_owner, id, kitchen_id);
            dump.desserts.extend(made);
        }
        let mut menu_owner = HashMap::new();
        for menu in self.menus {
            let (id, kitchen_id) = (menu.id, holder(version, menu.kitchen_id, menu.user_id));
            let mut row = problems.row("menus", id.to_string());
            let made = menu_row(menu, kitchen_id, &mut row);
            owned_once(&mut row, holder_field, &kitchen_ids, &mut menu_owner, id, kitchen_id);
            dump.menus.extend(made);
        }
        for entry in self.menu_entries {
            let mut row = problems.row("menu_entries", format!("{}/{}", entry.menu_id, entry.dessert_id));
            dump.menu_entries
                .extend(menu_entry_row(entry, &mut row, &menu_owner, &dessert_owner));
        }
        let mut label_owner = HashMap::new();
        for label in self.labels {
            let (id, kitchen_id) = (label.id, holder(version, label.kitchen_id, label.user_id));
            let mut row = problems.row("labels", id.to_string());
            let made = label_row(label, kitchen_id, &mut row);
            owned_once(&mut row, holder_field, &kitchen_ids, &mut label_owner, id, kitchen_id);
            dump.labels.extend(made);
        }
        let mut linked = HashSet::new();
        for link in self.dessert_labels {
            let mut row = problems.row("dessert_labels", format!("{}/{}", link.dessert_id, link.label_id));
            if !linked.insert((link.dessert_id, link.label_id)) {
                row.add("label_id", "appears twice for the dessert".into());
            }
            match (dessert_owner.get(&link.dessert_id), label_owner.get(&link.label_id)) {
                (None, _) => row.add("dessert_id", "names no dessert".into()),
                (_, None) => row.add("label_id", "names no label".into()),
                (Some(dessert), Some(label)) if dessert != label => {
                    row.add("label_id", "belongs to another kitchen than the dessert".into())
                }
                (Some(kitchen_id), Some(_)) => dump.dessert_labels.push(DessertLabelRow {
                    dessert_id: link.dessert_id,
                    label_id: link.label_id,
                    kitchen_id: *kitchen_id,
                }),
            }
        }
        let mut with_photo = HashSet::new();
        for photo in self.photos {
            let mut row = problems.row("photos", photo.dessert_id.to_string());
            if !dessert_owner.contains_key(&photo.dessert_id) {
                row.add("dessert_id", "names no dessert".into());
            }
            if !with_photo.insert(photo.dessert_id) {
                row.add("dessert_id", "has a photo already".into());
            }
            dump.photos.extend(photo_row(photo, &mut row));
        }
        let mut with_codes = HashSet::new();
        for totp in self.totp {
            let mut row = problems.row("totp", totp.user_id.to_string());
            if !user_ids.contains(&totp.user_id) {
                row.add("user_id", format!("names no user ({})", totp.user_id));
            }
            if !with_codes.insert(totp.user_id) {
                row.add("user_id", "appears twice".into());
            }
            if crate::totp::TotpSecret::from_base32(&totp.secret).is_none() {
                row.add("secret", "is not a base32 key of 128 bits or more".into());
            }
            if totp.last_step < 0 {
                row.add("last_step", "is below zero".into());
            }
            let created_at = row.check("created_at", Timestamp::parse_rfc3339(&totp.created_at));
            if let Some(created_at) = created_at {
                dump.totp.push(TotpRow {
                    user_id: totp.user_id,
                    secret: totp.secret,
                    enabled: totp.enabled,
                    last_step: totp.last_step,
                    created_at: created_at.0,
                });
            }
        }
        let mut codes = HashSet::new();
        for code in self.recovery_codes {
            let mut row = problems.row("recovery_codes", code.user_id.to_string());
            if !with_codes.contains(&code.user_id) {
                row.add("user_id", "names no user with one-time codes".into());
            }
            if code.code_hash.len() != 64 || !code.code_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                row.add("code_hash", "is not a SHA-256 digest in hex".into());
            }
            if !codes.insert((code.user_id, code.code_hash.clone())) {
                row.add("code_hash", "appears twice".into());
            }
            let used_at = match &code.used_at {
                None => Some(None),
                Some(time) => row.check("used_at", Timestamp::parse_rfc3339(time)).map(|t| Some(t.0)),
            };
            if let Some(used_at) = used_at {
                dump.recovery_codes.push(RecoveryCodeRow {
                    user_id: code.user_id,
                    code_hash: code.code_hash,
                    used_at,
                });
            }
        }
        let (mut passkey_ids, mut credential_ids, mut handles) = (HashSet::new(), HashSet::new(), HashMap::new());
        for passkey in self.passkeys {
            let mut row = problems.row("passkeys", passkey.id.to_string());
            if !passkey_ids.insert(passkey.id) {
                row.add("id", "appears twice".into());
            }
            if !user_ids.contains(&passkey.user_id) {
                row.add("user_id", format!("names no user ({})", passkey.user_id));
            }
            let base64url = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !base64url(&passkey.credential_id) || passkey.credential_id.len() > 1366 {
                row.add("credential_id", "is not a credential id in base64url".into());
            } else if !credential_ids.insert(passkey.credential_id.clone()) {
                row.add("credential_id", "appears twice".into());
            }
            if !crate::passkeys::is_user_handle(&passkey.user_handle) {
                row.add("user_handle", "is not a UUID".into());
            } else if handles.entry(passkey.user_id).or_insert_with(|| passkey.user_handle.clone()) != &passkey.user_handle {
                row.add("user_handle", "differs from the user's other passkeys".into());
            }
            let name = row.check("name", crate::domain::PasskeyName::parse(&passkey.name));
            if !crate::passkeys::is_passkey(&passkey.passkey) {
                row.add("passkey", "is not a passkey this program reads".into());
            }
            if passkey.sign_count < 0 || passkey.sign_count > i64::from(u32::MAX) {
                row.add("sign_count", "is not a counter from 0 to 4294967295".into());
            }
            let created_at = row.check("created_at", Timestamp::parse_rfc3339(&passkey.created_at));
            let last_used_at = match &passkey.last_used_at {
                None => Some(None),
                Some(time) => row.check("last_used_at", Timestamp::parse_rfc3339(time)).map(|t| Some(t.0)),
            };
            if let (Some(name), Some(created_at), Some(last_used_at)) = (name, created_at, last_used_at) {
                dump.passkeys.push(PasskeyRow {
                    id: passkey.id,
                    user_id: passkey.user_id,
                    credential_id: passkey.credential_id,
                    user_handle: passkey.user_handle,
                    name: name.as_str().to_string(),
                    passkey: passkey.passkey,
                    sign_count: passkey.sign_count,
                    created_at: created_at.0,
                    last_used_at,
                });
            }
        }
        if problems.0.is_empty() { Ok(dump) } else { Err(problems.0) }
    }
}

fn check_header(format: &str, version: u32, problems: &mut Problems) {
    let mut row = problems.row("document", "-".into());
    if format != FORMAT {
        row.add("format", format!("is {format:?}, not {FORMAT:?}"));
    }
    if !(1..=VERSION).contains(&version) {
        row.add("version", format!("{version} is not a version this program reads (1 to {VERSION})"));
    }
}

/// A dessert, a label or a menu names a kitchen of the document, and its id appears once.
fn owned_once(
    row: &mut RowCheck<'_>,
    field: &str,
    kitchen_ids: &HashSet<i64>,
    owners: &mut HashMap<i64, i64>,
    id: i64,
    kitchen_id: Option<i64>,
) {
    match kitchen_id {
        None => row.add(field, "is missing".into()),
        Some(kitchen_id) if !kitchen_ids.contains(&kitchen_id) => row.add(field, format!("names no kitchen ({kitchen_id})")),
        Some(kitchen_id) => {
            if owners.insert(id, kitchen_id).is_some() {
                row.add("id", "appears twice".into());
            }
        }
    }
}

/// Before version 6 each account's rows were its own: they go to its personal kitchen, which
/// has the account's id (as upgrading a database does). The ids of the kitchens.
fn personal_kitchens(dump: &mut Dump) -> HashSet<i64> {
    for user in &dump.users {
        dump.kitchens.push(KitchenRow {
            id: user.id,
            name: user.username.clone(),
            personal_of: Some(user.id),
            currency: user.currency.clone(),
            created_at: user.created_at,
        });
        dump.memberships.push(MembershipRow {
            kitchen_id: user.id,
            user_id: user.id,
            role: Role::Owner.code().into(),
            joined_at: user.created_at,
        });
    }
    dump.kitchens.iter().map(|kitchen| kitchen.id).collect()
}

/// Checks the kitchens and memberships of a version 6 document: each account has exactly
/// one personal kitchen, of which it is an owner; each kitchen has an owner; a membership
/// names a kitchen and an account of the document, once. The ids of the kitchens.
fn kitchens_and_members(
    kitchens: Vec<Kitchen>,
    memberships: Vec<Membership>,
    user_ids: &HashSet<i64>,
    problems: &mut Problems,
    dump: &mut Dump,
) -> HashSet<i64> {
    let mut kitchen_ids = HashSet::new();
    let mut personal_kitchen = HashMap::new();
    for kitchen in kitchens {
        let mut row = problems.row("kitchens", kitchen.id.to_string());
        if !kitchen_ids.insert(kitchen.id) {
            row.add("id", "appears twice".into());
        }
        if let Some(user_id) = kitchen.personal_of {
            if !user_ids.contains(&user_id) {
                row.add("personal_of", format!("names no user ({user_id})"));
            } else if personal_kitchen.insert(user_id, kitchen.id).is_some() {
                row.add("personal_of", "names a user who has a personal kitchen already".into());
            }
        }
        let name = row.check("name", KitchenName::parse(&kitchen.name));
        let currency = row.check("currency", Currency::parse(&kitchen.currency));
        let created_at = row.check("created_at", Timestamp::parse_rfc3339(&kitchen.created_at));
        if let (Some(name), Some(currency), Some(created_at)) = (name, currency, created_at) {
            dump.kitchens.push(KitchenRow {
                id: kitchen.id,
                name: name.as_str().to_string(),
                personal_of: kitchen.personal_of,
                currency: currency.code().to_string(),
                created_at: created_at.0,
            });
        }
    }
    let mut users = user_ids.iter().copied().collect::<Vec<_>>();
    users.sort_unstable();
    for user_id in users.into_iter().filter(|id| !personal_kitchen.contains_key(id)) {
        problems
            .row("users", user_id.to_string())
            .add("id", "has no personal kitchen".into());
    }
    let mut member = HashSet::new();
    let mut owned = HashSet::new();
    for membership in memberships {
        let mut row = problems.row("memberships", format!("{}/{}", membership.kitchen_id, membership.user_id));
        if !kitchen_ids.contains(&membership.kitchen_id) {
            row.add("kitchen_id", format!("names no kitchen ({})", membership.kitchen_id));
        }
        if !user_ids.contains(&membership.user_id) {
            row.add("user_id", format!("names no user ({})", membership.user_id));
        }
        if !member.insert((membership.kitchen_id, membership.user_id)) {
            row.add("user_id", "is a member of the kitchen twice".into());
        }
        let role = row.check(
            "role",
            Role::parse(&membership.role).and_then(|role| {
                if role.code() == membership.role {
                    Ok(role)
                } else {
                    Err("Choose owner, editor or viewer".into())
                }
            }),
        );
        let joined_at = row.check("joined_at", Timestamp::parse_rfc3339(&membership.joined_at));
        if personal_kitchen.get(&membership.user_id) == Some(&membership.kitchen_id) && role.is_some_and(|role| role != Role::Owner) {
            row.add("role", "is not owner in the account's personal kitchen".into());
        }
        if let (Some(role), Some(joined_at)) = (role, joined_at) {
            if role == Role::Owner {
                owned.insert(membership.kitchen_id);
            }
            dump.memberships.push(MembershipRow {
                kitchen_id: membership.kitchen_id,
                user_id: membership.user_id,
                role: role.code().into(),
                joined_at: joined_at.0,
            });
        }
    }
    let mut ownerless: Vec<i64> = kitchen_ids.iter().copied().filter(|id| !owned.contains(id)).collect();
    ownerless.sort_unstable();
    for kitchen_id in ownerless {
        problems
            .row("kitchens", kitchen_id.to_string())
            .add("id", "has no owner among its members".into());
    }
    kitchen_ids
}

fn user_row(user: User, row: &mut RowCheck<'_>) -> Option<UserRow> {
    let username = row.check("username", Username::parse(&user.username));
    let email = row.check("email", Email::parse(&user.email));
    let name = row.check("name", PersonName::parse(&user.name));
    let avatar = row.check("avatar", HttpUrl::parse_optional(user.avatar.as_deref().unwrap_or("")));
    let created_at = row.check("created_at", Timestamp::parse_rfc3339(&user.created_at));
    let optional_time = |row: &mut RowCheck<'_>, field: &'static str, time: &Option<String>| match time {
        None => Some(None),
        Some(time) => row.check(field, Timestamp::parse_rfc3339(time)).map(|t| Some(t.0)),
    };
    let email_confirmed_at = optional_time(row, "email_confirmed_at", &user.email_confirmed_at);
    let password_hash = row.check("password_hash", crate::passwords::check_stored(&user.password_hash));
    let disabled_at = optional_time(row, "disabled_at", &user.disabled_at);
    let last_login_at = optional_time(row, "last_login_at", &user.last_login_at);
    let public_name = row.check("public_name", PublicName::parse_optional(user.public_name.as_deref().unwrap_or("")));
    let currency = row.check("currency", Currency::parse(user.currency.as_deref().unwrap_or("USD")));
    let (username, email, name, avatar, created_at, email_confirmed_at, (), public_name, currency) = (
        username?,
        email?,
        name?,
        avatar?,
        created_at?,
        email_confirmed_at?,
        password_hash?,
        public_name?,
        currency?,
    );
    Some(UserRow {
        id: user.id,
        username_key: username.key(),
        username: username.as_str().to_string(),
        email_key: email.key(),
        email: email.as_str().to_string(),
        name: name.as_str().to_string(),
        avatar: avatar.map(HttpUrl::into_string),
        password_hash: user.password_hash,
        created_at: created_at.0,
        email_confirmed_at,
        public_name: public_name.map(|name| name.as_str().to_string()),
        currency: currency.code().to_string(),
        is_admin: user.admin,
        disabled_at: disabled_at?,
        last_login_at: last_login_at?,
    })
}

fn dessert_row(dessert: Dessert, kitchen_id: Option<i64>, row: &mut RowCheck<'_>) -> Option<DessertRow> {
    let name = row.check("name", DessertName::parse(&dessert.name));
    let price = row.check("price_cents", Price::from_cents(dessert.price_cents));
    let calories = row.check("calories", Calories::new(dessert.calories));
    let origin = row.check("origin", Origin::parse_optional(dessert.origin.as_deref().unwrap_or("")));
    let image_url = row.check("image_url", HttpUrl::parse_optional(dessert.image_url.as_deref().unwrap_or("")));
    let created_at = row.check("created_at", Timestamp::parse_rfc3339(&dessert.created_at));
    let updated_at = row.check("updated_at", Timestamp::parse_rfc3339(&dessert.updated_at));
    let contains = match &dessert.allergens {
        None => Some(None),
        Some(codes) => row
            .check("allergens", AllergenSet::parse_codes(codes.iter().map(String::as_str)))
            .map(Some),
    };
    let traces = row.check("traces", AllergenSet::parse_codes(dessert.traces.iter().map(String::as_str)));
    let allergens = match (contains, traces) {
        (Some(contains), Some(traces)) => row.check("traces", AllergenInfo::new(contains, traces)),
        _ => None,
    };
    let (name, price, calories, origin, image_url, created_at, updated_at, allergens) =
        (name?, price?, calories?, origin?, image_url?, created_at?, updated_at?, allergens?);
    Some(DessertRow {
        id: dessert.id,
        kitchen_id: kitchen_id?,
        name_key: name.key(),
        name: name.as_str().to_string(),
        price_cents: price.cents(),
        calories: calories.value(),
        origin: origin.map(|o| o.as_str().to_string()),
        image_url: image_url.map(HttpUrl::into_string),
        liked: dessert.liked,
        created_at: created_at.0,
        updated_at: updated_at.0,
        allergens: allergens.contains.map(AllergenSet::mask),
        traces: allergens.traces.mask(),
    })
}

fn label_row(label: Label, kitchen_id: Option<i64>, row: &mut RowCheck<'_>) -> Option<LabelRow> {
    let name = row.check("name", LabelName::parse(&label.name));
    let created_at = row.check("created_at", Timestamp::parse_rfc3339(&label.created_at));
    let (name, created_at) = (name?, created_at?);
    Some(LabelRow {
        id: label.id,
        kitchen_id: kitchen_id?,
        name_key: name.key(),
        name: name.as_str().to_string(),
        created_at: created_at.0,
    })
}

/// The codes of a stored allergen mask (bits past the 14, which the schema refuses, are
/// left out).
fn codes_of(mask: i64) -> Vec<String> {
    AllergenSet::from_mask(mask)
        .unwrap_or_default()
        .codes()
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn menu_row(menu: Menu, kitchen_id: Option<i64>, row: &mut RowCheck<'_>) -> Option<MenuRow> {
    let name = row.check("name", MenuName::parse(&menu.name));
    let created_at = row.check("created_at", Timestamp::parse_rfc3339(&menu.created_at));
    if let Some(slug) = &menu.public_slug
        && (slug.len() < 22 || !slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        row.add("public_slug", "is not an unguessable slug".into());
    }
    let (name, created_at) = (name?, created_at?);
    Some(MenuRow {
        id: menu.id,
        kitchen_id: kitchen_id?,
        name_key: name.key(),
        name: name.as_str().to_string(),
        published: menu.published.unwrap_or(menu.public_slug.is_some()),
        public_slug: menu.public_slug,
        created_at: created_at.0,
    })
}

fn photo_row(photo: Photo, row: &mut RowCheck<'_>) -> Option<PhotoRow> {
    let created_at = row.check("created_at", Timestamp::parse_rfc3339(&photo.created_at));
    let mut image = |field: &str, text: &str| {
        let bytes = row.check(field, STANDARD.decode(text).map_err(|e| format!("is not base64: {e}")))?;
        row.check(field, crate::photos::inspect(bytes).map_err(|refusal| refusal.to_string()))
    };
    let (full, thumbnail) = (image("image", &photo.image), image("thumbnail", &photo.thumbnail));
    Some(PhotoRow {
        dessert_id: photo.dessert_id,
        created_at: created_at?.0,
        photo: NewPhoto {
            full: full?,
            thumbnail: thumbnail?,
        },
    })
}

/// An entry puts a dessert on a menu of the same kitchen's.
fn menu_entry_row(
    entry: MenuEntry,
    row: &mut RowCheck<'_>,
    menu_owner: &HashMap<i64, i64>,
    dessert_owner: &HashMap<i64, i64>,
) -> Option<MenuEntryRow> {
    let added_at = row.check("added_at", Timestamp::parse_rfc3339(&entry.added_at));
    if entry.position < 0 {
        row.add("position", "is below zero".into());
    }
    let (field, reason) = match (menu_owner.get(&entry.menu_id), dessert_owner.get(&entry.dessert_id)) {
        (None, _) => ("menu_id", "names no menu"),
        (_, None) => ("dessert_id", "names no dessert"),
        (Some(menu_owner), Some(dessert_owner)) if menu_owner != dessert_owner => {
            ("dessert_id", "belongs to another kitchen than the menu")
        }
        (Some(kitchen_id), Some(_)) => {
            return Some(MenuEntryRow {
                menu_id: entry.menu_id,
                dessert_id: entry.dessert_id,
                kitchen_id: *kitchen_id,
                added_at: added_at?.0,
                position: entry.position,
            });
        }
    };
    row.add(field, reason.into());
    None
}

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// The checks of one row, whose problems are written `table id field: reason`.
    fn row(&mut self, table: &'static str, id: String) -> RowCheck<'_> {
        RowCheck { problems: self, table, id }
    }
}

struct RowCheck<'a> {
    problems: &'a mut Problems,
    table: &'static str,
    id: String,
}

impl RowCheck<'_> {
    fn add(&mut self, field: &str, reason: String) {
        self.problems.0.push(format!("{} {} {field}: {reason}", self.table, self.id));
    }

    fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        parsed.map_err(|reason| self.add(field, reason)).ok()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config::DatabaseUrl;
    use crate::store::{PoolSettings, Store, dump};

    /// One dessert: price in cents, calories, liked, origin, picture, created.
    type DessertShape = (i64, i64, bool, Option<String>, Option<String>, i64);
    /// One menu: published, and which of its owner's desserts it holds.
    type MenuShape = (bool, Vec<bool>);

    fn user_shape() -> impl Strategy<Value = (String, Vec<DessertShape>, Vec<MenuShape>)> {
        (
            "[A-Za-z0-9_.-]{0,10}",
            prop::collection::vec(
                (
                    0..=Price::MAX_CENTS,
                    0..=Calories::MAX,
                    any::<bool>(),
                    prop::option::of("[A-Za-z][A-Za-z ]{0,20}[a-z]"),
                    prop::option::of("[a-z0-9]{1,12}"),
                    0i64..4_000_000_000,
                ),
                0..5,
            ),
            prop::collection::vec((any::<bool>(), prop::collection::vec(any::<bool>(), 5)), 0..3),
        )
    }

    fn tiny_jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .encode_image(&image::RgbImage::new(width, height))
            .unwrap();
        out
    }

    /// A valid document in the order an export writes it.
    fn document(users: Vec<(String, Vec<DessertShape>, Vec<MenuShape>)>) -> Document {
        let time = |s: i64| Timestamp(s).rfc3339();
        let mut doc = Document {
            format: FORMAT.into(),
            version: VERSION,
            users: vec![],
            kitchens: vec![],
            memberships: vec![],
            desserts: vec![],
            menus: vec![],
            menu_entries: vec![],
            photos: vec![],
            labels: vec![],
            dessert_labels: vec![],
            totp: vec![],
            recovery_codes: vec![],
            passkeys: vec![],
        };
        for (u, (handle, desserts, menus)) in users.into_iter().enumerate() {
            let user_id = u as i64 + 1;
            doc.users.push(User {
                id: user_id,
                username: format!("user{u}_{handle}"),
                email: format!("u{u}@example.com"),
                name: format!("User {u}"),
                avatar: (u % 2 == 1).then(|| format!("https://example.com/{u}.png")),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
                created_at: time(u as i64 * 1000),
                email_confirmed_at: (u % 3 != 1).then(|| time(u as i64 * 1000 + 60)),
                public_name: (u % 2 == 0).then(|| format!("Café {u}")),
                currency: Some(if u % 2 == 0 { "EUR" } else { "USD" }.to_string()),
                admin: u == 0,
                disabled_at: (u % 4 == 3).then(|| time(u as i64 * 1000 + 120)),
                last_login_at: (u % 3 == 0).then(|| time(u as i64 * 1000 + 180)),
            });
            // Each account's personal kitchen, under an id of its own; the first account also
            // shares a kitchen with every other as an editor.
            let kitchen_id = user_id + 100;
            doc.kitchens.push(Kitchen {
                id: kitchen_id,
                name: format!("user{u}_{handle}"),
                personal_of: Some(user_id),
                currency: if u % 2 == 0 { "EUR" } else { "USD" }.to_string(),
                created_at: time(u as i64 * 1000),
            });
            doc.memberships.push(Membership {
                kitchen_id,
                user_id,
                role: "owner".into(),
                joined_at: time(u as i64 * 1000),
            });
            if u == 0 {
                // The first account uses one-time codes, with a recovery code used.
                doc.totp.push(Totp {
                    user_id,
                    secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into(),
                    enabled: true,
                    last_step: 59_000_000,
                    created_at: time(7),
                });
                for (n, used) in [(1, true), (2, false)] {
                    doc.recovery_codes.push(RecoveryCode {
                        user_id,
                        code_hash: format!("{n:0>64}"),
                        used_at: used.then(|| time(8)),
                    });
                }
                // And a passkey (a public key, as Chromium's virtual authenticator made it).
                doc.passkeys.push(StoredPasskey {
                    id: 1,
                    user_id,
                    credential_id: "BzaGCtx4AwbmBwDRdlF_GbsJDO7Ook7sfomh0wYwRd8".into(),
                    user_handle: "e6bf88e7-bba7-47db-a530-d706630e8ba8".into(),
                    name: "Phone".into(),
                    passkey: r#"{"cred":{"cred_id":"BzaGCtx4AwbmBwDRdlF_GbsJDO7Ook7sfomh0wYwRd8","cred":{"type_":"ES256","key":{"EC_EC2":{"curve":"SECP256R1","x":"cFFOpn4l_c1rpQZP04k39RNR3bazGp3bY3-_E4nq2xE","y":"pdSBOAU9C1ISQMCWUcU0VpVG0R7mFAsEkU31-mL5jCs"}}},"counter":2,"transports":null,"user_verified":true,"backup_eligible":false,"backup_state":false,"registration_policy":"required","extensions":{"cred_protect":"Ignored","hmac_create_secret":"NotRequested","appid":"NotRequested","cred_props":{"Unsigned":{"rk":true}}},"attestation":{"data":"None","metadata":"None"},"attestation_format":"none"}}"#.into(),
                    sign_count: 2,
                    created_at: time(9),
                    last_used_at: Some(time(10)),
                });
                doc.kitchens.push(Kitchen {
                    id: 1,
                    name: "Café Shared".into(),
                    personal_of: None,
                    currency: "GBP".into(),
                    created_at: time(5),
                });
            }
            doc.memberships.push(Membership {
                kitchen_id: 1,
                user_id,
                role: if u == 0 { "owner" } else { "editor" }.into(),
                joined_at: time(6),
            });
            let first_dessert = doc.desserts.len() as i64 + 1;
            // Each user has a label "Seasonal", on every other dessert.
            let label_id = doc.labels.len() as i64 + 1;
            doc.labels.push(Label {
                id: label_id,
                kitchen_id: Some(kitchen_id),
                user_id: None,
                name: "Seasonal".into(),
                created_at: time(u as i64),
            });
            for (d, (price_cents, calories, liked, origin, picture, created)) in desserts.iter().cloned().enumerate() {
                doc.desserts.push(Dessert {
                    id: doc.desserts.len() as i64 + 1,
                    kitchen_id: Some(kitchen_id),
                    user_id: None,
                    name: format!("Dessert {d}"),
                    price_cents,
                    calories,
                    origin,
                    image_url: picture.map(|p| format!("https://example.com/{p}")),
                    liked,
                    created_at: time(created),
                    updated_at: time(created + 60),
                    // Not declared, declared none, or some with a trace.
                    allergens: match d % 3 {
                        0 => None,
                        1 => Some(vec![]),
                        _ => Some(vec!["eggs".into(), "milk".into()]),
                    },
                    traces: if d % 3 == 2 { vec!["nuts".into()] } else { vec![] },
                });
                if d % 2 == 0 {
                    doc.dessert_labels.push(DessertLabel {
                        dessert_id: doc.desserts.len() as i64,
                        label_id,
                    });
                }
                // The liked ones have a photo.
                if liked {
                    doc.photos.push(Photo {
                        dessert_id: doc.desserts.len() as i64,
                        created_at: time(created + 30),
                        image: STANDARD.encode(tiny_jpeg(8 + d as u32, 6)),
                        thumbnail: STANDARD.encode(tiny_jpeg(4, 3)),
                    });
                }
            }
            for (m, (published, holds)) in menus.into_iter().enumerate() {
                let menu_id = doc.menus.len() as i64 + 1;
                doc.menus.push(Menu {
                    id: menu_id,
                    kitchen_id: Some(kitchen_id),
                    user_id: None,
                    name: format!("Menu {m}"),
                    public_slug: published.then(|| format!("{menu_id:0>43}")),
                    created_at: time(m as i64),
                    published: Some(published),
                });
                for (d, _) in holds.iter().take(desserts.len()).enumerate().filter(|(_, on)| **on) {
                    doc.menu_entries.push(MenuEntry {
                        menu_id,
                        dessert_id: first_dessert + d as i64,
                        added_at: time(d as i64),
                        position: d as i64 + 1,
                    });
                }
            }
        }
        // In the order an export writes them.
        doc.kitchens.sort_by_key(|kitchen| kitchen.id);
        doc.memberships
            .sort_by_key(|membership| (membership.kitchen_id, membership.user_id));
        doc
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn export_import_export_gives_the_same_document(users in prop::collection::vec(user_shape(), 0..4)) {
            let original = document(users);
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let round_tripped = runtime.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&DatabaseUrl::Sqlite(dir.path().join("d.db")), PoolSettings::default()).unwrap();
                store.migrate().await.unwrap();
                dump::write_all(&store, original.clone().into_dump().expect("a valid document")).await.unwrap();
                Document::from_dump(dump::read_all(&store, true).await.unwrap())
            });
            prop_assert_eq!(round_tripped, original);
        }
    }
}
