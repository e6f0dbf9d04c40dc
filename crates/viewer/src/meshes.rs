//! Render meshes for a model set, built off the main thread by the loader.
//!
//! Elements of the same shape share one render mesh (instancing): a data hall's racks, a
//! floor's identical ducts or a mapped item placed many times are uploaded once, and Bevy draws
//! the entities that share a mesh and a material as one instanced batch. Shapes are compared
//! after moving each element's box centre to the origin, on a 0.1 mm grid, so only copies moved
//! without rotation share; a rotated copy keeps a mesh of its own.

use crate::state::coords::render_from_world;
use crate::state::scene::{PreparedElement, PreparedScene};
use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use plumbline_model::{Aabb, ModelSet, Role};
use std::collections::HashMap;

/// The grid shapes are compared on (metres): far below what a screen shows.
const SHAPE_GRID_M: f32 = 1.0e-4;

/// A shape's vertices on the comparison grid, or `None` when one lies too far from the box
/// centre for the grid's integers (such an element keeps a mesh of its own).
fn shape_key(positions: &[[f32; 3]]) -> Option<Vec<[i32; 3]>> {
    let limit = i32::MAX as f32 * 0.5;
    positions
        .iter()
        .map(|p| {
            let q = p.map(|c| (c / SHAPE_GRID_M).round());
            q.iter().all(|c| c.abs() < limit).then(|| q.map(|c| c as i32))
        })
        .collect()
}

/// Builds flat-shaded render meshes for every physical element with geometry, one per distinct
/// shape.
///
/// Vertices are expressed relative to the element's box centre (subtracted in `f64`), and the
/// centre relative to the scene origin: precision does not depend on where the model sits.
/// Elements whose vertices agree on the 0.1 mm grid once centred share the first one's mesh.
pub fn prepare_meshes(set: &ModelSet) -> PreparedScene {
    let mut bounds = Aabb::EMPTY;
    for (_, e) in set.elements() {
        if let (Role::Physical, Some(m)) = (e.role, &e.mesh) {
            if !m.aabb.is_empty() {
                bounds = bounds.union(&m.aabb);
            }
        }
    }
    let origin_m = if bounds.is_empty() { [0.0; 3] } else { bounds.center() };
    let mut elements = Vec::new();
    let mut meshes = Vec::new();
    let mut shapes: HashMap<Vec<[i32; 3]>, usize> = HashMap::new();
    let mut sim = 0usize;
    for (r, e) in set.elements() {
        if e.role != Role::Physical {
            continue;
        }
        let this_sim = sim;
        sim += 1;
        let Some(m) = &e.mesh else { continue };
        if m.triangles.is_empty() || m.aabb.is_empty() {
            continue;
        }
        let centre = m.aabb.center();
        let local = |i: u32| -> Vec3 {
            let w = m.world_vertex(i);
            render_from_world(centre, w)
        };
        let mut positions = Vec::with_capacity(m.triangles.len() * 3);
        for t in &m.triangles {
            positions.extend(t.map(|i| local(i).to_array()));
        }
        let key = shape_key(&positions);
        let shared = key.as_ref().and_then(|k| shapes.get(k).copied());
        let mesh = shared.unwrap_or_else(|| {
            meshes.push(flat_mesh(positions));
            if let Some(k) = key {
                shapes.insert(k, meshes.len() - 1);
            }
            meshes.len() - 1
        });
        elements.push(PreparedElement {
            element: r,
            translation: render_from_world(origin_m, centre),
            mesh,
            sim: this_sim,
        });
    }
    PreparedScene { origin_m, bounds: (!bounds.is_empty()).then_some(bounds), elements, meshes }
}

/// A flat-shaded triangle list: three vertices per triangle, each with its face's normal.
pub fn flat_mesh(positions: Vec<[f32; 3]>) -> Mesh {
    let mut normals = Vec::with_capacity(positions.len());
    for t in positions.chunks_exact(3) {
        let [a, b, c] = [t[0], t[1], t[2]].map(Vec3::from_array);
        let n = (b - a).cross(c - a).normalize_or_zero().to_array();
        normals.extend([n; 3]);
    }
    let count = positions.len() as u32;
    Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::default())
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
        .with_inserted_indices(Indices::U32((0..count).collect()))
}
