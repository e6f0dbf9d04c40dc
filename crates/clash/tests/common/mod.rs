//! Builders for exact test geometry: boxes, prisms, cylinders, placed anywhere. The boxes are
//! prisms (ring-ordered corners, the prism's own triangles), not `Mesh::cuboid`: regression
//! cases found on these exact vertices and triangles must keep them bit for bit.
#![allow(dead_code, reason = "each test file uses a different subset of the builders")]

use plumbline_clash::{run_test, Clash, Mode, Shapes, Test};
use plumbline_model::{ElementRef, Mesh, ModelSet};

/// A closed, outward-facing prism: the CCW polygon `profile` (star-shaped from its first
/// vertex) in the XY plane at `z0`, extruded by `height`, then moved by `offset` (in f64, so
/// far-away placements keep full precision).
pub fn prism(profile: &[[f64; 2]], z0: f64, height: f64, offset: [f64; 3]) -> Mesh {
    let n = profile.len() as u32;
    let mut v = Vec::new();
    for z in [z0, z0 + height] {
        for p in profile {
            v.push([p[0] as f32, p[1] as f32, z as f32]);
        }
    }
    let mut t = Vec::new();
    for i in 1..n - 1 {
        t.push([0, i + 1, i]); // bottom, facing -Z
        t.push([n, n + i, n + i + 1]); // top, facing +Z
    }
    for i in 0..n {
        let j = (i + 1) % n;
        t.push([i, j, n + j]);
        t.push([i, n + j, n + i]);
    }
    Mesh::new(offset, v, t)
}

pub fn cuboid(min: [f64; 3], max: [f64; 3]) -> Mesh {
    cuboid_at(min, max, [0.0; 3])
}

/// A box given in coordinates relative to `origin` (so that it can sit 500 km away).
pub fn cuboid_at(min: [f64; 3], max: [f64; 3], origin: [f64; 3]) -> Mesh {
    let profile = [[min[0], min[1]], [max[0], min[1]], [max[0], max[1]], [min[0], max[1]]];
    prism(&profile, min[2], max[2] - min[2], origin)
}

/// A box rotated by `angle` about Z around its own centre.
pub fn rotated_cuboid(center: [f64; 3], size: [f64; 3], angle: f64) -> Mesh {
    let (s, c) = angle.sin_cos();
    let h = [size[0] / 2.0, size[1] / 2.0];
    let profile: Vec<[f64; 2]> = [[-h[0], -h[1]], [h[0], -h[1]], [h[0], h[1]], [-h[0], h[1]]]
        .iter()
        .map(|p| [center[0] + c * p[0] - s * p[1], center[1] + s * p[0] + c * p[1]])
        .collect();
    prism(&profile, center[2] - size[2] / 2.0, size[2], [0.0; 3])
}

/// An L-shaped prism: the square [0, 2]² minus [1, 2]², height `h`, at `offset`.
pub fn l_shape(h: f64, offset: [f64; 3]) -> Mesh {
    prism(&[[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]], 0.0, h, offset)
}

/// A cylinder along X from `x0` to `x1`, radius `r`, axis through (y, z), `segments` sides.
pub fn cylinder_x(x0: f64, x1: f64, y: f64, z: f64, r: f64, segments: usize) -> Mesh {
    let profile: Vec<[f64; 2]> = (0..segments)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / segments as f64;
            [r * a.cos(), r * a.sin()]
        })
        .collect();
    // Build along Z, then swap axes so that the prism runs along X.
    let m = prism(&profile, x0, x1 - x0, [0.0; 3]);
    let v: Vec<[f32; 3]> = m.vertices.iter().map(|p| [p[2], p[0] + y as f32, p[1] + z as f32]).collect();
    // The axis swap (x,y,z) -> (z,x,y) is a rotation, so the winding stays outward.
    Mesh::new([0.0; 3], v, m.triangles)
}

/// One model of `(class, mesh)` elements, named `E000`, `E001`, … in order.
pub fn model_set(meshes: Vec<(&str, Mesh)>) -> ModelSet {
    let elements = meshes.into_iter().enumerate().map(|(i, (class, mesh))| {
        plumbline_testkit::element(class, &format!("E{i:03}"))
            .express_id(i as u32 + 1)
            .name(&format!("element {i}"))
            .mesh(mesh)
    });
    plumbline_testkit::model(elements).into_set()
}

pub fn r(i: u32) -> ElementRef {
    ElementRef { file: 0, element: i }
}

/// Runs `mode` between element 0 and element 1 of a two-element set.
pub fn pair(a: Mesh, b: Mesh, mode: Mode) -> Option<Clash> {
    let set = model_set(vec![("IfcWall", a), ("IfcWall", b)]);
    let shapes = Shapes::new(&set);
    let test = Test { name: "t".into(), mode, a: vec![r(0)], b: Some(vec![r(1)]) };
    let mut out = run_test(&shapes, &test, &|_, _| false).clashes;
    assert!(out.len() <= 1);
    out.pop()
}

pub fn hard(tolerance_m: f64) -> Mode {
    Mode::Hard { tolerance_m }
}

pub fn clearance(clearance_m: f64) -> Mode {
    Mode::Clearance { clearance_m, tolerance_m: 0.002 }
}

/// How far a world point lies outside the solid of a mesh (0 inside), in metres.
pub fn outside(m: &Mesh, p: [f64; 3]) -> f32 {
    let s = plumbline_clash::ElementShape::new(m, None);
    s.distance_outside(s.to_local(p))
}
