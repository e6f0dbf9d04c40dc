//! Running a rule set: every test in file order on one model set, sharing the collision shapes.

use crate::config::RuleSet;
use crate::select::FileFacts;
use crate::RulesError;
use plumbline_clash::{run_test_with, Clash, Ignore, IgnoreRules, Mode, PairRules, Shapes, Test};
use plumbline_model::{ElementRef, ModelSet};
use plumbline_review::{test_report_from_clashes, Report, TestInfo, TestReport, Timings};
use plumbline_schedule::{coexistence, marked_temporary, Basis, Existence, Schedule, SetSim};
use std::collections::HashSet;

/// What a run needs beside the models and the rules.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// The 4D simulation of the set's physical elements (see [`RunContext::sim_index`]).
    /// Without it, every element stands all the time and only the `Temporary` mark says what
    /// is temporary.
    pub schedule: Option<&'a SetSim>,
    /// Planned or actual dates for time tests.
    pub basis: Basis,
    /// Worker threads; `None` uses rayon's global pool. Results do not depend on it.
    pub threads: Option<usize>,
}

impl Default for RunContext<'_> {
    fn default() -> Self {
        RunContext { schedule: None, basis: Basis::Planned, threads: None }
    }
}

impl RunContext<'_> {
    /// The simulation index of `set` under `schedule`, linked by the schedule's own links
    /// (an IFC work schedule's `IfcRelAssignsToProcess`), numbered as [`RunContext::schedule`]
    /// expects.
    pub fn sim_index(set: &ModelSet, schedule: &Schedule) -> SetSim {
        SetSim::new(schedule, &schedule.links, &set.models)
    }
}

/// Runs every test of `rules` on `set`, in file order. Each report's clashes are sorted by
/// (A GlobalId, B GlobalId), with A from the test's `a` selection where the pair allows it;
/// time clashes are relabelled [`ClashKind::Time`] with the temporary element on side A.
pub fn run_rules(
    set: &ModelSet,
    rules: &RuleSet,
    cx: &RunContext<'_>,
) -> Result<Vec<TestReport>, RulesError> {
    Ok(run_in_pool(set, rules, cx)?.reports)
}

/// What the tests found, and the time their broad and narrow phases took.
struct Findings {
    reports: Vec<TestReport>,
    broad_secs: f64,
    narrow_secs: f64,
}

fn run_in_pool(set: &ModelSet, rules: &RuleSet, cx: &RunContext<'_>) -> Result<Findings, RulesError> {
    match cx.threads {
        None => Ok(run_all(set, rules, cx)),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| RulesError::Threads { threads: n, message: e.to_string() })?;
            Ok(pool.install(|| run_all(set, rules, cx)))
        }
    }
}

/// Runs every test of `rules` on `set` ([`run_rules`]) into a report: the set's files, the rule
/// set's grouping, the tests, and the time the tests' broad phases (`index_secs`) and narrow
/// phases (`narrow_secs`, collision shapes included) took; loading is the caller's to add.
pub fn run_report(set: &ModelSet, rules: &RuleSet, cx: &RunContext<'_>) -> Result<Report, RulesError> {
    let found = run_in_pool(set, rules, cx)?;
    Ok(Report {
        models: set.models.iter().map(|m| m.path.clone()).collect(),
        grouping: rules.grouping,
        tests: found.reports,
        timings: Timings {
            index_secs: found.broad_secs,
            narrow_secs: found.narrow_secs,
            ..Timings::default()
        },
    })
}

fn run_all(set: &ModelSet, rules: &RuleSet, cx: &RunContext<'_>) -> Findings {
    let facts: Vec<FileFacts<'_>> = set.models.iter().map(FileFacts::new).collect();
    let shapes = Shapes::new(set);
    let temporary =
        |r: ElementRef| marked_temporary(set.element(r)) || cx.schedule.is_some_and(|s| s.is_temporary(r));
    let existence = |r: ElementRef| match cx.schedule {
        Some(s) => s.existence(r, cx.basis),
        None => Some(Existence::ALWAYS),
    };
    // Ignore tables are built once per distinct set of switches.
    let mut ignores: Vec<(IgnoreRules, Ignore<'_>)> = Vec::new();
    let mut found =
        Findings { reports: Vec::with_capacity(rules.tests.len()), broad_secs: 0.0, narrow_secs: 0.0 };
    for spec in &rules.tests {
        if !ignores.iter().any(|(r, _)| *r == spec.ignore) {
            ignores.push((spec.ignore, Ignore::new(set, spec.ignore)));
        }
        let ignore = &ignores.iter().find(|(r, _)| *r == spec.ignore).map(|(_, i)| i);
        let a = spec.a.select_in(&facts);
        let b = spec.b.as_ref().map(|s| s.select_in(&facts));
        let is_time = matches!(spec.mode, Mode::Time { .. });
        let test = Test { name: spec.id.clone(), mode: spec.mode, a, b };
        let extras = &spec.extras;
        // Each element's insulation is read once, not once per candidate pair.
        let inflation: std::collections::HashMap<ElementRef, f64> = if extras.inflate_by.is_empty() {
            Default::default()
        } else {
            test.a
                .iter()
                .chain(test.b.iter().flatten())
                .map(|&r| (r, extras.inflation_m(set.element(r))))
                .filter(|(_, m)| *m > 0.0)
                .collect()
        };
        let inflation_of = |r: ElementRef| inflation.get(&r).copied().unwrap_or(0.0);
        let self_test = test.b.is_none();
        let row_distance = |x: ElementRef, y: ElementRef| {
            extras.row(set.element(x), set.element(y), self_test).map(|row| row.distance_m)
        };
        let operable_height = |r: ElementRef| extras.operable_height_m(set.element(r));
        let pair_rules = PairRules {
            inflation_m: (!inflation.is_empty())
                .then_some(&inflation_of as &(dyn Fn(ElementRef) -> f64 + Sync)),
            clearance_m: (!extras.distances.is_empty())
                .then_some(&row_distance as &(dyn Fn(ElementRef, ElementRef) -> Option<f64> + Sync)),
            operable_height_m: extras
                .operable_height
                .is_some()
                .then_some(&operable_height as &(dyn Fn(ElementRef) -> Option<f64> + Sync)),
        };
        let result = run_test_with(
            &shapes,
            &test,
            &|x, y| {
                if ignore.is_some_and(|i| i.ignores(x, y)) {
                    return true;
                }
                // A time test keeps pairs of one temporary and one permanent element that stand on
                // some common day; the rest never needs its geometry.
                is_time
                    && (temporary(x) == temporary(y)
                        || match (existence(x), existence(y)) {
                            (Some(p), Some(q)) => coexistence(&p, &q).is_none(),
                            _ => true,
                        })
            },
            &pair_rules,
        );
        let in_a: HashSet<ElementRef> = test.a.iter().copied().collect();
        let mut clashes: Vec<Clash> = result
            .clashes
            .iter()
            .cloned()
            .map(|mut c| {
                let swap = if is_time {
                    // Temporary works are reported on side A.
                    !temporary(c.a)
                } else {
                    // The engine orders a symmetric pair by GlobalId; a report reads better
                    // with the test's A side first (a tray against a duct, not the reverse).
                    test.b.is_some() && !in_a.contains(&c.a) && in_a.contains(&c.b)
                };
                if swap {
                    std::mem::swap(&mut c.a, &mut c.b);
                    if let Some(b) = &mut c.basis {
                        std::mem::swap(&mut b.inflation_a_m, &mut b.inflation_b_m);
                    }
                }
                // The table row that set the distance names its source.
                if let Some(b) = c.basis.as_mut().filter(|b| b.required_m.is_some()) {
                    b.source = extras
                        .row(set.element(c.a), set.element(c.b), self_test)
                        .and_then(|row| row.source.clone())
                        .or(b.source.take());
                }
                c
            })
            // Slivers: overlaps sharing less than the test's least volume are not reported.
            .filter(|c| match (extras.min_volume_m3, c.overlap_volume_m3) {
                (Some(min), Some(v)) => v >= min,
                _ => true,
            })
            .collect();
        clashes.sort_by(|p, q| {
            let key = |c: &Clash| {
                (set.element(c.a).global_id.as_str(), set.element(c.b).global_id.as_str(), c.a, c.b)
            };
            key(p).cmp(&key(q))
        });
        let info = TestInfo::with_id(&spec.id, &spec.name, &test.mode);
        found.broad_secs += result.broad_secs;
        found.narrow_secs += result.narrow_secs;
        let mut report = test_report_from_clashes(set, &info, &result, &clashes, rules.grouping);
        if let Mode::Reach { max_m, .. } = spec.mode {
            crate::reach::explain_report(&mut report, max_m, rules.grouping);
        }
        found.reports.push(report);
    }
    found
}
