//! The SQLite backend's own checks: files that are not ours (not SQLite, another application's,
//! a newer Plumbline's) are refused by name and left alone, a new file carries the markers and
//! WAL, and an old layout is upgraded.

use crate::tests::*;
use crate::*;

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
fn a_version_1_history_gets_numbers_in_first_seen_order_on_upgrade() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).expect("creates");
        conn.execute_batch(schema::MIGRATIONS[0]).expect("version 1 layout");
        conn.pragma_update(None, "application_id", APPLICATION_ID).expect("marks");
        conn.pragma_update(None, "user_version", 1).expect("marks");
        let now = "2026-11-02T09:00:00.000000000Z";
        for run in [1, 2] {
            conn.execute(
                "INSERT INTO runs VALUES (?1, ?2, '[]', NULL, '[\"t\"]', 0, 0, 0, 0, 0, 0)",
                rusqlite::params![run, now],
            )
            .expect("run");
        }
        for (id, first) in [("t/z", 1), ("t/b", 2), ("t/a", 2)] {
            conn.execute(
                "INSERT INTO clashes (id, test, kind, a_global_id, a_class, a_file, b_global_id, b_class,
                 b_file, group_id, first_seen_run, last_seen_run, status, status_by, status_utc)
                 VALUES (?1, 't', 'hard', 'A', 'IfcWall', 'f', 'B', 'IfcWall', 'f', 'g', ?2, ?2, 'new', 'x', ?3)",
                rusqlite::params![id, first, now],
            )
            .expect("clash");
        }
    }
    let mut store = Store::open(&path).expect("upgrades");
    let n = |id: &str| store.clash(id).expect("reads").expect("known").number;
    assert_eq!((n("t/z"), n("t/a"), n("t/b")), (Some(1), Some(2), Some(3)));
    assert_eq!(store.clash("t/a").expect("reads").expect("known").test, "t");
    // The next new clash continues after the highest number.
    let (_, r) = run(&mut store, 0, &[("C", "D")]);
    assert_eq!(r.clashes().next().and_then(|c| c.number), Some(4));
}

/// Opens the history at `path` from `threads` threads at once and asks each for its result.
fn open_at_once(path: &std::path::Path, threads: usize) -> Vec<Result<()>> {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (path, barrier) = (path.to_path_buf(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                Store::open(&path).map(drop)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().expect("the thread ends")).collect()
}

#[test]
fn several_openers_of_one_new_file_at_once_all_get_the_history() {
    // Each opener takes the write lock before it looks at the markers, so none sees another's
    // tables without its markers (which would read as a foreign database). Several rounds,
    // because a race shows only sometimes.
    let dir = tempfile::tempdir().expect("temp dir");
    for round in 0..12 {
        let path = dir.path().join(format!("new-{round}.db"));
        for (i, result) in open_at_once(&path, 8).into_iter().enumerate() {
            result.unwrap_or_else(|e| panic!("round {round}, opener {i}: {e:?}"));
        }
        let mut store = Store::open_existing(&path).expect("a history");
        store.integrity_check().expect("consistent");
        run(&mut store, 0, &[("A", "B")]);
        assert_eq!(store.history().expect("history").len(), 1, "created once, not twice");
    }
}

#[test]
fn several_openers_of_one_old_history_at_once_migrate_it_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v3.db");
    {
        let conn = Connection::open(&path).expect("creates");
        for sql in &schema::MIGRATIONS[..3] {
            conn.execute_batch(sql).expect("old layout");
        }
        conn.pragma_update(None, "application_id", APPLICATION_ID).expect("marks");
        conn.pragma_update(None, "user_version", 3).expect("marks");
    }
    for (i, result) in open_at_once(&path, 6).into_iter().enumerate() {
        result.unwrap_or_else(|e| panic!("opener {i}: {e}"));
    }
    let conn = Connection::open(&path).expect("opens");
    let version: i64 = conn.pragma_query_one(None, "user_version").expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    Store::open_existing(&path).expect("opens").integrity_check().expect("consistent");
}
