//! What a clash run hands to people: the records that reports, BCF, the history database and
//! the viewer share.
//!
//! The clash engine works on [`ElementRef`]s into a loaded [`ModelSet`]; everything downstream
//! of a run (reports written to disk, BCF topics, the SQLite history, the viewer reading a JSON
//! report back) needs self-contained records instead: element GlobalId, class, name, file and
//! storey copied out, a review status, the group a designer fixes at once, and a one-line
//! explanation in English and Simplified Chinese. This crate builds those records and nothing
//! else: no I/O, no formats.
//!
//! **Architecture invariant:** every list here is sorted (tests by rule order, clashes by
//! `(A GlobalId, B GlobalId)` as the engine returns them, groups by id) so that every report
//! written from a [`Report`] is byte-identical for any thread count.

mod camera;
mod explain;
mod group;
mod grouping;

pub use camera::{frame_box, Camera};
pub use explain::{explain_clash, explain_group};
pub use group::group_clashes;
pub use grouping::{Grouping, GroupingError};

use plumbline_clash::{Clash, ClashKind, Mode, TestResult, Zone};
use plumbline_model::{Aabb, ElementRef, ModelSet};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a clash stands in the review workflow (the Navisworks statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Found in this run and not in the previous one (or found again after being resolved).
    #[default]
    New,
    /// Found in this run and in the previous one, nobody has looked at it yet.
    Active,
    /// Someone looked at it.
    Reviewed,
    /// Accepted as it is (who and when are recorded in the history).
    Approved,
    /// No longer found, or marked fixed.
    Resolved,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::New, Status::Active, Status::Reviewed, Status::Approved, Status::Resolved];

    pub fn as_str(&self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Active => "active",
            Status::Reviewed => "reviewed",
            Status::Approved => "approved",
            Status::Resolved => "resolved",
        }
    }

    /// The status's name in Simplified Chinese, for reports and the viewer.
    pub fn as_zh(&self) -> &'static str {
        match self {
            Status::New => "新建",
            Status::Active => "活动",
            Status::Reviewed => "已审阅",
            Status::Approved => "已批准",
            Status::Resolved => "已解决",
        }
    }

    /// Parses a status name, case-insensitively.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text in the two languages Plumbline speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

/// An element as a report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementInfo {
    pub global_id: String,
    pub class: String,
    pub name: Option<String>,
    /// The path of the model file, as it was given.
    pub file: String,
    pub storey: Option<String>,
    /// The element's world box (metres); reports frame cameras and draw snapshots with it.
    pub aabb: Aabb,
}

impl ElementInfo {
    /// Copies an element's identity out of a loaded model set.
    pub fn from_set(set: &ModelSet, r: ElementRef) -> ElementInfo {
        let e = set.element(r);
        ElementInfo {
            global_id: e.global_id.clone(),
            class: e.class.clone(),
            name: e.name.clone(),
            file: set.models[r.file as usize].path.clone(),
            storey: e.storey.as_deref().map(str::to_string),
            aabb: e.aabb().unwrap_or(Aabb::EMPTY),
        }
    }

    /// `IfcDuctSegment 'Duct D-3'`, or the class and GlobalId when the element has no name.
    pub fn label(&self) -> String {
        match self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(n) => format!("{} '{}'", self.class, n),
            None => format!("{} {}", self.class, self.global_id),
        }
    }
}

/// One clash as reviewers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClashRecord {
    /// Stable id from the test name and the sorted GlobalId pair.
    pub id: String,
    /// The name of the test that found it.
    pub test: String,
    pub kind: ClashKind,
    /// Hard and time: penetration depth. Clearance: the gap, negative when the solids overlap.
    /// Duplicate: 0. Metres.
    pub distance_m: f64,
    /// Whether the solids overlap by more than the hard tolerance.
    pub hard: bool,
    /// Whether `distance_m` is exact rather than the engine's documented estimate.
    pub exact: bool,
    /// Where to look, world metres.
    pub point: [f64; 3],
    pub overlap_aabb: Aabb,
    pub a: ElementInfo,
    pub b: ElementInfo,
    pub status: Status,
    /// The id of the group this clash belongs to (see [`Group`]).
    pub group: String,
    pub explanation: Text,
}

/// Clashes a designer fixes at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Stable id from the test name, the grouping and the group's key.
    pub id: String,
    /// A lowercase UUID derived from `id`: the BCF topic GUID, the same in every export.
    pub guid: String,
    pub test: String,
    /// What the clashes share: an element's GlobalId, a storey name, a class pair, or for
    /// proximity groups the id of the group's first clash.
    pub key: String,
    /// A short title (`IfcDuctSegment 'Duct D-3' (3 clashes)`).
    pub title: Text,
    pub explanation: Text,
    /// The ids of its clashes, sorted.
    pub clash_ids: Vec<String>,
    /// The union of the clashes' overlap boxes.
    pub aabb: Aabb,
    /// The GlobalIds of every element in the group's clashes, sorted.
    pub elements: Vec<String>,
}

/// What one test asked for, as a report states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestInfo {
    pub name: String,
    /// What the test reports (`hard`, `clearance`, `duplicate` or `time` in JSON).
    pub mode: ClashKind,
    pub tolerance_m: f64,
    pub clearance_m: f64,
    /// For clearance zones: where the zone lies; `None` means all round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Zone>,
}

impl TestInfo {
    /// The report's statement of a test named `name` run in the engine's `mode`.
    pub fn of(name: &str, mode: &Mode) -> TestInfo {
        TestInfo {
            name: name.to_string(),
            mode: mode.kind(),
            tolerance_m: mode.tolerance_m(),
            clearance_m: mode.clearance_m(),
            zone: mode.zone(),
        }
    }
}

/// One test's findings: what it asked for (its fields stand at the top level in JSON), then
/// what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    #[serde(flatten)]
    pub info: TestInfo,
    pub elements_a: usize,
    pub elements_b: usize,
    pub candidate_pairs: usize,
    pub clashes: Vec<ClashRecord>,
    pub groups: Vec<Group>,
}

/// Seconds spent in each step of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Timings {
    pub load_secs: f64,
    pub index_secs: f64,
    pub narrow_secs: f64,
    pub total_secs: f64,
}

/// Everything one run found: the document every report format is written from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The model files, as given.
    pub models: Vec<String>,
    pub grouping: Grouping,
    pub tests: Vec<TestReport>,
    pub timings: Timings,
}

impl Report {
    /// Every clash of every test, in report order.
    pub fn clashes(&self) -> impl Iterator<Item = &ClashRecord> {
        self.tests.iter().flat_map(|t| t.clashes.iter())
    }

    /// Every group of every test, in report order.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.tests.iter().flat_map(|t| t.groups.iter())
    }

    /// Sets each clash's status from `status_of(id)` (clashes it does not know stay `New`).
    pub fn apply_statuses(&mut self, status_of: impl Fn(&str) -> Option<Status>) {
        for t in &mut self.tests {
            for c in &mut t.clashes {
                if let Some(s) = status_of(&c.id) {
                    c.status = s;
                }
            }
        }
    }

    /// The report as pretty JSON (the `--json` format).
    pub fn to_json(&self) -> String {
        // Plain strings, finite numbers and maps with string keys cannot fail to serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a report written by [`Report::to_json`].
    pub fn from_json(text: &str) -> Result<Report, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Builds one test's report from the engine's result: records copied out of the model set,
/// grouped, and explained. Statuses start as [`Status::New`]; the history sets the real ones.
pub fn test_report(set: &ModelSet, info: &TestInfo, result: &TestResult, grouping: Grouping) -> TestReport {
    test_report_from_clashes(set, info, result, &result.clashes, grouping)
}

/// As [`test_report`], for a caller that changed the engine's clash list (relabelled kinds,
/// filtered by time).
pub fn test_report_from_clashes(
    set: &ModelSet,
    info: &TestInfo,
    result: &TestResult,
    clashes: &[Clash],
    grouping: Grouping,
) -> TestReport {
    let mut records: Vec<ClashRecord> = clashes
        .iter()
        .map(|c| {
            let mut r = ClashRecord {
                id: c.id.clone(),
                test: info.name.clone(),
                kind: c.kind,
                distance_m: c.distance_m,
                hard: c.hard,
                exact: c.exact,
                point: c.point,
                overlap_aabb: c.overlap_aabb,
                a: ElementInfo::from_set(set, c.a),
                b: ElementInfo::from_set(set, c.b),
                status: Status::New,
                group: String::new(),
                explanation: Text::default(),
            };
            r.explanation = explain_clash(info, &r);
            r
        })
        .collect();
    let groups = group_clashes(info, &mut records, grouping);
    TestReport {
        info: info.clone(),
        elements_a: result.elements_a,
        elements_b: result.elements_b,
        candidate_pairs: result.candidate_pairs,
        clashes: records,
        groups,
    }
}

/// A 16-hex-digit digest of the parts (length-prefixed so that part boundaries count).
pub(crate) fn digest(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// A lowercase RFC 4122 UUID (version 5 layout, SHA-256 based) derived from the parts: the same
/// parts always give the same UUID, which BCF topic GUIDs need.
pub fn stable_uuid(parts: &[&str]) -> String {
    let d = digest(parts);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests;
