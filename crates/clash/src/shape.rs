//! Per-element collision shapes, built once and shared by every test of a run.

use parry3d::math::Vector;
use parry3d::query::PointQuery;
use parry3d::shape::{ConvexPolyhedron, TriMesh, TriMeshFlags};
use plumbline_model::{Aabb, Mesh};

/// Relative volume difference under which a closed mesh counts as convex (its own hull).
const CONVEX_VOLUME_TOLERANCE: f64 = 1e-4;

/// What the narrow phase knows about one element's solid.
#[derive(Debug)]
pub struct ElementShape {
    /// World position of the shape's local origin: `world = origin_m + local`.
    pub origin_m: [f64; 3],
    pub aabb: Aabb,
    /// The triangles, in the local frame, with a BVH; `None` when the mesh is unusable.
    pub trimesh: Option<TriMesh>,
    /// Whether inside/outside is defined: the mesh is closed (every edge shared by two
    /// triangles) and consistently oriented. Open meshes fall back to the sidedness of their
    /// nearest face (see the crate docs).
    pub closed: bool,
    /// The element's own convex hull when the element is convex (the exact fast path).
    pub convex: Option<ConvexPolyhedron>,
    /// Signed volume of the mesh (m³).
    pub volume_m3: f64,
}

impl ElementShape {
    /// Builds the shape of a mesh. Never fails: a mesh parry cannot index gets no trimesh and
    /// only takes part in box-level decisions.
    pub fn new(mesh: &Mesh) -> ElementShape {
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
        // Inward-facing meshes (negative volume) would invert containment: they are treated as
        // open, so only their surfaces take part.
        let closed = closed && volume_m3 > 0.0;
        let convex = if closed { convex_hull_if_convex(&vertices, volume_m3) } else { None };
        ElementShape { origin_m: mesh.origin_m, aabb: mesh.aabb, trimesh, closed, convex, volume_m3 }
    }

    /// Is the local point strictly inside the solid? For closed meshes, the pseudo-normals of
    /// the nearest surface feature decide (exact and fast). For open meshes, where a missing or
    /// flipped triangle can mislead the nearest feature, the generalized winding number decides:
    /// the solid angle the surface subtends at the point, over 4π, is near 1 inside and near 0
    /// outside even when a few triangles are missing.
    pub fn contains(&self, p: Vector) -> bool {
        match &self.trimesh {
            Some(t) if !self.closed && t.num_triangles() <= MAX_WINDING_TRIANGLES => {
                winding_number(t, p) > 0.5
            }
            Some(t) if t.pseudo_normals().is_some() => t.contains_local_point(p),
            _ => false,
        }
    }

    /// Distance from a local point to the surface.
    pub fn distance_to_surface(&self, p: Vector) -> f32 {
        match &self.trimesh {
            Some(t) => (t.project_local_point(p, false).point - p).length(),
            None => f32::INFINITY,
        }
    }
}

/// Open meshes larger than this fall back to pseudo-normals: the winding number visits every
/// triangle for each query.
const MAX_WINDING_TRIANGLES: usize = 2_000;

/// Generalized winding number of a triangle soup at `p` (Van Oosterom–Strackee solid angles).
fn winding_number(t: &TriMesh, p: Vector) -> f64 {
    let v = t.vertices();
    let mut total = 0.0f64;
    for tri in t.indices() {
        let d = |i: u32| {
            let q = v[i as usize] - p;
            [f64::from(q.x), f64::from(q.y), f64::from(q.z)]
        };
        let (a, b, c) = (d(tri[0]), d(tri[1]), d(tri[2]));
        let dot = |x: [f64; 3], y: [f64; 3]| x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
        let len = |x: [f64; 3]| dot(x, x).sqrt();
        let cross = [b[1] * c[2] - b[2] * c[1], b[2] * c[0] - b[0] * c[2], b[0] * c[1] - b[1] * c[0]];
        let (la, lb, lc) = (len(a), len(b), len(c));
        let numerator = dot(a, cross);
        let denominator = la * lb * lc + dot(a, b) * lc + dot(b, c) * la + dot(c, a) * lb;
        total += 2.0 * numerator.atan2(denominator);
    }
    total / (4.0 * std::f64::consts::PI)
}

fn convex_hull_if_convex(vertices: &[Vector], volume_m3: f64) -> Option<ConvexPolyhedron> {
    if vertices.len() < 4 || volume_m3 <= 0.0 {
        return None;
    }
    let hull = ConvexPolyhedron::from_convex_hull(vertices)?;
    let hull_volume = f64::from(parry3d::shape::Shape::mass_properties(&hull, 1.0).mass());
    ((hull_volume - volume_m3).abs() <= CONVEX_VOLUME_TOLERANCE * volume_m3.max(1e-9)).then_some(hull)
}
