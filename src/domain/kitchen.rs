//! Kitchens: a set of desserts, labels and menus that people share, each with a role.

use super::{Currency, required_line};

/// A kitchen's name: trimmed, 1 to [`Self::MAX_CHARS`] characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitchenName(String);

impl KitchenName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(Self(required_line(raw, "Kitchen name", Self::MAX_CHARS)?.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a member may do in a kitchen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Adds, changes and deletes desserts, labels and menus, and publishes.
    Editor,
    /// Everything an editor does, and the members, invitations and the kitchen itself.
    Owner,
}

impl Role {
    pub const ALL: [Self; 3] = [Self::Owner, Self::Editor, Self::Viewer];

    /// The code in forms, the API and the database: `owner`, `editor`, `viewer`.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|role| role.code() == code.trim())
            .ok_or_else(|| "Choose owner, editor or viewer".to_string())
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    /// The role in a sentence: "an owner", "an editor", "a viewer".
    pub fn with_article(self) -> &'static str {
        match self {
            Self::Owner => "an owner",
            Self::Editor => "an editor",
            Self::Viewer => "a viewer",
        }
    }

    /// Whether the role changes desserts, labels and menus.
    pub fn edits(self) -> bool {
        self >= Self::Editor
    }

    /// Whether the role manages members, invitations and the kitchen.
    pub fn manages(self) -> bool {
        self == Self::Owner
    }
}

/// A kitchen as one of its members reaches it: with that member's role. Holding one is how
/// the layers above show that a person may read what is in it; [`Kitchen::editing`] and
/// [`Kitchen::managing`] are how they show that the person may change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kitchen {
    pub id: i64,
    pub name: String,
    /// Whether this is an account's personal kitchen (it cannot be left or deleted).
    pub personal: bool,
    pub role: Role,
    /// What its prices are in.
    pub currency: Currency,
    /// Changes whenever its desserts, their photos or its labels change, and is never the
    /// same for two states of any kitchen: what a kept page of its list is checked against.
    pub contents_version: i64,
}

/// A viewer tried to change something, or a member who is not an owner tried to manage the
/// kitchen: `403`, and nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAllowed;

/// A kitchen whose desserts, labels and menus the person may change: what every store
/// function that changes them takes, so none can be called without the role check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Editing {
    pub kitchen_id: i64,
}

/// A kitchen whose members, invitations and existence the person may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Managing {
    pub kitchen_id: i64,
}

impl Kitchen {
    pub fn editing(&self) -> Result<Editing, NotAllowed> {
        if self.role.edits() {
            Ok(Editing { kitchen_id: self.id })
        } else {
            Err(NotAllowed)
        }
    }

    pub fn managing(&self) -> Result<Managing, NotAllowed> {
        if self.role.manages() {
            Ok(Managing { kitchen_id: self.id })
        } else {
            Err(NotAllowed)
        }
    }

    /// Whether its pages offer changes (buttons, forms) to this member.
    pub fn can_edit(&self) -> bool {
        self.role.edits()
    }

    pub fn can_manage(&self) -> bool {
        self.role.manages()
    }
}

/// A kitchen always keeps an owner: whether a member whose role is `from` may stop being an
/// owner (leave, be removed or take another role) when the kitchen has `owners` owners.
pub fn keeps_an_owner(from: Role, owners: usize) -> bool {
    from != Role::Owner || owners > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_from_their_codes_and_rank() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
        for bad in ["", "Owner", "admin", "owner\0", "viewer,owner"] {
            assert!(Role::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Role::Owner.edits() && Role::Editor.edits() && !Role::Viewer.edits());
        assert!(Role::Owner.manages() && !Role::Editor.manages() && !Role::Viewer.manages());
    }

    #[test]
    fn the_last_owner_stays() {
        assert!(!keeps_an_owner(Role::Owner, 1));
        assert!(keeps_an_owner(Role::Owner, 2));
        assert!(keeps_an_owner(Role::Editor, 1));
        assert!(keeps_an_owner(Role::Viewer, 0));
    }

    #[test]
    fn kitchen_names_follow_the_one_line_rules() {
        assert_eq!(KitchenName::parse("  Café Lee ").unwrap().as_str(), "Café Lee");
        for bad in ["", "  ", "a\nb", "nul\0", &"x".repeat(101)] {
            assert!(KitchenName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
