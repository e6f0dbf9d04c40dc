//! Reach-range tests: how high an element's operable part stands above the floor it stands on,
//! against a range of heights (ADA 2010 §308: operable parts within 380 to 1220 mm of the
//! floor for a forward or side reach).
//!
//! The test is a property of A measured against one B: for each A element, its floor is the B
//! element whose box lies under A's footprint (the two boxes overlap in plan) with its top no
//! higher than A's base (within the tolerance), the highest such top; ties go to the smaller
//! GlobalId. The operable part stands [`PairRules::operable_height_m`] above A's base, or at
//! A's top when that gives nothing. A pair is reported when the height above the floor's top is
//! outside the range by more than the tolerance; its distance is how far outside. An A element
//! with no floor under it is not measured (a report needs the pair).
//!
//! Boxes are the elements' world boxes, so a sloped or stepped floor counts with the top of its
//! box: exact for the flat slabs and finishes floors are.

use crate::{id, sort_clashes, Clash, ClashBasis, ClashKind, PairRules, Shapes, Test, TestResult};
use plumbline_model::{Aabb, ElementRef};
use rayon::prelude::*;
use std::cmp::Ordering;

/// The unpacked mode of a reach test.
pub(crate) struct ReachTest {
    pub min_m: f64,
    pub max_m: f64,
    pub tolerance_m: f64,
}

/// Whether two boxes overlap in plan (x and y), sharing some area rather than an edge.
fn overlap_in_plan(p: &Aabb, q: &Aabb) -> bool {
    (0..2).all(|i| p.min[i] < q.max[i] && q.min[i] < p.max[i])
}

/// An A element with its box, its floor with its box (if any), and how many B elements under
/// it were weighed.
type Measured = (ElementRef, Aabb, Option<(ElementRef, Aabb)>, usize);

/// Runs a reach test: every A element with a floor among B (A itself when `b` is `None`).
pub(crate) fn reach_test(
    shapes: &Shapes<'_>,
    test: &Test,
    a: &[ElementRef],
    b: Option<&[ElementRef]>,
    reach: &ReachTest,
    ignore: &(dyn Fn(ElementRef, ElementRef) -> bool + Sync),
    rules: &PairRules<'_>,
) -> TestResult {
    let set = shapes.set();
    let t_broad = std::time::Instant::now();
    let boxed = |refs: &[ElementRef]| -> Vec<(ElementRef, Aabb)> {
        refs.iter().filter_map(|&r| set.element(r).aabb().map(|b| (r, b))).collect()
    };
    let floors = boxed(b.unwrap_or(a));
    let parts = boxed(a);
    // Each A element's floor, with the number of B elements under it that were weighed.
    let measured: Vec<Measured> = parts
        .par_iter()
        .map(|&(r, ab)| {
            let mut weighed = 0;
            let mut best: Option<(ElementRef, Aabb)> = None;
            for &(f, fb) in &floors {
                if f == r || fb.max[2] > ab.min[2] + reach.tolerance_m || !overlap_in_plan(&ab, &fb) {
                    continue;
                }
                if ignore(r, f) {
                    continue;
                }
                weighed += 1;
                let better = match &best {
                    None => true,
                    Some((g, gb)) => match fb.max[2].total_cmp(&gb.max[2]) {
                        Ordering::Greater => true,
                        Ordering::Less => false,
                        Ordering::Equal => {
                            (set.element(f).global_id.as_str(), f) < (set.element(*g).global_id.as_str(), *g)
                        }
                    },
                };
                if better {
                    best = Some((f, fb));
                }
            }
            (r, ab, best, weighed)
        })
        .collect();
    let broad_secs = t_broad.elapsed().as_secs_f64();
    let t_narrow = std::time::Instant::now();
    let candidate_pairs = measured.iter().map(|m| m.3).sum();
    let mut clashes: Vec<Clash> = measured
        .iter()
        .filter_map(|&(r, ab, floor, _)| {
            let (f, fb) = floor?;
            let part_z = match rules.operable_height_m.and_then(|h| h(r)).filter(|h| h.is_finite()) {
                Some(h) => ab.min[2] + h,
                None => ab.max[2],
            };
            let floor_z = fb.max[2];
            let height_m = part_z - floor_z;
            let (limit_m, outside_m) = if height_m > reach.max_m + reach.tolerance_m {
                (reach.max_m, height_m - reach.max_m)
            } else if height_m < reach.min_m - reach.tolerance_m {
                (reach.min_m, reach.min_m - height_m)
            } else {
                return None;
            };
            let (ga, gb) = (set.element(r).global_id.as_str(), set.element(f).global_id.as_str());
            let centre = |i: usize| (ab.min[i] + ab.max[i]) / 2.0;
            // The box shows what was measured: A's footprint from the floor to the part.
            let measured_box = Aabb {
                min: [ab.min[0], ab.min[1], floor_z.min(part_z)],
                max: [ab.max[0], ab.max[1], floor_z.max(part_z)],
            };
            Some(Clash {
                id: id::clash_id(&test.name, ga, gb),
                kind: ClashKind::Clearance,
                distance_m: outside_m,
                hard: false,
                exact: true,
                point: [centre(0), centre(1), part_z],
                overlap_aabb: measured_box,
                a: r,
                b: f,
                overlap_volume_m3: None,
                basis: Some(ClashBasis { required_m: Some(limit_m), ..ClashBasis::default() }),
            })
        })
        .collect();
    sort_clashes(set, &mut clashes);
    TestResult {
        elements_a: parts.len(),
        elements_b: floors.len(),
        candidate_pairs,
        clashes,
        broad_secs,
        narrow_secs: t_narrow.elapsed().as_secs_f64(),
    }
}
