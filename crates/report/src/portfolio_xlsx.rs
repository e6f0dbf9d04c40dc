//! The portfolio report as an XLSX workbook (`portfolio.xlsx` of `plumbline batch`), for the
//! people who filter, pivot and forward: a Summary sheet (the totals, a bar chart of the worst
//! sites over its data table, open clashes by discipline and by region), a Sites sheet (one row
//! per site, worst first, with the HTML page's columns, numbers as numbers and dates as dates,
//! a frozen header, an autofilter and a sparkline of each site's trend) and a Trend sheet (each
//! site's open clashes over its last runs, this run in the last column).
//!
//! Labels are in the report's [`Lang`]; site names, regions, projects and errors stay as
//! written, and always as strings (a name that starts with `=` is not a formula). The
//! document's creation date is fixed, so the same portfolio gives the same bytes.

use crate::labels::{self, same, Label};
use crate::portfolio::{Discipline, Portfolio, SiteOutcome, SiteResult, TREND_RUNS, WORST_SITES_CHARTED};
use crate::{Lang, ReportError};
use rust_xlsxwriter::{
    Chart, ChartFormat, ChartSolidFill, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Sparkline, Url, Workbook, Worksheet,
};

/// The cell formats every sheet uses.
struct Formats {
    header: Format,
    number_header: Format,
    title: Format,
    bold: Format,
    date: Format,
    alert: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(0xDDE4EE))
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            // Headers over numbers stand where the numbers do: on the right.
            number_header: header.clone().set_align(FormatAlign::Right),
            header,
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Left),
            alert: Format::new().set_font_color(Color::RGB(0xB3261E)).set_bold(),
        }
    }
}

/// A label in `lang` (both as `en / zh`).
fn l(label: Label, lang: Lang) -> String {
    label.pick(lang)
}

/// A template with one number filled in, in `lang`.
fn with_number(label: Label, n: impl ToString, lang: Lang) -> String {
    labels::pick(lang, &label.fill(&[same(n.to_string())]))
}

/// A sheet's name in `lang`. Excel forbids `/` in sheet names, so both languages are joined by
/// a space.
fn sheet_name(label: Label, lang: Lang) -> String {
    labels::join(lang, &label.text(), " ")
}

/// The width of `text` in Excel character units: wide (Chinese, Japanese, Korean) characters
/// take two.
fn text_units(text: &str) -> f64 {
    text.chars().map(|c| if c >= '\u{2E80}' { 2.0 } else { 1.0 }).sum()
}

/// The portfolio as an XLSX workbook with labels in `lang`. The document's creation date is
/// fixed (2000-01-01) so that the same portfolio always gives the same bytes.
pub fn portfolio_xlsx(p: &Portfolio, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created).set_title(format!(
        "{} — {}",
        l(labels::PORTFOLIO_TITLE, lang),
        p.name
    )));
    let f = Formats::new();
    let trend_name = sheet_name(labels::TREND, lang);
    summary_sheet(wb.add_worksheet(), p, lang, &f)?;
    sites_sheet(wb.add_worksheet(), p, lang, &f, &trend_name)?;
    trend_sheet(wb.add_worksheet(), p, lang, &f, &trend_name)?;
    Ok(wb.save_to_buffer()?)
}

/// Writes a header row at `row`: numbers' headers on the right.
fn header_row(
    ws: &mut Worksheet,
    row: u32,
    first_col: u16,
    headers: &[(String, bool)],
    f: &Formats,
) -> Result<(), ReportError> {
    for (i, (text, number)) in headers.iter().enumerate() {
        let format = if *number { &f.number_header } else { &f.header };
        ws.write_string_with_format(row, first_col + i as u16, text, format)?;
    }
    Ok(())
}

/// The Summary sheet: title and totals, the worst sites with their chart, then open clashes by
/// discipline and by region.
fn summary_sheet(ws: &mut Worksheet, p: &Portfolio, lang: Lang, f: &Formats) -> Result<(), ReportError> {
    let name = sheet_name(labels::SUMMARY, lang);
    ws.set_name(&name)?;
    let needed = with_number(labels::NEEDED_WITHIN, p.needed_within_days, lang);
    ws.write_string_with_format(0, 0, l(labels::PORTFOLIO_TITLE, lang), &f.title)?;
    ws.write_string(1, 0, l(labels::PORTFOLIO, lang))?;
    ws.write_string(1, 1, &p.name)?;
    ws.write_string(2, 0, l(labels::GENERATED, lang))?;
    ws.write_string(2, 1, &p.generated)?;
    let t = &p.totals;
    let totals: [(String, usize); 8] = [
        (l(labels::SITES, lang), t.sites),
        (l(labels::SITES_RAN, lang), t.ok),
        (l(labels::OUTCOME_INCOMPLETE, lang), t.incomplete),
        (l(labels::OUTCOME_FAILED, lang), t.failed),
        (l(labels::OPEN, lang), t.open),
        (l(labels::NEW, lang), t.new),
        (l(labels::RESOLVED, lang), t.resolved),
        (needed.clone(), t.needed_soon),
    ];
    let mut row = 4;
    for (label, n) in &totals {
        ws.write_string(row, 0, label)?;
        ws.write_number(row, 1, *n as f64)?;
        row += 1;
    }
    let notes = [
        labels::pick(lang, &labels::NEEDED_NOTE.fill(&[same(p.needed_within_days.to_string())])),
        labels::pick(lang, &labels::ORDER_NOTE.fill(&[same(p.needed_within_days.to_string())])),
    ];
    for note in notes {
        ws.write_string(row, 0, note)?;
        row += 1;
    }

    // The worst sites: the chart's data, then the chart beside the tables.
    let worst = p.worst_sites(WORST_SITES_CHARTED);
    row += 1;
    let title = with_number(labels::CHART_WORST_SITES, worst.len(), lang);
    ws.write_string_with_format(row, 0, &title, &f.bold)?;
    row += 1;
    header_row(
        ws,
        row,
        0,
        &[(l(labels::SITE, lang), false), (l(labels::OPEN, lang), true), (needed.clone(), true)],
        f,
    )?;
    let first_data = row + 1;
    for s in &worst {
        row += 1;
        ws.write_string(row, 0, &s.name)?;
        ws.write_number(row, 1, s.clashes.open as f64)?;
        if s.has_schedule {
            ws.write_number(row, 2, s.needed_soon as f64)?;
        }
    }
    if !worst.is_empty() {
        let last_data = row;
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name(&title);
        for (col, series, colour) in
            [(1u16, l(labels::OPEN, lang), 0x4E79A7), (2u16, needed.clone(), 0xD62728)]
        {
            chart
                .add_series()
                .set_name(series.as_str())
                .set_categories((name.as_str(), first_data, 0, last_data, 0))
                .set_values((name.as_str(), first_data, col, last_data, col))
                .set_format(
                    ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(colour))),
                )
                // The needed-soon bar lies over its site's open bar, as in the HTML chart.
                .set_overlap(100);
        }
        // A bar chart draws its first category at the bottom; the worst site goes on top.
        chart.y_axis().set_reverse();
        chart.set_width(760).set_height(120 + 22 * worst.len() as u32);
        ws.insert_chart(1, 4, &chart)?;
    }
    row += 2;

    let disciplines = p.by_discipline();
    ws.write_string_with_format(row, 0, l(labels::CHART_BY_DISCIPLINE, lang), &f.bold)?;
    row += 1;
    header_row(ws, row, 0, &[(l(labels::DISCIPLINE, lang), false), (l(labels::OPEN, lang), true)], f)?;
    for (d, n) in &disciplines {
        row += 1;
        ws.write_string(row, 0, l(labels::discipline(*d), lang))?;
        ws.write_number(row, 1, *n as f64)?;
    }
    row += 1;
    ws.write_string(row, 0, l(labels::DISCIPLINE_NOTE, lang))?;
    row += 2;

    ws.write_string_with_format(row, 0, l(labels::CHART_BY_REGION, lang), &f.bold)?;
    row += 1;
    header_row(
        ws,
        row,
        0,
        &[
            (l(labels::REGION, lang), false),
            (l(labels::OPEN, lang), true),
            (needed, true),
            (l(labels::SITES, lang), true),
        ],
        f,
    )?;
    for (region, sites, open, soon) in p.by_region() {
        row += 1;
        ws.write_string(row, 0, region.unwrap_or_else(|| l(labels::NO_REGION, lang)))?;
        ws.write_number(row, 1, open as f64)?;
        ws.write_number(row, 2, soon as f64)?;
        ws.write_number(row, 3, sites as f64)?;
    }
    ws.set_column_width(0, 34)?;
    for c in 1..=3 {
        ws.set_column_width(c, if lang == Lang::Both { 22 } else { 14 })?;
    }
    // Printed (or saved as PDF), the summary is one page wide.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// One column of the Sites sheet: its header, whether it holds numbers, its width.
struct Column {
    header: String,
    number: bool,
    width: f64,
}

fn column(header: String, number: bool, width: f64) -> Column {
    // A header wider than its column would be cut, so the column grows to the header's
    // longest word (headers wrap at spaces).
    let longest = header.split(' ').map(text_units).fold(0.0, f64::max);
    Column { width: width.max(longest + 2.0), header, number }
}

/// The Sites sheet: one row per site, worst first.
fn sites_sheet(
    ws: &mut Worksheet,
    p: &Portfolio,
    lang: Lang,
    f: &Formats,
    trend_name: &str,
) -> Result<(), ReportError> {
    ws.set_name(sheet_name(labels::SITES, lang))?;
    let mut columns = vec![
        column(l(labels::RANK, lang), true, 6.0),
        column(l(labels::SITE, lang), false, 24.0),
        column(l(labels::REGION, lang), false, 14.0),
        column(l(labels::PROJECT, lang), false, 18.0),
        column(l(labels::OUTCOME, lang), false, 11.0),
        column(l(labels::OPEN, lang), true, 8.0),
        column(l(labels::NEW, lang), true, 8.0),
        column(l(labels::RESOLVED, lang), true, 8.0),
        column(with_number(labels::NEEDED_WITHIN, p.needed_within_days, lang), true, 10.0),
        column(l(labels::FIRST_NEEDED_BY, lang), false, 12.0),
    ];
    let first_discipline = columns.len() as u16;
    for d in Discipline::ALL {
        columns.push(column(l(labels::discipline(d), lang), true, 8.0));
    }
    let trend_col = columns.len() as u16;
    columns.push(column(l(labels::TREND_OPEN, lang), false, 14.0));
    columns.push(column(l(labels::ERROR, lang), false, 40.0));
    columns.push(column(l(labels::REPORTS, lang), false, 28.0));
    let error_col = trend_col + 1;
    let report_col = trend_col + 2;

    // The long headers ("Needed within 14 days") wrap, in a header row as tall as the
    // longest needs: spreadsheets do not grow a row to fit text a program wrote.
    let (header, number_header) = (f.header.clone().set_text_wrap(), f.number_header.clone().set_text_wrap());
    let mut lines = 1.0_f64;
    for (c, col) in columns.iter().enumerate() {
        let format = if col.number { &number_header } else { &header };
        ws.write_string_with_format(0, c as u16, &col.header, format)?;
        ws.set_column_width(c as u16, col.width)?;
        lines = lines.max((text_units(&col.header) / (col.width - 1.0)).ceil());
    }
    ws.set_row_height(0, 16.0 * lines)?;
    for (i, s) in p.sites.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number(row, 0, (i + 1) as f64)?;
        ws.write_string(row, 1, &s.name)?;
        if let Some(region) = &s.region {
            ws.write_string(row, 2, region)?;
        }
        ws.write_string(row, 3, &s.project)?;
        let outcome = l(labels::outcome(s.outcome), lang);
        match s.outcome {
            SiteOutcome::Ok => ws.write_string(row, 4, outcome)?,
            _ => ws.write_string_with_format(row, 4, outcome, &f.alert)?,
        };
        // A failed site has no counts: empty cells (not zeros), so that sums and the
        // autofilter's "(Blanks)" tell it apart from a clean site.
        if s.outcome != SiteOutcome::Failed {
            site_counts(ws, row, s, first_discipline, f)?;
        }
        if !s.trend.is_empty() {
            // The trend sheet's row of this site, right-aligned: this run in the last column.
            let first = TREND_RUNS - s.trend.len().min(TREND_RUNS);
            let range = (trend_name, row, 2 + first as u16, row, 1 + TREND_RUNS as u16);
            let line =
                Sparkline::new().set_range(range).show_last_point(true).show_markers(s.trend.len() == 1);
            ws.add_sparkline(row, trend_col, &line)?;
        }
        if let Some(error) = &s.error {
            ws.write_string_with_format(row, error_col, error, &f.alert)?;
        }
        site_report_link(ws, row, report_col, s)?;
    }
    ws.set_freeze_panes(1, 2)?;
    // Printed, the sheet is one page wide and every page repeats the header row.
    ws.set_repeat_rows(0, 0)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.autofilter(0, 0, p.sites.len() as u32, columns.len() as u16 - 1)?;
    Ok(())
}

/// A site's counts, needed-soon figures (none without a schedule) and disciplines.
fn site_counts(
    ws: &mut Worksheet,
    row: u32,
    s: &SiteResult,
    first_discipline: u16,
    f: &Formats,
) -> Result<(), ReportError> {
    ws.write_number(row, 5, s.clashes.open as f64)?;
    ws.write_number(row, 6, s.clashes.new as f64)?;
    ws.write_number(row, 7, s.clashes.resolved as f64)?;
    if s.has_schedule {
        ws.write_number(row, 8, s.needed_soon as f64)?;
    }
    if let Some(date) = &s.first_needed_by {
        match ExcelDateTime::parse_from_str(date) {
            Ok(d) => ws.write_datetime_with_format(row, 9, &d, &f.date)?,
            // A date Excel cannot hold (before 1900) stays as written.
            Err(_) => ws.write_string(row, 9, date)?,
        };
    }
    for (k, d) in Discipline::ALL.iter().enumerate() {
        let n = s.by_discipline.get(d.key()).copied().unwrap_or(0);
        ws.write_number(row, first_discipline + k as u16, n as f64)?;
    }
    Ok(())
}

/// The link to a site's own report (the HTML one, else the first there is), relative to the
/// batch's output folder, where the workbook is.
fn site_report_link(ws: &mut Worksheet, row: u32, col: u16, s: &SiteResult) -> Result<(), ReportError> {
    let path = ["html", "xlsx", "bcf", "csv", "json"]
        .iter()
        .find_map(|f| s.reports.get(*f))
        .or_else(|| s.reports.values().next());
    let Some(path) = path else { return Ok(()) };
    // The writer escapes the link itself, but reads a `#` as the start of a cell reference;
    // such a path, and a link Excel refuses (too long), is written as the path it would open.
    let linked = !path.contains('#')
        && ws
            .write_url(
                row,
                col,
                Url::new(format!("file:///{}", path.replace('\\', "/"))).set_text(path.as_str()),
            )
            .is_ok();
    if !linked {
        ws.write_string(row, col, path)?;
    }
    Ok(())
}

/// The Trend sheet: each site's open clashes over its last [`TREND_RUNS`] runs, oldest left,
/// this run in the last column, so that a column compares the same run of every site.
fn trend_sheet(
    ws: &mut Worksheet,
    p: &Portfolio,
    lang: Lang,
    f: &Formats,
    name: &str,
) -> Result<(), ReportError> {
    ws.set_name(name)?;
    let mut headers = vec![(l(labels::SITE, lang), false), (l(labels::REGION, lang), false)];
    for ago in (0..TREND_RUNS).rev() {
        let header = match ago {
            0 => l(labels::THIS_RUN, lang),
            1 => l(labels::PREVIOUS_RUN, lang),
            n => with_number(labels::RUNS_AGO, n, lang),
        };
        headers.push((header, true));
    }
    header_row(ws, 0, 0, &headers, f)?;
    for (i, s) in p.sites.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &s.name)?;
        if let Some(region) = &s.region {
            ws.write_string(row, 1, region)?;
        }
        let shown = &s.trend[s.trend.len().saturating_sub(TREND_RUNS)..];
        let first = TREND_RUNS - shown.len();
        for (k, point) in shown.iter().enumerate() {
            ws.write_number(row, 2 + (first + k) as u16, point.open as f64)?;
        }
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 14)?;
    for (c, (header, _)) in headers.iter().enumerate().skip(2) {
        ws.set_column_width(c as u16, (text_units(header) + 2.0).max(9.0))?;
    }
    ws.set_freeze_panes(1, 1)?;
    ws.set_repeat_rows(0, 0)?;
    ws.autofilter(0, 0, p.sites.len() as u32, headers.len() as u16 - 1)?;
    Ok(())
}
