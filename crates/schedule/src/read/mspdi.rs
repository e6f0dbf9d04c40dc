//! Microsoft Project XML (MSPDI): `Project/Tasks/Task` with `PredecessorLink`s and
//! `Project/Calendars`. Task ids are the `UID`s, which predecessor links refer to.

use crate::text::{finish_day, parse_duration_days, parse_moment, parse_number, start_day};
use crate::{Calendar, Dependency, DependencyType, Format, Schedule, ScheduleError, Task, TaskType};
use chrono::NaiveDate;
use plumbline_xml::Element;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Reads MSPDI text (see the module documentation).
pub fn read_mspdi_text(path: &Path, text: &str) -> Result<Schedule, ScheduleError> {
    let root = plumbline_xml::parse(text).map_err(|e| ScheduleError::xml(path, &e))?;
    if root.name != "Project" {
        return Err(ScheduleError::syntax(
            path,
            1,
            format!("expected a <Project> root, found <{}>", root.name),
        ));
    }
    let date = |n: &Element, field: &str| -> Result<Option<crate::text::Moment>, ScheduleError> {
        n.text_of(field).map_or(Ok(None), |t| {
            parse_moment(t).map_err(|reason| ScheduleError::field(path, n.line, field, reason))
        })
    };
    let minutes_per_day =
        root.text_of("MinutesPerDay").and_then(parse_number).filter(|m| *m > 0.0).unwrap_or(480.0);
    let hours_per_day = minutes_per_day / 60.0;

    let mut schedule = Schedule::new(path.display().to_string(), Format::Mspdi);
    schedule.name = root.text_of("Title").or_else(|| root.text_of("Name")).map(str::to_string);
    schedule.data_date =
        root.text_of("StatusDate").and_then(|t| parse_moment(t).ok().flatten()).map(|m| m.date);
    schedule.calendar = project_calendar(&root, path)?;

    let empty = Element::default();
    let task_nodes: Vec<&Element> = root
        .child("Tasks")
        .unwrap_or(&empty)
        .all("Task")
        .filter(|t| t.text_of("IsNull") != Some("1"))
        .collect();
    // Outline levels give the WBS: a stack of the summary tasks above the current one.
    let mut outline: Vec<(i64, String, String)> = Vec::new();
    for n in &task_nodes {
        let uid = n.text_of("UID").ok_or_else(|| ScheduleError::MissingField {
            path: path.into(),
            line: n.line,
            field: "UID".into(),
        })?;
        let mut task = Task::new(uid, n.text_of("Name").unwrap_or(""));
        let level = n.text_of("OutlineLevel").and_then(|l| l.parse::<i64>().ok()).unwrap_or(1);
        while outline.last().is_some_and(|(l, _, _)| *l >= level) {
            outline.pop();
        }
        // The project summary task (outline level 0) stands for the whole file, not a WBS node.
        task.wbs = outline.iter().filter(|(l, _, _)| *l > 0).map(|(_, _, name)| name.clone()).collect();
        task.parent = outline.last().map(|(_, id, _)| id.clone());
        outline.push((level, task.id.clone(), task.name.clone()));

        task.summary = n.text_of("Summary") == Some("1");
        task.milestone = n.text_of("Milestone") == Some("1");
        task.start = start_day(date(n, "Start")?);
        task.finish = finish_day(date(n, "Finish")?, task.start);
        task.actual_start = start_day(date(n, "ActualStart")?);
        task.actual_finish = finish_day(date(n, "ActualFinish")?, task.actual_start);
        if let Some(d) = n.text_of("Duration") {
            task.duration_days = Some(parse_duration_days(d, hours_per_day).ok_or_else(|| {
                ScheduleError::field(path, n.line, "Duration", format!("cannot read '{d}' as a duration"))
            })?);
        }
        task.percent_complete = n.text_of("PercentComplete").and_then(parse_number);
        stored_figures(&mut task, n, &date)?;
        let names = std::iter::once(task.name.as_str()).chain(task.wbs.iter().map(String::as_str));
        task.task_type = TaskType::from_names(names);
        schedule.tasks.push(task);
    }

    let mut raw_lags = Vec::new();
    let index: HashMap<String, usize> =
        schedule.tasks.iter().enumerate().map(|(i, t)| (t.id.clone(), i)).collect();
    for (successor, n) in task_nodes.iter().enumerate() {
        for link in n.all("PredecessorLink") {
            let Some(pred_uid) = link.text_of("PredecessorUID") else { continue };
            let Some(&predecessor) = index.get(pred_uid) else {
                schedule.warnings.push(format!(
                    "{}: line {}: task {} has a predecessor UID {pred_uid} that is not in the file (cross-project link); left out",
                    path.display(),
                    link.line,
                    schedule.tasks[successor].id
                ));
                continue;
            };
            let dep_type = match link.text_of("Type").unwrap_or("1") {
                "0" => DependencyType::FF,
                "1" => DependencyType::FS,
                "2" => DependencyType::SF,
                "3" => DependencyType::SS,
                other => {
                    return Err(ScheduleError::field(
                        path,
                        link.line,
                        "Type",
                        format!("unknown link type '{other}' (expected 0 FF, 1 FS, 2 SF or 3 SS)"),
                    ))
                }
            };
            let lag = link.text_of("LinkLag").map_or(Ok(0.0), |l| {
                parse_number(l).ok_or_else(|| {
                    ScheduleError::field(path, link.line, "LinkLag", format!("cannot read '{l}' as a number"))
                })
            })?;
            let format = link.text_of("LagFormat").and_then(|f| f.parse::<u32>().ok()).unwrap_or(7);
            let lag_days = match format {
                // Percent lags are a share of the predecessor's duration, in tenths of a percent.
                19 | 20 | 51 | 52 => lag / 1000.0 * schedule.tasks[predecessor].duration_days.unwrap_or(0.0),
                // Elapsed units run round the clock.
                4 | 6 | 8 | 10 | 12 => lag / 10.0 / 1440.0,
                // Everything else is stored in tenths of a working minute.
                _ => lag / 10.0 / minutes_per_day,
            };
            schedule.dependencies.push(Dependency { predecessor, successor, dep_type, lag_days });
            raw_lags.push(super::mspdi_plan::RawLag { tenths: lag, format });
        }
    }
    super::mspdi_plan::fill(path, &root, &task_nodes, &mut schedule, &raw_lags)?;
    Ok(schedule)
}

/// Reads a date field of an element, naming the file and line when it is not a date.
type DateOf<'a> = dyn Fn(&Element, &str) -> Result<Option<crate::text::Moment>, ScheduleError> + 'a;

/// What MS Project computed for the task (its `Start`, `Finish`, `Critical`, `TotalSlack` in
/// tenths of a minute), its milestone and summary kind, and whether it is manually scheduled.
fn stored_figures(task: &mut Task, n: &Element, date: &DateOf) -> Result<(), ScheduleError> {
    use crate::plan::{ActivityKind, StoredDates};
    let at = |field: &str| -> Result<Option<chrono::NaiveDateTime>, ScheduleError> {
        Ok(date(n, field)?.map(|m| m.date.and_time(m.time.unwrap_or(chrono::NaiveTime::MIN))))
    };
    task.plan.kind = if task.summary {
        ActivityKind::WbsSummary
    } else if task.milestone {
        // A Project milestone after a finish stands at that finish (17:00), as P6's finish
        // milestones do.
        ActivityKind::FinishMilestone
    } else {
        ActivityKind::Task
    };
    task.plan.manual = n.text_of("Manual") == Some("1");
    task.plan.line = n.line;
    task.plan.actual_start = at("ActualStart")?;
    task.plan.actual_finish = at("ActualFinish")?;
    task.plan.stored = Some(StoredDates {
        early_start: at("Start")?,
        early_finish: at("Finish")?,
        late_start: at("LateStart")?,
        late_finish: at("LateFinish")?,
        total_float_min: n.text_of("TotalSlack").and_then(parse_number).map(|v| v / 10.0),
        critical: n.text_of("Critical").map(|c| c == "1"),
    });
    Ok(())
}

/// The project calendar (`Project/CalendarUID`), following `BaseCalendarUID` for the week when
/// the calendar itself lists no week days. Exceptions come from old-style `WeekDay`s with
/// `DayType 0` and from the newer `Exceptions` list.
fn project_calendar(root: &Element, path: &Path) -> Result<Option<Calendar>, ScheduleError> {
    let Some(calendars) = root.child("Calendars") else { return Ok(None) };
    let by_uid: HashMap<&str, &Element> =
        calendars.all("Calendar").filter_map(|c| Some((c.text_of("UID")?, c))).collect();
    let wanted = root.text_of("CalendarUID").unwrap_or("1");
    let Some(mut cal) = by_uid.get(wanted).copied().or_else(|| calendars.all("Calendar").next()) else {
        return Ok(None);
    };
    let name = cal.text_of("Name").unwrap_or("").to_string();
    let mut holidays = BTreeSet::new();
    let mut week: Option<[bool; 7]> = None;
    for _ in 0..8 {
        exceptions(cal, path, &mut holidays)?;
        if week.is_none() {
            week = week_days(cal);
        }
        match cal.text_of("BaseCalendarUID").and_then(|b| by_uid.get(b)) {
            Some(base) if week.is_none() => cal = base,
            _ => break,
        }
    }
    let Some(work_days) = week else { return Ok(None) };
    Ok(Some(Calendar { name, work_days, holidays }))
}

/// `WeekDay`s with `DayType` 1 (Sunday) to 7 (Saturday), as Monday-first working flags.
fn week_days(cal: &Element) -> Option<[bool; 7]> {
    let mut days = [false; 7];
    let mut any = false;
    for wd in cal.child("WeekDays")?.all("WeekDay") {
        let Some(t) = wd.text_of("DayType").and_then(|t| t.parse::<usize>().ok()) else { continue };
        if (1..=7).contains(&t) {
            // DayType 1 is Sunday; Monday-first index is (t + 5) % 7.
            days[(t + 5) % 7] = wd.text_of("DayWorking") == Some("1");
            any = true;
        }
    }
    any.then_some(days)
}

fn exceptions(cal: &Element, path: &Path, out: &mut BTreeSet<NaiveDate>) -> Result<(), ScheduleError> {
    let old = cal
        .child("WeekDays")
        .into_iter()
        .flat_map(|w| w.all("WeekDay"))
        .filter(|w| w.text_of("DayType") == Some("0"));
    let new = cal.child("Exceptions").into_iter().flat_map(|e| e.all("Exception"));
    for e in old.chain(new) {
        if e.text_of("DayWorking") == Some("1") {
            continue;
        }
        let Some(period) = e.child("TimePeriod") else { continue };
        let read = |field: &str| -> Result<Option<NaiveDate>, ScheduleError> {
            period.text_of(field).map_or(Ok(None), |t| {
                parse_moment(t)
                    .map(|m| m.map(|m| m.date))
                    .map_err(|reason| ScheduleError::field(path, period.line, field, reason))
            })
        };
        let (Some(from), Some(to)) = (read("FromDate")?, read("ToDate")?) else { continue };
        // Multi-year "exceptions" are calendar ranges, not holidays: the walk is capped.
        let mut d = from;
        for _ in 0..400 {
            if d > to {
                break;
            }
            out.insert(d);
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
    }
    Ok(())
}
