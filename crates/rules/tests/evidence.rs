//! The shipped rule sets against the generated models' truth (issue 3's evidence): for several
//! seeds, English and Chinese, every seeded clash is found by the test the truth names, with
//! the right kind and distance; no declared non-clash is reported by any test; nothing else is
//! reported; no test reports two clashes with one id.
//!
//! Distances: exact (convex pairs, `exact: true`) within 0.01 mm of the truth; the engine's
//! documented estimate for non-convex pairs within 1 mm.

use plumbline_clash::ClashKind;
use plumbline_ifc::{load_bytes, schedule::read_schedule_bytes, LoadOptions};
use plumbline_model::ModelSet;
use plumbline_review::TestReport;
use plumbline_rules::{run_rules, RuleSet, RunContext};
use plumbline_samples::{Generated, Lang, Truth};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const EXACT_TOLERANCE_M: f64 = 0.000_01;
const ESTIMATE_TOLERANCE_M: f64 = 0.001;

fn rules(file: &str) -> RuleSet {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/rules").join(file);
    RuleSet::read(&path, &plumbline_ifc::canonical_class_name).expect("shipped rules are valid")
}

fn run(name: &str, g: &Generated, rules: &RuleSet) -> Vec<TestReport> {
    let path = Path::new(name);
    let bytes = g.ifc.as_bytes().to_vec();
    let schedule = read_schedule_bytes(path, &bytes).expect("the generated model holds its schedule");
    let model = load_bytes(path, bytes, &LoadOptions::default()).expect("loads");
    assert!(model.failures.is_empty(), "{name}: {:?}", model.failures);
    let set = ModelSet { models: vec![model] };
    let index = RunContext::sim_index(&set, &schedule);
    let cx = RunContext { schedule: Some(&index), ..RunContext::default() };
    run_rules(&set, rules, &cx).expect("runs")
}

fn kind(text: &str) -> ClashKind {
    match text {
        "hard" => ClashKind::Hard,
        "clearance" => ClashKind::Clearance,
        "duplicate" => ClashKind::Duplicate,
        "time" => ClashKind::Time,
        "touch" => ClashKind::Touch,
        other => panic!("unknown truth kind {other}"),
    }
}

/// Every way the reports and the truth disagree, one line each.
fn compare(name: &str, truth: &Truth, reports: &[TestReport]) -> Vec<String> {
    let mut problems = Vec::new();
    let per_test: Vec<String> =
        reports.iter().map(|t| format!("{} {}", t.info.key(), t.clashes.len())).collect();
    println!(
        "{name}: {} seeded clashes, {} non-clashes; found: {}",
        truth.clashes.len(),
        truth.non_clashes.len(),
        per_test.join(", ")
    );
    // (test, a, b) -> (kind, distance, exact); duplicates have no side, so they key unordered.
    let key = |test: &str, a: &str, b: &str| {
        if test == plumbline_samples::DUPLICATES && a > b {
            (test.to_string(), b.to_string(), a.to_string())
        } else {
            (test.to_string(), a.to_string(), b.to_string())
        }
    };
    // One clash per pair of elements per test: no two clashes of a test share an id, also
    // where A and B overlap (aisle-width's racks against racks) and a pair is met from both
    // sides.
    for t in reports {
        let mut ids = std::collections::BTreeSet::new();
        for c in &t.clashes {
            if !ids.insert(c.id.as_str()) {
                problems.push(format!(
                    "{name}: {} reports id {} twice ({} / {})",
                    t.info.key(),
                    c.id,
                    c.a.global_id,
                    c.b.global_id
                ));
            }
        }
    }
    let mut found = BTreeMap::new();
    for t in reports {
        for c in &t.clashes {
            found.insert(key(t.info.key(), &c.a.global_id, &c.b.global_id), (c.kind, c.distance_m, c.exact));
        }
    }
    let mut seeded = std::collections::BTreeSet::new();
    for c in &truth.clashes {
        let k = key(&c.test, &c.a, &c.b);
        seeded.insert(k.clone());
        match found.get(&k) {
            None => problems.push(format!("{name}: seeded but not found: {c:?}")),
            Some(&(got_kind, d, exact)) => {
                let tol = if exact { EXACT_TOLERANCE_M } else { ESTIMATE_TOLERANCE_M };
                if got_kind != kind(&c.kind) || (d - c.distance_m).abs() > tol {
                    problems
                        .push(format!("{name}: {c:?} found as {got_kind:?} at {d:.6} m (exact: {exact})"));
                }
            }
        }
    }
    for (k, v) in &found {
        if !seeded.contains(k) {
            problems.push(format!("{name}: found but not seeded: {k:?} {v:?}"));
        }
    }
    for n in &truth.non_clashes {
        for t in reports {
            if t.clashes.iter().any(|c| {
                (c.a.global_id == n.a && c.b.global_id == n.b)
                    || (c.a.global_id == n.b && c.b.global_id == n.a)
            }) {
                problems.push(format!("{name}: non-clash reported by {}: {n:?}", t.info.key()));
            }
        }
    }
    problems
}

/// Test ids of the shipped files equal the generator's test names, in the same order (a test
/// without an id is keyed by its name).
#[test]
fn shipped_test_ids_are_the_generators() {
    let names = |r: &RuleSet| r.tests.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    let spec_names =
        |s: &[plumbline_samples::TestSpec]| s.iter().map(|t| t.name.to_string()).collect::<Vec<_>>();
    assert_eq!(names(&rules("datacenter.toml")), spec_names(plumbline_samples::DATACENTER_TESTS));
    assert_eq!(names(&rules("bank-branch.toml")), spec_names(plumbline_samples::BRANCH_TESTS));
}

#[test]
fn datacenter_rules_find_exactly_the_seeded_truth() {
    let rules = rules("datacenter.toml");
    let mut problems = Vec::new();
    let mut counted = 0;
    for (seed, lang, halls, rows) in [
        (1, Lang::En, 1, 4),
        (2, Lang::En, 1, 5),
        (3, Lang::En, 2, 3),
        (17, Lang::Zh, 1, 4),
        (5, Lang::En, 1, 1),
    ] {
        let p = plumbline_samples::DatacenterParams { seed, halls, rows, racks_per_row: 6, lang };
        let g = plumbline_samples::datacenter(&p);
        let name = format!("datacenter seed {seed} {lang:?} {halls}x{rows}");
        let reports = run(&name, &g, &rules);
        counted += g.truth.clashes.len();
        problems.extend(compare(&name, &g.truth, &reports));
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(counted > 50, "{counted} seeded clashes");
}

#[test]
fn branch_rules_find_exactly_the_seeded_truth() {
    let rules = rules("bank-branch.toml");
    let mut problems = Vec::new();
    for (seed, lang) in [(1, Lang::En), (2, Lang::En), (3, Lang::En), (4, Lang::Zh)] {
        let g = plumbline_samples::branch(&plumbline_samples::BranchParams { seed, lang });
        let name = format!("branch seed {seed} {lang:?}");
        let reports = run(&name, &g, &rules);
        problems.extend(compare(&name, &g.truth, &reports));
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// The reports, groups and explanations included, are identical for 1 and 3 worker threads.
#[test]
fn reports_do_not_depend_on_the_thread_count() {
    let rules = rules("datacenter.toml");
    let g = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::default());
    let path = Path::new("hall.ifc");
    let bytes = g.ifc.into_bytes();
    let schedule = read_schedule_bytes(path, &bytes).expect("schedule");
    let model = load_bytes(path, bytes, &LoadOptions::default()).expect("loads");
    let set = ModelSet { models: vec![model] };
    let index = RunContext::sim_index(&set, &schedule);
    let reports = |threads| {
        let cx = RunContext { schedule: Some(&index), threads: Some(threads), ..RunContext::default() };
        run_rules(&set, &rules, &cx).expect("runs")
    };
    let one = reports(1);
    assert_eq!(one, reports(3));
    // Tests come back in file order.
    let names: Vec<&str> = one.iter().map(|t| t.info.name.as_str()).collect();
    let want: Vec<&str> = rules.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, want);
}

/// Renaming a test keeps the ids of its clashes and groups when the test keeps its `id`: the
/// history's reviewed statuses follow the id, not the display name.
#[test]
fn renaming_a_test_with_an_id_keeps_clash_and_group_ids() {
    let g = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::default());
    let mut renamed = rules("datacenter.toml");
    for t in &mut renamed.tests {
        t.name = format!("{} (renamed)", t.name);
    }
    let original = run("hall.ifc", &g, &rules("datacenter.toml"));
    let after = run("hall.ifc", &g, &renamed);
    let ids = |reports: &[TestReport]| -> Vec<(String, Vec<String>, Vec<String>)> {
        reports
            .iter()
            .map(|t| {
                let clashes = t.clashes.iter().map(|c| c.id.clone()).collect();
                let groups = t.groups.iter().map(|g| g.guid.clone()).collect();
                (t.info.id.clone(), clashes, groups)
            })
            .collect()
    };
    assert!(original.iter().any(|t| !t.clashes.is_empty()), "the sample has clashes");
    assert_eq!(ids(&original), ids(&after));
    assert!(after
        .iter()
        .all(|t| t.info.name.ends_with("(renamed)") && t.clashes.iter().all(|c| c.test == t.info.name)));
}
