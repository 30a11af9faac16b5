//! Pages read from a kitchen's contents, kept in this process for the next request that
//! asks for the same page while the kitchen is unchanged.
//!
//! Whether it is unchanged is the database's answer, not this process's: every change to a
//! kitchen's desserts, their photos or its labels gives the kitchen a new contents version
//! in the same transaction (triggers, so imports and other server processes are covered),
//! and each request reads the version with its session. A page is used again only under
//! the version it was read at or after, so a change made anywhere shows on the very next
//! request everywhere. Versions are never given out twice, so a kitchen that takes the id
//! of a deleted one cannot meet the other's pages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// How many pages are kept in all, whatever their kitchens: a page of 20 desserts is 5 to
/// 10 KB, so at most about 10 MB; enough for a thousand kitchens viewed at once.
pub(crate) const MAX_KEPT_PAGES: usize = 1024;

/// How many different pages (searches, filters, orders, page numbers) of one kitchen are kept.
pub(crate) const MAX_KEPT_PAGES_OF_A_KITCHEN: usize = 16;

/// Pages answering queries `Q`, each kept as `Arc<P>` under its kitchen's id and version.
pub(crate) struct Kept<Q, P> {
    kitchens: Mutex<Kitchens<Q, P>>,
}

struct Kitchens<Q, P> {
    by_id: HashMap<i64, KitchenPages<Q, P>>,
    /// Pages kept across every kitchen.
    count: usize,
    /// Counts uses, to tell which kitchen was used least recently.
    clock: u64,
}

struct KitchenPages<Q, P> {
    version: i64,
    /// The [`Kitchens::clock`] at its last use.
    used: u64,
    /// The oldest first.
    pages: Vec<(Q, Arc<P>)>,
}

impl<Q: PartialEq, P> Default for Kept<Q, P> {
    fn default() -> Self {
        Self {
            kitchens: Mutex::new(Kitchens {
                by_id: HashMap::new(),
                count: 0,
                clock: 0,
            }),
        }
    }
}

impl<Q: PartialEq, P> Kept<Q, P> {
    fn lock(&self) -> MutexGuard<'_, Kitchens<Q, P>> {
        // The map is consistent between statements, so a panic elsewhere leaves it usable.
        self.kitchens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The page kept for `query` of kitchen `kitchen_id` at `version`, if there is one.
    pub fn get(&self, kitchen_id: i64, version: i64, query: &Q) -> Option<Arc<P>> {
        let mut kitchens = self.lock();
        let Kitchens { by_id, clock, .. } = &mut *kitchens;
        let kitchen = by_id.get_mut(&kitchen_id).filter(|kitchen| kitchen.version == version)?;
        let page = kitchen
            .pages
            .iter()
            .find(|(kept, _)| kept == query)
            .map(|(_, page)| Arc::clone(page))?;
        *clock += 1;
        kitchen.used = *clock;
        Some(page)
    }

    /// Keeps `page`, read for `query` after the kitchen's version was seen to be `version`.
    /// Pages of an older version of the kitchen go; a page of an older version than the one
    /// kept (a slow request finishing late) is not kept.
    pub fn keep(&self, kitchen_id: i64, version: i64, query: Q, page: Arc<P>) {
        let mut kitchens = self.lock();
        let Kitchens { by_id, count, clock } = &mut *kitchens;
        if let Some(kitchen) = by_id.get_mut(&kitchen_id) {
            if version < kitchen.version || (version == kitchen.version && kitchen.pages.iter().any(|(kept, _)| *kept == query)) {
                return;
            }
            if version > kitchen.version {
                *count -= kitchen.pages.len();
                kitchen.pages.clear();
                kitchen.version = version;
            }
            if kitchen.pages.len() >= MAX_KEPT_PAGES_OF_A_KITCHEN {
                kitchen.pages.remove(0);
                *count -= 1;
            }
        }
        if *count >= MAX_KEPT_PAGES {
            // Make room by dropping the pages of the kitchen used least recently: a scan of
            // at most MAX_KEPT_PAGES kitchens, only when the pages are all taken.
            let least_used = by_id
                .iter()
                .filter(|(id, _)| **id != kitchen_id)
                .min_by_key(|(_, kitchen)| kitchen.used)
                .map(|(id, _)| *id);
            if let Some(dropped) = least_used.and_then(|id| by_id.remove(&id)) {
                *count -= dropped.pages.len();
            }
        }
        *clock += 1;
        let used = *clock;
        let kitchen = by_id.entry(kitchen_id).or_insert_with(|| KitchenPages {
            version,
            used,
            pages: Vec::new(),
        });
        kitchen.used = used;
        kitchen.pages.push((query, page));
        *count += 1;
    }

    /// How many pages are kept now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_found_only_at_its_kitchens_version_and_query() {
        let kept: Kept<&str, u32> = Kept::default();
        kept.keep(1, 10, "a", Arc::new(1));
        assert_eq!(kept.get(1, 10, &"a").as_deref(), Some(&1));
        assert_eq!(kept.get(1, 11, &"a"), None, "a newer version");
        assert_eq!(kept.get(1, 9, &"a"), None, "an older version");
        assert_eq!(kept.get(1, 10, &"b"), None, "another query");
        assert_eq!(kept.get(2, 10, &"a"), None, "another kitchen");
    }

    #[test]
    fn a_newer_version_replaces_the_older_pages_and_an_older_one_is_not_kept() {
        let kept: Kept<&str, u32> = Kept::default();
        kept.keep(1, 10, "a", Arc::new(1));
        kept.keep(1, 10, "b", Arc::new(2));
        kept.keep(1, 12, "a", Arc::new(3));
        assert_eq!(kept.len(), 1);
        assert_eq!(kept.get(1, 12, &"a").as_deref(), Some(&3));
        kept.keep(1, 11, "b", Arc::new(4));
        assert_eq!(kept.get(1, 11, &"b"), None);
        assert_eq!(kept.get(1, 12, &"b"), None);
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn the_number_of_pages_is_bounded_per_kitchen_and_in_all() {
        let kept: Kept<usize, usize> = Kept::default();
        for query in 0..MAX_KEPT_PAGES_OF_A_KITCHEN + 5 {
            kept.keep(1, 1, query, Arc::new(query));
        }
        assert_eq!(kept.len(), MAX_KEPT_PAGES_OF_A_KITCHEN);
        assert_eq!(kept.get(1, 1, &0), None, "the oldest went first");
        assert!(kept.get(1, 1, &(MAX_KEPT_PAGES_OF_A_KITCHEN + 4)).is_some());
        for kitchen in 2..2 + i64::try_from(MAX_KEPT_PAGES).unwrap() {
            for query in 0..3 {
                kept.keep(kitchen, 1, query, Arc::new(query));
                assert!(kept.len() <= MAX_KEPT_PAGES);
            }
        }
        assert!(kept.len() <= MAX_KEPT_PAGES);
        assert!(kept.len() >= MAX_KEPT_PAGES - MAX_KEPT_PAGES_OF_A_KITCHEN);
    }

    #[test]
    fn the_kitchen_used_least_recently_makes_room() {
        let kept: Kept<usize, usize> = Kept::default();
        let kitchens = i64::try_from(MAX_KEPT_PAGES).unwrap();
        for kitchen in 0..kitchens {
            kept.keep(kitchen, 1, 0, Arc::new(0));
        }
        // Kitchen 0 is in use; kitchen 1 is now the one used least recently.
        assert!(kept.get(0, 1, &0).is_some());
        kept.keep(kitchens, 1, 0, Arc::new(0));
        assert_eq!(kept.len(), MAX_KEPT_PAGES);
        assert!(kept.get(0, 1, &0).is_some(), "the kitchen in use stays");
        assert!(kept.get(1, 1, &0).is_none(), "the least recently used went");
        assert!(kept.get(kitchens, 1, &0).is_some());
    }
}
