//! Clash reports written from a [`plumbline_review::Report`]: CSV, XLSX and one self-contained
//! HTML file. (JSON is [`Report::to_json`].)
//!
//! Every writer is a pure function of its input: the same report gives the same bytes (the
//! XLSX creation date is fixed, the HTML has no time stamp), so reports can be compared across
//! runs and checked into a repository. Snapshot images come in as PNG bytes
//! ([`Snapshots`]), rendered by the caller (`plumbline-snapshot`), so that this crate stays
//! independent of the renderer.
//!
//! All three formats share one column set (`columns.rs`), one summary ([`summary`]) and one
//! table of labels in English and Chinese (`labels.rs`); [`Lang`] picks which language a report
//! is written in. Model data (element names, classes, GlobalIds, files, storeys) and rule names
//! stay as written in every language.

mod columns;
mod csv_report;
mod html;
mod labels;
mod lang;
mod portfolio;
mod portfolio_html;
mod portfolio_xlsx;
mod progress;
mod xlsx;

pub use csv_report::csv;
pub use html::html;
pub use lang::Lang;
pub use portfolio::{
    ClashCounts, Discipline, Portfolio, SiteOutcome, SiteResult, Totals, TrendPoint,
    PORTFOLIO_SCHEMA_VERSION, TREND_RUNS,
};
pub use portfolio_html::portfolio_html;
pub use portfolio_xlsx::portfolio_xlsx;
pub use progress::{
    progress_html, progress_xlsx, ProgressCurvePoint, ProgressLateRow, ProgressMilestoneRow, ProgressNote,
    ProgressReport, ProgressTaskRow, ProgressTaskState, ProgressWbsRow, PROGRESS_LABELS,
};
pub use xlsx::xlsx;

/// A clash kind's name in both languages, as every report writes it (the Navisworks term in
/// Chinese): the viewer's clash panel shows the same words.
pub fn kind_text(kind: plumbline_clash::ClashKind) -> plumbline_review::Text {
    labels::kind(kind).text()
}

use plumbline_review::{ClashRecord, Report, Status};
use std::collections::{BTreeMap, BTreeSet};

/// Snapshot images by clash id: PNG bytes, as `plumbline-snapshot` renders them.
pub type Snapshots = BTreeMap<String, Vec<u8>>;

/// Errors of the report writers.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("writing the XLSX workbook failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Counts of clashes in each status, in [`Status::ALL`] order.
pub type StatusCounts = [usize; 5];

/// The counts every report format shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Per test, in report order.
    pub by_test: Vec<(String, StatusCounts)>,
    /// Per storey, sorted by name, with the clashes whose elements have no storey (`None`)
    /// last.
    pub by_storey: Vec<(Option<String>, StatusCounts)>,
    pub by_status: StatusCounts,
    pub clashes: usize,
    pub groups: usize,
}

/// Counts the report's clashes by test, storey and status.
pub fn summary(report: &Report) -> Summary {
    let mut s = Summary::default();
    let mut storeys: BTreeMap<&str, StatusCounts> = BTreeMap::new();
    let mut unplaced: StatusCounts = [0; 5];
    for t in &report.tests {
        let mut counts: StatusCounts = [0; 5];
        for c in &t.clashes {
            let k = status_index(c.status);
            counts[k] += 1;
            s.by_status[k] += 1;
            match storey(c) {
                Some(name) => storeys.entry(name).or_default()[k] += 1,
                None => unplaced[k] += 1,
            }
        }
        s.clashes += t.clashes.len();
        s.groups += t.groups.len();
        s.by_test.push((t.info.name.clone(), counts));
    }
    s.by_storey = storeys.into_iter().map(|(k, v)| (Some(k.to_string()), v)).collect();
    if unplaced.iter().any(|&n| n > 0) {
        s.by_storey.push((None, unplaced));
    }
    s
}

/// The storey rows of a summary with their names in `lang`: the clashes without a storey under
/// a label of that language.
pub(crate) fn storey_rows(s: &Summary, lang: Lang) -> Vec<(String, StatusCounts)> {
    s.by_storey
        .iter()
        .map(|(name, counts)| (name.clone().unwrap_or_else(|| labels::NO_STOREY.pick(lang)), *counts))
        .collect()
}

/// The position of a status in [`Status::ALL`].
pub(crate) fn status_index(status: Status) -> usize {
    Status::ALL.iter().position(|&s| s == status).unwrap_or(0)
}

/// The storey a clash is counted under: element A's, or B's when A has none (as grouping by
/// storey does).
pub fn storey(c: &ClashRecord) -> Option<&str> {
    c.a.storey.as_deref().or(c.b.storey.as_deref()).filter(|s| !s.trim().is_empty())
}

/// A number with a fixed count of decimals, never `-0.0` (a rounded-away sign would make two
/// equal reports differ).
pub(crate) fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// The millimetre distance rounded to 0.1 mm, as every format writes it.
pub(crate) fn distance_mm(c: &ClashRecord) -> f64 {
    let v = (c.distance_m * 10_000.0).round() / 10.0;
    // Adding 0.0 turns -0.0 into 0.0.
    v + 0.0
}

/// Ids of clashes that belong to no group of their test (a report edited by hand, or built by
/// a caller that skipped grouping); reports list them apart so that none goes missing.
pub(crate) fn ungrouped(report: &Report) -> BTreeSet<&str> {
    let grouped: BTreeSet<&str> =
        report.groups().flat_map(|g| g.clash_ids.iter().map(String::as_str)).collect();
    report.clashes().map(|c| c.id.as_str()).filter(|id| !grouped.contains(id)).collect()
}

#[cfg(test)]
mod lang_tests;
#[cfg(test)]
mod portfolio_tests;
#[cfg(test)]
mod tests;
