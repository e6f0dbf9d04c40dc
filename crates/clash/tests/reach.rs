//! Reach-range tests with known answers: the operable part's height above the floor under it,
//! from the element's own height or its top, the highest floor chosen, limits crossed either
//! way, the tolerance, and elements with no floor under them.

mod common;
use common::*;
use plumbline_clash::{run_test, run_test_with, Clash, ClashKind, Mode, PairRules, Shapes, Test};
use plumbline_model::{ElementRef, Mesh};

const TOL: f64 = 0.0005;
const ADA: Mode = Mode::Reach { min_m: 0.38, max_m: 1.22, tolerance_m: TOL };

/// Runs the ADA range with elements 0.. as A (`parts`) and the rest as B (`floors`); `height`
/// gives each A element's operable height above its base (by index), `None` its top.
fn reach(parts: Vec<Mesh>, floors: Vec<Mesh>, height: &[Option<f64>]) -> (Vec<Clash>, usize) {
    let n = parts.len() as u32;
    let meshes: Vec<(&str, Mesh)> = parts
        .into_iter()
        .map(|m| ("IfcFurniture", m))
        .chain(floors.into_iter().map(|m| ("IfcSlab", m)))
        .collect();
    let total = meshes.len() as u32;
    let set = model_set(meshes);
    let shapes = Shapes::new(&set);
    let test = Test {
        name: "reach".into(),
        mode: ADA,
        a: (0..n).map(r).collect(),
        b: Some((n..total).map(r).collect()),
    };
    let of = |e: ElementRef| height.get(e.element as usize).copied().flatten();
    let rules = PairRules { operable_height_m: Some(&of), ..PairRules::default() };
    let result = run_test_with(&shapes, &test, &|_, _| false, &rules);
    (result.clashes, result.candidate_pairs)
}

fn floor() -> Mesh {
    cuboid([-5.0, -5.0, -0.3], [5.0, 5.0, 0.0])
}

fn atm(x: f64) -> Mesh {
    cuboid([x, 0.0, 0.0], [x + 0.8, 0.8, 1.8])
}

#[test]
fn parts_outside_the_range_are_reported_by_how_far() {
    let (clashes, pairs) = reach(
        vec![atm(0.0), atm(1.0), atm(2.0), atm(3.0)],
        vec![floor()],
        &[Some(1.35), Some(1.2), Some(0.3), Some(0.39)],
    );
    assert_eq!(pairs, 4, "each part weighs the one floor under it");
    let got: Vec<(u32, f64, Option<f64>)> = clashes
        .iter()
        .map(|c| (c.a.element, c.distance_m, c.basis.as_ref().and_then(|b| b.required_m)))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, 0);
    assert!((got[0].1 - 0.13).abs() < 1e-6 && got[0].2 == Some(1.22), "{got:?}");
    assert_eq!(got[1].0, 2);
    assert!((got[1].1 - 0.08).abs() < 1e-6 && got[1].2 == Some(0.38), "{got:?}");
    for c in &clashes {
        assert_eq!(c.kind, ClashKind::Clearance);
        assert_eq!(c.b, r(4), "the floor is side B");
        assert!(c.exact && !c.hard && c.overlap_volume_m3.is_none());
        assert_eq!(c.overlap_aabb.min[2], 0.0, "the measured box starts at the floor");
    }
    assert!((clashes[0].point[2] - 1.35).abs() < 1e-6, "the point is the operable part");
}

#[test]
fn without_a_height_the_top_is_the_operable_part() {
    // 1.8 m tall: 580 mm above the limit.
    let (clashes, _) = reach(vec![atm(0.0)], vec![floor()], &[None]);
    assert_eq!(clashes.len(), 1);
    assert!((clashes[0].distance_m - 0.58).abs() < 1e-6, "{}", clashes[0].distance_m);
    // A low box with its top in range is not reported.
    let (clashes, _) = reach(vec![cuboid([0.0, 0.0, 0.0], [0.5, 0.5, 0.9])], vec![floor()], &[None]);
    assert!(clashes.is_empty());
}

#[test]
fn the_highest_floor_under_the_footprint_counts() {
    // A 100 mm raised floor under the part, a slab above its base beside it, a ceiling above
    // it: the part stands 1.25 m above the raised floor (30 mm too high), not 1.35 m above the
    // slab.
    let raised = cuboid([-0.5, -0.5, 0.0], [1.5, 1.5, 0.1]);
    let beside = cuboid([3.0, 0.0, 0.0], [4.0, 1.0, 0.5]);
    let ceiling = cuboid([-5.0, -5.0, 2.7], [5.0, 5.0, 2.72]);
    let part = cuboid([0.0, 0.0, 0.1], [0.8, 0.8, 1.9]);
    let (clashes, pairs) = reach(vec![part], vec![floor(), raised, beside, ceiling], &[Some(1.25)]);
    assert_eq!(pairs, 2, "only the floors under the footprint and below the base are weighed");
    assert_eq!(clashes.len(), 1);
    assert_eq!(clashes[0].b, r(2), "the raised floor");
    assert!((clashes[0].distance_m - 0.03).abs() < 1e-6, "{}", clashes[0].distance_m);
}

#[test]
fn floors_touching_only_the_edge_or_missing_do_not_count() {
    // The slab ends where the part begins: no floor under its footprint, nothing measured.
    let edge = cuboid([-5.0, -5.0, -0.3], [0.0, 5.0, 0.0]);
    let (clashes, pairs) = reach(vec![atm(0.0)], vec![edge], &[Some(1.5)]);
    assert!(clashes.is_empty() && pairs == 0, "{clashes:?}");
}

#[test]
fn the_tolerance_keeps_parts_at_the_limit() {
    let (clashes, _) = reach(
        vec![atm(0.0), atm(1.0), atm(2.0), atm(3.0)],
        vec![floor()],
        &[Some(1.2204), Some(0.3796), Some(1.2206), Some(0.3794)],
    );
    let parts: Vec<u32> = clashes.iter().map(|c| c.a.element).collect();
    assert_eq!(parts, [2, 3]);
}

#[test]
fn the_ignore_predicate_removes_floors_and_a_plain_run_uses_the_top() {
    let set = model_set(vec![("IfcFurniture", atm(0.0)), ("IfcSlab", floor())]);
    let shapes = Shapes::new(&set);
    let test = Test { name: "reach".into(), mode: ADA, a: vec![r(0)], b: Some(vec![r(1)]) };
    assert!(run_test(&shapes, &test, &|_, _| true).clashes.is_empty());
    let plain = run_test(&shapes, &test, &|_, _| false).clashes;
    assert_eq!(plain.len(), 1);
    assert!((plain[0].distance_m - 0.58).abs() < 1e-6);
    assert_eq!(ADA.kind(), ClashKind::Clearance);
    assert_eq!(ADA.clearance_m(), 1.22);
}
