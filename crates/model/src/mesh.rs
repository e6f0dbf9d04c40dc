use crate::Aabb;

/// A triangle mesh in world space.
///
/// Vertices are `f32` offsets from `origin_m` (an `f64` world point, usually the first vertex
/// or the element's placement): `world = origin_m + vertex`. This keeps sub-millimetre precision
/// for georeferenced models hundreds of kilometres from the map origin while storing half the
/// bytes of `f64` vertices.
#[derive(Debug, Clone, PartialEq)]
pub struct Mesh {
    pub origin_m: [f64; 3],
    pub vertices: Vec<[f32; 3]>,
    pub triangles: Vec<[u32; 3]>,
    /// World-space bounds of the vertices, computed once.
    pub aabb: Aabb,
}

impl Mesh {
    /// Builds a mesh and its bounds. Triangles referring to missing vertices are dropped, so a
    /// `Mesh` is always internally consistent.
    pub fn new(origin_m: [f64; 3], vertices: Vec<[f32; 3]>, mut triangles: Vec<[u32; 3]>) -> Mesh {
        let n = vertices.len() as u32;
        triangles.retain(|t| t.iter().all(|&i| i < n));
        let mut aabb = Aabb::EMPTY;
        // Bounds cover only referenced vertices: stray unreferenced vertices would inflate them.
        for t in &triangles {
            for &i in t {
                let v = vertices[i as usize];
                aabb.grow([
                    origin_m[0] + f64::from(v[0]),
                    origin_m[1] + f64::from(v[1]),
                    origin_m[2] + f64::from(v[2]),
                ]);
            }
        }
        Mesh { origin_m, vertices, triangles, aabb }
    }

    pub fn triangle_count(&self) -> usize {
        self.triangles.len()
    }

    /// World position of vertex `i`.
    pub fn world_vertex(&self, i: u32) -> [f64; 3] {
        let v = self.vertices[i as usize];
        [
            self.origin_m[0] + f64::from(v[0]),
            self.origin_m[1] + f64::from(v[1]),
            self.origin_m[2] + f64::from(v[2]),
        ]
    }

    /// Signed volume by the divergence theorem (positive for outward-facing closed meshes).
    /// Computed relative to `origin_m` so that far-away models lose no precision.
    pub fn signed_volume_m3(&self) -> f64 {
        let mut six_v = 0.0;
        for t in &self.triangles {
            let [a, b, c] = t.map(|i| self.vertices[i as usize].map(f64::from));
            six_v += a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0]);
        }
        six_v / 6.0
    }

    /// Appends another mesh (e.g. a second representation item of the same element).
    pub fn append(&mut self, other: &Mesh) {
        let base = self.vertices.len() as u32;
        let shift = [
            other.origin_m[0] - self.origin_m[0],
            other.origin_m[1] - self.origin_m[1],
            other.origin_m[2] - self.origin_m[2],
        ];
        self.vertices.extend(other.vertices.iter().map(|v| {
            [
                (f64::from(v[0]) + shift[0]) as f32,
                (f64::from(v[1]) + shift[1]) as f32,
                (f64::from(v[2]) + shift[2]) as f32,
            ]
        }));
        self.triangles.extend(other.triangles.iter().map(|t| t.map(|i| i + base)));
        self.aabb = self.aabb.union(&other.aabb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_cube(origin_m: [f64; 3]) -> Mesh {
        let v: Vec<[f32; 3]> =
            (0..8).map(|i| [(i & 1) as f32, ((i >> 1) & 1) as f32, ((i >> 2) & 1) as f32]).collect();
        // Outward-facing triangles of the cube's six faces.
        let t = vec![
            [0, 2, 1],
            [1, 2, 3],
            [4, 5, 6],
            [5, 7, 6],
            [0, 1, 4],
            [1, 5, 4],
            [2, 6, 3],
            [3, 6, 7],
            [0, 4, 2],
            [2, 4, 6],
            [1, 3, 5],
            [3, 7, 5],
        ];
        Mesh::new(origin_m, v, t)
    }

    #[test]
    fn cube_volume_is_one_even_far_from_the_origin() {
        assert!((unit_cube([0.0; 3]).signed_volume_m3() - 1.0).abs() < 1e-12);
        let far = unit_cube([500_000.0, 6_000_000.0, 120.0]);
        assert!((far.signed_volume_m3() - 1.0).abs() < 1e-12);
        assert_eq!(far.aabb.min, [500_000.0, 6_000_000.0, 120.0]);
    }

    #[test]
    fn triangles_with_bad_indices_are_dropped() {
        let m = Mesh::new([0.0; 3], vec![[0.0; 3]; 3], vec![[0, 1, 2], [0, 1, 9]]);
        assert_eq!(m.triangle_count(), 1);
    }

    #[test]
    fn append_keeps_world_positions() {
        let mut a = unit_cube([0.0; 3]);
        let b = unit_cube([10.0, 0.0, 0.0]);
        a.append(&b);
        assert_eq!(a.aabb.max, [11.0, 1.0, 1.0]);
        assert_eq!(a.world_vertex(8), [10.0, 0.0, 0.0]);
        assert!((a.signed_volume_m3() - 2.0).abs() < 1e-9);
    }
}
