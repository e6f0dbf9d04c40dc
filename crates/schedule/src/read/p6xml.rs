//! Primavera P6 XML (`APIBusinessObjects`): `Project` and `BaselineProject` elements holding
//! `WBS`, `Activity` and `Relationship` elements; `Calendar`s at the top level.
//!
//! Activities of every project in the file are read (baselines included), keyed by activity
//! `Id`, prefixed with the project `Id` where codes repeat. Stub activities of external
//! projects (id and name only) are kept as tasks without dates. Durations and lags are hours.

use super::unique_ids;
use crate::text::{finish_day, parse_moment, parse_number, start_day, Moment};
use crate::{Calendar, Dependency, DependencyType, Format, Schedule, ScheduleError, Task, TaskType};
use plumbline_xml::Element;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Reads P6 XML text (see the module documentation).
pub fn read_p6xml_text(path: &Path, text: &str) -> Result<Schedule, ScheduleError> {
    let root = plumbline_xml::parse(text).map_err(|e| ScheduleError::xml(path, &e))?;
    if root.name != "APIBusinessObjects" {
        return Err(ScheduleError::syntax(
            path,
            1,
            format!("expected an <APIBusinessObjects> root, found <{}>", root.name),
        ));
    }
    let moment = |n: &Element, field: &str| -> Result<Option<Moment>, ScheduleError> {
        n.text_of(field).map_or(Ok(None), |t| {
            parse_moment(t).map_err(|reason| ScheduleError::field(path, n.line, field, reason))
        })
    };
    let number = |n: &Element, field: &str| -> Result<Option<f64>, ScheduleError> {
        n.text_of(field).map_or(Ok(None), |t| {
            parse_number(t).map(Some).ok_or_else(|| {
                ScheduleError::field(path, n.line, field, format!("cannot read '{t}' as a number"))
            })
        })
    };

    let mut schedule = Schedule::new(path.display().to_string(), Format::P6Xml);
    let projects: Vec<&Element> =
        root.children.iter().filter(|c| c.name == "Project" || c.name == "BaselineProject").collect();

    // The calendar most projects default to, else the one flagged default.
    let calendars: Vec<&Element> = root.all("Calendar").collect();
    let wanted = projects.iter().find_map(|p| p.text_of("ActivityDefaultCalendarObjectId"));
    let chosen = calendars
        .iter()
        .find(|c| wanted.is_some() && c.text_of("ObjectId") == wanted)
        .or_else(|| calendars.iter().find(|c| c.text_of("IsDefault") == Some("1")))
        .or_else(|| calendars.first());
    let mut hours_per_day = 8.0;
    if let Some(c) = chosen {
        hours_per_day = c.text_of("HoursPerDay").and_then(parse_number).filter(|h| *h > 0.0).unwrap_or(8.0);
        schedule.calendar = Some(calendar(c, path)?);
    }

    let mut entries = Vec::new();
    let mut activities: Vec<(&Element, &Element)> = Vec::new();
    for p in &projects {
        if schedule.name.is_none() && p.name == "Project" && p.children.len() > 3 {
            schedule.name = p.text_of("Name").map(str::to_string);
        }
        if let Some(m) = moment(p, "DataDate")? {
            schedule.data_date = Some(schedule.data_date.map_or(m.date, |d| d.max(m.date)));
        }
        for a in p.all("Activity") {
            let object_id = a.text_of("ObjectId").ok_or_else(|| ScheduleError::MissingField {
                path: path.into(),
                line: a.line,
                field: "ObjectId".into(),
            })?;
            entries.push((
                p.text_of("Id").unwrap_or("").to_string(),
                a.text_of("Id").unwrap_or("").to_string(),
                object_id.to_string(),
            ));
            activities.push((p, a));
        }
    }
    let ids = unique_ids(&entries);

    let mut by_object: HashMap<(&str, &str), usize> = HashMap::new();
    for ((p, a), id) in activities.iter().zip(ids) {
        let mut task = Task::new(id, a.text_of("Name").unwrap_or(""));
        task.wbs = wbs_path(p, a.text_of("WBSObjectId"));
        let kind = a.text_of("Type").unwrap_or("");
        task.milestone = kind.contains("Milestone");
        task.summary = kind == "WBS Summary";
        task.start = start_day(moment(a, "PlannedStartDate")?.or(moment(a, "StartDate")?));
        task.finish = finish_day(moment(a, "PlannedFinishDate")?.or(moment(a, "FinishDate")?), task.start);
        task.actual_start = start_day(moment(a, "ActualStartDate")?);
        task.actual_finish = finish_day(moment(a, "ActualFinishDate")?, task.actual_start);
        task.duration_days = number(a, "PlannedDuration")?.map(|h| h / hours_per_day);
        // The API writes percentages as fractions (0.5 is half done).
        task.percent_complete = number(a, "PercentComplete")?.map(|f| if f <= 1.0 { f * 100.0 } else { f });
        let names = std::iter::once(task.name.as_str()).chain(task.wbs.iter().map(String::as_str));
        task.task_type = TaskType::from_names(names);
        let project_object = p.text_of("ObjectId").unwrap_or("");
        let object_id = a.text_of("ObjectId").unwrap_or("");
        // Stubs of external projects repeat a real activity's ObjectId: the full one wins.
        by_object.entry(("", object_id)).or_insert(schedule.tasks.len());
        by_object.insert((project_object, object_id), schedule.tasks.len());
        schedule.tasks.push(task);
    }

    let mut lags_hr = Vec::new();
    for p in &projects {
        let project_object = p.text_of("ObjectId").unwrap_or("");
        for r in p.all("Relationship") {
            let find = |field: &str| {
                let object = r.text_of(field).unwrap_or("");
                by_object.get(&(project_object, object)).or_else(|| by_object.get(&("", object))).copied()
            };
            let (Some(predecessor), Some(successor)) =
                (find("PredecessorActivityObjectId"), find("SuccessorActivityObjectId"))
            else {
                schedule.warnings.push(format!(
                    "{}: line {}: relationship names an activity that is not in the file; left out",
                    path.display(),
                    r.line
                ));
                continue;
            };
            let kind = r.text_of("Type").unwrap_or("Finish to Start");
            let dep_type = DependencyType::parse(kind).ok_or_else(|| {
                ScheduleError::field(path, r.line, "Type", format!("unknown relationship type '{kind}'"))
            })?;
            let lag_hr = number(r, "Lag")?.unwrap_or(0.0);
            schedule.dependencies.push(Dependency {
                predecessor,
                successor,
                dep_type,
                lag_days: lag_hr / hours_per_day,
            });
            lags_hr.push(lag_hr);
        }
    }
    super::p6xml_plan::fill(path, &root, &projects, &activities, &mut schedule, &lags_hr)?;
    Ok(schedule)
}

/// WBS names from the project's top node down to `wbs_id`.
fn wbs_path(project: &Element, wbs_id: Option<&str>) -> Vec<String> {
    let nodes: HashMap<&str, (Option<&str>, &str)> = project
        .all("WBS")
        .filter_map(|w| {
            Some((w.text_of("ObjectId")?, (w.text_of("ParentObjectId"), w.text_of("Name").unwrap_or(""))))
        })
        .collect();
    let mut names = Vec::new();
    let mut id = wbs_id;
    for _ in 0..64 {
        let Some((parent, name)) = id.and_then(|i| nodes.get(i)) else { break };
        names.push(name.to_string());
        id = *parent;
    }
    names.reverse();
    names
}

fn calendar(c: &Element, path: &Path) -> Result<Calendar, ScheduleError> {
    let works = |n: &Element| n.all("WorkTime").any(|w| w.text_of("Start").is_some());
    let mut work_days = [false; 7];
    if let Some(week) = c.child("StandardWorkWeek") {
        for day in week.all("StandardWorkHours") {
            let index = match day.text_of("DayOfWeek").unwrap_or("") {
                "Monday" => 0,
                "Tuesday" => 1,
                "Wednesday" => 2,
                "Thursday" => 3,
                "Friday" => 4,
                "Saturday" => 5,
                "Sunday" => 6,
                _ => continue,
            };
            work_days[index] = works(day);
        }
    }
    if !work_days.iter().any(|&w| w) {
        work_days = [true, true, true, true, true, false, false];
    }
    let mut holidays = BTreeSet::new();
    if let Some(list) = c.child("HolidayOrExceptions") {
        for h in list.all("HolidayOrException") {
            if works(h) {
                continue;
            }
            let Some(t) = h.text_of("Date") else { continue };
            let m = parse_moment(t).map_err(|reason| ScheduleError::field(path, h.line, "Date", reason))?;
            if let Some(m) = m {
                holidays.insert(m.date);
            }
        }
    }
    Ok(Calendar { name: c.text_of("Name").unwrap_or("").to_string(), work_days, holidays })
}
