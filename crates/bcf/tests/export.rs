//! Writing BCF: archive layout, determinism, topic contents, viewpoints, schema validation with
//! xmllint, and the round trip through the reader.

mod common;

use common::{png, report};
use plumbline_bcf::{read, write, BcfError, BcfVersion, ExportOptions, UtcDateTime, COLOR_A, COLOR_B};
use plumbline_review::{frame_box, Group, Report, Status};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn date() -> UtcDateTime {
    UtcDateTime::parse("2026-11-27T10:49:00Z").expect("valid date")
}

fn export(report: &Report, version: BcfVersion) -> Vec<u8> {
    let snapshot = |_: &Group| Some(png(4, 3));
    let options =
        ExportOptions { version, author: "reviewer@example.com", date_utc: date(), snapshots: &snapshot };
    write(report, &options).expect("export")
}

/// Every entry of an archive, by name, in archive order.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).expect("entry");
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).expect("read entry");
            (f.name().expect("entry name").into_owned(), buf)
        })
        .collect()
}

fn text(entries: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, b) = entries.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no entry {name}"));
    String::from_utf8(b.clone()).expect("utf-8")
}

#[test]
fn archive_layout_one_folder_per_group() {
    let r = report();
    let groups: Vec<&Group> = r.groups().collect();
    assert_eq!(groups.len(), 3, "two proximity groups and one duplicate group");
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let e = entries(&export(&r, version));
        let names: Vec<&str> = e.iter().map(|(n, _)| n.as_str()).collect();
        let mut expected = vec!["bcf.version".to_string()];
        if version == BcfVersion::V3_0 {
            expected.push("extensions.xml".into());
        }
        for g in &groups {
            for f in ["markup.bcf", "viewpoint.bcfv", "snapshot.png"] {
                expected.push(format!("{}/{f}", g.guid));
            }
        }
        assert_eq!(names, expected, "{version}");
        assert!(names.iter().all(|n| !n.contains('\\')));
        assert!(text(&e, "bcf.version").contains(&format!("VersionId=\"{}\"", version.id())));
    }
}

#[test]
fn output_is_byte_identical_and_topic_guids_are_stable() {
    let r = report();
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let a = export(&r, version);
        let b = export(&report(), version);
        assert_eq!(a, b, "{version}: two exports of the same report differ");
        let guids: Vec<String> = read(&a).expect("read").topics.into_iter().map(|t| t.guid).collect();
        let mut expected: Vec<String> = r.groups().map(|g| g.guid.clone()).collect();
        expected.sort();
        assert_eq!(guids, expected);
    }
    // A later date changes the dates, not the GUIDs: a re-export updates the same topics.
    let snapshot = |_: &Group| None;
    let later = UtcDateTime::parse("2026-12-04T08:00:00Z").expect("date");
    let options =
        ExportOptions { version: BcfVersion::V3_0, author: "x@y.z", date_utc: later, snapshots: &snapshot };
    let again = read(&write(&r, &options).expect("export")).expect("read");
    let first = read(&export(&r, BcfVersion::V3_0)).expect("read");
    let ids = |a: &plumbline_bcf::BcfArchive| a.topics.iter().map(|t| t.guid.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(again.topics[0].creation_date.as_deref(), Some("2026-12-04T08:00:00Z"));
    // Unchanged viewpoints keep their GUID.
    let vps = |a: &plumbline_bcf::BcfArchive| {
        a.topics.iter().map(|t| t.viewpoints[0].guid.clone()).collect::<Vec<_>>()
    };
    assert_eq!(vps(&again), vps(&first));
}

#[test]
fn topic_contents() {
    let r = report();
    let group = r.tests[0].groups.iter().find(|g| g.clash_ids.len() == 2).expect("the group of c1 and c2");
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let e = entries(&export(&r, version));
        let markup = text(&e, &format!("{}/markup.bcf", group.guid));
        assert!(markup.contains(&format!("Guid=\"{}\"", group.guid)));
        assert!(markup.contains("TopicType=\"Clash\""));
        // c1 is active and c2 resolved: the group is as open as its most open clash.
        assert!(markup.contains("TopicStatus=\"Active\""), "{markup}");
        assert!(markup.contains("<CreationDate>2026-11-27T10:49:00Z</CreationDate>"));
        assert!(markup.contains("<CreationAuthor>reviewer@example.com</CreationAuthor>"));
        assert!(
            markup.contains("<Filename>elec.ifc</Filename>")
                && markup.contains("<Filename>mep.ifc</Filename>")
        );
        assert!(markup.contains("Trays vs ducts"));
        // Markup characters in names are escaped; both languages are in the description.
        assert!(markup.contains("Duct D-3 &amp; &lt;main&gt;"));
        assert!(markup
            .contains(&group.explanation.en.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")));
        assert!(markup.contains("重叠"), "Chinese explanation in the description");
        let archive = read(&export(&r, version)).expect("read");
        let t = archive.topics.iter().find(|t| t.guid == group.guid).expect("topic");
        assert_eq!(t.title, group.title.en);
        assert_eq!(t.labels, vec!["Trays vs ducts"]);
        assert_eq!(t.status, Some(Status::Active));
        assert_eq!(t.topic_type.as_deref(), Some("Clash"));
        assert!(t.description.as_deref().is_some_and(|d| d.contains(&r.tests[0].clashes[0].explanation.zh)));
    }
    let e = entries(&export(&r, BcfVersion::V3_0));
    let ext = text(&e, "extensions.xml");
    for s in ["New", "Active", "Reviewed", "Approved", "Resolved"] {
        assert!(ext.contains(&format!("<TopicStatus>{s}</TopicStatus>")), "{ext}");
    }
    assert!(ext.contains("<TopicType>Clash</TopicType>"));
    assert!(
        ext.contains("<TopicLabel>Duplicates</TopicLabel>")
            && ext.contains("<TopicLabel>Trays vs ducts</TopicLabel>")
    );
}

#[test]
fn viewpoint_selects_and_colours_both_elements_and_frames_the_group() {
    let r = report();
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let archive = read(&export(&r, version)).expect("read");
        for g in r.groups() {
            let t = archive.topics.iter().find(|t| t.guid == g.guid).expect("topic");
            assert_eq!(t.viewpoints.len(), 1);
            let vp = &t.viewpoints[0];
            assert_eq!(vp.component_ids(), g.elements, "{version}: selection of {}", g.id);
            let selected: Vec<&str> = vp.selected.iter().filter_map(|c| c.id()).collect();
            assert_eq!(selected, g.elements.iter().map(String::as_str).collect::<Vec<_>>());
            let colours: BTreeMap<&str, Vec<&str>> = vp
                .colored
                .iter()
                .map(|(c, comps)| (c.as_str(), comps.iter().filter_map(|x| x.id()).collect()))
                .collect();
            let clashes: Vec<_> = r.clashes().filter(|c| c.group == g.id).collect();
            for c in &clashes {
                assert!(colours[COLOR_A].contains(&c.a.global_id.as_str()), "A is red");
                if !clashes.iter().any(|x| x.a.global_id == c.b.global_id) {
                    assert!(colours[COLOR_B].contains(&c.b.global_id.as_str()), "B is green");
                }
            }
            assert_eq!(vp.default_visibility, Some(true));
            assert!(vp.visibility_exceptions.is_empty());
            let cam = vp.camera.expect("perspective camera");
            let expected = frame_box(&g.aabb);
            for i in 0..3 {
                assert!((cam.position[i] - expected.position[i]).abs() < 1e-9);
                assert!((cam.direction[i] - expected.direction[i]).abs() < 1e-9);
                assert!((cam.up[i] - expected.up[i]).abs() < 1e-9);
            }
            assert_eq!(cam.field_of_view_deg, 60.0);
            assert_eq!(vp.snapshot.as_deref(), Some(format!("{}/snapshot.png", g.guid).as_str()));
        }
    }
    // The duplicate group's GlobalIds are not IfcGuids: they travel as AuthoringToolId.
    let e = entries(&export(&r, BcfVersion::V2_1));
    let dup = r.tests[1].groups[0].guid.clone();
    let vp = text(&e, &format!("{dup}/viewpoint.bcfv"));
    assert!(vp.contains("<AuthoringToolId>rack-7</AuthoringToolId>"), "{vp}");
    let v3 = entries(&export(&r, BcfVersion::V3_0));
    assert!(
        text(&v3, &format!("{dup}/viewpoint.bcfv")).contains("<AspectRatio>1.3333333333333333</AspectRatio>")
    );
}

#[test]
fn round_trip_keeps_what_was_written() {
    let r = report();
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let archive = read(&export(&r, version)).expect("read");
        assert_eq!(archive.version.as_deref(), Some(version.id()));
        assert!(archive.warnings.is_empty(), "{:?}", archive.warnings);
        assert_eq!(archive.topics.len(), 3);
        for g in r.groups() {
            let t = archive.topics.iter().find(|t| t.guid == g.guid).expect("topic");
            let clashes: Vec<_> = r.clashes().filter(|c| c.group == g.id).collect();
            let status = clashes.iter().map(|c| c.status).min().expect("clashes");
            assert_eq!(t.status, Some(status), "{}", g.id);
            assert_eq!(t.status_raw.as_deref(), Some(&*capital(status.as_str())));
            assert_eq!(t.creation_author.as_deref(), Some("reviewer@example.com"));
            assert_eq!(t.folder, g.guid);
            assert!(t.comments.is_empty());
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[test]
fn export_errors_are_clear() {
    let r = report();
    let not_png = |_: &Group| Some(b"GIF89a not a png".to_vec());
    let options =
        ExportOptions { version: BcfVersion::V2_1, author: "a@b.c", date_utc: date(), snapshots: &not_png };
    let e = write(&r, &options).expect_err("a GIF is not a PNG");
    assert!(matches!(e, BcfError::Snapshot { .. }), "{e}");
    assert!(e.to_string().contains("not a PNG"), "{e}");

    let huge = |_: &Group| Some(png(1600, 1));
    let options =
        ExportOptions { version: BcfVersion::V3_0, author: "a@b.c", date_utc: date(), snapshots: &huge };
    let e = write(&r, &options).expect_err("BCF 3.0 allows 1500 px");
    assert!(e.to_string().contains("1500"), "{e}");
    // BCF 2.1 has no such limit.
    let options =
        ExportOptions { version: BcfVersion::V2_1, author: "a@b.c", date_utc: date(), snapshots: &huge };
    assert!(write(&r, &options).is_ok());

    let none = |_: &Group| None;
    let options =
        ExportOptions { version: BcfVersion::V3_0, author: "  ", date_utc: date(), snapshots: &none };
    assert!(matches!(write(&r, &options), Err(BcfError::InvalidOption(_))));

    let mut twice = report();
    let g = twice.tests[0].groups[0].clone();
    twice.tests[1].groups.push(g);
    let options =
        ExportOptions { version: BcfVersion::V2_1, author: "a@b.c", date_utc: date(), snapshots: &none };
    assert!(matches!(write(&twice, &options), Err(BcfError::DuplicateTopic(_))));

    // No snapshot: the markup names none, the archive holds none.
    let e = entries(&write(&r, &options).expect("export"));
    assert!(e.iter().all(|(n, _)| !n.ends_with(".png")));
    assert!(e
        .iter()
        .all(|(n, b)| !n.ends_with("markup.bcf") || !String::from_utf8_lossy(b).contains("Snapshot")));
}

#[test]
fn an_empty_report_is_a_valid_archive() {
    let mut r = report();
    r.tests.clear();
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let a = read(&export(&r, version)).expect("read");
        assert!(a.topics.is_empty());
        assert_eq!(a.version.as_deref(), Some(version.id()));
    }
}

/// The schema of an archive file, by its name.
fn schema_for(name: &str) -> Option<&'static str> {
    if name == "bcf.version" {
        Some("version.xsd")
    } else if name == "extensions.xml" {
        Some("extensions.xsd")
    } else if name == "documents.xml" {
        Some("documents.xsd")
    } else if name.ends_with(".bcfp") {
        Some("project.xsd")
    } else if name.ends_with("markup.bcf") {
        Some("markup.xsd")
    } else if name.ends_with(".bcfv") {
        Some("visinfo.xsd")
    } else {
        None
    }
}

/// Every XML file of the exported archives validates against the official schemas.
#[test]
fn exported_files_validate_against_the_official_schemas() {
    let Some(corpus) = common::corpus() else { return };
    if Command::new("xmllint").arg("--version").output().is_err() {
        println!("NOTICE: xmllint not found (apt-get install libxml2-utils); schema validation skipped");
        return;
    }
    let dir = std::env::temp_dir().join(format!("plumbline-bcf-xsd-{}", std::process::id()));
    let mut validated = 0;
    for (which, r) in [("sample", report()), ("awkward", awkward_report())] {
        for (version, folder) in [(BcfVersion::V2_1, "2_1"), (BcfVersion::V3_0, "3_0")] {
            let schemas = corpus.join(folder).join("schemas");
            for (name, bytes) in entries(&export(&r, version)) {
                let Some(xsd) = schema_for(&name) else { continue };
                let path = dir.join(which).join(folder).join(&name);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("temp dir");
                std::fs::write(&path, &bytes).expect("write temp file");
                validate(&schemas.join(xsd), &path, &format!("{which} report, BCF {version}: {name}"));
                validated += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("validated {validated} files with xmllint");
    // Sample: bcf.version ×2, extensions.xml, 3 topics × 2 files × 2 versions; awkward: the same
    // with 4 topics.
    assert_eq!(validated, (3 + 3 * 2 * 2) + (3 + 4 * 2 * 2));
}

/// A report with everything a schema could trip over: control characters, blank names, no
/// model files, GlobalIds that are not IfcGuids, and a group without clashes.
fn awkward_report() -> Report {
    let mut r = report();
    r.models.clear();
    r.tests[0].info.name = "  ".into();
    r.tests[0].groups[0].title.en = "\u{7}".into();
    r.tests[0].groups[0].explanation = Default::default();
    r.tests[0].groups[0].title.zh = String::new();
    for c in &mut r.tests[0].clashes {
        c.a.file = String::new();
        c.b.file = String::new();
        c.a.global_id = format!("a <{}> & \u{1}", c.a.global_id);
        c.explanation = Default::default();
    }
    let mut empty = r.tests[1].groups[0].clone();
    empty.id = "empty".into();
    empty.guid = plumbline_review::stable_uuid(&["empty"]);
    empty.clash_ids.clear();
    empty.aabb = plumbline_model::Aabb::EMPTY;
    r.tests[1].groups.push(empty);
    r
}

fn validate(xsd: &Path, file: &Path, name: &str) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd)
        .arg(file)
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "{name} does not validate against {}:\n{}",
        xsd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A report of 2000 clashes in 1000 groups writes and reads back quickly and completely.
#[test]
fn a_large_report_round_trips() {
    let mut r = report();
    let template = r.tests[0].clone();
    let mut big = template.clone();
    big.clashes.clear();
    big.groups.clear();
    for i in 0..1000 {
        for (j, c) in template.clashes.iter().take(2).enumerate() {
            let mut c = c.clone();
            c.id = format!("big-{i}-{j}");
            c.a.global_id = format!("{:0>22}", format!("A{i}"));
            c.b.global_id = format!("{:0>22}", format!("B{i}x{j}"));
            c.group = format!("g{i}");
            big.clashes.push(c);
        }
        let mut g = template.groups[0].clone();
        g.id = format!("g{i}");
        g.guid = plumbline_review::stable_uuid(&["big", &g.id]);
        g.clash_ids = vec![format!("big-{i}-0"), format!("big-{i}-1")];
        big.groups.push(g);
    }
    r.tests = vec![big];
    let started = std::time::Instant::now();
    let bytes = export(&r, BcfVersion::V3_0);
    let written = started.elapsed();
    let archive = read(&bytes).expect("read");
    println!(
        "1000 topics: written in {:.0} ms ({} KiB), read in {:.0} ms",
        written.as_secs_f64() * 1e3,
        bytes.len() / 1024,
        (started.elapsed() - written).as_secs_f64() * 1e3
    );
    assert_eq!(archive.topics.len(), 1000);
    assert!(archive.topics.iter().all(|t| t.viewpoints[0].component_ids().len() == 3));
}

/// Topics read back find their clashes: by GUID, or by the selected elements for topics another
/// tool wrote.
#[test]
fn topics_find_their_clashes() {
    let r = report();
    let archive = read(&export(&r, BcfVersion::V2_1)).expect("read");
    for t in &archive.topics {
        let group = r.groups().find(|g| g.guid == t.guid).expect("group");
        let ids: Vec<&str> = plumbline_bcf::clashes_of(t, &r).iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, group.clash_ids.iter().map(String::as_str).collect::<Vec<_>>());
    }
    // Another tool's topic about the pair of c3, with a GUID of its own.
    let mut foreign =
        archive.topics.iter().find(|t| t.viewpoints[0].component_ids().len() == 2).expect("c3").clone();
    foreign.guid = "99999999-0000-4000-8000-000000000000".into();
    let found: Vec<&str> = plumbline_bcf::clashes_of(&foreign, &r).iter().map(|c| c.id.as_str()).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    foreign.viewpoints.clear();
    assert!(plumbline_bcf::clashes_of(&foreign, &r).is_empty());
}

#[test]
#[ignore = "prints one exported topic for reading"]
fn print_one_topic() {
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let e = entries(&export(&report(), version));
        for (n, b) in e.iter().filter(|(n, _)| !n.ends_with(".png")).take(4) {
            println!("==== {version} {n}\n{}", String::from_utf8_lossy(b));
        }
    }
}

/// Characters that XML 1.0 forbids never reach the archive.
#[test]
fn control_characters_are_dropped() {
    let mut r = report();
    r.tests[0].groups[0].explanation.en = "bad\u{1}\u{1b}[0m text\u{FFFE}".into();
    r.tests[0].groups[0].title.en = "\u{7}".into();
    let e = entries(&export(&r, BcfVersion::V3_0));
    let markup = text(&e, &format!("{}/markup.bcf", r.tests[0].groups[0].guid));
    assert!(markup.contains("bad[0m text"), "{markup}");
    assert!(!markup.chars().any(|c| c < ' ' && !matches!(c, '\n' | '\t' | '\r')));
    let a = read(&export(&r, BcfVersion::V3_0)).expect("read");
    assert!(a.topics.iter().all(|t| !t.title.is_empty()));
}
