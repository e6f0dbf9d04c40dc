//! The schedule data every reader produces and every analysis reads.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a task does to the elements linked to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    /// Builds or installs: the elements appear at its start and are complete at its finish.
    Construct,
    /// Demolishes, dismantles or removes: the elements are gone after its finish.
    Demolish,
    /// Temporary works (scaffold, hoarding, cranes): the elements exist while the task runs,
    /// or until a demolish task linked to them finishes.
    Temporary,
    /// Anything else (logistics, maintenance, inspection): does not change what exists.
    Other,
}

impl TaskType {
    /// The snake-case name used in JSON and in CSV `type` columns.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Construct => "construct",
            TaskType::Demolish => "demolish",
            TaskType::Temporary => "temporary",
            TaskType::Other => "other",
        }
    }

    /// Reads a task type written by a person or a tool (`Construct`, `demolition`, `Temp`...).
    pub fn parse(text: &str) -> Option<TaskType> {
        let t = text.trim().to_ascii_lowercase();
        if t.is_empty() {
            return None;
        }
        // Chinese type words (a `类型` column): removal words first, as in `from_names`.
        if !t.is_ascii() {
            if t.contains("其他") || t.contains("其它") {
                return Some(TaskType::Other);
            }
            return Some(TaskType::from_names([t.as_str()]));
        }
        Some(if t.starts_with("constr") || t.starts_with("install") || t == "build" || t == "new" {
            TaskType::Construct
        } else if t.starts_with("demol") || t.starts_with("dismantl") || t.starts_with("remov") {
            TaskType::Demolish
        } else if t.starts_with("temp") {
            TaskType::Temporary
        } else {
            TaskType::Other
        })
    }

    /// Guesses the type of a task from its name and the names of its WBS ancestors, for formats
    /// that have no type field (MS Project, Primavera). Removal words win over temporary words
    /// ("Remove temporary counter" removes); anything else builds.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> TaskType {
        const REMOVE: &[&str] = &[
            "demoli",
            "dismantl",
            "remove",
            "removal",
            "strip out",
            "strip-out",
            "sloop",
            "afbre",
            "teardown",
            // Chinese (simplified and traditional): demolish, break out, chisel off, dismantle,
            // strip formwork. A bare `拆` (take apart) is enough in site Chinese.
            "拆",
            "凿除",
            "鑿除",
            "破除",
            "剔凿",
            "剔鑿",
            "铲除",
            "剷除",
            "清除",
        ];
        const TEMPORARY: &[&str] = &[
            "temporary",
            "scaffold",
            "hoarding",
            "steiger",
            "tijdelijk",
            // Chinese: scaffolding (mainland, Taiwan, Hong Kong), temporary, hoarding, temporary
            // facilities, props and shoring, formwork.
            "脚手架",
            "腳手架",
            "鹰架",
            "鷹架",
            "棚架",
            "临时",
            "臨時",
            "围挡",
            "圍擋",
            "临设",
            "臨設",
            "支撑",
            "支撐",
            "模板",
        ];
        let names: Vec<String> = names.into_iter().map(str::to_lowercase).collect();
        if names.iter().any(|n| REMOVE.iter().any(|w| n.contains(w))) {
            TaskType::Demolish
        } else if names.iter().any(|n| TEMPORARY.iter().any(|w| n.contains(w))) {
            TaskType::Temporary
        } else {
            TaskType::Construct
        }
    }
}

/// How a dependency ties the successor to the predecessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DependencyType {
    /// Finish to start: the successor starts after the predecessor finishes.
    FS,
    /// Start to start.
    SS,
    /// Finish to finish.
    FF,
    /// Start to finish.
    SF,
}

impl DependencyType {
    /// Reads `FS`, `finish_start`, `Finish to Start`, `PR_FS`...
    pub fn parse(text: &str) -> Option<DependencyType> {
        let t: String =
            text.chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_uppercase();
        let t = t.strip_prefix("PR").unwrap_or(&t);
        Some(match t {
            "FS" | "FINISHSTART" | "FINISHTOSTART" => DependencyType::FS,
            "SS" | "STARTSTART" | "STARTTOSTART" => DependencyType::SS,
            "FF" | "FINISHFINISH" | "FINISHTOFINISH" => DependencyType::FF,
            "SF" | "STARTFINISH" | "STARTTOFINISH" => DependencyType::SF,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DependencyType::FS => "FS",
            DependencyType::SS => "SS",
            DependencyType::FF => "FF",
            DependencyType::SF => "SF",
        }
    }
}

/// One task (activity) of a schedule. Dates are days: a task that starts on its start day and
/// finishes on its finish day (inclusive), whatever the time of day the source wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// Unique within the schedule: the id users write in link tables (MS Project UID, P6
    /// activity id, IFC `Identification` or GlobalId, the CSV id column).
    pub id: String,
    pub name: String,
    /// Names of the WBS nodes or summary tasks above this task, outermost first.
    pub wbs: Vec<String>,
    /// Id of the summary task this task is nested in, where the parent is a task.
    pub parent: Option<String>,
    #[serde(rename = "type")]
    pub task_type: TaskType,
    /// A summary (WBS roll-up) task: reported, but left out of the critical path network.
    pub summary: bool,
    pub milestone: bool,
    pub start: Option<NaiveDate>,
    pub finish: Option<NaiveDate>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    /// Planned duration in working days, as the source states it (hours are converted with the
    /// source's hours per day).
    pub duration_days: Option<f64>,
    /// 0 to 100.
    pub percent_complete: Option<f64>,
    /// Hours, calendars, constraints and progress for the CPM (see [`crate::plan`]).
    #[serde(skip)]
    pub plan: crate::plan::TaskPlan,
}

impl Task {
    /// A task with only an id and a name; readers fill in the rest.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Task {
        Task {
            id: id.into(),
            name: name.into(),
            wbs: Vec::new(),
            parent: None,
            task_type: TaskType::Construct,
            summary: false,
            milestone: false,
            start: None,
            finish: None,
            actual_start: None,
            actual_finish: None,
            duration_days: None,
            percent_complete: None,
            plan: crate::plan::TaskPlan::default(),
        }
    }
}

/// `successor` depends on `predecessor` (indices into [`Schedule::tasks`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dependency {
    pub predecessor: usize,
    pub successor: usize,
    #[serde(rename = "type")]
    pub dep_type: DependencyType,
    /// Lag in working days; negative is a lead.
    pub lag_days: f64,
}

/// Working days of the week and non-working dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    pub name: String,
    /// Monday first.
    pub work_days: [bool; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    /// Every day is a working day: what a schedule without a calendar means.
    fn default() -> Self {
        Calendar { name: "7-day".into(), work_days: [true; 7], holidays: BTreeSet::new() }
    }
}

impl Calendar {
    /// Monday to Friday, no holidays.
    pub fn five_day() -> Calendar {
        Calendar {
            name: "5-day".into(),
            work_days: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
        }
    }

    pub fn is_work_day(&self, day: NaiveDate) -> bool {
        self.work_days[day.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&day)
    }

    /// A calendar that has no working day at all would make every date search endless.
    pub(crate) fn usable(&self) -> bool {
        self.work_days.iter().any(|&w| w)
    }

    /// The first working day on or after `day`.
    pub fn next_work_day(&self, day: NaiveDate) -> NaiveDate {
        if !self.usable() {
            return day;
        }
        let mut d = day;
        // Holidays are finite, so a usable calendar finds a working day within a bounded walk.
        for _ in 0..(self.holidays.len() + 8) {
            if self.is_work_day(d) {
                return d;
            }
            d = d.succ_opt().unwrap_or(d);
        }
        d
    }

    /// The working day `n` working days after the first working day on or after `from`
    /// (`n = 0` is that first working day).
    pub fn add_work_days(&self, from: NaiveDate, n: i64) -> NaiveDate {
        let mut d = self.next_work_day(from);
        if !self.usable() {
            return d + chrono::Days::new(n.max(0) as u64);
        }
        if n >= 0 {
            let mut left = n;
            while left > 0 {
                d = self.next_work_day(d.succ_opt().unwrap_or(d));
                left -= 1;
            }
        } else {
            let mut left = -n;
            while left > 0 {
                let mut p = d.pred_opt().unwrap_or(d);
                while !self.is_work_day(p) {
                    p = p.pred_opt().unwrap_or(p);
                }
                d = p;
                left -= 1;
            }
        }
        d
    }

    /// Working days from `from` (inclusive) to `to` (exclusive); negative when `to` is earlier.
    pub fn work_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if !self.usable() {
            return (to - from).num_days();
        }
        let (a, b, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let total = (b - a).num_days();
        let weeks = total / 7;
        let per_week = self.work_days.iter().filter(|&&w| w).count() as i64;
        let mut count = weeks * per_week;
        let mut d = a + chrono::Days::new((weeks * 7) as u64);
        while d < b {
            if self.work_days[d.weekday().num_days_from_monday() as usize] {
                count += 1;
            }
            d = d.succ_opt().unwrap_or(b);
        }
        count -= self
            .holidays
            .range(a..b)
            .filter(|h| self.work_days[h.weekday().num_days_from_monday() as usize])
            .count() as i64;
        sign * count
    }

    /// Weekday names of the working days, Monday first (for reports).
    pub fn work_day_names(&self) -> Vec<&'static str> {
        const NAMES: [Weekday; 7] = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        NAMES
            .iter()
            .zip(self.work_days)
            .filter(|(_, w)| *w)
            .map(|(d, _)| match d {
                Weekday::Mon => "Mon",
                Weekday::Tue => "Tue",
                Weekday::Wed => "Wed",
                Weekday::Thu => "Thu",
                Weekday::Fri => "Fri",
                Weekday::Sat => "Sat",
                Weekday::Sun => "Sun",
            })
            .collect()
    }
}

/// An element–task link: the element with this IFC GlobalId is built, removed or served by the
/// task with this id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Link {
    pub global_id: String,
    pub task_id: String,
}

/// The file format a schedule was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Ifc,
    Mspdi,
    Xer,
    P6Xml,
    Csv,
    /// Built in code (tests, benchmarks).
    Memory,
}

/// A schedule with the element links its source carried.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// The file it was read from, as given.
    pub path: String,
    pub format: Format,
    pub name: Option<String>,
    pub tasks: Vec<Task>,
    pub dependencies: Vec<Dependency>,
    /// The project calendar, where the source has one.
    pub calendar: Option<Calendar>,
    /// The status (data) date of a progressed schedule: work not started by then is late.
    pub data_date: Option<NaiveDate>,
    /// Element links the source itself carries (IFC relations, link columns of a CSV).
    pub links: Vec<Link>,
    /// Things read but not understood, each naming the file and the line or entity.
    pub warnings: Vec<String>,
    /// Calendars with hours and the scheduling options, for the CPM (see [`crate::plan`]).
    #[serde(skip)]
    pub plan: crate::plan::SchedulePlan,
}

impl Schedule {
    /// An empty schedule (for building one in code).
    pub fn new(path: impl Into<String>, format: Format) -> Schedule {
        Schedule {
            path: path.into(),
            format,
            name: None,
            tasks: Vec::new(),
            dependencies: Vec::new(),
            calendar: None,
            data_date: None,
            links: Vec::new(),
            warnings: Vec::new(),
            plan: crate::plan::SchedulePlan::default(),
        }
    }

    /// Index of the task with this id.
    pub fn task_index(&self, id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.id == id)
    }

    /// Every task's index by its id (the last task of an id that repeats): for looking up many
    /// links, where [`Schedule::task_index`] would search the list once per link.
    pub fn task_indices(&self) -> rustc_hash::FxHashMap<&str, usize> {
        self.tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect()
    }

    /// Earliest start and latest finish over all tasks (planned, then actual dates).
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let starts = self.tasks.iter().flat_map(|t| [t.start, t.actual_start]).flatten();
        let finishes = self.tasks.iter().flat_map(|t| [t.finish, t.actual_finish, t.start]).flatten();
        Some((starts.min()?, finishes.max()?))
    }

    /// The calendar to count working days with: the source's, or every day.
    pub fn working_calendar(&self) -> Calendar {
        self.calendar.clone().filter(Calendar::usable).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map agrees with the list search for every distinct id, and a repeated id maps to its
    /// last task (the rule the links' lookups have always used).
    #[test]
    fn task_indices_find_what_the_list_search_finds() {
        let mut s = Schedule::new("s.csv", Format::Csv);
        s.tasks = ["A", "B", "施工1", "B"].iter().map(|id| Task::new(*id, "task")).collect();
        let map = s.task_indices();
        assert_eq!(map.len(), 3);
        for id in ["A", "施工1"] {
            assert_eq!(map.get(id).copied(), s.task_index(id), "{id}");
        }
        assert_eq!(map.get("B"), Some(&3));
        assert_eq!(map.get("C"), None);
    }
}
