//! `plumbline clash`: one ad-hoc clash test between two selections of elements.

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use plumbline_clash::{run_test, Clash, Mode, Shapes, Test, TestResult, DEFAULT_TOLERANCE_M};
use plumbline_ifc::LoadOptions;
use plumbline_model::{ClassQuery, ElementRef, ModelSet, Role};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    /// Worker threads (default: all cores). Results are identical for any count.
    #[arg(long)]
    threads: Option<usize>,
    /// Stop loading a file after this many seconds.
    #[arg(long, default_value_t = 120.0)]
    time_limit_secs: f64,
}

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
            if let Some(glob) = &self.files {
                let path = std::path::Path::new(&model.path);
                let name = path.file_name().map(std::path::Path::new).unwrap_or(path);
                if !glob.is_match(path) && !glob.is_match(name) {
                    continue;
                }
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

#[derive(Debug, Serialize)]
struct ElementJson<'a> {
    global_id: &'a str,
    class: &'a str,
    name: Option<&'a str>,
    file: &'a str,
    storey: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct ClashJson<'a> {
    id: &'a str,
    kind: plumbline_clash::ClashKind,
    distance_m: f64,
    hard: bool,
    exact: bool,
    point: [f64; 3],
    overlap_aabb: [[f64; 3]; 2],
    a: ElementJson<'a>,
    b: ElementJson<'a>,
}

#[derive(Debug, Serialize)]
struct TestJson<'a> {
    name: &'a str,
    mode: &'static str,
    tolerance_m: f64,
    clearance_m: f64,
    elements_a: usize,
    elements_b: usize,
    candidate_pairs: usize,
    clashes: Vec<ClashJson<'a>>,
}

#[derive(Debug, Serialize)]
struct Timings {
    load_secs: f64,
    index_secs: f64,
    narrow_secs: f64,
    total_secs: f64,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    tests: Vec<TestJson<'a>>,
    timings: Timings,
}

fn element_json(set: &ModelSet, r: ElementRef) -> ElementJson<'_> {
    let e = set.element(r);
    ElementJson {
        global_id: &e.global_id,
        class: &e.class,
        name: e.name.as_deref(),
        file: &set.models[r.file as usize].path,
        storey: e.storey.as_deref(),
    }
}

fn clash_json<'a>(set: &'a ModelSet, c: &'a Clash) -> ClashJson<'a> {
    ClashJson {
        id: &c.id,
        kind: c.kind,
        distance_m: c.distance_m,
        hard: c.hard,
        exact: c.exact,
        point: c.point,
        overlap_aabb: [c.overlap_aabb.min, c.overlap_aabb.max],
        a: element_json(set, c.a),
        b: element_json(set, c.b),
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
    }
    anyhow::ensure!(
        args.time_limit_secs.is_finite() && args.time_limit_secs > 0.0,
        "--time-limit-secs must be positive"
    );
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

    let options =
        LoadOptions { time_limit: Duration::from_secs_f64(args.time_limit_secs), ..Default::default() };
    let progress = indicatif::ProgressBar::new(args.models.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} loading {pos}/{len} {wide_msg}")
            .context("progress template")?,
    );
    let (set, errors) = plumbline_ifc::load_set(&args.models, &options, |_, p| {
        progress.set_message(p.display().to_string());
        progress.inc(1);
    });
    progress.finish_and_clear();
    if let Some(e) = errors.first() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        bail!("{} of {} files could not be loaded (first: {e})", errors.len(), args.models.len());
    }
    let load_secs = started.elapsed().as_secs_f64();

    let a = sel_a.select(&set);
    let b = sel_b.as_ref().map(|s| s.select(&set));
    let name = match &sel_b {
        Some(sb) => format!("{}: {} vs {}", mode.name(), sel_a.text, sb.text),
        None => format!("{}: {} vs itself", mode.name(), sel_a.text),
    };
    let shapes = Shapes::new(&set);
    let test = Test { name: name.clone(), mode, a, b };
    let ignore = plumbline_clash::Ignore::new(&set, ignore_rules(&args.no_ignore));
    let result = run_test(&shapes, &test, &|x, y| ignore.ignores(x, y));
    // Shapes are built lazily, inside the narrow phase, for the pairs that need them.
    let (index_secs, narrow_secs) = (result.broad_secs, result.narrow_secs);

    print_summary(&set, &test, &result);
    let total_secs = started.elapsed().as_secs_f64();
    eprintln!(
        "load {load_secs:.2} s, index {index_secs:.2} s, narrow phase {narrow_secs:.2} s, total {total_secs:.2} s"
    );
    if let Some(path) = &args.json {
        let report = Report {
            tests: vec![TestJson {
                name: &test.name,
                mode: mode.name(),
                tolerance_m: mode.tolerance_m(),
                clearance_m: mode.clearance_m(),
                elements_a: result.elements_a,
                elements_b: result.elements_b,
                candidate_pairs: result.candidate_pairs,
                clashes: result.clashes.iter().map(|c| clash_json(&set, c)).collect(),
            }],
            timings: Timings { load_secs, index_secs, narrow_secs, total_secs },
        };
        let text = serde_json::to_string_pretty(&report).context("serialising the report")?;
        let tmp = path.with_extension("tmp-plumbline");
        std::fs::write(&tmp, text + "\n").with_context(|| format!("{}: cannot write", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(set: &ModelSet, test: &Test, r: &TestResult) {
    println!(
        "{}: {} clashes ({} elements in A, {} in B, {} candidate pairs)",
        test.name,
        r.clashes.len(),
        r.elements_a,
        r.elements_b,
        r.candidate_pairs
    );
    for c in &r.clashes {
        let (ea, eb) = (set.element(c.a), set.element(c.b));
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
            ea.class,
            ea.global_id,
            ea.name.as_deref().unwrap_or(""),
            eb.class,
            eb.global_id,
            eb.name.as_deref().unwrap_or(""),
            ea.storey.as_deref().unwrap_or("-"),
        );
    }
}
