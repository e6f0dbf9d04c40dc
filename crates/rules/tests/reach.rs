//! `mode = "reach"`: the keys it reads and refuses, each error with its file, line and column,
//! and a run on a small model: heights from a property in millimetres or metres, the element's
//! top where the property is missing or not a number, and the records' wording.

use plumbline_clash::{ClashKind, Mode};
use plumbline_model::{Property, PropertySet};
use plumbline_rules::{run_rules, OperableHeight, RuleSet, RulesError, RunContext};
use std::path::Path;
use std::sync::Arc;

fn parse(text: &str) -> Result<RuleSet, RulesError> {
    RuleSet::parse(Path::new("rules.toml"), text, &plumbline_ifc::canonical_class_name)
}

fn error(text: &str, at: (usize, usize)) -> String {
    let msg = parse(text).expect_err("bad config").to_string();
    let prefix = format!("rules.toml:{}:{}: ", at.0, at.1);
    assert!(msg.starts_with(&prefix), "{msg:?} does not start with {prefix:?}");
    msg
}

const HEAD: &str = "[[test]]\nname = \"reach\"\nmode = \"reach\"\nb = { class = \"IfcSlab\" }\n";

#[test]
fn a_reach_test_reads_its_range_and_where_heights_come_from() {
    let r = parse(&format!(
        "{HEAD}min_height_mm = 380\nmax_height_mm = 1220\ntolerance_mm = 0.5\noperable_height_from = \"Pset_A.OperablePartHeight\"\noperable_height_unit = \"m\"\n"
    ))
    .expect("valid");
    let t = &r.tests[0];
    assert_eq!(t.mode, Mode::Reach { min_m: 0.38, max_m: 1.22, tolerance_m: 0.0005 });
    assert_eq!(t.mode.kind(), ClashKind::Clearance);
    assert_eq!(
        t.extras.operable_height,
        Some(OperableHeight { pset: "Pset_A".into(), prop: "OperablePartHeight".into(), unit_m: 1.0 })
    );
    // Without a property the parts are measured at their tops; the unit defaults to mm.
    let r = parse(&format!("{HEAD}min_height_mm = 380\nmax_height_mm = 1220\n")).expect("valid");
    assert_eq!(r.tests[0].extras.operable_height, None);
    let r = parse(&format!("{HEAD}min_height_mm = 0\nmax_height_mm = 1\noperable_height_from = \"P.H\"\n"))
        .expect("valid");
    assert_eq!(r.tests[0].extras.operable_height.as_ref().map(|h| h.unit_m), Some(0.001));
}

#[test]
fn bad_ranges_and_foreign_keys_name_their_line() {
    // A range upside down, or empty, points at max_height_mm.
    let m = error(&format!("{HEAD}min_height_mm = 1220\nmax_height_mm = 380\n"), (6, 17));
    assert!(m.contains("max_height_mm (380) must be above min_height_mm (1220)"), "{m}");
    let m = error(&format!("{HEAD}min_height_mm = 900\nmax_height_mm = 900\n"), (6, 17));
    assert!(m.contains("must be above"), "{m}");
    // A limit that is not a length.
    let m = error(&format!("{HEAD}min_height_mm = -5\nmax_height_mm = 900\n"), (5, 17));
    assert!(m.contains("min_height_mm must be a number of millimetres, 0 or more"), "{m}");
    let m = error(&format!("{HEAD}min_height_mm = 380\nmax_height_mm = 1e9\n"), (6, 17));
    assert!(m.contains("over 100 m"), "{m}");
    // Both limits are needed: the message points at the one given, else at the test.
    let m = error(&format!("{HEAD}max_height_mm = 1220\n"), (5, 17));
    assert!(m.contains("needs min_height_mm and max_height_mm"), "{m}");
    let m = error(HEAD, (1, 1));
    assert!(m.contains("needs min_height_mm and max_height_mm"), "{m}");
    // The floor side is needed.
    let m = error("[[test]]\nname = \"r\"\nmode = \"reach\"\nmin_height_mm = 1\nmax_height_mm = 2\n", (1, 1));
    assert!(m.contains("needs b, the floors"), "{m}");
    // Keys of other modes are refused by name.
    let range = "min_height_mm = 380\nmax_height_mm = 1220\n";
    for (key, line, want) in [
        ("zone = \"front\"", 7, "zone does not apply to mode = \"reach\""),
        ("clearance_mm = 100", 7, "clearance_mm does not apply"),
        ("min_width_mm = 760", 7, "min_width_mm does not apply"),
        ("inflate_by = \"coverings\"", 7, "inflate_by does not apply"),
        ("min_volume_m3 = 0.1", 7, "min_volume_m3 does not apply"),
        ("operable_height_unit = \"m\"", 7, "operable_height_unit only applies with operable_height_from"),
        ("operable_height_from = \"H\"", 7, "expected 'Pset.Prop'"),
        (
            "operable_height_from = \"P.H\"\noperable_height_unit = \"ft\"",
            8,
            "operable_height_unit 'ft': expected",
        ),
    ] {
        let m = error(
            &format!("{HEAD}{range}{key}\n"),
            (line, key.lines().last().map_or(1, |l| l.find('=').map_or(1, |i| i + 3))),
        );
        assert!(m.contains(want), "{key}: {m}");
    }
    // Reach keys on other modes.
    for (key, want) in [
        ("max_height_mm = 1220", "max_height_mm only applies to mode = \"reach\""),
        ("operable_height_from = \"P.H\"", "operable_height_from only applies to mode = \"reach\""),
        ("operable_height_unit = \"m\"", "operable_height_unit only applies to mode = \"reach\""),
    ] {
        let text = format!("[[test]]\nname = \"c\"\nmode = \"clearance\"\nclearance_mm = 5\n{key}\n");
        let col = key.find('=').map_or(1, |i| i + 3);
        let m = error(&text, (5, col));
        assert!(m.contains(want), "{key}: {m}");
    }
    // An unknown mode lists reach among the allowed ones.
    let m = error("[[test]]\nname = \"r\"\nmode = \"raech\"\n", (3, 8));
    assert!(m.contains("`reach`") && m.contains("did you mean"), "{m}");
}

/// A floor, parts with heights in millimetres, one without the property (its top counts) and
/// one whose value is not a number (its top counts too).
#[test]
fn a_run_reports_parts_out_of_reach_against_their_floor() {
    let height = |mm: &str| {
        Arc::new(PropertySet {
            name: "Pset_A".into(),
            properties: vec![Property { name: "H".into(), value: mm.into() }],
        })
    };
    let part = |id: &str, x: f64, top: f64| {
        plumbline_testkit::element("IfcFurniture", id)
            .name(&format!("Part {id}"))
            .cuboid([x, 0.0, 0.0], [x + 0.5, 0.5, top])
    };
    let model = plumbline_testkit::model([
        plumbline_testkit::element("IfcSlab", "FLOOR")
            .name("Floor")
            .cuboid([-1.0, -1.0, -0.3], [10.0, 2.0, 0.0]),
        part("HIGH", 0.0, 1.8).property_set(height("1300")),
        part("LOW", 1.0, 1.8).property_set(height("200")),
        part("FINE", 2.0, 1.8).property_set(height("1000")),
        part("TOP", 3.0, 1.5),
        part("TEXT", 4.0, 1.0).property_set(height("high")),
    ])
    .into_set();
    let rules = parse(
        "[[test]]\nname = \"reach\"\nmode = \"reach\"\nmin_height_mm = 380\nmax_height_mm = 1220\noperable_height_from = \"Pset_A.H\"\na = { name = \"Part*\" }\nb = { name = \"Floor\" }\n",
    )
    .expect("valid");
    let reports = run_rules(&model, &rules, &RunContext::default()).expect("runs");
    let t = &reports[0];
    let got: Vec<(&str, &str, i64)> = t
        .clashes
        .iter()
        .map(|c| (c.a.global_id.as_str(), c.b.global_id.as_str(), (c.distance_m * 1000.0).round() as i64))
        .collect();
    assert_eq!(got, [("HIGH", "FLOOR", 80), ("LOW", "FLOOR", 180), ("TOP", "FLOOR", 280)]);
    let en: Vec<&str> = t.clashes.iter().map(|c| c.explanation.en.as_str()).collect();
    assert!(
        en[0].ends_with(
            "is 1300 mm above the floor (IfcSlab 'Floor'), above the 1220 mm high reach limit by 80 mm."
        ),
        "{}",
        en[0]
    );
    assert!(en[1].contains("below the 380 mm low reach limit by 180 mm"), "{}", en[1]);
    assert!(t.clashes.iter().all(|c| c.kind == ClashKind::Clearance && !c.hard));
    assert_eq!(t.info.clearance_m, 1.22, "a report states the upper limit");
}
