//! 4D for Plumbline: construction schedules, element–task links, the state of the site at any
//! date, the critical path, and the time filter of time-based clash tests.
//!
//! **Architecture invariant:** a pure crate. Its only I/O is reading schedule and link files
//! (MSPDI, XER, P6 XML, CSV, TOML rules); it knows nothing of IFC parsing (IFC schedules are
//! read by `plumbline-ifc` into the same [`Schedule`]), clash geometry or rendering.
//!
//! - Readers: [`read_schedule`] recognises the format; a binary `.mpp` is an error that says
//!   to export MSPDI XML. Every error names the file, the line (or CSV row) and the field.
//! - Dates are days: a task occupies its start day to its finish day, inclusive. Durations and
//!   lags are working days of the schedule's calendar ([`Calendar`]; every day when none).
//! - Links: [`LinkSource`] (GlobalId→task CSV, or TOML [`Rules`] on class, storey, system,
//!   property and name), [`link_report`] for unlinked elements and tasks without elements.
//! - Simulation: [`SimIndex`] is built once; [`SimIndex::states_at`] then answers a date for
//!   every element (see [`sim`] for the semantics of each task type).
//! - Critical path: [`critical_path`]; a dependency cycle is [`ScheduleError::Cycle`].
//! - Progress: [`progress::progress_at`] — planned against actual per task and WBS level,
//!   milestone variances, late tasks and the S-curve at a date.
//! - Time-based clash: [`SimIndex::existence`] and [`coexistence`] tell whether two elements
//!   stand at the same time, and on which days.

pub mod calendar;
mod cpm;
mod error;
mod links;
mod model;
pub mod parity;
pub mod plan;
pub mod progress;
mod read;
pub mod risk;
mod set_sim;
pub mod sim;
pub mod text;

pub use calendar::WorkCalendar;
/// The date library of the schedule types, for callers that build or compare dates.
pub use chrono;
pub use cpm::{critical_path, Cpm, CpmTask};
pub use error::ScheduleError;
pub use links::{
    element_keys, gather_links, glob, link_report, marked_temporary, parse_rules, read_links, read_rules,
    LinkReport, LinkSource, OneOrMany, Rule, Rules,
};
pub use model::{Calendar, Dependency, DependencyType, Format, Link, Schedule, Task, TaskType};
pub use read::{
    read_csv, read_csv_text, read_mspdi_text, read_p6xml_text, read_schedule, read_schedule_bytes,
    read_xer_text,
};
pub use set_sim::SetSim;
pub use sim::{
    active_tasks, coexistence, late_tasks, Basis, ElementKey, ElementState, ElementStatus, Existence,
    SimIndex, StateCounts,
};
