//! The CPM facts of an MSPDI file: every calendar with its working times (`WeekDays` with
//! `WorkingTimes`, old-style dated `WeekDay`s and the newer `Exceptions`, days a derived calendar
//! leaves out taken from its `BaseCalendarUID`), each task's calendar (`CalendarUID`, `-1` for
//! the project's), durations and remaining durations in working minutes, constraints
//! (`ConstraintType`, `ConstraintDate`), lags in minutes, and the project options.

use crate::calendar::{normalise, Span, WorkCalendar};
use crate::plan::{Constraint, ConstraintKind, FloatKind, LagCalendar, OpenStart, ProgressMode, ProjectPlan};
use crate::text::{parse_duration_days, parse_moment, parse_number};
use crate::{Schedule, ScheduleError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use plumbline_xml::Element;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A link's lag as the reader found it: tenths of a minute, its format code, and whether it is
/// a share of the predecessor's duration.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawLag {
    pub tenths: f64,
    pub format: u32,
}

/// One calendar as the file writes it, before its base is applied.
struct RawCalendar<'a> {
    uid: &'a str,
    name: String,
    base: Option<&'a str>,
    /// Weekdays the calendar itself defines (Monday first): `Some(spans)`, empty for a day off.
    week: [Option<Vec<Span>>; 7],
    exceptions: BTreeMap<NaiveDate, Vec<Span>>,
    line: usize,
}

/// `08:00:00`, `08:00:00.000` or `24:00:00` as minutes after midnight.
fn minutes(text: &str) -> Option<u16> {
    let mut parts = text.trim().split(':');
    let h: u16 = parts.next()?.trim().parse().ok()?;
    let m: u16 = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    (h <= 24 && m < 60).then(|| (h * 60 + m).min(1440))
}

/// The `WorkingTimes` of a day; `ToTime` 00:00 closes at midnight.
fn working_times(day: &Element) -> Vec<Span> {
    let mut spans: Vec<Span> = day
        .child("WorkingTimes")
        .into_iter()
        .flat_map(|w| w.all("WorkingTime"))
        .filter_map(|w| {
            let from = minutes(w.text_of("FromTime")?)?;
            let to = minutes(w.text_of("ToTime")?)?;
            Some((from, if to == 0 { 1440 } else { to }))
        })
        .collect();
    normalise(&mut spans);
    spans
}

/// Dates from `from` to `to` inclusive, capped: multi-year "exceptions" are calendar ranges.
fn each_day(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to).take(4000)
}

fn read_calendar<'a>(cal: &'a Element, path: &Path) -> Result<Option<RawCalendar<'a>>, ScheduleError> {
    let Some(uid) = cal.text_of("UID") else { return Ok(None) };
    let mut raw = RawCalendar {
        uid,
        name: cal.text_of("Name").unwrap_or("").to_string(),
        base: cal.text_of("BaseCalendarUID").filter(|b| *b != "-1" && *b != uid),
        week: Default::default(),
        exceptions: BTreeMap::new(),
        line: cal.line,
    };
    let date = |e: &Element, field: &str| -> Result<Option<NaiveDate>, ScheduleError> {
        e.text_of(field).map_or(Ok(None), |t| {
            parse_moment(t)
                .map(|m| m.map(|m| m.date))
                .map_err(|reason| ScheduleError::field(path, e.line, field, reason))
        })
    };
    let mut dated = |e: &Element, spans: Vec<Span>| -> Result<(), ScheduleError> {
        let Some(period) = e.child("TimePeriod") else { return Ok(()) };
        if let (Some(from), Some(to)) = (date(period, "FromDate")?, date(period, "ToDate")?) {
            for d in each_day(from, to) {
                raw.exceptions.insert(d, spans.clone());
            }
        }
        Ok(())
    };
    for wd in cal.child("WeekDays").into_iter().flat_map(|w| w.all("WeekDay")) {
        let working = wd.text_of("DayWorking") == Some("1");
        let spans = if working { working_times(wd) } else { Vec::new() };
        match wd.text_of("DayType").and_then(|t| t.parse::<usize>().ok()) {
            // DayType 1 is Sunday: Monday first is (t + 5) % 7.
            Some(t @ 1..=7) => raw.week[(t + 5) % 7] = Some(spans),
            Some(0) => dated(wd, spans)?,
            _ => {}
        }
    }
    for e in cal.child("Exceptions").into_iter().flat_map(|e| e.all("Exception")) {
        let working = e.text_of("DayWorking") == Some("1");
        dated(e, if working { working_times(e) } else { Vec::new() })?;
    }
    Ok(Some(raw))
}

/// MS Project's standard week: Monday to Friday, 08:00–12:00 and 13:00–17:00.
fn standard_day(i: usize) -> Vec<Span> {
    if i < 5 {
        vec![(480, 720), (780, 1020)]
    } else {
        Vec::new()
    }
}

/// Resolves each calendar against its base chain: a weekday or a date the calendar leaves out
/// comes from its base (and so on, at most eight deep), else the standard week.
fn resolve(raws: &[RawCalendar], hours_per_day: f64) -> Vec<WorkCalendar> {
    let by_uid: HashMap<&str, usize> = raws.iter().enumerate().map(|(i, r)| (r.uid, i)).collect();
    raws.iter()
        .map(|raw| {
            let mut chain = vec![raw];
            while let Some(base) = chain.last().and_then(|c| c.base).and_then(|b| by_uid.get(b)) {
                if chain.len() >= 8 {
                    break;
                }
                chain.push(&raws[*base]);
            }
            let week: [Vec<Span>; 7] = std::array::from_fn(|i| {
                chain.iter().find_map(|c| c.week[i].clone()).unwrap_or_else(|| standard_day(i))
            });
            let mut exceptions = BTreeMap::new();
            // The base's exceptions first, so that the calendar's own win.
            for c in chain.iter().rev() {
                exceptions.extend(c.exceptions.iter().map(|(d, s)| (*d, s.clone())));
            }
            WorkCalendar {
                id: raw.uid.to_string(),
                name: raw.name.clone(),
                week,
                exceptions,
                hours_per_day,
                line: raw.line,
            }
        })
        .collect()
}

/// The calendars (indices) of the work resources assigned to each task, by task UID, sorted.
fn resource_calendars(root: &Element, index: &HashMap<String, usize>) -> HashMap<String, Vec<usize>> {
    let resources: HashMap<&str, usize> = root
        .child("Resources")
        .into_iter()
        .flat_map(|r| r.all("Resource"))
        // Type 1 is a work resource (0 material, 2 cost): only work resources have hours.
        .filter(|r| r.text_of("Type").is_none_or(|t| t == "1"))
        .filter_map(|r| Some((r.text_of("UID")?, *index.get(r.text_of("CalendarUID")?)?)))
        .collect();
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for a in root.child("Assignments").into_iter().flat_map(|a| a.all("Assignment")) {
        let (Some(task), Some(&cal)) =
            (a.text_of("TaskUID"), a.text_of("ResourceUID").and_then(|r| resources.get(r)))
        else {
            continue;
        };
        let cals = out.entry(task.to_string()).or_default();
        if !cals.contains(&cal) {
            cals.push(cal);
            cals.sort_unstable();
        }
    }
    out
}

/// A calendar that works whenever any of `cals` does.
fn union_of(calendars: &[WorkCalendar], cals: &[usize]) -> WorkCalendar {
    let parts: Vec<&WorkCalendar> = cals.iter().filter_map(|&c| calendars.get(c)).collect();
    let merge = |spans: Vec<Span>| {
        let mut spans = spans;
        normalise(&mut spans);
        spans
    };
    let week = std::array::from_fn(|i| merge(parts.iter().flat_map(|c| c.week[i].iter().copied()).collect()));
    let mut exceptions = BTreeMap::new();
    for day in parts.iter().flat_map(|c| c.exceptions.keys()) {
        exceptions.insert(*day, merge(parts.iter().flat_map(|c| c.spans_of(*day).iter().copied()).collect()));
    }
    let first = parts.first();
    WorkCalendar {
        id: format!("union:{}", parts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join("+")),
        name: parts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" + "),
        week,
        exceptions,
        hours_per_day: first.map_or(8.0, |c| c.hours_per_day),
        line: first.map_or(0, |c| c.line),
    }
}

/// Fills `schedule.plan` and each task's plan from the MSPDI tree. `task_nodes` are the tasks
/// in `schedule.tasks` order; `lags` are those of `schedule.dependencies`.
pub(super) fn fill(
    path: &Path,
    root: &Element,
    task_nodes: &[&Element],
    schedule: &mut Schedule,
    lags: &[RawLag],
) -> Result<(), ScheduleError> {
    let minutes_per_day =
        root.text_of("MinutesPerDay").and_then(parse_number).filter(|m| *m > 0.0).unwrap_or(480.0);
    let at = |n: &Element, field: &str| -> Result<Option<NaiveDateTime>, ScheduleError> {
        n.text_of(field).map_or(Ok(None), |t| {
            parse_moment(t)
                .map(|m| m.map(|m| m.date.and_time(m.time.unwrap_or(NaiveTime::MIN))))
                .map_err(|reason| ScheduleError::field(path, n.line, field, reason))
        })
    };
    let mut raws = Vec::new();
    for cal in root.child("Calendars").into_iter().flat_map(|c| c.all("Calendar")) {
        raws.extend(read_calendar(cal, path)?);
    }
    let plan = &mut schedule.plan;
    plan.calendars = resolve(&raws, minutes_per_day / 60.0);
    if plan.calendars.is_empty() {
        plan.calendars.push(WorkCalendar {
            id: "standard".into(),
            name: "Standard".into(),
            week: std::array::from_fn(standard_day),
            exceptions: BTreeMap::new(),
            hours_per_day: minutes_per_day / 60.0,
            line: root.line,
        });
    }
    let index: HashMap<String, usize> =
        plan.calendars.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
    let project_calendar = root.text_of("CalendarUID").and_then(|u| index.get(u).copied()).or(Some(0));
    let critical_days = root.text_of("CriticalSlackLimit").and_then(parse_number).unwrap_or(0.0);
    plan.projects = vec![ProjectPlan {
        name: root.text_of("Name").unwrap_or("").to_string(),
        // MS Project does not move unstarted work to the status date: it schedules from the
        // project start (and the actuals), so no data date enters the CPM.
        data_date: None,
        start: at(root, "StartDate")?,
        must_finish_by: if root.text_of("ScheduleFromStart") == Some("0") {
            at(root, "FinishDate")?
        } else {
            None
        },
        critical_float_min: critical_days * minutes_per_day,
        default_calendar: project_calendar,
    }];
    plan.open_start = OpenStart::ProjectStart;
    plan.progress = ProgressMode::RetainedLogic;
    // MS Project's total slack is the smaller of start and finish slack.
    plan.float = FloatKind::Smallest;
    plan.lag_calendar = LagCalendar::Successor;

    let resource_calendars = resource_calendars(root, &index);
    let mut unions: HashMap<Vec<usize>, usize> = HashMap::new();
    for (task, n) in schedule.tasks.iter_mut().zip(task_nodes) {
        let p = &mut task.plan;
        p.calendar = match n.text_of("CalendarUID") {
            // Without a task calendar, MS Project works a task when its resources work: on the
            // resource's calendar, or on the union of several resources' calendars.
            None | Some("-1") | Some("") => match n.text_of("UID").and_then(|u| resource_calendars.get(u)) {
                Some(cals) if cals.len() == 1 => Some(cals[0]),
                Some(cals) if cals.len() > 1 => Some(*unions.entry(cals.clone()).or_insert_with(|| {
                    let union = union_of(&schedule.plan.calendars, cals);
                    schedule.plan.calendars.push(union);
                    schedule.plan.calendars.len() - 1
                })),
                _ => None,
            },
            Some(uid) => match index.get(uid) {
                Some(&c) => Some(c),
                None => {
                    return Err(ScheduleError::Activity {
                        path: path.display().to_string(),
                        line: n.line,
                        activity: task.id.clone(),
                        reason: format!("calendar UID '{uid}' (field CalendarUID) is not in <Calendars>"),
                    })
                }
            },
        };
        let duration_min = |field: &str| -> Result<Option<i64>, ScheduleError> {
            n.text_of(field).map_or(Ok(None), |d| {
                // Durations are written in hours (`PT16H0M0S`): one "day" of the parser is one
                // hour here, so the value comes back in hours.
                let hours = parse_duration_days(d, 1.0).ok_or_else(|| {
                    ScheduleError::field(path, n.line, field, format!("cannot read '{d}' as a duration"))
                })?;
                if hours < 0.0 {
                    return Err(ScheduleError::Activity {
                        path: path.display().to_string(),
                        line: n.line,
                        activity: task.id.clone(),
                        reason: format!("negative duration: {field} is {d}"),
                    });
                }
                Ok(Some((hours * 60.0).round() as i64))
            })
        };
        p.duration_min = duration_min("Duration")?;
        p.remaining_min = if p.actual_start.is_some() { duration_min("RemainingDuration")? } else { None };
        p.planned_start = at(n, "Start")?;
        let kind = match n.text_of("ConstraintType").unwrap_or("0") {
            "0" => None,
            "1" => Some(ConstraintKind::AsLateAsPossible),
            "2" => Some(ConstraintKind::MandatoryStart),
            "3" => Some(ConstraintKind::MandatoryFinish),
            "4" => Some(ConstraintKind::StartNoEarlier),
            "5" => Some(ConstraintKind::StartNoLater),
            "6" => Some(ConstraintKind::FinishNoEarlier),
            "7" => Some(ConstraintKind::FinishNoLater),
            other => {
                return Err(ScheduleError::field(
                    path,
                    n.line,
                    "ConstraintType",
                    format!("unknown constraint type '{other}' (expected 0 to 7)"),
                ))
            }
        };
        if let Some(kind) = kind {
            let date = at(n, "ConstraintDate")?;
            if date.is_none() && kind != ConstraintKind::AsLateAsPossible {
                return Err(ScheduleError::Activity {
                    path: path.display().to_string(),
                    line: n.line,
                    activity: task.id.clone(),
                    reason: format!("constraint {kind:?} (ConstraintType) has no ConstraintDate"),
                });
            }
            p.constraints.push(Constraint { kind, at: date });
        }
    }

    let durations: Vec<Option<i64>> = schedule.tasks.iter().map(|t| t.plan.duration_min).collect();
    let plan = &mut schedule.plan;
    plan.lag_min = Vec::with_capacity(lags.len());
    plan.lag_elapsed = Vec::with_capacity(lags.len());
    for (dep, lag) in schedule.dependencies.iter().zip(lags) {
        let (minutes, elapsed) = match lag.format {
            // Percent lags: tenths of a percent of the predecessor's duration.
            19 | 20 | 51 | 52 => {
                let of = durations.get(dep.predecessor).copied().flatten().unwrap_or(0) as f64;
                ((lag.tenths / 1000.0 * of).round() as i64, matches!(lag.format, 20 | 52))
            }
            // Elapsed minutes, hours, days, weeks, months run round the clock.
            4 | 6 | 8 | 10 | 12 | 36 | 38 | 40 | 42 | 44 => ((lag.tenths / 10.0).round() as i64, true),
            _ => ((lag.tenths / 10.0).round() as i64, false),
        };
        plan.lag_min.push(Some(minutes));
        plan.lag_elapsed.push(elapsed);
    }
    Ok(())
}
