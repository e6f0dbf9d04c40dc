//! Headless tests of picking: the ray cast into the element world (the first shown element,
//! its surface point and normal, hidden elements skipped, doors picked though walked through)
//! and the world kept in step with what the scene shows.

use crate::picking_plugin::cast_into_scene;
use crate::state::scene::{ModelScene, ViewFilter};
use crate::state::section::SectionBox;
use crate::state::spatial::{ElementWorld, SceneWorld};
use crate::tests::{headless_app, load_into, small_hall};
use bevy::prelude::*;
use parry3d::math::Vector as V;
use plumbline_model::{Aabb, ElementRef, ModelSet};
use plumbline_testkit::{element, model};

/// Far from the map origin, as real projects are: a pick must keep millimetres here.
const O: [f64; 3] = [500_000.0, 4_000_000.0, 100.0];

fn at(p: [f64; 3]) -> [f64; 3] {
    [O[0] + p[0], O[1] + p[1], O[2] + p[2]]
}

/// A slab with its top at z = 0, a 1 m cabinet on it at x 0..1, and a door at x 3..4.
fn room() -> (ModelSet, [ElementRef; 3]) {
    let set = model(vec![
        element("IfcSlab", "slab").cuboid(at([-5.0, -5.0, -0.3]), at([5.0, 5.0, 0.0])),
        element("IfcFurniture", "cabinet").cuboid(at([0.0, 0.0, 0.0]), at([1.0, 1.0, 1.0])),
        element("IfcDoor", "door").cuboid(at([3.0, 0.0, 0.0]), at([4.0, 0.1, 2.1])),
    ])
    .into_set();
    let refs: Vec<ElementRef> = set.elements().map(|(r, _)| r).collect();
    (set, [refs[0], refs[1], refs[2]])
}

#[test]
fn a_ray_picks_the_first_shown_element_with_its_surface_and_normal() {
    let (set, [slab, cabinet, door]) = room();
    let mut world = ElementWorld::new(&set, O);
    let down = V::new(0.0, 0.0, -1.0);
    // From 10 m above the cabinet's middle: its top, 9 m down, facing up.
    let hit = world.pick(&set, world.local(at([0.5, 0.5, 10.0])), down, 100.0).expect("a hit");
    assert_eq!(hit.element, cabinet);
    assert!((hit.distance_m - 9.0).abs() < 1e-4, "{hit:?}");
    assert!((hit.normal - V::Z).length() < 1e-4, "{hit:?}");
    // Beside it: the slab's top, 10 m down.
    let hit = world.pick(&set, world.local(at([2.0, 2.0, 10.0])), down, 100.0).expect("a hit");
    assert_eq!(hit.element, slab);
    assert!((hit.distance_m - 10.0).abs() < 1e-4, "{hit:?}");
    // Out of reach: nothing.
    assert_eq!(world.pick(&set, world.local(at([2.0, 2.0, 10.0])), down, 5.0), None);
    // A door is walked through but picked like anything else.
    let east = V::new(1.0, 0.0, 0.0);
    let hit = world.pick(&set, world.local(at([2.0, 0.05, 1.0])), east, 100.0).expect("a hit");
    assert_eq!(hit.element, door);
    assert!((hit.distance_m - 1.0).abs() < 1e-4 && (hit.normal + V::X).length() < 1e-4, "{hit:?}");
    assert_eq!(world.ray(&set, world.local(at([2.0, 0.05, 1.0])), east, 100.0), None, "walked through");
    // From inside the cabinet the face met is seen from behind: the normal faces the eye.
    let hit = world.pick(&set, world.local(at([0.5, 0.5, 0.5])), V::X, 100.0).expect("a hit");
    assert_eq!(hit.element, cabinet);
    assert!((hit.distance_m - 0.5).abs() < 1e-4 && (hit.normal + V::X).length() < 1e-4, "{hit:?}");
    // Hidden, the cabinet is looked through: the slab under it.
    world.set_shown(cabinet, false);
    let hit = world.pick(&set, world.local(at([0.5, 0.5, 10.0])), down, 100.0).expect("a hit");
    assert_eq!(hit.element, slab);
    world.mark_shown(|_| false);
    assert_eq!(world.pick(&set, world.local(at([0.5, 0.5, 10.0])), down, 100.0), None);
}

/// The render-space ray straight down onto a world point, from 50 m above it.
fn ray_down_onto(scene: &ModelScene, p: [f64; 3]) -> Ray3d {
    let above = crate::state::coords::render_from_world(scene.origin_m, [p[0], p[1], p[2] + 50.0]);
    Ray3d::new(above, Dir3::NEG_Y)
}

#[test]
fn picking_in_the_data_hall_follows_what_is_shown() {
    let (set, _) = small_hall();
    let mut app = headless_app();
    load_into(&mut app, set, None, None);
    app.update();
    // The highest element's top, from above its middle: that element, at its top.
    let (top, top_class, point) = {
        let scene = app.world().resource::<ModelScene>();
        let top_of = |r: &ElementRef| scene.aabb(*r).map_or(f64::NEG_INFINITY, |b| b.max[2]);
        let r = scene.entities.keys().copied().max_by(|a, b| top_of(a).total_cmp(&top_of(b))).expect("drawn");
        let e = scene.element(r);
        let b = scene.aabb(r).expect("a drawn element has a box");
        (r, e.class.clone(), [(b.min[0] + b.max[0]) / 2.0, (b.min[1] + b.max[1]) / 2.0, b.max[2]])
    };
    let pick = |app: &App| {
        let scene = app.world().resource::<ModelScene>();
        let section = app.world().resource::<SectionBox>();
        cast_into_scene(scene, app.world().resource::<SceneWorld>(), section, ray_down_onto(scene, point))
    };
    let (hit, depth, at, normal) = pick(&app).expect("a hit");
    assert_eq!(hit, top, "{}", app.world().resource::<ModelScene>().element(hit).class);
    assert!((depth - 50.0).abs() < 1e-3, "{depth}");
    let world_at = crate::state::coords::world_from_render(app.world().resource::<ModelScene>().origin_m, at);
    assert!((0..3).all(|k| (world_at[k] - point[k]).abs() < 1e-3), "{world_at:?} {point:?}");
    assert!((normal - Vec3::Y).length() < 1e-4, "up in render space: {normal}");
    // Its class unticked in the model tree: the pick goes through to something else.
    app.world_mut().resource_mut::<ViewFilter>().hidden_classes.insert(top_class.clone());
    app.update();
    let (below, ..) = pick(&app).expect("the floor under it");
    assert_ne!(app.world().resource::<ModelScene>().element(below).class, top_class);
    // Ticked again: picked again.
    app.world_mut().resource_mut::<ViewFilter>().hidden_classes.clear();
    app.update();
    assert_eq!(pick(&app).map(|h| h.0), Some(top));
    // A section box cutting everything above 1 m below that top: the pick goes into the cut,
    // to what the view shows there (nothing closer than the cut).
    let cut = point[2] - 1.0;
    *app.world_mut().resource_mut::<SectionBox>() =
        SectionBox { enabled: true, bounds: Aabb { min: [-1e6; 3], max: [1e6, 1e6, cut] } };
    app.update();
    let (_, depth, ..) = pick(&app).expect("something under the cut");
    assert!(depth >= 51.0 - 1e-3, "met below the cut: {depth}");
    // A box beside the ray: nothing is picked through the cut-away part.
    *app.world_mut().resource_mut::<SectionBox>() = SectionBox {
        enabled: true,
        bounds: Aabb { min: [point[0] + 1e3, -1e6, -1e6], max: [point[0] + 2e3, 1e6, 1e6] },
    };
    app.update();
    assert_eq!(pick(&app), None);
}

#[test]
fn the_section_box_clips_a_ray_to_what_it_keeps() {
    let off = SectionBox::default();
    assert_eq!(off.clip_ray([0.0; 3], [1.0, 0.0, 0.0], 50.0), Some((0.0, 50.0)));
    let b = SectionBox { enabled: true, bounds: Aabb { min: [2.0, -1.0, -1.0], max: [4.0, 1.0, 1.0] } };
    assert_eq!(b.clip_ray([0.0; 3], [1.0, 0.0, 0.0], 50.0), Some((2.0, 4.0)), "enters at 2, leaves at 4");
    assert_eq!(b.clip_ray([3.0, 0.0, 0.0], [1.0, 0.0, 0.0], 50.0), Some((0.0, 1.0)), "starts inside");
    assert_eq!(b.clip_ray([0.0; 3], [-1.0, 0.0, 0.0], 50.0), None, "the box is behind");
    assert_eq!(b.clip_ray([0.0, 5.0, 0.0], [1.0, 0.0, 0.0], 50.0), None, "passes beside it");
    assert_eq!(b.clip_ray([0.0; 3], [1.0, 0.0, 0.0], 1.5), None, "out of reach");
}
