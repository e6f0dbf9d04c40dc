//! Crash safety with a real kill: a child process records big runs in a loop and is killed with
//! SIGKILL (`Child::kill`) halfway through a run's transaction; the history must keep every
//! earlier status, history entry and comment, pass `PRAGMA integrity_check`, hold either all or
//! nothing of the interrupted run, and accept new writes.
//!
//! The child is this test binary itself, started again with `crash_child_writer` as the only
//! test and the database location in an environment variable, so no extra binary is needed.
//! The same test runs on an SQLite file and on a database of the tests' PostgreSQL server
//! (`support/pg.rs`), where the kill drops the connection mid-transaction.

#[path = "support/pg.rs"]
mod pg;

use chrono::{DateTime, Duration, TimeZone, Utc};
use plumbline_clash::ClashKind;
use plumbline_model::Aabb;
use plumbline_review::{
    ClashRecord, ElementInfo, Grouping, Report, Status, TestInfo, TestReport, Text, Timings,
};
use plumbline_store::{RunMeta, Store};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "PLUMBLINE_STORE_CRASH_CHILD_DB";
/// Clashes per child run: enough that a run's transaction takes many milliseconds.
const CHURN: usize = 3000;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).single().expect("valid time")
}

fn record(test: &str, n: usize) -> ClashRecord {
    let element = |gid: String| ElementInfo {
        global_id: gid,
        class: "IfcCableCarrierSegment".into(),
        name: Some(format!("Tray {n}")),
        file: "hall.ifc".into(),
        storey: Some("Level 1".into()),
        aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
    };
    ClashRecord {
        id: format!("{test}/{n:05}"),
        number: None,
        test: test.into(),
        test_id: test.into(),
        kind: ClashKind::Hard,
        distance_m: 0.01 * n as f64,
        hard: true,
        exact: false,
        point: [n as f64, 0.0, 3.0],
        overlap_aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
        a: element(format!("A{n:05}")),
        b: element(format!("B{n:05}")),
        status: Status::New,
        group: format!("g{}", n / 10),
        explanation: Text { en: "a tray crosses a duct".into(), zh: "桥架穿过风管".into() },
        overlap_volume_m3: None,
        basis: None,
        triage: None,
    }
}

fn report(test: &str, ids: impl Iterator<Item = usize>) -> Report {
    Report {
        models: vec!["hall.ifc".into()],
        grouping: Grouping::Element,
        tests: vec![TestReport {
            info: TestInfo {
                id: test.into(),
                name: test.into(),
                mode: ClashKind::Hard,
                tolerance_m: 0.002,
                clearance_m: 0.0,
                zone: None,
                reach: None,
            },
            elements_a: 1,
            elements_b: 1,
            candidate_pairs: 1,
            clashes: ids.map(|n| record(test, n)).collect(),
            groups: Vec::new(),
        }],
        timings: Timings::default(),
    }
}

/// The churn clashes a child run finds: runs alternate between two half-overlapping sets, so
/// each run creates, re-finds, resolves and reopens thousands of clashes.
fn churn_ids(runs_before: usize) -> std::ops::Range<usize> {
    if runs_before.is_multiple_of(2) {
        0..CHURN
    } else {
        CHURN / 2..CHURN + CHURN / 2
    }
}

/// Not a test on its own: the child process's loop, which only runs when the parent starts it.
#[test]
fn crash_child_writer() {
    let Some(db) = std::env::var(CHILD_ENV).ok() else { return };
    let mut store = Store::open_location(&db).expect("child opens the history");
    let mut out = std::io::stdout().lock();
    loop {
        let before = store.history().expect("history").len();
        let meta = RunMeta {
            started_utc: t0() + Duration::minutes(before as i64),
            models: vec!["hall.ifc".into()],
            config: None,
        };
        let mut r = report("churn", churn_ids(before));
        writeln!(out, "begin {}", before + 1).expect("stdout");
        out.flush().expect("stdout");
        let started = std::time::Instant::now();
        let s = store.record_run(&mut r, &meta).expect("run recorded");
        let micros = started.elapsed().as_micros();
        store
            .add_comment("churn/02000", "child", &format!("after run {}", s.run_id), meta.started_utc)
            .expect("comment");
        writeln!(out, "committed {} {micros}", s.run_id).expect("stdout");
        out.flush().expect("stdout");
    }
}

/// Everything that must survive a crash about the clashes of the "kept" test.
type Snapshot = BTreeMap<String, (Status, String, usize, Vec<String>)>;

fn kept_snapshot(store: &Store) -> Snapshot {
    (0..10)
        .map(|n| {
            let id = format!("kept/{n:05}");
            let c = store.clash(&id).expect("readable").expect("kept clash present");
            let history = store.status_history(&id).expect("history").len();
            let comments = store.comments(&id).expect("comments").into_iter().map(|c| c.text).collect();
            (id, (c.status, c.status_by, history, comments))
        })
        .collect()
}

#[test]
fn killing_a_writer_mid_run_loses_nothing_committed() {
    let dir = tempfile::tempdir().expect("temp dir");
    killing_a_writer_mid_run(&dir.path().join("plumbline.db").to_string_lossy());
}

#[test]
fn killing_a_writer_mid_run_loses_nothing_committed_on_postgres() {
    let Some(server) = pg::server() else { return };
    killing_a_writer_mid_run(&server.fresh_url("crash"));
}

fn killing_a_writer_mid_run(db: &str) {
    // Two runs of "kept" and the reviewers' work on them: what the crashes must not touch.
    let mut store = Store::open_location(db).expect("creates");
    let mut kept = report("kept", 0..10);
    store.record_run(&mut kept, &RunMeta { started_utc: t0(), models: vec![], config: None }).expect("run 1");
    let mut kept = report("kept", 0..10);
    store.record_run(&mut kept, &RunMeta { started_utc: t0(), models: vec![], config: None }).expect("run 2");
    store.set_status("kept/00000", Status::Reviewed, "Li Wei", Some("tray moves 200 mm"), t0()).expect("set");
    store.set_status("kept/00001", Status::Approved, "Anna Berg", Some("sleeve"), t0()).expect("set");
    store.set_status("kept/00002", Status::Resolved, "Li Wei", None, t0()).expect("set");
    for n in 0..10 {
        store
            .add_comment(&format!("kept/{n:05}"), "Anna Berg", &format!("note {n} 备注"), t0())
            .expect("comment");
    }
    let kept_before = kept_snapshot(&store);
    let runs_before = store.history().expect("history");
    drop(store);

    let mut lost_in_flight = 0;
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "crash_child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, db)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("child starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = BufReader::new(stdout).lines();
        let mut committed = 0i64;
        let mut durations = Vec::new();
        let mut in_flight = None;
        // Let two runs commit to learn how long one takes, then kill the third halfway through.
        for line in lines {
            let line = line.expect("child output");
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["committed", run, micros] => {
                    committed = run.parse().expect("run number");
                    durations.push(micros.parse::<u64>().expect("duration"));
                }
                ["begin", run] if durations.len() >= 2 => {
                    in_flight = Some(run.parse::<i64>().expect("run number"));
                    let mean = durations.iter().sum::<u64>() / durations.len() as u64;
                    // Halfway, a little earlier each round, so different statements are cut.
                    let wait = mean * (5 - round) / 10;
                    std::thread::sleep(std::time::Duration::from_micros(wait));
                    child.kill().expect("SIGKILL");
                    break;
                }
                _ => {}
            }
        }
        let status = child.wait().expect("child reaped");
        assert!(!status.success(), "the child was killed, not finished: {status:?}");

        let store = Store::open_existing_location(db).expect("reopens after the kill");
        store.integrity_check().expect("PRAGMA integrity_check is ok");
        assert_eq!(
            kept_snapshot(&store),
            kept_before,
            "round {round}: kept statuses, history and comments intact"
        );
        let history = store.history().expect("history");
        assert_eq!(history[..2], runs_before[..], "earlier runs unchanged");
        let last = history.last().expect("runs").run_id;
        assert!(
            last == committed || Some(last) == in_flight,
            "round {round}: last run {last}, committed {committed}, in flight {in_flight:?}"
        );
        if Some(last) != in_flight {
            lost_in_flight += 1;
        }

        // The last recorded run is there completely: its found clashes carry its run number and
        // the statuses its rules give, and the other set is resolved.
        let statuses = store.statuses().expect("statuses");
        let runs_before_last = (last - 1) as usize;
        let current = churn_ids(runs_before_last);
        let previous = (runs_before_last > 2).then(|| churn_ids(runs_before_last - 1));
        for n in 0..CHURN + CHURN / 2 {
            let id = format!("churn/{n:05}");
            let expected = match (&previous, current.contains(&n)) {
                (Some(p), true) if p.contains(&n) => Some(Status::Active),
                (_, true) => Some(Status::New),
                (Some(_), false) => Some(Status::Resolved),
                (None, false) => None,
            };
            assert_eq!(statuses.get(&id).copied(), expected, "round {round}: {id} after run {last}");
            if current.contains(&n) {
                let c = store.clash(&id).expect("readable").expect("present");
                assert_eq!(c.last_seen_run, last, "{id}");
            }
        }
        let summary = history.last().expect("runs");
        assert_eq!(summary.clashes, CHURN);
        assert_eq!(summary.new + summary.active, CHURN);
        // Kept clashes are untouched: "kept" did not run in the child's runs.
        assert_eq!(statuses["kept/00001"], Status::Approved);
    }
    println!("{lost_in_flight} of 3 kills cut a run before its commit");

    // The history takes new writes after the crashes.
    let mut store = Store::open_location(db).expect("reopens");
    let mut kept = report("kept", 0..10);
    let s = store
        .record_run(&mut kept, &RunMeta { started_utc: t0(), models: vec![], config: None })
        .expect("run");
    assert_eq!(s.approved, 1);
    store.set_status("kept/00003", Status::Approved, "Anna Berg", None, t0()).expect("set after crash");
    store.integrity_check().expect("integrity ok");
}
