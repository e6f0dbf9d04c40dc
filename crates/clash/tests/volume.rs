//! Overlap volume against exact cases (boxes, cylinders, L-shapes), the `touch` kind, and
//! insulation counted around elements.

mod common;
use common::*;
use plumbline_clash::volume::{estimate_bound_m3, overlap_volume};
use plumbline_clash::{run_test_with, ClashKind, ElementShape, Mode, PairRules, Shapes, Test};
use plumbline_model::{ElementRef, Mesh};
use proptest::prelude::*;

fn volume(a: &Mesh, b: &Mesh) -> (f64, bool) {
    overlap_volume(&ElementShape::new(a, None), &ElementShape::new(b, None)).expect("both have surfaces")
}

fn box_overlap_m3(a: ([f64; 3], [f64; 3]), b: ([f64; 3], [f64; 3])) -> f64 {
    (0..3).map(|k| (a.1[k].min(b.1[k]) - a.0[k].max(b.0[k])).max(0.0)).product()
}

/// The area of a regular `n`-gon of circumradius `r`.
fn polygon_area(n: usize, r: f64) -> f64 {
    0.5 * n as f64 * r * r * (std::f64::consts::TAU / n as f64).sin()
}

prop_compose! {
    fn a_box()(min in prop::array::uniform3(-1.0f64..1.0), size in prop::array::uniform3(0.05f64..1.5))
        -> ([f64; 3], [f64; 3]) {
        (min, [min[0] + size[0], min[1] + size[1], min[2] + size[2]])
    }
}

proptest! {
    /// Boxes: the convex path gives the product of the overlaps along each axis, within 1 µm
    /// times the intersection's surface area, far from the origin too.
    #[test]
    fn two_boxes_share_exactly_their_box_overlap(a in a_box(), b in a_box(), far in prop::bool::ANY) {
        let origin = if far { [500_000.0, 4_000_000.0, 20.0] } else { [0.0; 3] };
        let (v, exact) = volume(&cuboid_at(a.0, a.1, origin), &cuboid_at(b.0, b.1, origin));
        let want = box_overlap_m3(a, b);
        prop_assert!(exact);
        prop_assert!((v - want).abs() <= 1e-6 * 6.0 * 2.25 + 1e-9, "{v} vs {want}");
    }

    /// A cylinder (a 24-sided prism) through a box: the prism's cross-section times the length
    /// inside the box; wholly inside: the prism's whole volume.
    #[test]
    fn a_cylinder_through_a_box_shares_its_section_times_the_length_inside(
        x0 in -1.0f64..0.4, len in 0.1f64..2.0, r in 0.02f64..0.2, wall in 0.05f64..0.5,
    ) {
        let cylinder = cylinder_x(x0, x0 + len, 0.0, 0.0, r, 24);
        let wall_box = cuboid([0.0, -0.5, -0.5], [wall, 0.5, 0.5]);
        let (v, exact) = volume(&cylinder, &wall_box);
        let inside = ((x0 + len).min(wall) - x0.max(0.0)).max(0.0);
        let want = polygon_area(24, r) * inside;
        prop_assert!(exact);
        prop_assert!((v - want).abs() <= 1e-6 * (2.0 * std::f64::consts::TAU * r * 2.0) + 1e-9, "{v} vs {want}");
    }

    /// An L-shaped solid (not convex) against a box: the estimate stays within its documented
    /// bound of the exact volume, and is marked as an estimate.
    #[test]
    fn the_estimate_for_non_convex_pairs_stays_within_its_bound(b in a_box(), h in 0.2f64..1.5) {
        let l = l_shape(h, [0.0; 3]);
        let b = ((b.0.map(|x| x + 1.0)), b.1.map(|x| x + 1.0));
        let (v, exact) = volume(&l, &cuboid(b.0, b.1));
        // The L is [0,2]x[0,1] plus [0,1]x[1,2], height h.
        let want = box_overlap_m3(([0.0, 0.0, 0.0], [2.0, 1.0, h]), b) + box_overlap_m3(([0.0, 1.0, 0.0], [1.0, 2.0, h]), b);
        // The intersection's surface is at most the box's and the L's together.
        let s = |lo: [f64; 3], hi: [f64; 3]| {
            let d = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
            2.0 * (d[0] * d[1] + d[1] * d[2] + d[0] * d[2])
        };
        let area = s(b.0, b.1).min(s([0.0; 3], [2.0, 2.0, h]) + 4.0 * h);
        let overlap_size: [f64; 3] = std::array::from_fn(|k| {
            (b.1[k].min([2.0, 2.0, h][k]) - b.0[k].max(0.0)).max(0.0)
        });
        prop_assert!(!exact);
        prop_assert!((v - want).abs() <= estimate_bound_m3(area, overlap_size) + 1e-9, "{v} vs {want}");
    }
}

#[test]
fn hard_clashes_carry_their_volume_and_touching_pairs_are_touch_only_when_asked() {
    let a = cuboid([0.0, 0.0, 0.0], [1.0, 1.0, 1.0]);
    let deep = pair(a.clone(), cuboid([0.9, 0.0, 0.0], [2.0, 1.0, 1.0]), hard(0.002)).expect("hard");
    assert!((deep.overlap_volume_m3.expect("a volume") - 0.1).abs() < 1e-6);
    // Touching faces and a 1 mm overlap: no hard clash, both touch clashes.
    let touching = cuboid([1.0, 0.0, 0.0], [2.0, 1.0, 1.0]);
    let shallow = cuboid([0.999, 0.0, 0.0], [2.0, 1.0, 1.0]);
    let near = cuboid([1.001, 0.0, 0.0], [2.0, 1.0, 1.0]);
    let apart = cuboid([1.01, 0.0, 0.0], [2.0, 1.0, 1.0]);
    assert!(pair(a.clone(), touching.clone(), hard(0.002)).is_none());
    assert!(pair(a.clone(), shallow.clone(), hard(0.002)).is_none());
    let touch = Mode::Touch { tolerance_m: 0.002 };
    for (b, want) in [(touching, Some(0.0)), (shallow, Some(-0.001)), (near, Some(0.001)), (apart, None)] {
        let got = pair(a.clone(), b, touch);
        match (got, want) {
            (Some(c), Some(d)) => {
                assert_eq!(c.kind, ClashKind::Touch);
                assert!((c.distance_m - d).abs() < 1e-5, "{} vs {d}", c.distance_m);
            }
            (None, None) => {}
            (got, want) => panic!("{got:?} vs {want:?}"),
        }
    }
}

/// A pipe clear of a beam by 20 mm bare, with 50 mm insulation around it: it overlaps by
/// 30 mm; with 10 mm it is clear; a clearance test measures from the insulation's surface.
#[test]
fn insulation_counts_as_part_of_the_solid() {
    let pipe = cylinder_x(0.0, 2.0, 0.0, 0.0, 0.05, 32);
    // The pipe's top is at z = 0.05; the beam starts 20 mm above it.
    let beam = cuboid([0.5, -0.5, 0.07], [0.8, 0.5, 0.5]);
    let set = model_set(vec![("IfcPipeSegment", pipe), ("IfcBeam", beam)]);
    let shapes = Shapes::new(&set);
    let run = |mode: Mode, insulation_m: f64| {
        let inflation = move |r: ElementRef| if r.element == 0 { insulation_m } else { 0.0 };
        let rules = PairRules { inflation_m: Some(&inflation), ..PairRules::default() };
        let test = Test { name: "t".into(), mode, a: vec![r(0)], b: Some(vec![r(1)]) };
        run_test_with(&shapes, &test, &|_, _| false, &rules).clashes.pop()
    };
    assert!(run(hard(0.002), 0.0).is_none());
    assert!(run(hard(0.002), 0.01).is_none());
    let c = run(hard(0.002), 0.05).expect("overlaps once insulated");
    assert!((c.distance_m - 0.03).abs() < 1e-5, "{}", c.distance_m);
    let basis = c.basis.expect("insulation is stated");
    assert!((basis.bare_distance_m.expect("bare gap") - 0.02).abs() < 1e-5);
    assert_eq!(basis.inflation_a_m, 0.05);
    assert!(c.overlap_volume_m3.is_none(), "the bare solids share nothing");
    let c = run(clearance(0.05), 0.01).expect("10 mm from the insulation");
    assert!((c.distance_m - 0.01).abs() < 1e-5, "{}", c.distance_m);
}

/// A clearance per pair: the test's clearance is only the broad phase's reach.
#[test]
fn a_clearance_per_pair_decides_each_pair() {
    let power = cuboid([0.0, 0.0, 0.0], [2.0, 0.3, 0.1]);
    let data = cuboid([0.0, 0.4, 0.0], [2.0, 0.7, 0.1]);
    let set = model_set(vec![("IfcCableCarrierSegment", power), ("IfcCableCarrierSegment", data)]);
    let shapes = Shapes::new(&set);
    for (needed, clash) in [(0.2, true), (0.05, false)] {
        let table = move |_: ElementRef, _: ElementRef| Some(needed);
        let rules = PairRules { clearance_m: Some(&table), ..PairRules::default() };
        let test = Test { name: "t".into(), mode: clearance(0.2), a: vec![r(0)], b: Some(vec![r(1)]) };
        let out = run_test_with(&shapes, &test, &|_, _| false, &rules).clashes;
        assert_eq!(out.len(), usize::from(clash), "needing {needed}");
        if let Some(c) = out.first() {
            assert_eq!(c.basis.as_ref().and_then(|b| b.required_m), Some(needed));
            assert!((c.distance_m - 0.1).abs() < 1e-5);
        }
    }
}

/// Columns of the estimate that run exactly along the diagonal where two triangles of a face
/// meet, and through the corner their fan shares: the crossing both report counts once. The
/// L's top and bottom faces are fans from (0, 0); over the square [0, 1]², the grid's column
/// centres (i + ½)/12 lie on the diagonal y = x for i = j. The overlap is the unit cube.
#[test]
fn a_column_along_a_shared_edge_crosses_the_face_once() {
    let l = l_shape(1.0, [0.0; 3]);
    let (v, exact) = volume(&l, &cuboid([0.0, 0.0, -1.0], [1.0, 1.0, 2.0]));
    assert!(!exact);
    assert!((v - 1.0).abs() < 1e-9, "{v}");
    // The same with the L far from the origin, where its coordinates are local to it.
    let far = [400_000.0, 3_000_000.0, 20.0];
    let (v, _) = volume(&l_shape(1.0, far), &cuboid_at([0.0, 0.0, -1.0], [1.0, 1.0, 2.0], far));
    assert!((v - 1.0).abs() < 1e-6, "{v}");
}
