//! Walk and fly: the first-person tools a Navisworks user expects. *Walk* (tool bar, Ctrl+2)
//! puts the eye at eye height (1.7 m by default) with gravity onto the floor below and a
//! capsule body that stops at walls and racks; *Fly* (Ctrl+9) moves freely without gravity.
//! WASD or the arrows move, dragging in the view looks around, Shift runs, Q/E go down and up
//! (flying, or walking with gravity off), the wheel or `<` `>` change the speed, Ctrl+D and
//! Ctrl+G switch collision and gravity, Esc goes back to the orbit camera.
//!
//! The movement rules live in [`crate::state::walk`]; this plugin reads the keys and the
//! mouse, moves the walker through the scene's element world ([`crate::state::spatial`]), and
//! drives the orbit camera (its eye at the walker's eye), so every other feature keeps seeing one
//! camera. `--walk X,Y,Z[,HEADING]` (or `--fly`) starts there once the model is loaded.

use crate::state::camera::{pointer_in_view, CameraFlight, OrbitCamera, PointerDrag, ViewRect};
use crate::state::i18n::Lang;
use crate::state::scene::ModelScene;
use crate::state::spatial::SceneWorld;
use crate::state::ui::{register_panel, PanelSlot};
use crate::state::walk::{
    NavMode, WalkInput, WalkPose, WalkStart, Walker, MAX_EYE_HEIGHT_M, MAX_SPEED_M_S, MIN_EYE_HEIGHT_M,
    MIN_SPEED_M_S,
};
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::window::{PrimaryWindow, RequestRedraw};
use bevy_egui::egui;
use bevy_egui::input::EguiWantsInput;

/// While walking, the orbit camera orbits a point this far ahead (metres): near enough that
/// its clip planes suit a view from inside a room.
const WALK_FOCUS_M: f32 = 5.0;
/// Leaving walk mode, the orbit camera orbits what the eye looks at, within this reach.
const LEAVE_FOCUS_REACH_M: f32 = 100.0;

/// Walking and flying through the model.
#[derive(Debug, Default)]
pub struct WalkPlugin;

impl Plugin for WalkPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Walker>().add_systems(
            Update,
            (shortcuts, look, start_from_command_line, follow_requests, walk, drive_camera).chain(),
        );
        register_panel(app, PanelSlot::WalkRow, walk_row);
        register_panel(app, PanelSlot::ViewOverlay, walk_hud);
    }
}

fn pressed(keys: &ButtonInput<KeyCode>, any: impl IntoIterator<Item = KeyCode>) -> bool {
    keys.any_pressed(any)
}

/// Ctrl+2 and Ctrl+9 switch to walk and fly (and back); while walking, Esc leaves, Ctrl+D and
/// Ctrl+G switch collision and gravity, `<` and `>` change the speed.
fn shortcuts(
    keys: Option<ResMut<ButtonInput<KeyCode>>>,
    egui: Option<Res<EguiWantsInput>>,
    mut walker: ResMut<Walker>,
) {
    let Some(mut keys) = keys else { return };
    if egui.is_some_and(|e| e.wants_keyboard_input()) {
        return;
    }
    let ctrl = pressed(&keys, [KeyCode::ControlLeft, KeyCode::ControlRight]);
    let toggle = |walker: &Walker, mode: NavMode| if walker.mode == mode { NavMode::Orbit } else { mode };
    if ctrl && keys.just_pressed(KeyCode::Digit2) {
        walker.requested = Some(toggle(&walker, NavMode::Walk));
    }
    if ctrl && keys.just_pressed(KeyCode::Digit9) {
        walker.requested = Some(toggle(&walker, NavMode::Fly));
    }
    if !walker.walking() {
        return;
    }
    if keys.just_pressed(KeyCode::Escape) {
        walker.requested = Some(NavMode::Orbit);
        // Esc only leaves walking: the selection and the clash in focus stay.
        keys.clear_just_pressed(KeyCode::Escape);
    }
    if ctrl && keys.just_pressed(KeyCode::KeyD) {
        walker.settings.collision = !walker.settings.collision;
    }
    if ctrl && keys.just_pressed(KeyCode::KeyG) {
        walker.settings.gravity = !walker.settings.gravity;
    }
    if keys.just_pressed(KeyCode::Period) {
        walker.change_speed(1.0);
    }
    if keys.just_pressed(KeyCode::Comma) {
        walker.change_speed(-1.0);
    }
}

/// What the movement keys ask for (nothing while typing into a text box or holding Ctrl).
fn movement(keys: &ButtonInput<KeyCode>) -> WalkInput {
    if pressed(keys, [KeyCode::ControlLeft, KeyCode::ControlRight]) {
        return WalkInput::default();
    }
    let axis = |plus: [KeyCode; 2], minus: [KeyCode; 2]| {
        f64::from(u8::from(pressed(keys, plus))) - f64::from(u8::from(pressed(keys, minus)))
    };
    WalkInput {
        forward: axis([KeyCode::KeyW, KeyCode::ArrowUp], [KeyCode::KeyS, KeyCode::ArrowDown]),
        right: axis([KeyCode::KeyD, KeyCode::ArrowRight], [KeyCode::KeyA, KeyCode::ArrowLeft]),
        up: axis([KeyCode::KeyE, KeyCode::PageUp], [KeyCode::KeyQ, KeyCode::PageDown]),
        run: pressed(keys, [KeyCode::ShiftLeft, KeyCode::ShiftRight]),
    }
}

/// Dragging in the view looks around; the wheel changes the speed. The orbit camera's mouse
/// handling is off while walking, so the drag that tells a click from a drag is kept here.
#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each input it combines")]
fn look(
    buttons: Option<Res<ButtonInput<MouseButton>>>,
    motion: Option<Res<AccumulatedMouseMotion>>,
    scroll: Option<Res<AccumulatedMouseScroll>>,
    egui: Option<Res<EguiWantsInput>>,
    windows: Query<&Window, With<PrimaryWindow>>,
    rect: Res<ViewRect>,
    mut drag: ResMut<PointerDrag>,
    mut walker: ResMut<Walker>,
) {
    let (Some(buttons), Some(motion)) = (buttons, motion) else { return };
    if !walker.walking() {
        return;
    }
    let over_ui = !pointer_in_view(windows.single().ok(), &rect, egui.as_deref());
    let any = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    if buttons.any_just_pressed(any) {
        drag.in_view = !over_ui;
        drag.travelled_px = 0.0;
    }
    drag.travelled_px += motion.delta.length();
    if drag.in_view && buttons.any_pressed(any) && motion.delta != Vec2::ZERO {
        walker.pose.look_by([motion.delta.x, motion.delta.y]);
    }
    if let Some(scroll) = scroll.filter(|s| !over_ui && s.delta.y != 0.0) {
        let notches = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        walker.change_speed(f64::from(notches));
    }
}

/// `--walk`/`--fly`: a frame after the load is installed (after its fit to the model), walk
/// from the given eye point, set straight down on the floor below it.
fn start_from_command_line(
    start: Option<Res<WalkStart>>,
    scene: Res<ModelScene>,
    collision: Res<SceneWorld>,
    mut walker: ResMut<Walker>,
    mut flight: ResMut<CameraFlight>,
    mut done: Local<bool>,
) {
    let Some(start) = start else { return };
    if *done || !scene.loaded || scene.is_changed() {
        return;
    }
    *done = true;
    walker.mode = start.mode;
    walker.requested = None;
    walker.pose.heading = start.heading_deg.to_radians().rem_euclid(std::f64::consts::TAU) as f32;
    walker.pose.pitch = 0.0;
    walker.place(collision.world.as_ref(), &scene.set, start.eye_m);
    flight.target = None;
    let eye = walker.eye_m();
    info!("walk: eye at {:.3}, {:.3}, {:.3} (on a floor: {})", eye[0], eye[1], eye[2], walker.on_floor);
}

/// Switches between orbiting, walking and flying. A camera command while walking (fit all, a
/// clash focused, a standard view) leaves walking for the orbit camera's flight to it.
fn follow_requests(
    scene: Res<ModelScene>,
    collision: Res<SceneWorld>,
    mut walker: ResMut<Walker>,
    mut flight: ResMut<CameraFlight>,
    mut cameras: Query<&mut OrbitCamera>,
) {
    if walker.walking() && flight.target.is_some() {
        walker.mode = NavMode::Orbit;
    }
    let Some(asked) = walker.requested.take() else { return };
    let Ok(mut orbit) = cameras.single_mut() else { return };
    match (walker.mode, asked) {
        (NavMode::Orbit, NavMode::Orbit) => {}
        (_, NavMode::Orbit) => {
            walker.mode = NavMode::Orbit;
            // Orbit what is in front of the eye, or a point a few metres ahead.
            let focus = collision
                .world
                .as_ref()
                .and_then(|w| {
                    let look = walker.pose.look().map(|c| c as f32);
                    let dir = parry3d::math::Vector::new(look[0], look[1], look[2]);
                    w.ray(&scene.set, w.local(walker.eye_m()), dir, LEAVE_FOCUS_REACH_M)
                })
                .map_or(WALK_FOCUS_M, |d| d.max(0.5));
            *orbit = walker.pose.orbit(scene.origin_m, walker.settings.eye_height_m, focus);
        }
        (NavMode::Orbit, mode) => {
            walker.pose = WalkPose::from_orbit(&orbit, scene.origin_m, walker.settings.eye_height_m);
            walker.mode = mode;
            walker.vertical_m_s = 0.0;
            walker.on_floor = false;
            flight.target = None;
        }
        (_, mode) => walker.mode = mode,
    }
}

/// Moves the walker by the keys held, for the time the frame took.
fn walk(
    time: Res<Time>,
    keys: Option<Res<ButtonInput<KeyCode>>>,
    egui: Option<Res<EguiWantsInput>>,
    scene: Res<ModelScene>,
    collision: Res<SceneWorld>,
    mut walker: ResMut<Walker>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    if !walker.walking() {
        return;
    }
    let typing = egui.is_some_and(|e| e.wants_keyboard_input());
    let input = keys.filter(|_| !typing).map(|k| movement(&k)).unwrap_or_default();
    let moved = walker.step(collision.world.as_ref(), &scene.set, &input, time.delta_secs());
    // Frames are drawn on demand: keep them coming while a key is held or the walker falls.
    if moved || !input.is_idle() {
        redraw.write(RequestRedraw);
    }
}

/// Puts the orbit camera's eye at the walker's eye, looking where the walker looks.
fn drive_camera(walker: Res<Walker>, scene: Res<ModelScene>, mut cameras: Query<&mut OrbitCamera>) {
    if !walker.walking() {
        return;
    }
    let Ok(mut orbit) = cameras.single_mut() else { return };
    let next = walker.pose.orbit(scene.origin_m, walker.settings.eye_height_m, WALK_FOCUS_M);
    if *orbit != next {
        *orbit = next;
    }
}

/// The row under the tool bar while walking: walk or fly, eye height, speed, collision,
/// gravity, leave.
fn walk_row(InMut(ui): InMut<egui::Ui>, lang: Res<Lang>, mut walker: ResMut<Walker>) {
    if !walker.walking() {
        return;
    }
    let t = lang.strings();
    ui.horizontal(|ui| {
        let mut mode = walker.mode;
        ui.selectable_value(&mut mode, NavMode::Walk, t.walk).on_hover_text(t.walk_hint);
        ui.selectable_value(&mut mode, NavMode::Fly, t.fly).on_hover_text(t.fly_hint);
        if mode != walker.mode {
            walker.requested = Some(mode);
        }
        ui.separator();
        let mut eye = walker.settings.eye_height_m;
        ui.label(t.eye_height);
        let eye_range = MIN_EYE_HEIGHT_M..=MAX_EYE_HEIGHT_M;
        if ui.add(egui::DragValue::new(&mut eye).range(eye_range).speed(0.01).suffix(" m")).changed() {
            walker.set_eye_height(eye);
        }
        let mut speed = walker.settings.speed_m_s;
        ui.label(t.speed);
        let slider = egui::Slider::new(&mut speed, MIN_SPEED_M_S..=MAX_SPEED_M_S)
            .logarithmic(true)
            .max_decimals(1)
            .suffix(" m/s");
        if ui.add(slider).changed() {
            walker.set_speed(speed);
        }
        let mut collide = walker.settings.collision;
        if ui.checkbox(&mut collide, t.collision).on_hover_text("Ctrl+D").changed() {
            walker.settings.collision = collide;
        }
        if walker.mode == NavMode::Walk {
            let mut gravity = walker.settings.gravity;
            if ui.checkbox(&mut gravity, t.gravity).on_hover_text("Ctrl+G").changed() {
                walker.settings.gravity = gravity;
            }
        }
        if ui.button(t.leave_walk).clicked() {
            walker.requested = Some(NavMode::Orbit);
        }
    });
}

/// Over the 3D view while walking: the mode, eye height and speed, the keys, and a cross at
/// the centre of the view.
fn walk_hud(InMut(ui): InMut<egui::Ui>, lang: Res<Lang>, walker: Res<Walker>) {
    if !walker.walking() {
        return;
    }
    let t = lang.strings();
    let rect = ui.max_rect();
    let painter = ui.painter();
    let mode = if walker.mode == NavMode::Fly { t.fly } else { t.walk };
    let eye = walker.eye_m();
    let mut status = format!(
        "{mode} · {} {:.2} m · {} {:.1} m/s · z {:.2} m",
        t.eye_height, walker.settings.eye_height_m, t.speed, walker.settings.speed_m_s, eye[2]
    );
    if walker.falls() && !walker.on_floor && walker.vertical_m_s == 0.0 {
        status.push_str(" · ");
        status.push_str(t.no_floor);
    }
    let font = egui::FontId::proportional(14.0);
    let mut at = rect.left_top() + egui::vec2(10.0, 10.0);
    for (text, colour) in
        [(status, egui::Color32::WHITE), (t.walk_keys.to_string(), egui::Color32::LIGHT_GRAY)]
    {
        let galley = painter.layout_no_wrap(text, font.clone(), colour);
        let back = egui::Rect::from_min_size(at, galley.size() + egui::vec2(12.0, 6.0));
        painter.rect_filled(back, 4.0, egui::Color32::from_black_alpha(150));
        painter.galley(at + egui::vec2(6.0, 3.0), galley, colour);
        at.y += back.height() + 4.0;
    }
    let c = rect.center();
    let stroke = egui::Stroke::new(1.5, egui::Color32::from_white_alpha(180));
    painter.line_segment([c - egui::vec2(8.0, 0.0), c + egui::vec2(8.0, 0.0)], stroke);
    painter.line_segment([c - egui::vec2(0.0, 8.0), c + egui::vec2(0.0, 8.0)], stroke);
}
