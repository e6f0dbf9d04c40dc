//! Clash rule matrices: a TOML file of clash tests, each with two selections of elements, a
//! mode and its distances, and ignore rules, run together on a federated model set.
//!
//! ```toml
//! [defaults]
//! tolerance_mm = 2.0                      # hard tolerance of every test that does not say
//! ignore = { fillings = true, openings = true, assemblies = true, ports = true, same_guid = true }
//!
//! [grouping]
//! by = "proximity"                        # element | storey | type-pair | proximity
//! proximity_m = 2.0
//!
//! [[test]]
//! name = "tray-access"
//! mode = "clearance"                      # hard | clearance | duplicate | time | touch | reach
//! clearance_mm = 305
//! zone = "above"                          # above | below | front | front_and_back | swing | beside
//! a = { class = ["IfcCableCarrierSegment", "IfcCableCarrierFitting"] }
//! b = {}                                  # every physical element
//! ```
//!
//! # Selections
//! A selection (`a`, `b`) is a table of criteria, all of which an element must meet, plus
//! `include` (a list of such tables, any of which it must meet) and `exclude` (a list of
//! tables, none of which it may meet). Criteria, each a string or a list of strings (any of
//! which matches):
//! - `class`: IFC classes, subtypes included, and IFC2X3 elements typed by `<class>Type`;
//!   names are checked against the schemas;
//! - `file`: glob on the model's path or file name;
//! - `storey`, `system`, `name`, `object_type`, `predefined_type`: case-insensitive globs
//!   (`system` matches the names of the systems the element belongs to);
//! - `property`: `Pset.Prop = value` (case-insensitive equality), `Pset.Prop contains text`, or
//!   `Pset.Prop` (present).
//!
//! `{}` selects every physical element with geometry. A test without `b` tests A against
//! itself, each pair once.
//!
//! # Modes
//! `hard`, `clearance` (all round, or in a `zone` with optional NEC least `min_width_mm` and
//! `min_height_mm` for front zones), `duplicate`, and `time`: a hard overlap between two
//! elements of which exactly one is temporary (linked to a temporary task of the 4D schedule,
//! or marked `*.Temporary = TRUE`), both standing on some day of the schedule; reported as
//! [`ClashKind::Time`](plumbline_clash::ClashKind::Time) with the temporary element on side A.
//!
//! `touch` (opt-in): pairs that touch, come within the tolerance, or overlap by no more than
//! it (what `hard` leaves out).
//!
//! `reach`: the height of each A element's operable part above its floor must lie between
//! `min_height_mm` and `max_height_mm` (ADA 2010 §308: 380 to 1220 mm). The part stands
//! `operable_height_from = "Pset.Prop"` above the element's own base (values in
//! `operable_height_unit`, `"mm"` by default, or `"m"`), or at the element's top where that
//! property is missing or not a number; the floor is the `b` element under A's footprint with
//! the highest top at or below A's base. A part outside the range by more than the tolerance is
//! reported against its floor as a clearance clash whose distance is how far outside, and whose
//! explanation says which limit it misses ("1350 mm above the floor, above the 1220 mm high
//! reach limit by 130 mm"). See [`plumbline_clash::Mode::Reach`].
//!
//! # Beyond two bare solids
//! - `inflate_by = ["coverings", "Pset.Prop"]` (hard, time, touch, clearance): each element is
//!   measured with its insulation or lagging, the first entry that holds a number: `coverings`
//!   is the total thickness of the `IfcCovering`s related to it by `IfcRelCoversBldgElements`
//!   (millimetres, from their material layers or `Qto_CoveringBaseQuantities.Width`), a
//!   property is read in `inflate_unit` (`"mm"`, the default, or `"m"`). Explanations give both
//!   measurements ("clear bare by 20 mm; overlaps 30 mm with 50 mm insulation").
//! - `[[test.distance]]` rows (clearance without a zone): `a` and `b` lists of property
//!   criteria, `distance_mm`, `source`; the first row a pair meets sets its clearance and is
//!   quoted in the explanation; pairs no row takes are not checked (EN 50174-2 power/data
//!   separation classes, NEC 800.133 50 mm).
//! - `zone = "swing"` (a door leaf's sweep: as deep as the door is wide, plus any
//!   `clearance_mm`) and `zone = "beside"` (NFPA 13 obstructions: `clearance_mm` below the
//!   element, reaching `beside_factor` times B's width beside it, at most `beside_max_mm`).
//! - `min_volume_m3` (hard, time, clearance): overlaps sharing less volume are not reported
//!   (slivers); every hard overlap states its volume (`overlap_volume_m3`).
//!
//! Every error in a file names the file, line and column, and the allowed values.

mod config;
mod extras;
mod reach;
mod run;
mod select;
mod suggest;

pub use config::{distance_mm_to_m, IgnoreSwitches, RuleSet, TestSpec, MAX_DISTANCE_MM};
pub use extras::{DistanceRow, InflateBy, OperableHeight, TestExtras, COVERINGS_PROPERTY};
pub use run::{run_report, run_rules, RunContext};
pub use select::{Criteria, Selection};

use std::path::PathBuf;

/// What can go wrong reading or running a rule set.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file cannot be read.
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The file is not a valid rule set: where and why.
    #[error("{path}:{line}:{column}: {message}")]
    Config { path: PathBuf, line: usize, column: usize, message: String },
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
}
