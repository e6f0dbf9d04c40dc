//! The status workflow of a run as a pure function: what a clash's status becomes and which
//! history row a run writes for it, decided from what the history knew before the run and what
//! the run found. No I/O and no SQL here, so every backend (SQLite today) applies the same rules
//! and a table test states each of them.
//!
//! The rules (the Navisworks workflow):
//! - a clash found for the first time is **new**;
//! - a new clash found again is **active**: not being resolved means every run of its test
//!   since it was last seen found it, so it was in the previous run;
//! - active, reviewed and approved clashes keep their status while they are still found;
//! - an open clash that a run of its test no longer finds is **resolved** by that run, unless
//!   the run could not have found it (an element or file of it was unchecked): then it stays
//!   as it was, because absence is evidence only for what a run looked at;
//! - a resolved clash found again is **new** again; one still missing stays resolved.
//!
//! Clashes of tests that did not run are never asked about: a test that did not run says
//! nothing about its clashes. People's changes (`Store::set_status`) are not part of the
//! workflow: any status may be set by hand.

use plumbline_review::Status;

/// Who a run's automatic status changes are attributed to in the history.
pub const RUN_AUTHOR: &str = "plumbline";

/// What a run found about one clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// The run found the clash.
    Found,
    /// A run of the clash's test did not find it. `unchecked` says that the run could not have
    /// found it: one of its elements was skipped while loading, or one of its files loaded only
    /// in part.
    NotFound { unchecked: bool },
    /// A run of the clash's test did not find it, and one of its elements is gone from the
    /// models (no element with its GlobalId, nor one that matches it by class, name and geometry
    /// fingerprint): deleted rather than fixed.
    ElementRemoved,
}

/// Why a run writes a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The clash was found for the first time.
    FirstSeen,
    /// A new clash was found again.
    SeenAgain,
    /// A resolved clash was found again.
    FoundAgain,
    /// An open clash was no longer found.
    NoLongerFound,
    /// An open clash's element was removed from the models.
    ElementRemoved,
}

impl Reason {
    /// The comment the history row carries: the run that made the change, where the change
    /// needs explaining (a clash coming back, a clash going away).
    pub fn comment(self, run_id: i64) -> Option<String> {
        match self {
            Reason::FirstSeen | Reason::SeenAgain => None,
            Reason::FoundAgain => Some(format!("found again by run {run_id}")),
            Reason::NoLongerFound => Some(format!("resolved by run {run_id}")),
            Reason::ElementRemoved => Some(format!("element removed from the models (run {run_id})")),
        }
    }
}

/// A status change that a run makes, and so a row of the clash's status history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// `None` when the clash was first seen.
    pub from: Option<Status>,
    pub to: Status,
    pub reason: Reason,
}

/// The workflow's answer for one clash in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The clash's status after the run; `None` only for a clash the history has never seen
    /// and the run did not find (there is nothing to record).
    pub status: Option<Status>,
    /// The change to write, attributed to the run ([`RUN_AUTHOR`]); `None` when the status
    /// stays as it was (who set it and when stay too).
    pub change: Option<Change>,
    /// An open clash left as it was only because the run could not have found it; counted in
    /// the run's summary as unchecked.
    pub kept_unchecked: bool,
}

/// Applies the workflow: `before` is the clash's status before the run (`None` when the
/// history has never seen it), `finding` what a run of its test found.
pub fn transition(before: Option<Status>, finding: Finding) -> Transition {
    let change = |from: Option<Status>, to: Status, reason: Reason| Transition {
        status: Some(to),
        change: Some(Change { from, to, reason }),
        kept_unchecked: false,
    };
    let unchanged =
        |status: Option<Status>, kept_unchecked: bool| Transition { status, change: None, kept_unchecked };
    match (before, finding) {
        (None, Finding::Found) => change(None, Status::New, Reason::FirstSeen),
        (None, Finding::NotFound { .. }) => unchanged(None, false),
        (Some(Status::New), Finding::Found) => change(before, Status::Active, Reason::SeenAgain),
        (Some(Status::Resolved), Finding::Found) => change(before, Status::New, Reason::FoundAgain),
        (Some(Status::Active | Status::Reviewed | Status::Approved), Finding::Found) => {
            unchanged(before, false)
        }
        (None, Finding::ElementRemoved) => unchanged(None, false),
        (Some(Status::Resolved), Finding::NotFound { .. } | Finding::ElementRemoved) => {
            unchanged(before, false)
        }
        (Some(_), Finding::ElementRemoved) => change(before, Status::Resolved, Reason::ElementRemoved),
        (Some(_), Finding::NotFound { unchecked: true }) => unchanged(before, true),
        (Some(_), Finding::NotFound { unchecked: false }) => {
            change(before, Status::Resolved, Reason::NoLongerFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Active, Approved, New, Resolved, Reviewed};

    const FOUND: Finding = Finding::Found;
    const GONE: Finding = Finding::NotFound { unchecked: false };
    const UNCHECKED: Finding = Finding::NotFound { unchecked: true };
    const REMOVED: Finding = Finding::ElementRemoved;

    /// One row per transition: the case, the state before, what the run found, then the
    /// expected status after, history row (from, to, reason) and whether it counts as kept
    /// because unchecked.
    type Row = (&'static str, Option<Status>, Finding, Option<Status>, Option<Change>, bool);

    fn row(from: Option<Status>, to: Status, reason: Reason) -> Option<Change> {
        Some(Change { from, to, reason })
    }

    fn table() -> Vec<Row> {
        vec![
            ("never seen, found: new", None, FOUND, Some(New), row(None, New, Reason::FirstSeen), false),
            ("never seen, not found: nothing to record", None, GONE, None, None, false),
            ("never seen, not found, unchecked: nothing to record", None, UNCHECKED, None, None, false),
            (
                "new, found again: active",
                Some(New),
                FOUND,
                Some(Active),
                row(Some(New), Active, Reason::SeenAgain),
                false,
            ),
            ("active, found: stays active", Some(Active), FOUND, Some(Active), None, false),
            ("reviewed, found: stays reviewed", Some(Reviewed), FOUND, Some(Reviewed), None, false),
            ("approved, found: stays approved", Some(Approved), FOUND, Some(Approved), None, false),
            (
                "resolved, found again: new",
                Some(Resolved),
                FOUND,
                Some(New),
                row(Some(Resolved), New, Reason::FoundAgain),
                false,
            ),
            (
                "new, not found and checked: resolved",
                Some(New),
                GONE,
                Some(Resolved),
                row(Some(New), Resolved, Reason::NoLongerFound),
                false,
            ),
            (
                "active, not found and checked: resolved",
                Some(Active),
                GONE,
                Some(Resolved),
                row(Some(Active), Resolved, Reason::NoLongerFound),
                false,
            ),
            (
                "reviewed, not found and checked: resolved",
                Some(Reviewed),
                GONE,
                Some(Resolved),
                row(Some(Reviewed), Resolved, Reason::NoLongerFound),
                false,
            ),
            (
                "approved, not found and checked: resolved",
                Some(Approved),
                GONE,
                Some(Resolved),
                row(Some(Approved), Resolved, Reason::NoLongerFound),
                false,
            ),
            ("new, not found but unchecked: kept", Some(New), UNCHECKED, Some(New), None, true),
            ("active, not found but unchecked: kept", Some(Active), UNCHECKED, Some(Active), None, true),
            (
                "reviewed, not found but unchecked: kept",
                Some(Reviewed),
                UNCHECKED,
                Some(Reviewed),
                None,
                true,
            ),
            (
                "approved, not found but unchecked: kept",
                Some(Approved),
                UNCHECKED,
                Some(Approved),
                None,
                true,
            ),
            ("resolved, still not found: stays resolved", Some(Resolved), GONE, Some(Resolved), None, false),
            ("never seen, element removed: nothing to record", None, REMOVED, None, None, false),
            (
                "resolved, element removed: stays resolved",
                Some(Resolved),
                REMOVED,
                Some(Resolved),
                None,
                false,
            ),
            (
                "new, element removed: resolved as removed",
                Some(New),
                REMOVED,
                Some(Resolved),
                row(Some(New), Resolved, Reason::ElementRemoved),
                false,
            ),
            (
                "active, element removed: resolved as removed",
                Some(Active),
                REMOVED,
                Some(Resolved),
                row(Some(Active), Resolved, Reason::ElementRemoved),
                false,
            ),
            (
                "reviewed, element removed: resolved as removed",
                Some(Reviewed),
                REMOVED,
                Some(Resolved),
                row(Some(Reviewed), Resolved, Reason::ElementRemoved),
                false,
            ),
            (
                "approved, element removed: resolved as removed",
                Some(Approved),
                REMOVED,
                Some(Resolved),
                row(Some(Approved), Resolved, Reason::ElementRemoved),
                false,
            ),
            (
                "resolved, not found and unchecked: stays resolved, not counted as kept",
                Some(Resolved),
                UNCHECKED,
                Some(Resolved),
                None,
                false,
            ),
        ]
    }

    #[test]
    fn every_transition_of_the_table() {
        let table = table();
        for (case, before, finding, status, change, kept_unchecked) in &table {
            let expected = Transition { status: *status, change: *change, kept_unchecked: *kept_unchecked };
            assert_eq!(transition(*before, *finding), expected, "{case}");
        }
        // The table covers every input: each previous state with each finding.
        let befores = std::iter::once(None).chain(Status::ALL.map(Some));
        for before in befores {
            for finding in [FOUND, GONE, UNCHECKED, REMOVED] {
                let rows = table.iter().filter(|r| r.1 == before && r.2 == finding).count();
                assert_eq!(rows, 1, "one row for {before:?} and {finding:?}");
            }
        }
    }

    #[test]
    fn a_history_row_is_written_exactly_when_the_status_changes() {
        let befores = std::iter::once(None).chain(Status::ALL.map(Some));
        for before in befores {
            for finding in [FOUND, GONE, UNCHECKED, REMOVED] {
                let t = transition(before, finding);
                let changed = t.status.is_some() && t.status != before;
                assert_eq!(t.change.is_some(), changed, "{before:?} {finding:?}");
                if let Some(c) = t.change {
                    assert_eq!((c.from, Some(c.to)), (before, t.status), "{before:?} {finding:?}");
                }
            }
        }
    }

    #[test]
    fn the_changes_that_need_explaining_name_their_run() {
        let comments: Vec<Option<String>> =
            [Reason::FirstSeen, Reason::SeenAgain, Reason::FoundAgain, Reason::NoLongerFound]
                .map(|r| r.comment(7))
                .into();
        assert_eq!(
            comments,
            [None, None, Some("found again by run 7".to_string()), Some("resolved by run 7".to_string())]
        );
    }
}
