//! `plumbline clash`: one ad-hoc clash test between two selections of elements.

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use plumbline_clash::{run_test, Mode, Shapes, Test, DEFAULT_TOLERANCE_M};
use plumbline_model::{ClassQuery, ElementRef, MeshScope, ModelSet, Role};
use plumbline_review::{Grouping, Report, TestInfo, Timings};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    Hard,
    Clearance,
    Duplicate,
}

#[derive(Debug, Args)]
pub struct ClashArgs {
    /// IFC files (.ifc or .ifczip), loaded into one federated set.
    #[arg(required = true)]
    models: Vec<PathBuf>,
    /// Run every test of a rule matrix (TOML; see assets/rules/) instead of one ad-hoc test.
    /// The run is recorded in the clash history (`plumbline.db` beside the config unless --db
    /// or --no-db says otherwise).
    #[arg(long, conflicts_with_all = ["a", "b", "mode", "no_ignore"])]
    config: Option<PathBuf>,
    /// The 4D schedule for `time` tests of a rule matrix (IFC, MSPDI XML, P6 XER/XML or CSV).
    /// Default: the work schedule of the first model that holds one.
    #[arg(long, requires = "config")]
    schedule: Option<PathBuf>,
    /// Element–task links for --schedule (GlobalId CSV or TOML rules), repeatable.
    #[arg(long, requires = "config")]
    links: Vec<PathBuf>,
    /// Do not record a --config run in the clash history.
    #[arg(long, conflicts_with = "db")]
    no_db: bool,
    /// Set A: `[FILE_GLOB:]CLASS[,CLASS...]` or `*` (every physical element). Subtypes count, and
    /// IFC2X3 elements typed by `<CLASS>Type` too.
    #[arg(long, default_value = "*")]
    a: String,
    /// Set B, same syntax. Without it, A is tested against itself.
    #[arg(long)]
    b: Option<String>,
    #[arg(long, value_enum, default_value = "hard")]
    mode: ModeArg,
    /// Hard tolerance: overlaps up to this depth are not clashes (also the duplicate tolerance).
    #[arg(long, default_value_t = DEFAULT_TOLERANCE_M * 1000.0)]
    tolerance_mm: f64,
    /// Clearance distance for `--mode clearance`.
    #[arg(long, default_value_t = 50.0)]
    clearance_mm: f64,
    /// Also write the results as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Switch off default ignore rules (comma-separated): fillings (doors/windows vs the wall
    /// they fill), openings (elements meeting a host only inside its opening), assemblies (parts
    /// of one assembly), ports (elements joined by ports), same-guid (one GlobalId in two
    /// files), or all.
    #[arg(long, value_delimiter = ',', value_enum)]
    no_ignore: Vec<IgnoreArg>,
    /// Also write the clashes as CSV (one row per clash).
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write an Excel workbook (a summary sheet by test, storey and status; a clash sheet).
    #[arg(long)]
    xlsx: Option<PathBuf>,
    /// Also write a self-contained HTML report (counts, charts, groups, each clash with its
    /// snapshot, explanation and status).
    #[arg(long)]
    html: Option<PathBuf>,
    /// At most this many clash snapshots in the HTML report (the first clashes of each test, in
    /// report order); the others are listed without a picture.
    #[arg(long, default_value_t = 500)]
    max_snapshots: usize,
    /// Record the run in this clash history database (SQLite): statuses new, active, reviewed,
    /// approved, resolved carry over from earlier runs. With --config the default is
    /// plumbline.db beside the config.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Exit with code 3 when the run found new clashes (for pipelines that gate a model
    /// delivery). Needs the history (--db or --config).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Also write the groups as BCF topics (one topic per group, both elements selected and
    /// coloured, a camera framing the clash, a snapshot).
    #[arg(long)]
    bcf: Option<PathBuf>,
    /// The BCF version to write: 2.1 or 3.0.
    #[arg(long, default_value = "2.1", value_parser = parse_bcf_version)]
    bcf_version: plumbline_bcf::BcfVersion,
    /// The author written into BCF topics (default: $USER).
    #[arg(long)]
    author: Option<String>,
    /// How clashes are grouped for review: element, storey, type-pair, proximity (2 m) or
    /// proximity:METRES.
    /// Default: proximity, or the rule matrix's [grouping].
    #[arg(long)]
    group_by: Option<String>,
    /// Worker threads (default: all cores). Results are identical for any count.
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    load: crate::load_args::LoadArgs,
}

/// What `--fail-on` gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Clashes that the history had not seen before (or had seen resolved).
    New,
}

/// Exit code when `--fail-on new` finds new clashes.
pub const EXIT_NEW_CLASHES: u8 = 3;

/// Snapshot sizes: BCF 3.0 allows at most 1500 px on the long side; HTML pictures stay small so
/// that a report with hundreds of clashes opens quickly.
const BCF_SNAPSHOT_PX: (u32, u32) = (800, 600);
const HTML_SNAPSHOT_PX: (u32, u32) = (480, 360);

/// A default ignore rule that `--no-ignore` switches off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IgnoreArg {
    Fillings,
    Openings,
    Assemblies,
    Ports,
    SameGuid,
    All,
}

/// The default ignore rules less those switched off.
pub fn ignore_rules(off: &[IgnoreArg]) -> plumbline_clash::IgnoreRules {
    let mut r = plumbline_clash::IgnoreRules::default();
    for o in off {
        match o {
            IgnoreArg::Fillings => r.fillings_in_host = false,
            IgnoreArg::Openings => r.through_openings = false,
            IgnoreArg::Assemblies => r.same_assembly = false,
            IgnoreArg::Ports => r.port_connected = false,
            IgnoreArg::SameGuid => r.same_global_id = false,
            IgnoreArg::All => r = plumbline_clash::IgnoreRules::NONE,
        }
    }
    r
}

/// A parsed `[FILE_GLOB:]CLASS[,CLASS...]` selector.
#[derive(Debug)]
pub struct Selector {
    text: String,
    files: Option<globset::GlobMatcher>,
    classes: Option<ClassQuery>,
}

impl Selector {
    /// Which elements of the file at `path` the selector may pick: nothing from a file its
    /// glob does not take, else its classes (everything for `*`).
    fn mesh_scope(&self, path: &Path) -> MeshScope {
        match &self.classes {
            _ if !self.takes_file(path) => MeshScope::nothing(),
            None => MeshScope::Everything,
            Some(q) => MeshScope::classes(&q.classes),
        }
    }

    /// Whether the selector's file glob (if any) takes the file at `path`, by path or by name.
    fn takes_file(&self, path: &Path) -> bool {
        let name = path.file_name().map(Path::new).unwrap_or(path);
        self.files.as_ref().is_none_or(|glob| glob.is_match(path) || glob.is_match(name))
    }

    /// Parses a selector; unknown class names and bad globs are errors that say which and why.
    pub fn parse(flag: &str, text: &str) -> anyhow::Result<Selector> {
        let (glob, classes) = match text.rsplit_once(':') {
            Some((g, c)) => (Some(g), c),
            None => (None, text),
        };
        let files = glob
            .map(|g| {
                globset::Glob::new(g)
                    .map(|g| g.compile_matcher())
                    .with_context(|| format!("{flag} '{text}': bad file pattern '{g}'"))
            })
            .transpose()?;
        let classes = if classes.trim() == "*" || classes.trim().is_empty() {
            None
        } else {
            let mut names = Vec::new();
            for raw in classes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                match plumbline_ifc::canonical_class_name(raw) {
                    Some(name) => names.push(name),
                    None => bail!(
                        "{flag} '{text}': unknown IFC class '{raw}' (expected a class of IFC2X3, IFC4 or IFC4X3 such as IfcWall, IfcDuctSegment, IfcFlowSegment)"
                    ),
                }
            }
            Some(ClassQuery::new(names))
        };
        Ok(Selector { text: text.to_string(), files, classes })
    }

    /// The physical elements with geometry that the selector picks, in file then element order.
    pub fn select(&self, set: &ModelSet) -> Vec<ElementRef> {
        let mut out = Vec::new();
        for (f, model) in set.models.iter().enumerate() {
            if !self.takes_file(Path::new(&model.path)) {
                continue;
            }
            for (i, e) in model.elements.iter().enumerate() {
                if e.role != Role::Physical || e.mesh.is_none() {
                    continue;
                }
                if self.classes.as_ref().is_some_and(|q| !model.element_is(e, q)) {
                    continue;
                }
                out.push(ElementRef { file: f as u32, element: i as u32 });
            }
        }
        out
    }
}

pub fn run(args: &ClashArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if let Some(n) = args.threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("starting the thread pool")?;
    }
    for (flag, v) in [("--tolerance-mm", args.tolerance_mm), ("--clearance-mm", args.clearance_mm)] {
        anyhow::ensure!(
            v.is_finite() && v >= 0.0,
            "{flag} must be a non-negative number of millimetres, got {v}"
        );
        // As in rule files: past 100 m the value is a unit mistake that would pair everything.
        anyhow::ensure!(
            v <= 100_000.0,
            "{flag} = {v:e} mm is over 100 m: give millimetres (e.g. 50 for 5 cm)"
        );
    }
    // Everything the user typed is checked before the models load: a typo costs no waiting.
    let group_by = args.group_by.as_deref().map(Grouping::parse).transpose()?;
    let rules = match &args.config {
        Some(path) => Some(plumbline_rules::RuleSet::read(path, &plumbline_ifc::canonical_class_name)?),
        None => None,
    };
    let sel_a = Selector::parse("--a", &args.a)?;
    let sel_b = args.b.as_deref().map(|b| Selector::parse("--b", b)).transpose()?;
    let mode = match args.mode {
        ModeArg::Hard => Mode::Hard { tolerance_m: args.tolerance_mm / 1000.0 },
        ModeArg::Clearance => Mode::Clearance {
            clearance_m: args.clearance_mm / 1000.0,
            tolerance_m: args.tolerance_mm / 1000.0,
        },
        ModeArg::Duplicate => Mode::Duplicate { tolerance_m: args.tolerance_mm / 1000.0 },
    };

    let mut options = args.load.options()?;
    // Only what the tests can select is tessellated; the other elements load without geometry.
    for path in &args.models {
        let scope = match &rules {
            Some(rules) => rules.mesh_scope(path),
            None => {
                let b = sel_b.as_ref().map_or_else(MeshScope::nothing, |b| b.mesh_scope(path));
                sel_a.mesh_scope(path).union(b)
            }
        };
        if scope != MeshScope::Everything {
            options.mesh_scopes.insert(path.clone(), scope);
        }
    }
    let bar = crate::load_bar::LoadBar::new(&args.models, &mut options);
    let (set, errors) = plumbline_ifc::load_set(&args.models, &options, |i, _| bar.loaded(i));
    drop(bar);
    if let Some(e) = errors.first() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        bail!("{} of {} files could not be loaded (first: {e})", errors.len(), args.models.len());
    }
    let load_secs = started.elapsed().as_secs_f64();
    let skipped = crate::report_skipped(&set.models, false);

    let mut report = match &rules {
        Some(rules) => run_matrix(args, &set, rules, group_by, load_secs)?,
        None => run_ad_hoc(args, &set, &sel_a, sel_b.as_ref(), mode, group_by, load_secs),
    };

    print_summary(&report);
    report.timings.total_secs = started.elapsed().as_secs_f64();
    eprintln!(
        "load {load_secs:.2} s, index {:.2} s, narrow phase {:.2} s, total {:.2} s",
        report.timings.index_secs, report.timings.narrow_secs, report.timings.total_secs
    );
    // What this run could not look at: its absence from the results proves nothing.
    let unchecked = plumbline_store::Unchecked::of_set(&set);
    let summary = match history_path(args) {
        Some(path) => Some(record_in_history(&path, &mut report, args.config.as_deref(), &unchecked)?),
        None => None,
    };
    write_reports(args, &set, &report)?;
    // The process ends here: freeing a million elements one by one took 0.7 s of a 4.5 s run,
    // and the operating system takes the memory back at once.
    std::mem::forget(set);
    if args.fail_on == Some(FailOn::New) && summary.as_ref().is_some_and(|s| s.new > 0) {
        eprintln!("--fail-on new: {} new clashes", summary.as_ref().map_or(0, |s| s.new));
        return Ok(ExitCode::from(EXIT_NEW_CLASHES));
    }
    if skipped {
        eprintln!(
            "the models had skipped elements or warnings (above): clashes involving them may be missing"
        );
        return Ok(ExitCode::from(crate::EXIT_INCOMPLETE));
    }
    Ok(ExitCode::SUCCESS)
}

/// The history database of this run, if any: `--db`, else none (a `--config` run defaults to
/// `plumbline.db` beside the config).
fn history_path(args: &ClashArgs) -> Option<PathBuf> {
    if args.no_db {
        return None;
    }
    args.db.clone().or_else(|| {
        args.config.as_ref().map(|c| c.parent().unwrap_or(std::path::Path::new(".")).join("plumbline.db"))
    })
}

/// Records the run in the history and writes the statuses back into the report.
fn record_in_history(
    path: &std::path::Path,
    report: &mut Report,
    config: Option<&std::path::Path>,
    unchecked: &plumbline_store::Unchecked,
) -> anyhow::Result<plumbline_store::RunSummary> {
    let mut store = plumbline_store::Store::open(path)?;
    let meta = plumbline_store::RunMeta {
        started_utc: chrono::Utc::now(),
        models: report.models.clone(),
        config: config.map(|c| c.display().to_string()),
    };
    let s = store.record_partial_run(report, &meta, unchecked)?;
    eprintln!(
        "history {}: run {}: {} new, {} active, {} reviewed, {} approved, {} resolved",
        path.display(),
        s.run_id,
        s.new,
        s.active,
        s.reviewed,
        s.approved,
        s.resolved
    );
    if s.unchecked > 0 {
        eprintln!(
            "history: {} open clashes not found involve skipped elements or a truncated file: kept open, not resolved",
            s.unchecked
        );
    }
    Ok(s)
}

fn parse_bcf_version(text: &str) -> Result<plumbline_bcf::BcfVersion, String> {
    plumbline_bcf::BcfVersion::parse(text)
        .ok_or_else(|| format!("'{text}' is not a BCF version: expected 2.1 or 3.0"))
}

/// The time written into reports: `SOURCE_DATE_EPOCH` when set (reproducible builds and tests),
/// else now.
pub fn report_time() -> anyhow::Result<plumbline_bcf::UtcDateTime> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .with_context(|| format!("SOURCE_DATE_EPOCH '{v}' is not a number of seconds"))?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    };
    plumbline_bcf::UtcDateTime::from_unix_seconds(secs)
        .with_context(|| format!("time {secs} is out of range"))
}

/// Writes every report the flags ask for.
fn write_reports(args: &ClashArgs, set: &ModelSet, report: &Report) -> anyhow::Result<()> {
    if let Some(path) = &args.json {
        write_atomically(path, (report.to_json() + "\n").as_bytes())?;
    }
    if let Some(path) = &args.csv {
        write_atomically(path, plumbline_report::csv(report).as_bytes())?;
    }
    if let Some(path) = &args.xlsx {
        let bytes =
            plumbline_report::xlsx(report).with_context(|| format!("{}: writing XLSX", path.display()))?;
        write_atomically(path, &bytes)?;
    }
    if let Some(path) = &args.html {
        let snapshots = clash_snapshots(set, report, args.max_snapshots);
        write_atomically(path, plumbline_report::html(report, &snapshots).as_bytes())?;
    }
    if let Some(path) = &args.bcf {
        let author = args
            .author
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "plumbline".to_string());
        let pictures = group_snapshots(set, report);
        let options = plumbline_bcf::ExportOptions {
            version: args.bcf_version,
            author: &author,
            date_utc: report_time()?,
            snapshots: &|g| pictures.get(&g.id).cloned(),
        };
        let bytes = plumbline_bcf::write(report, &options)
            .with_context(|| format!("{}: writing BCF", path.display()))?;
        write_atomically(path, &bytes)?;
    }
    Ok(())
}

/// The snapshot of each clash (up to `max` of them, in report order), rendered in parallel.
fn clash_snapshots(set: &ModelSet, report: &Report, max: usize) -> plumbline_report::Snapshots {
    use rayon::prelude::*;
    let clashes: Vec<&plumbline_review::ClashRecord> = report.clashes().take(max).collect();
    let progress = progress_bar(clashes.len(), "snapshots");
    let (w, h) = HTML_SNAPSHOT_PX;
    let out = clashes
        .par_iter()
        .filter_map(|c| {
            let png = plumbline_snapshot::render_clash_png(set, c, w, h);
            progress.inc(1);
            match png {
                Ok(png) => Some((c.id.clone(), png)),
                Err(e) => {
                    eprintln!("warning: no snapshot for clash {}: {e}", c.id);
                    None
                }
            }
        })
        .collect();
    progress.finish_and_clear();
    out
}

/// The snapshot of each group, from the camera its BCF viewpoint uses.
fn group_snapshots(set: &ModelSet, report: &Report) -> std::collections::BTreeMap<String, Vec<u8>> {
    use rayon::prelude::*;
    let groups: Vec<(&plumbline_review::Group, plumbline_snapshot::Highlight)> = report
        .tests
        .iter()
        .flat_map(|t| {
            t.groups.iter().map(move |g| {
                let mut hl =
                    plumbline_snapshot::Highlight { a: Vec::new(), b: Vec::new(), focus: Some(g.aabb) };
                for c in t.clashes.iter().filter(|c| c.group == g.id) {
                    hl.a.push(c.a.global_id.clone());
                    hl.b.push(c.b.global_id.clone());
                }
                (g, hl)
            })
        })
        .collect();
    let progress = progress_bar(groups.len(), "BCF snapshots");
    let (w, h) = BCF_SNAPSHOT_PX;
    let out = groups
        .par_iter()
        .filter_map(|(g, hl)| {
            let camera = plumbline_review::frame_box(&g.aabb);
            let png = plumbline_snapshot::render(set, &camera, hl, w, h).and_then(|img| img.to_png());
            progress.inc(1);
            match png {
                Ok(png) => Some((g.id.clone(), png)),
                Err(e) => {
                    eprintln!("warning: no snapshot for group {}: {e}", g.id);
                    None
                }
            }
        })
        .collect();
    progress.finish_and_clear();
    out
}

fn progress_bar(len: usize, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template(&format!("{{spinner}} {what} {{pos}}/{{len}} {{wide_bar}}"))
    {
        bar.set_style(style);
    }
    bar
}

/// Writes a file through a temporary name, so that an interrupted run never leaves half a
/// report where the previous one was.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp-plumbline");
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

/// One test from `--a`, `--b` and `--mode`.
fn run_ad_hoc(
    args: &ClashArgs,
    set: &ModelSet,
    sel_a: &Selector,
    sel_b: Option<&Selector>,
    mode: Mode,
    group_by: Option<Grouping>,
    load_secs: f64,
) -> Report {
    let a = sel_a.select(set);
    let b = sel_b.as_ref().map(|s| s.select(set));
    let name = match &sel_b {
        Some(sb) => format!("{}: {} vs {}", mode.name(), sel_a.text, sb.text),
        None => format!("{}: {} vs itself", mode.name(), sel_a.text),
    };
    let shapes = Shapes::new(set);
    let test = Test { name: name.clone(), mode, a, b };
    let ignore = plumbline_clash::Ignore::new(set, ignore_rules(&args.no_ignore));
    let result = run_test(&shapes, &test, &|x, y| ignore.ignores(x, y));
    // Shapes are built lazily, inside the narrow phase, for the pairs that need them.
    let (index_secs, narrow_secs) = (result.broad_secs, result.narrow_secs);
    let info = TestInfo {
        name: test.name.clone(),
        mode: mode.name().to_string(),
        tolerance_m: mode.tolerance_m(),
        clearance_m: mode.clearance_m(),
        zone: None,
    };
    let grouping = group_by.unwrap_or_default();
    Report {
        models: set.models.iter().map(|m| m.path.clone()).collect(),
        grouping,
        tests: vec![plumbline_review::test_report(set, &info, &result, grouping)],
        timings: Timings { load_secs, index_secs, narrow_secs, total_secs: 0.0 },
    }
}

/// Every test of a rule matrix.
fn run_matrix(
    args: &ClashArgs,
    set: &ModelSet,
    rules: &plumbline_rules::RuleSet,
    group_by: Option<Grouping>,
    load_secs: f64,
) -> anyhow::Result<Report> {
    let mut rules = rules.clone();
    if let Some(g) = group_by {
        rules.grouping = g;
    }
    let needs_schedule = rules.tests.iter().any(|t| matches!(t.mode, plumbline_rules::TestMode::Time { .. }));
    let index = if needs_schedule { sim_index(args, set)? } else { None };
    if needs_schedule && index.is_none() {
        eprintln!(
            "warning: no 4D schedule (the models hold no IfcTask and no --schedule was given): time tests treat every element as standing all the time and only the Temporary property marks temporary works"
        );
    }
    let cx =
        plumbline_rules::RunContext { schedule: index.as_ref(), threads: args.threads, ..Default::default() };
    let mut report = plumbline_rules::run_report(set, &rules, &cx)?;
    report.timings.load_secs = load_secs;
    Ok(report)
}

/// The 4D simulation for time tests: `--schedule` with `--links`, else the first model's own
/// work schedule; `None` when there is none.
fn sim_index(args: &ClashArgs, set: &ModelSet) -> anyhow::Result<Option<plumbline_schedule::SimIndex>> {
    let schedule = match &args.schedule {
        Some(path) => crate::schedule_cmd::read_any_schedule(path)?,
        None => {
            let mut found = None;
            for m in &set.models {
                let s = plumbline_ifc::schedule::read_schedule(std::path::Path::new(&m.path))?;
                if !s.tasks.is_empty() {
                    found = Some(s);
                    break;
                }
            }
            match found {
                Some(s) => s,
                None => return Ok(None),
            }
        }
    };
    let links = plumbline_schedule::gather_links(&schedule, &args.links, &set.models)?;
    Ok(Some(plumbline_schedule::SimIndex::for_models(&schedule, &links, &set.models)))
}

fn print_summary(report: &Report) {
    for t in &report.tests {
        println!(
            "{}: {} clashes in {} groups ({} elements in A, {} in B, {} candidate pairs)",
            t.name,
            t.clashes.len(),
            t.groups.len(),
            t.elements_a,
            t.elements_b,
            t.candidate_pairs
        );
        for c in &t.clashes {
            let what = if c.hard && c.distance_m < 0.0 {
                format!("overlap {:.1} mm", -c.distance_m * 1000.0)
            } else if c.hard {
                format!("depth {:.1} mm", c.distance_m * 1000.0)
            } else {
                format!("gap {:.1} mm", c.distance_m * 1000.0)
            };
            println!(
                "  {} {:<9} {:>16}  {} {} '{}'  x  {} {} '{}'  [{}]",
                c.id,
                format!("{:?}", c.kind).to_lowercase(),
                what,
                c.a.class,
                c.a.global_id,
                c.a.name.as_deref().unwrap_or(""),
                c.b.class,
                c.b.global_id,
                c.b.name.as_deref().unwrap_or(""),
                c.a.storey.as_deref().unwrap_or("-"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selector_needs_its_classes_from_the_files_its_glob_takes() {
        let scope =
            |text: &str, file: &str| Selector::parse("--a", text).expect("valid").mesh_scope(Path::new(file));
        assert_eq!(scope("IfcWall,IfcSlab", "models/arch.ifc"), MeshScope::classes(["IfcWall", "IfcSlab"]));
        assert_eq!(scope("arch*.ifc:IfcWall", "models/arch-2.ifc"), MeshScope::classes(["IfcWall"]));
        assert_eq!(scope("arch*.ifc:IfcWall", "models/mep.ifc"), MeshScope::nothing());
        assert_eq!(scope("*", "mep.ifc"), MeshScope::Everything);
        assert_eq!(scope("mep.ifc:*", "mep.ifc"), MeshScope::Everything);
        assert_eq!(scope("mep.ifc:*", "arch.ifc"), MeshScope::nothing());
    }
}
