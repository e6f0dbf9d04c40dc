//! Reading rule files: a complete file with known contents, and bad files whose errors must
//! name the file, line and column and the allowed values.

use plumbline_clash::{Mode, Zone, ZoneSize, DEFAULT_TOLERANCE_M};
use plumbline_model::MeshScope;
use plumbline_review::Grouping;
use plumbline_rules::{RuleSet, RulesError};
use std::path::Path;

fn parse(text: &str) -> Result<RuleSet, RulesError> {
    RuleSet::parse(Path::new("rules.toml"), text, &plumbline_ifc::canonical_class_name)
}

/// The error's text, which must start with `rules.toml:LINE:COLUMN: ` as given.
fn error(text: &str, at: (usize, usize)) -> String {
    let e = parse(text).expect_err("bad config");
    let msg = e.to_string();
    let prefix = format!("rules.toml:{}:{}: ", at.0, at.1);
    assert!(msg.starts_with(&prefix), "{msg:?} does not start with {prefix:?}");
    msg
}

#[test]
fn a_full_file_reads_with_defaults_overrides_and_grouping() {
    let r = parse(
        r#"
[defaults]
tolerance_mm = 5
ignore = { ports = false }

[grouping]
by = "type-pair"

[[test]]
name = "hard one"
a = { class = "ifcductsegment", exclude = [{ name = "Temp*" }] }
b = { include = [{ class = "IfcWall" }, { storey = "Level 1", property = "Pset_X.Fire = yes" }] }
ignore = { openings = false, ports = true }

[[test]]
name = "front"
mode = "clearance"
zone = "front-and-back"
clearance_mm = 1000
min_width_mm = 762
a = { object_type = "SERVER RACK", system = "Power*", file = "*.ifc" }
b = {}

[[test]]
name = "dups"
mode = "duplicate"
"#,
    )
    .expect("valid");
    assert_eq!(r.grouping, Grouping::TypePair);
    assert_eq!(r.tests.len(), 3);
    let t = &r.tests[0];
    assert_eq!(t.mode, Mode::Hard { tolerance_m: 0.005 });
    assert!(!t.ignore.through_openings && t.ignore.port_connected && t.ignore.fillings_in_host);
    assert!(t.b.is_some());
    let f = &r.tests[1];
    assert_eq!(
        f.mode,
        Mode::Zone {
            zone: Zone::FrontAndBack,
            size: ZoneSize { clearance_m: 1.0, min_width_m: 0.762, min_height_m: 0.0, ..ZoneSize::default() },
            tolerance_m: 0.005,
        }
    );
    // The defaults switched ports off; this test did not say otherwise.
    assert!(!f.ignore.port_connected);
    assert_eq!(r.tests[2].mode, Mode::Duplicate { tolerance_m: 0.005 });
    assert!(r.tests[2].b.is_none());

    let plain = parse("[[test]]\nname = \"x\"\n").expect("valid");
    assert_eq!(plain.tests[0].mode, Mode::Hard { tolerance_m: DEFAULT_TOLERANCE_M });
    assert_eq!(plain.grouping, Grouping::Proximity { distance_m: 2.0 });
}

#[test]
fn a_rule_set_needs_the_geometry_its_tests_can_select_and_no_more() {
    let r = parse(
        r#"
[[test]]
name = "ducts against the structure"
a = { class = "IfcDuctSegment", file = "mep*.ifc", exclude = [{ class = "IfcDuctSegment", name = "Temp*" }] }
b = { class = ["IfcWall", "IfcSlab"], file = "arch.ifc" }

[[test]]
name = "trays and one file's pipes"
a = { include = [{ class = "IfcCableCarrierSegment" }, { class = "IfcPipeSegment", file = "mep-2.ifc" }] }
"#,
    )
    .expect("valid");
    let scope = |file: &str| r.mesh_scope(Path::new(file));
    // Files are matched by path or by name, as selections match them.
    assert_eq!(scope("models/mep-1.ifc"), MeshScope::classes(["IfcDuctSegment", "IfcCableCarrierSegment"]));
    assert_eq!(
        scope("mep-2.ifc"),
        MeshScope::classes(["IfcDuctSegment", "IfcCableCarrierSegment", "IfcPipeSegment"])
    );
    assert_eq!(scope("arch.ifc"), MeshScope::classes(["IfcWall", "IfcSlab", "IfcCableCarrierSegment"]));
    assert_eq!(scope("site.ifc"), MeshScope::classes(["IfcCableCarrierSegment"]));

    // A selection with no class may pick anything from the files it takes; a test against
    // itself (no `b`) needs nothing more.
    let open = parse(
        r#"
[[test]]
name = "level 1"
a = { storey = "Level 1", file = "arch.ifc" }
b = { class = "IfcWall" }

[[test]]
name = "any include without a class"
a = { file = "mep.ifc", include = [{ class = "IfcPipeSegment" }, { name = "P*" }] }
"#,
    )
    .expect("valid");
    assert_eq!(open.mesh_scope(Path::new("arch.ifc")), MeshScope::Physical);
    assert_eq!(open.mesh_scope(Path::new("mep.ifc")), MeshScope::Physical);
    assert_eq!(open.mesh_scope(Path::new("site.ifc")), MeshScope::classes(["IfcWall"]));
    let none =
        parse("[[test]]\nname = \"x\"\na = { file = \"a.ifc\", class = \"IfcWall\" }\n").expect("valid");
    assert_eq!(none.mesh_scope(Path::new("b.ifc")), MeshScope::nothing());
}

#[test]
fn bad_files_point_at_the_value_and_list_what_is_allowed() {
    // (file, line and column of the error, words the message must hold)
    let cases: &[(&str, (usize, usize), &[&str])] = &[
        // Unknown key in a test: the allowed keys are listed.
        (
            "[[test]]\nname = \"t\"\nclearence_mm = 3\n",
            (3, 1),
            &["clearence_mm", "clearance_mm", "tolerance_mm"],
        ),
        // Unknown key inside a selection.
        ("[[test]]\nname = \"t\"\na = { klass = \"IfcWall\" }\n", (3, 7), &["klass", "class", "storey"]),
        // Unknown mode.
        (
            "[[test]]\nname = \"t\"\nmode = \"soft\"\n",
            (3, 8),
            &["soft", "hard", "clearance", "duplicate", "time"],
        ),
        // Unknown zone.
        (
            "[[test]]\nname = \"t\"\nmode = \"clearance\"\nclearance_mm = 5\nzone = \"left\"\n",
            (5, 8),
            &["left", "above", "below", "front", "front_and_back"],
        ),
        // Unknown class.
        (
            "[[test]]\nname = \"t\"\na = { class = [\"IfcWall\", \"IfcDcut\"] }\n",
            (3, 15),
            &["IfcDcut", "IfcWall"],
        ),
        // Negative millimetres.
        ("[[test]]\nname = \"t\"\ntolerance_mm = -2\n", (3, 16), &["tolerance_mm", "-2", "0 or more"]),
        (
            "[defaults]\ntolerance_mm = -1.5\n[[test]]\nname = \"t\"\n",
            (2, 16),
            &["tolerance_mm", "0 or more"],
        ),
        // Wrong type.
        ("[[test]]\nname = \"t\"\ntolerance_mm = \"two\"\n", (3, 16), &["invalid type", "f64"]),
        ("[[test]]\nname = \"t\"\nclearance_mm = 1e308\n", (3, 16), &["over 100 m", "give millimetres"]),
        ("[[test]]\nname = \"t\"\na = { class = 3 }\n", (3, 15), &["a string or a list of strings"]),
        // A clearance test without its distance, and a zone on a hard test.
        ("[[test]]\nname = \"t\"\nmode = \"clearance\"\n", (1, 1), &["clearance_mm"]),
        ("[[test]]\nname = \"t\"\nzone = \"above\"\n", (3, 8), &["zone", "clearance"]),
        // Grouping.
        (
            "[grouping]\nby = \"colour\"\n[[test]]\nname = \"t\"\n",
            (2, 6),
            &["colour", "element", "storey", "type-pair", "proximity"],
        ),
        // Bad property criterion and duplicate names.
        ("[[test]]\nname = \"t\"\na = { property = \"NoDot\" }\n", (3, 18), &["Pset.Prop = value"]),
        ("[[test]]\nname = \"t\"\n[[test]]\nname = \"t\"\n", (4, 8), &["duplicate test name 't'"]),
    ];
    for (text, at, words) in cases {
        let msg = error(text, *at);
        for w in *words {
            assert!(msg.contains(w), "{msg:?} lacks {w:?}");
        }
    }
}

#[test]
fn an_unreadable_file_names_its_path() {
    let e = RuleSet::read(Path::new("/nonexistent/rules.toml"), &plumbline_ifc::canonical_class_name)
        .expect_err("missing");
    assert!(e.to_string().starts_with("/nonexistent/rules.toml: cannot read"), "{e}");
}

#[test]
fn a_test_id_defaults_to_its_name_and_must_be_unique_and_plain() {
    let r = parse("[[test]]\nname = \"Trays vs ducts\"\n\n[[test]]\nid = \"dup-1\"\nname = \"Duplicates\"\nmode = \"duplicate\"\n")
        .expect("valid");
    let ids: Vec<(&str, &str)> = r.tests.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect();
    assert_eq!(ids, [("Trays vs ducts", "Trays vs ducts"), ("dup-1", "Duplicates")]);
    let msg = error("[[test]]\nid = \"x\"\nname = \"a\"\n\n[[test]]\nid = \"x\"\nname = \"b\"\n", (6, 6));
    assert!(msg.contains("duplicate test id 'x'") && msg.contains("test 'a'"), "{msg}");
    // A name used as another test's id collides too: both would name the same clashes.
    let msg = error("[[test]]\nname = \"a\"\n\n[[test]]\nid = \"a\"\nname = \"b\"\n", (5, 6));
    assert!(msg.contains("duplicate test id 'a'"), "{msg}");
    let msg = error("[[test]]\nid = \"has space\"\nname = \"a\"\n", (2, 6));
    assert!(msg.contains("'has space'") && msg.contains("letters, digits"), "{msg}");
}
