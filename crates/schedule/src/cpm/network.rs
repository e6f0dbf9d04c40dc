//! The network the passes run over, compiled once from a [`Schedule`]: calendars as work-interval
//! tables on one clock, per-activity durations, progress and constraints in minutes, the
//! relationships as compact predecessor/successor lists, and a topological order.

use super::topo::topological_order;
use crate::calendar::{CalTable, Clock, OutOfRange, Tm, WorkCalendar, DAY_MIN};
use crate::plan::{ActivityKind, ConstraintKind, LagCalendar, OpenStart};
use crate::{DependencyType, Schedule, ScheduleError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Progress state of an activity at the data date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    NotStarted,
    InProgress,
    Complete,
}

/// One activity, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub cal: usize,
    pub kind: ActivityKind,
    pub status: Status,
    /// Remaining working minutes (the whole duration when not started).
    pub dur: i64,
    pub actual_start: Option<Tm>,
    pub actual_finish: Option<Tm>,
    /// Earliest start of the remaining work (data date, open-start anchor).
    pub not_before: Option<Tm>,
    pub start_min: Option<Tm>,
    pub finish_min: Option<Tm>,
    pub start_max: Option<Tm>,
    pub finish_max: Option<Tm>,
    pub mandatory_start: Option<Tm>,
    pub mandatory_finish: Option<Tm>,
    pub alap: bool,
    pub project: usize,
}

/// A relationship seen from one end: `other` is the predecessor in a predecessor list and the
/// successor in a successor list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub other: u32,
    pub kind: DependencyType,
    pub lag: i64,
    pub lag_cal: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Network {
    pub clock: Clock,
    pub tables: Vec<CalTable>,
    /// Table of the project default calendar (day counts of the result).
    pub default_cal: usize,
    pub nodes: Vec<Node>,
    /// The status and calendar of each node, packed apart from the large [`Node`]s: the passes
    /// read them for every neighbour, and this keeps those reads in cache.
    pub brief: Vec<(Status, u32)>,
    pub in_net: Vec<bool>,
    /// `pred_edges[pred_start[j]..pred_start[j + 1]]` are `j`'s predecessors.
    pub pred_start: Vec<u32>,
    pub pred_edges: Vec<Edge>,
    pub succ_start: Vec<u32>,
    pub succ_edges: Vec<Edge>,
    pub order: Vec<u32>,
    /// Per project: the data date, and the must-finish-by date of its open ends.
    pub data_date: Vec<Option<Tm>>,
    pub must_finish: Vec<Option<Tm>>,
    pub critical_float_min: Vec<f64>,
    pub float: crate::plan::FloatKind,
    pub progress: crate::plan::ProgressMode,
    pub ss_lag_from_early_start: bool,
    pub alap_float_from_moved_dates: bool,
    pub warnings: Vec<String>,
}

/// Years the calendars are compiled for beyond the latest date of the file: a chain of
/// durations and lags that runs further is an error, not a silently wrapped date.
const HORIZON_YEARS: i64 = 40;

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

impl Network {
    pub fn build(schedule: &Schedule) -> Result<Network, ScheduleError> {
        let plan = &schedule.plan;
        let detailed = plan.is_detailed();
        let n = schedule.tasks.len();
        let activity_error = |i: usize, reason: String| ScheduleError::Activity {
            path: schedule.path.clone(),
            line: schedule.tasks[i].plan.line,
            activity: schedule.tasks[i].id.clone(),
            reason,
        };

        // Calendars: the file's, or whole working days of the day-level calendar.
        let mut calendars: Vec<WorkCalendar> = if detailed {
            plan.calendars.clone()
        } else {
            let c = schedule.working_calendar();
            vec![WorkCalendar::whole_days(&c.name, c.work_days, c.holidays.iter().copied())]
        };
        let round_the_clock = calendars.len();
        calendars.push(WorkCalendar::round_the_clock());
        let project_default = |p: usize| -> usize {
            plan.projects
                .get(p)
                .and_then(|p| p.default_calendar)
                .filter(|&c| c < round_the_clock)
                .unwrap_or(0)
        };

        // The clock spans every date of the file, with room for the work after the last one.
        let mut dates: Vec<NaiveDate> = Vec::new();
        for t in &schedule.tasks {
            dates.extend([t.start, t.finish, t.actual_start, t.actual_finish].into_iter().flatten());
            let p = &t.plan;
            let moments = [p.actual_start, p.actual_finish, p.planned_start].into_iter().flatten();
            dates.extend(moments.chain(p.constraints.iter().filter_map(|c| c.at)).map(|m| m.date()));
        }
        for p in &plan.projects {
            dates.extend([p.data_date, p.start, p.must_finish_by].into_iter().flatten().map(|m| m.date()));
        }
        dates.extend(schedule.data_date);
        let first = dates
            .iter()
            .min()
            .copied()
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default());
        let last = dates.iter().max().copied().unwrap_or(first);
        let origin = first.checked_sub_days(chrono::Days::new(400)).unwrap_or(first);
        let days = ((last - origin).num_days() + HORIZON_YEARS * 366).max(1) as usize;
        let clock = Clock { origin, days };
        let tables: Vec<CalTable> = calendars.iter().map(|c| CalTable::new(c, origin, days)).collect();
        let to_tm = |at: NaiveDateTime| clock.to_tm(at).unwrap_or(0);

        let mut warnings = Vec::new();
        let mut nodes = Vec::with_capacity(n);
        let in_net: Vec<bool> =
            schedule.tasks.iter().map(|t| !t.summary && t.plan.kind != ActivityKind::WbsSummary).collect();
        let data_date: Vec<Option<Tm>> = if plan.projects.is_empty() {
            vec![None]
        } else {
            plan.projects.iter().map(|p| p.data_date.map(to_tm)).collect()
        };
        for (i, t) in schedule.tasks.iter().enumerate() {
            let p = &t.plan;
            let cal = p.calendar.unwrap_or_else(|| project_default(p.project));
            if cal >= round_the_clock {
                return Err(activity_error(i, format!("calendar index {cal} is not in the file")));
            }
            if in_net[i] && !calendars[cal].has_work() {
                return Err(activity_error(
                    i,
                    format!(
                        "calendar '{}' (line {}) has no working time on any weekday",
                        calendars[cal].name, calendars[cal].line
                    ),
                ));
            }
            let day_min = if detailed { calendars[cal].hours_per_day * 60.0 } else { DAY_MIN as f64 };
            let from_days = |d: f64| (d * day_min).round() as i64;
            let whole = p.duration_min.or_else(|| t.duration_days.map(from_days)).or_else(|| {
                match (t.start, t.finish) {
                    (Some(s), Some(f)) if f >= s && !t.milestone => {
                        Some(schedule.working_calendar().work_days_between(s, f) * DAY_MIN + DAY_MIN)
                    }
                    _ => None,
                }
            });
            let milestone =
                t.milestone || matches!(p.kind, ActivityKind::StartMilestone | ActivityKind::FinishMilestone);
            let remaining = if milestone { 0 } else { p.remaining_min.or(whole).unwrap_or(0) };
            if remaining < 0 || whole.is_some_and(|w| w < 0) {
                return Err(activity_error(
                    i,
                    format!("negative duration ({} working minutes)", remaining.min(whole.unwrap_or(0))),
                ));
            }
            let actual_start = p.actual_start.or_else(|| t.actual_start.filter(|_| !detailed).map(midnight));
            let actual_finish = p
                .actual_finish
                .or_else(|| t.actual_finish.filter(|_| !detailed).and_then(|d| d.succ_opt()).map(midnight));
            let status = match (actual_start, actual_finish) {
                (_, Some(_)) => Status::Complete,
                (Some(_), None) => Status::InProgress,
                _ => Status::NotStarted,
            };
            let dd = data_date.get(p.project).copied().flatten();
            for (what, at) in [("actual start", actual_start), ("actual finish", actual_finish)] {
                if let (Some(at), Some(dd_tm)) = (at, dd) {
                    if to_tm(at) > dd_tm {
                        warnings.push(format!(
                            "warning[progress-after-data-date]: {}: line {}: activity '{}': {what} {} is after the data date {}; scheduled as recorded",
                            schedule.path, p.line, t.id, at, clock.to_datetime(dd_tm)
                        ));
                    }
                }
            }
            let mut node = Node {
                cal,
                kind: if milestone && p.kind == ActivityKind::Task {
                    ActivityKind::StartMilestone
                } else {
                    p.kind
                },
                status,
                dur: remaining,
                actual_start: actual_start.map(to_tm),
                actual_finish: actual_finish.map(to_tm),
                not_before: dd,
                start_min: None,
                finish_min: None,
                start_max: None,
                finish_max: None,
                mandatory_start: None,
                mandatory_finish: None,
                alap: false,
                project: p.project,
            };
            let planned = p.planned_start.or_else(|| t.start.map(midnight)).map(to_tm);
            let anchor = match plan.open_start {
                OpenStart::PlannedStart => planned,
                OpenStart::ProjectStart => plan.projects.get(p.project).and_then(|p| p.start).map(to_tm),
            };
            node.not_before = match (node.not_before, anchor) {
                (Some(a), Some(b)) => {
                    Some(if plan.open_start == OpenStart::PlannedStart { a.max(b) } else { a })
                }
                (a, b) => a.or(b),
            };
            if plan.open_start == OpenStart::ProjectStart {
                // Without predecessors an activity starts at the later of data date and start.
                node.not_before = match (dd, anchor) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            compile_constraints(&mut node, t, &to_tm, &clock).map_err(|reason| activity_error(i, reason))?;
            nodes.push(node);
        }

        // Activities with nothing to anchor them start where the earliest anchored one does.
        let fallback =
            nodes.iter().filter_map(|n| n.not_before).min().unwrap_or_else(|| to_tm(midnight(first)));
        for node in &mut nodes {
            node.not_before.get_or_insert(fallback);
        }

        // Relationships, with their lags in minutes of the lag calendar.
        let deps: Vec<(usize, &crate::Dependency)> = schedule
            .dependencies
            .iter()
            .enumerate()
            .filter(|(_, d)| d.predecessor < n && d.successor < n && d.predecessor != d.successor)
            .filter(|(_, d)| in_net[d.predecessor] && in_net[d.successor])
            .collect();
        let mut preds: Vec<Vec<Edge>> = vec![Vec::new(); n];
        let mut succs: Vec<Vec<Edge>> = vec![Vec::new(); n];
        for &(k, d) in &deps {
            let elapsed = plan.lag_elapsed.get(k).copied().unwrap_or(false);
            let lag_cal = if elapsed {
                round_the_clock
            } else {
                match plan.lag_calendar {
                    LagCalendar::Predecessor => nodes[d.predecessor].cal,
                    LagCalendar::Successor => nodes[d.successor].cal,
                    LagCalendar::TwentyFourHour => round_the_clock,
                    LagCalendar::ProjectDefault => project_default(nodes[d.successor].project),
                }
            };
            let day_min = if detailed { calendars[lag_cal].hours_per_day * 60.0 } else { DAY_MIN as f64 };
            let lag = plan.lag_min.get(k).copied().flatten().unwrap_or((d.lag_days * day_min).round() as i64);
            let edge =
                |other: usize| Edge { other: other as u32, kind: d.dep_type, lag, lag_cal: lag_cal as u32 };
            preds[d.successor].push(edge(d.predecessor));
            succs[d.predecessor].push(edge(d.successor));
        }
        let dep_refs: Vec<&crate::Dependency> = deps.iter().map(|(_, d)| *d).collect();
        let order = topological_order(schedule, &in_net, &dep_refs)?;
        let flatten = |lists: Vec<Vec<Edge>>| {
            let mut start = Vec::with_capacity(n + 1);
            let mut edges = Vec::new();
            for l in lists {
                start.push(edges.len() as u32);
                edges.extend(l);
            }
            start.push(edges.len() as u32);
            (start, edges)
        };
        let (pred_start, pred_edges) = flatten(preds);
        let (succ_start, succ_edges) = flatten(succs);
        let projects = plan.projects.len().max(1);
        let must_finish =
            (0..projects).map(|p| plan.projects.get(p).and_then(|p| p.must_finish_by).map(to_tm)).collect();
        let critical_float_min =
            (0..projects).map(|p| plan.projects.get(p).map_or(0.0, |p| p.critical_float_min)).collect();
        let default_cal = if detailed { project_default(0) } else { 0 };
        let brief = nodes.iter().map(|n| (n.status, n.cal as u32)).collect();
        Ok(Network {
            clock,
            tables,
            default_cal,
            nodes,
            brief,
            in_net,
            pred_start,
            pred_edges,
            succ_start,
            succ_edges,
            order: order.into_iter().map(|i| i as u32).collect(),
            data_date,
            must_finish,
            critical_float_min,
            float: plan.float,
            progress: plan.progress,
            ss_lag_from_early_start: plan.ss_lag_from_early_start,
            alap_float_from_moved_dates: plan.alap_float_from_moved_dates,
            warnings,
        })
    }

    pub fn preds(&self, j: usize) -> &[Edge] {
        &self.pred_edges[self.pred_start[j] as usize..self.pred_start[j + 1] as usize]
    }

    pub fn succs(&self, i: usize) -> &[Edge] {
        &self.succ_edges[self.succ_start[i] as usize..self.succ_start[i + 1] as usize]
    }

    /// The calendar range error of activity `i`, naming it.
    pub fn range_error(&self, schedule: &Schedule, i: usize, what: &str) -> ScheduleError {
        let _ = OutOfRange;
        let end = self.clock.start_date(self.clock.days as i64 * DAY_MIN);
        ScheduleError::Activity {
            path: schedule.path.clone(),
            line: schedule.tasks[i].plan.line,
            activity: schedule.tasks[i].id.clone(),
            reason: format!(
                "{what} runs past the dates the calendars cover ({} to {end}): check durations and lags",
                self.clock.origin
            ),
        }
    }
}

/// Turns the activity's constraints into bounds, and refuses pairs that cannot both hold.
fn compile_constraints(
    node: &mut Node,
    t: &crate::Task,
    to_tm: &dyn Fn(NaiveDateTime) -> Tm,
    clock: &Clock,
) -> Result<(), String> {
    for c in &t.plan.constraints {
        let at = c.at.map(to_tm);
        let need = || at.ok_or_else(|| format!("constraint {:?} has no date", c.kind));
        let tighten_min = |slot: &mut Option<Tm>, v: Tm| *slot = Some(slot.map_or(v, |s| s.max(v)));
        let tighten_max = |slot: &mut Option<Tm>, v: Tm| *slot = Some(slot.map_or(v, |s| s.min(v)));
        match c.kind {
            ConstraintKind::StartNoEarlier => tighten_min(&mut node.start_min, need()?),
            ConstraintKind::StartNoLater => tighten_max(&mut node.start_max, need()?),
            ConstraintKind::StartOn => {
                tighten_min(&mut node.start_min, need()?);
                tighten_max(&mut node.start_max, need()?);
            }
            ConstraintKind::FinishNoEarlier => tighten_min(&mut node.finish_min, need()?),
            ConstraintKind::FinishNoLater => tighten_max(&mut node.finish_max, need()?),
            ConstraintKind::FinishOn => {
                tighten_min(&mut node.finish_min, need()?);
                tighten_max(&mut node.finish_max, need()?);
            }
            ConstraintKind::MandatoryStart => node.mandatory_start = Some(need()?),
            ConstraintKind::MandatoryFinish => node.mandatory_finish = Some(need()?),
            ConstraintKind::AsLateAsPossible => node.alap = true,
        }
    }
    let show = |v: Tm| clock.to_datetime(v).format("%Y-%m-%d %H:%M").to_string();
    let pairs = [
        (node.start_min, node.start_max, "start no earlier than", "start no later than"),
        (node.finish_min, node.finish_max, "finish no earlier than", "finish no later than"),
        (node.start_min, node.finish_max, "start no earlier than", "finish no later than"),
        (node.mandatory_start, node.mandatory_finish, "mandatory start", "mandatory finish"),
    ];
    for (lo, hi, lo_name, hi_name) in pairs {
        if let (Some(lo), Some(hi)) = (lo, hi) {
            if lo > hi {
                return Err(format!(
                    "conflicting constraints: {lo_name} {} but {hi_name} {}",
                    show(lo),
                    show(hi)
                ));
            }
        }
    }
    Ok(())
}
