//! Saved views as BCF topics: written with their camera, selection, visibility exceptions,
//! clipping planes and snapshot, read back whole, and valid against the official schemas.

mod common;

use common::png;
use plumbline_bcf::{
    read, write_views, BcfVersion, ClippingPlane, OrthogonalCamera, UtcDateTime, ViewCamera,
    ViewExportOptions, ViewTopic,
};
use plumbline_review::Camera;
use std::io::Read;
use std::process::Command;

const WALL: &str = "2O2Fr$t4X7Zf8NOew3FLOH";
const DUCT: &str = "1kTvXnbbzCWw8lcMd1dR4o";
const SLAB: &str = "3cUkl32yn9qRSPvBJVyWYp";

fn views() -> Vec<ViewTopic> {
    let perspective = ViewTopic {
        guid: "5a0c3e0e-2b8f-4e43-9a57-6f0f2a7e8b11".into(),
        title: "Plant room & riser <level 2>".into(),
        description: "Redline notes: move the duct 200 mm up\n桥架上移".into(),
        created: Some(UtcDateTime::parse("2026-12-05T09:30:00Z").expect("date")),
        camera: ViewCamera::Perspective(Camera {
            position: [10.5, -4.25, 7.0],
            direction: [-0.6, 0.64, -0.48],
            up: [-0.3291, 0.3511, 0.8763],
            field_of_view_deg: 45.0,
        }),
        selected: vec![DUCT.into(), WALL.into()],
        default_visibility: true,
        visibility_exceptions: vec![SLAB.into(), "not-an-ifc-guid".into()],
        colored: vec![
            ("ff0000".into(), vec![DUCT.into()]),
            ("#80FF8800".into(), vec![WALL.into(), SLAB.into()]),
            ("FF0000".into(), vec![SLAB.into()]),
            ("not a colour".into(), vec![WALL.into()]),
            ("00FF00".into(), vec![]),
        ],
        clipping_planes: vec![
            ClippingPlane { location: [0.0, 0.0, 2.5], direction: [0.0, 0.0, 1.0] },
            ClippingPlane { location: [-3.0, 0.0, 0.0], direction: [-1.0, 0.0, 0.0] },
        ],
        files: vec!["/models/Office_A.ifc".into(), "Office_MEP.ifc".into()],
        snapshot: Some(png(8, 5)),
    };
    let orthogonal = ViewTopic {
        guid: "plan view".into(),
        title: "Plan".into(),
        description: String::new(),
        created: None,
        camera: ViewCamera::Orthogonal(OrthogonalCamera {
            position: [5.0, 5.0, 50.0],
            direction: [0.0, 0.0, -1.0],
            up: [0.0, 1.0, 0.0],
            view_to_world_scale: 24.0,
        }),
        selected: vec![],
        default_visibility: false,
        visibility_exceptions: vec![WALL.into()],
        colored: vec![],
        clipping_planes: vec![],
        files: vec![],
        snapshot: None,
    };
    vec![perspective, orthogonal]
}

fn export(version: BcfVersion) -> Vec<u8> {
    let options = ViewExportOptions {
        version,
        author: "reviewer@example.com",
        date_utc: UtcDateTime::parse("2026-12-06T10:00:00Z").expect("date"),
    };
    write_views(&views(), &options).expect("export")
}

#[test]
fn saved_views_round_trip_with_camera_selection_visibility_and_clipping_planes() {
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let bytes = export(version);
        assert_eq!(bytes, export(version), "{version}: the same views give the same bytes");
        let archive = read(&bytes).expect("reads back");
        assert_eq!(archive.topics.len(), 2, "{version}");
        let first = archive.topics.iter().find(|t| t.title == "Plant room & riser <level 2>").expect("topic");
        assert_eq!(first.guid, "5a0c3e0e-2b8f-4e43-9a57-6f0f2a7e8b11", "{version}: the view's own GUID");
        assert_eq!(first.creation_date.as_deref(), Some("2026-12-05T09:30:00Z"));
        assert_eq!(first.topic_type.as_deref(), Some("Issue"));
        assert!(first.description.as_deref().is_some_and(|d| d.contains("桥架上移")));
        assert_eq!(first.files, ["Office_A.ifc", "Office_MEP.ifc"], "{version}: file names, sorted");
        let vp = &first.viewpoints[0];
        assert!(vp.snapshot.as_deref().is_some_and(|s| s.ends_with("snapshot.png")), "{version}");
        let camera = vp.camera.expect("perspective camera");
        assert_eq!(camera.position, [10.5, -4.25, 7.0]);
        assert_eq!(camera.direction, [-0.6, 0.64, -0.48]);
        assert_eq!(camera.field_of_view_deg, 45.0);
        assert_eq!(vp.orthogonal_camera, None);
        let selected: Vec<&str> = vp.selected.iter().filter_map(|c| c.id()).collect();
        assert_eq!(selected, [DUCT, WALL], "{version}: sorted");
        assert_eq!(vp.default_visibility, Some(true));
        let hidden: Vec<&str> = vp.visibility_exceptions.iter().filter_map(|c| c.id()).collect();
        assert_eq!(hidden, [SLAB, "not-an-ifc-guid"], "{version}: a non-IFC id travels as the tool's id");
        assert_eq!(vp.clipping_planes, views()[0].clipping_planes, "{version}");
        // Colours upper-cased and merged, their elements sorted; a bad colour or one without
        // elements is left out.
        let colored: Vec<(&str, Vec<&str>)> =
            vp.colored.iter().map(|(c, e)| (c.as_str(), e.iter().filter_map(|c| c.id()).collect())).collect();
        assert_eq!(colored, [("80FF8800", vec![WALL, SLAB]), ("FF0000", vec![DUCT, SLAB])], "{version}");

        let plan = archive.topics.iter().find(|t| t.title == "Plan").expect("plan topic");
        assert!(
            plan.guid.len() == 36 && plan.guid.as_bytes()[8] == b'-',
            "{version}: a GUID for a non-GUID id"
        );
        assert_eq!(plan.creation_date.as_deref(), Some("2026-12-06T10:00:00Z"), "the export's date");
        let vp = &plan.viewpoints[0];
        assert_eq!(vp.camera, None);
        assert_eq!(
            vp.orthogonal_camera,
            Some(OrthogonalCamera {
                position: [5.0, 5.0, 50.0],
                direction: [0.0, 0.0, -1.0],
                up: [0.0, 1.0, 0.0],
                view_to_world_scale: 24.0
            })
        );
        assert_eq!(vp.default_visibility, Some(false));
        assert_eq!(vp.snapshot, None);
        assert!(vp.colored.is_empty(), "no colours, no <Coloring>");
        assert!(vp.clipping_planes.is_empty());
    }
}

#[test]
fn two_views_with_one_topic_guid_are_refused_and_a_blank_author_too() {
    let mut twice = views();
    twice[1].guid = twice[0].guid.clone();
    let options = ViewExportOptions {
        version: BcfVersion::V2_1,
        author: "me",
        date_utc: UtcDateTime::parse("2026-12-06T10:00:00Z").expect("date"),
    };
    assert!(write_views(&twice, &options).is_err());
    assert!(write_views(&views(), &ViewExportOptions { author: "  ", ..options }).is_err());
    let mut bad = views();
    bad[0].snapshot = Some(b"GIF89a".to_vec());
    let e = write_views(&bad, &options).expect_err("not a PNG").to_string();
    assert!(e.contains("Plant room"), "{e}");
}

#[test]
fn saved_views_validate_against_the_official_schemas() {
    let Some(corpus) = common::corpus() else { return };
    if Command::new("xmllint").arg("--version").output().is_err() {
        println!("NOTICE: xmllint not found (apt-get install libxml2-utils); schema validation skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("plumbline-bcf-views-{}", std::process::id()));
    let mut validated = 0;
    for (version, folder) in [(BcfVersion::V2_1, "2_1"), (BcfVersion::V3_0, "3_0")] {
        let schemas = corpus.join(folder).join("schemas");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(export(version))).expect("zip");
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("entry");
            let name = f.name().expect("entry name").to_string();
            let xsd = match name.as_str() {
                "bcf.version" => "version.xsd",
                "extensions.xml" => "extensions.xsd",
                n if n.ends_with("markup.bcf") => "markup.xsd",
                n if n.ends_with(".bcfv") => "visinfo.xsd",
                _ => continue,
            };
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read entry");
            let path = dir.join(folder).join(&name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("temp dir");
            std::fs::write(&path, &bytes).expect("write");
            let out = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(schemas.join(xsd))
                .arg(&path)
                .output()
                .expect("run xmllint");
            assert!(out.status.success(), "BCF {version} {name}:\n{}", String::from_utf8_lossy(&out.stderr));
            validated += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // 2.1: version + 2 × (markup, viewpoint); 3.0: the same and extensions.
    assert_eq!(validated, 11);
}
