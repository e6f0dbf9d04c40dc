//! 4D state: the loaded schedule, its simulation index, and the date, basis and playback the
//! user controls.
//!
//! The index is built once when the scene loads; moving the date costs one pass over the
//! distinct task combinations and one lookup per element (`SimIndex::states_at`).

use crate::state::global_ids::GlobalIds;
use crate::state::scene::ModelScene;
use bevy::prelude::*;
use plumbline_model::{ElementRef, ModelSet};
use plumbline_schedule::chrono::{Days, NaiveDate};
use plumbline_schedule::{
    active_tasks, critical_path, element_keys, late_tasks, Basis, Cpm, ElementKey, ElementStatus, Link,
    Schedule, SimIndex, StateCounts,
};

/// A loaded schedule, its simulation index and its date range.
#[derive(Debug)]
pub struct TimelineData {
    pub schedule: Schedule,
    pub index: SimIndex,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Links to elements that are in the models.
    pub linked_elements: usize,
    /// The critical path method's figures; `None` when the network has a cycle (the error is
    /// in `cpm_error`).
    pub cpm: Option<Cpm>,
    pub cpm_error: Option<String>,
    /// Per task (schedule order), the loaded elements linked to it.
    pub task_elements: Vec<Vec<ElementRef>>,
}

impl TimelineData {
    /// Whether a task is on the critical path.
    pub fn is_critical(&self, task: usize) -> bool {
        self.cpm.as_ref().and_then(|c| c.of(task)).is_some_and(|t| t.critical)
    }
}

/// The 4D state the user controls: date, play/pause, basis.
#[derive(Resource, Debug)]
pub struct Timeline {
    pub data: Option<TimelineData>,
    /// Why the schedule could not be read.
    pub error: Option<String>,
    /// Whether the 4D colours and hiding apply.
    pub enabled: bool,
    pub day: NaiveDate,
    pub playing: bool,
    pub speed_days_per_sec: f32,
    pub basis: Basis,
    /// Fraction of a day accumulated while playing.
    carry_days: f64,
    states: Vec<ElementStatus>,
    pub counts: StateCounts,
    /// Tasks running on `day` (indices into the schedule), summary tasks left out.
    pub active: Vec<usize>,
    /// Tasks behind their plan on `day`, with the days each is behind.
    pub late: Vec<(usize, i64)>,
    /// Colour the elements of late work (on by default, as a 4D review wants to see them).
    pub highlight_late: bool,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            data: None,
            error: None,
            enabled: false,
            day: NaiveDate::default(),
            playing: false,
            speed_days_per_sec: 7.0,
            basis: Basis::Planned,
            carry_days: 0.0,
            states: Vec::new(),
            counts: StateCounts::default(),
            active: Vec::new(),
            late: Vec::new(),
            highlight_late: true,
        }
    }
}

/// What a timeline is built from besides its schedule: the simulation index, the elements of
/// each task and the critical path. The part that grows with the models (2.5 s on the main
/// thread for a million-element hall), so a load builds it on its own thread
/// ([`TimelineIndex::build`]) beside the render meshes and the install only puts it together
/// ([`Timeline::from_index`]).
#[derive(Debug)]
pub struct TimelineIndex {
    index: SimIndex,
    linked_elements: usize,
    task_elements: Vec<Vec<ElementRef>>,
    cpm: Option<Cpm>,
    cpm_error: Option<String>,
}

impl TimelineIndex {
    /// Indexes a schedule's links for a model set's physical elements (the order
    /// `element_keys` gives, which is the order of `ElementId::sim`).
    pub fn build(schedule: &Schedule, links: &[Link], set: &ModelSet) -> TimelineIndex {
        let keys: Vec<ElementKey<'_>> = set.models.iter().flat_map(element_keys).collect();
        let index = SimIndex::from_links(schedule, links, &keys);
        TimelineIndex::with_sim(schedule, links, set, &GlobalIds::new(set), index)
    }

    /// [`TimelineIndex::build`] with the simulation index already made for these links and
    /// elements (`plumbline_pipeline::FourD` makes the same one: `SimIndex::for_models`), and
    /// the set's elements by GlobalId (the scene's table: a link finds the element the scene
    /// finds, and counts when any element of its GlobalId is physical).
    pub fn with_sim(
        schedule: &Schedule,
        links: &[Link],
        set: &ModelSet,
        ids: &GlobalIds,
        index: SimIndex,
    ) -> TimelineIndex {
        let task_of = schedule.task_indices();
        let mut linked_elements = 0;
        let mut task_elements = vec![Vec::new(); schedule.tasks.len()];
        for link in links {
            let found = ids.find(set, &link.global_id);
            linked_elements += usize::from(found.is_some_and(|f| f.any_physical));
            if let (Some(&t), Some(found)) = (task_of.get(link.task_id.as_str()), found) {
                task_elements[t].push(found.element);
            }
        }
        for elements in &mut task_elements {
            elements.sort_unstable();
            elements.dedup();
        }
        let (cpm, cpm_error) = match critical_path(schedule) {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e.to_string())),
        };
        TimelineIndex { index, linked_elements, task_elements, cpm, cpm_error }
    }
}

impl Timeline {
    /// Builds the timeline for a scene's physical elements (the order `element_keys` gives,
    /// which is the order of `ElementId::sim`).
    pub fn new(schedule: Schedule, links: &[Link], scene: &ModelScene) -> Option<Timeline> {
        let index = TimelineIndex::build(&schedule, links, &scene.set);
        Timeline::from_index(schedule, index)
    }

    /// The timeline of a schedule indexed for the loaded models; `None` when no task has dates.
    pub fn from_index(schedule: Schedule, built: TimelineIndex) -> Option<Timeline> {
        let (start, end) = schedule.span()?;
        let TimelineIndex { index, linked_elements, task_elements, cpm, cpm_error } = built;
        let mut t = Timeline {
            data: Some(TimelineData {
                schedule,
                index,
                start,
                end,
                linked_elements,
                cpm,
                cpm_error,
                task_elements,
            }),
            enabled: true,
            day: start,
            ..Timeline::default()
        };
        t.recompute();
        Some(t)
    }

    /// A timeline without a schedule, saying why (the schedule could not be read or has no
    /// dated tasks).
    pub fn failed(error: String) -> Timeline {
        Timeline { error: Some(error), ..Timeline::default() }
    }

    /// The element states when 4D is on.
    pub fn active_states(&self) -> Option<&[ElementStatus]> {
        (self.enabled && self.data.is_some()).then_some(self.states.as_slice())
    }

    /// Moves to a day, clamped to the schedule's range.
    pub fn set_day(&mut self, day: NaiveDate) {
        let Some(d) = &self.data else { return };
        let day = day.clamp(d.start, d.end);
        if day != self.day || self.states.is_empty() {
            self.day = day;
            self.recompute();
        }
    }

    /// Days from the start to the current day, and the length of the schedule in days.
    pub fn position(&self) -> Option<(i64, i64)> {
        let d = self.data.as_ref()?;
        Some(((self.day - d.start).num_days(), (d.end - d.start).num_days()))
    }

    /// Sets the day as a number of days after the start.
    pub fn set_position(&mut self, days: i64) {
        let Some(d) = &self.data else { return };
        let day = if days >= 0 { d.start.checked_add_days(Days::new(days as u64)) } else { Some(d.start) };
        if let Some(day) = day {
            self.set_day(day);
        }
    }

    pub fn set_basis(&mut self, basis: Basis) {
        if basis != self.basis {
            self.basis = basis;
            self.recompute();
        }
    }

    /// Advances a playing timeline by `secs` of wall time; stops at the end.
    pub fn advance(&mut self, secs: f32) {
        let Some(d) = &self.data else { return };
        if !self.playing {
            return;
        }
        self.carry_days += f64::from(secs) * f64::from(self.speed_days_per_sec);
        let whole = self.carry_days.floor();
        if whole >= 1.0 {
            self.carry_days -= whole;
            let end = d.end;
            let next = self.day.checked_add_days(Days::new(whole as u64)).unwrap_or(end).min(end);
            self.set_day(next);
        }
        if self.day >= self.data.as_ref().map_or(self.day, |d| d.end) {
            self.playing = false;
        }
    }

    fn recompute(&mut self) {
        let Some(d) = &self.data else { return };
        d.index.states_at(self.day, self.basis, &mut self.states);
        self.counts = d.index.counts_at(self.day, self.basis);
        self.active = active_tasks(&d.schedule, self.day, self.basis);
        self.late = late_tasks(&d.schedule, self.day);
    }

    /// Whether a task is behind its plan on the shown day, and by how many days.
    pub fn late_by(&self, task: usize) -> Option<i64> {
        self.late.iter().find(|(t, _)| *t == task).map(|(_, days)| *days)
    }
}
