//! CSV: one row per clash, RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a
//! quote or a line break, quotes doubled), UTF-8 without a byte-order mark.
//!
//! Text that a spreadsheet would read as a formula (a name beginning `=`, `+`, `-`, `@`, a tab
//! or a carriage return, e.g. `=HYPERLINK(...)` typed into an IFC model) is written with a
//! leading `'`, as OWASP advises against CSV injection: the file is opened by people in Excel,
//! and a model's names come from whoever authored it. Number columns (distance, coordinates)
//! are written as they are, negative numbers included. The XLSX report needs none of this: its
//! text cells are strings, never formulas.

use crate::{row, COLUMNS};
use plumbline_review::Report;

/// The report as CSV text: a header row ([`COLUMNS`]) and one row per clash, in report order.
pub fn csv(report: &Report) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has the header's length.
    let _ = w.write_record(COLUMNS);
    for c in report.clashes() {
        let mut cells = row(c);
        for (i, cell) in cells.iter_mut().enumerate() {
            if !NUMBER_COLUMNS.contains(&i) {
                defuse_formula(cell);
            }
        }
        let _ = w.write_record(cells);
    }
    let bytes = w.into_inner().unwrap_or_default();
    // The csv crate writes the UTF-8 of the strings it is given unchanged.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Columns of [`row`] that hold numbers: distance and the point's coordinates.
const NUMBER_COLUMNS: [usize; 4] = [4, 15, 16, 17];

/// Prefixes `'` to text a spreadsheet would evaluate as a formula.
fn defuse_formula(cell: &mut String) {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
}
