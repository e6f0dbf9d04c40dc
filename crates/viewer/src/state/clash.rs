//! Clash review state: the loaded report, the clash in focus, and the clash history reviews are
//! written to.
//!
//! The report is `plumbline_review::Report` as `plumbline clash --json` writes it. Focusing a
//! clash asks the camera for `plumbline_review::frame_box` of its overlap (the same view a BCF
//! viewpoint or a report snapshot uses).

use crate::state::camera::CameraCommand;
use crate::state::scene::ModelScene;
use bevy::prelude::*;
use plumbline_model::{Aabb, ElementRef};
use plumbline_review::{ClashRecord, Report, Status};
use plumbline_store::{StatusChange, Store};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Opens a clash history that exists. The viewer never creates one: a typo must not start a new
/// empty history beside the real one.
pub fn open_existing(path: &Path) -> Result<Store, String> {
    if !path.is_file() {
        return Err(format!("{}: no clash history here (plumbline clash --db writes one)", path.display()));
    }
    Store::open(path).map_err(|e| e.to_string())
}

/// The clash history the viewer reads statuses from and writes reviews to.
#[derive(Debug)]
pub struct History {
    pub path: PathBuf,
    /// Behind a mutex: a resource must be `Sync`, an SQLite connection is only `Send`.
    store: Mutex<Store>,
    /// Who changes are recorded as.
    pub user: String,
}

impl History {
    /// Opens an existing history ([`open_existing`]), its lookups kept to `project` when one
    /// is given.
    pub fn open(path: &Path, user: &str, project: Option<&str>) -> Result<History, String> {
        let mut store = open_existing(path)?;
        store.set_project(project);
        Ok(History { path: path.to_path_buf(), store: Mutex::new(store), user: user.to_string() })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        // A panic while holding the lock cannot leave the connection half-used (SQLite rolls
        // back an unfinished transaction), so a poisoned lock is still usable.
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Sets the statuses of `report` to those the history holds (the history is the truth for
    /// statuses: a report file holds those of its own run).
    pub fn apply_statuses(&self, report: &mut Report) {
        self.with(|s| report.apply_statuses(|id| s.status_of(id).ok().flatten()));
    }

    /// The status changes of a clash, oldest first, with their comments.
    pub fn status_history(&self, clash_id: &str) -> Result<Vec<StatusChange>, String> {
        self.with(|s| s.status_history(clash_id)).map_err(|e| e.to_string())
    }
}

/// A clash's place in the report: test index, clash index within the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClashKey {
    pub test: usize,
    pub clash: usize,
}

/// The loaded clash report and the clash in focus.
#[derive(Resource, Debug, Default)]
pub struct ClashReview {
    pub report: Option<Report>,
    /// Why the report could not be read.
    pub error: Option<String>,
    pub focused: Option<ClashKey>,
    /// The clash history, when the viewer was opened with one.
    pub history: Option<History>,
    /// The outcome of the last save or export, for the status line: (ok, message).
    pub last_action: Option<(bool, String)>,
    /// Where the clashes came from.
    pub source: Option<ReportSource>,
    /// List the clashes by when the 4D schedule needs them fixed instead of by test and group.
    pub by_needed: bool,
    /// With `by_needed`: only the clashes needed within this many weeks.
    pub needed_within_weeks: Option<u32>,
}

/// The clashes of `report` in triage order: by `needed_by` (earliest first; clashes no task
/// needs last), then by number and id; with `within_days`, only those needed within that many
/// days of the schedule's reference day.
pub fn triage_order(report: &Report, within_days: Option<i64>) -> Vec<ClashKey> {
    let mut keys: Vec<(Option<&str>, Option<u64>, &str, ClashKey)> = Vec::new();
    for (ti, test) in report.tests.iter().enumerate() {
        for (ci, c) in test.clashes.iter().enumerate() {
            let days = c.triage.as_ref().map(|t| t.days_to_needed);
            if within_days.is_some_and(|w| days.is_none_or(|d| d > w)) {
                continue;
            }
            let needed = c.triage.as_ref().map(|t| t.needed_by.as_str());
            keys.push((needed, c.number, c.id.as_str(), ClashKey { test: ti, clash: ci }));
        }
    }
    keys.sort_by(|p, q| {
        (p.0.is_none(), p.0, p.1.is_none(), p.1, p.2).cmp(&(q.0.is_none(), q.0, q.1.is_none(), q.1, q.2))
    });
    keys.into_iter().map(|k| k.3).collect()
}

/// Where the reviewed clashes came from, as the Clashes tab names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportSource {
    /// A report file (`plumbline clash --json`).
    File(PathBuf),
    /// A rule matrix whose tests ran on the loaded models.
    Rules(PathBuf),
    /// The open clashes of a history database.
    History(PathBuf),
}

impl ClashReview {
    pub fn clash(&self, key: ClashKey) -> Option<&ClashRecord> {
        self.report.as_ref()?.tests.get(key.test)?.clashes.get(key.clash)
    }

    pub fn focused_clash(&self) -> Option<&ClashRecord> {
        self.clash(self.focused?)
    }

    /// The loaded elements of the focused clash (`None` inside for an element not loaded).
    pub fn focused_pair(&self, scene: &ModelScene) -> Option<(Option<ElementRef>, Option<ElementRef>)> {
        let c = self.focused_clash()?;
        Some((scene.element_by_global_id(&c.a.global_id), scene.element_by_global_id(&c.b.global_id)))
    }

    /// Finds a clash by id, by its history number written `#N`, or by its position in report
    /// order (counting from 0).
    pub fn find(&self, id_or_index: &str) -> Option<ClashKey> {
        if let Some(n) = id_or_index.trim().strip_prefix('#').and_then(|n| n.parse::<u64>().ok()) {
            let report = self.report.as_ref()?;
            return report.tests.iter().enumerate().find_map(|(t, test)| {
                test.clashes.iter().position(|c| c.number == Some(n)).map(|c| ClashKey { test: t, clash: c })
            });
        }
        let report = self.report.as_ref()?;
        let keys: Vec<ClashKey> = report
            .tests
            .iter()
            .enumerate()
            .flat_map(|(t, test)| (0..test.clashes.len()).map(move |c| ClashKey { test: t, clash: c }))
            .collect();
        if let Ok(n) = id_or_index.trim().parse::<usize>() {
            return keys.get(n).copied();
        }
        keys.into_iter().find(|k| self.clash(*k).is_some_and(|c| c.id == id_or_index.trim()))
    }

    /// Sets a clash's status (and an optional comment) in the history and in the loaded report.
    /// Setting the same status with a comment records the comment as a confirmation.
    pub fn set_status(&mut self, key: ClashKey, status: Status, comment: &str) -> Result<(), String> {
        let history = self.history.as_ref().ok_or("no clash history is open (start the viewer with --db)")?;
        let id = self.clash(key).ok_or("no such clash")?.id.clone();
        let comment = Some(comment.trim()).filter(|c| !c.is_empty());
        history
            .with(|s| s.set_status(&id, status, &history.user, comment, chrono::Utc::now()))
            .map_err(|e| e.to_string())?;
        if let Some(c) = self
            .report
            .as_mut()
            .and_then(|r| r.tests.get_mut(key.test))
            .and_then(|t| t.clashes.get_mut(key.clash))
        {
            c.status = status;
        }
        Ok(())
    }

    /// Writes the group of a clash as a BCF archive (one topic, its viewpoint and `snapshot`).
    pub fn export_group_bcf(
        &self,
        key: ClashKey,
        snapshot: Option<Vec<u8>>,
        out: &Path,
    ) -> Result<(), String> {
        let report = self.report.as_ref().ok_or("no clash report is loaded")?;
        let test = report.tests.get(key.test).ok_or("no such test")?;
        let group_id = &test.clashes.get(key.clash).ok_or("no such clash")?.group;
        let group = test.groups.iter().find(|g| &g.id == group_id).ok_or("the clash has no group")?;
        // A report of this group alone: BCF gets one topic, with every clash of the group.
        let mut one = test.clone();
        one.groups = vec![group.clone()];
        one.clashes.retain(|c| &c.group == group_id);
        let single = Report { tests: vec![one], ..report.clone() };
        let author = self.history.as_ref().map(|h| h.user.clone()).unwrap_or_else(default_user);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let options = plumbline_bcf::ExportOptions {
            version: plumbline_bcf::BcfVersion::V2_1,
            author: &author,
            date_utc: plumbline_bcf::UtcDateTime::from_unix_seconds(now)
                .ok_or("the clock is out of range")?,
            snapshots: &|_| snapshot.clone(),
        };
        let bytes = plumbline_bcf::write(&single, &options).map_err(|e| e.to_string())?;
        // Written beside and renamed: a failed write never leaves half an archive.
        let tmp = out.with_extension("bcf.partial");
        std::fs::write(&tmp, &bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))
    }

    /// Focuses a clash (or none) and returns where the camera should go: the review camera of
    /// its [`clash_context_box`], so both elements and their surroundings are in view.
    pub fn focus(&mut self, key: Option<ClashKey>) -> Option<CameraCommand> {
        self.focused = key.filter(|k| self.clash(*k).is_some());
        let b = clash_context_box(self.focused_clash()?);
        Some(CameraCommand::Review { camera: plumbline_review::frame_box(&b), target_m: b.center() })
    }
}

/// How far along its two elements the view of a clash reaches from the clash (metres): far
/// enough to see where a duct and a wall run and what stands around them, without backing off
/// to the whole of a 30 m wall.
pub const CLASH_CONTEXT_REACH_M: f64 = 2.0;
/// The least room left around the clash itself on every side (metres).
pub const CLASH_CONTEXT_MARGIN_M: f64 = 0.5;

/// The world box a focused clash is framed on: its overlap (or its point, for clearance and
/// duplicate clashes) with a margin, grown by the parts of elements A and B within
/// [`CLASH_CONTEXT_REACH_M`] of it. Framing the overlap alone filled the view with two flat
/// colours; Navisworks' and Solibri's clash views show both elements in their setting.
pub fn clash_context_box(c: &ClashRecord) -> Aabb {
    let core = if c.overlap_aabb.is_empty() { Aabb { min: c.point, max: c.point } } else { c.overlap_aabb };
    let reach = core.inflated(CLASH_CONTEXT_REACH_M);
    [&c.a.aabb, &c.b.aabb]
        .into_iter()
        .filter_map(|element| element.intersection(&reach))
        .fold(core.inflated(CLASH_CONTEXT_MARGIN_M), |b, part| b.union(&part))
}

/// Asks for the group of a clash to be exported to BCF with the current view as its snapshot
/// (handled by the BCF plugin, which needs a window to capture).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct BcfExportRequest {
    pub key: ClashKey,
}

/// Who reviews are recorded as when `--user` is not given.
pub fn default_user() -> String {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "viewer".to_string())
}
