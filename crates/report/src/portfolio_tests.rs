//! The portfolio reports: the page as a snapshot in English and Chinese, no English label in a
//! Chinese page or workbook, model data escaped and kept as written, the workbook's numbers and
//! dates read back, and the same bytes twice.

use crate::labels::ALL;
use crate::portfolio::{ClashCounts, Portfolio, SiteOutcome, SiteResult, TrendPoint};
use crate::tests::zip_entries;
use crate::{portfolio_html, portfolio_xlsx, Lang};
use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeMap;

fn trend(open: &[usize]) -> Vec<TrendPoint> {
    open.iter()
        .enumerate()
        .map(|(i, &n)| TrendPoint {
            at: format!("2027-02-{:02}T08:00:00Z", 1 + 7 * i),
            found: n + 1,
            open: n,
            new: 0,
            resolved: 0,
        })
        .collect()
}

fn reports(folder: &str, formats: &[&str]) -> BTreeMap<String, String> {
    formats
        .iter()
        .map(|f| {
            let file = if *f == "bcf" { "clashes.bcfzip".to_string() } else { format!("clashes.{f}") };
            (f.to_string(), format!("{folder}/{file}"))
        })
        .collect()
}

fn site(name: &str, region: Option<&str>, outcome: SiteOutcome) -> SiteResult {
    SiteResult {
        name: name.into(),
        region: region.map(str::to_string),
        project: name.into(),
        outcome,
        error: None,
        models: vec![format!("sites/{name}/model.ifc")],
        model_bytes: 1_000_000,
        elements: 1200,
        clashes: ClashCounts::default(),
        by_discipline: BTreeMap::new(),
        has_schedule: false,
        needed_soon: 0,
        first_needed_by: None,
        trend: vec![],
        reports: BTreeMap::new(),
    }
}

/// Four sites: a branch with clashes needed soon, an incomplete data hall without a schedule, a
/// failed site whose name and error need escaping, and a clean site without a region.
pub(crate) fn sample_portfolio() -> Portfolio {
    let mut branch = site("上海陆家嘴支行", Some("华东"), SiteOutcome::Ok);
    branch.clashes =
        ClashCounts { found: 14, open: 12, new: 5, active: 4, reviewed: 3, approved: 2, resolved: 3 };
    branch.by_discipline = [("hvac", 7), ("structure", 5), ("electrical", 3), ("plumbing", 2)]
        .map(|(k, n)| (k.into(), n))
        .into();
    branch.has_schedule = true;
    branch.needed_soon = 4;
    branch.first_needed_by = Some("2027-03-08".into());
    branch.trend = trend(&[20, 15, 10, 12]);
    branch.reports = reports("上海陆家嘴支行", &["html", "bcf", "json"]);

    let mut hall = site("北京国贸数据中心", Some("华北"), SiteOutcome::Incomplete);
    hall.clashes =
        ClashCounts { found: 30, open: 30, new: 30, active: 0, reviewed: 0, approved: 0, resolved: 0 };
    hall.by_discipline =
        [("hvac", 20), ("fire_protection", 12), ("other", 1)].map(|(k, n)| (k.into(), n)).into();
    hall.trend = trend(&[30]);
    hall.reports = reports("北京国贸数据中心", &["html", "xlsx"]);

    let mut failed = site("sz-0007 <Futian> & Co", Some("华南"), SiteOutcome::Failed);
    failed.error = Some("sites/sz-0007/model.ifc: not an IFC file (starts with \"<html>\")".into());
    failed.elements = 0;

    let mut clean = site("gz-0002", None, SiteOutcome::Ok);
    clean.clashes.resolved = 6;
    clean.has_schedule = true;
    clean.trend = trend(&[6, 3, 0]);
    clean.reports = reports("gz-0002", &["html"]);

    Portfolio::new(
        "银行网点改造 2027".into(),
        "2027-03-01T09:30:00Z".into(),
        14,
        vec![clean, hall, failed, branch],
    )
}

/// Every label's English and Chinese texts.
fn every_label() -> Vec<(&'static str, &'static str)> {
    ALL.iter().map(|l| (l.en, l.zh)).collect()
}

/// The parts of a label a page shows, without its `{0}` placeholders.
fn fragments(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push(rest[..start].to_string());
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    out.push(rest.to_string());
    out.into_iter().map(|f| f.trim().to_string()).filter(|f| !f.is_empty()).collect()
}

/// The text a reader sees on a page: text between tags (the style sheet left out) and the
/// `aria-label` attributes, entities decoded, one piece per line.
fn visible_text(page: &str) -> String {
    let page = match (page.find("<style>"), page.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &page[..a], &page[b..]),
        _ => page.to_string(),
    };
    let mut out = String::new();
    let mut rest = page.as_str();
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push('\n');
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c);
        let tag = &rest[open..close];
        if let Some(a) = tag.find("aria-label=\"") {
            let value = &tag[a + "aria-label=\"".len()..];
            out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
            out.push('\n');
        }
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Whether `word` occurs in `text` as a whole word (no ASCII letter or digit right before or
/// after it), so that `New` is not found in `Newton`.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x9FFF | 0xFF00..=0xFFEF)
}

/// Fails when `text` (a Chinese report's) shows an English label, or (an English report's) a
/// Chinese one.
fn assert_one_language(text: &str, lang: Lang) {
    for (en, zh) in every_label() {
        match lang {
            Lang::Zh => {
                for f in
                    fragments(en).iter().filter(|f| f.chars().filter(char::is_ascii_alphabetic).count() >= 2)
                {
                    assert!(!has_word(text, f), "English label {f:?} in the Chinese report:\n{text}");
                }
            }
            Lang::En => {
                for f in fragments(zh).iter().filter(|f| f.chars().any(is_cjk)) {
                    assert!(!text.contains(f.as_str()), "Chinese label {f:?} in the English report:\n{text}");
                }
            }
            Lang::Both => {}
        }
    }
}

#[test]
fn html_snapshot_en() {
    insta::assert_snapshot!(portfolio_html(&sample_portfolio(), Lang::En));
}

#[test]
fn html_snapshot_zh() {
    insta::assert_snapshot!(portfolio_html(&sample_portfolio(), Lang::Zh));
}

#[test]
fn chinese_page_shows_no_english_label_and_english_page_no_chinese_one() {
    let p = sample_portfolio();
    let zh = portfolio_html(&p, Lang::Zh);
    assert!(zh.contains("<html lang=\"zh-Hans\">"));
    let zh_text = visible_text(&zh);
    assert_one_language(&zh_text, Lang::Zh);
    for label in [
        "项目组合碰撞报告",
        "生成时间：2027-03-01T09:30:00Z",
        "14 天内需解决",
        "其中 14 天内需解决",
        "最需关注的 2 个站点：未解决碰撞",
        "按专业统计未解决碰撞",
        "按区域统计未解决碰撞",
        "（无区域）",
        "暖通",
        "消防",
        "结构",
        "给排水",
        "电气",
        "其他",
        "不完整",
        "失败",
        "错误：sites/sz-0007/model.ifc",
        "无进度计划",
        "站点（按严重程度排序）",
    ] {
        assert!(zh_text.contains(label), "{label} missing:\n{zh_text}");
    }
    // Model data stays as written, in every language.
    assert!(zh_text.contains("sz-0007 <Futian> & Co") && zh_text.contains("not an IFC file"));
    let en = portfolio_html(&p, Lang::En);
    assert!(en.contains("<html lang=\"en\">"));
    let en_text = visible_text(&en);
    assert_one_language(&en_text, Lang::En);
    assert!(
        en_text.contains("上海陆家嘴支行")
            && en_text.contains("华东")
            && en_text.contains("银行网点改造 2027")
    );
    assert!(
        en_text.contains("Needed within 14 days")
            && en_text.contains("HVAC")
            && en_text.contains("Fire protection")
    );
    let both = visible_text(&portfolio_html(&p, Lang::Both));
    assert!(both.contains("Open / 未解决") && both.contains("Portfolio clash report"), "{both}");
}

#[test]
fn the_page_escapes_model_data_flags_failed_and_incomplete_sites_and_links_reports() {
    let page = portfolio_html(&sample_portfolio(), Lang::En);
    assert!(!page.contains("<Futian>") && !page.contains("<html>\""), "names and errors are escaped");
    assert!(page.contains("sz-0007 &lt;Futian&gt; &amp; Co"));
    assert!(page.contains("tr class=\"failed\""), "the failed site's row is marked");
    assert!(page.contains("tr class=\"incomplete\""), "the incomplete site's row is marked");
    assert!(page
        .contains("Error: sites/sz-0007/model.ifc: not an IFC file (starts with &quot;&lt;html&gt;&quot;)"));
    // Worst first: the failed site, then the branch (clashes needed soon), the hall, the clean
    // site.
    let order: Vec<usize> = ["sz-0007", "上海陆家嘴支行", "北京国贸数据中心", "gz-0002"]
        .iter()
        .map(|n| page.rfind(&format!(">{n}")).or_else(|| page.rfind(n)).expect("listed"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Relative links to the site's reports, percent-encoded.
    assert!(page.contains("href=\"gz-0002/clashes.html\""));
    assert!(page.contains("href=\"%E4%B8%8A%E6%B5%B7"), "non-ASCII folders are encoded");
    assert!(page.contains("<polyline"), "sparklines");
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("https://"), "no network");
    assert_eq!(page, portfolio_html(&sample_portfolio(), Lang::En), "deterministic");
}

#[test]
fn an_empty_portfolio_still_renders() {
    let p = Portfolio::new("empty".into(), "2027-03-01T00:00:00Z".into(), 14, vec![]);
    for lang in [Lang::En, Lang::Zh, Lang::Both] {
        let page = portfolio_html(&p, lang);
        assert!(page.contains("</html>"));
        let bytes = portfolio_xlsx(&p, lang).expect("writes");
        assert!(!bytes.is_empty());
    }
}

fn open_book(bytes: &[u8]) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("opens")
}

#[test]
fn workbook_reads_back_with_the_numbers_and_dates() {
    let p = sample_portfolio();
    let bytes = portfolio_xlsx(&p, Lang::En).expect("writes");
    assert_eq!(bytes, portfolio_xlsx(&p, Lang::En).expect("writes"), "deterministic");
    let mut book = open_book(&bytes);
    assert_eq!(book.sheet_names(), ["Summary", "Sites", "Trend"]);

    let summary = book.worksheet_range("Summary").expect("summary");
    let text = |r: u32, c: u32| summary.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(text(0, 0), "Portfolio clash report");
    assert_eq!((text(1, 1), text(2, 1)), ("银行网点改造 2027".into(), "2027-03-01T09:30:00Z".into()));
    let totals: Vec<(String, Option<&Data>)> =
        (4..12).map(|r| (text(r, 0), summary.get_value((r, 1)))).collect();
    let f = |n: f64| Some(Data::Float(n));
    assert_eq!(
        totals.iter().map(|(l, v)| (l.as_str(), v.cloned())).collect::<Vec<_>>(),
        [
            ("Sites", f(4.0)),
            ("Ran", f(3.0)),
            ("Incomplete", f(1.0)),
            ("Failed", f(1.0)),
            ("Open", f(42.0)),
            ("New", f(35.0)),
            ("Resolved", f(9.0)),
            ("Needed within 14 days", f(4.0)),
        ]
    );

    let sites = book.worksheet_range("Sites").expect("sites");
    let cell = |r: u32, c: u32| sites.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(sites.get_size().0, 5, "a header and four sites");
    let header: Vec<String> = (0..20).map(|c| cell(0, c).to_string()).collect();
    assert_eq!(
        header,
        [
            "Rank",
            "Site",
            "Region",
            "Project",
            "Outcome",
            "Open",
            "New",
            "Resolved",
            "Needed within 14 days",
            "First needed by",
            "Structure",
            "Architecture",
            "HVAC",
            "Plumbing",
            "Electrical",
            "Fire protection",
            "Other",
            "Trend (open)",
            "Error",
            "Reports",
        ]
    );
    // The failed site first, with its error and no counts.
    assert_eq!(cell(1, 1).to_string(), "sz-0007 <Futian> & Co");
    assert_eq!(cell(1, 4).to_string(), "Failed");
    assert_eq!(cell(1, 5), Data::Empty);
    assert!(cell(1, 18).to_string().contains("not an IFC file"));
    // The branch: numbers as numbers, the date as a date.
    assert_eq!(cell(2, 1).to_string(), "上海陆家嘴支行");
    assert_eq!(
        (cell(2, 5), cell(2, 6), cell(2, 7), cell(2, 8)),
        (Data::Float(12.0), Data::Float(5.0), Data::Float(3.0), Data::Float(4.0))
    );
    match cell(2, 9) {
        // Excel's day number of 2027-03-08.
        Data::DateTime(d) => assert_eq!((d.is_datetime(), d.as_f64()), (true, 46454.0)),
        other => panic!("first needed by is a date: {other:?}"),
    }
    assert_eq!(
        (cell(2, 10), cell(2, 12), cell(2, 11)),
        (Data::Float(5.0), Data::Float(7.0), Data::Float(0.0))
    );
    assert_eq!(cell(2, 19).to_string(), "上海陆家嘴支行/clashes.html");
    // The hall has no schedule: no needed-soon count rather than a misleading zero.
    assert_eq!(
        (cell(3, 4).to_string(), cell(3, 5), cell(3, 8)),
        ("Incomplete".into(), Data::Float(30.0), Data::Empty)
    );

    let trend = book.worksheet_range("Trend").expect("trend");
    let t = |r: u32, c: u32| trend.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(t(0, 9).to_string(), "This run");
    assert_eq!(t(0, 8).to_string(), "Previous run");
    assert_eq!(t(0, 7).to_string(), "2 runs ago");
    // The branch's four runs end in the last column.
    let branch: Vec<Data> = (2..10).map(|c| t(2, c)).collect();
    let expected: Vec<Data> = [None, None, None, None, Some(20.0), Some(15.0), Some(10.0), Some(12.0)]
        .map(|v| v.map_or(Data::Empty, Data::Float))
        .into();
    assert_eq!(branch, expected);

    let parts = zip_entries(&bytes);
    let sheet2 = parts.get("xl/worksheets/sheet2.xml").expect("sites part");
    assert!(sheet2.contains("<autoFilter ref=\"A1:T5\"/>"), "the filter covers every column");
    assert!(sheet2.contains("<pane ") && sheet2.contains("state=\"frozen\""), "frozen header");
    assert!(sheet2.contains("x14:sparkline"), "trend sparklines");
    assert!(parts.contains_key("xl/charts/chart1.xml"), "the worst sites' chart");
}

#[test]
fn chinese_workbook_shows_no_english_label() {
    let p = sample_portfolio();
    let bytes = portfolio_xlsx(&p, Lang::Zh).expect("writes");
    assert_eq!(bytes, portfolio_xlsx(&p, Lang::Zh).expect("writes"), "deterministic");
    let mut book = open_book(&bytes);
    assert_eq!(book.sheet_names(), ["汇总", "站点", "趋势"]);
    let mut text = String::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        // The links to the sites' reports are file names ("clashes.html"), not labels.
        for cell in range.used_cells().filter(|c| !c.2.to_string().contains("/clashes.")) {
            text.push_str(&cell.2.to_string());
            text.push('\n');
        }
    }
    // The chart's title and series names are in the chart part, not in the cells.
    let chart = zip_entries(&bytes).remove("xl/charts/chart1.xml").expect("chart");
    text.push_str(&visible_text(&chart));
    assert_one_language(&text, Lang::Zh);
    for zh in [
        "项目组合碰撞报告",
        "站点",
        "未解决",
        "14 天内需解决",
        "暖通",
        "消防",
        "本次",
        "上一次",
        "前第 2 次",
        "失败",
        "不完整",
    ] {
        assert!(text.contains(zh), "{zh} missing:\n{text}");
    }
    let en = portfolio_xlsx(&p, Lang::En).expect("writes");
    let strings = zip_entries(&en).remove("xl/sharedStrings.xml").expect("shared strings");
    assert_one_language(&visible_text(&strings), Lang::En);
    let both = portfolio_xlsx(&p, Lang::Both).expect("writes");
    assert_eq!(open_book(&both).sheet_names(), ["Summary 汇总", "Sites 站点", "Trend 趋势"]);
}
