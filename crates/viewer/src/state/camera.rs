//! The 3D view's shared state: the orbit camera's pose, where it is asked to go, and the part of
//! the window it draws in.

use crate::state::coords::render_from_world;
use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;
use plumbline_model::Aabb;

/// Whether the adapter renders in software (Mesa lavapipe on a virtual desktop without a GPU,
/// common in banks), where every frame costs the CPU the loader and the tools use.
pub fn software_renderer(device: wgpu_types::DeviceType) -> bool {
    device == wgpu_types::DeviceType::Cpu
}

/// [`software_renderer`] for the render adapter, when it is known (never in headless tests).
pub fn software_adapter(adapter: Option<&bevy::render::renderer::RenderAdapterInfo>) -> bool {
    adapter.is_some_and(|a| software_renderer(a.device_type))
}

/// Where the camera looks from: a point it orbits, two angles and a distance (render space,
/// Y up; yaw 0 looks along -Z).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct OrbitCamera {
    pub focus: Vec3,
    pub yaw: f32,
    pub pitch: f32,
    pub distance: f32,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        // From the south-west, 30° down: the review cameras' corner.
        OrbitCamera { focus: Vec3::ZERO, yaw: -std::f32::consts::FRAC_PI_4, pitch: 0.5, distance: 30.0 }
    }
}

impl OrbitCamera {
    /// Unit vector from the focus to the eye.
    pub fn offset_dir(&self) -> Vec3 {
        Vec3::new(self.pitch.cos() * self.yaw.sin(), self.pitch.sin(), self.pitch.cos() * self.yaw.cos())
    }

    pub fn transform(&self) -> Transform {
        Transform::from_translation(self.focus + self.offset_dir() * self.distance)
            .looking_at(self.focus, Vec3::Y)
    }

    /// The same view direction, moved and zoomed so a render-space sphere fills the view.
    pub fn fitting(&self, centre: Vec3, radius: f32, fov_y: f32) -> OrbitCamera {
        let r = radius.max(0.25);
        OrbitCamera { focus: centre, distance: 1.1 * r / (0.5 * fov_y).sin(), ..*self }
    }

    /// A review camera (world metres, Z up) as an orbit around its target, seen through a
    /// lens of vertical field of view `fov_y` (radians): the distance is scaled so the target
    /// takes the share of the view it takes in the review camera's own (wider) field of view,
    /// the framing a BCF viewpoint or a report snapshot shows.
    pub fn from_review(
        origin_m: [f64; 3],
        cam: &plumbline_review::Camera,
        target_m: [f64; 3],
        fov_y: f32,
    ) -> OrbitCamera {
        let eye = render_from_world(origin_m, cam.position);
        let focus = render_from_world(origin_m, target_m);
        let off = eye - focus;
        let distance = off.length().max(0.1);
        let d = off / distance;
        let review_half = (0.5 * cam.field_of_view_deg.to_radians() as f32).clamp(0.01, 1.5);
        let lens = review_half.tan() / (0.5 * fov_y).clamp(0.01, 1.5).tan();
        OrbitCamera {
            focus,
            yaw: d.x.atan2(d.z),
            pitch: d.y.clamp(-1.0, 1.0).asin(),
            distance: distance * lens,
        }
    }
}

/// Steepest orbit pitch, just short of vertical (radians).
pub const MAX_PITCH: f32 = 1.55;

/// The standard views of a model viewer (the faces of Navisworks' ViewCube and an iso corner).
/// Front looks north (from the south, world -Y), Right looks west (from the east, +X).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardView {
    Top,
    Front,
    Back,
    Left,
    Right,
    Iso,
}

impl StandardView {
    /// Parses `top`, `front`, `back`, `left`, `right` or `iso`.
    pub fn parse(text: &str) -> Option<StandardView> {
        StandardView::ALL.into_iter().find(|v| format!("{v:?}").eq_ignore_ascii_case(text.trim()))
    }

    pub const ALL: [StandardView; 6] = [
        StandardView::Top,
        StandardView::Front,
        StandardView::Back,
        StandardView::Left,
        StandardView::Right,
        StandardView::Iso,
    ];

    /// Yaw and pitch of the orbit camera (render space: yaw 0 looks along -Z, world north).
    pub fn angles(self) -> (f32, f32) {
        use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI};
        match self {
            // Just short of straight down: `looking_at` needs an up vector off the view axis.
            StandardView::Top => (0.0, MAX_PITCH),
            StandardView::Front => (0.0, 0.0),
            StandardView::Back => (PI, 0.0),
            StandardView::Left => (-FRAC_PI_2, 0.0),
            StandardView::Right => (FRAC_PI_2, 0.0),
            StandardView::Iso => (-FRAC_PI_4, 0.5),
        }
    }
}

/// Where the camera should go.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum CameraCommand {
    FitAll,
    /// Fit a world box, keeping the view direction.
    FitBox(Aabb),
    /// The selection, or everything when nothing is selected.
    FitSelection,
    /// Look from a standard direction at the selection, or at everything.
    View(StandardView),
    /// Go to a review camera (the one `plumbline_review::frame_box` computes) and orbit around
    /// the point it looks at.
    Review {
        camera: plumbline_review::Camera,
        target_m: [f64; 3],
    },
}

/// A flight in progress toward a camera.
#[derive(Resource, Debug, Default)]
pub struct CameraFlight {
    pub target: Option<OrbitCamera>,
    /// Jump instead of flying (screenshots: every frame must be the final view).
    pub instant: bool,
}

/// Whether a left-button press has moved too far to count as a click.
#[derive(Resource, Debug, Default)]
pub struct PointerDrag {
    pub travelled_px: f32,
    /// The press began over the 3D view (not over a panel).
    pub in_view: bool,
}

/// The render-space rectangle of the 3D view (the window minus the panels), logical pixels.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct ViewRect(pub Option<Rect>);

/// Whether the pointer is over the 3D view: inside [`ViewRect`], not over a popup, and not
/// dragging a widget. (The panels are drawn on egui's background layer, which egui's own
/// hit test does not report, hence the rectangle.)
pub fn pointer_in_view(window: Option<&Window>, rect: &ViewRect, egui: Option<&EguiWantsInput>) -> bool {
    let Some(cursor) = window.and_then(Window::cursor_position) else { return false };
    let inside = rect.0.is_none_or(|r| r.contains(cursor));
    inside && !egui.is_some_and(|e| e.is_pointer_over_area() || e.is_using_pointer())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_views_look_from_their_side() {
        let eye_world = |v: StandardView| {
            let (yaw, pitch) = v.angles();
            let dir = OrbitCamera { yaw, pitch, ..OrbitCamera::default() }.offset_dir();
            // Render (x, y, z) is world (x, -z, y).
            [dir.x, -dir.z, dir.y]
        };
        let close = |a: [f32; 3], b: [f32; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.03);
        assert!(close(eye_world(StandardView::Front), [0.0, -1.0, 0.0]), "front: from the south");
        assert!(close(eye_world(StandardView::Back), [0.0, 1.0, 0.0]), "back: from the north");
        assert!(close(eye_world(StandardView::Right), [1.0, 0.0, 0.0]), "right: from the east");
        assert!(close(eye_world(StandardView::Left), [-1.0, 0.0, 0.0]), "left: from the west");
        let top = eye_world(StandardView::Top);
        assert!(top[2] > 0.99, "top: from above, {top:?}");
        let iso = eye_world(StandardView::Iso);
        assert!(iso[0] < 0.0 && iso[1] < 0.0 && iso[2] > 0.0, "iso: from the south-west, above: {iso:?}");
        assert_eq!(StandardView::parse(" Top "), Some(StandardView::Top));
        assert_eq!(StandardView::parse("iso"), Some(StandardView::Iso));
        assert_eq!(StandardView::parse("sideways"), None);
    }
}
