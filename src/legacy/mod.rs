//! Adopting a `desserts.db` made by the original Flask/SQLAlchemy app: its tables `dessert`,
//! and where present `user` and `menu`, with rows that were never checked. Each row is
//! checked against today's rules; a row that breaks one is reported (`table id field:
//! reason`), or, when asked, fixed in a documented way and the fix printed.

mod check;
mod plan;
mod read;

pub use plan::{Plan, PlannedDessert, PlannedMenu, PlannedUser, plan};
pub use read::{LegacyData, LegacyDessert, LegacyMenu, LegacyUser, read};
