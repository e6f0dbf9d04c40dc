use super::*;
use plumbline_clash::{ClashKind, Zone};
use plumbline_model::Aabb;
use plumbline_review::{
    explain_clash, group_clashes, ElementInfo, Grouping, TestInfo, TestReport, Text, Timings,
};

/// The English CSV header: the machine names scripts read.
pub(crate) const EN_COLUMNS: [&str; 24] = [
    "number",
    "test",
    "id",
    "kind",
    "status",
    "distance_mm",
    "overlap_volume_m3",
    "needed_by",
    "days_to_needed",
    "needed_by_task",
    "group",
    "storey",
    "a_global_id",
    "a_class",
    "a_name",
    "a_file",
    "b_global_id",
    "b_class",
    "b_name",
    "b_file",
    "point_x_m",
    "point_y_m",
    "point_z_m",
    "explanation_en",
];

pub(crate) fn element(
    gid: &str,
    class: &str,
    name: Option<&str>,
    storey: Option<&str>,
    x: f64,
) -> ElementInfo {
    ElementInfo {
        global_id: gid.into(),
        class: class.into(),
        name: name.map(str::to_string),
        file: "models/hall, east.ifc".into(),
        storey: storey.map(str::to_string),
        aabb: Aabb { min: [x, 0.0, 3.0], max: [x + 1.0, 0.4, 3.4] },
    }
}

pub(crate) fn test_info(name: &str, mode: ClashKind) -> TestInfo {
    let clearance = mode == ClashKind::Clearance;
    TestInfo {
        id: name.into(),
        name: name.into(),
        mode,
        tolerance_m: 0.002,
        clearance_m: if clearance { 0.305 } else { 0.0 },
        zone: clearance.then_some(Zone::Above),
        reach: None,
    }
}

#[allow(clippy::too_many_arguments, reason = "a test helper that spells out every field")]
pub(crate) fn record(
    info: &TestInfo,
    id: &str,
    a: ElementInfo,
    b: ElementInfo,
    kind: ClashKind,
    distance_m: f64,
    status: Status,
    x: f64,
) -> ClashRecord {
    let mut r = ClashRecord {
        id: id.into(),
        number: None,
        test: info.name.clone(),
        test_id: info.name.clone(),
        kind,
        distance_m,
        hard: kind != ClashKind::Clearance || distance_m < 0.0,
        exact: kind != ClashKind::Clearance,
        point: [x + 0.5, 0.2, 3.2],
        overlap_aabb: Aabb { min: [x, 0.0, 3.0], max: [x + 0.1, 0.4, 3.4] },
        a,
        b,
        status,
        group: String::new(),
        explanation: Text::default(),
        // Overlapping solids share a volume; a clearance gap does not.
        overlap_volume_m3: (distance_m > 0.0 && kind != ClashKind::Clearance).then_some(distance_m * 0.04),
        basis: None,
        triage: None,
    };
    r.explanation = explain_clash(info, &r);
    r
}

pub(crate) fn test_report(info: &TestInfo, mut clashes: Vec<ClashRecord>) -> TestReport {
    let groups = group_clashes(info, &mut clashes, Grouping::Storey);
    TestReport { info: info.clone(), elements_a: 12, elements_b: 30, candidate_pairs: 57, clashes, groups }
}

/// Two tests, four clashes: a Chinese element name, a name with a comma and quotes, a name with
/// HTML markup, a clash without storey, and every status but one.
pub(crate) fn sample() -> Report {
    let hard = test_info("trays-vs-ducts", ClashKind::Hard);
    let clear = test_info("tray-access", ClashKind::Clearance);
    let duct =
        element("2O2Fr$t4X7Zf8NOew3FLOH", "IfcDuctSegment", Some("风管 D-3"), Some("一层 Level 1"), 0.0);
    let hard_clashes = vec![
        record(
            &hard,
            "c-0001",
            element(
                "0K1Aqv9vz3n8CYs9VmGpkF",
                "IfcCableCarrierSegment",
                Some("Tray \"A\", run 1"),
                Some("一层 Level 1"),
                0.0,
            ),
            duct.clone(),
            ClashKind::Hard,
            0.0523,
            Status::New,
            0.0,
        ),
        record(
            &hard,
            "c-0002",
            element(
                "1XyZ9vz3n8CYs9VmGpkF00",
                "IfcCableCarrierSegment",
                Some("<b>Tray</b> & co"),
                Some("一层 Level 1"),
                1.5,
            ),
            duct,
            ClashKind::Hard,
            0.2,
            Status::Reviewed,
            1.5,
        ),
    ];
    let clear_clashes = vec![
        record(
            &clear,
            "c-0003",
            element("3Tray000000000000000000", "IfcCableCarrierSegment", None, None, 10.0),
            element("3Pipe000000000000000000", "IfcPipeSegment", Some("CHW-S 150"), None, 10.0),
            ClashKind::Clearance,
            0.1204,
            Status::Approved,
            10.0,
        ),
        record(
            &clear,
            "c-0004",
            element(
                "4Tray000000000000000000",
                "IfcCableCarrierSegment",
                Some("Tray 4"),
                Some("Level 2"),
                20.0,
            ),
            element("4Beam000000000000000000", "IfcBeam", Some("B-12"), Some("Level 2"), 20.0),
            ClashKind::Clearance,
            -0.004,
            Status::Resolved,
            20.0,
        ),
    ];
    let mut report = Report {
        models: vec!["models/hall, east.ifc".into()],
        grouping: Grouping::Storey,
        tests: vec![test_report(&hard, hard_clashes), test_report(&clear, clear_clashes)],
        timings: Timings { load_secs: 1.25, index_secs: 0.5, narrow_secs: 2.0, total_secs: 3.75 },
    };
    // Numbers as a history gives them: in the order first seen, not the report's; the last
    // clash has none (as in a run without a history).
    let numbers = [Some(1), Some(2), Some(12), None];
    for (c, n) in report.tests.iter_mut().flat_map(|t| t.clashes.iter_mut()).zip(numbers) {
        c.number = n;
    }
    report
}

#[test]
fn csv_snapshot() {
    let text = csv(&sample(), Lang::Both);
    insta::assert_snapshot!(text);
}

#[test]
fn csv_quotes_per_rfc_4180_and_reads_back() {
    let r = sample();
    let text = csv(&r, Lang::En);
    assert!(text.contains("\"Tray \"\"A\"\", run 1\""), "{text}");
    assert!(text.ends_with("\r\n"));
    assert!(text.contains("风管 D-3"));
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(headers, EN_COLUMNS, "the English header is the machine names scripts read");
    let rows: Vec<::csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][0], "1", "the clash number comes first");
    assert_eq!(&rows[2][0], "12");
    assert_eq!(&rows[3][0], "", "no number without a history");
    assert_eq!(&rows[0][14], "Tray \"A\", run 1");
    assert_eq!(&rows[0][18], "风管 D-3");
    assert_eq!(&rows[0][5], "52.3");
    assert_eq!(&rows[0][6], "0.002092", "the overlap volume, m³");
    assert_eq!(&rows[2][6], "", "no overlap volume for a clearance gap");
    assert_eq!(&rows[2][11], "", "no storey");
    assert_eq!(&rows[3][5], "-4.0");
    assert_eq!(&rows[3][4], "resolved");
}

#[test]
fn summary_counts_by_test_storey_and_status() {
    let s = summary(&sample());
    assert_eq!(s.clashes, 4);
    assert_eq!(s.by_status, [1, 0, 1, 1, 1]);
    assert_eq!(
        s.by_test,
        vec![("trays-vs-ducts".to_string(), [1, 0, 1, 0, 0]), ("tray-access".to_string(), [0, 0, 0, 1, 1])]
    );
    let storeys: Vec<Option<&str>> = s.by_storey.iter().map(|(n, _)| n.as_deref()).collect();
    assert_eq!(storeys, [Some("Level 2"), Some("一层 Level 1"), None]);
}

#[test]
fn html_snapshot() {
    let mut snaps = Snapshots::new();
    // Any bytes stand in for a PNG here: the writer only encodes them.
    snaps.insert("c-0001".into(), b"\x89PNG\r\n\x1a\nfake".to_vec());
    let page = html(&sample(), &snaps, Lang::Both);
    insta::assert_snapshot!(page);
}

#[test]
fn html_escapes_every_text_and_loads_nothing_from_outside() {
    let page = html(&sample(), &Snapshots::new(), Lang::Both);
    assert!(!page.contains("<b>Tray</b>"), "element names are escaped");
    assert!(page.contains("&lt;b&gt;Tray&lt;/b&gt; &amp; co"));
    assert!(page.contains("Tray &quot;A&quot;, run 1"));
    assert!(page.contains("风管 D-3"), "Chinese text is kept as UTF-8");
    assert!(page.contains("<meta charset=\"utf-8\">"));
    // The SVG namespace is a name, not a resource: it is the only URL allowed.
    let rest = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for outside in ["http:", "https:", "src=\"//", "<script", "<link", "@import", "url("] {
        assert!(!rest.contains(outside), "found {outside}");
    }
}

/// Text that closes the tags around it, opens a script, and carries every character HTML
/// gives a meaning to, with Chinese around it.
const HOSTILE: &str = "</p></div></section><script>alert('x&y')</script> \"q\" 风管 &amp; D-3";

#[test]
fn html_escapes_hostile_text_in_every_field() {
    let info = test_info(HOSTILE, ClashKind::Clearance);
    let mut a = element(HOSTILE, HOSTILE, Some(HOSTILE), Some(HOSTILE), 0.0);
    a.file = HOSTILE.into();
    let b = element("0b", "IfcWall", None, None, 0.0);
    let mut c = record(&info, HOSTILE, a, b, ClashKind::Clearance, 0.05, Status::Active, 0.0);
    c.explanation = Text { en: HOSTILE.into(), zh: HOSTILE.into() };
    let mut t = test_report(&info, vec![c]);
    for g in &mut t.groups {
        g.id = HOSTILE.into();
        g.title = Text { en: HOSTILE.into(), zh: HOSTILE.into() };
        g.explanation = Text { en: HOSTILE.into(), zh: HOSTILE.into() };
    }
    let report = Report {
        models: vec![HOSTILE.into()],
        grouping: Grouping::Storey,
        tests: vec![t],
        timings: Timings::default(),
    };
    let mut snaps = Snapshots::new();
    snaps.insert(HOSTILE.into(), vec![0xfb, 0xff]);
    let page = html(&report, &snaps, Lang::En);

    let escaped = "&lt;/p&gt;&lt;/div&gt;&lt;/section&gt;&lt;script&gt;alert('x&amp;y')&lt;/script&gt; \
                   &quot;q&quot; 风管 &amp;amp; D-3";
    assert!(page.matches(escaped).count() >= 12, "every field, escaped: {page}");
    assert!(page.contains(&format!("id=\"clash-{escaped}\"")), "in attributes too");
    assert!(page.contains(&format!("alt=\"Snapshot of clash {escaped}: A red, B green\"")));
    assert!(page.contains("src=\"data:image/png;base64,+/8=\""));
    assert!(!page.contains("<script") && !page.contains("\"q\""), "{page}");
    // Every `&` starts an entity, so none of the text's own ampersands went out bare.
    for (i, _) in page.match_indices('&') {
        let rest = &page[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;"].iter().any(|e| rest.starts_with(e)),
            "bare & at {i}: {}",
            rest.chars().take(30).collect::<String>()
        );
    }
    // The closing tags in the text closed nothing: the page's own tags still balance.
    for tag in ["p", "div", "section", "article", "figure", "svg"] {
        let open = page.matches(&format!("<{tag}>")).count() + page.matches(&format!("<{tag} ")).count();
        assert_eq!(open, page.matches(&format!("</{tag}>")).count(), "<{tag}>");
    }
    assert!(page.contains("风管"), "Chinese text is kept as UTF-8");
}

#[test]
fn html_embeds_snapshots_as_data_uris_and_marks_missing_ones() {
    let mut snaps = Snapshots::new();
    snaps.insert("c-0002".into(), vec![1, 2, 3]);
    let page = html(&sample(), &snaps, Lang::En);
    assert!(page.contains("src=\"data:image/png;base64,AQID\""));
    assert_eq!(page.matches("data:image/png").count(), 1);
    assert_eq!(page.matches("no snapshot").count(), 3);
}

#[test]
fn html_lists_clashes_that_belong_to_no_group() {
    let mut r = sample();
    r.tests[1].groups.clear();
    let page = html(&r, &Snapshots::new(), Lang::Both);
    assert!(page.contains("Clashes in no group") && page.contains("未分组的碰撞"));
    assert!(page.contains("id=\"clash-c-0003\"") && page.contains("id=\"clash-c-0004\""));
}

#[test]
fn writers_are_deterministic() {
    let r = sample();
    for lang in [Lang::En, Lang::Zh, Lang::Both] {
        assert_eq!(csv(&r, lang), csv(&r.clone(), lang));
        assert_eq!(html(&r, &Snapshots::new(), lang), html(&r.clone(), &Snapshots::new(), lang));
        assert_eq!(xlsx(&r, lang).expect("xlsx"), xlsx(&r.clone(), lang).expect("xlsx"));
    }
}

#[test]
fn xlsx_reads_back_with_its_sheets_cells_and_chinese_text() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = xlsx(&sample(), Lang::Both).expect("xlsx");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
    assert_eq!(book.sheet_names(), ["Summary 汇总", "Clashes 碰撞"]);

    let clashes = book.worksheet_range("Clashes 碰撞").expect("clash sheet");
    let columns = crate::columns::columns(Lang::Both);
    assert_eq!(clashes.get_size(), (5, columns.len()));
    for (c, col) in columns.iter().enumerate() {
        assert_eq!(clashes.get((0, c)), Some(&Data::String(col.header(Lang::Both))));
    }
    assert_eq!(clashes.get((0, 0)), Some(&Data::String("number / 编号".into())));
    assert_eq!(clashes.get((1, 0)), Some(&Data::Float(1.0)), "the number is a number cell");
    assert_eq!(clashes.get((3, 0)), Some(&Data::Float(12.0)));
    assert_eq!(clashes.get((4, 0)), Some(&Data::Empty), "no number: an empty cell");
    assert_eq!(clashes.get((1, 14)), Some(&Data::String("Tray \"A\", run 1".into())));
    assert_eq!(clashes.get((1, 18)), Some(&Data::String("风管 D-3".into())));
    assert_eq!(clashes.get((1, 5)), Some(&Data::Float(52.3)));
    assert_eq!(clashes.get((1, 6)), Some(&Data::Float(0.0523 * 0.04)), "the volume is a number cell");
    assert_eq!(clashes.get((3, 6)), Some(&Data::Empty));
    assert_eq!(clashes.get((1, 20)), Some(&Data::Float(0.5)));
    assert_eq!(clashes.get((2, 14)), Some(&Data::String("<b>Tray</b> & co".into())));
    assert_eq!(clashes.get((3, 11)), Some(&Data::Empty), "no storey is an empty cell");
    assert_eq!(clashes.get((4, 4)), Some(&Data::String("resolved / 已解决".into())));
    assert_eq!(clashes.get((1, 3)), Some(&Data::String("hard / 硬碰撞".into())));
    let zh = clashes.get((1, 24)).map(|d| d.to_string()).unwrap_or_default();
    assert!(zh.contains("重叠") && zh.contains("风管 D-3"), "{zh}");

    let summary = book.worksheet_range("Summary 汇总").expect("summary sheet");
    let cell = |r: u32, c: u32| summary.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(0, 0), Data::String("Plumbline clash report / 碰撞检查报告".into()));
    assert_eq!(cell(2, 1), Data::Float(4.0));
    assert_eq!(cell(5, 0), Data::String("Clashes by test and status / 按规则和状态统计碰撞".into()));
    assert_eq!(cell(6, 1), Data::String("new 新建".into()));
    assert_eq!(cell(7, 0), Data::String("trays-vs-ducts".into()));
    assert_eq!((cell(7, 1), cell(7, 3), cell(7, 6)), (Data::Float(1.0), Data::Float(1.0), Data::Float(2.0)));
    assert_eq!(cell(6, 6), Data::String("Total 合计".into()));
    assert_eq!(cell(9, 0), Data::String("Total / 合计".into()));
    assert_eq!(cell(9, 6), Data::Float(4.0));
    assert_eq!(cell(11, 0), Data::String("Clashes by storey and status / 按楼层和状态统计碰撞".into()));
    assert_eq!(cell(15, 0), Data::String("(no storey) / （无楼层）".into()));
    assert_eq!(cell(15, 4), Data::Float(1.0));
}

#[test]
fn xlsx_is_zip_with_the_parts_excel_needs_and_a_frozen_filtered_header() {
    let bytes = xlsx(&sample(), Lang::Both).expect("xlsx");
    assert_eq!(&bytes[..2], b"PK");
    // The sheet XML is deflated inside the zip; calamine above proves the cells, and the
    // autofilter and frozen pane are checked on the raw sheet part here.
    let mut zip = zip_entries(&bytes);
    let sheet2 = zip.remove("xl/worksheets/sheet2.xml").expect("clash sheet part");
    // From the number in column A to the Chinese explanation in column V.
    assert!(sheet2.contains("<autoFilter ref=\"A1:Y5\"/>"), "{sheet2}");
    assert!(sheet2.contains("state=\"frozen\""), "{sheet2}");
}

/// The text entries of a zip archive, by name.
pub(crate) fn zip_entries(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    use std::io::Read as _;
    let mut out = std::collections::BTreeMap::new();
    let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).expect("entry");
        let mut text = String::new();
        if f.read_to_string(&mut text).is_ok() {
            out.insert(f.name().expect("entry name").into_owned(), text);
        }
    }
    out
}

#[test]
fn csv_text_that_excel_would_run_as_a_formula_is_defused_and_numbers_are_not() {
    let info = test_info("trays-vs-ducts", ClashKind::Hard);
    let a = element("0a", "IfcDuctSegment", Some("=HYPERLINK(\"http://evil.example\",\"x\")"), None, -12.0);
    let b = element("0b", "IfcWall", Some("@SUM(A1)"), Some("-1 Basement"), -12.0);
    let mut c = record(&info, "c1", a, b, ClashKind::Hard, 0.05, Status::New, -12.0);
    c.point = [-12.5, -0.25, -3.0];
    let report = Report {
        models: vec!["m.ifc".into()],
        grouping: Grouping::Storey,
        tests: vec![test_report(&info, vec![c])],
        timings: Timings::default(),
    };
    let text = csv(&report, Lang::En);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().expect("a row").expect("row");
    assert_eq!(&row[14], "'=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(&row[18], "'@SUM(A1)");
    assert_eq!(&row[11], "'-1 Basement");
    // Numbers keep their sign: a spreadsheet reads them as numbers, which run nothing.
    assert_eq!(&row[20], "-12.500");
    assert_eq!(&row[21], "-0.250");
    assert_eq!(&row[22], "-3.000");
}
