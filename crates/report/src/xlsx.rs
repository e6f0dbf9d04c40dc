//! XLSX: a summary sheet (clashes by test × status and by storey × status) and a clash sheet
//! with the CSV columns, numbers as numbers, a formatted and frozen header and an autofilter
//! over every column (the clash number included, so the sheet can be sorted by it). Sheet
//! names, titles and headers are in the report's language.

use crate::columns::Column;
use crate::columns::{columns, Cell};
use crate::labels::{self, Label};
use crate::{storey_rows, summary, Lang, ReportError, StatusCounts};
use plumbline_review::{Report, Status};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

/// The report as an XLSX workbook with labels in `lang`. The document's creation date is fixed
/// (2000-01-01) so that the same report always gives the same bytes.
pub fn xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&created).set_title(labels::REPORT_TITLE.pick(lang)),
    );

    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE4EE))
        .set_border_bottom(FormatBorder::Thin);
    // Headers over numbers stand where the numbers do: on the right (the clash number, short
    // and next to text, in the middle).
    let number_header = header.clone().set_align(FormatAlign::Right);
    let centred_header = header.clone().set_align(FormatAlign::Center);
    let title = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let formats = Formats { header: &header, number_header: &number_header, bold: &bold };

    let s = summary(report);
    let sheet = wb.add_worksheet();
    sheet.set_name(sheet_name(labels::SUMMARY, lang))?;
    sheet.write_string_with_format(0, 0, labels::REPORT_TITLE.pick(lang), &title)?;
    sheet.write_string(1, 0, labels::MODELS.pick(lang))?;
    sheet.write_string(1, 1, report.models.join(", "))?;
    sheet.write_string(2, 0, labels::CLASHES.pick(lang))?;
    sheet.write_number(2, 1, s.clashes as f64)?;
    sheet.write_string(3, 0, labels::GROUPS.pick(lang))?;
    sheet.write_number(3, 1, s.groups as f64)?;
    let tables = [
        (labels::BY_TEST_TABLE, labels::TEST, s.by_test.clone()),
        (labels::BY_STOREY_TABLE, labels::STOREY, storey_rows(&s, lang)),
    ];
    let mut r = 5;
    for (table_title, key, rows) in &tables {
        r = counts_table(sheet, r, (table_title.pick(lang), key.pick(lang)), rows, lang, &formats)?;
    }
    sheet.set_column_width(0, 32)?;
    // Both languages side by side make the status headers twice as long.
    let status_width = if lang == Lang::Both { 18 } else { 12 };
    for c in 1..=6 {
        sheet.set_column_width(c, status_width)?;
    }
    // Printed (or saved as PDF), the summary is one page wide.
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);

    let sheet = wb.add_worksheet();
    sheet.set_name(sheet_name(labels::CLASHES, lang))?;
    let columns = columns(lang);
    let mut widths = Vec::with_capacity(columns.len());
    for (i, col) in columns.iter().enumerate() {
        let format = match col {
            Column::Number => &centred_header,
            _ if col.is_number() => &number_header,
            _ => &header,
        };
        let text = col.header(lang);
        // A header wider than its column would be cut by the next one: Chinese characters
        // take two character units, and both languages side by side are long.
        let width = col.width().max(text_units(&text) + 2.0);
        sheet.write_string_with_format(0, i as u16, text, format)?;
        sheet.set_column_width(i as u16, width)?;
        widths.push(width);
    }
    // Explanations wrap within their column rather than run across the sheet (or be cut by
    // the next column), and every cell of a row stands at its top, beside the explanation's
    // first line.
    let top = Format::new().set_align(FormatAlign::Top);
    let wrapped = top.clone().set_text_wrap();
    let mut last = 0;
    for (i, c) in report.clashes().enumerate() {
        let r = i as u32 + 1;
        let mut lines = 1.0_f64;
        for (j, col) in columns.iter().enumerate() {
            let cell = col.cell(c, lang);
            let j16 = j as u16;
            match cell {
                Cell::Number { value, decimals } => {
                    let mut format = number_format(decimals).set_align(FormatAlign::Top);
                    if *col == Column::Number {
                        format = format.set_align(FormatAlign::Center);
                    }
                    sheet.write_number_with_format(r, j16, value, &format)?;
                }
                // Strings stay strings: a name that starts with '=' must not become a formula.
                Cell::Text(text) if col.is_long_text() => {
                    let width = widths.get(j).copied().unwrap_or(10.0);
                    lines = lines.max((text_units(&text) * 1.1 / width).ceil());
                    sheet.write_string_with_format(r, j16, text, &wrapped)?;
                }
                Cell::Text(text) => {
                    sheet.write_string_with_format(r, j16, text, &top)?;
                }
                // No cell at all, not an empty string, so the autofilter offers "(Blanks)".
                Cell::Empty => {}
            }
        }
        // Spreadsheets do not grow a row to fit wrapped text written by a program: the row is
        // given the height of its longest explanation (17 points a line: Excel's default of 15 leaves Chinese lines touching).
        if lines > 1.0 {
            sheet.set_row_height(r, 17.0 * lines)?;
        }
        last = r;
    }
    sheet.set_freeze_panes(1, 0)?;
    // Printed, every page repeats the header row.
    sheet.set_landscape();
    sheet.set_repeat_rows(0, 0)?;
    sheet.autofilter(0, 0, last, columns.len() as u16 - 1)?;

    Ok(wb.save_to_buffer()?)
}

/// The width of `text` in Excel character units: wide (Chinese, Japanese, Korean) characters
/// take two.
fn text_units(text: &str) -> f64 {
    text.chars().map(|c| if c >= '\u{2E80}' { 2.0 } else { 1.0 }).sum()
}

/// The format that shows a number with `decimals` decimals (`0`, `0.0`, `0.000`): the full
/// value stays in the cell.
fn number_format(decimals: usize) -> Format {
    let format = if decimals == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(decimals)) };
    Format::new().set_num_format(format)
}

/// A sheet's name in `lang`. Excel forbids `/` in sheet names, so both languages are joined by
/// a space.
fn sheet_name(label: Label, lang: Lang) -> String {
    labels::join(lang, &label.text(), " ")
}

/// The cell formats of the count tables.
struct Formats<'a> {
    header: &'a Format,
    number_header: &'a Format,
    bold: &'a Format,
}

/// Writes a table of counts titled `title` (one row per key, under the header `key`; a column
/// per status and a total; then a total row) starting at `row`; returns the first row after it.
fn counts_table(
    sheet: &mut Worksheet,
    row: u32,
    (title, key): (String, String),
    rows: &[(String, StatusCounts)],
    lang: Lang,
    f: &Formats<'_>,
) -> Result<u32, ReportError> {
    sheet.write_string_with_format(row, 0, title, f.bold)?;
    let h = row + 1;
    sheet.write_string_with_format(h, 0, key, f.header)?;
    for (i, st) in Status::ALL.iter().enumerate() {
        let name = labels::join(lang, &labels::status(*st), " ");
        sheet.write_string_with_format(h, i as u16 + 1, name, f.number_header)?;
    }
    sheet.write_string_with_format(h, 6, labels::join(lang, &labels::TOTAL.text(), " "), f.number_header)?;
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
    sheet.write_string_with_format(r, 0, labels::TOTAL.pick(lang), f.bold)?;
    for (i, &n) in totals.iter().enumerate() {
        sheet.write_number_with_format(r, i as u16 + 1, n as f64, f.bold)?;
    }
    sheet.write_number_with_format(r, 6, totals.iter().sum::<usize>() as f64, f.bold)?;
    Ok(r + 2)
}
