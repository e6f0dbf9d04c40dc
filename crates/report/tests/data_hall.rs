//! End to end on the generated data hall: a hard test of trays against ducts, its review
//! report, a snapshot of every clash, and the three formats written from them.

use plumbline_clash::{run_test, Mode, Shapes, Test};
use plumbline_ifc::{load_bytes, LoadOptions};
use plumbline_model::{ElementRef, ModelSet, Role};
use plumbline_report::{csv, html, xlsx, Lang, Snapshots};
use plumbline_review::{test_report, Grouping, Report, TestInfo, Timings};
use std::path::Path;
use std::time::Instant;

fn select(set: &ModelSet, classes: &[&str]) -> Vec<ElementRef> {
    set.elements()
        .filter(|(_, e)| e.role == Role::Physical && e.mesh.is_some() && classes.contains(&e.class.as_str()))
        .map(|(r, _)| r)
        .collect()
}

#[test]
fn data_hall_report_with_snapshots() {
    let g = plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::default());
    let m = load_bytes(Path::new("datacenter-hall.ifc"), g.ifc.into_bytes(), &LoadOptions::default())
        .expect("generated hall loads");
    let set = ModelSet { models: vec![m] };
    let name = plumbline_samples::TRAYS_VS_DUCTS;
    let test = Test {
        name: name.into(),
        mode: Mode::Hard { tolerance_m: 0.002 },
        a: select(&set, &["IfcCableCarrierSegment", "IfcCableCarrierFitting"]),
        b: Some(select(&set, &["IfcDuctSegment", "IfcDuctFitting"])),
    };
    let result = run_test(&Shapes::new(&set), &test, &|_, _| false);
    let info = TestInfo::of(name, &test.mode);
    let grouping = Grouping::default();
    let mut report = Report {
        models: vec!["datacenter-hall.ifc".into()],
        grouping,
        tests: vec![test_report(&set, &info, &result, grouping)],
        timings: Timings::default(),
    };
    // Numbers as a history would give them on the first run.
    for (i, c) in report.tests.iter_mut().flat_map(|t| t.clashes.iter_mut()).enumerate() {
        c.number = Some(i as u64 + 1);
    }
    let expected = g.truth.clashes.iter().filter(|c| c.test == name).count();
    let n = report.clashes().count();
    assert_eq!(n, expected, "the seeded tray/duct clashes");
    assert!(n > 0);

    let started = Instant::now();
    let mut snaps = Snapshots::new();
    for c in report.clashes() {
        let png = plumbline_snapshot::render_clash_png(&set, c, 640, 480).expect("renders");
        snaps.insert(c.id.clone(), png);
    }
    let per_image = started.elapsed().as_secs_f64() / n as f64;
    println!("{n} snapshots at 640x480, {:.1} ms each (this build profile)", per_image * 1000.0);

    let out = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // Every language, each file kept for a look (the Chinese ones are what the issue's
    // screenshots show).
    for lang in [Lang::Both, Lang::Zh, Lang::En] {
        let page = html(&report, &snaps, lang);
        assert_eq!(page.matches("src=\"data:image/png;base64,").count(), n);
        assert!(page.contains("<span class=\"number\">#1</span>"));
        let sheet = csv(&report, lang);
        assert_eq!(sheet.lines().count(), n + 1);
        let book = xlsx(&report, lang).expect("xlsx");
        let stem = format!("data-hall-report-{}", lang.as_str());
        std::fs::write(out.join(format!("{stem}.html")), &page).expect("writable");
        std::fs::write(out.join(format!("{stem}.csv")), &sheet).expect("writable");
        std::fs::write(out.join(format!("{stem}.xlsx")), &book).expect("writable");
        assert_eq!(html(&report, &snaps, lang), page, "deterministic");
    }
    assert!(!html(&report, &snaps, Lang::En).contains("no snapshot"));
    assert!(!html(&report, &snaps, Lang::Zh).contains("无快照"));
}
