//! Checks on named files of the real corpus: relations, class queries across schemas, encodings.
//! Each is skipped with a printed notice where the corpus is absent.

use plumbline_ifc::{load_file, LoadOptions};
use plumbline_model::{ClassQuery, Model};

use plumbline_testkit::ifc_file;

fn load(rel: &str) -> Option<Model> {
    ifc_file(rel).map(|p| load_file(&p, &LoadOptions::default()).expect("corpus file loads"))
}

fn count(m: &Model, classes: &[&str]) -> usize {
    let q = ClassQuery::new(classes);
    m.physical().filter(|(_, e)| m.element_is(e, &q)).count()
}

#[test]
fn ifc2x3_flow_segments_answer_for_their_ifc4_class() {
    // RioleringTestArkey (IFC2X3): five IfcFlowSegment typed by IfcPipeSegmentType.
    let Some(m) = load("bimserver-testfiles/RioleringTestArkey.ifc") else { return };
    assert_eq!(count(&m, &["IfcPipeSegment"]), 5);
    assert_eq!(count(&m, &["IfcFlowSegment"]), 5);
    assert_eq!(count(&m, &["IfcDuctSegment"]), 0);
    assert_eq!(count(&m, &["IfcDistributionFlowElement"]), m.physical().count());
}

#[test]
fn ifc4_supertype_queries_find_subtypes_and_ports_connect_elements() {
    let Some(m) = load("bim2sim/hvac_heating.ifc") else { return };
    assert_eq!(count(&m, &["IfcPipeSegment"]), 100);
    assert_eq!(count(&m, &["IfcFlowSegment"]), 100);
    assert!(count(&m, &["IfcFlowFitting"]) > 0);
    assert_eq!(m.relations.port_connections.len(), 228);
    let systems: Vec<_> = m.relations.systems.iter().filter_map(|s| s.name.as_deref()).collect();
    assert!(systems.contains(&"Heizung_VL"), "{systems:?}");
    assert!(m.relations.systems.iter().all(|s| !s.members.is_empty()));
}

#[test]
fn doors_fill_the_openings_of_their_walls() {
    let Some(m) = load("bim-whale/SimpleWall.ifc") else { return };
    let class = |i: u32| m.elements[i as usize].class.as_str();
    assert_eq!(m.relations.voids.len(), 1);
    assert_eq!(m.relations.fills.len(), 1);
    let (host, opening) = m.relations.voids[0];
    let (opening2, filling) = m.relations.fills[0];
    assert_eq!(
        (class(host), class(opening), class(filling)),
        ("IfcWallStandardCase", "IfcOpeningElement", "IfcDoor")
    );
    assert_eq!(opening, opening2);
    let wall = &m.elements[host as usize];
    assert_eq!(wall.type_object.as_ref().map(|t| t.class.as_str()), Some("IfcWallType"));
    assert_eq!(wall.materials, ["Default Wall"]);
    assert!(wall.property_sets.iter().any(|p| p.name == "Pset_WallCommon"));
    assert_eq!(wall.storey.as_deref(), Some("Level 1"));
}

#[test]
fn japanese_names_come_out_right_in_every_encoding() {
    // Standard \X2\ UTF-16 escapes (Vectorworks, Revit) and Shift_JIS bytes smuggled in \X\
    // escapes (ArchiCAD 16).
    for (rel, storeys) in [
        ("bimserver-testfiles/vectorworks_unicode.ifc", vec!["1階 - Story", "2階 - Story", "屋根 - Story"]),
        ("bimserver-testfiles/revit2014_unicode.ifc", vec!["1階", "2階", "屋根"]),
        ("bimserver-testfiles/ac16_sjis.ifc", vec!["1階", "2階", "屋根"]),
    ] {
        let Some(m) = load(rel) else { continue };
        let names: Vec<&str> = m.storeys.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, storeys, "{rel}");
    }
    if let Some(m) = load("bimserver-testfiles/ac16_sjis.ifc") {
        assert!(m.physical().any(|(_, e)| e.materials.iter().any(|x| x == "コンクリート-構造2")));
    }
}

#[test]
fn ifczip_loads_the_same_model_as_its_ifc() {
    let (Some(a), Some(b)) = (
        load("bimserver-testfiles/AC11-Institute-Var-2-IFC.ifc"),
        load("bimserver-testfiles/AC11-Institute-Var-2-IFC.ifczip"),
    ) else {
        return;
    };
    assert_eq!(a.class_counts(), b.class_counts());
    assert_eq!(a.physical_triangles(), b.physical_triangles());
}
