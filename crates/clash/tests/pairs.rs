//! One clash per pair of elements per test: a test whose A and B selections overlap (an aisle
//! test of racks against racks, a hard test of all pipes against one system's pipes) finds a
//! pair from both sides, and must still report it once, with an id no other clash of the test
//! has.

mod common;
use common::*;
use plumbline_clash::{run_test, Clash, Mode, Shapes, Test, Zone, ZoneSize};
use plumbline_model::{ElementRef, Placement};
use std::collections::BTreeSet;

const TOL: f64 = 0.0005;

/// Facing -Y: local +Y (the front) is world -Y.
const FACING_SOUTH: Placement =
    Placement { origin_m: [0.0; 3], axes: [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]] };

fn aisle(clearance_m: f64) -> Mode {
    Mode::Zone {
        zone: Zone::FrontAndBack,
        size: ZoneSize { clearance_m, ..ZoneSize::default() },
        tolerance_m: TOL,
    }
}

/// Runs `mode` with the given A and B sides (B `None`: A against itself) on `set`.
fn run(set: &plumbline_model::ModelSet, mode: Mode, a: &[u32], b: Option<&[u32]>) -> Vec<Clash> {
    let shapes = Shapes::new(set);
    let refs = |s: &[u32]| s.iter().map(|&i| r(i)).collect::<Vec<ElementRef>>();
    let test = Test { name: "t".into(), mode, a: refs(a), b: b.map(refs) };
    run_test(&shapes, &test, &|_, _| false).clashes
}

fn assert_ids_unique(clashes: &[Clash]) {
    let ids: BTreeSet<&str> = clashes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), clashes.len(), "two clashes share an id: {clashes:#?}");
}

/// Two racks facing each other across a 1.0 m aisle, each in the other's 1.2 m aisle zone:
/// `[E000 facing north, E001 facing south]`, or the other way round when `swapped` (so that the
/// element whose GlobalId sorts first stands on either side).
fn facing_racks(swapped: bool) -> plumbline_model::ModelSet {
    let south = cuboid([0.0, 0.0, 0.0], [0.6, 1.2, 2.2]);
    let north = cuboid([0.0, 2.2, 0.0], [0.6, 3.4, 2.2]);
    let (first, second) = if swapped { (north, south) } else { (south, north) };
    let mut set = model_set(vec![("IfcFurniture", first), ("IfcFurniture", second)]);
    let (p0, p1) =
        if swapped { (FACING_SOUTH, Placement::IDENTITY) } else { (Placement::IDENTITY, FACING_SOUTH) };
    set.models[0].elements[0].placement = Some(p0);
    set.models[0].elements[1].placement = Some(p1);
    set
}

#[test]
fn facing_racks_in_each_others_zones_are_one_clash() {
    for swapped in [false, true] {
        let set = facing_racks(swapped);
        for b in [Some(&[0, 1][..]), Some(&[1, 0][..]), None] {
            for a in [&[0, 1][..], &[1, 0][..]] {
                let clashes = run(&set, aisle(1.2), a, b);
                assert_eq!(clashes.len(), 1, "swapped {swapped}, a {a:?}, b {b:?}: {clashes:#?}");
                let c = &clashes[0];
                // Both sides find the same 1.0 m gap: the A side whose GlobalId sorts first
                // (E000) is kept.
                assert_eq!((c.a, c.b), (r(0), r(1)), "swapped {swapped}");
                assert!((c.distance_m - 1.0).abs() < 1e-6, "{c:?}");
                assert_ids_unique(&clashes);
            }
        }
    }
}

#[test]
fn the_kept_side_does_not_depend_on_the_thread_count() {
    let set = facing_racks(true);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("pool");
    let on = |pool: &rayon::ThreadPool| pool.install(|| run(&set, aisle(1.2), &[0, 1], Some(&[0, 1])));
    assert_eq!(on(&one), on(&three));
}

#[test]
fn a_one_sided_zone_keeps_its_side() {
    // Only the rack facing the other reaches it: its own back zone (0.5 m) falls short.
    let set = facing_racks(false);
    let mode = Mode::Zone {
        zone: Zone::Front,
        size: ZoneSize { clearance_m: 1.2, ..ZoneSize::default() },
        tolerance_m: TOL,
    };
    let clashes = run(&set, mode, &[0, 1], Some(&[0, 1]));
    assert_eq!(clashes.len(), 1, "{clashes:#?}");
    // Both face each other, so both fronts reach: one clash, E000's side.
    assert_eq!((clashes[0].a, clashes[0].b), (r(0), r(1)));
    // A rack turned away from its neighbour does not reach it; the neighbour's front does.
    let mut set = facing_racks(false);
    set.models[0].elements[0].placement = Some(FACING_SOUTH);
    let clashes = run(&set, mode, &[0, 1], Some(&[0, 1]));
    assert_eq!(clashes.len(), 1, "{clashes:#?}");
    assert_eq!((clashes[0].a, clashes[0].b), (r(1), r(0)), "the zone's element stays on side A");
}

/// Hard, clearance and touch tests order a pair by GlobalId already; with overlapping A and B
/// the broad phase still meets the pair from both sides.
#[test]
fn symmetric_tests_over_overlapping_sets_report_a_pair_once() {
    let set = model_set(vec![
        ("IfcPipeSegment", cuboid([0.0, 0.0, 0.0], [2.0, 0.1, 0.1])),
        ("IfcPipeSegment", cuboid([1.0, -0.5, 0.05], [1.1, 0.5, 0.15])),
        ("IfcPipeSegment", cuboid([0.0, 0.3, 0.0], [2.0, 0.4, 0.1])),
        ("IfcPipeSegment", cuboid([0.0, 0.45, 0.0], [2.0, 0.55, 0.1])),
    ]);
    for (mode, want) in [
        (hard(0.002), 3),
        (clearance(0.1), 4),
        (Mode::Touch { tolerance_m: 0.002 }, 0),
        (Mode::Duplicate { tolerance_m: 0.002 }, 0),
    ] {
        for b in [None, Some(&[0, 1, 2, 3][..]), Some(&[1, 2][..])] {
            let clashes = run(&set, mode, &[0, 1, 2, 3], b);
            let pairs: BTreeSet<(ElementRef, ElementRef)> = clashes.iter().map(|c| (c.a, c.b)).collect();
            assert_eq!(pairs.len(), clashes.len(), "{mode:?} b {b:?}: {clashes:#?}");
            assert_ids_unique(&clashes);
            if b != Some(&[1, 2][..]) {
                assert_eq!(clashes.len(), want, "{mode:?} b {b:?}: {clashes:#?}");
            }
        }
    }
}
