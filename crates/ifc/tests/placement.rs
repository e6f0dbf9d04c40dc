//! Element placements: the `ObjectPlacement` frame of every product, in the same world frame
//! and units as its mesh. Known answers come from the generated data hall (whose writer records
//! the front of each piece of equipment) and from real files, where a wall's own frame must run
//! along the wall.

use plumbline_ifc::{load_bytes, load_file, LoadOptions};
use plumbline_model::{Element, Model, Placement};
use plumbline_testkit::ifc_file;
use std::path::Path;

fn near(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
    (0..3).all(|i| (a[i] - b[i]).abs() <= tol)
}

/// The box of an element's mesh in its own placement's frame.
fn local_box(p: &Placement, e: &Element) -> ([f64; 3], [f64; 3]) {
    let mesh = e.mesh.as_ref().expect("meshed");
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for i in 0..mesh.vertices.len() as u32 {
        let l = p.local_from_world(mesh.world_vertex(i));
        for k in 0..3 {
            lo[k] = lo[k].min(l[k]);
            hi[k] = hi[k].max(l[k]);
        }
    }
    (lo, hi)
}

fn orthonormal(p: &Placement) -> bool {
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    (0..3).all(|i| {
        (0..3).all(|j| {
            let want = if i == j { 1.0 } else { 0.0 };
            (dot(p.axis(i), p.axis(j)) - want).abs() < 1e-5
        })
    })
}

#[test]
fn generated_equipment_faces_its_recorded_front() {
    let g = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::default());
    let m = load_bytes(Path::new("hall.ifc"), g.ifc.into_bytes(), &LoadOptions::default()).expect("loads");
    let (mut racks, mut boards) = (0, 0);
    let (mut racks_pos_y, mut racks_neg_y) = (0, 0);
    for e in &m.elements {
        let name = e.name.as_deref().unwrap_or("");
        let is_rack = e.object_type.as_deref() == Some("SERVER RACK");
        let is_board =
            matches!(e.class.as_str(), "IfcElectricDistributionBoard" | "IfcElectricFlowStorageDevice");
        if !(is_rack || is_board) {
            continue;
        }
        let p = e.placement.expect("equipment is placed");
        assert!(orthonormal(&p), "{name}: {p:?}");
        // The writer puts a box's origin at the centre of its bottom face.
        let b = e.aabb().expect("meshed");
        let bottom_centre = [0.5 * (b.min[0] + b.max[0]), 0.5 * (b.min[1] + b.max[1]), b.min[2]];
        assert!(
            near(p.origin_m, bottom_centre, 1e-6),
            "{name}: origin {:?} vs {bottom_centre:?}",
            p.origin_m
        );
        assert!(near(p.axis(2), [0.0, 0.0, 1.0], 1e-6), "{name}: up {:?}", p.axis(2));
        let front = p.axis(1);
        if is_rack {
            // "Server rack H1-R03-05": row 3; even rows (counted from 0) face +Y.
            racks += 1;
            let row: u32 = name
                .split('-')
                .nth(1)
                .and_then(|r| r.strip_prefix('R'))
                .and_then(|r| r.parse().ok())
                .expect("row in the name");
            // Row numbers start at 1, so odd numbers are the even rows counted from 0.
            let want = if !row.is_multiple_of(2) { [0.0, 1.0, 0.0] } else { [0.0, -1.0, 0.0] };
            assert!(near(front, want, 1e-6), "{name}: front {front:?}");
            if want[1] > 0.0 {
                racks_pos_y += 1;
            } else {
                racks_neg_y += 1;
            }
        } else {
            // Switchboards, UPS units and PDUs stand against east walls or face west to the
            // tray spines: all face -X.
            boards += 1;
            assert!(near(front, [-1.0, 0.0, 0.0], 1e-6), "{name}: front {front:?}");
        }
    }
    // Default hall: 4 rows of 8 racks plus the seeded duplicate and the four racks the
    // aisle-width seeds add, 2 PDUs per row, 4 units in the electrical room.
    assert_eq!((racks, boards), (37, 12));
    assert!(racks_pos_y >= 16 && racks_neg_y >= 16, "{racks_pos_y} {racks_neg_y}");
}

/// In a real file a wall's frame runs along the wall: its local box is longest along local X,
/// as thin as the wall across it, starts at the frame's base, and the frame's origin lies at
/// the wall's start.
fn walls_follow_their_frames(m: &Model, min_walls: usize) {
    let (mut walls, mut along_x, mut origin_on_box) = (0usize, 0usize, 0usize);
    for e in &m.elements {
        if !e.class.starts_with("IfcWall") || e.mesh.is_none() {
            continue;
        }
        let Some(p) = e.placement else { continue };
        assert!(orthonormal(&p), "{}: {p:?}", e.global_id);
        walls += 1;
        let (lo, hi) = local_box(&p, e);
        if hi[0] - lo[0] >= hi[1] - lo[1] {
            along_x += 1;
        }
        // Walls are trimmed where they meet (AC11's start 0.3 m along their axis), so the
        // origin lies near the box rather than on it; across the wall the local box is the
        // wall's thickness, and it starts at the frame's base.
        let b = e.aabb().expect("meshed").inflated(0.5);
        let thin = hi[1] - lo[1] <= 0.6 && lo[2].abs() < 0.01;
        if thin && (0..3).all(|k| b.min[k] <= p.origin_m[k] && p.origin_m[k] <= b.max[k]) {
            origin_on_box += 1;
        } else if std::env::var_os("PLACEMENT_DEBUG").is_some() {
            println!("{} origin {:?} box {:?} local {lo:?} {hi:?}", e.global_id, p.origin_m, e.aabb());
        }
    }
    println!("{}: {walls} walls, {along_x} run along local X, {origin_on_box} have a thin local box at their base with the origin within 0.5 m", m.path);
    assert!(walls >= min_walls, "{walls} walls");
    assert!(along_x * 10 >= walls * 9, "{along_x} of {walls} walls run along local X");
    assert!(origin_on_box * 10 >= walls * 9, "{origin_on_box} of {walls} walls fit their frames");
}

#[test]
fn real_walls_run_along_their_placements() {
    for (rel, min_walls) in [
        ("bimserver-testfiles/AC11-Institute-Var-2-IFC.ifc", 20),
        ("data-centric-bim/Duplex_House_4D_Complete.ifc", 20),
    ] {
        let Some(path) = ifc_file(rel) else { continue };
        let m = load_file(&path, &LoadOptions::default()).expect("corpus file loads");
        walls_follow_their_frames(&m, min_walls);
    }
}
