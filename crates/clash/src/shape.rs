//! Per-element collision shapes, built once and shared by every test of a run.

use crate::exact::{self, Convex, ConvexShape, Exact, ExactKind};
use parry3d::math::Vector;
use parry3d::query::PointQuery;
use parry3d::shape::{ConvexPolyhedron, TriMesh, TriMeshFlags};
use plumbline_model::{Aabb, Mesh, Solid, SolidShape};
use std::sync::Arc;

/// Relative volume difference under which a closed mesh counts as convex (its own hull).
const CONVEX_VOLUME_TOLERANCE: f64 = 1e-4;

/// What the narrow phase knows about one element's solid: where it is, and its solid in its
/// own frame, which elements of identical local geometry share.
#[derive(Debug, Clone)]
pub struct ElementShape {
    /// World position of the shape's local origin: `world = origin_m + local`.
    pub origin_m: [f64; 3],
    pub aabb: Aabb,
    /// The solid in the local frame; shared (`Arc`) between elements whose meshes are the same
    /// in their own frames, bit for bit (repeated pipe lengths, racks, fittings).
    pub solid: Arc<LocalSolid>,
}

/// An element's solid in its own frame: everything about it that does not depend on where it
/// stands.
#[derive(Debug)]
pub struct LocalSolid {
    /// The triangles, in the local frame, with a BVH; `None` when the mesh is unusable.
    pub trimesh: Option<TriMesh>,
    /// Whether inside/outside is defined: the mesh is closed (every edge shared by two
    /// triangles) and consistently oriented. Open meshes fall back to the sidedness of their
    /// nearest face (see the crate docs).
    pub closed: bool,
    /// The element's convex solid when it is convex (the exact fast path): its own convex
    /// hull, or the box, bar or prism its IFC parameters give.
    pub convex: Option<Convex>,
    /// The face planes `(outward unit normal, offset)` of a convex polytope: a point `p` lies
    /// `n·p − offset` outside a face. Empty when the element is not convex or is round.
    pub face_planes: Vec<(Vector, f32)>,
    /// Whether the triangles are the solid's exact surface and `face_planes` bound it (convex
    /// meshes, boxes and prisms; not the facets that stand for a round bar).
    pub polytope: bool,
    /// The exact solid read from the element's IFC parameters, which answers point queries in
    /// closed form; `None` when only the mesh is known.
    pub exact: Option<Exact>,
    /// A pipe's outer cylinder: the pipe itself towards any solid too wide for its bore.
    pub outer: Option<Convex>,
    /// Volume of the solid (m³): the exact one's, else the mesh's signed volume.
    pub volume_m3: f64,
}

impl std::ops::Deref for ElementShape {
    type Target = LocalSolid;

    fn deref(&self) -> &LocalSolid {
        &self.solid
    }
}

impl ElementShape {
    /// Builds the shape of a mesh, and of the exact solid it stands for when the element has
    /// one. Never fails: a mesh parry cannot index gets no trimesh and only takes part in
    /// box-level decisions.
    pub fn new(mesh: &Mesh, solid: Option<&Solid>) -> ElementShape {
        ElementShape::placed(mesh, solid, Arc::new(LocalSolid::new(mesh, solid)))
    }

    /// The shape of `mesh` with a solid already built from a mesh identical to it in its own
    /// frame ([`same_local_geometry`]). The box is the exact solid's where there is one: a
    /// round solid's facets fall short of it.
    pub fn placed(mesh: &Mesh, solid: Option<&Solid>, local: Arc<LocalSolid>) -> ElementShape {
        let aabb = match (&local.exact, solid) {
            (Some(_), Some(s)) => s.aabb(),
            _ => mesh.aabb,
        };
        ElementShape { origin_m: mesh.origin_m, aabb, solid: local }
    }

    /// Whether a local point lies in a pipe's bore (within its length, clear of its wall by
    /// 0.01 mm): where the outer cylinder that stands for the pipe is not the pipe.
    pub(crate) fn in_bore_mouth(&self, p: Vector) -> bool {
        self.exact.as_ref().is_some_and(|e| e.in_bore(p, 1e-5))
    }

    /// The convex solid that stands for this one against `other`: its own when it is convex; a
    /// pipe's outer cylinder when `other` is convex and too wide for the bore (see
    /// [`Exact::might_hold`]). `None` sends the pair to the estimate.
    pub(crate) fn convex_against(&self, other: &ElementShape) -> Option<&Convex> {
        if let Some(c) = &self.convex {
            return Some(c);
        }
        let (outer, exact) = (self.outer.as_ref()?, self.exact.as_ref()?);
        let theirs = other.convex.as_ref().or(other.outer.as_ref())?;
        (!exact.might_hold(theirs)).then_some(outer)
    }
}

/// Whether two elements are the same in their own frames, bit for bit (meshes and exact
/// solids placed relative to the meshes): then every local query gives the same answer on
/// both, and one [`LocalSolid`] serves them.
pub fn same_local_geometry(a: &Mesh, sa: Option<&Solid>, b: &Mesh, sb: Option<&Solid>) -> bool {
    a.triangles == b.triangles
        && a.vertices.len() == b.vertices.len()
        && a.vertices.iter().zip(&b.vertices).all(|(p, q)| p.map(f32::to_bits) == q.map(f32::to_bits))
        && solid_key(a, sa) == solid_key(b, sb)
}

/// The bits of an exact solid relative to its mesh: its frame's offset from the mesh's origin
/// (narrowed as local coordinates are), its axes and its shape.
fn solid_key(mesh: &Mesh, solid: Option<&Solid>) -> Option<Vec<u32>> {
    let s = solid?;
    let offset = (0..3).map(|k| ((s.frame.origin_m[k] - mesh.origin_m[k]) as f32).to_bits());
    let axes = s.frame.axes.iter().flatten().map(|v| v.to_bits());
    // The kind first, so that shapes with the same numbers (a bar and a box of one radius and
    // half length) never match.
    let shape: Vec<f32> = match &s.shape {
        SolidShape::Cuboid { half_extents_m } => [0.0].into_iter().chain(*half_extents_m).collect(),
        SolidShape::Cylinder { radius_m, half_length_m } => vec![1.0, *radius_m, *half_length_m],
        SolidShape::Tube { outer_radius_m, inner_radius_m, half_length_m } => {
            vec![2.0, *outer_radius_m, *inner_radius_m, *half_length_m]
        }
        SolidShape::Prism { profile_m, extrusion_m } => {
            [3.0].into_iter().chain(profile_m.iter().flatten().copied()).chain(*extrusion_m).collect()
        }
    };
    Some(offset.chain(axes).chain(shape.into_iter().map(f32::to_bits)).collect())
}

/// A hash of an element's local geometry (vertex bits, triangles and its exact solid relative
/// to them), for finding identical ones.
pub fn local_geometry_hash(mesh: &Mesh, solid: Option<&Solid>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    mesh.triangles.hash(&mut h);
    for v in &mesh.vertices {
        v.map(f32::to_bits).hash(&mut h);
    }
    solid_key(mesh, solid).hash(&mut h);
    h.finish()
}

impl LocalSolid {
    fn new(mesh: &Mesh, solid: Option<&Solid>) -> LocalSolid {
        let vertices: Vec<Vector> = mesh.vertices.iter().map(|v| Vector::new(v[0], v[1], v[2])).collect();
        let volume_m3 = mesh.signed_volume_m3();
        let triangles = mesh.triangles.clone();
        // The strictest flags first: merged vertices and half-edge topology say the mesh is
        // closed and manifold; pseudo-normals give robust point containment.
        let strict = TriMeshFlags::MERGE_DUPLICATE_VERTICES
            | TriMeshFlags::DELETE_DEGENERATE_TRIANGLES
            | TriMeshFlags::HALF_EDGE_TOPOLOGY
            | TriMeshFlags::ORIENTED;
        let lenient = TriMeshFlags::MERGE_DUPLICATE_VERTICES
            | TriMeshFlags::DELETE_DEGENERATE_TRIANGLES
            | TriMeshFlags::ORIENTED;
        let (trimesh, closed) = match TriMesh::with_flags(vertices.clone(), triangles.clone(), strict) {
            Ok(t) => {
                let closed =
                    t.topology().is_some_and(|topo| topo.half_edges.iter().all(|h| h.twin != u32::MAX));
                (Some(t), closed)
            }
            Err(_) => match TriMesh::with_flags(vertices.clone(), triangles.clone(), lenient) {
                Ok(t) => (Some(t), false),
                Err(_) => (TriMesh::new(vertices.clone(), triangles).ok(), false),
            },
        };
        // An exact solid answers inside and outside itself; its triangles (the mesh that draws
        // it) only give surface samples. It needs no convexity test: its kind says.
        if let Some(built) = solid.and_then(|s| exact::build(mesh, s)) {
            let round = matches!(built.exact.kind, ExactKind::Round { .. });
            let face_planes = match (&built.exact.kind, &built.convex) {
                (ExactKind::Cuboid { half_extents }, _) => cuboid_planes(&built.exact, *half_extents),
                (ExactKind::Prism, Some(Convex { pose, shape: ConvexShape::Hull(hull) })) => {
                    face_planes(hull)
                        .into_iter()
                        .map(|(n, d)| {
                            let n = pose.rotation * n;
                            (n, d + n.dot(pose.translation))
                        })
                        .collect()
                }
                _ => Vec::new(),
            };
            return LocalSolid {
                trimesh,
                closed: true,
                convex: built.convex,
                face_planes,
                polytope: !round,
                exact: Some(built.exact),
                outer: built.outer,
                volume_m3: built.volume_m3,
            };
        }
        // Inward-facing meshes (negative volume) would invert containment: they are treated as
        // open, so only their surfaces take part.
        let closed = closed && volume_m3 > 0.0;
        let (convex, face_planes) =
            match closed.then(|| convex_hull_if_convex(&vertices, volume_m3)).flatten() {
                Some((hull, planes)) => (
                    Some(Convex { pose: parry3d::math::Pose::IDENTITY, shape: ConvexShape::Hull(hull) }),
                    planes,
                ),
                None => (None, Vec::new()),
            };
        let polytope = convex.is_some();
        LocalSolid { trimesh, closed, convex, face_planes, polytope, exact: None, outer: None, volume_m3 }
    }
}

/// The six face planes of an exact box, in the element's frame.
fn cuboid_planes(exact: &Exact, half_extents: Vector) -> Vec<(Vector, f32)> {
    let (r, t) = (exact.pose.rotation, exact.pose.translation);
    (0..3)
        .flat_map(|k| {
            let axis = r * Vector::AXES[k];
            [axis, -axis].map(|n| (n, half_extents[k] + n.dot(t)))
        })
        .collect()
}

impl ElementShape {
    /// Is the local point strictly inside the solid? For closed meshes, the pseudo-normals of
    /// the nearest surface feature decide (exact and fast). For open meshes, where a missing or
    /// flipped triangle can mislead the nearest feature, three rays vote: a point is inside when
    /// at least two of three rays in skewed directions cross the surface an odd number of times.
    /// A hole or a flipped triangle can fool one ray, rarely two.
    pub fn contains(&self, p: Vector) -> bool {
        if let Some(e) = &self.exact {
            return e.contains(p, &self.face_planes);
        }
        match &self.trimesh {
            Some(t) if !self.closed => {
                // The majority of three: when the first two rays agree, the third cannot
                // change the outcome and is not cast.
                let odd = |d: [f32; 3]| crossings(t, p, Vector::from(d)) % 2 == 1;
                let (first, second) = (odd(RAY_DIRECTIONS[0]), odd(RAY_DIRECTIONS[1]));
                if first == second {
                    first
                } else {
                    odd(RAY_DIRECTIONS[2])
                }
            }
            Some(t) if t.pseudo_normals().is_some() => t.contains_local_point(p),
            _ => false,
        }
    }

    /// How deep a local point lies inside the solid: its distance to the surface when
    /// [`ElementShape::contains`] holds, else `None`. For closed meshes one projection answers
    /// both (the pseudo-normals of the nearest feature decide inside, as `contains` does), half
    /// the work of asking `contains` and then `distance_to_surface`, with the same numbers.
    pub fn depth_inside(&self, p: Vector) -> Option<f32> {
        if let Some(e) = &self.exact {
            let d = e.signed_distance(p, &self.face_planes, self.convex.as_ref());
            return (d < 0.0).then_some(-d);
        }
        match &self.trimesh {
            Some(t) if self.closed && t.pseudo_normals().is_some() => {
                let proj = t.project_local_point(p, true);
                proj.is_inside.then(|| (proj.point - p).length())
            }
            _ => self.contains(p).then(|| self.distance_to_surface(p)),
        }
    }

    /// A world point (metres) in the shape's local frame, subtracted in `f64` before narrowing.
    pub fn to_local(&self, p: [f64; 3]) -> Vector {
        Vector::new(
            (p[0] - self.origin_m[0]) as f32,
            (p[1] - self.origin_m[1]) as f32,
            (p[2] - self.origin_m[2]) as f32,
        )
    }

    /// How far a local point lies inside the shape's own box (negative outside). No point of
    /// the solid is deeper than that, so it bounds [`ElementShape::depth_inside`] without asking
    /// the mesh: the depth estimate skips queries that could not beat its best answer.
    pub fn box_depth(&self, p: Vector) -> f32 {
        let (lo, hi) = (self.to_local(self.aabb.min), self.to_local(self.aabb.max));
        (p - lo).min(hi - p).min_element()
    }

    /// How far a local point lies outside the solid: 0 inside, else its distance to the
    /// surface.
    pub fn distance_outside(&self, p: Vector) -> f32 {
        if let Some(e) = &self.exact {
            return e.signed_distance(p, &self.face_planes, self.convex.as_ref()).max(0.0);
        }
        if self.contains(p) {
            0.0
        } else {
            self.distance_to_surface(p)
        }
    }

    /// Distance from a local point to the surface.
    pub fn distance_to_surface(&self, p: Vector) -> f32 {
        if let Some(e) = &self.exact {
            return e.signed_distance(p, &self.face_planes, self.convex.as_ref()).abs();
        }
        match &self.trimesh {
            Some(t) => (t.project_local_point(p, false).point - p).length(),
            None => f32::INFINITY,
        }
    }
}

/// Ray directions for the containment vote of open meshes: near the three axes but skewed by
/// irrational amounts, so that they do not run along the edges and faces of axis-aligned BIM
/// geometry.
const RAY_DIRECTIONS: [[f32; 3]; 3] =
    [[1.0, 0.001_414_2, 0.001_732_1], [0.002_236_1, 1.0, 0.001_414_2], [0.001_732_1, 0.002_645_8, 1.0]];

/// How many times the ray from `p` along `dir` crosses the mesh. Candidate triangles come from
/// the BVH with the box of the ray's stretch inside the mesh's bounds; hits at the same distance
/// (a shared edge) count once.
fn crossings(t: &TriMesh, p: Vector, dir: Vector) -> usize {
    let bounds = t.local_aabb();
    // Length of the ray until it leaves the mesh's bounds.
    let mut reach = f32::INFINITY;
    for k in 0..3 {
        if dir[k] > 0.0 {
            reach = reach.min((bounds.maxs[k] - p[k]) / dir[k]);
        } else if dir[k] < 0.0 {
            reach = reach.min((bounds.mins[k] - p[k]) / dir[k]);
        }
    }
    // A point outside the bounds (or a NaN reach) has no crossings to count.
    if reach.is_nan() || reach <= 0.0 {
        return 0;
    }
    let end = p + dir * reach;
    let query = parry3d::bounding_volume::Aabb::new(
        p.min(end) - Vector::splat(1e-6),
        p.max(end) + Vector::splat(1e-6),
    );
    let ray = parry3d::query::Ray::new(p, dir);
    let mut hits: Vec<f32> = t
        .bvh()
        .intersect_aabb(&query)
        .filter_map(|i| parry3d::query::RayCast::cast_local_ray(&t.triangle(i), &ray, reach, false))
        .collect();
    hits.sort_by(f32::total_cmp);
    hits.dedup_by(|a, b| (*a - *b).abs() < 1e-6);
    hits.len()
}

/// Directions along which the extreme vertices are taken: the axes, the face diagonals and the
/// body diagonals of a cube (each both ways).
const EXTREME_DIRECTIONS: [[f32; 3]; 13] = [
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
    [1.0, 1.0, 0.0],
    [1.0, -1.0, 0.0],
    [1.0, 0.0, 1.0],
    [1.0, 0.0, -1.0],
    [0.0, 1.0, 1.0],
    [0.0, 1.0, -1.0],
    [1.0, 1.0, 1.0],
    [1.0, 1.0, -1.0],
    [1.0, -1.0, 1.0],
    [-1.0, 1.0, 1.0],
];

/// A volume no larger than that of the convex hull of `vertices`: the hull of the at most 26
/// vertices that lie furthest along [`EXTREME_DIRECTIONS`]. A subset's hull lies inside the
/// whole hull, and building it costs a fraction of the whole when a mesh has many vertices.
fn hull_volume_lower_bound(vertices: &[Vector]) -> f64 {
    let mut picked: Vec<usize> = Vec::with_capacity(26);
    for d in EXTREME_DIRECTIONS {
        let d = Vector::from(d);
        let along = |i: &usize| vertices[*i].dot(d);
        let by = |a: &usize, b: &usize| along(a).total_cmp(&along(b));
        let (lo, hi) = ((0..vertices.len()).min_by(by), (0..vertices.len()).max_by(by));
        picked.extend(lo.into_iter().chain(hi));
    }
    picked.sort_unstable();
    picked.dedup();
    if picked.len() < 4 {
        return 0.0;
    }
    let subset: Vec<Vector> = picked.iter().map(|&i| vertices[i]).collect();
    ConvexPolyhedron::from_convex_hull(&subset).map_or(0.0, |h| volume_of(&h))
}

/// The volume of a convex hull (m³).
fn volume_of(hull: &ConvexPolyhedron) -> f64 {
    f64::from(parry3d::shape::Shape::mass_properties(hull, 1.0).mass())
}

/// The face planes `(outward unit normal, offset)` of a convex hull, in its own frame.
fn face_planes(hull: &ConvexPolyhedron) -> Vec<(Vector, f32)> {
    let (points, adjacent) = (hull.points(), hull.vertices_adj_to_face());
    hull.faces()
        .iter()
        .filter_map(|f| {
            let v = points.get(*adjacent.get(f.first_vertex_or_edge as usize)? as usize)?;
            Some((f.normal, f.normal.dot(*v)))
        })
        .collect()
}

/// Margin on [`hull_volume_lower_bound`] before it may settle the convexity test without the
/// hull: the hull's volume is computed in `f32`, so the bound must beat the criterion clearly
/// for the answer to be the one the hull would have given. Parry's hull of all the vertices can
/// also leave out a vertex barely outside it (on random point sets, up to 1.7 % of volume
/// short); where the bound exceeds it by more than the margin, the bound is the truer answer,
/// and it only ever answers "not convex", the side where the estimate, not the convex fast
/// path, measures the depth.
const HULL_BOUND_MARGIN: f64 = 1.01;

/// Whether every vertex lies inside the planes (within `f32` rounding of their coordinates).
/// Parry's hull can leave out a vertex barely outside it (the tests below found hulls 1.7 %
/// short of the true volume); a hull that does is not the solid's hull, and the convex fast path
/// must not measure with it.
fn planes_enclose(planes: &[(Vector, f32)], vertices: &[Vector]) -> bool {
    let extent = vertices.iter().map(|v| v.abs().max_element()).fold(0.0f32, f32::max);
    let tolerance = 1e-6 + 8.0 * f32::EPSILON * extent;
    vertices.iter().all(|v| planes.iter().all(|(n, offset)| n.dot(*v) - offset <= tolerance))
}

/// The solid's hull and its face planes, when the solid is convex: its volume equals the hull's
/// and no vertex lies outside the hull.
fn convex_hull_if_convex(
    vertices: &[Vector],
    volume_m3: f64,
) -> Option<(ConvexPolyhedron, Vec<(Vector, f32)>)> {
    if vertices.len() < 4 || volume_m3 <= 0.0 {
        return None;
    }
    // Hollow solids (pipes with a bore: half of a real MEP model's elements) fail the test by
    // a factor of several; the hull of a few of their extreme vertices already holds more
    // than the solid, which proves it without building the whole hull.
    // Only where the criterion is relative (volumes above 1e-9 m³) is the shortcut exact.
    if volume_m3 >= 1e-9
        && hull_volume_lower_bound(vertices) > HULL_BOUND_MARGIN * volume_m3 * (1.0 + CONVEX_VOLUME_TOLERANCE)
    {
        return None;
    }
    let hull = ConvexPolyhedron::from_convex_hull(vertices)?;
    if (volume_of(&hull) - volume_m3).abs() > CONVEX_VOLUME_TOLERANCE * volume_m3.max(1e-9) {
        return None;
    }
    let planes = face_planes(&hull);
    planes_enclose(&planes, vertices).then_some((hull, planes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hull_volume(vertices: &[Vector]) -> f64 {
        ConvexPolyhedron::from_convex_hull(vertices).map_or(0.0, |h| volume_of(&h))
    }

    /// A closed, outward-facing pipe with a bore along z: `n` sides, outer and inner radius.
    fn tube(n: u32, outer: f32, inner: f32, length: f32) -> Mesh {
        let mut vertices = Vec::new();
        for (r, z) in [(outer, 0.0), (outer, length), (inner, 0.0), (inner, length)] {
            for i in 0..n {
                let a = std::f32::consts::TAU * i as f32 / n as f32;
                vertices.push([r * a.cos(), r * a.sin(), z]);
            }
        }
        let ring = |k: u32, i: u32| k * n + i % n;
        let mut triangles = Vec::new();
        for i in 0..n {
            let (o0, o1, i0, i1) = (0, 1, 2, 3);
            // Outer wall facing out, inner wall facing the axis, bottom cap down, top cap up.
            triangles.push([ring(o0, i), ring(o0, i + 1), ring(o1, i + 1)]);
            triangles.push([ring(o0, i), ring(o1, i + 1), ring(o1, i)]);
            triangles.push([ring(i0, i), ring(i1, i + 1), ring(i0, i + 1)]);
            triangles.push([ring(i0, i), ring(i1, i), ring(i1, i + 1)]);
            triangles.push([ring(o0, i), ring(i0, i + 1), ring(o0, i + 1)]);
            triangles.push([ring(o0, i), ring(i0, i), ring(i0, i + 1)]);
            triangles.push([ring(o1, i), ring(o1, i + 1), ring(i1, i + 1)]);
            triangles.push([ring(o1, i), ring(i1, i + 1), ring(i1, i)]);
        }
        Mesh::new([500_000.0, 4_000_000.0, 3.0], vertices, triangles)
    }

    #[test]
    fn a_hollow_pipe_is_found_non_convex_without_its_hull() {
        // Thin-walled and thick-walled pipes, as MEP models have them.
        for (outer, inner) in [(0.05, 0.045), (0.05, 0.03), (0.3, 0.1)] {
            let mesh = tube(24, outer, inner, 3.0);
            let shape = ElementShape::new(&mesh, None);
            assert!(shape.closed, "the test tube is a closed solid");
            assert!(shape.convex.is_none(), "a pipe with a bore is not convex");
            let vertices: Vec<Vector> = mesh.vertices.iter().map(|v| Vector::new(v[0], v[1], v[2])).collect();
            let bound = hull_volume_lower_bound(&vertices);
            // The shortcut decided, and the hull agrees with it.
            assert!(bound > HULL_BOUND_MARGIN * shape.volume_m3 * (1.0 + CONVEX_VOLUME_TOLERANCE));
            assert!(hull_volume(&vertices) > shape.volume_m3 * (1.0 + CONVEX_VOLUME_TOLERANCE));
        }
        // A solid bar (no bore) stays convex: the shortcut never fires on convex solids.
        let solid = ElementShape::new(&tube(24, 0.05, 0.0, 3.0), None);
        assert!(solid.convex.is_some());
    }

    /// The volume of the convex hull of a few points in general position, in `f64`, by brute
    /// force: every triangle of points with all the others on one side is a face. Parry's
    /// hull (`f32`, with its own tolerances) can leave out a point that is barely outside:
    /// on random sets of 4 to 15 points its volume came out up to 1.7 % below the hull of a
    /// subset of the same points, so it cannot be the yardstick here.
    fn exact_hull_volume(points: &[Vector]) -> f64 {
        let p: Vec<[f64; 3]> = points.iter().map(|v| [v.x as f64, v.y as f64, v.z as f64]).collect();
        let n = p.len();
        let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
        let det = |a: [f64; 3], b: [f64; 3], c: [f64; 3]| {
            a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0])
        };
        let centre =
            p.iter().fold([0.0; 3], |s, q| [s[0] + q[0], s[1] + q[1], s[2] + q[2]]).map(|x| x / n as f64);
        let mut volume = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                for k in j + 1..n {
                    let side = |q: [f64; 3]| det(sub(p[j], p[i]), sub(p[k], p[i]), sub(q, p[i]));
                    let sides: Vec<f64> =
                        (0..n).filter(|&m| m != i && m != j && m != k).map(|m| side(p[m])).collect();
                    if sides.iter().all(|&x| x <= 0.0) || sides.iter().all(|&x| x >= 0.0) {
                        volume += det(sub(p[i], centre), sub(p[j], centre), sub(p[k], centre)).abs() / 6.0;
                    }
                }
            }
        }
        volume
    }

    #[test]
    fn a_hull_that_leaves_out_a_vertex_is_not_taken_for_the_solids_hull() {
        // A 1 m cube and the hull of seven of its corners: the eighth lies outside that hull.
        let corners: Vec<Vector> = (0..8)
            .map(|i| Vector::new((i & 1) as f32, ((i >> 1) & 1) as f32, ((i >> 2) & 1) as f32))
            .collect();
        let short = ConvexPolyhedron::from_convex_hull(&corners[..7]).expect("a hull");
        assert!(!planes_enclose(&face_planes(&short), &corners));
        let whole = ConvexPolyhedron::from_convex_hull(&corners).expect("a hull");
        assert!(planes_enclose(&face_planes(&whole), &corners));
        // Far from the origin (500 m), rounding of the corners is not taken for a missing one.
        let far: Vec<Vector> = corners.iter().map(|c| *c + Vector::new(500.0, -500.0, 20.0)).collect();
        let hull = ConvexPolyhedron::from_convex_hull(&far).expect("a hull");
        assert!(planes_enclose(&face_planes(&hull), &far));
    }

    #[test]
    fn the_bound_stays_within_the_true_hull_where_parrys_hull_falls_short() {
        // Found by the property test below when it measured against parry's hull.
        let points = [
            [-3.0638297, 2.4534507, 3.0480814],
            [0.0, -0.90777177, -1.5409926],
            [4.695312, 2.8440604, 0.34476185],
            [-3.8921688, 0.29673037, -4.5862045],
            [-3.5948856, 3.137333, 0.30392095],
            [-0.24770267, 4.8244305, -3.9567811],
            [0.98892874, -4.744736, 0.0],
            [-2.2238512, -4.630826, 0.5025781],
        ];
        let vertices: Vec<Vector> = points.iter().map(|p| Vector::new(p[0], p[1], p[2])).collect();
        let (bound, exact) = (hull_volume_lower_bound(&vertices), exact_hull_volume(&vertices));
        assert!(hull_volume(&vertices) < bound, "parry's hull of all eight is the smaller here");
        assert!(bound <= exact * (1.0 + 1e-6), "bound {bound} above the hull {exact}");
    }

    proptest! {
        /// The bound never exceeds the hull's volume, so it can only reject what the hull would.
        #[test]
        fn the_extreme_vertex_bound_lies_within_the_hull(
            points in prop::collection::vec(prop::array::uniform3(-5.0f32..5.0), 4..16),
        ) {
            let vertices: Vec<Vector> = points.iter().map(|p| Vector::new(p[0], p[1], p[2])).collect();
            let hull = exact_hull_volume(&vertices);
            let bound = hull_volume_lower_bound(&vertices);
            prop_assert!(bound <= hull * (1.0 + 1e-4) + 1e-9, "bound {bound} above hull {hull}");
        }
    }
}
