//! Clash detection: hard, clearance and duplicate tests between sets of elements.
//!
//! **Architecture invariant:** this crate depends on the shared model types only — not on
//! ifc-lite, not on any renderer. Its inputs are [`plumbline_model::ModelSet`]s and element
//! references; its outputs are plain [`Clash`] records, sorted.
//!
//! # Semantics
//!
//! - **Hard** (`tolerance_m`, default 0.002): reported when the solids overlap by more than the
//!   tolerance. Touching (faces, edges or vertices in contact) or overlapping by less than the
//!   tolerance is not a clash. One solid wholly inside the other (containment, no triangles
//!   crossing) is a clash. Face-aligned overlaps are clashes. The reported distance is the
//!   penetration depth:
//!   - for two convex solids, the **minimum translation distance** (the shortest move of one
//!     solid that separates them), exact, computed by EPA on the elements' convex hulls;
//!   - for any other pair, an **estimate**: the largest of (a) the depth of the deepest sampled
//!     surface point of either solid inside the other, measured to the other's surface (samples:
//!     corners, edge midpoints, centroids and centroid-to-corner midpoints of the triangles that
//!     reach into the boxes' overlap), and (b) twice the largest distance, over a 5×5×5 grid of
//!     points of the boxes' overlap lying inside both solids, from such a point to the nearer
//!     surface, and (c) the longest stretch of an edge of either solid that passes through the
//!     other with both ends outside (a pipe through a wall gives the wall's thickness, as
//!     IfcClash's "pierce" does); capped by the shortest single-axis move that separates the two boxes (an upper
//!     bound of the true minimum translation distance). The estimate is exact for face-aligned
//!     overlaps and for protrusions through a face, never exceeds the bound, and is tested
//!     against known depths for L-shapes, crossings and containment.
//! - **Clearance** (`clearance_m`): reported when the minimum distance between the solids is
//!   below the clearance. Pairs that also overlap by more than the hard tolerance are reported
//!   with `hard: true` and a negative distance (minus the penetration depth); touching pairs have
//!   distance 0.
//! - **Zone** (`zone`, `clearance_m`, `tolerance_m`, optional least width and height): a
//!   clearance box on one side of each A element ([`Zone`]: above or below its footprint, or on
//!   its front or back face, the front being local +Y of its placement), upright, turned to the
//!   placement's heading. A B element is reported (as [`ClashKind::Clearance`], A staying on
//!   side A) when its solid enters a zone by more than the tolerance (penetration depth, as for
//!   hard clashes); the distance is the gap between A and B (exact for convex pairs), 0 when
//!   they touch, minus the penetration depth when they overlap by more than the tolerance.
//! - **Duplicate** (`tolerance_m`): same IFC class and coincident geometry: the boxes agree within
//!   the tolerance and every vertex of each solid lies within the tolerance of the other's
//!   surface.
//!
//! Elements never clash with themselves, and a caller-supplied ignore predicate removes pairs
//! before any geometry is computed. [`Ignore`] builds the default one from the model's
//! relations ([`IgnoreRules`], each switchable): a filling and its host, an element meeting
//! another only inside one of its openings, parts of one assembly, elements joined by ports,
//! and the same GlobalId in two files.
//!
//! # Open meshes
//! Inside/outside needs a closed, consistently oriented mesh. For an open or non-manifold mesh,
//! containment is a vote of three rays in skewed directions (inside when at least two cross the
//! surface an odd number of times), so a solid missing a face or with a flipped triangle still
//! behaves like the solid it nearly bounds. Such meshes never take the exact convex path.
//!
//! # Engine
//! Broad phase: an `rstar` R-tree bulk-loaded with the B elements' boxes inflated by the
//! clearance, queried with each A box (A×A keeps each unordered pair once). Narrow phase: one
//! parry3d shape per element ([`ElementShape`]: a BVH'd `TriMesh` and, for convex elements, a
//! convex hull) built once per run and shared by every test; elements identical in their own
//! frames (repeated pipe lengths, racks) share one solid ([`LocalSolid`]), which gives the
//! same answers as solids of their own (a test). Candidate pairs run in parallel on
//! rayon; the results are sorted, so they are identical for any thread count.

mod broad;
mod id;
mod ignore;
mod narrow;
mod shape;
mod zone;

pub use ignore::{Ignore, IgnoreRules};
pub use narrow::{coincident, depth_upper_bound, distance, overlap, Overlap, BOX_ROUNDING_M, PRUNE_MARGIN_M};
pub use shape::{ElementShape, LocalSolid};
pub use zone::{Zone, ZoneSize};

use plumbline_model::{Aabb, ElementRef, Mesh, ModelSet};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Default hard-clash tolerance: 2 mm.
pub const DEFAULT_TOLERANCE_M: f64 = 0.002;

/// What a test looks for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    Hard {
        tolerance_m: f64,
    },
    Clearance {
        clearance_m: f64,
        tolerance_m: f64,
    },
    Duplicate {
        tolerance_m: f64,
    },
    /// A clearance zone on one side of each A element (see [`Zone`]): B elements whose solid
    /// enters the zone by more than `tolerance_m` are reported as [`ClashKind::Clearance`].
    Zone {
        zone: Zone,
        size: ZoneSize,
        tolerance_m: f64,
    },
    /// A hard test whose pairs the caller restricts, through the ignore predicate, to a
    /// temporary and a permanent element that stand on a common day of the 4D schedule; its
    /// overlaps are reported as [`ClashKind::Time`].
    Time {
        tolerance_m: f64,
    },
}

impl Mode {
    /// What the test reports: a zone test is a clearance test, a time test reports time
    /// clashes. Reports, rule files and the command line name modes by it.
    pub fn kind(&self) -> ClashKind {
        match self {
            Mode::Hard { .. } => ClashKind::Hard,
            Mode::Clearance { .. } | Mode::Zone { .. } => ClashKind::Clearance,
            Mode::Duplicate { .. } => ClashKind::Duplicate,
            Mode::Time { .. } => ClashKind::Time,
        }
    }

    pub fn tolerance_m(&self) -> f64 {
        match *self {
            Mode::Hard { tolerance_m }
            | Mode::Time { tolerance_m }
            | Mode::Clearance { tolerance_m, .. }
            | Mode::Duplicate { tolerance_m }
            | Mode::Zone { tolerance_m, .. } => tolerance_m,
        }
    }

    pub fn clearance_m(&self) -> f64 {
        match *self {
            Mode::Clearance { clearance_m, .. } => clearance_m,
            Mode::Zone { size, .. } => size.clearance_m,
            _ => 0.0,
        }
    }

    /// The zone of a zone test, if it is one.
    pub fn zone(&self) -> Option<Zone> {
        match *self {
            Mode::Zone { zone, .. } => Some(zone),
            _ => None,
        }
    }
}

/// The kind of a reported clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClashKind {
    Hard,
    Clearance,
    Duplicate,
    /// A hard overlap between two elements that exist at the same time in the 4D schedule (a
    /// temporary work against a permanent element). The engine never produces it by itself: a
    /// caller that knows the schedule relabels the hard clashes whose elements coexist.
    Time,
}

impl ClashKind {
    pub const ALL: [ClashKind; 4] =
        [ClashKind::Hard, ClashKind::Clearance, ClashKind::Duplicate, ClashKind::Time];

    /// `hard`, `clearance`, `duplicate` or `time`: the name reports, rule files and the
    /// command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            ClashKind::Hard => "hard",
            ClashKind::Clearance => "clearance",
            ClashKind::Duplicate => "duplicate",
            ClashKind::Time => "time",
        }
    }

    /// Parses a name written by [`ClashKind::as_str`], case-insensitively.
    pub fn parse(text: &str) -> Option<ClashKind> {
        let text = text.trim();
        ClashKind::ALL.into_iter().find(|k| text.eq_ignore_ascii_case(k.as_str()))
    }
}

/// One clash between two elements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clash {
    /// Stable id: the same test and the same pair of GlobalIds give the same id in every run.
    pub id: String,
    pub kind: ClashKind,
    /// Hard: penetration depth (positive). Clearance: the gap, or minus the depth when the
    /// solids overlap by more than the tolerance. Duplicate: 0.
    pub distance_m: f64,
    /// Whether the solids overlap by more than the hard tolerance (always for hard clashes).
    pub hard: bool,
    /// Whether `distance_m` is exact (convex pair) rather than the documented estimate.
    pub exact: bool,
    /// Where a reviewer should look, world coordinates in metres.
    pub point: [f64; 3],
    /// The overlap of the two elements' boxes (for clearance, of the boxes grown by half the
    /// clearance each).
    pub overlap_aabb: Aabb,
    pub a: ElementRef,
    pub b: ElementRef,
}

/// One test: two sets (or one set against itself) and a mode.
#[derive(Debug, Clone)]
pub struct Test {
    pub name: String,
    pub mode: Mode,
    pub a: Vec<ElementRef>,
    /// `None`: A is tested against itself, each unordered pair once.
    pub b: Option<Vec<ElementRef>>,
}

/// What a test found.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// Elements of A (and B) that have geometry and took part.
    pub elements_a: usize,
    pub elements_b: usize,
    /// Pairs the broad phase passed to the narrow phase (after the ignore predicate).
    pub candidate_pairs: usize,
    /// Sorted by (A GlobalId, B GlobalId).
    pub clashes: Vec<Clash>,
    /// Seconds spent in the broad phase (R-tree build and queries).
    pub broad_secs: f64,
    /// Seconds spent in the narrow phase, shape building included.
    pub narrow_secs: f64,
}

/// The collision shapes of every element of a model set, built on first use and shared by all
/// tests of a run. Elements whose meshes are identical in their own frames (bit for bit: the
/// same pipe length or rack repeated along a run) share one solid, built once: every local
/// query then gives the same answer it would on a solid of their own.
#[derive(Debug)]
pub struct Shapes<'a> {
    set: &'a ModelSet,
    files: Vec<Vec<OnceLock<Option<ElementShape>>>>,
    /// Solids built so far, by [`shape::local_geometry_hash`], with the mesh each was built from.
    solids: Mutex<SolidsByHash<'a>>,
}

/// Solids by the hash of their local geometry; a hash can stand for several meshes.
type SolidsByHash<'a> = HashMap<u64, Vec<(&'a Mesh, Arc<LocalSolid>)>>;

impl<'a> Shapes<'a> {
    pub fn new(set: &'a ModelSet) -> Self {
        let files =
            set.models.iter().map(|m| (0..m.elements.len()).map(|_| OnceLock::new()).collect()).collect();
        Shapes { set, files, solids: Mutex::new(HashMap::new()) }
    }

    /// The shape of an element, built on first use; `None` for elements without geometry.
    pub fn get(&self, r: ElementRef) -> Option<&ElementShape> {
        self.files[r.file as usize][r.element as usize]
            .get_or_init(|| self.set.element(r).mesh.as_ref().map(|mesh| self.shape_of(mesh)))
            .as_ref()
    }

    fn shape_of(&self, mesh: &'a Mesh) -> ElementShape {
        let key = shape::local_geometry_hash(mesh);
        let known = |solids: &SolidsByHash<'a>| {
            solids
                .get(&key)?
                .iter()
                .find(|(m, _)| shape::same_local_geometry(m, mesh))
                .map(|(_, s)| s.clone())
        };
        // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
        if let Some(solid) = known(&self.solids.lock().unwrap_or_else(|e| e.into_inner())) {
            return ElementShape::placed(mesh, solid);
        }
        // Built outside the lock, so threads build different solids side by side. Two threads
        // building the same one make the same solid (the build is deterministic); the first
        // one in is kept.
        let built = ElementShape::new(mesh);
        let mut solids = self.solids.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(solid) = known(&solids) {
            return ElementShape::placed(mesh, solid);
        }
        solids.entry(key).or_default().push((mesh, built.solid.clone()));
        built
    }

    pub fn set(&self) -> &'a ModelSet {
        self.set
    }
}

/// Runs one test. `ignore(a, b)` returning true removes a pair before any geometry is computed.
pub fn run_test(
    shapes: &Shapes<'_>,
    test: &Test,
    ignore: &(dyn Fn(ElementRef, ElementRef) -> bool + Sync),
) -> TestResult {
    let set = shapes.set();
    let with_geometry = |refs: &[ElementRef]| -> Vec<ElementRef> {
        refs.iter().copied().filter(|&r| set.element(r).mesh.is_some()).collect()
    };
    let a = with_geometry(&test.a);
    let b = test.b.as_deref().map(with_geometry);
    if let Mode::Zone { zone, size, tolerance_m } = test.mode {
        return zone_test(shapes, test, &a, b.as_deref(), zone, &size, tolerance_m, ignore);
    }
    let margin_m = test.mode.clearance_m().max(test.mode.tolerance_m());
    let aabb = |r: ElementRef| set.element(r).aabb().unwrap_or(Aabb::EMPTY);
    let t_broad = std::time::Instant::now();
    let candidates: Vec<(ElementRef, ElementRef)> = match &b {
        Some(b) => broad::pairs_between(&a, b, &aabb, margin_m),
        None => broad::pairs_within(&a, &aabb, margin_m),
    }
    .into_iter()
    .filter(|&(x, y)| x != y && !ignore(x, y))
    .collect();

    let broad_secs = t_broad.elapsed().as_secs_f64();
    let t_narrow = std::time::Instant::now();
    let mut clashes: Vec<Clash> =
        candidates.par_iter().filter_map(|&(x, y)| narrow_pair(shapes, test, x, y)).collect();
    sort_clashes(set, &mut clashes);
    TestResult {
        broad_secs,
        narrow_secs: t_narrow.elapsed().as_secs_f64(),
        elements_a: a.len(),
        elements_b: b.as_ref().map_or(a.len(), Vec::len),
        candidate_pairs: candidates.len(),
        clashes,
    }
}

/// Sorts clashes by (A GlobalId, B GlobalId), then by reference for the same GlobalId in two
/// files: the order every result promises whatever the thread count.
fn sort_clashes(set: &ModelSet, clashes: &mut [Clash]) {
    clashes.sort_by(|p, q| {
        let key =
            |c: &Clash| (set.element(c.a).global_id.as_str(), set.element(c.b).global_id.as_str(), c.a, c.b);
        key(p).cmp(&key(q))
    });
}

/// A zone test: the zones of every A element, an R-tree of the B elements queried with the
/// zones' boxes, and for each candidate the penetration of B into a zone. Unlike the other
/// modes the pair keeps its sides: the zone belongs to A.
#[allow(clippy::too_many_arguments, reason = "the unpacked zone mode and the test's two sides")]
fn zone_test(
    shapes: &Shapes<'_>,
    test: &Test,
    a: &[ElementRef],
    b: Option<&[ElementRef]>,
    zone: Zone,
    size: &ZoneSize,
    tolerance_m: f64,
    ignore: &(dyn Fn(ElementRef, ElementRef) -> bool + Sync),
) -> TestResult {
    let set = shapes.set();
    let b = b.unwrap_or(a);
    let t_broad = std::time::Instant::now();
    let zones: Vec<(ElementRef, Vec<ElementShape>)> =
        a.par_iter().map(|&r| (r, zone::zone_shapes(set.element(r), zone, size))).collect();
    let queries: Vec<(ElementRef, Aabb)> =
        zones.iter().filter_map(|(r, z)| zone::zones_aabb(z).map(|bx| (*r, bx))).collect();
    let aabb = |r: ElementRef| set.element(r).aabb().unwrap_or(Aabb::EMPTY);
    let candidates: Vec<(usize, ElementRef)> = broad::boxes_against(&queries, b, &aabb)
        .into_iter()
        .filter(|&(i, y)| queries[i].0 != y && !ignore(queries[i].0, y))
        .collect();
    let broad_secs = t_broad.elapsed().as_secs_f64();
    let t_narrow = std::time::Instant::now();
    let zone_of: std::collections::HashMap<ElementRef, &[ElementShape]> =
        zones.iter().map(|(r, z)| (*r, z.as_slice())).collect();
    let mut clashes: Vec<Clash> = candidates
        .par_iter()
        .filter_map(|&(i, y)| {
            let x = queries[i].0;
            zone_pair(shapes, test, x, y, zone_of.get(&x).copied().unwrap_or(&[]), size, tolerance_m)
        })
        .collect();
    sort_clashes(set, &mut clashes);
    TestResult {
        broad_secs,
        narrow_secs: t_narrow.elapsed().as_secs_f64(),
        elements_a: a.len(),
        elements_b: b.len(),
        candidate_pairs: candidates.len(),
        clashes,
    }
}

/// One A element's zones against one B element.
fn zone_pair(
    shapes: &Shapes<'_>,
    test: &Test,
    a: ElementRef,
    b: ElementRef,
    zones: &[ElementShape],
    size: &ZoneSize,
    tolerance_m: f64,
) -> Option<Clash> {
    let set = shapes.set();
    let box_b = set.element(b).aabb()?;
    // The zone B enters deepest; box-level rejections first.
    let entered = zones
        .iter()
        .filter(|z| depth_upper_bound(&z.aabb, &box_b) > tolerance_m)
        .filter_map(|z| {
            let sb = shapes.get(b)?;
            overlap(z, sb).filter(|o| o.depth_m > tolerance_m).map(|o| (z, o))
        })
        .max_by(|p, q| p.1.depth_m.total_cmp(&q.1.depth_m))?;
    let (zone_shape, _) = entered;
    let (sa, sb) = (shapes.get(a)?, shapes.get(b)?);
    // The gap between the two solids; a zone reaches at most its clearance plus its widening
    // from A, so that bounds the search.
    let reach = size.clearance_m + size.min_width_m + size.min_height_m + 1.0;
    let (gap, gap_point) = distance(sa, sb, reach)?;
    let exact = sa.convex.is_some() && sb.convex.is_some();
    let overlap_aabb = zone_shape.aabb.intersection(&sb.aabb).unwrap_or(zone_shape.aabb);
    let (ga, gb) = (&set.element(a).global_id, &set.element(b).global_id);
    let mut clash = Clash {
        id: id::clash_id(&test.name, ga, gb),
        kind: ClashKind::Clearance,
        distance_m: gap,
        hard: false,
        exact,
        point: if gap > 0.0 { overlap_aabb.center() } else { gap_point },
        overlap_aabb,
        a,
        b,
    };
    // Touching A is a gap of 0; overlapping A by more than the tolerance is reported as in a
    // clearance test, minus the penetration depth.
    if gap <= 0.0 {
        if let Some(o) = overlap(sa, sb).filter(|o| o.depth_m > tolerance_m) {
            clash.distance_m = -o.depth_m;
            clash.hard = true;
            clash.exact = o.exact;
            clash.point = o.point;
        }
    }
    Some(clash)
}

/// The narrow phase for one candidate pair, with A and B in a canonical order (by GlobalId) so
/// that the result does not depend on which side an element came from.
fn narrow_pair(shapes: &Shapes<'_>, test: &Test, x: ElementRef, y: ElementRef) -> Option<Clash> {
    let set = shapes.set();
    let (ea, eb) = (set.element(x), set.element(y));
    let (a, b) = if (&ea.global_id, x) <= (&eb.global_id, y) { (x, y) } else { (y, x) };
    // Box-level rejections first, so that shapes are only built for pairs that need them.
    let (box_a, box_b) = (set.element(a).aabb()?, set.element(b).aabb()?);
    match test.mode {
        // Zone tests never reach the symmetric narrow phase.
        Mode::Zone { .. } => return None,
        Mode::Hard { tolerance_m } | Mode::Time { tolerance_m }
            if depth_upper_bound(&box_a, &box_b) <= tolerance_m =>
        {
            return None
        }
        Mode::Duplicate { tolerance_m } if box_a.max_side_difference(&box_b) > tolerance_m => return None,
        _ => {}
    }
    let (sa, sb) = (shapes.get(a)?, shapes.get(b)?);
    let (ga, gb) = (&set.element(a).global_id, &set.element(b).global_id);
    let id = || id::clash_id(&test.name, ga, gb);
    let box_overlap = |grow_m: f64| sa.aabb.inflated(grow_m).intersection(&sb.aabb.inflated(grow_m));
    match test.mode {
        Mode::Hard { tolerance_m } | Mode::Time { tolerance_m } => {
            let o = overlap(sa, sb)?;
            (o.depth_m > tolerance_m).then(|| Clash {
                id: id(),
                kind: test.mode.kind(),
                distance_m: o.depth_m,
                hard: true,
                exact: o.exact,
                point: o.point,
                overlap_aabb: box_overlap(0.0).unwrap_or(sa.aabb),
                a,
                b,
            })
        }
        Mode::Clearance { clearance_m, tolerance_m } => {
            let overlap_box = box_overlap(0.5 * clearance_m)?;
            let shallow =
                if depth_upper_bound(&sa.aabb, &sb.aabb) > tolerance_m { overlap(sa, sb) } else { None };
            if let Some(o) = &shallow {
                if o.depth_m > tolerance_m {
                    return Some(Clash {
                        id: id(),
                        kind: ClashKind::Clearance,
                        distance_m: -o.depth_m,
                        hard: true,
                        exact: o.exact,
                        point: o.point,
                        overlap_aabb: overlap_box,
                        a,
                        b,
                    });
                }
            }
            let (d, point) = distance(sa, sb, clearance_m)?;
            // Touching, or overlapping within the tolerance: look where they meet, which the
            // shallow overlap's deepest point marks when there is one.
            let point = match (d, shallow) {
                (0.0, Some(o)) => o.point,
                (0.0, None) => narrow::contact_point(sa, sb, point),
                _ => point,
            };
            let exact = sa.convex.is_some() && sb.convex.is_some();
            (d < clearance_m).then(|| Clash {
                id: id(),
                kind: ClashKind::Clearance,
                distance_m: d,
                hard: false,
                exact,
                point,
                overlap_aabb: overlap_box,
                a,
                b,
            })
        }
        Mode::Zone { .. } => None,
        Mode::Duplicate { tolerance_m } => {
            let same_class = set.element(a).class == set.element(b).class;
            (same_class && coincident(sa, sb, tolerance_m)).then(|| Clash {
                id: id(),
                kind: ClashKind::Duplicate,
                distance_m: 0.0,
                hard: false,
                exact: true,
                point: sa.aabb.center(),
                overlap_aabb: box_overlap(0.0).unwrap_or(sa.aabb),
                a,
                b,
            })
        }
    }
}
