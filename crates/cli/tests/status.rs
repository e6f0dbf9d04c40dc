//! End-to-end tests of `plumbline status` and `plumbline history`: output, exit codes and the
//! messages for bad input. The history is seeded through the store crate, as a clash run with
//! `--db` would leave it.

use chrono::{TimeZone, Utc};
use plumbline_clash::ClashKind;
use plumbline_review::{ClashRecord, Grouping, Report, Status, TestInfo, TestReport, Timings};
use plumbline_store::{RunMeta, Store};
use plumbline_testkit::{element_info, hard_clash};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plumbline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_plumbline"));
    // The loader is under test: models are not served from a model cache.
    c.env("PLUMBLINE_NO_CACHE", "1");
    c
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn clash(a: &str, b: &str) -> ClashRecord {
    hard_clash(
        "trays",
        element_info(a, "IfcCableCarrierSegment", "Tray 1"),
        element_info(b, "IfcDuctSegment", "Duct D-3"),
    )
}

/// A history with two runs of test "trays": two clashes, then one of them again.
fn seeded(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join(name);
    let mut store = Store::open(&db).expect("creates");
    for (minute, pairs) in [(0, vec![("T1", "D3"), ("T2", "D3")]), (30, vec![("T1", "D3")])] {
        let mut report = Report {
            models: vec!["hall.ifc".into()],
            grouping: Grouping::Element,
            tests: vec![TestReport {
                info: TestInfo {
                    id: "trays".into(),
                    name: "trays".into(),
                    mode: ClashKind::Hard,
                    tolerance_m: 0.002,
                    clearance_m: 0.0,
                    zone: None,
                    reach: None,
                },
                elements_a: 2,
                elements_b: 1,
                candidate_pairs: 2,
                clashes: pairs.iter().map(|(a, b)| clash(a, b)).collect(),
                groups: Vec::new(),
            }],
            timings: Timings::default(),
        };
        let meta = RunMeta {
            started_utc: Utc.with_ymd_and_hms(2026, 11, 2, 9, minute, 0).single().expect("time"),
            models: vec!["hall.ifc".into()],
            config: None,
        };
        store.record_run(&mut report, &meta).expect("run recorded");
    }
    (dir, db)
}

fn db_arg(db: &Path) -> [&std::ffi::OsStr; 2] {
    ["--db".as_ref(), db.as_os_str()]
}

#[test]
fn history_lists_runs_with_counts() {
    let (_dir, db) = seeded("h.db");
    let out = plumbline().arg("history").args(db_arg(&db)).output().expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert!(lines[0].contains("new") && lines[0].contains("active") && lines[0].contains("resolved"));
    let cells = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        cells(lines[1]),
        ["1", "2026-11-02", "09:00", "UTC", "hall", "2", "2", "0", "0", "0", "0", "0", "trays"]
    );
    assert_eq!(
        cells(lines[2]),
        ["2", "2026-11-02", "09:30", "UTC", "hall", "1", "0", "1", "0", "0", "1", "0", "trays"]
    );
    // The per-project trend after a blank line: runs, new, resolved, removed, open.
    assert_eq!(cells(lines[5]), ["hall", "2", "2", "1", "0", "1"], "{stdout}");

    let out = plumbline().args(["history", "--json", "-"]).args(db_arg(&db)).output().expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let runs = v["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["run_id"], 2);
    assert_eq!(runs[1]["resolved"], 1);
    assert_eq!(runs[1]["active"], 1);
    assert_eq!(runs[0]["started_utc"], "2026-11-02T09:00:00Z");
    assert_eq!(v["projects"]["hall"]["open"], 1);

    // --since and --project narrow the runs.
    let out = plumbline()
        .args(["history", "--json", "-", "--since", "2026-11-03"])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(0));
    let out = plumbline()
        .args(["history", "--json", "-", "--project", "hall"])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(2));
    let out = plumbline().args(["history", "--since", "yesterday"]).args(db_arg(&db)).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("YYYY-MM-DD"), "{}", text(&out).1);
}

#[test]
fn status_takes_clash_numbers_and_sets_review_fields() {
    let (_dir, db) = seeded("n.db");
    let out = plumbline()
        .args(["status", "#1", "--by", "Zhang San", "--assign", "Li Wei", "--priority", "High"])
        .args(["--due", "2027-01-15", "--label", "MEP", "--label", "level 1"])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stdout.trim(),
        "trays/T1-D3: assigned to Li Wei, priority High, due 2027-01-15, labels MEP, level 1"
    );
    let out = plumbline().args(["status", "1", "--json", "-"]).args(db_arg(&db)).output().expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["clash"]["number"], 1);
    assert_eq!(v["clash"]["review"]["assigned_to"], "Li Wei");
    assert_eq!(v["clash"]["review"]["labels"], serde_json::json!(["MEP", "level 1"]));
    assert_eq!(
        v["comments"][0]["text"],
        "assigned to Li Wei; priority High; due 2027-01-15; labels MEP, level 1"
    );
    // Clearing: an empty assignee, `none` for the due date.
    let out = plumbline()
        .args(["status", "#1", "--by", "Zhang San", "--assign", "", "--due", "none"])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.contains("assigned to nobody, priority High, due none"), "{}", text(&out).0);
    let out = plumbline().args(["status", "#1"]).args(db_arg(&db)).output().expect("runs");
    assert!(text(&out).0.starts_with("#1 trays/T1-D3  active"), "{}", text(&out).0);
    // A bad date and an unknown number are bad input.
    let out = plumbline()
        .args(["status", "#1", "--by", "Li", "--due", "15/01/2027"])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--due") && text(&out).1.contains("YYYY-MM-DD"), "{}", text(&out).1);
    let out = plumbline().args(["status", "#99"]).args(db_arg(&db)).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("no clash '#99'"), "{}", text(&out).1);
}

#[test]
fn status_sets_shows_and_comments() {
    let (_dir, db) = seeded("s.db");
    let out = plumbline()
        .args([
            "status",
            "trays/T1-D3",
            "--set",
            "Approved",
            "--by",
            "Anna Berg",
            "--comment",
            "sleeve agreed",
        ])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("trays/T1-D3: active -> approved (by Anna Berg, "), "{stdout}");

    let out = plumbline()
        .args(["status", "trays/T1-D3", "--by", "Li Wei", "--comment", "checked on site"])
        .args(db_arg(&db))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out).1);

    let out = plumbline().args(["status", "trays/T1-D3"]).args(db_arg(&db)).output().expect("runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for expected in [
        "#1 trays/T1-D3  approved (trays since",
        "project: hall",
        "a: IfcCableCarrierSegment 'Tray 1' (T1)",
        "seen in runs 1 to 2",
        "new -> active  by plumbline [run 2]",
        "active -> approved  by Anna Berg: sleeve agreed",
        "Li Wei: checked on site",
    ] {
        assert!(stdout.contains(expected), "missing '{expected}' in:\n{stdout}");
    }

    let out =
        plumbline().args(["status", "trays/T2-D3", "--json", "-"]).args(db_arg(&db)).output().expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["clash"]["status"], "resolved");
    assert_eq!(v["history"][1]["comment"], "resolved by run 2");
}

#[test]
fn bad_input_exits_2_with_a_message_that_says_what_to_do() {
    let (dir, db) = seeded("b.db");
    let cases: Vec<(Vec<&str>, PathBuf, &[&str])> = vec![
        (
            vec!["status", "trays/nope", "--set", "reviewed", "--by", "Li Wei"],
            db.clone(),
            &["no clash 'trays/nope'", "#12", "plumbline history"],
        ),
        (vec!["status", "trays/nope"], db.clone(), &["no clash 'trays/nope'"]),
        (
            vec!["status", "trays/T1-D3", "--set", "done", "--by", "Li Wei"],
            db.clone(),
            &["unknown status 'done'", "new, active, reviewed, approved, resolved"],
        ),
        (vec!["status", "trays/T1-D3", "--set", "reviewed"], db.clone(), &["--by"]),
        (vec!["status", "trays/T1-D3", "--set", "reviewed", "--by", " "], db.clone(), &["give a name"]),
        (vec!["history"], dir.path().join("missing.db"), &["missing.db", "no clash history here"]),
        (
            vec!["history"],
            {
                let p = dir.path().join("model.ifc");
                std::fs::write(&p, "ISO-10303-21;\n".repeat(200)).expect("write");
                p
            },
            &["model.ifc", "not a Plumbline clash history"],
        ),
    ];
    for (args, db, expected) in cases {
        let out = plumbline().args(&args).args(db_arg(&db)).output().expect("runs");
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for e in expected {
            assert!(stderr.contains(e), "{args:?}: missing '{e}' in: {stderr}");
        }
    }
    assert!(!dir.path().join("missing.db").exists(), "history does not create a database");
    // The failed calls changed nothing.
    let store = Store::open_existing(&db).expect("opens");
    assert_eq!(store.status_of("trays/T1-D3").expect("readable"), Some(Status::Active));
}

#[test]
fn the_default_database_is_plumbline_db_in_the_current_directory() {
    let (dir, db) = seeded("plumbline.db");
    let out = plumbline().arg("history").current_dir(dir.path()).output().expect("runs");
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(text(&out).0.lines().count(), 6);
    drop(db);
}
