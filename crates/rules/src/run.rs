//! Running a rule set: every test in file order on one model set, sharing the collision shapes.

use crate::config::{RuleSet, TestMode};
use crate::select::FileFacts;
use crate::RulesError;
use plumbline_clash::{run_test, Clash, ClashKind, Ignore, IgnoreRules, Shapes, Test};
use plumbline_model::{ElementRef, ModelSet, Role};
use plumbline_review::{test_report_from_clashes, Report, TestInfo, TestReport, Timings};
use plumbline_schedule::{coexistence, marked_temporary, Basis, Existence, Schedule, SimIndex};
use std::collections::{HashMap, HashSet};

/// What a run needs beside the models and the rules.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// The 4D simulation of the set's physical elements, numbered as
    /// `plumbline_schedule::element_keys` lists them file after file (see
    /// [`RunContext::sim_index`]). Without it, every element stands all the time and only the
    /// `Temporary` mark says what is temporary.
    pub schedule: Option<&'a SimIndex>,
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
    pub fn sim_index(set: &ModelSet, schedule: &Schedule) -> SimIndex {
        SimIndex::for_models(schedule, &schedule.links, &set.models)
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
/// set's grouping, the tests, and the time the tests took as `narrow_secs` (loading is the
/// caller's to add).
pub fn run_report(set: &ModelSet, rules: &RuleSet, cx: &RunContext<'_>) -> Result<Report, RulesError> {
    let started = std::time::Instant::now();
    let tests = run_rules(set, rules, cx)?;
    Ok(Report {
        models: set.models.iter().map(|m| m.path.clone()).collect(),
        grouping: rules.grouping,
        tests,
        timings: Timings { narrow_secs: started.elapsed().as_secs_f64(), ..Timings::default() },
    })
}

fn run_all(set: &ModelSet, rules: &RuleSet, cx: &RunContext<'_>) -> Vec<TestReport> {
    let facts: Vec<FileFacts<'_>> = set.models.iter().map(FileFacts::new).collect();
    let shapes = Shapes::new(set);
    // The simulation numbers physical elements file after file, in element order.
    let mut sim_of: HashMap<ElementRef, usize> = HashMap::new();
    if cx.schedule.is_some() {
        for (r, e) in set.elements() {
            if e.role == Role::Physical {
                let next = sim_of.len();
                sim_of.insert(r, next);
            }
        }
    }
    let temporary = |r: ElementRef| {
        marked_temporary(set.element(r))
            || cx.schedule.zip(sim_of.get(&r)).is_some_and(|(s, &i)| s.is_temporary(i))
    };
    let existence = |r: ElementRef| match cx.schedule.zip(sim_of.get(&r)) {
        Some((s, &i)) => s.existence(i, cx.basis),
        None => Some(Existence::ALWAYS),
    };
    // Ignore tables are built once per distinct set of switches.
    let mut ignores: Vec<(IgnoreRules, Ignore<'_>)> = Vec::new();
    let mut reports = Vec::with_capacity(rules.tests.len());
    for spec in &rules.tests {
        if !ignores.iter().any(|(r, _)| *r == spec.ignore) {
            ignores.push((spec.ignore, Ignore::new(set, spec.ignore)));
        }
        let ignore = &ignores.iter().find(|(r, _)| *r == spec.ignore).map(|(_, i)| i);
        let a = spec.a.select_in(&facts);
        let b = spec.b.as_ref().map(|s| s.select_in(&facts));
        let is_time = matches!(spec.mode, TestMode::Time { .. });
        let test = Test { name: spec.name.clone(), mode: spec.mode.engine_mode(), a, b };
        let result = run_test(&shapes, &test, &|x, y| {
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
        });
        let in_a: HashSet<ElementRef> = test.a.iter().copied().collect();
        let mut clashes: Vec<Clash> = result
            .clashes
            .iter()
            .cloned()
            .map(|mut c| {
                let swap = if is_time {
                    c.kind = ClashKind::Time;
                    !temporary(c.a)
                } else {
                    // The engine orders a symmetric pair by GlobalId; a report reads better
                    // with the test's A side first (a tray against a duct, not the reverse).
                    test.b.is_some() && !in_a.contains(&c.a) && in_a.contains(&c.b)
                };
                if swap {
                    std::mem::swap(&mut c.a, &mut c.b);
                }
                c
            })
            .collect();
        clashes.sort_by(|p, q| {
            let key = |c: &Clash| {
                (set.element(c.a).global_id.as_str(), set.element(c.b).global_id.as_str(), c.a, c.b)
            };
            key(p).cmp(&key(q))
        });
        let info = TestInfo {
            name: spec.name.clone(),
            mode: spec.mode.name().to_string(),
            tolerance_m: test.mode.tolerance_m(),
            clearance_m: test.mode.clearance_m(),
            zone: test.mode.zone().map(|z| z.name().to_string()),
        };
        reports.push(test_report_from_clashes(set, &info, &result, &clashes, rules.grouping));
    }
    reports
}
