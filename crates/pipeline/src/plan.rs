//! The first stage of a clash run: every input the user gave parsed and checked, and every
//! output path checked, before a model is loaded (a typo costs no waiting, and a run that
//! cannot write its reports records nothing).

use crate::error::PipelineError;
use plumbline_bcf::BcfVersion;
use plumbline_clash::{ClashKind, IgnoreRules, Mode, DEFAULT_TOLERANCE_M};
use plumbline_model::MeshScope;
use plumbline_review::Grouping;
use plumbline_rules::{distance_mm_to_m, RuleSet, Selection, TestSpec};
use plumbline_schedule::Basis;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default clearance of an ad-hoc clearance test, in millimetres.
pub const DEFAULT_CLEARANCE_MM: f64 = 50.0;

/// How many clashes get a snapshot in the HTML report unless the caller says otherwise.
pub const DEFAULT_MAX_SNAPSHOTS: usize = 500;

/// What the user asked for: the command line's words or the viewer's choices, unchecked.
#[derive(Debug, Clone)]
pub struct ClashRequest {
    /// IFC files (`.ifc`, `.ifczip`), loaded into one federated set.
    pub models: Vec<PathBuf>,
    pub tests: Tests,
    /// The 4D schedule for time tests; default: the work schedule of the first model that
    /// holds one.
    pub schedule: Option<PathBuf>,
    /// Element–task link files for the schedule.
    pub links: Vec<PathBuf>,
    /// How clashes are grouped (`element`, `storey`, `type-pair`, `proximity[:METRES]`);
    /// default: the rule file's `[grouping]`, else proximity.
    pub group_by: Option<String>,
    pub history: HistoryChoice,
    /// Fail the run (exit code 3 in the CLI) on new or open clashes; needs the history.
    pub fail_on: Option<FailOn>,
    /// The day the clash triage counts `days_to_needed` from; default the schedule's data date.
    pub today: Option<chrono::NaiveDate>,
    /// The history project the run is recorded in (`--project`); default: the rule file's or
    /// the models' name, as the history chooses.
    pub project: Option<String>,
    pub outputs: Outputs,
    /// Worker threads; `None` uses every core. Results do not depend on it.
    pub threads: Option<usize>,
    /// Planned or actual dates for time tests.
    pub basis: Basis,
}

/// Where a run's tests come from.
#[derive(Debug, Clone)]
pub enum Tests {
    /// Every test of a rule matrix (TOML).
    RuleFile(PathBuf),
    /// One test typed on the command line.
    AdHoc(AdHocTest),
}

/// One test typed on the command line (`--a`, `--b`, `--mode`, …).
#[derive(Debug, Clone)]
pub struct AdHocTest {
    /// The test's name in reports (clash ids derive from it); default `MODE: A vs B`.
    pub name: Option<String>,
    /// Set A in the short selection form `[FILE_GLOB:]CLASS[,CLASS...]` or `*`.
    pub a: String,
    /// Set B, same form; `None` tests A against itself.
    pub b: Option<String>,
    pub mode: ClashKind,
    pub tolerance_mm: f64,
    /// The clearance of a clearance test.
    pub clearance_mm: f64,
    pub ignore: IgnoreRules,
}

impl AdHocTest {
    /// A hard test of `a` against `b` (or itself) with the default tolerance and ignore rules.
    pub fn new(mode: ClashKind, a: impl Into<String>, b: Option<String>) -> AdHocTest {
        AdHocTest {
            name: None,
            a: a.into(),
            b,
            mode,
            tolerance_mm: DEFAULT_TOLERANCE_M * 1000.0,
            clearance_mm: DEFAULT_CLEARANCE_MM,
            ignore: IgnoreRules::default(),
        }
    }
}

/// Whether a report path means stdout (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The environment variable that names the clash history when `--db` does not.
pub const DB_ENV: &str = "PLUMBLINE_DB";

/// The history file when nothing names one: `plumbline.db` in the current directory.
pub const DEFAULT_DB: &str = "plumbline.db";

/// The one history location rule of every command: `--db` (`given`), else `PLUMBLINE_DB`, else
/// `plumbline.db` in the current directory. `clash` records there and `history`, `status` and
/// `bcf import` read there, so they always meet.
pub fn history_location(given: Option<&Path>) -> PathBuf {
    match given {
        Some(p) => p.to_path_buf(),
        None => std::env::var_os(DB_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DB)),
    }
}

/// What makes a run fail a gate (`--fail-on`); each needs the clash history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Clashes the history sees for the first time (or again after they were resolved).
    New,
    /// Any clash still open after the run: new, active or reviewed (approved ones are
    /// accepted, resolved ones fixed).
    Open,
    /// An open clash whose elements the 4D schedule starts building within this many days
    /// (`due:14`); needs a schedule too.
    Due(u32),
}

impl FailOn {
    /// Reads `new`, `open` or `due:DAYS`.
    pub fn parse(text: &str) -> Option<FailOn> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "new" => Some(FailOn::New),
            "open" => Some(FailOn::Open),
            _ => t.strip_prefix("due:").and_then(|d| d.trim().parse::<u32>().ok()).map(FailOn::Due),
        }
    }

    /// The gate as written on the command line.
    pub fn as_str(self) -> String {
        match self {
            FailOn::New => "new".into(),
            FailOn::Open => "open".into(),
            FailOn::Due(days) => format!("due:{days}"),
        }
    }
}

/// Whether and where a run is recorded in the clash history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HistoryChoice {
    /// A rule-file run is recorded in the default history ([`history_location`]); an ad-hoc run
    /// is not recorded.
    #[default]
    Default,
    /// Recorded in this database.
    Db(PathBuf),
    /// Not recorded.
    Off,
}

/// The reports a run writes, each only when its path is given.
#[derive(Debug, Clone)]
pub struct Outputs {
    pub json: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub xlsx: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub bcf: Option<PathBuf>,
    pub bcf_version: BcfVersion,
    /// The language of the CSV headers, XLSX and HTML labels.
    pub lang: plumbline_report::Lang,
    /// The author written into BCF topics; default `$USER`, else `plumbline`.
    pub author: Option<String>,
    /// At most this many clash snapshots in the HTML report.
    pub max_snapshots: usize,
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            json: None,
            csv: None,
            xlsx: None,
            html: None,
            bcf: None,
            bcf_version: BcfVersion::V2_1,
            lang: plumbline_report::Lang::default(),
            author: None,
            max_snapshots: DEFAULT_MAX_SNAPSHOTS,
        }
    }
}

impl Outputs {
    /// Each report path with the flag that names it.
    fn paths(&self) -> impl Iterator<Item = (&'static str, &Path)> {
        [
            ("--json", &self.json),
            ("--csv", &self.csv),
            ("--xlsx", &self.xlsx),
            ("--html", &self.html),
            ("--bcf", &self.bcf),
        ]
        .into_iter()
        .filter_map(|(flag, p)| p.as_deref().map(|p| (flag, p)))
    }
}

/// A checked request: the tests as one rule set, whatever their source.
#[derive(Debug, Clone)]
pub struct Plan {
    pub models: Vec<PathBuf>,
    /// The tests to run, in order (an ad-hoc test is a rule set of one test).
    pub rules: RuleSet,
    /// The rule file, when the tests came from one (the history records it).
    pub rules_file: Option<PathBuf>,
    pub schedule: Option<PathBuf>,
    pub links: Vec<PathBuf>,
    /// The history database this run is recorded in, if any.
    pub history: Option<PathBuf>,
    /// The gate, when one was asked for; [`Plan::new`] made sure the history is on.
    pub fail_on: Option<FailOn>,
    /// See [`ClashRequest::today`].
    pub today: Option<chrono::NaiveDate>,
    /// See [`ClashRequest::project`].
    pub project: Option<String>,
    pub outputs: Outputs,
    pub threads: Option<usize>,
    pub basis: Basis,
}

impl Plan {
    /// Parses and checks every input (the rule file or the ad-hoc selections, distances,
    /// grouping, thread count) and every output path (its folder must exist). `classes`
    /// resolves IFC class names (`plumbline_ifc::canonical_class_name`).
    pub fn new(
        request: ClashRequest,
        classes: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Plan, PipelineError> {
        if request.threads == Some(0) {
            return Err(PipelineError::Argument("--threads must be at least 1".into()));
        }
        let group_by = request
            .group_by
            .as_deref()
            .map(Grouping::parse)
            .transpose()
            .map_err(|e| PipelineError::argument("--group-by", e))?;
        let (mut rules, rules_file) = match &request.tests {
            Tests::RuleFile(path) => (RuleSet::read(path, classes)?, Some(path.clone())),
            Tests::AdHoc(test) => (ad_hoc_rules(test, group_by, classes)?, None),
        };
        if let Some(g) = group_by {
            rules.grouping = g;
        }
        let mut on_stdout: Vec<&str> = Vec::new();
        for (flag, path) in request.outputs.paths() {
            if is_stdout(path) {
                if !matches!(flag, "--json" | "--csv") {
                    return Err(PipelineError::Argument(format!(
                        "{flag} -: only --json and --csv can be written to stdout; give {flag} a file name"
                    )));
                }
                on_stdout.push(flag);
                continue;
            }
            check_output_path(flag, path)?;
        }
        if on_stdout.len() > 1 {
            return Err(PipelineError::Argument(format!(
                "{} all ask for stdout (-): only one report can go there",
                on_stdout.join(" and ")
            )));
        }
        let history = match (&request.history, &rules_file) {
            (HistoryChoice::Off, _) | (HistoryChoice::Default, None) => None,
            (HistoryChoice::Db(path), _) => Some(path.clone()),
            (HistoryChoice::Default, Some(_)) => Some(history_location(None)),
        };
        if let (Some(gate), None) = (request.fail_on, &history) {
            let why = match (&request.history, &rules_file) {
                (HistoryChoice::Off, _) => "--no-db switches the history off",
                _ => "an ad-hoc run (--a/--b) is recorded only with --db FILE",
            };
            return Err(PipelineError::Argument(format!(
                "--fail-on {} needs the clash history to tell new clashes from known ones, but {why}: give --db FILE (or a rule file with --config)",
                gate.as_str()
            )));
        }
        Ok(Plan {
            models: request.models,
            rules,
            rules_file,
            schedule: request.schedule,
            links: request.links,
            history,
            fail_on: request.fail_on,
            today: request.today,
            project: request.project,
            outputs: request.outputs,
            threads: request.threads,
            basis: request.basis,
        })
    }

    /// Whether a test needs the 4D schedule.
    pub fn needs_schedule(&self) -> bool {
        self.rules.tests.iter().any(|t| matches!(t.mode, Mode::Time { .. }))
    }

    /// Whether the run must have a schedule: a time test or the `due:N` gate need one.
    pub fn requires_schedule(&self) -> bool {
        matches!(self.fail_on, Some(FailOn::Due(_)))
    }

    /// The geometry each model file needs: only what some test can select there, at most
    /// every physical element (a scoped load, so that elements with exact solids are not
    /// tessellated: on the 1M-element hall that halves the load).
    pub fn mesh_scopes(&self) -> BTreeMap<PathBuf, MeshScope> {
        self.models.iter().map(|path| (path.clone(), self.rules.mesh_scope(path))).collect()
    }
}

/// An ad-hoc test as a rule set of one test, named as reports have always named it
/// (`hard: IfcWall vs IfcDuctSegment`, `clearance: * vs itself`).
fn ad_hoc_rules(
    test: &AdHocTest,
    group_by: Option<Grouping>,
    classes: &dyn Fn(&str) -> Option<String>,
) -> Result<RuleSet, PipelineError> {
    let tolerance_m =
        distance_mm_to_m("--tolerance-mm", test.tolerance_mm).map_err(PipelineError::Argument)?;
    let clearance_m =
        distance_mm_to_m("--clearance-mm", test.clearance_mm).map_err(PipelineError::Argument)?;
    let a = Selection::parse_short(&test.a, classes).map_err(|e| PipelineError::argument("--a", e))?;
    let b = test
        .b
        .as_deref()
        .map(|b| Selection::parse_short(b, classes))
        .transpose()
        .map_err(|e| PipelineError::argument("--b", e))?;
    let mode = match test.mode {
        ClashKind::Hard => Mode::Hard { tolerance_m },
        ClashKind::Clearance => Mode::Clearance { clearance_m, tolerance_m },
        ClashKind::Duplicate => Mode::Duplicate { tolerance_m },
        ClashKind::Time => Mode::Time { tolerance_m },
        ClashKind::Touch => Mode::Touch { tolerance_m },
    };
    let name = match (&test.name, &test.b) {
        (Some(name), _) => name.clone(),
        (None, Some(b)) => format!("{}: {} vs {}", test.mode.as_str(), test.a, b),
        (None, None) => format!("{}: {} vs itself", test.mode.as_str(), test.a),
    };
    Ok(RuleSet {
        path: PathBuf::new(),
        tests: vec![TestSpec {
            id: name.clone(),
            name,
            description: None,
            mode,
            a,
            b,
            ignore: test.ignore,
            extras: Default::default(),
        }],
        grouping: group_by.unwrap_or_default(),
    })
}

/// A report path is usable when its folder exists: checked before the run, so a typo in a
/// folder name fails at once and not after the history has recorded the run.
fn check_output_path(flag: &str, path: &Path) -> Result<(), PipelineError> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(PipelineError::Write {
            path: path.to_path_buf(),
            message: format!("{flag} names a folder, not a file"),
        });
    }
    if !folder.is_dir() {
        return Err(PipelineError::Write {
            path: path.to_path_buf(),
            message: format!("{flag}: the folder {} does not exist", folder.display()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> Option<String> {
        ["IfcWall", "IfcDuctSegment", "IfcCableCarrierSegment"]
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .map(|c| c.to_string())
    }

    fn request(tests: Tests) -> ClashRequest {
        ClashRequest {
            models: vec![PathBuf::from("m.ifc")],
            tests,
            schedule: None,
            links: Vec::new(),
            group_by: None,
            history: HistoryChoice::Default,
            fail_on: None,
            today: None,
            project: None,
            outputs: Outputs::default(),
            threads: None,
            basis: Basis::Planned,
        }
    }

    #[test]
    fn an_ad_hoc_test_is_a_rule_set_of_one_named_test() {
        let test = AdHocTest::new(ClashKind::Hard, "IfcCableCarrierSegment", Some("IfcDuctSegment".into()));
        let plan = Plan::new(request(Tests::AdHoc(test)), &known).expect("valid");
        assert_eq!(plan.rules.tests.len(), 1);
        let t = &plan.rules.tests[0];
        assert_eq!(t.name, "hard: IfcCableCarrierSegment vs IfcDuctSegment");
        assert_eq!(t.mode, Mode::Hard { tolerance_m: DEFAULT_TOLERANCE_M });
        assert_eq!(plan.history, None, "ad-hoc runs are not recorded unless a database is named");
        assert!(!plan.needs_schedule());
        let alone = AdHocTest::new(ClashKind::Clearance, "*", None);
        let plan = Plan::new(request(Tests::AdHoc(alone)), &known).expect("valid");
        assert_eq!(plan.rules.tests[0].name, "clearance: * vs itself");
    }

    #[test]
    fn bad_values_are_refused_by_flag_before_anything_runs() {
        let err =
            |test: AdHocTest| Plan::new(request(Tests::AdHoc(test)), &known).expect_err("bad").to_string();
        let mut t = AdHocTest::new(ClashKind::Hard, "IfcWal", None);
        assert!(err(t.clone()).starts_with("--a 'IfcWal': unknown IFC class 'IfcWal'"), "{}", err(t.clone()));
        t.a = "*".into();
        t.b = Some("IfcDuct".into());
        assert!(err(t.clone()).starts_with("--b 'IfcDuct': unknown IFC class"));
        t.b = None;
        t.tolerance_mm = -1.0;
        assert!(err(t.clone()).starts_with("--tolerance-mm must be a number of millimetres"));
        t.tolerance_mm = 2.0;
        t.clearance_mm = 5e5;
        assert!(err(t.clone()).contains("--clearance-mm = 500000 mm is over 100 m"), "{}", err(t.clone()));
        let mut r = request(Tests::AdHoc(AdHocTest::new(ClashKind::Hard, "*", None)));
        r.threads = Some(0);
        assert_eq!(Plan::new(r, &known).expect_err("no threads").to_string(), "--threads must be at least 1");
        let mut r = request(Tests::AdHoc(AdHocTest::new(ClashKind::Hard, "*", None)));
        r.group_by = Some("colour".into());
        assert!(Plan::new(r, &known).expect_err("bad grouping").to_string().starts_with("--group-by "));
    }

    #[test]
    fn a_report_into_a_missing_folder_is_refused_by_its_own_name() {
        let mut r = request(Tests::AdHoc(AdHocTest::new(ClashKind::Hard, "*", None)));
        r.outputs.html = Some(PathBuf::from("no-such-folder-here/r.html"));
        let e = Plan::new(r, &known).expect_err("missing folder").to_string();
        assert!(e.starts_with("no-such-folder-here/r.html: cannot write: --html: the folder"), "{e}");
    }

    #[test]
    fn a_rule_file_run_is_recorded_in_the_one_history_location_unless_told_otherwise() {
        let dir = tempfile::tempdir().expect("temp dir");
        let rules = dir.path().join("rules.toml");
        std::fs::write(&rules, "[[test]]\nname = \"walls\"\na = { class = \"IfcWall\" }\n").expect("write");
        let plan = Plan::new(request(Tests::RuleFile(rules.clone())), &known).expect("valid");
        // Not beside the rule file: `plumbline history` and `status` look where `clash` wrote.
        assert_eq!(plan.history, Some(history_location(None)));
        assert_ne!(plan.history, Some(dir.path().join("plumbline.db")));
        assert_eq!(plan.rules_file.as_deref(), Some(rules.as_path()));
        let mut off = request(Tests::RuleFile(rules.clone()));
        off.history = HistoryChoice::Off;
        assert_eq!(Plan::new(off, &known).expect("valid").history, None);
        let mut named = request(Tests::RuleFile(rules));
        named.history = HistoryChoice::Db("elsewhere.db".into());
        assert_eq!(Plan::new(named, &known).expect("valid").history, Some(PathBuf::from("elsewhere.db")));
    }

    #[test]
    fn a_gate_without_a_history_is_refused_before_anything_loads() {
        for gate in [FailOn::New, FailOn::Open] {
            let mut r = request(Tests::AdHoc(AdHocTest::new(ClashKind::Hard, "*", None)));
            r.fail_on = Some(gate);
            let e = Plan::new(r.clone(), &known).expect_err("ad hoc without --db").to_string();
            assert!(e.starts_with(&format!("--fail-on {} needs the clash history", gate.as_str())), "{e}");
            assert!(e.contains("--db FILE"), "{e}");
            r.history = HistoryChoice::Db("gate.db".into());
            let plan = Plan::new(r, &known).expect("with --db");
            assert_eq!((plan.fail_on, plan.history), (Some(gate), Some(PathBuf::from("gate.db"))));
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let rules = dir.path().join("rules.toml");
        std::fs::write(&rules, "[[test]]\nname = \"walls\"\na = { class = \"IfcWall\" }\n").expect("write");
        let mut r = request(Tests::RuleFile(rules));
        r.fail_on = Some(FailOn::New);
        r.history = HistoryChoice::Off;
        let e = Plan::new(r, &known).expect_err("--no-db").to_string();
        assert!(e.contains("--no-db switches the history off"), "{e}");
    }

    #[test]
    fn the_history_location_is_the_flag_then_the_default_file() {
        assert_eq!(history_location(Some(Path::new("x/h.db"))), PathBuf::from("x/h.db"));
        if std::env::var_os(DB_ENV).is_none() {
            assert_eq!(history_location(None), PathBuf::from(DEFAULT_DB));
        }
    }

    #[test]
    fn gates_read_their_names() {
        assert_eq!(FailOn::parse("NEW"), Some(FailOn::New));
        assert_eq!(FailOn::parse("open"), Some(FailOn::Open));
        assert_eq!(FailOn::parse("due"), None);
        assert_eq!(FailOn::parse("due:14"), Some(FailOn::Due(14)));
        assert_eq!(FailOn::parse("due:-1"), None);
        assert_eq!(FailOn::Due(7).as_str(), "due:7");
    }
}
