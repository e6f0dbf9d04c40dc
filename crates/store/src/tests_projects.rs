//! A clash is identified by its project and its id, on both backends: two sites copied from one
//! template find clashes with the same ids, and each keeps its own statuses, comments, history
//! and numbers; a lookup by id takes a project or says that the id is ambiguous; and a history
//! from version 3 (ids unique across projects) migrates in one transaction, keeping every run,
//! status and comment, or not at all.

use crate::tests::{at, meta, on_both_backends, pg, report, run, status, Where};
use crate::*;

on_both_backends!(
    two_projects_with_the_same_clash_ids_keep_their_own_records,
    lookups_by_id_take_a_project_or_say_the_id_is_ambiguous,
    a_version_3_history_migrates_whole_or_not_at_all,
    a_re_export_in_one_project_moves_only_that_projects_clash,
);

/// Two sites of one template: site A finds A-B and C-D, site B finds A-B.
fn two_sites(db: &Where) -> Store {
    let mut store = db.fresh();
    store.set_project(Some("site-a"));
    run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    store.set_project(Some("site-b"));
    run(&mut store, 1, &[("A", "B")]);
    store
}

fn texts(comments: Vec<Comment>) -> Vec<String> {
    comments.into_iter().map(|c| c.text).collect()
}

fn two_projects_with_the_same_clash_ids_keep_their_own_records(db: &Where) {
    let mut store = db.fresh();
    store.set_project(Some("site-a"));
    run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    store.set_status("t/A-B", Status::Reviewed, "Li Wei", Some("tray moves"), at(1)).expect("site a's");
    store.add_comment("t/A-B", "Anna Berg", "ask MEP", at(2)).expect("comment");
    let assign = ReviewUpdate { assigned_to: Some("Li Wei".into()), ..ReviewUpdate::default() };
    store.set_review("t/A-B", &assign, "Anna Berg", at(2)).expect("review");

    // Site B's first run finds the same clash id: a clash of its own, new, number 1, and site A's
    // C-D is not site B's to resolve.
    store.set_project(Some("site-b"));
    let (s, r) = run(&mut store, 3, &[("A", "B")]);
    assert_eq!((s.project.as_str(), s.new, s.resolved), ("site-b", 1, 0));
    let found = r.clashes().next().expect("one clash");
    assert_eq!((found.status, found.number), (Status::New, Some(1)));
    assert_eq!(status(&store, "t/A-B"), Status::New);
    assert!(store.comments("t/A-B").expect("comments").is_empty(), "site a's comments stay there");
    assert_eq!(store.status_history("t/A-B").expect("history").len(), 1);
    assert_eq!(store.clash("t/A-B").expect("reads").expect("known").review, Review::default());
    assert_eq!(store.status_of("t/C-D").expect("reads"), None, "site b has no C-D");
    store.add_comment("t/A-B", "Li Wei", "site b only", at(4)).expect("comment");
    let (s, _) = run(&mut store, 5, &[("A", "B")]);
    assert_eq!(s.active, 1, "site b's own new clash, found again");

    // Site A's records are as site A left them; its next run resolves only its own A-B.
    store.set_project(Some("site-a"));
    assert_eq!(status(&store, "t/A-B"), Status::Reviewed);
    assert_eq!(texts(store.comments("t/A-B").expect("comments")), ["ask MEP", "assigned to Li Wei"]);
    let history = store.status_history("t/A-B").expect("history");
    assert_eq!(history.iter().map(|h| h.to).collect::<Vec<_>>(), [Status::New, Status::Reviewed]);
    let (s, _) = run(&mut store, 6, &[("C", "D")]);
    assert_eq!((s.resolved, s.active), (1, 1));
    store.set_project(Some("site-b"));
    assert_eq!(status(&store, "t/A-B"), Status::Active);
    assert_eq!(texts(store.comments("t/A-B").expect("comments")), ["site b only"]);

    // Listings name each clash with its project, sorted by id, then project.
    store.set_project(None);
    let all: Vec<(String, String, Status, Option<u64>)> = store
        .all_clashes()
        .expect("clashes")
        .into_iter()
        .map(|c| (c.id, c.project, c.status, c.number))
        .collect();
    let row = |id: &str, p: &str, s: Status, n: u64| (id.to_string(), p.to_string(), s, Some(n));
    assert_eq!(
        all,
        [
            row("t/A-B", "site-a", Status::Resolved, 1),
            row("t/A-B", "site-b", Status::Active, 1),
            row("t/C-D", "site-a", Status::Active, 2),
        ]
    );
    assert_eq!(store.statuses_by_project().expect("statuses").len(), 3);
    assert_eq!(store.clashes_in_group("guid-t-g-A").expect("group").len(), 2);
    let projects: Vec<(String, usize)> = store.projects().expect("projects").into_iter().collect();
    assert_eq!(projects, [("site-a".to_string(), 2), ("site-b".to_string(), 2)]);
    store.set_project(Some("site-b"));
    assert_eq!(store.clashes_in_group("guid-t-g-A").expect("group").len(), 1);
    assert_eq!(store.clashes_between("B", "A").expect("pair").len(), 1);
    assert_eq!(store.statuses().expect("one project's").len(), 1);
    assert_eq!(store.open_report().expect("report").clashes().count(), 1);
    store.integrity_check().expect("consistent");
}

fn lookups_by_id_take_a_project_or_say_the_id_is_ambiguous(db: &Where) {
    let mut store = two_sites(db);
    store.set_project(None);
    let ambiguous = |e: StoreError| {
        let text = e.to_string();
        assert!(
            matches!(&e, StoreError::Ambiguous { projects, .. } if projects == &["site-a", "site-b"]),
            "{e:?}"
        );
        assert!(text.contains("several projects (site-a, site-b)") && text.contains("--project"), "{text}");
    };
    ambiguous(store.resolve("t/A-B").expect_err("both sites have it"));
    ambiguous(store.status_of("t/A-B").expect_err("both sites have it"));
    ambiguous(store.clash("t/A-B").expect_err("both sites have it"));
    ambiguous(store.comments("t/A-B").expect_err("both sites have it"));
    ambiguous(store.status_history("t/A-B").expect_err("both sites have it"));
    ambiguous(store.statuses().expect_err("both sites have t/A-B"));
    ambiguous(store.set_status("t/A-B", Status::Approved, "Li Wei", None, at(9)).expect_err("refused"));
    ambiguous(store.add_comment("t/A-B", "Li Wei", "which one?", at(9)).expect_err("refused"));
    let assign = ReviewUpdate { assigned_to: Some("Li Wei".into()), ..ReviewUpdate::default() };
    ambiguous(store.set_review("t/A-B", &assign, "Li Wei", at(9)).expect_err("refused"));
    ambiguous(store.resolve("#1").expect_err("both sites have a #1"));

    // An id that one project alone has needs no project.
    assert_eq!(store.resolve("t/C-D").expect("site a's"), "t/C-D");
    assert_eq!(store.resolve_clash("#2").expect("site a's"), ("site-a".to_string(), "t/C-D".to_string()));
    assert_eq!(status(&store, "t/C-D"), Status::New);

    // With a project, the id is that project's clash.
    store.set_project(Some("site-b"));
    assert_eq!(store.resolve_clash("t/A-B").expect("site b's"), ("site-b".to_string(), "t/A-B".to_string()));
    assert_eq!(store.resolve("#1").expect("site b's"), "t/A-B");
    let e = store.resolve("t/C-D").expect_err("site b has no C-D");
    assert!(matches!(e, StoreError::UnknownClash { .. }), "{e:?}");
    let e = store.add_comment("t/C-D", "Li Wei", "not here", at(9)).expect_err("site b has no C-D");
    assert!(matches!(e, StoreError::UnknownClash { .. }), "{e:?}");
    store.set_status("t/A-B", Status::Approved, "Li Wei", None, at(9)).expect("site b's");
    store.set_project(Some("site-a"));
    assert_eq!(status(&store, "t/A-B"), Status::New, "the refused changes wrote nothing");
    assert!(store.comments("t/A-B").expect("comments").is_empty());
    assert_eq!(store.status_history("t/A-B").expect("history").len(), 1);

    // A BCF import's way: the clashes a topic matches, each changed in its own project.
    store.set_project(None);
    for c in store.clashes_in_group("GUID-T-G-A").expect("group") {
        store.set_project(Some(&c.project));
        store.add_comment(&c.id, "BCF", &format!("from the topic, {}", c.project), at(10)).expect("comment");
    }
    for p in ["site-a", "site-b"] {
        store.set_project(Some(p));
        assert_eq!(texts(store.comments("t/A-B").expect("comments")), [format!("from the topic, {p}")]);
    }
    store.integrity_check().expect("consistent");
}

/// A version 3 history of two sites, as version 3 wrote it (its ids were unique across
/// projects): runs, clashes with numbers, a person's status decision and comments.
const V3_ROWS: &str = "
INSERT INTO runs (id, started_utc, models, config, tests, clashes, new, active, reviewed, approved,
    resolved, project, element_removed) VALUES
 (1, '2026-11-02T09:00:00.000000000Z', '[\"hall.ifc\"]', 'rules.toml', '[\"t\"]', 2, 2, 0, 0, 0, 0, 'site-a', 0),
 (2, '2026-11-02T09:01:00.000000000Z', '[\"hall.ifc\"]', 'rules.toml', '[\"t\"]', 1, 1, 0, 0, 0, 0, 'site-b', 0);
INSERT INTO clashes (id, test, kind, a_global_id, a_class, a_name, a_file, b_global_id, b_class, b_name,
    b_file, group_id, group_guid, first_seen_run, last_seen_run, distance_m, point_x, point_y, point_z,
    status, status_by, status_utc, number, test_name, assigned_to, labels, project) VALUES
 ('t/A-B', 't', 'hard', 'A', 'IfcDuctSegment', 'Duct A', 'hall.ifc', 'B', 'IfcDuctSegment', 'Duct B',
  'hall.ifc', 'g-A', 'guid-t-g-A', 1, 1, 0.05, 1.0, 2.0, 3.0, 'reviewed', 'Li Wei',
  '2026-11-02T09:02:00.000000000Z', 1, 't', 'Li Wei', '[\"mep\"]', 'site-a'),
 ('t/C-D', 't', 'hard', 'C', 'IfcDuctSegment', 'Duct C', 'hall.ifc', 'D', 'IfcDuctSegment', 'Duct D',
  'hall.ifc', 'g-C', 'guid-t-g-C', 1, 1, 0.05, 1.0, 2.0, 3.0, 'new', 'plumbline',
  '2026-11-02T09:00:00.000000000Z', 2, 't', NULL, '[]', 'site-a'),
 ('t/E-F', 't', 'hard', 'E', 'IfcDuctSegment', 'Duct E', 'hall.ifc', 'F', 'IfcDuctSegment', 'Duct F',
  'hall.ifc', 'g-E', 'guid-t-g-E', 2, 2, 0.05, 1.0, 2.0, 3.0, 'new', 'plumbline',
  '2026-11-02T09:01:00.000000000Z', 1, 't', NULL, '[]', 'site-b');
INSERT INTO status_changes (clash_id, run_id, from_status, to_status, by, at_utc, comment) VALUES
 ('t/A-B', 1, NULL, 'new', 'plumbline', '2026-11-02T09:00:00.000000000Z', NULL),
 ('t/C-D', 1, NULL, 'new', 'plumbline', '2026-11-02T09:00:00.000000000Z', NULL),
 ('t/E-F', 2, NULL, 'new', 'plumbline', '2026-11-02T09:01:00.000000000Z', NULL),
 ('t/A-B', NULL, 'new', 'reviewed', 'Li Wei', '2026-11-02T09:02:00.000000000Z', 'tray moves');
INSERT INTO comments (clash_id, by, at_utc, text) VALUES
 ('t/A-B', 'Anna Berg', '2026-11-02T09:03:00.000000000+08:00', 'ask MEP'),
 ('t/E-F', 'Li Wei', '2026-11-02T09:04:00.000000000Z', 'site b note');
";

/// Makes a version 3 history at `location` by running the layout statements of versions 1 to 3
/// (the old DDL, which the migration lists never change) and stamping the markers, then `rows`.
fn old_history(db: &Where, location: &str, rows: &str) {
    match db {
        Where::Sqlite(_) => {
            let conn = rusqlite::Connection::open(location).expect("creates");
            for sql in &schema::MIGRATIONS[..3] {
                conn.execute_batch(sql).expect("old layout");
            }
            conn.pragma_update(None, "application_id", APPLICATION_ID).expect("marks");
            conn.pragma_update(None, "user_version", 3).expect("marks");
            conn.execute_batch(rows).expect("old rows");
        }
        Where::Postgres(server) => {
            let mut sql = PG_MIGRATIONS[..3].concat();
            sql.push_str(
                "INSERT INTO plumbline_meta VALUES ('application', 'PLBL'), ('schema_version', '3');",
            );
            sql.push_str(rows);
            server.sql_in(location, &sql);
        }
    }
}

/// The rows of `sql` (one text column) read with the backend's own client, not the store.
fn rows(db: &Where, location: &str, sql: &str) -> Vec<String> {
    match db {
        Where::Sqlite(_) => {
            let conn = rusqlite::Connection::open(location).expect("opens");
            let mut stmt = conn.prepare(sql).expect("prepares");
            let out = stmt.query_map([], |r| r.get::<_, String>(0)).expect("reads");
            out.collect::<rusqlite::Result<Vec<_>>>().expect("rows")
        }
        Where::Postgres(_) => {
            let mut client = ::postgres::Client::connect(location, ::postgres::NoTls).expect("connects");
            client.query(sql, &[]).expect("reads").iter().map(|r| r.get::<_, String>(0)).collect()
        }
    }
}

/// Everything a failed migration must leave as it was: the layout, the version and every row.
fn everything(db: &Where, location: &str) -> Vec<String> {
    let layout = match db {
        Where::Sqlite(_) => {
            "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema
             UNION ALL SELECT 'version ' || user_version FROM pragma_user_version ORDER BY 1"
        }
        Where::Postgres(_) => {
            "SELECT table_name || '.' || column_name || ' ' || is_nullable FROM information_schema.columns
               WHERE table_schema = current_schema()
             UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
               JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()
             UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
             UNION ALL SELECT 'marker ' || key || ' ' || value FROM plumbline_meta ORDER BY 1"
        }
    };
    let mut out = rows(db, location, layout);
    for sql in [
        "SELECT CAST(id AS TEXT) || ' ' || project || ' ' || started_utc FROM runs ORDER BY id",
        "SELECT project || ' ' || id || ' ' || status || ' ' || CAST(number AS TEXT) || ' ' || labels
         FROM clashes ORDER BY id",
        "SELECT clash_id || ' ' || to_status || ' ' || by || ' ' || coalesce(comment, '-') FROM status_changes ORDER BY id",
        "SELECT clash_id || ' ' || by || ' ' || at_utc || ' ' || text FROM comments ORDER BY id",
    ] {
        out.extend(rows(db, location, sql));
    }
    out
}

fn a_version_3_history_migrates_whole_or_not_at_all(db: &Where) {
    let location = db.location("v3");
    old_history(db, &location, V3_ROWS);
    // A table with the name of the migration's last index makes it fail at its very end, after
    // the tables were rebuilt: none of that may remain.
    let blocker = "CREATE TABLE comments_by_project_clash (x TEXT); INSERT INTO comments_by_project_clash VALUES ('kept');";
    match db {
        Where::Sqlite(_) => {
            rusqlite::Connection::open(&location).expect("opens").execute_batch(blocker).expect("blocker")
        }
        Where::Postgres(server) => server.sql_in(&location, blocker),
    }
    let before = everything(db, &location);
    assert!(before.iter().any(|r| r.contains("marker schema_version 3") || r == "version 3"), "{before:?}");
    Store::open_location(&location).expect_err("the migration fails at its last statement");
    assert_eq!(everything(db, &location), before, "a failed migration changes nothing");

    match db {
        Where::Sqlite(_) => rusqlite::Connection::open(&location)
            .expect("opens")
            .execute_batch("DROP TABLE comments_by_project_clash")
            .expect("drops"),
        Where::Postgres(server) => server.sql_in(&location, "DROP TABLE comments_by_project_clash"),
    }
    let mut store = Store::open_location(&location).expect("migrates");
    store.integrity_check().expect("consistent");
    let runs: Vec<(i64, String)> =
        store.history().expect("runs").into_iter().map(|r| (r.run_id, r.project)).collect();
    assert_eq!(runs, [(1, "site-a".to_string()), (2, "site-b".to_string())]);
    assert_eq!(status(&store, "t/A-B"), Status::Reviewed);
    let history = store.status_history("t/A-B").expect("history");
    assert_eq!(
        history.iter().map(|h| (h.to, h.by.as_str(), h.comment.as_deref())).collect::<Vec<_>>(),
        [(Status::New, "plumbline", None), (Status::Reviewed, "Li Wei", Some("tray moves"))]
    );
    let comment = store.comments("t/A-B").expect("comments").pop().expect("kept");
    assert_eq!((comment.text.as_str(), comment.at.offset().local_minus_utc()), ("ask MEP", 8 * 3600));
    assert_eq!(texts(store.comments("t/E-F").expect("comments")), ["site b note"]);
    let a_b = store.clash("t/A-B").expect("reads").expect("kept");
    assert_eq!(
        (a_b.number, a_b.project.as_str(), a_b.review.labels.clone()),
        (Some(1), "site-a", vec!["mep".into()])
    );
    assert_eq!(store.clash("t/E-F").expect("reads").expect("kept").number, Some(1));
    assert_eq!(store.statuses_by_project().expect("statuses").len(), 3);

    // Now site B may find the clash id that was site A's alone.
    store.set_project(Some("site-b"));
    let (s, r) = run(&mut store, 30, &[("A", "B"), ("E", "F")]);
    assert_eq!((s.run_id, s.new, s.active), (3, 1, 1));
    assert_eq!(r.clashes().find(|c| c.id == "t/A-B").and_then(|c| c.number), Some(2));
    store.set_project(Some("site-a"));
    assert_eq!(status(&store, "t/A-B"), Status::Reviewed);
    store.integrity_check().expect("consistent");
    drop(store);
    let version = match db {
        Where::Sqlite(_) => rows(db, &location, "SELECT CAST(user_version AS TEXT) FROM pragma_user_version"),
        Where::Postgres(_) => {
            rows(db, &location, "SELECT value FROM plumbline_meta WHERE key = 'schema_version'")
        }
    };
    assert_eq!(version, [SCHEMA_VERSION.to_string()]);
}

/// Records a run of test "t" with the given pairs and the elements of `elements` (GlobalId and
/// matching key) as the run's revision.
fn run_revision(store: &mut Store, minute: u32, pairs: &[(&str, &str)], elements: &[(&str, &str)]) {
    let revision = Revision {
        elements: elements
            .iter()
            .map(|(gid, key)| {
                let digest = ElementDigest { key: key.to_string(), state: "s".into(), order: String::new() };
                (gid.to_string(), digest)
            })
            .collect(),
    };
    let mut r = report(&[("t", pairs)]);
    store
        .record_revision_run_then(&mut r, &meta(minute), &Unchecked::default(), Some(&revision), |_| {
            Ok::<(), StoreError>(())
        })
        .expect("recorded");
}

fn a_re_export_in_one_project_moves_only_that_projects_clash(db: &Where) {
    let mut store = db.fresh();
    let first = [("A", "kA"), ("B", "kB")];
    for p in ["site-a", "site-b"] {
        store.set_project(Some(p));
        run_revision(&mut store, 0, &[("A", "B")], &first);
    }
    store.set_status("t/A-B", Status::Reviewed, "Li Wei", None, at(1)).expect("site b's");
    store.set_project(Some("site-a"));
    store.add_comment("t/A-B", "Anna Berg", "site a", at(2)).expect("comment");
    // Site A's model is re-exported: A is now A2, the same element by its key.
    run_revision(&mut store, 3, &[("A2", "B")], &[("A2", "kA"), ("B", "kB")]);
    assert_eq!(store.status_of("t/A-B").expect("reads"), None, "site a's clash moved to its new id");
    let moved = store.clash("t/A2-B").expect("reads").expect("moved");
    assert_eq!((moved.number, moved.status), (Some(1), Status::Active));
    assert_eq!(texts(store.comments("t/A2-B").expect("comments")), ["site a"]);
    store.set_project(Some("site-b"));
    assert_eq!(status(&store, "t/A-B"), Status::Reviewed, "site b's clash stays under its id");
    assert_eq!(store.status_history("t/A-B").expect("history").len(), 2);
    assert!(store.comments("t/A-B").expect("comments").is_empty());
    assert_eq!(store.status_of("t/A2-B").expect("reads"), None);
    store.integrity_check().expect("consistent");
}
