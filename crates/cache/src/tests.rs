use super::*;
use plumbline_model::{
    Aabb, Element, Failure, Mesh, MeshScope, Placement, Property, PropertySet, Quantity, QuantitySet,
    Relations, Role, Storey, System, TypeObject,
};
use plumbline_testkit as kit;
use proptest::prelude::*;
use std::sync::Arc;

const REVISION: &str = "test-revision";

/// A model with everything a loaded one holds: shared property and quantity sets, storey
/// names, relations, systems, failures, warnings, a class table, meshes and placements.
fn model(elements: usize) -> Model {
    let type_sets = Arc::new(PropertySet {
        name: "Pset_DuctSegmentTypeCommon".into(),
        properties: vec![Property { name: "Shape".into(), value: "RECTANGULAR".into() }],
    });
    let quantities = Arc::new(QuantitySet {
        name: "Qto_DuctSegmentBaseQuantities".into(),
        quantities: vec![Quantity { name: "Length".into(), value: 2.5, kind: "IfcQuantityLength".into() }],
    });
    let level: Arc<str> = Arc::from("Level 1 \u{4e00}\u{5c42}");
    let building: Arc<str> = Arc::from("Hall A");
    let elements: Vec<Element> = (0..elements)
        .map(|i| {
            let class = if i % 3 == 0 { "IfcWall" } else { "IfcDuctSegment" };
            let own = Arc::new(PropertySet {
                name: "Pset_Own".into(),
                properties: vec![Property { name: "Tag".into(), value: format!("T-{i}") }],
            });
            let mut e = kit::element(class, &format!("GID{i:019}"))
                .express_id(100 + i as u32)
                .name(&format!("duct {i} \u{7ba1}"))
                .building(building.clone())
                .property_set(own)
                .property_set(type_sets.clone())
                .quantity_set(quantities.clone())
                .material("Steel")
                .build();
            // Each optional part is missing from some elements, so that both forms round-trip.
            if i % 7 == 6 {
                e.role = Role::Opening;
            }
            e.predefined_type = (i % 2 == 0).then(|| "RIGIDSEGMENT".into());
            e.type_object = (i % 2 == 1).then(|| TypeObject {
                global_id: "TYPE".into(),
                class: "IfcDuctSegmentType".into(),
                name: Some("600x400".into()),
                predefined_type: None,
            });
            e.storey = (i % 5 != 0).then(|| level.clone());
            let at_m = [500_000.0 + i as f64, 4_000_000.25, 12.0];
            e.placement = (i % 4 != 0).then_some(Placement {
                origin_m: at_m,
                axes: [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
            });
            let size_m = 0.5 + i as f64 * 1e-3;
            e.mesh = (i % 6 != 5).then(|| Mesh::cuboid(at_m, at_m.map(|c| c + size_m)));
            e
        })
        .collect();
    let n = elements.len() as u32;
    kit::model(elements)
        .path("hall.ifc")
        .entity_count(12_345)
        .storey(Storey {
            global_id: "S1".into(),
            name: "Level 1".into(),
            elevation_m: Some(0.0),
            building: Some("Hall A".into()),
        })
        .relations(Relations {
            voids: vec![(0, n - 1)],
            fills: vec![],
            aggregates: vec![(0, 1), (0, 2)],
            port_connections: vec![(1, 2)],
            systems: vec![System {
                global_id: "SYS".into(),
                class: "IfcDistributionSystem".into(),
                name: Some("Supply air".into()),
                members: (1..n).collect(),
                serves: vec!["Hall A".into()],
            }],
        })
        .failure(Failure { global_id: "F".into(), class: "IfcBeam".into(), reason: "no solid".into() })
        .mesh_scope(MeshScope::classes(["IfcBeam", "IfcWall"]))
        .warning("the file is truncated")
        .classes(kit::class_table(&[("IfcDuctSegment", &["IfcFlowSegment", "IfcElement"])]))
        .load_secs(1.5)
        .build()
}

/// Everything of a model that serialises, plus the meshes (which the model's own serialisation
/// leaves out): two models are the same when these agree.
fn fingerprint(m: &Model) -> (String, Vec<Option<Mesh>>) {
    let mut copy = m.clone();
    copy.path.clear();
    copy.load_secs = 0.0;
    let json = serde_json::to_string(&copy).expect("models serialise");
    (json, m.elements.iter().map(|e| e.mesh.clone()).collect())
}

fn round_trip(m: &Model) -> Model {
    let mut bytes = Vec::new();
    encode(m, REVISION, &mut bytes).expect("encodes");
    decode(&bytes, REVISION).expect("decodes")
}

#[test]
fn a_model_comes_back_as_it_went_in() {
    // More than two chunks of elements and of per-element property sets.
    let m = model(2 * CHUNK + 17);
    let back = round_trip(&m);
    assert_eq!(fingerprint(&back), fingerprint(&m));
    assert_eq!(back.path, "", "the path belongs to the run that reads the entry");
    assert_eq!(back.load_secs, 0.0);
}

#[test]
fn shared_sets_and_names_stay_shared() {
    let back = round_trip(&model(50));
    let (a, b) = (&back.elements[1], &back.elements[2]);
    assert!(Arc::ptr_eq(&a.property_sets[1], &b.property_sets[1]), "the type's set is one set");
    assert!(!Arc::ptr_eq(&a.property_sets[0], &b.property_sets[0]), "own sets stay apart");
    assert!(Arc::ptr_eq(&a.quantity_sets[0], &b.quantity_sets[0]));
    let (s1, s2) = (a.storey.as_ref().expect("storey"), b.storey.as_ref().expect("storey"));
    assert!(Arc::ptr_eq(s1, s2), "one storey name for all its elements");
}

#[test]
fn an_empty_model_round_trips() {
    let mut m = model(3);
    m.elements.clear();
    m.relations = Relations::default();
    assert_eq!(fingerprint(&round_trip(&m)), fingerprint(&m));
}

#[test]
fn every_damage_is_an_error_not_a_wrong_model() {
    let mut bytes = Vec::new();
    encode(&model(40), REVISION, &mut bytes).expect("encodes");
    // A flipped bit anywhere after the magic: a CRC, a length, or a payload byte.
    for at in (MAGIC.len()..bytes.len()).step_by(97) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        assert!(decode(&damaged, REVISION).is_err(), "a flipped bit at byte {at} went unnoticed");
    }
    for cut in [0, 10, MAGIC.len() + 5, bytes.len() / 2, bytes.len() - 1] {
        assert!(decode(&bytes[..cut], REVISION).is_err(), "a file cut at {cut} bytes was read");
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 20]);
    assert!(decode(&longer, REVISION).is_err(), "trailing bytes were ignored");
    assert!(matches!(decode(b"ISO-10303-21;", REVISION), Err(CodecError::NotACache)));
    let e = decode(&bytes, "another-build").expect_err("another build");
    assert!(matches!(e, CodecError::OtherBuild { .. }), "{e}");
    assert!(e.to_string().contains("test-revision"), "{e}");
}

#[test]
fn keys_follow_the_content_and_the_revision() {
    let a = CacheKey::of(b"ISO-10303-21; A", REVISION);
    assert_eq!(a, CacheKey::of(b"ISO-10303-21; A", REVISION));
    assert_ne!(a, CacheKey::of(b"ISO-10303-21; B", REVISION));
    assert_ne!(a, CacheKey::of(b"ISO-10303-21; A", "other"));
    assert!(a.file_name().ends_with(".plmc") && a.file_name().len() == 32 + 5);
}

#[test]
fn the_store_hits_after_a_put_and_misses_on_other_content() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = ModelCache::new(dir.path().join("models"));
    let key = CacheKey::of(b"source", REVISION);
    assert!(cache.get(&key, REVISION).is_none(), "an empty cache misses");
    let m = model(30);
    cache.put(&key, REVISION, &m);
    assert_eq!(cache.take_notes(), Vec::<String>::new());
    let back = cache.get(&key, REVISION).expect("a hit");
    assert_eq!(fingerprint(&back), fingerprint(&m));
    assert!(cache.get(&CacheKey::of(b"other source", REVISION), REVISION).is_none());
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(cache.dir())
        .expect("listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![key.file_name()]);
}

#[test]
fn a_damaged_entry_is_a_miss_with_a_note_and_is_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = ModelCache::new(dir.path());
    let key = CacheKey::of(b"source", REVISION);
    cache.put(&key, REVISION, &model(10));
    let path = dir.path().join(key.file_name());
    let mut bytes = std::fs::read(&path).expect("entry");
    let last = bytes.len() - 3;
    bytes[last] ^= 0xff;
    std::fs::write(&path, bytes).expect("damage");
    assert!(cache.get(&key, REVISION).is_none());
    let notes = cache.take_notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains(&key.file_name()) && notes[0].contains("CRC"), "{notes:?}");
    assert!(!path.exists(), "the damaged entry is gone, to be written again");
}

#[test]
fn an_unwritable_folder_is_a_note_not_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A file where the folder should be: no entry can be written below it.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, b"x").expect("file");
    let cache = ModelCache::new(blocked.join("models"));
    let key = CacheKey::of(b"source", REVISION);
    cache.put(&key, REVISION, &model(5));
    let notes = cache.take_notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("could not cache hall.ifc in"), "{notes:?}");
    assert!(cache.get(&key, REVISION).is_none());
}

#[test]
fn the_bound_removes_least_recently_used_entries_and_refuses_oversized_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let m = model(20);
    let mut one = Vec::new();
    encode(&m, REVISION, &mut one).expect("encodes");
    let size = one.len() as u64;
    // Room for two entries.
    let cache = ModelCache::new(dir.path()).with_max_bytes(2 * size + size / 2);
    let keys: Vec<CacheKey> = (0..3).map(|i| CacheKey::of(&[i], REVISION)).collect();
    cache.put(&keys[0], REVISION, &m);
    cache.put(&keys[1], REVISION, &m);
    // Using the first makes the second the least recently used. File times can be coarse, so
    // the second is dated back explicitly.
    let old = SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(dir.path().join(keys[1].file_name()))
        .and_then(|f| f.set_modified(old))
        .expect("date back");
    assert!(cache.get(&keys[0], REVISION).is_some());
    cache.put(&keys[2], REVISION, &m);
    assert!(cache.get(&keys[1], REVISION).is_none(), "the least recently used entry went");
    assert!(cache.get(&keys[0], REVISION).is_some() && cache.get(&keys[2], REVISION).is_some());

    let small = ModelCache::new(dir.path().join("small")).with_max_bytes(size / 2);
    small.put(&keys[0], REVISION, &m);
    let notes = small.take_notes();
    assert!(notes.len() == 1 && notes[0].contains("would exceed the cache's bound"), "{notes:?}");
    let left = std::fs::read_dir(small.dir()).expect("listing").count();
    assert_eq!(left, 0, "no partial entry is left");
}

proptest! {
    /// Vertex coordinates and indices come back bit for bit, wherever the model sits.
    #[test]
    fn meshes_come_back_bit_for_bit(
        origin in prop::array::uniform3(-1.0e6f64..1.0e6),
        vertices in prop::collection::vec(prop::array::uniform3(-1.0e3f32..1.0e3), 3..40),
        picks in prop::collection::vec(prop::array::uniform3(0usize..1000), 1..30),
    ) {
        let n = vertices.len();
        let triangles: Vec<[u32; 3]> = picks.iter().map(|t| t.map(|i| (i % n) as u32)).collect();
        let mut m = model(1);
        m.elements[0].mesh = Some(Mesh::new(origin, vertices, triangles));
        m.relations = Relations::default();
        let back = round_trip(&m);
        let (a, b) = (m.elements[0].mesh.as_ref(), back.elements[0].mesh.as_ref());
        prop_assert_eq!(a, b);
        let aabb: Option<Aabb> = b.map(|m| m.aabb);
        prop_assert_eq!(aabb, m.elements[0].aabb());
    }
}
