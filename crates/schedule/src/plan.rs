//! What the CPM needs beyond the day-level [`crate::Task`]: calendars with hours, durations and
//! lags in minutes, activity types, constraints, progress, the scheduling options of the file,
//! and the dates the source tool itself computed (to compare against).
//!
//! Readers of P6 and MS Project files fill these in; a schedule built in code or read from CSV
//! or IFC leaves them empty and the CPM falls back to whole working days of
//! [`crate::Schedule::calendar`].

use crate::calendar::WorkCalendar;
use chrono::NaiveDateTime;
use serde::Serialize;

/// How an activity takes part in the network (P6 activity types; MS Project tasks map to
/// `Task`, `StartMilestone` and `WbsSummary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    #[default]
    Task,
    /// Scheduled by its resources' calendars; this engine uses the activity's calendar.
    ResourceDependent,
    /// Zero duration, placed at a start (the next working minute).
    StartMilestone,
    /// Zero duration, placed at a finish (the end of the last working minute).
    FinishMilestone,
    /// Spans from its predecessors to its successors and drives nothing.
    LevelOfEffort,
    /// Rolls up a WBS node; left out of the network.
    WbsSummary,
}

/// A date constraint on an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    StartOn,
    StartNoEarlier,
    StartNoLater,
    FinishOn,
    FinishNoEarlier,
    FinishNoLater,
    /// Mandatory start and finish override the network logic in both passes.
    MandatoryStart,
    MandatoryFinish,
    /// Early dates as late as the successors allow (zero free float).
    AsLateAsPossible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Constraint {
    pub kind: ConstraintKind,
    /// The constraint's date (`None` only for as late as possible).
    pub at: Option<NaiveDateTime>,
}

/// Three-point estimate of the remaining duration, in working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThreePoint {
    pub optimistic_min: f64,
    pub most_likely_min: f64,
    pub pessimistic_min: f64,
}

/// The figures the source tool stored for an activity.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct StoredDates {
    pub early_start: Option<NaiveDateTime>,
    pub early_finish: Option<NaiveDateTime>,
    pub late_start: Option<NaiveDateTime>,
    pub late_finish: Option<NaiveDateTime>,
    /// Total float in working minutes of the activity's calendar.
    pub total_float_min: Option<f64>,
    pub critical: Option<bool>,
}

/// CPM facts of one task. Everything is optional: the CPM falls back to the day-level fields.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TaskPlan {
    /// Index into [`SchedulePlan::calendars`].
    pub calendar: Option<usize>,
    pub kind: ActivityKind,
    /// Original (planned) duration in working minutes.
    pub duration_min: Option<i64>,
    /// Remaining duration in working minutes (what the CPM schedules from the data date).
    pub remaining_min: Option<i64>,
    pub constraints: Vec<Constraint>,
    pub actual_start: Option<NaiveDateTime>,
    pub actual_finish: Option<NaiveDateTime>,
    /// A planned start with its time of day (anchors a task without predecessors in
    /// schedules that have no data date).
    pub planned_start: Option<NaiveDateTime>,
    /// MS Project's manually scheduled task: its dates are the user's, not the CPM's.
    pub manual: bool,
    pub stored: Option<StoredDates>,
    /// Index into [`SchedulePlan::projects`].
    pub project: usize,
    /// Line (XER row) of the activity in its file, for messages.
    pub line: usize,
    pub three_point: Option<ThreePoint>,
}

/// Which calendar counts a relationship's lag (P6 "calendar for scheduling relationship lag").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LagCalendar {
    #[default]
    Predecessor,
    Successor,
    TwentyFourHour,
    ProjectDefault,
}

/// How progress that broke the logic is scheduled (P6 "when scheduling progressed activities
/// use").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressMode {
    /// The remaining work of an out-of-sequence activity waits for its predecessors.
    #[default]
    RetainedLogic,
    /// An activity that has started ignores its unfinished predecessors.
    ProgressOverride,
}

/// Total float as P6 defines it (`sched_float_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FloatKind {
    /// Late start minus early start.
    Start,
    /// Late finish minus early finish (P6's default).
    #[default]
    Finish,
    /// The smaller of the two.
    Smallest,
}

/// Where a task without predecessors starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenStart {
    /// At its own planned start (schedules without a data date: CSV, IFC, code).
    #[default]
    PlannedStart,
    /// At the data date or the project start, whichever is later (P6, MS Project).
    ProjectStart,
}

/// One project of the file (an XER or P6 XML can hold several; they are scheduled together,
/// each open end finishing on its own project's finish).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ProjectPlan {
    pub name: String,
    /// The data (status) date: no remaining work is scheduled before it.
    pub data_date: Option<NaiveDateTime>,
    /// The planned project start.
    pub start: Option<NaiveDateTime>,
    /// "Must finish by": the late finish of the open ends, where set.
    pub must_finish_by: Option<NaiveDateTime>,
    /// Activities with at most this total float (minutes) are critical.
    pub critical_float_min: f64,
    pub default_calendar: Option<usize>,
}

/// The file's calendars and scheduling options.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SchedulePlan {
    pub calendars: Vec<WorkCalendar>,
    pub projects: Vec<ProjectPlan>,
    pub lag_calendar: LagCalendar,
    pub progress: ProgressMode,
    pub float: FloatKind,
    pub open_start: OpenStart,
    /// Start-to-start lags of started predecessors count from the data date (P6 "calculate
    /// start-to-start lag from early start") rather than the actual start.
    pub ss_lag_from_early_start: bool,
    /// An as-late-as-possible activity's total float is measured from the early dates it was
    /// moved to (P6: the free float it consumed is gone), rather than from those before the
    /// move (MS Project keeps the early dates and starts the task at its late start).
    pub alap_float_from_moved_dates: bool,
    /// Exact lags in working minutes, parallel to [`crate::Schedule::dependencies`] where the
    /// reader knew them (`None`: the dependency's `lag_days` times the lag calendar's day).
    pub lag_min: Vec<Option<i64>>,
    /// Lags counted in elapsed time (MS Project `elapsed` formats), parallel likewise.
    pub lag_elapsed: Vec<bool>,
    /// What the file left unreproducible or unusual, for reports (`None` when nothing).
    pub notes: Vec<String>,
}

impl SchedulePlan {
    /// Whether a reader filled this in (calendars with hours).
    pub fn is_detailed(&self) -> bool {
        !self.calendars.is_empty()
    }
}
