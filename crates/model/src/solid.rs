//! Exact solids: the shapes a clash engine can treat without triangles.

use crate::{Aabb, Mesh, Placement};
use serde::{Deserialize, Serialize};

/// An element's body as an exact solid, read from its IFC parameters: an extrusion of a
/// rectangle, a circle, a hollow circle or a convex polygon along a straight direction, or a
/// disk swept along one straight segment. `frame` is the solid's `world_from_local` transform;
/// the shape is given in that frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solid {
    pub frame: Placement,
    pub shape: SolidShape,
}

/// A solid's shape in its own frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SolidShape {
    /// A box centred on the frame's origin with its edges along the frame's axes.
    Cuboid { half_extents_m: [f32; 3] },
    /// A round bar centred on the origin, its axis along local Z.
    Cylinder { radius_m: f32, half_length_m: f32 },
    /// A pipe: a cylinder centred on the origin along local Z minus its coaxial bore.
    Tube { outer_radius_m: f32, inner_radius_m: f32, half_length_m: f32 },
    /// A convex polygon in the local XY plane (counter-clockwise, at least three corners)
    /// swept along `extrusion_m`, which points to the side of +Z: straight or oblique.
    Prism { profile_m: Box<[[f32; 2]]>, extrusion_m: [f32; 3] },
}

/// Most sides a round solid's stand-in mesh gets.
const MAX_SIDES: u32 = 48;
/// Fewest sides a round solid's stand-in mesh gets.
const MIN_SIDES: u32 = 12;
/// Largest gap between a round solid and its stand-in mesh's facets (metres).
const CHORD_DEVIATION_M: f64 = 0.001;

impl SolidShape {
    /// The corners of the shape's hull in its own frame where it has corners (boxes and
    /// prisms); empty for round shapes.
    pub fn corners_m(&self) -> Vec<[f32; 3]> {
        match self {
            SolidShape::Cuboid { half_extents_m: h } => (0..8)
                .map(|i| {
                    let s = |k: usize| if i >> k & 1 == 1 { h[k] } else { -h[k] };
                    [s(0), s(1), s(2)]
                })
                .collect(),
            SolidShape::Prism { profile_m, extrusion_m: e } => profile_m
                .iter()
                .map(|p| [p[0], p[1], 0.0])
                .chain(profile_m.iter().map(|p| [p[0] + e[0], p[1] + e[1], e[2]]))
                .collect(),
            SolidShape::Cylinder { .. } | SolidShape::Tube { .. } => Vec::new(),
        }
    }

    /// The shape's volume (m³).
    pub fn volume_m3(&self) -> f64 {
        use std::f64::consts::PI;
        match self {
            SolidShape::Cuboid { half_extents_m: h } => h.iter().map(|&x| 2.0 * f64::from(x)).product(),
            SolidShape::Cylinder { radius_m: r, half_length_m: h } => {
                PI * f64::from(*r).powi(2) * 2.0 * f64::from(*h)
            }
            SolidShape::Tube { outer_radius_m: ro, inner_radius_m: ri, half_length_m: h } => {
                PI * (f64::from(*ro).powi(2) - f64::from(*ri).powi(2)) * 2.0 * f64::from(*h)
            }
            SolidShape::Prism { profile_m, extrusion_m } => {
                polygon_area(profile_m) * f64::from(extrusion_m[2])
            }
        }
    }
}

/// The area of a polygon given counter-clockwise (m²).
fn polygon_area(points: &[[f32; 2]]) -> f64 {
    let n = points.len();
    (0..n)
        .map(|i| {
            let (p, q) = (points[i].map(f64::from), points[(i + 1) % n].map(f64::from));
            p[0] * q[1] - q[0] * p[1]
        })
        .sum::<f64>()
        / 2.0
}

/// How many sides a round solid of this radius gets in its stand-in mesh: enough that no facet
/// lies more than [`CHORD_DEVIATION_M`] inside the surface, within limits.
pub fn round_sides(radius_m: f32) -> u32 {
    let r = f64::from(radius_m).max(1e-6);
    let half_angle = (1.0 - (CHORD_DEVIATION_M / r).min(1.0)).acos();
    let sides = (std::f64::consts::PI / half_angle.max(1e-3)).ceil();
    (sides as u32).clamp(MIN_SIDES, MAX_SIDES)
}

impl Solid {
    /// The world position of a point of the solid's frame.
    pub fn world_from_local(&self, p: [f64; 3]) -> [f64; 3] {
        self.frame.world_from_local(p)
    }

    /// The solid's exact world box.
    pub fn aabb(&self) -> Aabb {
        let axis = |i: usize| self.frame.axis(i);
        let mut aabb = Aabb::EMPTY;
        match &self.shape {
            SolidShape::Cylinder { radius_m: r, half_length_m: h }
            | SolidShape::Tube { outer_radius_m: r, half_length_m: h, .. } => {
                // A disk of radius r normal to z reaches r·sqrt(1 − z_k²) along world axis k.
                let z = axis(2);
                let (r, h) = (f64::from(*r), f64::from(*h));
                let c = self.frame.origin_m;
                let reach: [f64; 3] =
                    std::array::from_fn(|k| h * z[k].abs() + r * (1.0 - z[k] * z[k]).max(0.0).sqrt());
                aabb.grow(std::array::from_fn(|k| c[k] - reach[k]));
                aabb.grow(std::array::from_fn(|k| c[k] + reach[k]));
            }
            shape => {
                for p in shape.corners_m() {
                    aabb.grow(self.world_from_local(p.map(f64::from)));
                }
            }
        }
        aabb
    }

    /// A closed, outward-facing triangle mesh of the solid for what needs triangles (drawing,
    /// snapshots, surface sampling): exact for boxes and prisms; round solids get regular
    /// polygons inscribed in their circles with [`round_sides`] sides. The mesh's origin is the
    /// solid's.
    pub fn to_mesh(&self) -> Mesh {
        let (local, triangles) = match &self.shape {
            SolidShape::Cuboid { .. } => (self.shape.corners_m(), crate::mesh::CUBOID_TRIANGLES.to_vec()),
            SolidShape::Prism { profile_m, .. } => {
                let n = profile_m.len() as u32;
                let mut t = Vec::new();
                // Caps as fans (the profile is convex), bottom facing -Z, top facing +Z.
                for i in 1..n.saturating_sub(1) {
                    t.push([0, i + 1, i]);
                    t.push([n, n + i, n + i + 1]);
                }
                for i in 0..n {
                    let j = (i + 1) % n;
                    t.push([i, j, n + j]);
                    t.push([i, n + j, n + i]);
                }
                (self.shape.corners_m(), t)
            }
            SolidShape::Cylinder { radius_m: r, half_length_m: h } => {
                let n = round_sides(*r);
                let mut v = ring(n, *r, -*h);
                v.extend(ring(n, *r, *h));
                v.push([0.0, 0.0, -*h]);
                v.push([0.0, 0.0, *h]);
                let (bottom, top) = (2 * n, 2 * n + 1);
                let mut t = Vec::new();
                for i in 0..n {
                    let j = (i + 1) % n;
                    t.push([i, j, n + j]);
                    t.push([i, n + j, n + i]);
                    t.push([bottom, j, i]);
                    t.push([top, n + i, n + j]);
                }
                (v, t)
            }
            SolidShape::Tube { outer_radius_m: ro, inner_radius_m: ri, half_length_m: h } => {
                let n = round_sides(*ro);
                let mut v = ring(n, *ro, -*h);
                v.extend(ring(n, *ro, *h));
                v.extend(ring(n, *ri, -*h));
                v.extend(ring(n, *ri, *h));
                let (o0, o1, i0, i1) = (0, n, 2 * n, 3 * n);
                let mut t = Vec::new();
                for i in 0..n {
                    let j = (i + 1) % n;
                    // Outer wall out, bore wall towards the axis, annular caps down and up.
                    t.push([o0 + i, o0 + j, o1 + j]);
                    t.push([o0 + i, o1 + j, o1 + i]);
                    t.push([i0 + i, i1 + j, i0 + j]);
                    t.push([i0 + i, i1 + i, i1 + j]);
                    t.push([o0 + i, i0 + j, o0 + j]);
                    t.push([o0 + i, i0 + i, i0 + j]);
                    t.push([o1 + i, o1 + j, i1 + j]);
                    t.push([o1 + i, i1 + j, i1 + i]);
                }
                (v, t)
            }
        };
        let axes = self.frame.axes;
        let vertices = local
            .iter()
            .map(|p| std::array::from_fn(|k| p[0] * axes[0][k] + p[1] * axes[1][k] + p[2] * axes[2][k]))
            .collect();
        Mesh::new(self.frame.origin_m, vertices, triangles)
    }
}

/// `n` points on a circle of radius `r` about local Z at height `z`, counter-clockwise.
fn ring(n: u32, r: f32, z: f32) -> Vec<[f32; 3]> {
    (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i) / f64::from(n);
            [(f64::from(r) * a.cos()) as f32, (f64::from(r) * a.sin()) as f32, z]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turned(shape: SolidShape) -> Solid {
        // 30 degrees about Z, then tilted: a frame no box is square to.
        let (c, s) = (0.866_025_4_f32, 0.5_f32);
        let x = [c, s, 0.0];
        let y = [-s * 0.8, c * 0.8, 0.6];
        let z = [s * 0.6, -c * 0.6, 0.8];
        Solid { frame: Placement { origin_m: [500_000.0, 4_000_000.0, 12.0], axes: [x, y, z] }, shape }
    }

    fn shapes() -> Vec<SolidShape> {
        vec![
            SolidShape::Cuboid { half_extents_m: [0.3, 0.05, 1.5] },
            SolidShape::Cylinder { radius_m: 0.05, half_length_m: 2.0 },
            SolidShape::Tube { outer_radius_m: 0.2, inner_radius_m: 0.18, half_length_m: 3.0 },
            SolidShape::Prism {
                profile_m: vec![[0.0, 0.0], [0.4, 0.0], [0.5, 0.3], [0.1, 0.4]].into(),
                extrusion_m: [0.1, -0.2, 2.5],
            },
        ]
    }

    #[test]
    fn stand_in_meshes_are_closed_outward_and_inside_the_exact_box() {
        for shape in shapes() {
            let solid = turned(shape);
            let mesh = solid.to_mesh();
            let exact = solid.aabb();
            // Outward: positive volume, within the facets' chord deviation of the exact one.
            let (v, truth) = (mesh.signed_volume_m3(), solid.shape.volume_m3());
            assert!(v > 0.0 && (v - truth).abs() <= 0.03 * truth, "{:?}: {v} vs {truth}", solid.shape);
            // Closed: every edge met once each way.
            let mut edges = std::collections::HashMap::new();
            for t in &mesh.triangles {
                for k in 0..3 {
                    *edges.entry((t[k], t[(k + 1) % 3])).or_insert(0) += 1;
                }
            }
            assert!(edges.iter().all(|(&(a, b), &n)| n == 1 && edges.get(&(b, a)) == Some(&1)));
            // The mesh's box lies in the exact box, and falls short by no more than the facets'
            // deviation.
            for k in 0..3 {
                assert!(mesh.aabb.min[k] >= exact.min[k] - 1e-5 && mesh.aabb.max[k] <= exact.max[k] + 1e-5);
                assert!(mesh.aabb.min[k] - exact.min[k] <= 0.002 && exact.max[k] - mesh.aabb.max[k] <= 0.002);
            }
        }
    }

    #[test]
    fn round_solids_get_sides_for_a_millimetre_of_deviation() {
        assert_eq!(round_sides(0.01), MIN_SIDES);
        assert_eq!(round_sides(10.0), MAX_SIDES);
        let r = 0.1f32;
        let n = round_sides(r);
        let deviation = f64::from(r) * (1.0 - (std::f64::consts::PI / f64::from(n)).cos());
        assert!(deviation <= CHORD_DEVIATION_M, "{n} sides deviate {deviation}");
    }
}
