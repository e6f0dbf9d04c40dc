//! Projects, model revisions and staged runs, on both backends: numbers per project, the default
//! project, clashes that keep their number and status when their elements' GlobalIds are
//! regenerated, `element-removed` for a deleted element, the `changed` flag, a run whose
//! `before_commit` fails, and the trend.

use crate::tests::{at, meta, pg, report, run, status, Where};
use crate::*;

on_both_backends!(
    projects_number_their_clashes_separately,
    a_run_records_into_the_project_its_rule_file_names,
    regenerated_global_ids_keep_every_clash_number_and_status,
    a_deleted_element_makes_its_clashes_element_removed_not_resolved,
    a_clash_whose_element_changed_since_its_review_is_flagged,
    a_failed_before_commit_records_nothing,
    the_trend_filters_by_project_and_date,
);
use crate::tests::on_both_backends;

/// A revision whose elements are the given GlobalIds with keys `k<letter>` (the GlobalId's first
/// letter, so `A` and `A2` are the same element re-exported) and the given states.
fn revision(elements: &[(&str, &str)]) -> Revision {
    Revision {
        elements: elements
            .iter()
            .map(|(gid, state)| {
                let key = format!("k{}", &gid[..1]);
                (gid.to_string(), ElementDigest { key, state: state.to_string(), order: String::new() })
            })
            .collect(),
    }
}

fn record_revision(store: &mut Store, minute: u32, pairs: &[(&str, &str)], rev: &Revision) -> RunSummary {
    let mut r = report(&[("t", pairs)]);
    let (summary, ()) = store
        .record_revision_run_then(&mut r, &meta(minute), &Unchecked::default(), Some(rev), |_| {
            Ok::<(), StoreError>(())
        })
        .expect("recorded");
    summary
}

fn projects_number_their_clashes_separately(db: &Where) {
    let mut store = db.fresh();
    store.set_project(Some("site-a"));
    let (s, r) = run(&mut store, 0, &[("A", "B"), ("C", "D")]);
    assert_eq!(s.project, "site-a");
    assert_eq!(r.clashes().filter_map(|c| c.number).collect::<Vec<_>>(), [1, 2]);
    store.set_project(Some("site-b"));
    let (s, r) = run(&mut store, 1, &[("E", "F")]);
    assert_eq!(
        (s.project.as_str(), s.resolved),
        ("site-b", 0),
        "site A's clashes are not site B's to resolve"
    );
    assert_eq!(r.clashes().filter_map(|c| c.number).collect::<Vec<_>>(), [1]);
    assert_eq!(store.resolve("#1").expect("site b's"), "t/E-F");
    store.set_project(None);
    let e = store.resolve("#1").expect_err("two projects have a #1");
    assert!(
        matches!(e, StoreError::Ambiguous { ref projects, .. } if projects == &["site-a", "site-b"]),
        "{e:?}"
    );
    assert_eq!(store.resolve("#2").expect("only site a has a #2"), "t/C-D");
    let projects: Vec<(String, usize)> = store.projects().expect("projects").into_iter().collect();
    assert_eq!(projects, [("site-a".to_string(), 1), ("site-b".to_string(), 1)]);
    assert_eq!(store.clash("t/E-F").expect("reads").expect("known").project, "site-b");
    store.set_project(Some("site-a"));
    let open = store.open_report().expect("report");
    assert_eq!(open.clashes().count(), 2, "the open report of one project");
    store.integrity_check().expect("consistent");
}

fn a_run_records_into_the_project_its_rule_file_names(db: &Where) {
    let named = |config: Option<&str>, models: &[&str]| {
        RunMeta {
            started_utc: at(0),
            models: models.iter().map(|m| m.to_string()).collect(),
            config: config.map(str::to_string),
        }
        .default_project()
    };
    assert_eq!(named(Some("rules/bank-branch.rules.toml"), &["x.ifc"]), "bank-branch.rules");
    assert_eq!(named(None, &["models/mep.ifc", "models/arch.ifc", "mep.ifc"]), "arch+mep");
    assert_eq!(named(None, &[]), "default");
    let mut store = db.fresh();
    let (s, _) = run(&mut store, 0, &[("A", "B")]);
    assert_eq!(s.project, "rules", "meta() names rules.toml");
    assert_eq!(store.history().expect("history")[0].project, "rules");
}

fn regenerated_global_ids_keep_every_clash_number_and_status(db: &Where) {
    let mut store = db.fresh();
    let rev1 = revision(&[("A", "s"), ("B", "s"), ("C", "s"), ("D", "s"), ("E", "s")]);
    record_revision(&mut store, 0, &[("A", "B"), ("C", "D")], &rev1);
    store.set_status("t/A-B", Status::Reviewed, "Li Wei", Some("tray moves"), at(1)).expect("set");
    store.add_comment("t/C-D", "Anna Berg", "ask MEP", at(2)).expect("comment");
    // The re-export: every GlobalId regenerated, nothing else changed.
    let rev2 = revision(&[("A2", "s"), ("B2", "s"), ("C2", "s"), ("D2", "s"), ("E2", "s")]);
    let s = record_revision(&mut store, 3, &[("A2", "B2"), ("C2", "D2")], &rev2);
    assert_eq!((s.clashes, s.new, s.resolved, s.element_removed), (2, 0, 0, 0), "{s:?}");
    assert_eq!((s.reviewed, s.active), (1, 1));
    let ab = store.clash("t/A2-B2").expect("reads").expect("the clash under its new id");
    assert_eq!((ab.number, ab.status, ab.first_seen_run), (Some(1), Status::Reviewed, 1));
    assert_eq!((ab.a.global_id.as_str(), ab.b.global_id.as_str()), ("A2", "B2"));
    assert!(!ab.changed, "the same elements, only new GlobalIds");
    let history = store.status_history("t/A2-B2").expect("history");
    assert_eq!(history.len(), 2, "first seen and the review moved with it: {history:?}");
    assert_eq!(store.comments("t/C2-D2").expect("comments").len(), 1);
    assert_eq!(store.clash("t/A-B").expect("reads"), None, "no stale copy under the old id");
    assert_eq!(store.statuses().expect("statuses").len(), 2);
    assert_eq!(store.resolve("#2").expect("numbered"), "t/C2-D2");
    store.integrity_check().expect("consistent");
}

fn a_deleted_element_makes_its_clashes_element_removed_not_resolved(db: &Where) {
    let mut store = db.fresh();
    let rev1 = revision(&[("A", "s"), ("B", "s"), ("C", "s"), ("D", "s"), ("E", "s"), ("F", "s")]);
    record_revision(&mut store, 0, &[("A", "B"), ("C", "D"), ("E", "F")], &rev1);
    // D is deleted; E–F is fixed (both elements still there).
    let rev2 = revision(&[("A", "s"), ("B", "s"), ("C", "s"), ("E", "s"), ("F", "s2")]);
    let s = record_revision(&mut store, 1, &[("A", "B")], &rev2);
    assert_eq!((s.resolved, s.element_removed), (1, 1), "{s:?}");
    let cd = store.clash("t/C-D").expect("reads").expect("known");
    assert_eq!((cd.status, cd.resolution), (Status::Resolved, Some(Resolution::ElementRemoved)));
    let ef = store.clash("t/E-F").expect("reads").expect("known");
    assert_eq!((ef.status, ef.resolution), (Status::Resolved, None));
    let last = store.status_history("t/C-D").expect("history").pop().expect("entry");
    assert_eq!(last.comment.as_deref(), Some("element removed from the models (run 2)"));
    assert_eq!(store.history().expect("history")[1].element_removed, 1, "the count is stored");
}

fn a_clash_whose_element_changed_since_its_review_is_flagged(db: &Where) {
    let mut store = db.fresh();
    let pairs: &[(&str, &str)] = &[("A", "B")];
    record_revision(&mut store, 0, pairs, &revision(&[("A", "a1"), ("B", "b1")]));
    let flagged = |store: &Store| store.clash("t/A-B").expect("reads").expect("known").changed;
    assert!(!flagged(&store), "nobody has reviewed it yet");
    store.set_status("t/A-B", Status::Approved, "Anna Berg", None, at(1)).expect("set");
    record_revision(&mut store, 2, pairs, &revision(&[("A", "a1"), ("B", "b1")]));
    assert!(!flagged(&store), "unchanged elements");
    record_revision(&mut store, 3, pairs, &revision(&[("A", "a2"), ("B", "b1")]));
    assert!(flagged(&store), "A changed after the approval");
    assert_eq!(status(&store, "t/A-B"), Status::Approved, "the status stays; the flag asks for a look");
    store.set_status("t/A-B", Status::Approved, "Anna Berg", Some("still fine"), at(4)).expect("set");
    assert!(!flagged(&store), "a new decision on the new state");
    // A run without a revision keeps the states it knows.
    run(&mut store, 5, pairs);
    assert!(!flagged(&store));
}

fn a_failed_before_commit_records_nothing(db: &Where) {
    let mut store = db.fresh();
    run(&mut store, 0, &[("A", "B")]);
    let mut r = report(&[("t", &[("A", "B"), ("C", "D")])]);
    let before = r.clone();
    let e = store
        .record_partial_run_then(&mut r, &meta(1), &Unchecked::default(), |staged| {
            assert!(staged.clashes().all(|c| c.number.is_some()), "the staged report is numbered");
            Err::<(), StoreError>(StoreError::Invalid { path: "x".into(), message: "reports failed".into() })
        })
        .expect_err("fails");
    assert!(e.to_string().contains("reports failed"));
    assert_eq!(r, before, "the report is left as the engine made it");
    assert_eq!(store.history().expect("history").len(), 1);
    assert_eq!(store.status_of("t/C-D").expect("reads"), None);
    let (s, n) = store
        .record_partial_run_then(&mut r, &meta(2), &Unchecked::default(), |staged| {
            Ok::<usize, StoreError>(staged.clashes().count())
        })
        .expect("records");
    assert_eq!((s.run_id, s.active, s.new, n), (2, 1, 1, 2));
    assert!(r.clashes().all(|c| c.number.is_some()));
}

fn the_trend_filters_by_project_and_date(db: &Where) {
    let mut store = db.fresh();
    store.set_project(Some("a"));
    run(&mut store, 0, &[("A", "B")]);
    run(&mut store, 10, &[]);
    store.set_project(Some("b"));
    run(&mut store, 20, &[("C", "D")]);
    let ids = |v: Vec<RunSummary>| {
        v.into_iter().map(|r| (r.run_id, r.project, r.new, r.resolved)).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.trend(Some("a"), None).expect("trend")),
        [(1, "a".to_string(), 1, 0), (2, "a".to_string(), 0, 1)]
    );
    assert_eq!(ids(store.trend(None, Some(at(5))).expect("trend")).len(), 2);
    assert!(store.trend(Some("c"), None).expect("trend").is_empty());
}
