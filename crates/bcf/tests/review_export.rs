//! BCF carries the review: clash numbers as `Index`, the history's assignee, priority, due date,
//! labels and comments (with their authors and their own time offsets), valid against the
//! official schemas and read back by the reader.

mod common;

use common::{png, report};
use plumbline_bcf::{read, write_with_notes, BcfVersion, ExportOptions, UtcDateTime};
use plumbline_review::{Group, Note, Report, ReviewNotes};
use std::collections::BTreeMap;
use std::io::Read;
use std::process::Command;

fn reviewed() -> (Report, BTreeMap<String, ReviewNotes>) {
    let mut r = report();
    let mut notes = BTreeMap::new();
    for (i, c) in r.tests.iter_mut().flat_map(|t| t.clashes.iter_mut()).enumerate() {
        c.number = Some(i as u64 + 11);
        if i == 0 {
            notes.insert(
                c.id.clone(),
                ReviewNotes {
                    assigned_to: Some("li.wei@bank.example".into()),
                    priority: Some("High".into()),
                    due_date: Some("2027-01-15".into()),
                    labels: vec!["MEP".into(), "机电".into()],
                    comments: vec![
                        Note {
                            author: "li.wei@bank.example".into(),
                            date: "2026-11-02T17:00:00+08:00".into(),
                            text: "桥架上移 200 mm".into(),
                        },
                        Note {
                            author: "zhang@bank.example".into(),
                            date: "2026-11-03T09:30:00Z".into(),
                            text: "Status new -> reviewed: agreed in the meeting".into(),
                        },
                    ],
                },
            );
        }
    }
    (r, notes)
}

fn export(r: &Report, notes: &BTreeMap<String, ReviewNotes>, version: BcfVersion) -> Vec<u8> {
    let snapshot = |_: &Group| Some(png(4, 3));
    let date = UtcDateTime::parse("2026-11-27T10:49:00Z").expect("valid date");
    let options =
        ExportOptions { version, author: "reviewer@example.com", date_utc: date, snapshots: &snapshot };
    write_with_notes(r, &options, notes).expect("export")
}

#[test]
fn topics_carry_index_assignee_priority_due_date_labels_and_comments() {
    let (r, notes) = reviewed();
    let first = r.tests[0].clashes[0].clone();
    let group = r.tests[0].groups.iter().find(|g| g.clash_ids.contains(&first.id)).expect("grouped");
    for version in [BcfVersion::V2_1, BcfVersion::V3_0] {
        let archive = read(&export(&r, &notes, version)).expect("reads back");
        let topic = archive.topics.iter().find(|t| t.guid == group.guid).expect("topic");
        let lowest = group
            .clash_ids
            .iter()
            .filter_map(|id| r.clashes().find(|c| &c.id == id).and_then(|c| c.number))
            .min();
        assert_eq!(lowest, Some(11));
        assert_eq!(topic.assigned_to.as_deref(), Some("li.wei@bank.example"), "{version}");
        assert_eq!(topic.priority.as_deref(), Some("High"));
        assert_eq!(topic.due_date.as_deref(), Some("2027-01-15T00:00:00Z"));
        for l in ["MEP", "机电", "Trays vs ducts"] {
            assert!(topic.labels.iter().any(|x| x == l), "{version}: label {l} in {:?}", topic.labels);
        }
        let comments: Vec<(&str, &str)> =
            topic.comments.iter().map(|c| (c.date.as_deref().unwrap_or(""), c.text.as_str())).collect();
        // Several clashes in the group: each comment names its clash; Shanghai's offset kept.
        let prefix = if group.clash_ids.len() > 1 { "#11: " } else { "" };
        assert_eq!(
            comments,
            [
                ("2026-11-02T17:00:00+08:00", format!("{prefix}桥架上移 200 mm").as_str()),
                (
                    "2026-11-03T09:30:00Z",
                    format!("{prefix}Status new -> reviewed: agreed in the meeting").as_str()
                ),
            ],
            "{version}"
        );
        assert_eq!(topic.modified_author.as_deref(), Some("zhang@bank.example"));
        // Index is in the markup (the reader does not keep it).
        let markup = entry(&export(&r, &notes, version), &format!("{}/markup.bcf", group.guid));
        assert!(markup.contains("<Index>11</Index>"), "{markup}");
    }
}

#[test]
fn a_reviewed_export_validates_against_the_official_schemas() {
    let Some(corpus) = common::corpus() else { return };
    if Command::new("xmllint").arg("--version").output().is_err() {
        println!("NOTICE: xmllint not found (apt-get install libxml2-utils); schema validation skipped");
        return;
    }
    let (r, notes) = reviewed();
    let dir = tempfile_dir();
    let mut validated = 0;
    for (version, folder) in [(BcfVersion::V2_1, "2_1"), (BcfVersion::V3_0, "3_0")] {
        let schemas = corpus.join(folder).join("schemas");
        for (name, bytes) in entries(&export(&r, &notes, version)) {
            let xsd = match name.as_str() {
                "bcf.version" => "version.xsd",
                "extensions.xml" => "extensions.xsd",
                n if n.ends_with("markup.bcf") => "markup.xsd",
                n if n.ends_with(".bcfv") => "visinfo.xsd",
                _ => continue,
            };
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
    assert!(validated >= 10, "{validated}");
}

fn tempfile_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("plumbline-bcf-review-{}", std::process::id()))
}

fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut b = Vec::new();
            f.read_to_end(&mut b).expect("read entry");
            (f.name().expect("entry name").into_owned(), b)
        })
        .collect()
}

fn entry(bytes: &[u8], name: &str) -> String {
    let (_, b) = entries(bytes).into_iter().find(|(n, _)| n == name).expect("entry present");
    String::from_utf8(b).expect("utf-8")
}
