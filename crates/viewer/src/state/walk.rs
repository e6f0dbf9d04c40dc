//! Walking and flying through the model, as Navisworks' *Walk* and *Fly* do: the walker's
//! pose and settings, and the rules it moves by (gravity onto the floor below, a capsule that
//! collides with the drawn elements, stepping up small steps), as plain functions the plugin
//! calls each frame and the tests call directly.
//!
//! Collision and floors are parry3d queries on the scene's element world
//! ([`crate::state::spatial`]): the body is a capsule swept against the elements near it
//! (`cast_shapes`), and the floor is the first surface a ray cast straight down meets.
//!
//! Positions are world metres (`f64`, Z up); the queries run in `f32` relative to the scene
//! origin, where a model far from its map origin keeps millimetre precision.

use crate::state::camera::OrbitCamera;
use crate::state::coords::{render_from_world, world_from_render};
use crate::state::spatial::ElementWorld;
use bevy::prelude::*;
use parry3d::math::Vector as V;
use parry3d::shape::Capsule;
use plumbline_model::ModelSet;

/// How the camera moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NavMode {
    /// The orbit camera (drag orbits, wheel zooms).
    #[default]
    Orbit,
    /// First person at eye height: gravity pulls the walker onto the floor below.
    Walk,
    /// First person without gravity: free movement in any direction.
    Fly,
}

/// Gravity, metres per second squared.
pub const GRAVITY_M_S2: f64 = 9.81;
/// Shift multiplies the speed by this.
pub const RUN_FACTOR: f64 = 3.0;
/// The speed control's range, metres per second.
pub const MIN_SPEED_M_S: f64 = 0.1;
pub const MAX_SPEED_M_S: f64 = 50.0;
/// The eye height control's range, metres.
pub const MIN_EYE_HEIGHT_M: f64 = 0.3;
pub const MAX_EYE_HEIGHT_M: f64 = 5.0;
/// Looking up or down stops short of vertical, where the heading would be undefined.
pub const MAX_LOOK_PITCH: f32 = 1.4;
/// Radians turned per pixel dragged.
pub const LOOK_RAD_PER_PX: f32 = 0.004;
/// A frame longer than this (a hitch, a slow software frame) moves the walker as this long
/// one would: a sweep covers any distance, but a fall of several seconds in one frame reads as
/// a teleport.
pub const MAX_STEP_S: f32 = 0.25;
/// The gap kept between the body and what it touched, so the next sweep starts clear of it.
const SKIN_M: f32 = 0.002;
/// Sweeps per frame: the first stops at an obstacle, the rest slide along what was hit (a
/// wall, then the corner's other wall).
const MAX_SLIDES: usize = 4;

/// What the user sets for walking and flying.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkSettings {
    /// Eye above the feet (Navisworks' default viewer is 1.8 m tall with the eye 0.15 m below
    /// the top; 1.7 m is a standing adult's eye).
    pub eye_height_m: f64,
    pub speed_m_s: f64,
    /// The body stops at elements instead of passing through them (walk and fly).
    pub collision: bool,
    /// In walk mode, the walker falls onto the floor below and stands on it.
    pub gravity: bool,
    /// The body's radius: a person's shoulders.
    pub radius_m: f64,
    /// The highest step walked up without being blocked (a stair riser, a kerb, a raised
    /// floor's ramp lip); anything taller stops the walker.
    pub step_height_m: f64,
    /// The body's top above the eye (the head).
    pub head_room_m: f64,
}

impl Default for WalkSettings {
    fn default() -> Self {
        WalkSettings {
            eye_height_m: 1.7,
            speed_m_s: 1.5,
            collision: true,
            gravity: true,
            radius_m: 0.3,
            step_height_m: 0.3,
            head_room_m: 0.15,
        }
    }
}

/// Where the walker stands and looks: the feet (world metres, Z up), the heading (radians
/// clockwise from north, world +Y) and the pitch (radians up from level).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkPose {
    pub feet_m: [f64; 3],
    pub heading: f32,
    pub pitch: f32,
}

impl Default for WalkPose {
    fn default() -> Self {
        WalkPose { feet_m: [0.0; 3], heading: 0.0, pitch: 0.0 }
    }
}

impl WalkPose {
    /// The eye, `eye_height_m` above the feet.
    pub fn eye_m(&self, eye_height_m: f64) -> [f64; 3] {
        let f = self.feet_m;
        [f[0], f[1], f[2] + eye_height_m]
    }

    /// The unit direction looked along (world, Z up).
    pub fn look(&self) -> [f64; 3] {
        let (h, p) = (f64::from(self.heading), f64::from(self.pitch));
        [h.sin() * p.cos(), h.cos() * p.cos(), p.sin()]
    }

    /// Level forward and right (world, Z up): walking moves along these whatever the pitch.
    pub fn ground_axes(&self) -> ([f64; 3], [f64; 3]) {
        let h = f64::from(self.heading);
        ([h.sin(), h.cos(), 0.0], [h.cos(), -h.sin(), 0.0])
    }

    /// The orbit camera that shows this view: its eye at the walker's eye, orbiting a point
    /// `focus_m` ahead, so leaving walk mode keeps the picture and orbits what was in front.
    pub fn orbit(&self, origin_m: [f64; 3], eye_height_m: f64, focus_m: f32) -> OrbitCamera {
        let eye = render_from_world(origin_m, self.eye_m(eye_height_m));
        let l = self.look();
        // Render space is Y up: world (x, y, z) is render (x, z, -y).
        let ahead = Vec3::new(l[0] as f32, l[2] as f32, -l[1] as f32);
        let back = -ahead;
        OrbitCamera {
            focus: eye + ahead * focus_m,
            yaw: back.x.atan2(back.z),
            pitch: back.y.clamp(-1.0, 1.0).asin(),
            distance: focus_m,
        }
    }

    /// The walker at an orbit camera's eye, looking where it looks (pitch limited).
    pub fn from_orbit(orbit: &OrbitCamera, origin_m: [f64; 3], eye_height_m: f64) -> WalkPose {
        let t = orbit.transform();
        let eye = world_from_render(origin_m, t.translation);
        let f = t.forward();
        // Render forward (x, y, z) is world (x, -z, y).
        let (wx, wy, wz) = (f.x, -f.z, f.y);
        WalkPose {
            feet_m: [eye[0], eye[1], eye[2] - eye_height_m],
            heading: wx.atan2(wy),
            pitch: wz.clamp(-1.0, 1.0).asin().clamp(-MAX_LOOK_PITCH, MAX_LOOK_PITCH),
        }
    }

    /// Turns by a mouse drag: right turns right, up looks up.
    pub fn look_by(&mut self, drag_px: [f32; 2]) {
        let tau = std::f32::consts::TAU;
        self.heading = (self.heading + drag_px[0] * LOOK_RAD_PER_PX).rem_euclid(tau);
        self.pitch = (self.pitch - drag_px[1] * LOOK_RAD_PER_PX).clamp(-MAX_LOOK_PITCH, MAX_LOOK_PITCH);
    }
}

/// What the keys ask for this frame: each axis from -1 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WalkInput {
    /// Forward (W, up arrow) minus back (S, down arrow).
    pub forward: f64,
    /// Right (D, right arrow) minus left (A, left arrow).
    pub right: f64,
    /// Up (E, page up) minus down (Q, page down): flying, or walking without gravity.
    pub up: f64,
    /// Shift: [`RUN_FACTOR`] times the speed.
    pub run: bool,
}

impl WalkInput {
    pub fn is_idle(&self) -> bool {
        self.forward == 0.0 && self.right == 0.0 && self.up == 0.0
    }
}

/// The walker: the navigation mode, the settings, the pose and the fall in progress.
#[derive(Resource, Debug, Clone, PartialEq, Default)]
pub struct Walker {
    pub mode: NavMode,
    /// A mode asked for by the tool bar, a key or Esc; the walk plugin switches to it with the
    /// camera where it is (or leaves to the orbit camera).
    pub requested: Option<NavMode>,
    pub settings: WalkSettings,
    pub pose: WalkPose,
    /// Falling speed (negative down), metres per second.
    pub vertical_m_s: f64,
    /// Standing on a floor (not falling, not hovering over nothing).
    pub on_floor: bool,
}

/// `--walk X,Y,Z[,HEADING]` (or `--fly`): walk from this eye point once the model is loaded,
/// gravity first setting the walker on the floor below it.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct WalkStart {
    pub mode: NavMode,
    pub eye_m: [f64; 3],
    /// Compass degrees: 0 looks north (+Y), 90 east (+X).
    pub heading_deg: f64,
}

/// Whether the orbit camera has the mouse and keys (not walking or flying); a run condition
/// for the orbit camera's input systems.
pub fn orbiting(walker: Option<Res<Walker>>) -> bool {
    walker.is_none_or(|w| w.mode == NavMode::Orbit)
}

impl Walker {
    pub fn walking(&self) -> bool {
        self.mode != NavMode::Orbit
    }

    /// The eye (world metres).
    pub fn eye_m(&self) -> [f64; 3] {
        self.pose.eye_m(self.settings.eye_height_m)
    }

    /// Sets the speed, within [`MIN_SPEED_M_S`]..[`MAX_SPEED_M_S`].
    pub fn set_speed(&mut self, speed_m_s: f64) {
        if speed_m_s.is_finite() {
            self.settings.speed_m_s = speed_m_s.clamp(MIN_SPEED_M_S, MAX_SPEED_M_S);
        }
    }

    /// One notch of the wheel or `>` (positive) or `<` (negative): a quarter faster or slower.
    pub fn change_speed(&mut self, notches: f64) {
        self.set_speed(self.settings.speed_m_s * 1.25f64.powf(notches));
    }

    /// Sets the eye height, keeping the feet where they are.
    pub fn set_eye_height(&mut self, eye_height_m: f64) {
        if eye_height_m.is_finite() {
            self.settings.eye_height_m = eye_height_m.clamp(MIN_EYE_HEIGHT_M, MAX_EYE_HEIGHT_M);
        }
    }

    /// Whether gravity acts now (walk mode with gravity on).
    pub fn falls(&self) -> bool {
        self.mode == NavMode::Walk && self.settings.gravity
    }

    /// Puts the eye at a world point; in walk mode with gravity, straight onto the floor below
    /// it (no fall to watch: a start position or a test).
    pub fn place(&mut self, world: Option<&ElementWorld>, set: &ModelSet, eye_m: [f64; 3]) {
        let h = self.settings.eye_height_m;
        self.pose.feet_m = [eye_m[0], eye_m[1], eye_m[2] - h];
        self.vertical_m_s = 0.0;
        self.on_floor = false;
        if self.falls() {
            if let Some(z) = world.and_then(|w| w.floor_below(set, eye_m)) {
                self.pose.feet_m[2] = z;
                self.on_floor = true;
            }
        }
    }

    /// Moves the walker by one frame of `input` lasting `dt_s` seconds: along the ground (walk)
    /// or the view (fly), stopped and slid along elements when collision is on, then pulled
    /// down onto the floor when gravity acts. Returns whether the walker moved.
    pub fn step(
        &mut self,
        world: Option<&ElementWorld>,
        set: &ModelSet,
        input: &WalkInput,
        dt_s: f32,
    ) -> bool {
        let dt = f64::from(dt_s.clamp(0.0, MAX_STEP_S));
        if !self.walking() || dt <= 0.0 {
            return false;
        }
        let before = self.pose.feet_m;
        let s = self.settings;
        let speed = s.speed_m_s * if input.run { RUN_FACTOR } else { 1.0 };
        let (fwd, right) = self.pose.ground_axes();
        let ahead = if self.mode == NavMode::Fly { self.pose.look() } else { fwd };
        let up = if self.falls() { 0.0 } else { input.up };
        let mut wish: [f64; 3] = std::array::from_fn(|k| ahead[k] * input.forward + right[k] * input.right);
        wish[2] += up;
        // Diagonals are no faster than straight on.
        let len = wish.iter().map(|c| c * c).sum::<f64>().sqrt();
        let motion = wish.map(|c| c / len.max(1.0) * speed * dt);
        match world.filter(|_| s.collision) {
            Some(w) => {
                let body = Body::of(&s, self.falls());
                let feet = w.local(self.pose.feet_m);
                let moved =
                    w.slide(set, &body, feet, V::new(motion[0] as f32, motion[1] as f32, motion[2] as f32));
                // Only the change is taken from f32, so a walker who did not move stays put exactly.
                let d = moved - feet;
                for k in 0..3 {
                    self.pose.feet_m[k] += f64::from(d[k]);
                }
            }
            None => {
                for (f, m) in self.pose.feet_m.iter_mut().zip(motion) {
                    *f += m;
                }
            }
        }
        if self.falls() {
            self.fall(world, set, dt);
        } else {
            self.vertical_m_s = 0.0;
            self.on_floor = false;
        }
        self.pose.feet_m != before
    }

    /// Gravity for one frame: stand on the floor below (stepping up onto a floor within the
    /// step height, and following one that drops by no more than it while standing, as on
    /// stairs and ramps), else fall towards it. Over nothing at all the walker stays at its
    /// height: walking off the model's edge is no reason to fall forever.
    fn fall(&mut self, world: Option<&ElementWorld>, set: &ModelSet, dt: f64) {
        let s = self.settings;
        let feet = self.pose.feet_m;
        let probe = [feet[0], feet[1], feet[2] + s.step_height_m];
        let Some(floor) = world.and_then(|w| w.floor_below(set, probe)) else {
            self.vertical_m_s = 0.0;
            self.on_floor = false;
            return;
        };
        let drop = feet[2] - floor;
        if drop <= 1e-6 || (self.on_floor && drop <= s.step_height_m) {
            self.pose.feet_m[2] = floor;
            self.vertical_m_s = 0.0;
            self.on_floor = true;
            return;
        }
        self.vertical_m_s -= GRAVITY_M_S2 * dt;
        let next = feet[2] + self.vertical_m_s * dt;
        if next <= floor {
            self.pose.feet_m[2] = floor;
            self.vertical_m_s = 0.0;
            self.on_floor = true;
        } else {
            self.pose.feet_m[2] = next;
            self.on_floor = false;
        }
    }
}

/// The body's capsule, relative to the feet: from `bottom_m` above them to the top of the head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    pub radius_m: f32,
    pub bottom_m: f32,
    pub top_m: f32,
}

impl Body {
    /// Walking with gravity, the capsule starts at the step height: what is lower is stepped
    /// onto (the floor probe finds it), not bumped into. Otherwise the whole body collides.
    pub fn of(s: &WalkSettings, stepping: bool) -> Body {
        Body {
            radius_m: s.radius_m as f32,
            bottom_m: if stepping { s.step_height_m as f32 } else { 0.0 },
            top_m: (s.eye_height_m + s.head_room_m) as f32,
        }
    }

    /// The capsule with the feet at `feet` (local frame).
    pub fn capsule(&self, feet: V) -> Capsule {
        let half = 0.5 * (self.top_m - self.bottom_m).max(0.02);
        let r = self.radius_m.min(half).max(0.01);
        let a = feet + V::new(0.0, 0.0, self.bottom_m + r);
        let b = feet + V::new(0.0, 0.0, (self.top_m - r).max(self.bottom_m + r));
        Capsule::new(a, b, r)
    }
}

/// The walker's queries on the element world.
impl ElementWorld {
    /// The height (world metres) of the first surface straight below a point: the floor a
    /// walker there stands on. `None` when nothing drawn is below.
    pub fn floor_below(&self, set: &ModelSet, from_m: [f64; 3]) -> Option<f64> {
        let from = self.local(from_m);
        let reach = from.z - self.floor_limit();
        if reach.is_nan() || reach <= 0.0 {
            return None;
        }
        let t = self.ray(set, from, V::NEG_Z, reach)?;
        Some(self.world(V::new(0.0, 0.0, from.z - t))[2])
    }

    /// Moves a body with its feet at `feet` by `motion` (the queries' frame): it stops where it
    /// would touch an element and slides along it with what is left of the motion. Walking
    /// (a body that steps), the slide stays level: a wall does not lift the walker.
    pub fn slide(&self, set: &ModelSet, body: &Body, feet: V, motion: V) -> V {
        let level = body.bottom_m > 0.0;
        let mut feet = feet;
        let mut left = motion;
        for _ in 0..MAX_SLIDES {
            if left.length() <= 1e-6 {
                break;
            }
            let Some((toi, normal)) = self.sweep(set, &body.capsule(feet), left) else {
                feet += left;
                break;
            };
            feet += left * toi;
            let n = if level { V::new(normal.x, normal.y, 0.0) } else { normal }.normalize_or_zero();
            if n == V::ZERO {
                break;
            }
            feet += n * SKIN_M;
            let rest = left * (1.0 - toi);
            left = rest - n * rest.dot(n).min(0.0);
            if level {
                left.z = 0.0;
            }
        }
        feet
    }
}
