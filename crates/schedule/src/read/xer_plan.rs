//! The CPM facts of an XER file: every calendar with its work hours and exceptions
//! (`CALENDAR.clndr_data`), each activity's calendar, type, durations in hours, constraints and
//! actual dates (`TASK`), the project options (`PROJECT`, `SCHEDOPTIONS`), and the dates and
//! float P6 stored, to compare against.

use super::xer_table::Table;
use crate::calendar::{normalise, Span, WorkCalendar};
use crate::plan::{
    ActivityKind, Constraint, ConstraintKind, FloatKind, LagCalendar, OpenStart, ProgressMode, ProjectPlan,
    StoredDates,
};
use crate::text::{parse_moment, parse_number};
use crate::{Schedule, ScheduleError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

type Tables<'a> = HashMap<&'a str, Table<'a>>;

fn at(
    path: &Path,
    t: &Table,
    row: &[&str],
    line: usize,
    field: &str,
) -> Result<Option<NaiveDateTime>, ScheduleError> {
    let m =
        parse_moment(t.get(row, field)).map_err(|reason| ScheduleError::field(path, line, field, reason))?;
    Ok(m.map(|m| m.date.and_time(m.time.unwrap_or(NaiveTime::MIN))))
}

fn hours(
    path: &Path,
    t: &Table,
    row: &[&str],
    line: usize,
    field: &str,
) -> Result<Option<f64>, ScheduleError> {
    let v = t.get(row, field);
    if v.is_empty() {
        return Ok(None);
    }
    parse_number(v).map(Some).ok_or_else(|| {
        ScheduleError::field(path, line, field, format!("cannot read '{v}' as a number of hours"))
    })
}

/// Fills `schedule.plan` and each task's plan. `schedule.tasks` are the TASK rows in order;
/// `lags_hr` are the lags of `schedule.dependencies` in hours.
pub(super) fn fill(
    path: &Path,
    tables: &Tables,
    schedule: &mut Schedule,
    lags_hr: &[f64],
) -> Result<(), ScheduleError> {
    let empty = Table { fields: HashMap::new(), rows: Vec::new() };
    let calendars = tables.get("CALENDAR").unwrap_or(&empty);
    let projects = tables.get("PROJECT").unwrap_or(&empty);
    let options = tables.get("SCHEDOPTIONS").unwrap_or(&empty);
    let task_table = tables.get("TASK").unwrap_or(&empty);
    let plan = &mut schedule.plan;

    let mut calendar_index: HashMap<&str, usize> = HashMap::new();
    for (line, row) in &calendars.rows {
        let id = calendars.get(row, "clndr_id");
        let hours_per_day =
            parse_number(calendars.get(row, "day_hr_cnt")).filter(|h| *h > 0.0).unwrap_or(8.0);
        let cal = parse_work_calendar(
            id,
            calendars.get(row, "clndr_name"),
            calendars.get(row, "clndr_data"),
            hours_per_day,
            *line,
        );
        calendar_index.insert(id, plan.calendars.len());
        plan.calendars.push(cal);
    }
    let default_calendar = calendars
        .rows
        .iter()
        .find(|(_, r)| calendars.get(r, "default_flag") == "Y")
        .and_then(|(_, r)| calendar_index.get(calendars.get(r, "clndr_id")).copied());

    let mut project_index: HashMap<&str, usize> = HashMap::new();
    for (line, row) in &projects.rows {
        let id = projects.get(row, "proj_id");
        project_index.insert(id, plan.projects.len());
        plan.projects.push(ProjectPlan {
            name: projects.get(row, "proj_short_name").to_string(),
            data_date: at(path, projects, row, *line, "last_recalc_date")?,
            start: at(path, projects, row, *line, "plan_start_date")?,
            must_finish_by: at(path, projects, row, *line, "plan_end_date")?,
            critical_float_min: hours(path, projects, row, *line, "critical_drtn_hr_cnt")?.unwrap_or(0.0)
                * 60.0,
            default_calendar: calendar_index.get(projects.get(row, "clndr_id")).copied().or(default_calendar),
        });
    }
    if plan.projects.is_empty() {
        plan.projects.push(ProjectPlan { default_calendar, ..ProjectPlan::default() });
    }
    if let Some((_, row)) = options.rows.first() {
        let flag = |f: &str| options.get(row, f) == "Y";
        plan.progress = if flag("sched_retained_logic") || !flag("sched_progress_override") {
            ProgressMode::RetainedLogic
        } else {
            ProgressMode::ProgressOverride
        };
        plan.float = match options.get(row, "sched_float_type") {
            "FT_SF" => FloatKind::Start,
            "FT_SM" | "FT_Smallest" => FloatKind::Smallest,
            _ => FloatKind::Finish,
        };
        plan.lag_calendar = match options.get(row, "sched_calendar_on_relationship_lag") {
            "rcal_Successor" => LagCalendar::Successor,
            "rcal_24Hour" => LagCalendar::TwentyFourHour,
            "rcal_ProjDefault" => LagCalendar::ProjectDefault,
            _ => LagCalendar::Predecessor,
        };
        plan.ss_lag_from_early_start = flag("sched_lag_early_start_flag");
    }
    plan.open_start = OpenStart::ProjectStart;
    plan.alap_float_from_moved_dates = true;
    plan.lag_min = lags_hr.iter().map(|h| Some((h * 60.0).round() as i64)).collect();

    for ((line, row), task) in task_table.rows.iter().zip(schedule.tasks.iter_mut()) {
        let (line, row) = (*line, row.as_slice());
        let p = &mut task.plan;
        p.line = line;
        p.project = project_index.get(task_table.get(row, "proj_id")).copied().unwrap_or(0);
        let clndr = task_table.get(row, "clndr_id");
        p.calendar = match calendar_index.get(clndr) {
            Some(&c) => Some(c),
            None if clndr.is_empty() => None,
            None => {
                return Err(ScheduleError::Activity {
                    path: path.display().to_string(),
                    line,
                    activity: task.id.clone(),
                    reason: format!("calendar id '{clndr}' (field clndr_id) is not in the CALENDAR table"),
                })
            }
        };
        p.kind = match task_table.get(row, "task_type") {
            "TT_Rsrc" => ActivityKind::ResourceDependent,
            "TT_Mile" => ActivityKind::StartMilestone,
            "TT_FinMile" => ActivityKind::FinishMilestone,
            "TT_LOE" => ActivityKind::LevelOfEffort,
            "TT_WBS" => ActivityKind::WbsSummary,
            _ => ActivityKind::Task,
        };
        for (field, value) in [
            ("target_drtn_hr_cnt", hours(path, task_table, row, line, "target_drtn_hr_cnt")?),
            ("remain_drtn_hr_cnt", hours(path, task_table, row, line, "remain_drtn_hr_cnt")?),
        ] {
            if let Some(h) = value.filter(|h| *h < 0.0) {
                return Err(ScheduleError::Activity {
                    path: path.display().to_string(),
                    line,
                    activity: task.id.clone(),
                    reason: format!("negative duration: {field} is {h} hours"),
                });
            }
        }
        let minutes = |h: Option<f64>| h.map(|h| (h * 60.0).round() as i64);
        p.duration_min = minutes(hours(path, task_table, row, line, "target_drtn_hr_cnt")?);
        p.remaining_min = minutes(hours(path, task_table, row, line, "remain_drtn_hr_cnt")?);
        let status = task_table.get(row, "status_code");
        if status != "TK_NotStart" {
            p.actual_start = at(path, task_table, row, line, "act_start_date")?;
        }
        if status == "TK_Complete" {
            p.actual_finish = at(path, task_table, row, line, "act_end_date")?;
            if p.actual_finish.is_none() {
                p.actual_finish = at(path, task_table, row, line, "early_end_date")?;
            }
            if p.actual_start.is_none() {
                p.actual_start = at(path, task_table, row, line, "early_start_date")?;
            }
        }
        p.planned_start = at(path, task_table, row, line, "target_start_date")?;
        for (kind_field, date_field) in [("cstr_type", "cstr_date"), ("cstr_type2", "cstr_date2")] {
            let kind = match task_table.get(row, kind_field) {
                "" => continue,
                "CS_MSO" => ConstraintKind::StartOn,
                "CS_MSOA" => ConstraintKind::StartNoEarlier,
                "CS_MSOB" => ConstraintKind::StartNoLater,
                "CS_MEO" => ConstraintKind::FinishOn,
                "CS_MEOA" => ConstraintKind::FinishNoEarlier,
                "CS_MEOB" => ConstraintKind::FinishNoLater,
                "CS_MANDSTART" => ConstraintKind::MandatoryStart,
                "CS_MANDFIN" => ConstraintKind::MandatoryFinish,
                "CS_ALAP" => ConstraintKind::AsLateAsPossible,
                other => {
                    return Err(ScheduleError::field(
                        path,
                        line,
                        kind_field,
                        format!("unknown constraint type '{other}'"),
                    ))
                }
            };
            let date = at(path, task_table, row, line, date_field)?;
            if date.is_none() && kind != ConstraintKind::AsLateAsPossible {
                return Err(ScheduleError::Activity {
                    path: path.display().to_string(),
                    line,
                    activity: task.id.clone(),
                    reason: format!("constraint {kind:?} ({kind_field}) has no date in {date_field}"),
                });
            }
            p.constraints.push(Constraint { kind, at: date });
        }
        let limit = schedule.plan.projects.get(p.project).map_or(0.0, |pr| pr.critical_float_min);
        let tf = hours(path, task_table, row, line, "total_float_hr_cnt")?.map(|h| h * 60.0);
        p.stored = Some(StoredDates {
            early_start: at(path, task_table, row, line, "early_start_date")?,
            early_finish: at(path, task_table, row, line, "early_end_date")?,
            late_start: at(path, task_table, row, line, "late_start_date")?,
            late_finish: at(path, task_table, row, line, "late_end_date")?,
            total_float_min: tf,
            critical: tf.map(|f| f <= limit + 1e-6),
        });
    }
    Ok(())
}

/// Reads a `clndr_data` blob into work intervals: days 1 (Sunday) to 7 under `DaysOfWeek`, each
/// with `(s|08:00|f|12:00)` intervals (`00:00`–`00:00` is the whole day), and dated exceptions
/// (spreadsheet serials) under `Exceptions`, a holiday when they list no interval.
pub(crate) fn parse_work_calendar(
    id: &str,
    name: &str,
    data: &str,
    hours_per_day: f64,
    line: usize,
) -> WorkCalendar {
    let mut week: [Vec<Span>; 7] = Default::default();
    let mut exceptions: BTreeMap<NaiveDate, Vec<Span>> = BTreeMap::new();
    let mut section = "";
    let mut day: Option<usize> = None;
    let mut exception: Option<NaiveDate> = None;
    for token in data.split("(0||").skip(1) {
        let raw_head = token.split('(').next().unwrap_or("");
        let head = raw_head.trim();
        if matches!(head, "DaysOfWeek" | "Exceptions" | "VIEW" | "CalendarData" | "HourlyData" | "") {
            if !head.is_empty() {
                section = head;
            }
            continue;
        }
        let after = &token[raw_head.len()..];
        let span = interval(token);
        match section {
            "DaysOfWeek" => {
                if after.starts_with("()") {
                    day = head.parse::<usize>().ok().filter(|d| (1..=7).contains(d)).map(|d| (d + 5) % 7);
                }
                if let (Some(d), Some(s)) = (day, span) {
                    week[d].push(s);
                }
            }
            "Exceptions" => {
                if let Some(serial) = token.split("d|").nth(1).and_then(|s| s.split(')').next()) {
                    exception = serial.trim().parse::<i64>().ok().and_then(spreadsheet_date);
                    if let Some(date) = exception {
                        exceptions.entry(date).or_default();
                    }
                } else if let (Some(date), Some(s)) = (exception, span) {
                    exceptions.entry(date).or_default().push(s);
                }
            }
            _ => {}
        }
    }
    for d in week.iter_mut() {
        normalise(d);
    }
    for spans in exceptions.values_mut() {
        normalise(spans);
    }
    WorkCalendar { id: id.to_string(), name: name.to_string(), week, exceptions, hours_per_day, line }
}

/// `s|08:00|f|12:00` (either order) as minutes; a finish at or before the start runs to midnight.
fn interval(token: &str) -> Option<Span> {
    let body = token.split(')').next()?;
    let body = body.rsplit('(').next()?;
    let mut parts = body.split('|');
    let (mut start, mut finish) = (None, None);
    while let Some(key) = parts.next() {
        match key.trim() {
            "s" => start = parts.next().and_then(minutes),
            "f" => finish = parts.next().and_then(minutes),
            _ => {}
        }
    }
    let (start, finish) = (start?, finish?);
    let finish = if finish <= start { 1440 } else { finish };
    Some((start, finish))
}

fn minutes(hhmm: &str) -> Option<u16> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let v = h.parse::<u16>().ok()? * 60 + m.parse::<u16>().ok()?;
    (v <= 1440).then_some(v)
}

fn spreadsheet_date(serial: i64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(u64::try_from(serial).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_hours_and_exceptions() {
        let data = "(0||CalendarData()(  (0||DaysOfWeek()(    (0||1()())    (0||2()(      (0||0(s|08:00|f|12:00)())      (0||1(s|13:00|f|17:00)())))    (0||7()(  (0||0(s|00:00|f|00:00)())))))  (0||Exceptions()(    (0||0(d|41275)())    (0||1(d|41276)(      (0||0(s|08:00|f|12:00)())))))))";
        let c = parse_work_calendar("1", "Standard", data, 8.0, 3);
        assert_eq!(c.week[0], vec![(480, 720), (780, 1020)]);
        assert_eq!(c.week[5], vec![(0, 1440)]);
        assert!(c.week[6].is_empty());
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert_eq!(c.exceptions.get(&d("2013-01-01")), Some(&Vec::new()));
        assert_eq!(c.exceptions.get(&d("2013-01-02")), Some(&vec![(480, 720)]));
    }
}
