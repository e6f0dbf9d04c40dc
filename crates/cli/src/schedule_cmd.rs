//! `plumbline schedule`: a schedule's tasks and links, the state of the site at a date, and the
//! critical path, as text or JSON.

mod progress;

use anyhow::{bail, Context};
use clap::Args;
use plumbline_clash::ClashKind;
use plumbline_ifc::schedule::ScheduleShelf;
use plumbline_model::ModelSet;
use plumbline_pipeline::{
    AdHocTest, ClashRequest, ElementLookup, FourD, HistoryChoice, Outputs, Plan, Quiet, Tests,
};
use plumbline_schedule::{
    active_tasks, critical_path, element_keys, link_report, Basis, Cpm, LinkReport, Schedule, StateCounts,
};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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
    /// Schedule risk: a Monte Carlo run of the CPM over sampled durations (three-point
    /// estimates from the file, else --risk-config rules, else 90/100/125 % of each task).
    #[arg(long)]
    risk: bool,
    /// Iterations of the risk run.
    #[arg(long, default_value_t = 1000, requires = "risk")]
    iterations: usize,
    /// Seed of the risk run: the same seed gives the same answer on any number of threads.
    #[arg(long, default_value_t = 1, requires = "risk")]
    seed: u64,
    /// TOML of duration distributions by WBS/name rule (`[default]`, `[[rule]]`).
    #[arg(long, requires = "risk")]
    risk_config: Option<PathBuf>,
    /// Progress report at --at (default: the schedule's data date): planned against actual per
    /// task and WBS level, milestones with their variance, late tasks and the S-curve.
    #[arg(long)]
    progress: bool,
    /// Write the progress report as one HTML file (the S-curve an inline SVG).
    #[arg(long, value_name = "FILE", requires = "progress")]
    html: Option<PathBuf>,
    /// Write the progress report as an XLSX workbook (the S-curve a chart over its data).
    #[arg(long, value_name = "FILE", requires = "progress")]
    xlsx: Option<PathBuf>,
    /// The language of the progress report's labels: en, zh or both (default: the locale's
    /// Chinese, else both).
    #[arg(long, value_parser = parse_lang, requires = "progress")]
    lang: Option<plumbline_report::Lang>,
    /// Write one JSON document to this file, or to stdout with `-`, instead of the text summary.
    #[arg(long, value_name = "FILE|-")]
    json: Option<PathBuf>,
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
    #[arg(long, default_value_t = plumbline_clash::DEFAULT_TOLERANCE_M * 1000.0)]
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
    total_float_hours: Option<f64>,
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
    /// The data date the CPM was computed at (ISO date-time), where the schedule has one.
    data_date: Option<String>,
    start: Option<String>,
    finish: Option<String>,
    duration_days: f64,
    critical_path: Vec<String>,
}

/// The `--json` document of `plumbline schedule` (named apart from `plumbline_review::Report`, the
/// clash report).
#[derive(Debug, Serialize)]
struct ScheduleDocument {
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
    risk: Option<plumbline_schedule::risk::RiskResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<plumbline_schedule::progress::Progress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_clashes: Option<Vec<TimeClash>>,
    warnings: Vec<String>,
}

fn parse_lang(text: &str) -> Result<plumbline_report::Lang, String> {
    plumbline_report::Lang::parse(text)
        .ok_or_else(|| format!("'{text}' is not a report language: expected en, zh or both"))
}

fn iso(d: Option<plumbline_schedule::chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
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
    // The time-clash test is planned first: a bad selector or tolerance costs no loading.
    let time_plan = if args.time_clash {
        anyhow::ensure!(!args.models.is_empty(), "--time-clash needs the IFC models");
        Some(time_clash_plan(args)?)
    } else {
        None
    };
    let mut options = args.load.options()?;
    // Without --schedule, each model's load reads its work schedule from its own scan.
    let shelf = args.schedule.is_none().then(|| Arc::new(ScheduleShelf::new()));
    options.schedules = shelf.clone();
    let mut terminal = crate::clash_cmd::Terminal::default();
    let set = plumbline_pipeline::load(&args.models, options, &mut terminal)
        .inspect_err(crate::clash_cmd::print_load_errors)?;
    let four_d = match FourD::find(args.schedule.as_deref(), &args.links, &set, shelf.as_deref())? {
        Some(four_d) => four_d,
        None => return Err(plumbline_pipeline::PipelineError::NoSchedule.into()),
    };
    let (schedule, links) = (&four_d.schedule, &four_d.links);

    let global_ids: Vec<&str> = set.models.iter().flat_map(element_keys).map(|k| k.global_id).collect();
    let report = link_report(schedule, links, &global_ids);
    let cpm = if args.cpm { Some(critical_path(schedule)?) } else { None };
    let basis = if args.actual { Basis::Actual } else { Basis::Planned };

    let (states, active) = match at {
        Some(day) => {
            let counts = four_d.sim.index().counts_at(day, basis);
            let active: Vec<String> = active_tasks(schedule, day, basis)
                .into_iter()
                .map(|i| schedule.tasks[i].id.clone())
                .collect();
            (Some(counts), Some(active))
        }
        None => (None, None),
    };

    let element_set: std::collections::HashSet<&str> = global_ids.iter().copied().collect();
    let mut per_task: HashMap<&str, usize> = HashMap::new();
    for l in links {
        if element_set.contains(l.global_id.as_str()) {
            *per_task.entry(l.task_id.as_str()).or_insert(0) += 1;
        }
    }
    let mut out = build_report(schedule, &report, cpm.as_ref(), &per_task, at, basis, states, active);
    if args.risk {
        let config = match &args.risk_config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("{}: cannot read", path.display()))?;
                Some(plumbline_schedule::risk::parse_risk_config(path, &text)?)
            }
            None => None,
        };
        out.risk =
            Some(plumbline_schedule::risk::simulate(schedule, args.iterations, args.seed, config.as_ref())?);
    }
    if args.progress {
        let day = at.or(schedule.data_date).context(
            "--progress: give the report date with --at (the schedule has no data date to default to)",
        )?;
        let p = plumbline_schedule::progress::progress_at(schedule, day);
        let lang = match (args.lang, crate::clash_cmd::locale_lang()) {
            (Some(l), _) => l,
            (None, Some(plumbline_report::Lang::Zh)) => plumbline_report::Lang::Zh,
            _ => plumbline_report::Lang::Both,
        };
        progress::write_files(schedule, &p, args.html.as_deref(), args.xlsx.as_deref(), lang)?;
        out.progress = Some(p);
    }
    if let Some(plan) = &time_plan {
        out.time_clashes = Some(time_clashes(plan, &set, &four_d)?);
    }
    match &args.json {
        Some(json) => crate::json_out::write(json, &out)?,
        None => print_text(&out, args.cpm),
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
) -> ScheduleDocument {
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
                total_float_hours: c.map(|c| c.total_float_hours),
                early_start: c.and_then(|c| iso(c.early_start)),
                early_finish: c.and_then(|c| iso(c.early_finish)),
                late_start: c.and_then(|c| iso(c.late_start)),
                late_finish: c.and_then(|c| iso(c.late_finish)),
            }
        })
        .collect();
    ScheduleDocument {
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
            data_date: c.data_date.map(|d| d.format("%Y-%m-%dT%H:%M").to_string()),
            start: iso(c.project_start),
            finish: iso(c.project_finish),
            duration_days: c.duration_days,
            critical_path: c.critical_path.iter().map(|&i| schedule.tasks[i].id.clone()).collect(),
        }),
        risk: None,
        progress: None,
        time_clashes: None,
        warnings: schedule
            .warnings
            .iter()
            .chain(cpm.iter().flat_map(|c| c.warnings.iter()))
            .cloned()
            .collect(),
    }
}

/// The time-based clash test as a pipeline plan: a `time` test (a hard overlap between temporary
/// works and another element standing on a common day, temporary works on side A) of `--a`
/// against `--b`; without either, every element against every other. Nothing is recorded and
/// no report file is written: the clashes go into this command's own output.
fn time_clash_plan(args: &ScheduleArgs) -> anyhow::Result<Plan> {
    let (a, b) = match (&args.a, &args.b) {
        (None, None) => ("*".to_string(), None),
        (a, b) => (a.clone().unwrap_or_else(|| "*".into()), Some(b.clone().unwrap_or_else(|| "*".into()))),
    };
    let mut test = AdHocTest::new(ClashKind::Time, a, b);
    // The name clash ids derive from, as this command has always called its test.
    test.name = Some("time-based clash".into());
    test.tolerance_mm = args.tolerance_mm;
    let request = ClashRequest {
        models: args.models.clone(),
        tests: Tests::AdHoc(test),
        schedule: args.schedule.clone(),
        links: args.links.clone(),
        group_by: None,
        history: HistoryChoice::Off,
        fail_on: None,
        outputs: Outputs::default(),
        threads: None,
        today: None,
        project: None,
        basis: if args.actual { Basis::Actual } else { Basis::Planned },
    };
    Ok(Plan::new(request, &plumbline_ifc::canonical_class_name)?)
}

/// Runs the time-based clash test on the loaded set and says, for each clash, the days both
/// elements stand.
fn time_clashes(plan: &Plan, set: &ModelSet, four_d: &FourD) -> anyhow::Result<Vec<TimeClash>> {
    let report = plumbline_pipeline::clash(set, plan, Some(four_d), &mut Quiet)?;
    let lookup = ElementLookup::new(set);
    Ok(report
        .clashes()
        .map(|c| {
            let when = lookup.standing_together(four_d, c, plan.basis);
            TimeClash {
                id: c.id.clone(),
                a: c.a.global_id.clone(),
                a_class: c.a.class.clone(),
                b: c.b.global_id.clone(),
                b_class: c.b.class.clone(),
                depth_m: c.distance_m,
                from: iso(when.and_then(|w| w.from)),
                to: iso(when.and_then(|w| w.to)),
            }
        })
        .collect())
}

fn print_text(r: &ScheduleDocument, with_cpm: bool) {
    print_schedule(r, with_cpm);
    if let Some(p) = &r.progress {
        progress::print(p);
    }
    if let Some(risk) = &r.risk {
        let f = &risk.finish;
        println!(
            "risk ({} iterations, seed {}): finish P10 {} P50 {} P80 {} P90 {}",
            risk.iterations, risk.seed, f.p10, f.p50, f.p80, f.p90
        );
        for m in &risk.milestones {
            println!("  milestone {} {}: P50 {} P80 {}", m.id, m.name, m.p50, m.p80);
        }
    }
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

fn print_schedule(r: &ScheduleDocument, with_cpm: bool) {
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
