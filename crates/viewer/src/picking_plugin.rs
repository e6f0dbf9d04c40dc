//! Click to select: the pointer's ray is cast into the scene's element world (a bounding volume
//! hierarchy of the elements' boxes and their triangles, [`crate::state::spatial`]), and the
//! element it meets first is reported to Bevy's picking as the hit, so clicks and hovers arrive
//! as Bevy's pointer events; a click on empty space clears the selection. A press that moved
//! more than a few pixels was an orbit or a pan, not a click.
//!
//! Casting into the elements rather than into Bevy's meshes costs a few leaves of the hierarchy
//! instead of a test of every entity's box, picks exactly the element's own triangles (in the
//! `f64` world, whichever render batch draws them), and skips exactly what is hidden.

use crate::state::camera::{pointer_in_view, OrbitCamera, PointerDrag, ViewRect};
use crate::state::clash::ClashReview;
use crate::state::config::ViewerConfig;
use crate::state::coords::world_from_render;
use crate::state::load::{LoadPhase, LoadState};
use crate::state::measure::Measure;
use crate::state::scene::{ElementId, Hovered, ModelScene, Selection};
use crate::state::section::SectionBox;
use crate::state::spatial::SceneWorld;
use bevy::picking::backend::ray::RayMap;
use bevy::picking::backend::{HitData, PointerHits};
use bevy::picking::pointer::PointerButton;
use bevy::picking::PickingSystems;
use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;
use parry3d::math::Vector as V;
use plumbline_model::ElementRef;

/// Pixels a press may move and still count as a click.
const CLICK_SLOP_PX: f32 = 5.0;

/// How far a pick ray reaches (metres): past any model.
const PICK_REACH_M: f32 = 1.0e7;

/// Element picking and click selection.
#[derive(Debug, Default)]
pub struct ClickSelectPlugin;

impl Plugin for ClickSelectPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(PreUpdate, report_hits.in_set(PickingSystems::Backend))
            .init_resource::<Hovered>()
            .add_systems(Update, (select_on_click, track_hover));
        let at = app.world().get_resource::<ViewerConfig>().and_then(|c| c.pick_at);
        if let Some(at) = at {
            app.insert_resource(ScriptedPick { at, frames: 0, done: false }).add_systems(Last, scripted_pick);
        }
    }
}

/// What a render-space ray meets first in the scene: the element, the distance along the ray,
/// and the point and normal there (render space). With the section box on, only what the box
/// keeps is met (the ray is clipped to the box first), as the view shows it.
pub fn cast_into_scene(
    scene: &ModelScene,
    world: &SceneWorld,
    section: &SectionBox,
    ray: Ray3d,
) -> Option<(ElementRef, f32, Vec3, Vec3)> {
    let w = world.world.as_ref()?;
    let from_m = world_from_render(scene.origin_m, ray.origin);
    // Render space is Y-up (x, z, -y of the world): a direction turns without moving.
    let d = *ray.direction;
    let dir = V::new(d.x, -d.z, d.y);
    let dir_m = [dir.x, dir.y, dir.z].map(f64::from);
    let (enter, leave) = section.clip_ray(from_m, dir_m, f64::from(PICK_REACH_M))?;
    let start_m: [f64; 3] = std::array::from_fn(|k| from_m[k] + dir_m[k] * enter);
    let hit = w.pick(&scene.set, w.local(start_m), dir, (leave - enter) as f32)?;
    let distance = enter as f32 + hit.distance_m;
    let n = hit.normal;
    Some((hit.element, distance, ray.get_point(distance), Vec3::new(n.x, n.z, -n.y)))
}

/// The picking backend: each pointer's ray from the 3D camera, cast into the scene, reported
/// as a hit on the element's entity.
fn report_hits(
    rays: Res<RayMap>,
    cameras: Query<&Camera, With<OrbitCamera>>,
    scene: Res<ModelScene>,
    world: Res<SceneWorld>,
    section: Res<SectionBox>,
    mut hits: MessageWriter<PointerHits>,
) {
    for (id, ray) in rays.iter() {
        let Ok(camera) = cameras.get(id.camera) else { continue };
        let Some((element, depth, point, normal)) = cast_into_scene(&scene, &world, &section, *ray) else {
            continue;
        };
        let Some(&entity) = scene.entities.get(&element) else { continue };
        let hit = HitData::new(id.camera, depth, Some(point), Some(normal));
        hits.write(PointerHits::new(id.pointer, vec![(entity, hit)], camera.order as f32));
    }
}

/// `--pick-at X,Y`: one pick, timed, once the model is shown.
#[derive(Resource, Debug)]
struct ScriptedPick {
    at: Vec2,
    frames: u32,
    done: bool,
}

/// Picks at a window position (logical pixels) the way a click does (the same ray cast into
/// the same element world), selects the hit and prints how long the ray cast took: the picking figure
/// of the viewer's benchmark, and a way to reproduce a selection from the command line.
fn scripted_pick(
    load: Res<LoadState>,
    mut pick: ResMut<ScriptedPick>,
    cameras: Query<(&Camera, &GlobalTransform), With<OrbitCamera>>,
    world: Res<SceneWorld>,
    section: Res<SectionBox>,
    scene: Res<ModelScene>,
    mut selection: ResMut<Selection>,
) {
    if pick.done || matches!(load.phase, LoadPhase::Loading) {
        return;
    }
    pick.frames += 1;
    // After the camera has settled on the loaded model (frames 1-2 fit and draw it).
    if pick.frames < 3 {
        return;
    }
    pick.done = true;
    let Ok((camera, transform)) = cameras.single() else { return };
    let Ok(ray) = camera.viewport_to_world(transform, pick.at) else {
        println!("plumbline-viewer pick: ({}, {}) is outside the view", pick.at.x, pick.at.y);
        return;
    };
    let started = std::time::Instant::now();
    let hit = cast_into_scene(&scene, &world, &section, ray).map(|(element, ..)| element);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let name = hit.map_or("none".to_string(), |r| scene.element(r).global_id.clone());
    println!(
        "plumbline-viewer pick: x={} y={} ms={ms:.2} hit={name} elements={}",
        pick.at.x,
        pick.at.y,
        scene.drawn()
    );
    selection.select_element(hit);
}

#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each input it combines")]
fn select_on_click(
    mut clicks: MessageReader<Pointer<Click>>,
    buttons: Res<ButtonInput<MouseButton>>,
    drag: Res<PointerDrag>,
    egui: Option<Res<EguiWantsInput>>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    rect: Res<ViewRect>,
    elements: Query<&ElementId>,
    mut selection: ResMut<Selection>,
    mut review: ResMut<ClashReview>,
    mut measure: ResMut<Measure>,
    scene: Res<ModelScene>,
) {
    let hit_at = clicks
        .read()
        .filter(|c| c.event.button == PointerButton::Primary)
        .find_map(|c| elements.get(c.entity).ok().map(|id| (id.element, c.event.hit.position)));
    let hit = hit_at.map(|(e, _)| e);
    let released = buttons.just_released(MouseButton::Left);
    if !released || drag.travelled_px > CLICK_SLOP_PX || !drag.in_view {
        return;
    }
    if !pointer_in_view(windows.single().ok(), &rect, egui.as_deref()) {
        return;
    }
    // While measuring point to point, the click's surface point goes to the measure tool.
    if let (true, Some((e, Some(p)))) = (measure.active && measure.points_mode, hit_at) {
        measure.clicked = Some((e, world_from_render(scene.origin_m, p)));
    }
    if selection.element != hit || selection.task.is_some() {
        selection.select_element(hit);
    }
    // Picking an element leaves clash review for the model.
    if hit.is_some() && review.focused.is_some() {
        review.focused = None;
    }
}

/// Keeps [`Hovered`] on the element under the pointer (the tooltip's subject); nothing while
/// the pointer is off the 3D view.
fn track_hover(
    mut over: MessageReader<Pointer<Over>>,
    mut out: MessageReader<Pointer<Out>>,
    egui: Option<Res<EguiWantsInput>>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    rect: Res<ViewRect>,
    elements: Query<&ElementId>,
    mut hovered: ResMut<Hovered>,
) {
    let mut now = hovered.0;
    for o in out.read() {
        if elements.get(o.entity).ok().map(|id| id.element) == now {
            now = None;
        }
    }
    if let Some(e) = over.read().filter_map(|o| elements.get(o.entity).ok()).last() {
        now = Some(e.element);
    }
    if !pointer_in_view(windows.single().ok(), &rect, egui.as_deref()) {
        now = None;
    }
    if hovered.0 != now {
        hovered.0 = now;
    }
}
