//! The state of the site at a date: which elements are not started, being built, complete,
//! temporary, being demolished or gone, on planned or actual dates, and which are late.
//!
//! Semantics, in whole days (a task occupies its start day to its finish day, inclusive):
//! - Construct tasks build: an element appears on the first day of the earliest one and is
//!   complete after the last day of the latest one; in between it is in progress, with the
//!   share of those days done by the end of the day.
//! - Demolish tasks remove: demolishing from the first day of the earliest, gone after the
//!   last day of the latest. An element with no construct task existed before the schedule.
//! - Temporary tasks build temporary works. An element linked to one (or marked temporary by
//!   its caller, e.g. `Plumbline_Phase.Temporary = TRUE`) is "temporary present" once built;
//!   if no demolish task removes it, it exists only while its temporary task runs.
//! - Other tasks do not change what exists. An element linked to no dated task is unscheduled.
//!
//! The index groups elements by the tasks they are linked to, so a date costs one pass over the
//! groups plus, for a per-element answer, one table lookup per element.

use crate::{Link, Schedule, TaskType};
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// Which dates drive the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Planned,
    /// Actual dates where recorded; otherwise the plan, moved to the data date for work that
    /// should have started by then and has not.
    Actual,
}

/// What an element is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ElementState {
    /// Linked to no dated task: shown as it is in the model.
    Unscheduled,
    /// Its construct task has not started: hidden or ghosted.
    NotStarted,
    InProgress,
    Complete,
    TemporaryPresent,
    Demolishing,
    Demolished,
}

impl ElementState {
    pub const ALL: [ElementState; 7] = [
        ElementState::Unscheduled,
        ElementState::NotStarted,
        ElementState::InProgress,
        ElementState::Complete,
        ElementState::TemporaryPresent,
        ElementState::Demolishing,
        ElementState::Demolished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ElementState::Unscheduled => "unscheduled",
            ElementState::NotStarted => "not_started",
            ElementState::InProgress => "in_progress",
            ElementState::Complete => "complete",
            ElementState::TemporaryPresent => "temporary_present",
            ElementState::Demolishing => "demolishing",
            ElementState::Demolished => "demolished",
        }
    }

    /// Whether the element physically stands on site that day.
    pub fn exists(self) -> bool {
        !matches!(self, ElementState::NotStarted | ElementState::Demolished)
    }
}

/// One element's state on one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ElementStatus {
    pub state: ElementState,
    /// Share of the running task done by the end of the day (in progress and demolishing);
    /// 0 otherwise.
    pub fraction: f32,
    /// The actual dates are behind the planned ones on this day.
    pub late: bool,
}

impl ElementStatus {
    const UNSCHEDULED: ElementStatus =
        ElementStatus { state: ElementState::Unscheduled, fraction: 0.0, late: false };
}

/// Number of elements in each state on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StateCounts {
    pub not_started: usize,
    pub in_progress: usize,
    pub complete: usize,
    pub temporary_present: usize,
    pub demolishing: usize,
    pub demolished: usize,
    pub unscheduled: usize,
    /// Elements flagged late (also counted in their state).
    pub late: usize,
}

impl StateCounts {
    fn add(&mut self, s: ElementStatus, n: usize) {
        match s.state {
            ElementState::Unscheduled => self.unscheduled += n,
            ElementState::NotStarted => self.not_started += n,
            ElementState::InProgress => self.in_progress += n,
            ElementState::Complete => self.complete += n,
            ElementState::TemporaryPresent => self.temporary_present += n,
            ElementState::Demolishing => self.demolishing += n,
            ElementState::Demolished => self.demolished += n,
        }
        if s.late {
            self.late += n;
        }
    }

    pub fn get(&self, state: ElementState) -> usize {
        match state {
            ElementState::Unscheduled => self.unscheduled,
            ElementState::NotStarted => self.not_started,
            ElementState::InProgress => self.in_progress,
            ElementState::Complete => self.complete,
            ElementState::TemporaryPresent => self.temporary_present,
            ElementState::Demolishing => self.demolishing,
            ElementState::Demolished => self.demolished,
        }
    }
}

/// The days an element exists, inclusive; `None` ends are open (it stood before the schedule
/// starts, or is never removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Existence {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Existence {
    /// Always there.
    pub const ALWAYS: Existence = Existence { from: None, to: None };

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= day) && self.to.is_none_or(|t| day <= t)
    }
}

/// The days two elements both exist, or `None` when they never stand at the same time: the
/// time filter of a time-based clash test (only coexisting elements can clash), and the dates
/// such a clash reports.
pub fn coexistence(a: &Existence, b: &Existence) -> Option<Existence> {
    let from = match (a.from, b.from) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let to = match (a.to, b.to) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (from, to) {
        (Some(f), Some(t)) if f > t => None,
        _ => Some(Existence { from, to }),
    }
}

/// A task interval in day numbers, inclusive.
type Span = (i32, i32);

fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn from_day_number(n: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(n)
}

/// Share of a span done by the end of `day`.
fn progress(span: Span, day: i32) -> f32 {
    if day < span.0 {
        0.0
    } else if day >= span.1 {
        1.0
    } else {
        (day - span.0 + 1) as f32 / (span.1 - span.0 + 1) as f32
    }
}

fn merge(a: Option<Span>, b: Span) -> Span {
    match a {
        Some((s, f)) => (s.min(b.0), f.max(b.1)),
        None => b,
    }
}

/// The planned and actual spans of every task (`None` for undated tasks).
fn task_spans(schedule: &Schedule) -> Vec<[Option<Span>; 2]> {
    let data_date = schedule.data_date.map(day_number);
    schedule
        .tasks
        .iter()
        .map(|t| {
            let planned = match (t.start, t.finish) {
                (Some(s), Some(f)) => Some((day_number(s), day_number(f).max(day_number(s)))),
                (Some(s), None) => Some((day_number(s), day_number(s))),
                (None, Some(f)) => Some((day_number(f), day_number(f))),
                (None, None) => None,
            };
            let length = planned.map_or(0, |(s, f)| f - s);
            let actual = match (t.actual_start.map(day_number), t.actual_finish.map(day_number)) {
                (Some(s), Some(f)) => Some((s, f.max(s))),
                (Some(s), None) => {
                    let mut f = s + length;
                    if let Some(dd) = data_date {
                        f = f.max(dd);
                    }
                    Some((s, f))
                }
                (None, Some(f)) => Some((planned.map_or(f, |p| p.0.min(f)), f)),
                (None, None) => match (planned, data_date) {
                    (Some((s, _)), Some(dd)) if s < dd && t.percent_complete.unwrap_or(0.0) < 100.0 => {
                        Some((dd, dd + length))
                    }
                    (p, _) => p,
                },
            };
            [planned, actual]
        })
        .collect()
}

/// What the tasks linked to one group of elements do, per basis.
#[derive(Debug, Clone, PartialEq)]
struct Timeline {
    temporary: bool,
    /// Temporary works with no removal task: gone after their temporary task.
    vanish_after_build: bool,
    build: [Option<Span>; 2],
    remove: [Option<Span>; 2],
}

impl Timeline {
    fn new(
        tasks: &[usize],
        kinds: &[TaskType],
        spans: &[[Option<Span>; 2]],
        marked_temporary: bool,
    ) -> Timeline {
        let mut t = Timeline {
            temporary: marked_temporary,
            vanish_after_build: false,
            build: [None; 2],
            remove: [None; 2],
        };
        let mut temporary_task = false;
        for &i in tasks {
            let (Some(kind), Some(span)) = (kinds.get(i), spans.get(i)) else { continue };
            for (b, s) in span.iter().enumerate() {
                let Some(s) = *s else { continue };
                match kind {
                    TaskType::Construct => t.build[b] = Some(merge(t.build[b], s)),
                    TaskType::Temporary => {
                        t.build[b] = Some(merge(t.build[b], s));
                        temporary_task = true;
                    }
                    TaskType::Demolish => t.remove[b] = Some(merge(t.remove[b], s)),
                    TaskType::Other => {}
                }
            }
        }
        t.temporary |= temporary_task;
        t.vanish_after_build = temporary_task && t.remove[0].is_none() && t.remove[1].is_none();
        t
    }

    fn state(&self, day: i32, b: usize) -> (ElementState, f32) {
        if let Some(r) = self.remove[b] {
            if day > r.1 {
                return (ElementState::Demolished, 0.0);
            }
            if day >= r.0 {
                return (ElementState::Demolishing, progress(r, day));
            }
        }
        if let Some(s) = self.build[b] {
            if day < s.0 {
                return (ElementState::NotStarted, 0.0);
            }
            if day <= s.1 {
                return if self.vanish_after_build {
                    (ElementState::TemporaryPresent, 0.0)
                } else {
                    (ElementState::InProgress, progress(s, day))
                };
            }
            if self.vanish_after_build {
                return (ElementState::Demolished, 0.0);
            }
        } else if self.remove[b].is_none() {
            return (ElementState::Unscheduled, 0.0);
        }
        if self.temporary {
            (ElementState::TemporaryPresent, 0.0)
        } else {
            (ElementState::Complete, 0.0)
        }
    }

    fn late(&self, day: i32) -> bool {
        let behind = |planned: Option<Span>, actual: Option<Span>| match (planned, actual) {
            (Some(p), Some(a)) => progress(p, day) > progress(a, day) + 1e-6,
            _ => false,
        };
        behind(self.build[0], self.build[1]) || behind(self.remove[0], self.remove[1])
    }

    fn status(&self, day: i32, basis: Basis) -> ElementStatus {
        let b = match basis {
            Basis::Planned => 0,
            Basis::Actual => 1,
        };
        let (state, fraction) = self.state(day, b);
        ElementStatus { state, fraction, late: state != ElementState::Unscheduled && self.late(day) }
    }

    fn existence(&self, basis: Basis) -> Option<Existence> {
        let b = match basis {
            Basis::Planned => 0,
            Basis::Actual => 1,
        };
        let from = self.build[b].map(|s| s.0);
        let to = match (self.remove[b], self.build[b]) {
            (Some(r), _) => Some(r.1),
            (None, Some(s)) if self.vanish_after_build => Some(s.1),
            _ => None,
        };
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return None;
            }
        }
        Some(Existence { from: from.and_then(from_day_number), to: to.and_then(from_day_number) })
    }
}

/// One element to simulate: its GlobalId and whether the model marks it temporary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementKey<'a> {
    pub global_id: &'a str,
    pub temporary: bool,
}

/// The one-time index behind [`SimIndex::states_at`]: elements grouped by their linked tasks.
#[derive(Debug, Clone)]
pub struct SimIndex {
    /// Per element, its group; `u32::MAX` for elements linked to no task.
    group_of: Vec<u32>,
    groups: Vec<Timeline>,
    group_sizes: Vec<usize>,
    unlinked: usize,
}

/// Distinct sorted sets of task indices, each numbered once.
#[derive(Default)]
struct TaskSets {
    numbers: HashMap<Vec<usize>, u32>,
    sets: Vec<Vec<usize>>,
}

impl TaskSets {
    /// The number of the set of `tasks` (sorted and deduplicated here); `None` for the empty
    /// set (an element linked to no task of the schedule).
    fn intern(&mut self, tasks: &mut Vec<usize>) -> Option<u32> {
        tasks.sort_unstable();
        tasks.dedup();
        if tasks.is_empty() {
            return None;
        }
        if let Some(&n) = self.numbers.get(tasks.as_slice()) {
            return Some(n);
        }
        let n = self.sets.len() as u32;
        self.sets.push(tasks.to_vec());
        self.numbers.insert(tasks.to_vec(), n);
        Some(n)
    }
}

/// Builds a [`SimIndex`] element by element: elements with the same tasks and temporary mark
/// share a group, numbered in the order the elements first show it.
struct Grouping {
    kinds: Vec<TaskType>,
    spans: Vec<[Option<Span>; 2]>,
    group_by_key: HashMap<(u32, bool), u32>,
    index: SimIndex,
}

impl Grouping {
    fn new(schedule: &Schedule) -> Grouping {
        Grouping {
            kinds: schedule.tasks.iter().map(|t| t.task_type).collect(),
            spans: task_spans(schedule),
            group_by_key: HashMap::default(),
            index: SimIndex {
                group_of: Vec::new(),
                groups: Vec::new(),
                group_sizes: Vec::new(),
                unlinked: 0,
            },
        }
    }

    /// The next element: its set of tasks (a number from `sets`; `None` when it has none) and
    /// its temporary mark.
    fn push(&mut self, sets: &TaskSets, set: Option<u32>, temporary: bool) {
        let index = &mut self.index;
        let Some(set) = set else {
            index.group_of.push(u32::MAX);
            index.unlinked += 1;
            return;
        };
        let next = index.groups.len() as u32;
        let (kinds, spans) = (&self.kinds, &self.spans);
        let g = *self.group_by_key.entry((set, temporary)).or_insert_with(|| {
            index.groups.push(Timeline::new(&sets.sets[set as usize], kinds, spans, temporary));
            index.group_sizes.push(0);
            next
        });
        index.group_sizes[g as usize] += 1;
        index.group_of.push(g);
    }
}

impl SimIndex {
    /// Builds the index from each element's linked task indices (into `schedule.tasks`) and its
    /// temporary mark, in element order.
    pub fn new<I>(schedule: &Schedule, elements: I) -> SimIndex
    where
        I: IntoIterator<Item = (Vec<usize>, bool)>,
    {
        let mut sets = TaskSets::default();
        let mut grouping = Grouping::new(schedule);
        for (mut tasks, temporary) in elements {
            let set = sets.intern(&mut tasks);
            grouping.push(&sets, set, temporary);
        }
        grouping.index
    }

    /// Builds the index from element–task links by GlobalId. Links to unknown tasks are
    /// ignored here (see [`crate::link_report`]).
    ///
    /// Each GlobalId's set of tasks is found once and interned: a hall links a million
    /// elements to a few hundred distinct sets, so an element costs one lookup of its GlobalId
    /// and no allocation (a list of tasks per GlobalId, and a copy of it per element, took most
    /// of a million-element hall's 4D index).
    pub fn from_links(schedule: &Schedule, links: &[Link], elements: &[ElementKey<'_>]) -> SimIndex {
        let task_index = schedule.task_indices();
        // The links of one GlobalId side by side: `gather_links` gives them sorted already.
        let mut by_id: Vec<&Link> = links.iter().collect();
        if !by_id.is_sorted_by(|a, b| a.global_id <= b.global_id) {
            by_id.sort_by(|a, b| a.global_id.cmp(&b.global_id));
        }
        let mut sets = TaskSets::default();
        // Each GlobalId with a task of the schedule, and the number of its set of tasks.
        let mut set_of: HashMap<&str, u32> =
            HashMap::with_capacity_and_hasher(by_id.len(), Default::default());
        let mut tasks = Vec::new();
        for run in by_id.chunk_by(|a, b| a.global_id == b.global_id) {
            tasks.clear();
            tasks.extend(run.iter().filter_map(|l| task_index.get(l.task_id.as_str()).copied()));
            if let Some(set) = sets.intern(&mut tasks) {
                set_of.insert(run[0].global_id.as_str(), set);
            }
        }
        let mut grouping = Grouping::new(schedule);
        for e in elements {
            grouping.push(&sets, set_of.get(e.global_id).copied(), e.temporary);
        }
        grouping.index
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.group_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.group_of.is_empty()
    }

    /// Number of distinct task combinations (what a date costs before the per-element pass).
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    fn group_statuses(&self, day: NaiveDate, basis: Basis) -> Vec<ElementStatus> {
        let d = day_number(day);
        self.groups.iter().map(|g| g.status(d, basis)).collect()
    }

    /// The state of element `element` (its position in the list the index was built from).
    pub fn state(&self, element: usize, day: NaiveDate, basis: Basis) -> ElementStatus {
        match self.group_of.get(element).copied() {
            Some(g) if g != u32::MAX => self.groups[g as usize].status(day_number(day), basis),
            _ => ElementStatus::UNSCHEDULED,
        }
    }

    /// The state of every element on `day`, written into `out` (resized to [`Self::len`]).
    pub fn states_at(&self, day: NaiveDate, basis: Basis, out: &mut Vec<ElementStatus>) {
        let per_group = self.group_statuses(day, basis);
        out.clear();
        out.extend(self.group_of.iter().map(|&g| {
            if g == u32::MAX {
                ElementStatus::UNSCHEDULED
            } else {
                per_group[g as usize]
            }
        }));
    }

    /// How many elements are in each state on `day` (one pass over the groups only).
    pub fn counts_at(&self, day: NaiveDate, basis: Basis) -> StateCounts {
        let mut counts = StateCounts::default();
        for (s, &n) in self.group_statuses(day, basis).into_iter().zip(&self.group_sizes) {
            counts.add(s, n);
        }
        counts.add(ElementStatus::UNSCHEDULED, self.unlinked);
        counts
    }

    /// The days element `element` exists; `None` if its tasks remove it before building it.
    pub fn existence(&self, element: usize, basis: Basis) -> Option<Existence> {
        match self.group_of.get(element).copied() {
            Some(g) if g != u32::MAX => self.groups[g as usize].existence(basis),
            _ => Some(Existence::ALWAYS),
        }
    }

    /// The days elements `a` and `b` both exist, or `None` when they never stand together.
    pub fn coexist(&self, a: usize, b: usize, basis: Basis) -> Option<Existence> {
        coexistence(&self.existence(a, basis)?, &self.existence(b, basis)?)
    }

    /// Whether element `element` is temporary works (linked to a temporary task or marked).
    pub fn is_temporary(&self, element: usize) -> bool {
        match self.group_of.get(element).copied() {
            Some(g) if g != u32::MAX => self.groups[g as usize].temporary,
            _ => false,
        }
    }
}

/// Tasks (summary tasks left out) whose actual progress is behind their planned progress at the
/// end of `day`, with the days by which each is behind: the same test that flags an element
/// late in [`ElementStatus::late`], so the Gantt and the 3D view agree. Actual spans are the
/// recorded dates, or the plan moved to the data date for work not yet done.
pub fn late_tasks(schedule: &Schedule, day: NaiveDate) -> Vec<(usize, i64)> {
    let d = day_number(day);
    task_spans(schedule)
        .iter()
        .enumerate()
        .filter(|(i, _)| !schedule.tasks[*i].summary)
        .filter_map(|(i, [planned, actual])| {
            let (p, a) = ((*planned)?, (*actual)?);
            (progress(p, d) > progress(a, d) + 1e-6).then(|| {
                // Behind by the larger of the start and finish slips (actual or forecast).
                let slip = (a.0 - p.0).max(a.1 - p.1).max(1);
                (i, i64::from(slip))
            })
        })
        .collect()
}

/// Indices of the tasks running on `day` (start day to finish day), in schedule order; summary
/// tasks are left out.
pub fn active_tasks(schedule: &Schedule, day: NaiveDate, basis: Basis) -> Vec<usize> {
    let d = day_number(day);
    let b = match basis {
        Basis::Planned => 0,
        Basis::Actual => 1,
    };
    task_spans(schedule)
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            !schedule.tasks[*i].summary && s[b].is_some_and(|(start, finish)| start <= d && d <= finish)
        })
        .map(|(i, _)| i)
        .collect()
}
