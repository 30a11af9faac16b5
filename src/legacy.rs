//! Adopting a `desserts.db` made by the original Flask/SQLAlchemy app: its tables `dessert`,
//! and where present `user` and `menu`, with rows that were never checked. Each row is
//! checked against today's rules; a row that breaks one is reported (`table id field:
//! reason`), or, when asked, fixed in a documented way and the fix printed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

use crate::domain::{Calories, DessertName, Email, HttpUrl, MenuName, PersonName, Price, Username, lookup_key};

/// A row of the legacy `user` table, as stored.
#[derive(Debug, Clone, Default)]
pub struct LegacyUser {
    pub id: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LegacyDessert {
    pub id: i64,
    pub name: Option<String>,
    pub price: Option<f64>,
    pub calories: Option<i64>,
    pub user_id: Option<i64>,
    pub liked: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct LegacyMenu {
    pub id: i64,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LegacyData {
    pub users: Vec<LegacyUser>,
    pub desserts: Vec<LegacyDessert>,
    pub menus: Vec<LegacyMenu>,
}

/// Reads a legacy file without changing it.
pub fn read(path: &Path) -> Result<LegacyData, String> {
    if !path.is_file() {
        return Err(format!("{} does not exist or is not a file", path.display()));
    }
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let columns = |table: &str| -> Result<HashSet<String>, String> {
        let mut statement = conn
            .prepare(&format!("PRAGMA table_info(\"{table}\")"))
            .map_err(|e| not_a_database(path, &e))?;
        let names = statement
            .query_map([], |row| row.get::<_, String>(1))
            .and_then(Iterator::collect)
            .map_err(|e| not_a_database(path, &e))?;
        Ok(names)
    };
    let dessert_columns = columns("dessert")?;
    if dessert_columns.is_empty() {
        return Err(format!(
            "{} has no dessert table: it is not a database of the old app",
            path.display()
        ));
    }
    let select = |table: &str, wanted: &[&str], present: &HashSet<String>| -> Result<Vec<Vec<Value>>, String> {
        let list: Vec<String> = wanted
            .iter()
            .map(|c| if present.contains(*c) { format!("\"{c}\"") } else { "NULL".into() })
            .collect();
        let sql = format!("SELECT {} FROM \"{table}\" ORDER BY id", list.join(", "));
        let mut statement = conn.prepare(&sql).map_err(|e| format!("cannot read {table}: {e}"))?;
        statement
            .query_map([], |row| (0..wanted.len()).map(|i| row.get::<_, Value>(i)).collect())
            .and_then(Iterator::collect)
            .map_err(|e| format!("cannot read {table}: {e}"))
    };
    let mut data = LegacyData::default();
    for row in select(
        "dessert",
        &["id", "name", "price", "calories", "user_id", "doilikeit"],
        &dessert_columns,
    )? {
        data.desserts.push(LegacyDessert {
            id: int(&row[0]).unwrap_or_default(),
            name: text(&row[1]),
            price: real(&row[2]),
            calories: int(&row[3]),
            user_id: int(&row[4]),
            liked: int(&row[5]).map(|v| v != 0),
        });
    }
    let user_columns = columns("user")?;
    if !user_columns.is_empty() {
        for row in select("user", &["id", "username", "password", "email", "name", "avatar"], &user_columns)? {
            data.users.push(LegacyUser {
                id: int(&row[0]).unwrap_or_default(),
                username: text(&row[1]),
                password: text(&row[2]),
                email: text(&row[3]),
                name: text(&row[4]),
                avatar: text(&row[5]),
            });
        }
    }
    let menu_columns = columns("menu")?;
    if !menu_columns.is_empty() {
        for row in select("menu", &["id", "name"], &menu_columns)? {
            data.menus.push(LegacyMenu {
                id: int(&row[0]).unwrap_or_default(),
                name: text(&row[1]),
            });
        }
    }
    Ok(data)
}

fn not_a_database(path: &Path, error: &rusqlite::Error) -> String {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        format!("{} is not an SQLite database", path.display())
    } else {
        format!("cannot read {}: {error}", path.display())
    }
}

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Integer(v) => Some(*v),
        Value::Real(v) if v.fract() == 0.0 && v.abs() < 9e15 => Some(*v as i64),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn real(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(v) => Some(*v as f64),
        Value::Real(v) => Some(*v),
        Value::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::Text(t) => Some(t.clone()),
        Value::Integer(v) => Some(v.to_string()),
        Value::Real(v) => Some(v.to_string()),
        _ => None,
    }
}

/// An account to create (or find, when an earlier run made it).
#[derive(Debug, Clone)]
pub struct PlannedUser {
    pub legacy_id: i64,
    pub username: Username,
    pub email: Email,
    pub name: PersonName,
    pub avatar: Option<HttpUrl>,
    /// The legacy plain password, to hash; `None` gives an unusable random one.
    pub password: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PlannedDessert {
    pub legacy_id: i64,
    /// The owner's username key.
    pub owner: String,
    pub name: DessertName,
    pub price: Price,
    pub calories: Calories,
    pub liked: bool,
}

#[derive(Debug, Clone)]
pub struct PlannedMenu {
    pub legacy_id: i64,
    pub owner: String,
    pub name: MenuName,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub users: Vec<PlannedUser>,
    pub desserts: Vec<PlannedDessert>,
    pub menus: Vec<PlannedMenu>,
    /// With `--repair`: every fix made, one line each.
    pub fixes: Vec<String>,
}

/// Checks every legacy row and plans the rows to write. Without `repair`, any broken row
/// fails the whole plan with one line per problem; with it, each is fixed and the fix
/// recorded. `owner` takes the desserts and menus that have none: a username from the file
/// or one already in the database (`existing_usernames`, by key).
pub fn plan(data: &LegacyData, owner: Option<&str>, repair: bool, existing_usernames: &HashSet<String>) -> Result<Plan, Vec<String>> {
    let mut checker = Checker {
        repair,
        problems: vec![],
        fixes: vec![],
    };
    let mut plan = Plan::default();
    let mut taken_usernames: HashSet<String> = HashSet::new();
    let mut taken_emails: HashSet<String> = HashSet::new();
    let mut owner_of_legacy_user: HashMap<i64, String> = HashMap::new();
    for user in &data.users {
        let id = user.id;
        let raw_username = user.username.clone().unwrap_or_default();
        let mut username = checker.value("user", id, "username", &raw_username, Username::parse(&raw_username), || {
            let cleaned: String = raw_username
                .trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .take(32)
                .collect();
            let cleaned = if cleaned.len() < 3 { format!("user{id}") } else { cleaned };
            Username::parse(&cleaned).ok()
        });
        if let Some(name) = &username
            && !taken_usernames.insert(name.key())
        {
            username = checker.value(
                "user",
                id,
                "username",
                &raw_username,
                Err("Another user has this username (ignoring case)".into()),
                || {
                    let suffixed = format!("{}_{id}", name.as_str().chars().take(24).collect::<String>());
                    taken_usernames.insert(lookup_key(&suffixed));
                    Username::parse(&suffixed).ok()
                },
            );
        }
        let raw_email = user.email.clone().unwrap_or_default();
        let fallback_email = || Email::parse(&format!("legacy-user-{id}@invalid.example")).ok();
        let mut email = checker.value("user", id, "email", &raw_email, Email::parse(&raw_email), fallback_email);
        if let Some(address) = &email
            && !taken_emails.insert(address.key())
        {
            email = checker.value(
                "user",
                id,
                "email",
                &raw_email,
                Err("Another user has this email (ignoring case)".into()),
                fallback_email,
            );
        }
        let raw_name = user.name.clone().unwrap_or_default();
        let name = checker.value("user", id, "name", &raw_name, PersonName::parse(&raw_name), || {
            let shortened: String = raw_name.trim().chars().filter(|c| !c.is_control()).take(100).collect();
            PersonName::parse(&shortened)
                .or_else(|_| PersonName::parse(username.as_ref().map_or("Legacy user", |u| u.as_str())))
                .ok()
        });
        let raw_avatar = user.avatar.clone().unwrap_or_default();
        let avatar = checker.value("user", id, "avatar", &raw_avatar, HttpUrl::parse_optional(&raw_avatar), || {
            Some(None)
        });
        let password = user.password.clone().filter(|p| !p.is_empty());
        if password.is_none() {
            checker.value("user", id, "password", "", Err::<(), _>("No password".into()), || Some(()));
        }
        // A broken account still owns its desserts, so that they are checked too.
        let owner = username.as_ref().map_or_else(|| format!("legacy user {id}"), Username::key);
        owner_of_legacy_user.insert(id, owner);
        if let (Some(username), Some(email), Some(name), Some(avatar)) = (username, email, name, avatar) {
            plan.users.push(PlannedUser {
                legacy_id: id,
                username,
                email,
                name,
                avatar,
                password,
            });
        }
    }

    let owner_key = owner.map(lookup_key);
    if let Some(key) = &owner_key
        && !taken_usernames.contains(key)
        && !existing_usernames.contains(key)
    {
        checker.problems.push(format!(
            "--owner {}: no user by that name in the file or in the database",
            owner.unwrap_or_default()
        ));
    }
    let ownerless = data.desserts.iter().filter(|d| d.user_id.is_none()).count() + data.menus.len();
    if ownerless > 0 && owner_key.is_none() {
        checker.problems.push(format!(
            "{ownerless} dessert(s) or menu(s) have no owner: name one with --owner USERNAME"
        ));
    }

    let mut dessert_names: HashSet<(String, String)> = HashSet::new();
    for dessert in &data.desserts {
        let id = dessert.id;
        let owner = match dessert.user_id {
            None => owner_key.clone(),
            Some(user_id) => match owner_of_legacy_user.get(&user_id) {
                Some(key) => Some(key.clone()),
                None => checker.value(
                    "dessert",
                    id,
                    "user_id",
                    &user_id.to_string(),
                    Err(format!("names no user ({user_id})")),
                    || owner_key.clone(),
                ),
            },
        };
        let raw_name = dessert.name.clone().unwrap_or_default();
        let mut name = checker.value("dessert", id, "name", &raw_name, DessertName::parse(&raw_name), || {
            let trimmed: String = raw_name.trim().chars().filter(|c| !c.is_control()).take(100).collect();
            if trimmed.is_empty() {
                DessertName::parse(&format!("Dessert {id}")).ok()
            } else {
                DessertName::parse(&trimmed)
                    .or_else(|_| DessertName::parse(&format!("Dessert {trimmed}")))
                    .ok()
            }
        });
        if let (Some(owner), Some(current)) = (&owner, &name)
            && !dessert_names.insert((owner.clone(), current.key()))
        {
            name = checker.value(
                "dessert",
                id,
                "name",
                &raw_name,
                Err("The owner has another dessert by this name (ignoring case)".into()),
                || {
                    (2..).find_map(|n| {
                        let base: String = current.as_str().chars().take(90).collect();
                        let candidate = DessertName::parse(&format!("{base} ({n})")).ok()?;
                        dessert_names.insert((owner.clone(), candidate.key())).then_some(candidate)
                    })
                },
            );
        }
        let raw_price = dessert.price.map(|p| p.to_string()).unwrap_or_default();
        let price = checker.value("dessert", id, "price", &raw_price, price_of(dessert.price), || {
            let cents = (dessert.price.unwrap_or(0.0) * 100.0).round();
            Price::from_cents((cents.clamp(0.0, Price::MAX_CENTS as f64)) as i64).ok()
        });
        let raw_calories = dessert.calories.map(|c| c.to_string()).unwrap_or_default();
        let calories = checker.value(
            "dessert",
            id,
            "calories",
            &raw_calories,
            dessert.calories.ok_or_else(|| "Missing".to_string()).and_then(Calories::new),
            || Calories::new(dessert.calories.unwrap_or(0).clamp(0, Calories::MAX)).ok(),
        );
        if let (Some(owner), Some(name), Some(price), Some(calories)) = (owner, name, price, calories) {
            plan.desserts.push(PlannedDessert {
                legacy_id: id,
                owner,
                name,
                price,
                calories,
                liked: dessert.liked.unwrap_or(false),
            });
        }
    }

    let mut menu_names: HashSet<String> = HashSet::new();
    for menu in &data.menus {
        let id = menu.id;
        let raw_name = menu.name.clone().unwrap_or_default();
        let mut name = checker.value("menu", id, "name", &raw_name, MenuName::parse(&raw_name), || {
            let trimmed: String = raw_name.trim().chars().filter(|c| !c.is_control()).take(100).collect();
            MenuName::parse(&trimmed).or_else(|_| MenuName::parse(&format!("Menu {id}"))).ok()
        });
        if let Some(current) = &name
            && !menu_names.insert(current.key())
        {
            name = checker.value(
                "menu",
                id,
                "name",
                &raw_name,
                Err("Another menu has this name (ignoring case)".into()),
                || {
                    (2..).find_map(|n| {
                        let base: String = current.as_str().chars().take(90).collect();
                        let candidate = MenuName::parse(&format!("{base} ({n})")).ok()?;
                        menu_names.insert(candidate.key()).then_some(candidate)
                    })
                },
            );
        }
        if let (Some(owner), Some(name)) = (owner_key.clone(), name) {
            plan.menus.push(PlannedMenu {
                legacy_id: id,
                owner,
                name,
            });
        }
    }

    if checker.problems.is_empty() {
        plan.fixes = checker.fixes;
        Ok(plan)
    } else {
        Err(checker.problems)
    }
}

/// A legacy price as exact cents: at most two decimals, within range.
fn price_of(price: Option<f64>) -> Result<Price, String> {
    let price = price.ok_or_else(|| "Missing".to_string())?;
    let cents = price * 100.0;
    if (cents - cents.round()).abs() > 1e-6 {
        return Err("Price must have at most 2 decimals".into());
    }
    Price::from_cents(cents.round() as i64)
}

struct Checker {
    repair: bool,
    problems: Vec<String>,
    fixes: Vec<String>,
}

impl Checker {
    /// The parsed value; or, when it broke a rule, the repaired one (recorded as a fix) or
    /// nothing (recorded as a problem).
    fn value<T: Shown>(
        &mut self,
        table: &str,
        id: i64,
        field: &str,
        raw: &str,
        parsed: Result<T, String>,
        fix: impl FnOnce() -> Option<T>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reason) if self.repair => match fix() {
                Some(fixed) => {
                    self.fixes
                        .push(format!("{table} {id} {field}: {reason} ({raw:?}); {}", describe(&fixed)));
                    Some(fixed)
                }
                None => {
                    self.problems
                        .push(format!("{table} {id} {field}: {reason} ({raw:?}); no fix applies"));
                    None
                }
            },
            Err(reason) => {
                self.problems.push(format!("{table} {id} {field}: {reason} ({raw:?})"));
                None
            }
        }
    }
}

fn describe(value: &impl Shown) -> String {
    format!("now {}", value.shown())
}

/// How a fixed value is shown in the list of fixes.
trait Shown {
    fn shown(&self) -> String;
}

macro_rules! shown_as_text {
    ($($type:ty),*) => {
        $(impl Shown for $type {
            fn shown(&self) -> String {
                format!("{:?}", self.as_str())
            }
        })*
    };
}
shown_as_text!(Username, Email, PersonName, DessertName, MenuName);

impl Shown for Price {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for Calories {
    fn shown(&self) -> String {
        self.value().to_string()
    }
}

impl Shown for Option<HttpUrl> {
    fn shown(&self) -> String {
        self.as_ref().map_or_else(|| "none".into(), |url| format!("{:?}", url.as_str()))
    }
}

/// An owner, by username key.
impl Shown for String {
    fn shown(&self) -> String {
        format!("owned by {self:?}")
    }
}

/// A missing password: the account gets a random one, so nobody can log in with it until
/// it is replaced.
impl Shown for () {
    fn shown(&self) -> String {
        "a random password nobody knows; set a new one for this account".into()
    }
}
