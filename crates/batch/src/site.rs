//! One site of a batch: its rule matrix run through the clash pipeline (the same run as
//! `plumbline clash --config`), recorded under the site's project, its reports written under
//! `OUT/<site>/`, and the figures the portfolio shows taken from the result.

use crate::file::Site;
use plumbline_pipeline::{ClashRequest, HistoryChoice, Observer, Outcome, Outputs, Plan, ReportLang, Tests};
use plumbline_report::{ClashCounts, Discipline, SiteOutcome, SiteResult, TrendPoint, TREND_RUNS};
use plumbline_review::{Report, Status};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The report formats a batch can write per site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SiteReport {
    Json,
    Csv,
    Html,
    Xlsx,
    Bcf,
}

impl SiteReport {
    pub const ALL: [SiteReport; 5] =
        [SiteReport::Json, SiteReport::Csv, SiteReport::Html, SiteReport::Xlsx, SiteReport::Bcf];

    /// The formats a batch writes unless told otherwise: the JSON for tools, the HTML for
    /// people, the BCF for the design teams' own tools.
    pub const DEFAULT: [SiteReport; 3] = [SiteReport::Json, SiteReport::Html, SiteReport::Bcf];

    /// The name in `--reports` and the key in a site's `reports`.
    pub fn key(self) -> &'static str {
        match self {
            SiteReport::Json => "json",
            SiteReport::Csv => "csv",
            SiteReport::Html => "html",
            SiteReport::Xlsx => "xlsx",
            SiteReport::Bcf => "bcf",
        }
    }

    /// The report's file name in the site's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            SiteReport::Json => "clashes.json",
            SiteReport::Csv => "clashes.csv",
            SiteReport::Html => "clashes.html",
            SiteReport::Xlsx => "clashes.xlsx",
            SiteReport::Bcf => "clashes.bcfzip",
        }
    }

    /// Reads `json,html,bcf` (any order, repeats ignored).
    pub fn parse_list(text: &str) -> Result<Vec<SiteReport>, String> {
        let mut kinds = BTreeSet::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let kind = SiteReport::ALL.into_iter().find(|k| k.key().eq_ignore_ascii_case(word)).ok_or_else(
                || format!("--reports: unknown report '{word}' (choose from json, csv, html, xlsx, bcf)"),
            )?;
            kinds.insert(kind);
        }
        Ok(kinds.into_iter().collect())
    }
}

/// What every site of a batch shares.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// The batch's output folder; a site writes into `out/<site name>/`.
    pub out: PathBuf,
    /// The history location (a file or a `postgresql://` URL).
    pub history: PathBuf,
    pub reports: Vec<SiteReport>,
    pub lang: ReportLang,
    pub today: Option<chrono::NaiveDate>,
    pub needed_within_days: u32,
    pub load: plumbline_ifc::LoadOptions,
}

/// Listens to one site's run: keeps its warnings and whether its clashes were triaged by a 4D
/// schedule.
#[derive(Debug, Default)]
struct SiteWatch {
    warnings: Vec<String>,
    triaged: bool,
}

impl Observer for SiteWatch {
    fn warning(&mut self, text: &str) {
        self.warnings.push(text.to_string());
    }

    fn triaged(&mut self, _summary: &plumbline_pipeline::TriageSummary) {
        self.triaged = true;
    }
}

/// Runs one site and sums up its results, with the warnings of its run; a site that cannot
/// run comes back `Failed` with the reason (naming the file), never as an error of the batch.
pub fn run_site(site: &Site, settings: &SiteSettings) -> (SiteResult, Vec<String>) {
    let mut watch = SiteWatch::default();
    let result = run_watched(site, settings, &mut watch);
    (result, watch.warnings)
}

fn run_watched(site: &Site, settings: &SiteSettings, observer: &mut SiteWatch) -> SiteResult {
    let mut result = blank(site);
    if let Some(problem) = &site.problem {
        result.error = Some(problem.clone());
        return result;
    }
    match run_pipeline(site, settings, observer) {
        Ok(outcome) => {
            fill(&mut result, &outcome, settings);
            result.has_schedule = observer.triaged;
            match trend(&settings.history, &site.project) {
                Ok(points) => result.trend = points,
                Err(e) => observer.warning(&format!("{}: no trend: {e}", site.name)),
            }
            result.reports = settings
                .reports
                .iter()
                .map(|k| (k.key().to_string(), format!("{}/{}", site.name, k.file_name())))
                .collect();
        }
        Err(e) => result.error = Some(e),
    }
    result
}

/// A site's result before it runs: failed, with nothing counted (what a site that cannot run
/// reports, with its reason in `error`).
pub(crate) fn blank(site: &Site) -> SiteResult {
    SiteResult {
        name: site.name.clone(),
        region: site.region.clone(),
        project: site.project.clone(),
        outcome: SiteOutcome::Failed,
        error: None,
        models: site.model_labels.clone(),
        model_bytes: site.model_bytes,
        elements: 0,
        clashes: ClashCounts::default(),
        by_discipline: BTreeMap::new(),
        has_schedule: false,
        needed_soon: 0,
        first_needed_by: None,
        trend: Vec::new(),
        reports: BTreeMap::new(),
    }
}

fn run_pipeline(
    site: &Site,
    settings: &SiteSettings,
    observer: &mut dyn Observer,
) -> Result<Outcome, String> {
    let folder = settings.out.join(&site.name);
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("{}: cannot create the folder: {e}", folder.display()))?;
    let path_of = |kind: SiteReport| settings.reports.contains(&kind).then(|| folder.join(kind.file_name()));
    let request = ClashRequest {
        models: site.models.clone(),
        tests: Tests::RuleFile(site.rules.clone()),
        schedule: site.schedule.clone(),
        links: site.links.clone(),
        group_by: None,
        history: HistoryChoice::Db(settings.history.clone()),
        fail_on: None,
        today: settings.today,
        project: Some(site.project.clone()),
        outputs: Outputs {
            json: path_of(SiteReport::Json),
            csv: path_of(SiteReport::Csv),
            xlsx: path_of(SiteReport::Xlsx),
            html: path_of(SiteReport::Html),
            bcf: path_of(SiteReport::Bcf),
            lang: settings.lang,
            ..Outputs::default()
        },
        threads: None,
        basis: plumbline_schedule::Basis::Planned,
    };
    let plan = Plan::new(request, &plumbline_ifc::canonical_class_name).map_err(|e| e.to_string())?;
    plumbline_pipeline::run(&plan, settings.load.clone(), observer).map_err(|e| e.to_string())
}

/// The portfolio's figures from a finished run.
fn fill(result: &mut SiteResult, outcome: &Outcome, settings: &SiteSettings) {
    result.outcome = if outcome.incomplete { SiteOutcome::Incomplete } else { SiteOutcome::Ok };
    result.elements = outcome.set.models.iter().map(|m| m.elements.len()).sum();
    if let Some((_, s)) = &outcome.history {
        result.clashes = ClashCounts {
            found: s.clashes,
            open: s.new + s.active + s.reviewed,
            new: s.new,
            active: s.active,
            reviewed: s.reviewed,
            approved: s.approved,
            resolved: s.resolved,
        };
    }
    let report = &outcome.report;
    result.by_discipline = by_discipline(report);
    let days = i64::from(settings.needed_within_days);
    let open_triaged = report.clashes().filter(|c| is_open(c.status)).filter_map(|c| c.triage.as_ref());
    for t in open_triaged {
        if t.days_to_needed <= days {
            result.needed_soon += 1;
        }
        if result.first_needed_by.as_deref().is_none_or(|d| t.needed_by.as_str() < d) {
            result.first_needed_by = Some(t.needed_by.clone());
        }
    }
}

fn is_open(status: Status) -> bool {
    matches!(status, Status::New | Status::Active | Status::Reviewed)
}

/// Open clashes by the disciplines of their two elements: a clash between two disciplines
/// counts under both, one within a discipline once.
fn by_discipline(report: &Report) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for c in report.clashes().filter(|c| is_open(c.status)) {
        let (a, b) = (Discipline::of_class(&c.a.class), Discipline::of_class(&c.b.class));
        *counts.entry(a.key().to_string()).or_insert(0) += 1;
        if b != a {
            *counts.entry(b.key().to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// The project's last runs in the history, oldest first.
fn trend(history: &Path, project: &str) -> Result<Vec<TrendPoint>, String> {
    let store =
        plumbline_store::Store::open_location(&history.to_string_lossy()).map_err(|e| e.to_string())?;
    let runs = store.trend(Some(project), None).map_err(|e| e.to_string())?;
    let skip = runs.len().saturating_sub(TREND_RUNS);
    Ok(runs
        .iter()
        .skip(skip)
        .map(|r| TrendPoint {
            at: r.started_utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            found: r.clashes,
            open: r.new + r.active + r.reviewed,
            new: r.new,
            resolved: r.resolved,
        })
        .collect())
}
