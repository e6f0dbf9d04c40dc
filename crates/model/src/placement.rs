use serde::{Deserialize, Serialize};

/// A rigid frame in the world: `world = origin_m + x * axes[0] + y * axes[1] + z * axes[2]`
/// (the `world_from_local` transform of an element's `ObjectPlacement`).
///
/// Axes are `f32` unit vectors: a million elements carry one each, and a direction needs no
/// more than 1e-7 of precision (a micrometre over ten metres). The origin stays `f64` so that
/// georeferenced models keep their precision far from the map origin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// World position of the local origin, metres.
    pub origin_m: [f64; 3],
    /// Local X, Y and Z axes in world coordinates, unit length and mutually orthogonal.
    pub axes: [[f32; 3]; 3],
}

impl Placement {
    /// The world frame itself.
    pub const IDENTITY: Placement =
        Placement { origin_m: [0.0; 3], axes: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]] };

    /// Local axis `i` (0 = X, 1 = Y, 2 = Z) in world coordinates, widened to `f64`.
    pub fn axis(&self, i: usize) -> [f64; 3] {
        self.axes[i].map(f64::from)
    }

    /// The world position of a local point.
    pub fn world_from_local(&self, p: [f64; 3]) -> [f64; 3] {
        let mut out = self.origin_m;
        for (i, c) in p.iter().enumerate() {
            let a = self.axis(i);
            for k in 0..3 {
                out[k] += c * a[k];
            }
        }
        out
    }

    /// The local coordinates of a world point (the axes are orthonormal, so the inverse
    /// rotation is the transpose).
    pub fn local_from_world(&self, p: [f64; 3]) -> [f64; 3] {
        let d = [p[0] - self.origin_m[0], p[1] - self.origin_m[1], p[2] - self.origin_m[2]];
        [0, 1, 2].map(|i| {
            let a = self.axis(i);
            d[0] * a[0] + d[1] * a[1] + d[2] * a[2]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_a_turned_frame() {
        // Turned 90 degrees about Z: local +Y looks along world -X.
        let p = Placement {
            origin_m: [10.0, 20.0, 3.0],
            axes: [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        };
        assert_eq!(p.world_from_local([0.0, 1.0, 0.0]), [9.0, 20.0, 3.0]);
        assert_eq!(p.local_from_world([9.0, 20.0, 3.0]), [0.0, 1.0, 0.0]);
        assert_eq!(Placement::IDENTITY.world_from_local([1.0, 2.0, 3.0]), [1.0, 2.0, 3.0]);
    }
}
