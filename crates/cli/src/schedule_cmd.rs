//! `plumbline schedule`: a schedule's tasks and links, the state of the site at a date, and the
//! critical path, as text or JSON.

use anyhow::{bail, Context};
use clap::Args;
use plumbline_model::Model;
use plumbline_schedule::{
    active_tasks, critical_path, element_keys, link_report, Basis, Cpm, ElementKey, LinkReport, Schedule,
    SimIndex, StateCounts,
};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// IFC models whose elements are simulated. Without --schedule, the schedule is read from
    /// their IFC work schedule (IfcTask and its relations).
    models: Vec<PathBuf>,
    /// Schedule file: MS Project XML (MSPDI), Primavera XER or P6 XML, CSV, or IFC.
    #[arg(long)]
    schedule: Option<PathBuf>,
    /// Element links: a CSV with GlobalId and task columns, or TOML rules (repeatable).
    #[arg(long)]
    links: Vec<PathBuf>,
    /// Report the state of every element and the tasks running on this date (YYYY-MM-DD).
    #[arg(long)]
    at: Option<String>,
    /// Use actual dates where recorded (default: planned dates).
    #[arg(long)]
    actual: bool,
    /// Compute the critical path, early and late dates and total floats.
    #[arg(long)]
    cpm: bool,
    /// Print one JSON document on stdout instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    load: crate::load_args::LoadArgs,
    /// Time-based clash: a hard clash test restricted to pairs of elements that stand at the
    /// same time, reporting the days of the conflict. Sets default to the temporary works (A)
    /// against every other physical element (B); `--a`/`--b` narrow them.
    #[arg(long)]
    time_clash: bool,
    /// Set A of the time-based clash test: `[FILE_GLOB:]CLASS[,CLASS...]` or `*`.
    #[arg(long, requires = "time_clash")]
    a: Option<String>,
    /// Set B of the time-based clash test.
    #[arg(long, requires = "time_clash")]
    b: Option<String>,
    /// Hard tolerance of the time-based clash test.
    #[arg(long, default_value_t = 2.0)]
    tolerance_mm: f64,
}

/// A clash between two elements that stand at the same time.
#[derive(Debug, Serialize)]
struct TimeClash {
    id: String,
    a: String,
    a_class: String,
    b: String,
    b_class: String,
    depth_m: f64,
    /// First and last day both elements stand (`None`: open-ended).
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, Serialize)]
struct ScheduleInfo {
    path: String,
    format: plumbline_schedule::Format,
    name: Option<String>,
    task_count: usize,
    summary_tasks: usize,
    dependency_count: usize,
    start: Option<String>,
    finish: Option<String>,
    data_date: Option<String>,
    calendar: Option<CalendarInfo>,
}

#[derive(Debug, Serialize)]
struct CalendarInfo {
    name: String,
    work_days: Vec<&'static str>,
    holidays: usize,
}

#[derive(Debug, Serialize)]
struct TaskRow {
    id: String,
    name: String,
    #[serde(rename = "type")]
    task_type: &'static str,
    wbs: Vec<String>,
    summary: bool,
    start: Option<String>,
    finish: Option<String>,
    actual_start: Option<String>,
    actual_finish: Option<String>,
    duration_days: Option<f64>,
    percent_complete: Option<f64>,
    elements: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    critical: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_float_days: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    early_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    early_finish: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    late_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    late_finish: Option<String>,
}

#[derive(Debug, Serialize)]
struct CpmInfo {
    start: Option<String>,
    finish: Option<String>,
    duration_days: f64,
    critical_path: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    schedule: ScheduleInfo,
    tasks: Vec<TaskRow>,
    links: LinkReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<Basis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    states: Option<StateCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active_tasks: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpm: Option<CpmInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_clashes: Option<Vec<TimeClash>>,
    warnings: Vec<String>,
}

fn iso(d: Option<plumbline_schedule::chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn is_ifc(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ifc") || e.eq_ignore_ascii_case("ifczip"))
}

pub(crate) fn read_any_schedule(path: &Path) -> anyhow::Result<Schedule> {
    if is_ifc(path) {
        Ok(plumbline_ifc::schedule::read_schedule(path)?)
    } else {
        Ok(plumbline_schedule::read_schedule(path)?)
    }
}

pub fn run(args: &ScheduleArgs) -> anyhow::Result<ExitCode> {
    if args.models.is_empty() && args.schedule.is_none() {
        bail!("give a schedule file (--schedule FILE) or IFC models that hold a work schedule");
    }
    let at = match &args.at {
        None => None,
        Some(text) => Some(
            plumbline_schedule::text::parse_moment(text)
                .map_err(|e| anyhow::anyhow!("--at: {e}"))?
                .map(|m| m.date)
                .context("--at: give a date such as 2025-01-31")?,
        ),
    };
    let mut options = args.load.options()?;
    let mut models: Vec<Model> = Vec::new();
    let bar = crate::load_bar::LoadBar::new(&args.models, &mut options);
    for (i, path) in args.models.iter().enumerate() {
        models.push(plumbline_ifc::load_file(path, &options)?);
        bar.loaded(i);
    }
    drop(bar);
    // The 4D states still cover every element that loaded; what was skipped is said once.
    crate::report_skipped(&models, false);

    let schedule = match &args.schedule {
        Some(path) => read_any_schedule(path)?,
        None => {
            let mut found = None;
            for path in &args.models {
                let s = plumbline_ifc::schedule::read_schedule(path)?;
                if !s.tasks.is_empty() {
                    found = Some(s);
                    break;
                }
            }
            found.context("the models hold no IfcTask: give the schedule with --schedule FILE")?
        }
    };

    let links = plumbline_schedule::gather_links(&schedule, &args.links, &models)?;

    let keys: Vec<ElementKey<'_>> = models.iter().flat_map(element_keys).collect();
    let global_ids: Vec<&str> = keys.iter().map(|k| k.global_id).collect();
    let report = link_report(&schedule, &links, &global_ids);
    let cpm = if args.cpm { Some(critical_path(&schedule)?) } else { None };
    let basis = if args.actual { Basis::Actual } else { Basis::Planned };

    let (states, active) = match at {
        Some(day) => {
            let index = SimIndex::from_links(&schedule, &links, &keys);
            let counts = index.counts_at(day, basis);
            let active: Vec<String> = active_tasks(&schedule, day, basis)
                .into_iter()
                .map(|i| schedule.tasks[i].id.clone())
                .collect();
            (Some(counts), Some(active))
        }
        None => (None, None),
    };

    let element_set: std::collections::HashSet<&str> = global_ids.iter().copied().collect();
    let mut per_task: HashMap<&str, usize> = HashMap::new();
    for l in &links {
        if element_set.contains(l.global_id.as_str()) {
            *per_task.entry(l.task_id.as_str()).or_insert(0) += 1;
        }
    }
    let mut out = build_report(&schedule, &report, cpm.as_ref(), &per_task, at, basis, states, active);
    if args.time_clash {
        anyhow::ensure!(!models.is_empty(), "--time-clash needs the IFC models");
        anyhow::ensure!(
            args.tolerance_mm.is_finite() && args.tolerance_mm >= 0.0,
            "--tolerance-mm must be a non-negative number of millimetres"
        );
        let index = SimIndex::from_links(&schedule, &links, &keys);
        out.time_clashes = Some(time_clashes(args, models, &index, basis)?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_text(&out, args.cpm);
    }
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments, reason = "one call site assembling the report from its parts")]
fn build_report(
    schedule: &Schedule,
    links: &LinkReport,
    cpm: Option<&Cpm>,
    per_task: &HashMap<&str, usize>,
    at: Option<plumbline_schedule::chrono::NaiveDate>,
    basis: Basis,
    states: Option<StateCounts>,
    active_tasks: Option<Vec<String>>,
) -> Report {
    let span = schedule.span();
    let tasks = schedule
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let c = cpm.and_then(|c| c.of(i));
            TaskRow {
                id: t.id.clone(),
                name: t.name.clone(),
                task_type: t.task_type.as_str(),
                wbs: t.wbs.clone(),
                summary: t.summary,
                start: iso(t.start),
                finish: iso(t.finish),
                actual_start: iso(t.actual_start),
                actual_finish: iso(t.actual_finish),
                duration_days: t.duration_days,
                percent_complete: t.percent_complete,
                elements: per_task.get(t.id.as_str()).copied().unwrap_or(0),
                critical: cpm.map(|_| c.is_some_and(|c| c.critical)),
                total_float_days: c.map(|c| c.total_float_days),
                early_start: c.and_then(|c| iso(c.early_start)),
                early_finish: c.and_then(|c| iso(c.early_finish)),
                late_start: c.and_then(|c| iso(c.late_start)),
                late_finish: c.and_then(|c| iso(c.late_finish)),
            }
        })
        .collect();
    Report {
        schedule: ScheduleInfo {
            path: schedule.path.clone(),
            format: schedule.format,
            name: schedule.name.clone(),
            task_count: schedule.tasks.len(),
            summary_tasks: schedule.tasks.iter().filter(|t| t.summary).count(),
            dependency_count: schedule.dependencies.len(),
            start: iso(span.map(|s| s.0)),
            finish: iso(span.map(|s| s.1)),
            data_date: iso(schedule.data_date),
            calendar: schedule.calendar.as_ref().map(|c| CalendarInfo {
                name: c.name.clone(),
                work_days: c.work_day_names(),
                holidays: c.holidays.len(),
            }),
        },
        tasks,
        links: links.clone(),
        at: iso(at),
        basis: at.map(|_| basis),
        states,
        active_tasks,
        cpm: cpm.map(|c| CpmInfo {
            start: iso(c.project_start),
            finish: iso(c.project_finish),
            duration_days: c.duration_days,
            critical_path: c.critical_path.iter().map(|&i| schedule.tasks[i].id.clone()).collect(),
        }),
        time_clashes: None,
        warnings: schedule.warnings.clone(),
    }
}

/// Runs the time-based clash test: a hard test whose ignore predicate drops every pair that
/// never stands at the same time. The simulation index numbers the physical elements of the
/// models in order, as `element_keys` lists them.
fn time_clashes(
    args: &ScheduleArgs,
    models: Vec<Model>,
    index: &SimIndex,
    basis: Basis,
) -> anyhow::Result<Vec<TimeClash>> {
    use plumbline_model::{ElementRef, ModelSet, Role};
    let set = ModelSet { models };
    let mut sim_of: HashMap<ElementRef, usize> = HashMap::new();
    for (r, e) in set.elements() {
        if e.role == Role::Physical {
            let next = sim_of.len();
            sim_of.insert(r, next);
        }
    }
    let pick =
        |flag: &str, sel: &Option<String>, temporary: Option<bool>| -> anyhow::Result<Vec<ElementRef>> {
            Ok(match sel {
                Some(text) => crate::clash_cmd::Selector::parse(flag, text)?.select(&set),
                None => {
                    let all = crate::clash_cmd::Selector::parse(flag, "*")?.select(&set);
                    all.into_iter()
                        .filter(|r| sim_of.get(r).is_some_and(|&i| Some(index.is_temporary(i)) == temporary))
                        .collect()
                }
            })
        };
    let a = pick("--a", &args.a, Some(true))?;
    let b = pick("--b", &args.b, Some(false))?;
    let existence = |r: ElementRef| sim_of.get(&r).and_then(|&i| index.existence(i, basis));
    let coexist = |x: ElementRef, y: ElementRef| match (existence(x), existence(y)) {
        (Some(p), Some(q)) => plumbline_schedule::coexistence(&p, &q),
        _ => None,
    };
    let shapes = plumbline_clash::Shapes::new(&set);
    let test = plumbline_clash::Test {
        name: "time-based clash".into(),
        mode: plumbline_clash::Mode::Hard { tolerance_m: args.tolerance_mm / 1000.0 },
        a,
        b: Some(b),
    };
    // Elements that never stand at the same time cannot clash: such pairs are dropped before
    // any geometry is computed.
    let ignore = plumbline_clash::Ignore::new(&set, plumbline_clash::IgnoreRules::default());
    let result =
        plumbline_clash::run_test(&shapes, &test, &|x, y| ignore.ignores(x, y) || coexist(x, y).is_none());
    Ok(result
        .clashes
        .iter()
        .map(|c| {
            let (ea, eb) = (set.element(c.a), set.element(c.b));
            let when = coexist(c.a, c.b);
            TimeClash {
                id: c.id.clone(),
                a: ea.global_id.clone(),
                a_class: ea.class.clone(),
                b: eb.global_id.clone(),
                b_class: eb.class.clone(),
                depth_m: c.distance_m,
                from: iso(when.and_then(|w| w.from)),
                to: iso(when.and_then(|w| w.to)),
            }
        })
        .collect())
}

fn print_text(r: &Report, with_cpm: bool) {
    print_schedule(r, with_cpm);
    if let Some(clashes) = &r.time_clashes {
        println!("time-based clashes: {}", clashes.len());
        let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
        for c in clashes {
            println!(
                "  {} {} {} x {} {}: depth {:.1} mm, both standing {} .. {}",
                c.id,
                c.a_class,
                c.a,
                c.b_class,
                c.b,
                c.depth_m * 1000.0,
                dash(&c.from),
                dash(&c.to)
            );
        }
    }
}

fn print_schedule(r: &Report, with_cpm: bool) {
    let s = &r.schedule;
    let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    println!("{} ({:?}){}", s.path, s.format, s.name.as_ref().map(|n| format!(": {n}")).unwrap_or_default());
    println!(
        "  tasks: {} ({} summary), dependencies: {}, span: {} .. {}",
        s.task_count,
        s.summary_tasks,
        s.dependency_count,
        dash(&s.start),
        dash(&s.finish)
    );
    if let Some(c) = &s.calendar {
        println!("  calendar: {} ({}; {} holidays)", c.name, c.work_days.join(" "), c.holidays);
    }
    if let Some(d) = &s.data_date {
        println!("  data date: {d}");
    }
    let l = &r.links;
    println!(
        "  links: {} elements, {} linked, {} unlinked; {} tasks without elements; {} linked GlobalIds not in the models; {} linked task ids not in the schedule",
        l.elements,
        l.linked_elements,
        l.unlinked_elements.len(),
        l.tasks_without_elements.len(),
        l.unknown_global_ids.len(),
        l.unknown_task_ids.len()
    );
    for w in &r.warnings {
        println!("  warning: {w}");
    }
    if let (Some(at), Some(states)) = (&r.at, &r.states) {
        println!(
            "at {at} ({}): not started {}, in progress {}, complete {}, temporary present {}, demolishing {}, demolished {}, unscheduled {}; late {}",
            if r.basis == Some(Basis::Actual) { "actual" } else { "planned" },
            states.not_started,
            states.in_progress,
            states.complete,
            states.temporary_present,
            states.demolishing,
            states.demolished,
            states.unscheduled,
            states.late
        );
        let by_id: HashMap<&str, &TaskRow> = r.tasks.iter().map(|t| (t.id.as_str(), t)).collect();
        for id in r.active_tasks.iter().flatten() {
            if let Some(t) = by_id.get(id.as_str()) {
                println!(
                    "  active: {:<12} {:<10} {} .. {}  {}",
                    t.id,
                    t.task_type,
                    dash(&t.start),
                    dash(&t.finish),
                    t.name
                );
            }
        }
    }
    if let (true, Some(c)) = (with_cpm, &r.cpm) {
        println!(
            "critical path: {} .. {}, {} working days: {}",
            dash(&c.start),
            dash(&c.finish),
            c.duration_days,
            c.critical_path.join(" -> ")
        );
        println!("  {:<14} {:>10} {:>10} {:>10} {:>10} {:>8}  name", "id", "ES", "EF", "LS", "LF", "float");
        for t in r.tasks.iter().filter(|t| t.total_float_days.is_some()) {
            println!(
                "  {:<14} {:>10} {:>10} {:>10} {:>10} {:>8}{} {}",
                t.id,
                dash(&t.early_start),
                dash(&t.early_finish),
                dash(&t.late_start),
                dash(&t.late_finish),
                t.total_float_days.map(|f| format!("{f:.1}")).unwrap_or_default(),
                if t.critical == Some(true) { " *" } else { "  " },
                t.name
            );
        }
    }
}
