//! Writes a clash report in the viewer's `--clashes` format (`plumbline_review::Report`) for
//! sample models, until `plumbline clash --json` writes this format itself:
//!
//! ```sh
//! cargo run -p plumbline-viewer --example clash_report -- OUT.json MODEL...
//! ```
//!
//! One hard test (2 mm tolerance) of every physical element against every other, with the
//! default ignore rules, grouped by element.

use plumbline_clash::{run_test, Ignore, IgnoreRules, Mode, Shapes, Test, DEFAULT_TOLERANCE_M};
use plumbline_review::{test_report, Grouping, Report, TestInfo, Timings};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(out), models) = (args.next(), args.collect::<Vec<_>>()) else {
        eprintln!("usage: clash_report OUT.json MODEL...");
        return ExitCode::from(2);
    };
    let (set, errors) = plumbline_ifc::load_set(&models, &plumbline_ifc::LoadOptions::default(), |_, _| {});
    if let Some(e) = errors.first() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let all: Vec<_> =
        set.elements().filter(|(_, e)| e.role == plumbline_model::Role::Physical).map(|(r, _)| r).collect();
    let mode = Mode::Hard { tolerance_m: DEFAULT_TOLERANCE_M };
    let test = Test { name: "hard: * vs itself".into(), mode, a: all, b: None };
    let shapes = Shapes::new(&set);
    let ignore = Ignore::new(&set, IgnoreRules::default());
    let result = run_test(&shapes, &test, &|x, y| ignore.ignores(x, y));
    let info = TestInfo {
        name: test.name.clone(),
        mode: mode.name().into(),
        tolerance_m: mode.tolerance_m(),
        clearance_m: mode.clearance_m(),
        zone: None,
    };
    let report = Report {
        models: models.iter().map(|p| p.display().to_string()).collect(),
        grouping: Grouping::Element,
        tests: vec![test_report(&set, &info, &result, Grouping::Element)],
        timings: Timings::default(),
    };
    if let Err(e) = std::fs::write(&out, report.to_json()) {
        eprintln!("error: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    eprintln!("{} clashes written to {}", result.clashes.len(), out.display());
    ExitCode::SUCCESS
}
