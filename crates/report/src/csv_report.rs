//! CSV: one row per clash, RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a
//! quote or a line break, quotes doubled), UTF-8 with a byte-order mark. Without the mark,
//! Excel on a Chinese Windows reads the file as GBK and shows `规则「mep…` as `瑙勫垯銆宮ep…`;
//! with it, every Excel reads UTF-8, and the csv crate and most other readers skip it.
//!
//! Text that a spreadsheet would read as a formula (a name beginning `=`, `+`, `-`, `@`, a tab
//! or a carriage return, e.g. `=HYPERLINK(...)` typed into an IFC model) is written with a
//! leading `'`, as OWASP advises against CSV injection: the file is opened by people in Excel,
//! and a model's names come from whoever authored it. Number columns (number, distance,
//! coordinates) are written as they are, negative numbers included. The XLSX report needs none
//! of this: its text cells are strings, never formulas.

use crate::columns::{columns, Cell};
use crate::Lang;
use plumbline_review::Report;

/// The UTF-8 byte-order mark that starts the file.
pub(crate) const BOM: &str = "\u{feff}";

/// The report as CSV text: the byte-order mark, a header row in `lang` and one row per clash,
/// in report order, with kind and status names and the explanation in `lang`.
pub fn csv(report: &Report, lang: Lang) -> String {
    let columns = columns(lang);
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every row has the header's length.
    let _ = w.write_record(columns.iter().map(|c| c.header(lang)));
    for c in report.clashes() {
        let cells = columns.iter().map(|col| match col.cell(c, lang) {
            Cell::Text(mut text) => {
                defuse_formula(&mut text);
                text
            }
            number_or_empty => number_or_empty.to_text(),
        });
        let _ = w.write_record(cells);
    }
    let bytes = w.into_inner().unwrap_or_default();
    // The csv crate writes the UTF-8 of the strings it is given unchanged.
    let body = String::from_utf8(bytes).unwrap_or_default();
    format!("{BOM}{body}")
}

/// Prefixes `'` to text a spreadsheet would evaluate as a formula.
fn defuse_formula(cell: &mut String) {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
}
