//! A whole clash run, stage by stage: load → clash → record the history → write every report.
//! The plan ([`crate::Plan`]) has already checked every input and output path.

use crate::error::PipelineError;
use crate::four_d::FourD;
use crate::history::record_run_then;
use crate::observe::Observer;
use crate::outputs::report_time;
use crate::outputs::{review_notes, stage_reports};
use crate::plan::{FailOn, Plan};
use crate::triage::triage;
use plumbline_ifc::schedule::ScheduleShelf;
use plumbline_ifc::LoadOptions;
use plumbline_model::ModelSet;
use plumbline_review::Report;
use plumbline_review::Status;
use plumbline_store::RunSummary;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What a finished run hands back.
#[derive(Debug)]
pub struct Outcome {
    /// The report, with the statuses the history gave its clashes.
    pub report: Report,
    /// The loaded models.
    pub set: ModelSet,
    /// The history database and what the run recorded there, when it was recorded.
    pub history: Option<(PathBuf, RunSummary)>,
    /// Whether a model skipped something (elements whose geometry failed, a file cut short):
    /// clashes involving what was skipped may be missing.
    pub incomplete: bool,
}

/// What a pipeline that gates a delivery should conclude from a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to stop for.
    Pass,
    /// The gate fired: this many clashes are new (`--fail-on new`), open (`--fail-on open`), or
    /// open and needed within the days of `--fail-on due:N`.
    Failed { gate: FailOn, clashes: usize },
    /// The run is complete as far as it goes, but a model skipped part of its input.
    Incomplete,
}

impl Outcome {
    /// The verdict: the gate first (when one was asked for), then skipped input.
    pub fn verdict(&self, gate: Option<FailOn>) -> Verdict {
        let failing = match (gate, &self.history) {
            (Some(FailOn::New), Some((_, s))) => s.new,
            (Some(FailOn::Open), Some((_, s))) => s.new + s.active + s.reviewed,
            (Some(FailOn::Due(days)), Some(_)) => self
                .report
                .clashes()
                .filter(|c| matches!(c.status, Status::New | Status::Active | Status::Reviewed))
                .filter(|c| c.triage.as_ref().is_some_and(|t| t.days_to_needed <= i64::from(days)))
                .count(),
            _ => 0,
        };
        match gate {
            Some(gate) if failing > 0 => Verdict::Failed { gate, clashes: failing },
            _ if self.incomplete => Verdict::Incomplete,
            _ => Verdict::Pass,
        }
    }
}

/// Loads `paths` into one federated set; a file that cannot be loaded stops the run (every
/// failure is in the error). `observer` hears of each file.
pub fn load(
    paths: &[PathBuf],
    mut options: LoadOptions,
    observer: &mut dyn Observer,
) -> Result<ModelSet, PipelineError> {
    observer.loading(paths, &mut options);
    let (set, errors) = plumbline_ifc::load_set(paths, &options, |i, _| observer.file_loaded(i));
    observer.loaded(&set);
    if !errors.is_empty() {
        return Err(PipelineError::Load { total: paths.len(), errors });
    }
    Ok(set)
}

/// Whether a model of `set` skipped part of its input (warnings, failed elements).
pub fn skipped_anything(set: &ModelSet) -> bool {
    set.models.iter().any(|m| !m.warnings.is_empty() || m.skipped_summary().is_some())
}

/// Runs the plan's tests on a loaded set; time tests see `four_d` when there is one.
pub fn clash(
    set: &ModelSet,
    plan: &Plan,
    four_d: Option<&FourD>,
    observer: &mut dyn Observer,
) -> Result<Report, PipelineError> {
    if plan.needs_schedule() && four_d.is_none() {
        observer.warning(
            "no 4D schedule (the models hold no IfcTask and no --schedule was given): time tests treat every element as standing all the time and only the Temporary property marks temporary works",
        );
    }
    let cx =
        plumbline_rules::RunContext { schedule: four_d.map(|f| &f.sim), basis: plan.basis, threads: None };
    Ok(plumbline_rules::run_report(set, &plan.rules, &cx)?)
}

/// The whole run: load (only the geometry the tests can select), find the 4D schedule when a
/// test needs it, run the tests, record the run in the history (statuses), write every
/// report. `options` carries the caller's time limit and model cache.
pub fn run(plan: &Plan, options: LoadOptions, observer: &mut dyn Observer) -> Result<Outcome, PipelineError> {
    match plan.threads {
        None => run_stages(plan, options, observer),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| PipelineError::Threads { threads: n, message: e.to_string() })?;
            pool.install(|| run_stages(plan, options, observer))
        }
    }
}

fn run_stages(
    plan: &Plan,
    mut options: LoadOptions,
    observer: &mut dyn Observer,
) -> Result<Outcome, PipelineError> {
    let started = Instant::now();
    // The run's time in the history: SOURCE_DATE_EPOCH when set, like the reports' time, so
    // that a test (or a reproducible batch) records the same history twice.
    let started_utc =
        chrono::DateTime::from_timestamp(report_time()?.unix_seconds(), 0).unwrap_or_else(chrono::Utc::now);
    options.mesh_scopes.extend(plan.mesh_scopes());
    // A clash run measures exact solids where the models have them.
    options.exact_solids = true;
    // Without a schedule named, each model's load reads its work schedule from its own scan.
    let shelf = plan.schedule.is_none().then(|| Arc::new(ScheduleShelf::new()));
    options.schedules = shelf.clone();
    let set = load(&plan.models, options, observer)?;
    let load_secs = started.elapsed().as_secs_f64();
    // The schedule serves time tests and the clash triage (`needed_by`): the one named, else the
    // models' own work schedule.
    let find_four_d = || match FourD::find(plan.schedule.as_deref(), &plan.links, &set, shelf.as_deref())? {
        None if plan.requires_schedule() => Err(PipelineError::NoSchedule),
        found => Ok(found),
    };
    let (four_d, mut report) = if plan.needs_schedule() {
        let four_d = find_four_d()?;
        let report = clash(&set, plan, four_d.as_ref(), observer)?;
        (four_d, report)
    } else {
        // Without time tests no test reads the schedule, so it is read beside them: most of
        // its reading and the R-tree's build are sequential (on the 1M-element hall, 3 s and
        // 2 s). Its errors still come first.
        let (four_d, report) = rayon::join(find_four_d, || clash(&set, plan, None, observer));
        (four_d?, report?)
    };
    if let Some(f) = &four_d {
        let fallback = chrono::DateTime::from_timestamp(report_time()?.unix_seconds(), 0)
            .map_or(chrono::NaiveDate::MIN, |t| t.date_naive());
        match triage(&mut report, f, plan.today, fallback) {
            Ok(t) => observer.triaged(&t),
            // A schedule the critical path cannot be computed for still serves time tests.
            Err(e) if !plan.requires_schedule() => observer.warning(&format!("no clash triage: {e}")),
            Err(e) => return Err(e.into()),
        }
    }
    report.timings.load_secs = load_secs;
    report.timings.total_secs = started.elapsed().as_secs_f64();
    observer.clashes_found(&report);
    // Reports first (under temporary names), then the history, then the reports go in place:
    // a run whose reports cannot be written records nothing, so a gate fires again on the
    // rerun; a history that cannot be written leaves the previous reports untouched.
    let history = match &plan.history {
        Some(path) => {
            let rules = plan.rules_file.as_deref();
            let project = plan.project.as_deref();
            let notes = match plan.outputs.bcf {
                Some(_) => review_notes(path, project, rules, &report, started_utc)?,
                None => BTreeMap::new(),
            };
            let (summary, staged) =
                record_run_then(path, project, &mut report, rules, &set, started_utc, |r| {
                    stage_reports(&plan.outputs, &set, r, &notes, observer)
                })?;
            staged.commit()?;
            Some((path.clone(), summary))
        }
        None => {
            stage_reports(&plan.outputs, &set, &report, &BTreeMap::new(), observer)?.commit()?;
            None
        }
    };
    observer.reports_ready(&report, history.as_ref().map(|(p, s)| (p.as_path(), s)));
    let incomplete = skipped_anything(&set);
    Ok(Outcome { report, set, history, incomplete })
}
