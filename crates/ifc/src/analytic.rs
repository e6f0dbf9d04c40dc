//! Exact solids: the bodies that are one straight extrusion of a rectangle, a circle, a ring or
//! a convex polygon, or one disk swept along a straight segment, read from their IFC parameters
//! so that a clash engine can treat them without triangles.
//!
//! What counts as a product's body is what ifc-lite meshes: its own representation walk with
//! the mesh path's selection (`Select::Meshed`) and mapped-item expansion. A product gets a solid
//! only when that walk finds exactly one item and the item is a supported shape; the parameters
//! come from ifc-lite's analytic extractors (`extract_analytic_extrusion`,
//! `extract_swept_disk`), never from a second reading of the records. Whatever is in doubt (an
//! unsupported profile, a mirrored or sheared mapping, a non-convex outline, an opening that
//! cuts the body) gives no solid, and the element keeps its mesh only.

use crate::index::{Decoders, Index};
use crate::semantics::{Job, Kind, RelKind};
use crate::LoadProgress;
use ifc_lite_core::{DecodedEntity, EntityDecoder, IfcType};
use ifc_lite_geometry::analytic::{AnalyticCurveSegment, AnalyticStatus, ProfileLoopKind};
use ifc_lite_geometry::placement::Axis2Placement;
use ifc_lite_geometry::representation::{
    Flow, NestedMaps, RepresentationWalk, Select, WalkCtx, WalkRefusal, WalkVisitor, MAX_WALK_LEVELS,
};
use ifc_lite_geometry::Matrix4;
use plumbline_model::{Placement, Role, Solid, SolidShape};
use rayon::prelude::*;
use std::collections::HashSet;

/// Relative tolerance of the right angles of a rectangle and of a mapping's rotation.
const ANGLE_TOLERANCE: f64 = 1e-6;
/// Relative tolerance under which consecutive profile points coincide or three are collinear.
const COLLINEAR_TOLERANCE: f64 = 1e-9;
/// How far (radians) a circle's sweep may be from a full turn.
const FULL_TURN_TOLERANCE: f64 = 1e-9;

/// The exact solid of `product`'s body in world metres, or `None` when it has none (see the
/// module's comment). `length_scale` turns file units into metres.
pub(crate) fn solid_of(
    product: &DecodedEntity,
    decoder: &mut EntityDecoder,
    length_scale: f64,
) -> Option<Solid> {
    if !(length_scale.is_finite() && length_scale > 0.0) {
        return None;
    }
    let placement = ifc_lite_geometry::placement::resolve_object_placement(product, decoder).ok()??;
    let (item, mapped) = single_item(product, decoder)?;
    let transform = placement * mapped;
    let local = match item.ifc_type {
        IfcType::IfcExtrudedAreaSolid => extrusion(&item, decoder)?,
        IfcType::IfcSweptDiskSolid => swept_disk(&item, decoder)?,
        _ => return None,
    };
    to_world(local, &transform, length_scale)
}

/// The exact solids of the physical products among `jobs` that `wanted` picks, computed on
/// every thread: `(express id, solid)` in file order. Products that an opening cuts get none
/// (ifc-lite's mesh is cut, the solid would not be). Each solid found counts one product
/// meshed on `progress`.
pub(crate) fn solids(
    decoders: &Decoders<'_>,
    jobs: &[Job],
    voided: &HashSet<u32>,
    wanted: impl Fn(u32) -> bool + Sync,
    progress: Option<&LoadProgress>,
) -> Vec<(u32, Box<Solid>)> {
    let length_scale = decoders.lend().length_unit_scale();
    jobs.par_iter()
        .filter(|&&(id, kind, ..)| {
            kind == Kind::Product(Role::Physical) && !voided.contains(&id) && wanted(id)
        })
        .map_init(
            || decoders.lend(),
            |decoder, &(id, _, start, end)| {
                let product = decoder.decode_at_uncached(start, end).ok()?;
                let solid = solid_of(&product, decoder, length_scale)?;
                if let Some(p) = progress {
                    p.add(1);
                }
                Some((id, Box::new(solid)))
            },
        )
        .flatten()
        .collect()
}

/// The products an `IfcRelVoidsElement` cuts (its `RelatingBuildingElement`s).
pub(crate) fn voided_hosts(bytes: &[u8], index: &Index, jobs: &[Job]) -> HashSet<u32> {
    let decoder = index.decoder(bytes);
    jobs.iter()
        .filter(|(_, kind, ..)| *kind == Kind::Rel(RelKind::Voids))
        // A relation that cannot be decoded is lost here as it is in the model's own pass.
        .filter_map(|&(_, _, start, end)| decoder.decode_at_uncached(start, end).ok()?.get_ref(4))
        .collect()
}

/// Finds the one item ifc-lite would mesh for a product, with the transform of the mapped
/// items above it (file units).
struct OneItem {
    found: Vec<(DecodedEntity, Matrix4<f64>)>,
    broken: bool,
}

impl WalkVisitor for OneItem {
    fn item(&mut self, item: &DecodedEntity, at: &WalkCtx<'_>, decoder: &mut EntityDecoder) -> Flow {
        if !self.found.is_empty() {
            // A second item: the body is not one solid.
            self.broken = true;
            return Flow::Stop;
        }
        let mut transform = Matrix4::identity();
        for level in at.path {
            match level.local_transform(decoder) {
                Ok(Some(m)) => transform *= m,
                Ok(None) => {}
                Err(_) => {
                    self.broken = true;
                    return Flow::Stop;
                }
            }
        }
        self.found.push((item.clone(), transform));
        Flow::Continue
    }

    fn refused(&mut self, _item: &DecodedEntity, _why: WalkRefusal, _ctx: &WalkCtx<'_>) {
        self.broken = true;
    }
}

/// The product's single body item and the mapping transform above it.
fn single_item(
    product: &DecodedEntity,
    decoder: &mut EntityDecoder,
) -> Option<(DecodedEntity, Matrix4<f64>)> {
    let walk = RepresentationWalk {
        select: Select::Meshed,
        nested: NestedMaps::Expand {
            max_depth: ifc_lite_core::MAX_MAPPED_ITEM_DEPTH,
            max_levels: MAX_WALK_LEVELS,
        },
    };
    let mut visitor = OneItem { found: Vec::new(), broken: false };
    walk.product(product, decoder, &mut visitor).ok()?;
    if visitor.broken || visitor.found.len() != 1 {
        return None;
    }
    visitor.found.pop()
}

/// A solid in the coordinates of its representation item (file units): its shape, and the
/// frame of the shape in those coordinates (`frame` maps the shape's own frame into the item's).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Local {
    pub frame: Matrix4<f64>,
    pub shape: LocalShape,
}

/// [`SolidShape`] in file units and `f64`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LocalShape {
    Cuboid { half: [f64; 3] },
    Cylinder { radius: f64, half_length: f64 },
    Tube { outer: f64, inner: f64, half_length: f64 },
    Prism { profile: Vec<[f64; 2]>, extrusion: [f64; 3] },
}

/// An `IfcExtrudedAreaSolid` (not its tapered subtype), through ifc-lite's extractor; a hollow
/// circle profile, which the extractor does not describe, is read beside it.
fn extrusion(item: &DecodedEntity, decoder: &mut EntityDecoder) -> Option<Local> {
    let analytic = ifc_lite_geometry::extract_analytic_extrusion(item, decoder);
    if analytic.status != AnalyticStatus::Complete {
        return hollow_circle_extrusion(item, decoder);
    }
    let profile = analytic.profile?;
    if profile.status != AnalyticStatus::Complete {
        return None;
    }
    let position =
        analytic.position_matrix.map_or_else(Matrix4::identity, |m| Matrix4::from_column_slice(&m));
    let profile_position =
        profile.profile_position.map_or_else(Matrix4::identity, |m| Matrix4::from_column_slice(&m));
    let axis = analytic.axis_unit_vector?;
    let depth = analytic.depth.filter(|d| d.is_finite() && *d > 0.0)?;
    let mut outer = Vec::new();
    let mut inner = Vec::new();
    for l in &profile.loops {
        let segments: Vec<AnalyticCurveSegment> =
            l.segments.iter().map(|s| place_segment(s, &profile_position)).collect::<Option<_>>()?;
        match l.kind {
            ProfileLoopKind::Outer => outer.push(segments),
            ProfileLoopKind::Inner => inner.push(segments),
        }
    }
    let [outer] = outer.as_slice() else { return None };
    let extrusion = axis.map(|a| a * depth);
    let (frame, shape) = match (outer.as_slice(), inner.as_slice()) {
        ([_], []) => {
            let (centre, radius) = full_circle(outer)?;
            let half_length = straight(axis)?.then_some(depth / 2.0)?;
            (round_frame(centre, extrusion), LocalShape::Cylinder { radius, half_length })
        }
        ([_], [bore]) => {
            let (centre, outer) = full_circle(outer)?;
            let (bore_centre, inner) = full_circle(bore)?;
            let concentric = distance2(centre, bore_centre) <= ANGLE_TOLERANCE * outer;
            let half_length = straight(axis)?.then_some(depth / 2.0)?;
            if !(concentric && inner < outer) {
                return None;
            }
            (round_frame(centre, extrusion), LocalShape::Tube { outer, inner, half_length })
        }
        (lines, []) => polygon_solid(&polygon(lines)?, axis, depth)?,
        _ => return None,
    };
    Some(Local { frame: position * frame, shape })
}

/// Whether the unit extrusion direction is along the profile's normal (`Some(true)`), oblique
/// (`Some(false)`), or not usable at all.
fn straight(axis: [f64; 3]) -> Option<bool> {
    (axis.iter().all(|v| v.is_finite()) && axis[2] != 0.0)
        .then(|| axis[0].abs() <= COLLINEAR_TOLERANCE && axis[1].abs() <= COLLINEAR_TOLERANCE)
}

/// The frame of a round extrusion: its axis along local Z, centred half way along it.
fn round_frame(centre: [f64; 2], extrusion: [f64; 3]) -> Matrix4<f64> {
    Matrix4::new_translation(&[centre[0], centre[1], extrusion[2] / 2.0].into())
}

/// The distance between two points of the profile plane.
fn distance2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// A profile segment moved by the profile's own `Position` (a rigid motion of its plane).
fn place_segment(segment: &AnalyticCurveSegment, m: &Matrix4<f64>) -> Option<AnalyticCurveSegment> {
    let point = |p: [f64; 3]| {
        let q = m.transform_point(&p.into());
        [q.x, q.y, q.z]
    };
    let vector = |v: [f64; 3]| {
        let q = m.transform_vector(&v.into());
        [q.x, q.y, q.z]
    };
    Some(match *segment {
        AnalyticCurveSegment::Line { start, end } => {
            AnalyticCurveSegment::Line { start: point(start), end: point(end) }
        }
        AnalyticCurveSegment::Arc { center, normal, x_axis, radius, start_angle, sweep_angle } => {
            AnalyticCurveSegment::Arc {
                center: point(center),
                normal: vector(normal),
                x_axis: vector(x_axis),
                radius,
                start_angle,
                sweep_angle,
            }
        }
    })
}

/// The centre and radius of a loop that is one full circle in the profile plane.
fn full_circle(segments: &[AnalyticCurveSegment]) -> Option<([f64; 2], f64)> {
    match segments {
        [AnalyticCurveSegment::Arc { center, normal, radius, sweep_angle, .. }]
            if (sweep_angle.abs() - std::f64::consts::TAU).abs() <= FULL_TURN_TOLERANCE
                && normal[0].abs() <= COLLINEAR_TOLERANCE
                && normal[1].abs() <= COLLINEAR_TOLERANCE
                && radius.is_finite()
                && *radius > 0.0
                && center.iter().all(|v| v.is_finite()) =>
        {
            Some(([center[0], center[1]], *radius))
        }
        _ => None,
    }
}

/// The corners of a loop of straight lines, counter-clockwise, without repeated or collinear
/// points; `None` for a loop with arcs, one that doubles back, or one with under three corners.
fn polygon(segments: &[AnalyticCurveSegment]) -> Option<Vec<[f64; 2]>> {
    let mut points = Vec::with_capacity(segments.len());
    for s in segments {
        match s {
            AnalyticCurveSegment::Line { start, .. } if start[0].is_finite() && start[1].is_finite() => {
                points.push([start[0], start[1]]);
            }
            _ => return None,
        }
    }
    let extent = points.iter().flat_map(|p| p.iter()).fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let tiny = COLLINEAR_TOLERANCE * extent;
    // Repeated points first (a closing point written twice), then straight corners, until none
    // is left.
    loop {
        let n = points.len();
        if n < 3 {
            return None;
        }
        let drop = (0..n).find(|&i| {
            let (a, b, c) = (points[(i + n - 1) % n], points[i], points[(i + 1) % n]);
            let (u, v) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
            let (lu, lv) = (u[0].hypot(u[1]), v[0].hypot(v[1]));
            lu <= tiny
                || (u[0] * v[1] - u[1] * v[0]).abs() <= COLLINEAR_TOLERANCE * lu * lv
                    && u[0] * v[0] + u[1] * v[1] > 0.0
        });
        match drop {
            Some(i) => {
                points.remove(i);
            }
            None => break,
        }
    }
    let n = points.len();
    let area: f64 = (0..n).map(|i| cross(points[i], points[(i + 1) % n])).sum();
    if !(area.is_finite() && area != 0.0) {
        return None;
    }
    if area < 0.0 {
        points.reverse();
    }
    Some(points)
}

fn cross(p: [f64; 2], q: [f64; 2]) -> f64 {
    p[0] * q[1] - q[0] * p[1]
}

/// Whether a counter-clockwise polygon is strictly convex: every corner turns left and the
/// turns add up to one full turn (a star also turns left at every corner, but twice round).
fn strictly_convex(points: &[[f64; 2]]) -> bool {
    let n = points.len();
    let mut turning = 0.0;
    for i in 0..n {
        let (a, b, c) = (points[(i + n - 1) % n], points[i], points[(i + 1) % n]);
        let (u, v) = ([b[0] - a[0], b[1] - a[1]], [c[0] - b[0], c[1] - b[1]]);
        let turn = cross(u, v);
        if turn <= 0.0 {
            return false;
        }
        turning += turn.atan2(u[0] * v[0] + u[1] * v[1]);
    }
    (turning - std::f64::consts::TAU).abs() <= 1e-6
}

/// A box (a rectangle extruded along its normal) or a prism (any other convex outline, or an
/// oblique extrusion), in the extrusion's own coordinates.
fn polygon_solid(points: &[[f64; 2]], axis: [f64; 3], depth: f64) -> Option<(Matrix4<f64>, LocalShape)> {
    if !strictly_convex(points) {
        return None;
    }
    let straight = straight(axis)?;
    let e = axis.map(|a| a * depth);
    let n = points.len();
    let centre = points.iter().fold([0.0; 2], |s, p| [s[0] + p[0] / n as f64, s[1] + p[1] / n as f64]);
    if straight && n == 4 {
        let edges: Vec<[f64; 2]> = (0..4)
            .map(|i| [points[(i + 1) % 4][0] - points[i][0], points[(i + 1) % 4][1] - points[i][1]])
            .collect();
        let len = |v: [f64; 2]| v[0].hypot(v[1]);
        let square = (0..4).all(|i| {
            (edges[i][0] * edges[(i + 1) % 4][0] + edges[i][1] * edges[(i + 1) % 4][1]).abs()
                <= ANGLE_TOLERANCE * len(edges[i]) * len(edges[(i + 1) % 4])
        });
        if square {
            let u = edges[0].map(|v| v / len(edges[0]));
            #[rustfmt::skip]
            let frame = Matrix4::new(
                u[0], -u[1], 0.0, centre[0],
                u[1], u[0], 0.0, centre[1],
                0.0, 0.0, 1.0, e[2] / 2.0,
                0.0, 0.0, 0.0, 1.0,
            );
            let half = [len(edges[0]) / 2.0, len(edges[1]) / 2.0, e[2].abs() / 2.0];
            return Some((frame, LocalShape::Cuboid { half }));
        }
    }
    // The prism's base is the cap its extrusion leaves towards +Z, and its frame sits at the
    // outline's centre so that the corners stay small numbers.
    let (base_z, shift, extrusion) =
        if e[2] > 0.0 { (0.0, [0.0; 2], e) } else { (e[2], [e[0], e[1]], e.map(|v| -v)) };
    let origin = [centre[0] + shift[0], centre[1] + shift[1]];
    let profile = points.iter().map(|p| [p[0] + shift[0] - origin[0], p[1] + shift[1] - origin[1]]).collect();
    let frame = Matrix4::new_translation(&[origin[0], origin[1], base_z].into());
    Some((frame, LocalShape::Prism { profile, extrusion }))
}

/// An extrusion of an `IfcCircleHollowProfileDef` (a pipe), which ifc-lite's analytic
/// extractor leaves unsupported: its placements are read with ifc-lite's placement reader.
fn hollow_circle_extrusion(item: &DecodedEntity, decoder: &mut EntityDecoder) -> Option<Local> {
    let area = decoder.decode_by_id(item.get_ref(0)?).ok()?;
    if area.ifc_type != IfcType::IfcCircleHollowProfileDef || area.get(0)?.as_enum()? != "AREA" {
        return None;
    }
    let placement = |attr: Option<u32>, decoder: &mut EntityDecoder| -> Option<Matrix4<f64>> {
        match attr {
            None => Some(Matrix4::identity()),
            Some(id) => Some(Axis2Placement::read_id(id, decoder).ok()?.matrix()),
        }
    };
    let profile_position = placement(area.get_ref(2), decoder)?;
    let position = placement(item.get_ref(1), decoder)?;
    let radius = area.get_float(3).filter(|r| r.is_finite() && *r > 0.0)?;
    let wall = area.get_float(4).filter(|t| t.is_finite() && *t > 0.0 && *t < radius)?;
    let direction = decoder.decode_by_id(item.get_ref(2)?).ok()?;
    let ratios: Vec<f64> = direction.get_list(0)?.iter().map(|v| v.as_float()).collect::<Option<_>>()?;
    let [x, y, z] = match ratios.as_slice() {
        [x, y] => [*x, *y, 0.0],
        [x, y, z] => [*x, *y, *z],
        _ => return None,
    };
    let norm = x.hypot(y).hypot(z);
    let axis = [x / norm, y / norm, z / norm];
    let depth = item.get_float(3).filter(|d| d.is_finite() && *d > 0.0)?;
    if !straight(axis)? {
        return None;
    }
    let centre = profile_position.transform_point(&[0.0, 0.0, 0.0].into());
    let frame = round_frame([centre.x, centre.y], axis.map(|a| a * depth));
    let shape = LocalShape::Tube { outer: radius, inner: radius - wall, half_length: depth / 2.0 };
    Some(Local { frame: position * frame, shape })
}

/// An `IfcSweptDiskSolid` along one straight segment, through ifc-lite's extractor (which has
/// applied StartParam and EndParam).
fn swept_disk(item: &DecodedEntity, decoder: &mut EntityDecoder) -> Option<Local> {
    let disk = ifc_lite_geometry::extract_swept_disk(item, decoder).ok()?;
    if disk.status != AnalyticStatus::Complete {
        return None;
    }
    let [AnalyticCurveSegment::Line { start, end }] = disk.segments.as_slice() else { return None };
    let d = [end[0] - start[0], end[1] - start[1], end[2] - start[2]];
    let length = d[0].hypot(d[1]).hypot(d[2]);
    if !(length.is_finite() && length > 0.0) {
        return None;
    }
    let z = d.map(|v| v / length);
    // Any X square to the segment: the one from the world axis it is least aligned with.
    let helper = if z[0].abs() <= z[1].abs() && z[0].abs() <= z[2].abs() {
        [1.0, 0.0, 0.0]
    } else if z[1].abs() <= z[2].abs() {
        [0.0, 1.0, 0.0]
    } else {
        [0.0, 0.0, 1.0]
    };
    let x = normalised(cross3(helper, z))?;
    let y = cross3(z, x);
    let mid = [0, 1, 2].map(|k| (start[k] + end[k]) / 2.0);
    #[rustfmt::skip]
    let frame = Matrix4::new(
        x[0], y[0], z[0], mid[0],
        x[1], y[1], z[1], mid[1],
        x[2], y[2], z[2], mid[2],
        0.0, 0.0, 0.0, 1.0,
    );
    let half_length = length / 2.0;
    let shape = match disk.inner_radius {
        Some(inner) => LocalShape::Tube { outer: disk.radius, inner, half_length },
        None => LocalShape::Cylinder { radius: disk.radius, half_length },
    };
    Some(Local { frame, shape })
}

fn cross3(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn normalised(v: [f64; 3]) -> Option<[f64; 3]> {
    let l = v[0].hypot(v[1]).hypot(v[2]);
    (l.is_finite() && l > 0.0).then(|| v.map(|c| c / l))
}

/// The farthest from the file's origin a solid may lie, in metres (a million kilometres: no
/// georeferenced model comes near, and f64 still resolves a tenth of a micrometre there).
/// Farther, an element is absurd, and it is left to the tessellator, which reports it as
/// before (`1.E308` placements in `tests/bad_inputs`), instead of a solid whose arithmetic
/// overflows.
const MAX_ORIGIN_M: f64 = 1e9;

/// The solid in world metres: `transform` (file units) maps the item's coordinates into the
/// world. A transform that is not a rotation with one uniform scale (a mirror, a shear, a
/// non-uniform scale) gives no solid; a uniform scale goes into the dimensions.
fn to_world(local: Local, transform: &Matrix4<f64>, length_scale: f64) -> Option<Solid> {
    let m = transform * local.frame;
    if m.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let col = |c: usize| [m[(0, c)], m[(1, c)], m[(2, c)]];
    let (c0, c1, c2) = (col(0), col(1), col(2));
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let s = dot(c0, c0).sqrt();
    if !(s.is_finite() && s > 0.0) {
        return None;
    }
    let uniform = [c1, c2].iter().all(|c| (dot(*c, *c).sqrt() - s).abs() <= ANGLE_TOLERANCE * s);
    let square =
        [(c0, c1), (c0, c2), (c1, c2)].iter().all(|(a, b)| dot(*a, *b).abs() <= ANGLE_TOLERANCE * s * s);
    let right_handed = dot(cross3(c0, c1), c2) > 0.0;
    if !(uniform && square && right_handed) {
        return None;
    }
    let x = normalised(c0)?;
    let z = normalised(cross3(c0, c1))?;
    let y = cross3(z, x);
    let k = s * length_scale;
    // Dimensions past the same bound as the origin become infinite, which `positive` refuses.
    let f = |v: f64| {
        let m = v * k;
        if m.abs() < MAX_ORIGIN_M {
            m as f32
        } else {
            f32::INFINITY
        }
    };
    let shape = match local.shape {
        LocalShape::Cuboid { half } => SolidShape::Cuboid { half_extents_m: half.map(f) },
        LocalShape::Cylinder { radius, half_length } => {
            SolidShape::Cylinder { radius_m: f(radius), half_length_m: f(half_length) }
        }
        LocalShape::Tube { outer, inner, half_length } => SolidShape::Tube {
            outer_radius_m: f(outer),
            inner_radius_m: f(inner),
            half_length_m: f(half_length),
        },
        LocalShape::Prism { profile, extrusion } => SolidShape::Prism {
            profile_m: profile.iter().map(|p| p.map(f)).collect(),
            extrusion_m: extrusion.map(f),
        },
    };
    let origin_m = [m[(0, 3)] * length_scale, m[(1, 3)] * length_scale, m[(2, 3)] * length_scale];
    let fine = |v: &f32| v.is_finite();
    let positive = match &shape {
        SolidShape::Cuboid { half_extents_m: h } => h.iter().all(|v| *v > 0.0 && fine(v)),
        SolidShape::Cylinder { radius_m, half_length_m } => {
            *radius_m > 0.0 && *half_length_m > 0.0 && fine(radius_m) && fine(half_length_m)
        }
        SolidShape::Tube { outer_radius_m, inner_radius_m, half_length_m } => {
            *inner_radius_m > 0.0
                && outer_radius_m > inner_radius_m
                && *half_length_m > 0.0
                && fine(outer_radius_m)
                && fine(half_length_m)
        }
        SolidShape::Prism { profile_m, extrusion_m } => {
            profile_m.len() >= 3
                && extrusion_m[2] > 0.0
                && profile_m.iter().flatten().chain(extrusion_m).all(fine)
        }
    };
    let near = origin_m.iter().all(|v| v.abs() < MAX_ORIGIN_M);
    (positive && near)
        .then(|| Solid { frame: Placement { origin_m, axes: [x, y, z].map(|a| a.map(|v| v as f32)) }, shape })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(points: &[[f64; 2]]) -> Vec<AnalyticCurveSegment> {
        (0..points.len())
            .map(|i| {
                let (a, b) = (points[i], points[(i + 1) % points.len()]);
                AnalyticCurveSegment::Line { start: [a[0], a[1], 0.0], end: [b[0], b[1], 0.0] }
            })
            .collect()
    }

    #[test]
    fn outlines_lose_repeated_and_collinear_points_and_turn_counter_clockwise() {
        let square = lines(&[[0.0, 0.0], [0.0, 1.0], [0.0, 2.0], [2.0, 2.0], [2.0, 0.0], [2.0, 0.0]]);
        let p = polygon(&square).expect("a polygon");
        assert_eq!(p.len(), 4);
        assert!(strictly_convex(&p));
        let l = lines(&[[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]]);
        assert!(!strictly_convex(&polygon(&l).expect("a polygon")));
        let star: Vec<[f64; 2]> = (0..5)
            .map(|i| {
                let a = std::f64::consts::TAU * f64::from(i * 2) / 5.0;
                [a.cos(), a.sin()]
            })
            .collect();
        assert!(!strictly_convex(&polygon(&lines(&star)).expect("a polygon")));
    }

    /// Regression: once loads stopped tessellating elements with solids, the load's progress
    /// (ifc-lite's counts alone) sat at 0 % while the solids were read, most of the load.
    #[test]
    fn each_solid_read_counts_one_product_meshed() {
        let path = plumbline_testkit::sample_model("datacenter-hall.ifc");
        let bytes = std::fs::read(&path).expect("the sample");
        let header = crate::read::check_header(&path, &bytes).expect("an IFC file");
        let scan = crate::semantics::scan(&bytes, header.family);
        let voided = voided_hosts(&bytes, &scan.index, &scan.jobs);
        let progress = LoadProgress::default();
        progress.set(0, 1000);
        let found =
            solids(&Decoders::new(&bytes, &scan.index), &scan.jobs, &voided, |_| true, Some(&progress));
        assert!(found.len() > 100, "{}", found.len());
        assert!((progress.fraction() - found.len() as f32 / 1000.0).abs() < 1e-6, "{}", progress.fraction());
    }

    #[test]
    fn mirrors_and_shears_give_no_solid() {
        let local = Local { frame: Matrix4::identity(), shape: LocalShape::Cuboid { half: [1.0, 1.0, 1.0] } };
        let mirror = Matrix4::new_nonuniform_scaling(&[-1.0, 1.0, 1.0].into());
        assert!(to_world(local.clone(), &mirror, 1.0).is_none());
        let mut shear = Matrix4::identity();
        shear[(0, 1)] = 0.1;
        assert!(to_world(local.clone(), &shear, 1.0).is_none());
        let scaled = to_world(local, &Matrix4::new_scaling(2.0), 0.001).expect("a uniform scale");
        assert_eq!(scaled.shape, SolidShape::Cuboid { half_extents_m: [0.002; 3] });
    }
}
