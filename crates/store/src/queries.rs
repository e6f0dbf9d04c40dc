//! Every SQL statement of the history (apart from the layouts in [`crate::schema`]): the reads
//! that turn rows into the crate's types and the writes that record runs, statuses and comments.
//! The statements only store and fetch; what a run changes is decided in [`crate::workflow`].
//! How values are stored (timestamps, statuses, clash kinds, non-finite numbers) is decided here
//! too, in one place. Each statement is written once and runs on both backends
//! ([`crate::backend`]): plain SQL that SQLite and PostgreSQL read alike.

use crate::backend::{values, Conn, DbError, Row, Value};
use crate::types::{
    Comment, Resolution, Review, RunMeta, RunSummary, StatusChange, StoredClash, StoredElement,
};
use crate::{db_error, Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use plumbline_clash::ClashKind;
use plumbline_review::{ClashRecord, Status};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The history's connection (inside a transaction or not) and the location every error names.
pub(crate) struct Db<'c> {
    conn: &'c Conn,
    path: &'c Path,
}

/// An open clash of a test as a run's resolution pass needs it: enough to tell whether the run
/// looked at it, and what its elements were.
#[derive(Debug, Clone)]
pub(crate) struct OpenClash {
    pub id: String,
    /// The stable key of its test.
    pub test: String,
    pub status: Status,
    pub global_ids: [String; 2],
    pub files: [String; 2],
    /// The elements' matching keys (class, name, geometry fingerprint) and positions when a run
    /// with a revision last found the clash.
    pub keys: [Option<String>; 2],
    pub orders: [Option<String>; 2],
}

/// What a run writes about the elements of a clash it found: their matching keys and states
/// (`None` for a run without a revision, which keeps what was stored).
#[derive(Debug, Clone, Default)]
pub(crate) struct ElementDigests {
    pub keys: [Option<String>; 2],
    pub states: [Option<String>; 2],
    pub orders: [Option<String>; 2],
}

/// The columns that a run writes for a clash it found, whether the clash is new to the history
/// or found again: parameters `?1` to `?27` of both [`INSERT_CLASH`] and [`REFRESH_CLASH`].
fn found_params(
    c: &ClashRecord,
    group_guid: Option<&str>,
    run_id: i64,
    digests: &ElementDigests,
) -> Vec<Value> {
    let [px, py, pz] = c.point.map(finite);
    let [ak, bk] = digests.keys.clone();
    let [ast, bst] = digests.states.clone();
    let [ao, bo] = digests.orders.clone();
    Vec::from(values![
        &c.id,
        test_key(c),
        c.kind.as_str(),
        &c.a.global_id,
        &c.a.class,
        c.a.name.clone(),
        &c.a.file,
        c.a.storey.clone(),
        &c.b.global_id,
        &c.b.class,
        c.b.name.clone(),
        &c.b.file,
        c.b.storey.clone(),
        &c.group,
        group_guid,
        run_id,
        finite(c.distance_m),
        px,
        py,
        pz,
        &c.test,
        ak,
        bk,
        ast,
        bst,
        ao,
        bo,
    ])
}

/// The test a clash belongs to in the history: its stable id, or its name for a report written
/// before tests had ids.
pub(crate) fn test_key(c: &ClashRecord) -> &String {
    if c.test_id.is_empty() {
        &c.test
    } else {
        &c.test_id
    }
}

/// A clash new to the history: first and last seen by this run (`?16`), then its project,
/// status, who set it and when (`?28`–`?31`), and the project's next clash number. Numbers are
/// never reused because clashes are never deleted, and the writer lock makes the `max` safe.
const INSERT_CLASH: &str = "INSERT INTO clashes (id, test, kind,
        a_global_id, a_class, a_name, a_file, a_storey,
        b_global_id, b_class, b_name, b_file, b_storey,
        group_id, group_guid, first_seen_run, last_seen_run,
        distance_m, point_x, point_y, point_z, test_name, a_key, b_key, a_state, b_state,
        a_order, b_order, project, status, status_by, status_utc, number)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16,
        ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
        (SELECT coalesce(max(number), 0) + 1 FROM clashes WHERE project = ?28))";

/// A clash of project `?28` found again gets the descriptive fields of this run (names and groups change between
/// model versions); its status is another statement's business. Keys and states stay when the
/// run brought none.
const REFRESH_CLASH: &str = "UPDATE clashes SET test = ?2, kind = ?3,
        a_global_id = ?4, a_class = ?5, a_name = ?6, a_file = ?7, a_storey = ?8,
        b_global_id = ?9, b_class = ?10, b_name = ?11, b_file = ?12, b_storey = ?13,
        group_id = ?14, group_guid = ?15, last_seen_run = ?16,
        distance_m = ?17, point_x = ?18, point_y = ?19, point_z = ?20, test_name = ?21,
        a_key = coalesce(?22, a_key), b_key = coalesce(?23, b_key),
        a_state = coalesce(?24, a_state), b_state = coalesce(?25, b_state),
        a_order = coalesce(?26, a_order), b_order = coalesce(?27, b_order)
     WHERE project = ?28 AND id = ?1";

const CLASH_COLUMNS: &str = "id, test, kind,
    a_global_id, a_class, a_name, a_file, a_storey,
    b_global_id, b_class, b_name, b_file, b_storey,
    group_id, group_guid, first_seen_run, last_seen_run,
    distance_m, point_x, point_y, point_z, status, status_by, status_utc,
    number, coalesce(test_name, test), assigned_to, priority, due_date, labels,
    project, resolution, reviewed_state, a_state, b_state";

const RUN_COLUMNS: &str = "id, started_utc, models, config, tests, clashes, new, active, reviewed, approved,
    resolved, project, element_removed";

impl<'c> Db<'c> {
    pub fn new(conn: &'c Conn, path: &'c Path) -> Db<'c> {
        Db { conn, path }
    }

    /// The location every error names.
    pub fn path(&self) -> &Path {
        self.path
    }

    fn fail(&self, e: DbError) -> StoreError {
        db_error(self.path, e)
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt { path: self.path.to_path_buf(), detail }
    }

    fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        self.conn.execute(sql, params).map_err(|e| self.fail(e))
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        self.conn.query(sql, params).map_err(|e| self.fail(e))
    }

    /// Reads a column, turning a type mismatch into a corruption report.
    fn col<T>(&self, r: std::result::Result<T, DbError>) -> Result<T> {
        r.map_err(|e| self.fail(e))
    }

    // --- Writes -------------------------------------------------------------------------------

    /// Adds a run of `project` with zero counts ([`Db::finish_run`] fills them in) and returns
    /// its number: the next after the highest, under the writer lock, so that a run rolled back
    /// leaves no gap (a PostgreSQL sequence would).
    pub fn insert_run(&self, meta: &RunMeta, project: &str, tests: &[String]) -> Result<i64> {
        let models_json = serde_json::to_string(&meta.models).unwrap_or_else(|_| "[]".into());
        let tests_json = serde_json::to_string(tests).unwrap_or_else(|_| "[]".into());
        let rows = self.query(
            "INSERT INTO runs (id, started_utc, models, config, tests, clashes, new, active, reviewed, approved,
                resolved, project, element_removed)
             VALUES ((SELECT coalesce(max(id), 0) + 1 FROM runs), ?1, ?2, ?3, ?4, 0, 0, 0, 0, 0, 0, ?5, 0)
             RETURNING id",
            &values![timestamp(meta.started_utc), models_json, meta.config.clone(), tests_json, project],
        )?;
        let row = rows.first().ok_or_else(|| self.corrupt("a new run got no number".into()))?;
        self.col(row.int(0))
    }

    /// Stores a run's counts.
    pub fn finish_run(&self, summary: &RunSummary) -> Result<()> {
        let n = |x: usize| Value::Int(x as i64);
        self.execute(
            "UPDATE runs SET clashes = ?2, new = ?3, active = ?4, reviewed = ?5, approved = ?6, resolved = ?7,
                element_removed = ?8 WHERE id = ?1",
            &[
                Value::Int(summary.run_id),
                n(summary.clashes),
                n(summary.new),
                n(summary.active),
                n(summary.reviewed),
                n(summary.approved),
                n(summary.resolved),
                n(summary.element_removed),
            ],
        )?;
        Ok(())
    }

    /// Adds a clash that run `run_id` of `project` found for the first time, with its status.
    #[allow(clippy::too_many_arguments, reason = "one parameter per column group of the new row")]
    pub fn insert_clash(
        &self,
        c: &ClashRecord,
        group_guid: Option<&str>,
        run_id: i64,
        digests: &ElementDigests,
        project: &str,
        status: Status,
        by: &str,
        at_utc: DateTime<Utc>,
    ) -> Result<()> {
        let mut params = found_params(c, group_guid, run_id, digests);
        params.extend(values![project, status.as_str(), by, timestamp(at_utc)]);
        self.execute(INSERT_CLASH, &params)?;
        Ok(())
    }

    /// Updates a known clash of `project` that run `run_id` found again; its status stays.
    pub fn refresh_clash(
        &self,
        c: &ClashRecord,
        group_guid: Option<&str>,
        run_id: i64,
        digests: &ElementDigests,
        project: &str,
    ) -> Result<()> {
        let mut params = found_params(c, group_guid, run_id, digests);
        params.push(Value::from(project));
        self.execute(REFRESH_CLASH, &params)?;
        Ok(())
    }

    /// Gives a clash of `project` a new id (its elements' GlobalIds were regenerated, so the engine's id for
    /// it changed): its number, status, history and comments move with it. The foreign keys are
    /// checked at commit, when every row points at the new id again.
    pub fn rename_clash(&self, project: &str, old_id: &str, new_id: &str) -> Result<()> {
        match self.conn.backend() {
            crate::backend::Backend::Sqlite => self.conn.batch("PRAGMA defer_foreign_keys = ON"),
            crate::backend::Backend::Postgres => self.conn.batch("SET CONSTRAINTS ALL DEFERRED"),
        }
        .map_err(|e| self.fail(e))?;
        for sql in [
            "UPDATE clashes SET id = ?2 WHERE project = ?3 AND id = ?1",
            "UPDATE status_changes SET clash_id = ?2 WHERE project = ?3 AND clash_id = ?1",
            "UPDATE comments SET clash_id = ?2 WHERE project = ?3 AND clash_id = ?1",
        ] {
            self.execute(sql, &values![old_id, new_id, project])?;
        }
        Ok(())
    }

    /// Sets the current status of clash `clash_id` of `project` and who set it when; `resolution` says why a resolved
    /// clash is resolved when a run knows (its element was removed). A person's decision also
    /// remembers the state of the elements it was made on (`reviewed`).
    #[allow(clippy::too_many_arguments, reason = "the clash's key, then one parameter per column set")]
    pub fn set_status(
        &self,
        project: &str,
        clash_id: &str,
        status: Status,
        resolution: Option<Resolution>,
        by: &str,
        at_utc: DateTime<Utc>,
        reviewed: bool,
    ) -> Result<()> {
        let sql = if reviewed {
            "UPDATE clashes SET status = ?2, status_by = ?3, status_utc = ?4, resolution = ?5,
                reviewed_state = CASE WHEN a_state IS NULL AND b_state IS NULL THEN NULL
                    ELSE coalesce(a_state, '') || '|' || coalesce(b_state, '') END
             WHERE project = ?6 AND id = ?1"
        } else {
            "UPDATE clashes SET status = ?2, status_by = ?3, status_utc = ?4, resolution = ?5
             WHERE project = ?6 AND id = ?1"
        };
        self.execute(
            sql,
            &values![
                clash_id,
                status.as_str(),
                by,
                timestamp(at_utc),
                resolution.map(Resolution::as_str),
                project
            ],
        )?;
        Ok(())
    }

    /// Appends a row to a clash's status history; `run_id` is `None` for a person's change.
    #[allow(clippy::too_many_arguments, reason = "one parameter per column of the history row")]
    pub fn log_change(
        &self,
        project: &str,
        clash_id: &str,
        run_id: Option<i64>,
        from: Option<Status>,
        to: Status,
        by: &str,
        at_utc: DateTime<Utc>,
        comment: Option<&str>,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO status_changes (clash_id, run_id, from_status, to_status, by, at_utc, comment, project)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &values![
                clash_id,
                run_id,
                from.map(|s| s.as_str()),
                to.as_str(),
                by,
                timestamp(at_utc),
                comment,
                project
            ],
        )?;
        Ok(())
    }

    /// Adds a comment to a clash.
    ///
    /// The time keeps the offset it was written at (a BCF comment from Shanghai reads 17:00
    /// +08:00, not 09:00 UTC); the column is named for UTC, which every comment had before, and
    /// RFC 3339 with an offset reads back as the same moment.
    pub fn insert_comment(
        &self,
        project: &str,
        clash_id: &str,
        by: &str,
        text: &str,
        at: DateTime<chrono::FixedOffset>,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO comments (clash_id, by, at_utc, text, project) VALUES (?1, ?2, ?3, ?4, ?5)",
            &values![clash_id, by, at.to_rfc3339_opts(SecondsFormat::Nanos, true), text, project],
        )?;
        Ok(())
    }

    /// Writes a clash's review fields (all of them: the caller merged the change).
    pub fn set_review(&self, project: &str, clash_id: &str, review: &Review) -> Result<()> {
        let labels = serde_json::to_string(&review.labels).unwrap_or_else(|_| "[]".into());
        let due = review.due_date.map(|d| d.format("%Y-%m-%d").to_string());
        self.execute(
            "UPDATE clashes SET assigned_to = ?2, priority = ?3, due_date = ?4, labels = ?5
             WHERE project = ?6 AND id = ?1",
            &values![clash_id, review.assigned_to.clone(), review.priority.clone(), due, labels, project],
        )?;
        Ok(())
    }

    // --- Reads --------------------------------------------------------------------------------

    /// The ids of the clashes a person named: `#12` is a clash number, `12` a number or else an
    /// id (a 16-digit id can be all digits), anything else an id. Numbers count per project, so
    /// a number names one clash in each project that has it, and an id too (sites copied from one
    /// template share GlobalIds): `project` narrows the search.
    pub fn resolve(&self, reference: &str, project: Option<&str>) -> Result<Vec<(String, String)>> {
        let reference = reference.trim();
        let (digits, only_number) = match reference.strip_prefix('#') {
            Some(rest) => (rest, true),
            None => (reference, false),
        };
        let number = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<i64>().ok())
            .flatten();
        if let Some(n) = number {
            let rows = self.query(
                "SELECT id, project FROM clashes WHERE number = ?1 AND (?2 = '' OR project = ?2) ORDER BY project",
                &values![n, project.unwrap_or("")],
            )?;
            if !rows.is_empty() {
                return rows.iter().map(|r| Ok((self.col(r.text(0))?, self.col(r.text(1))?))).collect();
            }
        }
        if only_number {
            return Ok(Vec::new());
        }
        let rows = self.query(
            "SELECT id, project FROM clashes WHERE id = ?1 AND (?2 = '' OR project = ?2) ORDER BY project",
            &values![reference, project.unwrap_or("")],
        )?;
        rows.iter().map(|r| Ok((self.col(r.text(0))?, self.col(r.text(1))?))).collect()
    }

    /// The number of every clash of `project` the history has numbered, by id.
    pub fn numbers(&self, project: &str) -> Result<BTreeMap<String, u64>> {
        let rows = self.query(
            "SELECT id, number FROM clashes WHERE project = ?1 AND number IS NOT NULL",
            &values![project],
        )?;
        let mut out = BTreeMap::new();
        for r in rows {
            if let Ok(n) = u64::try_from(self.col(r.int(1))?) {
                out.insert(self.col(r.text(0))?, n);
            }
        }
        Ok(out)
    }

    /// The projects that have a clash with this id, by name.
    pub fn projects_of(&self, clash_id: &str) -> Result<Vec<String>> {
        let rows =
            self.query("SELECT project FROM clashes WHERE id = ?1 ORDER BY project", &values![clash_id])?;
        rows.iter().map(|r| self.col(r.text(0))).collect()
    }

    /// The current status of clash `clash_id` of `project`, or `None` when the history has never
    /// seen it there.
    pub fn status_of(&self, project: &str, clash_id: &str) -> Result<Option<Status>> {
        let row = self.conn.query_one(
            "SELECT status FROM clashes WHERE project = ?1 AND id = ?2",
            &values![project, clash_id],
        );
        match row.map_err(|e| self.fail(e))? {
            Some(r) => Ok(Some(parse_status(self.path, &self.col(r.text(0))?)?)),
            None => Ok(None),
        }
    }

    /// The status of every clash of the given tests of `project`, by id: what a run needs to
    /// know about the clashes it may find, in one query per test instead of one per clash.
    /// Another project's clash with the same id is another clash.
    pub fn known_clashes(&self, project: &str, tests: &[String]) -> Result<HashMap<String, Status>> {
        let mut out = HashMap::new();
        for test in tests {
            let rows = self.query(
                "SELECT id, status FROM clashes WHERE project = ?1 AND test = ?2",
                &values![project, test],
            )?;
            for r in rows {
                let status = parse_status(self.path, &self.col(r.text(1))?)?;
                out.insert(self.col(r.text(0))?, status);
            }
        }
        Ok(out)
    }

    /// The open (not resolved) clashes of a test of `project`, sorted by id.
    pub fn open_clashes_of_test(&self, project: &str, test: &str) -> Result<Vec<OpenClash>> {
        let rows = self.query(
            "SELECT id, status, a_global_id, b_global_id, a_file, b_file, a_key, b_key, a_order, b_order
             FROM clashes WHERE project = ?1 AND test = ?2 AND status <> 'resolved' ORDER BY id",
            &values![project, test],
        )?;
        rows.iter()
            .map(|r| {
                Ok(OpenClash {
                    id: self.col(r.text(0))?,
                    test: test.to_string(),
                    status: parse_status(self.path, &self.col(r.text(1))?)?,
                    global_ids: [self.col(r.text(2))?, self.col(r.text(3))?],
                    files: [self.col(r.text(4))?, self.col(r.text(5))?],
                    keys: [self.col(r.opt_text(6))?, self.col(r.opt_text(7))?],
                    orders: [self.col(r.opt_text(8))?, self.col(r.opt_text(9))?],
                })
            })
            .collect()
    }

    /// Every element GlobalId that a clash of `project` names: the elements the history knows.
    pub fn known_global_ids(&self, project: &str) -> Result<std::collections::BTreeSet<String>> {
        let rows = self.query(
            "SELECT a_global_id FROM clashes WHERE project = ?1 UNION SELECT b_global_id FROM clashes WHERE project = ?1",
            &values![project],
        )?;
        rows.iter().map(|r| self.col(r.text(0))).collect()
    }

    /// Every project with its number of runs, by name.
    pub fn projects(&self) -> Result<BTreeMap<String, usize>> {
        let rows = self.query(
            "SELECT project, count(*) FROM runs GROUP BY project UNION ALL
             SELECT project, 0 FROM clashes GROUP BY project",
            &[],
        )?;
        let mut out = BTreeMap::new();
        for r in rows {
            *out.entry(self.col(r.text(0))?).or_insert(0) +=
                usize::try_from(self.col(r.int(1))?).unwrap_or(0);
        }
        Ok(out)
    }

    /// Every recorded run, oldest first.
    pub fn history(&self) -> Result<Vec<RunSummary>> {
        let rows = self.query(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id"), &[])?;
        rows.iter().map(|r| self.run_summary(r)).collect()
    }

    fn run_summary(&self, r: &Row) -> Result<RunSummary> {
        let run_id = self.col(r.int(0))?;
        let list = |what: &str, text: String| {
            serde_json::from_str::<Vec<String>>(&text)
                .map_err(|e| self.corrupt(format!("run {run_id}: {what}: {e}")))
        };
        let count = |i: usize| -> Result<usize> {
            usize::try_from(self.col(r.int(i))?)
                .map_err(|_| self.corrupt(format!("run {run_id}: negative count")))
        };
        Ok(RunSummary {
            run_id,
            project: self.col(r.text(11))?,
            started_utc: parse_time(self.path, &self.col(r.text(1))?)?,
            models: list("models", self.col(r.text(2))?)?,
            config: self.col(r.opt_text(3))?,
            tests: list("tests", self.col(r.text(4))?)?,
            clashes: count(5)?,
            new: count(6)?,
            active: count(7)?,
            reviewed: count(8)?,
            approved: count(9)?,
            resolved: count(10)?,
            element_removed: count(12)?,
            unchecked: 0,
        })
    }

    /// The status of every clash the history has seen, of `project` or of all, as (project,
    /// id, status), sorted by id, then project.
    pub fn statuses(&self, project: Option<&str>) -> Result<Vec<(String, String, Status)>> {
        let rows = self.query(
            "SELECT project, id, status FROM clashes WHERE (?1 = '' OR project = ?1) ORDER BY id, project",
            &values![project.unwrap_or("")],
        )?;
        rows.iter()
            .map(|r| {
                Ok((
                    self.col(r.text(0))?,
                    self.col(r.text(1))?,
                    parse_status(self.path, &self.col(r.text(2))?)?,
                ))
            })
            .collect()
    }

    /// Clash `clash_id` of `project`, or `None` when the history has never seen it there.
    pub fn clash(&self, project: &str, clash_id: &str) -> Result<Option<StoredClash>> {
        Ok(self.select_clashes("WHERE project = ?1 AND id = ?2", &values![project, clash_id])?.pop())
    }

    /// The clashes of a group, by the group's BCF topic GUID (case-insensitive), of `project` or
    /// of all, sorted by id, then project.
    pub fn clashes_in_group(&self, group_guid: &str, project: Option<&str>) -> Result<Vec<StoredClash>> {
        self.select_clashes(
            "WHERE lower(group_guid) = lower(?1) AND (?2 = '' OR project = ?2)",
            &values![group_guid, project.unwrap_or("")],
        )
    }

    /// The clashes between two elements, in either order, of every test, of `project` or of
    /// all, sorted by id, then project.
    pub fn clashes_between(
        &self,
        global_id_a: &str,
        global_id_b: &str,
        project: Option<&str>,
    ) -> Result<Vec<StoredClash>> {
        self.select_clashes(
            "WHERE ((a_global_id = ?1 AND b_global_id = ?2) OR (a_global_id = ?2 AND b_global_id = ?1))
               AND (?3 = '' OR project = ?3)",
            &values![global_id_a, global_id_b, project.unwrap_or("")],
        )
    }

    /// Every clash, sorted by id, then project.
    pub fn all_clashes(&self) -> Result<Vec<StoredClash>> {
        self.select_clashes("", &[])
    }

    /// Every open (not resolved) clash, sorted by id, then project; of one project when `project` is given.
    pub fn open_clashes(&self, project: Option<&str>) -> Result<Vec<StoredClash>> {
        self.select_clashes(
            "WHERE status <> 'resolved' AND (?1 = '' OR project = ?1)",
            &values![project.unwrap_or("")],
        )
    }

    /// The comments of clash `clash_id` of `project`, oldest first.
    pub fn comments(&self, project: &str, clash_id: &str) -> Result<Vec<Comment>> {
        let rows = self.query(
            "SELECT clash_id, by, at_utc, text FROM comments WHERE project = ?1 AND clash_id = ?2 ORDER BY id",
            &values![project, clash_id],
        )?;
        rows.iter()
            .map(|r| {
                let written = self.col(r.text(2))?;
                let at = DateTime::parse_from_rfc3339(&written).map_err(|e| StoreError::Corrupt {
                    path: self.path.to_path_buf(),
                    detail: format!("bad timestamp '{written}': {e}"),
                })?;
                Ok(Comment {
                    clash_id: self.col(r.text(0))?,
                    by: self.col(r.text(1))?,
                    at_utc: at.with_timezone(&Utc),
                    at,
                    text: self.col(r.text(3))?,
                })
            })
            .collect()
    }

    /// The status history of clash `clash_id` of `project`, oldest first: every automatic and
    /// manual change.
    pub fn status_history(&self, project: &str, clash_id: &str) -> Result<Vec<StatusChange>> {
        let rows = self.query(
            "SELECT clash_id, run_id, from_status, to_status, by, at_utc, comment
             FROM status_changes WHERE project = ?1 AND clash_id = ?2 ORDER BY id",
            &values![project, clash_id],
        )?;
        rows.iter()
            .map(|r| {
                Ok(StatusChange {
                    clash_id: self.col(r.text(0))?,
                    run_id: self.col(r.opt_int(1))?,
                    from: self.col(r.opt_text(2))?.map(|s| parse_status(self.path, &s)).transpose()?,
                    to: parse_status(self.path, &self.col(r.text(3))?)?,
                    by: self.col(r.text(4))?,
                    at_utc: parse_time(self.path, &self.col(r.text(5))?)?,
                    comment: self.col(r.opt_text(6))?,
                })
            })
            .collect()
    }

    fn select_clashes(&self, filter: &str, params: &[Value]) -> Result<Vec<StoredClash>> {
        let rows = self
            .query(&format!("SELECT {CLASH_COLUMNS} FROM clashes {filter} ORDER BY id, project"), params)?;
        rows.iter().map(|r| self.stored_clash(r)).collect()
    }

    fn stored_clash(&self, r: &Row) -> Result<StoredClash> {
        let element = |i: usize| -> Result<StoredElement> {
            Ok(StoredElement {
                global_id: self.col(r.text(i))?,
                class: self.col(r.text(i + 1))?,
                name: self.col(r.opt_text(i + 2))?,
                file: self.col(r.text(i + 3))?,
                storey: self.col(r.opt_text(i + 4))?,
            })
        };
        let real = |i: usize| -> Result<f64> { Ok(self.col(r.opt_real(i))?.unwrap_or(f64::NAN)) };
        let id = self.col(r.text(0))?;
        let kind = self.col(r.text(2))?;
        let kind = ClashKind::parse(&kind)
            .ok_or_else(|| self.corrupt(format!("clash {id}: unknown kind '{kind}'")))?;
        let due_date = self
            .col(r.opt_text(28))?
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|e| self.corrupt(format!("clash {id}: bad due date '{d}': {e}")))
            })
            .transpose()?;
        let labels = serde_json::from_str(&self.col(r.text(29))?)
            .map_err(|e| self.corrupt(format!("clash {id}: labels: {e}")))?;
        let resolution = self.col(r.opt_text(31))?.and_then(|s| Resolution::parse(&s));
        let reviewed_state = self.col(r.opt_text(32))?;
        let current_state = format!(
            "{}|{}",
            self.col(r.opt_text(33))?.unwrap_or_default(),
            self.col(r.opt_text(34))?.unwrap_or_default()
        );
        Ok(StoredClash {
            number: self.col(r.opt_int(24))?.and_then(|n| u64::try_from(n).ok()),
            test_id: self.col(r.text(1))?,
            test: self.col(r.text(25))?,
            kind,
            a: element(3)?,
            b: element(8)?,
            group_id: self.col(r.text(13))?,
            group_guid: self.col(r.opt_text(14))?,
            first_seen_run: self.col(r.int(15))?,
            last_seen_run: self.col(r.int(16))?,
            distance_m: real(17)?,
            point: [real(18)?, real(19)?, real(20)?],
            status: parse_status(self.path, &self.col(r.text(21))?)?,
            status_by: self.col(r.text(22))?,
            status_utc: parse_time(self.path, &self.col(r.text(23))?)?,
            review: Review {
                assigned_to: self.col(r.opt_text(26))?,
                priority: self.col(r.opt_text(27))?,
                due_date,
                labels,
            },
            project: self.col(r.text(30))?,
            resolution,
            changed: reviewed_state.is_some_and(|s| s != current_state),
            id,
        })
    }
}

/// Times are stored as RFC 3339 text in UTC with all nine fraction digits: readable in any
/// database browser, read back exactly as given (the summary a run returns equals the one the
/// history lists later), and with a fixed width they sort as text in time order.
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
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

/// Neither database keeps NaN faithfully (SQLite stores NULL anyway); saying so explicitly keeps
/// the column honest.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}
