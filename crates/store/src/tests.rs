//! Unit tests of the history's behaviour, each run on both backends: an SQLite history and a
//! PostgreSQL database of its own on a real server that the tests start (`tests/support/pg.rs`;
//! skipped with a notice where the binaries are absent, never under `CI`). Every status
//! transition, multi-test runs, the queries, numbers and review fields. Reports are built by hand
//! so that each test states exactly what a run found. The refusals of files that are not ours
//! are SQLite's (`tests_sqlite.rs`) and PostgreSQL's (`tests_pg.rs`) own.

use super::*;
use chrono::TimeZone;
use plumbline_model::Aabb;
use plumbline_review::{ClashRecord, ElementInfo, Group, Grouping, TestInfo, TestReport, Text, Timings};
use plumbline_testkit::{element_info, hard_clash};

#[path = "../tests/support/pg.rs"]
pub(crate) mod pg;

/// Where a test's history lives: SQLite (in memory, or files in a directory of the test's own)
/// or a database of its own on the tests' PostgreSQL server.
pub(crate) enum Where {
    Sqlite(tempfile::TempDir),
    Postgres(&'static pg::PgServer),
}

impl Where {
    pub(crate) fn sqlite() -> Where {
        Where::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// A new, empty history.
    pub(crate) fn fresh(&self) -> Store {
        match self {
            Where::Sqlite(_) => Store::open_in_memory().expect("opens"),
            Where::Postgres(server) => {
                Store::open_location(&server.fresh_url("fresh")).expect("opens a fresh database")
            }
        }
    }

    /// The location of a new history named `name`, for tests that open it more than once.
    pub(crate) fn location(&self, name: &str) -> String {
        match self {
            Where::Sqlite(dir) => dir.path().join(format!("{name}.db")).to_string_lossy().into_owned(),
            Where::Postgres(server) => server.fresh_url(name),
        }
    }
}

/// Runs each named test (a `fn(&Where)`) once on SQLite and once on PostgreSQL: `sqlite::NAME`
/// and `postgres::NAME` in the test list.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&super::Where::sqlite()) } )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(server) = super::pg::server() {
                        super::$name(&super::Where::Postgres(server))
                    }
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

on_both_backends!(
    a_clash_never_seen_is_new_and_the_report_says_so,
    a_new_clash_found_again_becomes_active,
    reviewed_and_approved_clashes_keep_their_status_while_found,
    set_status_records_who_when_and_why,
    every_open_status_not_found_is_resolved_by_the_run,
    a_clash_whose_element_was_skipped_is_not_resolved_by_its_absence,
    the_open_clashes_come_back_as_a_report,
    a_resolved_clash_found_again_is_new,
    a_test_that_did_not_run_keeps_its_clashes,
    a_repeated_id_in_a_report_counts_once,
    unknown_clash_ids_and_missing_names_are_clear_errors,
    comments_come_back_in_order,
    queries_for_bcf_import_find_clashes_by_group_and_by_element_pair,
    a_non_finite_distance_is_stored_as_null_and_read_as_nan,
    the_history_survives_reopening_and_is_deterministic,
    the_summary_a_run_returns_is_the_one_history_lists,
    opening_a_history_twice_migrates_once,
    clashes_get_numbers_in_the_order_first_seen_and_never_reused,
    a_clash_is_named_by_number_or_id,
    review_fields_are_set_merged_cleared_and_recorded_as_comments,
    renaming_a_test_keeps_its_clashes_statuses_and_numbers,
);

pub(crate) fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, minute, 0).single().expect("valid time")
}

pub(crate) fn element(gid: &str) -> ElementInfo {
    element_info(gid, "IfcDuctSegment", &format!("Duct {gid}"))
}

/// A clash of `test` between elements `a` and `b`; its id is `test/a-b`, its group `g-a`.
pub(crate) fn clash(test: &str, a: &str, b: &str) -> ClashRecord {
    // The store must not trust the status a report arrives with.
    ClashRecord { status: Status::Reviewed, ..hard_clash(test, element(a), element(b)) }
}

/// A report of the given tests, each with the clashes between the given element pairs.
pub(crate) fn report(tests: &[(&str, &[(&str, &str)])]) -> Report {
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
                        id: name.to_string(),
                        name: name.to_string(),
                        mode: ClashKind::Hard,
                        tolerance_m: 0.002,
                        clearance_m: 0.0,
                        zone: None,
                        reach: None,
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

pub(crate) fn meta(minute: u32) -> RunMeta {
    RunMeta { started_utc: at(minute), models: vec!["hall.ifc".into()], config: Some("rules.toml".into()) }
}

/// Records a run of one test named "t" that found the given pairs.
pub(crate) fn run(store: &mut Store, minute: u32, pairs: &[(&str, &str)]) -> (RunSummary, Report) {
    let mut r = report(&[("t", pairs)]);
    let summary = store.record_run(&mut r, &meta(minute)).expect("run recorded");
    (summary, r)
}

pub(crate) fn status(store: &Store, id: &str) -> Status {
    store.status_of(id).expect("readable").expect("known clash")
}

fn a_clash_never_seen_is_new_and_the_report_says_so(db: &Where) {
    let mut store = db.fresh();
    let (s, r) = run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    assert_eq!((s.run_id, s.clashes, s.new, s.active, s.resolved), (1, 2, 2, 0, 0));
    assert!(r.clashes().all(|c| c.status == Status::New), "statuses written back into the report");
    assert_eq!(status(&store, "t/A-B"), Status::New);
    let h = store.status_history("t/A-B").expect("history");
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].from, h[0].to, h[0].run_id, h[0].by.as_str()), (None, Status::New, Some(1), RUN_AUTHOR));
}

fn a_new_clash_found_again_becomes_active(db: &Where) {
    let mut store = db.fresh();
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

fn reviewed_and_approved_clashes_keep_their_status_while_found(db: &Where) {
    let mut store = db.fresh();
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

fn set_status_records_who_when_and_why(db: &Where) {
    let mut store = db.fresh();
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

fn every_open_status_not_found_is_resolved_by_the_run(db: &Where) {
    let mut store = db.fresh();
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

fn a_clash_whose_element_was_skipped_is_not_resolved_by_its_absence(db: &Where) {
    let mut store = db.fresh();
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

fn the_open_clashes_come_back_as_a_report(db: &Where) {
    let mut store = db.fresh();
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
    assert!(db.fresh().open_report().expect("empty").tests.is_empty());
}

fn a_resolved_clash_found_again_is_new(db: &Where) {
    let mut store = db.fresh();
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

fn a_test_that_did_not_run_keeps_its_clashes(db: &Where) {
    let mut store = db.fresh();
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

fn a_repeated_id_in_a_report_counts_once(db: &Where) {
    let mut store = db.fresh();
    let mut r = report(&[("t", &[("A", "B"), ("A", "B")])]);
    let s = store.record_run(&mut r, &meta(0)).expect("run");
    assert_eq!((s.clashes, s.new), (1, 1));
    assert!(r.clashes().all(|c| c.status == Status::New));
}

fn unknown_clash_ids_and_missing_names_are_clear_errors(db: &Where) {
    let mut store = db.fresh();
    run(&mut store, 0, &[("A", "B")]);
    let e = store.set_status("t/nope", Status::Reviewed, "Li Wei", None, at(1)).expect_err("unknown id");
    let text = e.to_string();
    assert!(matches!(e, StoreError::UnknownClash { .. }));
    assert!(
        text.contains("'t/nope'") && text.contains("#12") && text.contains("plumbline history"),
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

fn comments_come_back_in_order(db: &Where) {
    let mut store = db.fresh();
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
    // A comment written in Shanghai keeps its offset for display; it is the same moment.
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).expect("offset");
    let written = at(5).with_timezone(&shanghai);
    store.add_comment_at("t/A-B", "Li Wei", "桥架上移", written).expect("comment");
    let last = store.comments("t/A-B").expect("comments").pop().expect("the comment");
    assert_eq!((last.at, last.at_utc), (written, at(5)));
    assert_eq!(last.at.offset().local_minus_utc(), 8 * 3600);
}

fn queries_for_bcf_import_find_clashes_by_group_and_by_element_pair(db: &Where) {
    let mut store = db.fresh();
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

fn a_non_finite_distance_is_stored_as_null_and_read_as_nan(db: &Where) {
    let mut store = db.fresh();
    let mut r = report(&[("t", &[("A", "B")])]);
    r.tests[0].clashes[0].distance_m = f64::INFINITY;
    store.record_run(&mut r, &meta(0)).expect("run");
    let c = store.clash("t/A-B").expect("readable").expect("known");
    assert!(c.distance_m.is_nan());
}

fn the_history_survives_reopening_and_is_deterministic(db: &Where) {
    let make = |name: &str| {
        let path = db.location(name);
        let mut store = Store::open_location(&path).expect("creates");
        run(&mut store, 0, &[("A", "B"), ("C", "D")]);
        store.set_status("t/A-B", Status::Approved, "Anna Berg", Some("ok"), at(1)).expect("set");
        store.add_comment("t/C-D", "Li Wei", "look", at(2)).expect("comment");
        run(&mut store, 3, &[("A", "B")]);
        drop(store);
        let store = Store::open_existing_location(&path).expect("reopens");
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

fn the_summary_a_run_returns_is_the_one_history_lists(db: &Where) {
    let mut store = db.fresh();
    let mut r = report(&[("t", &[("A", "B")])]);
    let started = at(0) + chrono::Duration::nanoseconds(123_456_789);
    let meta = RunMeta { started_utc: started, models: vec!["a.ifc".into(), "b.ifc".into()], config: None };
    let summary = store.record_run(&mut r, &meta).expect("run");
    assert_eq!(store.history().expect("history"), [summary]);
    let c = store.clash("t/A-B").expect("readable").expect("known");
    assert_eq!(c.status_utc, started, "times come back exactly");
}

fn opening_a_history_twice_migrates_once(db: &Where) {
    let path = db.location("twice");
    let mut first = Store::open_location(&path).expect("creates");
    let second = Store::open_location(&path).expect("opens the same file");
    run(&mut first, 0, &[("A", "B")]);
    assert_eq!(
        second.status_of("t/A-B").expect("readable"),
        Some(Status::New),
        "the second sees the first's run"
    );
}

fn clashes_get_numbers_in_the_order_first_seen_and_never_reused(db: &Where) {
    let mut store = db.fresh();
    let (_, r1) = run(&mut store, 0, &[("B", "C"), ("A", "B")]);
    // Within a run, numbers follow the report's order, which is sorted and deterministic.
    let numbers = |r: &Report| -> Vec<(String, Option<u64>)> {
        r.clashes().map(|c| (c.id.clone(), c.number)).collect()
    };
    assert_eq!(numbers(&r1), [("t/B-C".to_string(), Some(1)), ("t/A-B".to_string(), Some(2))]);
    // A-B resolved, then found again with a new clash: it keeps #2, the new one is #3.
    run(&mut store, 1, &[("B", "C")]);
    let (_, r3) = run(&mut store, 2, &[("B", "C"), ("A", "B"), ("C", "D")]);
    let by_id: BTreeMap<String, Option<u64>> = numbers(&r3).into_iter().collect();
    assert_eq!(by_id["t/A-B"], Some(2));
    assert_eq!(by_id["t/B-C"], Some(1));
    assert_eq!(by_id["t/C-D"], Some(3));
    assert_eq!(store.clash("t/C-D").expect("reads").expect("known").number, Some(3));
    // The open report read back from the history carries the numbers too.
    let open = store.open_report().expect("reads");
    assert!(open.clashes().all(|c| c.number.is_some()), "{open:?}");
}

fn a_clash_is_named_by_number_or_id(db: &Where) {
    let mut store = db.fresh();
    run(&mut store, 0, &[("A", "B"), ("B", "C")]);
    assert_eq!(store.resolve("#2").expect("known"), "t/B-C");
    assert_eq!(store.resolve(" 1 ").expect("known"), "t/A-B");
    assert_eq!(store.resolve("t/B-C").expect("known"), "t/B-C");
    for unknown in ["#3", "3", "t/nope", "#", "#t/A-B"] {
        let e = store.resolve(unknown).expect_err(unknown);
        assert!(matches!(e, StoreError::UnknownClash { .. }), "{unknown}: {e}");
    }
}

fn review_fields_are_set_merged_cleared_and_recorded_as_comments(db: &Where) {
    let mut store = db.fresh();
    run(&mut store, 0, &[("A", "B")]);
    let due = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("date");
    let update = ReviewUpdate {
        assigned_to: Some("Li Wei".into()),
        priority: Some("High".into()),
        due_date: Some(Some(due)),
        labels: Some(vec!["MEP".into(), " structure ".into(), "MEP".into()]),
    };
    let review = store.set_review("t/A-B", &update, "Zhang San", at(5)).expect("sets");
    assert_eq!(review.assigned_to.as_deref(), Some("Li Wei"));
    assert_eq!(review.labels, ["MEP", "structure"]);
    // A second change touches only what it names.
    let later = ReviewUpdate { priority: Some("Low".into()), ..ReviewUpdate::default() };
    let review = store.set_review("t/A-B", &later, "Zhang San", at(6)).expect("sets");
    assert_eq!((review.assigned_to.as_deref(), review.priority.as_deref()), (Some("Li Wei"), Some("Low")));
    assert_eq!(review.due_date, Some(due));
    let clear =
        ReviewUpdate { assigned_to: Some(String::new()), due_date: Some(None), ..ReviewUpdate::default() };
    let review = store.set_review("t/A-B", &clear, "Zhang San", at(7)).expect("sets");
    assert_eq!((review.assigned_to.as_deref(), review.due_date), (None, None));
    assert_eq!(store.clash("t/A-B").expect("reads").expect("known").review, review);
    let comments: Vec<String> = store.comments("t/A-B").expect("reads").into_iter().map(|c| c.text).collect();
    assert_eq!(
        comments,
        [
            "assigned to Li Wei; priority High; due 2027-01-15; labels MEP, structure",
            "priority Low",
            "assigned to nobody; no due date"
        ]
    );
    // A run leaves review fields alone.
    run(&mut store, 8, &[("A", "B")]);
    assert_eq!(store.clash("t/A-B").expect("reads").expect("known").review.priority.as_deref(), Some("Low"));
    let e = store.set_review("t/nope", &later, "Zhang San", at(9)).expect_err("unknown");
    assert!(matches!(e, StoreError::UnknownClash { .. }));
}

fn renaming_a_test_keeps_its_clashes_statuses_and_numbers(db: &Where) {
    let mut store = db.fresh();
    run(&mut store, 0, &[("A", "B")]);
    store.set_status("t/A-B", Status::Reviewed, "Li Wei", Some("seen"), at(1)).expect("sets");
    // Same id "t", new display name: the engine gives the same clash ids.
    let mut r = report(&[("t", &[("A", "B")])]);
    r.tests[0].info.name = "Trays vs ducts".into();
    for c in &mut r.tests[0].clashes {
        c.test = "Trays vs ducts".into();
    }
    let summary = store.record_run(&mut r, &meta(2)).expect("recorded");
    assert_eq!((summary.reviewed, summary.new, summary.resolved), (1, 0, 0));
    let c = store.clash("t/A-B").expect("reads").expect("known");
    assert_eq!((c.test_id.as_str(), c.test.as_str(), c.number), ("t", "Trays vs ducts", Some(1)));
}
