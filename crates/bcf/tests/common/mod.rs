//! Shared helpers of the BCF tests: a small clash report, a PNG encoder, zip builders and the
//! location of the shared BCF corpus.

#![allow(dead_code, reason = "each test binary uses a different part of the helpers")]

use plumbline_clash::ClashKind;
use plumbline_model::Aabb;
use plumbline_review::{
    explain_clash, group_clashes, ClashRecord, ElementInfo, Grouping, Report, Status, TestInfo, TestReport,
    Text, Timings,
};
use std::io::Write;
use std::path::PathBuf;

/// `../shared/bcf` beside the repository (`PLUMBLINE_BCF_CORPUS` overrides), if present.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("PLUMBLINE_BCF_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bcf"));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("NOTICE: BCF corpus {} not found; test skipped", dir.display());
        None
    }
}

fn element(gid: &str, class: &str, name: &str, file: &str, x: f64) -> ElementInfo {
    ElementInfo {
        global_id: gid.into(),
        class: class.into(),
        name: Some(name.into()),
        file: file.into(),
        storey: Some("Level 1".into()),
        aabb: Aabb { min: [x, 0.0, 2.0], max: [x + 1.0, 1.0, 3.0] },
    }
}

fn record(test: &TestInfo, id: &str, a: ElementInfo, b: ElementInfo, x: f64, status: Status) -> ClashRecord {
    let mut r = ClashRecord {
        triage: None,
        id: id.into(),
        number: None,
        test: test.name.clone(),
        test_id: test.name.clone(),
        kind: ClashKind::Hard,
        distance_m: 0.05,
        hard: true,
        exact: true,
        point: [x, 0.5, 2.5],
        overlap_aabb: Aabb { min: [x, 0.0, 2.0], max: [x + 0.2, 1.0, 3.0] },
        a,
        b,
        status,
        group: String::new(),
        explanation: Text::default(),
        overlap_volume_m3: None,
        basis: None,
    };
    r.explanation = explain_clash(test, &r);
    r
}

/// A report of two tests: trays against ducts (two groups by proximity, one of them with a
/// resolved clash) and a duplicate check with a GlobalId that is not an IfcGuid.
pub fn report() -> Report {
    let trays = TestInfo {
        id: "Trays vs ducts".into(),
        name: "Trays vs ducts".into(),
        mode: ClashKind::Hard,
        tolerance_m: 0.002,
        clearance_m: 0.0,
        zone: None,
        reach: None,
    };
    let duct =
        element("2O2Fr$t4X7Zf8NOew3FLOH", "IfcDuctSegment", "Duct D-3 & <main>", "models/mep.ifc", 0.0);
    let mut records = vec![
        record(
            &trays,
            "c1",
            element("0K9ZmCEuj9Hw6M$Tf2rCaW", "IfcCableCarrierSegment", "Tray 1", "models/elec.ifc", 0.0),
            duct.clone(),
            0.0,
            Status::Active,
        ),
        record(
            &trays,
            "c2",
            element("1hL$4sJc5Bq8Fq3Cz6Zv9X", "IfcCableCarrierSegment", "Tray 2", "models/elec.ifc", 1.0),
            duct,
            1.0,
            Status::Resolved,
        ),
        record(
            &trays,
            "c3",
            element(
                "3vB2YO$MX4xv5uCqZZG05x",
                "IfcCableCarrierSegment",
                "托架 9",
                "C:\\models\\elec.ifc",
                30.0,
            ),
            element("0JxjHqDDT5Tw7qn$xG7Ss1", "IfcDuctSegment", "Duct 9", "models/mep.ifc", 30.0),
            30.0,
            Status::Resolved,
        ),
    ];
    let groups = group_clashes(&trays, &mut records, Grouping::default());
    let dup = TestInfo {
        id: "Duplicates".into(),
        name: "Duplicates".into(),
        mode: ClashKind::Duplicate,
        tolerance_m: 0.002,
        clearance_m: 0.0,
        zone: None,
        reach: None,
    };
    let mut dups = vec![record(
        &dup,
        "d1",
        element("rack-7", "IfcFurniture", "Rack 7", "models/hall.ifc", 50.0),
        element("rack-7-copy", "IfcFurniture", "Rack 7", "models/hall.ifc", 50.0),
        50.0,
        Status::New,
    )];
    let dup_groups = group_clashes(&dup, &mut dups, Grouping::Element);
    let test_report = |info: &TestInfo, clashes: Vec<ClashRecord>, groups| TestReport {
        info: info.clone(),
        elements_a: 3,
        elements_b: 2,
        candidate_pairs: 4,
        clashes,
        groups,
    };
    Report {
        models: vec!["models/elec.ifc".into(), "models/mep.ifc".into(), "models/hall.ifc".into()],
        grouping: Grouping::default(),
        tests: vec![test_report(&trays, records, groups), test_report(&dup, dups, dup_groups)],
        timings: Timings::default(),
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A valid grey RGB PNG of the given size (stored, uncompressed deflate blocks).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for _ in 0..height {
        raw.push(0u8);
        raw.extend(std::iter::repeat_n(0x80u8, width as usize * 3));
    }
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, c) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend(crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &z);
    chunk(b"IEND", &[]);
    out
}

/// A zip of the given entries (deflated).
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).expect("start entry");
        w.write_all(bytes).expect("write entry");
    }
    w.finish().expect("finish zip").into_inner()
}

/// A minimal BCF 2.1 markup with the given status attribute text.
pub fn markup(guid: &str, status: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Markup><Topic Guid="{guid}" TopicStatus="{status}"><Title>T</Title><CreationDate>2020-01-01T00:00:00Z</CreationDate><CreationAuthor>a@b.c</CreationAuthor></Topic></Markup>"#
    )
}
