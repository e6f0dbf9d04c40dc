//! The clash history: every run, every clash ever found, its review status with the full history
//! of who changed it and why, and comments, in one SQLite file (`plumbline.db` by default).
//!
//! The status workflow is the Navisworks one (see [`Status`]):
//! - a clash found for the first time is **new**;
//! - a new clash found again by the next run of its test becomes **active**; reviewed and
//!   approved clashes keep their status while they are still found;
//! - an open clash that a run of its test no longer finds is **resolved** automatically
//!   ("resolved by run N"); clashes of tests that did not run are left alone;
//! - a resolved clash found again is **new** again;
//! - people set any status with [`Store::set_status`]; approval records who and when.
//!
//! **Durability.** [`Store::record_run`] is one transaction: a run is recorded completely or not
//! at all, so killing the process mid-run never loses an earlier status or comment (a test
//! kills a writer with SIGKILL and checks). The database runs in WAL mode with
//! `synchronous=FULL`; see [`Store::open`] for why.
//!
//! **Determinism.** Every list this crate returns is sorted (runs by number, clashes by id,
//! history and comments in the order they were written). Timestamps are parameters, never read
//! from the clock here, so the same calls give the same database.

mod schema;

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
// The workflow's vocabulary, so that callers of the history need no second import for it.
pub use plumbline_review::{Report, Status};

use chrono::{DateTime, SecondsFormat, Utc};
use plumbline_clash::ClashKind;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Who a run's automatic status changes are attributed to in the history.
pub const RUN_AUTHOR: &str = "plumbline";

/// Why the history could not be read or written. Every message names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: no clash history here (a clash run with `--db {}` creates it)", path.display(), path.display())]
    NotFound { path: PathBuf },
    #[error("{}: cannot open the clash history: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("{}: not a Plumbline clash history ({reason}); choose another file with --db", path.display())]
    Foreign { path: PathBuf, reason: String },
    #[error(
        "{}: written by a newer Plumbline (history schema version {found}, this build reads up to {supported}); use a newer Plumbline",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("{}: the clash history is damaged: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{}: no clash with id '{id}'; clash ids are the `id` field of a run's JSON report (`plumbline clash … --json FILE`), and `plumbline history` lists the runs recorded here",
        path.display()
    )]
    UnknownClash { path: PathBuf, id: String },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: database error: {source}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What a run was, apart from its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMeta {
    pub started_utc: DateTime<Utc>,
    /// The model files, as given.
    pub models: Vec<String>,
    /// The rule file, when the run used one.
    pub config: Option<String>,
}

/// What a run could not look at: elements that were skipped while loading (their geometry
/// failed) and files that loaded only in part (truncated). A clash involving them that the run
/// did not find is not evidence that it was fixed, so it is not resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unchecked {
    /// GlobalIds of elements that were skipped.
    pub global_ids: BTreeSet<String>,
    /// Model files (as the report's elements name them) that loaded only in part.
    pub files: BTreeSet<String>,
}

impl Unchecked {
    /// What a loaded set could not offer: its skipped elements and the files with warnings.
    pub fn of_set(set: &plumbline_model::ModelSet) -> Unchecked {
        Unchecked {
            global_ids: set
                .models
                .iter()
                .flat_map(|m| m.failures.iter().map(|f| f.global_id.clone()))
                .collect(),
            files: set.models.iter().filter(|m| !m.warnings.is_empty()).map(|m| m.path.clone()).collect(),
        }
    }
}

/// One recorded run and what it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// The run number: 1 for the first run recorded in a database, then counting up.
    pub run_id: i64,
    pub started_utc: DateTime<Utc>,
    pub models: Vec<String>,
    pub config: Option<String>,
    /// The names of the tests that ran, in report order.
    pub tests: Vec<String>,
    /// Clashes found by the run.
    pub clashes: usize,
    /// Found clashes by their status after the run.
    pub new: usize,
    pub active: usize,
    pub reviewed: usize,
    pub approved: usize,
    /// Open clashes of the tests that ran that this run no longer found: resolved by it.
    /// (A resolved clash found again counts in `new`.)
    pub resolved: usize,
    /// Open clashes not found by this run that it could not have found, because an element or
    /// file of theirs was skipped while loading: left as they were instead of resolved. Known
    /// for the run just recorded; 0 when read back from the history.
    #[serde(skip_serializing_if = "is_zero")]
    pub unchecked: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A clash as the history knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredClash {
    pub id: String,
    pub test: String,
    pub kind: ClashKind,
    pub a: StoredElement,
    pub b: StoredElement,
    pub group_id: String,
    /// The BCF topic GUID of the clash's group.
    pub group_guid: Option<String>,
    pub first_seen_run: i64,
    pub last_seen_run: i64,
    /// As in the last run that found it (NaN when the engine gave no finite value).
    pub distance_m: f64,
    pub point: [f64; 3],
    pub status: Status,
    /// Who set the current status: a person, or [`RUN_AUTHOR`] for a run's automatic change.
    /// For an approved clash, who approved it.
    pub status_by: String,
    /// When the current status was set.
    pub status_utc: DateTime<Utc>,
}

/// One element of a stored clash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredElement {
    pub global_id: String,
    pub class: String,
    pub name: Option<String>,
    pub file: String,
    pub storey: Option<String>,
}

/// One entry of a clash's status history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    pub clash_id: String,
    /// The run that made the change; `None` when a person did.
    pub run_id: Option<i64>,
    /// `None` for the entry written when the clash was first seen.
    pub from: Option<Status>,
    pub to: Status,
    pub by: String,
    pub at_utc: DateTime<Utc>,
    pub comment: Option<String>,
}

/// A comment on a clash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub clash_id: String,
    pub by: String,
    pub at_utc: DateTime<Utc>,
    pub text: String,
}

/// An open clash history database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the history at `path`, creating it when the file does not exist.
    ///
    /// The journal is WAL with `synchronous=FULL`. WAL lets the viewer read the history while a
    /// clash run writes it, and a transaction that a crash interrupts is simply not in the log.
    /// With WAL, `synchronous=NORMAL` would already keep the file consistent, but it may lose
    /// the last commits on a power cut or an OS crash; those commits are people's review
    /// decisions (who approved what), and one fsync per commit costs nothing next to a clash
    /// run, so FULL it is. WAL needs a local file system: SQLite's shared-memory index does not
    /// work on network shares.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        if path.is_dir() {
            return Err(StoreError::Invalid {
                path: path.to_path_buf(),
                message: "is a directory, not a database file".into(),
            });
        }
        let conn =
            Connection::open(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Store::init(conn, path.to_path_buf())
    }

    /// Opens an existing history; a missing file is [`StoreError::NotFound`] instead of a new
    /// empty database (for commands that only read or annotate the history).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(StoreError::NotFound { path: path.to_path_buf() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Store::init(conn, path.to_path_buf())
    }

    /// A history that lives in memory only (tests, dry runs).
    pub fn open_in_memory() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let conn =
            Connection::open_in_memory().map_err(|source| StoreError::Open { path: path.clone(), source })?;
        Store::init(conn, path)
    }

    fn init(mut conn: Connection, path: PathBuf) -> Result<Store> {
        let fail = |e: rusqlite::Error| classify(&path, e);
        // Another process (the viewer, a second run) may hold the write lock briefly.
        conn.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
        // The markers are read before anything is written, so a foreign file stays untouched.
        let kind = schema::inspect(&conn).map_err(fail)?;
        let version = match kind {
            schema::Kind::Empty => 0,
            schema::Kind::Plumbline { version } if version > SCHEMA_VERSION => {
                return Err(StoreError::TooNew { path, found: version, supported: SCHEMA_VERSION });
            }
            schema::Kind::Plumbline { version } => version,
            schema::Kind::Foreign { application_id, tables } => {
                let reason = if application_id == 0 {
                    format!("an SQLite database with {tables} schema entries but no Plumbline marker")
                } else {
                    format!("an SQLite database of another application, application_id {application_id:#x}")
                };
                return Err(StoreError::Foreign { path, reason });
            }
        };
        // `journal_mode` answers with the mode it got; in memory that is "memory", not "wal".
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(fail)?;
        if path != Path::new(":memory:") && !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid {
                path,
                message: format!("SQLite refused WAL mode (got '{mode}'); is the file on a network share?"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(fail)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(fail)?;
        if version < SCHEMA_VERSION {
            schema::migrate(&mut conn).map_err(fail)?;
        }
        Ok(Store { conn, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records a run: every clash of the report gets its status (see the crate docs for the
    /// rules), open clashes of the tests that ran and were not found are resolved, and the
    /// resulting statuses are written into the report's clash records. One transaction: on any
    /// error nothing is recorded and the report is left unchanged.
    pub fn record_run(&mut self, report: &mut Report, meta: &RunMeta) -> Result<RunSummary> {
        self.record_partial_run(report, meta, &Unchecked::default())
    }

    /// As [`Store::record_run`], for a run that skipped part of its input: open clashes that
    /// were not found but involve an `unchecked` element or file keep their status (they are
    /// counted in [`RunSummary::unchecked`]) instead of being resolved.
    pub fn record_partial_run(
        &mut self,
        report: &mut Report,
        meta: &RunMeta,
        unchecked: &Unchecked,
    ) -> Result<RunSummary> {
        let at = timestamp(meta.started_utc);
        let tests: Vec<String> = report.tests.iter().map(|t| t.name.clone()).collect();
        let models_json = serde_json::to_string(&meta.models).unwrap_or_else(|_| "[]".into());
        let tests_json = serde_json::to_string(&tests).unwrap_or_else(|_| "[]".into());
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| classify(&path, e);

        // IMMEDIATE takes the write lock now: a second writer waits at the start instead of
        // failing halfway through with a lock upgrade conflict.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        tx.execute(
            "INSERT INTO runs (started_utc, models, config, tests, clashes, new, active, reviewed, approved, resolved)
             VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 0, 0, 0)",
            params![at, models_json, meta.config, tests_json],
        )
        .map_err(fail)?;
        let run_id = tx.last_insert_rowid();
        let resolved_comment = format!("resolved by run {run_id}");
        let found_again_comment = format!("found again by run {run_id}");

        let mut outcome: HashMap<String, Status> = HashMap::new();
        let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
        let mut resolved = 0usize;
        let mut kept_unchecked = 0usize;
        {
            let mut get_status =
                tx.prepare_cached("SELECT status FROM clashes WHERE id = ?1").map_err(fail)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO clashes (id, test, kind,
                        a_global_id, a_class, a_name, a_file, a_storey,
                        b_global_id, b_class, b_name, b_file, b_storey,
                        group_id, group_guid, first_seen_run, last_seen_run,
                        distance_m, point_x, point_y, point_z, status, status_by, status_utc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16,
                        ?17, ?18, ?19, ?20, 'new', ?21, ?22)",
                )
                .map_err(fail)?;
            // A clash found again gets the descriptive fields of this run (names and groups
            // change between model versions); its status changes only where the rules say so.
            let mut refresh = tx
                .prepare_cached(
                    "UPDATE clashes SET test = ?2, kind = ?3,
                        a_global_id = ?4, a_class = ?5, a_name = ?6, a_file = ?7, a_storey = ?8,
                        b_global_id = ?9, b_class = ?10, b_name = ?11, b_file = ?12, b_storey = ?13,
                        group_id = ?14, group_guid = ?15, last_seen_run = ?16,
                        distance_m = ?17, point_x = ?18, point_y = ?19, point_z = ?20
                     WHERE id = ?1",
                )
                .map_err(fail)?;
            let mut set = tx
                .prepare_cached(
                    "UPDATE clashes SET status = ?2, status_by = ?3, status_utc = ?4 WHERE id = ?1",
                )
                .map_err(fail)?;
            let mut log = tx
                .prepare_cached(
                    "INSERT INTO status_changes (clash_id, run_id, from_status, to_status, by, at_utc, comment)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(fail)?;

            for test in &report.tests {
                let guids: HashMap<&str, &str> =
                    test.groups.iter().map(|g| (g.id.as_str(), g.guid.as_str())).collect();
                for c in &test.clashes {
                    if outcome.contains_key(&c.id) {
                        // The engine never repeats an id; a hand-made report might, and the
                        // first record already decided the clash's status for this run.
                        continue;
                    }
                    let guid = guids.get(c.group.as_str()).copied();
                    let kind = kind_name(c.kind);
                    let distance = finite(c.distance_m);
                    let [px, py, pz] = c.point.map(finite);
                    let before: Option<String> =
                        get_status.query_row([&c.id], |r| r.get(0)).optional().map_err(fail)?;
                    let before = before.map(|s| parse_status(&path, &s)).transpose()?;
                    let after = match before {
                        None => {
                            insert
                                .execute(params![
                                    c.id,
                                    c.test,
                                    kind,
                                    c.a.global_id,
                                    c.a.class,
                                    c.a.name,
                                    c.a.file,
                                    c.a.storey,
                                    c.b.global_id,
                                    c.b.class,
                                    c.b.name,
                                    c.b.file,
                                    c.b.storey,
                                    c.group,
                                    guid,
                                    run_id,
                                    distance,
                                    px,
                                    py,
                                    pz,
                                    RUN_AUTHOR,
                                    at,
                                ])
                                .map_err(fail)?;
                            log.execute(params![
                                c.id,
                                run_id,
                                None::<&str>,
                                "new",
                                RUN_AUTHOR,
                                at,
                                None::<&str>
                            ])
                            .map_err(fail)?;
                            Status::New
                        }
                        Some(before) => {
                            refresh
                                .execute(params![
                                    c.id,
                                    c.test,
                                    kind,
                                    c.a.global_id,
                                    c.a.class,
                                    c.a.name,
                                    c.a.file,
                                    c.a.storey,
                                    c.b.global_id,
                                    c.b.class,
                                    c.b.name,
                                    c.b.file,
                                    c.b.storey,
                                    c.group,
                                    guid,
                                    run_id,
                                    distance,
                                    px,
                                    py,
                                    pz,
                                ])
                                .map_err(fail)?;
                            let (after, comment) = match before {
                                Status::Resolved => (Status::New, Some(found_again_comment.as_str())),
                                // Not resolved means every run of its test since it was last
                                // seen found it: it was in the previous run.
                                Status::New => (Status::Active, None),
                                other => (other, None),
                            };
                            if after != before {
                                set.execute(params![c.id, after.as_str(), RUN_AUTHOR, at]).map_err(fail)?;
                                log.execute(params![
                                    c.id,
                                    run_id,
                                    before.as_str(),
                                    after.as_str(),
                                    RUN_AUTHOR,
                                    at,
                                    comment
                                ])
                                .map_err(fail)?;
                            }
                            after
                        }
                    };
                    outcome.insert(c.id.clone(), after);
                    *counts.entry(after).or_default() += 1;
                }
            }

            // Open clashes of the tests that ran that this run did not find are gone. Tests that
            // did not run say nothing about their clashes, so those stay as they are.
            let ran: BTreeSet<&str> = report.tests.iter().map(|t| t.name.as_str()).collect();
            let mut open = tx
                .prepare_cached(
                    "SELECT id, status, a_global_id, b_global_id, a_file, b_file
                     FROM clashes WHERE test = ?1 AND status <> 'resolved' ORDER BY id",
                )
                .map_err(fail)?;
            for test in ran {
                let gone: Vec<(String, String, String, String, String, String)> = open
                    .query_map([test], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                    })
                    .map_err(fail)?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(fail)?;
                for (id, before, a_id, b_id, a_file, b_file) in
                    gone.into_iter().filter(|(id, ..)| !outcome.contains_key(id))
                {
                    let not_looked_at = [&a_id, &b_id].iter().any(|g| unchecked.global_ids.contains(*g))
                        || [&a_file, &b_file].iter().any(|f| unchecked.files.contains(*f));
                    if not_looked_at {
                        kept_unchecked += 1;
                        continue;
                    }
                    set.execute(params![id, "resolved", RUN_AUTHOR, at]).map_err(fail)?;
                    log.execute(params![id, run_id, before, "resolved", RUN_AUTHOR, at, resolved_comment])
                        .map_err(fail)?;
                    resolved += 1;
                }
            }
        }

        let count = |s: Status| counts.get(&s).copied().unwrap_or(0);
        let summary = RunSummary {
            run_id,
            started_utc: meta.started_utc,
            models: meta.models.clone(),
            config: meta.config.clone(),
            tests,
            clashes: outcome.len(),
            new: count(Status::New),
            active: count(Status::Active),
            reviewed: count(Status::Reviewed),
            approved: count(Status::Approved),
            resolved,
            unchecked: kept_unchecked,
        };
        tx.execute(
            "UPDATE runs SET clashes = ?2, new = ?3, active = ?4, reviewed = ?5, approved = ?6, resolved = ?7 WHERE id = ?1",
            params![
                run_id,
                summary.clashes as i64,
                summary.new as i64,
                summary.active as i64,
                summary.reviewed as i64,
                summary.approved as i64,
                summary.resolved as i64
            ],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;

        // Only after the commit: a failed run leaves the report as the engine made it.
        report.apply_statuses(|id| outcome.get(id).copied());
        Ok(summary)
    }

    /// Sets a clash's status by hand and records who, when and why in its history. Any status
    /// may be set; `resolved` means "marked fixed" (a later run that finds it again makes it new).
    /// Setting the status a clash already has still adds a history entry: a confirmation, with
    /// its comment, is part of the record.
    pub fn set_status(
        &mut self,
        clash_id: &str,
        status: Status,
        by: &str,
        comment: Option<&str>,
        at_utc: DateTime<Utc>,
    ) -> Result<StatusChange> {
        let by = self.require_name(by)?;
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let at = timestamp(at_utc);
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| classify(&path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        let before: Option<String> = tx
            .query_row("SELECT status FROM clashes WHERE id = ?1", [clash_id], |r| r.get(0))
            .optional()
            .map_err(fail)?;
        let Some(before) = before else {
            return Err(StoreError::UnknownClash { path, id: clash_id.to_string() });
        };
        let before = parse_status(&path, &before)?;
        tx.execute(
            "UPDATE clashes SET status = ?2, status_by = ?3, status_utc = ?4 WHERE id = ?1",
            params![clash_id, status.as_str(), by, at],
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT INTO status_changes (clash_id, run_id, from_status, to_status, by, at_utc, comment)
             VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6)",
            params![clash_id, before.as_str(), status.as_str(), by, at, comment],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(StatusChange {
            clash_id: clash_id.to_string(),
            run_id: None,
            from: Some(before),
            to: status,
            by: by.to_string(),
            at_utc,
            comment: comment.map(str::to_string),
        })
    }

    /// Adds a comment to a clash.
    pub fn add_comment(
        &mut self,
        clash_id: &str,
        by: &str,
        text: &str,
        at_utc: DateTime<Utc>,
    ) -> Result<Comment> {
        let by = self.require_name(by)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                message: "a comment needs some text".into(),
            });
        }
        self.require_clash(clash_id)?;
        self.conn
            .execute(
                "INSERT INTO comments (clash_id, by, at_utc, text) VALUES (?1, ?2, ?3, ?4)",
                params![clash_id, by, timestamp(at_utc), text],
            )
            .map_err(|e| classify(&self.path, e))?;
        Ok(Comment { clash_id: clash_id.to_string(), by: by.to_string(), at_utc, text: text.to_string() })
    }

    /// Every recorded run, oldest first.
    pub fn history(&self) -> Result<Vec<RunSummary>> {
        let fail = |e: rusqlite::Error| classify(&self.path, e);
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
                    started_utc: parse_time(&self.path, &started)?,
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

    /// A clash's current status, or `None` when the history has never seen it.
    pub fn status_of(&self, clash_id: &str) -> Result<Option<Status>> {
        let status: Option<String> = self
            .conn
            .query_row("SELECT status FROM clashes WHERE id = ?1", [clash_id], |r| r.get(0))
            .optional()
            .map_err(|e| classify(&self.path, e))?;
        status.map(|s| parse_status(&self.path, &s)).transpose()
    }

    /// The status of every clash the history has seen, by id.
    pub fn statuses(&self) -> Result<BTreeMap<String, Status>> {
        let fail = |e: rusqlite::Error| classify(&self.path, e);
        let mut stmt = self.conn.prepare("SELECT id, status FROM clashes ORDER BY id").map_err(fail)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(fail)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(fail)?;
        rows.into_iter().map(|(id, s)| Ok((id, parse_status(&self.path, &s)?))).collect()
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

    /// A clash's comments, oldest first.
    pub fn comments(&self, clash_id: &str) -> Result<Vec<Comment>> {
        let fail = |e: rusqlite::Error| classify(&self.path, e);
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
                Ok(Comment { clash_id, by, at_utc: parse_time(&self.path, &at)?, text })
            })
            .collect()
    }

    /// Every clash the history holds open (any status but resolved), as a report the viewer
    /// and the report writers read: tests in name order, clashes grouped as the last run that
    /// found each grouped them. What the history does not keep is left plain: overlap boxes
    /// shrink to the clash point, element boxes are empty, test settings are zero, and each
    /// clash's explanation is a sentence built from what is stored.
    pub fn open_report(&self) -> Result<Report> {
        use plumbline_review::{ClashRecord, ElementInfo, Group, TestReport, Text};
        let clashes = self.select_clashes("WHERE status <> 'resolved'", [])?;
        let models = self.history()?.last().map(|r| r.models.clone()).unwrap_or_default();
        let info = |e: &StoredElement| ElementInfo {
            global_id: e.global_id.clone(),
            class: e.class.clone(),
            name: e.name.clone(),
            file: e.file.clone(),
            storey: e.storey.clone(),
            aabb: plumbline_model::Aabb::EMPTY,
        };
        let mut tests: BTreeMap<String, TestReport> = BTreeMap::new();
        for c in clashes {
            let (a, b) = (info(&c.a), info(&c.b));
            let kind = kind_name(c.kind);
            let mm = c.distance_m * 1000.0;
            let explanation = Text {
                en: format!(
                    "{kind} clash between {} and {}, {mm:.1} mm (from the clash history)",
                    a.label(),
                    b.label()
                ),
                zh: format!("{} 与 {} 的{kind}碰撞，{mm:.1} 毫米（来自碰撞历史）", a.label(), b.label()),
            };
            let record = ClashRecord {
                id: c.id.clone(),
                test: c.test.clone(),
                kind: c.kind,
                distance_m: c.distance_m,
                hard: c.kind == ClashKind::Hard || c.kind == ClashKind::Time || c.distance_m < 0.0,
                exact: false,
                point: c.point,
                overlap_aabb: plumbline_model::Aabb { min: c.point, max: c.point },
                a,
                b,
                status: c.status,
                group: c.group_id.clone(),
                explanation,
            };
            let test = tests.entry(c.test.clone()).or_insert_with(|| TestReport {
                name: c.test.clone(),
                mode: String::new(),
                tolerance_m: 0.0,
                clearance_m: 0.0,
                zone: None,
                elements_a: 0,
                elements_b: 0,
                candidate_pairs: 0,
                clashes: Vec::new(),
                groups: Vec::new(),
            });
            match test.groups.iter_mut().find(|g| g.id == c.group_id) {
                Some(g) => {
                    g.clash_ids.push(c.id.clone());
                    g.aabb.grow(c.point);
                }
                None => {
                    let guid = c
                        .group_guid
                        .clone()
                        .unwrap_or_else(|| plumbline_review::stable_uuid(&[&c.test, &c.group_id]));
                    let title = record.a.label();
                    test.groups.push(Group {
                        id: c.group_id.clone(),
                        guid,
                        test: c.test.clone(),
                        key: c.group_id.clone(),
                        title: Text { en: format!("Near {title}"), zh: format!("{title} 附近") },
                        explanation: Text::default(),
                        clash_ids: vec![c.id.clone()],
                        aabb: plumbline_model::Aabb { min: c.point, max: c.point },
                        elements: Vec::new(),
                    });
                }
            }
            test.clashes.push(record);
        }
        let mut tests: Vec<TestReport> = tests.into_values().collect();
        for t in &mut tests {
            // Report order: by group, then by id, as the engine's reports are.
            t.groups.sort_by(|x, y| x.id.cmp(&y.id));
            t.clashes.sort_by(|x, y| (&x.group, &x.id).cmp(&(&y.group, &y.id)));
        }
        Ok(Report {
            models,
            grouping: plumbline_review::Grouping::default(),
            tests,
            timings: plumbline_review::Timings::default(),
        })
    }

    /// A clash's status history, oldest first: every automatic and manual change.
    pub fn status_history(&self, clash_id: &str) -> Result<Vec<StatusChange>> {
        let fail = |e: rusqlite::Error| classify(&self.path, e);
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
                    from: from.map(|s| parse_status(&self.path, &s)).transpose()?,
                    to: parse_status(&self.path, &to)?,
                    by,
                    at_utc: parse_time(&self.path, &at)?,
                    comment,
                })
            })
            .collect()
    }

    /// SQLite's own consistency check: `Ok(())` when `PRAGMA integrity_check` says "ok",
    /// otherwise [`StoreError::Corrupt`] with its findings.
    pub fn integrity_check(&self) -> Result<()> {
        let fail = |e: rusqlite::Error| classify(&self.path, e);
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
        let fail = |e: rusqlite::Error| classify(&self.path, e);
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
                c.kind = parse_kind(&kind)
                    .ok_or_else(|| self.corrupt(format!("clash {}: unknown kind '{kind}'", c.id)))?;
                c.status = parse_status(&self.path, &status)?;
                c.status_utc = parse_time(&self.path, &at)?;
                Ok(c)
            })
            .collect()
    }

    fn require_name<'a>(&self, by: &'a str) -> Result<&'a str> {
        let by = by.trim();
        if by.is_empty() {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                message: "the history records who made each change: give a name".into(),
            });
        }
        Ok(by)
    }

    fn require_clash(&self, clash_id: &str) -> Result<()> {
        match self.status_of(clash_id)? {
            Some(_) => Ok(()),
            None => Err(StoreError::UnknownClash { path: self.path.clone(), id: clash_id.to_string() }),
        }
    }

    fn corrupt(&self, detail: String) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), detail }
    }
}

/// Turns SQLite's answer into an error that says what it means for the user's file.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => {
            StoreError::Foreign { path, reason: "not an SQLite database".into() }
        }
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path, detail: e.to_string() },
        _ => StoreError::Sqlite { path, source: e },
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

fn kind_name(kind: ClashKind) -> &'static str {
    match kind {
        ClashKind::Hard => "hard",
        ClashKind::Clearance => "clearance",
        ClashKind::Duplicate => "duplicate",
        ClashKind::Time => "time",
    }
}

fn parse_kind(text: &str) -> Option<ClashKind> {
    [ClashKind::Hard, ClashKind::Clearance, ClashKind::Duplicate, ClashKind::Time]
        .into_iter()
        .find(|k| kind_name(*k) == text)
}

/// SQLite has no NaN (it would store NULL anyway); saying so explicitly keeps the column honest.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests;
