//! Clash detection: hard, clearance, duplicate and reach-range tests between sets of elements.
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
//! - **Reach** (`min_m`, `max_m`, `tolerance_m`): the height of each A element's operable part
//!   ([`PairRules::operable_height_m`] above its base, else its top) above its floor (the B
//!   element under its footprint with the highest top at or below its base), reported as
//!   [`ClashKind::Clearance`] when outside the range by more than the tolerance, the distance
//!   being how far outside and [`ClashBasis::required_m`] the limit crossed (see [`Mode::Reach`]).
//!
//! A test reports a pair of elements at most once, also when its A and B selections share
//! elements (racks against racks, all pipes against one system's pipes) and the pair is met
//! from both sides: for a zone test, when each element stands in the other's zone, the record
//! with the smaller distance is kept, then the one whose A element's GlobalId sorts first.
//!
//! Elements never clash with themselves, and a caller-supplied ignore predicate removes pairs
//! before any geometry is computed. [`Ignore`] builds the default one from the model's
//! relations ([`IgnoreRules`], each switchable): a filling and its host, an element meeting
//! another only inside one of its openings, parts of one assembly, elements joined by ports,
//! and the same GlobalId in two files.
//!
//! # Exact solids
//! An element whose body is one extrusion of a rectangle, circle, hollow circle or convex
//! polygon, or one disk swept along a straight segment, carries a [`plumbline_model::Solid`]
//! from the loader, and the narrow phase measures that solid instead of its triangles (which
//! only give surface samples): boxes and prisms through their planes, bars and pipes in
//! closed form (a point's distance from the axis and along it). Pairs of such convex solids
//! get the exact depth and distance: EPA's and GJK's answers, which stop within their
//! tolerances (millimetres on round solids), are replaced. The depth is the least overlap over
//! the directions where it can lie (every direction's overlap bounds it from above): the
//! separating axes of two polyhedra; for a cylinder, its axis, the other's face normals and the
//! minima along the great circles square to each axis and edge direction, and two rims against
//! each other (`exact::round_depth`); a direction search only for hulls too large for these. The
//! distance comes from measuring polytopes triangle to triangle and round solids by alternating
//! projections (a gap between two points of the solids that only shrinks towards the
//! distance); property tests hold them to independent searches within 0.1 mm. A pipe (a
//! cylinder minus its bore) is measured as its outer cylinder against a convex solid too wide
//! for its bore, unless the solids meet in the bore's mouth (a solid entering an open end);
//! otherwise, and against non-convex meshes, the estimate below runs with the pipe's exact
//! containment. The element's box is the exact solid's, so the broad phase never misses a
//! pair by a round solid's chord deviation.
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
mod exact;
mod id;
mod ignore;
mod narrow;
mod pair;
mod reach;
mod shape;
pub mod volume;
mod zone;

pub use ignore::{Ignore, IgnoreRules};
pub use narrow::{coincident, depth_upper_bound, distance, overlap, Overlap, BOX_ROUNDING_M, PRUNE_MARGIN_M};
pub use shape::{ElementShape, LocalSolid};
pub use zone::{Zone, ZoneSize};

use plumbline_model::{Aabb, ElementRef, Mesh, ModelSet, Solid};
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
    /// Opt-in: pairs whose solids touch, come within `tolerance_m` of each other, or overlap
    /// by no more than `tolerance_m` (what a hard test leaves out), reported as
    /// [`ClashKind::Touch`].
    Touch {
        tolerance_m: f64,
    },
    /// Accessible reach ranges (ADA 2010 §308): the operable part of each A element must stand
    /// between `min_m` and `max_m` above its floor, the B element under A's footprint whose
    /// box top is the highest at or below A's base (within `tolerance_m`). The part's height
    /// comes from [`PairRules::operable_height_m`] (above A's base), else it is A's top. A part
    /// outside the range by more than `tolerance_m` is reported against its floor as
    /// [`ClashKind::Clearance`], with the distance outside the range and the limit it crosses
    /// as [`ClashBasis::required_m`]. A elements with no floor under them are not measured.
    Reach {
        min_m: f64,
        max_m: f64,
        tolerance_m: f64,
    },
}

impl Mode {
    /// What the test reports: a zone test is a clearance test, a time test reports time
    /// clashes. Reports, rule files and the command line name modes by it.
    pub fn kind(&self) -> ClashKind {
        match self {
            Mode::Hard { .. } => ClashKind::Hard,
            Mode::Clearance { .. } | Mode::Zone { .. } | Mode::Reach { .. } => ClashKind::Clearance,
            Mode::Duplicate { .. } => ClashKind::Duplicate,
            Mode::Time { .. } => ClashKind::Time,
            Mode::Touch { .. } => ClashKind::Touch,
        }
    }

    pub fn tolerance_m(&self) -> f64 {
        match *self {
            Mode::Hard { tolerance_m }
            | Mode::Time { tolerance_m }
            | Mode::Clearance { tolerance_m, .. }
            | Mode::Duplicate { tolerance_m }
            | Mode::Touch { tolerance_m }
            | Mode::Zone { tolerance_m, .. }
            | Mode::Reach { tolerance_m, .. } => tolerance_m,
        }
    }

    /// The clearance of a clearance or zone test; for a reach test its upper limit (the one
    /// distance a report's summary of the test states).
    pub fn clearance_m(&self) -> f64 {
        match *self {
            Mode::Clearance { clearance_m, .. } => clearance_m,
            Mode::Zone { size, .. } => size.clearance_m,
            Mode::Reach { max_m, .. } => max_m,
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
    /// Two solids that touch or overlap within the tolerance (opt-in: [`Mode::Touch`]).
    Touch,
}

impl ClashKind {
    pub const ALL: [ClashKind; 5] =
        [ClashKind::Hard, ClashKind::Clearance, ClashKind::Duplicate, ClashKind::Time, ClashKind::Touch];

    /// `hard`, `clearance`, `duplicate`, `time` or `touch`: the name reports, rule files and
    /// the command line use.
    pub fn as_str(self) -> &'static str {
        match self {
            ClashKind::Hard => "hard",
            ClashKind::Clearance => "clearance",
            ClashKind::Duplicate => "duplicate",
            ClashKind::Time => "time",
            ClashKind::Touch => "touch",
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
    /// The volume the two bare solids share (m³), for clashes whose solids overlap by more
    /// than the tolerance (hard and time clashes, and clearance clashes with `hard`); exact
    /// for convex pairs, else the documented estimate (see [`volume`]). `None` otherwise.
    pub overlap_volume_m3: Option<f64>,
    /// How the distance was measured when more than the two bare solids and the test's one
    /// distance went into it (insulation, a distance from a table, a zone sized by B).
    pub basis: Option<ClashBasis>,
}

/// What went into a clash's distance beyond the bare solids and the test's distance.
#[derive(Debug, Clone, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct ClashBasis {
    /// Insulation or lagging counted around A and around B (m; 0 for none). The clash's
    /// distance is then between the insulated solids: each solid grown by its thickness all
    /// round (the Minkowski sum with a ball), so a gap shrinks by the two thicknesses and a
    /// penetration depth grows by them.
    #[serde(default)]
    pub inflation_a_m: f64,
    #[serde(default)]
    pub inflation_b_m: f64,
    /// The distance between the bare solids (the gap, or minus the penetration depth), when
    /// insulation was counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bare_distance_m: Option<f64>,
    /// The distance this pair needed when it differs from pair to pair (a rule file's table,
    /// a zone whose size depends on B), metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_m: Option<f64>,
    /// Where that distance comes from, for people ("EN 50174-2 Table 4: unscreened power,
    /// no barrier"); set by the rules that chose it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl ClashBasis {
    /// The combined insulation of the pair (m).
    pub fn inflation_m(&self) -> f64 {
        self.inflation_a_m + self.inflation_b_m
    }
}

/// What a test knows about its elements beyond their solids; both are optional.
#[derive(Clone, Copy, Default)]
pub struct PairRules<'a> {
    /// The thickness (m) of insulation or lagging around an element, counted as part of its
    /// solid by hard, time, touch, clearance and zone tests (0 for none). Duplicate tests
    /// ignore it.
    pub inflation_m: Option<&'a (dyn Fn(ElementRef) -> f64 + Sync)>,
    /// For clearance tests: the clearance a pair needs (test's A side first; for a test of a
    /// set against itself, either order), `None` when the pair needs none. The test's own
    /// clearance must be the largest it returns (the broad phase searches that far).
    pub clearance_m: Option<&'a (dyn Fn(ElementRef, ElementRef) -> Option<f64> + Sync)>,
    /// For reach tests ([`Mode::Reach`]): how far (m) above its own base an element's operable
    /// part stands; `None` (or no function) puts it at the element's top.
    pub operable_height_m: Option<&'a (dyn Fn(ElementRef) -> Option<f64> + Sync)>,
}

impl std::fmt::Debug for PairRules<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairRules")
            .field("inflation_m", &self.inflation_m.is_some())
            .field("clearance_m", &self.clearance_m.is_some())
            .field("operable_height_m", &self.operable_height_m.is_some())
            .finish()
    }
}

impl PairRules<'_> {
    fn inflation(&self, r: ElementRef) -> f64 {
        self.inflation_m.map_or(0.0, |f| f(r).max(0.0))
    }
}

/// One test: two sets (or one set against itself) and a mode.
#[derive(Debug, Clone)]
pub struct Test {
    /// The test's stable key (a rule file's test `id`): it names the clashes, so it must not
    /// change when the test's display name does.
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
    /// Solids built so far, by [`shape::local_geometry_hash`], with the mesh and exact solid each
    /// was built from.
    solids: Mutex<SolidsByHash<'a>>,
}

/// Solids by the hash of their local geometry; a hash can stand for several meshes.
///
/// A shape is built from the element's mesh. For an element with an exact solid that mesh is
/// the solid's own ([`Solid::to_mesh`]) in every load (`plumbline_ifc`'s `build.rs`), so the
/// answers never depend on which load, or which cache entry, gave the model.
type SolidsByHash<'a> = HashMap<u64, Vec<(&'a Mesh, Option<&'a Solid>, Arc<LocalSolid>)>>;

impl<'a> Shapes<'a> {
    pub fn new(set: &'a ModelSet) -> Self {
        let files =
            set.models.iter().map(|m| (0..m.elements.len()).map(|_| OnceLock::new()).collect()).collect();
        Shapes { set, files, solids: Mutex::new(HashMap::new()) }
    }

    /// The shape of an element, built on first use; `None` for elements without geometry.
    pub fn get(&self, r: ElementRef) -> Option<&ElementShape> {
        self.files[r.file as usize][r.element as usize]
            .get_or_init(|| {
                let e = self.set.element(r);
                Some(self.shape_of(e.mesh.as_ref()?, e.solid.as_deref()))
            })
            .as_ref()
    }

    fn shape_of(&self, mesh: &'a Mesh, exact: Option<&'a Solid>) -> ElementShape {
        let key = shape::local_geometry_hash(mesh, exact);
        let known = |solids: &SolidsByHash<'a>| {
            solids
                .get(&key)?
                .iter()
                .find(|(m, x, _)| shape::same_local_geometry(m, *x, mesh, exact))
                .map(|(_, _, s)| s.clone())
        };
        // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
        if let Some(solid) = known(&self.solids.lock().unwrap_or_else(|e| e.into_inner())) {
            return ElementShape::placed(mesh, exact, solid);
        }
        // Built outside the lock, so threads build different solids side by side. Two threads
        // building the same one make the same solid (the build is deterministic); the first
        // one in is kept.
        let built = ElementShape::new(mesh, exact);
        let mut solids = self.solids.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(solid) = known(&solids) {
            return ElementShape::placed(mesh, exact, solid);
        }
        let solid = built.solid.clone();
        solids.entry(key).or_default().push((mesh, exact, solid));
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
    run_test_with(shapes, test, ignore, &PairRules::default())
}

/// As [`run_test`], with what the test knows about its elements beyond their solids
/// (insulation, a clearance per pair).
pub fn run_test_with(
    shapes: &Shapes<'_>,
    test: &Test,
    ignore: &(dyn Fn(ElementRef, ElementRef) -> bool + Sync),
    rules: &PairRules<'_>,
) -> TestResult {
    let set = shapes.set();
    let with_geometry = |refs: &[ElementRef]| -> Vec<ElementRef> {
        refs.iter().copied().filter(|&r| set.element(r).mesh.is_some()).collect()
    };
    let a = with_geometry(&test.a);
    let b = test.b.as_deref().map(with_geometry);
    if let Mode::Zone { zone, size, tolerance_m } = test.mode {
        let zone = pair::ZoneTest { zone, size, tolerance_m };
        return pair::zone_test(shapes, test, &a, b.as_deref(), &zone, ignore, rules);
    }
    if let Mode::Reach { min_m, max_m, tolerance_m } = test.mode {
        let reach = reach::ReachTest { min_m, max_m, tolerance_m };
        return reach::reach_test(shapes, test, &a, b.as_deref(), &reach, ignore, rules);
    }
    // Insulation grows each box by its thickness: the broad phase searches that much further.
    let most_inflation_m = |refs: &[ElementRef]| refs.iter().map(|&r| rules.inflation(r)).fold(0.0, f64::max);
    let inflation_m =
        most_inflation_m(&a) + b.as_deref().map_or_else(|| most_inflation_m(&a), most_inflation_m);
    let margin_m = test.mode.clearance_m().max(test.mode.tolerance_m()) + inflation_m;
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
    let found: Vec<Clash> =
        candidates.par_iter().filter_map(|&(x, y)| pair::narrow_pair(shapes, test, x, y, rules)).collect();
    // A and B sharing elements meet a pair from both sides; the narrow phase orders it by
    // GlobalId either way, so the two records are one clash (a per-pair distance may differ).
    let mut clashes = pair::one_per_pair(set, found);
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
pub(crate) fn sort_clashes(set: &ModelSet, clashes: &mut [Clash]) {
    clashes.sort_by(|p, q| {
        let key =
            |c: &Clash| (set.element(c.a).global_id.as_str(), set.element(c.b).global_id.as_str(), c.a, c.b);
        key(p).cmp(&key(q))
    });
}
