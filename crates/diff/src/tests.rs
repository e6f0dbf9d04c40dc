//! Hand-built revisions: each test states exactly which element moved, changed or went away.

use super::*;
use plumbline_model::{Placement, Property, PropertySet};
use plumbline_testkit::{element, model, ElementBuilder};
use std::sync::Arc;

/// A duct of 2 × 0.4 × 0.4 m placed at `x` (its frame and mesh move together).
fn duct(gid: &str, name: &str, x: f64) -> ElementBuilder {
    element("IfcDuctSegment", gid)
        .name(name)
        .placement(Placement { origin_m: [x, 0.0, 3.0], ..Placement::IDENTITY })
        .cuboid([x, 0.0, 3.0], [x + 2.0, 0.4, 3.4])
}

fn old_model() -> Model {
    model([
        duct("A", "Duct A", 0.0),
        duct("B", "Duct B", 5.0),
        duct("C", "Duct C", 10.0),
        duct("D", "Duct D", 15.0),
    ])
    .schema("IFC4")
    .build()
}

#[test]
fn identical_models_have_no_differences() {
    let d = diff_models(&old_model(), &old_model(), DEFAULT_TOLERANCE_M).expect("compares");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(d.matched, Matched { by_global_id: 4, by_fingerprint: 0 });
}

#[test]
fn moved_renamed_deleted_added_and_changed_elements_are_listed() {
    let props = Arc::new(PropertySet {
        name: "Pset_DuctSegmentCommon".into(),
        properties: vec![Property { name: "Reference".into(), value: "D-200".into() }],
    });
    let new = model([
        duct("A", "Duct A", 0.5),                      // moved 0.5 m
        duct("B", "Duct B2", 5.0),                     // renamed
        duct("C", "Duct C", 10.0).property_set(props), // a property added
        duct("E", "Duct E", 20.0),                     // added (D deleted)
    ])
    .schema("IFC4")
    .build();
    let d = diff_models(&old_model(), &new, DEFAULT_TOLERANCE_M).expect("compares");
    let changed: Vec<(&str, Vec<&str>)> =
        d.changed.iter().map(|c| (c.global_id.as_str(), c.changes.clone())).collect();
    assert_eq!(changed, [("A", vec!["placement"]), ("B", vec!["name"]), ("C", vec!["properties"])]);
    assert_eq!(d.removed.iter().map(|e| e.global_id.as_str()).collect::<Vec<_>>(), ["D"]);
    assert_eq!(d.added.iter().map(|e| e.global_id.as_str()).collect::<Vec<_>>(), ["E"]);
    assert_eq!(d.matched, Matched { by_global_id: 3, by_fingerprint: 0 });
}

#[test]
fn regenerated_global_ids_are_matched_by_fingerprint() {
    let new = model([
        duct("A2", "Duct A", 0.0),
        duct("B2", "Duct B", 7.0), // re-GUIDed and moved
        duct("C2", "Duct C", 10.0),
        duct("D2", "Duct D", 15.0),
    ])
    .schema("IFC4")
    .build();
    let d = diff_models(&old_model(), &new, DEFAULT_TOLERANCE_M).expect("compares");
    assert_eq!(d.matched, Matched { by_global_id: 0, by_fingerprint: 4 });
    assert!(d.added.is_empty() && d.removed.is_empty(), "{d:?}");
    let b = d.changed.iter().find(|c| c.global_id == "B2").expect("B listed");
    assert_eq!((b.old_global_id.as_str(), b.changes.clone()), ("B", vec!["global_id", "placement"]));
    let json = serde_json::to_value(&d).expect("serialises");
    assert_eq!(json["matched"]["by_fingerprint"], 4);
    assert_eq!(json["changed"][0]["old_global_id"], "A");
    assert_eq!(json["changed"][0]["changes"][0], "global_id");
}

#[test]
fn identical_copies_pair_place_by_place_and_an_uneven_key_matches_nothing() {
    let old = model([duct("A", "Duct", 0.0), duct("B", "Duct", 5.0)]).schema("IFC4").build();
    let new = model([duct("Y", "Duct", 5.0), duct("X", "Duct", 0.0)]).schema("IFC4").build();
    let d = diff_models(&old, &new, DEFAULT_TOLERANCE_M).expect("compares");
    assert_eq!(d.matched, Matched { by_global_id: 0, by_fingerprint: 2 });
    let pairs: Vec<(&str, &str)> =
        d.changed.iter().map(|c| (c.old_global_id.as_str(), c.global_id.as_str())).collect();
    assert_eq!(pairs, [("A", "X"), ("B", "Y")], "by position");
    let three = model([duct("X", "Duct", 0.0), duct("Y", "Duct", 5.0), duct("Z", "Duct", 9.0)])
        .schema("IFC4")
        .build();
    let d = diff_models(&old, &three, DEFAULT_TOLERANCE_M).expect("compares");
    assert_eq!(d.matched, Matched::default());
    assert_eq!((d.added.len(), d.removed.len()), (3, 2));
}

#[test]
fn geometry_within_the_tolerance_is_unchanged_and_beyond_it_changed() {
    let grown = |dx: f64| {
        model([element("IfcDuctSegment", "A")
            .name("Duct A")
            .placement(Placement { origin_m: [0.0, 0.0, 3.0], ..Placement::IDENTITY })
            .cuboid([0.0, 0.0, 3.0], [2.0 + dx, 0.4, 3.4])])
        .schema("IFC4")
        .build()
    };
    let d = diff_models(&grown(0.0), &grown(0.0004), DEFAULT_TOLERANCE_M).expect("compares");
    assert!(d.is_empty(), "0.4 mm is within 1 mm: {d:?}");
    let d = diff_models(&grown(0.0), &grown(0.05), DEFAULT_TOLERANCE_M).expect("compares");
    assert_eq!(d.changed[0].changes, ["geometry"]);
}

#[test]
fn different_schemas_and_bad_tolerances_are_named_errors() {
    let ifc2x3 = model([duct("A", "Duct A", 0.0)]).schema("IFC2X3").build();
    let e = diff_models(&old_model(), &ifc2x3, DEFAULT_TOLERANCE_M).expect_err("schemas differ");
    assert_eq!(e, DiffError::Schema { old: "IFC4".into(), new: "IFC2X3".into() });
    assert!(e.to_string().contains("different IFC schemas"));
    assert!(matches!(diff_models(&old_model(), &old_model(), f64::NAN), Err(DiffError::Tolerance(_))));
}

#[test]
fn pairs_need_as_many_elements_of_a_key_on_both_sides() {
    let old = [("a", "k1", ""), ("b", "k2", ""), ("c", "k2", "")];
    let new = [("x", "k1", ""), ("y", "k2", ""), ("z", "k3", "")];
    assert_eq!(pair_by_key(&old, &new), [("a", "x")]);
}
