//! Recording a run: asks the workflow what each clash becomes and writes its answers. The caller
//! ([`crate::Store::record_partial_run`]) owns the transaction, so a run is recorded completely
//! or not at all.

use crate::queries::Db;
use crate::types::{RunMeta, RunSummary, Unchecked};
use crate::workflow::{transition, Change, Finding, Transition, RUN_AUTHOR};
use crate::Result;
use chrono::{DateTime, Utc};
use plumbline_review::{Report, Status};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What a recorded run changed: its summary, and the status of every clash it found by id (to
/// be written into the report once the transaction is committed).
pub(crate) struct Recorded {
    pub summary: RunSummary,
    pub statuses: HashMap<String, Status>,
}

/// Records `report` as a new run in `db`, which must be inside a write transaction.
pub(crate) fn record(
    db: &Db<'_>,
    report: &Report,
    meta: &RunMeta,
    unchecked: &Unchecked,
) -> Result<Recorded> {
    let at = meta.started_utc;
    let tests: Vec<String> = report.tests.iter().map(|t| t.info.name.clone()).collect();
    let run_id = db.insert_run(meta, &tests)?;

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
            let guid = guids.get(c.group.as_str()).copied();
            let before = db.status_of(&c.id)?;
            let t = transition(before, Finding::Found);
            // A found clash always has a status after the run; `None` would mean nothing to record.
            let Some(after) = t.status else { continue };
            match before {
                None => db.insert_clash(c, guid, run_id, after, RUN_AUTHOR, at)?,
                Some(_) => db.refresh_clash(c, guid, run_id)?,
            }
            persist(db, &c.id, before.is_some(), &t, run_id, at)?;
            statuses.insert(c.id.clone(), after);
            *counts.entry(after).or_default() += 1;
        }
    }

    // Open clashes of the tests that ran that this run did not find. Tests that did not run say
    // nothing about their clashes, so those are not asked about.
    let ran: BTreeSet<&str> = report.tests.iter().map(|t| t.info.name.as_str()).collect();
    let (mut resolved, mut kept_unchecked) = (0usize, 0usize);
    for test in ran {
        for open in db.open_clashes_of_test(test)?.into_iter().filter(|o| !statuses.contains_key(&o.id)) {
            let ids = [open.global_ids[0].as_str(), open.global_ids[1].as_str()];
            let files = [open.files[0].as_str(), open.files[1].as_str()];
            let finding = Finding::NotFound { unchecked: unchecked.involves(ids, files) };
            let t = transition(Some(open.status), finding);
            persist(db, &open.id, true, &t, run_id, at)?;
            kept_unchecked += usize::from(t.kept_unchecked);
            resolved += usize::from(matches!(t.change, Some(Change { to: Status::Resolved, .. })));
        }
    }

    let count = |s: Status| counts.get(&s).copied().unwrap_or(0);
    let summary = RunSummary {
        run_id,
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
        unchecked: kept_unchecked,
    };
    db.finish_run(&summary)?;
    Ok(Recorded { summary, statuses })
}

/// Writes a transition's change, if any: the clash's new status (unless the row was just
/// inserted with it) and the history row, both attributed to the run.
fn persist(
    db: &Db<'_>,
    clash_id: &str,
    known: bool,
    t: &Transition,
    run_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(change) = t.change else { return Ok(()) };
    if known {
        db.set_status(clash_id, change.to, RUN_AUTHOR, at)?;
    }
    let comment = change.reason.comment(run_id);
    db.log_change(clash_id, Some(run_id), change.from, change.to, RUN_AUTHOR, at, comment.as_deref())
}
