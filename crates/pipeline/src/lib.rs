//! A clash run from plan to history: the one workflow the `plumbline` CLI and the viewer call.
//!
//! **Stages.** [`Plan::new`] parses and checks everything the user gave (the rule file, or an
//! ad-hoc test's selections in the rule files' selection language; distances in millimetres
//! with the rule files' limits; grouping; every report path's folder) before a model loads.
//! [`run`] then loads only the geometry the tests can select ([`load`]), finds the 4D
//! schedule when a time test needs it ([`FourD::find`]: the one schedule-discovery rule),
//! runs the tests ([`clash`]), records the run in the clash history ([`record_run`], which sets
//! the statuses) and writes every report ([`write_reports`]). Each stage is public too, for
//! callers that need only some of them (`plumbline schedule`, the viewer).
//!
//! **Ad-hoc tests are rule sets.** `--a/--b/--mode` become a rule set of one test, so both
//! ways of asking give the same selections, the same A side in every report, and the same
//! history records.
//!
//! **Errors** are [`PipelineError`]s naming the file and flag; nothing is recorded or written
//! when planning or loading fails.

mod error;
mod four_d;
mod history;
mod observe;
mod outputs;
mod plan;
mod run;
mod triage;

pub use error::PipelineError;
pub use four_d::{find_schedule, is_ifc, read_any_schedule, ElementLookup, FourD};
pub use history::{record_in, record_run, record_run_then};
pub use observe::{Observer, Quiet, Silent, Tick};
pub use outputs::{
    default_author, report_time, review_notes, stage_reports, status_change_note, write_atomically,
    write_reports, StagedReports,
};
pub use plan::{
    history_location, is_stdout, AdHocTest, ClashRequest, FailOn, HistoryChoice, Outputs, Plan, Tests,
    DB_ENV, DEFAULT_CLEARANCE_MM, DEFAULT_DB, DEFAULT_MAX_SNAPSHOTS,
};
/// The language of report labels (`--lang`), as the report writers take it.
pub use plumbline_report::Lang as ReportLang;
pub use run::{clash, load, run, skipped_anything, Outcome, Verdict};
pub use triage::{triage, TriageSummary};
