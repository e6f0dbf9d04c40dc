//! "Did you mean …?" for the names people type: IFC class names and rule-file keys.
//!
//! Class names have no list to compare with (the IFC parser only answers whether a name
//! exists), so a typo's neighbours are generated instead: every spelling one edit away
//! (a letter dropped, added, changed or two swapped), and the name with a missing `Ifc` prefix,
//! each asked of the schema. Keys and values of a rule file come with their allowed list from
//! the TOML reader, and the closest of those by edit distance is offered.

/// The closest of `candidates` to `word` (case-insensitive), when it is close enough to be a
/// typo: at most a third of the word's letters differ (and at least one may).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (lower.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|(d1, c1), (d2, c2)| d1.cmp(d2).then_with(|| c1.cmp(c2)))
        .map(|(_, c)| c)
}

/// A known IFC class one edit away from `raw`, or `raw` with the `Ifc` prefix it lacks.
/// `classes` resolves a name to its canonical spelling (see [`crate::RuleSet::read`]). Of
/// several candidates the alphabetically first is offered, so the message is deterministic.
pub fn class_suggestion(raw: &str, classes: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let word: Vec<char> = raw.trim().to_lowercase().chars().collect();
    if word.is_empty() || word.len() > 64 {
        return None;
    }
    let prefixed: String = std::iter::once("ifc").chain(std::iter::once(raw.trim())).collect();
    if let Some(name) = classes(&prefixed) {
        return Some(name);
    }
    let letters = ('a'..='z').chain('0'..='9');
    let mut found: Vec<String> = Vec::new();
    let mut ask = |candidate: Vec<char>| {
        let text: String = candidate.into_iter().collect();
        if let Some(name) = classes(&text) {
            found.push(name);
        }
    };
    for i in 0..word.len() {
        let mut dropped = word.clone();
        dropped.remove(i);
        ask(dropped);
        if i + 1 < word.len() {
            let mut swapped = word.clone();
            swapped.swap(i, i + 1);
            ask(swapped);
        }
        for c in letters.clone() {
            let mut changed = word.clone();
            changed[i] = c;
            ask(changed);
        }
    }
    for i in 0..=word.len() {
        for c in letters.clone() {
            let mut added = word.clone();
            added.insert(i, c);
            ask(added);
        }
    }
    found.sort();
    found.dedup();
    found.into_iter().find(|f| !f.eq_ignore_ascii_case(raw.trim()))
}

/// The TOML reader's message for an unknown key or value (`unknown field `clearence_mm`,
/// expected one of `name`, `clearance_mm`, …`), with the closest allowed word offered.
pub fn with_suggestion(message: &str) -> String {
    let Some((unknown, expected)) = unknown_and_expected(message) else { return message.to_string() };
    match closest(unknown, expected.iter().copied()) {
        Some(best) => format!("{message} (did you mean `{best}`?)"),
        None => message.to_string(),
    }
}

/// The unknown word and the allowed ones of a serde "unknown field/variant" message.
fn unknown_and_expected(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest =
        message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, rest) = rest.split_once('`')?;
    let (_, list) = rest.split_once("expected")?;
    let expected: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    (!expected.is_empty()).then_some((unknown, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> Option<String> {
        ["IfcWall", "IfcWallStandardCase", "IfcDuctSegment", "IfcBeam", "IfcPipeSegment"]
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .map(|c| c.to_string())
    }

    #[test]
    fn class_typos_one_edit_away_are_offered() {
        for (typo, meant) in [
            ("IfcWal", "IfcWall"),
            ("IfcWalll", "IfcWall"),
            ("IfcDcutSegment", "IfcDuctSegment"),
            ("IfcBaem", "IfcBeam"),
            ("IfcPipeSegmnet", "IfcPipeSegment"),
            ("DuctSegment", "IfcDuctSegment"),
            ("ifcbean", "IfcBeam"),
        ] {
            assert_eq!(class_suggestion(typo, &known).as_deref(), Some(meant), "{typo}");
        }
        assert_eq!(class_suggestion("IfcSpaceship", &known), None);
        assert_eq!(class_suggestion("", &known), None);
    }

    #[test]
    fn keys_and_values_get_the_closest_allowed_word() {
        let m = "unknown field `clearence_mm`, expected one of `name`, `tolerance_mm`, `clearance_mm`";
        assert!(with_suggestion(m).ends_with("(did you mean `clearance_mm`?)"), "{}", with_suggestion(m));
        let m = "unknown variant `hrad`, expected one of `hard`, `clearance`, `duplicate`, `time`";
        assert!(with_suggestion(m).ends_with("(did you mean `hard`?)"));
        let m = "unknown variant `soft`, expected one of `hard`, `clearance`";
        assert_eq!(with_suggestion(m), m, "nothing close: no guess");
        assert_eq!(with_suggestion("invalid type: string"), "invalid type: string");
    }
}
