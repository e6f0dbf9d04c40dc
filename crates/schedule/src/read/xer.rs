//! Primavera P6 XER: tab-separated tables, each `%T name`, `%F fields...`, `%R values...`,
//! ended by `%E`. Read here: PROJECT, PROJWBS, CALENDAR, TASK and TASKPRED.
//!
//! Task ids are the activity ids (`task_code`), prefixed with the project's short name where
//! several projects in the file use the same code. Hours become days with the default
//! calendar's hours per day (8 where the file does not say).

use super::unique_ids;
use super::xer_table::Table;
use crate::text::{finish_day, parse_moment, parse_number, start_day, Moment};
use crate::{Calendar, Dependency, DependencyType, Format, Schedule, ScheduleError, Task, TaskType};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

fn tables<'a>(path: &Path, text: &'a str) -> Result<HashMap<&'a str, Table<'a>>, ScheduleError> {
    let mut out: HashMap<&str, Table> = HashMap::new();
    let mut current: Option<&str> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line_no == 1 {
            if !line.starts_with("ERMHDR") {
                return Err(ScheduleError::syntax(
                    path,
                    1,
                    "not a Primavera XER file: the first line is not ERMHDR",
                ));
            }
            continue;
        }
        let mut cells = line.split('\t');
        match cells.next().unwrap_or("") {
            "%T" => {
                let name = cells.next().unwrap_or("").trim();
                if name.is_empty() {
                    return Err(ScheduleError::syntax(path, line_no, "%T without a table name"));
                }
                current = Some(name);
                out.insert(name, Table { fields: HashMap::new(), rows: Vec::new() });
            }
            "%F" => {
                let Some(table) = current.and_then(|c| out.get_mut(c)) else {
                    return Err(ScheduleError::syntax(path, line_no, "%F field list before any %T table"));
                };
                table.fields = cells.enumerate().map(|(i, f)| (f.trim(), i)).collect();
            }
            "%R" => {
                let Some(table) = current.and_then(|c| out.get_mut(c)) else {
                    return Err(ScheduleError::syntax(path, line_no, "%R row before any %T table"));
                };
                if table.fields.is_empty() {
                    return Err(ScheduleError::syntax(
                        path,
                        line_no,
                        "%R row before the table's %F field list",
                    ));
                }
                table.rows.push((line_no, cells.collect()));
            }
            "%E" => break,
            "" => {}
            other if other.starts_with('%') => {
                return Err(ScheduleError::syntax(path, line_no, format!("unknown XER record '{other}'")));
            }
            // Long memo fields can spill over lines; the continuation belongs to the row above.
            _ => {}
        }
    }
    Ok(out)
}

/// Reads XER text (see the module documentation).
pub fn read_xer_text(path: &Path, text: &str) -> Result<Schedule, ScheduleError> {
    let tables = tables(path, text)?;
    let empty = Table { fields: HashMap::new(), rows: Vec::new() };
    let task_table = tables.get("TASK").ok_or_else(|| {
        ScheduleError::syntax(path, 1, "the XER file has no TASK table (export activities from P6)")
    })?;
    let projects = tables.get("PROJECT").unwrap_or(&empty);
    let wbs_table = tables.get("PROJWBS").unwrap_or(&empty);
    let calendars = tables.get("CALENDAR").unwrap_or(&empty);
    let preds = tables.get("TASKPRED").unwrap_or(&empty);

    let moment =
        |t: &Table, row: &[&str], line: usize, field: &str| -> Result<Option<Moment>, ScheduleError> {
            parse_moment(t.get(row, field)).map_err(|reason| ScheduleError::field(path, line, field, reason))
        };
    let number = |t: &Table, row: &[&str], line: usize, field: &str| -> Result<Option<f64>, ScheduleError> {
        let v = t.get(row, field);
        if v.is_empty() {
            return Ok(None);
        }
        parse_number(v)
            .map(Some)
            .ok_or_else(|| ScheduleError::field(path, line, field, format!("cannot read '{v}' as a number")))
    };

    let mut schedule = Schedule::new(path.display().to_string(), Format::Xer);
    let mut project_names: HashMap<&str, &str> = HashMap::new();
    let mut project_calendar: Option<&str> = None;
    for (line, row) in &projects.rows {
        let id = projects.get(row, "proj_id");
        let short = projects.get(row, "proj_short_name");
        project_names.insert(id, short);
        if schedule.name.is_none() && !short.is_empty() {
            schedule.name = Some(short.to_string());
        }
        if project_calendar.is_none() && !projects.get(row, "clndr_id").is_empty() {
            project_calendar = Some(projects.get(row, "clndr_id"));
        }
        if let Some(m) = moment(projects, row, *line, "last_recalc_date")? {
            schedule.data_date = Some(schedule.data_date.map_or(m.date, |d: NaiveDate| d.max(m.date)));
        }
    }

    // The project's calendar, or the one flagged default.
    let mut hours_per_day = 8.0;
    let chosen = calendars
        .rows
        .iter()
        .find(|(_, r)| Some(calendars.get(r, "clndr_id")) == project_calendar)
        .or_else(|| calendars.rows.iter().find(|(_, r)| calendars.get(r, "default_flag") == "Y"))
        .or_else(|| calendars.rows.first());
    if let Some((_, row)) = chosen {
        if let Some(h) = parse_number(calendars.get(row, "day_hr_cnt")).filter(|h| *h > 0.0) {
            hours_per_day = h;
        }
        schedule.calendar =
            Some(parse_clndr_data(calendars.get(row, "clndr_name"), calendars.get(row, "clndr_data")));
    }

    // WBS paths: names from below the project node down to the activity's node.
    let mut wbs_nodes: HashMap<&str, (&str, &str, bool)> = HashMap::new();
    for (_, row) in &wbs_table.rows {
        wbs_nodes.insert(
            wbs_table.get(row, "wbs_id"),
            (
                wbs_table.get(row, "parent_wbs_id"),
                wbs_table.get(row, "wbs_name"),
                wbs_table.get(row, "proj_node_flag") == "Y",
            ),
        );
    }
    let wbs_path = |start: &str| -> Vec<String> {
        let mut id = start;
        let mut names = Vec::new();
        for _ in 0..64 {
            let Some(&(parent, name, project_node)) = wbs_nodes.get(id) else { break };
            if !project_node {
                names.push(name.to_string());
            }
            id = parent;
        }
        names.reverse();
        names
    };

    let entries: Vec<(String, String, String)> = task_table
        .rows
        .iter()
        .map(|(_, r)| {
            let project = project_names.get(task_table.get(r, "proj_id")).copied().unwrap_or("");
            (
                project.to_string(),
                task_table.get(r, "task_code").to_string(),
                task_table.get(r, "task_id").to_string(),
            )
        })
        .collect();
    let ids = unique_ids(&entries);
    let mut by_internal: HashMap<&str, usize> = HashMap::new();
    for ((line, row), id) in task_table.rows.iter().zip(ids) {
        let internal = task_table.get(row, "task_id");
        if internal.is_empty() {
            return Err(ScheduleError::MissingField {
                path: path.into(),
                line: *line,
                field: "task_id".into(),
            });
        }
        by_internal.insert(internal, schedule.tasks.len());
        let mut task = Task::new(id, task_table.get(row, "task_name"));
        task.wbs = wbs_path(task_table.get(row, "wbs_id"));
        let kind = task_table.get(row, "task_type");
        task.milestone = matches!(kind, "TT_Mile" | "TT_FinMile");
        task.summary = kind == "TT_WBS";
        let planned_start = moment(task_table, row, *line, "target_start_date")?.or(moment(
            task_table,
            row,
            *line,
            "early_start_date",
        )?);
        let planned_finish = moment(task_table, row, *line, "target_end_date")?.or(moment(
            task_table,
            row,
            *line,
            "early_end_date",
        )?);
        task.start = start_day(planned_start);
        task.finish = finish_day(planned_finish, task.start);
        task.actual_start = start_day(moment(task_table, row, *line, "act_start_date")?);
        task.actual_finish = finish_day(moment(task_table, row, *line, "act_end_date")?, task.actual_start);
        task.duration_days = number(task_table, row, *line, "target_drtn_hr_cnt")?.map(|h| h / hours_per_day);
        task.percent_complete = number(task_table, row, *line, "phys_complete_pct")?;
        if task.percent_complete.is_none() || task_table.get(row, "status_code") == "TK_Complete" {
            task.percent_complete = match task_table.get(row, "status_code") {
                "TK_Complete" => Some(100.0),
                "TK_NotStart" => Some(0.0),
                _ => task.percent_complete,
            };
        }
        let names = std::iter::once(task.name.as_str()).chain(task.wbs.iter().map(String::as_str));
        task.task_type = TaskType::from_names(names);
        schedule.tasks.push(task);
    }

    let mut lags_hr = Vec::new();
    for (line, row) in &preds.rows {
        let (succ, pred) = (preds.get(row, "task_id"), preds.get(row, "pred_task_id"));
        let (Some(&successor), Some(&predecessor)) = (by_internal.get(succ), by_internal.get(pred)) else {
            schedule.warnings.push(format!(
                "{}: line {line}: relationship {pred} -> {succ} names an activity that is not in the file (external project); left out",
                path.display()
            ));
            continue;
        };
        let kind = preds.get(row, "pred_type");
        let dep_type = DependencyType::parse(kind).ok_or_else(|| {
            ScheduleError::field(path, *line, "pred_type", format!("unknown relationship type '{kind}'"))
        })?;
        let lag_hr = number(preds, row, *line, "lag_hr_cnt")?.unwrap_or(0.0);
        lags_hr.push(lag_hr);
        schedule.dependencies.push(Dependency {
            predecessor,
            successor,
            dep_type,
            lag_days: lag_hr / hours_per_day,
        });
    }
    super::xer_plan::fill(path, &tables, &mut schedule, &lags_hr)?;
    Ok(schedule)
}

/// Reads P6's calendar blob: `(0||DaysOfWeek()( (0||1()( (0||0(s|08:00|f|12:00)()) ...)) ...)`
/// with days 1 (Sunday) to 7, and `(0||Exceptions()( (0||0(d|41275)()) ...))` whose dates are
/// spreadsheet serials; an exception without working hours is a holiday.
pub(crate) fn parse_clndr_data(name: &str, data: &str) -> Calendar {
    let mut work_days = [false; 7];
    let mut holidays = BTreeSet::new();
    let mut section = "";
    let mut current_day: Option<usize> = None;
    let mut current_exception: Option<(NaiveDate, bool)> = None;
    let flush = |e: &mut Option<(NaiveDate, bool)>, holidays: &mut BTreeSet<NaiveDate>| {
        if let Some((d, working)) = e.take() {
            if !working {
                holidays.insert(d);
            }
        }
    };
    for token in data.split("(0||").skip(1) {
        let raw_head = token.split('(').next().unwrap_or("");
        let head = raw_head.trim();
        if head == "DaysOfWeek" || head == "Exceptions" || head == "VIEW" || head == "CalendarData" {
            flush(&mut current_exception, &mut holidays);
            section = head;
            continue;
        }
        let working_slot = token.contains("s|");
        match section {
            "DaysOfWeek" => {
                // After the untrimmed head: `head` is trimmed, so its length is no offset into
                // `token` (slicing by it split a multi-byte character; found by fuzzing).
                let after = &token[raw_head.len()..];
                if after.starts_with("()") {
                    // A day header: `1()(`.
                    current_day = head.parse::<usize>().ok().filter(|d| (1..=7).contains(d));
                }
                if working_slot {
                    if let Some(d) = current_day {
                        work_days[(d + 5) % 7] = true;
                    }
                }
            }
            "Exceptions" => {
                if let Some(serial) = token.split("d|").nth(1).and_then(|s| s.split(')').next()) {
                    flush(&mut current_exception, &mut holidays);
                    if let Some(date) = serial.trim().parse::<i64>().ok().and_then(spreadsheet_date) {
                        current_exception = Some((date, working_slot));
                    }
                } else if working_slot {
                    if let Some(e) = current_exception.as_mut() {
                        e.1 = true;
                    }
                }
            }
            _ => {}
        }
    }
    flush(&mut current_exception, &mut holidays);
    if !work_days.iter().any(|&w| w) {
        // A blob without a week (or one this reader does not understand) means a standard week.
        work_days = [true, true, true, true, true, false, false];
    }
    Calendar { name: name.to_string(), work_days, holidays }
}

/// Spreadsheet day serial (1899-12-30 is day 0) to a date.
fn spreadsheet_date(serial: i64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(u64::try_from(serial).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_blob_with_padding_and_non_ascii_text_does_not_panic() {
        // Fuzz regression: whitespace before a day number then multi-byte characters.
        // The head ` ЄЄ` trims to 4 bytes, which is inside the second `Є` of the token.
        let c = parse_clndr_data("x", "(0||DaysOfWeek()((0|| ЄЄ()((0||0(s|08:00|f|17:00)()))))");
        assert_eq!(c.name, "x");
        let c = parse_clndr_data("x", "(0||DaysOfWeek()((0|| 2()((0||0(s|08:00|f|17:00)()))))");
        assert!(c.work_days[0], "day 2 (Monday) works: {:?}", c.work_days);
    }

    #[test]
    fn calendar_blob() {
        let data = "(0||CalendarData()(  (0||DaysOfWeek()(    (0||1()())    (0||2()(      (0||0(s|08:00|f|12:00)())      (0||1(s|13:00|f|17:00)())))    (0||3()(      (0||0(s|08:00|f|12:00)())))    (0||4()(      (0||0(s|08:00|f|12:00)())))    (0||5()(      (0||0(s|08:00|f|12:00)())))    (0||6()(      (0||0(s|08:00|f|12:00)())))    (0||7()())))  (0||VIEW(ShowTotal|Y)())  (0||Exceptions()(    (0||0(d|41275)())    (0||1(d|41276)(      (0||0(s|08:00|f|12:00)())))))))";
        let c = parse_clndr_data("Standard", data);
        assert_eq!(c.work_days, [true, true, true, true, true, false, false]);
        let d = NaiveDate::from_ymd_opt(2013, 1, 1).expect("date");
        assert_eq!(c.holidays.iter().copied().collect::<Vec<_>>(), vec![d]);
    }
}
