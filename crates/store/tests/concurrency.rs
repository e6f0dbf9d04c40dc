//! Concurrent writers on one history, on SQLite and on a real PostgreSQL server: two runs of
//! different tests at once, a run while a reviewer sets statuses, two reviewers on one clash.
//! Each writer is a thread with a connection of its own (as separate processes would have); the
//! checks are that no update is lost, no number repeats, nothing deadlocks (every thread
//! finishes), and the status history tells the same story as the statuses.

#[path = "support/pg.rs"]
mod pg;

use chrono::{DateTime, Duration, TimeZone, Utc};
use plumbline_clash::ClashKind;
use plumbline_model::Aabb;
use plumbline_review::{
    ClashRecord, ElementInfo, Grouping, Report, Status, TestInfo, TestReport, Text, Timings,
};
use plumbline_store::{RunMeta, Store};
use std::collections::BTreeSet;
use std::sync::Barrier;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).single().expect("valid time")
}

fn record(test: &str, n: usize) -> ClashRecord {
    let element = |gid: String| ElementInfo {
        global_id: gid,
        class: "IfcPipeSegment".into(),
        name: Some(format!("Pipe {n}")),
        file: "hall.ifc".into(),
        storey: None,
        aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
    };
    ClashRecord {
        id: format!("{test}/{n:05}"),
        number: None,
        test: test.into(),
        test_id: test.into(),
        kind: ClashKind::Hard,
        distance_m: 0.01,
        hard: true,
        exact: false,
        point: [n as f64, 0.0, 0.0],
        overlap_aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
        a: element(format!("{test}-A{n:05}")),
        b: element(format!("{test}-B{n:05}")),
        status: Status::New,
        group: format!("g{n}"),
        explanation: Text::default(),
        overlap_volume_m3: None,
        basis: None,
        triage: None,
    }
}

fn report(test: &str, n: usize) -> Report {
    Report {
        models: vec!["hall.ifc".into()],
        grouping: Grouping::Element,
        tests: vec![TestReport {
            info: TestInfo {
                id: test.into(),
                name: test.into(),
                mode: ClashKind::Hard,
                tolerance_m: 0.0,
                clearance_m: 0.0,
                zone: None,
                reach: None,
            },
            elements_a: 0,
            elements_b: 0,
            candidate_pairs: 0,
            clashes: (0..n).map(|i| record(test, i)).collect(),
            groups: Vec::new(),
        }],
        timings: Timings::default(),
    }
}

fn meta(minute: i64) -> RunMeta {
    RunMeta { started_utc: t0() + Duration::minutes(minute), models: vec!["hall.ifc".into()], config: None }
}

/// A new history's location on each backend; `None` where PostgreSQL is not available.
fn location(backend: &str, dir: &tempfile::TempDir, name: &str) -> Option<String> {
    match backend {
        "sqlite" => Some(dir.path().join(format!("{name}.db")).to_string_lossy().into_owned()),
        _ => pg::server().map(|s| s.fresh_url(name)),
    }
}

fn two_runs_of_different_tests_at_once(backend: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(db) = location(backend, &dir, "two_runs") else { return };
    drop(Store::open_location(&db).expect("creates"));
    const N: usize = 1500;
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        for test in ["trays", "ducts"] {
            let (db, barrier) = (&db, &barrier);
            s.spawn(move || {
                let mut store = Store::open_location(db).expect("opens");
                barrier.wait();
                for round in 0..3 {
                    let mut r = report(test, N);
                    let summary = store.record_run(&mut r, &meta(round)).expect("run recorded");
                    assert_eq!(summary.clashes, N);
                    assert_eq!(summary.resolved, 0, "{test}: the other test's clashes are not this run's");
                }
            });
        }
    });
    let store = Store::open_existing_location(&db).expect("reopens");
    store.integrity_check().expect("consistent");
    assert_eq!(store.history().expect("history").len(), 6);
    let clashes = store.all_clashes().expect("clashes");
    assert_eq!(clashes.len(), 2 * N);
    assert!(clashes.iter().all(|c| c.status == Status::Active), "three runs each: active");
    let numbers: BTreeSet<u64> = clashes.iter().filter_map(|c| c.number).collect();
    assert_eq!(numbers, (1..=2 * N as u64).collect(), "every clash numbered once, no gaps, no repeats");
}

fn a_run_while_a_reviewer_sets_statuses(backend: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(db) = location(backend, &dir, "run_and_review") else { return };
    const N: usize = 600;
    const REVIEWED: usize = 150;
    let mut store = Store::open_location(&db).expect("creates");
    store.record_run(&mut report("t", N), &meta(0)).expect("first run");
    drop(store);
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        let (db_ref, barrier_ref) = (&db, &barrier);
        s.spawn(move || {
            let mut store = Store::open_location(db_ref).expect("opens");
            barrier_ref.wait();
            for round in 1..6 {
                store.record_run(&mut report("t", N), &meta(round)).expect("run recorded");
            }
        });
        s.spawn(move || {
            let mut store = Store::open_location(db_ref).expect("opens");
            barrier_ref.wait();
            for n in 0..REVIEWED {
                let id = format!("t/{n:05}");
                store.set_status(&id, Status::Reviewed, "Li Wei", Some("moves"), t0()).expect("set");
            }
        });
    });
    let store = Store::open_existing_location(&db).expect("reopens");
    store.integrity_check().expect("consistent");
    let statuses = store.statuses().expect("statuses");
    for n in 0..N {
        let id = format!("t/{n:05}");
        let expected = if n < REVIEWED { Status::Reviewed } else { Status::Active };
        assert_eq!(statuses[&id], expected, "{id}: no decision lost to a run, no run lost to a decision");
        let history = store.status_history(&id).expect("history");
        let by_person = history.iter().filter(|h| h.by == "Li Wei").count();
        assert_eq!(by_person, usize::from(n < REVIEWED), "{id}");
        for pair in history.windows(2) {
            assert_eq!(pair[1].from, Some(pair[0].to), "{id}: each change starts where the last ended");
        }
    }
    assert_eq!(store.history().expect("history").len(), 6);
}

fn two_reviewers_on_one_clash(backend: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(db) = location(backend, &dir, "two_reviewers") else { return };
    let mut store = Store::open_location(&db).expect("creates");
    store.record_run(&mut report("t", 1), &meta(0)).expect("run");
    drop(store);
    const DECISIONS: usize = 40;
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        for (who, status) in [("Li Wei", Status::Reviewed), ("Anna Berg", Status::Approved)] {
            let (db, barrier) = (&db, &barrier);
            s.spawn(move || {
                let mut store = Store::open_location(db).expect("opens");
                barrier.wait();
                for i in 0..DECISIONS {
                    let comment = format!("{who} {i}");
                    store.set_status("t/00000", status, who, Some(&comment), t0()).expect("set");
                }
            });
        }
    });
    let store = Store::open_existing_location(&db).expect("reopens");
    let history = store.status_history("t/00000").expect("history");
    let people: Vec<_> = history.iter().filter(|h| h.run_id.is_none()).collect();
    assert_eq!(people.len(), 2 * DECISIONS, "every decision of both reviewers is in the history");
    for pair in history.windows(2) {
        assert_eq!(pair[1].from, Some(pair[0].to), "no decision overwrote another unseen");
    }
    let last = history.last().expect("entries");
    let clash = store.clash("t/00000").expect("reads").expect("known");
    assert_eq!(
        (clash.status, clash.status_by.as_str()),
        (last.to, last.by.as_str()),
        "the later decision wins"
    );
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name("sqlite") } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name("postgres") } )*
        }
    };
}

on_both_backends!(
    two_runs_of_different_tests_at_once,
    a_run_while_a_reviewer_sets_statuses,
    two_reviewers_on_one_clash
);
