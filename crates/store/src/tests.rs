//! Unit tests: every status transition, multi-test runs, the queries, and the refusal of files
//! that are not ours. Reports are built by hand so that each test states exactly what a run found.

use super::*;
use chrono::TimeZone;
use plumbline_model::Aabb;
use plumbline_review::{ClashRecord, ElementInfo, Group, Grouping, TestInfo, TestReport, Text, Timings};
use plumbline_testkit::{element_info, hard_clash};

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, minute, 0).single().expect("valid time")
}

fn element(gid: &str) -> ElementInfo {
    element_info(gid, "IfcDuctSegment", &format!("Duct {gid}"))
}

/// A clash of `test` between elements `a` and `b`; its id is `test/a-b`, its group `g-a`.
fn clash(test: &str, a: &str, b: &str) -> ClashRecord {
    // The store must not trust the status a report arrives with.
    ClashRecord { status: Status::Reviewed, ..hard_clash(test, element(a), element(b)) }
}

/// A report of the given tests, each with the clashes between the given element pairs.
fn report(tests: &[(&str, &[(&str, &str)])]) -> Report {
    Report {
        models: vec!["hall.ifc".into()],
        grouping: Grouping::Element,
        tests: tests
            .iter()
            .map(|(name, pairs)| {
                let clashes: Vec<ClashRecord> = pairs.iter().map(|(a, b)| clash(name, a, b)).collect();
                let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for c in &clashes {
                    groups.entry(c.group.clone()).or_default().push(c.id.clone());
                }
                TestReport {
                    info: TestInfo {
                        name: name.to_string(),
                        mode: ClashKind::Hard,
                        tolerance_m: 0.002,
                        clearance_m: 0.0,
                        zone: None,
                    },
                    elements_a: 10,
                    elements_b: 10,
                    candidate_pairs: 20,
                    clashes,
                    groups: groups
                        .into_iter()
                        .map(|(id, clash_ids)| Group {
                            guid: format!("guid-{name}-{id}"),
                            id,
                            test: name.to_string(),
                            key: String::new(),
                            title: Text::default(),
                            explanation: Text::default(),
                            clash_ids,
                            aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
                            elements: Vec::new(),
                        })
                        .collect(),
                }
            })
            .collect(),
        timings: Timings::default(),
    }
}

fn meta(minute: u32) -> RunMeta {
    RunMeta { started_utc: at(minute), models: vec!["hall.ifc".into()], config: Some("rules.toml".into()) }
}

/// Records a run of one test named "t" that found the given pairs.
fn run(store: &mut Store, minute: u32, pairs: &[(&str, &str)]) -> (RunSummary, Report) {
    let mut r = report(&[("t", pairs)]);
    let summary = store.record_run(&mut r, &meta(minute)).expect("run recorded");
    (summary, r)
}

fn status(store: &Store, id: &str) -> Status {
    store.status_of(id).expect("readable").expect("known clash")
}

#[test]
fn a_clash_never_seen_is_new_and_the_report_says_so() {
    let mut store = Store::open_in_memory().expect("opens");
    let (s, r) = run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    assert_eq!((s.run_id, s.clashes, s.new, s.active, s.resolved), (1, 2, 2, 0, 0));
    assert!(r.clashes().all(|c| c.status == Status::New), "statuses written back into the report");
    assert_eq!(status(&store, "t/A-B"), Status::New);
    let h = store.status_history("t/A-B").expect("history");
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].from, h[0].to, h[0].run_id, h[0].by.as_str()), (None, Status::New, Some(1), RUN_AUTHOR));
}

#[test]
fn a_new_clash_found_again_becomes_active() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B")]);
    let (s, r) = run(&mut store, 1, &[("A", "B"), ("C", "D")]);
    assert_eq!((s.run_id, s.new, s.active), (2, 1, 1));
    assert_eq!(status(&store, "t/A-B"), Status::Active);
    assert_eq!(status(&store, "t/C-D"), Status::New);
    let by_id: BTreeMap<&str, Status> = r.clashes().map(|c| (c.id.as_str(), c.status)).collect();
    assert_eq!(by_id["t/A-B"], Status::Active);
    assert_eq!(by_id["t/C-D"], Status::New);
    // Active stays active in the next run.
    run(&mut store, 2, &[("A", "B")]);
    assert_eq!(status(&store, "t/A-B"), Status::Active);
    let c = store.clash("t/A-B").expect("readable").expect("known");
    assert_eq!((c.first_seen_run, c.last_seen_run), (1, 3));
}

#[test]
fn reviewed_and_approved_clashes_keep_their_status_while_found() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    store.set_status("t/A-B", Status::Reviewed, "Li Wei", Some("tray to move"), at(5)).expect("set");
    store.set_status("t/C-D", Status::Approved, "Anna Berg", None, at(6)).expect("set");
    let (s, r) = run(&mut store, 10, &[("A", "B"), ("C", "D")]);
    assert_eq!((s.new, s.active, s.reviewed, s.approved, s.resolved), (0, 0, 1, 1, 0));
    assert_eq!(status(&store, "t/A-B"), Status::Reviewed);
    assert_eq!(status(&store, "t/C-D"), Status::Approved);
    assert!(r.clashes().any(|c| c.status == Status::Approved));
    // Approval remembers who and when, through later runs.
    let c = store.clash("t/C-D").expect("readable").expect("known");
    assert_eq!((c.status_by.as_str(), c.status_utc), ("Anna Berg", at(6)));
}

#[test]
fn set_status_records_who_when_and_why() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B")]);
    let change = store
        .set_status("t/A-B", Status::Approved, "  Anna Berg ", Some(" accepted: sleeve "), at(7))
        .expect("set");
    assert_eq!(change.from, Some(Status::New));
    assert_eq!(change.by, "Anna Berg");
    assert_eq!(change.comment.as_deref(), Some("accepted: sleeve"));
    let h = store.status_history("t/A-B").expect("history");
    assert_eq!(h.last(), Some(&change));
    assert_eq!(h.last().map(|c| c.run_id), Some(None), "a person's change has no run");
}

#[test]
fn every_open_status_not_found_is_resolved_by_the_run() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B"), ("C", "D"), ("E", "F"), ("G", "H")]);
    run(&mut store, 1, &[("C", "D"), ("E", "F"), ("G", "H")]); // A-B resolved while new
    store.set_status("t/E-F", Status::Reviewed, "Li Wei", None, at(2)).expect("set");
    store.set_status("t/G-H", Status::Approved, "Li Wei", None, at(2)).expect("set");
    assert_eq!(status(&store, "t/A-B"), Status::Resolved);
    assert_eq!(status(&store, "t/C-D"), Status::Active);
    let (s, r) = run(&mut store, 3, &[]);
    assert_eq!((s.clashes, s.resolved), (0, 3), "active, reviewed and approved all resolved");
    assert_eq!(r.clashes().count(), 0);
    for id in ["t/A-B", "t/C-D", "t/E-F", "t/G-H"] {
        assert_eq!(status(&store, id), Status::Resolved, "{id}");
    }
    let last = store.status_history("t/G-H").expect("history").pop().expect("entry");
    assert_eq!((last.from, last.to, last.run_id), (Some(Status::Approved), Status::Resolved, Some(3)));
    assert_eq!(last.comment.as_deref(), Some("resolved by run 3"));
    assert_eq!(last.by, RUN_AUTHOR);
    // A resolved clash that is still gone is not resolved again.
    let (s, _) = run(&mut store, 4, &[]);
    assert_eq!(s.resolved, 0);
    assert_eq!(store.status_history("t/G-H").expect("history").len(), 4);
}

#[test]
fn a_clash_whose_element_was_skipped_is_not_resolved_by_its_absence() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B"), ("C", "D"), ("E", "F")]);
    store.set_status("t/C-D", Status::Reviewed, "Li Wei", Some("keep"), at(1)).expect("set");
    // Run 2 found nothing, but element C failed to load: C–D was not looked at; A–B and E–F were.
    let mut r = report(&[("t", &[])]);
    let unchecked = Unchecked { global_ids: ["C".to_string()].into(), files: Default::default() };
    let s = store.record_partial_run(&mut r, &meta(2), &unchecked).expect("run recorded");
    assert_eq!((s.resolved, s.unchecked), (2, 1));
    assert_eq!(status(&store, "t/C-D"), Status::Reviewed, "its review survives");
    assert_eq!(status(&store, "t/A-B"), Status::Resolved);
    // A truncated file protects every clash that has an element in it.
    run(&mut store, 3, &[("A", "B")]);
    let mut r = report(&[("t", &[])]);
    let unchecked = Unchecked { global_ids: Default::default(), files: ["hall.ifc".to_string()].into() };
    let s = store.record_partial_run(&mut r, &meta(4), &unchecked).expect("run recorded");
    assert_eq!((s.resolved, s.unchecked), (0, 1));
    assert_eq!(status(&store, "t/A-B"), Status::New);
}

#[test]
fn the_open_clashes_come_back_as_a_report() {
    let mut store = Store::open_in_memory().expect("opens");
    let mut r = report(&[("trays", &[("A", "B"), ("C", "D")]), ("ducts", &[("E", "F")])]);
    store.record_run(&mut r, &meta(0)).expect("run 1");
    store.set_status("trays/C-D", Status::Approved, "Li Wei", None, at(1)).expect("set");
    // Run 2 no longer finds E–F: resolved, so it leaves the open report.
    let mut r = report(&[("trays", &[("A", "B"), ("C", "D")]), ("ducts", &[])]);
    store.record_run(&mut r, &meta(2)).expect("run 2");
    let open = store.open_report().expect("report");
    assert_eq!(open.models, ["hall.ifc"]);
    let names: Vec<&str> = open.tests.iter().map(|t| t.info.name.as_str()).collect();
    assert_eq!(names, ["trays"], "tests with open clashes, by name");
    let t = &open.tests[0];
    let ids: Vec<(&str, Status)> = t.clashes.iter().map(|c| (c.id.as_str(), c.status)).collect();
    assert_eq!(ids, [("trays/A-B", Status::Active), ("trays/C-D", Status::Approved)]);
    // Groups keep the ids and BCF GUIDs of the run, so a BCF export matches the earlier one.
    assert_eq!(t.groups.len(), 2);
    assert_eq!(t.groups[0].guid, "guid-trays-g-A");
    assert_eq!(t.groups[0].clash_ids, ["trays/A-B"]);
    assert_eq!(t.clashes[0].a.global_id, "A");
    assert!(t.clashes[0].explanation.en.contains("from the clash history"));
    assert!(Store::open_in_memory().expect("opens").open_report().expect("empty").tests.is_empty());
}

#[test]
fn a_resolved_clash_found_again_is_new() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    run(&mut store, 1, &[("C", "D")]); // A-B resolved automatically
    store.set_status("t/C-D", Status::Resolved, "Li Wei", Some("tray moved"), at(2)).expect("set");
    let (s, r) = run(&mut store, 3, &[("A", "B"), ("C", "D")]);
    assert_eq!((s.new, s.active, s.resolved), (2, 0, 0));
    assert!(r.clashes().all(|c| c.status == Status::New));
    let last = store.status_history("t/C-D").expect("history").pop().expect("entry");
    assert_eq!((last.from, last.to), (Some(Status::Resolved), Status::New));
    assert_eq!(last.comment.as_deref(), Some("found again by run 3"));
    // And it goes on from new as any new clash does.
    run(&mut store, 4, &[("A", "B")]);
    assert_eq!(status(&store, "t/A-B"), Status::Active);
    let c = store.clash("t/A-B").expect("readable").expect("known");
    assert_eq!(c.first_seen_run, 1, "first seen stays the first run");
}

#[test]
fn a_test_that_did_not_run_keeps_its_clashes() {
    let mut store = Store::open_in_memory().expect("opens");
    let mut both = report(&[("trays", &[("A", "B")]), ("ducts", &[("C", "D"), ("E", "F")])]);
    let s = store.record_run(&mut both, &meta(0)).expect("run");
    assert_eq!((s.clashes, s.new), (3, 3));
    assert_eq!(s.tests, ["trays", "ducts"]);

    // Only "trays" runs, and finds nothing: its clash is resolved, the ducts' clashes are not.
    let mut trays = report(&[("trays", &[])]);
    let s = store.record_run(&mut trays, &meta(1)).expect("run");
    assert_eq!((s.clashes, s.resolved), (0, 1));
    assert_eq!(status(&store, "trays/A-B"), Status::Resolved);
    assert_eq!(status(&store, "ducts/C-D"), Status::New);
    assert_eq!(status(&store, "ducts/E-F"), Status::New);

    // "ducts" runs again: still-found clashes become active, the missing one is resolved.
    let mut ducts = report(&[("ducts", &[("C", "D")])]);
    let s = store.record_run(&mut ducts, &meta(2)).expect("run");
    assert_eq!((s.active, s.resolved), (1, 1));
    assert_eq!(status(&store, "ducts/C-D"), Status::Active);
    assert_eq!(status(&store, "ducts/E-F"), Status::Resolved);
    assert_eq!(status(&store, "trays/A-B"), Status::Resolved);

    let history = store.history().expect("history");
    let counts: Vec<(i64, usize, usize, usize, usize)> =
        history.iter().map(|h| (h.run_id, h.clashes, h.new, h.active, h.resolved)).collect();
    assert_eq!(counts, [(1, 3, 3, 0, 0), (2, 0, 0, 0, 1), (3, 1, 0, 1, 1)]);
    assert_eq!(history[0].config.as_deref(), Some("rules.toml"));
    assert_eq!(history[2].started_utc, at(2));
}

#[test]
fn a_repeated_id_in_a_report_counts_once() {
    let mut store = Store::open_in_memory().expect("opens");
    let mut r = report(&[("t", &[("A", "B"), ("A", "B")])]);
    let s = store.record_run(&mut r, &meta(0)).expect("run");
    assert_eq!((s.clashes, s.new), (1, 1));
    assert!(r.clashes().all(|c| c.status == Status::New));
}

#[test]
fn unknown_clash_ids_and_missing_names_are_clear_errors() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B")]);
    let e = store.set_status("t/nope", Status::Reviewed, "Li Wei", None, at(1)).expect_err("unknown id");
    let text = e.to_string();
    assert!(matches!(e, StoreError::UnknownClash { .. }));
    assert!(
        text.contains("'t/nope'") && text.contains("--json") && text.contains("plumbline history"),
        "{text}"
    );
    let e = store.add_comment("t/nope", "Li Wei", "hello", at(1)).expect_err("unknown id");
    assert!(matches!(e, StoreError::UnknownClash { .. }));
    let e = store.set_status("t/A-B", Status::Reviewed, "  ", None, at(1)).expect_err("no name");
    assert!(e.to_string().contains("give a name"), "{e}");
    let e = store.add_comment("t/A-B", "Li Wei", " ", at(1)).expect_err("no text");
    assert!(e.to_string().contains("needs some text"), "{e}");
    // Nothing of the failed calls was written.
    assert_eq!(store.status_history("t/A-B").expect("history").len(), 1);
    assert!(store.comments("t/A-B").expect("comments").is_empty());
    assert_eq!(status(&store, "t/A-B"), Status::New);
}

#[test]
fn comments_come_back_in_order() {
    let mut store = Store::open_in_memory().expect("opens");
    run(&mut store, 0, &[("A", "B")]);
    store.add_comment("t/A-B", "Li Wei", "first", at(3)).expect("comment");
    store.add_comment("t/A-B", "Anna Berg", "第二", at(1)).expect("comment");
    let texts: Vec<(String, String, DateTime<Utc>)> =
        store.comments("t/A-B").expect("comments").into_iter().map(|c| (c.by, c.text, c.at_utc)).collect();
    assert_eq!(
        texts,
        [("Li Wei".into(), "first".into(), at(3)), ("Anna Berg".into(), "第二".into(), at(1))],
        "in the order written, whatever the clock said"
    );
}

#[test]
fn queries_for_bcf_import_find_clashes_by_group_and_by_element_pair() {
    let mut store = Store::open_in_memory().expect("opens");
    let mut r = report(&[("trays", &[("A", "B"), ("A", "C")]), ("ducts", &[("B", "A")])]);
    store.record_run(&mut r, &meta(0)).expect("run");
    let ids = |v: Vec<StoredClash>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(store.clashes_in_group("GUID-TRAYS-G-A").expect("query")), ["trays/A-B", "trays/A-C"]);
    assert_eq!(ids(store.clashes_between("A", "B").expect("query")), ["ducts/B-A", "trays/A-B"]);
    assert_eq!(ids(store.clashes_between("B", "A").expect("query")), ["ducts/B-A", "trays/A-B"]);
    assert!(store.clashes_between("A", "Z").expect("query").is_empty());
    let c = store.clash("trays/A-C").expect("readable").expect("known");
    assert_eq!(c.a.global_id, "A");
    assert_eq!(c.b.name.as_deref(), Some("Duct C"));
    assert_eq!(c.a.storey.as_deref(), Some("Level 1"));
    assert_eq!(c.group_guid.as_deref(), Some("guid-trays-g-A"));
    assert_eq!((c.kind, c.distance_m, c.point), (ClashKind::Hard, 0.05, [1.0, 2.0, 3.0]));
    let all = store.statuses().expect("statuses");
    assert_eq!(all.keys().collect::<Vec<_>>(), ["ducts/B-A", "trays/A-B", "trays/A-C"]);
    assert_eq!(store.status_of("trays/zzz").expect("readable"), None);
}

#[test]
fn a_non_finite_distance_is_stored_as_null_and_read_as_nan() {
    let mut store = Store::open_in_memory().expect("opens");
    let mut r = report(&[("t", &[("A", "B")])]);
    r.tests[0].clashes[0].distance_m = f64::INFINITY;
    store.record_run(&mut r, &meta(0)).expect("run");
    let c = store.clash("t/A-B").expect("readable").expect("known");
    assert!(c.distance_m.is_nan());
}

#[test]
fn the_history_survives_reopening_and_is_deterministic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let make = |name: &str| {
        let path = dir.path().join(name);
        let mut store = Store::open(&path).expect("creates");
        run(&mut store, 0, &[("A", "B"), ("C", "D")]);
        store.set_status("t/A-B", Status::Approved, "Anna Berg", Some("ok"), at(1)).expect("set");
        store.add_comment("t/C-D", "Li Wei", "look", at(2)).expect("comment");
        run(&mut store, 3, &[("A", "B")]);
        drop(store);
        let store = Store::open_existing(&path).expect("reopens");
        store.integrity_check().expect("integrity ok");
        (
            store.statuses().expect("statuses"),
            store.history().expect("history"),
            store.status_history("t/A-B").expect("history"),
            store.comments("t/C-D").expect("comments"),
        )
    };
    let first = make("one.db");
    assert_eq!(first.0["t/A-B"], Status::Approved);
    assert_eq!(first.0["t/C-D"], Status::Resolved);
    assert_eq!(first.1.len(), 2);
    assert_eq!(first.3.len(), 1);
    assert_eq!(first, make("two.db"));
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_by_name_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.db");
    let bytes = b"ISO-10303-21;\nHEADER;\nThis is an IFC file, not a database.\n".repeat(100);
    std::fs::write(&path, &bytes).expect("write");
    let e = Store::open(&path).expect_err("refused");
    let text = e.to_string();
    assert!(matches!(e, StoreError::Foreign { .. }), "{e:?}");
    assert!(text.contains("notes.db") && text.contains("not an SQLite database"), "{text}");
    assert_eq!(std::fs::read(&path).expect("read"), bytes, "file unchanged");
}

#[test]
fn another_applications_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("other.db");
    {
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE accounts (iban TEXT); INSERT INTO accounts VALUES ('DE00');")
            .expect("sql");
    }
    let before = std::fs::read(&path).expect("read");
    let e = Store::open(&path).expect_err("refused");
    assert!(matches!(e, StoreError::Foreign { .. }), "{e:?}");
    assert!(e.to_string().contains("other.db") && e.to_string().contains("no Plumbline marker"), "{e}");
    assert_eq!(std::fs::read(&path).expect("read"), before, "file unchanged");

    let path = dir.path().join("app.db");
    {
        let conn = Connection::open(&path).expect("create");
        conn.pragma_update(None, "application_id", 42).expect("pragma");
    }
    let e = Store::open(&path).expect_err("refused");
    assert!(e.to_string().contains("another application, application_id 0x2a"), "{e}");
}

#[test]
fn a_database_from_a_newer_plumbline_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.db");
    drop(Store::open(&path).expect("creates"));
    {
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("pragma");
    }
    let e = Store::open(&path).expect_err("refused");
    assert!(matches!(e, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1), "{e:?}");
    assert!(e.to_string().contains("future.db") && e.to_string().contains("newer Plumbline"), "{e}");
}

#[test]
fn a_new_database_carries_the_markers_and_missing_or_odd_paths_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fresh.db");
    drop(Store::open(&path).expect("creates"));
    let conn = Connection::open(&path).expect("open");
    let app: i32 = conn.pragma_query_one(None, "application_id").expect("pragma");
    let version: i64 = conn.pragma_query_one(None, "user_version").expect("pragma");
    let mode: String = conn.pragma_query_one(None, "journal_mode").expect("pragma");
    assert_eq!((app, version, mode.as_str()), (APPLICATION_ID, SCHEMA_VERSION, "wal"));

    let missing = dir.path().join("missing.db");
    let e = Store::open_existing(&missing).expect_err("missing");
    assert!(matches!(e, StoreError::NotFound { .. }));
    assert!(e.to_string().contains("missing.db"), "{e}");
    assert!(!missing.exists(), "open_existing creates nothing");

    let e = Store::open(dir.path()).expect_err("a directory");
    assert!(e.to_string().contains("is a directory"), "{e}");
    let e = Store::open(dir.path().join("no/such/dir/h.db")).expect_err("no parent");
    assert!(matches!(e, StoreError::Open { .. }), "{e:?}");
}

#[test]
fn an_empty_file_becomes_a_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").expect("write");
    let mut store = Store::open_existing(&path).expect("an empty file is a new database");
    run(&mut store, 0, &[("A", "B")]);
    assert_eq!(store.history().expect("history").len(), 1);
}

#[test]
fn the_summary_a_run_returns_is_the_one_history_lists() {
    let mut store = Store::open_in_memory().expect("opens");
    let mut r = report(&[("t", &[("A", "B")])]);
    let started = at(0) + chrono::Duration::nanoseconds(123_456_789);
    let meta = RunMeta { started_utc: started, models: vec!["a.ifc".into(), "b.ifc".into()], config: None };
    let summary = store.record_run(&mut r, &meta).expect("run");
    assert_eq!(store.history().expect("history"), [summary]);
    let c = store.clash("t/A-B").expect("readable").expect("known");
    assert_eq!(c.status_utc, started, "times come back exactly");
}

#[test]
fn opening_a_history_twice_migrates_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("twice.db");
    let mut first = Store::open(&path).expect("creates");
    let second = Store::open(&path).expect("opens the same file");
    run(&mut first, 0, &[("A", "B")]);
    assert_eq!(
        second.status_of("t/A-B").expect("readable"),
        Some(Status::New),
        "the second sees the first's run"
    );
}
