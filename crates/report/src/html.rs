//! HTML: one self-contained file (inline CSS, inline SVG charts, snapshots as `data:` URIs, no
//! scripts and no external resources), so that it can be mailed or archived and still open
//! years later, offline.
//!
//! The page is a `maud` template: the `html!` macro escapes every value spliced into text or an
//! attribute, so no element name (IFC files are written by anyone) can become markup. The one
//! thing written unescaped is the style sheet below, a constant of this file.
//! (`maud` leaves `'` as it is: it writes every attribute in double quotes, where `'` means
//! nothing.)

use crate::{distance_mm, fixed, status_index, storey, summary, ungrouped, Snapshots, StatusCounts};
use base64::Engine as _;
use maud::{Markup, PreEscaped, DOCTYPE};
use plumbline_clash::ClashKind;
use plumbline_review::{ClashRecord, Group, Grouping, Report, Status, TestReport};
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
code{font-size:.9em}footer{margin-top:2em;color:#888;font-size:.85em}
";

/// The report as one self-contained HTML page: summary counts and bar charts (by status, test
/// and storey), then each test's groups with their clashes, each clash with its snapshot (from
/// `snapshots`, by clash id; a placeholder where there is none), status and explanation in
/// English and Chinese.
pub fn html(report: &Report, snapshots: &Snapshots) -> String {
    let mut page = page(report, snapshots).into_string();
    // The template writes no whitespace between tags; the file still ends with a newline, as
    // text files do.
    page.push('\n');
    page
}

fn page(report: &Report, snapshots: &Snapshots) -> Markup {
    let s = summary(report);
    let statuses: Vec<(String, StatusCounts)> = Status::ALL
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut c = [0; 5];
            c[i] = s.by_status[i];
            (format!("{} {}", st.as_str(), st.as_zh()), c)
        })
        .collect();
    let loose = ungrouped(report);
    maud::html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Plumbline clash report" }
                // The style sheet is a constant of this file, and CSS is not HTML text: escaping
                // would break its quotes.
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "Plumbline clash report " span class="zh" lang="zh-Hans" { "碰撞检查报告" } }
                    p class="meta" {
                        "Models:"
                        @for m in &report.models {
                            " " code { (m) }
                        }
                        br;
                        "Grouping: " (grouping_text(report.grouping))
                    }
                }
                section id="summary" {
                    h2 { "Summary " span class="zh" lang="zh-Hans" { "汇总" } }
                    p {
                        (plural(s.clashes, "clash", "clashes")) " in "
                        (plural(s.groups, "group", "groups")) " from "
                        (plural(report.tests.len(), "test", "tests")) "."
                    }
                    div class="charts" {
                        (chart("By status 按状态", &statuses, false))
                        (chart("By test 按规则", &s.by_test, true))
                        (chart("By storey 按楼层", &s.by_storey, true))
                    }
                    (counts_table("Test", &s.by_test))
                    (counts_table("Storey", &s.by_storey))
                }
                @for (i, t) in report.tests.iter().enumerate() {
                    (test_section(i, t, &loose, snapshots))
                }
                footer { "Written by Plumbline." }
            }
        }
    }
}

/// `1 clash`, `2 clashes`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn grouping_text(g: Grouping) -> String {
    match g {
        Grouping::Element => "by element".into(),
        Grouping::Storey => "by storey".into(),
        Grouping::TypePair => "by type pair".into(),
        Grouping::Proximity { distance_m } => format!("by proximity ({} m)", fixed(distance_m, 1)),
    }
}

/// One test: its settings and counts, its groups, and then its clashes that are in no group
/// (`loose`).
fn test_section(index: usize, t: &TestReport, loose: &BTreeSet<&str>, snapshots: &Snapshots) -> Markup {
    let mut meta = format!("mode {}", t.info.mode.as_str());
    if t.info.mode != ClashKind::Clearance {
        meta.push_str(&format!(" · tolerance {} mm", fixed(t.info.tolerance_m * 1000.0, 1)));
    } else {
        meta.push_str(&format!(" · clearance {} mm", fixed(t.info.clearance_m * 1000.0, 1)));
        if let Some(z) = t.info.zone {
            meta.push_str(&format!(" ({})", z.name()));
        }
    }
    let orphans: Vec<&ClashRecord> = t.clashes.iter().filter(|c| loose.contains(c.id.as_str())).collect();
    maud::html! {
        section class="test" id={ "test-" (index) } {
            h2 { (t.info.name) }
            p class="meta" {
                (meta) " · " (t.elements_a) " A elements · " (t.elements_b) " B elements · "
                (t.candidate_pairs) " candidate pairs · " (plural(t.clashes.len(), "clash", "clashes"))
                " in " (plural(t.groups.len(), "group", "groups"))
            }
            @for g in &t.groups {
                (group(g, t, snapshots))
            }
            @if !orphans.is_empty() {
                article class="group" {
                    h3 { "Clashes in no group" }
                    @for c in &orphans {
                        (clash(c, snapshots))
                    }
                }
            }
        }
    }
}

fn group(g: &Group, t: &TestReport, snapshots: &Snapshots) -> Markup {
    maud::html! {
        article class="group" id={ "group-" (g.id) } {
            h3 { (g.title.en) " " span class="zh" lang="zh-Hans" { (g.title.zh) } }
            p { (g.explanation.en) br; span class="zh" lang="zh-Hans" { (g.explanation.zh) } }
            @for id in &g.clash_ids {
                @if let Some(c) = t.clashes.iter().find(|c| &c.id == id) {
                    (clash(c, snapshots))
                }
            }
        }
    }
}

fn clash(c: &ClashRecord, snapshots: &Snapshots) -> Markup {
    let k = status_index(c.status);
    let distance = format!("{} mm{}", fixed(distance_mm(c), 1), if c.exact { "" } else { " (estimate)" });
    let p = format!("{}, {}, {}", fixed(c.point[0], 3), fixed(c.point[1], 3), fixed(c.point[2], 3));
    let rows: [(&str, String); 6] = [
        ("Kind", c.kind.as_str().to_string()),
        ("Distance", distance),
        ("A (red)", element(&c.a)),
        ("B (green)", element(&c.b)),
        ("Storey", storey(c).unwrap_or("–").to_string()),
        ("Point (m)", p),
    ];
    maud::html! {
        div class="clash" id={ "clash-" (c.id) } {
            figure {
                @if let Some(png) = snapshots.get(&c.id) {
                    img src={ "data:image/png;base64," (base64::engine::general_purpose::STANDARD.encode(png)) }
                        alt={ "Snapshot of clash " (c.id) ": A red, B green" };
                } @else {
                    div class="nosnap" { "no snapshot" }
                }
            }
            div {
                h4 {
                    code { (c.id) } " "
                    span class="badge" style={ "background:" (STATUS_COLOURS[k]) } {
                        (c.status.as_str()) " · " (c.status.as_zh())
                    }
                }
                dl {
                    @for (name, value) in &rows {
                        dt { (name) } dd { (value) }
                    }
                }
                p { (c.explanation.en) br; span class="zh" lang="zh-Hans" { (c.explanation.zh) } }
            }
        }
    }
}

/// `IfcDuctSegment 'Duct D-3' (GlobalId, file)`.
fn element(e: &plumbline_review::ElementInfo) -> String {
    format!("{} ({}, {})", e.label(), e.global_id, e.file)
}

fn counts_table(key: &str, rows: &[(String, StatusCounts)]) -> Markup {
    maud::html! {
        table {
            thead {
                tr {
                    th { (key) }
                    @for st in Status::ALL {
                        th { (st.as_str()) " " span lang="zh-Hans" { (st.as_zh()) } }
                    }
                    th { "total" }
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
/// Labels longer than this many characters are cut (the full text is in the tables below).
const LABEL_CHARS: usize = 26;

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

/// A name cut to [`LABEL_CHARS`] characters, with an ellipsis where it was cut.
fn short_label(name: &str) -> String {
    if name.chars().count() > LABEL_CHARS {
        name.chars().take(LABEL_CHARS - 1).chain(['…']).collect()
    } else {
        name.to_string()
    }
}

/// A horizontal bar chart, one bar per row, stacked by status; with `legend`, a legend of the
/// status colours above it.
fn chart(title: &str, rows: &[(String, StatusCounts)], legend: bool) -> Markup {
    let max = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let top = if legend { 22 } else { 0 };
    let height = top + rows.len().max(1) * ROW_HEIGHT + 4;
    let bar_space = CHART_WIDTH - LABEL_WIDTH - 50;
    maud::html! {
        figure class="chart" {
            h3 { (title) }
            svg xmlns="http://www.w3.org/2000/svg" width=(CHART_WIDTH) height=(height)
                viewBox={ "0 0 " (CHART_WIDTH) " " (height) } role="img" aria-label=(title)
                font-size="12" {
                @if legend {
                    @for (i, st) in Status::ALL.iter().enumerate() {
                        // maud has no `/>`; `<rect></rect>` is the same SVG element.
                        rect x=(i * 100) y="4" width="12" height="12" fill=(STATUS_COLOURS[i]) {}
                        text x=(i * 100 + 16) y="14" { (st.as_str()) }
                    }
                }
                @if rows.is_empty() {
                    text x="0" y=(top + 16) fill="#888" { "no clashes" }
                }
                @for (r, (name, counts)) in rows.iter().enumerate() {
                    @let y = top + r * ROW_HEIGHT;
                    @let (bars, end) = segments(counts, max, bar_space);
                    text x="0" y=(y + 14) { title { (name) } (short_label(name)) }
                    @for b in &bars {
                        rect x=(b.x) y=(y + 2) width=(b.width) height=(BAR_HEIGHT) fill=(STATUS_COLOURS[b.status]) {
                            title { (Status::ALL[b.status].as_str()) ": " (b.count) }
                        }
                    }
                    text x=(end + 4) y=(y + 15) { (counts.iter().sum::<usize>()) }
                }
            }
        }
    }
}
