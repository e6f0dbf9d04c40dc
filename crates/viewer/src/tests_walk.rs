//! Headless tests of walking and flying: the movement rules on small built scenes (gravity,
//! walls, steps, flying, speed), their cost on 100,000 elements, and the plugin in an `App`
//! (the `--walk` start in the generated data hall, keys, Esc).

use crate::state::camera::OrbitCamera;
use crate::state::scene::ModelScene;
use crate::state::spatial::{ElementWorld, SceneWorld};
use crate::state::walk::{NavMode, WalkInput, WalkPose, WalkStart, Walker, MAX_SPEED_M_S, RUN_FACTOR};
use crate::tests::{headless_app, load_into, small_hall};
use bevy::prelude::*;
use plumbline_model::ModelSet;
use plumbline_testkit::{element, model};

/// Far from the map origin, as real projects are: the queries must keep millimetres here.
const O: [f64; 3] = [500_000.0, 4_000_000.0, 100.0];

/// A world box from coordinates relative to [`O`].
fn at(p: [f64; 3]) -> [f64; 3] {
    [O[0] + p[0], O[1] + p[1], O[2] + p[2]]
}

/// A 40 m square slab with its top at z = 0 (relative to [`O`]) and the given boxes on it.
fn scene(boxes: &[(&str, [f64; 3], [f64; 3])]) -> ModelSet {
    let mut elements =
        vec![element("IfcSlab", "slab").cuboid(at([-20.0, -20.0, -0.3]), at([20.0, 20.0, 0.0]))];
    for (i, (class, lo, hi)) in boxes.iter().enumerate() {
        elements.push(element(class, &format!("e{i}")).cuboid(at(*lo), at(*hi)));
    }
    model(elements).into_set()
}

fn world_of(set: &ModelSet) -> ElementWorld {
    ElementWorld::new(set, O)
}

/// A walker in `mode` with its eye at `eye` (relative to [`O`]), looking along `heading_deg`.
fn walker(mode: NavMode, eye: [f64; 3], heading_deg: f32) -> Walker {
    let mut w = Walker { mode, ..Walker::default() };
    w.pose = WalkPose {
        feet_m: at([eye[0], eye[1], eye[2] - 1.7]),
        heading: heading_deg.to_radians(),
        pitch: 0.0,
    };
    w
}

/// The eye relative to [`O`].
fn eye(w: &Walker) -> [f64; 3] {
    let e = w.eye_m();
    [e[0] - O[0], e[1] - O[1], e[2] - O[2]]
}

const FORWARD: WalkInput = WalkInput { forward: 1.0, right: 0.0, up: 0.0, run: false };

/// Runs `seconds` of frames of 0.1 s.
fn run(w: &mut Walker, world: &ElementWorld, set: &ModelSet, input: &WalkInput, seconds: f64) {
    for _ in 0..(seconds * 10.0).round() as usize {
        w.step(Some(world), set, input, 0.1);
    }
}

#[test]
fn gravity_lands_the_eye_at_eye_height_on_the_highest_floor_below() {
    let set = scene(&[
        // A raised floor over part of the slab and a mezzanine higher up.
        ("IfcCovering", [5.0, -5.0, 0.55], [10.0, 5.0, 0.6]),
        ("IfcSlab", [-10.0, 5.0, 3.0], [-5.0, 10.0, 3.2]),
    ]);
    let world = world_of(&set);
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 6.0], 0.0);
    w.step(Some(&world), &set, &WalkInput::default(), 0.1);
    assert!(eye(&w)[2] < 6.0 && eye(&w)[2] > 5.8, "falling, not dropped at once: {:?}", eye(&w));
    assert!(!w.on_floor);
    run(&mut w, &world, &set, &WalkInput::default(), 3.0);
    assert!(w.on_floor, "landed");
    assert!((eye(&w)[2] - 1.7).abs() < 1e-4, "eye 1.7 m above the slab: {:?}", eye(&w));

    // Placed: straight onto the floor below the point, whichever is highest under it.
    for (point, expected) in [
        ([7.0, 0.0, 2.5], 0.6 + 1.7),
        ([-7.0, 7.0, 5.0], 3.2 + 1.7),
        ([-7.0, 7.0, 2.9], 1.7),
        ([0.0, 0.0, 1.0], 1.7),
    ] {
        w.place(Some(&world), &set, at(point));
        assert!((eye(&w)[2] - expected).abs() < 1e-4, "{point:?}: eye {:?}, expected {expected}", eye(&w));
        assert!(w.on_floor);
    }

    // Nothing below (off the slab's edge): the walker stays at its height rather than fall forever.
    let mut off = walker(NavMode::Walk, [30.0, 0.0, 1.7], 0.0);
    run(&mut off, &world, &set, &WalkInput::default(), 1.0);
    assert!((eye(&off)[2] - 1.7).abs() < 1e-9 && !off.on_floor);

    // Another eye height: the feet stay on the floor.
    w.place(Some(&world), &set, at([0.0, 0.0, 3.0]));
    w.set_eye_height(1.2);
    assert!((eye(&w)[2] - 1.2).abs() < 1e-4);
}

#[test]
fn walking_into_a_wall_stops_at_the_body_radius_and_slides_along_it() {
    let set = scene(&[("IfcWall", [5.0, -20.0, 0.0], [5.2, 20.0, 3.0])]);
    let world = world_of(&set);
    // East, straight at the wall, for longer than it takes to reach it.
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
    run(&mut w, &world, &set, &FORWARD, 6.0);
    let gap = 5.0 - eye(&w)[0];
    assert!((gap - 0.3).abs() < 0.01, "stopped 0.3 m from the wall, the body's radius: {gap}");
    assert!(eye(&w)[1].abs() < 1e-3, "not pushed sideways: {:?}", eye(&w));
    assert!((eye(&w)[2] - 1.7).abs() < 1e-4, "still on the floor");

    // North-east: blocked across, sliding along.
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 45.0);
    run(&mut w, &world, &set, &FORWARD, 6.0);
    let e = eye(&w);
    assert!((5.0 - e[0] - 0.3).abs() < 0.01, "held off the wall: {e:?}");
    assert!(e[1] > 4.0, "slid north along the wall: {e:?}");

    // Hidden, the wall is walked through; collision off, too.
    let mut hidden = world_of(&set);
    hidden
        .set_shown(set.elements().find(|(_, e)| e.class == "IfcWall").map(|(r, _)| r).expect("wall"), false);
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
    run(&mut w, &hidden, &set, &FORWARD, 6.0);
    assert!(eye(&w)[0] > 8.0, "through the hidden wall: {:?}", eye(&w));
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
    w.settings.collision = false;
    run(&mut w, &world, &set, &FORWARD, 6.0);
    assert!(eye(&w)[0] > 8.0, "through the wall with collision off: {:?}", eye(&w));
}

#[test]
fn a_small_step_is_walked_up_and_down_and_a_tall_obstacle_blocks() {
    // A 0.2 m step, 3 m deep, on the walker's way east.
    let set = scene(&[("IfcSlab", [2.0, -5.0, 0.0], [5.0, 5.0, 0.2])]);
    let world = world_of(&set);
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
    run(&mut w, &world, &set, &FORWARD, 2.0);
    assert!(eye(&w)[0] > 2.5, "walked onto the step: {:?}", eye(&w));
    assert!((eye(&w)[2] - 1.9).abs() < 1e-4, "standing on it: {:?}", eye(&w));
    run(&mut w, &world, &set, &FORWARD, 3.0);
    assert!(eye(&w)[0] > 6.0 && (eye(&w)[2] - 1.7).abs() < 1e-4, "and down off it: {:?}", eye(&w));

    // Taller than the step height (0.3 m): a rack, a 0.45 m plinth.
    for top in [2.2, 0.45] {
        let set = scene(&[("IfcFurniture", [2.0, -0.6, 0.0], [2.6, 0.6, top])]);
        let world = world_of(&set);
        let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
        run(&mut w, &world, &set, &FORWARD, 3.0);
        assert!(eye(&w)[0] < 2.0 - 0.1, "blocked by the {top} m obstacle: {:?}", eye(&w));
        assert!((eye(&w)[2] - 1.7).abs() < 1e-4, "not climbed: {:?}", eye(&w));
    }
    // A stair of ten 0.18 m risers and 0.28 m treads, up to a 1.8 m landing: climbed step by step.
    let mut boxes: Vec<(&str, [f64; 3], [f64; 3])> = (1..=10)
        .map(|i| ("IfcStairFlight", [1.0 + 0.28 * f64::from(i), -0.6, 0.0], [5.0, 0.6, 0.18 * f64::from(i)]))
        .collect();
    boxes.push(("IfcSlab", [3.8, -0.6, 1.62], [8.0, 0.6, 1.8]));
    let set = scene(&boxes);
    let world = world_of(&set);
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
    run(&mut w, &world, &set, &FORWARD, 5.0);
    assert!(
        eye(&w)[0] > 5.0 && (eye(&w)[2] - 3.5).abs() < 1e-3,
        "up the stair onto the landing: {:?}",
        eye(&w)
    );
    // Doors are walked through, as if open.
    let set = scene(&[("IfcDoor", [2.0, -0.6, 0.0], [2.1, 0.6, 2.1])]);
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 90.0);
    run(&mut w, &world_of(&set), &set, &FORWARD, 3.0);
    assert!(eye(&w)[0] > 4.0, "through the door: {:?}", eye(&w));
}

#[test]
fn flying_ignores_gravity_and_collides_only_when_asked() {
    let set = scene(&[("IfcWall", [5.0, -20.0, 0.0], [5.2, 20.0, 10.0])]);
    let world = world_of(&set);
    let mut w = walker(NavMode::Fly, [0.0, 0.0, 5.0], 90.0);
    run(&mut w, &world, &set, &WalkInput::default(), 2.0);
    assert_eq!(eye(&w)[2], 5.0, "no gravity");
    // Along the view, 30° up.
    w.pose.pitch = 30f32.to_radians();
    run(&mut w, &world, &set, &FORWARD, 1.0);
    let e = eye(&w);
    assert!((e[2] - 5.75).abs() < 1e-3 && (e[0] - 1.5 * 30f64.to_radians().cos()).abs() < 1e-3, "{e:?}");
    // Up and down keys.
    let up = WalkInput { up: 1.0, ..WalkInput::default() };
    run(&mut w, &world, &set, &up, 1.0);
    assert!((eye(&w)[2] - 7.25).abs() < 1e-3);

    // Collision off: through the wall; on: stopped at the radius.
    let mut w = walker(NavMode::Fly, [0.0, 0.0, 5.0], 90.0);
    w.settings.collision = false;
    run(&mut w, &world, &set, &FORWARD, 6.0);
    assert!(eye(&w)[0] > 8.0);
    let mut w = walker(NavMode::Fly, [0.0, 0.0, 5.0], 90.0);
    run(&mut w, &world, &set, &FORWARD, 6.0);
    assert!((5.0 - eye(&w)[0] - 0.3).abs() < 0.01, "{:?}", eye(&w));
    // Walking without gravity keeps the height too, and Q/E move it.
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 5.0], 0.0);
    w.settings.gravity = false;
    run(&mut w, &world, &set, &up, 1.0);
    assert!((eye(&w)[2] - 6.5).abs() < 1e-3, "{:?}", eye(&w));
}

#[test]
fn speed_is_set_changed_by_notches_and_tripled_running() {
    let set = scene(&[]);
    let world = world_of(&set);
    let mut w = walker(NavMode::Walk, [0.0, 0.0, 1.7], 0.0);
    w.set_speed(2.0);
    run(&mut w, &world, &set, &FORWARD, 1.0);
    assert!((eye(&w)[1] - 2.0).abs() < 1e-6, "2 m/s for 1 s: {:?}", eye(&w));
    run(&mut w, &world, &set, &WalkInput { run: true, ..FORWARD }, 1.0);
    assert!((eye(&w)[1] - 2.0 - 2.0 * RUN_FACTOR).abs() < 1e-6, "running: {:?}", eye(&w));
    // Diagonally no faster than straight on.
    let before = eye(&w);
    run(&mut w, &world, &set, &WalkInput { right: 1.0, ..FORWARD }, 1.0);
    let after = eye(&w);
    let moved = ((after[0] - before[0]).powi(2) + (after[1] - before[1]).powi(2)).sqrt();
    assert!((moved - 2.0).abs() < 1e-6, "{moved}");
    w.change_speed(1.0);
    assert!((w.settings.speed_m_s - 2.5).abs() < 1e-12);
    w.change_speed(-2.0);
    assert!((w.settings.speed_m_s - 1.6).abs() < 1e-12);
    w.set_speed(1e9);
    assert_eq!(w.settings.speed_m_s, MAX_SPEED_M_S);
    w.set_speed(f64::NAN);
    assert_eq!(w.settings.speed_m_s, MAX_SPEED_M_S, "nonsense is ignored");
    // Orbit mode: the keys do not move the walker.
    w.mode = NavMode::Orbit;
    assert!(!w.step(Some(&world), &set, &FORWARD, 0.1));
}

#[test]
fn the_walk_pose_and_the_orbit_camera_show_the_same_view() {
    let pose = WalkPose { feet_m: at([3.0, -2.0, 0.6]), heading: 1.2, pitch: -0.3 };
    let orbit = pose.orbit(O, 1.7, 5.0);
    let t = orbit.transform();
    let eye = crate::state::coords::world_from_render(O, t.translation);
    let expected = pose.eye_m(1.7);
    assert!((0..3).all(|k| (eye[k] - expected[k]).abs() < 1e-4), "{eye:?} vs {expected:?}");
    let back = WalkPose::from_orbit(&orbit, O, 1.7);
    assert!((back.heading - pose.heading).abs() < 1e-4 && (back.pitch - pose.pitch).abs() < 1e-4, "{back:?}");
    assert!((0..3).all(|k| (back.feet_m[k] - pose.feet_m[k]).abs() < 1e-4));
    // Dragging: right turns right (east of north), up looks up, never past the limit.
    let mut p = WalkPose::default();
    p.look_by([100.0, -100.0]);
    assert!(p.heading > 0.0 && p.pitch > 0.0);
    p.look_by([0.0, -1e6]);
    assert!(p.pitch <= crate::state::walk::MAX_LOOK_PITCH);
}

#[test]
fn a_hundred_thousand_elements_cost_what_the_few_nearby_cost() {
    // 100,000 racks in a grid, 2 m apart, on one slab.
    let n = 316usize;
    let mut elements =
        vec![element("IfcSlab", "slab")
            .cuboid(at([-1.0, -1.0, -0.3]), at([2.0 * n as f64, 2.0 * n as f64, 0.0]))];
    for i in 0..n * n {
        let (x, y) = (2.0 * (i % n) as f64 + 1.0, 2.0 * (i / n) as f64 + 0.5);
        elements.push(
            element("IfcFurniture", &format!("r{i}")).cuboid(at([x, y, 0.0]), at([x + 0.6, y + 1.0, 2.2])),
        );
    }
    let set = model(elements).into_set();
    let started = std::time::Instant::now();
    let world = world_of(&set);
    let build_s = started.elapsed().as_secs_f64();
    assert!(world.len() > 99_000);
    // Run up an aisle for 20 s of frames, 3° off its line: into the racks on its east side,
    // then sliding along them.
    let mut w = walker(NavMode::Walk, [2.3, 0.2, 1.7], 3.0);
    let started = std::time::Instant::now();
    run(&mut w, &world, &set, &WalkInput { run: true, ..FORWARD }, 20.0);
    let per_frame_ms = started.elapsed().as_secs_f64() * 1000.0 / 200.0;
    let e = eye(&w);
    assert!(e[1] > 60.0, "ran up the aisle: {e:?}");
    assert!(e[0] < 3.0 - 0.29, "held off the racks: {e:?}");
    println!(
        "walk over {} elements: index {build_s:.3} s, {per_frame_ms:.3} ms a frame, {} meshes built",
        world.len(),
        world.meshes_built()
    );
    assert!(
        world.meshes_built() < 500,
        "only the elements near the path are meshed: {}",
        world.meshes_built()
    );
    // Generous bounds for a busy two-core machine in a debug build; typical is far below.
    assert!(per_frame_ms < 20.0, "{per_frame_ms} ms a frame");
    assert!(build_s < 5.0, "{build_s} s to index");
}

/// The headless viewer with the walk plugin and a camera, the time advancing 0.1 s a frame.
fn walk_app() -> App {
    let mut app = headless_app();
    app.add_plugins(crate::walk_plugin::WalkPlugin)
        .insert_resource(ButtonInput::<KeyCode>::default())
        .insert_resource(bevy::time::TimeUpdateStrategy::ManualDuration(std::time::Duration::from_millis(
            100,
        )));
    app.world_mut().spawn((OrbitCamera::default(), Transform::default()));
    app
}

fn orbit_eye(app: &mut App) -> [f64; 3] {
    let origin = app.world().resource::<ModelScene>().origin_m;
    let mut q = app.world_mut().query::<&OrbitCamera>();
    let orbit = *q.single(app.world()).expect("one camera");
    crate::state::coords::world_from_render(origin, orbit.transform().translation)
}

fn press(app: &mut App, keys: &[KeyCode]) {
    let mut input = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    input.clear();
    input.release_all();
    for k in keys {
        input.press(*k);
    }
}

#[test]
fn walk_starts_in_the_data_hall_at_eye_height_stops_at_a_rack_and_esc_leaves() {
    let (set, _) = small_hall();
    let mut app = walk_app();
    // In front of row 1's racks (y 2.0..3.2), over the raised floor (top 0.6 m), facing south.
    app.insert_resource(WalkStart { mode: NavMode::Walk, eye_m: [3.3, 3.8, 2.6], heading_deg: 180.0 });
    load_into(&mut app, set, None, None);
    app.update();
    app.update();
    let walker = app.world().resource::<Walker>().clone();
    assert_eq!(walker.mode, NavMode::Walk);
    let eye = walker.eye_m();
    assert!((eye[2] - 2.3).abs() < 1e-3, "1.7 m above the raised floor: {eye:?}");
    assert!(walker.on_floor);
    let cam = orbit_eye(&mut app);
    assert!((0..3).all(|k| (cam[k] - eye[k]).abs() < 1e-3), "the camera is at the eye: {cam:?} {eye:?}");
    let world = app.world().resource::<SceneWorld>();
    assert!(world.world.as_ref().is_some_and(|w| w.len() > 10));

    // W walks south into the rack row: stopped 0.3 m from the racks' fronts.
    press(&mut app, &[KeyCode::KeyW]);
    for _ in 0..30 {
        app.update();
    }
    let eye = app.world().resource::<Walker>().eye_m();
    assert!((eye[1] - 3.5).abs() < 0.01, "held off the rack by the body's radius: {eye:?}");
    assert!((eye[2] - 2.3).abs() < 1e-3);

    // Esc: back to the orbit camera, where the walker stood, looking the same way.
    press(&mut app, &[KeyCode::Escape]);
    app.update();
    assert_eq!(app.world().resource::<Walker>().mode, NavMode::Orbit);
    let cam = orbit_eye(&mut app);
    assert!((0..3).all(|k| (cam[k] - eye[k]).abs() < 1e-3), "{cam:?} {eye:?}");
    // Keys no longer move anything.
    press(&mut app, &[KeyCode::KeyW]);
    app.update();
    assert_eq!(app.world().resource::<Walker>().eye_m(), eye);

    // Ctrl+9 flies from the orbit camera's eye: no gravity.
    press(&mut app, &[KeyCode::ControlLeft, KeyCode::Digit9]);
    app.update();
    press(&mut app, &[]);
    for _ in 0..5 {
        app.update();
    }
    let walker = app.world().resource::<Walker>();
    assert_eq!(walker.mode, NavMode::Fly);
    assert!((walker.eye_m()[2] - eye[2]).abs() < 1e-3, "no fall when flying");
    // Ctrl+9 again goes back to orbiting.
    press(&mut app, &[KeyCode::ControlLeft, KeyCode::Digit9]);
    app.update();
    assert_eq!(app.world().resource::<Walker>().mode, NavMode::Orbit);
}

#[test]
fn hidden_elements_are_not_walked_on() {
    // Under the raised floor (0.55..0.6 m) at this point runs a power tray (top 0.2 m) on the
    // slab (top 0 m): hiding the raised floor lands the walker on the tray, hiding both on the slab.
    for (hidden, floor_m) in
        [(&["IfcCovering"][..], 0.2), (&["IfcCovering", "IfcCableCarrierSegment"][..], 0.0)]
    {
        let (set, _) = small_hall();
        let mut app = walk_app();
        app.insert_resource(WalkStart { mode: NavMode::Walk, eye_m: [3.3, 3.8, 2.6], heading_deg: 90.0 });
        let mut filter = app.world_mut().resource_mut::<crate::state::scene::ViewFilter>();
        filter.hidden_classes.extend(hidden.iter().map(|c| c.to_string()));
        load_into(&mut app, set, None, None);
        app.update();
        app.update();
        let eye = app.world().resource::<Walker>().eye_m();
        assert!(
            (eye[2] - floor_m - 1.7).abs() < 1e-3,
            "{hidden:?} hidden: on the floor at {floor_m} m: {eye:?}"
        );
    }
}
