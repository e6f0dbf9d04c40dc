//! CPM parity with P6 and MS Project: every real schedule of the shared folder's `schedules/`
//! (XER, MSPDI, P6 XML) is scheduled and compared, activity by activity, with the dates and
//! floats its own file stored. Prints the per-file agreement table (the README's "4D: agreement
//! with P6 and MS Project") and holds each file to its level. Skipped with a notice where the
//! folder is absent.

use plumbline_schedule::parity::agreement;
use plumbline_schedule::{read_schedule, Format};
use plumbline_testkit::schedules_dir;

/// Files and the share of compared activities that must agree in every figure (percent). The
/// goal is 99; a file above it that a fix raised is held at its new level, and a lower level is
/// a documented shortfall (README) held so it cannot regress.
const LEVELS: &[(&str, f64)] = &[
    ("xer/aspose_MultiprojectWithExternal.xer", 99.0),
    ("xer/bhatticoder_CONSRTRUCTION.xer", 99.0),
    ("xer/bhatticoder_Hotel_Project.xer", 99.5),
    ("xer/constology_wk2.xer", 99.0),
    ("xer/jaggelas_test.xer", 99.5),
    ("xer/nmoghimi_UP-54069-20260122.xer", 99.0),
    ("mspdi/mpxj_legacy_sample1.xml", 94.4),
    ("mspdi/mpxj_mspdirelations.xml", 99.0),
    ("mspdi/residential_construction_mpxj-converted.xml", 99.0),
    ("mspdi/schependomlaan_Uitvoering_Schependomlaan_18-02-2015.xml", 97.4),
    ("p6xml/aspose_BaselineProjects.xml", 99.0),
    ("p6xml/aspose_MultiprojectWithExternal.xml", 99.0),
    ("p6xml/aspose_PrimaveraProject.xml", 7.6),
];

#[test]
fn cpm_agrees_with_the_dates_the_files_stored() {
    let Some(dir) = schedules_dir() else {
        println!("skipped: no shared schedules folder (set PLUMBLINE_SHARED)");
        return;
    };
    println!("| file | compared | early start | late start | total float | critical | all |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut failures = Vec::new();
    for &(rel, level) in LEVELS {
        let path = dir.join(rel);
        if !path.exists() {
            println!("| {rel} | absent | | | | | |");
            continue;
        }
        let s = read_schedule(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let ms = s.format == Format::Mspdi;
        let a = agreement(&s, ms).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let pct = |k: usize| if a.compared == 0 { 100.0 } else { k as f64 * 100.0 / a.compared as f64 };
        println!(
            "| {rel} | {} | {:.1} % | {} | {} | {:.1} % | **{:.1} %** |",
            a.compared,
            pct(a.early_start),
            if ms { "–".to_string() } else { format!("{:.1} %", pct(a.late_start)) },
            if ms { "–".to_string() } else { format!("{:.1} %", pct(a.total_float)) },
            pct(a.critical),
            a.percent()
        );
        for e in &a.examples {
            eprintln!("    {rel}: {e}");
        }
        if a.percent() + 1e-9 < level {
            failures.push(format!("{rel}: {:.1} % < {level} %", a.percent()));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

/// Prints our figures of the activities named in `PARITY_SHOW` (`file:id,id`), for diagnosis.
#[test]
fn show_activities() {
    let Ok(spec) = std::env::var("PARITY_SHOW") else { return };
    let Some(dir) = schedules_dir() else { return };
    let (rel, ids) = spec.split_once(':').expect("file:ids");
    let s = read_schedule(&dir.join(rel)).expect("reads");
    let cpm = plumbline_schedule::critical_path(&s).expect("cpm");
    for id in ids.split(',') {
        let i = s.task_index(id).expect("id");
        let c = cpm.of(i).expect("in network");
        println!(
            "{id}: ES {:?} EF {:?} LS {:?} LF {:?} TF {}h plan {:?}",
            c.early_start_at,
            c.early_finish_at,
            c.late_start_at,
            c.late_finish_at,
            c.total_float_hours,
            s.tasks[i].plan
        );
    }
}
