//! The CPM facts of a P6 XML file: every `Calendar` with its work hours (`StandardWorkWeek`,
//! `HolidayOrExceptions`, `BaseCalendarObjectId`), each activity's calendar, type, durations in
//! hours, constraints and actual dates, each project's data date, planned start, must-finish-by
//! and critical float limit, and the remaining early and late dates P6 stored (to compare
//! against; the float is their difference on the activity's calendar, as P6 defines it).

use crate::calendar::{normalise, Span, WorkCalendar};
use crate::plan::{ActivityKind, Constraint, ConstraintKind, OpenStart, ProjectPlan, StoredDates};
use crate::text::{parse_moment, parse_number};
use crate::{Schedule, ScheduleError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use plumbline_xml::Element;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// `08:00:00` as minutes; P6 XML writes a work period's end as its last minute (`15:59:00`
/// closes at 16:00), so `end` rounds such a time up.
fn minutes(text: &str, end: bool) -> Option<u16> {
    let t = NaiveTime::parse_from_str(text.trim(), "%H:%M:%S").ok()?;
    let m = (t.hour() * 60 + t.minute()) as u16;
    Some(if end && (m % 60 == 59 || m % 30 == 29) {
        m + 1
    } else if end && m == 0 {
        1440
    } else {
        m
    })
}

fn work_times(day: &Element) -> Vec<Span> {
    let mut spans: Vec<Span> = day
        .all("WorkTime")
        .filter_map(|w| Some((minutes(w.text_of("Start")?, false)?, minutes(w.text_of("Finish")?, true)?)))
        .collect();
    normalise(&mut spans);
    spans
}

fn read_calendar(
    c: &Element,
    path: &Path,
    base: Option<&WorkCalendar>,
) -> Result<WorkCalendar, ScheduleError> {
    let mut week: [Vec<Span>; 7] = match base {
        Some(b) => b.week.clone(),
        None => std::array::from_fn(|i| if i < 5 { vec![(480, 720), (780, 1020)] } else { Vec::new() }),
    };
    if let Some(std_week) = c.child("StandardWorkWeek") {
        for day in std_week.all("StandardWorkHours") {
            let i = match day.text_of("DayOfWeek").unwrap_or("") {
                "Monday" => 0,
                "Tuesday" => 1,
                "Wednesday" => 2,
                "Thursday" => 3,
                "Friday" => 4,
                "Saturday" => 5,
                "Sunday" => 6,
                _ => continue,
            };
            week[i] = work_times(day);
        }
    }
    let mut exceptions: BTreeMap<NaiveDate, Vec<Span>> =
        base.map(|b| b.exceptions.clone()).unwrap_or_default();
    for h in c.child("HolidayOrExceptions").into_iter().flat_map(|l| l.all("HolidayOrException")) {
        let Some(t) = h.text_of("Date") else { continue };
        let m = parse_moment(t).map_err(|reason| ScheduleError::field(path, h.line, "Date", reason))?;
        if let Some(m) = m {
            exceptions.insert(m.date, work_times(h));
        }
    }
    Ok(WorkCalendar {
        id: c.text_of("ObjectId").unwrap_or("").to_string(),
        name: c.text_of("Name").unwrap_or("").to_string(),
        week,
        exceptions,
        hours_per_day: c.text_of("HoursPerDay").and_then(parse_number).filter(|h| *h > 0.0).unwrap_or(8.0),
        line: c.line,
    })
}

/// Working minutes of `cal` from `a` to `b` (negative when `b` is earlier), walking the days:
/// only used on the stored dates of one activity.
fn work_between(cal: &WorkCalendar, a: NaiveDateTime, b: NaiveDateTime) -> f64 {
    let (from, to, sign) = if a <= b { (a, b, 1.0) } else { (b, a, -1.0) };
    let minute_of = |t: NaiveDateTime| i64::from(t.hour() * 60 + t.minute());
    let mut total = 0i64;
    for day in from.date().iter_days().take_while(|d| *d <= to.date()).take(20_000) {
        let lo = if day == from.date() { minute_of(from) } else { 0 };
        let hi = if day == to.date() { minute_of(to) } else { 1440 };
        for &(s, e) in cal.spans_of(day) {
            total += (i64::from(e).min(hi) - i64::from(s).max(lo)).max(0);
        }
    }
    sign * total as f64
}

/// Fills `schedule.plan` and each task's plan. `activities` are `(project, activity)` in
/// `schedule.tasks` order; `lags_hr` the lags of `schedule.dependencies` in hours.
pub(super) fn fill(
    path: &Path,
    root: &Element,
    projects: &[&Element],
    activities: &[(&Element, &Element)],
    schedule: &mut Schedule,
    lags_hr: &[f64],
) -> Result<(), ScheduleError> {
    let at = |n: &Element, field: &str| -> Result<Option<NaiveDateTime>, ScheduleError> {
        n.text_of(field).map_or(Ok(None), |t| {
            parse_moment(t)
                .map(|m| m.map(|m| m.date.and_time(m.time.unwrap_or(NaiveTime::MIN))))
                .map_err(|reason| ScheduleError::field(path, n.line, field, reason))
        })
    };
    let hours = |n: &Element, field: &str| -> Result<Option<f64>, ScheduleError> {
        n.text_of(field).map_or(Ok(None), |t| {
            parse_number(t).map(Some).ok_or_else(|| {
                ScheduleError::field(path, n.line, field, format!("cannot read '{t}' as a number of hours"))
            })
        })
    };
    // Calendars in base-first order (a derived calendar copies its base's week and exceptions).
    let elements: Vec<&Element> = root.all("Calendar").collect();
    let mut index: HashMap<String, usize> = HashMap::new();
    let plan = &mut schedule.plan;
    let mut pending: Vec<&Element> = elements.clone();
    for _ in 0..8 {
        let mut later = Vec::new();
        for c in pending {
            let base_id = c.text_of("BaseCalendarObjectId").filter(|b| !b.is_empty());
            let base = match base_id {
                Some(b) => match index.get(b) {
                    Some(&i) => Some(&plan.calendars[i]),
                    None if elements.iter().any(|e| e.text_of("ObjectId") == Some(b)) => {
                        later.push(c);
                        continue;
                    }
                    None => None,
                },
                None => None,
            };
            let cal = read_calendar(c, path, base)?;
            index.insert(cal.id.clone(), plan.calendars.len());
            plan.calendars.push(cal);
        }
        pending = later;
        if pending.is_empty() {
            break;
        }
    }
    let default_calendar = elements
        .iter()
        .find(|c| c.text_of("IsDefault") == Some("1"))
        .and_then(|c| index.get(c.text_of("ObjectId")?).copied());
    let mut project_index: HashMap<&str, usize> = HashMap::new();
    for p in projects {
        project_index.insert(p.text_of("ObjectId").unwrap_or(""), plan.projects.len());
        plan.projects.push(ProjectPlan {
            name: p.text_of("Id").unwrap_or("").to_string(),
            data_date: at(p, "DataDate")?,
            start: at(p, "PlannedStartDate")?,
            must_finish_by: at(p, "MustFinishByDate")?,
            critical_float_min: hours(p, "CriticalActivityFloatLimit")?.unwrap_or(0.0) * 60.0,
            default_calendar: p
                .text_of("ActivityDefaultCalendarObjectId")
                .and_then(|c| index.get(c).copied())
                .or(default_calendar),
        });
    }
    if plan.projects.is_empty() {
        plan.projects.push(ProjectPlan { default_calendar, ..ProjectPlan::default() });
    }
    plan.open_start = OpenStart::ProjectStart;
    plan.alap_float_from_moved_dates = true;
    plan.lag_min = lags_hr.iter().map(|h| Some((h * 60.0).round() as i64)).collect();

    for (task, (project, a)) in schedule.tasks.iter_mut().zip(activities) {
        let p = &mut task.plan;
        p.line = a.line;
        p.project = project_index.get(project.text_of("ObjectId").unwrap_or("")).copied().unwrap_or(0);
        p.calendar = match a.text_of("CalendarObjectId") {
            None | Some("") => None,
            Some(id) => match index.get(id) {
                Some(&c) => Some(c),
                None => {
                    return Err(ScheduleError::Activity {
                        path: path.display().to_string(),
                        line: a.line,
                        activity: task.id.clone(),
                        reason: format!(
                            "calendar ObjectId '{id}' (field CalendarObjectId) is not in the file"
                        ),
                    })
                }
            },
        };
        p.kind = match a.text_of("Type").unwrap_or("") {
            "Resource Dependent" => ActivityKind::ResourceDependent,
            "Start Milestone" => ActivityKind::StartMilestone,
            "Finish Milestone" => ActivityKind::FinishMilestone,
            "Level of Effort" => ActivityKind::LevelOfEffort,
            "WBS Summary" => ActivityKind::WbsSummary,
            _ => ActivityKind::Task,
        };
        let minutes = |h: Option<f64>| h.map(|h| (h * 60.0).round() as i64);
        p.duration_min = minutes(hours(a, "PlannedDuration")?);
        p.remaining_min = minutes(hours(a, "RemainingDuration")?);
        if let Some(m) = p.duration_min.into_iter().chain(p.remaining_min).find(|m| *m < 0) {
            return Err(ScheduleError::Activity {
                path: path.display().to_string(),
                line: a.line,
                activity: task.id.clone(),
                reason: format!("negative duration ({m} working minutes)"),
            });
        }
        let status = a.text_of("Status").unwrap_or("Not Started");
        if status != "Not Started" {
            p.actual_start = at(a, "ActualStartDate")?;
        }
        if status == "Completed" {
            p.actual_finish = at(a, "ActualFinishDate")?;
        }
        p.planned_start = at(a, "PlannedStartDate")?;
        for (kind_field, date_field) in [
            ("PrimaryConstraintType", "PrimaryConstraintDate"),
            ("SecondaryConstraintType", "SecondaryConstraintDate"),
        ] {
            let kind = match a.text_of(kind_field).unwrap_or("") {
                "" | "None" => continue,
                "Start On" => ConstraintKind::StartOn,
                "Start On or After" => ConstraintKind::StartNoEarlier,
                "Start On or Before" => ConstraintKind::StartNoLater,
                "Finish On" => ConstraintKind::FinishOn,
                "Finish On or After" => ConstraintKind::FinishNoEarlier,
                "Finish On or Before" => ConstraintKind::FinishNoLater,
                "Mandatory Start" => ConstraintKind::MandatoryStart,
                "Mandatory Finish" => ConstraintKind::MandatoryFinish,
                "As Late As Possible" => ConstraintKind::AsLateAsPossible,
                other => {
                    return Err(ScheduleError::field(
                        path,
                        a.line,
                        kind_field,
                        format!("unknown constraint type '{other}'"),
                    ))
                }
            };
            let date = at(a, date_field)?;
            if date.is_none() && kind != ConstraintKind::AsLateAsPossible {
                return Err(ScheduleError::Activity {
                    path: path.display().to_string(),
                    line: a.line,
                    activity: task.id.clone(),
                    reason: format!("constraint {kind:?} ({kind_field}) has no date in {date_field}"),
                });
            }
            p.constraints.push(Constraint { kind, at: date });
        }
        let early_start = at(a, "RemainingEarlyStartDate")?;
        let early_finish = at(a, "RemainingEarlyFinishDate")?;
        let late_start = at(a, "RemainingLateStartDate")?;
        let late_finish = at(a, "RemainingLateFinishDate")?;
        let cal =
            p.calendar.or_else(|| schedule.plan.projects.get(p.project).and_then(|pr| pr.default_calendar));
        // P6's default total float: late finish minus early finish, on the activity's calendar.
        let total_float_min =
            match (early_finish, late_finish, cal.and_then(|c| schedule.plan.calendars.get(c))) {
                (Some(ef), Some(lf), Some(cal)) => Some(work_between(cal, ef, lf)),
                _ => None,
            };
        if early_start.is_some() || late_start.is_some() {
            let limit = schedule.plan.projects.get(p.project).map_or(0.0, |pr| pr.critical_float_min);
            p.stored = Some(StoredDates {
                early_start,
                early_finish,
                late_start,
                late_finish,
                total_float_min,
                critical: total_float_min.map(|f| f <= limit + 1e-6),
            });
        }
    }
    Ok(())
}
