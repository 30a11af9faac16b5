//! Checking a legacy value against today's rule: kept, fixed (with `--repair`, the fix
//! recorded) or refused (the problem recorded).

use crate::domain::{Calories, DessertName, Email, HttpUrl, MenuName, PersonName, Price, Username};

pub(super) struct Checker {
    pub(super) repair: bool,
    pub(super) problems: Vec<String>,
    pub(super) fixes: Vec<String>,
}

impl Checker {
    /// The parsed value; or, when it broke a rule, the repaired one (recorded as a fix) or
    /// nothing (recorded as a problem).
    pub(super) fn value<T: Shown>(
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
pub(super) trait Shown {
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
