//! Exact solids in the narrow phase: boxes, round bars, pipes and convex prisms read from an
//! element's IFC parameters ([`plumbline_model::Solid`]), queried in closed form instead of
//! through triangles.
//!
//! A pipe (a cylinder minus its coaxial bore) is rotationally symmetric, so every point query
//! reduces to the half-plane of (distance from the axis ρ, height along the axis z), where the
//! pipe's wall is the rectangle `inner ≤ ρ ≤ outer, |z| ≤ h` and a round bar's the rectangle
//! `0 ≤ ρ ≤ outer, |z| ≤ h`: the distance from a point to the solid is the distance from its
//! (ρ, z) to that rectangle, exactly.

use parry3d::math::{Matrix, Pose, Rotation, Vector};
use parry3d::shape::{ConvexPolyhedron, Cuboid, Cylinder, Shape, SupportMap};
use plumbline_model::{Mesh, Solid, SolidShape};

/// A convex solid as parry's shapes know it, placed in the element's local frame.
#[derive(Debug)]
pub struct Convex {
    /// The shape's frame in the element's local frame.
    pub pose: Pose,
    pub shape: ConvexShape,
}

/// The convex shapes the narrow phase measures with EPA and GJK.
#[derive(Debug)]
pub enum ConvexShape {
    /// The hull of a mesh found convex, or of a prism's corners.
    Hull(ConvexPolyhedron),
    Cuboid(Cuboid),
    /// Parry's cylinders stand along their local Y axis; the pose turns it onto the solid's Z.
    Cylinder(Cylinder),
}

impl Convex {
    pub fn shape(&self) -> &dyn Shape {
        match &self.shape {
            ConvexShape::Hull(h) => h,
            ConvexShape::Cuboid(c) => c,
            ConvexShape::Cylinder(c) => c,
        }
    }
}

impl Convex {
    /// The solid's extent along a unit direction of the element's frame.
    pub fn width(&self, d: Vector) -> f32 {
        (self.support(d) - self.support(-d)).dot(d)
    }

    /// The point of the solid furthest along `d` (element frame).
    pub fn support(&self, d: Vector) -> Vector {
        let local = self.pose.rotation.inverse() * d;
        let p = match &self.shape {
            ConvexShape::Hull(h) => h.local_support_point(local),
            ConvexShape::Cuboid(c) => c.local_support_point(local),
            ConvexShape::Cylinder(c) => c.local_support_point(local),
        };
        self.pose.transform_point(p)
    }

    /// The point of the solid nearest to `p` (element frame; `p` itself when inside).
    pub fn project(&self, p: Vector) -> Vector {
        self.shape().project_point(&self.pose, p, true).point
    }
}

/// Polishes the closest points `(p, q)` of two convex solids (`a` at the identity, `b` moved by
/// `shift`) by alternating projections, which for convex sets approach a closest pair and only
/// ever shorten the gap: the result is never longer than the start and never shorter than the
/// true distance. Parry's GJK stopped 4.7 mm short on two nearly antiparallel bars 180 mm
/// apart (a property test); this closes it to the micrometre.
pub fn refine_distance(a: &Convex, b: &Convex, shift: Vector, p: Vector, q: Vector) -> (Vector, Vector) {
    let (mut p, mut q) = (p, q);
    let mut gap = (q - p).length();
    for _ in 0..200 {
        let q2 = b.project(p - shift) + shift;
        let p2 = a.project(q2);
        let g = (q2 - p2).length();
        if g.partial_cmp(&gap) != Some(std::cmp::Ordering::Less) {
            break;
        }
        let done = gap - g < 1e-7;
        (p, q, gap) = (p2, q2, g);
        if done {
            break;
        }
    }
    (p, q)
}

/// How far `b` (moved by `shift`) must move along the unit direction `n` to leave `a`:
/// `max a·n − min b·n`. Every direction gives an upper bound of the penetration depth, and
/// the least over all directions is the depth.
fn overlap_along(a: &Convex, b: &Convex, shift: Vector, n: Vector) -> f32 {
    a.support(n).dot(n) - (b.support(-n) + shift).dot(n)
}

/// Polishes a penetration direction `n` of two overlapping convex solids by a pattern search
/// over directions around it (eight each time), steps halving from about 6° to 0.0001°. EPA on round solids
/// returns a depth within its polytope of the shapes' difference, short of or past the truth
/// by millimetres; the search's answer is an upper bound that reaches the depth wherever EPA's
/// direction lies in the right basin. Returns the depth and its direction.
pub fn refine_depth(a: &Convex, b: &Convex, shift: Vector, n: Vector) -> (f32, Vector) {
    let mut n = n.normalize_or_zero();
    if n == Vector::ZERO {
        return (f32::INFINITY, n);
    }
    let mut best = overlap_along(a, b, shift, n);
    let mut step = 0.1f32;
    while step > 2e-6 {
        // Two directions square to n.
        let u = n.any_orthonormal_vector();
        let v = n.cross(u);
        let mut moved = false;
        // Eight directions, diagonals included: at a ridge (an edge of one solid against a face
        // of the other) only a diagonal step may climb.
        let diagonal = std::f32::consts::FRAC_1_SQRT_2;
        let (p, q) = ((u + v) * diagonal, (u - v) * diagonal);
        for d in [u, -u, v, -v, p, -p, q, -q] {
            let m = (n + d * step).normalize();
            let s = overlap_along(a, b, shift, m);
            if s < best {
                (best, n, moved) = (s, m, true);
                break;
            }
        }
        if !moved {
            step *= 0.5;
        }
    }
    (best, n)
}

/// The most edge pairs [`polyhedral_depth`] tries: a hull of a few dozen corners against a box
/// is a few hundred; a hull of a finely faceted mesh is left to the search.
const MAX_EDGE_PAIRS: usize = 4096;

impl Convex {
    /// The solid's face normals and edge directions in the element's frame, or `None` for a
    /// round solid, which has neither. A hull's list may hold an edge between two coplanar
    /// triangles (parry keeps them, marked private): a direction too many only adds a candidate.
    fn faces_and_edges(&self) -> Option<(Vec<Vector>, Vec<Vector>)> {
        let r = self.pose.rotation;
        match &self.shape {
            ConvexShape::Cuboid(_) => {
                let axes = vec![r * Vector::X, r * Vector::Y, r * Vector::Z];
                Some((axes.clone(), axes))
            }
            ConvexShape::Hull(h) => Some((
                h.faces().iter().map(|f| r * f.normal).collect(),
                h.edges().iter().map(|e| r * e.dir).collect(),
            )),
            ConvexShape::Cylinder(_) => None,
        }
    }
}

/// The penetration depth of two overlapping convex polyhedra (`a` at the identity, `b` moved by
/// `shift`), exactly: by the separating axis theorem the least overlap of two polyhedra lies
/// along a face normal of one of them or the cross product of an edge of each, so the least of
/// [`overlap_along`] over those directions (both ways) is the depth, where the search of
/// [`refine_depth`] reaches it only to within its last step and tries thirteen starts to find its
/// basin (two boxes: 30 directions here, against at least 128 for each start of the search,
/// eight per halving of its step). `None` for a round solid, or for hulls whose edge pairs are
/// too many ([`MAX_EDGE_PAIRS`]): the caller searches then.
pub fn polyhedral_depth(a: &Convex, b: &Convex, shift: Vector) -> Option<f32> {
    let (faces_a, edges_a) = a.faces_and_edges()?;
    let (faces_b, edges_b) = b.faces_and_edges()?;
    if edges_a.len() * edges_b.len() > MAX_EDGE_PAIRS {
        return None;
    }
    let mut best = f32::INFINITY;
    let mut try_axis = |n: Vector| {
        let length = n.length();
        // Parallel edges give no axis; a face normal is a unit vector already.
        if length > 1e-6 {
            let n = n / length;
            best = best.min(overlap_along(a, b, shift, n)).min(overlap_along(a, b, shift, -n));
        }
    };
    for &n in faces_a.iter().chain(&faces_b) {
        try_axis(n);
    }
    for &u in &edges_a {
        for &v in &edges_b {
            try_axis(u.cross(v));
        }
    }
    best.is_finite().then_some(best)
}

/// The most corners of a polyhedron [`round_depth`] measures a cylinder against.
const MAX_ROUND_CORNERS: usize = 256;

/// The most distinct edge directions of a polyhedron [`round_depth`] follows a great circle for.
const MAX_ROUND_CIRCLES: usize = 32;

/// Directions sampled along each great circle before its local minima are polished: 7.5° apart.
const CIRCLE_SAMPLES: usize = 48;

/// Points sampled along a rim against another rim ([`cylinder_pair_places`]), 1° apart: the
/// distance there is a few operations, no support query, and the minimum sought can be a
/// shallow dip beside a deeper one that lies inside the solids (a case of the property test,
/// missed at 7.5°).
const RIM_SAMPLES: usize = 360;

impl Convex {
    /// A cylinder's centre, unit axis, radius and half height in the element's frame.
    fn cylinder(&self) -> Option<(Vector, Vector, f32, f32)> {
        match &self.shape {
            ConvexShape::Cylinder(c) => {
                // Parry's cylinders stand along their local Y axis.
                Some((
                    self.pose.translation,
                    (self.pose.rotation * Vector::Y).normalize(),
                    c.radius,
                    c.half_height,
                ))
            }
            _ => None,
        }
    }

    /// A polyhedron's corners in the element's frame, or `None` for a round solid.
    fn corners(&self) -> Option<Vec<Vector>> {
        match &self.shape {
            ConvexShape::Cuboid(c) => Some(
                (0..8)
                    .map(|i| {
                        let sign = |bit: usize| if i & bit == 0 { -1.0 } else { 1.0 };
                        let h = c.half_extents;
                        self.pose.transform_point(Vector::new(sign(1) * h.x, sign(2) * h.y, sign(4) * h.z))
                    })
                    .collect(),
            ),
            ConvexShape::Hull(h) => Some(h.points().iter().map(|p| self.pose.transform_point(*p)).collect()),
            ConvexShape::Cylinder(_) => None,
        }
    }
}

/// The penetration depth of a cylinder and a convex polyhedron that overlap (`a` at the
/// identity, `b` moved by `shift`), from the closed-form places where it can lie. The depth is
/// the least of [`overlap_along`] over all directions: the distance from the origin to the
/// surface of the set of differences (a point of `a` minus a point of `b`), the cylinder swept
/// over the polyhedron. That surface is made of
/// - flat pieces: a cap against a corner (the axis), a face against a point of the cylinder (the
///   face's normal), a line of the side against an edge (their cross product);
/// - round pieces: the side against a corner (directions square to the axis) and the rim
///   against an edge (directions square to the edge).
///
/// The rest (the rim against a corner, edges against edges) are ridges, where the surface has
/// a crease: the point of the surface nearest to an inside point never lies on one, since a
/// ball about the origin touching it there would cross the pieces on either side. So the depth
/// is the least over the axis, the face normals, and the great circles square to the axis and
/// to each edge direction, along which the local minima are found by sampling and polishing
/// (the cross products lie on two of them). Every direction
/// tried gives an upper bound, so the answer is never short of the depth. Two cylinders have
/// places of their own ([`cylinder_pair_places`]). `None` when neither solid is a cylinder, or
/// for a polyhedron with too many corners or edge directions: the caller searches then.
pub fn round_depth(a: &Convex, b: &Convex, shift: Vector) -> Option<f32> {
    let least = round_places(a, b, shift)?;
    // The places hold the depth, but sampling a great circle every 7.5° could pass over a
    // minimum lying closer than that to another: one search from the best direction found
    // reaches it then, and never makes the depth worse.
    let (searched, _) = refine_depth(a, b, shift, least.n);
    let depth = least.depth.min(searched);
    depth.is_finite().then_some(depth)
}

/// The least overlap of [`round_depth`]'s closed-form places, and its direction.
fn round_places(a: &Convex, b: &Convex, shift: Vector) -> Option<Least> {
    let along = |n: Vector| overlap_along(a, b, shift, n);
    // The difference set: the cylinder (either way round, a cylinder about the same axis) and the
    // polyhedron's corners, reflected when they are `b`'s.
    let (centre, axis, radius, half_height, polyhedron, corners) = match (a.cylinder(), b.cylinder()) {
        (Some(one), Some((c2, w2, r2, h2))) => {
            return Some(cylinder_pair_places(one, (-(c2 + shift), w2, r2, h2), &along));
        }
        (Some((c, w, r, h)), None) => {
            let corners = b.corners()?.into_iter().map(|p| -(p + shift)).collect::<Vec<_>>();
            (c, w, r, h, b, corners)
        }
        (None, Some((c, w, r, h))) => (-(c + shift), w, r, h, a, a.corners()?),
        _ => return None,
    };
    let (faces, edges) = polyhedron.faces_and_edges()?;
    let mut directions: Vec<Vector> = Vec::new();
    for e in edges {
        let e = e.normalize_or_zero();
        if e != Vector::ZERO && !directions.iter().any(|d| d.dot(e).abs() > 1.0 - 1e-6) {
            directions.push(e);
        }
    }
    if corners.len() > MAX_ROUND_CORNERS || directions.len() > MAX_ROUND_CIRCLES {
        return None;
    }
    let mut least = Least { depth: f32::INFINITY, n: axis };
    let try_direction = |n: Vector, least: &mut Least| {
        let length = n.length();
        if length > 1e-6 {
            least.offer(along(n / length), n / length);
        }
    };
    for n in [axis, -axis].into_iter().chain(faces.iter().flat_map(|&n| [n, -n])) {
        try_direction(n, &mut least);
    }
    // A bound on how fast the overlap turns with the direction (the longest difference of two
    // points), so that a sampled minimum that cannot beat the best is not polished.
    let reach = corners.iter().map(|q| (centre + *q).length()).fold(0.0f32, f32::max) + half_height + radius;
    for k in std::iter::once(axis).chain(directions) {
        least_on_great_circle(k, &along, &mut least, reach);
    }
    Some(least)
}

/// [`round_places`] for two cylinders, given as (centre, unit axis, radius, half height) in the
/// difference set (the second reflected): one swept over the other. Its flat pieces are a cap
/// against the other cylinder (either axis) and a line of each side against one of the other's
/// (their cross product, on both great circles below); its round pieces are a side against the
/// other's rim (directions square to that side's axis: a great circle each) and the two rims
/// against each other, whose nearest point to the origin is found along the first rim, the
/// second rim's nearest point being in closed form for each point of the first.
fn cylinder_pair_places(
    one: (Vector, Vector, f32, f32),
    other: (Vector, Vector, f32, f32),
    along: &impl Fn(Vector) -> f32,
) -> Least {
    let ((c1, w1, r1, h1), (c2, w2, r2, h2)) = (one, other);
    let mut least = Least { depth: f32::INFINITY, n: w1 };
    for n in [w1, -w1, w2, -w2] {
        least.offer(along(n), n);
    }
    let reach = c1.length() + c2.length() + h1 + h2 + r1 + r2;
    for k in [w1, w2] {
        least_on_great_circle(k, along, &mut least, reach);
    }
    let (u1, u2) = (w1.any_orthonormal_vector(), w2.any_orthonormal_vector());
    let v1 = w1.cross(u1);
    for end1 in [-h1, h1] {
        for end2 in [-h2, h2] {
            let (m1, m2) = (c1 + w1 * end1, c2 + w2 * end2);
            // The point of the sum of the rims made of the first rim's point at `t` and the
            // second rim's point nearest to its reflection (any, when it lies on the axis).
            let point = |t: f32| {
                let x1 = m1 + (u1 * t.cos() + v1 * t.sin()) * r1;
                let d = -x1 - m2;
                let across = (d - w2 * d.dot(w2)).try_normalize().unwrap_or(u2);
                x1 + m2 + across * r2
            };
            let distance = |t: f32| point(t).length();
            let step = std::f32::consts::TAU / RIM_SAMPLES as f32;
            let samples: Vec<f32> = (0..RIM_SAMPLES).map(|i| distance(i as f32 * step)).collect();
            for i in sampled_minima(&samples) {
                let (t, _) = golden_min(&distance, (i as f32 - 1.0) * step, (i as f32 + 1.0) * step);
                if let Some(n) = point(t).try_normalize() {
                    least.offer(along(n), n);
                }
            }
        }
    }
    least
}

/// The least overlap found so far and its direction.
struct Least {
    depth: f32,
    n: Vector,
}

impl Least {
    fn offer(&mut self, depth: f32, n: Vector) {
        if depth < self.depth {
            (self.depth, self.n) = (depth, n);
        }
    }
}

/// Offers `least` the least of `along` over the great circle of unit directions square to the
/// unit `k`: sampled every 7.5°, then each sampled local minimum that could beat the best so far
/// (the overlap changes by at most `reach` per radian) polished by a golden-section search over
/// its two neighbouring steps.
fn least_on_great_circle(k: Vector, along: &impl Fn(Vector) -> f32, least: &mut Least, reach: f32) {
    let u = k.any_orthonormal_vector();
    let v = k.cross(u);
    let direction = |t: f32| u * t.cos() + v * t.sin();
    let at = |t: f32| along(direction(t));
    let step = std::f32::consts::TAU / CIRCLE_SAMPLES as f32;
    let samples: Vec<f32> = (0..CIRCLE_SAMPLES).map(|i| at(i as f32 * step)).collect();
    for (i, &here) in samples.iter().enumerate() {
        least.offer(here, direction(i as f32 * step));
    }
    for i in sampled_minima(&samples) {
        if samples[i] - reach * step > least.depth {
            continue;
        }
        let (t, depth) = golden_min(&at, (i as f32 - 1.0) * step, (i as f32 + 1.0) * step);
        least.offer(depth, direction(t));
    }
}

/// The indices of the samples of a function around a circle (evenly spaced, the last beside the
/// first) that are no greater than either neighbour.
fn sampled_minima(samples: &[f32]) -> impl Iterator<Item = usize> + '_ {
    let n = samples.len();
    (0..n).filter(move |&i| samples[i] <= samples[(i + n - 1) % n] && samples[i] <= samples[(i + 1) % n])
}

/// The least of `f` between `lo` and `hi` where it has one minimum there, by golden-section
/// search: 30 steps shrink a bracket of 15° to under a micro-radian. Returns the argument and
/// the value.
fn golden_min(f: &impl Fn(f32) -> f32, lo: f32, hi: f32) -> (f32, f32) {
    let inv_phi = 0.618_034_f32;
    let (mut lo, mut hi) = (lo, hi);
    let (mut x1, mut x2) = (hi - inv_phi * (hi - lo), lo + inv_phi * (hi - lo));
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..30 {
        if f1 <= f2 {
            (hi, x2, f2) = (x2, x1, f1);
            x1 = hi - inv_phi * (hi - lo);
            f1 = f(x1);
        } else {
            (lo, x1, f1) = (x1, x2, f2);
            x2 = lo + inv_phi * (hi - lo);
            f2 = f(x2);
        }
    }
    if f1 <= f2 {
        (x1, f1)
    } else {
        (x2, f2)
    }
}

/// An exact solid's closed-form description, in its own frame.
#[derive(Debug)]
pub enum ExactKind {
    Cuboid {
        half_extents: Vector,
    },
    /// A round bar (`inner` 0) or a pipe: radius from the local Z axis between `inner` and
    /// `outer`, height within ±`half_length`.
    Round {
        inner: f32,
        outer: f32,
        half_length: f32,
    },
    /// A convex prism: its face planes `(outward unit normal, offset)` in the element's frame;
    /// its hull measures distances from outside.
    Prism,
}

/// An exact solid placed in the element's local frame.
#[derive(Debug)]
pub struct Exact {
    /// The solid's own frame in the element's local frame.
    pub pose: Pose,
    pub kind: ExactKind,
}

/// What an element's [`Solid`] gives the narrow phase: its closed-form description, the convex
/// shape to measure it with (`None` for pipes), and for pipes their outer cylinder.
pub struct Built {
    pub exact: Exact,
    pub convex: Option<Convex>,
    pub outer: Option<Convex>,
    pub volume_m3: f64,
}

/// The pose in a mesh's local frame of a solid's own frame: offsets from the mesh's origin
/// computed in `f64` and only then narrowed, like every local coordinate.
fn pose_in(mesh: &Mesh, solid: &Solid) -> Option<Pose> {
    let o = solid.frame.origin_m;
    let t = Vector::new(
        (o[0] - mesh.origin_m[0]) as f32,
        (o[1] - mesh.origin_m[1]) as f32,
        (o[2] - mesh.origin_m[2]) as f32,
    );
    let [x, y, z] = solid.frame.axes.map(Vector::from);
    let rotation = Rotation::from_mat3(&Matrix::from_cols(x, y, z)).normalize();
    (t.is_finite() && rotation.is_finite()).then(|| Pose::from_parts(t, rotation))
}

/// Parry's Y axis (a cylinder's) turned onto Z (the solid's axis).
fn y_onto_z() -> Rotation {
    Rotation::from_rotation_arc(Vector::Y, Vector::Z)
}

/// The narrow phase's view of an element's exact solid; `None` when it is degenerate (a zero
/// dimension, a frame that is not a rotation), and the element's mesh then stands for it.
pub fn build(mesh: &Mesh, solid: &Solid) -> Option<Built> {
    let pose = pose_in(mesh, solid)?;
    let volume_m3 = solid.shape.volume_m3();
    if !(volume_m3.is_finite() && volume_m3 > 0.0) {
        return None;
    }
    let built = match &solid.shape {
        SolidShape::Cuboid { half_extents_m } => {
            let half_extents = Vector::from(*half_extents_m);
            Built {
                exact: Exact { pose, kind: ExactKind::Cuboid { half_extents } },
                convex: Some(Convex { pose, shape: ConvexShape::Cuboid(Cuboid::new(half_extents)) }),
                outer: None,
                volume_m3,
            }
        }
        SolidShape::Cylinder { radius_m, half_length_m } => {
            let bar = Convex {
                pose: pose * Pose::from_rotation(y_onto_z()),
                shape: ConvexShape::Cylinder(Cylinder::new(*half_length_m, *radius_m)),
            };
            Built {
                exact: Exact {
                    pose,
                    kind: ExactKind::Round { inner: 0.0, outer: *radius_m, half_length: *half_length_m },
                },
                convex: Some(bar),
                outer: None,
                volume_m3,
            }
        }
        SolidShape::Tube { outer_radius_m, inner_radius_m, half_length_m } => {
            let outer = Convex {
                pose: pose * Pose::from_rotation(y_onto_z()),
                shape: ConvexShape::Cylinder(Cylinder::new(*half_length_m, *outer_radius_m)),
            };
            Built {
                exact: Exact {
                    pose,
                    kind: ExactKind::Round {
                        inner: *inner_radius_m,
                        outer: *outer_radius_m,
                        half_length: *half_length_m,
                    },
                },
                convex: None,
                outer: Some(outer),
                volume_m3,
            }
        }
        SolidShape::Prism { .. } => {
            let corners: Vec<Vector> = solid.shape.corners_m().into_iter().map(Vector::from).collect();
            let hull = ConvexPolyhedron::from_convex_hull(&corners)?;
            Built {
                exact: Exact { pose, kind: ExactKind::Prism },
                convex: Some(Convex { pose, shape: ConvexShape::Hull(hull) }),
                outer: None,
                volume_m3,
            }
        }
    };
    Some(built)
}

/// The `t` for which `|q + t·d| ≤ h` along one axis: the line's stretch within a slab; `None`
/// when it misses it.
fn within(q: f64, d: f64, h: f64) -> Option<(f64, f64)> {
    if d.abs() < 1e-12 {
        return (q.abs() < h).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let (t0, t1) = ((-h - q) / d, (h - q) / d);
    let (lo, hi) = if t0 < t1 { (t0, t1) } else { (t1, t0) };
    Some((lo, hi))
}

/// The distance from a point at (ρ, z) to the rectangle `lo ≤ ρ ≤ hi, |z| ≤ h`, negative inside
/// (minus the distance to its boundary). For a round bar (`lo` 0) the axis is no boundary.
fn round_signed_distance(rho: f32, z: f32, lo: f32, hi: f32, h: f32) -> f32 {
    // The bore's wall bounds only a pipe: a bar's axis lies inside it.
    let dr = if lo > 0.0 { (lo - rho).max(rho - hi) } else { rho - hi };
    let dz = z.abs() - h;
    if dr < 0.0 && dz < 0.0 {
        // Inside: the nearest boundary; the bore wall only where there is a bore.
        let to_bore = if lo > 0.0 { rho - lo } else { f32::INFINITY };
        -(hi - rho).min(to_bore).min(h - z.abs())
    } else {
        (dr.max(0.0).powi(2) + dz.max(0.0).powi(2)).sqrt()
    }
}

impl Exact {
    /// How far a point of the element's frame lies outside the solid (negative inside: minus
    /// its distance to the surface), `planes` being the prism's face planes and `convex` its
    /// hull.
    pub fn signed_distance(&self, p: Vector, planes: &[(Vector, f32)], convex: Option<&Convex>) -> f32 {
        match &self.kind {
            ExactKind::Cuboid { half_extents } => {
                let q = self.pose.inverse_transform_point(p).abs() - *half_extents;
                if q.max_element() < 0.0 {
                    q.max_element()
                } else {
                    q.max(Vector::ZERO).length()
                }
            }
            ExactKind::Round { inner, outer, half_length } => {
                let q = self.pose.inverse_transform_point(p);
                let rho = (q.x * q.x + q.y * q.y).sqrt();
                round_signed_distance(rho, q.z, *inner, *outer, *half_length)
            }
            ExactKind::Prism => {
                // Inside a convex polytope the nearest boundary point lies on the nearest face
                // plane; outside, the hull's projection measures.
                let beyond = planes.iter().map(|(n, d)| n.dot(p) - d).fold(f32::NEG_INFINITY, f32::max);
                if beyond < 0.0 {
                    beyond
                } else {
                    convex.map_or(beyond, |c| c.shape().distance_to_point(&c.pose, p, true))
                }
            }
        }
    }

    /// Whether a point of the element's frame lies strictly inside: the sign of
    /// [`Exact::signed_distance`] without measuring how far outside a point lies (a prism's
    /// hull projection, the dearest part of a containment query).
    pub fn contains(&self, p: Vector, planes: &[(Vector, f32)]) -> bool {
        match &self.kind {
            ExactKind::Prism => planes.iter().all(|(n, d)| n.dot(p) - d < 0.0),
            _ => self.signed_distance(p, planes, None) < 0.0,
        }
    }

    /// The stretches `(low, high)`, ascending, of the element frame's line through `at` along
    /// its coordinate axis `axis` (0, 1 or 2; `at[axis]` is ignored) that lie inside the solid,
    /// as values of that coordinate (`planes` its face planes when it is a box or prism): the
    /// line clipped by the planes, or for round solids by the bar's length and the circles of
    /// its outer and bore radii. At most two stretches (a pipe crossed through its bore).
    pub fn column(&self, at: [f64; 3], axis: usize, planes: &[(Vector, f32)]) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(2);
        let mut base = at;
        base[axis] = 0.0;
        match &self.kind {
            ExactKind::Cuboid { .. } | ExactKind::Prism => {
                // n·(base + t·e) ≤ d for every face.
                let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
                for (n, d) in planes {
                    let n = n.to_array().map(f64::from);
                    let room = f64::from(*d) - (n[0] * base[0] + n[1] * base[1] + n[2] * base[2]);
                    let along = n[axis];
                    if along.abs() < 1e-12 {
                        if room < 0.0 {
                            return out;
                        }
                    } else if along > 0.0 {
                        hi = hi.min(room / along);
                    } else {
                        lo = lo.max(room / along);
                    }
                }
                if lo < hi && lo.is_finite() && hi.is_finite() {
                    out.push((lo, hi));
                }
            }
            ExactKind::Round { inner, outer, half_length } => {
                // The line in the solid's own frame: q0 + t·d.
                let q0 = self.pose.inverse_transform_point(Vector::from_array(base.map(|x| x as f32)));
                let d = self.pose.rotation.inverse() * Vector::AXES[axis];
                let (q0, d) = (q0.to_array().map(f64::from), d.to_array().map(f64::from));
                let Some((lo, hi)) = within(q0[2], d[2], f64::from(*half_length)) else { return out };
                // Where the line runs within radius r of the axis.
                let a = d[0] * d[0] + d[1] * d[1];
                let b = 2.0 * (q0[0] * d[0] + q0[1] * d[1]);
                let c = q0[0] * q0[0] + q0[1] * q0[1];
                let disk = |r: f64| -> Option<(f64, f64)> {
                    if a < 1e-12 {
                        return (c < r * r).then_some((f64::NEG_INFINITY, f64::INFINITY));
                    }
                    let disc = b * b - 4.0 * a * (c - r * r);
                    (disc > 0.0).then(|| {
                        let root = disc.sqrt();
                        ((-b - root) / (2.0 * a), (-b + root) / (2.0 * a))
                    })
                };
                let Some((o_lo, o_hi)) = disk(f64::from(*outer)) else { return out };
                let (lo, hi) = (lo.max(o_lo), hi.min(o_hi));
                if lo >= hi {
                    return out;
                }
                match (*inner > 0.0).then(|| disk(f64::from(*inner))).flatten() {
                    Some((b_lo, b_hi)) if b_lo < hi && b_hi > lo => {
                        // The bore cuts the stretch in up to two pieces.
                        if lo < b_lo {
                            out.push((lo, b_lo));
                        }
                        if b_hi < hi {
                            out.push((b_hi, hi));
                        }
                    }
                    _ => out.push((lo, hi)),
                }
            }
        }
        out
    }

    /// The coordinate axis (0, 1, 2) nearest the solid's own axis (a bar's or pipe's length,
    /// a box's or prism's extrusion): lines along it cross the solid's round or slanted sides
    /// least.
    pub fn nearest_axis(&self) -> usize {
        let along = (self.pose.rotation * Vector::Z).abs();
        if along.x >= along.y && along.x >= along.z {
            0
        } else if along.y >= along.z {
            1
        } else {
            2
        }
    }

    /// The radius and half length of a pipe's bore; `None` for solids without one.
    pub fn bore(&self) -> Option<(f32, f32)> {
        match self.kind {
            ExactKind::Round { inner, half_length, .. } if inner > 0.0 => Some((inner, half_length)),
            _ => None,
        }
    }

    /// Whether a point of the element's frame lies in a pipe's bore, by more than `margin`
    /// from its wall, and within its length: where the outer cylinder is no part of the pipe.
    pub fn in_bore(&self, p: Vector, margin: f32) -> bool {
        let Some((inner, half_length)) = self.bore() else { return false };
        let q = self.pose.inverse_transform_point(p);
        (q.x * q.x + q.y * q.y).sqrt() < inner - margin && q.z.abs() <= half_length + margin
    }

    /// Whether a convex solid might fit in this pipe's bore: it does not when it is wider than
    /// the bore across the pipe's axis, or longer than the pipe along it. Only then can a
    /// solid overlapping the outer cylinder stay clear of the pipe, or be separated from it by
    /// a move into the bore; otherwise the pipe answers exactly as its outer cylinder.
    pub fn might_hold(&self, other: &Convex) -> bool {
        let Some((inner, half_length)) = self.bore() else { return false };
        let axis = |v: Vector| self.pose.rotation * v;
        other.width(axis(Vector::X)) < 2.0 * inner
            && other.width(axis(Vector::Y)) < 2.0 * inner
            && other.width(axis(Vector::Z)) < 2.0 * half_length
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_half_plane_distance_of_a_pipe() {
        // Pipe wall 0.09..0.1 m, 1 m long each way.
        let d = |rho: f32, z: f32| round_signed_distance(rho, z, 0.09, 0.1, 1.0);
        assert!((d(0.095, 0.0) + 0.005).abs() < 1e-6, "mid-wall");
        assert!((d(0.2, 0.0) - 0.1).abs() < 1e-6, "outside the wall");
        assert!((d(0.0, 0.0) - 0.09).abs() < 1e-6, "on the axis, in the bore");
        assert!((d(0.095, 1.5) - 0.5).abs() < 1e-6, "beyond the end, over the wall");
        assert!((d(0.0, 1.3) - (0.09f32.powi(2) + 0.3f32.powi(2)).sqrt()).abs() < 1e-6, "beyond the bore");
        // A round bar: the axis is inside, 0.1 m from the surface.
        assert!((round_signed_distance(0.0, 0.0, 0.0, 0.1, 1.0) + 0.1).abs() < 1e-6);
    }

    /// Two cubes, each standing on an edge, crossed: the first's top edge runs along X, the
    /// second's bottom edge along Y, and they overlap by 3 cm along Z. Z is a face normal of
    /// neither: only the cross product of the two edges finds the depth, and every face normal
    /// gives more. A search from a face normal would have to climb out of its basin.
    #[test]
    fn crossed_edges_give_the_depth_along_their_cross_product() {
        let half = 0.5f32;
        let eighth_turn = std::f32::consts::FRAC_PI_4;
        let cube = |rotation: Rotation| Convex {
            pose: Pose::from_parts(Vector::ZERO, rotation),
            shape: ConvexShape::Cuboid(Cuboid::new(Vector::splat(half))),
        };
        let a = cube(Rotation::from_rotation_x(eighth_turn));
        let b = cube(Rotation::from_rotation_y(eighth_turn));
        let reach = half * std::f32::consts::SQRT_2;
        let shift = Vector::new(0.0, 0.0, 2.0 * reach - 0.03);
        let depth = polyhedral_depth(&a, &b, shift).expect("two boxes");
        assert!((depth - 0.03).abs() < 1e-5, "depth {depth}");
        // Every face normal overlaps more.
        let faces =
            a.faces_and_edges().expect("a box").0.into_iter().chain(b.faces_and_edges().expect("a box").0);
        for n in faces {
            assert!(overlap_along(&a, &b, shift, n).min(overlap_along(&a, &b, shift, -n)) > 0.1, "{n:?}");
        }
        // The search reaches the same depth from straight above, no closer.
        let (searched, _) = refine_depth(&a, &b, shift, Vector::Z);
        assert!(searched >= depth - 1e-6, "search {searched} below the exact {depth}");
        // A cylinder has no faces or edges to try.
        let bar = Convex { pose: Pose::IDENTITY, shape: ConvexShape::Cylinder(Cylinder::new(0.5, 0.1)) };
        assert!(polyhedral_depth(&a, &bar, shift).is_none());
    }

    /// The least overlap of two convex solids by brute force: 4,000 directions spread over the
    /// sphere, then the search from the eight best. Independent of `round_depth`'s places.
    fn searched_depth(a: &Convex, b: &Convex, shift: Vector) -> f32 {
        let count = 4000;
        let golden = std::f32::consts::PI * (3.0 - 5f32.sqrt());
        let mut tried: Vec<(f32, Vector)> = (0..count)
            .map(|i| {
                let z = 1.0 - 2.0 * (i as f32 + 0.5) / count as f32;
                let (s, t) = ((1.0 - z * z).sqrt(), golden * i as f32);
                let n = Vector::new(s * t.cos(), s * t.sin(), z);
                (overlap_along(a, b, shift, n), n)
            })
            .collect();
        tried.sort_by(|x, y| x.0.total_cmp(&y.0));
        tried.iter().take(8).map(|&(_, n)| refine_depth(a, b, shift, n).0).fold(f32::INFINITY, f32::min)
    }

    fn turned(yaw: f32, pitch: f32, roll: f32) -> Rotation {
        Rotation::from_rotation_z(yaw) * Rotation::from_rotation_y(pitch) * Rotation::from_rotation_x(roll)
    }

    /// A bar through a slab at an angle: the bar's rim against the slab's faces and edges.
    #[test]
    fn a_bar_through_a_box_edge_gets_the_depth_the_search_finds() {
        let bar = Convex {
            pose: Pose::from_parts(Vector::new(0.45, 0.0, 0.05), turned(0.3, 0.3, 1.2)),
            shape: ConvexShape::Cylinder(Cylinder::new(0.6, 0.08)),
        };
        let slab = Convex {
            pose: Pose::from_parts(Vector::ZERO, turned(0.1, 0.0, 0.05)),
            shape: ConvexShape::Cuboid(Cuboid::new(Vector::new(0.5, 0.5, 0.1))),
        };
        let shift = Vector::new(0.0, 0.05, 0.0);
        let exact = round_depth(&bar, &slab, shift).expect("a cylinder and a box");
        let searched = searched_depth(&bar, &slab, shift);
        assert!(exact > 0.01, "they overlap: {exact}");
        assert!(exact <= searched + 1e-5, "round {exact} above the search's {searched}");
        // Either way round.
        let back = round_depth(&slab, &bar, -shift).expect("a box and a cylinder");
        assert!((back - exact).abs() < 1e-5, "{back} against {exact}");
        // Two polyhedra are not its case.
        assert!(round_depth(&slab, &slab, shift).is_none());
    }

    proptest::proptest! {
        // Centres up to 1.2 m apart: many pairs miss each other (rejected), and those that
        // overlap often do so shallowly, at an edge, a rim or a corner.
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, max_global_rejects: 20_000, ..proptest::prelude::ProptestConfig::default() })]

        /// Over cylinders of any size and turn against boxes, skewed prisms and cylinders,
        /// overlapping anyhow, the closed-form places give the depth: never more than a
        /// brute-force search finds (every direction is an upper bound, so never less than the
        /// depth either).
        #[test]
        fn round_depth_is_the_least_overlap(
            cx in -1.2f32..1.2, cy in -1.2f32..1.2, cz in -1.2f32..1.2,
            yaw in 0.0f32..6.3, pitch in -1.6f32..1.6, roll in 0.0f32..6.3,
            radius in 0.01f32..0.6, half_height in 0.02f32..1.5,
            byaw in 0.0f32..6.3, bpitch in -1.6f32..1.6, broll in 0.0f32..6.3,
            hx in 0.02f32..0.8, hy in 0.02f32..0.8, hz in 0.02f32..0.8,
            kind in 0u8..3, cylinder_first in proptest::bool::ANY,
        ) {
            let bar = Convex {
                pose: Pose::from_parts(Vector::new(cx, cy, cz), turned(yaw, pitch, roll)),
                shape: ConvexShape::Cylinder(Cylinder::new(half_height, radius)),
            };
            let rotation = turned(byaw, bpitch, broll);
            let other = if kind == 2 {
                // Another cylinder, the box's sizes giving its radius and half length.
                Convex { pose: Pose::from_parts(Vector::ZERO, rotation), shape: ConvexShape::Cylinder(Cylinder::new(hz + hy, hx)) }
            } else if kind == 1 {
                // A skewed, tapering prism: six corners of a quadrilateral swept and shifted.
                let base = [[0.0, 0.0], [hx, 0.0], [1.2 * hx, hy], [0.1 * hx, 1.1 * hy]];
                let corners: Vec<Vector> = base
                    .iter()
                    .flat_map(|&[x, y]| [Vector::new(x - 0.5 * hx, y - 0.5 * hy, -hz), Vector::new(x - 0.4 * hx, y - 0.6 * hy, hz)])
                    .collect();
                let hull = ConvexPolyhedron::from_convex_hull(&corners).expect("a prism");
                Convex { pose: Pose::from_parts(Vector::ZERO, rotation), shape: ConvexShape::Hull(hull) }
            } else {
                Convex { pose: Pose::from_parts(Vector::ZERO, rotation), shape: ConvexShape::Cuboid(Cuboid::new(Vector::new(hx, hy, hz))) }
            };
            let shift = Vector::new(0.01, -0.02, 0.03);
            let (a, b, shift) = if cylinder_first { (&bar, &other, shift) } else { (&other, &bar, -shift) };
            let searched = searched_depth(a, b, shift);
            proptest::prop_assume!(searched > 1e-3);
            // The closed-form places alone, without `round_depth`'s closing search.
            let places = round_places(a, b, shift).expect("a cylinder and a convex solid").depth;
            proptest::prop_assert!(places <= searched + 2e-5, "round {} above the search's {}", places, searched);
        }
    }
}
