//! Clearance zones: a box on one side of an element (above, below, in front, behind) that must
//! stay free of other solids, as building codes define working and access space.
//!
//! A zone is a prism standing upright: its vertical axis is the world's (gravity decides what
//! is above and below), and its horizontal axes follow the heading of the element's placement,
//! so that the front of a turned switchboard is its own front. In that frame the zone takes the
//! element's extent (the box of its mesh in the frame) on the two axes across the zone, and the
//! clearance on the third.

use crate::shape::ElementShape;
use plumbline_model::{Aabb, Element, Mesh, Placement};
use serde::Serialize;

/// Where a zone lies relative to its element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// On top of the element: its footprint, `clearance_m` high.
    Above,
    /// Under the element: its footprint, `clearance_m` deep.
    Below,
    /// On the element's front face (local +Y of its placement): its width and height,
    /// `clearance_m` deep.
    Front,
    /// On its front and back faces, as [`Zone::Front`].
    #[serde(alias = "front-and-back")]
    FrontAndBack,
    /// The sweep of a door leaf: on the element's front face, its width and height, as deep
    /// as the element is wide (a leaf as wide as the door turning through 90 degrees about
    /// either jamb stays within that square), plus `clearance_m`. The front is the side the
    /// leaf opens to, local +Y of the door's placement.
    Swing,
    /// Beside and below the element (NFPA 13's obstruction rule for sprinklers): from the
    /// element's bottom down `clearance_m`, its footprint grown on every side by
    /// `beside_factor` times the width of the B element being tested (the smaller side of
    /// its box in plan), at most `beside_max_m`. The zone's size depends on B.
    Beside,
}

impl Zone {
    pub fn name(self) -> &'static str {
        match self {
            Zone::Above => "above",
            Zone::Below => "below",
            Zone::Front => "front",
            Zone::FrontAndBack => "front_and_back",
            Zone::Swing => "swing",
            Zone::Beside => "beside",
        }
    }

    /// Parses `above`, `below`, `front`, `front_and_back` (also with `-`).
    pub fn parse(text: &str) -> Option<Zone> {
        Some(match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "above" => Zone::Above,
            "below" => Zone::Below,
            "front" => Zone::Front,
            "front_and_back" => Zone::FrontAndBack,
            "swing" => Zone::Swing,
            "beside" => Zone::Beside,
            _ => return None,
        })
    }
}

/// The size of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ZoneSize {
    /// Depth of the zone away from the element's face, metres.
    pub clearance_m: f64,
    /// Front and back zones: the least width, centred on the element (NEC 110.26(A)(2): 762 mm
    /// or the width of the equipment, whichever is greater). 0 for none.
    pub min_width_m: f64,
    /// Front and back zones: the least height, measured from the bottom of the element (NEC
    /// 110.26(A)(3): 1981 mm from the floor or platform). 0 for none.
    pub min_height_m: f64,
    /// [`Zone::Beside`]: how many times B's width the zone reaches beside the element (NFPA
    /// 13: 3). 0 for other zones.
    pub beside_factor: f64,
    /// [`Zone::Beside`]: the furthest the zone reaches beside the element (NFPA 13: 610 mm,
    /// 24 in). 0 for other zones.
    pub beside_max_m: f64,
}

/// The upright frame of an element's zones: unit `x` (across), `y` (the front) and world up,
/// as horizontal directions `(x, y)`.
fn heading(placement: Option<&Placement>) -> ([f64; 2], [f64; 2]) {
    let horizontal = |v: [f64; 3]| {
        let len = (v[0] * v[0] + v[1] * v[1]).sqrt();
        (len > 1e-3).then(|| [v[0] / len, v[1] / len])
    };
    // Local +Y is the front; an element placed with its Y axis vertical (a tray extruded along
    // its run) still has a heading through its X axis, which lies 90 degrees clockwise of Y.
    let front = placement
        .and_then(|p| horizontal(p.axis(1)).or_else(|| horizontal(p.axis(0)).map(|x| [-x[1], x[0]])))
        .unwrap_or([0.0, 1.0]);
    ([front[1], -front[0]], front)
}

/// An upright frame `(x, y)` (horizontal unit vectors) and an element's box `lo..hi` in it.
type FrameBox = ([f64; 2], [f64; 2], [f64; 3], [f64; 3]);

/// The element's box in the upright frame of its zones (`x`, `y` and up), relative to its
/// mesh origin; `None` without a mesh.
fn frame_box(element: &Element) -> Option<FrameBox> {
    let mesh = element.mesh.as_ref()?;
    let (x, y) = heading(element.placement.as_ref());
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for t in &mesh.triangles {
        for &i in t {
            let v = mesh.vertices[i as usize].map(f64::from);
            let l = [v[0] * x[0] + v[1] * x[1], v[0] * y[0] + v[1] * y[1], v[2]];
            for k in 0..3 {
                lo[k] = lo[k].min(l[k]);
                hi[k] = hi[k].max(l[k]);
            }
        }
    }
    (lo[0] <= hi[0]).then_some((x, y, lo, hi))
}

/// How deep a [`Zone::Swing`] reaches from the element's front face: its width across, plus
/// the clearance.
pub(crate) fn swing_depth(element: &Element, size: &ZoneSize) -> f64 {
    frame_box(element).map_or(0.0, |(_, _, lo, hi)| hi[0] - lo[0]) + size.clearance_m
}

/// The zones of one element, as closed convex shapes sharing the element's mesh origin;
/// `beside_m` is how far a [`Zone::Beside`] reaches beside it.
pub(crate) fn zone_shapes(
    element: &Element,
    zone: Zone,
    size: &ZoneSize,
    beside_m: f64,
) -> Vec<ElementShape> {
    shapes_of(&zone_meshes(element, zone, size, beside_m))
}

/// The clash shapes of zone boxes.
pub(crate) fn shapes_of(zones: &[Mesh]) -> Vec<ElementShape> {
    zones.iter().map(|z| ElementShape::new(z, None)).collect()
}

/// The zones of one element as box meshes, as [`zone_shapes`] makes them: cheap, where their
/// shapes are not (the broad phase needs only their boxes).
pub(crate) fn zone_meshes(element: &Element, zone: Zone, size: &ZoneSize, beside_m: f64) -> Vec<Mesh> {
    let Some(mesh) = &element.mesh else { return Vec::new() };
    let Some((x, y, lo, hi)) = frame_box(element) else { return Vec::new() };
    let o = mesh.origin_m;
    let c = size.clearance_m;
    let widen = |lo: &mut [f64; 3], hi: &mut [f64; 3]| {
        let extra = size.min_width_m - (hi[0] - lo[0]);
        if extra > 0.0 {
            lo[0] -= 0.5 * extra;
            hi[0] += 0.5 * extra;
        }
        hi[2] = hi[2].max(lo[2] + size.min_height_m);
    };
    let mut boxes = Vec::new();
    match zone {
        Zone::Above => boxes.push(([lo[0], lo[1], hi[2]], [hi[0], hi[1], hi[2] + c])),
        Zone::Below => boxes.push(([lo[0], lo[1], lo[2] - c], [hi[0], hi[1], lo[2]])),
        Zone::Front | Zone::FrontAndBack => {
            let (mut zlo, mut zhi) = (lo, hi);
            widen(&mut zlo, &mut zhi);
            boxes.push(([zlo[0], hi[1], zlo[2]], [zhi[0], hi[1] + c, zhi[2]]));
            if zone == Zone::FrontAndBack {
                boxes.push(([zlo[0], lo[1] - c, zlo[2]], [zhi[0], lo[1], zhi[2]]));
            }
        }
        Zone::Swing => boxes.push(([lo[0], hi[1], lo[2]], [hi[0], hi[1] + (hi[0] - lo[0]) + c, hi[2]])),
        Zone::Beside => boxes.push((
            [lo[0] - beside_m, lo[1] - beside_m, lo[2] - c],
            [hi[0] + beside_m, hi[1] + beside_m, lo[2]],
        )),
    }
    boxes
        .into_iter()
        .filter(|(a, b)| (0..3).all(|k| b[k] > a[k]))
        .map(|(a, b)| oriented_box(o, x, y, a, b))
        .collect()
}

/// A closed, outward-facing box mesh: `lo`..`hi` in the upright frame `(x, y, up)` whose origin
/// is the world point `origin_m`.
fn oriented_box(origin_m: [f64; 3], x: [f64; 2], y: [f64; 2], lo: [f64; 3], hi: [f64; 3]) -> Mesh {
    let corner = |i: usize| {
        let (u, v, w) = (
            if i & 1 == 0 { lo[0] } else { hi[0] },
            if i & 2 == 0 { lo[1] } else { hi[1] },
            if i & 4 == 0 { lo[2] } else { hi[2] },
        );
        [(u * x[0] + v * y[0]) as f32, (u * x[1] + v * y[1]) as f32, w as f32]
    };
    // The frame (x, y, up) is right-handed, so the box's triangles face outward.
    Mesh::cuboid_from_corners(origin_m, std::array::from_fn(corner))
}

/// The world box of a set of zone boxes (a zone box's shape has its mesh's box).
pub(crate) fn zones_aabb(boxes: impl IntoIterator<Item = Aabb>) -> Option<Aabb> {
    boxes.into_iter().reduce(|a, b| a.union(&b))
}
