//! The orbit camera: left drag orbits, right or middle drag (or shift + left) pans, the wheel
//! zooms; fit all, fit a box, and fly to a review camera (`plumbline_review::Camera`).
//!
//! Its pose ([`OrbitCamera`]) and the requests it follows ([`CameraCommand`]) are shared state:
//! other features ask for a view by writing a command.

use crate::state::camera::{
    pointer_in_view, CameraCommand, CameraFlight, OrbitCamera, PointerDrag, ViewRect, MAX_PITCH,
};
use crate::state::clash::ClashReview;
use crate::state::config::ViewerConfig;
use crate::state::coords::render_from_world;
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::walk::orbiting;
use bevy::camera::Viewport;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy_egui::input::EguiWantsInput;
use plumbline_model::Aabb;

/// The union of the selected elements' boxes.
fn selection_bounds(scene: &ModelScene, selection: &Selection) -> Option<Aabb> {
    selection
        .element
        .iter()
        .chain(selection.group.iter())
        .filter_map(|r| scene.aabb(*r))
        .reduce(|a, b| a.union(&b))
}

/// The orbit camera, its lights, and fitting.
#[derive(Debug, Default)]
pub struct CameraPlugin;

impl Plugin for CameraPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<CameraFlight>()
            .init_resource::<PointerDrag>()
            .init_resource::<ViewRect>()
            .insert_resource(ClearColor(Color::srgb(0.16, 0.17, 0.20)))
            .insert_resource(GlobalAmbientLight {
                color: Color::WHITE,
                brightness: 900.0,
                affects_lightmapped_meshes: true,
            })
            .add_systems(Startup, setup_camera)
            .add_systems(
                Update,
                (
                    // Walking and flying take the keys and the mouse (see the walk plugin).
                    keyboard.run_if(orbiting),
                    mouse.run_if(orbiting),
                    fit_on_load,
                    commands,
                    fly,
                    apply_viewport,
                    sync_transform,
                )
                    .chain(),
            )
            .add_systems(Update, choose_antialiasing);
    }
}

/// How edges are smoothed: 4x multisampling on a GPU, where it costs little; FXAA (one
/// full-screen pass) on a software renderer, where multisampling was most of the frame
/// (Mesa lavapipe, 1600×1000: 272 elements 590 → 220 ms a frame, 9,988 elements 1,600 →
/// 210 ms, 99,813 elements 3,400 → 690 ms). Virtual desktops without a GPU, common in
/// banks, render this way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Antialiasing {
    Msaa4,
    Fxaa,
}

impl Antialiasing {
    /// The choice for an adapter of this kind.
    pub fn for_device(device: wgpu_types::DeviceType) -> Antialiasing {
        if crate::state::camera::software_renderer(device) {
            Antialiasing::Fxaa
        } else {
            Antialiasing::Msaa4
        }
    }
}

/// Sets the camera's antialiasing once the render adapter is known.
fn choose_antialiasing(
    mut commands: Commands,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    mut cameras: Query<(Entity, &mut Msaa), With<OrbitCamera>>,
    mut done: Local<bool>,
) {
    let Some(adapter) = adapter else { return };
    if *done {
        return;
    }
    let Ok((camera, mut msaa)) = cameras.single_mut() else { return };
    *done = true;
    if Antialiasing::for_device(adapter.device_type) == Antialiasing::Fxaa {
        info!("software renderer ({}): FXAA instead of 4x multisampling", adapter.name);
        *msaa = Msaa::Off;
        commands.entity(camera).insert(bevy::anti_alias::fxaa::Fxaa::default());
    }
}

fn setup_camera(mut commands: Commands) {
    let orbit = OrbitCamera::default();
    commands.spawn((
        Camera3d::default(),
        Projection::Perspective(PerspectiveProjection {
            fov: 45f32.to_radians(),
            near: 0.05,
            far: 5000.0,
            ..default()
        }),
        orbit.transform(),
        orbit,
    ));
    commands.spawn((
        DirectionalLight { illuminance: 6000.0, shadow_maps_enabled: false, ..default() },
        Transform::from_xyz(0.3, 1.0, 0.5).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    commands.spawn((
        DirectionalLight { illuminance: 2000.0, shadow_maps_enabled: false, ..default() },
        Transform::from_xyz(-0.6, 0.4, -0.8).looking_at(Vec3::ZERO, Vec3::Y),
    ));
}

fn fov_of(projection: &Projection) -> f32 {
    match projection {
        Projection::Perspective(p) => p.fov,
        _ => 45f32.to_radians(),
    }
}

/// Render-space centre and radius of a world box.
fn sphere_of(origin_m: [f64; 3], b: &Aabb) -> (Vec3, f32) {
    let lo = render_from_world(origin_m, b.min);
    let hi = render_from_world(origin_m, b.max);
    ((lo + hi) * 0.5, (hi - lo).length() * 0.5)
}

fn fit_on_load(
    scene: Res<ModelScene>,
    review: Res<ClashReview>,
    config: Option<Res<ViewerConfig>>,
    mut out: MessageWriter<CameraCommand>,
) {
    // A clash focused at load time has already sent its own camera.
    if scene.is_changed() && scene.loaded && review.focused.is_none() {
        out.write(match config.and_then(|c| c.view) {
            Some(view) => CameraCommand::View(view),
            None => CameraCommand::FitAll,
        });
    }
}

fn commands(
    mut incoming: MessageReader<CameraCommand>,
    scene: Res<ModelScene>,
    selection: Res<Selection>,
    mut flight: ResMut<CameraFlight>,
    cameras: Query<(&OrbitCamera, &Projection)>,
) {
    let Ok((orbit, projection)) = cameras.single() else { return };
    let current = flight.target.unwrap_or(*orbit);
    let fov = fov_of(projection);
    for c in incoming.read() {
        let fit_box = |b: &Aabb| {
            let (centre, radius) = sphere_of(scene.origin_m, b);
            current.fitting(centre, radius, fov)
        };
        let target = match c {
            CameraCommand::FitAll => scene.bounds.as_ref().map(fit_box),
            CameraCommand::FitBox(b) => (!b.is_empty()).then(|| fit_box(b)),
            CameraCommand::FitSelection => {
                selection_bounds(&scene, &selection).or(scene.bounds).as_ref().map(fit_box)
            }
            CameraCommand::View(view) => {
                let (yaw, pitch) = view.angles();
                let turned = OrbitCamera { yaw, pitch, ..current };
                selection_bounds(&scene, &selection).or(scene.bounds).map(|b| {
                    let (centre, radius) = sphere_of(scene.origin_m, &b);
                    turned.fitting(centre, radius, fov)
                })
            }
            CameraCommand::Review { camera, target_m } => {
                Some(OrbitCamera::from_review(scene.origin_m, camera, *target_m, fov))
            }
        };
        if let Some(t) = target {
            flight.target = Some(t);
        }
    }
}

fn fly(
    time: Res<Time>,
    mut flight: ResMut<CameraFlight>,
    mut cameras: Query<&mut OrbitCamera>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Some(target) = flight.target else { return };
    let Ok(mut orbit) = cameras.single_mut() else { return };
    // Exponential approach, frame-rate independent; jumps when asked or when a frame is slow.
    let t = if flight.instant { 1.0 } else { 1.0 - (-8.0 * time.delta_secs()).exp() };
    let mut next = OrbitCamera {
        focus: orbit.focus.lerp(target.focus, t),
        yaw: orbit.yaw + shortest_angle(target.yaw - orbit.yaw) * t,
        pitch: orbit.pitch + (target.pitch - orbit.pitch) * t,
        distance: orbit.distance + (target.distance - orbit.distance) * t,
    };
    let close = (next.focus - target.focus).length() < 1e-3 * target.distance.max(1.0)
        && (next.distance - target.distance).abs() < 1e-3 * target.distance.max(1.0)
        && shortest_angle(target.yaw - next.yaw).abs() < 1e-3
        && (target.pitch - next.pitch).abs() < 1e-3;
    if close || t >= 1.0 {
        next = target;
        flight.target = None;
    } else {
        redraw.write(RequestRedraw);
    }
    *orbit = next;
}

fn shortest_angle(a: f32) -> f32 {
    let tau = std::f32::consts::TAU;
    (a + std::f32::consts::PI).rem_euclid(tau) - std::f32::consts::PI
}

#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each input it combines")]
fn mouse(
    buttons: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    egui: Option<Res<EguiWantsInput>>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    rect: Res<ViewRect>,
    mut drag: ResMut<PointerDrag>,
    mut flight: ResMut<CameraFlight>,
    mut cameras: Query<(&mut OrbitCamera, &Projection)>,
) {
    let over_ui = !pointer_in_view(windows.single().ok(), &rect, egui.as_deref());
    let any = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    if buttons.any_just_pressed(any) {
        drag.in_view = !over_ui;
        drag.travelled_px = 0.0;
    }
    drag.travelled_px += motion.delta.length();
    let Ok((mut orbit, projection)) = cameras.single_mut() else { return };
    let delta = motion.delta;
    if drag.in_view && buttons.any_pressed(any) && delta != Vec2::ZERO {
        flight.target = None;
        let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
        if buttons.pressed(MouseButton::Left) && !shift {
            orbit.yaw -= delta.x * 0.008;
            orbit.pitch = (orbit.pitch + delta.y * 0.008).clamp(-MAX_PITCH, MAX_PITCH);
        } else {
            // Pan: one pixel moves the focus by the width of a pixel at the focus distance.
            let per_px = 2.0 * orbit.distance * (0.5 * fov_of(projection)).tan() / 800.0;
            let t = orbit.transform();
            let (right, up) = (t.right(), t.up());
            orbit.focus += (-right * delta.x + up * delta.y) * per_px;
        }
    }
    if !over_ui && scroll.delta.y != 0.0 {
        flight.target = None;
        let notches = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        orbit.distance = (orbit.distance * (-0.15 * notches).exp()).clamp(0.05, 1.0e6);
    }
}

fn keyboard(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Option<Res<EguiWantsInput>>,
    mut out: MessageWriter<CameraCommand>,
    mut selection: ResMut<Selection>,
    mut filter: ResMut<ViewFilter>,
    mut review: ResMut<ClashReview>,
) {
    if egui.is_some_and(|e| e.wants_keyboard_input()) {
        return;
    }
    if keys.just_pressed(KeyCode::KeyF) {
        out.write(CameraCommand::FitSelection);
    }
    if keys.just_pressed(KeyCode::Home) || keys.just_pressed(KeyCode::KeyH) {
        out.write(CameraCommand::FitAll);
    }
    if keys.just_pressed(KeyCode::KeyX) {
        filter.xray = !filter.xray;
    }
    if keys.just_pressed(KeyCode::Escape) {
        if !selection.is_empty() {
            selection.select_element(None);
        }
        if review.focused.is_some() {
            review.focused = None;
        }
    }
}

/// Keeps the camera's transform and clip planes in step with its orbit.
fn sync_transform(mut cameras: Query<(&OrbitCamera, &mut Transform, &mut Projection), Changed<OrbitCamera>>) {
    for (orbit, mut transform, mut projection) in &mut cameras {
        *transform = orbit.transform();
        if let Projection::Perspective(p) = projection.as_mut() {
            let near = (orbit.distance * 0.002).clamp(0.01, 1.0);
            let far = (orbit.distance * 50.0).max(1000.0);
            if (p.near - near).abs() > f32::EPSILON || (p.far - far).abs() > f32::EPSILON {
                p.near = near;
                p.far = far;
            }
        }
    }
}

/// Draws the 3D view only where no panel covers it, so fitting centres in what is visible.
fn apply_viewport(
    rect: Res<ViewRect>,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    mut cameras: Query<&mut Camera, With<OrbitCamera>>,
) {
    if !rect.is_changed() {
        return;
    }
    let (Some(r), Ok(window)) = (rect.0, windows.single()) else { return };
    let Ok(mut camera) = cameras.single_mut() else { return };
    let scale = window.scale_factor();
    let (w, h) = (window.physical_width(), window.physical_height());
    let x0 = ((r.min.x * scale).max(0.0) as u32).min(w.saturating_sub(1));
    let y0 = ((r.min.y * scale).max(0.0) as u32).min(h.saturating_sub(1));
    let x1 = ((r.max.x * scale).max(0.0) as u32).clamp(x0 + 1, w.max(x0 + 1));
    let y1 = ((r.max.y * scale).max(0.0) as u32).clamp(y0 + 1, h.max(y0 + 1));
    let viewport = Viewport {
        physical_position: UVec2::new(x0, y0),
        physical_size: UVec2::new(x1 - x0, y1 - y0),
        ..default()
    };
    if camera.viewport.as_ref().map(|v| (v.physical_position, v.physical_size))
        != Some((viewport.physical_position, viewport.physical_size))
    {
        camera.viewport = Some(viewport);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_renderers_get_fxaa_and_gpus_keep_multisampling() {
        use wgpu_types::DeviceType;
        assert_eq!(Antialiasing::for_device(DeviceType::Cpu), Antialiasing::Fxaa);
        for gpu in
            [DeviceType::DiscreteGpu, DeviceType::IntegratedGpu, DeviceType::VirtualGpu, DeviceType::Other]
        {
            assert_eq!(Antialiasing::for_device(gpu), Antialiasing::Msaa4, "{gpu:?}");
        }
    }
}
