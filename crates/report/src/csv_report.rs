//! CSV: one row per clash, RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a
//! quote or a line break, quotes doubled), UTF-8 without a byte-order mark.

use crate::{row, COLUMNS};
use plumbline_review::Report;

/// The report as CSV text: a header row ([`COLUMNS`]) and one row per clash, in report order.
pub fn csv(report: &Report) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has the header's length.
    let _ = w.write_record(COLUMNS);
    for c in report.clashes() {
        let _ = w.write_record(row(c));
    }
    let bytes = w.into_inner().unwrap_or_default();
    // The csv crate writes the UTF-8 of the strings it is given unchanged.
    String::from_utf8(bytes).unwrap_or_default()
}
