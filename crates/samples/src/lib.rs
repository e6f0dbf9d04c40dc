//! Parametric generator of IFC4 sample models with known clashes.
//!
//! Two models are generated straight into ISO-10303-21 (STEP) text:
//!
//! * [`datacenter`]: data halls with racks in hot/cold-aisle rows, raised floor, cold-aisle
//!   containment, two levels of cable trays, A/B busways, return-air ducts, chilled-water
//!   and sprinkler pipes, CRAH units, switchboards, UPS, PDUs, lights, structure, an
//!   electrical room per hall and a 4D fit-out schedule.
//! * [`branch`]: a bank branch under phased renovation: banking hall, teller line, vault,
//!   safe-deposit room, ATM lobby, offices, server closet, MEP above the ceiling, temporary
//!   works (hoarding, scaffold, temporary teller counter) and a 4D schedule;
//!   [`branch_variant`] varies its plan ([`BranchLayout`]: size, vault, ATM lobby, mirrored,
//!   turned and moved plans, with or without the schedule).
//!
//! [`portfolio`] draws many sites of both kinds for `plumbline batch`.
//!
//! Each call also returns a [`Truth`]: the seeded defects (with GlobalIds, kind, exact
//! distance and the name of the rule test that must find them) and pairs that must *not*
//! be reported.  Everything that is not seeded is clash-free by construction, with at
//! least 10 mm between elements of classes that a test compares; the crate's tests verify
//! this with an independent brute-force box check.  [`DATACENTER_TESTS`] and
//! [`BRANCH_TESTS`] spell out exactly what each test compares.
//!
//! Output is byte-identical for identical parameters: dates derive from the seed, ids
//! from the seed and a stable element key (so an element keeps its GlobalId when the
//! model is regenerated larger), and nothing is iterated in hash order.
//!
//! ```
//! use plumbline_samples::{datacenter, DatacenterParams, Lang};
//!
//! let g = datacenter(&DatacenterParams { lang: Lang::Zh, ..DatacenterParams::default() });
//! assert!(g.ifc.contains("FILE_SCHEMA(('IFC4'));"));
//! assert!(g.truth.clashes.iter().any(|c| c.test == plumbline_samples::RACK_SERVICE));
//! let truth_json = g.truth.to_json();
//! # assert!(truth_json.contains("non_clashes"));
//! ```
//!
//! # Scale
//!
//! A hall of `rows` x `racks_per_row` racks holds about `5.3 * racks + 21 * rows + 27`
//! elements.  [`DatacenterParams::for_elements`] picks parameters for a target size:
//! `for_elements(1_000_000, seed)` gives `halls: 24, rows: 40, racks_per_row: 192`, which
//! writes 997,104 elements (475 MB of text) in about 0.8 s in a release build on one core
//! of a 2-core machine (`cargo test -p plumbline-samples --release -- --ignored million`).
//! `for_elements(10_000, seed)` (1 hall, 19 rows of 94 racks) is the benchmark size.

//! # Conventions a rule engine needs
//!
//! * Lengths are metres; all solids are axis-aligned extrusions, so boxes are exact.
//! * The *front* of racks, PDUs, switchboards and UPS units is the +Y axis of the
//!   element's `ObjectPlacement` (racks in odd rows are turned 180°).
//! * Temporary elements carry `Plumbline_Phase.Temporary = TRUE`.  An element exists from
//!   the start of the task that builds it (`IfcRelAssignsToProcess`, task not of type
//!   DISMANTLE/DEMOLITION) until the finish of the task that removes it (DISMANTLE or
//!   DEMOLITION); elements no task builds exist from before the schedule starts.

mod branch;
mod build;
mod datacenter;
mod extras;
mod geom;
mod guid;
pub mod portfolio;
pub mod revision;
mod step;

#[cfg(test)]
mod check;
#[cfg(test)]
mod scan;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use step::{decode_step_string, step_string};

/// The language of names (storeys, spaces, elements, tasks).  Chinese names are written
/// with the STEP `\X2\` encoding; type codes (`ObjectType`) always stay English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub(crate) fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// Size and seed of a generated data centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatacenterParams {
    pub seed: u64,
    /// Data halls, side by side along X, each with its own electrical room (at least 1).
    pub halls: u32,
    /// Rack rows per hall, alternating front-to-front (cold aisle) and back-to-back (at least 1).
    pub rows: u32,
    /// Racks in each row (at least 1).
    pub racks_per_row: u32,
    pub lang: Lang,
}

impl Default for DatacenterParams {
    /// One hall, four rows of eight racks: a few hundred elements.
    fn default() -> Self {
        Self { seed: 1, halls: 1, rows: 4, racks_per_row: 8, lang: Lang::En }
    }
}

impl DatacenterParams {
    /// Parameters that give roughly `elements` physical elements (within a few percent
    /// above ~1,000): one hall grows up to 40 rows of 200 racks, then halls are added.
    pub fn for_elements(elements: u64, seed: u64) -> Self {
        let target = elements as f64;
        let halls = (target / per_hall(40.0, 200.0)).ceil().max(1.0);
        let per = target / halls;
        let rows = (per / 26.35).sqrt().round().clamp(1.0, 40.0);
        let racks = ((per - 20.7 * rows - 27.0) / (5.27 * rows + 1.5)).round().clamp(1.0, 200.0);
        Self { seed, halls: halls as u32, rows: rows as u32, racks_per_row: racks as u32, lang: Lang::En }
    }
}

/// Elements in one hall of `rows` x `racks` racks, fitted to measured counts: each rack
/// brings about 5.3 elements (itself, two tap-off units, and its share of trays,
/// busways, sprinkler pipes, tees and heads, lights, containment and ducts).
pub(crate) fn per_hall(rows: f64, racks: f64) -> f64 {
    5.27 * rows * racks + 20.7 * rows + 1.5 * racks + 27.0
}

/// Seed and language of a generated bank branch (its plan is a [`BranchLayout`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchParams {
    pub seed: u64,
    pub lang: Lang,
}

impl Default for BranchParams {
    fn default() -> Self {
        Self { seed: 1, lang: Lang::En }
    }
}

/// The plan of a generated bank branch, for portfolios of branches that differ.  The
/// default is the shipped sample (`sample_models/bank-branch.ifc`), byte for byte.
///
/// Every variant keeps an exact truth: the plan is mirrored, turned and moved as a whole
/// (an isometry, so every gap and depth is unchanged), and what a variant adds or leaves out
/// brings or takes its own seeded clashes and declared non-clashes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchLayout {
    /// Structural bays of 8 m along the banking hall, at least 3 (the sample's 24 m) and at
    /// most [`BranchLayout::MAX_BAYS`].  Each bay beyond the third adds a frame line, an
    /// office on the north side, teller counters, services and, drawn from the seed, a duct
    /// through the new beam and shelving under the office's sprinkler head.
    pub bays: u32,
    /// An ATM lobby with two accessible ATMs (and the seeded clutter in front of them); without
    /// it the room is a plain entrance lobby.
    pub atm_lobby: bool,
    /// A vault with 600 mm walls and a concrete roof; without it the room is an archive behind
    /// ordinary partitions.
    pub vault: bool,
    /// Mirror the plan (x to -x) before turning it.
    pub mirrored: bool,
    /// Quarter turns counter-clockwise about the plan origin (taken modulo 4).
    pub quarter_turns: u8,
    /// Where the plan origin (the inner south-west corner) lies in the world, millimetres.
    pub origin_mm: [i64; 2],
    /// Keep the 4D schedule (`IfcWorkSchedule`, tasks and their assignments).  Without it
    /// every element is taken to stand throughout, so the temporary teller counter clashes
    /// with the new counter it gave way to.
    pub schedule: bool,
}

impl BranchLayout {
    /// The most bays a branch may have (128 m of banking hall).
    pub const MAX_BAYS: u32 = 16;
}

impl Default for BranchLayout {
    fn default() -> Self {
        Self {
            bays: 3,
            atm_lobby: true,
            vault: true,
            mirrored: false,
            quarter_turns: 0,
            origin_mm: [0, 0],
            schedule: true,
        }
    }
}

/// A generated model and what a correct clash run must report on it.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The whole `.ifc` file (ISO-10303-21 text, schema IFC4).
    pub ifc: String,
    pub truth: Truth,
}

/// The expected results of the shipped rule tests on a generated model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Every pair each test must report, and no others.
    pub clashes: Vec<TruthClash>,
    /// Pairs that look close (touching faces, near misses, time-separated overlaps) and
    /// must not be reported by any test.
    pub non_clashes: Vec<TruthNonClash>,
}

/// One expected clash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthClash {
    /// GlobalId of the element on the test's A side (the tray, the rack, the temporary...).
    pub a: String,
    /// GlobalId of the other element.
    pub b: String,
    /// `hard`, `clearance`, `duplicate` or `time`.
    pub kind: String,
    /// Hard and time: the penetration depth (minimum translation distance).  Clearance:
    /// the actual gap.  Duplicate: 0.  Metres.
    pub distance_m: f64,
    /// The rule test that must find it (one of the `*_TEST` constants' values).
    pub test: String,
}

/// A pair that must not be reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruthNonClash {
    pub a: String,
    pub b: String,
    /// Why it is not a clash ("touching face", "near miss 10 mm beyond clearance", ...).
    pub why: String,
}

impl Truth {
    /// The truth as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and finite floats cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Data centre: cable trays against ducts (hard).
pub const TRAYS_VS_DUCTS: &str = "trays-vs-ducts";
/// Data centre: pipes against structure (hard).
pub const PIPES_VS_STRUCTURE: &str = "pipes-vs-structure";
/// Data centre: ducts against structure (hard).
pub const DUCTS_VS_STRUCTURE: &str = "ducts-vs-structure";
/// Data centre: 305 mm free above cable trays (clearance).
pub const TRAY_ACCESS: &str = "tray-access";
/// Both models: 457 mm free below sprinkler heads (clearance).
pub const SPRINKLER_CLEARANCE: &str = "sprinkler-clearance";
/// Both models: 914 mm free in front of switchboards, distribution boards, PDUs and UPS.
pub const ELECTRICAL_WORKING_SPACE: &str = "electrical-working-space";
/// Data centre: 1.0 m free in front of and behind racks (clearance).
pub const RACK_SERVICE: &str = "rack-service";
/// Both models: same class, same geometry, different GlobalId.
pub const DUPLICATES: &str = "duplicates";
/// Both models: a temporary element overlapping a permanent one while both exist.
pub const TEMPORARY_VS_PERMANENT: &str = "temporary-vs-permanent";
/// Bank branch: MEP against structure (hard).
pub const MEP_VS_STRUCTURE: &str = "mep-vs-structure";
/// Data centre: insulated pipes, measured with their insulation, against structure and ducts
/// (hard).
pub const INSULATION: &str = "insulation";
/// Data centre: power trays against data trays at the EN 50174-2 / NEC 800 separation their
/// properties call for (clearance).
pub const POWER_DATA_SEPARATION: &str = "power-data-separation";
/// Data centre: obstructions beside and below sprinkler heads within three times their width,
/// at most 610 mm (NFPA 13; clearance).
pub const SPRINKLER_OBSTRUCTION: &str = "sprinkler-obstruction";
/// Data centre: 1.2 m clear between facing racks (clearance).
pub const AISLE_WIDTH: &str = "aisle-width";
/// Both models: nothing in the sweep of an egress door's leaf (clearance).
pub const EGRESS_DOOR_SWING: &str = "egress-door-swing";
/// Bank branch: 760 x 1220 mm clear floor space in front of counters and ATMs (ADA 2010 §305;
/// clearance).
pub const ACCESSIBLE_CLEAR_FLOOR: &str = "accessible-clear-floor";
/// Bank branch: operable parts of ATMs and counters 380 to 1220 mm above the floor (ADA 2010
/// §308.2.1 and §308.3.1; reported as clearance, against the floor).
pub const ACCESSIBLE_REACH_RANGE: &str = "accessible-reach-range";

/// The property giving an operable part's height above its element's base (a length in the
/// file's metres), which the branch writes on its ATMs and on two teller counters.
pub(crate) const OPERABLE_HEIGHT: (&str, &str) = ("Pset_Plumbline_Accessibility", "OperablePartHeight");

/// Selects elements by IFC class and, optionally, `ObjectType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selector {
    pub class: &'static str,
    pub object_type: Option<&'static str>,
}

const fn sel(class: &'static str) -> Selector {
    Selector { class, object_type: None }
}

/// Where a test looks for the B side, relative to each A element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The solids overlap (touching is not a clash).
    Overlap,
    /// A box on top of A, A's footprint, `clearance_m` high.
    Above,
    /// A box under A, A's footprint, `clearance_m` deep.
    Below,
    /// A box on A's front face (local +Y of its placement), A's width and height,
    /// `clearance_m` deep.
    Front,
    /// Boxes on A's front and back faces, as for [`Zone::Front`].
    FrontAndBack,
    /// Same class and identical geometry.
    SameGeometry,
    /// A is temporary, B is not; the solids overlap and both exist at the same time.
    OverlapInTime,
    /// Issue 21's measures that depend on properties or on B (insulation, a distance table,
    /// an obstruction zone sized by B, a door's swing): the brute-force box check leaves
    /// these tests to the rules crate's evidence tests, which run the engine on the file.
    Engine,
    /// A reach range: each A element carrying [`OPERABLE_HEIGHT`] (elements without it are
    /// not A) has its operable part that far above its base; its floor is the B element under
    /// its footprint (the boxes overlap in plan) with the highest top at or below its base.
    /// Reported against the floor when the part's height above that top is below `min_mm` or
    /// above `max_mm`; the distance is how far outside.
    Reach { min_mm: i64, max_mm: i64 },
}

/// What a shipped rule test compares; the truth is exact under these semantics.
///
/// Clearance tests report B elements whose solid enters the zone's interior; the reported
/// distance is the gap between A's face and B.  An empty `b` means every other physical
/// element (all `IfcElement`s except openings); an empty `a` means all physical elements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestSpec {
    pub name: &'static str,
    pub kind: &'static str,
    pub a: &'static [Selector],
    pub b: &'static [Selector],
    pub zone: Zone,
    pub clearance_m: f64,
}

const TRAYS: &[Selector] = &[sel("IfcCableCarrierSegment"), sel("IfcCableCarrierFitting")];
const DUCTS: &[Selector] = &[sel("IfcDuctSegment"), sel("IfcDuctFitting")];
const PIPES: &[Selector] = &[sel("IfcPipeSegment"), sel("IfcPipeFitting")];
const STRUCTURE: &[Selector] = &[sel("IfcColumn"), sel("IfcBeam"), sel("IfcSlab"), sel("IfcWall")];
const SPRINKLERS: &[Selector] = &[sel("IfcFireSuppressionTerminal")];
const ELECTRICAL: &[Selector] = &[sel("IfcElectricDistributionBoard"), sel("IfcElectricFlowStorageDevice")];
const RACKS: &[Selector] = &[Selector { class: "IfcFurniture", object_type: Some("SERVER RACK") }];
const ATMS: &[Selector] = &[Selector { class: "IfcFurniture", object_type: Some("ATM") }];
const FLOORS: &[Selector] = &[sel("IfcSlab"), sel("IfcCovering")];
const MEP: &[Selector] = &[
    sel("IfcDuctSegment"),
    sel("IfcDuctFitting"),
    sel("IfcPipeSegment"),
    sel("IfcPipeFitting"),
    sel("IfcCableCarrierSegment"),
    sel("IfcCableCarrierFitting"),
    sel("IfcAirTerminal"),
    sel("IfcFireSuppressionTerminal"),
    sel("IfcLightFixture"),
];

const fn spec(
    name: &'static str,
    kind: &'static str,
    a: &'static [Selector],
    b: &'static [Selector],
    zone: Zone,
    clearance_m: f64,
) -> TestSpec {
    TestSpec { name, kind, a, b, zone, clearance_m }
}

const SPRINKLER_SPEC: TestSpec = spec(SPRINKLER_CLEARANCE, "clearance", SPRINKLERS, &[], Zone::Below, 0.457);
const ELECTRICAL_SPEC: TestSpec =
    spec(ELECTRICAL_WORKING_SPACE, "clearance", ELECTRICAL, &[], Zone::Front, 0.914);
const DUPLICATES_SPEC: TestSpec = spec(DUPLICATES, "duplicate", &[], &[], Zone::SameGeometry, 0.0);
const TIME_SPEC: TestSpec = spec(TEMPORARY_VS_PERMANENT, "time", &[], &[], Zone::OverlapInTime, 0.0);

/// The tests the data centre truth is written for.
pub const DATACENTER_TESTS: &[TestSpec] = &[
    spec(TRAYS_VS_DUCTS, "hard", TRAYS, DUCTS, Zone::Overlap, 0.0),
    spec(PIPES_VS_STRUCTURE, "hard", PIPES, STRUCTURE, Zone::Overlap, 0.0),
    spec(DUCTS_VS_STRUCTURE, "hard", DUCTS, STRUCTURE, Zone::Overlap, 0.0),
    spec(TRAY_ACCESS, "clearance", TRAYS, &[], Zone::Above, 0.305),
    SPRINKLER_SPEC,
    ELECTRICAL_SPEC,
    spec(RACK_SERVICE, "clearance", RACKS, &[], Zone::FrontAndBack, 1.0),
    DUPLICATES_SPEC,
    TIME_SPEC,
    spec(INSULATION, "hard", PIPES, &[], Zone::Engine, 0.0),
    spec(POWER_DATA_SEPARATION, "clearance", TRAYS, TRAYS, Zone::Engine, 0.2),
    spec(SPRINKLER_OBSTRUCTION, "clearance", SPRINKLERS, &[], Zone::Engine, 0.457),
    spec(AISLE_WIDTH, "clearance", RACKS, RACKS, Zone::FrontAndBack, 1.2),
    spec(EGRESS_DOOR_SWING, "clearance", &[sel("IfcDoor")], &[], Zone::Engine, 0.0),
];

/// The tests the bank branch truth is written for.
pub const BRANCH_TESTS: &[TestSpec] = &[
    spec(MEP_VS_STRUCTURE, "hard", MEP, STRUCTURE, Zone::Overlap, 0.0),
    SPRINKLER_SPEC,
    ELECTRICAL_SPEC,
    DUPLICATES_SPEC,
    TIME_SPEC,
    spec(ACCESSIBLE_CLEAR_FLOOR, "clearance", ATMS, &[], Zone::Front, 1.22),
    spec(EGRESS_DOOR_SWING, "clearance", &[sel("IfcDoor")], &[], Zone::Engine, 0.0),
    spec(
        ACCESSIBLE_REACH_RANGE,
        "clearance",
        &[sel("IfcFurniture")],
        FLOORS,
        Zone::Reach { min_mm: 380, max_mm: 1220 },
        0.0,
    ),
];

/// Generates a data centre.
pub fn datacenter(p: &DatacenterParams) -> Generated {
    let (ifc, truth, _) = datacenter::generate(p, false);
    Generated { ifc, truth }
}

/// Generates a bank branch under phased renovation (the sample's plan).
pub fn branch(p: &BranchParams) -> Generated {
    branch_variant(p, &BranchLayout::default())
}

/// Generates a bank branch with the given plan; `bays` outside 3..=[`BranchLayout::MAX_BAYS`]
/// is clamped.
pub fn branch_variant(p: &BranchParams, layout: &BranchLayout) -> Generated {
    let (ifc, truth, _) = branch::generate(p, layout, false);
    Generated { ifc, truth }
}
