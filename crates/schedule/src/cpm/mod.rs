//! Critical path method as P6 and MS Project compute it: forward and backward passes in minutes,
//! each activity on its own calendar, with FS, SS, FF and SF relationships and their lags
//! (negative lags are leads), activity types, constraints, the data date and progress.
//!
//! Schedules read from P6 (XER, XML) and MS Project (MSPDI) carry their calendars with hours,
//! their durations in hours and their options in [`crate::plan`]; the passes follow them (see
//! [`pass`] for the conventions). Schedules without those (CSV, IFC, built in code) are counted
//! in whole working days of [`Schedule::calendar`], every day when it has none:
//! - a task without predecessors starts no earlier than its own planned start; one without a
//!   date at the project start (the earliest planned start);
//! - durations are the source's, or the working days between the planned dates.
//!
//! In both cases summary tasks are left out of the network, open ends finish on the project
//! finish, and a task is critical when its total float is at most the file's critical limit
//! (zero unless the file says otherwise). The day offsets of [`CpmTask`] are working days of
//! each task's calendar from the project start.

pub(crate) mod network;
pub(crate) mod pass;
mod topo;

use crate::calendar::Tm;
use crate::{Schedule, ScheduleError};
use chrono::{NaiveDate, NaiveDateTime};
use network::{Network, Status};
use pass::Times;
use serde::Serialize;

/// CPM figures of one task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpmTask {
    /// Index into [`Schedule::tasks`].
    pub task: usize,
    /// Remaining duration in working days of the task's calendar.
    pub duration_days: f64,
    pub early_start_days: f64,
    pub early_finish_days: f64,
    pub late_start_days: f64,
    pub late_finish_days: f64,
    pub total_float_days: f64,
    /// Total float in working hours of the task's calendar.
    pub total_float_hours: f64,
    pub critical: bool,
    /// Calendar dates of the moments (start days, and the days finishes close); `None` when no
    /// task of the schedule has a date to anchor the network.
    pub early_start: Option<NaiveDate>,
    pub early_finish: Option<NaiveDate>,
    pub late_start: Option<NaiveDate>,
    pub late_finish: Option<NaiveDate>,
    /// The moments themselves, to the minute.
    pub early_start_at: Option<NaiveDateTime>,
    pub early_finish_at: Option<NaiveDateTime>,
    pub late_start_at: Option<NaiveDateTime>,
    pub late_finish_at: Option<NaiveDateTime>,
}

/// The result of a CPM run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cpm {
    /// The data (status) date the network was computed at, where the schedule has one.
    pub data_date: Option<NaiveDateTime>,
    pub project_start: Option<NaiveDate>,
    pub project_finish: Option<NaiveDate>,
    /// Project length in working days of the default calendar.
    pub duration_days: f64,
    /// One entry per task in the network (summary tasks excluded), in schedule order.
    pub tasks: Vec<CpmTask>,
    /// Critical tasks (indices into [`Schedule::tasks`]) by early start, then schedule order.
    pub critical_path: Vec<usize>,
    /// Named warnings (`warning[name]: file: line: activity: ...`) about inputs the passes
    /// used as recorded although they look wrong.
    pub warnings: Vec<String>,
}

impl Cpm {
    /// The figures of task `task` (an index into [`Schedule::tasks`]).
    pub fn of(&self, task: usize) -> Option<&CpmTask> {
        self.tasks.binary_search_by_key(&task, |t| t.task).ok().map(|i| &self.tasks[i])
    }
}

/// Remaining durations of the compiled network (what a risk run samples around).
pub(crate) fn durations(net: &Network) -> Vec<i64> {
    net.nodes.iter().map(|n| n.dur).collect()
}

/// Runs the passes on a compiled network with durations `dur`.
pub(crate) fn run_passes(
    schedule: &Schedule,
    net: &Network,
    dur: &[i64],
    times: &mut Times,
) -> Result<(), ScheduleError> {
    pass::forward(net, dur, times).map_err(|i| net.range_error(schedule, i, "its early dates"))?;
    pass::backward(net, dur, times).map_err(|i| net.range_error(schedule, i, "its late dates"))?;
    pass::as_late_as_possible(net, dur, times).map_err(|i| net.range_error(schedule, i, "its dates"))?;
    Ok(())
}

/// Runs the forward and backward passes. A cycle is [`ScheduleError::Cycle`] naming its tasks;
/// inputs that cannot be scheduled are [`ScheduleError::Activity`] naming the file, line and
/// activity.
pub fn critical_path(schedule: &Schedule) -> Result<Cpm, ScheduleError> {
    let net = Network::build(schedule)?;
    let dur = durations(&net);
    let mut t = Times::sized(&net);
    run_passes(schedule, &net, &dur, &mut t)?;
    Ok(assemble(schedule, &net, &dur, &t))
}

fn assemble(schedule: &Schedule, net: &Network, dur: &[i64], t: &Times) -> Cpm {
    let clock = net.clock;
    let members: Vec<usize> = (0..net.nodes.len()).filter(|&i| net.in_net[i]).collect();
    let anchored = !members.is_empty();
    let project_start_tm: Option<Tm> = members.iter().map(|&i| t.es[i]).min();
    let project_finish_tm: Option<Tm> = members.iter().map(|&i| t.ef[i]).max();
    let start = project_start_tm.unwrap_or(0);
    let mut tasks = Vec::with_capacity(members.len());
    for &i in &members {
        let node = &net.nodes[i];
        let cal = &net.tables[node.cal];
        let day = cal.day_minutes;
        let offset = |x: Tm| cal.between(start, x).map_or(0.0, |w| w as f64 / day);
        let limit = net.critical_float_min.get(node.project).copied().unwrap_or(0.0);
        let tf = t.tf[i] as f64;
        let critical = node.status != Status::Complete && tf <= limit + 1e-9;
        let es = if node.status == Status::InProgress { t.rs[i] } else { t.es[i] };
        tasks.push(CpmTask {
            task: i,
            duration_days: dur[i] as f64 / day,
            early_start_days: offset(es),
            early_finish_days: offset(t.ef[i]),
            late_start_days: offset(t.ls[i]),
            late_finish_days: offset(t.lf[i]),
            total_float_days: tf / day,
            total_float_hours: tf / 60.0,
            critical,
            early_start: anchored.then(|| clock.start_date(t.es[i])),
            early_finish: anchored.then(|| clock.finish_date(t.es[i], t.ef[i])),
            late_start: anchored.then(|| clock.start_date(t.ls[i])),
            late_finish: anchored.then(|| clock.finish_date(t.ls[i], t.lf[i])),
            early_start_at: anchored.then(|| clock.to_datetime(t.es[i])),
            early_finish_at: anchored.then(|| clock.to_datetime(t.ef[i])),
            late_start_at: anchored.then(|| clock.to_datetime(t.ls[i])),
            late_finish_at: anchored.then(|| clock.to_datetime(t.lf[i])),
        });
    }
    let mut critical_path: Vec<usize> = tasks.iter().filter(|c| c.critical).map(|c| c.task).collect();
    critical_path.sort_by(|&a, &b| t.es[a].cmp(&t.es[b]).then(a.cmp(&b)));
    let default = &net.tables[net.default_cal];
    let duration_days = match (project_start_tm, project_finish_tm) {
        (Some(s), Some(f)) => default.between(s, f).map_or(0.0, |w| w as f64 / default.day_minutes),
        _ => 0.0,
    };
    let dated = schedule.tasks.iter().any(|x| x.start.is_some() || x.plan.planned_start.is_some())
        || net.data_date.iter().any(Option::is_some);
    Cpm {
        data_date: net.data_date.iter().flatten().max().map(|&d| clock.to_datetime(d)),
        project_start: project_start_tm.filter(|_| dated).map(|s| clock.start_date(s)),
        project_finish: project_finish_tm.filter(|_| dated).map(|f| clock.finish_date(start, f)),
        duration_days,
        tasks: if dated { tasks } else { strip_dates(tasks) },
        critical_path,
        warnings: net.warnings.clone(),
    }
}

/// Without any date in the schedule the moments are arbitrary: only the offsets mean something.
fn strip_dates(mut tasks: Vec<CpmTask>) -> Vec<CpmTask> {
    for c in &mut tasks {
        c.early_start = None;
        c.early_finish = None;
        c.late_start = None;
        c.late_finish = None;
        c.early_start_at = None;
        c.early_finish_at = None;
        c.late_start_at = None;
        c.late_finish_at = None;
    }
    tasks
}
