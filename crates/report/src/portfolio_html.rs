//! The portfolio report as one self-contained HTML page (`portfolio.html` of `plumbline
//! batch`): what a programme manager of hundreds of sites reads first. A header with the
//! programme's totals, bar charts (the worst sites, open clashes by discipline and by region)
//! as inline SVG, then every site worst first with its counts, its trend as a sparkline and
//! links to its own reports. No scripts and no external resources, so that the page opens
//! offline and can be mailed or archived.
//!
//! The page is a `maud` template, as the clash report is: every site name, region and error
//! (written by whoever wrote the portfolio file, or by a failing parser) is escaped by
//! construction. The one thing written unescaped is the style sheet, a constant of this file.
//! The page carries no time but the portfolio's own `generated`, so the same portfolio gives
//! the same bytes.

use crate::labels::{self, same, Label};
use crate::portfolio::{Discipline, Portfolio, SiteOutcome, SiteResult, TrendPoint, WORST_SITES_CHARTED};
use crate::Lang;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use plumbline_review::Text;

/// The colour of open clashes in the charts.
const OPEN_COLOUR: &str = "#4e79a7";
/// The colour of clashes needed soon: they are what needs action first.
const SOON_COLOUR: &str = "#d62728";

const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;margin:0 auto;max-width:1500px;padding:1.5em;color:#222;background:#fff}
h1{font-size:1.7em;margin:.1em 0}h2{border-bottom:2px solid #dde4ee;padding-bottom:.2em;margin-top:1.6em;font-size:1.25em}
.kicker{color:#555;margin:0}.zh{color:#555}.meta{color:#555;font-size:.92em;margin:.2em 0}
.kpis{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}.kpi{background:#f2f5f9;border-radius:6px;padding:.45em .9em;min-width:6.5em}
.kpi b{display:block;font-size:1.55em}.kpi.alert{background:#fdecea;color:#8c1d18}.kpi.warn{background:#fff4de;color:#7a4f01}
.notes{color:#555;font-size:.88em;margin:.4em 0;padding-left:1.2em}
.charts{display:flex;flex-wrap:wrap;gap:1.2em 2.5em;align-items:flex-start}.chart{margin:0}.chart h3{font-size:1em;margin:.4em 0}
.chart p{color:#555;font-size:.85em;margin:.2em 0;max-width:560px}
table{border-collapse:collapse;font-size:.86em}
th,td{border-bottom:1px solid #dde3ea;padding:.25em .4em;text-align:right;white-space:nowrap}
th{background:#dde4ee;position:sticky;top:0;vertical-align:bottom;white-space:normal;font-size:.9em}.t{text-align:left}
th.d{font-size:.8em;font-weight:600}
tr.failed td{background:#fdecea}tr.incomplete td{background:#fff8e6}
td.error{color:#8c1d18;white-space:normal;text-align:left;max-width:48em}
.badge{display:inline-block;border-radius:3px;padding:0 .45em;color:#fff;font-size:.9em;font-weight:600}
.b-ok{background:#2ca02c}.b-incomplete{background:#b7791f}.b-failed{background:#b3261e}
.soon{color:#b3261e;font-weight:700}.muted{color:#999}.up{color:#b3261e}.down{color:#1b6e3a}
td.spark svg{vertical-align:middle}td.spark span{display:inline-block;min-width:2.6em;font-size:.9em}
a{color:#1f5fa8}footer{margin-top:2em;color:#888;font-size:.85em}
";

/// The portfolio as one self-contained HTML page with labels in `lang`; site names, regions
/// and errors stay as written. The same portfolio gives the same bytes.
pub fn portfolio_html(p: &Portfolio, lang: Lang) -> String {
    let mut page = page(p, lang).into_string();
    // The template writes no whitespace between tags; the file still ends with a newline, as
    // text files do.
    page.push('\n');
    page
}

/// Text in `lang`; in [`Lang::Both`] the Chinese follows the English, marked as Chinese so that
/// browsers pick a Chinese font and screen readers a Chinese voice.
fn bi(lang: Lang, t: &Text) -> Markup {
    html! {
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

/// The colon between a label and its value: Chinese writes a full-width one, with no space.
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En | Lang::Both => ": ",
    }
}

/// A template with one number filled in.
fn with_number(l: Label, n: impl ToString) -> Text {
    l.fill(&[same(n.to_string())])
}

/// The page's language: a Chinese page is `zh-Hans` (so that browsers pick Simplified Chinese
/// glyphs); a bilingual one is English with its Chinese parts marked.
fn page_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh-Hans",
        Lang::En | Lang::Both => "en",
    }
}

fn page(p: &Portfolio, lang: Lang) -> Markup {
    let t = &p.totals;
    let needed = with_number(labels::NEEDED_WITHIN, p.needed_within_days);
    let disciplines = p.by_discipline();
    html! {
        (DOCTYPE)
        html lang=(page_lang(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (labels::PORTFOLIO_TITLE.pick(lang)) " — " (p.name) }
                // The style sheet is a constant of this file, and CSS is not HTML text: escaping
                // would break its quotes.
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    p class="kicker" { (label(lang, labels::PORTFOLIO_TITLE)) }
                    h1 { (p.name) }
                    p class="meta" { (label(lang, labels::GENERATED)) (colon(lang)) (p.generated) }
                    div class="kpis" {
                        (kpi(lang, &labels::SITES.text(), t.sites, ""))
                        (kpi(lang, &labels::SITES_RAN.text(), t.ok, ""))
                        (kpi(lang, &labels::OUTCOME_INCOMPLETE.text(), t.incomplete, if t.incomplete > 0 { "warn" } else { "" }))
                        (kpi(lang, &labels::OUTCOME_FAILED.text(), t.failed, if t.failed > 0 { "alert" } else { "" }))
                        (kpi(lang, &labels::OPEN.text(), t.open, ""))
                        (kpi(lang, &labels::NEW.text(), t.new, ""))
                        (kpi(lang, &labels::RESOLVED.text(), t.resolved, ""))
                        (kpi(lang, &needed, t.needed_soon, if t.needed_soon > 0 { "alert" } else { "" }))
                    }
                    ul class="notes" {
                        li { (bi(lang, &with_number(labels::NEEDED_NOTE, p.needed_within_days))) }
                        @if t.incomplete > 0 { li { (label(lang, labels::INCOMPLETE_NOTE)) } }
                        @if t.failed > 0 { li { (label(lang, labels::FAILED_NOTE)) } }
                    }
                }
                section id="charts" class="charts" {
                    (worst_chart(p, lang))
                    div {
                        (discipline_chart(&disciplines, lang))
                        (region_chart(p, lang))
                    }
                }
                section id="sites" {
                    h2 { (label(lang, labels::SITES_TABLE)) }
                    p class="meta" { (bi(lang, &with_number(labels::ORDER_NOTE, p.needed_within_days))) }
                    (site_table(p, &disciplines, lang))
                }
                footer { (label(lang, labels::FOOTER)) }
            }
        }
    }
}

/// One of the header's totals; `class` marks it as a warning or an alert.
fn kpi(lang: Lang, name: &Text, value: usize, class: &str) -> Markup {
    html! {
        div class=(if class.is_empty() { "kpi".to_string() } else { format!("kpi {class}") }) {
            (bi(lang, name)) b { (value) }
        }
    }
}

/// One bar of a chart: `total` drawn in the open colour, the first `part` of it over-drawn in
/// the needed-soon colour; `tooltip` says both in words.
struct Bar {
    name: String,
    total: usize,
    part: usize,
    tooltip: String,
}

/// Chart geometry, in SVG user units.
const CHART_WIDTH: usize = 560;
/// The room for the bars' names: as wide as the longest name needs, within these bounds.
const MIN_LABEL_WIDTH: usize = 90;
const MAX_LABEL_WIDTH: usize = 230;
const BAR_HEIGHT: usize = 16;
const ROW_HEIGHT: usize = 22;
/// The chart's font size; text widths below are estimated from it.
const FONT_PX: usize = 12;
/// Room right of the longest bar for its numbers.
const VALUE_SPACE: usize = 90;
const LEGEND_LINE: usize = 20;

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

/// A name cut to `space` pixels, with an ellipsis where it was cut (the full name is in the
/// tooltip and the table).
fn short_label(name: &str, space: usize) -> String {
    if text_px(name) <= space {
        return name.to_string();
    }
    let mut out = String::new();
    let mut used = char_px('…');
    for c in name.chars() {
        used += char_px(c);
        if used > space {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Where each legend entry goes (x, line), flowing left to right and onto a new line when the
/// next would pass the chart's width; and how many lines there are.
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

/// A bar's width in pixels for `value` of `max` over `space`: at least one pixel for a value
/// that is not zero, so that no count disappears.
fn bar_px(value: usize, max: usize, space: usize) -> usize {
    if value == 0 {
        0
    } else {
        (value * space / max.max(1)).max(1)
    }
}

/// A horizontal bar chart titled `title`, one bar per row; `legend` names the colours (none
/// for a one-colour chart); `note` is a line under the title.
fn bar_chart(
    title: &Text,
    note: Option<Label>,
    bars: &[Bar],
    legend: &[(&str, String)],
    lang: Lang,
) -> Markup {
    let max = bars.iter().map(|b| b.total.max(b.part)).max().unwrap_or(0).max(1);
    let names: Vec<String> = legend.iter().map(|(_, n)| n.clone()).collect();
    let (places, lines) = legend_layout(&names);
    let top = if legend.is_empty() { 0 } else { lines * LEGEND_LINE + 4 };
    let height = top + bars.len().max(1) * ROW_HEIGHT + 4;
    let label_width = (bars.iter().map(|b| text_px(&b.name)).max().unwrap_or(0) + 10)
        .clamp(MIN_LABEL_WIDTH, MAX_LABEL_WIDTH);
    let space = CHART_WIDTH - label_width - VALUE_SPACE;
    let aria = labels::pick(lang, title);
    html! {
        figure class="chart" {
            h3 { (bi(lang, title)) }
            @if let Some(n) = note { p { (label(lang, n)) } }
            svg xmlns="http://www.w3.org/2000/svg" width=(CHART_WIDTH) height=(height)
                viewBox={ "0 0 " (CHART_WIDTH) " " (height) } role="img" aria-label=(aria)
                font-size=(FONT_PX) {
                @for (i, (x, line)) in places.iter().enumerate() {
                    @let y = line * LEGEND_LINE;
                    // maud has no `/>`; `<rect></rect>` is the same SVG element.
                    rect x=(x) y=(y + 4) width="12" height="12" fill=(legend[i].0) {}
                    text x=(x + 16) y=(y + 14) { (names[i]) }
                }
                @if bars.is_empty() {
                    text x="0" y=(top + 16) fill="#888" { (labels::NO_CLASHES.pick(lang)) }
                }
                @for (r, b) in bars.iter().enumerate() {
                    @let y = top + r * ROW_HEIGHT;
                    @let total_px = bar_px(b.total, max, space);
                    @let part_px = bar_px(b.part, max, space);
                    g {
                        title { (b.tooltip) }
                        text x="0" y=(y + 13) { (short_label(&b.name, label_width - 10)) }
                        @if total_px > 0 {
                            rect x=(label_width) y=(y + 1) width=(total_px) height=(BAR_HEIGHT) fill=(OPEN_COLOUR) {}
                        }
                        @if part_px > 0 {
                            rect x=(label_width) y=(y + 1) width=(part_px) height=(BAR_HEIGHT) fill=(SOON_COLOUR) {}
                        }
                        text x=(label_width + total_px.max(part_px) + 4) y=(y + 13) {
                            (b.total)
                            @if b.part > 0 {
                                " " tspan fill=(SOON_COLOUR) font-weight="700" { "(" (b.part) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The words of a bar's tooltip: its name, its open clashes and those needed soon.
fn open_tooltip(name: &str, open: usize, soon: Option<usize>, p: &Portfolio, lang: Lang) -> String {
    let mut t = format!("{name}: {} {open}", labels::OPEN.pick(lang));
    if let Some(soon) = soon {
        let needed = labels::pick(lang, &with_number(labels::NEEDED_WITHIN, p.needed_within_days));
        t.push_str(&format!(" · {needed} {soon}"));
    }
    t
}

/// The legend of the charts that draw open clashes with those needed soon over them.
fn open_legend(p: &Portfolio, lang: Lang) -> Vec<(&'static str, String)> {
    vec![
        (OPEN_COLOUR, labels::OPEN.pick(lang)),
        (SOON_COLOUR, labels::pick(lang, &with_number(labels::OF_WHICH_NEEDED, p.needed_within_days))),
    ]
}

/// The worst sites (at most [`WORST_SITES_CHARTED`]): open clashes, those needed soon over them.
fn worst_chart(p: &Portfolio, lang: Lang) -> Markup {
    let worst = p.worst_sites(WORST_SITES_CHARTED);
    let bars: Vec<Bar> = worst
        .iter()
        .map(|s| Bar {
            name: s.name.clone(),
            total: s.clashes.open,
            part: s.needed_soon,
            tooltip: open_tooltip(&s.name, s.clashes.open, s.has_schedule.then_some(s.needed_soon), p, lang),
        })
        .collect();
    let title = with_number(labels::CHART_WORST_SITES, bars.len());
    bar_chart(&title, None, &bars, &open_legend(p, lang), lang)
}

/// Open clashes by discipline, summed over every site.
fn discipline_chart(disciplines: &[(Discipline, usize)], lang: Lang) -> Markup {
    let bars: Vec<Bar> = disciplines
        .iter()
        .map(|&(d, n)| {
            let name = labels::discipline(d).pick(lang);
            Bar { tooltip: format!("{name}: {n}"), name, total: n, part: 0 }
        })
        .collect();
    bar_chart(&labels::CHART_BY_DISCIPLINE.text(), Some(labels::DISCIPLINE_NOTE), &bars, &[], lang)
}

/// Open clashes by region, those needed soon over them.
fn region_chart(p: &Portfolio, lang: Lang) -> Markup {
    let bars: Vec<Bar> = p
        .by_region()
        .into_iter()
        .map(|(region, sites, open, soon)| {
            let name = region.unwrap_or_else(|| labels::NO_REGION.pick(lang));
            let mut tooltip = open_tooltip(&name, open, Some(soon), p, lang);
            tooltip.push_str(&format!(" · {} {sites}", labels::SITES.pick(lang)));
            Bar { name, total: open, part: soon, tooltip }
        })
        .collect();
    bar_chart(&labels::CHART_BY_REGION.text(), None, &bars, &open_legend(p, lang), lang)
}

/// The order a site's report links are listed in: the ones people open first, first.
const REPORT_ORDER: [&str; 5] = ["html", "xlsx", "bcf", "csv", "json"];

/// A site's reports in [`REPORT_ORDER`], any other format after them by name.
fn report_links(s: &SiteResult) -> Vec<(&str, &str)> {
    let rank = |f: &str| REPORT_ORDER.iter().position(|&o| o == f).unwrap_or(REPORT_ORDER.len());
    let mut links: Vec<(&str, &str)> = s.reports.iter().map(|(f, p)| (f.as_str(), p.as_str())).collect();
    links.sort_by_key(|&(f, _)| (rank(f), f));
    links
}

/// A relative path as a URL: `\` becomes `/` and every byte but letters, digits, `-._~/` is
/// percent-encoded, so that a site named `#3 50% done` still links to its folder.
fn href(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The site table, worst first: counts, disciplines (those with clashes anywhere), trend and
/// report links. A failed site's error takes the place of its counts.
fn site_table(p: &Portfolio, disciplines: &[(Discipline, usize)], lang: Lang) -> Markup {
    let needed = with_number(labels::NEEDED_WITHIN, p.needed_within_days);
    // Open, new, resolved, needed soon, first needed by, then the disciplines.
    let count_columns = 5 + disciplines.len();
    html! {
        table {
                thead {
                    tr {
                        th { (label(lang, labels::RANK)) }
                        th class="t" { (label(lang, labels::SITE)) }
                        th class="t" { (label(lang, labels::REGION)) }
                        th class="t" { (label(lang, labels::OUTCOME)) }
                        th { (label(lang, labels::OPEN)) }
                        th { (label(lang, labels::NEW)) }
                        th { (label(lang, labels::RESOLVED)) }
                        th { (bi(lang, &needed)) }
                        th { (label(lang, labels::FIRST_NEEDED_BY)) }
                        @for (d, _) in disciplines {
                            th class="d" { (label(lang, labels::discipline(*d))) }
                        }
                        th class="t" { (label(lang, labels::TREND_OPEN)) }
                        th class="t" { (label(lang, labels::REPORTS)) }
                    }
                }
                tbody {
                    @for (i, s) in p.sites.iter().enumerate() {
                        (site_row(i + 1, s, disciplines, count_columns, lang))
                    }
                }
        }
    }
}

fn outcome_class(o: SiteOutcome) -> &'static str {
    match o {
        SiteOutcome::Ok => "ok",
        SiteOutcome::Incomplete => "incomplete",
        SiteOutcome::Failed => "failed",
    }
}

fn site_row(
    rank: usize,
    s: &SiteResult,
    disciplines: &[(Discipline, usize)],
    count_columns: usize,
    lang: Lang,
) -> Markup {
    let class = outcome_class(s.outcome);
    let html_report = s.reports.get("html");
    html! {
        tr class=(class) id={ "site-" (rank) } {
            td { (rank) }
            td class="t" {
                @if let Some(path) = html_report { a href=(href(path)) { (s.name) } } @else { (s.name) }
                @if s.project != s.name { " " span class="muted" { "(" (s.project) ")" } }
            }
            td class="t" { (s.region.as_deref().unwrap_or("")) }
            td class="t" {
                span class={ "badge b-" (class) } { (labels::outcome(s.outcome).pick(lang)) }
            }
            @if s.outcome == SiteOutcome::Failed {
                td class="error" colspan=(count_columns) {
                    (label(lang, labels::ERROR)) (colon(lang)) (s.error.as_deref().unwrap_or(""))
                }
            } @else {
                td { (s.clashes.open) }
                td { (s.clashes.new) }
                td { (s.clashes.resolved) }
                @if s.has_schedule {
                    td class=[(s.needed_soon > 0).then_some("soon")] { (s.needed_soon) }
                    td { (s.first_needed_by.as_deref().unwrap_or("")) }
                } @else {
                    td class="muted" colspan="2" { (label(lang, labels::NO_SCHEDULE)) }
                }
                @for (d, _) in disciplines {
                    @let n = s.by_discipline.get(d.key()).copied().unwrap_or(0);
                    td class=[(n == 0).then_some("muted")] { (n) }
                }
            }
            td class="t spark" { (sparkline(&s.trend, lang)) }
            td class="t" {
                @for (i, (format, path)) in report_links(s).into_iter().enumerate() {
                    @if i > 0 { " · " }
                    a href=(href(path)) { (format.to_ascii_uppercase()) }
                }
            }
        }
    }
}

/// Sparkline geometry, in SVG user units.
const SPARK_WIDTH: usize = 84;
const SPARK_HEIGHT: usize = 22;
const SPARK_PAD: usize = 3;

/// The trend's open clashes as a small line, oldest run left, this run a dot at the right
/// (red when it rose since the previous run, green when it fell), then the change in numbers.
fn sparkline(trend: &[TrendPoint], lang: Lang) -> Markup {
    let Some(last) = trend.last() else {
        return html! { span class="muted" { "–" } };
    };
    let max = trend.iter().map(|t| t.open).max().unwrap_or(0).max(1) as f64;
    let n = trend.len();
    let inner_w = (SPARK_WIDTH - 2 * SPARK_PAD) as f64;
    let inner_h = (SPARK_HEIGHT - 2 * SPARK_PAD) as f64;
    let x = |i: usize| {
        if n == 1 {
            SPARK_WIDTH as f64 - SPARK_PAD as f64
        } else {
            SPARK_PAD as f64 + inner_w * i as f64 / (n - 1) as f64
        }
    };
    // One run has no trend yet: its dot sits at mid-height.
    let y = |open: usize| {
        if n == 1 {
            SPARK_HEIGHT as f64 / 2.0
        } else {
            SPARK_PAD as f64 + inner_h * (1.0 - open as f64 / max)
        }
    };
    let points: Vec<String> =
        trend.iter().enumerate().map(|(i, t)| format!("{:.1},{:.1}", x(i), y(t.open))).collect();
    let change =
        trend.len().checked_sub(2).and_then(|i| trend.get(i)).map(|prev| last.open as i64 - prev.open as i64);
    let (colour, class, delta) = match change {
        Some(d) if d > 0 => (SOON_COLOUR, "up", format!("+{d}")),
        Some(d) if d < 0 => ("#1b6e3a", "down", format!("−{}", -d)),
        Some(_) => ("#666", "muted", "±0".to_string()),
        None => ("#666", "muted", String::new()),
    };
    // The runs' dates and counts, for the tooltip: the date part of each run's time.
    let runs: Vec<String> =
        trend.iter().map(|t| format!("{}: {}", t.at.get(..10).unwrap_or(&t.at), t.open)).collect();
    let tooltip = format!("{} — {}", labels::TREND_OPEN.pick(lang), runs.join(" · "));
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(SPARK_WIDTH) height=(SPARK_HEIGHT)
            viewBox={ "0 0 " (SPARK_WIDTH) " " (SPARK_HEIGHT) } role="img" aria-label=(tooltip) {
            title { (tooltip) }
            @if n > 1 {
                polyline fill="none" stroke=(OPEN_COLOUR) stroke-width="1.5" points=(points.join(" ")) {}
            }
            circle cx=(format!("{:.1}", x(n - 1))) cy=(format!("{:.1}", y(last.open))) r="2.5" fill=(colour) {}
        }
        " " span class=(class) { (delta) }
    }
}
