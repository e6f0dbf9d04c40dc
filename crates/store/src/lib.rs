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
//!
//! **Layout.** `workflow` decides what a run does to each clash (a pure function, no I/O);
//! `record` asks it for every clash of a run and writes the answers through `queries`, which
//! holds every SQL statement apart from the layout and its migrations in `schema`; `types`
//! holds the public data types and `report` turns the open clashes back into a report. Only
//! `queries` and `schema` know SQL, so another database can stand behind the same [`Store`].

mod queries;
mod record;
mod report;
mod schema;
mod types;
mod workflow;

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use types::{Comment, RunMeta, RunSummary, StatusChange, StoredClash, StoredElement, Unchecked};
pub use workflow::RUN_AUTHOR;
// The workflow's vocabulary, so that callers of the history need no second import for it.
pub use plumbline_review::{Report, Status};

use chrono::{DateTime, Utc};
use queries::Db;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
// The unit tests (`use super::*`) name clash kinds through this module.
#[cfg(test)]
use plumbline_clash::ClashKind;

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
        // IMMEDIATE takes the write lock now: a second writer waits at the start instead of
        // failing halfway through with a lock upgrade conflict.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(&self.path, e))?;
        let recorded = record::record(&Db::new(&tx, &self.path), report, meta, unchecked)?;
        tx.commit().map_err(|e| classify(&self.path, e))?;
        // Only after the commit: a failed run leaves the report as the engine made it.
        report.apply_statuses(|id| recorded.statuses.get(id).copied());
        Ok(recorded.summary)
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(&self.path, e))?;
        let db = Db::new(&tx, &self.path);
        let Some(before) = db.status_of(clash_id)? else {
            return Err(StoreError::UnknownClash { path: self.path.clone(), id: clash_id.to_string() });
        };
        db.set_status(clash_id, status, by, at_utc)?;
        db.log_change(clash_id, None, Some(before), status, by, at_utc, comment)?;
        tx.commit().map_err(|e| classify(&self.path, e))?;
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
        self.db().insert_comment(clash_id, by, text, at_utc)?;
        Ok(Comment { clash_id: clash_id.to_string(), by: by.to_string(), at_utc, text: text.to_string() })
    }

    /// Every recorded run, oldest first.
    pub fn history(&self) -> Result<Vec<RunSummary>> {
        self.db().history()
    }

    /// A clash's current status, or `None` when the history has never seen it.
    pub fn status_of(&self, clash_id: &str) -> Result<Option<Status>> {
        self.db().status_of(clash_id)
    }

    /// The status of every clash the history has seen, by id.
    pub fn statuses(&self) -> Result<BTreeMap<String, Status>> {
        self.db().statuses()
    }

    /// One clash, or `None` when the history has never seen it.
    pub fn clash(&self, clash_id: &str) -> Result<Option<StoredClash>> {
        self.db().clash(clash_id)
    }

    /// The clashes of a group, by the group's BCF topic GUID (case-insensitive), sorted by id.
    pub fn clashes_in_group(&self, group_guid: &str) -> Result<Vec<StoredClash>> {
        self.db().clashes_in_group(group_guid)
    }

    /// The clashes between two elements, in either order, of every test, sorted by id.
    pub fn clashes_between(&self, global_id_a: &str, global_id_b: &str) -> Result<Vec<StoredClash>> {
        self.db().clashes_between(global_id_a, global_id_b)
    }

    /// A clash's comments, oldest first.
    pub fn comments(&self, clash_id: &str) -> Result<Vec<Comment>> {
        self.db().comments(clash_id)
    }

    /// Every clash the history holds open (any status but resolved), as a report the viewer
    /// and the report writers read: tests in name order, clashes grouped as the last run that
    /// found each grouped them. What the history does not keep is left plain: overlap boxes
    /// shrink to the clash point, element boxes are empty, test settings are zero, and each
    /// clash's explanation is a sentence built from what is stored.
    pub fn open_report(&self) -> Result<Report> {
        let db = self.db();
        let clashes = db.open_clashes()?;
        let models = db.history()?.last().map(|r| r.models.clone()).unwrap_or_default();
        Ok(report::open_report(clashes, models))
    }

    /// A clash's status history, oldest first: every automatic and manual change.
    pub fn status_history(&self, clash_id: &str) -> Result<Vec<StatusChange>> {
        self.db().status_history(clash_id)
    }

    /// SQLite's own consistency check: `Ok(())` when `PRAGMA integrity_check` says "ok",
    /// otherwise [`StoreError::Corrupt`] with its findings.
    pub fn integrity_check(&self) -> Result<()> {
        self.db().integrity_check()
    }

    fn db(&self) -> Db<'_> {
        Db::new(&self.conn, &self.path)
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

#[cfg(test)]
mod tests;
