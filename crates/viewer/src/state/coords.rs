//! World metres and Bevy render space.
//!
//! The models are Z-up in `f64` world metres; Bevy renders Y-up in `f32`. Every world point goes
//! through [`render_from_world`], which subtracts the scene origin (the centre of all loaded
//! models) in `f64` before rounding, so a model 500 km from its map origin renders without
//! jitter.

use bevy::prelude::*;

/// Bevy render space from world metres: Z-up to Y-up (`x, y, z` -> `x, z, -y`), relative to the
/// scene origin, the subtraction done in `f64`.
pub fn render_from_world(origin_m: [f64; 3], p: [f64; 3]) -> Vec3 {
    let d = [p[0] - origin_m[0], p[1] - origin_m[1], p[2] - origin_m[2]];
    Vec3::new(d[0] as f32, d[2] as f32, -d[1] as f32)
}

/// The inverse of [`render_from_world`].
pub fn world_from_render(origin_m: [f64; 3], v: Vec3) -> [f64; 3] {
    [origin_m[0] + f64::from(v.x), origin_m[1] - f64::from(v.z), origin_m[2] + f64::from(v.y)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_space_is_y_up_and_rebased_in_f64() {
        let origin = [500_000.0, 6_000_000.0, 100.0];
        let p = [500_001.25, 6_000_002.5, 103.0];
        let r = render_from_world(origin, p);
        assert_eq!(r, Vec3::new(1.25, 3.0, -2.5));
        assert_eq!(world_from_render(origin, r), p);
    }
}
