//! The 14 allergens EU law (Regulation 1169/2011, Annex II) requires a menu to state, and
//! what a dessert declares of them.

/// One of the 14 allergens, by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Allergen {
    Gluten,
    Crustaceans,
    Eggs,
    Fish,
    Peanuts,
    Soybeans,
    Milk,
    Nuts,
    Celery,
    Mustard,
    Sesame,
    Sulphites,
    Lupin,
    Molluscs,
}

impl Allergen {
    /// All 14, in the order of the regulation: how forms and legends list them.
    pub const ALL: [Allergen; 14] = [
        Self::Gluten,
        Self::Crustaceans,
        Self::Eggs,
        Self::Fish,
        Self::Peanuts,
        Self::Soybeans,
        Self::Milk,
        Self::Nuts,
        Self::Celery,
        Self::Mustard,
        Self::Sesame,
        Self::Sulphites,
        Self::Lupin,
        Self::Molluscs,
    ];

    /// The code forms, the API and exports use.
    pub fn code(self) -> &'static str {
        match self {
            Self::Gluten => "gluten",
            Self::Crustaceans => "crustaceans",
            Self::Eggs => "eggs",
            Self::Fish => "fish",
            Self::Peanuts => "peanuts",
            Self::Soybeans => "soybeans",
            Self::Milk => "milk",
            Self::Nuts => "nuts",
            Self::Celery => "celery",
            Self::Mustard => "mustard",
            Self::Sesame => "sesame",
            Self::Sulphites => "sulphites",
            Self::Lupin => "lupin",
            Self::Molluscs => "molluscs",
        }
    }

    /// The English name people read.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gluten => "Cereals containing gluten",
            Self::Crustaceans => "Crustaceans",
            Self::Eggs => "Eggs",
            Self::Fish => "Fish",
            Self::Peanuts => "Peanuts",
            Self::Soybeans => "Soybeans",
            Self::Milk => "Milk",
            Self::Nuts => "Nuts",
            Self::Celery => "Celery",
            Self::Mustard => "Mustard",
            Self::Sesame => "Sesame",
            Self::Sulphites => "Sulphur dioxide and sulphites",
            Self::Lupin => "Lupin",
            Self::Molluscs => "Molluscs",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|allergen| allergen.code() == code)
    }

    /// Its bit in an [`AllergenSet`]: its place in [`Self::ALL`].
    fn bit(self) -> u16 {
        let place = Self::ALL.iter().position(|a| *a == self).unwrap_or(0);
        1 << place
    }
}

/// A set of allergens, stored as a bit mask (bit `n` is `Allergen::ALL[n]`): one integer
/// column, and a filter "free of milk and nuts" is one test of bits on each row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllergenSet(u16);

impl AllergenSet {
    /// Every mask that names only the 14.
    pub const MAX_MASK: i64 = (1 << 14) - 1;

    pub fn empty() -> Self {
        Self(0)
    }

    /// The set a stored mask names; `None` for bits beyond the 14.
    pub fn from_mask(mask: i64) -> Option<Self> {
        (0..=Self::MAX_MASK).contains(&mask).then(|| Self(u16::try_from(mask).unwrap_or(0)))
    }

    pub fn mask(self) -> i64 {
        i64::from(self.0)
    }

    /// The set named by `codes`; the first unknown code is the error.
    pub fn parse_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut set = Self::empty();
        for code in codes {
            let allergen = Allergen::from_code(code).ok_or_else(|| {
                format!(
                    "{code:?} is not an allergen code; the codes are {}",
                    Allergen::ALL.map(Allergen::code).join(", ")
                )
            })?;
            set = set.with(allergen);
        }
        Ok(set)
    }

    #[must_use]
    pub fn with(self, allergen: Allergen) -> Self {
        Self(self.0 | allergen.bit())
    }

    pub fn contains(self, allergen: Allergen) -> bool {
        self.0 & allergen.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the allergen with this code is in the set: for templates.
    pub fn has_code(&self, code: &str) -> bool {
        Allergen::from_code(code).is_some_and(|allergen| self.contains(allergen))
    }

    pub fn overlaps(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Its allergens, in the regulation's order.
    pub fn iter(self) -> impl Iterator<Item = Allergen> {
        Allergen::ALL.into_iter().filter(move |allergen| self.contains(*allergen))
    }

    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(Allergen::code).collect()
    }

    /// Their names, joined for a sentence: "Eggs, Milk".
    pub fn names(self) -> String {
        self.iter().map(Allergen::name).collect::<Vec<_>>().join(", ")
    }
}

/// What a dessert states about allergens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllergenInfo {
    /// `None`: not declared (nothing is known). `Some(empty)`: declared to contain none.
    pub contains: Option<AllergenSet>,
    /// What it may contain traces of; never one it contains.
    pub traces: AllergenSet,
}

impl AllergenInfo {
    /// Declared and traces together, checked: a trace may not be an allergen it contains.
    pub fn new(contains: Option<AllergenSet>, traces: AllergenSet) -> Result<Self, String> {
        if let Some(contains) = contains
            && contains.overlaps(traces)
        {
            let both = AllergenSet(contains.0 & traces.0);
            return Err(format!(
                "A dessert cannot both contain and may contain traces of the same allergen: {}",
                both.names()
            ));
        }
        Ok(Self { contains, traces })
    }

    pub fn is_declared(&self) -> bool {
        self.contains.is_some()
    }

    /// What it contains, in words for a page: the names, "None of the 14 allergens", or
    /// "Allergens not declared".
    pub fn contains_text(&self) -> String {
        match self.contains {
            None => "Allergens not declared".into(),
            Some(set) if set.is_empty() => "None of the 14 allergens".into(),
            Some(set) => set.names(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_into_a_mask_and_back() {
        let set = AllergenSet::parse_codes(["milk", "eggs", "milk"]).unwrap();
        assert!(AllergenSet::parse_codes([" eggs"]).is_err(), "codes are exact");
        assert_eq!(set.codes(), ["eggs", "milk"]);
        assert_eq!(AllergenSet::from_mask(set.mask()), Some(set));
        assert_eq!(set.names(), "Eggs, Milk");
        assert!(
            AllergenSet::parse_codes(["cheese"])
                .unwrap_err()
                .contains("\"cheese\" is not an allergen code")
        );
        assert!(AllergenSet::from_mask(1 << 14).is_none());
        assert!(AllergenSet::from_mask(-1).is_none());
        assert_eq!(Allergen::ALL.len(), 14);
        let every = Allergen::ALL.into_iter().fold(AllergenSet::empty(), AllergenSet::with);
        assert_eq!(every.mask(), AllergenSet::MAX_MASK);
    }

    #[test]
    fn a_trace_is_never_an_allergen_it_contains() {
        let milk = AllergenSet::empty().with(Allergen::Milk);
        let nuts = AllergenSet::empty().with(Allergen::Nuts);
        assert!(AllergenInfo::new(Some(milk), nuts).is_ok());
        assert!(AllergenInfo::new(Some(milk), milk).is_err());
        assert!(AllergenInfo::new(None, milk).is_ok(), "traces alone, not declared");
        assert!(!AllergenInfo::default().is_declared());
    }
}
