//! CSV schedules and link tables. Columns are found by header name, case, spaces and
//! underscores ignored, so the exports of the common tools read as they are:
//!
//! | role | accepted headers |
//! |---|---|
//! | id | `id`, `task id`, `task`, `identification`, `activity id`, `uid`, `code` |
//! | name | `name`, `task name`, `activity name`, `description` |
//! | start, finish | `start`, `schedule start`, `planned start`, `task start`; `finish`, `end`, ... |
//! | actual dates | `actual start`, `actual finish` (`actual end`) |
//! | duration | `duration`, `schedule duration` (`5d`, `4h`, `2d16h`, `P3D`, a number of days) |
//! | type | `type`, `task type`: construct, demolish, temporary or other |
//! | predecessors | `predecessors`, `dependencies`, `relationships`: `3`, `3FS+2d`, `5SS-1d;7FF`, or `A FS B` |
//! | progress | `percent complete`, `progress` (0–100), `completion` (0–1) |
//! | WBS | `hierarchy` / `outline level` (a number), `parent`, or dotted ids (`1.2` is under `1`) |
//! | element | `globalid`, `guid`, `ifc guid`: each row then also links that element to the task |
//!
//! A task id may repeat (event logs have one row per element and task): the first row gives the
//! task, every row gives a link. The delimiter (`,`, `;` or tab) is taken from the header line.

use crate::text::{decode, finish_day, parse_duration_days, parse_moment, parse_number, start_day};
use crate::{Dependency, DependencyType, Format, Link, Schedule, ScheduleError, Task, TaskType};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    Id,
    Name,
    Start,
    Finish,
    ActualStart,
    ActualFinish,
    Duration,
    Type,
    Predecessors,
    Percent,
    Ratio,
    Level,
    Parent,
    Wbs,
    GlobalId,
}

fn role_of(header: &str) -> Option<Role> {
    if let Some(role) = chinese_role_of(header) {
        return Some(role);
    }
    let h: String =
        header.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    Some(match h.as_str() {
        "id" | "taskid" | "task" | "identification" | "activityid" | "uid" | "code" | "taskcode" => Role::Id,
        "name" | "taskname" | "activityname" | "description" | "title" => Role::Name,
        "start" | "startdate" | "schedulestart" | "plannedstart" | "taskstart" | "plannedstartdate" => {
            Role::Start
        }
        "finish" | "end" | "enddate" | "finishdate" | "schedulefinish" | "plannedfinish" | "plannedend"
        | "taskfinish" | "taskend" | "plannedfinishdate" => Role::Finish,
        "actualstart" | "actualstartdate" => Role::ActualStart,
        "actualfinish" | "actualend" | "actualfinishdate" | "actualenddate" => Role::ActualFinish,
        "duration" | "scheduleduration" | "durationdays" | "plannedduration" => Role::Duration,
        "type" | "tasktype" | "activitytype" => Role::Type,
        "predecessors" | "predecessor" | "dependencies" | "dependency" | "relationships" | "relations" => {
            Role::Predecessors
        }
        "percentcomplete" | "progress" | "percent" | "complete" => Role::Percent,
        "completion" => Role::Ratio,
        "hierarchy" | "outlinelevel" | "level" => Role::Level,
        "parent" | "parentid" | "parenttask" => Role::Parent,
        "wbs" | "wbspath" | "wbscode" => Role::Wbs,
        "globalid" | "guid" | "ifcguid" | "elementguid" | "elementglobalid" | "ifcglobalid" => Role::GlobalId,
        _ => return None,
    })
}

/// The column headers of Chinese exports (MS Project and spreadsheets on Chinese Windows), in
/// simplified and traditional characters.
fn chinese_role_of(header: &str) -> Option<Role> {
    Some(match header.trim() {
        "编号" | "編號" | "任务编号" | "任務編號" | "标识号" | "標識號" | "作业代码" | "作業代碼" => {
            Role::Id
        }
        "名称" | "名稱" | "任务名称" | "任務名稱" | "工作名称" | "工作名稱" | "作业名称" | "作業名稱" => {
            Role::Name
        }
        "开始" | "開始" | "开始时间" | "開始時間" | "开始日期" | "開始日期" | "计划开始" | "計劃開始" => {
            Role::Start
        }
        "完成" | "结束" | "結束" | "完成时间" | "完成時間" | "结束时间" | "結束時間" | "完成日期"
        | "结束日期" | "結束日期" | "计划完成" | "計劃完成" => Role::Finish,
        "实际开始" | "實際開始" => Role::ActualStart,
        "实际完成" | "實際完成" | "实际结束" | "實際結束" => Role::ActualFinish,
        "工期" | "持续时间" | "持續時間" => Role::Duration,
        "类型" | "類型" | "任务类型" | "任務類型" => Role::Type,
        "前置任务" | "前置任務" | "紧前工作" | "緊前工作" | "前置" => Role::Predecessors,
        "完成百分比" | "进度" | "進度" | "完成率" => Role::Percent,
        "大纲级别" | "大綱級別" | "层级" | "層級" => Role::Level,
        "父任务" | "父任務" => Role::Parent,
        "工作分解结构" | "工作分解結構" => Role::Wbs,
        _ => return None,
    })
}

/// Reads a CSV schedule or link table from a file.
pub fn read_csv(path: &Path) -> Result<Schedule, ScheduleError> {
    let bytes = std::fs::read(path).map_err(|source| ScheduleError::Io { path: path.into(), source })?;
    let decoded = decode(&bytes);
    let mut schedule = read_csv_text(path, &decoded.text)?;
    schedule.warnings.extend(decoded.note(path));
    Ok(schedule)
}

/// Reads CSV text (see the module documentation); `path` names the file in messages.
pub fn read_csv_text(path: &Path, text: &str) -> Result<Schedule, ScheduleError> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ScheduleError::syntax(path, 1, format!("cannot read the CSV header: {e}")))?
        .clone();
    let mut columns: HashMap<Role, (usize, String)> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(role) = role_of(h) {
            columns.entry(role).or_insert((i, h.trim().to_string()));
        }
    }
    // Without an id column the name identifies the task (Navisworks task lists).
    let id_role = if columns.contains_key(&Role::Id) {
        Role::Id
    } else if columns.contains_key(&Role::Name) {
        Role::Name
    } else {
        return Err(ScheduleError::MissingField {
            path: path.into(),
            line: 1,
            field: "id (a column named id, task id, task or identification)".into(),
        });
    };

    let mut schedule = Schedule::new(path.display().to_string(), Format::Csv);
    let mut index: HashMap<String, usize> = HashMap::new();
    // Per task: its line, its predecessor text, its hierarchy level and parent text.
    let mut extra: Vec<(usize, String, Option<f64>, String)> = Vec::new();
    let mut typed = vec![];
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            ScheduleError::syntax(path, line, format!("cannot read the CSV row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |role: Role| columns.get(&role).and_then(|(i, _)| record.get(*i)).map_or("", str::trim);
        let field_name = |role: Role| columns.get(&role).map_or(String::new(), |(_, h)| h.clone());
        let id = cell(id_role);
        if id.is_empty() {
            if cell(Role::Name).is_empty() && cell(Role::GlobalId).is_empty() {
                continue;
            }
            return Err(ScheduleError::MissingField { path: path.into(), line, field: field_name(id_role) });
        }
        let global_id = cell(Role::GlobalId);
        if !global_id.is_empty() {
            schedule.links.push(Link { global_id: global_id.to_string(), task_id: id.to_string() });
        }
        if index.contains_key(id) {
            continue;
        }
        let date = |role: Role| -> Result<_, ScheduleError> {
            parse_moment(cell(role))
                .map_err(|reason| ScheduleError::field(path, line, &field_name(role), reason))
        };
        let mut task = Task::new(id, cell(Role::Name));
        task.start = start_day(date(Role::Start)?);
        task.finish = finish_day(date(Role::Finish)?, task.start);
        task.actual_start = start_day(date(Role::ActualStart)?);
        task.actual_finish = finish_day(date(Role::ActualFinish)?, task.actual_start);
        let duration = cell(Role::Duration);
        if !duration.is_empty() {
            task.duration_days = Some(parse_duration_days(duration, 8.0).ok_or_else(|| {
                ScheduleError::field(
                    path,
                    line,
                    &field_name(Role::Duration),
                    format!("cannot read '{duration}' as a duration (e.g. 5d, 4h, 2d16h, P3D)"),
                )
            })?);
        }
        task.milestone = task.duration_days == Some(0.0);
        let number = |role: Role| -> Result<Option<f64>, ScheduleError> {
            let v = cell(role);
            if v.is_empty() {
                return Ok(None);
            }
            parse_number(v.trim_end_matches('%')).map(Some).ok_or_else(|| {
                ScheduleError::field(path, line, &field_name(role), format!("cannot read '{v}' as a number"))
            })
        };
        task.percent_complete = match (number(Role::Percent)?, number(Role::Ratio)?) {
            (Some(p), _) => Some(p),
            (None, Some(r)) if r <= 1.0 => Some(r * 100.0),
            (None, r) => r,
        };
        let kind = cell(Role::Type);
        typed.push(TaskType::parse(kind));
        let wbs = cell(Role::Wbs);
        if !wbs.is_empty() {
            task.wbs =
                wbs.split(['/', '>', '|']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
        let level = number(Role::Level)?;
        extra.push((line, cell(Role::Predecessors).to_string(), level, cell(Role::Parent).to_string()));
        index.insert(id.to_string(), schedule.tasks.len());
        schedule.tasks.push(task);
    }

    resolve_hierarchy(&mut schedule, &extra, &index);
    for (task, typed) in schedule.tasks.iter_mut().zip(typed) {
        task.task_type = typed.unwrap_or_else(|| {
            TaskType::from_names(
                std::iter::once(task.name.as_str()).chain(task.wbs.iter().map(String::as_str)),
            )
        });
    }

    // Ids are also matched without their dots, as IfcOpenShell's CSV writes `111FS112` for 1.1.1.
    let mut lookup: HashMap<String, usize> = index.clone();
    for (id, &i) in &index {
        lookup.entry(id.replace('.', "")).or_insert(i);
    }
    let pred_field = columns.get(&Role::Predecessors).map_or(String::new(), |(_, h)| h.clone());
    for (row, (line, preds, _, _)) in extra.iter().enumerate() {
        for token in preds.split([';', ',']).map(str::trim).filter(|t| !t.is_empty()) {
            match parse_relation(token, row, &lookup) {
                Ok(dep) => schedule.dependencies.push(dep),
                Err(Unresolved(reason)) => schedule.warnings.push(format!(
                    "{}: line {line}: field '{pred_field}': {reason}; left out",
                    path.display()
                )),
            }
        }
    }
    schedule.dependencies.sort_by_key(|d| (d.successor, d.predecessor));
    Ok(schedule)
}

/// Fills parents, WBS paths and summary flags from the level column, the parent column or
/// dotted ids, in that order of preference.
fn resolve_hierarchy(
    schedule: &mut Schedule,
    extra: &[(usize, String, Option<f64>, String)],
    index: &HashMap<String, usize>,
) {
    let n = schedule.tasks.len();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    if extra.iter().any(|e| e.2.is_some()) {
        let mut stack: Vec<(f64, usize)> = Vec::new();
        for (i, e) in extra.iter().enumerate() {
            let level = e.2.unwrap_or(1.0);
            while stack.last().is_some_and(|(l, _)| *l >= level) {
                stack.pop();
            }
            parent[i] = stack.last().map(|(_, p)| *p);
            stack.push((level, i));
        }
    } else {
        for (i, e) in extra.iter().enumerate() {
            parent[i] = if !e.3.is_empty() {
                index.get(&e.3).copied()
            } else {
                let id = &schedule.tasks[i].id;
                id.rsplit_once('.').and_then(|(p, _)| index.get(p).copied())
            };
        }
    }
    for i in 0..n {
        let Some(p) = parent[i].filter(|&p| p != i) else { continue };
        schedule.tasks[p].summary = true;
        schedule.tasks[i].parent = Some(schedule.tasks[p].id.clone());
        if schedule.tasks[i].wbs.is_empty() {
            let mut names = Vec::new();
            let mut at = Some(p);
            let mut guard = 0;
            while let Some(a) = at {
                names.push(schedule.tasks[a].name.clone());
                at = parent[a].filter(|&q| q != a);
                guard += 1;
                if guard > 64 {
                    break;
                }
            }
            names.reverse();
            schedule.tasks[i].wbs = names;
        }
    }
}

struct Unresolved(String);

/// One relation of a predecessors cell on the row of task `row`: `3`, `3FS`, `3SS+2d`,
/// `3FF-1d`, or IfcOpenShell's `A FS B` (A before B, neither necessarily this row).
fn parse_relation(
    token: &str,
    row: usize,
    lookup: &HashMap<String, usize>,
) -> Result<Dependency, Unresolved> {
    let find = |id: &str| {
        let id = id.trim();
        lookup.get(id).or_else(|| lookup.get(&id.replace('.', ""))).copied()
    };
    let upper = token.to_ascii_uppercase();
    // The relation code is the last FS/SS/FF/SF with something before it.
    let code_at = ["FS", "SS", "FF", "SF"].iter().filter_map(|c| upper.rfind(c).filter(|&i| i > 0)).max();
    let Some(at) = code_at.filter(|_| find(token).is_none()) else {
        return find(token)
            .map(|predecessor| Dependency {
                predecessor,
                successor: row,
                dep_type: DependencyType::FS,
                lag_days: 0.0,
            })
            .ok_or_else(|| Unresolved(format!("predecessor '{token}' is not a task id in the file")));
    };
    let first = &token[..at];
    let dep_type = DependencyType::parse(&upper[at..at + 2]).unwrap_or(DependencyType::FS);
    let rest = token[at + 2..].trim();
    let Some(predecessor) = find(first) else {
        return Err(Unresolved(format!("predecessor '{first}' in '{token}' is not a task id in the file")));
    };
    if rest.is_empty() {
        return Ok(Dependency { predecessor, successor: row, dep_type, lag_days: 0.0 });
    }
    if rest.starts_with(['+', '-']) {
        let sign = if rest.starts_with('-') { -1.0 } else { 1.0 };
        let lag = parse_duration_days(rest[1..].trim(), 8.0).ok_or_else(|| {
            Unresolved(format!("cannot read the lag '{rest}' in '{token}' (e.g. +2d, -4h)"))
        })?;
        return Ok(Dependency { predecessor, successor: row, dep_type, lag_days: sign * lag });
    }
    match find(rest) {
        Some(successor) => Ok(Dependency { predecessor, successor, dep_type, lag_days: 0.0 }),
        None => Err(Unresolved(format!("'{rest}' in '{token}' is neither a lag nor a task id in the file"))),
    }
}
