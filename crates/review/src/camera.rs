//! Review cameras: where a viewer, a snapshot or a BCF viewpoint looks at a clash from.

use plumbline_model::Aabb;
use serde::{Deserialize, Serialize};

/// A perspective camera in world metres, as BCF describes one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    pub position: [f64; 3],
    /// Unit view direction.
    pub direction: [f64; 3],
    /// Unit up vector, perpendicular to `direction`.
    pub up: [f64; 3],
    /// Vertical field of view in degrees.
    pub field_of_view_deg: f64,
}

/// The direction reviewers look at a clash from: down at 35° over the south-west corner, the
/// way Navisworks' default clash viewpoint shows both elements and their surroundings.
const VIEW_DIRECTION: [f64; 3] = [1.0, 1.0, -1.0];

/// A camera that frames a box (a clash's overlap or a group's extent) with some surroundings:
/// the box's bounding sphere, at least 1 m across, fills the middle of the view.
pub fn frame_box(aabb: &Aabb) -> Camera {
    let field_of_view_deg: f64 = 60.0;
    let center = if aabb.is_empty() { [0.0; 3] } else { aabb.center() };
    let radius_m = if aabb.is_empty() {
        1.0
    } else {
        let d: f64 = (0..3).map(|i| (aabb.max[i] - aabb.min[i]).powi(2)).sum();
        (0.5 * d.sqrt()).max(0.5)
    };
    let direction = normalize(VIEW_DIRECTION);
    // Distance at which the sphere fills about two thirds of the vertical field of view.
    let distance_m = 1.5 * radius_m / (0.5 * field_of_view_deg.to_radians()).tan();
    let position = [
        center[0] - direction[0] * distance_m,
        center[1] - direction[1] * distance_m,
        center[2] - direction[2] * distance_m,
    ];
    let z = [0.0, 0.0, 1.0];
    let along = dot(z, direction);
    let up =
        normalize([z[0] - along * direction[0], z[1] - along * direction[1], z[2] - along * direction[2]]);
    Camera { position, direction, up, field_of_view_deg }
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn normalize(v: [f64; 3]) -> [f64; 3] {
    let n = dot(v, v).sqrt();
    [v[0] / n, v[1] / n, v[2] / n]
}
