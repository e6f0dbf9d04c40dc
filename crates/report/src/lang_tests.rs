//! The reports in each language: every label has both languages, a Chinese report shows no
//! English label (and an English one no Chinese label), the CSV's byte-order mark, and the
//! clash number in every format.

use crate::columns::columns;
use crate::labels::{self, ALL};
use crate::tests::{record, sample, test_info, test_report, zip_entries, EN_COLUMNS};
use crate::{csv, html, xlsx, Lang, Snapshots};
use plumbline_clash::{ClashKind, Zone};
use plumbline_review::{Grouping, Report, Status, Timings};

/// Every label's English and Chinese texts, statuses and clash kinds included.
fn every_label() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = ALL.iter().map(|l| (l.en.to_string(), l.zh.to_string())).collect();
    out.extend(Status::ALL.iter().map(|s| (s.as_str().to_string(), s.as_zh().to_string())));
    out.extend(ClashKind::ALL.iter().map(|k| (labels::kind(*k).en.into(), labels::kind(*k).zh.into())));
    out
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
/// `alt` and `aria-label` attributes, entities decoded, one piece per line.
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
        for attr in ["alt=\"", "aria-label=\""] {
            if let Some(a) = tag.find(attr) {
                let value = &tag[a + attr.len()..];
                out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                out.push('\n');
            }
        }
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// Whether `word` occurs in `text` as a whole word (no ASCII letter or digit right before or
/// after it), so that `new` is not found in `renewal`.
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

/// The sample with what else a report can show: a clash in no group, an estimated distance, a
/// zone, every clash kind's name.
fn rich_sample() -> Report {
    let mut r = sample();
    r.tests[1].groups.clear();
    r.grouping = Grouping::Proximity { distance_m: 2.0 };
    let info = test_info("doors", ClashKind::Duplicate);
    let a = crate::tests::element("5a", "IfcDoor", Some("门 M-1"), None, 30.0);
    let b = crate::tests::element("5b", "IfcDoor", Some("门 M-1"), None, 30.0);
    let c = record(&info, "c-0005", a, b, ClashKind::Duplicate, 0.0, Status::Active, 30.0);
    r.tests.push(test_report(&info, vec![c]));
    r
}

#[test]
fn every_label_has_english_and_chinese_with_the_same_placeholders() {
    for (en, zh) in every_label() {
        assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{en:?} / {zh:?}");
        assert!(zh.chars().any(is_cjk), "the Chinese of {en:?} is Chinese: {zh:?}");
        assert!(!en.chars().any(is_cjk), "the English of {zh:?} is English: {en:?}");
        let holes = |t: &str| (0..4).filter(|i| t.contains(&format!("{{{i}}}"))).collect::<Vec<_>>();
        assert_eq!(holes(&en), holes(&zh), "{en:?} / {zh:?}");
    }
}

#[test]
fn chinese_html_shows_no_english_label_and_english_html_no_chinese_one() {
    let r = rich_sample();
    let mut snaps = Snapshots::new();
    snaps.insert("c-0001".into(), vec![1, 2, 3]);
    let zh_page = html(&r, &snaps, Lang::Zh);
    assert!(zh_page.contains("<html lang=\"zh-Hans\">"));
    let zh_text = visible_text(&zh_page);
    let en_page = html(&r, &snaps, Lang::En);
    assert!(en_page.contains("<html lang=\"en\">"));
    // The English page shows the English explanations only; the sample's Chinese model data
    // ("风管 D-3", "一层 Level 1", "门 M-1") is not a label.
    let en_text = visible_text(&en_page);
    for (en, zh) in every_label() {
        for f in fragments(&en).iter().filter(|f| f.chars().filter(char::is_ascii_alphabetic).count() >= 2) {
            assert!(!has_word(&zh_text, f), "English label {f:?} in the Chinese page:\n{zh_text}");
        }
        for f in fragments(&zh).iter().filter(|f| f.chars().any(is_cjk)) {
            assert!(!en_text.contains(f.as_str()), "Chinese label {f:?} in the English page:\n{en_text}");
        }
    }
    // What the labels say, in Chinese.
    for zh in [
        "碰撞检查报告",
        "汇总",
        "按状态",
        "按规则",
        "按楼层",
        "类型：硬碰撞",
        "容差 2.0 毫米",
        "净距 305.0 毫米（上方）",
        "A 组构件 12 个",
        "候选构件对 57 个",
        "3 条规则共发现 5 处碰撞，分为 2 组。",
        "未分组的碰撞",
        "A（红色）",
        "位置（米）",
        "（估算）",
        "无快照",
        "重复项",
        "合计",
        "（无楼层）",
        "按邻近（2.0 米）",
        "由 Plumbline 生成。",
        "已解决",
    ] {
        assert!(zh_text.contains(zh), "{zh} in:\n{zh_text}");
    }
    assert!(zh_text.contains("碰撞 c-0001 的快照"), "the snapshot's alt text");
    // Model data and rule names stay as written.
    assert!(zh_text.contains("trays-vs-ducts") && zh_text.contains("IfcBeam 'B-12'"));
    assert!(zh_text.contains("风管 D-3") && zh_text.contains("2O2Fr$t4X7Zf8NOew3FLOH"));
}

#[test]
fn the_zone_of_a_clearance_test_is_named_in_each_language() {
    assert_eq!(labels::zone(Zone::FrontAndBack).en, "front and back");
    let page = html(&sample(), &Snapshots::new(), Lang::En);
    assert!(page.contains("clearance 305.0 mm (above)"), "{page}");
}

#[test]
fn the_clash_number_comes_first_in_the_html_heading() {
    let page = html(&sample(), &Snapshots::new(), Lang::Zh);
    assert!(page.contains("<h4><span class=\"number\">#1</span> <code>c-0001</code>"), "{page}");
    assert!(page.contains("<h4><span class=\"number\">#12</span> <code>c-0003</code>"));
    assert!(page.contains("<h4><code>c-0004</code>"), "no number without a history");
}

#[test]
fn csv_starts_with_a_byte_order_mark_and_chinese_round_trips() {
    let text = csv(&sample(), Lang::Zh);
    assert_eq!(&text.as_bytes()[..3], [0xEF, 0xBB, 0xBF]);
    assert_eq!(text.matches('\u{feff}').count(), 1, "one mark, at the start");
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    // The csv crate, like Excel, reads the mark as a mark, not as part of the first header.
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    let expected: Vec<String> = columns(Lang::Zh).iter().map(|c| c.header(Lang::Zh)).collect();
    assert_eq!(headers, expected);
    assert_eq!(headers[0], "编号");
    assert_eq!(headers.last().map(String::as_str), Some("说明"), "the Chinese explanation only");
    let rows: Vec<::csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(&rows[0][0], "1");
    assert_eq!(&rows[0][3], "硬碰撞");
    assert_eq!(&rows[0][4], "新建");
    assert_eq!(&rows[0][11], "一层 Level 1", "storeys stay as written");
    assert_eq!(&rows[0][18], "风管 D-3");
    assert!(rows[0][23].starts_with("规则「trays-vs-ducts」"), "{:?}", &rows[0][23]);
    assert_eq!(&rows[2][3], "间隙");
    // The English file's header is unchanged but for the number in front.
    let en = csv(&sample(), Lang::En);
    assert!(en.starts_with(&format!("\u{feff}{}\r\n", EN_COLUMNS.join(","))), "{en}");
}

#[test]
fn chinese_xlsx_has_chinese_sheets_headers_and_values() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = xlsx(&sample(), Lang::Zh).expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).expect("opens");
    assert_eq!(book.sheet_names(), ["汇总", "碰撞"]);
    let clashes = book.worksheet_range("碰撞").expect("clash sheet");
    let text = |r: u32, c: u32| clashes.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(clashes.get_size(), (5, 24));
    assert_eq!(
        (text(0, 0), text(0, 3), text(0, 4), text(0, 23)),
        ("编号".into(), "类型".into(), "状态".into(), "说明".into())
    );
    assert_eq!(clashes.get_value((1, 0)), Some(&Data::Float(1.0)));
    assert_eq!((text(1, 3), text(1, 4), text(4, 4)), ("硬碰撞".into(), "新建".into(), "已解决".into()));
    let summary = book.worksheet_range("汇总").expect("summary sheet");
    let cell = |r: u32, c: u32| summary.get_value((r, c)).map(|d| d.to_string()).unwrap_or_default();
    assert_eq!(cell(0, 0), "碰撞检查报告");
    assert_eq!((cell(1, 0), cell(2, 0), cell(3, 0)), ("模型".into(), "碰撞".into(), "分组".into()));
    assert_eq!(cell(5, 0), "按规则和状态统计碰撞");
    let statuses: Vec<String> = (1..=6).map(|c| cell(6, c)).collect();
    assert_eq!(statuses, ["新建", "活动", "已审阅", Status::Approved.as_zh(), "已解决", "合计"]);
    assert_eq!(cell(9, 0), "合计");
    assert_eq!(cell(15, 0), "（无楼层）");
    // No English label anywhere in the workbook's text.
    let strings = zip_entries(&bytes).remove("xl/sharedStrings.xml").expect("shared strings");
    for (en, _) in every_label() {
        let tagged = format!(">{en}<");
        assert!(!strings.contains(&tagged), "English label {en:?} in the Chinese workbook");
    }
    let sheet2 = zip_entries(&bytes).remove("xl/worksheets/sheet2.xml").expect("clash sheet part");
    assert!(sheet2.contains("<autoFilter ref=\"A1:X5\"/>"), "the filter covers the number column");
}

#[test]
fn english_xlsx_has_english_sheets_and_one_explanation_column() {
    use calamine::Reader;
    let bytes = xlsx(&sample(), Lang::En).expect("xlsx");
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    assert_eq!(book.sheet_names(), ["Summary", "Clashes"]);
    let clashes = book.worksheet_range("Clashes").expect("clash sheet");
    let headers: Vec<String> =
        (0..24).map(|c| clashes.get_value((0, c)).map(|d| d.to_string()).unwrap_or_default()).collect();
    assert_eq!(headers, EN_COLUMNS);
}

#[test]
fn legends_fit_the_chart_in_every_language() {
    for lang in [Lang::En, Lang::Zh, Lang::Both] {
        let names: Vec<String> =
            Status::ALL.iter().map(|s| labels::join(lang, &labels::status(*s), " ")).collect();
        let page = html(&sample(), &Snapshots::new(), lang);
        for n in &names {
            assert!(page.contains(&format!(">{n}</text>")), "legend entry {n:?}");
        }
    }
    let empty =
        Report { models: vec![], grouping: Grouping::Storey, tests: vec![], timings: Timings::default() };
    assert!(html(&empty, &Snapshots::new(), Lang::Zh).contains(">无碰撞</text>"));
}

#[test]
fn csv_snapshot_zh() {
    insta::assert_snapshot!(csv(&sample(), Lang::Zh));
}

#[test]
fn html_snapshot_zh() {
    let mut snaps = Snapshots::new();
    // Any bytes stand in for a PNG here: the writer only encodes them.
    snaps.insert("c-0001".into(), b"\x89PNG\r\n\x1a\nfake".to_vec());
    insta::assert_snapshot!(html(&sample(), &snaps, Lang::Zh));
}
