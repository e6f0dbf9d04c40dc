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
//! mode = "clearance"                      # hard | clearance | duplicate | time
//! clearance_mm = 305
//! zone = "above"                          # above | below | front | front_and_back (clearance only)
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
//! Every error in a file names the file, line and column, and the allowed values.

mod config;
mod run;
mod select;

pub use config::{distance_mm_to_m, IgnoreSwitches, RuleSet, TestSpec, MAX_DISTANCE_MM};
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
