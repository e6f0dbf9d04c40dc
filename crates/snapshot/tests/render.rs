//! Snapshot rendering on hand-built boxes (projection matches the BCF camera) and on the
//! generated data hall around a seeded clash (the pair shows in colour, the picture is the same
//! every time and does not change 500 km from the origin).

use plumbline_clash::ClashKind;
use plumbline_ifc::{load_bytes, LoadOptions};
use plumbline_model::{Aabb, Element, Mesh, ModelSet};
use plumbline_review::{frame_box, Camera, ClashRecord, ElementInfo, Status, Text};
use plumbline_snapshot::{render, render_clash_png, Highlight, Image, SnapshotError};
use std::path::Path;
use std::sync::OnceLock;

const BG: [u8; 3] = [250, 250, 248];

fn is_red(p: [u8; 3]) -> bool {
    p[0] > 90 && p[0] > p[1].saturating_add(50) && p[0] > p[2].saturating_add(50)
}

fn is_green(p: [u8; 3]) -> bool {
    p[1] > 70 && p[1] > p[0].saturating_add(40) && p[1] > p[2].saturating_add(40)
}

fn count(img: &Image, f: impl Fn([u8; 3]) -> bool) -> usize {
    img.rgb.chunks_exact(3).filter(|c| f([c[0], c[1], c[2]])).count()
}

/// A proxy element `gid` whose mesh is the box from `min` to `max`.
fn element(gid: &str, min: [f64; 3], max: [f64; 3]) -> Element {
    plumbline_testkit::element("IfcBuildingElementProxy", gid).cuboid(min, max).build()
}

fn set_of(elements: Vec<Element>) -> ModelSet {
    plumbline_testkit::model(elements).path("boxes.ifc").into_set()
}

/// A camera at `origin` looking along +Y, Z up, 90° vertical field of view.
fn camera_along_y(origin: [f64; 3]) -> Camera {
    Camera { position: origin, direction: [0.0, 1.0, 0.0], up: [0.0, 0.0, 1.0], field_of_view_deg: 90.0 }
}

#[test]
fn projection_matches_the_bcf_camera() {
    // With a 90° vertical field of view on a 200x100 image the focal length is 50 px: a point
    // 10 m ahead and 4 m to the right lands 20 px right of the centre, 2 m up lands 10 px up.
    let set = set_of(vec![
        element("RIGHT", [3.9, 10.0, -0.1], [4.1, 10.2, 0.1]),
        element("UP", [-0.1, 10.0, 1.9], [0.1, 10.2, 2.1]),
    ]);
    let hl = Highlight { a: vec!["RIGHT".into()], b: vec!["UP".into()], focus: None };
    let img = render(&set, &camera_along_y([0.0; 3]), &hl, 200, 100).expect("renders");
    assert!(is_red(img.pixel(120, 50).expect("inside")), "{:?}", img.pixel(120, 50));
    assert!(is_green(img.pixel(100, 40).expect("inside")), "{:?}", img.pixel(100, 40));
    assert_eq!(img.pixel(100, 50), Some(BG));
    assert_eq!(img.pixel(0, 0), Some(BG));
    // Nothing is drawn left of the centre or below it.
    for y in 0..100 {
        for x in 0..95 {
            assert_eq!(img.pixel(x, y), Some(BG), "({x},{y})");
        }
    }
}

#[test]
fn nearer_elements_hide_farther_ones_and_grey_context_never_covers_the_clash() {
    // A red box 10 m ahead, a green box behind it; a grey wall just in front of the red box
    // (within the cut margin), and a grey screen halfway to the camera.
    let set = set_of(vec![
        element("A", [-1.0, 10.0, -1.0], [1.0, 11.0, 1.0]),
        element("B", [-3.0, 14.0, -3.0], [3.0, 15.0, 3.0]),
        element("WALL", [-0.5, 9.8, -4.0], [10.0, 9.9, 4.0]),
        element("SCREEN", [-5.0, 5.0, -5.0], [5.0, 5.1, 5.0]),
    ]);
    let focus = Aabb { min: [-1.0, 10.0, -1.0], max: [1.0, 11.0, 1.0] };
    let hl = Highlight { a: vec!["A".into()], b: vec!["B".into()], focus: Some(focus) };
    let img = render(&set, &camera_along_y([0.0; 3]), &hl, 200, 200).expect("renders");
    // Left of the wall: red in front of green; the screen at 5 m is cut away.
    let left = img.pixel(93, 100).expect("inside");
    assert!(is_red(left), "{left:?}");
    // Green around the red box, outside the wall.
    let green = img.pixel(82, 100).expect("inside");
    assert!(is_green(green), "{green:?}");
    // Behind the wall the red box still shows, washed with grey but red-dominant.
    let behind = img.pixel(105, 95).expect("inside");
    assert!(
        behind[0] > behind[1].saturating_add(40) && behind[0] > behind[2].saturating_add(40),
        "{behind:?}"
    );
    // The wall with nothing highlighted behind it is opaque grey.
    let wall = img.pixel(190, 100).expect("inside");
    assert!(wall[0] == wall[1] && wall[1] == wall[2] && wall[0] < 240, "{wall:?}");
}

#[test]
fn b_over_a_stays_red_dominant() {
    // A small red box inside a green one: the green is see-through where it covers red.
    let set = set_of(vec![
        element("A", [-0.5, 10.0, -0.5], [0.5, 11.0, 0.5]),
        element("B", [-2.0, 9.0, -2.0], [2.0, 12.0, 2.0]),
    ]);
    let hl = Highlight { a: vec!["A".into()], b: vec!["B".into()], focus: None };
    let img = render(&set, &camera_along_y([0.0; 3]), &hl, 200, 200).expect("renders");
    let inside = img.pixel(100, 100).expect("inside");
    assert!(inside[0] > inside[1], "{inside:?}");
    assert!(is_green(img.pixel(100, 80).expect("inside")));
}

#[test]
fn bad_sizes_and_cameras_are_errors() {
    let set = set_of(vec![]);
    let hl = Highlight::default();
    let cam = camera_along_y([0.0; 3]);
    assert!(matches!(render(&set, &cam, &hl, 0, 10), Err(SnapshotError::BadSize { .. })));
    assert!(matches!(render(&set, &cam, &hl, 10, 100_000), Err(SnapshotError::BadSize { .. })));
    let zero = Camera { direction: [0.0; 3], ..cam };
    assert!(matches!(render(&set, &zero, &hl, 10, 10), Err(SnapshotError::BadCamera(_))));
    let fov = Camera { field_of_view_deg: 0.0, ..cam };
    assert!(matches!(render(&set, &fov, &hl, 10, 10), Err(SnapshotError::BadCamera(_))));
    // An up vector along the view direction falls back to world Z instead of failing.
    let down = Camera { direction: [0.0, 0.0, -1.0], up: [0.0, 0.0, 1.0], ..cam };
    assert!(render(&set, &down, &hl, 10, 10).is_ok());
}

/// The generated data hall, loaded once for all tests here.
fn hall() -> &'static (ModelSet, plumbline_samples::Truth) {
    static HALL: OnceLock<(ModelSet, plumbline_samples::Truth)> = OnceLock::new();
    HALL.get_or_init(|| {
        let g = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::default());
        let m = load_bytes(Path::new("datacenter-hall.ifc"), g.ifc.into_bytes(), &LoadOptions::default())
            .expect("generated hall loads");
        (plumbline_testkit::model_set([m]), g.truth)
    })
}

fn info(set: &ModelSet, gid: &str) -> ElementInfo {
    let (r, _) = set.elements().find(|(_, e)| e.global_id == gid).expect("truth element exists");
    ElementInfo::from_set(set, r)
}

/// The seeded tray-through-duct clash as a report record.
fn tray_duct_record(set: &ModelSet, truth: &plumbline_samples::Truth) -> ClashRecord {
    let t = truth
        .clashes
        .iter()
        .find(|c| c.test == plumbline_samples::TRAYS_VS_DUCTS)
        .expect("the hall has a tray through a duct");
    let a = info(set, &t.a);
    let b = info(set, &t.b);
    let overlap = a.aabb.intersection(&b.aabb).expect("the pair's boxes overlap");
    ClashRecord {
        triage: None,
        id: "c1".into(),
        number: None,
        test: t.test.clone(),
        test_id: t.test.clone(),
        kind: ClashKind::Hard,
        distance_m: t.distance_m,
        hard: true,
        exact: true,
        point: overlap.center(),
        overlap_aabb: overlap,
        a,
        b,
        status: Status::New,
        group: "g1".into(),
        explanation: Text::default(),
        overlap_volume_m3: None,
        basis: None,
    }
}

fn write_for_inspection(name: &str, png: &[u8]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join(name), png).expect("target tmpdir is writable");
}

#[test]
fn data_hall_clash_shows_the_pair_in_colour_and_is_deterministic() {
    let (set, truth) = hall();
    let rec = tray_duct_record(set, truth);
    let png = render_clash_png(set, &rec, 640, 480).expect("renders");
    write_for_inspection("tray-duct.png", &png);
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let again = render_clash_png(set, &rec, 640, 480).expect("renders");
    assert_eq!(png, again, "same input, same PNG bytes");

    let img = render(set, &frame_box(&rec.overlap_aabb), &Highlight::clash(&rec), 640, 480).expect("renders");
    let red = count(&img, is_red);
    let green = count(&img, is_green);
    let background = count(&img, |p| p == BG);
    let grey = count(&img, |p| p[0] == p[1] && p[1] == p[2] && p[0] < 240);
    let n = 640 * 480;
    assert!(red > n / 100, "red pixels: {red}");
    assert!(green > n / 100, "green pixels: {green}");
    assert!(grey > n / 100, "grey context pixels: {grey}");
    assert!(background > n / 20 && background < n, "background pixels: {background}");
    // The camera looks at the overlap box's centre: both colours appear near the middle.
    let (mut red_mid, mut green_mid) = (0, 0);
    for y in 160..320 {
        for x in 213..427 {
            let p = img.pixel(x, y).expect("inside");
            red_mid += usize::from(is_red(p));
            green_mid += usize::from(is_green(p));
        }
    }
    assert!(red_mid > 100 && green_mid > 100, "middle third: red {red_mid}, green {green_mid}");
}

#[test]
fn far_from_the_origin_the_picture_is_the_same() {
    let (set, truth) = hall();
    let rec = tray_duct_record(set, truth);
    let near =
        render(set, &frame_box(&rec.overlap_aabb), &Highlight::clash(&rec), 320, 240).expect("renders");

    // The same hall moved 500 km east and north, 200 m up: mesh origins move, f32 offsets stay.
    let shift = [500_000.0, 500_000.0, 200.0];
    let mut far = set.clone();
    for m in &mut far.models {
        for e in &mut m.elements {
            if let Some(mesh) = &mut e.mesh {
                let origin = std::array::from_fn(|i| mesh.origin_m[i] + shift[i]);
                *mesh = Mesh::new(
                    origin,
                    std::mem::take(&mut mesh.vertices),
                    std::mem::take(&mut mesh.triangles),
                );
            }
        }
    }
    let moved = |b: &Aabb| Aabb {
        min: std::array::from_fn(|i| b.min[i] + shift[i]),
        max: std::array::from_fn(|i| b.max[i] + shift[i]),
    };
    let mut far_rec = rec.clone();
    far_rec.overlap_aabb = moved(&rec.overlap_aabb);
    let far_img = render(&far, &frame_box(&far_rec.overlap_aabb), &Highlight::clash(&far_rec), 320, 240)
        .expect("renders");
    let differing = near.rgb.chunks_exact(3).zip(far_img.rgb.chunks_exact(3)).filter(|(p, q)| p != q).count();
    assert!(differing < 320 * 240 / 200, "{differing} pixels differ 500 km away");
}
