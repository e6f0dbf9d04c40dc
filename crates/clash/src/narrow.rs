//! Pair tests: penetration depth for hard clashes, distance for clearance, coincidence for
//! duplicates. All geometry of a pair is expressed in the first element's local frame, so the
//! results do not depend on how far the model sits from the world origin.

use crate::shape::ElementShape;
use parry3d::math::{Pose, Vector};
use parry3d::query::{self, ClosestPoints, PointQuery};
use plumbline_model::Aabb;
use rustc_hash::{FxHashMap, FxHashSet};

/// Samples per axis of the boxes used by the non-convex depth estimate. Odd, so that the centre
/// of a face-aligned overlap is sampled and its depth comes out exact.
const GRID: usize = 5;

/// How two solids overlap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Penetration depth in metres (see the crate docs for its exact meaning).
    pub depth_m: f64,
    /// Where a reviewer should look, in world coordinates.
    pub point: [f64; 3],
    /// Whether the depth is the exact minimum translation distance (both solids convex).
    pub exact: bool,
}

/// Offset of `b`'s local frame from `a`'s, computed in f64 and only then narrowed: elements near
/// each other have a small offset even 500 km from the origin.
fn offset(a: &ElementShape, b: &ElementShape) -> Vector {
    Vector::new(
        (b.origin_m[0] - a.origin_m[0]) as f32,
        (b.origin_m[1] - a.origin_m[1]) as f32,
        (b.origin_m[2] - a.origin_m[2]) as f32,
    )
}

fn to_world(a: &ElementShape, p: Vector) -> [f64; 3] {
    [a.origin_m[0] + f64::from(p.x), a.origin_m[1] + f64::from(p.y), a.origin_m[2] + f64::from(p.z)]
}

/// Upper bound on the penetration depth (minimum translation distance) of two solids: the
/// shortest move along one axis that separates their boxes, which separates the solids too.
/// Zero when the boxes do not overlap.
pub fn depth_upper_bound(a: &Aabb, b: &Aabb) -> f64 {
    if a.intersection(b).is_none() {
        return 0.0;
    }
    (0..3).map(|k| (a.max[k] - b.min[k]).min(b.max[k] - a.min[k])).fold(f64::INFINITY, f64::min).max(0.0)
}

/// The overlap of two solids, or `None` when they are apart or only touch.
pub fn overlap(a: &ElementShape, b: &ElementShape) -> Option<Overlap> {
    // Measured in one canonical order, as `distance` is: the answer must not depend on which
    // element is A.
    if swapped(a, b) {
        overlap_in_order(b, a)
    } else {
        overlap_in_order(a, b)
    }
}

fn overlap_in_order(a: &ElementShape, b: &ElementShape) -> Option<Overlap> {
    let bound = depth_upper_bound(&a.aabb, &b.aabb);
    if bound <= 0.0 {
        return None;
    }
    let pos_b = Pose::from_translation(offset(a, b));
    if let (Some(ca), Some(cb)) = (a.convex_against(b), b.convex_against(a)) {
        // Both convex: EPA gives the exact minimum translation distance. It can give up on
        // degenerate configurations (two identical boxes); the estimate then takes over.
        if let Ok(Some(c)) = query::contact(&ca.pose, ca.shape(), &(pos_b * cb.pose), cb.shape(), 0.0) {
            if c.dist >= 0.0 {
                // EPA reports coincident solids as touching (distance 0). Touching solids share
                // no interior, so the centre of their boxes' overlap is inside both only when
                // EPA was wrong; then the estimate, exact for such face-aligned cases, decides.
                let center = a.to_local(a.aabb.intersection(&b.aabb)?.center());
                // The mesh's own containment is used: parry's convex point projection can tie
                // between two parallel faces and call an interior point outside.
                let deep_inside =
                    |shape: &ElementShape, p: Vector| shape.depth_inside(p).is_some_and(|d| d > 1e-5);
                if !(deep_inside(a, center) && deep_inside(b, center - pos_b.translation)) {
                    return None;
                }
                return estimate(a, b, &pos_b, bound);
            }
            // The centre of the boxes' overlap is the middle of the overlap for solids square to
            // the axes, where a reviewer expects to look. For turned solids it can lie outside
            // one of them (8 cm outside a rotated bar in a property test, up to 2.3 m from the
            // overlap in the FZK-Haus MEP reference case); then EPA's witness points, each the
            // point of one solid deepest in the other, lead to a point of both.
            // A pipe measured as its outer cylinder: where the other solid meets the cylinder
            // in the bore's mouth rather than on the pipe's wall (a solid entering an open end),
            // the cylinder is not the pipe, and the estimate decides.
            if a.in_bore_mouth(c.point1) || b.in_bore_mouth(c.point2 - pos_b.translation) {
                return estimate(a, b, &pos_b, bound);
            }
            let centre = a.aabb.center_between(&b.aabb);
            let starts = [a.to_local(centre), (c.point1 + c.point2) * 0.5, c.point1, c.point2];
            let point = point_on_both(a, b, &starts).map_or(centre, |p| to_world(a, p));
            // GJK and EPA stop within their tolerances (EPA 8.5 mm short on a 290 mm bar's
            // facets against a prism, GJK 0.3 mm long between two turned boxes 0.44 m apart):
            // pairs with an exact solid get the search that reaches the exact answer.
            let polish = a.exact.is_some() || b.exact.is_some();
            let depth = if polish {
                // Two polyhedra (boxes, prisms): the separating axes give the depth exactly. A
                // cylinder against a polyhedron or another cylinder: the closed-form places of
                // `round_depth`. Else (a hull with too many corners or edge directions) EPA's
                // direction, then both solids' own axes each way: the search finds the least of
                // the basins it starts in (starting only where an axis already beats EPA's answer
                // missed the least overlap by 0.2 mm in a property test).
                let shift = pos_b.translation;
                let exact_depth = crate::exact::polyhedral_depth(ca, cb, shift)
                    .or_else(|| crate::exact::round_depth(ca, cb, shift));
                exact_depth.unwrap_or_else(|| {
                    let axes = |k: &crate::exact::Convex| {
                        [Vector::X, Vector::Y, Vector::Z].map(|v| k.pose.rotation * v)
                    };
                    std::iter::once(c.normal1)
                        .chain(axes(ca).into_iter().chain(axes(cb)).flat_map(|v| [v, -v]))
                        .map(|n| crate::exact::refine_depth(ca, cb, pos_b.translation, n).0)
                        .fold(f32::INFINITY, f32::min)
                })
            } else {
                -c.dist
            };
            return Some(Overlap { depth_m: f64::from(depth).min(bound), point, exact: true });
        }
    }
    estimate(a, b, &pos_b, bound)
}

/// Margin (metres) by which a box bound must fall short of the best depth before a query is
/// skipped: a projection computed in `f32` may exceed the true distance by rounding, never by
/// this much, so skipping never changes the answer.
pub const PRUNE_MARGIN_M: f32 = 1e-4;

/// How deep inside the other solid a stretch of an edge must lie to count as piercing it.
const PIERCE_DEPTH_M: f32 = 1e-4;

/// How far a point's distance to a solid's surface, computed in `f32` in the solid's frame, can
/// exceed its distance to the solid's box by rounding: a few units in the last place of
/// coordinates up to several hundred metres from the element's own origin.
pub const BOX_ROUNDING_M: f32 = 5e-5;

/// Points on a triangle where penetration is sampled: its corners, edge midpoints, centroid,
/// and the points halfway between the centroid and each corner.
fn surface_samples(tri: [Vector; 3]) -> [Vector; 10] {
    let [p, q, r] = tri;
    let c = (p + q + r) / 3.0;
    [p, q, r, (p + q) * 0.5, (q + r) * 0.5, (r + p) * 0.5, c, (c + p) * 0.5, (c + q) * 0.5, (c + r) * 0.5]
}

/// The part of segment `p`–`q` inside the box `lo`–`hi` (slab clipping), if any.
fn clip_segment(p: Vector, q: Vector, lo: Vector, hi: Vector) -> Option<(Vector, Vector)> {
    let d = q - p;
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for k in 0..3 {
        if d[k].abs() < 1e-12 {
            if p[k] < lo[k] || p[k] > hi[k] {
                return None;
            }
        } else {
            let (a, b) = ((lo[k] - p[k]) / d[k], (hi[k] - p[k]) / d[k]);
            t0 = t0.max(a.min(b));
            t1 = t1.min(a.max(b));
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((p + d * t0, p + d * t1))
}

/// Longest stretch of the segment `p`–`q` (in `other`'s frame) lying strictly inside `other`,
/// for a segment whose two ends are outside it: how far an edge runs through the other solid.
/// Returns the length and the midpoint of that stretch.
fn pierce_length(other: &ElementShape, p: Vector, q: Vector) -> (f32, Vector) {
    let Some(mesh) = &other.trimesh else { return (0.0, p) };
    let dir = q - p;
    let len = dir.length();
    if len <= 0.0 {
        return (0.0, p);
    }
    let seg_box =
        parry3d::bounding_volume::Aabb::new(p.min(q) - Vector::splat(1e-5), p.max(q) + Vector::splat(1e-5));
    let ray = parry3d::query::Ray::new(p, dir);
    let mut ts: Vec<f32> = vec![0.0, 1.0];
    for tri in mesh.bvh().intersect_aabb(&seg_box) {
        if let Some(t) = parry3d::query::RayCast::cast_local_ray(&mesh.triangle(tri), &ray, 1.0, false) {
            ts.push(t);
        }
    }
    ts.sort_by(f32::total_cmp);
    let mut best = (0.0f32, p);
    let mut run = 0.0f32;
    let mut run_start = 0.0f32;
    for w in ts.windows(2) {
        let piece = (w[1] - w[0]) * len;
        let mid = p + dir * (0.5 * (w[0] + w[1]));
        // Strictly inside: a stretch lying on the other's surface (touching) does not count.
        // A closed solid holds no point deeper than its box does, so a midpoint within
        // `PIERCE_DEPTH_M` of the box's faces (a stretch at the edge of a wall) is not asked.
        let deep_enough = |mid: Vector| {
            if other.closed && other.box_depth(mid) + BOX_ROUNDING_M <= PIERCE_DEPTH_M {
                return false;
            }
            other.depth_inside(mid).is_some_and(|d| d > PIERCE_DEPTH_M)
        };
        if piece > 0.0 && deep_enough(mid) {
            if run == 0.0 {
                run_start = w[0];
            }
            run += piece;
            if run > best.0 {
                best = (run, p + dir * (0.5 * (run_start + w[1])));
            }
        } else if piece > 1e-6 {
            run = 0.0;
        }
    }
    best
}

/// The documented estimate for non-convex pairs: the largest of
/// - the depth of the deepest sampled surface point of either solid inside the other (its
///   distance to the other's surface); the samples are the corners, edge midpoints, centroid
///   and centroid-to-corner midpoints of every triangle that reaches into the boxes' overlap,
///   so a face pushed into the other solid (a face-aligned overlap) gives its exact depth, and
/// - twice the largest distance, over a 5×5×5 grid of points of the boxes' overlap lying inside
///   both solids, from such a point to the nearer surface (crossings where no surface point of
///   one lies deep inside the other), and
/// - the longest stretch of an edge of either solid that passes through the other with both
///   its ends outside (a pipe through a wall: the wall's thickness; IfcClash's "pierce"),
///
/// capped by the box bound. `None` when nothing lies inside both.
fn estimate(a: &ElementShape, b: &ElementShape, pos_b: &Pose, bound: f64) -> Option<Overlap> {
    let (Some(ta), Some(tb)) = (&a.trimesh, &b.trimesh) else { return None };
    let t = pos_b.translation;
    let overlap_box = a.aabb.intersection(&b.aabb)?;
    let mut best = 0.0f32;
    let mut point = None;
    // A point outside the boxes' overlap cannot be inside both solids: such samples are skipped
    // before any (costly) containment query.
    let lo_a = a.to_local(overlap_box.min) - Vector::splat(1e-5);
    let hi_a = a.to_local(overlap_box.max) + Vector::splat(1e-5);
    let in_overlap = |p_in_a: Vector| p_in_a.cmpge(lo_a).all() && p_in_a.cmple(hi_a).all();
    // Surface samples of A inside B, then of B inside A; each side in its own local frame.
    for (mesh, other, shift_to_a, shift_to_other) in [(ta, b, Vector::ZERO, -t), (tb, a, t, Vector::ZERO)] {
        let lo = a.to_local(overlap_box.min) - shift_to_a;
        let hi = a.to_local(overlap_box.max) - shift_to_a;
        let query = parry3d::bounding_volume::Aabb::new(lo - Vector::splat(1e-4), hi + Vector::splat(1e-4));
        // An edge borders two triangles: its stretch through the other solid is measured once,
        // from its lower-numbered end, so both triangles would get the same answer. Only edges
        // that pass the cheap checks below are remembered: those checks give an edge the same
        // answer from either triangle (its clip and its corners are its own, and `best` only
        // grows, so an edge too short once stays too short).
        let mut pierced: FxHashSet<[u32; 2]> = FxHashSet::default();
        // A corner is shared by about six triangles: its depth in the other solid (a search of
        // the other's mesh) is asked once per vertex.
        let mut corner_depths: FxHashMap<u32, Option<f32>> = FxHashMap::default();
        for tri in mesh.bvh().intersect_aabb(&query) {
            let tr = mesh.triangle(tri);
            let vertices = [tr.a, tr.b, tr.c];
            // A triangle wholly beyond one face plane of a convex solid lies outside it (the
            // solid is inside its hull): no corner, edge or sample of it can be inside.
            let beyond = |&(n, d): &(Vector, f32)| {
                vertices.iter().all(|&c| n.dot(c + shift_to_a + shift_to_other) - d > PRUNE_MARGIN_M)
            };
            if other.face_planes.iter().any(beyond) {
                continue;
            }
            let ids = mesh.indices()[tri as usize];
            // Each corner is asked once: the edge tests and the surface samples (whose first
            // three are the corners) share the answer.
            // A corner clearly outside the other's box is outside a closed solid without asking.
            let corners: [Option<f32>; 3] = std::array::from_fn(|k| {
                let in_other = vertices[k] + shift_to_a + shift_to_other;
                if other.closed && other.box_depth(in_other) < -PRUNE_MARGIN_M {
                    return None;
                }
                *corner_depths.entry(ids[k]).or_insert_with(|| other.depth_inside(in_other))
            });
            for (i, j) in [(0, 1), (1, 2), (2, 0)] {
                let (i, j) = if ids[i] <= ids[j] { (i, j) } else { (j, i) };
                if corners[i].is_some() || corners[j].is_some() {
                    continue;
                }
                let (p, q) = (vertices[i], vertices[j]);
                let Some((pc, qc)) = clip_segment(p + shift_to_a, q + shift_to_a, lo_a, hi_a) else {
                    continue;
                };
                // The stretch through the other solid is no longer than the clipped edge: an
                // edge too short to beat the best depth is not measured.
                let short = (qc - pc).length() + PRUNE_MARGIN_M <= best;
                if !short && pierced.insert([ids[i], ids[j]]) {
                    // Only the part of the edge inside the boxes' overlap can run through the
                    // other solid.
                    let (d, mid) = pierce_length(other, pc + shift_to_other, qc + shift_to_other);
                    if d > best {
                        best = d;
                        point = Some(to_world(a, mid - shift_to_other));
                    }
                }
            }
            for (n, s) in surface_samples(vertices).into_iter().enumerate() {
                if !in_overlap(s + shift_to_a) {
                    continue;
                }
                let depth = match corners.get(n) {
                    Some(&corner) => corner,
                    None => {
                        let in_other = s + shift_to_a + shift_to_other;
                        // A sample cannot lie deeper in the other solid than in its box.
                        if other.box_depth(in_other) + PRUNE_MARGIN_M <= best {
                            continue;
                        }
                        other.depth_inside(in_other)
                    }
                };
                if let Some(d) = depth {
                    if d > best {
                        best = d;
                        point = Some(to_world(a, s + shift_to_a));
                    }
                }
            }
        }
    }
    let s = overlap_box.size();
    for i in 0..GRID {
        for j in 0..GRID {
            for k in 0..GRID {
                let f = |n: usize| (n as f64 + 0.5) / GRID as f64;
                let p = [
                    overlap_box.min[0] + f(i) * s[0],
                    overlap_box.min[1] + f(j) * s[1],
                    overlap_box.min[2] + f(k) * s[2],
                ];
                let pa = a.to_local(p);
                let pb = pa - t;
                // The point's depth in each solid is at most its depth in that solid's box.
                if 2.0 * a.box_depth(pa).min(b.box_depth(pb)) + PRUNE_MARGIN_M <= best {
                    continue;
                }
                if let Some(da) = a.depth_inside(pa) {
                    let Some(db) = b.depth_inside(pb) else { continue };
                    let d = 2.0 * da.min(db);
                    if d > best {
                        best = d;
                        point = Some(p);
                    }
                }
            }
        }
    }
    let depth = f64::from(best).min(bound);
    (depth > 0.0).then(|| Overlap {
        depth_m: depth,
        point: point.unwrap_or(overlap_box.center()),
        exact: false,
    })
}

/// Distance between two solids and the midpoint of their closest points; `0` when they touch
/// or overlap. The pair is measured in one canonical order, so swapping A and B gives the same
/// answer to the bit: parry's mesh–mesh query in `f32` is not exactly symmetric (a gap of 18 µm
/// read as contact one way round and as 0.018 mm the other; found by the property test).
pub fn distance(a: &ElementShape, b: &ElementShape, max_m: f64) -> Option<(f64, [f64; 3])> {
    if swapped(a, b) {
        distance_in_order(b, a, max_m)
    } else {
        distance_in_order(a, b, max_m)
    }
}

/// Whether `b` comes before `a` in an order that depends on the geometry only: the world box
/// (compared with `total_cmp`), then the mesh size.
fn swapped(a: &ElementShape, b: &ElementShape) -> bool {
    let corners = |s: &ElementShape| [s.aabb.min, s.aabb.max].concat();
    let size = |s: &ElementShape| s.trimesh.as_ref().map_or(0, |t| t.vertices().len());
    let by_box = corners(b).iter().zip(corners(a).iter()).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne());
    by_box.unwrap_or_else(|| size(b).cmp(&size(a))).is_lt()
}

fn distance_in_order(a: &ElementShape, b: &ElementShape, max_m: f64) -> Option<(f64, [f64; 3])> {
    let pos_b = Pose::from_translation(offset(a, b));
    if let (Some(ca), Some(cb)) = (a.convex_against(b), b.convex_against(a)) {
        let found = query::closest_points(&ca.pose, ca.shape(), &(pos_b * cb.pose), cb.shape(), max_m as f32);
        // A pipe measured as its outer cylinder is right unless the nearest point lies on the
        // part of an end cap that is the bore's mouth, not the pipe's wall: then its facets
        // measure.
        match found.ok()? {
            ClosestPoints::WithinMargin(p1, p2)
                if a.in_bore_mouth(p1) || b.in_bore_mouth(p2 - pos_b.translation) => {}
            // A pipe's outer cylinder met may be its bore's mouth: the facets decide there.
            ClosestPoints::Intersecting if a.convex.is_none() || b.convex.is_none() => {}
            ClosestPoints::Intersecting => return Some((0.0, a.aabb.center_between(&b.aabb))),
            ClosestPoints::WithinMargin(p1, p2) => {
                if !(a.exact.is_some() || b.exact.is_some()) {
                    return Some((f64::from((p2 - p1).length()), to_world(a, (p1 + p2) * 0.5)));
                }
                // GJK stops within its tolerance (0.3 mm long between two turned boxes 0.44 m
                // apart, 4.7 mm on two round bars). Polytopes are measured triangle to triangle,
                // exactly; round solids get the closest points polished by alternating
                // projections, a gap between two points of the solids that only shrinks
                // towards the distance.
                if a.polytope && b.polytope {
                    if let (Some(ta), Some(tb)) = (&a.trimesh, &b.trimesh) {
                        if let Ok(ClosestPoints::WithinMargin(p, q)) =
                            query::closest_points(&Pose::identity(), ta, &pos_b, tb, max_m as f32)
                        {
                            return Some((f64::from((q - p).length()), to_world(a, (p + q) * 0.5)));
                        }
                    }
                }
                let (p1, p2) = crate::exact::refine_distance(ca, cb, pos_b.translation, p1, p2);
                let d = f64::from((p2 - p1).length());
                return Some((d, to_world(a, (p1 + p2) * 0.5)));
            }
            ClosestPoints::Disjoint => return None,
        }
    }
    let (Some(ta), Some(tb)) = (&a.trimesh, &b.trimesh) else { return None };
    match query::closest_points(&Pose::identity(), ta, &pos_b, tb, max_m as f32).ok()? {
        // Parry reports solids a few tens of micrometres apart as touching; their boxes may then
        // not overlap, and the point to look at is between them, not inside either.
        ClosestPoints::Intersecting => Some((0.0, a.aabb.center_between(&b.aabb))),
        ClosestPoints::WithinMargin(p1, p2) => {
            let d = f64::from((p2 - p1).length());
            Some((d, to_world(a, (p1 + p2) * 0.5)))
        }
        ClosestPoints::Disjoint => None,
    }
}

/// How close to both solids a point must lie to count as on them: the centre of an overlap
/// along a flush face lies on that face, within rounding.
const ON_BOTH_M: f32 = 1e-4;

/// A point on or in both solids, in `a`'s frame, looked for from `starts` (in `a`'s frame, in
/// order of preference): `None` when the first lies on both (the caller keeps its own,
/// unrounded form), else the first other start that does, else the point nearest to both of
/// those reached by projecting each start onto `b` and then `a` in turn (alternating
/// projections approach the common part).
fn point_on_both(a: &ElementShape, b: &ElementShape, starts: &[Vector]) -> Option<Vector> {
    let t = offset(a, b);
    let outside = |p: Vector| a.distance_outside(p).max(b.distance_outside(p - t));
    let first = *starts.first()?;
    if outside(first) <= ON_BOTH_M {
        return None;
    }
    if let Some(&p) = starts[1..].iter().find(|&&p| outside(p) <= ON_BOTH_M) {
        return Some(p);
    }
    let (Some(ta), Some(tb)) = (&a.trimesh, &b.trimesh) else { return Some(first) };
    let mut best = (outside(first), first);
    for &start in starts {
        let mut p = start;
        for _ in 0..32 {
            let on_b = tb.project_local_point(p - t, true).point + t;
            p = ta.project_local_point(on_b, true).point;
            let o = outside(p);
            if o < best.0 {
                best = (o, p);
            }
            if o <= ON_BOTH_M {
                return Some(p);
            }
        }
    }
    Some(best.1)
}

/// Where two solids that touch, or overlap by less than a test's tolerance, meet, looked for
/// from `start` (the centre between their boxes, world) and from the vertex of each solid
/// nearest the other (where a corner or an edge rests on the other solid, the contact is
/// there). The centre between the boxes of an L-shape and a block resting on it can be 15 cm
/// from where they touch (a property test).
pub(crate) fn contact_point(a: &ElementShape, b: &ElementShape, start: [f64; 3]) -> [f64; 3] {
    let (Some(ta), Some(tb)) = (&a.trimesh, &b.trimesh) else { return start };
    let t = offset(a, b);
    let nearest = |vertices: &[Vector], other: &ElementShape, shift: Vector| {
        vertices
            .iter()
            .map(|&v| (other.distance_outside(v + shift), v))
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .map(|(_, v)| v)
    };
    let mut starts = vec![a.to_local(start)];
    starts.extend(nearest(ta.vertices(), b, -t));
    starts.extend(nearest(tb.vertices(), a, t).map(|v| v + t));
    point_on_both(a, b, &starts).map_or(start, |p| to_world(a, p))
}

/// Whether two solids are the same geometry within `tolerance_m`: their boxes agree and every
/// vertex of each lies within the tolerance of the other's surface.
pub fn coincident(a: &ElementShape, b: &ElementShape, tolerance_m: f64) -> bool {
    if a.aabb.max_side_difference(&b.aabb) > tolerance_m {
        return false;
    }
    let (Some(ta), Some(tb)) = (&a.trimesh, &b.trimesh) else { return false };
    let t = offset(a, b);
    let tol = tolerance_m as f32;
    ta.vertices().iter().all(|&v| b.distance_to_surface(v - t) <= tol)
        && tb.vertices().iter().all(|&v| a.distance_to_surface(v + t) <= tol)
}
