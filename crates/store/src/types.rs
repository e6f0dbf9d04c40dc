//! The history's data: what callers hand in (run metadata, what a run could not look at) and
//! what they read back (runs, clashes, status changes, comments). Plain values, independent of
//! the database that stores them.

use chrono::{DateTime, Utc};
use plumbline_clash::ClashKind;
use plumbline_review::Status;
use serde::Serialize;
use std::collections::BTreeSet;

/// What a run was, apart from its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMeta {
    pub started_utc: DateTime<Utc>,
    /// The model files, as given.
    pub models: Vec<String>,
    /// The rule file, when the run used one.
    pub config: Option<String>,
}

/// The project of a history from before projects existed.
pub(crate) const LEGACY_PROJECT: &str = "default";

impl RunMeta {
    /// The project a run belongs to when nobody names one: the rule file's name without its
    /// extension (`bank-rules.toml` → `bank-rules`), else the model files' names joined by `+`
    /// (sorted), else `default`.
    pub fn default_project(&self) -> String {
        let stem = |p: &str| {
            let p = p.trim_end_matches(['/', '\\']);
            let file = p.rsplit(['/', '\\']).next().unwrap_or(p);
            file.rsplit_once('.').map_or(file, |(s, _)| s).to_string()
        };
        if let Some(config) = self.config.as_deref().map(stem).filter(|s| !s.is_empty()) {
            return config;
        }
        let mut models: Vec<String> = self.models.iter().map(|m| stem(m)).filter(|s| !s.is_empty()).collect();
        models.sort();
        models.dedup();
        if models.is_empty() {
            LEGACY_PROJECT.to_string()
        } else {
            models.join("+")
        }
    }
}

/// Why a resolved clash is resolved, where a run knows more than "no longer found".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// One of its elements is gone from the models (deleted, not fixed): BIMcollab's "smart
    /// issue" distinction, so a deleted pipe does not count as a solved clash.
    ElementRemoved,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::ElementRemoved => "element-removed",
        }
    }

    pub fn parse(text: &str) -> Option<Resolution> {
        (text == "element-removed").then_some(Resolution::ElementRemoved)
    }
}

/// What a run could not look at: elements that were skipped while loading (their geometry
/// failed) and files that loaded only in part (truncated). A clash involving them that the run
/// did not find is not evidence that it was fixed, so it is not resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unchecked {
    /// GlobalIds of elements that were skipped.
    pub global_ids: BTreeSet<String>,
    /// Model files (as the report's elements name them) that loaded only in part.
    pub files: BTreeSet<String>,
}

impl Unchecked {
    /// What a loaded set could not offer: its skipped elements and the files with warnings.
    pub fn of_set(set: &plumbline_model::ModelSet) -> Unchecked {
        Unchecked {
            global_ids: set
                .models
                .iter()
                .flat_map(|m| m.failures.iter().map(|f| f.global_id.clone()))
                .collect(),
            files: set.models.iter().filter(|m| !m.warnings.is_empty()).map(|m| m.path.clone()).collect(),
        }
    }

    /// Whether a clash between these elements (their GlobalIds and files) involves something
    /// the run did not look at.
    pub(crate) fn involves(&self, global_ids: [&str; 2], files: [&str; 2]) -> bool {
        global_ids.iter().any(|g| self.global_ids.contains(*g))
            || files.iter().any(|f| self.files.contains(*f))
    }
}

/// One recorded run and what it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run number: 1 for the first run recorded in a database, then counting up (across
    /// projects).
    pub run_id: i64,
    /// The project the run belongs to.
    pub project: String,
    pub started_utc: DateTime<Utc>,
    pub models: Vec<String>,
    pub config: Option<String>,
    /// The names of the tests that ran, in report order.
    pub tests: Vec<String>,
    /// Clashes found by the run.
    pub clashes: usize,
    /// Found clashes by their status after the run.
    pub new: usize,
    pub active: usize,
    pub reviewed: usize,
    pub approved: usize,
    /// Open clashes of the tests that ran that this run no longer found: resolved by it.
    /// (A resolved clash found again counts in `new`.)
    pub resolved: usize,
    /// Open clashes of the tests that ran whose element is gone from the models: resolved as
    /// [`Resolution::ElementRemoved`] (and not counted in `resolved`).
    pub element_removed: usize,
    /// Open clashes not found by this run that it could not have found, because an element or
    /// file of theirs was skipped while loading: left as they were instead of resolved. Known
    /// for the run just recorded; 0 when read back from the history.
    #[serde(skip_serializing_if = "is_zero")]
    pub unchecked: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A clash as the history knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredClash {
    pub id: String,
    /// The clash's number (`#12`); `None` only in a history that has not numbered it.
    pub number: Option<u64>,
    /// The stable id of the test that found it.
    pub test_id: String,
    /// The test's display name when it last found the clash.
    pub test: String,
    pub kind: ClashKind,
    pub a: StoredElement,
    pub b: StoredElement,
    pub group_id: String,
    /// The BCF topic GUID of the clash's group.
    pub group_guid: Option<String>,
    pub first_seen_run: i64,
    pub last_seen_run: i64,
    /// As in the last run that found it (NaN when the engine gave no finite value).
    pub distance_m: f64,
    pub point: [f64; 3],
    pub status: Status,
    /// Who set the current status: a person, or [`RUN_AUTHOR`](crate::RUN_AUTHOR) for a run's automatic change.
    /// For an approved clash, who approved it.
    pub status_by: String,
    /// When the current status was set.
    pub status_utc: DateTime<Utc>,
    /// Who is to fix it, how urgent it is, by when: what BCF carries besides the status.
    pub review: Review,
    /// The project the clash belongs to.
    pub project: String,
    /// Why a resolved clash is resolved, when a run knew ([`Resolution::ElementRemoved`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    /// An element of the clash changed (geometry, placement, class, name or properties) since a
    /// person last set its status: the decision may need another look.
    pub changed: bool,
}

/// The review fields of a clash that BCF topics carry (`AssignedTo`, `Priority`, `DueDate`,
/// `Labels`). People set them; runs leave them alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Review {
    pub assigned_to: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<chrono::NaiveDate>,
    /// Sorted, without duplicates.
    pub labels: Vec<String>,
}

/// A change to a clash's review fields: `Some` sets a field (an empty text or an empty list
/// clears it), `None` keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewUpdate {
    pub assigned_to: Option<String>,
    pub priority: Option<String>,
    /// `Some(None)` clears the due date.
    pub due_date: Option<Option<chrono::NaiveDate>>,
    pub labels: Option<Vec<String>>,
}

impl ReviewUpdate {
    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &ReviewUpdate::default()
    }

    /// `review` with this update applied.
    pub fn apply(&self, review: &Review) -> Review {
        let text = |new: &Option<String>, old: &Option<String>| match new {
            Some(v) => Some(v.trim().to_string()).filter(|v| !v.is_empty()),
            None => old.clone(),
        };
        let mut labels = self.labels.clone().unwrap_or_else(|| review.labels.clone());
        labels.retain(|l| !l.trim().is_empty());
        labels.iter_mut().for_each(|l| *l = l.trim().to_string());
        labels.sort();
        labels.dedup();
        Review {
            assigned_to: text(&self.assigned_to, &review.assigned_to),
            priority: text(&self.priority, &review.priority),
            due_date: self.due_date.unwrap_or(review.due_date),
            labels,
        }
    }
}

/// One element of a stored clash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredElement {
    pub global_id: String,
    pub class: String,
    pub name: Option<String>,
    pub file: String,
    pub storey: Option<String>,
}

/// One entry of a clash's status history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    pub clash_id: String,
    /// The run that made the change; `None` when a person did.
    pub run_id: Option<i64>,
    /// `None` for the entry written when the clash was first seen.
    pub from: Option<Status>,
    pub to: Status,
    pub by: String,
    pub at_utc: DateTime<Utc>,
    pub comment: Option<String>,
}

/// A comment on a clash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub clash_id: String,
    pub by: String,
    pub at_utc: DateTime<Utc>,
    /// The same moment at the offset it was written at, for display.
    pub at: DateTime<chrono::FixedOffset>,
    pub text: String,
}
