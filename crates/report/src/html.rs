//! HTML: one self-contained file (inline CSS, inline SVG charts, snapshots as `data:` URIs, no
//! scripts and no external resources), so that it can be mailed or archived and still open
//! years later, offline.
//!
//! Every piece of text that comes from a model or a report goes through [`escape`]: element
//! names come from IFC files written by anyone.

use crate::{
    distance_mm, fixed, kind_str, status_index, storey, summary, ungrouped, Snapshots, StatusCounts,
};
use base64::Engine as _;
use plumbline_review::{ClashRecord, Group, Grouping, Report, Status, TestReport};
use std::fmt::Write as _;

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

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The report as one self-contained HTML page: summary counts and bar charts (by status, test
/// and storey), then each test's groups with their clashes, each clash with its snapshot (from
/// `snapshots`, by clash id; a placeholder where there is none), status and explanation in
/// English and Chinese.
pub fn html(report: &Report, snapshots: &Snapshots) -> String {
    let mut h = String::new();
    // Writing to a String cannot fail.
    let _ = write_page(&mut h, report, snapshots);
    h
}

fn write_page(h: &mut String, report: &Report, snapshots: &Snapshots) -> std::fmt::Result {
    let s = summary(report);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>Plumbline clash report</title>\n<style>\n");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n<header>\n");
    h.push_str("<h1>Plumbline clash report <span class=\"zh\" lang=\"zh-Hans\">碰撞检查报告</span></h1>\n");
    h.push_str("<p class=\"meta\">Models:");
    for m in &report.models {
        write!(h, " <code>{}</code>", escape(m))?;
    }
    writeln!(h, "<br>Grouping: {}</p>\n</header>", escape(&grouping_text(report.grouping)))?;

    h.push_str(
        "<section id=\"summary\">\n<h2>Summary <span class=\"zh\" lang=\"zh-Hans\">汇总</span></h2>\n",
    );
    writeln!(
        h,
        "<p>{} in {} from {}.</p>",
        plural(s.clashes, "clash", "clashes"),
        plural(s.groups, "group", "groups"),
        plural(report.tests.len(), "test", "tests")
    )?;
    h.push_str("<div class=\"charts\">\n");
    let statuses: Vec<(String, StatusCounts)> = Status::ALL
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut c = [0; 5];
            c[i] = s.by_status[i];
            (format!("{} {}", st.as_str(), st.as_zh()), c)
        })
        .collect();
    chart(h, "By status 按状态", &statuses, false)?;
    chart(h, "By test 按规则", &s.by_test, true)?;
    chart(h, "By storey 按楼层", &s.by_storey, true)?;
    h.push_str("</div>\n");
    counts_table(h, "Test", &s.by_test)?;
    counts_table(h, "Storey", &s.by_storey)?;
    h.push_str("</section>\n");

    let loose = ungrouped(report);
    for (i, t) in report.tests.iter().enumerate() {
        write_test(h, i, t, snapshots)?;
        let orphans: Vec<&ClashRecord> = t.clashes.iter().filter(|c| loose.contains(c.id.as_str())).collect();
        if !orphans.is_empty() {
            h.push_str("<article class=\"group\">\n<h3>Clashes in no group</h3>\n");
            for c in orphans {
                write_clash(h, c, snapshots)?;
            }
            h.push_str("</article>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("<footer>Written by Plumbline.</footer>\n</body>\n</html>\n");
    Ok(())
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

fn write_test(h: &mut String, index: usize, t: &TestReport, snapshots: &Snapshots) -> std::fmt::Result {
    writeln!(h, "<section class=\"test\" id=\"test-{index}\">\n<h2>{}</h2>", escape(&t.name))?;
    let mut meta = format!("mode {}", escape(&t.mode));
    if t.mode != "clearance" {
        write!(meta, " · tolerance {} mm", fixed(t.tolerance_m * 1000.0, 1))?;
    } else {
        write!(meta, " · clearance {} mm", fixed(t.clearance_m * 1000.0, 1))?;
        if let Some(z) = &t.zone {
            write!(meta, " ({})", escape(z))?;
        }
    }
    writeln!(
        h,
        "<p class=\"meta\">{meta} · {} A elements · {} B elements · {} candidate pairs · {} in {}</p>",
        t.elements_a,
        t.elements_b,
        t.candidate_pairs,
        plural(t.clashes.len(), "clash", "clashes"),
        plural(t.groups.len(), "group", "groups")
    )?;
    for g in &t.groups {
        write_group(h, g, t, snapshots)?;
    }
    Ok(())
}

fn write_group(h: &mut String, g: &Group, t: &TestReport, snapshots: &Snapshots) -> std::fmt::Result {
    writeln!(h, "<article class=\"group\" id=\"group-{}\">", escape(&g.id))?;
    writeln!(
        h,
        "<h3>{} <span class=\"zh\" lang=\"zh-Hans\">{}</span></h3>",
        escape(&g.title.en),
        escape(&g.title.zh)
    )?;
    writeln!(
        h,
        "<p>{}<br><span class=\"zh\" lang=\"zh-Hans\">{}</span></p>",
        escape(&g.explanation.en),
        escape(&g.explanation.zh)
    )?;
    for id in &g.clash_ids {
        if let Some(c) = t.clashes.iter().find(|c| &c.id == id) {
            write_clash(h, c, snapshots)?;
        }
    }
    h.push_str("</article>\n");
    Ok(())
}

fn write_clash(h: &mut String, c: &ClashRecord, snapshots: &Snapshots) -> std::fmt::Result {
    let id = escape(&c.id);
    writeln!(h, "<div class=\"clash\" id=\"clash-{id}\">")?;
    match snapshots.get(&c.id) {
        Some(png) => writeln!(
            h,
            "<figure><img src=\"data:image/png;base64,{}\" alt=\"Snapshot of clash {id}: A red, B green\"></figure>",
            base64::engine::general_purpose::STANDARD.encode(png)
        )?,
        None => h.push_str("<figure><div class=\"nosnap\">no snapshot</div></figure>\n"),
    }
    let k = status_index(c.status);
    writeln!(
        h,
        "<div>\n<h4><code>{id}</code> <span class=\"badge\" style=\"background:{}\">{} · {}</span></h4>",
        STATUS_COLOURS[k],
        c.status.as_str(),
        c.status.as_zh()
    )?;
    h.push_str("<dl>\n");
    let distance = format!("{} mm{}", fixed(distance_mm(c), 1), if c.exact { "" } else { " (estimate)" });
    let p = format!("{}, {}, {}", fixed(c.point[0], 3), fixed(c.point[1], 3), fixed(c.point[2], 3));
    let rows: [(&str, String); 6] = [
        ("Kind", kind_str(c.kind).to_string()),
        ("Distance", distance),
        ("A (red)", element(&c.a)),
        ("B (green)", element(&c.b)),
        ("Storey", storey(c).unwrap_or("–").to_string()),
        ("Point (m)", p),
    ];
    for (name, value) in rows {
        writeln!(h, "<dt>{name}</dt><dd>{}</dd>", escape(&value))?;
    }
    h.push_str("</dl>\n");
    writeln!(
        h,
        "<p>{}<br><span class=\"zh\" lang=\"zh-Hans\">{}</span></p>\n</div>\n</div>",
        escape(&c.explanation.en),
        escape(&c.explanation.zh)
    )?;
    Ok(())
}

/// `IfcDuctSegment 'Duct D-3' (GlobalId, file)`.
fn element(e: &plumbline_review::ElementInfo) -> String {
    format!("{} ({}, {})", e.label(), e.global_id, e.file)
}

fn counts_table(h: &mut String, key: &str, rows: &[(String, StatusCounts)]) -> std::fmt::Result {
    write!(h, "<table>\n<thead><tr><th>{key}</th>")?;
    for st in Status::ALL {
        write!(h, "<th>{} <span lang=\"zh-Hans\">{}</span></th>", st.as_str(), st.as_zh())?;
    }
    h.push_str("<th>total</th></tr></thead>\n<tbody>\n");
    for (name, counts) in rows {
        write!(h, "<tr><td>{}</td>", escape(name))?;
        for n in counts {
            write!(h, "<td>{n}</td>")?;
        }
        writeln!(h, "<td>{}</td></tr>", counts.iter().sum::<usize>())?;
    }
    h.push_str("</tbody>\n</table>\n");
    Ok(())
}

/// Chart geometry, in SVG user units.
const CHART_WIDTH: usize = 520;
const LABEL_WIDTH: usize = 190;
const BAR_HEIGHT: usize = 18;
const ROW_HEIGHT: usize = 24;
/// Labels longer than this many characters are cut (the full text is in the tables below).
const LABEL_CHARS: usize = 26;

/// A horizontal bar chart, one bar per row, stacked by status; with `legend`, a legend of the
/// status colours above it.
fn chart(h: &mut String, title: &str, rows: &[(String, StatusCounts)], legend: bool) -> std::fmt::Result {
    let max = rows.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let top = if legend { 22 } else { 0 };
    let height = top + rows.len().max(1) * ROW_HEIGHT + 4;
    let bar_space = CHART_WIDTH - LABEL_WIDTH - 50;
    writeln!(h, "<figure class=\"chart\">\n<h3>{}</h3>", escape(title))?;
    writeln!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{CHART_WIDTH}\" height=\"{height}\" viewBox=\"0 0 {CHART_WIDTH} {height}\" role=\"img\" aria-label=\"{}\" font-size=\"12\">",
        escape(title)
    )?;
    if legend {
        for (i, st) in Status::ALL.iter().enumerate() {
            let x = i * 100;
            writeln!(
                h,
                "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"14\">{}</text>",
                STATUS_COLOURS[i],
                x + 16,
                st.as_str()
            )?;
        }
    }
    if rows.is_empty() {
        writeln!(h, "<text x=\"0\" y=\"{}\" fill=\"#888\">no clashes</text>", top + 16)?;
    }
    for (r, (name, counts)) in rows.iter().enumerate() {
        let y = top + r * ROW_HEIGHT;
        let label: String = if name.chars().count() > LABEL_CHARS {
            name.chars().take(LABEL_CHARS - 1).chain(['…']).collect()
        } else {
            name.clone()
        };
        writeln!(
            h,
            "<text x=\"0\" y=\"{}\"><title>{}</title>{}</text>",
            y + 14,
            escape(name),
            escape(&label)
        )?;
        // Integer pixel widths, accumulated, so that stacked segments meet exactly.
        let mut x = LABEL_WIDTH;
        let mut cumulative = 0;
        for (i, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let end = LABEL_WIDTH + (cumulative + n) * bar_space / max;
            cumulative += n;
            let w = end.saturating_sub(x).max(1);
            writeln!(
                h,
                "<rect x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{BAR_HEIGHT}\" fill=\"{}\"><title>{}: {n}</title></rect>",
                y + 2,
                STATUS_COLOURS[i],
                Status::ALL[i].as_str()
            )?;
            x += w;
        }
        let total: usize = counts.iter().sum();
        writeln!(h, "<text x=\"{}\" y=\"{}\">{total}</text>", x + 4, y + 15)?;
    }
    h.push_str("</svg>\n</figure>\n");
    Ok(())
}
