//! The drawn elements in space: a bounding volume hierarchy of their boxes and their triangles
//! as parry meshes, which walking collides with and stands on and picking casts the pointer's
//! ray into.
//!
//! Queries are parry3d's (the clash engine's geometry library), never geometry written here: the
//! hierarchy picks the few elements near a ray or a moving body (the broad phase, so a million
//! elements cost what a handful do), and an element's triangles become a parry `TriMesh` the
//! first time a query comes near it. One world serves both tools, built beside the render meshes
//! by the loader; it marks which elements are shown (hidden ones are neither walked into nor
//! picked) and which classes are walked through.
//!
//! Positions are world metres (`f64`, Z up); the queries run in `f32` relative to an origin (the
//! scene origin), where a model far from its map origin keeps millimetre precision.

use bevy::prelude::*;
use parry3d::bounding_volume::Aabb as BoxF32;
use parry3d::math::{Pose, Vector as V};
use parry3d::partitioning::{Bvh, BvhBuildStrategy};
use parry3d::query::{cast_shapes, Ray, RayCast, ShapeCastOptions};
use parry3d::shape::{Capsule, TriMesh, TriMeshFlags};
use plumbline_model::{ElementRef, ModelSet, Role};
use std::sync::OnceLock;

/// IFC classes nothing collides with: spaces and openings are not built things, and doors are
/// walked through as if open (Navisworks users otherwise hide them or switch collision off to
/// get from room to room, or into a data hall's contained aisle). They can still be picked.
pub const PASSABLE_CLASSES: [&str; 7] = [
    "IfcDoor",
    "IfcDoorStandardCase",
    "IfcSpace",
    "IfcOpeningElement",
    "IfcOpeningStandardCase",
    "IfcVirtualElement",
    "IfcAnnotation",
];

/// The element world of the scene shown, installed with it.
#[derive(Resource, Debug, Default)]
pub struct SceneWorld {
    pub world: Option<ElementWorld>,
}

/// What a ray met first: the element, how far along the ray (metres), and the surface normal
/// there (world axes, facing the ray's origin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RayHit {
    pub element: ElementRef,
    pub distance_m: f32,
    pub normal: V,
}

/// The physical elements with geometry, boxed in a bounding volume hierarchy, their triangles
/// built into parry meshes on first approach.
#[derive(Debug)]
pub struct ElementWorld {
    /// The world point the `f32` frame of the queries is centred on.
    origin_m: [f64; 3],
    /// The elements, in model-set order (sorted), one leaf each.
    elements: Vec<ElementRef>,
    bvh: Bvh,
    /// Boxed: an empty slot costs a pointer, not parry's 368-byte mesh (a million elements).
    meshes: Vec<OnceLock<Option<Box<TriMesh>>>>,
    /// Shown: hidden elements take part in no query.
    shown: Vec<bool>,
    /// Of a class walked through ([`PASSABLE_CLASSES`]).
    passable: Vec<bool>,
    /// The lowest point of any element: a ray down stops there.
    floor_limit: f32,
}

impl ElementWorld {
    /// The element world of a model set, in a frame centred on `origin_m` (the scene origin);
    /// every element shown.
    pub fn new(set: &ModelSet, origin_m: [f64; 3]) -> ElementWorld {
        let mut elements = Vec::new();
        let mut boxes = Vec::new();
        let mut passable = Vec::new();
        for (r, e) in set.elements() {
            if e.role != Role::Physical {
                continue;
            }
            let Some(mesh) = e.mesh.as_ref().filter(|m| !m.triangles.is_empty()) else { continue };
            let b = mesh.aabb;
            let local = |p: [f64; 3]| {
                V::new(local_f32(p, origin_m, 0), local_f32(p, origin_m, 1), local_f32(p, origin_m, 2))
            };
            // Rounding to f32 must not shrink a box away from its triangles.
            let pad = V::splat(1e-3);
            elements.push(r);
            boxes.push(BoxF32::new(local(b.min) - pad, local(b.max) + pad));
            passable.push(PASSABLE_CLASSES.contains(&e.class.as_str()));
        }
        let floor_limit = boxes.iter().map(|b| b.mins.z).fold(f32::INFINITY, f32::min) - 1.0;
        let bvh = Bvh::from_leaves(BvhBuildStrategy::Binned, &boxes);
        let meshes = (0..elements.len()).map(|_| OnceLock::new()).collect();
        let shown = vec![true; elements.len()];
        ElementWorld { origin_m, elements, bvh, meshes, shown, passable, floor_limit }
    }

    /// The number of elements in the world.
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// How many elements have had their triangles built so far (the ones a query came near).
    pub fn meshes_built(&self) -> usize {
        self.meshes.iter().filter(|m| m.get().is_some()).count()
    }

    /// Marks an element as shown or hidden (a hidden element is walked through and not picked).
    pub fn set_shown(&mut self, r: ElementRef, shown: bool) {
        if let Ok(i) = self.elements.binary_search(&r) {
            self.shown[i] = shown;
        }
    }

    /// Marks every element as shown or hidden.
    pub fn mark_shown(&mut self, shown: impl Fn(ElementRef) -> bool) {
        for (flag, r) in self.shown.iter_mut().zip(&self.elements) {
            *flag = shown(*r);
        }
    }

    /// A world point in the queries' frame.
    pub fn local(&self, p: [f64; 3]) -> V {
        V::new(local_f32(p, self.origin_m, 0), local_f32(p, self.origin_m, 1), local_f32(p, self.origin_m, 2))
    }

    /// A point of the queries' frame in world metres.
    pub fn world(&self, v: V) -> [f64; 3] {
        [0, 1, 2].map(|k| self.origin_m[k] + f64::from(v[k]))
    }

    /// The lowest point of any element, less a metre (queries' frame): a ray down stops there.
    pub fn floor_limit(&self) -> f32 {
        self.floor_limit
    }

    /// Whether a leaf collides: shown and not walked through.
    fn solid(&self, leaf: usize) -> bool {
        self.shown.get(leaf).copied().unwrap_or(false) && !self.passable.get(leaf).copied().unwrap_or(true)
    }

    /// The element of a leaf's triangles, in the queries' frame, built on first use; `None` for
    /// a mesh parry cannot index (or an element the set no longer has).
    fn mesh(&self, set: &ModelSet, leaf: usize) -> Option<&TriMesh> {
        self.meshes
            .get(leaf)?
            .get_or_init(|| {
                let r = self.elements.get(leaf)?;
                let mesh =
                    set.models.get(r.file as usize)?.elements.get(r.element as usize)?.mesh.as_ref()?;
                let o = mesh.origin_m;
                // The mesh origin's offset is taken in f64, then each vertex is added to it.
                let shift = [0, 1, 2].map(|k| o[k] - self.origin_m[k]);
                let vertices: Vec<V> = mesh
                    .vertices
                    .iter()
                    .map(|v| {
                        V::new(
                            (shift[0] + f64::from(v[0])) as f32,
                            (shift[1] + f64::from(v[1])) as f32,
                            (shift[2] + f64::from(v[2])) as f32,
                        )
                    })
                    .collect();
                let flags =
                    TriMeshFlags::MERGE_DUPLICATE_VERTICES | TriMeshFlags::DELETE_DEGENERATE_TRIANGLES;
                TriMesh::with_flags(vertices.clone(), mesh.triangles.clone(), flags)
                    .or_else(|_| TriMesh::new(vertices, mesh.triangles.clone()))
                    .ok()
                    .map(Box::new)
            })
            .as_deref()
    }

    /// How far along the unit direction `dir` from `from` (both in the queries' frame) the first
    /// solid element's surface lies, up to `reach`: what the walker stands on or looks at.
    pub fn ray(&self, set: &ModelSet, from: V, dir: V, reach: f32) -> Option<f32> {
        self.cast(set, from, dir, reach, |leaf| self.solid(leaf)).map(|(_, t)| t)
    }

    /// The first shown element a ray from `from` along the unit direction `dir` (the queries'
    /// frame) meets within `reach`: the element a click there picks. Elements walked through
    /// are picked too.
    pub fn pick(&self, set: &ModelSet, from: V, dir: V, reach: f32) -> Option<RayHit> {
        let (leaf, t) = self.cast(set, from, dir, reach, |leaf| self.shown[leaf])?;
        let ray = Ray::new(from, dir);
        let hit = self.mesh(set, leaf)?.cast_local_ray_and_get_normal(&ray, t + 1e-3, false)?;
        // A triangle seen from behind: the normal the viewer sees faces back along the ray.
        let normal = if hit.normal.dot(dir) > 0.0 { -hit.normal } else { hit.normal };
        Some(RayHit { element: self.elements[leaf], distance_m: hit.time_of_impact, normal })
    }

    /// The nearest leaf `take` accepts that the ray meets within `reach`, and how far along.
    fn cast(
        &self,
        set: &ModelSet,
        from: V,
        dir: V,
        reach: f32,
        take: impl Fn(usize) -> bool,
    ) -> Option<(usize, f32)> {
        let ray = Ray::new(from, dir);
        self.bvh
            .cast_ray(&ray, reach, |leaf, best| {
                let leaf = leaf as usize;
                if !take(leaf) {
                    return None;
                }
                self.mesh(set, leaf)?.cast_local_ray(&ray, best, false)
            })
            .map(|(leaf, t)| (leaf as usize, t))
    }

    /// The first solid element the capsule would touch moving by `motion`: the fraction of the
    /// motion travelled, and the contact normal pointing from the element towards the body.
    pub fn sweep(&self, set: &ModelSet, capsule: &Capsule, motion: V) -> Option<(f32, V)> {
        let r = V::splat(capsule.radius + 0.01);
        let (lo, hi) =
            (capsule.segment.a.min(capsule.segment.b) - r, capsule.segment.a.max(capsule.segment.b) + r);
        let query = BoxF32::new(lo.min(lo + motion), hi.max(hi + motion));
        let options = ShapeCastOptions {
            max_time_of_impact: 1.0,
            target_distance: 0.0,
            // A body already touching may move away from what it touches.
            stop_at_penetration: false,
            compute_impact_geometry_on_penetration: true,
        };
        let mut best: Option<(f32, V)> = None;
        for leaf in self.bvh.intersect_aabb(&query) {
            let leaf = leaf as usize;
            if !self.solid(leaf) {
                continue;
            }
            let Some(mesh) = self.mesh(set, leaf) else { continue };
            let hit = cast_shapes(&Pose::IDENTITY, motion, capsule, &Pose::IDENTITY, V::ZERO, mesh, options);
            let Ok(Some(hit)) = hit else { continue };
            if best.is_none_or(|(t, _)| hit.time_of_impact < t) {
                best = Some((hit.time_of_impact, -hit.normal1));
            }
        }
        best
    }
}

/// One coordinate of a world point relative to the origin, subtracted in `f64` first.
fn local_f32(p: [f64; 3], origin_m: [f64; 3], k: usize) -> f32 {
    (p[k] - origin_m[k]) as f32
}
