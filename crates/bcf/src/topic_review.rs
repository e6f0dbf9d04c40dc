//! The review a topic carries: what reviewers recorded on the clashes of its group (from the
//! clash history, [`ReviewNotes`] by clash id) gathered into one topic's `Index`, `Priority`,
//! `DueDate`, `AssignedTo`, `Labels`, comments and modification stamp.
//!
//! A topic is a group of clashes, and its clashes may disagree; the rules, so that the same
//! history always gives the same topic:
//! - `Index`: the group's lowest clash number (the number people say in meetings);
//! - `AssignedTo`, `Priority`: those of the lowest-numbered clash that has one;
//! - `DueDate`: the earliest a reviewer set (a group is due when its first clash is); without
//!   one, the earliest `needed_by` of the 4D triage (when the work that needs the fix starts);
//! - `Labels`: the test's name and every clash's labels, sorted;
//! - comments: every clash's entries, oldest first; in a group of several clashes each starts
//!   with its clash's number (`#12: …`), so that an import can put it back on that clash.

use plumbline_review::{ClashRecord, Note, ReviewNotes};
use std::collections::{BTreeMap, BTreeSet};

/// What one topic says about its review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TopicReview {
    pub index: Option<u64>,
    pub assigned_to: Option<String>,
    pub priority: Option<String>,
    /// ISO date (`2027-01-15`).
    pub due_date: Option<String>,
    pub labels: BTreeSet<String>,
    pub comments: Vec<Note>,
}

impl TopicReview {
    /// The review of a topic whose clashes are `clashes` (in any order).
    pub fn of(clashes: &[&ClashRecord], notes: &BTreeMap<String, ReviewNotes>) -> TopicReview {
        let mut ordered: Vec<&ClashRecord> = clashes.to_vec();
        ordered.sort_by(|a, b| {
            (a.number.is_none(), a.number, &a.id).cmp(&(b.number.is_none(), b.number, &b.id))
        });
        let several = ordered.len() > 1;
        let mut t =
            TopicReview { index: ordered.iter().filter_map(|c| c.number).min(), ..TopicReview::default() };
        for c in &ordered {
            let Some(n) = notes.get(&c.id) else { continue };
            t.assigned_to = t.assigned_to.take().or_else(|| n.assigned_to.clone());
            t.priority = t.priority.take().or_else(|| n.priority.clone());
            t.due_date = match (t.due_date.take(), n.due_date.clone()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            t.labels.extend(n.labels.iter().cloned());
            for note in &n.comments {
                let text = match (several, c.number) {
                    (true, Some(number)) => format!("#{number}: {}", note.text),
                    _ => note.text.clone(),
                };
                t.comments.push(Note { author: note.author.clone(), date: note.date.clone(), text });
            }
        }
        if t.due_date.is_none() {
            t.due_date = ordered.iter().filter_map(|c| c.triage.as_ref().map(|x| x.needed_by.clone())).min();
        }
        // Oldest first across the clashes; equal times keep clash order (a stable sort).
        t.comments.sort_by_key(|n| chrono::DateTime::parse_from_rfc3339(&n.date).ok());
        t
    }

    /// The latest comment, whose author and date stamp the topic as modified.
    pub fn last_comment(&self) -> Option<&Note> {
        self.comments.iter().max_by_key(|n| chrono::DateTime::parse_from_rfc3339(&n.date).ok())
    }
}

/// A comment's text split into the clash number it names (`#12: …`) and the rest.
pub fn numbered_comment(text: &str) -> (Option<u64>, &str) {
    let Some(rest) = text.strip_prefix('#') else { return (None, text) };
    let Some((digits, tail)) = rest.split_once(": ") else { return (None, text) };
    match digits.parse::<u64>() {
        Ok(n) => (Some(n), tail),
        Err(_) => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plumbline_testkit::{element_info, hard_clash};

    fn clash(id: &str, number: Option<u64>) -> ClashRecord {
        let mut c = hard_clash("t", element_info("A", "IfcWall", "w"), element_info("B", "IfcBeam", "b"));
        c.id = id.into();
        c.number = number;
        c
    }

    fn note(author: &str, date: &str, text: &str) -> Note {
        Note { author: author.into(), date: date.into(), text: text.into() }
    }

    #[test]
    fn a_group_takes_the_lowest_number_the_first_assignee_and_the_earliest_due_date() {
        let (a, b) = (clash("a", Some(7)), clash("b", Some(3)));
        let mut notes = BTreeMap::new();
        notes.insert(
            "a".to_string(),
            ReviewNotes {
                assigned_to: Some("Li Wei".into()),
                due_date: Some("2027-01-10".into()),
                labels: vec!["MEP".into()],
                comments: vec![note("li", "2026-11-02T17:00:00+08:00", "moving the tray")],
                ..ReviewNotes::default()
            },
        );
        notes.insert(
            "b".to_string(),
            ReviewNotes {
                priority: Some("High".into()),
                due_date: Some("2027-02-01".into()),
                comments: vec![note("zhang", "2026-11-02T08:00:00Z", "seen")],
                ..ReviewNotes::default()
            },
        );
        let t = TopicReview::of(&[&a, &b], &notes);
        assert_eq!(t.index, Some(3));
        assert_eq!((t.assigned_to.as_deref(), t.priority.as_deref()), (Some("Li Wei"), Some("High")));
        assert_eq!(t.due_date.as_deref(), Some("2027-01-10"));
        assert_eq!(t.labels.iter().collect::<Vec<_>>(), ["MEP"]);
        // 08:00 UTC is before 17:00 +08:00 (09:00 UTC); each names its clash.
        let texts: Vec<&str> = t.comments.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["#3: seen", "#7: moving the tray"]);
        assert_eq!(t.last_comment().map(|n| n.author.as_str()), Some("li"));
        assert_eq!(numbered_comment("#7: moving the tray"), (Some(7), "moving the tray"));
        assert_eq!(numbered_comment("#x: no"), (None, "#x: no"));
        // Without a reviewer's due date, the 4D triage's needed-by date is the due date.
        let mut c = clash("c", Some(9));
        c.triage = Some(plumbline_review::Triage {
            needed_by: "2027-03-01".into(),
            days_to_needed: 20,
            needed_by_task: plumbline_review::NeededByTask {
                id: "T1".into(),
                name: "MEP rough-in".into(),
                total_float_days: Some(0.0),
            },
        });
        assert_eq!(TopicReview::of(&[&c], &BTreeMap::new()).due_date.as_deref(), Some("2027-03-01"));
        assert_eq!(
            TopicReview::of(&[&a, &c], &notes).due_date.as_deref(),
            Some("2027-01-10"),
            "a reviewer's date wins"
        );
        // One clash: no numbers in the comments.
        let t = TopicReview::of(&[&a], &notes);
        assert_eq!(t.comments[0].text, "moving the tray");
    }
}
