//! XLSX: a Summary sheet (clashes by test × status and by storey × status) and a Clashes sheet
//! with the CSV columns, numbers as numbers, a formatted and frozen header and an autofilter.

use crate::{distance_mm, row, storey, summary, ReportError, StatusCounts, COLUMNS};
use plumbline_review::{Report, Status};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

/// Columns of [`COLUMNS`] written as numbers rather than text.
const DISTANCE_COL: u16 = 4;
const POINT_COLS: [u16; 3] = [15, 16, 17];

/// Column widths (Excel character units) of the Clashes sheet: ids and explanations are long.
const WIDTHS: [f64; 20] = [
    22.0, 18.0, 10.0, 10.0, 12.0, 18.0, 16.0, 24.0, 24.0, 24.0, 22.0, 24.0, 24.0, 24.0, 22.0, 12.0, 12.0,
    10.0, 60.0, 50.0,
];

/// The report as an XLSX workbook. The document's creation date is fixed (2000-01-01) so that
/// the same report always gives the same bytes.
pub fn xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&created).set_title("Plumbline clash report"),
    );

    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE4EE))
        .set_border_bottom(FormatBorder::Thin);
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();

    let s = summary(report);
    let sheet = wb.add_worksheet();
    sheet.set_name("Summary")?;
    sheet.write_string_with_format(0, 0, "Plumbline clash report 碰撞检查报告", &title)?;
    sheet.write_string(1, 0, "Models")?;
    sheet.write_string(1, 1, report.models.join(", "))?;
    sheet.write_string(2, 0, "Clashes")?;
    sheet.write_number(2, 1, s.clashes as f64)?;
    sheet.write_string(3, 0, "Groups")?;
    sheet.write_number(3, 1, s.groups as f64)?;
    let mut r = 5;
    r = counts_table(sheet, r, "Clashes by test and status", "Test", &s.by_test, &header, &bold)?;
    counts_table(sheet, r, "Clashes by storey and status", "Storey", &s.by_storey, &header, &bold)?;
    sheet.set_column_width(0, 32)?;
    for c in 1..=6 {
        sheet.set_column_width(c, 14)?;
    }

    let sheet = wb.add_worksheet();
    sheet.set_name("Clashes")?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &header)?;
        sheet.set_column_width(c as u16, WIDTHS[c])?;
    }
    let number = Format::new().set_num_format("0.0");
    let metres = Format::new().set_num_format("0.000");
    let mut last = 0;
    for (i, c) in report.clashes().enumerate() {
        let r = i as u32 + 1;
        for (col, text) in row(c).into_iter().enumerate() {
            let col = col as u16;
            if col == DISTANCE_COL {
                sheet.write_number_with_format(r, col, distance_mm(c), &number)?;
            } else if let Some(k) = POINT_COLS.iter().position(|&p| p == col) {
                sheet.write_number_with_format(r, col, c.point[k], &metres)?;
            } else if col == 6 && storey(c).is_none() {
                // An empty cell, not an empty string, so the autofilter offers "(Blanks)".
            } else {
                // Strings stay strings: a name that starts with '=' must not become a formula.
                sheet.write_string(r, col, text)?;
            }
        }
        last = r;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last, COLUMNS.len() as u16 - 1)?;

    Ok(wb.save_to_buffer()?)
}

/// Writes a titled table of counts (one row per key, a column per status and a total, then a
/// total row) starting at `row`; returns the first row after it.
fn counts_table(
    sheet: &mut Worksheet,
    row: u32,
    title: &str,
    key: &str,
    rows: &[(String, StatusCounts)],
    header: &Format,
    bold: &Format,
) -> Result<u32, ReportError> {
    sheet.write_string_with_format(row, 0, title, bold)?;
    let h = row + 1;
    sheet.write_string_with_format(h, 0, key, header)?;
    for (i, st) in Status::ALL.iter().enumerate() {
        sheet.write_string_with_format(h, i as u16 + 1, format!("{} {}", st.as_str(), st.as_zh()), header)?;
    }
    sheet.write_string_with_format(h, 6, "total 合计", header)?;
    let mut r = h + 1;
    let mut totals: StatusCounts = [0; 5];
    for (name, counts) in rows {
        sheet.write_string(r, 0, name)?;
        for (i, &n) in counts.iter().enumerate() {
            sheet.write_number(r, i as u16 + 1, n as f64)?;
            totals[i] += n;
        }
        sheet.write_number(r, 6, counts.iter().sum::<usize>() as f64)?;
        r += 1;
    }
    sheet.write_string_with_format(r, 0, "Total", bold)?;
    for (i, &n) in totals.iter().enumerate() {
        sheet.write_number_with_format(r, i as u16 + 1, n as f64, bold)?;
    }
    sheet.write_number_with_format(r, 6, totals.iter().sum::<usize>() as f64, bold)?;
    Ok(r + 2)
}
