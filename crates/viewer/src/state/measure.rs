//! Measuring: the minimum distance between two elements, as the clash engine computes it.
//!
//! With *Measure* on, the next two elements clicked are measured against each other; the
//! result is drawn over the 3D view as a dimension line between the two closest points, with
//! its value. `--measure GLOBALID,GLOBALID` measures two elements from the command line.

use bevy::prelude::*;
use plumbline_model::ElementRef;

/// The hard tolerance `plumbline clash` uses by default (`--tolerance-mm 2`): a clearance test
/// reports an overlap deeper than it as a negative gap, and so does the measure.
pub const HARD_TOLERANCE_M: f64 = 0.002;

/// The minimum distance between two elements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    pub a: ElementRef,
    pub b: ElementRef,
    /// The gap between the two solids, metres, exactly as `plumbline clash --mode clearance`
    /// reports it: 0 when they touch, minus the penetration depth when they overlap by more
    /// than [`HARD_TOLERANCE_M`].
    pub distance_m: f64,
    /// The closest point on A and on B (world metres); the same point when they touch.
    pub from_m: [f64; 3],
    pub to_m: [f64; 3],
}

/// What a picked point snapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snap {
    Vertex,
    Edge,
    /// No vertex or edge near: the point on the face that was clicked.
    Face,
}

/// A point picked on an element's surface, snapped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PickedPoint {
    pub element: ElementRef,
    pub point_m: [f64; 3],
    pub snap: Snap,
}

/// The measure tool's state.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Measure {
    /// Whether clicks pick elements to measure.
    pub active: bool,
    /// Point to point on surfaces instead of element to element.
    pub points_mode: bool,
    /// The last click on an element while the tool is on (element, world point), written by
    /// picking and taken by the tool.
    pub clicked: Option<(ElementRef, [f64; 3])>,
    /// The points picked so far in point mode (at most two).
    pub points: Vec<PickedPoint>,
    /// The elements picked so far (at most two).
    pub picked: Vec<ElementRef>,
    /// The last measurement, or why it failed.
    pub result: Option<Result<Measurement, String>>,
}

impl Measure {
    /// Forgets the picked elements and the result.
    pub fn clear(&mut self) {
        self.picked.clear();
        self.points.clear();
        self.clicked = None;
        self.result = None;
    }

    /// The two ends of what is shown: the closest points of two elements, or two picked
    /// points, with the length.
    pub fn line(&self) -> Option<([f64; 3], [f64; 3], f64)> {
        if let [a, b] = self.points[..] {
            return Some((a.point_m, b.point_m, distance_m(a.point_m, b.point_m)));
        }
        match &self.result {
            Some(Ok(m)) => Some((m.from_m, m.to_m, m.distance_m)),
            _ => None,
        }
    }
}

/// A length as a reviewer reads it: millimetres below a metre, else metres.
pub fn format_length(metres: f64) -> String {
    if metres.abs() < 1.0 {
        format!("{:.1} mm", metres * 1000.0)
    } else {
        format!("{metres:.3} m")
    }
}

/// The straight distance between two world points (metres).
pub fn distance_m(a: [f64; 3], b: [f64; 3]) -> f64 {
    (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt()
}

/// Snaps a point on a mesh's surface to the nearest vertex within `radius_m`, else to the
/// nearest point of an edge within it, else leaves it on the face.
pub fn snap_to_mesh(mesh: &plumbline_model::Mesh, p: [f64; 3], radius_m: f64) -> ([f64; 3], Snap) {
    let world = |v: [f32; 3]| -> [f64; 3] {
        [
            mesh.origin_m[0] + f64::from(v[0]),
            mesh.origin_m[1] + f64::from(v[1]),
            mesh.origin_m[2] + f64::from(v[2]),
        ]
    };
    let nearest_vertex = mesh
        .vertices
        .iter()
        .map(|v| world(*v))
        .map(|v| (distance_m(v, p), v))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, v)) = nearest_vertex.filter(|(d, _)| *d <= radius_m) {
        return (v, Snap::Vertex);
    }
    let mut best: Option<(f64, [f64; 3])> = None;
    for (i, j) in feature_edges(mesh) {
        let (Some(a), Some(b)) = (mesh.vertices.get(i as usize), mesh.vertices.get(j as usize)) else {
            continue;
        };
        let q = closest_on_segment(world(*a), world(*b), p);
        let d = distance_m(q, p);
        if d <= radius_m && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, q));
        }
    }
    match best {
        Some((_, q)) => (q, Snap::Edge),
        None => (p, Snap::Face),
    }
}

/// The point of segment `a`–`b` nearest to `p`.
fn closest_on_segment(a: [f64; 3], b: [f64; 3], p: [f64; 3]) -> [f64; 3] {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let len2: f64 = ab.iter().map(|x| x * x).sum();
    if len2 <= 0.0 {
        return a;
    }
    let t = ((p[0] - a[0]) * ab[0] + (p[1] - a[1]) * ab[1] + (p[2] - a[2]) * ab[2]) / len2;
    let t = t.clamp(0.0, 1.0);
    [a[0] + t * ab[0], a[1] + t * ab[1], a[2] + t * ab[2]]
}

/// An edge (the vertex indices it was first seen with) and the normals of the faces along it.
type EdgeFaces = (u32, u32, Vec<Option<[f32; 3]>>);

/// The edges a reviewer sees: on the border of the mesh or between faces that meet at an
/// angle; the diagonals that split a flat face into triangles are left out.
fn feature_edges(mesh: &plumbline_model::Mesh) -> Vec<(u32, u32)> {
    let normal = |t: &[u32; 3]| -> Option<[f32; 3]> {
        let [a, b, c] = t.map(|i| mesh.vertices.get(i as usize).copied());
        let (a, b, c) = (a?, b?, c?);
        let (u, v) = ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
        let n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
        (len > 0.0).then(|| n.map(|x| x / len))
    };
    // Edges are matched by their ends' positions on a 0.1 mm grid, not by vertex index:
    // meshes often repeat a vertex for each face that uses it.
    let key = |i: u32| mesh.vertices.get(i as usize).map(|v| v.map(|c| (f64::from(c) * 1e4).round() as i64));
    let mut by_edge: std::collections::BTreeMap<_, EdgeFaces> = Default::default();
    for t in &mesh.triangles {
        let n = normal(t);
        for (i, j) in [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])] {
            let (Some(ki), Some(kj)) = (key(i), key(j)) else { continue };
            by_edge.entry((ki.min(kj), ki.max(kj))).or_insert_with(|| (i, j, Vec::new())).2.push(n);
        }
    }
    by_edge
        .into_values()
        .filter(|(_, _, normals)| match normals[..] {
            // Two faces in one plane (either winding): a triangulation diagonal.
            [Some(a), Some(b)] => (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).abs() < 0.9998,
            _ => true,
        })
        .map(|(i, j, _)| (i, j))
        .collect()
}
