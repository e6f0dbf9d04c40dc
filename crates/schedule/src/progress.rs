//! Progress at a date: planned against actual per task and per WBS level, milestones with
//! their variance, late tasks with their delay, and the S-curve (the weekly report and the
//! milestone review of a site team). Pure: the writers (HTML, XLSX) live in `plumbline-report`.
//!
//! Definitions (also in the README):
//! - A task's **planned %** at a day is the share of its planned days (start to finish,
//!   inclusive, calendar days) elapsed by the end of that day; 0 before its start, 100 from its
//!   finish.
//! - Its **actual %** is 100 once it has an actual finish on or before the day, 0 before its
//!   actual start, and otherwise the recorded percent complete — the status at the data date —
//!   reached linearly from the actual start to the data date (or to `at` where the schedule has
//!   no data date). A task started without a recorded percentage counts by elapsed time against
//!   its planned length.
//! - Totals and WBS levels weight each task by its planned duration (working days where the
//!   file states them, else calendar days); milestones and summaries weigh nothing.
//! - **Forecast** finish of unfinished work: the early finish the source tool stored (P6, MS
//!   Project), else the planned length counted on from `at` (remaining share only for started
//!   work). **Delay** is forecast or actual finish minus planned finish, in calendar days.

use crate::{Schedule, Task};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a task stands at the report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    NotStarted,
    InProgress,
    Complete,
}

impl ProgressState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressState::NotStarted => "not_started",
            ProgressState::InProgress => "in_progress",
            ProgressState::Complete => "complete",
        }
    }
}

/// One task, planned against actual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskProgress {
    pub id: String,
    pub name: String,
    pub wbs: Vec<String>,
    pub milestone: bool,
    pub planned_start: NaiveDate,
    pub planned_finish: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    /// Actual finish, or the forecast of unfinished work.
    pub expected_finish: NaiveDate,
    pub planned_pct: f64,
    pub actual_pct: f64,
    pub state: ProgressState,
    /// Expected minus planned finish, calendar days (negative: early).
    pub finish_variance_days: i64,
    /// Planned duration the totals weight this task by.
    pub weight_days: f64,
}

/// A WBS node: the weighted progress of every task under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WbsProgress {
    /// The WBS names from the top down to this node.
    pub path: Vec<String>,
    /// 1 for the top level.
    pub level: usize,
    pub tasks: usize,
    pub planned_pct: f64,
    pub actual_pct: f64,
}

/// A milestone with its variance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneProgress {
    pub id: String,
    pub name: String,
    pub planned: NaiveDate,
    /// The actual date where reached, else the forecast.
    pub expected: NaiveDate,
    pub achieved: bool,
    /// Expected minus planned, calendar days (positive: late).
    pub variance_days: i64,
}

/// A task that finished late, or will: unfinished past its planned finish, not started past its
/// planned start, or forecast to finish late.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LateTask {
    pub id: String,
    pub name: String,
    pub planned_finish: NaiveDate,
    pub expected_finish: NaiveDate,
    pub state: ProgressState,
    pub delay_days: i64,
}

/// One point of the S-curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    pub date: NaiveDate,
    pub planned_pct: f64,
    /// Only up to the report date.
    pub actual_pct: Option<f64>,
}

/// What the figures could not take into account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum ProgressNote {
    /// Tasks without planned dates, left out.
    Undated { tasks: usize },
    /// The report date is after the data date: actual progress is known up to the data date.
    AfterDataDate { data_date: NaiveDate },
}

impl std::fmt::Display for ProgressNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProgressNote::Undated { tasks } => {
                write!(f, "{tasks} tasks have no planned dates and are left out")
            }
            ProgressNote::AfterDataDate { data_date } => write!(
                f,
                "actual progress is recorded up to the data date {data_date}; the report date is later"
            ),
        }
    }
}

/// The progress report of a schedule at a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub at: NaiveDate,
    pub data_date: Option<NaiveDate>,
    pub planned_pct: f64,
    pub actual_pct: f64,
    pub tasks: Vec<TaskProgress>,
    pub wbs: Vec<WbsProgress>,
    pub milestones: Vec<MilestoneProgress>,
    /// Most delayed first.
    pub late: Vec<LateTask>,
    pub s_curve: Vec<CurvePoint>,
    /// What the numbers could not take into account (tasks without dates...).
    pub notes: Vec<ProgressNote>,
}

/// The progress of `schedule` at `at` (see the module documentation for the definitions).
pub fn progress_at(schedule: &Schedule, at: NaiveDate) -> Progress {
    let status_day = schedule.data_date.unwrap_or(at);
    let mut notes = Vec::new();
    let mut undated = 0usize;
    let mut tasks: Vec<TaskProgress> = Vec::new();
    for task in schedule.tasks.iter().filter(|t| !t.summary) {
        let (Some(start), Some(finish)) = (task.start.or(task.actual_start), task.finish.or(task.start))
        else {
            undated += 1;
            continue;
        };
        let finish = finish.max(start);
        let weight_days = if task.milestone {
            0.0
        } else {
            task.duration_days.filter(|d| *d > 0.0).unwrap_or_else(|| days(start, finish) as f64 + 1.0)
        };
        let actual_pct = actual_pct_at(task, start, finish, at, status_day);
        let state = if task.actual_finish.is_some_and(|f| f <= at) {
            ProgressState::Complete
        } else if task.actual_start.is_some_and(|s| s <= at) {
            ProgressState::InProgress
        } else {
            ProgressState::NotStarted
        };
        let expected_finish = expected_finish(task, start, finish, at, state, actual_pct);
        tasks.push(TaskProgress {
            id: task.id.clone(),
            name: task.name.clone(),
            wbs: task.wbs.clone(),
            milestone: task.milestone,
            planned_start: start,
            planned_finish: finish,
            actual_start: task.actual_start,
            actual_finish: task.actual_finish,
            expected_finish,
            planned_pct: planned_pct_at(start, finish, at),
            actual_pct,
            state,
            finish_variance_days: days(finish, expected_finish),
            weight_days,
        });
    }
    if undated > 0 {
        notes.push(ProgressNote::Undated { tasks: undated });
    }
    if let Some(data_date) = schedule.data_date.filter(|d| at > *d) {
        notes.push(ProgressNote::AfterDataDate { data_date });
    }
    let (planned_pct, actual_pct) = weighted(tasks.iter());
    let wbs = wbs_levels(&tasks);
    let milestones = tasks
        .iter()
        .filter(|t| t.milestone)
        .map(|t| MilestoneProgress {
            id: t.id.clone(),
            name: t.name.clone(),
            planned: t.planned_finish,
            expected: t.expected_finish,
            achieved: t.state == ProgressState::Complete,
            variance_days: t.finish_variance_days,
        })
        .collect();
    let mut late: Vec<LateTask> = tasks
        .iter()
        .filter(|t| {
            t.finish_variance_days > 0
                || (t.state != ProgressState::Complete && t.planned_finish < at)
                || (t.state == ProgressState::NotStarted && t.planned_start < at)
        })
        .map(|t| LateTask {
            id: t.id.clone(),
            name: t.name.clone(),
            planned_finish: t.planned_finish,
            expected_finish: t.expected_finish,
            state: t.state,
            delay_days: t.finish_variance_days.max(0),
        })
        .collect();
    late.sort_by(|a, b| b.delay_days.cmp(&a.delay_days).then_with(|| a.id.cmp(&b.id)));
    let s_curve = s_curve(schedule, &tasks, at, status_day);
    Progress {
        at,
        data_date: schedule.data_date,
        planned_pct,
        actual_pct,
        tasks,
        wbs,
        milestones,
        late,
        s_curve,
        notes,
    }
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Share of the planned days elapsed by the end of `day`.
fn planned_pct_at(start: NaiveDate, finish: NaiveDate, day: NaiveDate) -> f64 {
    if day < start {
        0.0
    } else if day >= finish {
        100.0
    } else {
        100.0 * (days(start, day) + 1) as f64 / (days(start, finish) + 1) as f64
    }
}

fn actual_pct_at(
    task: &Task,
    start: NaiveDate,
    finish: NaiveDate,
    day: NaiveDate,
    status_day: NaiveDate,
) -> f64 {
    if task.actual_finish.is_some_and(|f| f <= day) {
        return 100.0;
    }
    let Some(actual_start) = task.actual_start.filter(|s| *s <= day) else {
        return 0.0;
    };
    if let Some(actual_finish) = task.actual_finish {
        // Finished after `day`: linear over the actual span.
        return planned_pct_at(actual_start, actual_finish, day).min(99.9);
    }
    match task.percent_complete {
        Some(pct) => {
            let pct = pct.clamp(0.0, 100.0);
            if day >= status_day {
                pct
            } else {
                pct * (days(actual_start, day) + 1) as f64
                    / (days(actual_start, status_day) + 1).max(1) as f64
            }
        }
        None => {
            planned_pct_at(actual_start, actual_start + Days::new(days(start, finish).max(0) as u64), day)
                .min(99.9)
        }
    }
}

fn expected_finish(
    task: &Task,
    start: NaiveDate,
    finish: NaiveDate,
    at: NaiveDate,
    state: ProgressState,
    actual_pct: f64,
) -> NaiveDate {
    if let Some(f) = task.actual_finish.filter(|_| state == ProgressState::Complete) {
        return f;
    }
    if let Some(stored) = task.plan.stored.and_then(|s| s.early_finish) {
        return finish_day_of(stored).max(start.min(finish));
    }
    let length = days(start, finish).max(0) as f64 + 1.0;
    let from_at = |left_days: f64| at + Days::new((left_days.ceil().max(1.0) as u64).saturating_sub(1));
    match state {
        // Not due yet: the plan stands.
        ProgressState::NotStarted if start >= at => finish,
        // Due but not started: the whole planned length from the report date.
        ProgressState::NotStarted => from_at(length),
        // The remaining share of the planned length from the report date.
        _ => from_at(length * (1.0 - actual_pct / 100.0)),
    }
}

/// A stored finish written as midnight closes the day before.
fn finish_day_of(stored: chrono::NaiveDateTime) -> NaiveDate {
    crate::text::finish_day(
        Some(crate::text::Moment { date: stored.date(), time: Some(stored.time()) }),
        None,
    )
    .unwrap_or(stored.date())
}

fn weighted<'a>(tasks: impl Iterator<Item = &'a TaskProgress>) -> (f64, f64) {
    let (mut w, mut p, mut a) = (0.0, 0.0, 0.0);
    for t in tasks {
        w += t.weight_days;
        p += t.weight_days * t.planned_pct;
        a += t.weight_days * t.actual_pct;
    }
    if w > 0.0 {
        (round1(p / w), round1(a / w))
    } else {
        (0.0, 0.0)
    }
}

fn wbs_levels(tasks: &[TaskProgress]) -> Vec<WbsProgress> {
    let mut nodes: BTreeMap<&[String], Vec<&TaskProgress>> = BTreeMap::new();
    for t in tasks {
        for depth in 1..=t.wbs.len() {
            nodes.entry(&t.wbs[..depth]).or_default().push(t);
        }
    }
    nodes
        .into_iter()
        .map(|(path, under)| {
            let (planned_pct, actual_pct) = weighted(under.iter().copied());
            WbsProgress {
                path: path.to_vec(),
                level: path.len(),
                tasks: under.len(),
                planned_pct,
                actual_pct,
            }
        })
        .collect()
}

/// Weekly points from the first planned or actual start to the last planned or expected
/// finish, with the report date among them; actual values up to the report date.
fn s_curve(
    schedule: &Schedule,
    tasks: &[TaskProgress],
    at: NaiveDate,
    status_day: NaiveDate,
) -> Vec<CurvePoint> {
    let Some(first) = tasks.iter().flat_map(|t| [Some(t.planned_start), t.actual_start]).flatten().min()
    else {
        return Vec::new();
    };
    let last =
        tasks.iter().flat_map(|t| [t.planned_finish, t.expected_finish]).max().unwrap_or(first).max(at);
    let by_id: BTreeMap<&str, &Task> = schedule.tasks.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut dates: Vec<NaiveDate> = Vec::new();
    let mut d = first;
    while d < last {
        dates.push(d);
        d = d + Days::new(7);
    }
    dates.push(last);
    dates.push(at);
    dates.sort();
    dates.dedup();
    let total_weight: f64 = tasks.iter().map(|t| t.weight_days).sum();
    dates
        .into_iter()
        .map(|date| {
            let share = |f: &dyn Fn(&TaskProgress) -> f64| {
                if total_weight > 0.0 {
                    round1(tasks.iter().map(|t| t.weight_days * f(t)).sum::<f64>() / total_weight)
                } else {
                    0.0
                }
            };
            let planned_pct = share(&|t| planned_pct_at(t.planned_start, t.planned_finish, date));
            let actual_pct = (date <= at).then(|| {
                share(&|t| match by_id.get(t.id.as_str()) {
                    Some(task) => actual_pct_at(task, t.planned_start, t.planned_finish, date, status_day),
                    None => 0.0,
                })
            });
            CurvePoint { date, planned_pct, actual_pct }
        })
        .collect()
}
