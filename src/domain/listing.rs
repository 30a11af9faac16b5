use super::AllergenSet;

/// Which column orders a dessert list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortField {
    #[default]
    Name,
    Price,
    Calories,
    Created,
}

impl SortField {
    pub const ALL: [SortField; 4] = [Self::Name, Self::Price, Self::Calories, Self::Created];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Price => "price",
            Self::Calories => "calories",
            Self::Created => "created",
        }
    }

    /// The direction a person expects on a first click: A→Z, cheapest, lightest, newest.
    pub fn natural_dir(self) -> SortDir {
        match self {
            Self::Created => SortDir::Desc,
            _ => SortDir::Asc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

impl SortDir {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    pub fn flipped(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

/// One page of one person's desserts: a search, an order and a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DessertQuery {
    /// Lower-cased text the name must contain; `None` for every dessert.
    pub search: Option<String>,
    /// The search held a control character (a NUL, say), which no name holds: it finds
    /// nothing, and the text is never sent to the database.
    pub finds_nothing: bool,
    pub sort: SortField,
    pub dir: SortDir,
    /// Counted from 1.
    pub page: u32,
    pub per_page: u32,
    /// Only desserts declared to contain none of these; `None` for no such filter.
    pub free_of: Option<AllergenSet>,
    /// Only desserts carrying every one of these labels, by key (lower case, each once).
    pub labels: Vec<String>,
}

impl DessertQuery {
    pub const MAX_SEARCH_CHARS: usize = 100;

    pub fn new(search: &str, sort: SortField, dir: SortDir, page: u32, per_page: u32) -> Self {
        let search: String = search
            .trim()
            .chars()
            .take(Self::MAX_SEARCH_CHARS)
            .collect::<String>()
            .to_lowercase();
        let finds_nothing = search.chars().any(char::is_control);
        Self {
            search: (!search.is_empty() && !finds_nothing).then_some(search),
            finds_nothing,
            sort,
            dir,
            page: page.max(1),
            per_page: per_page.max(1),
            free_of: None,
            labels: Vec::new(),
        }
    }

    /// How many labels one list may be filtered by: each is a condition of the query.
    pub const MAX_LABELS: usize = 10;

    /// The query with its filters: `free_of` (no filter when `None`) and the labels named
    /// (compared ignoring case; blank ones and repeats are dropped, and any past
    /// [`Self::MAX_LABELS`]).
    #[must_use]
    pub fn filtered(mut self, free_of: Option<AllergenSet>, labels: &[String]) -> Self {
        self.free_of = free_of;
        self.labels.clear();
        for label in labels {
            let key = super::lookup_key(label);
            if !key.is_empty() && !self.labels.contains(&key) && self.labels.len() < Self::MAX_LABELS {
                self.labels.push(key);
            }
        }
        self
    }

    /// Whether a filter narrows the list (a search aside).
    pub fn is_filtered(&self) -> bool {
        self.free_of.is_some() || !self.labels.is_empty()
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// One page of the accounts an admin looks through: a search in usernames, addresses and
/// names, and a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountQuery {
    /// Lower-cased text a username, address or name must contain; `None` for every account.
    pub search: Option<String>,
    /// Counted from 1.
    pub page: u32,
}

impl AccountQuery {
    pub const PER_PAGE: u32 = 50;

    /// Control characters (a NUL) become U+FFFD, as in [`super::lookup_key`]: such a search
    /// finds nothing rather than reaching the database.
    pub fn new(search: &str, page: u32) -> Self {
        let search: String = super::lookup_key(search).chars().take(DessertQuery::MAX_SEARCH_CHARS).collect();
        Self {
            search: (!search.is_empty()).then_some(search),
            page: page.max(1),
        }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(Self::PER_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_normalises_search_and_page() {
        let query = DessertQuery::new("  CAKE ", SortField::Price, SortDir::Desc, 0, 20);
        assert_eq!(query.search.as_deref(), Some("cake"));
        assert_eq!(query.page, 1);
        assert_eq!(query.offset(), 0);
        assert_eq!(DessertQuery::new("", SortField::Name, SortDir::Asc, 3, 20).offset(), 40);
        assert_eq!(DessertQuery::new(" ", SortField::Name, SortDir::Asc, 1, 20).search, None);
        let nul = DessertQuery::new("ca\0ke", SortField::Name, SortDir::Asc, 1, 20);
        assert!(nul.finds_nothing && nul.search.is_none());
    }

    #[test]
    fn sort_names_round_trip() {
        for field in SortField::ALL {
            assert_eq!(SortField::parse(field.as_str()), Some(field));
        }
        assert_eq!(SortField::parse("id; DROP TABLE"), None);
    }
}
