//! The schedule progress report (the weekly report and milestone review): planned against
//! actual per task and per WBS level, milestones with their variance, late tasks with their
//! delay and the S-curve, as one self-contained HTML file (the S-curve an inline SVG) or an XLSX
//! workbook (the S-curve a line chart over its data table). Every label is in the report's
//! [`Lang`]; task names, WBS names and ids stay as the schedule wrote them.
//!
//! The figures come in computed (`plumbline_schedule::progress` computes them; the CLI copies
//! them into [`ProgressReport`]), so this crate needs no schedule types. Dates are ISO strings.

use crate::labels::Label;
use crate::{Lang, ReportError};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook,
};

/// Where a task stands at the report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressTaskState {
    NotStarted,
    InProgress,
    Complete,
}

/// One task, planned against actual.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressTaskRow {
    pub id: String,
    pub name: String,
    pub wbs: Vec<String>,
    pub planned_start: String,
    pub planned_finish: String,
    pub actual_start: Option<String>,
    pub actual_finish: Option<String>,
    pub expected_finish: String,
    pub planned_pct: f64,
    pub actual_pct: f64,
    pub state: ProgressTaskState,
    pub finish_variance_days: i64,
}

/// One WBS node.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressWbsRow {
    pub path: Vec<String>,
    pub level: usize,
    pub tasks: usize,
    pub planned_pct: f64,
    pub actual_pct: f64,
}

/// One milestone.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressMilestoneRow {
    pub id: String,
    pub name: String,
    pub planned: String,
    pub expected: String,
    pub achieved: bool,
    pub variance_days: i64,
}

/// One late task.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressLateRow {
    pub id: String,
    pub name: String,
    pub planned_finish: String,
    pub expected_finish: String,
    pub state: ProgressTaskState,
    pub delay_days: i64,
}

/// One point of the S-curve; `day` counts days from the first point (the x axis).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressCurvePoint {
    pub date: String,
    pub day: i64,
    pub planned_pct: f64,
    pub actual_pct: Option<f64>,
}

/// What the figures could not take into account, worded in the report's language.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgressNote {
    /// Tasks without planned dates, left out.
    Undated(usize),
    /// The report date is after the data date: actual progress is known up to the data date.
    AfterDataDate { data_date: String },
}

/// Everything the progress report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    /// The schedule's name or file.
    pub schedule: String,
    pub at: String,
    pub data_date: Option<String>,
    pub planned_pct: f64,
    pub actual_pct: f64,
    pub tasks: Vec<ProgressTaskRow>,
    pub wbs: Vec<ProgressWbsRow>,
    pub milestones: Vec<ProgressMilestoneRow>,
    pub late: Vec<ProgressLateRow>,
    pub s_curve: Vec<ProgressCurvePoint>,
    pub notes: Vec<ProgressNote>,
}

const fn label(en: &'static str, zh: &'static str) -> Label {
    Label { en, zh }
}

// The progress report's own labels (the clash reports' table is `labels.rs`).
const TITLE: Label = label("Progress report", "进度报告");
const SCHEDULE: Label = label("Schedule", "进度计划");
const REPORT_DATE: Label = label("Report date", "报告日期");
const DATA_DATE: Label = label("Data date", "数据日期");
const PLANNED_PCT: Label = label("Planned %", "计划完成 %");
const ACTUAL_PCT: Label = label("Actual %", "实际完成 %");
const VARIANCE_PCT: Label = label("Variance (points)", "偏差（百分点）");
const S_CURVE: Label = label("S-curve: cumulative % complete", "S 曲线：累计完成百分比");
const PLANNED: Label = label("Planned", "计划");
const ACTUAL: Label = label("Actual", "实际");
const DATE: Label = label("Date", "日期");
const BY_WBS: Label = label("Progress by WBS level", "按 WBS 层级的进度");
const WBS: Label = label("WBS", "WBS");
const LEVEL: Label = label("Level", "层级");
const TASK_COUNT: Label = label("Tasks", "任务数");
const MILESTONES: Label = label("Milestones", "里程碑");
const PLANNED_DATE: Label = label("Planned date", "计划日期");
const EXPECTED_DATE: Label = label("Actual or forecast", "实际或预测日期");
const VARIANCE_DAYS: Label = label("Variance (days)", "偏差（天）");
const ACHIEVED: Label = label("Achieved", "已完成");
const YES: Label = label("yes", "是");
const NO: Label = label("no", "否");
const LATE_TASKS: Label = label("Late tasks", "延误任务");
const DELAY_DAYS: Label = label("Delay (days)", "延误（天）");
const TASKS: Label = label("Tasks: planned against actual", "任务：计划与实际对比");
const ID: Label = label("ID", "编号");
const NAME: Label = label("Name", "名称");
const STATUS: Label = label("Status", "状态");
const PLANNED_START: Label = label("Planned start", "计划开始");
const PLANNED_FINISH: Label = label("Planned finish", "计划完成");
const ACTUAL_START: Label = label("Actual start", "实际开始");
const ACTUAL_FINISH: Label = label("Actual finish", "实际完成");
const EXPECTED_FINISH: Label = label("Actual or forecast finish", "实际或预测完成");
const NOT_STARTED: Label = label("not started", "未开始");
const IN_PROGRESS: Label = label("in progress", "进行中");
const COMPLETE: Label = label("complete", "已完成");
const NONE: Label = label("None.", "无。");
const NOTES: Label = label("Notes", "说明");
const UNDATED: Label =
    label("{0} tasks have no planned dates and are left out.", "{0} 个任务没有计划日期，未计入。");
const AFTER_DATA_DATE: Label = label(
    "Actual progress is recorded up to the data date {0}; the report date is later.",
    "实际进度记录到数据日期 {0}；报告日期晚于数据日期。",
);
const SUMMARY: Label = label("Summary", "汇总");

/// Every label of the progress report (for the language tests).
pub const PROGRESS_LABELS: &[(&str, &str)] = &[
    (TITLE.en, TITLE.zh),
    (SCHEDULE.en, SCHEDULE.zh),
    (REPORT_DATE.en, REPORT_DATE.zh),
    (DATA_DATE.en, DATA_DATE.zh),
    (PLANNED_PCT.en, PLANNED_PCT.zh),
    (ACTUAL_PCT.en, ACTUAL_PCT.zh),
    (VARIANCE_PCT.en, VARIANCE_PCT.zh),
    (S_CURVE.en, S_CURVE.zh),
    (PLANNED.en, PLANNED.zh),
    (ACTUAL.en, ACTUAL.zh),
    (DATE.en, DATE.zh),
    (BY_WBS.en, BY_WBS.zh),
    (LEVEL.en, LEVEL.zh),
    (TASK_COUNT.en, TASK_COUNT.zh),
    (MILESTONES.en, MILESTONES.zh),
    (PLANNED_DATE.en, PLANNED_DATE.zh),
    (EXPECTED_DATE.en, EXPECTED_DATE.zh),
    (VARIANCE_DAYS.en, VARIANCE_DAYS.zh),
    (ACHIEVED.en, ACHIEVED.zh),
    (LATE_TASKS.en, LATE_TASKS.zh),
    (DELAY_DAYS.en, DELAY_DAYS.zh),
    (TASKS.en, TASKS.zh),
    (NAME.en, NAME.zh),
    (STATUS.en, STATUS.zh),
    (PLANNED_START.en, PLANNED_START.zh),
    (PLANNED_FINISH.en, PLANNED_FINISH.zh),
    (ACTUAL_START.en, ACTUAL_START.zh),
    (ACTUAL_FINISH.en, ACTUAL_FINISH.zh),
    (EXPECTED_FINISH.en, EXPECTED_FINISH.zh),
    (NOT_STARTED.en, NOT_STARTED.zh),
    (IN_PROGRESS.en, IN_PROGRESS.zh),
    (COMPLETE.en, COMPLETE.zh),
    (NOTES.en, NOTES.zh),
    (SUMMARY.en, SUMMARY.zh),
];

fn state_label(state: ProgressTaskState) -> Label {
    match state {
        ProgressTaskState::NotStarted => NOT_STARTED,
        ProgressTaskState::InProgress => IN_PROGRESS,
        ProgressTaskState::Complete => COMPLETE,
    }
}

fn note_text(note: &ProgressNote, lang: Lang) -> String {
    let (template, arg) = match note {
        ProgressNote::Undated(n) => (UNDATED, n.to_string()),
        ProgressNote::AfterDataDate { data_date } => (AFTER_DATA_DATE, data_date.clone()),
    };
    lang.pick(&template.en.replace("{0}", &arg), &template.zh.replace("{0}", &arg))
}

fn pct(v: f64) -> String {
    format!("{v:.1}")
}

fn signed(v: i64) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

const CSS: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#1d2430}\
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px}\
table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #dde3ea;padding:4px 8px;text-align:left}\
th{background:#dde4ee}td.n,th.n{text-align:right}.late{color:#b3261e}.early{color:#1b6e3a}\
.kpi{display:flex;gap:24px;margin:12px 0}.kpi div{background:#f2f5f9;padding:8px 14px;border-radius:6px}\
.kpi b{display:block;font-size:20px}svg text{font-size:12px;fill:#1d2430}";

/// The report as one self-contained HTML file (no scripts, no external files), labels in
/// `lang`. The same report gives the same bytes.
pub fn progress_html(r: &ProgressReport, lang: Lang) -> String {
    let l = |label: Label| label.pick(lang);
    let doc: Markup = html! {
        (DOCTYPE)
        html lang=(if lang == Lang::En { "en" } else { "zh-CN" }) {
            head {
                meta charset="utf-8";
                title { (l(TITLE)) " — " (r.schedule) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { (l(TITLE)) }
                p {
                    (l(SCHEDULE)) ": " (r.schedule) " · " (l(REPORT_DATE)) ": " (r.at)
                    @if let Some(d) = &r.data_date { " · " (l(DATA_DATE)) ": " (d) }
                }
                div.kpi {
                    div { (l(PLANNED_PCT)) b { (pct(r.planned_pct)) } }
                    div { (l(ACTUAL_PCT)) b { (pct(r.actual_pct)) } }
                    div { (l(VARIANCE_PCT)) b { (format!("{:+.1}", r.actual_pct - r.planned_pct)) } }
                    div { (l(LATE_TASKS)) b { (r.late.len()) } }
                }
                @if !r.notes.is_empty() {
                    p { (l(NOTES)) ": " @for n in &r.notes { (note_text(n, lang)) " " } }
                }
                h2 { (l(S_CURVE)) }
                (PreEscaped(s_curve_svg(r, lang)))
                h2 { (l(MILESTONES)) }
                @if r.milestones.is_empty() { p { (l(NONE)) } } @else {
                    table {
                        tr { th { (l(ID)) } th { (l(NAME)) } th { (l(PLANNED_DATE)) } th { (l(EXPECTED_DATE)) } th { (l(ACHIEVED)) } th.n { (l(VARIANCE_DAYS)) } }
                        @for m in &r.milestones {
                            tr {
                                td { (m.id) } td { (m.name) } td { (m.planned) } td { (m.expected) }
                                td { (l(if m.achieved { YES } else { NO })) }
                                td.n class=(variance_class(m.variance_days)) { (signed(m.variance_days)) }
                            }
                        }
                    }
                }
                h2 { (l(LATE_TASKS)) }
                @if r.late.is_empty() { p { (l(NONE)) } } @else {
                    table {
                        tr { th { (l(ID)) } th { (l(NAME)) } th { (l(STATUS)) } th { (l(PLANNED_FINISH)) } th { (l(EXPECTED_FINISH)) } th.n { (l(DELAY_DAYS)) } }
                        @for t in &r.late {
                            tr {
                                td { (t.id) } td { (t.name) } td { (l(state_label(t.state))) }
                                td { (t.planned_finish) } td { (t.expected_finish) }
                                td.n.late { (t.delay_days) }
                            }
                        }
                    }
                }
                h2 { (l(BY_WBS)) }
                table {
                    tr { th { (l(WBS)) } th.n { (l(LEVEL)) } th.n { (l(TASK_COUNT)) } th.n { (l(PLANNED_PCT)) } th.n { (l(ACTUAL_PCT)) } }
                    @for w in &r.wbs {
                        tr {
                            td style=(format!("padding-left:{}px", 8 + 16 * w.level.saturating_sub(1))) {
                                (w.path.last().map(String::as_str).unwrap_or(""))
                            }
                            td.n { (w.level) } td.n { (w.tasks) } td.n { (pct(w.planned_pct)) }
                            td.n class=(variance_class_pct(w.actual_pct - w.planned_pct)) { (pct(w.actual_pct)) }
                        }
                    }
                }
                h2 { (l(TASKS)) }
                table {
                    tr {
                        th { (l(ID)) } th { (l(NAME)) } th { (l(STATUS)) } th { (l(PLANNED_START)) } th { (l(PLANNED_FINISH)) }
                        th { (l(ACTUAL_START)) } th { (l(ACTUAL_FINISH)) } th.n { (l(PLANNED_PCT)) } th.n { (l(ACTUAL_PCT)) } th.n { (l(VARIANCE_DAYS)) }
                    }
                    @for t in &r.tasks {
                        tr {
                            td { (t.id) } td { (t.name) } td { (l(state_label(t.state))) }
                            td { (t.planned_start) } td { (t.planned_finish) }
                            td { (t.actual_start.as_deref().unwrap_or("")) } td { (t.actual_finish.as_deref().unwrap_or("")) }
                            td.n { (pct(t.planned_pct)) } td.n { (pct(t.actual_pct)) }
                            td.n class=(variance_class(t.finish_variance_days)) { (signed(t.finish_variance_days)) }
                        }
                    }
                }
            }
        }
    };
    doc.into_string()
}

fn variance_class(days: i64) -> &'static str {
    match days {
        d if d > 0 => "n late",
        d if d < 0 => "n early",
        _ => "n",
    }
}

fn variance_class_pct(points: f64) -> &'static str {
    if points < -0.05 {
        "n late"
    } else {
        "n"
    }
}

/// The S-curve as an inline SVG: planned (dashed) and actual (solid) cumulative % complete
/// against days, with the report date marked.
fn s_curve_svg(r: &ProgressReport, lang: Lang) -> String {
    use std::fmt::Write;
    const W: f64 = 900.0;
    const H: f64 = 320.0;
    const LEFT: f64 = 48.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 40.0;
    let span = r.s_curve.last().map_or(1, |p| p.day.max(1)) as f64;
    let x = |day: i64| LEFT + (W - LEFT - RIGHT) * day as f64 / span;
    let y = |pct: f64| TOP + (H - TOP - BOTTOM) * (1.0 - pct / 100.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\">"
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#dde3ea\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{tick}%</text>",
            W - RIGHT,
            LEFT - 6.0,
            y(tick) + 4.0,
            y = y(tick)
        );
    }
    let polyline = |points: Vec<(i64, f64)>, style: &str| {
        let coords: Vec<String> = points.iter().map(|&(d, p)| format!("{:.1},{:.1}", x(d), y(p))).collect();
        format!("<polyline fill=\"none\" {style} points=\"{}\"/>", coords.join(" "))
    };
    s += &polyline(
        r.s_curve.iter().map(|p| (p.day, p.planned_pct)).collect(),
        "stroke=\"#2f6fb3\" stroke-width=\"2\" stroke-dasharray=\"6 4\"",
    );
    s += &polyline(
        r.s_curve.iter().filter_map(|p| p.actual_pct.map(|a| (p.day, a))).collect(),
        "stroke=\"#d9731a\" stroke-width=\"3\"",
    );
    if let Some(at) = r.s_curve.iter().find(|p| p.date == r.at) {
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{}\" stroke=\"#b3261e\" stroke-dasharray=\"2 3\"/><text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            H - BOTTOM,
            H - BOTTOM + 30.0,
            escape(&format!("{}: {}", REPORT_DATE.pick(lang), r.at)),
            x = x(at.day)
        );
    }
    if let (Some(first), Some(last)) = (r.s_curve.first(), r.s_curve.last()) {
        let _ = write!(
            s,
            "<text x=\"{LEFT}\" y=\"{0}\">{1}</text><text x=\"{2}\" y=\"{0}\" text-anchor=\"end\">{3}</text>",
            H - BOTTOM + 16.0,
            escape(&first.date),
            W - RIGHT,
            escape(&last.date)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"24\" y2=\"24\" stroke=\"#2f6fb3\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{2}\" y=\"28\">{3}</text>\
         <line x1=\"{0}\" x2=\"{1}\" y1=\"44\" y2=\"44\" stroke=\"#d9731a\" stroke-width=\"3\"/><text x=\"{2}\" y=\"48\">{4}</text>",
        LEFT + 12.0,
        LEFT + 40.0,
        LEFT + 46.0,
        escape(&PLANNED.pick(lang)),
        escape(&ACTUAL.pick(lang))
    );
    s += "</svg>";
    s
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Excel's sheet names: at most 31 characters.
fn sheet(label: Label, lang: Lang) -> String {
    label.pick(lang).chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect()
}

/// The report as an XLSX workbook: a summary sheet with the S-curve chart over its data table,
/// then milestones, late tasks, WBS levels and tasks, each a sheet. The creation date is fixed
/// (2000-01-01) so that the same report gives the same bytes.
pub fn progress_xlsx(r: &ProgressReport, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let l = |label: Label| label.pick(lang);
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created).set_title(l(TITLE)));
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE4EE))
        .set_border_bottom(FormatBorder::Thin);
    let title = Format::new().set_bold().set_font_size(14);

    let summary_name = sheet(SUMMARY, lang);
    let ws = wb.add_worksheet();
    ws.set_name(&summary_name)?;
    ws.write_string_with_format(0, 0, l(TITLE), &title)?;
    let facts: [(Label, String); 6] = [
        (SCHEDULE, r.schedule.clone()),
        (REPORT_DATE, r.at.clone()),
        (DATA_DATE, r.data_date.clone().unwrap_or_default()),
        (PLANNED_PCT, pct(r.planned_pct)),
        (ACTUAL_PCT, pct(r.actual_pct)),
        (LATE_TASKS, r.late.len().to_string()),
    ];
    for (i, (label, value)) in facts.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, l(*label))?;
        match value.parse::<f64>() {
            Ok(v) if *label != REPORT_DATE && *label != DATA_DATE => ws.write_number(row, 1, v)?,
            _ => ws.write_string(row, 1, value)?,
        };
    }
    let mut row = 1 + facts.len() as u32;
    for note in &r.notes {
        ws.write_string(row, 0, note_text(note, lang))?;
        row += 1;
    }
    // The S-curve's data table, then the chart beside it.
    let first_data = row + 2;
    ws.write_string_with_format(first_data - 1, 0, l(DATE), &header)?;
    ws.write_string_with_format(first_data - 1, 1, l(PLANNED), &header)?;
    ws.write_string_with_format(first_data - 1, 2, l(ACTUAL), &header)?;
    for (i, p) in r.s_curve.iter().enumerate() {
        let row = first_data + i as u32;
        ws.write_string(row, 0, &p.date)?;
        ws.write_number(row, 1, p.planned_pct)?;
        if let Some(a) = p.actual_pct {
            ws.write_number(row, 2, a)?;
        }
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(2, 14)?;
    if !r.s_curve.is_empty() {
        let last_data = first_data + r.s_curve.len() as u32 - 1;
        let mut chart = Chart::new(ChartType::Line);
        chart.title().set_name(l(S_CURVE).as_str());
        for (col, name) in [(1u16, l(PLANNED)), (2u16, l(ACTUAL))] {
            chart
                .add_series()
                .set_name(name.as_str())
                .set_categories((summary_name.as_str(), first_data, 0, last_data, 0))
                .set_values((summary_name.as_str(), first_data, col, last_data, col));
        }
        chart.y_axis().set_min(0).set_max(100);
        ws.insert_chart(1, 4, &chart)?;
    }

    let milestone_rows: Vec<Vec<Cell>> = r
        .milestones
        .iter()
        .map(|m| {
            vec![
                Cell::Text(m.id.clone()),
                Cell::Text(m.name.clone()),
                Cell::Text(m.planned.clone()),
                Cell::Text(m.expected.clone()),
                Cell::Text(l(if m.achieved { YES } else { NO })),
                Cell::Number(m.variance_days as f64),
            ]
        })
        .collect();
    table_sheet(
        &mut wb,
        sheet(MILESTONES, lang),
        &[ID, NAME, PLANNED_DATE, EXPECTED_DATE, ACHIEVED, VARIANCE_DAYS],
        &milestone_rows,
        lang,
        &header,
    )?;
    let late_rows: Vec<Vec<Cell>> = r
        .late
        .iter()
        .map(|t| {
            vec![
                Cell::Text(t.id.clone()),
                Cell::Text(t.name.clone()),
                Cell::Text(l(state_label(t.state))),
                Cell::Text(t.planned_finish.clone()),
                Cell::Text(t.expected_finish.clone()),
                Cell::Number(t.delay_days as f64),
            ]
        })
        .collect();
    table_sheet(
        &mut wb,
        sheet(LATE_TASKS, lang),
        &[ID, NAME, STATUS, PLANNED_FINISH, EXPECTED_FINISH, DELAY_DAYS],
        &late_rows,
        lang,
        &header,
    )?;
    let wbs_rows: Vec<Vec<Cell>> = r
        .wbs
        .iter()
        .map(|w| {
            vec![
                Cell::Text(w.path.join(" / ")),
                Cell::Number(w.level as f64),
                Cell::Number(w.tasks as f64),
                Cell::Number(w.planned_pct),
                Cell::Number(w.actual_pct),
            ]
        })
        .collect();
    table_sheet(
        &mut wb,
        sheet(WBS, lang),
        &[WBS, LEVEL, TASK_COUNT, PLANNED_PCT, ACTUAL_PCT],
        &wbs_rows,
        lang,
        &header,
    )?;
    let task_rows: Vec<Vec<Cell>> = r
        .tasks
        .iter()
        .map(|t| {
            vec![
                Cell::Text(t.id.clone()),
                Cell::Text(t.name.clone()),
                Cell::Text(t.wbs.join(" / ")),
                Cell::Text(l(state_label(t.state))),
                Cell::Text(t.planned_start.clone()),
                Cell::Text(t.planned_finish.clone()),
                Cell::Text(t.actual_start.clone().unwrap_or_default()),
                Cell::Text(t.actual_finish.clone().unwrap_or_default()),
                Cell::Number(t.planned_pct),
                Cell::Number(t.actual_pct),
                Cell::Number(t.finish_variance_days as f64),
            ]
        })
        .collect();
    table_sheet(
        &mut wb,
        sheet(label("Tasks", "任务"), lang),
        &[
            ID,
            NAME,
            WBS,
            STATUS,
            PLANNED_START,
            PLANNED_FINISH,
            ACTUAL_START,
            ACTUAL_FINISH,
            PLANNED_PCT,
            ACTUAL_PCT,
            VARIANCE_DAYS,
        ],
        &task_rows,
        lang,
        &header,
    )?;
    Ok(wb.save_to_buffer()?)
}

enum Cell {
    Text(String),
    Number(f64),
}

fn table_sheet(
    wb: &mut Workbook,
    name: String,
    headers: &[Label],
    rows: &[Vec<Cell>],
    lang: Lang,
    header: &Format,
) -> Result<(), ReportError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        let text = h.pick(lang);
        ws.write_string_with_format(0, c as u16, &text, header)?;
        ws.set_column_width(c as u16, (text.chars().count() as f64 * 1.6).max(12.0))?;
    }
    for (r, cells) in rows.iter().enumerate() {
        let row = 1 + r as u32;
        for (c, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Text(t) => ws.write_string(row, c as u16, t)?,
                Cell::Number(n) => ws.write_number(row, c as u16, *n)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !rows.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, headers.len().saturating_sub(1) as u16)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ProgressReport {
        ProgressReport {
            schedule: "hotel.xer".into(),
            at: "2025-03-14".into(),
            data_date: Some("2025-03-14".into()),
            planned_pct: 66.7,
            actual_pct: 46.7,
            tasks: vec![ProgressTaskRow {
                id: "A".into(),
                name: "拆除原柜台".into(),
                wbs: vec!["Structure".into()],
                planned_start: "2025-03-03".into(),
                planned_finish: "2025-03-07".into(),
                actual_start: Some("2025-03-03".into()),
                actual_finish: Some("2025-03-10".into()),
                expected_finish: "2025-03-10".into(),
                planned_pct: 100.0,
                actual_pct: 100.0,
                state: ProgressTaskState::Complete,
                finish_variance_days: 3,
            }],
            wbs: vec![ProgressWbsRow {
                path: vec!["Structure".into()],
                level: 1,
                tasks: 1,
                planned_pct: 100.0,
                actual_pct: 100.0,
            }],
            milestones: vec![ProgressMilestoneRow {
                id: "M".into(),
                name: "Topping out".into(),
                planned: "2025-03-12".into(),
                expected: "2025-03-14".into(),
                achieved: false,
                variance_days: 2,
            }],
            late: vec![ProgressLateRow {
                id: "A".into(),
                name: "拆除原柜台".into(),
                planned_finish: "2025-03-07".into(),
                expected_finish: "2025-03-10".into(),
                state: ProgressTaskState::Complete,
                delay_days: 3,
            }],
            s_curve: vec![
                ProgressCurvePoint {
                    date: "2025-03-03".into(),
                    day: 0,
                    planned_pct: 6.7,
                    actual_pct: Some(6.7),
                },
                ProgressCurvePoint {
                    date: "2025-03-14".into(),
                    day: 11,
                    planned_pct: 66.7,
                    actual_pct: Some(46.7),
                },
                ProgressCurvePoint {
                    date: "2025-03-21".into(),
                    day: 18,
                    planned_pct: 100.0,
                    actual_pct: None,
                },
            ],
            notes: vec![ProgressNote::Undated(2)],
        }
    }

    #[test]
    fn chinese_html_has_every_label_in_chinese_and_the_curve() {
        let html = progress_html(&sample(), Lang::Zh);
        for (en, zh) in PROGRESS_LABELS {
            assert!(html.contains(zh) || !html.contains(en) || en == zh, "{en} left in English");
        }
        for en in ["Planned", "Actual", "Milestones", "Late tasks", "Report date", "not started", "complete"]
        {
            assert!(!html.contains(en), "English label {en} in the Chinese report");
        }
        assert!(html.contains("<svg") && html.contains("<polyline"), "inline SVG S-curve");
        assert!(html.contains("拆除原柜台") && html.contains("进度报告") && html.contains("里程碑"));
        assert!(html.contains("+2"), "milestone variance in days");
        assert_eq!(html, progress_html(&sample(), Lang::Zh), "deterministic");
    }

    #[test]
    fn english_html_and_the_workbook() {
        let html = progress_html(&sample(), Lang::En);
        assert!(
            html.contains("Progress report") && html.contains("Late tasks") && !html.contains("进度报告")
        );
        let both = progress_html(&sample(), Lang::Both);
        assert!(both.contains("Progress report / 进度报告"));
        let bytes = progress_xlsx(&sample(), Lang::Zh).expect("writes");
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("opens");
        assert_eq!(book.sheet_names(), ["汇总", "里程碑", "延误任务", "WBS", "任务"]);
        let summary = book.worksheet_range("汇总").expect("summary sheet");
        let cells: Vec<String> = summary.rows().flatten().map(|c| c.to_string()).collect();
        for zh in ["进度报告", "报告日期", "计划", "实际"] {
            assert!(cells.iter().any(|c| c == zh), "{zh} missing: {cells:?}");
        }
        assert_eq!(bytes, progress_xlsx(&sample(), Lang::Zh).expect("writes"), "deterministic");
    }
}
