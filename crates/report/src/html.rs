//! HTML: one self-contained file (inline CSS, inline SVG charts, snapshots as `data:` URIs, no
//! scripts and no external resources), so that it can be mailed or archived and still open
//! years later, offline.
//!
//! The page is a `maud` template: the `html!` macro escapes every value spliced into text or an
//! attribute, so no element name (IFC files are written by anyone) can become markup. The one
//! thing written unescaped is the style sheet below, a constant of this file.
//! (`maud` leaves `'` as it is: it writes every attribute in double quotes, where `'` means
//! nothing.)

use crate::labels::{self, count, same, Label};
use crate::{
    distance_mm, fixed, status_index, storey, storey_rows, summary, ungrouped, Lang, Snapshots, StatusCounts,
};
use base64::Engine as _;
use maud::{Markup, PreEscaped, DOCTYPE};
use plumbline_clash::ClashKind;
use plumbline_review::{ClashRecord, Group, Grouping, Report, Status, TestReport, Text};
use std::collections::BTreeSet;

/// Colours of the statuses in charts and badges: new stands out, resolved recedes.
const STATUS_COLOURS: [&str; 5] = ["#d62728", "#ff7f0e", "#1f77b4", "#9467bd", "#2ca02c"];

const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:0 auto;max-width:1100px;padding:1.5em;color:#222;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:2px solid #dde4ee;padding-bottom:.2em;margin-top:1.8em}
h3{margin:.4em 0}.zh{color:#555}.meta{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:.8em 0}th,td{border:1px solid #ccd;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#dde4ee}
.charts{display:flex;flex-wrap:wrap;gap:1.2em}.chart{flex:1 1 480px}.chart h3{font-size:1em}
.group{border:1px solid #ccd;border-radius:6px;padding:.6em 1em;margin:1em 0;background:#fafbfd}
.clash{display:flex;gap:1em;border-top:1px solid #e3e6ee;padding:.8em 0}
.clash figure{margin:0;flex:0 0 320px}.clash img{width:320px;height:auto;border:1px solid #ccd;display:block}
.nosnap{width:320px;height:240px;border:1px dashed #ccd;display:flex;align-items:center;justify-content:center;color:#888}
.clash dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em .8em;margin:.4em 0}.clash dt{color:#555}.clash dd{margin:0}
.badge{display:inline-block;border-radius:3px;padding:0 .45em;color:#fff;font-size:.85em;font-weight:600}
.number{font-weight:700}code{font-size:.9em}footer{margin-top:2em;color:#888;font-size:.85em}
";

/// The report as one self-contained HTML page with labels in `lang`: summary counts and bar
/// charts (by status, test and storey), then each test's groups with their clashes, each clash
/// with its number, snapshot (from `snapshots`, by clash id; a placeholder where there is none),
/// status and explanation.
pub fn html(report: &Report, snapshots: &Snapshots, lang: Lang) -> String {
    let mut page = page(report, snapshots, lang).into_string();
    // The template writes no whitespace between tags; the file still ends with a newline, as
    // text files do.
    page.push('\n');
    page
}

/// Text in `lang`; in [`Lang::Both`] the Chinese follows the English, marked as Chinese so that
/// browsers pick a Chinese font and screen readers a Chinese voice.
fn bi(lang: Lang, t: &Text) -> Markup {
    maud::html! {
        @match lang {
            Lang::En => (t.en),
            Lang::Zh => (t.zh),
            Lang::Both => { (t.en) " " span class="zh" lang="zh-Hans" { (t.zh) } }
        }
    }
}

/// A label in `lang`, as [`bi`].
fn label(lang: Lang, l: Label) -> Markup {
    bi(lang, &l.text())
}

/// A sentence or paragraph in `lang`; in [`Lang::Both`] the Chinese on a line of its own.
fn bi_lines(lang: Lang, t: &Text) -> Markup {
    maud::html! {
        @match lang {
            Lang::En => (t.en),
            Lang::Zh => (t.zh),
            Lang::Both => { (t.en) br; span class="zh" lang="zh-Hans" { (t.zh) } }
        }
    }
}

/// The page's language: a Chinese page is `zh-Hans` (so that browsers pick Simplified Chinese
/// glyphs); a bilingual one is English with its Chinese parts marked.
fn page_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-Hans",
        Lang::En | Lang::Both => "en",
    }
}

fn page(report: &Report, snapshots: &Snapshots, lang: Lang) -> Markup {
    let s = summary(report);
    let statuses: Vec<(String, StatusCounts)> = Status::ALL
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut c = [0; 5];
            c[i] = s.by_status[i];
            (labels::join(lang, &labels::status(*st), " "), c)
        })
        .collect();
    let storeys = storey_rows(&s, lang);
    let sentence = labels::SUMMARY_SENTENCE.fill(&[
        count(s.clashes, labels::CLASH_ONE, labels::CLASH_MANY),
        count(s.groups, labels::GROUP_ONE, labels::GROUP_MANY),
        count(report.tests.len(), labels::TEST_ONE, labels::TEST_MANY),
    ]);
    let loose = ungrouped(report);
    maud::html! {
        (DOCTYPE)
        html lang=(page_lang(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (labels::REPORT_TITLE.pick(lang)) }
                // The style sheet is a constant of this file, and CSS is not HTML text: escaping
                // would break its quotes.
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (label(lang, labels::REPORT_TITLE)) }
                    p class="meta" {
                        (label(lang, labels::MODELS_COLON))
                        @for m in &report.models {
                            " " code { (m) }
                        }
                        br;
                        (label(lang, labels::GROUPING_COLON)) " " (bi(lang, &grouping_text(report.grouping)))
                    }
                }
                section id="summary" {
                    h2 { (label(lang, labels::SUMMARY)) }
                    p { (bi_lines(lang, &sentence)) }
                    div class="charts" {
                        (chart(labels::CHART_BY_STATUS, &statuses, false, lang))
                        (chart(labels::CHART_BY_TEST, &s.by_test, true, lang))
                        (chart(labels::CHART_BY_STOREY, &storeys, true, lang))
                    }
                    (counts_table(labels::TEST, &s.by_test, lang))
                    (counts_table(labels::STOREY, &storeys, lang))
                }
                @for (i, t) in report.tests.iter().enumerate() {
                    (test_section(i, t, &loose, snapshots, lang))
                }
                footer { (label(lang, labels::FOOTER)) }
            }
        }
    }
}

fn grouping_text(g: Grouping) -> Text {
    match g {
        Grouping::Element => labels::BY_ELEMENT.text(),
        Grouping::Storey => labels::BY_STOREY_GROUPING.text(),
        Grouping::TypePair => labels::BY_TYPE_PAIR.text(),
        Grouping::Proximity { distance_m } => labels::BY_PROXIMITY.fill(&[same(fixed(distance_m, 1))]),
    }
}

/// The line under a test's heading: its mode and distances, its element and pair counts, its
/// clashes and groups.
fn test_line(t: &TestReport) -> Text {
    let mut parts = vec![labels::MODE.fill(&[labels::kind(t.info.mode).text()])];
    if let Some(r) = t.info.reach {
        // A reach test is reported as clearance; its line states the range, not a gap.
        parts = vec![
            labels::MODE.fill(&[labels::KIND_REACH.text()]),
            labels::REACH_RANGE.fill(&[same(fixed(r.min_m * 1000.0, 0)), same(fixed(r.max_m * 1000.0, 0))]),
            labels::TOLERANCE.fill(&[same(fixed(t.info.tolerance_m * 1000.0, 1))]),
        ];
    } else if t.info.mode != ClashKind::Clearance {
        parts.push(labels::TOLERANCE.fill(&[same(fixed(t.info.tolerance_m * 1000.0, 1))]));
    } else {
        let mut clearance = labels::CLEARANCE.fill(&[same(fixed(t.info.clearance_m * 1000.0, 1))]);
        if let Some(z) = t.info.zone {
            let zone = labels::zone(z);
            clearance.en.push_str(&format!(" ({})", zone.en));
            clearance.zh.push_str(&format!("（{}）", zone.zh));
        }
        parts.push(clearance);
    }
    parts.push(labels::ELEMENTS_A.fill(&[same(t.elements_a.to_string())]));
    parts.push(labels::ELEMENTS_B.fill(&[same(t.elements_b.to_string())]));
    parts.push(labels::CANDIDATE_PAIRS.fill(&[same(t.candidate_pairs.to_string())]));
    parts.push(labels::CLASHES_IN_GROUPS.fill(&[
        count(t.clashes.len(), labels::CLASH_ONE, labels::CLASH_MANY),
        count(t.groups.len(), labels::GROUP_ONE, labels::GROUP_MANY),
    ]));
    Text {
        en: parts.iter().map(|p| p.en.as_str()).collect::<Vec<_>>().join(" · "),
        zh: parts.iter().map(|p| p.zh.as_str()).collect::<Vec<_>>().join(" · "),
    }
}

/// One test: its settings and counts, its groups, and then its clashes that are in no group
/// (`loose`).
fn test_section(
    index: usize,
    t: &TestReport,
    loose: &BTreeSet<&str>,
    snapshots: &Snapshots,
    lang: Lang,
) -> Markup {
    let orphans: Vec<&ClashRecord> = t.clashes.iter().filter(|c| loose.contains(c.id.as_str())).collect();
    maud::html! {
        section class="test" id={ "test-" (index) } {
            h2 { (t.info.name) }
            p class="meta" { (bi_lines(lang, &test_line(t))) }
            @for g in &t.groups {
                (group(g, t, snapshots, lang))
            }
            @if !orphans.is_empty() {
                article class="group" {
                    h3 { (label(lang, labels::NO_GROUP)) }
                    @for c in &orphans {
                        (clash(c, snapshots, lang))
                    }
                }
            }
        }
    }
}

fn group(g: &Group, t: &TestReport, snapshots: &Snapshots, lang: Lang) -> Markup {
    maud::html! {
        article class="group" id={ "group-" (g.id) } {
            h3 { (bi(lang, &g.title)) }
            p { (bi_lines(lang, &g.explanation)) }
            @for id in &g.clash_ids {
                @if let Some(c) = t.clashes.iter().find(|c| &c.id == id) {
                    (clash(c, snapshots, lang))
                }
            }
        }
    }
}

fn clash(c: &ClashRecord, snapshots: &Snapshots, lang: Lang) -> Markup {
    let k = status_index(c.status);
    let mut distance = labels::DISTANCE_MM.fill(&[same(fixed(distance_mm(c), 1))]);
    if !c.exact {
        distance.en.push_str(labels::ESTIMATE.en);
        distance.zh.push_str(labels::ESTIMATE.zh);
    }
    let p = format!("{}, {}, {}", fixed(c.point[0], 3), fixed(c.point[1], 3), fixed(c.point[2], 3));
    let mut rows: Vec<(Label, Text)> = vec![
        (labels::KIND, labels::kind(c.kind).text()),
        (labels::DISTANCE, distance),
        (labels::A_RED, same(element(&c.a))),
        (labels::B_GREEN, same(element(&c.b))),
        (labels::STOREY, same(storey(c).unwrap_or("–"))),
        (labels::POINT_M, same(p)),
    ];
    if let Some(t) = &c.triage {
        let task = format!("{} {}", t.needed_by_task.id, t.needed_by_task.name);
        let value = labels::NEEDED_BY_VALUE.fill(&[
            same(t.needed_by.as_str()),
            same(t.days_to_needed.to_string()),
            same(task),
        ]);
        rows.push((labels::NEEDED_BY, value));
    }
    let alt = labels::SNAPSHOT_ALT.fill(&[same(c.id.as_str())]);
    maud::html! {
        div class="clash" id={ "clash-" (c.id) } {
            figure {
                @if let Some(png) = snapshots.get(&c.id) {
                    img src={ "data:image/png;base64," (base64::engine::general_purpose::STANDARD.encode(png)) }
                        alt=(labels::pick(lang, &alt));
                } @else {
                    div class="nosnap" { (label(lang, labels::NO_SNAPSHOT)) }
                }
            }
            div {
                h4 {
                    @if let Some(n) = c.number {
                        span class="number" { "#" (n) } " "
                    }
                    code { (c.id) } " "
                    span class="badge" style={ "background:" (STATUS_COLOURS[k]) } {
                        (labels::join(lang, &labels::status(c.status), " · "))
                    }
                }
                dl {
                    @for (name, value) in &rows {
                        dt { (label(lang, *name)) } dd { (bi(lang, value)) }
                    }
                }
                p { (bi_lines(lang, &c.explanation)) }
            }
        }
    }
}

/// `IfcDuctSegment 'Duct D-3' (GlobalId, file)`.
fn element(e: &plumbline_review::ElementInfo) -> String {
    format!("{} ({}, {})", e.label(), e.global_id, e.file)
}

fn counts_table(key: Label, rows: &[(String, StatusCounts)], lang: Lang) -> Markup {
    maud::html! {
        table {
            thead {
                tr {
                    th { (label(lang, key)) }
                    @for st in Status::ALL {
                        th { (bi(lang, &labels::status(st))) }
                    }
                    th { (label(lang, labels::TOTAL)) }
                }
            }
            tbody {
                @for (name, counts) in rows {
                    tr {
                        td { (name) }
                        @for n in counts {
                            td { (n) }
                        }
                        td { (counts.iter().sum::<usize>()) }
                    }
                }
            }
        }
    }
}

/// Chart geometry, in SVG user units.
const CHART_WIDTH: usize = 520;
const LABEL_WIDTH: usize = 190;
const BAR_HEIGHT: usize = 18;
const ROW_HEIGHT: usize = 24;
/// The chart's font size; text widths below are estimated from it.
const FONT_PX: usize = 12;
/// Labels wider than this are cut (the full text is in the tables below and in the tooltip).
const LABEL_SPACE: usize = LABEL_WIDTH - 10;
/// The height of one line of the legend.
const LEGEND_LINE: usize = 20;

/// One stacked segment of a bar: where it starts, how wide it is, and which status it counts.
struct Segment {
    x: usize,
    width: usize,
    status: usize,
    count: usize,
}

/// The segments of one bar (statuses with no clashes have none) and where the bar ends. Integer
/// pixel widths, accumulated, so that stacked segments meet exactly.
fn segments(counts: &StatusCounts, max: usize, bar_space: usize) -> (Vec<Segment>, usize) {
    let mut out = Vec::new();
    let mut x = LABEL_WIDTH;
    let mut cumulative = 0;
    for (status, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let end = LABEL_WIDTH + (cumulative + count) * bar_space / max;
        cumulative += count;
        let width = end.saturating_sub(x).max(1);
        out.push(Segment { x, width, status, count });
        x += width;
    }
    (out, x)
}

/// The estimated width of a character at [`FONT_PX`]: Chinese, Japanese and Korean characters
/// (and full-width forms) are square, the rest about 0.6 em. An estimate is enough to keep
/// labels from running into the bars: SVG text cannot be measured without a browser.
fn char_px(c: char) -> usize {
    let wide = matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        FONT_PX
    } else {
        FONT_PX * 6 / 10 + 1
    }
}

fn text_px(text: &str) -> usize {
    text.chars().map(char_px).sum()
}

/// A name cut to [`LABEL_SPACE`] pixels, with an ellipsis where it was cut.
fn short_label(name: &str) -> String {
    if text_px(name) <= LABEL_SPACE {
        return name.to_string();
    }
    let mut out = String::new();
    let mut used = char_px('…');
    for c in name.chars() {
        used += char_px(c);
        if used > LABEL_SPACE {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Where each status's legend entry goes (x, line), entries flowing left to right and onto a
/// new line when the next would pass the chart's width; and how many lines there are.
fn legend_layout(names: &[String]) -> (Vec<(usize, usize)>, usize) {
    let mut out = Vec::new();
    let (mut x, mut line) = (0, 0);
    for name in names {
        let width = 16 + text_px(name) + 14;
        if x > 0 && x + width > CHART_WIDTH {
            x = 0;
            line += 1;
        }
        out.push((x, line));
        x += width;
    }
    (out, line + 1)
}

/// A horizontal bar chart, one bar per row, stacked by status; with `legend`, a legend of the
/// status colours above it.
fn chart(title: Label, rows: &[(String, StatusCounts)], legend: bool, lang: Lang) -> Markup {
    let max = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let names: Vec<String> =
        Status::ALL.iter().map(|st| labels::join(lang, &labels::status(*st), " ")).collect();
    let (places, lines) = legend_layout(&names);
    let top = if legend { lines * LEGEND_LINE + 2 } else { 0 };
    let height = top + rows.len().max(1) * ROW_HEIGHT + 4;
    let bar_space = CHART_WIDTH - LABEL_WIDTH - 50;
    maud::html! {
        figure class="chart" {
            h3 { (label(lang, title)) }
            svg xmlns="http://www.w3.org/2000/svg" width=(CHART_WIDTH) height=(height)
                viewBox={ "0 0 " (CHART_WIDTH) " " (height) } role="img" aria-label=(title.pick(lang))
                font-size=(FONT_PX) {
                @if legend {
                    @for (i, (x, line)) in places.iter().enumerate() {
                        @let y = line * LEGEND_LINE;
                        // maud has no `/>`; `<rect></rect>` is the same SVG element.
                        rect x=(x) y=(y + 4) width="12" height="12" fill=(STATUS_COLOURS[i]) {}
                        text x=(x + 16) y=(y + 14) { (names[i]) }
                    }
                }
                @if rows.is_empty() {
                    text x="0" y=(top + 16) fill="#888" { (labels::NO_CLASHES.pick(lang)) }
                }
                @for (r, (name, counts)) in rows.iter().enumerate() {
                    @let y = top + r * ROW_HEIGHT;
                    @let (bars, end) = segments(counts, max, bar_space);
                    text x="0" y=(y + 14) { title { (name) } (short_label(name)) }
                    @for b in &bars {
                        rect x=(b.x) y=(y + 2) width=(b.width) height=(BAR_HEIGHT) fill=(STATUS_COLOURS[b.status]) {
                            title { (names[b.status]) ": " (b.count) }
                        }
                    }
                    text x=(end + 4) y=(y + 15) { (counts.iter().sum::<usize>()) }
                }
            }
        }
    }
}
