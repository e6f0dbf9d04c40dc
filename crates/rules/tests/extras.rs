//! Rule-file keys of issue 21: insulation (`inflate_by`), distance tables, the `swing` and
//! `beside` zones, `min_volume_m3` and the `touch` mode; each accepted where it applies and
//! refused with its position where it does not.

use plumbline_clash::{Mode, Zone};
use plumbline_rules::{InflateBy, RuleSet, RulesError, COVERINGS_PROPERTY};
use std::path::Path;

fn parse(text: &str) -> Result<RuleSet, RulesError> {
    RuleSet::parse(Path::new("rules.toml"), text, &plumbline_ifc::canonical_class_name)
}

fn error(text: &str, at: (usize, usize)) -> String {
    let msg = parse(text).expect_err("bad config").to_string();
    let prefix = format!("rules.toml:{}:{}: ", at.0, at.1);
    assert!(msg.starts_with(&prefix), "{msg:?} does not start with {prefix:?}");
    msg
}

#[test]
fn insulation_volume_and_touch_keys_are_read() {
    let r = parse(
        "[[test]]\nname = \"t\"\ninflate_by = [\"coverings\", \"Pset_X.InsulationThickness\"]\ninflate_unit = \"m\"\nmin_volume_m3 = 0.001\n\n[[test]]\nname = \"touching\"\nmode = \"touch\"\ntolerance_mm = 1\n",
    )
    .expect("valid");
    let x = &r.tests[0].extras;
    assert_eq!(
        x.inflate_by,
        [
            InflateBy { pset: COVERINGS_PROPERTY.0.into(), prop: COVERINGS_PROPERTY.1.into(), unit_m: 0.001 },
            InflateBy { pset: "Pset_X".into(), prop: "InsulationThickness".into(), unit_m: 1.0 },
        ]
    );
    assert_eq!(x.min_volume_m3, Some(0.001));
    assert_eq!(r.tests[1].mode, Mode::Touch { tolerance_m: 0.001 });
}

/// The loader's name for the coverings' thickness is the one `inflate_by = "coverings"` reads.
#[test]
fn the_coverings_property_is_the_loaders() {
    assert_eq!(
        COVERINGS_PROPERTY,
        (plumbline_ifc::coverings::PSET, plumbline_ifc::coverings::TOTAL_THICKNESS)
    );
}

#[test]
fn a_distance_table_sets_the_tests_reach_and_each_rows_distance() {
    let r = parse(
        "[[test]]\nname = \"sep\"\nmode = \"clearance\"\n[[test.distance]]\na = [\"P.Screened = FALSE\"]\nb = [\"P.Screened = FALSE\"]\ndistance_mm = 200\nsource = \"EN 50174-2\"\n[[test.distance]]\ndistance_mm = 50\n",
    )
    .expect("valid");
    let t = &r.tests[0];
    assert_eq!(t.mode, Mode::Clearance { clearance_m: 0.2, tolerance_m: 0.002 });
    let rows: Vec<(f64, Option<&str>)> =
        t.extras.distances.iter().map(|d| (d.distance_m, d.source.as_deref())).collect();
    assert_eq!(rows, [(0.2, Some("EN 50174-2")), (0.05, None)]);
}

#[test]
fn swing_and_beside_zones_are_read_with_nfpa_defaults() {
    let r = parse(
        "[[test]]\nname = \"door\"\nmode = \"clearance\"\nzone = \"swing\"\n\n[[test]]\nname = \"heads\"\nmode = \"clearance\"\nzone = \"beside\"\nclearance_mm = 457\n\n[[test]]\nname = \"heads2\"\nmode = \"clearance\"\nzone = \"beside\"\nclearance_mm = 457\nbeside_factor = 2.5\nbeside_max_mm = 500\n",
    )
    .expect("valid");
    let zone = |i: usize| match r.tests[i].mode {
        Mode::Zone { zone, size, .. } => (zone, size.clearance_m, size.beside_factor, size.beside_max_m),
        ref other => panic!("{other:?}"),
    };
    assert_eq!(zone(0), (Zone::Swing, 0.0, 0.0, 0.0));
    assert_eq!(zone(1), (Zone::Beside, 0.457, 3.0, 0.61));
    assert_eq!(zone(2), (Zone::Beside, 0.457, 2.5, 0.5));
}

#[test]
fn issue_21_keys_are_refused_where_they_do_not_apply() {
    let m = error("[[test]]\nname = \"d\"\nmode = \"duplicate\"\ninflate_by = \"coverings\"\n", (4, 14));
    assert!(m.contains("inflate_by does not apply"), "{m}");
    let m = error("[[test]]\nname = \"h\"\ninflate_unit = \"mm\"\n", (3, 16));
    assert!(m.contains("only applies with inflate_by"), "{m}");
    let m = error("[[test]]\nname = \"h\"\ninflate_by = \"x\"\n", (3, 14));
    assert!(m.contains("expected 'Pset.Prop'"), "{m}");
    let m = error("[[test]]\nname = \"h\"\ninflate_by = \"P.T\"\ninflate_unit = \"inch\"\n", (4, 16));
    assert!(m.contains("\"mm\" or \"m\""), "{m}");
    let m = error("[[test]]\nname = \"d\"\nmode = \"duplicate\"\nmin_volume_m3 = 1\n", (4, 17));
    assert!(m.contains("min_volume_m3 only applies"), "{m}");
    let m = error("[[test]]\nname = \"h\"\nmin_volume_m3 = -1\n", (3, 17));
    assert!(m.contains("cubic metres"), "{m}");
    let m = error(
        "[[test]]\nname = \"z\"\nmode = \"clearance\"\nzone = \"above\"\nclearance_mm = 10\n[[test.distance]]\ndistance_mm = 5\n",
        (6, 1),
    );
    assert!(m.contains("only apply to mode = \"clearance\" without a zone"), "{m}");
    let m = error("[[test]]\nname = \"z\"\nmode = \"clearance\"\nzone = \"above\"\nclearance_mm = 10\nbeside_factor = 3\n", (6, 17));
    assert!(m.contains("only applies to zone = \"beside\""), "{m}");
    let m = error("[[test]]\nname = \"z\"\nmode = \"clearance\"\nzone = \"beside\"\nclearance_mm = 10\nbeside_factor = 1000\n", (6, 17));
    assert!(m.contains("from 0 to 100"), "{m}");
    let m = error(
        "[[test]]\nname = \"c\"\nmode = \"clearance\"\n[[test.distance]]\na = [\"bad\"]\ndistance_mm = 5\n",
        (4, 1),
    );
    assert!(m.contains("bad property criterion"), "{m}");
}

/// The loader reads `IfcRelCoversBldgElements` into the covered element's
/// `Plumbline_Coverings` set (millimetres, from the covering's material layers), which is what
/// `inflate_by = "coverings"` measures; the generated hall insulates two branches that way.
#[test]
fn the_loader_records_the_coverings_thickness_on_the_covered_element() {
    let g = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::default());
    let model = plumbline_ifc::load_bytes(Path::new("hall.ifc"), g.ifc.into_bytes(), &Default::default())
        .expect("loads");
    let mut covered: Vec<(String, String)> = model
        .elements
        .iter()
        .filter_map(|e| {
            let t = e.property(COVERINGS_PROPERTY.0, COVERINGS_PROPERTY.1)?;
            Some((e.name.clone().unwrap_or_default(), t.to_string()))
        })
        .collect();
    covered.sort();
    assert_eq!(
        covered,
        [
            ("Chilled water branch H1-I1".to_string(), "50".to_string()),
            ("Chilled water branch H1-I3".into(), "25".into())
        ]
    );
    let extras = plumbline_rules::TestExtras {
        inflate_by: vec![InflateBy {
            pset: COVERINGS_PROPERTY.0.into(),
            prop: COVERINGS_PROPERTY.1.into(),
            unit_m: 0.001,
        }],
        ..Default::default()
    };
    let thickest = model.elements.iter().map(|e| extras.inflation_m(e)).fold(0.0, f64::max);
    assert!((thickest - 0.05).abs() < 1e-12, "{thickest}");
}
