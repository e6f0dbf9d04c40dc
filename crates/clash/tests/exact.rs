//! Exact cases with known answers: face-aligned overlaps, touching, gaps, containment, crossings,
//! rotated and non-convex solids.

mod common;
use common::*;
use plumbline_clash::{run_test, ClashKind, Mode, Shapes, Test};
use plumbline_model::Mesh;

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn face_aligned_overlaps_against_a_2mm_tolerance() {
    for (overlap_mm, clash) in [(0.5, false), (1.0, false), (3.0, true), (10.0, true), (100.0, true)] {
        let d = overlap_mm / 1000.0;
        let a = cuboid([0.0; 3], [1.0; 3]);
        let b = cuboid([1.0 - d, 0.0, 0.0], [2.0 - d, 1.0, 1.0]);
        let c = pair(a, b, hard(0.002));
        assert_eq!(c.is_some(), clash, "{overlap_mm} mm");
        if let Some(c) = c {
            assert!(c.exact && c.hard);
            assert!(near(c.distance_m, d, 1e-5), "{overlap_mm} mm: depth {}", c.distance_m);
        }
    }
}

#[test]
fn touching_by_face_edge_or_vertex_is_not_a_hard_clash_but_is_within_clearance() {
    let a = || cuboid([0.0; 3], [1.0; 3]);
    for b in [
        cuboid([1.0, 0.0, 0.0], [2.0, 1.0, 1.0]), // face
        cuboid([1.0, 1.0, 0.0], [2.0, 2.0, 1.0]), // edge
        cuboid([1.0, 1.0, 1.0], [2.0, 2.0, 2.0]), // vertex
        cuboid([1.0, 0.2, 0.2], [2.0, 0.8, 0.8]), // part of a face
    ] {
        assert!(pair(a(), b.clone(), hard(0.002)).is_none());
        let c = pair(a(), b, clearance(0.05)).expect("touching is within any clearance");
        assert!(!c.hard && c.distance_m.abs() < 1e-6);
    }
}

#[test]
fn gaps_against_a_50mm_clearance() {
    for gap_mm in [1.0, 10.0, 49.0, 51.0, 100.0, 200.0] {
        let g = gap_mm / 1000.0;
        let a = cuboid([0.0; 3], [1.0; 3]);
        let b = cuboid([1.0 + g, 0.0, 0.0], [2.0 + g, 1.0, 1.0]);
        let c = pair(a, b, clearance(0.05));
        assert_eq!(c.is_some(), gap_mm < 50.0, "{gap_mm} mm");
        if let Some(c) = c {
            assert_eq!(c.kind, ClashKind::Clearance);
            assert!(near(c.distance_m, g, 1e-5), "{gap_mm} mm: {}", c.distance_m);
        }
    }
}

#[test]
fn a_hair_gap_under_a_non_convex_solid_is_looked_at_between_the_two() {
    // Found by the translation property test: an L-shaped slab 52 µm under a box. Parry calls
    // the two touching; the point to look at was the box's centre, inside the box and outside
    // the region between them.
    let slab = l_shape(0.36112562, [0.3456726527743673, 0.3624604412803434, -0.21409948414413918]);
    let top = slab.aabb.max[2];
    let gap = 5.17e-5;
    let b = cuboid([0.0, -0.23, top + gap], [0.75, 0.93, 0.88]);
    for offset in [[0.0; 3], [1e5, 1e6, 0.0]] {
        let moved = |m: &Mesh| {
            let o = [m.origin_m[0] + offset[0], m.origin_m[1] + offset[1], m.origin_m[2] + offset[2]];
            Mesh::new(o, m.vertices.clone(), m.triangles.clone())
        };
        let c = pair(moved(&slab), moved(&b), clearance(0.05)).expect("within the clearance");
        assert!(!c.hard && c.distance_m < 1e-4, "{}", c.distance_m);
        let z = c.point[2] - offset[2];
        assert!(z >= top - 1e-6 && z <= top + gap + 1e-6, "the point (z = {z}) lies in the gap above {top}");
        assert!(c.point[0] - offset[0] >= 0.34 && c.point[0] - offset[0] <= 0.76, "{:?}", c.point);
    }
}

#[test]
fn the_point_of_two_turned_solids_lies_in_both() {
    // Found by a property test: a thin plate and a box, both turned about z, overlapping in a
    // sliver along an edge. The centre of their boxes' overlap lies outside the block.
    let plate = Mesh::new(
        [0.0; 3],
        vec![
            [0.5529235, -0.9274661, -0.55135447],
            [0.53583527, 0.93222016, -0.55135447],
            [0.018457623, 0.9274661, -0.55135447],
            [0.035545845, -0.93222016, -0.55135447],
            [0.5529235, -0.9274661, -0.50135446],
            [0.53583527, 0.93222016, -0.50135446],
            [0.018457623, 0.9274661, -0.50135446],
            [0.035545845, -0.93222016, -0.50135446],
        ],
        cuboid([0.0; 3], [1.0; 3]).triangles,
    );
    let block = Mesh::new(
        [0.0; 3],
        vec![
            [0.03812884, 0.75778574, -0.66339415],
            [-1.7333034, 0.92671186, -0.66339415],
            [-1.8939393, -0.75778574, -0.66339415],
            [-0.122507066, -0.92671186, -0.66339415],
            [0.03812884, 0.75778574, 0.66339415],
            [-1.7333034, 0.92671186, 0.66339415],
            [-1.8939393, -0.75778574, 0.66339415],
            [-0.122507066, -0.92671186, 0.66339415],
        ],
        cuboid([0.0; 3], [1.0; 3]).triangles,
    );
    let centre = plate.aabb.intersection(&block.aabb).expect("boxes overlap").center();
    assert!(outside(&block, centre) > 1e-2, "the case needs the centre outside the block");
    let c = pair(plate.clone(), block.clone(), hard(0.002)).expect("a hard clash");
    assert!(c.exact, "two convex solids: EPA's depth");
    assert!(outside(&plate, c.point) < 1e-4 && outside(&block, c.point) < 1e-4, "{:?}", c.point);
}

#[test]
fn a_hard_overlap_in_a_clearance_test_is_marked_hard_with_negative_distance() {
    let c = pair(cuboid([0.0; 3], [1.0; 3]), cuboid([0.9, 0.0, 0.0], [2.0, 1.0, 1.0]), clearance(0.05))
        .expect("overlap");
    assert!(c.hard);
    assert!(near(c.distance_m, -0.1, 1e-5), "{}", c.distance_m);
}

#[test]
fn containment_is_a_clash_both_ways() {
    let big = || cuboid([0.0; 3], [10.0; 3]);
    let small = || cuboid([4.0, 4.0, 1.0], [5.0, 5.0, 2.0]);
    // The shortest way out for the small box is down by 2 m.
    for (a, b) in [(big(), small()), (small(), big())] {
        let c = pair(a, b, hard(0.002)).expect("containment is a clash");
        assert!(near(c.distance_m, 2.0, 1e-4), "{}", c.distance_m);
    }
}

#[test]
fn a_pipe_through_a_wall() {
    let wall = cuboid([-0.1, -2.0, 0.0], [0.1, 2.0, 3.0]);
    let pipe = cylinder_x(-1.0, 1.0, 0.0, 1.5, 0.05, 16);
    let c = pair(wall, pipe, hard(0.002)).expect("clash");
    // Shortest separation: slide the pipe 1.1 m along its axis out of the wall.
    assert!(near(c.distance_m, 1.1, 1e-4), "{}", c.distance_m);
    assert!(c.exact);
    // The reviewer's point is inside the wall.
    assert!(c.point[0].abs() <= 0.1 + 1e-6 && near(c.point[2], 1.5, 0.06), "{:?}", c.point);
}

#[test]
fn crossing_bars() {
    let a = cuboid([-1.0, -0.05, 0.0], [1.0, 0.05, 0.1]);
    let b = cuboid([-0.05, -1.0, 0.05], [0.05, 1.0, 0.15]);
    let c = pair(a, b, hard(0.002)).expect("clash");
    assert!(near(c.distance_m, 0.05, 1e-5), "{}", c.distance_m);
}

#[test]
fn coincident_solids_are_duplicates_and_hard_clashes() {
    let a = cuboid([0.0; 3], [1.0, 2.0, 3.0]);
    let c = pair(a.clone(), a.clone(), Mode::Duplicate { tolerance_m: 0.001 }).expect("duplicate");
    assert_eq!(c.kind, ClashKind::Duplicate);
    let h = pair(a.clone(), a.clone(), hard(0.002)).expect("hard");
    assert!(near(h.distance_m, 1.0, 1e-4), "{}", h.distance_m);
    // Moved by 5 mm: no longer a duplicate at 1 mm.
    let b = cuboid([0.005, 0.0, 0.0], [1.005, 2.0, 3.0]);
    assert!(pair(a, b, Mode::Duplicate { tolerance_m: 0.001 }).is_none());
}

#[test]
fn rotated_solids_vertex_into_face() {
    // A unit square prism rotated 45 degrees: its corner reaches x = sqrt(2)/2.
    let corner = std::f64::consts::FRAC_1_SQRT_2;
    for (overlap, clash) in [(0.001, false), (0.01, true), (0.05, true)] {
        let a = rotated_cuboid([0.0, 0.0, 0.5], [1.0, 1.0, 1.0], std::f64::consts::FRAC_PI_4);
        let b = cuboid([corner - overlap, -1.0, 0.0], [corner - overlap + 1.0, 1.0, 1.0]);
        let c = pair(a, b, hard(0.002));
        assert_eq!(c.is_some(), clash, "{overlap}");
        if let Some(c) = c {
            assert!(near(c.distance_m, overlap, 1e-4), "{overlap}: {}", c.distance_m);
        }
    }
}

#[test]
fn non_convex_l_shapes() {
    // A box in the L's notch, touching both inner faces: not a clash.
    let notch = cuboid([1.0, 1.0, 0.0], [2.0, 2.0, 1.0]);
    assert!(pair(l_shape(1.0, [0.0; 3]), notch.clone(), hard(0.002)).is_none());
    // The same box 20 mm further into the L: a face-aligned overlap of 20 mm.
    let into = cuboid([0.98, 1.0, 0.0], [1.98, 2.0, 1.0]);
    let c = pair(l_shape(1.0, [0.0; 3]), into, hard(0.002)).expect("clash");
    assert!(!c.exact);
    assert!(near(c.distance_m, 0.02, 2e-3), "estimate {}", c.distance_m);
    // A bar through the L's arm: the true minimum translation distance is 0.55 m (lift the bar
    // out of the arm); the estimate is the depth of the bar's faces inside the arm, 0.45 m.
    let bar = cuboid([-1.0, 0.45, 0.45], [3.0, 0.55, 0.55]);
    let c = pair(l_shape(1.0, [0.0; 3]), bar, hard(0.002)).expect("clash");
    assert!(c.distance_m >= 0.45 - 1e-4 && c.distance_m <= 0.55 + 1e-6, "estimate {}", c.distance_m);
    // A gap of 30 mm against a 50 mm clearance, across the notch.
    let gap = cuboid([1.03, 1.03, 0.0], [2.0, 2.0, 1.0]);
    let c = pair(l_shape(1.0, [0.0; 3]), gap, clearance(0.05)).expect("clearance");
    assert!(near(c.distance_m, 0.03, 1e-4), "{}", c.distance_m);
}

#[test]
fn far_from_the_origin_the_answers_do_not_change() {
    let origin = [512_345.678, 5_432_109.876, 45.0];
    let a = cuboid_at([0.0; 3], [1.0; 3], origin);
    let b = cuboid_at([0.997, 0.0, 0.0], [1.997, 1.0, 1.0], origin);
    let c = pair(a, b, hard(0.002)).expect("3 mm overlap");
    assert!(near(c.distance_m, 0.003, 1e-5), "{}", c.distance_m);
    assert!(near(c.point[0], origin[0] + 0.9985, 1e-3), "{:?}", c.point);
}

#[test]
fn identical_thin_boxes_are_a_hard_clash() {
    // Regression: EPA gave no contact for two identical 0.15 x 0.15 x 3.05 m busway boxes, so
    // a duplicated busway was not a hard clash.
    let a = cuboid([2.3, 4.5, 3.5], [5.35, 4.65, 3.65]);
    let c = pair(a.clone(), a, hard(0.002)).expect("coincident solids overlap");
    assert!(near(c.distance_m, 0.15, 1e-3), "{}", c.distance_m);
}

#[test]
fn an_open_mesh_still_contains_what_is_inside_it() {
    // A 10 m box with its top face missing (an exporter dropped two triangles), and a small box
    // inside it: still a hard clash, by the winding-number fallback.
    let mut open = cuboid([0.0; 3], [10.0; 3]);
    open.triangles.drain(2..4);
    let open = plumbline_model::Mesh::new(open.origin_m, open.vertices, open.triangles);
    let inner = cuboid([4.0, 4.0, 1.0], [5.0, 5.0, 2.0]);
    let c = pair(open.clone(), inner, hard(0.002)).expect("containment in an open mesh");
    assert!(c.distance_m > 0.5, "{}", c.distance_m);
    // And a box beside it is not.
    assert!(pair(open, cuboid([10.5, 0.0, 0.0], [11.0, 1.0, 1.0]), hard(0.002)).is_none());
}

#[test]
fn a_box_inside_another_sharing_two_faces_is_a_hard_clash() {
    // Regression: EPA called a door-sized box inside a wall, flush with both wall faces,
    // touching; and parry's convex point projection then tied between the two parallel faces.
    let wall = cuboid([0.0, 0.0, 0.0], [4.0, 0.2, 3.0]);
    let door = cuboid([0.99, 0.0, 0.0], [2.01, 0.2, 2.1]);
    let c = pair(wall, door, hard(0.002)).expect("the door is inside the wall");
    assert!(near(c.distance_m, 0.2, 1e-4), "{}", c.distance_m);
}

/// Repeated geometry (three identical L-shapes at different places, far from the origin)
/// shares one solid, and every answer is the one each element gets with a solid of its own.
#[test]
fn repeated_geometry_shares_one_solid_and_changes_no_answer() {
    let far = [412_000.0, 5_300_000.0, 40.0];
    let at = |dx: f64| [far[0] + dx, far[1], far[2]];
    let ls: Vec<Mesh> = [0.0, 5.0, 10.25].iter().map(|&dx| l_shape(3.0, at(dx))).collect();
    // A bar along X through the legs of all three, at a height inside them.
    let bar = cuboid_at([-1.0, 0.4, 1.0], [13.0, 0.6, 1.2], far);
    let mut meshes: Vec<(&str, Mesh)> = ls.iter().map(|m| ("IfcWall", m.clone())).collect();
    meshes.push(("IfcPipeSegment", bar.clone()));
    let set = model_set(meshes);
    let shapes = Shapes::new(&set);
    let test = Test { name: "t".into(), mode: hard(0.002), a: vec![r(0), r(1), r(2)], b: Some(vec![r(3)]) };
    let together = run_test(&shapes, &test, &|_, _| false).clashes;
    let solid = |i| shapes.get(r(i)).expect("shape").solid.clone();
    assert!(std::sync::Arc::ptr_eq(&solid(0), &solid(1)) && std::sync::Arc::ptr_eq(&solid(0), &solid(2)));
    assert!(!std::sync::Arc::ptr_eq(&solid(0), &solid(3)));
    assert_eq!(together.len(), 3);
    for (l, clash) in ls.iter().zip(&together) {
        let alone = pair(l.clone(), bar.clone(), hard(0.002)).expect("the bar passes through");
        assert_eq!(clash.distance_m.to_bits(), alone.distance_m.to_bits());
        assert_eq!(clash.point.map(f64::to_bits), alone.point.map(f64::to_bits));
        assert_eq!(clash.exact, alone.exact);
    }
}
