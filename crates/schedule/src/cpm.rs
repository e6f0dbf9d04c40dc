//! Critical path method: forward and backward passes over the dependency network in working days
//! of the schedule's calendar, with FS, SS, FF and SF links and their lags (negative lags are
//! leads).
//!
//! Conventions:
//! - Times are working-day offsets from the project start (the earliest planned start): a task
//!   with early start 0 and duration 3 occupies working days 0, 1 and 2 and has early finish 3.
//! - A task without predecessors starts no earlier than its own planned start (an open start
//!   is anchored where the planner put it); one without a date starts at the project start.
//! - Durations are the source's durations, or the working days between the planned dates.
//! - Summary tasks are left out of the network; links to them are ignored.
//! - Tasks without successors must finish by the project finish (the latest early finish).
//! - Total float is late start minus early start; a task is critical when it is zero or less.

use crate::{Calendar, DependencyType, Schedule, ScheduleError};
use chrono::NaiveDate;
use serde::Serialize;

const EPS: f64 = 1e-6;

/// CPM figures of one task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpmTask {
    /// Index into [`Schedule::tasks`].
    pub task: usize,
    pub duration_days: f64,
    pub early_start_days: f64,
    pub early_finish_days: f64,
    pub late_start_days: f64,
    pub late_finish_days: f64,
    pub total_float_days: f64,
    pub critical: bool,
    /// Calendar dates of the offsets (start days, and inclusive finish days); `None` when no
    /// task of the schedule has a date to anchor the network.
    pub early_start: Option<NaiveDate>,
    pub early_finish: Option<NaiveDate>,
    pub late_start: Option<NaiveDate>,
    pub late_finish: Option<NaiveDate>,
}

/// The result of a CPM run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cpm {
    pub project_start: Option<NaiveDate>,
    pub project_finish: Option<NaiveDate>,
    /// Project length in working days.
    pub duration_days: f64,
    /// One entry per task in the network (summary tasks excluded), in schedule order.
    pub tasks: Vec<CpmTask>,
    /// Critical tasks (indices into [`Schedule::tasks`]) by early start, then schedule order.
    pub critical_path: Vec<usize>,
}

impl Cpm {
    /// The figures of task `task` (an index into [`Schedule::tasks`]).
    pub fn of(&self, task: usize) -> Option<&CpmTask> {
        self.tasks.binary_search_by_key(&task, |t| t.task).ok().map(|i| &self.tasks[i])
    }
}

/// Runs the forward and backward passes. A cycle is [`ScheduleError::Cycle`] naming its tasks.
pub fn critical_path(schedule: &Schedule) -> Result<Cpm, ScheduleError> {
    let calendar = schedule.working_calendar();
    let n = schedule.tasks.len();
    let in_net: Vec<bool> = schedule.tasks.iter().map(|t| !t.summary).collect();
    let deps: Vec<_> = schedule
        .dependencies
        .iter()
        .filter(|d| d.predecessor < n && d.successor < n && in_net[d.predecessor] && in_net[d.successor])
        .filter(|d| d.predecessor != d.successor)
        .collect();

    let project_start = schedule
        .tasks
        .iter()
        .filter(|t| !t.summary)
        .filter_map(|t| t.start)
        .min()
        .map(|d| calendar.next_work_day(d));
    let duration: Vec<f64> = schedule
        .tasks
        .iter()
        .map(|t| match (t.duration_days, t.start, t.finish) {
            (Some(d), _, _) if d >= 0.0 => d,
            _ if t.milestone => 0.0,
            (_, Some(s), Some(f)) if f >= s => calendar.work_days_between(s, f) as f64 + 1.0,
            _ => 0.0,
        })
        .collect();
    let earliest: Vec<f64> = schedule
        .tasks
        .iter()
        .map(|t| match (project_start, t.start) {
            (Some(p), Some(s)) => calendar.work_days_between(p, s).max(0) as f64,
            _ => 0.0,
        })
        .collect();

    let order = topological_order(schedule, &in_net, &deps)?;
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, d) in deps.iter().enumerate() {
        preds[d.successor].push(k);
        succs[d.predecessor].push(k);
    }

    let mut es = vec![0.0f64; n];
    let mut ef = vec![0.0f64; n];
    for &j in &order {
        let dj = duration[j];
        let mut start = if preds[j].is_empty() { earliest[j] } else { 0.0 };
        for &k in &preds[j] {
            let d = deps[k];
            let i = d.predecessor;
            let bound = match d.dep_type {
                DependencyType::FS => ef[i] + d.lag_days,
                DependencyType::SS => es[i] + d.lag_days,
                DependencyType::FF => ef[i] + d.lag_days - dj,
                DependencyType::SF => es[i] + d.lag_days - dj,
            };
            start = start.max(bound);
        }
        es[j] = start;
        ef[j] = start + dj;
    }
    let finish = order.iter().map(|&j| ef[j]).fold(0.0f64, f64::max);

    let mut lf = vec![finish; n];
    let mut ls = vec![0.0f64; n];
    for &i in order.iter().rev() {
        let di = duration[i];
        let mut late_finish = finish;
        for &k in &succs[i] {
            let d = deps[k];
            let j = d.successor;
            let bound = match d.dep_type {
                DependencyType::FS => ls[j] - d.lag_days,
                DependencyType::SS => ls[j] - d.lag_days + di,
                DependencyType::FF => lf[j] - d.lag_days,
                DependencyType::SF => lf[j] - d.lag_days + di,
            };
            late_finish = late_finish.min(bound);
        }
        lf[i] = late_finish;
        ls[i] = late_finish - di;
    }

    let date = |offset: f64| project_start.map(|p| day_at(&calendar, p, offset.floor()));
    let finish_date = |start: f64, end: f64| {
        project_start.map(|p| {
            if end - start <= EPS {
                day_at(&calendar, p, start.floor())
            } else {
                day_at(&calendar, p, (end - EPS).ceil() - 1.0)
            }
        })
    };
    let mut tasks = Vec::new();
    for i in 0..n {
        if !in_net[i] {
            continue;
        }
        let total_float = ls[i] - es[i];
        let total_float = if total_float.abs() < EPS { 0.0 } else { total_float };
        tasks.push(CpmTask {
            task: i,
            duration_days: duration[i],
            early_start_days: es[i],
            early_finish_days: ef[i],
            late_start_days: ls[i],
            late_finish_days: lf[i],
            total_float_days: total_float,
            critical: total_float <= EPS,
            early_start: date(es[i]),
            early_finish: finish_date(es[i], ef[i]),
            late_start: date(ls[i]),
            late_finish: finish_date(ls[i], lf[i]),
        });
    }
    let mut critical_path: Vec<usize> = tasks.iter().filter(|t| t.critical).map(|t| t.task).collect();
    critical_path.sort_by(|&a, &b| es[a].total_cmp(&es[b]).then(a.cmp(&b)));
    Ok(Cpm {
        project_start,
        project_finish: finish_date(0.0, finish),
        duration_days: finish,
        tasks,
        critical_path,
    })
}

fn day_at(calendar: &Calendar, start: NaiveDate, offset: f64) -> NaiveDate {
    calendar.add_work_days(start, offset as i64)
}

/// Kahn's algorithm over the network's tasks, in schedule order among ready tasks so the result
/// is deterministic. Tasks left over lie on or behind a cycle; one cycle is named.
fn topological_order(
    schedule: &Schedule,
    in_net: &[bool],
    deps: &[&crate::Dependency],
) -> Result<Vec<usize>, ScheduleError> {
    let n = schedule.tasks.len();
    let mut indegree = vec![0usize; n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for d in deps {
        indegree[d.successor] += 1;
        succs[d.predecessor].push(d.successor);
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| in_net[i] && indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &succs[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.insert(j);
            }
        }
    }
    let in_count = in_net.iter().filter(|&&b| b).count();
    if order.len() == in_count {
        return Ok(order);
    }
    // Every leftover task has a leftover predecessor: walking predecessors must revisit one.
    let mut pred_of: Vec<Option<usize>> = vec![None; n];
    for d in deps {
        if indegree[d.successor] > 0 && indegree[d.predecessor] > 0 && pred_of[d.successor].is_none() {
            pred_of[d.successor] = Some(d.predecessor);
        }
    }
    let start = (0..n).find(|&i| in_net[i] && indegree[i] > 0).unwrap_or(0);
    let mut seen = vec![usize::MAX; n];
    let mut walk = Vec::new();
    let mut at = start;
    while seen[at] == usize::MAX {
        seen[at] = walk.len();
        walk.push(at);
        match pred_of[at] {
            Some(p) => at = p,
            None => break,
        }
    }
    let from = if seen[at] != usize::MAX { seen[at] } else { 0 };
    let mut cycle: Vec<usize> = walk[from..].to_vec();
    // The walk went backwards along predecessors; name the cycle in dependency order.
    cycle.reverse();
    if let Some(&first) = cycle.first() {
        cycle.push(first);
    }
    Err(ScheduleError::Cycle { tasks: cycle.into_iter().map(|i| schedule.tasks[i].id.clone()).collect() })
}
