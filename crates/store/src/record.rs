//! Recording a run: asks the workflow what each clash becomes and writes its answers. The caller
//! ([`crate::Store::record_revision_run_then`]) owns the transaction, so a run is recorded
//! completely or not at all.

use crate::queries::{test_key, Db, ElementDigests, OpenClash};
use crate::revision::{pair, ElementMap, Revision};
use crate::types::{Resolution, RunMeta, RunSummary, Unchecked};
use crate::workflow::{transition, Change, Finding, Reason, Transition, RUN_AUTHOR};
use crate::Result;
use chrono::{DateTime, Utc};
use plumbline_review::{ClashRecord, Report, Status};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a recorded run changed: its summary, and the status of every clash it found by id (to
/// be written into the report once the transaction is committed).
pub(crate) struct Recorded {
    pub summary: RunSummary,
    pub statuses: HashMap<String, Status>,
}

/// Records `report` as a new run of `project` in `db`, which must be inside a write transaction.
pub(crate) fn record(
    db: &Db<'_>,
    report: &Report,
    meta: &RunMeta,
    project: &str,
    unchecked: &Unchecked,
    revision: Option<&Revision>,
) -> Result<Recorded> {
    let at = meta.started_utc;
    let tests: Vec<String> = report.tests.iter().map(|t| t.info.name.clone()).collect();
    // The tests that ran, by their stable key: the `test` column holds it.
    let ran: BTreeSet<String> = report.tests.iter().map(|t| t.info.key().to_string()).collect();
    let run_id = db.insert_run(meta, project, &tests)?;
    // Only this project's clashes: another site copied from the same template finds clashes
    // with the same ids, and they are that site's.
    let known = db.known_clashes(project, &ran.iter().cloned().collect::<Vec<_>>())?;

    let mut open: Vec<OpenClash> = Vec::new();
    for test in &ran {
        open.extend(db.open_clashes_of_test(project, test)?);
    }
    let map = match revision {
        Some(rev) => Some(ElementMap::new(&open, &db.known_global_ids(project)?, rev)),
        None => None,
    };
    let renames = match (revision, &map) {
        (Some(rev), Some(map)) => renames(report, &open, &known, map, rev),
        _ => HashMap::new(),
    };

    let mut statuses: HashMap<String, Status> = HashMap::new();
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    for test in &report.tests {
        let guids: HashMap<&str, &str> =
            test.groups.iter().map(|g| (g.id.as_str(), g.guid.as_str())).collect();
        for c in &test.clashes {
            if statuses.contains_key(&c.id) {
                // The engine never repeats an id; a hand-made report might, and the first record
                // already decided the clash's status for this run.
                continue;
            }
            let mut before = known.get(&c.id).copied();
            if before.is_none() {
                if let Some(old) = renames.get(&c.id) {
                    db.rename_clash(project, old, &c.id)?;
                    before = known.get(old).copied();
                }
            }
            let guid = guids.get(c.group.as_str()).copied();
            let digests = digests_of(c, revision);
            let t = transition(before, Finding::Found);
            // A found clash always has a status after the run; `None` would mean nothing to record.
            let Some(after) = t.status else { continue };
            match before {
                None => db.insert_clash(c, guid, run_id, &digests, project, after, RUN_AUTHOR, at)?,
                Some(_) => db.refresh_clash(c, guid, run_id, &digests, project)?,
            }
            persist(db, project, &c.id, before.is_some(), &t, run_id, at)?;
            statuses.insert(c.id.clone(), after);
            *counts.entry(after).or_default() += 1;
        }
    }

    // Open clashes of the tests that ran that this run did not find. Tests that did not run say
    // nothing about their clashes, so those are not asked about.
    let (mut resolved, mut removed, mut kept_unchecked) = (0usize, 0usize, 0usize);
    let renamed: BTreeSet<&String> = renames.values().collect();
    for o in open.iter().filter(|o| !statuses.contains_key(&o.id) && !renamed.contains(&o.id)) {
        let ids = [o.global_ids[0].as_str(), o.global_ids[1].as_str()];
        let files = [o.files[0].as_str(), o.files[1].as_str()];
        let gone = match (revision, &map) {
            (Some(rev), Some(map)) => {
                (0..2).any(|i| map.removed(&o.global_ids[i], o.keys[i].as_deref(), rev))
            }
            _ => false,
        };
        let finding = if unchecked.involves(ids, files) {
            Finding::NotFound { unchecked: true }
        } else if gone {
            Finding::ElementRemoved
        } else {
            Finding::NotFound { unchecked: false }
        };
        let t = transition(Some(o.status), finding);
        persist(db, project, &o.id, true, &t, run_id, at)?;
        kept_unchecked += usize::from(t.kept_unchecked);
        match t.change {
            Some(Change { reason: Reason::ElementRemoved, .. }) => removed += 1,
            Some(Change { to: Status::Resolved, .. }) => resolved += 1,
            _ => {}
        }
    }

    let count = |s: Status| counts.get(&s).copied().unwrap_or(0);
    let summary = RunSummary {
        run_id,
        project: project.to_string(),
        started_utc: meta.started_utc,
        models: meta.models.clone(),
        config: meta.config.clone(),
        tests,
        clashes: statuses.len(),
        new: count(Status::New),
        active: count(Status::Active),
        reviewed: count(Status::Reviewed),
        approved: count(Status::Approved),
        resolved,
        element_removed: removed,
        unchecked: kept_unchecked,
    };
    db.finish_run(&summary)?;
    Ok(Recorded { summary, statuses })
}

/// Found clashes the history does not know by id that are open clashes of theirs whose elements
/// got new GlobalIds: new id → old id. A found clash matches an open clash of the same test when
/// the open clash's elements, mapped into the revision, are the found clash's pair.
fn renames(
    report: &Report,
    open: &[OpenClash],
    known: &HashMap<String, Status>,
    map: &ElementMap,
    revision: &Revision,
) -> HashMap<String, String> {
    let found: BTreeSet<&str> = report.clashes().map(|c| c.id.as_str()).collect();
    // Open clashes that this run did not find by id, by test and mapped element pair.
    let mut moved: HashMap<(String, (String, String)), &str> = HashMap::new();
    for o in open.iter().filter(|o| !found.contains(o.id.as_str())) {
        let (Some(a), Some(b)) =
            (map.current(&o.global_ids[0], revision), map.current(&o.global_ids[1], revision))
        else {
            continue;
        };
        if (a, b) != (o.global_ids[0].as_str(), o.global_ids[1].as_str()) {
            moved.insert((o.test.clone(), pair(a, b)), &o.id);
        }
    }
    let mut out = HashMap::new();
    for c in report.clashes().filter(|c| !known.contains_key(&c.id)) {
        let k = (test_key(c).clone(), pair(&c.a.global_id, &c.b.global_id));
        if let Some(old) = moved.remove(&k) {
            out.insert(c.id.clone(), old.to_string());
        }
    }
    out
}

/// The keys and states a revision gives a clash's elements.
fn digests_of(c: &ClashRecord, revision: Option<&Revision>) -> ElementDigests {
    let Some(rev) = revision else { return ElementDigests::default() };
    let (a, b) = (rev.get(&c.a.global_id), rev.get(&c.b.global_id));
    ElementDigests {
        keys: [a.map(|d| d.key.clone()), b.map(|d| d.key.clone())],
        states: [a.map(|d| d.state.clone()), b.map(|d| d.state.clone())],
        orders: [a.map(|d| d.order.clone()), b.map(|d| d.order.clone())],
    }
}

/// Writes a transition's change, if any: the new status of clash `clash_id` of `project` (unless
/// the row was just inserted with it) and the history row, both attributed to the run.
fn persist(
    db: &Db<'_>,
    project: &str,
    clash_id: &str,
    known: bool,
    t: &Transition,
    run_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(change) = t.change else { return Ok(()) };
    if known {
        let resolution = (change.reason == Reason::ElementRemoved).then_some(Resolution::ElementRemoved);
        db.set_status(project, clash_id, change.to, resolution, RUN_AUTHOR, at, false)?;
    }
    let comment = change.reason.comment(run_id);
    db.log_change(project, clash_id, Some(run_id), change.from, change.to, RUN_AUTHOR, at, comment.as_deref())
}
