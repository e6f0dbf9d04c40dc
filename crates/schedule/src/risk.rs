//! Schedule risk: a Monte Carlo run of the CPM with sampled durations.
//!
//! Each iteration draws every remaining duration from a triangular distribution and runs the
//! same passes as [`crate::critical_path`] on the compiled network (no allocation per
//! iteration). The distribution of an activity is, first found:
//! 1. the three-point estimate its file carries ([`crate::plan::ThreePoint`]);
//! 2. the first `[[rule]]` of the risk TOML whose `wbs` and `name` globs match;
//! 3. the TOML's `[default]`, else the built-in default: tasks 90 % / 100 % / 125 % of their
//!    remaining duration; milestones, level of effort and completed work are not sampled.
//!
//! Iteration `k` draws from its own generator seeded from `(seed, k)`, and the results are
//! gathered in iteration order, so a seed gives the same answer whatever the number of threads.

use crate::cpm::durations;
use crate::cpm::network::{Network, Status};
use crate::cpm::pass::{backward, forward, Times};
use crate::plan::ActivityKind;
use crate::{Schedule, ScheduleError};
use chrono::NaiveDate;
use rand_pcg::rand_core::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Factors of the remaining duration: optimistic, most likely, pessimistic.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Triangle {
    pub min: f64,
    pub most_likely: f64,
    pub max: f64,
}

/// The built-in spread of a task's duration.
pub const DEFAULT_TRIANGLE: Triangle = Triangle { min: 0.9, most_likely: 1.0, max: 1.25 };

/// A rule of the risk TOML: activities whose WBS path (any level) and name match the globs.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskRule {
    pub wbs: Option<String>,
    pub name: Option<String>,
    pub min: f64,
    pub most_likely: f64,
    pub max: f64,
}

/// The `--risk-config` TOML.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskConfig {
    pub default: Option<Triangle>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RiskRule>,
}

/// Reads a risk TOML; `path` names the file in messages.
pub fn parse_risk_config(path: &std::path::Path, text: &str) -> Result<RiskConfig, ScheduleError> {
    let config: RiskConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].lines().count().max(1));
        ScheduleError::syntax(path, line, e.message().to_string())
    })?;
    let triangles = config.default.iter().copied().chain(config.rules.iter().map(|r| Triangle {
        min: r.min,
        most_likely: r.most_likely,
        max: r.max,
    }));
    for t in triangles {
        if !(t.min >= 0.0 && t.min <= t.most_likely && t.most_likely <= t.max && t.max.is_finite()) {
            return Err(ScheduleError::syntax(
                path,
                1,
                format!(
                    "a distribution needs 0 <= min <= most_likely <= max, got {} / {} / {}",
                    t.min, t.most_likely, t.max
                ),
            ));
        }
    }
    Ok(config)
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub p10: NaiveDate,
    pub p50: NaiveDate,
    pub p80: NaiveDate,
    pub p90: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneRisk {
    pub id: String,
    pub name: String,
    pub p50: NaiveDate,
    pub p80: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRisk {
    pub id: String,
    /// Share of iterations in which the task was critical (0 to 1).
    pub criticality_index: f64,
}

/// The `"risk"` object of `plumbline schedule --risk --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskResult {
    pub iterations: usize,
    pub seed: u64,
    pub finish: Percentiles,
    pub milestones: Vec<MilestoneRisk>,
    pub tasks: Vec<TaskRisk>,
}

/// One iteration's answer.
struct Draw {
    finish: i64,
    milestones: Vec<i64>,
    critical: Vec<u64>,
}

/// The sampling distribution of each activity in minutes: `None` when it is not sampled.
fn distributions(
    schedule: &Schedule,
    net: &Network,
    config: Option<&RiskConfig>,
) -> Vec<Option<(f64, f64, f64)>> {
    let base = durations(net);
    schedule
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let node = &net.nodes[i];
            let fixed = !net.in_net[i]
                || node.status == Status::Complete
                || base[i] == 0
                || matches!(
                    node.kind,
                    ActivityKind::LevelOfEffort
                        | ActivityKind::StartMilestone
                        | ActivityKind::FinishMilestone
                );
            if fixed {
                return None;
            }
            if let Some(tp) = t.plan.three_point {
                return Some((tp.optimistic_min, tp.most_likely_min, tp.pessimistic_min));
            }
            let matches = |r: &&RiskRule| {
                r.wbs.as_deref().is_none_or(|g| t.wbs.iter().any(|w| crate::glob(g, w)))
                    && r.name.as_deref().is_none_or(|g| crate::glob(g, &t.name))
            };
            let tri = config
                .and_then(|c| {
                    c.rules.iter().find(matches).map(|r| Triangle {
                        min: r.min,
                        most_likely: r.most_likely,
                        max: r.max,
                    })
                })
                .or_else(|| config.and_then(|c| c.default))
                .unwrap_or(DEFAULT_TRIANGLE);
            let d = base[i] as f64;
            Some((tri.min * d, tri.most_likely * d, tri.max * d))
        })
        .collect()
}

/// Inverse CDF of the triangular distribution `(a, m, b)` at `u` in [0, 1).
fn triangular(a: f64, m: f64, b: f64, u: f64) -> f64 {
    if b - a <= f64::EPSILON {
        return m;
    }
    let cut = (m - a) / (b - a);
    if u < cut {
        a + (u * (b - a) * (m - a)).sqrt()
    } else {
        b - ((1.0 - u) * (b - a) * (b - m)).sqrt()
    }
}

/// A generator for iteration `k` of a run seeded `seed` (SplitMix64 of both, so neighbouring
/// iterations get unrelated streams).
fn generator(seed: u64, k: u64) -> Pcg64Mcg {
    let mut z = seed ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Pcg64Mcg::seed_from_u64(z ^ (z >> 31))
}

/// Runs `iterations` sampled CPMs on the current rayon pool (see the module documentation).
pub fn simulate(
    schedule: &Schedule,
    iterations: usize,
    seed: u64,
    config: Option<&RiskConfig>,
) -> Result<RiskResult, ScheduleError> {
    let net = Network::build(schedule)?;
    let dists = distributions(schedule, &net, config);
    let base = durations(&net);
    let n = net.nodes.len();
    let members: Vec<usize> = (0..n).filter(|&i| net.in_net[i]).collect();
    let milestones: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| {
            schedule.tasks[i].milestone
                || matches!(net.nodes[i].kind, ActivityKind::StartMilestone | ActivityKind::FinishMilestone)
        })
        .filter(|&i| net.nodes[i].status != Status::Complete)
        .collect();
    let words = n.div_ceil(64);
    let iterations = iterations.max(1);
    let draws: Vec<Result<Draw, usize>> = (0..iterations)
        .into_par_iter()
        .map_init(
            || (Times::sized(&net), base.clone()),
            |(times, dur), k| {
                let mut rng = generator(seed, k as u64);
                for (i, d) in dists.iter().enumerate() {
                    if let Some((a, m, b)) = *d {
                        let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                        dur[i] = triangular(a, m, b, u).round() as i64;
                    }
                }
                forward(&net, dur, times)?;
                backward(&net, dur, times)?;
                let mut critical = vec![0u64; words];
                for &i in &members {
                    let limit = net.critical_float_min.get(net.nodes[i].project).copied().unwrap_or(0.0);
                    if net.nodes[i].status != Status::Complete && times.tf[i] as f64 <= limit + 1e-9 {
                        critical[i / 64] |= 1 << (i % 64);
                    }
                }
                Ok(Draw {
                    finish: members.iter().map(|&i| times.ef[i]).max().unwrap_or(0),
                    milestones: milestones.iter().map(|&i| times.ef[i]).collect(),
                    critical,
                })
            },
        )
        .collect();
    let mut ok = Vec::with_capacity(draws.len());
    for d in draws {
        ok.push(d.map_err(|i| net.range_error(schedule, i, "a sampled duration"))?);
    }
    // A finish at midnight closes the day before; any other finish its own day.
    let day = |t: i64| net.clock.finish_date(t - 1, t);
    let pick = |mut v: Vec<i64>, p: f64| -> NaiveDate {
        v.sort_unstable();
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        day(v[rank.clamp(1, v.len()) - 1])
    };
    let finishes: Vec<i64> = ok.iter().map(|d| d.finish).collect();
    let finish = Percentiles {
        p10: pick(finishes.clone(), 10.0),
        p50: pick(finishes.clone(), 50.0),
        p80: pick(finishes.clone(), 80.0),
        p90: pick(finishes, 90.0),
    };
    let milestones = milestones
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let values: Vec<i64> = ok.iter().map(|d| d.milestones[k]).collect();
            MilestoneRisk {
                id: schedule.tasks[i].id.clone(),
                name: schedule.tasks[i].name.clone(),
                p50: pick(values.clone(), 50.0),
                p80: pick(values, 80.0),
            }
        })
        .collect();
    let tasks = members
        .iter()
        .map(|&i| {
            let hits = ok.iter().filter(|d| d.critical[i / 64] & (1 << (i % 64)) != 0).count();
            TaskRisk { id: schedule.tasks[i].id.clone(), criticality_index: hits as f64 / iterations as f64 }
        })
        .collect();
    Ok(RiskResult { iterations, seed, finish, milestones, tasks })
}
