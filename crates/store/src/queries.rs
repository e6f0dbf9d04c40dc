//! Every SQL statement of the history (apart from the layout in [`crate::schema`]): the reads
//! that turn rows into the crate's types and the writes that record runs, statuses and comments.
//! The statements only store and fetch; what a run changes is decided in [`crate::workflow`].
//! How values are stored (timestamps, statuses, clash kinds, non-finite numbers) is decided here
//! too, in one place.

use crate::types::{Comment, RunMeta, RunSummary, StatusChange, StoredClash, StoredElement};
use crate::{classify, Result, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};
use plumbline_clash::ClashKind;
use plumbline_review::{ClashRecord, Status};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::path::Path;

/// The history's connection (or an open transaction on it) and the file it belongs to, which
/// every error names.
pub(crate) struct Db<'c> {
    conn: &'c Connection,
    path: &'c Path,
}

/// An open clash of a test as a run's resolution pass needs it: enough to tell whether the run
/// looked at it.
pub(crate) struct OpenClash {
    pub id: String,
    pub status: Status,
    pub global_ids: [String; 2],
    pub files: [String; 2],
}

/// The columns that a run writes for a clash it found, whether the clash is new to the history
/// or found again: parameters `?1` to `?20` of both [`INSERT_CLASH`] and [`REFRESH_CLASH`].
struct FoundClash<'a> {
    c: &'a ClashRecord,
    group_guid: Option<&'a str>,
    run_id: i64,
    kind: &'static str,
    distance_m: Option<f64>,
    point: [Option<f64>; 3],
}

impl<'a> FoundClash<'a> {
    fn new(c: &'a ClashRecord, group_guid: Option<&'a str>, run_id: i64) -> FoundClash<'a> {
        FoundClash {
            c,
            group_guid,
            run_id,
            kind: c.kind.as_str(),
            distance_m: finite(c.distance_m),
            point: c.point.map(finite),
        }
    }

    fn params(&self) -> [&dyn ToSql; 20] {
        let (c, [px, py, pz]) = (self.c, &self.point);
        [
            &c.id,
            &c.test,
            &self.kind,
            &c.a.global_id,
            &c.a.class,
            &c.a.name,
            &c.a.file,
            &c.a.storey,
            &c.b.global_id,
            &c.b.class,
            &c.b.name,
            &c.b.file,
            &c.b.storey,
            &c.group,
            &self.group_guid,
            &self.run_id,
            &self.distance_m,
            px,
            py,
            pz,
        ]
    }
}

/// A clash new to the history: first and last seen by this run (`?16`), then its status, who
/// set it and when (`?21`–`?23`).
const INSERT_CLASH: &str = "INSERT INTO clashes (id, test, kind,
        a_global_id, a_class, a_name, a_file, a_storey,
        b_global_id, b_class, b_name, b_file, b_storey,
        group_id, group_guid, first_seen_run, last_seen_run,
        distance_m, point_x, point_y, point_z, status, status_by, status_utc)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16,
        ?17, ?18, ?19, ?20, ?21, ?22, ?23)";

/// A clash found again gets the descriptive fields of this run (names and groups change between
/// model versions); its status is another statement's business.
const REFRESH_CLASH: &str = "UPDATE clashes SET test = ?2, kind = ?3,
        a_global_id = ?4, a_class = ?5, a_name = ?6, a_file = ?7, a_storey = ?8,
        b_global_id = ?9, b_class = ?10, b_name = ?11, b_file = ?12, b_storey = ?13,
        group_id = ?14, group_guid = ?15, last_seen_run = ?16,
        distance_m = ?17, point_x = ?18, point_y = ?19, point_z = ?20
     WHERE id = ?1";

impl<'c> Db<'c> {
    pub fn new(conn: &'c Connection, path: &'c Path) -> Db<'c> {
        Db { conn, path }
    }

    fn fail(&self, e: rusqlite::Error) -> StoreError {
        classify(self.path, e)
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt { path: self.path.to_path_buf(), detail }
    }

    // --- Writes -------------------------------------------------------------------------------

    /// Adds a run with zero counts ([`Db::finish_run`] fills them in) and returns its number.
    pub fn insert_run(&self, meta: &RunMeta, tests: &[String]) -> Result<i64> {
        let models_json = serde_json::to_string(&meta.models).unwrap_or_else(|_| "[]".into());
        let tests_json = serde_json::to_string(tests).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO runs (started_utc, models, config, tests, clashes, new, active, reviewed, approved, resolved)
                 VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 0, 0, 0)",
                params![timestamp(meta.started_utc), models_json, meta.config, tests_json],
            )
            .map_err(|e| self.fail(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stores a run's counts.
    pub fn finish_run(&self, summary: &RunSummary) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET clashes = ?2, new = ?3, active = ?4, reviewed = ?5, approved = ?6, resolved = ?7 WHERE id = ?1",
                params![
                    summary.run_id,
                    summary.clashes as i64,
                    summary.new as i64,
                    summary.active as i64,
                    summary.reviewed as i64,
                    summary.approved as i64,
                    summary.resolved as i64
                ],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Adds a clash that run `run_id` found for the first time, with its status.
    pub fn insert_clash(
        &self,
        c: &ClashRecord,
        group_guid: Option<&str>,
        run_id: i64,
        status: Status,
        by: &str,
        at_utc: DateTime<Utc>,
    ) -> Result<()> {
        let found = FoundClash::new(c, group_guid, run_id);
        let (status, at) = (status.as_str(), timestamp(at_utc));
        let tail: [&dyn ToSql; 3] = [&status, &by, &at];
        let mut stmt = self.conn.prepare_cached(INSERT_CLASH).map_err(|e| self.fail(e))?;
        stmt.execute(params_from_iter(found.params().into_iter().chain(tail))).map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Updates a known clash that run `run_id` found again; its status stays.
    pub fn refresh_clash(&self, c: &ClashRecord, group_guid: Option<&str>, run_id: i64) -> Result<()> {
        let found = FoundClash::new(c, group_guid, run_id);
        let mut stmt = self.conn.prepare_cached(REFRESH_CLASH).map_err(|e| self.fail(e))?;
        stmt.execute(&found.params()[..]).map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Sets a clash's current status and who set it when.
    pub fn set_status(&self, clash_id: &str, status: Status, by: &str, at_utc: DateTime<Utc>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE clashes SET status = ?2, status_by = ?3, status_utc = ?4 WHERE id = ?1")
            .map_err(|e| self.fail(e))?;
        stmt.execute(params![clash_id, status.as_str(), by, timestamp(at_utc)]).map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Appends a row to a clash's status history; `run_id` is `None` for a person's change.
    #[allow(clippy::too_many_arguments, reason = "one parameter per column of the history row")]
    pub fn log_change(
        &self,
        clash_id: &str,
        run_id: Option<i64>,
        from: Option<Status>,
        to: Status,
        by: &str,
        at_utc: DateTime<Utc>,
        comment: Option<&str>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO status_changes (clash_id, run_id, from_status, to_status, by, at_utc, comment)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(|e| self.fail(e))?;
        stmt.execute(params![
            clash_id,
            run_id,
            from.map(|s| s.as_str()),
            to.as_str(),
            by,
            timestamp(at_utc),
            comment
        ])
        .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Adds a comment to a clash.
    pub fn insert_comment(&self, clash_id: &str, by: &str, text: &str, at_utc: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO comments (clash_id, by, at_utc, text) VALUES (?1, ?2, ?3, ?4)",
                params![clash_id, by, timestamp(at_utc), text],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    // --- Reads --------------------------------------------------------------------------------

    /// A clash's current status, or `None` when the history has never seen it.
    pub fn status_of(&self, clash_id: &str) -> Result<Option<Status>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT status FROM clashes WHERE id = ?1").map_err(|e| self.fail(e))?;
        let status: Option<String> =
            stmt.query_row([clash_id], |r| r.get(0)).optional().map_err(|e| self.fail(e))?;
        status.map(|s| parse_status(self.path, &s)).transpose()
    }

    /// The open (not resolved) clashes of a test, sorted by id.
    pub fn open_clashes_of_test(&self, test: &str) -> Result<Vec<OpenClash>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, status, a_global_id, b_global_id, a_file, b_file
                 FROM clashes WHERE test = ?1 AND status <> 'resolved' ORDER BY id",
            )
            .map_err(|e| self.fail(e))?;
        type Row = (String, String, String, String, String, String);
        let rows = stmt
            .query_map([test], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .map_err(|e| self.fail(e))?
            .collect::<rusqlite::Result<Vec<Row>>>()
            .map_err(|e| self.fail(e))?;
        rows.into_iter()
            .map(|(id, status, a_id, b_id, a_file, b_file)| {
                Ok(OpenClash {
                    id,
                    status: parse_status(self.path, &status)?,
                    global_ids: [a_id, b_id],
                    files: [a_file, b_file],
                })
            })
            .collect()
    }

    /// Every recorded run, oldest first.
    pub fn history(&self) -> Result<Vec<RunSummary>> {
        let fail = |e: rusqlite::Error| self.fail(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, started_utc, models, config, tests, clashes, new, active, reviewed, approved, resolved
                 FROM runs ORDER BY id",
            )
            .map_err(fail)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    [r.get::<_, i64>(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?],
                ))
            })
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        rows.into_iter()
            .map(|(run_id, started, models, config, tests, n)| {
                let list = |what: &str, text: &str| {
                    serde_json::from_str::<Vec<String>>(text)
                        .map_err(|e| self.corrupt(format!("run {run_id}: {what}: {e}")))
                };
                let count = |i: usize| {
                    usize::try_from(n[i]).map_err(|_| self.corrupt(format!("run {run_id}: negative count")))
                };
                Ok(RunSummary {
                    run_id,
                    started_utc: parse_time(self.path, &started)?,
                    models: list("models", &models)?,
                    config,
                    tests: list("tests", &tests)?,
                    clashes: count(0)?,
                    new: count(1)?,
                    active: count(2)?,
                    reviewed: count(3)?,
                    approved: count(4)?,
                    resolved: count(5)?,
                    unchecked: 0,
                })
            })
            .collect()
    }

    /// The status of every clash the history has seen, by id.
    pub fn statuses(&self) -> Result<BTreeMap<String, Status>> {
        let fail = |e: rusqlite::Error| self.fail(e);
        let mut stmt = self.conn.prepare("SELECT id, status FROM clashes ORDER BY id").map_err(fail)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        rows.into_iter().map(|(id, s)| Ok((id, parse_status(self.path, &s)?))).collect()
    }

    /// One clash, or `None` when the history has never seen it.
    pub fn clash(&self, clash_id: &str) -> Result<Option<StoredClash>> {
        Ok(self.select_clashes("WHERE id = ?1", [clash_id])?.pop())
    }

    /// The clashes of a group, by the group's BCF topic GUID (case-insensitive), sorted by id.
    pub fn clashes_in_group(&self, group_guid: &str) -> Result<Vec<StoredClash>> {
        self.select_clashes("WHERE lower(group_guid) = lower(?1)", [group_guid])
    }

    /// The clashes between two elements, in either order, of every test, sorted by id.
    pub fn clashes_between(&self, global_id_a: &str, global_id_b: &str) -> Result<Vec<StoredClash>> {
        self.select_clashes(
            "WHERE (a_global_id = ?1 AND b_global_id = ?2) OR (a_global_id = ?2 AND b_global_id = ?1)",
            [global_id_a, global_id_b],
        )
    }

    /// Every open (not resolved) clash, sorted by id.
    pub fn open_clashes(&self) -> Result<Vec<StoredClash>> {
        self.select_clashes("WHERE status <> 'resolved'", [])
    }

    /// A clash's comments, oldest first.
    pub fn comments(&self, clash_id: &str) -> Result<Vec<Comment>> {
        let fail = |e: rusqlite::Error| self.fail(e);
        let mut stmt = self
            .conn
            .prepare("SELECT clash_id, by, at_utc, text FROM comments WHERE clash_id = ?1 ORDER BY id")
            .map_err(fail)?;
        let rows = stmt
            .query_map([clash_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?))
            })
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        rows.into_iter()
            .map(|(clash_id, by, at, text)| {
                Ok(Comment { clash_id, by, at_utc: parse_time(self.path, &at)?, text })
            })
            .collect()
    }

    /// A clash's status history, oldest first: every automatic and manual change.
    pub fn status_history(&self, clash_id: &str) -> Result<Vec<StatusChange>> {
        let fail = |e: rusqlite::Error| self.fail(e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT clash_id, run_id, from_status, to_status, by, at_utc, comment
                 FROM status_changes WHERE clash_id = ?1 ORDER BY id",
            )
            .map_err(fail)?;
        type Row = (String, Option<i64>, Option<String>, String, String, String, Option<String>);
        let rows = stmt
            .query_map([clash_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<Row>>>()
            .map_err(fail)?;
        rows.into_iter()
            .map(|(clash_id, run_id, from, to, by, at, comment)| {
                Ok(StatusChange {
                    clash_id,
                    run_id,
                    from: from.map(|s| parse_status(self.path, &s)).transpose()?,
                    to: parse_status(self.path, &to)?,
                    by,
                    at_utc: parse_time(self.path, &at)?,
                    comment,
                })
            })
            .collect()
    }

    /// SQLite's own consistency check: `Ok(())` when `PRAGMA integrity_check` says "ok",
    /// otherwise [`StoreError::Corrupt`] with its findings.
    pub fn integrity_check(&self) -> Result<()> {
        let fail = |e: rusqlite::Error| self.fail(e);
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(fail)?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        if lines == ["ok"] {
            Ok(())
        } else {
            Err(self.corrupt(lines.join("; ")))
        }
    }

    fn select_clashes<P: rusqlite::Params>(&self, filter: &str, params: P) -> Result<Vec<StoredClash>> {
        let fail = |e: rusqlite::Error| self.fail(e);
        let sql = format!(
            "SELECT id, test, kind,
                a_global_id, a_class, a_name, a_file, a_storey,
                b_global_id, b_class, b_name, b_file, b_storey,
                group_id, group_guid, first_seen_run, last_seen_run,
                distance_m, point_x, point_y, point_z, status, status_by, status_utc
             FROM clashes {filter} ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(fail)?;
        type Raw = (StoredClash, String, String, String);
        let rows = stmt
            .query_map(params, |r| {
                let element = |i: usize| -> rusqlite::Result<StoredElement> {
                    Ok(StoredElement {
                        global_id: r.get(i)?,
                        class: r.get(i + 1)?,
                        name: r.get(i + 2)?,
                        file: r.get(i + 3)?,
                        storey: r.get(i + 4)?,
                    })
                };
                let real = |i: usize| -> rusqlite::Result<f64> {
                    Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(f64::NAN))
                };
                let clash = StoredClash {
                    id: r.get(0)?,
                    test: r.get(1)?,
                    kind: ClashKind::Hard,
                    a: element(3)?,
                    b: element(8)?,
                    group_id: r.get(13)?,
                    group_guid: r.get(14)?,
                    first_seen_run: r.get(15)?,
                    last_seen_run: r.get(16)?,
                    distance_m: real(17)?,
                    point: [real(18)?, real(19)?, real(20)?],
                    status: Status::New,
                    status_by: r.get(22)?,
                    status_utc: DateTime::<Utc>::MIN_UTC,
                };
                Ok((clash, r.get(2)?, r.get(21)?, r.get(23)?))
            })
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<Raw>>>()
            .map_err(fail)?;
        rows.into_iter()
            .map(|(mut c, kind, status, at)| {
                c.kind = ClashKind::parse(&kind)
                    .ok_or_else(|| self.corrupt(format!("clash {}: unknown kind '{kind}'", c.id)))?;
                c.status = parse_status(self.path, &status)?;
                c.status_utc = parse_time(self.path, &at)?;
                Ok(c)
            })
            .collect()
    }
}

/// Times are stored as RFC 3339 text in UTC with all nine fraction digits: readable in any
/// SQLite browser, read back exactly as given (the summary a run returns equals the one the
/// history lists later), and with a fixed width they sort as text in time order.
fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_time(path: &Path, text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("bad timestamp '{text}': {e}"),
    })
}

fn parse_status(path: &Path, text: &str) -> Result<Status> {
    Status::parse(text).ok_or_else(|| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("unknown status '{text}'"),
    })
}

/// SQLite has no NaN (it would store NULL anyway); saying so explicitly keeps the column honest.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
