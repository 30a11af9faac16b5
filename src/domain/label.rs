//! Labels: each person's own words for grouping desserts ("vegan", "seasonal").

use super::required_line;

/// A label's name: trimmed, 1 to [`Self::MAX_CHARS`] characters on one line, unique per
/// owner ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelName(String);

impl LabelName {
    pub const MAX_CHARS: usize = 30;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = required_line(raw, "A label", Self::MAX_CHARS)?;
        // Commas separate labels where they are typed in one field.
        if name.contains(',') {
            return Err("A label cannot contain a comma".into());
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Names compare ignoring case, the same way on both backends.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

pub fn label_name_taken(name: &str) -> String {
    format!("You already have a label named {}", name.trim())
}

/// The labels of a dessert as typed: names separated by commas. Blank entries are skipped
/// and names that differ only in case are one label (the first spelling wins).
pub fn parse_label_list(raw: &str) -> Result<Vec<LabelName>, String> {
    let mut labels: Vec<LabelName> = Vec::new();
    for part in raw.split(',') {
        if part.trim().is_empty() {
            continue;
        }
        let label = LabelName::parse(part)?;
        if !labels.iter().any(|known| known.key() == label.key()) {
            labels.push(label);
        }
    }
    Ok(labels)
}

/// One of a person's labels, with how many of their desserts carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub id: i64,
    pub name: String,
    pub dessert_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comma_list_is_trimmed_and_deduplicated_ignoring_case() {
        let names: Vec<String> = parse_label_list(" vegan, Seasonal ,,VEGAN, ")
            .unwrap()
            .into_iter()
            .map(|label| label.as_str().to_string())
            .collect();
        assert_eq!(names, ["vegan", "Seasonal"]);
        assert!(parse_label_list("").unwrap().is_empty());
        assert!(parse_label_list(&"x".repeat(31)).is_err());
        assert!(parse_label_list(&"é".repeat(30)).is_ok(), "30 characters, not bytes");
        assert!(parse_label_list("ok, bad\u{0}").is_err());
    }
}
