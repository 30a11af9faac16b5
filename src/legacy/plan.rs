//! Planning an adoption: every legacy row checked against today's rules, one function per
//! table, and the rows to write.

use std::collections::{HashMap, HashSet};

use super::check::Checker;
use super::read::{LegacyData, LegacyDessert, LegacyMenu, LegacyUser};
use crate::domain::{Calories, DessertName, Email, HttpUrl, MenuName, PersonName, Price, Username, lookup_key};

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
    let mut planner = Planner {
        checker: Checker {
            repair,
            problems: vec![],
            fixes: vec![],
        },
        plan: Plan::default(),
        taken_usernames: HashSet::new(),
        taken_emails: HashSet::new(),
        owner_of_legacy_user: HashMap::new(),
        owner_key: owner.map(lookup_key),
    };
    for user in &data.users {
        planner.user(user);
    }
    planner.check_owner(data, owner, existing_usernames);
    let mut dessert_names = HashSet::new();
    for dessert in &data.desserts {
        planner.dessert(dessert, &mut dessert_names);
    }
    let mut menu_names = HashSet::new();
    for menu in &data.menus {
        planner.menu(menu, &mut menu_names);
    }
    let Planner { checker, mut plan, .. } = planner;
    if checker.problems.is_empty() {
        plan.fixes = checker.fixes;
        Ok(plan)
    } else {
        Err(checker.problems)
    }
}

/// The plan as it grows, with what the rows checked so far have taken.
struct Planner {
    checker: Checker,
    plan: Plan,
    taken_usernames: HashSet<String>,
    taken_emails: HashSet<String>,
    /// Each legacy user's username key: the owner of their desserts.
    owner_of_legacy_user: HashMap<i64, String>,
    /// `--owner`, by key.
    owner_key: Option<String>,
}

impl Planner {
    fn user(&mut self, user: &LegacyUser) {
        let id = user.id;
        let username = self.username(user);
        let raw_email = user.email.clone().unwrap_or_default();
        let fallback_email = || Email::parse(&format!("legacy-user-{id}@invalid.example")).ok();
        let mut email = self
            .checker
            .value("user", id, "email", &raw_email, Email::parse(&raw_email), fallback_email);
        if let Some(address) = &email
            && !self.taken_emails.insert(address.key())
        {
            let taken = Err("Another user has this email (ignoring case)".into());
            email = self.checker.value("user", id, "email", &raw_email, taken, fallback_email);
        }
        let raw_name = user.name.clone().unwrap_or_default();
        let name = self.checker.value("user", id, "name", &raw_name, PersonName::parse(&raw_name), || {
            PersonName::parse(&cleaned(&raw_name, PersonName::MAX_CHARS))
                .or_else(|_| PersonName::parse(username.as_ref().map_or("Legacy user", |u| u.as_str())))
                .ok()
        });
        let raw_avatar = user.avatar.clone().unwrap_or_default();
        let avatar = self
            .checker
            .value("user", id, "avatar", &raw_avatar, HttpUrl::parse_optional(&raw_avatar), || {
                Some(None)
            });
        let password = user.password.clone().filter(|p| !p.is_empty());
        if password.is_none() {
            self.checker
                .value("user", id, "password", "", Err::<(), _>("No password".into()), || Some(()));
        }
        // A broken account still owns its desserts, so that they are checked too.
        let owner = username.as_ref().map_or_else(|| format!("legacy user {id}"), Username::key);
        self.owner_of_legacy_user.insert(id, owner);
        if let (Some(username), Some(email), Some(name), Some(avatar)) = (username, email, name, avatar) {
            self.plan.users.push(PlannedUser {
                legacy_id: id,
                username,
                email,
                name,
                avatar,
                password,
            });
        }
    }

    /// A user's username: as stored, or cleaned up to today's rule, and unique ignoring
    /// case (a clash gets the legacy id as a suffix).
    fn username(&mut self, user: &LegacyUser) -> Option<Username> {
        let id = user.id;
        let raw = user.username.clone().unwrap_or_default();
        let username = self.checker.value("user", id, "username", &raw, Username::parse(&raw), || {
            let cleaned: String = raw
                .trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                        c
                    } else {
                        '_'
                    }
                })
                .take(Username::MAX_CHARS)
                .collect();
            let cleaned = if cleaned.len() < Username::MIN_CHARS {
                format!("user{id}")
            } else {
                cleaned
            };
            Username::parse(&cleaned).ok()
        });
        let name = username.as_ref()?;
        if self.taken_usernames.insert(name.key()) {
            return username;
        }
        let taken = Err("Another user has this username (ignoring case)".into());
        let taken_usernames = &mut self.taken_usernames;
        self.checker.value("user", id, "username", &raw, taken, || {
            // Room for "_" and an id of up to 7 digits.
            let base: String = name.as_str().chars().take(Username::MAX_CHARS - 8).collect();
            let suffixed = format!("{base}_{id}");
            taken_usernames.insert(lookup_key(&suffixed));
            Username::parse(&suffixed).ok()
        })
    }

    /// `--owner` must name a user, and is needed when a dessert or a menu has none.
    fn check_owner(&mut self, data: &LegacyData, owner: Option<&str>, existing_usernames: &HashSet<String>) {
        if let Some(key) = &self.owner_key
            && !self.taken_usernames.contains(key)
            && !existing_usernames.contains(key)
        {
            self.checker.problems.push(format!(
                "--owner {}: no user by that name in the file or in the database",
                owner.unwrap_or_default()
            ));
        }
        let ownerless = data.desserts.iter().filter(|d| d.user_id.is_none()).count() + data.menus.len();
        if ownerless > 0 && self.owner_key.is_none() {
            self.checker.problems.push(format!(
                "{ownerless} dessert(s) or menu(s) have no owner: name one with --owner USERNAME"
            ));
        }
    }

    /// `names` holds (owner, name key) of the desserts planned so far.
    fn dessert(&mut self, dessert: &LegacyDessert, names: &mut HashSet<(String, String)>) {
        let id = dessert.id;
        let owner = match dessert.user_id {
            None => self.owner_key.clone(),
            Some(user_id) => match self.owner_of_legacy_user.get(&user_id) {
                Some(key) => Some(key.clone()),
                None => {
                    let owner_key = self.owner_key.clone();
                    let unknown = Err(format!("names no user ({user_id})"));
                    self.checker
                        .value("dessert", id, "user_id", &user_id.to_string(), unknown, || owner_key)
                }
            },
        };
        let raw_name = dessert.name.clone().unwrap_or_default();
        let mut name = self
            .checker
            .value("dessert", id, "name", &raw_name, DessertName::parse(&raw_name), || {
                let trimmed = cleaned(&raw_name, DessertName::MAX_CHARS);
                if trimmed.is_empty() {
                    DessertName::parse(&format!("Dessert {id}")).ok()
                } else {
                    DessertName::parse(&trimmed)
                        .or_else(|_| DessertName::parse(&format!("Dessert {trimmed}")))
                        .ok()
                }
            });
        if let (Some(owner), Some(current)) = (&owner, &name)
            && !names.insert((owner.clone(), current.key()))
        {
            let taken = Err("The owner has another dessert by this name (ignoring case)".into());
            name = self.checker.value("dessert", id, "name", &raw_name, taken, || {
                numbered(current.as_str(), DessertName::MAX_CHARS, DessertName::parse, |candidate| {
                    names.insert((owner.clone(), candidate.key()))
                })
            });
        }
        let raw_price = dessert.price.map(|p| p.to_string()).unwrap_or_default();
        let price = self.checker.value("dessert", id, "price", &raw_price, price_of(dessert.price), || {
            let cents = (dessert.price.unwrap_or(0.0) * 100.0).round();
            Price::from_cents((cents.clamp(0.0, Price::MAX_CENTS as f64)) as i64).ok()
        });
        let raw_calories = dessert.calories.map(|c| c.to_string()).unwrap_or_default();
        let parsed_calories = dessert.calories.ok_or_else(|| "Missing".to_string()).and_then(Calories::new);
        let calories = self.checker.value("dessert", id, "calories", &raw_calories, parsed_calories, || {
            Calories::new(dessert.calories.unwrap_or(0).clamp(0, Calories::MAX)).ok()
        });
        if let (Some(owner), Some(name), Some(price), Some(calories)) = (owner, name, price, calories) {
            self.plan.desserts.push(PlannedDessert {
                legacy_id: id,
                owner,
                name,
                price,
                calories,
                liked: dessert.liked.unwrap_or(false),
            });
        }
    }

    /// `names` holds the name keys of the menus planned so far.
    fn menu(&mut self, menu: &LegacyMenu, names: &mut HashSet<String>) {
        let id = menu.id;
        let raw_name = menu.name.clone().unwrap_or_default();
        let mut name = self.checker.value("menu", id, "name", &raw_name, MenuName::parse(&raw_name), || {
            MenuName::parse(&cleaned(&raw_name, MenuName::MAX_CHARS))
                .or_else(|_| MenuName::parse(&format!("Menu {id}")))
                .ok()
        });
        if let Some(current) = &name
            && !names.insert(current.key())
        {
            let taken = Err("Another menu has this name (ignoring case)".into());
            name = self.checker.value("menu", id, "name", &raw_name, taken, || {
                numbered(current.as_str(), MenuName::MAX_CHARS, MenuName::parse, |candidate| {
                    names.insert(candidate.key())
                })
            });
        }
        if let (Some(owner), Some(name)) = (self.owner_key.clone(), name) {
            self.plan.menus.push(PlannedMenu {
                legacy_id: id,
                owner,
                name,
            });
        }
    }
}

/// Text cleaned up for a one-line field: trimmed, without control characters, cut to
/// `max_chars`.
fn cleaned(raw: &str, max_chars: usize) -> String {
    raw.trim().chars().filter(|c| !c.is_control()).take(max_chars).collect()
}

/// The first of "`name` (2)", "`name` (3)", ... that parses and that `take` accepts (as
/// not yet taken); `name` is shortened to leave room for the number.
fn numbered<T>(name: &str, max_chars: usize, parse: impl Fn(&str) -> Result<T, String>, mut take: impl FnMut(&T) -> bool) -> Option<T> {
    let base: String = name.chars().take(max_chars - 10).collect();
    (2..).find_map(|n| {
        let candidate = parse(&format!("{base} ({n})")).ok()?;
        take(&candidate).then_some(candidate)
    })
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
