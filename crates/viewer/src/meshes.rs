//! Render meshes for a model set, built off the main thread by the loader.
//!
//! Elements of the same shape share one render mesh (instancing): a data hall's racks, a
//! floor's identical ducts or a mapped item placed many times are uploaded once, and Bevy draws
//! the entities that share a mesh and a material as one instanced batch. Shapes are compared
//! after moving each element's box centre to the origin, on a 0.1 mm grid, so only copies moved
//! without rotation share; a rotated copy keeps a mesh of its own.
//!
//! The elements are shaped in chunks on every core (each chunk keeps the distinct shapes of its
//! own elements), and the chunks are then merged in element order: the meshes, their order and
//! which element uses which are the same as a single pass over the elements would give.

use crate::state::batch::{Shape, Slot};
use crate::state::coords::render_from_world;
use crate::state::scene::{PreparedElement, PreparedScene};
use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology, VertexAttributeValues};
use bevy::prelude::*;
use plumbline_model::{Aabb, Element, ElementRef, ModelSet, Role};
use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The grid shapes are compared on (metres): far below what a screen shows.
const SHAPE_GRID_M: f32 = 1.0e-4;

/// Elements a worker takes at a time: small enough to share uneven work between the cores,
/// large enough that a chunk's own shape table catches most repeats.
const CHUNK_ELEMENTS: usize = 1024;

/// A shape on the comparison grid: its vertex count, its vertices, then its triangles' indices.
type ShapeKey = Vec<[i32; 3]>;

/// A shape on the comparison grid, or `None` when a vertex lies too far from the box centre for
/// the grid's integers (such an element keeps a mesh of its own).
fn shape_key(positions: &[[f32; 3]], indices: &[u32]) -> Option<ShapeKey> {
    let limit = i32::MAX as f32 * 0.5;
    let mut key = Vec::with_capacity(1 + positions.len() + indices.len() / 3);
    key.push([i32::try_from(positions.len()).ok()?, 0, 0]);
    for p in positions {
        let q = p.map(|c| (c / SHAPE_GRID_M).round());
        if !q.iter().all(|c| c.abs() < limit) {
            return None;
        }
        key.push(q.map(|c| c as i32));
    }
    for t in indices.chunks_exact(3) {
        key.push([t[0], t[1], t[2]].map(|i| i as i32));
    }
    Some(key)
}

/// A physical element to draw, with its index in the 4D simulation.
struct Job<'a> {
    element: ElementRef,
    sim: usize,
    data: &'a Element,
}

/// What a worker made of one chunk: its elements (their shape an index into `shapes`) and the
/// distinct shapes among them, in the order they first appear.
#[derive(Default)]
struct ChunkShapes {
    elements: Vec<PreparedElement>,
    shapes: Vec<(Option<ShapeKey>, Mesh)>,
}

/// Shapes one chunk's elements: each element's vertices relative to its box centre, with its
/// triangles as indices (the shader shades each triangle flat from its own plane, so corners
/// are shared), shared within the chunk by shape key.
fn shape_chunk(jobs: &[Job], origin_m: [f64; 3]) -> ChunkShapes {
    let mut out = ChunkShapes::default();
    let mut seen: HashMap<ShapeKey, usize> = HashMap::default();
    for job in jobs {
        let Some(m) = &job.data.mesh else { continue };
        let centre = m.aabb.center();
        // Each vertex in f64, then rounded.
        let positions: Vec<[f32; 3]> = (0..m.vertices.len() as u32)
            .map(|i| render_from_world(centre, m.world_vertex(i)).to_array())
            .collect();
        let indices: Vec<u32> = m.triangles.iter().flatten().copied().collect();
        let key = shape_key(&positions, &indices);
        let shared = key.as_ref().and_then(|k| seen.get(k).copied());
        let mesh = shared.unwrap_or_else(|| {
            if let Some(k) = &key {
                seen.insert(k.clone(), out.shapes.len());
            }
            out.shapes.push((key, shape_mesh(positions, indices)));
            out.shapes.len() - 1
        });
        out.elements.push(PreparedElement {
            element: job.element,
            translation: render_from_world(origin_m, centre),
            mesh,
            sim: job.sim,
        });
    }
    out
}

/// Maps every item on up to `available_parallelism` threads (the calling one among them),
/// returning the results in item order.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len()).max(1);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        // A helper that cannot be started leaves its share to the others (this thread at least).
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new().name("plumbline-meshes".into()).spawn_scoped(s, work).ok()
            })
            .collect();
        let mut done = work();
        for h in helpers {
            match h.join() {
                Ok(part) => done.extend(part),
                // A panic in a helper is a bug, not bad input: passed on as it is.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Builds flat-shaded render meshes for every physical element with geometry, one per distinct
/// shape.
///
/// Vertices are expressed relative to the element's box centre (subtracted in `f64`), and the
/// centre relative to the scene origin: precision does not depend on where the model sits.
/// Elements whose vertices agree on the 0.1 mm grid once centred share the first one's mesh.
pub fn prepare_meshes(set: &ModelSet) -> PreparedScene {
    let mut bounds = Aabb::EMPTY;
    let mut jobs = Vec::new();
    let mut sim = 0usize;
    for (r, e) in set.elements() {
        if e.role != Role::Physical {
            continue;
        }
        let this_sim = sim;
        sim += 1;
        let Some(m) = &e.mesh else { continue };
        if m.aabb.is_empty() {
            continue;
        }
        bounds = bounds.union(&m.aabb);
        if !m.triangles.is_empty() {
            jobs.push(Job { element: r, sim: this_sim, data: e });
        }
    }
    let origin_m = if bounds.is_empty() { [0.0; 3] } else { bounds.center() };
    let chunks: Vec<&[Job]> = jobs.chunks(CHUNK_ELEMENTS).collect();
    // Merged in element order: a shape's mesh is the first element's of that shape, numbered
    // in order of first appearance, as one pass over the elements would number it.
    let mut elements = Vec::with_capacity(jobs.len());
    let mut meshes = Vec::new();
    let mut shapes: HashMap<ShapeKey, usize> = HashMap::default();
    for chunk in par_map(&chunks, |c| shape_chunk(c, origin_m)) {
        let global: Vec<usize> = chunk
            .shapes
            .into_iter()
            .map(|(key, mesh)| {
                if let Some(&i) = key.as_ref().and_then(|k| shapes.get(k)) {
                    return i;
                }
                meshes.push(mesh);
                if let Some(k) = key {
                    shapes.insert(k, meshes.len() - 1);
                }
                meshes.len() - 1
            })
            .collect();
        elements.extend(chunk.elements.into_iter().map(|p| PreparedElement { mesh: global[p.mesh], ..p }));
    }
    PreparedScene {
        origin_m,
        bounds: (!bounds.is_empty()).then_some(bounds),
        elements,
        meshes,
        world: None,
        by_global_id: None,
    }
}

/// An indexed triangle list of positions alone: no normals, since `section.wgsl` shades each
/// triangle flat from its own plane (a quarter of the memory of a corner per triangle with its
/// normal, which flat shading otherwise needs).
pub fn shape_mesh(positions: Vec<[f32; 3]>, indices: Vec<u32>) -> Mesh {
    Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::default())
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_indices(Indices::U32(indices))
}

/// A prepared shape's vertices and indices, taken out of its render mesh.
pub fn shape_of(mut mesh: Mesh) -> Shape {
    let positions = match mesh.remove_attribute(Mesh::ATTRIBUTE_POSITION) {
        Some(VertexAttributeValues::Float32x3(v)) => v,
        _ => Vec::new(),
    };
    let indices = match mesh.remove_indices() {
        Some(Indices::U32(i)) => i,
        Some(Indices::U16(i)) => i.into_iter().map(u32::from).collect(),
        None => Vec::new(),
    };
    Shape { positions, indices }
}

/// One merged batch: the shapes of `slots` at their places, relative to `centre`, as one
/// indexed triangle list kept only for the GPU (picking casts into the element world, so no copy
/// stays in main memory); with its box.
pub fn merged_mesh(shapes: &[Shape], slots: &[Slot], centre: Vec3) -> (Mesh, bevy::camera::primitives::Aabb) {
    let vertices: usize = slots.iter().map(|s| shapes[s.shape as usize].positions.len()).sum();
    let corners: usize = slots.iter().map(|s| shapes[s.shape as usize].indices.len()).sum();
    let mut positions = Vec::with_capacity(vertices);
    let mut indices = Vec::with_capacity(corners);
    let (mut lo, mut hi) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
    for slot in slots {
        let shape = &shapes[slot.shape as usize];
        let offset = slot.translation - centre;
        let base = positions.len() as u32;
        indices.extend(shape.indices.iter().map(|i| base + i));
        for p in &shape.positions {
            let q = Vec3::from_array(*p) + offset;
            lo = lo.min(q);
            hi = hi.max(q);
            positions.push(q.to_array());
        }
    }
    let mesh = Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::RENDER_WORLD)
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_indices(Indices::U32(indices));
    let aabb = if vertices == 0 {
        bevy::camera::primitives::Aabb::default()
    } else {
        bevy::camera::primitives::Aabb::from_min_max(lo, hi)
    };
    (mesh, aabb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A render mesh's triangle corners: its positions in index order.
    fn corners(mesh: &Mesh) -> Vec<[f32; 3]> {
        let Some(VertexAttributeValues::Float32x3(p)) = mesh.attribute(Mesh::ATTRIBUTE_POSITION) else {
            panic!("a prepared mesh has float positions")
        };
        let Some(Indices::U32(i)) = mesh.indices() else { panic!("a prepared mesh has u32 indices") };
        i.iter().map(|&i| p[i as usize]).collect()
    }
    /// The chunks shaped side by side give what one pass over the elements gives: the same
    /// elements, meshes numbered by first appearance, and every element on its own shape.
    #[test]
    fn meshes_shaped_in_chunks_match_one_pass_over_the_elements() {
        let params = plumbline_samples::DatacenterParams::for_elements(4 * CHUNK_ELEMENTS as u64, 7);
        let ifc = plumbline_samples::datacenter(&params).ifc.into_bytes();
        let path = std::path::Path::new("chunked-hall.ifc");
        let model = plumbline_ifc::load_bytes(path, ifc, &plumbline_ifc::LoadOptions::default())
            .expect("sample loads");
        let set = ModelSet { models: vec![model] };
        let prepared = prepare_meshes(&set);
        assert!(prepared.elements.len() > 2 * CHUNK_ELEMENTS, "several chunks: {}", prepared.elements.len());

        // One pass: each physical element with triangles in file order, its shape numbered
        // when first seen.
        let mut seen: HashMap<ShapeKey, usize> = HashMap::default();
        let mut expected = Vec::new();
        let mut sim = 0usize;
        for (r, e) in set.elements() {
            if e.role != Role::Physical {
                continue;
            }
            sim += 1;
            let Some(m) = e.mesh.as_ref().filter(|m| !m.triangles.is_empty()) else { continue };
            let centre = m.aabb.center();
            let vertices: Vec<[f32; 3]> = (0..m.vertices.len() as u32)
                .map(|i| render_from_world(centre, m.world_vertex(i)).to_array())
                .collect();
            let indices: Vec<u32> = m.triangles.iter().flatten().copied().collect();
            let own: Vec<[f32; 3]> = indices.iter().map(|&i| vertices[i as usize]).collect();
            let key = shape_key(&vertices, &indices).expect("a hall's shapes fit the grid");
            let next = seen.len();
            let mesh = *seen.entry(key).or_insert(next);
            expected.push((r, sim - 1, mesh, own));
        }
        assert_eq!(prepared.meshes.len(), seen.len());
        assert_eq!(prepared.elements.len(), expected.len());
        for (p, (r, sim, mesh, own)) in prepared.elements.iter().zip(&expected) {
            assert_eq!((p.element, p.sim, p.mesh), (*r, *sim, *mesh));
            let drawn = corners(&prepared.meshes[p.mesh]);
            assert_eq!(drawn.len(), own.len());
            for (a, b) in drawn.iter().zip(own) {
                assert!(Vec3::from_array(*a).distance(Vec3::from_array(*b)) < 2.0e-4);
            }
        }
    }
}
