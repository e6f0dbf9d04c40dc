//! A whole clash run, stage by stage: load → clash → record the history → write every report.
//! The plan ([`crate::Plan`]) has already checked every input and output path.

use crate::error::PipelineError;
use crate::four_d::FourD;
use crate::history::record_run;
use crate::observe::Observer;
use crate::outputs::write_reports;
use crate::plan::Plan;
use plumbline_ifc::LoadOptions;
use plumbline_model::ModelSet;
use plumbline_review::Report;
use plumbline_store::RunSummary;
use std::path::PathBuf;
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
    /// The history saw this many clashes for the first time (asked for with `fail_on_new`).
    NewClashes(usize),
    /// The run is complete as far as it goes, but a model skipped part of its input.
    Incomplete,
}

impl Outcome {
    /// The verdict: new clashes first (when asked to fail on them), then skipped input.
    pub fn verdict(&self, fail_on_new: bool) -> Verdict {
        match &self.history {
            Some((_, s)) if fail_on_new && s.new > 0 => Verdict::NewClashes(s.new),
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
    let started_utc = chrono::Utc::now();
    options.mesh_scopes.extend(plan.mesh_scopes());
    let set = load(&plan.models, options, observer)?;
    let load_secs = started.elapsed().as_secs_f64();
    let four_d =
        if plan.needs_schedule() { FourD::find(plan.schedule.as_deref(), &plan.links, &set)? } else { None };
    let mut report = clash(&set, plan, four_d.as_ref(), observer)?;
    report.timings.load_secs = load_secs;
    report.timings.total_secs = started.elapsed().as_secs_f64();
    observer.clashes_found(&report);
    let history = match &plan.history {
        Some(path) => {
            let summary = record_run(path, &mut report, plan.rules_file.as_deref(), &set, started_utc)?;
            observer.recorded(path, &summary);
            Some((path.clone(), summary))
        }
        None => None,
    };
    write_reports(&plan.outputs, &set, &report, observer)?;
    let incomplete = skipped_anything(&set);
    Ok(Outcome { report, set, history, incomplete })
}
