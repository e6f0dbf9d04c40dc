//! IFC4 work schedules into [`plumbline_schedule::Schedule`]: `IfcTask` with its `IfcTaskTime`,
//! `IfcRelSequence` (with `IfcLagTime`), `IfcRelNests` between tasks (the WBS),
//! `IfcRelAssignsToProcess` and `IfcRelAssignsToProduct` (element GlobalId ↔ task), the
//! `IfcWorkSchedule` name and the first `IfcWorkCalendar`.
//!
//! Only the instances that matter are decoded; attribute positions are looked up by name in the
//! file's own schema, so IFC4 and IFC4X3 read alike (IFC2X3 tasks have no `IfcTaskTime` and come
//! without dates).
//!
//! Task ids are the tasks' `Identification` where every task has a distinct one, else each
//! task's GlobalId. Task types follow `PredefinedType`: CONSTRUCTION, INSTALLATION and
//! RENOVATION build; DEMOLITION, DISMANTLE and REMOVAL remove; USERDEFINED takes its
//! `ObjectType` (`TEMPORARY` is temporary works); LOGISTIC, MAINTENANCE, MOVE, OPERATION and
//! ATTENDANCE are other; NOTDEFINED is guessed from the names.

use crate::index::Index;
use crate::read::{check_header, line_of, read_model_bytes};
use crate::semantics::ScheduleRecord;
use crate::{LoadError, LoadOptions};
use ifc_lite_core::{AttributeValue, DecodedEntity, EntityDecoder, SchemaVersion};
use plumbline_schedule::text::{finish_day, parse_duration_days, parse_moment, start_day, Moment};
use plumbline_schedule::{
    Calendar, Dependency, DependencyType, Format, Link, Schedule, ScheduleError, Task, TaskType,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why an IFC schedule could not be read: the file itself (not IFC, unreadable), or a value in
/// it (a date that is not a date), naming the line and the attribute.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleReadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// Work schedules that loads read from their own scan of each file ([`LoadOptions::schedules`]),
/// kept for the run that looks for one afterwards, so that it does not read the files again.
/// A model that loads leaves one: read from the load's scan, or, for a model from the model
/// cache (which is not scanned), from the file's bytes beside the cache entry's decoding. For a
/// path whose load failed [`take`](ScheduleShelf::take) answers `None` and the caller reads the
/// file.
#[derive(Debug, Default)]
pub struct ScheduleShelf {
    read: Mutex<HashMap<PathBuf, Result<Schedule, ScheduleReadError>>>,
}

impl ScheduleShelf {
    pub fn new() -> ScheduleShelf {
        ScheduleShelf::default()
    }

    pub(crate) fn put(&self, path: &Path, read: Result<Schedule, ScheduleError>) {
        self.put_read(path, read.map_err(ScheduleReadError::from));
    }

    pub(crate) fn put_read(&self, path: &Path, read: Result<Schedule, ScheduleReadError>) {
        // A poisoned lock only means another load panicked while it held it; the map is whole.
        self.read.lock().unwrap_or_else(|p| p.into_inner()).insert(path.to_path_buf(), read);
    }

    /// What the load of `path` read (its schedule, empty when the file has no task, or why it
    /// could not be read), handed over once; `None` when no load left anything for `path`.
    pub fn take(&self, path: &Path) -> Option<Result<Schedule, ScheduleReadError>> {
        self.read.lock().unwrap_or_else(|p| p.into_inner()).remove(path)
    }
}

/// Hours in a working day, for durations and lags written in hours.
const HOURS_PER_DAY: f64 = 8.0;

/// Whether `bytes` hold `IFCTASK(` in any case: a file without it holds no work schedule to read
/// (a run that looks for one skips such a file). The search jumps from one `K` to the next with
/// `memchr` and compares around it: comparing at every byte cost about 5 ms on a 4 MB model,
/// in every clash run.
pub fn holds_task_keyword(bytes: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"IFCTASK(";
    const K_AT: usize = 6;
    memchr::memchr2_iter(b'K', b'k', bytes).any(|at| {
        at >= K_AT
            && bytes.get(at - K_AT..at - K_AT + NEEDLE.len()).is_some_and(|w| w.eq_ignore_ascii_case(NEEDLE))
    })
}

/// The schedule of an IFC file that holds no task.
pub(crate) fn no_tasks(path: &Path) -> Schedule {
    Schedule::new(path.display().to_string(), Format::Ifc)
}

/// Reads the work schedule of an `.ifc` or `.ifczip` file. A file without tasks gives an empty
/// schedule (no error).
pub fn read_schedule(path: &Path) -> Result<Schedule, ScheduleReadError> {
    let bytes = read_model_bytes(path, LoadOptions::default().max_unzipped_bytes)?;
    read_schedule_bytes(path, &bytes)
}

/// As [`read_schedule`], from STEP bytes in memory; `path` names the file in messages.
pub fn read_schedule_bytes(path: &Path, bytes: &[u8]) -> Result<Schedule, ScheduleReadError> {
    let header = check_header(path, bytes)?;
    // The loader's scan (`semantics::scan`, in byte ranges on every core), which lists the
    // schedule's records beside the entity index.
    let scan = crate::semantics::scan(bytes, header.family);
    Ok(read_scanned(path, bytes, header.family, &scan.index, &scan.schedule)?)
}

/// The schedule of a file already scanned: its index and its schedule records (a load reads
/// the schedule from its own scan, see [`ScheduleShelf`]).
pub(crate) fn read_scanned(
    path: &Path,
    bytes: &[u8],
    family: SchemaVersion,
    index: &Index,
    found: &[(u32, ScheduleRecord)],
) -> Result<Schedule, ScheduleError> {
    let reader = Reader { path, bytes, family, decoder: index.decoder(bytes), index, found };
    reader.read()
}

/// The class and the first attribute of a record `#id=CLASS('text',...` whose first attribute
/// is a plain quoted string (no quote or backslash inside, as a GlobalId); `None` for any
/// other shape, which is then decoded in full.
fn record_head(record: &[u8]) -> Option<(&str, &str)> {
    let head = record.get(..record.len().min(256))?;
    // A cut through a multi-byte character (raw UTF-8 in a name) ends the head before it.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?,
    };
    let (_, rest) = text.split_once('=')?;
    let (class, rest) = rest.split_once('(')?;
    let class = class.trim();
    let rest = rest.trim_start().strip_prefix('\'')?;
    let (value, after) = rest.split_once('\'')?;
    let plain = !value.contains('\\') && after.trim_start().starts_with([',', ')']);
    let named = !class.is_empty() && class.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    (plain && named).then_some((class, value))
}

struct Reader<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    family: SchemaVersion,
    decoder: EntityDecoder<'a>,
    index: &'a Index,
    found: &'a [(u32, ScheduleRecord)],
}

impl Reader<'_> {
    fn line(&self, id: u32) -> usize {
        self.index.span(id).map_or(0, |(start, _)| line_of(self.bytes, start))
    }

    fn decode(&mut self, id: u32) -> Option<DecodedEntity> {
        self.decoder.decode_by_id(id).ok()
    }

    fn slot(&self, e: &DecodedEntity, attribute: &str) -> Option<usize> {
        self.family.attribute_names(e.ifc_type.name())?.iter().position(|n| n.eq_ignore_ascii_case(attribute))
    }

    fn attr<'e>(&self, e: &'e DecodedEntity, attribute: &str) -> Option<&'e AttributeValue> {
        self.slot(e, attribute).and_then(|i| e.get(i)).filter(|v| !matches!(v, AttributeValue::Null))
    }

    fn text(&self, e: &DecodedEntity, attribute: &str) -> Option<String> {
        self.attr(e, attribute)
            .and_then(AttributeValue::as_string)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    fn enumeration(&self, e: &DecodedEntity, attribute: &str) -> Option<String> {
        self.attr(e, attribute).and_then(AttributeValue::as_enum).map(str::to_ascii_uppercase)
    }

    fn refs(&self, e: &DecodedEntity, attribute: &str) -> Vec<u32> {
        self.slot(e, attribute).and_then(|i| e.get_refs(i)).unwrap_or_default()
    }

    fn is_a(&self, e: &DecodedEntity, ancestor: &str) -> bool {
        self.family.is_subtype_of(e.ifc_type.name(), ancestor)
    }

    fn moment(&self, e: &DecodedEntity, attribute: &str) -> Result<Option<Moment>, ScheduleError> {
        let Some(text) = self.text(e, attribute) else { return Ok(None) };
        parse_moment(&text).map_err(|reason| ScheduleError::Field {
            path: self.path.into(),
            line: self.line(e.id),
            field: format!("{}.{attribute}", e.ifc_type.name()),
            reason,
        })
    }

    fn read(mut self) -> Result<Schedule, ScheduleError> {
        let mut schedule = Schedule::new(self.path.display().to_string(), Format::Ifc);
        let found = self.found;
        let of = |kind: ScheduleRecord| found.iter().filter(move |(_, k)| *k == kind).map(|(id, _)| *id);

        // Tasks, in file order.
        let mut raw: Vec<(u32, Task, Option<String>, Option<String>)> = Vec::new();
        for id in of(ScheduleRecord::Task) {
            let Some(e) = self.decode(id) else { continue };
            let global_id = e.get_string(0).unwrap_or("").to_string();
            let mut task = Task::new(global_id.clone(), self.text(&e, "Name").unwrap_or_default());
            let identification = self.text(&e, "Identification").or_else(|| self.text(&e, "TaskId"));
            task.milestone =
                matches!(self.attr(&e, "IsMilestone").and_then(AttributeValue::as_enum), Some("T"));
            let predefined = self.enumeration(&e, "PredefinedType");
            let object_type = self.text(&e, "ObjectType");
            if let Some(time_id) = self.attr(&e, "TaskTime").and_then(AttributeValue::as_entity_ref) {
                if let Some(time) = self.decode(time_id) {
                    self.task_time(&time, &mut task)?;
                }
            }
            task.task_type = match predefined.as_deref() {
                Some("CONSTRUCTION" | "INSTALLATION" | "RENOVATION") => TaskType::Construct,
                Some("DEMOLITION" | "DISMANTLE" | "REMOVAL") => TaskType::Demolish,
                Some("LOGISTIC" | "MAINTENANCE" | "MOVE" | "OPERATION" | "ATTENDANCE") => TaskType::Other,
                _ => object_type.as_deref().and_then(TaskType::parse).unwrap_or(TaskType::Construct),
            };
            let typed = matches!(predefined.as_deref(), Some(p) if p != "NOTDEFINED" && p != "USERDEFINED")
                || object_type.as_deref().and_then(TaskType::parse).is_some();
            raw.push((id, task, identification, typed.then_some(String::new())));
        }
        // Identification where every task has a distinct one; GlobalIds otherwise.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (_, _, ident, _) in &raw {
            if let Some(i) = ident {
                *counts.entry(i.as_str()).or_insert(0) += 1;
            }
        }
        let use_identification =
            raw.iter().all(|(_, _, i, _)| i.as_deref().is_some_and(|i| counts.get(i) == Some(&1)));
        let mut task_of: HashMap<u32, usize> = HashMap::new();
        let mut typed: Vec<bool> = Vec::new();
        for (id, mut task, ident, was_typed) in raw {
            if use_identification {
                if let Some(i) = ident {
                    task.id = i;
                }
            }
            task_of.insert(id, schedule.tasks.len());
            typed.push(was_typed.is_some());
            schedule.tasks.push(task);
        }

        // WBS from nesting between tasks.
        let mut parent: Vec<Option<usize>> = vec![None; schedule.tasks.len()];
        for id in of(ScheduleRecord::Nests) {
            let Some(e) = self.decode(id) else { continue };
            let whole = self.attr(&e, "RelatingObject").and_then(AttributeValue::as_entity_ref);
            let Some(&p) = whole.and_then(|w| task_of.get(&w)) else { continue };
            for part in self.refs(&e, "RelatedObjects") {
                if let Some(&c) = task_of.get(&part) {
                    if c != p {
                        parent[c] = Some(p);
                    }
                }
            }
        }
        for i in 0..schedule.tasks.len() {
            let mut names = Vec::new();
            let mut at = parent[i];
            for _ in 0..64 {
                let Some(p) = at else { break };
                names.push(schedule.tasks[p].name.clone());
                at = parent[p];
            }
            names.reverse();
            if let Some(p) = parent[i] {
                schedule.tasks[p].summary = true;
                schedule.tasks[i].parent = Some(schedule.tasks[p].id.clone());
            }
            schedule.tasks[i].wbs = names;
        }
        for (task, typed) in schedule.tasks.iter_mut().zip(typed) {
            if !typed {
                let names = std::iter::once(task.name.as_str()).chain(task.wbs.iter().map(String::as_str));
                task.task_type = TaskType::from_names(names);
            }
        }

        // Sequences.
        for id in of(ScheduleRecord::Sequence) {
            let Some(e) = self.decode(id) else { continue };
            let pred = self.attr(&e, "RelatingProcess").and_then(AttributeValue::as_entity_ref);
            let succ = self.attr(&e, "RelatedProcess").and_then(AttributeValue::as_entity_ref);
            let (Some(&predecessor), Some(&successor)) =
                (pred.and_then(|p| task_of.get(&p)), succ.and_then(|s| task_of.get(&s)))
            else {
                schedule.warnings.push(format!(
                    "{}: line {}: IfcRelSequence #{id} does not join two tasks; left out",
                    self.path.display(),
                    self.line(id)
                ));
                continue;
            };
            let dep_type = match self.enumeration(&e, "SequenceType").as_deref() {
                Some("START_START") => DependencyType::SS,
                Some("FINISH_FINISH") => DependencyType::FF,
                Some("START_FINISH") => DependencyType::SF,
                _ => DependencyType::FS,
            };
            let lag_days = self.lag_days(&e, schedule.tasks[predecessor].duration_days)?;
            schedule.dependencies.push(Dependency { predecessor, successor, dep_type, lag_days });
        }

        // Element links.
        for id in of(ScheduleRecord::ToProcess) {
            let Some(e) = self.decode(id) else { continue };
            let process = self.attr(&e, "RelatingProcess").and_then(AttributeValue::as_entity_ref);
            let Some(&t) = process.and_then(|p| task_of.get(&p)) else { continue };
            for object in self.refs(&e, "RelatedObjects") {
                if let Some(global_id) = self.product_global_id(object) {
                    schedule.links.push(Link { global_id, task_id: schedule.tasks[t].id.clone() });
                }
            }
        }
        for id in of(ScheduleRecord::ToProduct) {
            let Some(e) = self.decode(id) else { continue };
            let product = self.attr(&e, "RelatingProduct").and_then(AttributeValue::as_entity_ref);
            let Some(global_id) = product.and_then(|p| self.product_global_id(p)) else { continue };
            for object in self.refs(&e, "RelatedObjects") {
                if let Some(&t) = task_of.get(&object) {
                    schedule
                        .links
                        .push(Link { global_id: global_id.clone(), task_id: schedule.tasks[t].id.clone() });
                }
            }
        }
        schedule.links.sort();
        schedule.links.dedup();

        if let Some(id) = of(ScheduleRecord::WorkSchedule).next() {
            if let Some(e) = self.decode(id) {
                schedule.name = self.text(&e, "Name").or_else(|| self.text(&e, "Identification"));
            }
        }
        if let Some(id) = of(ScheduleRecord::Calendar).next() {
            schedule.calendar = self.calendar(id)?;
        }
        Ok(schedule)
    }

    fn task_time(&mut self, time: &DecodedEntity, task: &mut Task) -> Result<(), ScheduleError> {
        let start = self.moment(time, "ScheduleStart")?.or(self.moment(time, "EarlyStart")?);
        let finish = self.moment(time, "ScheduleFinish")?.or(self.moment(time, "EarlyFinish")?);
        task.start = start_day(start);
        task.actual_start = start_day(self.moment(time, "ActualStart")?);
        task.actual_finish = finish_day(self.moment(time, "ActualFinish")?, task.actual_start);
        if let Some(d) = self.text(time, "ScheduleDuration") {
            task.duration_days =
                Some(parse_duration_days(&d, HOURS_PER_DAY).ok_or_else(|| ScheduleError::Field {
                    path: self.path.into(),
                    line: self.line(time.id),
                    field: format!("{}.ScheduleDuration", time.ifc_type.name()),
                    reason: format!("cannot read '{d}' as a duration (ISO 8601, e.g. P3D or PT8H)"),
                })?);
        }
        task.finish = finish_day(finish, task.start).or_else(|| {
            // No finish written: the start plus the duration, in calendar days.
            let days = task.duration_days?.ceil().max(1.0) as u64;
            task.start?.checked_add_days(chrono_days(days - 1))
        });
        task.percent_complete =
            self.attr(time, "Completion").and_then(AttributeValue::as_float).map(|c| c * 100.0);
        Ok(())
    }

    /// `TimeLag` of a sequence: an `IfcLagTime` (IFC4) whose `LagValue` is a duration or a
    /// ratio of the predecessor's duration, or seconds (IFC2X3 `IfcTimeMeasure`).
    fn lag_days(&mut self, seq: &DecodedEntity, predecessor_days: Option<f64>) -> Result<f64, ScheduleError> {
        let Some(value) = self.attr(seq, "TimeLag").cloned() else { return Ok(0.0) };
        if let Some(seconds) = value.as_float() {
            return Ok(seconds / 3600.0 / HOURS_PER_DAY);
        }
        let Some(lag_id) = value.as_entity_ref() else { return Ok(0.0) };
        let Some(lag) = self.decode(lag_id) else { return Ok(0.0) };
        let Some(v) = self.attr(&lag, "LagValue").cloned() else { return Ok(0.0) };
        if let AttributeValue::Typed { name, value } = &v {
            if name.ends_with("RATIOMEASURE") {
                return Ok(value.as_float().unwrap_or(0.0) * predecessor_days.unwrap_or(0.0));
            }
        }
        let text = v.as_string().unwrap_or("").to_string();
        if text.is_empty() {
            return Ok(v.as_float().unwrap_or(0.0));
        }
        parse_duration_days(&text, HOURS_PER_DAY).ok_or_else(|| ScheduleError::Field {
            path: self.path.into(),
            line: self.line(lag_id),
            field: "IfcLagTime.LagValue".into(),
            reason: format!("cannot read '{text}' as a duration (ISO 8601, e.g. P2D)"),
        })
    }

    /// The GlobalId of product `id`; `None` when `id` is not a product. Read from the record's
    /// own text where it starts the usual way (`#id=CLASS('GlobalId',`): decoding the whole
    /// record, as other records are, was most of this read on a model whose tasks are assigned
    /// a hundred thousand elements.
    fn product_global_id(&mut self, id: u32) -> Option<String> {
        if let Some((class, global_id)) =
            self.index.span(id).and_then(|(start, end)| record_head(self.bytes.get(start..end)?))
        {
            return match self.family.is_subtype_of(class, "IfcProduct") {
                true => Some(global_id.to_string()).filter(|g| !g.is_empty()),
                false => None,
            };
        }
        self.product_global_id_decoded(id)
    }

    /// [`Self::product_global_id`] from the decoded record.
    fn product_global_id_decoded(&mut self, id: u32) -> Option<String> {
        let e = self.decode(id)?;
        if !self.is_a(&e, "IfcProduct") {
            return None;
        }
        e.get_string(0).filter(|g| !g.is_empty()).map(str::to_string)
    }

    /// Working week days from the calendar's weekly recurrence patterns; holidays from its
    /// exception times (date ranges).
    fn calendar(&mut self, id: u32) -> Result<Option<Calendar>, ScheduleError> {
        let Some(cal) = self.decode(id) else { return Ok(None) };
        let mut work_days = [false; 7];
        let mut any = false;
        for wt in self.refs(&cal, "WorkingTimes") {
            let Some(work_time) = self.decode(wt) else { continue };
            let Some(pattern) =
                self.attr(&work_time, "RecurrencePattern").and_then(AttributeValue::as_entity_ref)
            else {
                continue;
            };
            let Some(p) = self.decode(pattern) else { continue };
            if self.enumeration(&p, "RecurrenceType").as_deref() != Some("WEEKLY") {
                continue;
            }
            let days = self.attr(&p, "WeekdayComponent").and_then(AttributeValue::as_list).unwrap_or(&[]);
            for d in days {
                if let Some(n) = d.as_float().map(|f| f as usize).filter(|n| (1..=7).contains(n)) {
                    work_days[n - 1] = true;
                    any = true;
                }
            }
        }
        if !any {
            return Ok(None);
        }
        let mut holidays = BTreeSet::new();
        for et in self.refs(&cal, "ExceptionTimes") {
            let Some(e) = self.decode(et) else { continue };
            let from = self.moment(&e, "Start")?.or(self.moment(&e, "StartDate")?);
            let to = self.moment(&e, "Finish")?.or(self.moment(&e, "FinishDate")?);
            let (Some(from), Some(to)) = (from.map(|m| m.date), to.or(from).map(|m| m.date)) else {
                continue;
            };
            let mut d = from;
            for _ in 0..400 {
                if d > to {
                    break;
                }
                holidays.insert(d);
                match d.succ_opt() {
                    Some(next) => d = next,
                    None => break,
                }
            }
        }
        let name = self.text(&cal, "Name").unwrap_or_default();
        Ok(Some(Calendar { name, work_days, holidays }))
    }
}

fn chrono_days(n: u64) -> plumbline_schedule::chrono::Days {
    plumbline_schedule::chrono::Days::new(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_task_keyword_is_found_in_any_case_and_anywhere() {
        assert!(holds_task_keyword(b"IFCTASK("));
        assert!(holds_task_keyword(b"#12=IfcTask('x');"));
        assert!(holds_task_keyword(b"#1=IFCWALL();\n#12=ifctask('x');"));
        assert!(!holds_task_keyword(b"#1=IFCTASKTYPE('x');#2=IFCWORKSCHEDULE();TASK(K"));
        assert!(!holds_task_keyword(b"KKKKKKKK IFCTASK"));
        assert!(!holds_task_keyword(b""));
    }

    /// Every record of the generated models and of a real 4D file (Revit's `\X2\` names
    /// included) gives the same product GlobalId from its head as decoded in full.
    #[test]
    fn global_ids_from_record_heads_are_the_decoded_ones() {
        let mut files = vec![plumbline_testkit::sample_model("bank-branch-zh.ifc")];
        files.extend(plumbline_testkit::ifc_file("data-centric-bim/Duplex_House_4D_Complete.ifc"));
        files.extend(plumbline_testkit::ifc_file("bimserver-testfiles/revit2014_unicode.ifc"));
        for path in files {
            let bytes = std::fs::read(&path).expect("reads");
            let family = check_header(&path, &bytes).expect("IFC").family;
            let scan = crate::semantics::scan(&bytes, family);
            let mut reader = Reader {
                path: &path,
                bytes: &bytes,
                family,
                decoder: scan.index.decoder(&bytes),
                index: &scan.index,
                found: &[],
            };
            let (mut products, mut heads) = (0, 0);
            for (id, ..) in &scan.jobs {
                let fast = reader.product_global_id(*id);
                assert_eq!(fast, reader.product_global_id_decoded(*id), "{} #{id}", path.display());
                products += usize::from(fast.is_some());
                heads +=
                    usize::from(scan.index.span(*id).and_then(|(s, e)| record_head(&bytes[s..e])).is_some());
            }
            assert!(
                products > 0 && heads * 10 >= scan.jobs.len() * 9,
                "{}: {heads} of {} read from heads",
                path.display(),
                scan.jobs.len()
            );
            println!(
                "{}: {products} products, {heads} of {} records read from their heads",
                path.display(),
                scan.jobs.len()
            );
        }
    }

    #[test]
    fn a_record_head_is_read_only_in_its_plain_shape() {
        fn head(r: &str) -> Option<(&str, &str)> {
            record_head(r.as_bytes())
        }
        assert_eq!(
            head("#12=IFCWALL('2O2Fr$t4X7Zf8NOew3FLOH',#5,'W',$);"),
            Some(("IFCWALL", "2O2Fr$t4X7Zf8NOew3FLOH"))
        );
        assert_eq!(head("#12 = IfcWall ( '0abc' , #5);"), Some(("IfcWall", "0abc")));
        assert_eq!(head("#12=IFCWALL('',#5);"), Some(("IFCWALL", "")));
        // Anything else is decoded in full: no string, an escaped quote, a backslash escape,
        // a comment before the class.
        assert_eq!(head("#12=IFCWALL($,#5);"), None);
        assert_eq!(head("#12=IFCWALL('a''b',#5);"), None);
        assert_eq!(head("#12=IFCWALL('\\X2\\4E2D\\X0\\',#5);"), None);
        assert_eq!(head("#12=/* c */IFCWALL('a',#5);"), None);
        assert_eq!(head("#12=IFCPROPERTYSINGLEVALUE"), None);
        // A head cut through a character of raw UTF-8 still reads what comes before it.
        let long = format!("#1=IFCWALL('g1',#5,'{}');", "中".repeat(100));
        assert_eq!(head(&long), Some(("IFCWALL", "g1")));
    }
}
