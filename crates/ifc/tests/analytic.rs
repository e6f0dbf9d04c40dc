//! Exact solids read by the loader: small IFC files with known answers, real files whose solids
//! are checked against ifc-lite's own meshes of the same elements, and loads (whole and scoped), which give
//! solid elements the solids' meshes instead of tessellating them.

mod common;
use common::ifc4;
use plumbline_ifc::{load_bytes, load_file, LoadOptions};
use plumbline_model::{ClassQuery, Element, MeshScope, Model, Role, Solid, SolidShape};
use plumbline_testkit::{ifc_file, reference_file, sample_model};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A product #100 of `class` placed at (10, 20, 3) turned 90° about Z (its X along world Y),
/// whose body is the item #110 that `item` defines (it may use ids from #111 on).
fn product(class: &str, item: &str) -> String {
    format!(
        "#100={class}('7YvctVUKr0kugbFTf53O9L',#1,'E',$,$,#101,#105,$,$);
#101=IFCLOCALPLACEMENT(#30,#102);
#102=IFCAXIS2PLACEMENT3D(#103,#23,#25);
#103=IFCCARTESIANPOINT((10.,20.,3.));
#105=IFCPRODUCTDEFINITIONSHAPE($,$,(#106));
#106=IFCSHAPEREPRESENTATION(#20,'Body','SweptSolid',(#110));
{item}
#190=IFCRELCONTAINEDINSPATIALSTRUCTURE('8YvctVUKr0kugbFTf53O9L',#1,$,$,(#100),#31);"
    )
}

/// Load options that read exact solids, as every load does by default.
fn solids_on() -> LoadOptions {
    LoadOptions { exact_solids: true, ..Default::default() }
}

/// Load options without solids: ifc-lite tessellates every product.
fn solids_off() -> LoadOptions {
    LoadOptions { exact_solids: false, ..Default::default() }
}

fn load(text: &str) -> Model {
    load_bytes(Path::new("t.ifc"), text.as_bytes().to_vec(), &solids_on()).expect("loads")
}

/// The box of ifc-lite's own mesh of #100 in `text`, which a load with solids no longer makes.
fn ifc_lite_box(text: &str) -> plumbline_model::Aabb {
    let m = load_bytes(Path::new("t.ifc"), text.as_bytes().to_vec(), &solids_off()).expect("loads");
    let e = only(&m);
    assert!(e.solid.is_none(), "a load without solids reads none");
    e.mesh.as_ref().expect("an ifc-lite mesh").aabb
}

fn only(model: &Model) -> &Element {
    model.elements.iter().find(|e| e.express_id == 100).expect("element #100")
}

fn near(a: [f64; 3], b: [f64; 3]) -> bool {
    (0..3).all(|k| (a[k] - b[k]).abs() < 1e-6)
}

fn axes(s: &Solid) -> [[f64; 3]; 3] {
    [0, 1, 2].map(|i| s.frame.axis(i))
}

/// An extruded `profile` (#111, which may use ids #112 to #119) along +Z of the item, 2 long.
fn extruded(profile: &str) -> String {
    format!("#110=IFCEXTRUDEDAREASOLID(#111,#21,#23,2.);\n{profile}")
}

#[test]
fn a_turned_rectangle_is_a_box_centred_on_its_middle() {
    // 0.4 by 0.2 centred on (1, 0) of the profile, 2 high: centre (1, 0, 1) locally, which the
    // placement's turn takes to world (10, 21, 4).
    let text = ifc4(
        "$",
        &product(
            "IFCCOLUMN",
            &extruded(
                "#111=IFCRECTANGLEPROFILEDEF(.AREA.,$,#112,0.4,0.2);
#112=IFCAXIS2PLACEMENT2D(#113,$);
#113=IFCCARTESIANPOINT((1.,0.));",
            ),
        ),
    );
    let m = load(&text);
    let e = only(&m);
    let s = e.solid.as_deref().expect("a solid");
    let SolidShape::Cuboid { half_extents_m } = s.shape else { panic!("{:?}", s.shape) };
    assert!(near(half_extents_m.map(f64::from), [0.2, 0.1, 1.0]), "{half_extents_m:?}");
    assert!(near(s.frame.origin_m, [10.0, 21.0, 4.0]), "{:?}", s.frame.origin_m);
    let [x, _, z] = axes(s);
    assert!(near(x.map(f64::abs), [0.0, 1.0, 0.0]) && near(z, [0.0, 0.0, 1.0]), "{:?}", axes(s));
    // The element's mesh is the solid's, and ifc-lite's own mesh fills the same box.
    assert_eq!(e.mesh.as_ref(), Some(&s.to_mesh()));
    let (a, b) = (ifc_lite_box(&text), s.aabb());
    assert!(near(a.min, b.min) && near(a.max, b.max), "{a:?} vs {b:?}");
}

#[test]
fn a_georeferenced_turned_site_moves_solids_with_their_meshes() {
    // The site 500 km east and 5,000 km north, turned: ifc-lite meshes in the site's frame and
    // the loader moves the meshes back; the solids are read in the world directly.
    let far = |text: String| {
        text.replace(
            "#28=IFCLOCALPLACEMENT($,#21);",
            "#28=IFCLOCALPLACEMENT($,#40);
#40=IFCAXIS2PLACEMENT3D(#41,#23,#42);
#41=IFCCARTESIANPOINT((500000.,5000000.,12.));
#42=IFCDIRECTION((0.6,0.8,0.));",
        )
    };
    for profile in
        ["#111=IFCRECTANGLEPROFILEDEF(.AREA.,$,$,0.4,0.2);", "#111=IFCCIRCLEPROFILEDEF(.AREA.,$,$,0.15);"]
    {
        let text = far(ifc4("$", &product("IFCCOLUMN", &extruded(profile))));
        let m = load(&text);
        let s = only(&m).solid.as_deref().expect("a solid");
        assert!((s.frame.origin_m[1] - 5_000_000.0).abs() < 100.0, "{:?}", s.frame.origin_m);
        let (a, b) = (ifc_lite_box(&text), s.aabb());
        // The circle's mesh is inscribed: it may fall short by its chord deviation.
        for k in 0..3 {
            assert!(
                (a.min[k] - b.min[k]).abs() < 0.003 && (a.max[k] - b.max[k]).abs() < 0.003,
                "{a:?} vs {b:?}"
            );
        }
    }
}

#[test]
fn a_circle_is_a_cylinder_and_a_hollow_circle_a_tube() {
    let m = load(&ifc4("$", &product("IFCCOLUMN", &extruded("#111=IFCCIRCLEPROFILEDEF(.AREA.,$,$,0.15);"))));
    let s = only(&m).solid.as_deref().expect("a solid");
    assert_eq!(s.shape, SolidShape::Cylinder { radius_m: 0.15, half_length_m: 1.0 });
    assert!(near(s.frame.origin_m, [10.0, 20.0, 4.0]) && near(s.frame.axis(2), [0.0, 0.0, 1.0]));

    let m = load(&ifc4(
        "$",
        &product("IFCPIPESEGMENT", &extruded("#111=IFCCIRCLEHOLLOWPROFILEDEF(.AREA.,$,$,0.15,0.01);")),
    ));
    let s = only(&m).solid.as_deref().expect("a solid");
    let SolidShape::Tube { outer_radius_m, inner_radius_m, half_length_m } = s.shape else {
        panic!("{:?}", s.shape)
    };
    assert!(
        (outer_radius_m - 0.15).abs() < 1e-6 && (inner_radius_m - 0.14).abs() < 1e-6 && half_length_m == 1.0
    );
}

/// A closed polyline profile #111 through `points` (ids from #120 on).
fn outline(points: &[[f64; 2]]) -> String {
    let ids: Vec<String> = (0..=points.len()).map(|i| format!("#{}", 120 + i % points.len())).collect();
    let mut text =
        format!("#111=IFCARBITRARYCLOSEDPROFILEDEF(.AREA.,$,#112);\n#112=IFCPOLYLINE(({}));", ids.join(","));
    for (i, [x, y]) in points.iter().enumerate() {
        text.push_str(&format!("\n#{}=IFCCARTESIANPOINT(({x:?},{y:?}));", 120 + i));
    }
    text
}

#[test]
fn a_convex_outline_is_a_prism_and_an_l_is_nothing() {
    // A trapezium with a collinear point on its bottom edge.
    let points = [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [1.5, 1.0], [0.0, 1.0]];
    let m = load(&ifc4("$", &product("IFCSLAB", &extruded(&outline(&points)))));
    let s = only(&m).solid.as_deref().expect("a solid");
    let SolidShape::Prism { profile_m, extrusion_m } = &s.shape else { panic!("{:?}", s.shape) };
    assert_eq!(profile_m.len(), 4);
    assert_eq!(*extrusion_m, [0.0, 0.0, 2.0]);
    assert!((s.shape.volume_m3() - 1.25 * 2.0).abs() < 1e-5, "{}", s.shape.volume_m3());
    let l = [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0]];
    let m = load(&ifc4("$", &product("IFCSLAB", &extruded(&outline(&l)))));
    assert!(only(&m).solid.is_none());
    assert!(only(&m).mesh.is_some());
}

#[test]
fn a_wall_with_an_opening_has_no_solid() {
    let opening = "#120=IFCOPENINGELEMENT('9YvctVUKr0kugbFTf53O9L',#1,$,$,$,#121,#122,$,$);
#121=IFCLOCALPLACEMENT(#101,#21);
#122=IFCPRODUCTDEFINITIONSHAPE($,$,(#123));
#123=IFCSHAPEREPRESENTATION(#20,'Body','SweptSolid',(#124));
#124=IFCEXTRUDEDAREASOLID(#125,#21,#23,1.);
#125=IFCRECTANGLEPROFILEDEF(.AREA.,$,$,0.1,0.1);
#126=IFCRELVOIDSELEMENT('AYvctVUKr0kugbFTf53O9L',#1,$,$,#100,#120);";
    let body = format!("{}\n{opening}", extruded("#111=IFCRECTANGLEPROFILEDEF(.AREA.,$,$,1.,0.3);"));
    let m = load(&ifc4("$", &product("IFCWALL", &body)));
    assert!(only(&m).solid.is_none());
    assert!(only(&m).mesh.is_some());
    // The opening itself is not physical: no solid either.
    assert!(m.elements.iter().all(|e| e.solid.is_none()));
}

#[test]
fn a_mapped_item_is_placed_by_its_mapping_and_millimetres_become_metres() {
    // In millimetres. The map's origin is 1000 mm along X of its source and the target moves
    // it 500 mm along Y: the box (200 by 200 by 2000 mm, on the source's origin) lands at
    // product-local (1000, 500, 1000) mm, which the product's turn and its place at (10, 20, 3)
    // take to world (10 - 500, 20 + 1000, 3 + 1000) mm.
    let item = "#110=IFCMAPPEDITEM(#111,#112);
#111=IFCREPRESENTATIONMAP(#113,#115);
#113=IFCAXIS2PLACEMENT3D(#114,$,$);
#114=IFCCARTESIANPOINT((1000.,0.,0.));
#112=IFCCARTESIANTRANSFORMATIONOPERATOR3D($,$,#116,$,$);
#116=IFCCARTESIANPOINT((0.,500.,0.));
#115=IFCSHAPEREPRESENTATION(#20,'Body','SweptSolid',(#117));
#117=IFCEXTRUDEDAREASOLID(#118,#21,#23,2000.);
#118=IFCRECTANGLEPROFILEDEF(.AREA.,$,$,200.,200.);";
    let text = ifc4(".MILLI.", &product("IFCFURNITURE", item))
        .replace("'Body','SweptSolid',(#110)", "'Body','MappedRepresentation',(#110)");
    let m = load(&text);
    let e = only(&m);
    let s = e.solid.as_deref().expect("a solid");
    let SolidShape::Cuboid { half_extents_m } = s.shape else { panic!("{:?}", s.shape) };
    assert!(near(half_extents_m.map(f64::from), [0.1, 0.1, 1.0]), "{half_extents_m:?}");
    assert!(near(s.frame.origin_m, [-0.49, 1.02, 1.003]), "{:?}", s.frame.origin_m);
    let (a, b) = (ifc_lite_box(&text), s.aabb());
    assert!(near(a.min, b.min) && near(a.max, b.max), "{a:?} vs {b:?}");

    // A uniform scale of 2 goes into the dimensions; a mirrored target gives no solid.
    let scaled = text.replace("($,$,#116,$,$)", "($,$,#116,2.,$)");
    let s = load(&scaled)
        .elements
        .into_iter()
        .find(|e| e.express_id == 100)
        .and_then(|e| e.solid)
        .expect("a solid");
    let SolidShape::Cuboid { half_extents_m } = s.shape else { panic!("{:?}", s.shape) };
    assert!(near(half_extents_m.map(f64::from), [0.2, 0.2, 2.0]), "{half_extents_m:?}");
    let mirrored = text
        .replace("($,$,#116,$,$)", "(#119,$,#116,$,$)")
        .replace("#116=", "#119=IFCDIRECTION((-1.,0.,0.));\n#116=");
    let m = load(&mirrored);
    assert!(only(&m).solid.is_none() && only(&m).mesh.is_some());
}

#[test]
fn a_disk_swept_along_two_points_with_a_bore_is_a_tube() {
    let item = "#110=IFCSWEPTDISKSOLID(#111,50.,40.,$,$);
#111=IFCPOLYLINE((#112,#113));
#112=IFCCARTESIANPOINT((0.,0.,0.));
#113=IFCCARTESIANPOINT((3000.,0.,0.));";
    let m = load(&ifc4(".MILLI.", &product("IFCPIPESEGMENT", item)));
    let e = only(&m);
    let s = e.solid.as_deref().expect("a solid");
    assert_eq!(s.shape, SolidShape::Tube { outer_radius_m: 0.05, inner_radius_m: 0.04, half_length_m: 1.5 });
    // Along product X, which the turn takes to world Y.
    assert!(near(s.frame.axis(2).map(f64::abs), [0.0, 1.0, 0.0]), "{:?}", s.frame.axis(2));
    assert!(near(s.frame.origin_m, [0.01, 1.52, 0.003]), "{:?}", s.frame.origin_m);
}

/// Real files of the corpus: IFC2X3 and IFC4, architecture, MEP, steel, swept disks, a
/// georeferenced site.
const REAL: &[&str] = &[
    "web-ifc/Office_A_20110811.ifc",
    "web-ifc/AC20-FZK-Haus.ifc",
    "yousheng/Ifc2x3_Duplex_Architecture.ifc",
    "yousheng/Ifc2s3_Duplex_Electrical.ifc",
    "yousheng/Ifc4_SampleHouse.ifc",
    "bim2sim/hvac_heating.ifc",
    "bim2sim/B01_2_HeatExchanger_Pipes.ifc",
    "bimserver-testfiles/RioleringTestArkey.ifc",
    "bsi-community/unzipped/Schependomlaan-ROOT-staal.ifc",
    "ifc-lite/building-architecture.ifc",
    "ifc-lite/infra-bridge.ifc",
    "xbim-geometry/SweptDiskSolid_1.ifc",
    "xbim-geometry/SweptDiskSolid_3.ifc",
];

/// Elements whose ifc-lite mesh is wrong, not their solid: `(file, GlobalId, why)`.
const IFC_LITE_ERRORS: &[(&str, &str, &str)] = &[];

/// The round radius of a shape (metres), 0 for flat ones.
fn radius_m(shape: &SolidShape) -> f64 {
    match shape {
        SolidShape::Cylinder { radius_m, .. } | SolidShape::Tube { outer_radius_m: radius_m, .. } => {
            f64::from(*radius_m)
        }
        _ => 0.0,
    }
}

fn kind(shape: &SolidShape) -> &'static str {
    match shape {
        SolidShape::Cuboid { .. } => "cuboid",
        SolidShape::Cylinder { .. } => "cylinder",
        SolidShape::Tube { .. } => "tube",
        SolidShape::Prism { .. } => "prism",
    }
}

/// Whether every edge of the mesh is met once each way.
fn closed(mesh: &plumbline_model::Mesh) -> bool {
    let mut edges: HashMap<(u32, u32), u32> = HashMap::new();
    for t in &mesh.triangles {
        for k in 0..3 {
            *edges.entry((t[k], t[(k + 1) % 3])).or_insert(0) += 1;
        }
    }
    !edges.is_empty() && edges.iter().all(|(&(a, b), &n)| n == 1 && edges.get(&(b, a)) == Some(&1))
}

/// What is wrong with an element's solid against its ifc-lite mesh (`tessellated`, the same
/// element loaded without solids), if anything.
fn mismatch(e: &Element, tessellated: &Element) -> Option<String> {
    let solid = e.solid.as_deref()?;
    assert_eq!(e.global_id, tessellated.global_id, "both loads list the elements in one order");
    if e.mesh.as_ref() != Some(&solid.to_mesh()) {
        return Some("its mesh is not the solid's".into());
    }
    let Some(mesh) = tessellated.mesh.as_ref() else { return Some("no ifc-lite mesh".into()) };
    let r = radius_m(&solid.shape);
    // The tessellation's chord deviation for round shapes; ifc-lite's flat faces are exact.
    let tolerance = 0.002 + 0.01 * r;
    let (a, b) = (mesh.aabb, solid.aabb());
    for k in 0..3 {
        let d = (a.min[k] - b.min[k]).abs().max((a.max[k] - b.max[k]).abs());
        if d > tolerance {
            return Some(format!("box side {k} off by {d:.4} m: mesh {a:?}, solid {b:?}"));
        }
    }
    if closed(mesh) {
        let (v_mesh, v_solid) = (mesh.signed_volume_m3(), solid.to_mesh().signed_volume_m3());
        let exact = solid.shape.volume_m3();
        // Both are inscribed in round shapes; each falls short of the exact volume by its own
        // facets, so each is compared with the exact volume.
        let inscribed = if r > 0.0 { 0.05 } else { 0.0 };
        if (v_mesh - exact).abs() > (0.02 + inscribed) * exact
            || (v_solid - exact).abs() > (0.02 + inscribed) * exact
        {
            return Some(format!("volume: mesh {v_mesh:.5}, solid mesh {v_solid:.5}, exact {exact:.5} m3"));
        }
    }
    None
}

fn real_path(rel: &str) -> Option<PathBuf> {
    match rel.strip_prefix("reference/") {
        Some(r) => reference_file(r),
        None => ifc_file(rel),
    }
}

#[test]
fn solids_of_real_files_fill_ifc_lite_s_meshes() {
    let mut files: Vec<&str> = REAL.to_vec();
    files.push("reference/ifcclash/models/synthetic_MEP_for_Office_A.ifc");
    let mut wrong = Vec::new();
    for rel in files {
        let Some(path) = real_path(rel) else { continue };
        let m = load_file(&path, &solids_on()).expect("corpus file loads");
        let plain = load_file(&path, &solids_off()).expect("corpus file loads");
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut mismatches = Vec::new();
        for (e, t) in m.elements.iter().zip(&plain.elements) {
            let Some(s) = e.solid.as_deref() else { continue };
            *kinds.entry(kind(&s.shape)).or_default() += 1;
            if let Some(why) = mismatch(e, t) {
                let known = IFC_LITE_ERRORS.iter().any(|(f, g, _)| *f == rel && *g == e.global_id);
                if !known {
                    mismatches.push(format!("{} {} {}: {why}", e.class, e.global_id, e.express_id));
                }
            }
        }
        let with = kinds.values().sum::<usize>();
        println!(
            "{rel}: {} elements, {with} with a solid {kinds:?}, {} mismatches",
            m.elements.len(),
            mismatches.len()
        );
        for line in mismatches.iter().take(10) {
            println!("  {line}");
        }
        wrong.extend(mismatches.into_iter().map(|l| format!("{rel}: {l}")));
    }
    assert!(wrong.is_empty(), "{} mismatches, first: {:?}", wrong.len(), wrong.first());
}

/// A scoped load (a clash run) tessellates no element that has a solid: each gets its solid's
/// mesh, the same solid as in a whole load, and no failure a whole load does not report. An
/// element outside the scope gets neither a mesh nor a solid.
fn check_scoped(path: &Path, classes: &[&str]) -> usize {
    let whole = load_file(path, &solids_on()).expect("loads");
    let options = LoadOptions {
        mesh_scopes: HashMap::from([(path.to_path_buf(), MeshScope::classes(classes))]),
        ..solids_on()
    };
    let scoped = load_file(path, &options).expect("loads with a scope");
    let query = ClassQuery::new(classes);
    let mut solids = 0;
    for (w, s) in whole.elements.iter().zip(&scoped.elements) {
        if s.role != Role::Physical || !scoped.element_is(s, &query) {
            assert!(s.solid.is_none() && s.mesh.is_none(), "{} {} outside the scope", s.class, s.global_id);
            continue;
        }
        assert_eq!(w.solid, s.solid, "{} {}", s.class, s.global_id);
        match &s.solid {
            Some(solid) => {
                solids += 1;
                assert_eq!(s.mesh.as_ref(), Some(&solid.to_mesh()), "{} {}", s.class, s.global_id);
            }
            None => assert_eq!(s.mesh, w.mesh, "{} {}", s.class, s.global_id),
        }
    }
    for f in &scoped.failures {
        assert!(whole.failures.contains(f), "{f:?} only in the scoped load");
    }
    solids
}

#[test]
fn scoped_loads_give_solid_elements_their_solid_s_mesh() {
    let hall = sample_model("datacenter-hall.ifc");
    assert!(check_scoped(&hall, &["IfcFlowSegment", "IfcFurniture"]) > 0);
    if let Some(office) = ifc_file("web-ifc/Office_A_20110811.ifc") {
        assert!(check_scoped(&office, &["IfcBeam", "IfcColumn", "IfcMember", "IfcSlab", "IfcWall"]) > 0);
    }
}

/// Every corpus file of the manifest under 20 MB (`--ignored`): the same check as above.
#[test]
#[ignore = "slow: the whole corpus"]
fn solids_of_every_corpus_file_fill_ifc_lite_s_meshes() {
    let Some(dir) = plumbline_testkit::ifc_dir() else { return };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("manifest");
    let mut wrong = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(rel), Some(size)) = (cols.first(), cols.get(1).and_then(|s| s.parse::<u64>().ok())) else {
            continue;
        };
        if size > 20_000_000 {
            continue;
        }
        let options = LoadOptions { time_limit: std::time::Duration::from_secs(60), ..solids_on() };
        let Ok(m) = load_file(&dir.join(rel), &options) else { continue };
        let plain = load_file(&dir.join(rel), &LoadOptions { exact_solids: false, ..options })
            .expect("loads without solids when it loads with them");
        let mut with = 0;
        for (e, t) in m.elements.iter().zip(&plain.elements).filter(|(e, _)| e.solid.is_some()) {
            with += 1;
            if let Some(why) = mismatch(e, t) {
                if !IFC_LITE_ERRORS.iter().any(|(f, g, _)| f == rel && *g == e.global_id) {
                    println!("  {rel}: {} {} #{}: {why}", e.class, e.global_id, e.express_id);
                    wrong.push(format!("{rel}: {} {why}", e.global_id));
                }
            }
        }
        println!("{rel}: {} elements, {with} with a solid", m.elements.len());
    }
    assert!(wrong.is_empty(), "{} mismatches", wrong.len());
}

#[test]
fn a_whole_load_meshes_solid_elements_from_their_solids_and_tessellates_the_rest() {
    // Loads read solids by default; without them ifc-lite tessellates every product.
    assert!(LoadOptions::default().exact_solids);
    let mut paths = vec![sample_model("datacenter-hall.ifc")];
    paths.extend(ifc_file("web-ifc/Office_A_20110811.ifc"));
    for path in paths {
        let plain = load_file(&path, &solids_off()).expect("loads");
        assert!(plain.elements.iter().all(|e| e.solid.is_none()));
        let with = load_file(&path, &solids_on()).expect("loads");
        let solids = with.elements.iter().filter(|e| e.solid.is_some()).count();
        assert!(solids > 100, "{}: {solids} solids", path.display());
        assert_eq!(plain.failures, with.failures, "{}", path.display());
        for (a, b) in plain.elements.iter().zip(&with.elements) {
            match &b.solid {
                Some(solid) => assert_eq!(b.mesh.as_ref(), Some(&solid.to_mesh()), "{}", b.global_id),
                // Spaces, openings, voided walls and every other body keep ifc-lite's mesh.
                None => assert_eq!(a.mesh, b.mesh, "{}", a.global_id),
            }
        }
    }
}
