//! The 4D side of a run: which schedule, its element links, and the simulation of the loaded
//! set. One discovery rule for every command and the viewer: the schedule named by the user,
//! else the work schedule of the first IFC model that holds one. A schedule that cannot be
//! read is an error wherever it is found, never silently skipped.

use crate::error::PipelineError;
use plumbline_ifc::schedule::ScheduleShelf;
use plumbline_model::{ElementRef, ModelSet};
use plumbline_review::ClashRecord;
use plumbline_schedule::{Basis, Existence, Link, Schedule, SetSim};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A schedule linked to a loaded model set and simulated.
#[derive(Debug, Clone)]
pub struct FourD {
    pub schedule: Schedule,
    /// The schedule's own links and those of the link files.
    pub links: Vec<Link>,
    /// The simulation of the set's physical elements.
    pub sim: SetSim,
}

impl FourD {
    /// Links `schedule` to `set` (its own links and those of `link_files`) and simulates it.
    pub fn new(schedule: Schedule, link_files: &[PathBuf], set: &ModelSet) -> Result<FourD, PipelineError> {
        let links = plumbline_schedule::gather_links(&schedule, link_files, &set.models)?;
        let sim = SetSim::new(&schedule, &links, &set.models);
        Ok(FourD { schedule, links, sim })
    }

    /// Finds the schedule ([`find_schedule`], with what the load of `set` left on `shelf`) and
    /// links it to `set`; `None` when there is none.
    pub fn find(
        explicit: Option<&Path>,
        link_files: &[PathBuf],
        set: &ModelSet,
        shelf: Option<&ScheduleShelf>,
    ) -> Result<Option<FourD>, PipelineError> {
        let models: Vec<PathBuf> = set.models.iter().map(|m| PathBuf::from(&m.path)).collect();
        match find_schedule(explicit, &models, shelf)? {
            Some(schedule) => Ok(Some(FourD::new(schedule, link_files, set)?)),
            None => Ok(None),
        }
    }
}

/// Whether `path` names an IFC model (`.ifc`, `.ifczip`), whose work schedule the IFC reader
/// reads; every other schedule format has its own reader.
pub fn is_ifc(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ifc") || e.eq_ignore_ascii_case("ifczip"))
}

/// Reads a schedule of any format: an IFC work schedule, MSPDI XML, P6 XER or XML, or CSV.
pub fn read_any_schedule(path: &Path) -> Result<Schedule, PipelineError> {
    if is_ifc(path) {
        Ok(plumbline_ifc::schedule::read_schedule(path)?)
    } else {
        Ok(plumbline_schedule::read_schedule(path)?)
    }
}

/// The schedule of a run: `explicit` when given, else the work schedule of the first IFC model
/// among `models` that holds tasks; `None` when no model holds one. A model whose schedule
/// cannot be read is an error, as an unreadable `explicit` file is. A model whose load left its
/// schedule on `shelf` (`LoadOptions::schedules`) is not read again.
pub fn find_schedule(
    explicit: Option<&Path>,
    models: &[PathBuf],
    shelf: Option<&ScheduleShelf>,
) -> Result<Option<Schedule>, PipelineError> {
    if let Some(path) = explicit {
        return read_any_schedule(path).map(Some);
    }
    for path in models.iter().filter(|p| is_ifc(p)) {
        let schedule = match shelf.and_then(|shelf| shelf.take(path)) {
            Some(read) => read?,
            None if !may_hold_tasks(path) => continue,
            None => plumbline_ifc::schedule::read_schedule(path)?,
        };
        if !schedule.tasks.is_empty() {
            return Ok(Some(schedule));
        }
    }
    Ok(None)
}

/// Whether an IFC file may hold a work schedule: every clash run looks for one (for the clash
/// triage), and a scan of the bytes for `IFCTASK(` is much cheaper than parsing a model that
/// has none. A compressed or unreadable file is left to the schedule reader to judge.
fn may_hold_tasks(path: &Path) -> bool {
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ifc")) {
        return true;
    }
    let Ok(bytes) = std::fs::read(path) else { return true };
    plumbline_ifc::schedule::holds_task_keyword(&bytes)
}

/// Finds the elements of clash records in a loaded set, by file and GlobalId.
#[derive(Debug)]
pub struct ElementLookup<'a> {
    by_id: HashMap<(&'a str, &'a str), ElementRef>,
}

impl<'a> ElementLookup<'a> {
    pub fn new(set: &'a ModelSet) -> Self {
        let by_id = set
            .elements()
            .map(|(r, e)| ((set.models[r.file as usize].path.as_str(), e.global_id.as_str()), r))
            .collect();
        ElementLookup { by_id }
    }

    /// The elements of a record's A and B side, when both are in the set.
    pub fn pair(&self, record: &ClashRecord) -> Option<(ElementRef, ElementRef)> {
        let find = |file: &str, id: &str| self.by_id.get(&(file, id)).copied();
        Some((find(&record.a.file, &record.a.global_id)?, find(&record.b.file, &record.b.global_id)?))
    }

    /// The days both elements of a time clash stand, or `None` when they never do (or are not
    /// in the set).
    pub fn standing_together(&self, four_d: &FourD, record: &ClashRecord, basis: Basis) -> Option<Existence> {
        let (a, b) = self.pair(record)?;
        four_d.sim.coexist(a, b, basis)
    }
}

#[cfg(test)]
mod tests {
    /// The run finds the schedule its load left: the file is not read again (here it is gone
    /// by the time the schedule is looked for), and without the shelf it would be.
    #[test]
    fn the_schedule_comes_from_the_load_not_from_the_file_again() {
        use super::find_schedule;
        use plumbline_ifc::schedule::ScheduleShelf;
        use std::sync::Arc;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("branch.ifc");
        std::fs::copy(plumbline_testkit::sample_model("bank-branch.ifc"), &path).expect("copies");
        let shelf = Arc::new(ScheduleShelf::new());
        let options = plumbline_ifc::LoadOptions { schedules: Some(shelf.clone()), ..Default::default() };
        plumbline_ifc::load_file(&path, &options).expect("loads");
        let read_from_file = find_schedule(None, std::slice::from_ref(&path), None).expect("reads");
        std::fs::remove_file(&path).expect("removes");
        let found = find_schedule(None, std::slice::from_ref(&path), Some(&shelf)).expect("from the shelf");
        assert_eq!(found, read_from_file);
        assert!(found.is_some_and(|s| s.tasks.len() == 9));
        // Handed over once: asked again, the run would read the file, which is gone now.
        assert!(find_schedule(None, std::slice::from_ref(&path), Some(&shelf)).is_err());
    }
}
