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
mod notes;

pub use camera::{frame_box, Camera};
pub use explain::{explain_clash, explain_group};
pub use group::group_clashes;
pub use grouping::{Grouping, GroupingError};
pub use notes::{Note, ReviewNotes};

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
            Status::Approved => "已核准",
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
    /// Stable id from the test's id and the sorted GlobalId pair.
    pub id: String,
    /// The short number the history gave this clash the first time it saw it (`#12`), never
    /// reused within a project; `None` for a run without a history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// The name of the test that found it.
    pub test: String,
    /// The stable key of that test (see [`TestInfo::id`]).
    #[serde(default)]
    pub test_id: String,
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
    /// The volume the two bare solids share (m³), for clashes whose solids overlap by more
    /// than the tolerance: how bad a hard clash is, to sort by and to ignore slivers
    /// (`min_volume_m3`). Exact for convex pairs (`exact`), else the engine's estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlap_volume_m3: Option<f64>,
    /// What went into the distance beyond the bare solids (insulation, a distance from a
    /// table, a zone sized by B); see [`plumbline_clash::ClashBasis`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<plumbline_clash::ClashBasis>,
    /// When the clash must be fixed by: the start of the work that builds either element, from
    /// the 4D schedule (`needed_by`, `days_to_needed`, `needed_by_task` in JSON); `None` for a
    /// run without a schedule or elements no task builds.
    #[serde(flatten, default)]
    pub triage: Option<Triage>,
}

/// A clash triaged by the 4D schedule: the first task that builds either of its elements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triage {
    /// ISO date: the earliest CPM early start, at the schedule's data date, of a task that
    /// builds either element.
    pub needed_by: String,
    /// Days from the data date (or the day asked for with `--today`) to `needed_by`; zero or
    /// negative when that work has started.
    pub days_to_needed: i64,
    pub needed_by_task: NeededByTask,
}

/// The task a clash is needed by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeededByTask {
    pub id: String,
    pub name: String,
    /// The task's total float: how long it may slip before the project does.
    pub total_float_days: Option<f64>,
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

/// The version of the clash report's JSON shape (`"schema_version"`): raised when a field
/// changes meaning or goes away; adding a field keeps it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What one test asked for, as a report states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestInfo {
    /// The test's stable key (the rule file's `id`, by default its name): clash ids, group ids
    /// and the history follow it, so renaming a test's display name keeps its clashes.
    /// Reports written before tests had ids read back with an empty id; [`TestInfo::key`]
    /// falls back to the name for them.
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// What the test reports (`hard`, `clearance`, `duplicate` or `time` in JSON).
    pub mode: ClashKind,
    pub tolerance_m: f64,
    pub clearance_m: f64,
    /// For clearance zones: where the zone lies; `None` means all round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Zone>,
    /// For reach-range tests (reported as clearance): the heights above the floor an operable
    /// part must stand between, so reports say "out of the 380–1220 mm reach range by 130 mm"
    /// rather than name a gap. `clearance_m` is then the upper limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<ReachRange>,
}

/// The range of a reach-range test, metres above the floor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReachRange {
    pub min_m: f64,
    pub max_m: f64,
}

impl TestInfo {
    /// The report's statement of a test named `name` run in the engine's `mode`.
    pub fn of(name: &str, mode: &Mode) -> TestInfo {
        TestInfo::with_id(name, name, mode)
    }

    /// As [`TestInfo::of`], for a test whose stable key differs from its display name.
    pub fn with_id(id: &str, name: &str, mode: &Mode) -> TestInfo {
        TestInfo {
            id: id.to_string(),
            name: name.to_string(),
            mode: mode.kind(),
            tolerance_m: mode.tolerance_m(),
            clearance_m: mode.clearance_m(),
            zone: mode.zone(),
            reach: match *mode {
                Mode::Reach { min_m, max_m, .. } => Some(ReachRange { min_m, max_m }),
                _ => None,
            },
        }
    }

    /// The stable key: the id, or the name for a report written before tests had ids.
    pub fn key(&self) -> &str {
        if self.id.is_empty() {
            &self.name
        } else {
            &self.id
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

    /// Sets each clash's number from the history; clashes it has no number for keep theirs.
    pub fn apply_numbers(&mut self, number_of: impl Fn(&str) -> Option<u64>) {
        for t in &mut self.tests {
            for c in &mut t.clashes {
                if let Some(n) = number_of(&c.id) {
                    c.number = Some(n);
                }
            }
        }
    }

    /// The report as pretty JSON (the `--json` format), `"schema_version"` first (see
    /// [`REPORT_SCHEMA_VERSION`] and `docs/schemas/clash-report.schema.json`).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Versioned<'a> {
            schema_version: u32,
            #[serde(flatten)]
            report: &'a Report,
        }
        // Plain strings, finite numbers and maps with string keys cannot fail to serialise.
        serde_json::to_string_pretty(&Versioned { schema_version: REPORT_SCHEMA_VERSION, report: self })
            .unwrap_or_default()
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
                number: None,
                test: info.name.clone(),
                test_id: info.key().to_string(),
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
                overlap_volume_m3: c.overlap_volume_m3,
                triage: None,
                basis: c.basis.clone(),
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
