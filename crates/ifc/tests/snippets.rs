//! Small inline IFC files with known answers: placements, mapped items, length units, string
//! encodings, relations, broken elements and bad files. Each case is one call to a helper.

mod common;
use common::ifc4;
use plumbline_ifc::{load_bytes, LoadError, LoadOptions};
use plumbline_model::{ClassQuery, MeshScope, Model, Role};
use std::collections::HashMap;
use std::path::Path;

/// A box element `id` of `class` with an extruded rectangle `x` by `y`, height `z`, placed at
/// `at` (model units), its items numbered from `id + 1`.
fn boxed(id: u32, class: &str, guid: &str, name: &str, at: [f64; 3], size: [f64; 3]) -> String {
    let [x, y, z] = at;
    let [sx, sy, sz] = size;
    let n = |k: u32| id + k;
    format!(
        "#{id}={class}('{guid}',#1,'{name}',$,$,#{p},#{s},$,$);
#{p}=IFCLOCALPLACEMENT(#30,#{a});
#{a}=IFCAXIS2PLACEMENT3D(#{pt},$,$);
#{pt}=IFCCARTESIANPOINT(({x:?},{y:?},{z:?}));
#{s}=IFCPRODUCTDEFINITIONSHAPE($,$,(#{r}));
#{r}=IFCSHAPEREPRESENTATION(#20,'Body','SweptSolid',(#{e}));
#{e}=IFCEXTRUDEDAREASOLID(#{prof},#{a2},#23,{sz:?});
#{prof}=IFCRECTANGLEPROFILEDEF(.AREA.,$,#{pp},{sx:?},{sy:?});
#{pp}=IFCAXIS2PLACEMENT2D(#{pp2},$);
#{pp2}=IFCCARTESIANPOINT(({hx:?},{hy:?}));
#{a2}=IFCAXIS2PLACEMENT3D(#22,$,$);",
        p = n(1),
        s = n(2),
        a = n(3),
        pt = n(4),
        r = n(5),
        e = n(6),
        prof = n(7),
        pp = n(8),
        pp2 = n(9),
        a2 = n(10),
        hx = sx / 2.0,
        hy = sy / 2.0,
    )
}

fn load(text: &str) -> Model {
    load_bytes(Path::new("snippet.ifc"), text.as_bytes().to_vec(), &LoadOptions::default())
        .expect("snippet loads")
}

fn load_err(text: &[u8]) -> LoadError {
    load_bytes(Path::new("bad.ifc"), text.to_vec(), &LoadOptions::default()).expect_err("snippet must fail")
}

fn assert_near(a: [f64; 3], b: [f64; 3]) {
    for i in 0..3 {
        assert!((a[i] - b[i]).abs() < 1e-6, "{a:?} != {b:?}");
    }
}

#[test]
fn a_mesh_scope_finds_ifc2x3_segments_by_their_type_object() {
    // IFC2X3 has no IfcDuctSegment: a duct is an IfcFlowSegment typed by IfcDuctSegmentType,
    // and a scope asking for duct segments must tessellate it (and not the pipe beside it).
    let segment = |id: u32, guid: &str, name: &str, x: f64| {
        // IFC2X3's IfcFlowSegment has no PredefinedType: one attribute fewer than `boxed` writes.
        boxed(id, "IFCFLOWSEGMENT", guid, name, [x, 0.0, 3.0], [2.0, 0.3, 0.3]).replacen(",$,$);", ",$);", 1)
    };
    let body = [
        segment(100, "0abcdefghijklmnopqrstu", "Duct", 0.0),
        segment(120, "1abcdefghijklmnopqrstu", "Pipe", 5.0),
        "#200=IFCDUCTSEGMENTTYPE('2abcdefghijklmnopqrstu',#1,'DT',$,$,$,$,$,$,.RIGIDSEGMENT.);".into(),
        "#201=IFCPIPESEGMENTTYPE('3abcdefghijklmnopqrstu',#1,'PT',$,$,$,$,$,$,.RIGIDSEGMENT.);".into(),
        "#202=IFCRELDEFINESBYTYPE('4abcdefghijklmnopqrstu',#1,$,$,(#100),#200);".into(),
        "#203=IFCRELDEFINESBYTYPE('5abcdefghijklmnopqrstu',#1,$,$,(#120),#201);".into(),
        "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100,#120),#31);".into(),
    ]
    .join("\n");
    let text = ifc4("$", &body).replace("FILE_SCHEMA(('IFC4'))", "FILE_SCHEMA(('IFC2X3'))");
    let path = Path::new("typed.ifc");
    let scoped = |classes: &[&str]| {
        let scopes = HashMap::from([(path.to_path_buf(), MeshScope::classes(classes))]);
        load_bytes(path, text.as_bytes().to_vec(), &LoadOptions { mesh_scopes: scopes, ..Default::default() })
            .expect("loads")
    };
    let meshed = |m: &Model| -> Vec<String> {
        m.elements.iter().filter(|e| e.mesh.is_some()).filter_map(|e| e.name.clone()).collect()
    };
    assert_eq!(load(&text).schema, "IFC2X3");
    assert_eq!(meshed(&load(&text)), ["Duct", "Pipe"]);
    assert_eq!(meshed(&scoped(&["IfcDuctSegment"])), ["Duct"]);
    assert_eq!(meshed(&scoped(&["IfcPipeSegment"])), ["Pipe"]);
    assert_eq!(meshed(&scoped(&["IfcFlowSegment"])), ["Duct", "Pipe"]);
    assert_eq!(meshed(&scoped(&["IfcWall"])), Vec::<String>::new());
    assert!(scoped(&["IfcDuctSegment"]).failures.is_empty(), "the pipe left out is no failure");
}

#[test]
fn extruded_box_lands_at_its_placement_in_metres() {
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "W", [2.0, 3.0, 0.5], [4.0, 0.2, 3.0])
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    let m = load(&ifc4("$", &body));
    let wall = &m.elements[0];
    assert_eq!((wall.class.as_str(), wall.role), ("IfcWall", Role::Physical));
    assert_eq!(wall.storey.as_deref(), Some("Level 1"));
    let bb = wall.aabb().expect("meshed");
    assert_near(bb.min, [2.0, 3.0, 0.5]);
    assert_near(bb.max, [6.0, 3.2, 3.5]);
    let vol = wall.mesh.as_ref().map(|m| m.signed_volume_m3().abs()).unwrap_or(0.0);
    assert!((vol - 2.4).abs() < 1e-6, "volume {vol}");
}

#[test]
fn millimetre_models_are_scaled_to_metres() {
    let body =
        boxed(100, "IFCSLAB", "0abcdefghijklmnopqrstu", "S", [1000.0, 0.0, 0.0], [2000.0, 500.0, 250.0])
            + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    let m = load(&ifc4(".MILLI.", &body));
    let bb = m.elements[0].aabb().expect("meshed");
    assert_near(bb.min, [1.0, 0.0, 0.0]);
    assert_near(bb.max, [3.0, 0.5, 0.25]);
    // The placement's origin is scaled like the mesh: 1000 mm is 1 m.
    let p = m.elements[0].placement.expect("placed");
    assert_near(p.origin_m, [1.0, 0.0, 0.0]);
}

#[test]
fn nested_and_rotated_placements_compose() {
    // The element's placement is relative to the storey, which is rotated 90 degrees about Z
    // and moved 10 m along X: local +X becomes world +Y.
    let body = boxed(100, "IFCCOLUMN", "0abcdefghijklmnopqrstu", "C", [1.0, 0.0, 0.0], [2.0, 1.0, 3.0])
        .replace("#101=IFCLOCALPLACEMENT(#30,#103);", "#101=IFCLOCALPLACEMENT(#200,#103);")
        + "\n#200=IFCLOCALPLACEMENT(#30,#201);\n#201=IFCAXIS2PLACEMENT3D(#202,#23,#25);\n#202=IFCCARTESIANPOINT((10.,0.,0.));"
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    let m = load(&ifc4("$", &body));
    let bb = m.elements[0].aabb().expect("meshed");
    // Local box x in [1,3], y in [0,1] -> world x in [10-1, 10], y in [1, 3].
    assert_near(bb.min, [9.0, 1.0, 0.0]);
    assert_near(bb.max, [10.0, 3.0, 3.0]);
    // The element's own frame composes the same way: origin at local (1,0,0) of the turned
    // storey frame, local +X along world +Y, local +Y along world -X.
    let p = m.elements[0].placement.expect("placed");
    assert_near(p.origin_m, [10.0, 1.0, 0.0]);
    assert_near(p.axis(0), [0.0, 1.0, 0.0]);
    assert_near(p.axis(1), [-1.0, 0.0, 0.0]);
    assert_near(p.axis(2), [0.0, 0.0, 1.0]);
}

#[test]
fn georeferenced_coordinates_keep_millimetre_precision() {
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "W", [0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    // Move the site 500 km east and 5,000 km north, as a georeferenced model would be.
    let text =
        ifc4("$", &body).replace("#28=IFCLOCALPLACEMENT($,#21);", "#28=IFCLOCALPLACEMENT($,#300);") + "";
    let text = text.replace(
        "#35=IFCRELAGGREGATES",
        "#300=IFCAXIS2PLACEMENT3D(#301,$,$);\n#301=IFCCARTESIANPOINT((500000.123,5000000.456,12.));\n#35=IFCRELAGGREGATES",
    );
    let m = load(&text);
    let bb = m.elements[0].aabb().expect("meshed");
    assert_near(bb.min, [500000.123, 5000000.456, 12.0]);
    assert_near(bb.max, [500001.123, 5000001.456, 13.0]);
    let p = m.elements[0].placement.expect("placed");
    assert_near(p.origin_m, [500000.123, 5000000.456, 12.0]);
}

#[test]
fn mapped_items_are_placed_per_occurrence() {
    let map = "#400=IFCREPRESENTATIONMAP(#401,#402);
#401=IFCAXIS2PLACEMENT3D(#22,$,$);
#402=IFCSHAPEREPRESENTATION(#20,'Body','SweptSolid',(#403));
#403=IFCEXTRUDEDAREASOLID(#404,#401,#23,2.);
#404=IFCRECTANGLEPROFILEDEF(.AREA.,$,#405,0.6,1.2);
#405=IFCAXIS2PLACEMENT2D(#406,$);
#406=IFCCARTESIANPOINT((0.3,0.6));";
    let occurrence = |id: u32, guid: &str, x: f64| {
        format!(
            "#{id}=IFCFURNITURE('{guid}',#1,'Rack',$,$,#{p},#{s},$,$);
#{p}=IFCLOCALPLACEMENT(#30,#{a});
#{a}=IFCAXIS2PLACEMENT3D(#{pt},$,$);
#{pt}=IFCCARTESIANPOINT(({x:?},0.,0.));
#{s}=IFCPRODUCTDEFINITIONSHAPE($,$,(#{r}));
#{r}=IFCSHAPEREPRESENTATION(#20,'Body','MappedRepresentation',(#{mi}));
#{mi}=IFCMAPPEDITEM(#400,#{op});
#{op}=IFCCARTESIANTRANSFORMATIONOPERATOR3D($,$,#22,1.,$);",
            p = id + 1,
            a = id + 2,
            pt = id + 3,
            s = id + 4,
            r = id + 5,
            mi = id + 6,
            op = id + 7
        )
    };
    let body = format!(
        "{map}\n{}\n{}\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#500,#600),#31);",
        occurrence(500, "1abcdefghijklmnopqrstu", 0.0),
        occurrence(600, "2abcdefghijklmnopqrstu", 5.0)
    );
    let m = load(&ifc4("$", &body));
    let boxes: Vec<_> = m.physical().map(|(_, e)| e.aabb().expect("meshed")).collect();
    assert_eq!(boxes.len(), 2);
    assert_near(boxes[0].min, [0.0, 0.0, 0.0]);
    assert_near(boxes[0].max, [0.6, 1.2, 2.0]);
    assert_near(boxes[1].min, [5.0, 0.0, 0.0]);
    assert_near(boxes[1].max, [5.6, 1.2, 2.0]);
}

#[test]
fn step_strings_are_decoded() {
    // \X2\ UTF-16 (Chinese), \X\ ISO 8859-1 (e acute), \S\ (upper half: \S\e = 0x65+0x80 = å),
    // doubled quotes and escaped backslashes.
    let name = r"\X2\673A623F\X0\ 1 caf\X\E9 \S\e O''Brien a\\b";
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", name, [0.0; 3], [1.0, 1.0, 1.0])
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    let text = ifc4("$", &body).replace("'Level 1'", r"'\X2\4E005C42\X0\'");
    let m = load(&text);
    assert_eq!(m.elements[0].name.as_deref(), Some("机房 1 café å O'Brien a\\b"));
    assert_eq!(m.elements[0].storey.as_deref(), Some("一层"));
    assert_eq!(m.storeys[0].name, "一层");
    // Decoded faithfully: nothing to warn about.
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn a_broken_step_escape_is_kept_as_written_with_a_warning() {
    // Three hex digits in a \X2\ group: not UTF-16, so the text stays as written.
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", r"Wall \X2\4E2\X0\", [0.0; 3], [1.0; 3]);
    let m = load(&ifc4("$", &body));
    assert_eq!(m.elements.len(), 1);
    assert!(
        m.warnings.iter().any(|w| w.starts_with("1 text(s) hold a broken STEP escape") && w.contains("4E2")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn openings_and_fillings_are_related_not_physical() {
    let body = [
        boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "W", [0.0; 3], [4.0, 0.2, 3.0]),
        boxed(200, "IFCOPENINGELEMENT", "1abcdefghijklmnopqrstu", "O", [1.0, -0.1, 0.0], [1.0, 0.4, 2.0]),
        boxed(300, "IFCDOOR", "2abcdefghijklmnopqrstu", "D", [1.0, 0.0, 0.0], [1.0, 0.2, 2.0]).replacen(
            "$,$);",
            "$,$,2.,1.,.DOOR.,.SINGLE_SWING_LEFT.,$);",
            1,
        ),
        "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100,#300),#31);".into(),
        "#91=IFCRELVOIDSELEMENT('8YvctVUKr0kugbFTf53O9L',#1,$,$,#100,#200);".into(),
        "#92=IFCRELFILLSELEMENT('9YvctVUKr0kugbFTf53O9L',#1,$,$,#200,#300);".into(),
    ]
    .join("\n");
    let m = load(&ifc4("$", &body));
    let roles: Vec<_> = m.elements.iter().map(|e| (e.class.as_str(), e.role)).collect();
    assert_eq!(
        roles,
        [("IfcWall", Role::Physical), ("IfcOpeningElement", Role::Opening), ("IfcDoor", Role::Physical)]
    );
    assert_eq!(m.relations.voids, [(0, 1)]);
    assert_eq!(m.relations.fills, [(1, 2)]);
    // The opening is cut from the wall: 4*3*0.2 - 1*2*0.2 = 2.0 m3.
    let vol = m.elements[0].mesh.as_ref().map(|m| m.signed_volume_m3().abs()).unwrap_or(0.0);
    assert!((vol - 2.0).abs() < 1e-3, "wall volume after the cut: {vol}");
    assert_eq!(
        m.class_counts().into_iter().collect::<Vec<_>>(),
        [("IfcDoor".into(), 1), ("IfcWall".into(), 1)]
    );
}

#[test]
fn a_broken_element_is_reported_and_the_rest_loads() {
    // #200's extrusion refers to a profile that does not exist.
    let body = [
        boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "Good", [0.0; 3], [1.0, 1.0, 1.0]),
        boxed(200, "IFCWALL", "1abcdefghijklmnopqrstu", "Broken", [5.0, 0.0, 0.0], [1.0, 1.0, 1.0])
            .replace("#206=IFCEXTRUDEDAREASOLID(#207,", "#206=IFCEXTRUDEDAREASOLID(#999,"),
        "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100,#200),#31);".into(),
    ]
    .join("\n");
    let m = load(&ifc4("$", &body));
    assert!(m.elements[0].mesh.is_some());
    assert!(m.elements[1].mesh.is_none());
    assert_eq!(m.failures.len(), 1);
    assert_eq!(m.failures[0].global_id, "1abcdefghijklmnopqrstu");
    // The reason names the record to fix, not just the symptom.
    assert_eq!(m.failures[0].reason, "#206 refers to #999, which the file does not define");
}

#[test]
fn a_placement_cycle_is_named_and_the_rest_loads() {
    let body = [
        boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "Good", [0.0; 3], [1.0, 1.0, 1.0]),
        boxed(200, "IFCWALL", "1abcdefghijklmnopqrstu", "Looped", [5.0, 0.0, 0.0], [1.0, 1.0, 1.0])
            .replace("#201=IFCLOCALPLACEMENT(#30,", "#201=IFCLOCALPLACEMENT(#300,"),
        "#300=IFCLOCALPLACEMENT(#201,#21);".into(),
        "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100,#200),#31);".into(),
    ]
    .join("\n");
    let m = load(&ifc4("$", &body));
    assert!(m.elements[0].mesh.is_some());
    assert_eq!(m.failures.len(), 1, "{:?}", m.failures);
    assert_eq!(m.failures[0].reason, "its placement chain loops (#201 → #300 → #201)");
}

#[test]
fn a_truncated_file_loads_its_complete_records_with_a_warning() {
    let body = [
        boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "Good", [0.0; 3], [1.0, 1.0, 1.0]),
        "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);".into(),
        "#500=IFCWALL('1abcdefghij".into(),
    ]
    .join("\n");
    let whole = ifc4("$", &body);
    let cut = &whole[..whole.find("#500=").expect("cut point") + 18];
    let m = load(cut);
    assert!(m.elements[0].mesh.is_some(), "complete records still load");
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    assert!(m.warnings[0].starts_with("the file is truncated: it ends at line"), "{}", m.warnings[0]);
    assert!(load(&whole).warnings.is_empty());
}

#[test]
fn properties_type_objects_and_materials_reach_the_element() {
    let body =
        [
            boxed(100, "IFCDUCTSEGMENT", "0abcdefghijklmnopqrstu", "Duct", [0.0; 3], [1.0, 0.5, 0.3])
                .replacen("$,$);", "$,.RIGIDSEGMENT.);", 1),
            "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);".into(),
            "#500=IFCPROPERTYSET('aYvctVUKr0kugbFTf53O9L',#1,'Pset_Plumbline',$,(#501));".into(),
            "#501=IFCPROPERTYSINGLEVALUE('System',$,IFCLABEL('Supply air'),$);".into(),
            "#502=IFCRELDEFINESBYPROPERTIES('bYvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#500);".into(),
            "#510=IFCDUCTSEGMENTTYPE('cYvctVUKr0kugbFTf53O9L',#1,'Rect 500x300',$,$,$,$,$,$,.RIGIDSEGMENT.);"
                .into(),
            "#511=IFCRELDEFINESBYTYPE('dYvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#510);".into(),
            "#520=IFCMATERIAL('Galvanised steel',$,$);".into(),
            "#521=IFCRELASSOCIATESMATERIAL('eYvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#520);".into(),
            "#530=IFCDISTRIBUTIONSYSTEM('fYvctVUKr0kugbFTf53O9L',#1,'SA-01',$,$,$,.VENTILATION.);".into(),
            "#531=IFCRELASSIGNSTOGROUP('gYvctVUKr0kugbFTf53O9L',#1,$,$,(#100),$,#530);".into(),
        ]
        .join("\n");
    let m = load(&ifc4("$", &body));
    let duct = &m.elements[0];
    assert_eq!(duct.predefined_type.as_deref(), Some("RIGIDSEGMENT"));
    assert_eq!(duct.property("Pset_Plumbline", "System"), Some("Supply air"));
    let t = duct.type_object.as_ref().expect("typed");
    assert_eq!((t.class.as_str(), t.name.as_deref()), ("IfcDuctSegmentType", Some("Rect 500x300")));
    assert_eq!(duct.materials, ["Galvanised steel"]);
    assert_eq!(m.relations.systems.len(), 1);
    assert_eq!(m.relations.systems[0].name.as_deref(), Some("SA-01"));
    assert_eq!(m.relations.systems[0].members, [0]);
    assert!(m.element_is(duct, &ClassQuery::new(["IfcFlowSegment"])));
    assert!(m.element_is(duct, &ClassQuery::new(["IfcDistributionElement"])));
    assert!(!m.element_is(duct, &ClassQuery::new(["IfcPipeSegment"])));
}

/// Exporters share one property record among many sets (Revit: Office_A x10 refers to 27,670
/// properties 160,000 times), and the loader remembers what a property gave the sets read
/// before: every set still gets every property it names, and a complex property its parts.
#[test]
fn a_property_shared_by_two_sets_reaches_both_and_complex_parts_keep_their_prefix() {
    let body = [
        boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "A", [0.0; 3], [1.0, 1.0, 1.0]),
        boxed(200, "IFCWALL", "1abcdefghijklmnopqrstu", "B", [2.0, 0.0, 0.0], [1.0, 1.0, 1.0]),
        "#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100,#200),#31);".into(),
        "#501=IFCPROPERTYSINGLEVALUE('FireRating',$,IFCLABEL('EI 60'),$);".into(),
        "#502=IFCPROPERTYSINGLEVALUE('Width',$,IFCLENGTHMEASURE(0.3),$);".into(),
        "#503=IFCPROPERTYSINGLEVALUE('Depth',$,IFCLENGTHMEASURE(0.1),$);".into(),
        "#504=IFCCOMPLEXPROPERTY('Sleeve',$,'Sleeve',(#502,#503));".into(),
        "#510=IFCPROPERTYSET('aYvctVUKr0kugbFTf53O9L',#1,'Pset_A',$,(#501,#504));".into(),
        "#511=IFCPROPERTYSET('bYvctVUKr0kugbFTf53O9L',#1,'Pset_B',$,(#504,#501,#502));".into(),
        "#520=IFCRELDEFINESBYPROPERTIES('cYvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#510);".into(),
        "#521=IFCRELDEFINESBYPROPERTIES('dYvctVUKr0kugbFTf53O9L',#1,$,$,(#200),#511);".into(),
    ]
    .join("\n");
    let m = load(&ifc4("$", &body));
    let (a, b) = (&m.elements[0], &m.elements[1]);
    assert_eq!(a.property("Pset_A", "FireRating"), Some("EI 60"));
    assert_eq!(a.property("Pset_A", "Sleeve.Width"), Some("0.3"));
    assert_eq!(a.property("Pset_A", "Sleeve.Depth"), Some("0.1"));
    assert_eq!(b.property("Pset_B", "FireRating"), Some("EI 60"));
    assert_eq!(b.property("Pset_B", "Sleeve.Width"), Some("0.3"));
    assert_eq!(b.property("Pset_B", "Sleeve.Depth"), Some("0.1"));
    // Each set lists its properties in its own order, a part named by itself as well.
    let names = |e: &plumbline_model::Element, set: &str| -> Vec<String> {
        let p = e.property_sets.iter().find(|p| p.name == set).expect("the set");
        p.properties.iter().map(|p| p.name.clone()).collect()
    };
    assert_eq!(names(a, "Pset_A"), ["FireRating", "Sleeve.Width", "Sleeve.Depth"]);
    assert_eq!(names(b, "Pset_B"), ["Sleeve.Width", "Sleeve.Depth", "FireRating", "Width"]);
}

#[test]
fn bad_files_get_clear_errors() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "bad.ifc: line 1: the file is empty"),
        (b"\x00\x01\x02garbage", "bad.ifc: line 1: not an IFC STEP file"),
        (
            b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('AP214'));\nENDSEC;",
            "bad.ifc: line 3: unsupported schema 'AP214'",
        ),
        (
            b"ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;",
            "bad.ifc: line 1: the STEP header has no FILE_SCHEMA",
        ),
    ];
    for (bytes, expected) in cases {
        let e = load_err(bytes).to_string();
        assert!(e.starts_with(expected), "expected '{expected}', got '{e}'");
    }
}

#[test]
fn a_truncated_file_loads_what_it_can() {
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "W", [0.0; 3], [1.0, 1.0, 1.0])
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    let text = ifc4("$", &body);
    let cut = &text[..text.find("#90=").expect("present") + 20];
    let m = load_bytes(Path::new("t.ifc"), cut.as_bytes().to_vec(), &LoadOptions::default()).expect("loads");
    assert_eq!(m.physical().count(), 1);
}

#[test]
fn the_time_limit_turns_a_slow_load_into_an_error() {
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "W", [0.0; 3], [1.0, 1.0, 1.0]);
    let options = LoadOptions { time_limit: std::time::Duration::ZERO, ..Default::default() };
    let e =
        load_bytes(Path::new("slow.ifc"), ifc4("$", &body).into_bytes(), &options).expect_err("times out");
    assert!(matches!(e, LoadError::TimedOut { .. }), "{e}");
    assert!(e.to_string().contains("slow.ifc: loading took longer than the time limit"), "{e}");
}

#[test]
fn an_undecodable_element_record_is_reported_not_dropped() {
    let body = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "Good", [0.0; 3], [1.0, 1.0, 1.0])
        + "\n#200=IFCWALL('1abcdefghijklmnopqrstu',#1,'Broken',$,$,#101,#102,$,$,@@@);"
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100,#200),#31);";
    let m = load(&ifc4("$", &body));
    assert!(m.elements.iter().any(|e| e.global_id == "0abcdefghijklmnopqrstu" && e.mesh.is_some()));
    let f = m.failures.iter().find(|f| f.global_id == "#200").expect("the broken wall is reported");
    assert_eq!(f.class, "IFCWALL");
    assert!(f.reason.starts_with("line "), "{}", f.reason);
}

/// A watcher sees the geometry pass advance and end complete; the next file starts from zero.
#[test]
fn load_progress_reaches_the_whole_file_and_restarts_per_file() {
    use std::sync::Arc;
    let progress = Arc::new(plumbline_ifc::LoadProgress::default());
    assert_eq!(progress.fraction(), 0.0);
    let options = LoadOptions { progress: Some(progress.clone()), ..Default::default() };
    let params = plumbline_samples::DatacenterParams { rows: 2, racks_per_row: 4, ..Default::default() };
    let ifc = plumbline_samples::datacenter(&params).ifc.into_bytes();
    let model = load_bytes(Path::new("hall.ifc"), ifc.clone(), &options).expect("loads");
    assert!(model.elements.iter().filter(|e| e.mesh.is_some()).count() > 50);
    assert_eq!(progress.fraction(), 1.0, "every element tessellated");

    // A file that fails before its geometry pass leaves the watcher at zero, not at the last
    // file's end.
    let _ = load_bytes(Path::new("notes.ifc"), b"not an IFC file".to_vec(), &options).expect_err("refused");
    assert_eq!(progress.fraction(), 0.0);
}

/// A length unit with an unusable factor (zero) fails the load with `BadUnit` naming the unit,
/// whether the file's products are tessellated (a faceted box) or all have an exact solid (an
/// extruded rectangle), which never reach the tessellator.
#[test]
fn a_length_unit_with_an_unusable_factor_is_refused() {
    // A unit ifc-lite does not know by name (it would take a foot's 0.3048 m whatever the
    // factor says), so the declared factor decides.
    let zero_link = "#12=IFCCONVERSIONBASEDUNIT(#13,.LENGTHUNIT.,'SURVEY_LINK',#14);\n\
                     #13=IFCDIMENSIONALEXPONENTS(1,0,0,0,0,0,0);\n\
                     #14=IFCMEASUREWITHUNIT(IFCLENGTHMEASURE(0.),#15);\n\
                     #15=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);";
    let solid = boxed(100, "IFCWALL", "0abcdefghijklmnopqrstu", "W", [0.0, 0.0, 0.0], [4.0, 0.2, 3.0])
        + "\n#90=IFCRELCONTAINEDINSPATIALSTRUCTURE('7YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);";
    // The same box as a triangulated face set: no exact solid, so ifc-lite tessellates it.
    let faceted = solid.replace(
        "#106=IFCEXTRUDEDAREASOLID(#107,#110,#23,3.0);",
        "#106=IFCTRIANGULATEDFACESET(#150,$,$,((1,2,3),(1,3,4),(1,2,4),(2,3,4)),$);\n\
         #150=IFCCARTESIANPOINTLIST3D(((0.,0.,0.),(1.,0.,0.),(0.,1.,0.),(0.,0.,1.)));",
    );
    assert_ne!(faceted, solid, "the body was replaced");
    for body in [&solid, &faceted] {
        let text = ifc4("$", body).replace("#12=IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.);", zero_link);
        assert!(text.contains("'SURVEY_LINK'"));
        let e = load_err(text.as_bytes());
        assert!(matches!(e, LoadError::BadUnit { .. }), "{e}");
        assert!(e.to_string().contains("unusable factor"), "{e}");
        // With a usable factor the same file loads, in links of 0.201168 m.
        let ok = load(&text.replace("IFCLENGTHMEASURE(0.)", "IFCLENGTHMEASURE(0.201168)"));
        let height = ok.elements[0].aabb().map(|b| b.max[2] - b.min[2]);
        let expected = if body.contains("TRIANGULATED") { 0.201168 } else { 3.0 * 0.201168 };
        assert!(height.is_some_and(|h| (h - expected).abs() < 1e-6), "{height:?}");
    }
}
