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
        let lenient = TriMeshFlags::MERGE_DUPLICATE_VERTICES | TriMeshFlags::ORIENTED;
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

    /// Is the local point strictly inside the solid? Uses the pseudo-normals of the nearest
    /// surface feature, so it is exact for closed meshes and a signed-distance approximation
    /// for open ones.
    pub fn contains(&self, p: Vector) -> bool {
        match &self.trimesh {
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

fn convex_hull_if_convex(vertices: &[Vector], volume_m3: f64) -> Option<ConvexPolyhedron> {
    if vertices.len() < 4 || volume_m3 <= 0.0 {
        return None;
    }
    let hull = ConvexPolyhedron::from_convex_hull(vertices)?;
    let hull_volume = f64::from(parry3d::shape::Shape::mass_properties(&hull, 1.0).mass());
    ((hull_volume - volume_m3).abs() <= CONVEX_VOLUME_TOLERANCE * volume_m3.max(1e-9)).then_some(hull)
}
