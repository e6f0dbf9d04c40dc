//! Hostile and messy inputs: zip slip, zip bombs, too many entries, truncated archives, garbage,
//! invalid XML (refused with an error naming the entry), and the lenient side: byte order
//! marks, UTF-16, namespaces, Windows paths, missing bcf.version, odd statuses.

mod common;

use common::{markup, zip_of};
use plumbline_bcf::{map_status, read, read_with_limits, BcfError, Limits};
use plumbline_review::Status;
use std::io::Write;

const GUID: &str = "0a1b2c3d-0000-4000-8000-000000000001";

fn version() -> &'static [u8] {
    br#"<?xml version="1.0" encoding="UTF-8"?><Version VersionId="2.1"><DetailedVersion>2.1</DetailedVersion></Version>"#
}

#[test]
fn zip_slip_entries_are_refused() {
    let m = markup(GUID, "Open");
    for name in [
        "../evil.bcf",
        "topic/../../evil.bcf",
        "/etc/passwd",
        "\\windows\\evil.bcf",
        "C:/evil.bcf",
        "c:\\evil.bcf",
        "topic\\..\\..\\evil.bcf",
    ] {
        let z = zip_of(&[("bcf.version", version()), (name, m.as_bytes())]);
        let e = read(&z).expect_err(name);
        assert!(matches!(e, BcfError::UnsafeEntry { .. }), "{name}: {e}");
        let msg = e.to_string();
        assert!(msg.contains(name), "the message names the entry: {msg}");
        println!("{msg}");
    }
}

#[test]
fn a_zip_bomb_is_refused_while_decompressing() {
    // 64 MiB of spaces inside a markup: about 64 KiB compressed.
    let mut big = markup(GUID, "Open").into_bytes();
    big.extend(std::iter::repeat_n(b' ', 64 << 20));
    let z = zip_of(&[("bcf.version", version()), (&format!("{GUID}/markup.bcf"), &big)]);
    assert!(z.len() < 1 << 20, "the bomb is small: {} bytes", z.len());
    drop(big);
    let e = read(&z).expect_err("bomb");
    assert!(matches!(e, BcfError::EntryTooLarge { .. }), "{e}");
    assert!(e.to_string().contains(&format!("{GUID}/markup.bcf")), "{e}");
    println!("{e}");

    // Many entries that are fine one by one but too much together.
    let mut chunk = b"<VisualizationInfo/>".to_vec();
    chunk.extend(std::iter::repeat_n(b' ', 600 << 10));
    let m = markup(GUID, "Open");
    let folders: Vec<(String, String)> =
        (0..5).map(|i| (format!("t{i}/markup.bcf"), format!("t{i}/viewpoint.bcfv"))).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("bcf.version", version())];
    for (markup_path, viewpoint_path) in &folders {
        entries.push((markup_path.as_str(), m.as_bytes()));
        entries.push((viewpoint_path.as_str(), &chunk));
    }
    let z = zip_of(&entries);
    let limits = Limits { max_entries: 100, max_entry_bytes: 1 << 20, max_total_bytes: 2 << 20 };
    let e = read_with_limits(&z, &limits).expect_err("total");
    assert!(matches!(e, BcfError::ArchiveTooLarge { .. }), "{e}");
    println!("{e}");
}

#[test]
fn header_sizes_are_not_trusted() {
    // An entry whose local and central headers claim 10 bytes but which inflates to 3 MiB.
    let mut payload = markup(GUID, "Open").into_bytes();
    payload.extend(std::iter::repeat_n(b' ', 3 << 20));
    let mut z = zip_of(&[("bcf.version", version()), (&format!("{GUID}/markup.bcf"), &payload)]);
    let size = (payload.len() as u32).to_le_bytes();
    let fake = 10u32.to_le_bytes();
    // Patch every occurrence of the true uncompressed size in the headers.
    let mut patched = 0;
    for i in 0..z.len().saturating_sub(4) {
        if z[i..i + 4] == size {
            z[i..i + 4].copy_from_slice(&fake);
            patched += 1;
        }
    }
    assert!(patched >= 2, "both headers patched");
    let limits = Limits { max_entries: 100, max_entry_bytes: 1 << 20, max_total_bytes: 8 << 20 };
    match read_with_limits(&z, &limits) {
        Err(e) => println!("lying header refused: {e}"),
        Ok(a) => panic!("a lying size header must not pass: {a:?}"),
    }
}

#[test]
fn too_many_entries_are_refused() {
    let names: Vec<String> = (0..50).map(|i| format!("f{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let z = zip_of(&entries);
    let limits = Limits { max_entries: 10, ..Limits::default() };
    let e = read_with_limits(&z, &limits).expect_err("entries");
    assert!(matches!(e, BcfError::TooManyEntries { count: 50, limit: 10 }), "{e}");
}

#[test]
fn broken_and_foreign_inputs_are_errors_not_panics() {
    let good = zip_of(&[
        ("bcf.version", version()),
        (&format!("{GUID}/markup.bcf"), markup(GUID, "Open").as_bytes()),
    ]);
    assert!(read(&good).is_ok());
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("garbage".into(), (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()),
        ("PK garbage".into(), b"PK\x03\x04 this is not really a zip".to_vec()),
        ("a zip of other things".into(), zip_of(&[("readme.txt", b"hello")])),
        ("XML that is not BCF".into(), b"<?xml version=\"1.0\"?><html/>".to_vec()),
        ("text".into(), b"just some text".to_vec()),
    ];
    for cut in [10, good.len() / 3, good.len() / 2, good.len() - 30, good.len() - 1] {
        cases.push((format!("truncated at {cut}"), good[..cut].to_vec()));
    }
    // Every single-byte corruption of the archive is an error or a reading, never a panic.
    for i in 0..good.len() {
        let mut b = good.clone();
        b[i] ^= 0x5a;
        if let Err(BcfError::Internal(p)) = read(&b) {
            panic!("byte {i} flipped: the reader panicked: {p}");
        }
    }
    // Every prefix of a markup document is an error or a reading, never a panic.
    let m = markup(GUID, "Open");
    for cut in 0..m.len() {
        if let Err(BcfError::Internal(p)) = read(&m.as_bytes()[..cut]) {
            panic!("markup cut at {cut}: the reader panicked: {p}");
        }
    }
    for (what, bytes) in cases {
        let e = read(&bytes).expect_err(&what);
        println!("{what}: {e}");
    }
}

#[test]
fn invalid_xml_names_the_entry_and_line() {
    let bad_markup =
        "<?xml version=\"1.0\"?>\n<Markup>\n<Topic Guid=\"x\">\n<Title>T</Titl>\n</Topic></Markup>";
    let path = format!("{GUID}/markup.bcf");
    let z = zip_of(&[("bcf.version", version()), (&path, bad_markup.as_bytes())]);
    let e = read(&z).expect_err("invalid XML");
    match &e {
        BcfError::Xml { entry, line, .. } => {
            assert_eq!(entry, &path);
            assert_eq!(*line, 4, "{e}");
        }
        other => panic!("expected an XML error, got {other}"),
    }
    println!("{e}");

    let vp_path = format!("{GUID}/viewpoint.bcfv");
    let z = zip_of(&[
        (&path, markup(GUID, "Open").as_bytes()),
        (&vp_path, b"<VisualizationInfo><Components>".as_slice()),
    ]);
    let e = read(&z).expect_err("unterminated viewpoint");
    assert!(e.to_string().contains(&vp_path), "{e}");
    println!("{e}");

    // Deep nesting is refused before it can hurt.
    let deep = format!("<Markup>{}{}</Markup>", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let e = read(&zip_of(&[(&path, deep.as_bytes())])).expect_err("deep");
    assert!(e.to_string().contains("nested deeper"), "{e}");

    // Several roots, no root.
    assert!(read(b"<Markup/><Markup/>").is_err());
    assert!(read(b"<!-- nothing -->").is_err());
}

#[test]
fn messy_archives_from_the_field_read() {
    // No bcf.version, Windows separators, uppercase GUID, a byte order mark, namespace
    // prefixes, the German status, and a viewpoint with an unknown root namespace.
    let markup_ns = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<bcf:Markup xmlns:bcf=\"urn:x\"><bcf:Topic Guid=\"{}\" TopicStatus=\"Offen\"><bcf:Title>Wand &amp; Rohr</bcf:Title><bcf:Labels>MEP</bcf:Labels></bcf:Topic>\
         <bcf:Comment Guid=\"C0000000-0000-4000-8000-000000000001\"><bcf:Date>2024-01-01T00:00:00Z</bcf:Date><bcf:Author>ana</bcf:Author><bcf:Comment>Bitte prüfen &lt;3</bcf:Comment></bcf:Comment>\
         <bcf:Viewpoints Guid=\"B0000000-0000-4000-8000-000000000001\"><bcf:Viewpoint>Viewpoint.BCFV</bcf:Viewpoint><bcf:Snapshot>snapshot.png</bcf:Snapshot></bcf:Viewpoints></bcf:Markup>",
        GUID.to_uppercase()
    );
    let vp = b"<VisualizationInfo xmlns=\"urn:y\"><Components><Selection><Component IfcGuid=\"2O2Fr$t4X7Zf8NOew3FLOH\"/></Selection></Components></VisualizationInfo>";
    let folder = GUID.to_uppercase();
    let z = zip_of(&[
        (&format!("{folder}\\markup.bcf"), markup_ns.as_bytes()),
        (&format!("{folder}\\viewpoint.bcfv"), vp),
        (&format!("{folder}\\snapshot.png"), &common::png(2, 2)),
    ]);
    let a = read(&z).expect("messy archive");
    assert_eq!(a.version, None);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let t = &a.topics[0];
    assert_eq!(t.guid, GUID);
    assert_eq!(t.title, "Wand & Rohr");
    assert_eq!(t.status, Some(Status::Active));
    assert_eq!(t.status_raw.as_deref(), Some("Offen"));
    assert_eq!(t.labels, vec!["MEP"]);
    assert_eq!(t.comments[0].text, "Bitte prüfen <3");
    assert_eq!(t.comments[0].author.as_deref(), Some("ana"));
    assert_eq!(t.comments[0].guid.as_deref(), Some("c0000000-0000-4000-8000-000000000001"));
    let v = &t.viewpoints[0];
    assert_eq!(v.guid.as_deref(), Some("b0000000-0000-4000-8000-000000000001"));
    assert_eq!(v.component_ids(), vec!["2O2Fr$t4X7Zf8NOew3FLOH"]);
    assert_eq!(v.snapshot.as_deref(), Some(format!("{folder}/snapshot.png").as_str()));

    // UTF-16 with a byte order mark, and a topic with a missing Guid and title.
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain("<Markup><Topic TopicStatus=\"Closed\"/></Markup>".encode_utf16())
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let z = zip_of(&[("some-folder/markup.bcf", &utf16)]);
    let a = read(&z).expect("utf-16");
    assert_eq!(a.topics[0].guid, "some-folder");
    assert_eq!(a.topics[0].status, Some(Status::Resolved));
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);

    // A bare markup file is an archive of one topic.
    let a = read(markup(GUID, "Resolved").as_bytes()).expect("bare markup");
    assert_eq!(a.topics.len(), 1);
    assert_eq!(a.topics[0].status, Some(Status::Resolved));
}

#[test]
fn statuses_map_to_plumbline_statuses() {
    for (raw, want) in [
        ("Open", Some(Status::Active)),
        ("OPEN", Some(Status::Active)),
        ("Offen", Some(Status::Active)),
        ("Active", Some(Status::Active)),
        ("In Progress", Some(Status::Active)),
        ("ReOpened", Some(Status::Active)),
        ("new", Some(Status::New)),
        ("Reviewed", Some(Status::Reviewed)),
        ("Approved", Some(Status::Approved)),
        ("Closed", Some(Status::Resolved)),
        ("Resolved", Some(Status::Resolved)),
        ("geschlossen", Some(Status::Resolved)),
        ("已解决", Some(Status::Resolved)),
        ("Error", None),
        ("", None),
    ] {
        assert_eq!(map_status(raw), want, "{raw}");
    }
}

#[test]
fn a_stored_entry_is_read_as_well() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file(format!("{GUID}/markup.bcf"), stored).expect("entry");
    w.write_all(markup(GUID, "Active").as_bytes()).expect("write");
    w.add_directory(format!("{GUID}/"), stored).expect("folder");
    let z = w.finish().expect("zip").into_inner();
    let a = read(&z).expect("stored");
    assert_eq!(a.topics[0].status, Some(Status::Active));
}

#[test]
fn a_broken_bcf_version_is_a_warning() {
    let z = zip_of(&[
        ("bcf.version", b"<Version VersionId=\"2.1\">".as_slice()),
        (&format!("{GUID}/markup.bcf"), markup(GUID, "Open").as_bytes()),
    ]);
    let a = read(&z).expect("topics still read");
    assert_eq!(a.version, None);
    assert_eq!(a.topics.len(), 1);
    assert!(a.warnings[0].contains("bcf.version"), "{:?}", a.warnings);
}
