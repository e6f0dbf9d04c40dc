use crate::Aabb;

/// The 12 outward-facing triangles of a box whose corner `i` lies on the maximum side of axis
/// `k` when bit `k` of `i` is set (corner 0 is the minimum corner, corner 7 the maximum), in a
/// right-handed frame.
pub(crate) const CUBOID_TRIANGLES: [[u32; 3]; 12] = [
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

    /// A closed, outward-facing axis-aligned box between the opposite corners `min_m` and
    /// `max_m` (world metres; the corners may come in either order): 8 vertices, 12 triangles.
    /// The mesh's origin is the minimum corner, so a box far from the map origin keeps its size
    /// to the precision of an `f32` metre offset.
    pub fn cuboid(min_m: [f64; 3], max_m: [f64; 3]) -> Mesh {
        let lo: [f64; 3] = std::array::from_fn(|k| min_m[k].min(max_m[k]));
        let size_m: [f32; 3] = std::array::from_fn(|k| (min_m[k].max(max_m[k]) - lo[k]) as f32);
        let corners =
            std::array::from_fn(|i| std::array::from_fn(|k| if i >> k & 1 == 0 { 0.0 } else { size_m[k] }));
        Mesh::cuboid_from_corners(lo, corners)
    }

    /// A closed box from its 8 corners, as offsets from `origin_m`: corner `i` is the one on the
    /// far side of the box's own axis `k` when bit `k` of `i` is set. The triangles face outward
    /// when those axes are right-handed (a box turned about any axis, such as a clearance zone
    /// along an element's heading); a mirrored box faces inward.
    pub fn cuboid_from_corners(origin_m: [f64; 3], corners_m: [[f32; 3]; 8]) -> Mesh {
        Mesh::new(origin_m, corners_m.to_vec(), CUBOID_TRIANGLES.to_vec())
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
    use proptest::prelude::*;

    fn unit_cube(origin_m: [f64; 3]) -> Mesh {
        Mesh::cuboid(origin_m, origin_m.map(|c| c + 1.0))
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

    /// Every edge of a closed, consistently wound mesh is walked once in each direction.
    fn is_closed_and_consistent(m: &Mesh) -> bool {
        let mut edges = std::collections::BTreeMap::new();
        for t in &m.triangles {
            for (a, b) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
                *edges.entry((a, b)).or_insert(0) += 1;
            }
        }
        edges.iter().all(|(&(a, b), &n)| n == 1 && edges.get(&(b, a)) == Some(&1))
    }

    /// Does every triangle's normal point away from the world point `centre`?
    fn faces_away_from(m: &Mesh, centre: [f64; 3]) -> bool {
        m.triangles.iter().all(|t| {
            let [a, b, c] = t.map(|i| m.world_vertex(i));
            let (u, v) = ([0, 1, 2].map(|k| b[k] - a[k]), [0, 1, 2].map(|k| c[k] - a[k]));
            let n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
            (0..3).map(|k| n[k] * (a[k] - centre[k])).sum::<f64>() > 0.0
        })
    }

    proptest! {
        /// A cuboid is closed and faces outward, its bounds are its corners (to `f32` rounding of
        /// its size), its volume is the product of its sides, and the corners' order does not
        /// matter, near the origin or 500 km from it.
        #[test]
        fn a_cuboid_is_the_box_between_its_corners(
            min_m in prop::array::uniform3(-10.0f64..10.0),
            size_m in prop::array::uniform3(0.01f64..20.0),
            far_away in proptest::bool::ANY,
        ) {
            let shift = if far_away { [512_345.6, 6_123_456.7, 80.0] } else { [0.0; 3] };
            let min_m: [f64; 3] = std::array::from_fn(|k| min_m[k] + shift[k]);
            let max_m: [f64; 3] = std::array::from_fn(|k| min_m[k] + size_m[k]);
            let m = Mesh::cuboid(min_m, max_m);
            prop_assert_eq!((m.vertices.len(), m.triangle_count()), (8, 12));
            prop_assert!(is_closed_and_consistent(&m));
            prop_assert!(faces_away_from(&m, m.aabb.center()));
            prop_assert_eq!(m.aabb.min, min_m);
            for k in 0..3 {
                // The size went through an f32 offset (and an f64 subtraction far away).
                prop_assert!((m.aabb.max[k] - max_m[k]).abs() <= 1e-6 * size_m[k] + 1e-9, "{:?}", m.aabb);
            }
            let volume_m3 = size_m.iter().product::<f64>();
            prop_assert!((m.signed_volume_m3() - volume_m3).abs() <= 1e-5 * volume_m3, "{}", m.signed_volume_m3());
            prop_assert_eq!(&Mesh::cuboid(max_m, min_m), &m);
            let mixed = Mesh::cuboid([min_m[0], max_m[1], min_m[2]], [max_m[0], min_m[1], max_m[2]]);
            prop_assert_eq!(&mixed, &m);
        }

        /// A box from corners along turned right-handed axes faces outward with the right volume.
        #[test]
        fn a_turned_cuboid_faces_outward(angle in 0.0f64..std::f64::consts::TAU,
                                         size_m in prop::array::uniform3(0.01f64..20.0)) {
            let (s, c) = angle.sin_cos();
            let corners = std::array::from_fn(|i| {
                let [u, v, w]: [f64; 3] = std::array::from_fn(|k| if i >> k & 1 == 0 { 0.0 } else { size_m[k] });
                [(u * c - v * s) as f32, (u * s + v * c) as f32, w as f32]
            });
            let m = Mesh::cuboid_from_corners([1000.0, 2000.0, 3.0], corners);
            prop_assert!(is_closed_and_consistent(&m));
            prop_assert!(faces_away_from(&m, m.aabb.center()));
            let volume_m3 = size_m.iter().product::<f64>();
            // Turned corners are rounded to f32: each face moves by up to a few ulps of the
            // longest side, so the volume is off by about the surface area times that (a thin
            // 18 m bar 1 cm across is off by 1e-5 of its volume).
            let area_m2 = 2.0 * (size_m[0] * size_m[1] + size_m[1] * size_m[2] + size_m[0] * size_m[2]);
            let longest_m = size_m.iter().copied().fold(0.0, f64::max);
            let rounding_m3 = area_m2 * longest_m * 4.0 * f64::from(f32::EPSILON);
            prop_assert!((m.signed_volume_m3() - volume_m3).abs() <= 1e-5 * volume_m3 + rounding_m3);
        }
    }
}
