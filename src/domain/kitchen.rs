//! Kitchens: a set of desserts, labels and menus that people share, each with a role.

use super::required_line;

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

    /// Whether the role changes desserts, labels and menus.
    pub fn edits(self) -> bool {
        self >= Self::Editor
    }

    /// Whether the role manages members, invitations and the kitchen.
    pub fn manages(self) -> bool {
        self == Self::Owner
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
