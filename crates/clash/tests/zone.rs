//! Clearance zones with known answers: above, below, in front and behind, turned and rotated
//! equipment, the NEC 110.26 least width and height, and B elements overlapping A.

mod common;
use common::*;
use plumbline_clash::{run_test, Clash, ClashKind, Mode, Shapes, Test, Zone, ZoneSize};
use plumbline_model::{Mesh, Placement};

const TOL: f64 = 0.0005;

fn zone_mode(zone: Zone, clearance_m: f64) -> Mode {
    Mode::Zone { zone, size: ZoneSize { clearance_m, ..ZoneSize::default() }, tolerance_m: TOL }
}

/// A placement turned `angle` radians about Z (local +Y, the front, starts along world +Y).
fn turned(origin_m: [f64; 3], angle: f64) -> Placement {
    let (s, c) = angle.sin_cos();
    Placement { origin_m, axes: [[c as f32, s as f32, 0.0], [-s as f32, c as f32, 0.0], [0.0, 0.0, 1.0]] }
}

/// Runs a zone test of element 0 (A, with `placement`) against each of `others` alone; returns
/// what each one gives.
fn zone_clashes(a: Mesh, placement: Option<Placement>, others: Vec<Mesh>, mode: Mode) -> Vec<Option<Clash>> {
    others
        .into_iter()
        .map(|b| {
            let mut set = model_set(vec![("IfcElectricDistributionBoard", a.clone()), ("IfcPipeSegment", b)]);
            set.models[0].elements[0].placement = placement;
            let shapes = Shapes::new(&set);
            let test = Test { name: "zone".into(), mode, a: vec![r(0)], b: Some(vec![r(1)]) };
            let mut out = run_test(&shapes, &test, &|_, _| false).clashes;
            assert!(out.len() <= 1);
            out.pop()
        })
        .collect()
}

/// `(expected gap in metres or None for no clash, what)` against the results, gaps to 1e-5.
fn check(results: &[Option<Clash>], want: &[(Option<f64>, &str)]) {
    assert_eq!(results.len(), want.len());
    for (got, (want, what)) in results.iter().zip(want) {
        match (got, want) {
            (None, None) => {}
            (Some(c), Some(d)) => {
                assert_eq!(c.kind, ClashKind::Clearance, "{what}");
                assert_eq!(c.a, r(0), "{what}: the zone's element stays on side A");
                assert!((c.distance_m - d).abs() < 1e-5, "{what}: gap {} want {d}", c.distance_m);
            }
            _ => panic!("{what}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn above_a_tray_305_mm() {
    let tray = cuboid([0.0, 0.0, 3.8], [2.0, 0.6, 3.9]);
    let results = zone_clashes(
        tray,
        None,
        vec![
            cuboid([0.5, 0.1, 4.0], [0.7, 0.3, 4.1]), // 100 mm above, inside the footprint
            cuboid([0.5, 0.1, 4.204], [0.7, 0.3, 4.4]), // enters the zone by 1 mm
            cuboid([0.5, 0.1, 4.205], [0.7, 0.3, 4.4]), // touches the zone's top face
            cuboid([0.5, 0.1, 4.215], [0.7, 0.3, 4.4]), // 10 mm beyond the clearance
            cuboid([0.5, 0.61, 4.0], [0.7, 0.8, 4.1]), // beside the footprint
            cuboid([0.5, 0.1, 3.5], [0.7, 0.3, 3.7]), // below the tray
            cuboid([-0.1, -0.1, 3.95], [2.1, 0.7, 4.0]), // a plate 50 mm above, wider than the tray
        ],
        zone_mode(Zone::Above, 0.305),
    );
    check(
        &results,
        &[
            (Some(0.1), "100 mm above"),
            (Some(0.304), "1 mm into the zone"),
            (None, "touching the zone"),
            (None, "10 mm beyond"),
            (None, "beside"),
            (None, "below"),
            (Some(0.05), "wide plate"),
        ],
    );
}

#[test]
fn below_a_sprinkler_head_457_mm() {
    let head = cuboid([0.0, 0.0, 3.3], [0.06, 0.06, 3.38]);
    let results = zone_clashes(
        head,
        None,
        vec![
            cuboid([-0.3, -0.3, 2.83], [0.3, 0.3, 2.86]), // a roof 17 mm inside the zone
            cuboid([-0.3, -0.3, 2.8], [0.3, 0.3, 2.843]), // touching the zone's bottom
            cuboid([-0.3, -0.3, 3.0], [0.3, 0.3, 3.08]),  // a light 220 mm below
        ],
        zone_mode(Zone::Below, 0.457),
    );
    check(&results, &[(Some(0.44), "roof"), (None, "touching"), (Some(0.22), "light")]);
}

#[test]
fn front_and_back_of_equipment_turned_to_face_west() {
    // A board 0.8 m deep (X) and 1.6 m wide (Y), facing -X: local +Y is world -X.
    let board = cuboid([0.0, 0.0, 0.0], [0.8, 1.6, 2.2]);
    let facing_west = Some(Placement {
        origin_m: [0.4, 0.8, 0.0],
        axes: [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
    });
    let others = || {
        vec![
            cuboid([-0.5, 0.2, 0.0], [-0.4, 0.6, 1.0]),   // 400 mm in front
            cuboid([-1.0, 0.2, 0.0], [-0.924, 0.6, 1.0]), // 924 mm in front: beyond 914
            cuboid([0.9, 0.2, 0.0], [1.0, 0.6, 1.0]),     // 100 mm behind
            cuboid([-0.5, 1.7, 0.0], [-0.4, 2.0, 1.0]),   // in front but beside the board's width
            cuboid([-0.5, 0.2, 2.3], [-0.4, 0.6, 2.5]),   // in front but above the board's top
        ]
    };
    let front = zone_clashes(board.clone(), facing_west, others(), zone_mode(Zone::Front, 0.914));
    check(
        &front,
        &[
            (Some(0.4), "front"),
            (None, "924 mm"),
            (None, "behind"),
            (None, "beside"),
            (None, "above the top"),
        ],
    );
    let both = zone_clashes(board.clone(), facing_west, others(), zone_mode(Zone::FrontAndBack, 0.914));
    check(
        &both,
        &[(Some(0.4), "front"), (None, "924 mm"), (Some(0.1), "behind"), (None, "beside"), (None, "above")],
    );
    // Without a placement the front is world +Y: the same neighbours are all beside it.
    let unplaced = zone_clashes(board, None, others(), zone_mode(Zone::Front, 0.914));
    assert!(unplaced.iter().all(Option::is_none), "{unplaced:?}");
}

#[test]
fn front_of_equipment_rotated_30_degrees() {
    let angle = 30f64.to_radians();
    let (s, c) = angle.sin_cos();
    // Local (u, v) -> world, about the centre (5, 5) at floor level.
    let at = |u: f64, v: f64| [5.0 + c * u - s * v, 5.0 + s * u + c * v, 0.0];
    let centre = |u: f64, v: f64, z: f64| {
        let p = at(u, v);
        [p[0], p[1], z]
    };
    // The rack: 0.6 wide (local X), 1.2 deep (local Y), 2.2 high.
    let rack = rotated_cuboid(centre(0.0, 0.0, 1.1), [0.6, 1.2, 2.2], angle);
    let placement = Some(turned(at(0.0, 0.0), angle));
    let results = zone_clashes(
        rack,
        placement,
        vec![
            // A box 0.5 m in front of the front face (local v = 0.6), turned like the rack.
            rotated_cuboid(centre(0.0, 0.6 + 0.5 + 0.05, 1.0), [0.2, 0.1, 0.2], angle),
            // 0.3 m in front but beside the rack's width (local u from 0.45 to 0.65): inside
            // the world box of the zone, outside the zone itself.
            rotated_cuboid(centre(0.55, 0.6 + 0.3 + 0.05, 1.0), [0.2, 0.1, 0.2], angle),
            // 0.3 m behind.
            rotated_cuboid(centre(0.0, -0.6 - 0.3 - 0.05, 1.0), [0.2, 0.1, 0.2], angle),
        ],
        zone_mode(Zone::Front, 1.0),
    );
    check(&results, &[(Some(0.5), "in front"), (None, "beside"), (None, "behind")]);
    assert!(results[0].as_ref().is_some_and(|c| c.exact), "two convex boxes give an exact gap");
}

#[test]
fn nec_least_width_and_height_widen_a_narrow_low_zone() {
    // A PDU 0.59 m wide (X), 0.6 m deep, 1.0 m high, facing +Y.
    let pdu = cuboid([-0.295, 0.0, 0.0], [0.295, 0.6, 1.0]);
    let others = || {
        vec![
            cuboid([0.30, 0.8, 0.2], [0.35, 0.9, 0.5]), // 200 mm in front, beside 590 but within 762
            cuboid([-0.1, 0.9, 1.5], [0.1, 1.0, 1.6]),  // 300 mm in front, above 1.0 but below 1.981
            cuboid([-0.1, 0.9, 1.99], [0.1, 1.0, 2.1]), // above 1.981 m
            cuboid([0.39, 0.8, 0.2], [0.45, 0.9, 0.5]), // beside 762
        ]
    };
    let plain = zone_clashes(pdu.clone(), Some(Placement::IDENTITY), others(), zone_mode(Zone::Front, 0.914));
    check(&plain, &[(None, "beside 590"), (None, "above 1 m"), (None, "above 1.981"), (None, "beside 762")]);
    let nec = Mode::Zone {
        zone: Zone::Front,
        size: ZoneSize { clearance_m: 0.914, min_width_m: 0.762, min_height_m: 1.981, ..ZoneSize::default() },
        tolerance_m: TOL,
    };
    let widened = zone_clashes(pdu, Some(Placement::IDENTITY), others(), nec);
    let gap_beside = ((0.30f64 - 0.295).powi(2) + 0.2f64.powi(2)).sqrt();
    let gap_above = (0.5f64.powi(2) + 0.3f64.powi(2)).sqrt();
    check(
        &widened,
        &[
            (Some(gap_beside), "beside 590"),
            (Some(gap_above), "above 1 m"),
            (None, "above 1.981"),
            (None, "beside 762"),
        ],
    );
}

#[test]
fn an_element_overlapping_the_equipment_and_its_zone_is_hard() {
    let board = cuboid([0.0, 0.0, 0.0], [0.8, 0.6, 2.0]);
    let results = zone_clashes(
        board,
        Some(Placement::IDENTITY),
        vec![
            cuboid([0.2, 0.5, 0.5], [0.4, 1.0, 0.7]), // 100 mm into the board, on into the zone
            cuboid([0.2, 0.6, 0.5], [0.4, 1.0, 0.7]), // touching the front face
        ],
        zone_mode(Zone::Front, 0.914),
    );
    let hard = results[0].as_ref().expect("reported");
    assert!(hard.hard && (hard.distance_m + 0.1).abs() < 1e-5, "{hard:?}");
    let touching = results[1].as_ref().expect("reported");
    assert!(!touching.hard && touching.distance_m.abs() < 1e-6, "{touching:?}");
}

/// A door 0.9 m wide, 50 mm thick, opening to +Y: its leaf sweeps a 0.9 m square in front.
#[test]
fn a_swing_zone_is_as_deep_as_the_door_is_wide() {
    let door = cuboid([0.0, 0.0, 0.0], [0.9, 0.05, 2.1]);
    let mode = Mode::Zone { zone: Zone::Swing, size: ZoneSize::default(), tolerance_m: TOL };
    let results = zone_clashes(
        door.clone(),
        Some(Placement::IDENTITY),
        vec![
            cuboid([0.2, 0.85, 0.0], [0.6, 1.2, 1.0]), // 800 mm out: inside the sweep
            cuboid([0.2, 0.96, 0.0], [0.6, 1.2, 1.0]), // 910 mm out: beyond it
            cuboid([0.2, -0.5, 0.0], [0.6, -0.1, 1.0]), // behind the door
        ],
        mode,
    );
    check(&results, &[(Some(0.8), "in the sweep"), (None, "beyond the sweep"), (None, "behind")]);
    // Turned to face -X, the sweep turns with it.
    let turned_door = cuboid([-0.025, -0.45, 0.0], [0.025, 0.45, 2.1]);
    let results = zone_clashes(
        turned_door,
        Some(turned([0.0; 3], std::f64::consts::FRAC_PI_2)),
        vec![cuboid([-0.6, -0.2, 0.0], [-0.3, 0.2, 1.0])],
        mode,
    );
    check(&results, &[(Some(0.275), "in the turned sweep")]);
}

/// NFPA 13's three-times rule: the zone beside a head reaches three times B's width, at most
/// 610 mm, down to 457 mm below the deflector.
#[test]
fn a_beside_zone_reaches_three_times_the_width_of_b() {
    let head = cuboid([-0.03, -0.03, 3.3], [0.03, 0.03, 3.38]);
    let mode = Mode::Zone {
        zone: Zone::Beside,
        size: ZoneSize { clearance_m: 0.457, beside_factor: 3.0, beside_max_m: 0.61, ..ZoneSize::default() },
        tolerance_m: TOL,
    };
    let results = zone_clashes(
        head,
        None,
        vec![
            cuboid([-1.0, 0.33, 3.2], [1.0, 0.38, 3.25]), // 50 mm wide, 300 mm beside: 150 mm reach
            cuboid([-1.0, 0.33, 3.2], [1.0, 0.43, 3.25]), // 100 mm wide, 300 mm beside: 300 mm reach
            cuboid([-1.0, 0.23, 3.2], [1.0, 0.33, 3.25]), // 100 mm wide, 200 mm beside
            cuboid([-1.0, 0.63, 3.2], [1.0, 1.63, 3.25]), // 1 m wide, 600 mm beside: capped at 610
            cuboid([-1.0, 0.65, 3.2], [1.0, 1.65, 3.25]), // 1 m wide, 620 mm beside
            cuboid([-1.0, 0.10, 2.7], [1.0, 0.20, 2.8]),  // below the 457 mm band
        ],
        mode,
    );
    let diagonal = |h: f64| (h * h + 0.05f64 * 0.05).sqrt();
    check(
        &results,
        &[
            (None, "narrow, beyond 3 x 50"),
            (None, "at exactly 3 x 100 (touching the zone)"),
            (Some(diagonal(0.2)), "within 3 x 100"),
            (Some(diagonal(0.6)), "within the 610 mm cap"),
            (None, "beyond the cap"),
            (None, "below the band"),
        ],
    );
    let c = results[2].as_ref().expect("reported");
    assert_eq!(c.basis.as_ref().and_then(|b| b.required_m).map(|r| (r * 1e6).round() / 1e6), Some(0.3));
}

#[test]
fn elements_that_only_touch_a_zone_or_enter_it_within_the_tolerance_are_not_candidates() {
    // A rack row: the neighbour's side face is the front zone's side face, as in the
    // data-centre hall. The broad phase must not pass it (it used to, by f32 rounding luck,
    // and on the million-element hall that was 184,000 needless pairs); nor one that enters
    // the zone by less than the tolerance. One that enters by more is a candidate and a clash.
    let rack = cuboid([0.0, 0.0, 0.0], [0.6, 1.2, 2.0]);
    let front = |b: Mesh| {
        let set = model_set(vec![("IfcFurniture", rack.clone()), ("IfcFurniture", b)]);
        let shapes = Shapes::new(&set);
        let test = Test {
            name: "zone".into(),
            mode: zone_mode(Zone::Front, 1.0),
            a: vec![r(0)],
            b: Some(vec![r(1)]),
        };
        let result = run_test(&shapes, &test, &|_, _| false);
        (result.candidate_pairs, result.clashes.len())
    };
    // The zone spans x 0..0.6, y 1.2..2.2, z 0..2.
    assert_eq!(front(cuboid([0.6, 1.2, 0.0], [1.2, 2.4, 2.0])), (0, 0), "touching the zone's side");
    assert_eq!(front(cuboid([0.6 - 0.0004, 1.2, 0.0], [1.2, 2.4, 2.0])), (0, 0), "0.4 mm in");
    assert_eq!(front(cuboid([0.6 - 0.001, 1.2, 0.0], [1.2, 2.4, 2.0])), (1, 1), "1 mm in");
}
