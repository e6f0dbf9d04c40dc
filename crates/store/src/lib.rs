//! The clash history: every run, every clash ever found, its review status with the full history
//! of who changed it and why, and comments, in one SQLite file (`plumbline.db` by default) or in
//! a PostgreSQL database a team shares (a `postgresql://` location, see [`Store::open_location`]).
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
//! `queries`, `schema` and `pg_schema` know SQL; `backend` runs it on SQLite or PostgreSQL and
//! `open` connects, checks the markers and migrates. `revision` matches the elements of a model
//! revision to those the history knows (GlobalId, then class + name + geometry fingerprint).
//!
//! **Projects.** One database holds several projects (a programme of sites on one server): runs
//! and clashes belong to one, and clash numbers count per project. A clash is identified by its
//! project and its id: sites copied from one template share GlobalIds, so two projects find
//! clashes with the same id, and each keeps its own status, history and comments. Lookups by
//! id use the project [`Store::set_project`] chose, else the only project that has the id, and
//! answer [`StoreError::Ambiguous`] when several do. A run records into the
//! project [`Store::set_project`] chose, or else the one its rule file or models name
//! ([`RunMeta::default_project`]); a history from before projects is the project `default`, and
//! runs without a project keep recording into it while it is the only one.
//!
//! **Concurrency.** Every write (a run, a status, a comment) is one transaction that first takes
//! the database's single writer lock (SQLite's `BEGIN IMMEDIATE`, a PostgreSQL advisory lock),
//! then reads what it changes: two runs of different tests, a run and reviewers, two reviewers
//! on one clash all serialise, so no update is lost, numbers never repeat, and two writers can
//! never deadlock on each other's rows. Of two reviewers the later decision wins and both are in
//! the status history. Readers never wait (WAL; PostgreSQL's snapshots).

mod backend;
mod open;
mod pg_schema;
mod queries;
mod record;
mod report;
mod revision;
mod schema;
mod types;
mod workflow;

pub use open::{is_postgres_url, DEFAULT_CONNECT_TIMEOUT};
pub use pg_schema::PG_MIGRATIONS;
pub use revision::{ElementDigest, Revision};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use types::{
    Comment, Resolution, Review, ReviewUpdate, RunMeta, RunSummary, StatusChange, StoredClash, StoredElement,
    Unchecked,
};
pub use workflow::RUN_AUTHOR;
// The workflow's vocabulary, so that callers of the history need no second import for it.
pub use plumbline_review::{Report, Status};

use backend::{Conn, DbError};
use chrono::{DateTime, Utc};
use queries::Db;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
// The unit tests (`use super::*`) name clash kinds and SQLite connections through this module.
#[cfg(test)]
use plumbline_clash::ClashKind;
#[cfg(test)]
use rusqlite::Connection;

/// Why the history could not be read or written. Every message names the database file (or the
/// PostgreSQL URL, without its password).
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
        "{}: no clash '{id}'; name a clash by its number (`#12`, as reports show it) or its id (the `id` field of a run's JSON report); `plumbline history` lists the runs recorded here",
        path.display()
    )]
    UnknownClash { path: PathBuf, id: String },
    #[error(
        "{}: clash '{reference}' is in several projects ({}); choose one with --project",
        path.display(), projects.join(", ")
    )]
    Ambiguous { path: PathBuf, reference: String, projects: Vec<String> },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: database error: {source}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error(
        "{}: cannot reach the PostgreSQL server within {timeout_s} s ({detail}); is it running, and are host and port right?",
        path.display()
    )]
    Unreachable { path: PathBuf, timeout_s: f64, detail: String },
    #[error("{}: the PostgreSQL server refused the credentials: {detail}", path.display())]
    Auth { path: PathBuf, detail: String },
    #[error("{}: database error: {source}", path.display())]
    Postgres { path: PathBuf, source: postgres::Error },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open clash history database.
#[derive(Debug)]
pub struct Store {
    conn: Conn,
    path: PathBuf,
    /// The project runs record into and numbers are looked up in; `None`: see the crate docs.
    project: Option<String>,
}

impl Store {
    /// Opens the history at `path`, creating it when the file does not exist. A path that is a
    /// `postgresql://` URL opens that database instead (see [`Store::open_location`]).
    ///
    /// An SQLite history runs in WAL mode with `synchronous=FULL` (see `open.rs` for why); WAL
    /// needs a local file system, so a team that shares a history shares a PostgreSQL one.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        match path.to_str().filter(|p| open::is_postgres_url(p)) {
            Some(url) => Store::open_location(url),
            None => Ok(Store::new(open::sqlite(path, true)?, path.to_path_buf())),
        }
    }

    /// Opens an existing history; a missing file (or an empty PostgreSQL database) is
    /// [`StoreError::NotFound`] instead of a new empty history (for commands that only read or
    /// annotate the history).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        match path.to_str().filter(|p| open::is_postgres_url(p)) {
            Some(url) => Store::open_existing_location(url),
            None => Ok(Store::new(open::sqlite(path, false)?, path.to_path_buf())),
        }
    }

    /// Opens the history a `--db` value or `PLUMBLINE_DB` names: a `postgresql://` or
    /// `postgres://` URL (libpq's form; user, host, port, database and password may come from
    /// `PGUSER`, `PGHOST`, `PGPORT`, `PGDATABASE`, `PGPASSWORD` or `~/.pgpass`) or an SQLite file
    /// path. An empty PostgreSQL database becomes a history; one with other tables is refused.
    /// A server that does not answer within [`DEFAULT_CONNECT_TIMEOUT`] (or the URL's
    /// `connect_timeout`) is [`StoreError::Unreachable`]; refused credentials are
    /// [`StoreError::Auth`].
    pub fn open_location(location: &str) -> Result<Store> {
        if open::is_postgres_url(location) {
            Ok(Store::new(open::postgres(location, true)?, PathBuf::from(open::redact(location))))
        } else {
            Store::open(Path::new(location))
        }
    }

    /// As [`Store::open_location`], for a history that must exist already.
    pub fn open_existing_location(location: &str) -> Result<Store> {
        if open::is_postgres_url(location) {
            Ok(Store::new(open::postgres(location, false)?, PathBuf::from(open::redact(location))))
        } else {
            Store::open_existing(Path::new(location))
        }
    }

    /// A history that lives in memory only (tests, dry runs).
    pub fn open_in_memory() -> Result<Store> {
        Ok(Store::new(open::sqlite_in_memory()?, PathBuf::from(":memory:")))
    }

    fn new(conn: Conn, path: PathBuf) -> Store {
        Store { conn, path, project: None }
    }

    /// The database file, or the PostgreSQL URL without its password.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the history lives on a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        self.conn.backend() == backend::Backend::Postgres
    }

    /// Chooses the project that runs record into and that clash numbers are looked up in
    /// (`None`: the default of the crate docs). An empty or blank name is `None`.
    pub fn set_project(&mut self, project: Option<&str>) {
        self.project = project.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    }

    /// The project chosen with [`Store::set_project`].
    pub fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// Every project of the history with its number of runs, by name.
    pub fn projects(&self) -> Result<BTreeMap<String, usize>> {
        self.db().projects()
    }

    /// The project a run with `meta` records into: the chosen one, else the only project of a
    /// history from before projects (`default`), else the one its rule file or models name.
    pub fn project_for(&self, meta: &RunMeta) -> Result<String> {
        if let Some(p) = &self.project {
            return Ok(p.clone());
        }
        let projects = self.projects()?;
        if projects.len() == 1 && projects.contains_key(types::LEGACY_PROJECT) {
            return Ok(types::LEGACY_PROJECT.to_string());
        }
        Ok(meta.default_project())
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
        let (summary, ()) =
            self.record_revision_run_then(report, meta, unchecked, None, |_| Ok::<(), StoreError>(()))?;
        Ok(summary)
    }

    /// As [`Store::record_partial_run`], with `before_commit` run inside the run's transaction on
    /// the report with its statuses and numbers: the run is recorded only when it succeeds, and
    /// only then is `report` updated.
    pub fn record_partial_run_then<T, E: From<StoreError>>(
        &mut self,
        report: &mut Report,
        meta: &RunMeta,
        unchecked: &Unchecked,
        before_commit: impl FnOnce(&Report) -> Result<T, E>,
    ) -> Result<(RunSummary, T), E> {
        self.record_revision_run_then(report, meta, unchecked, None, before_commit)
    }

    /// As [`Store::record_partial_run_then`], for a run that knows its models' elements
    /// (`revision`, see [`Revision`]): a clash whose elements got new GlobalIds (a re-export)
    /// keeps its id's history, number and status under its new id; an open clash whose element
    /// is gone from the models is resolved as [`Resolution::ElementRemoved`]; the elements'
    /// states are kept, so a clash whose element changed since a person's decision is flagged
    /// ([`StoredClash::changed`]).
    pub fn record_revision_run_then<T, E: From<StoreError>>(
        &mut self,
        report: &mut Report,
        meta: &RunMeta,
        unchecked: &Unchecked,
        revision: Option<&Revision>,
        before_commit: impl FnOnce(&Report) -> Result<T, E>,
    ) -> Result<(RunSummary, T), E> {
        let project = self.project_for(meta)?;
        self.begin_write()?;
        let staged = (|| -> Result<(RunSummary, Report, T), E> {
            let db = self.db();
            let recorded = record::record(&db, report, meta, &project, unchecked, revision)?;
            let numbers = db.numbers(&project)?;
            let mut staged = report.clone();
            staged.apply_statuses(|id| recorded.statuses.get(id).copied());
            staged.apply_numbers(|id| numbers.get(id).copied());
            let out = before_commit(&staged)?;
            Ok((recorded.summary, staged, out))
        })();
        match staged {
            Ok((summary, staged, out)) => {
                self.commit()?;
                // Only after the commit: a failed run leaves the report as the engine made it.
                *report = staged;
                Ok((summary, out))
            }
            Err(e) => {
                self.conn.rollback();
                Err(e)
            }
        }
    }

    /// Sets a clash's status by hand and records who, when and why in its history. The clash is
    /// the one with this id in the chosen project ([`Store::set_project`]), else in the only
    /// project that has the id ([`StoreError::Ambiguous`] when several do). Any status
    /// may be set; `resolved` means "marked fixed" (a later run that finds it again makes it new).
    /// Setting the status a clash already has still adds a history entry: a confirmation, with
    /// its comment, is part of the record. The decision remembers the state of the clash's
    /// elements, so a later change to them flags the clash ([`StoredClash::changed`]).
    pub fn set_status(
        &mut self,
        clash_id: &str,
        status: Status,
        by: &str,
        comment: Option<&str>,
        at_utc: DateTime<Utc>,
    ) -> Result<StatusChange> {
        let by = self.require_name(by)?.to_string();
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let chosen = self.project.clone();
        let before = self.write(|db| {
            // Read under the writer lock: a second reviewer's decision lands after the first's,
            // and its `from` is the first's status.
            let project = known_project(db, chosen.as_deref(), clash_id)?;
            let Some(before) = db.status_of(&project, clash_id)? else {
                return Err(unknown(db, clash_id));
            };
            db.set_status(&project, clash_id, status, None, &by, at_utc, true)?;
            db.log_change(&project, clash_id, None, Some(before), status, &by, at_utc, comment)?;
            Ok(before)
        })?;
        Ok(StatusChange {
            clash_id: clash_id.to_string(),
            run_id: None,
            from: Some(before),
            to: status,
            by,
            at_utc,
            comment: comment.map(str::to_string),
        })
    }

    /// The id of the clash a person named by number (`#12`, `12`) or id; an unknown one is
    /// [`StoreError::UnknownClash`]. Numbers count per project, and sites copied from one
    /// template share ids: a reference that several projects have needs [`Store::set_project`]
    /// ([`StoreError::Ambiguous`]).
    pub fn resolve(&self, reference: &str) -> Result<String> {
        self.resolve_clash(reference).map(|(_, id)| id)
    }

    /// As [`Store::resolve`], with the clash's project: `(project, id)`, what identifies a clash.
    /// A caller that then names the clash by id chooses this project first
    /// ([`Store::set_project`]): another project may have a clash with the same id.
    pub fn resolve_clash(&self, reference: &str) -> Result<(String, String)> {
        let mut found = self.db().resolve(reference, self.project.as_deref())?;
        match found.len() {
            0 => Err(StoreError::UnknownClash { path: self.path.clone(), id: reference.trim().to_string() }),
            1 => Ok(found.remove(0)).map(|(id, project)| (project, id)),
            _ => Err(StoreError::Ambiguous {
                path: self.path.clone(),
                reference: reference.trim().to_string(),
                projects: found.into_iter().map(|(_, p)| p).collect(),
            }),
        }
    }

    /// Changes a clash's review fields (assignee, priority, due date, labels) and returns them
    /// as they are now. A change is also written into the clash's comments ("assigned to Li
    /// Wei; priority High"), so the record says who changed what when, and BCF exports carry it.
    pub fn set_review(
        &mut self,
        clash_id: &str,
        update: &ReviewUpdate,
        by: &str,
        at_utc: DateTime<Utc>,
    ) -> Result<Review> {
        let by = self.require_name(by)?.to_string();
        let chosen = self.project.clone();
        self.write(|db| {
            let project = known_project(db, chosen.as_deref(), clash_id)?;
            let Some(before) = db.clash(&project, clash_id)? else {
                return Err(unknown(db, clash_id));
            };
            let after = update.apply(&before.review);
            if after != before.review {
                db.set_review(&project, clash_id, &after)?;
                db.insert_comment(
                    &project,
                    clash_id,
                    &by,
                    &describe_review_change(&before.review, &after),
                    at_utc.fixed_offset(),
                )?;
            }
            Ok(after)
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
        self.add_comment_at(clash_id, by, text, at_utc.fixed_offset())
    }

    /// As [`Store::add_comment`], written at `at`, whose offset the history keeps for display
    /// (a comment imported from BCF at +08:00 is shown at +08:00).
    pub fn add_comment_at(
        &mut self,
        clash_id: &str,
        by: &str,
        text: &str,
        at: DateTime<chrono::FixedOffset>,
    ) -> Result<Comment> {
        let by = self.require_name(by)?.to_string();
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                message: "a comment needs some text".into(),
            });
        }
        let chosen = self.project.clone();
        self.write(|db| {
            let project = known_project(db, chosen.as_deref(), clash_id)?;
            if db.status_of(&project, clash_id)?.is_none() {
                return Err(unknown(db, clash_id));
            }
            db.insert_comment(&project, clash_id, &by, text, at)
        })?;
        Ok(Comment {
            clash_id: clash_id.to_string(),
            by,
            at_utc: at.with_timezone(&Utc),
            at,
            text: text.to_string(),
        })
    }

    /// Every recorded run, oldest first.
    pub fn history(&self) -> Result<Vec<RunSummary>> {
        self.db().history()
    }

    /// The runs of `project` (all projects with `None`) that started on or after `since`,
    /// oldest first: the trend `plumbline history` shows.
    pub fn trend(&self, project: Option<&str>, since: Option<DateTime<Utc>>) -> Result<Vec<RunSummary>> {
        let mut runs = self.history()?;
        runs.retain(|r| project.is_none_or(|p| r.project == p) && since.is_none_or(|s| r.started_utc >= s));
        Ok(runs)
    }

    /// A clash's current status, or `None` when the history has never seen it. Like every
    /// lookup by id, of the chosen project, else of the only project that has the id
    /// ([`StoreError::Ambiguous`] when several do).
    pub fn status_of(&self, clash_id: &str) -> Result<Option<Status>> {
        let db = self.db();
        match clash_project(&db, self.project.as_deref(), clash_id)? {
            Some(project) => db.status_of(&project, clash_id),
            None => Ok(None),
        }
    }

    /// The status of every clash of the chosen project, or of every project when none is
    /// chosen, by id. Without a chosen project, an id that several projects have is
    /// [`StoreError::Ambiguous`]; [`Store::statuses_by_project`] lists them all.
    pub fn statuses(&self) -> Result<BTreeMap<String, Status>> {
        let mut out: BTreeMap<String, Status> = BTreeMap::new();
        let mut projects: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (project, id, status) in self.db().statuses(self.project.as_deref())? {
            projects.entry(id.clone()).or_default().push(project);
            out.insert(id, status);
        }
        if let Some((id, projects)) = projects.into_iter().find(|(_, p)| p.len() > 1) {
            return Err(StoreError::Ambiguous { path: self.path.clone(), reference: id, projects });
        }
        Ok(out)
    }

    /// The status of every clash of the chosen project, or of all, by project and id.
    pub fn statuses_by_project(&self) -> Result<BTreeMap<(String, String), Status>> {
        let rows = self.db().statuses(self.project.as_deref())?;
        Ok(rows.into_iter().map(|(project, id, status)| ((project, id), status)).collect())
    }

    /// One clash (see [`Store::status_of`] for which), or `None` when the history has never
    /// seen it.
    pub fn clash(&self, clash_id: &str) -> Result<Option<StoredClash>> {
        let db = self.db();
        match clash_project(&db, self.project.as_deref(), clash_id)? {
            Some(project) => db.clash(&project, clash_id),
            None => Ok(None),
        }
    }

    /// The clashes of a group, by the group's BCF topic GUID (case-insensitive), of the chosen
    /// project or of all, sorted by id, then project. Each names its project
    /// ([`StoredClash::project`]): a caller that changes one chooses that project first.
    pub fn clashes_in_group(&self, group_guid: &str) -> Result<Vec<StoredClash>> {
        self.db().clashes_in_group(group_guid, self.project.as_deref())
    }

    /// The clashes between two elements, in either order, of every test, of the chosen project
    /// or of all, sorted by id, then project.
    pub fn clashes_between(&self, global_id_a: &str, global_id_b: &str) -> Result<Vec<StoredClash>> {
        self.db().clashes_between(global_id_a, global_id_b, self.project.as_deref())
    }

    /// A clash's comments (see [`Store::status_of`] for which clash), oldest first.
    pub fn comments(&self, clash_id: &str) -> Result<Vec<Comment>> {
        let db = self.db();
        match clash_project(&db, self.project.as_deref(), clash_id)? {
            Some(project) => db.comments(&project, clash_id),
            None => Ok(Vec::new()),
        }
    }

    /// Every clash the history holds open (any status but resolved), of the chosen project or
    /// of all, as a report the viewer and the report writers read: tests in name order, clashes
    /// grouped as the last run that found each grouped them. What the history does not keep is
    /// left plain: overlap boxes shrink to the clash point, element boxes are empty, test
    /// settings are zero, and each clash's explanation is a sentence built from what is stored.
    pub fn open_report(&self) -> Result<Report> {
        let db = self.db();
        let clashes = db.open_clashes(self.project.as_deref())?;
        let runs = db.history()?;
        let last = runs.iter().rev().find(|r| self.project.as_deref().is_none_or(|p| r.project == p));
        let models = last.map(|r| r.models.clone()).unwrap_or_default();
        Ok(report::open_report(clashes, models))
    }

    /// A clash's status history (see [`Store::status_of`] for which clash), oldest first: every
    /// automatic and manual change.
    pub fn status_history(&self, clash_id: &str) -> Result<Vec<StatusChange>> {
        let db = self.db();
        match clash_project(&db, self.project.as_deref(), clash_id)? {
            Some(project) => db.status_history(&project, clash_id),
            None => Ok(Vec::new()),
        }
    }

    /// The database's own consistency check: for SQLite `PRAGMA integrity_check` must say "ok";
    /// on both backends every clash must have a number unique in its project and every history
    /// row a clash. Otherwise [`StoreError::Corrupt`] with the findings.
    pub fn integrity_check(&self) -> Result<()> {
        let fail = |e: DbError| db_error(&self.path, e);
        let mut findings = Vec::new();
        if let Conn::Sqlite(_) = &self.conn {
            let lines = self.conn.query("PRAGMA integrity_check", &[]).map_err(fail)?;
            let lines: Vec<String> = lines.iter().filter_map(|r| r.text(0).ok()).collect();
            if lines != ["ok"] {
                findings.extend(lines);
            }
        }
        for (what, sql) in [
            (
                "clash numbers repeated within a project",
                "SELECT count(*) FROM (SELECT project, number FROM clashes WHERE number IS NOT NULL
                 GROUP BY project, number HAVING count(*) > 1) AS d",
            ),
            (
                "status history rows without their clash",
                "SELECT count(*) FROM status_changes s LEFT JOIN clashes c
                 ON c.project = s.project AND c.id = s.clash_id WHERE c.id IS NULL",
            ),
            (
                "comments without their clash",
                "SELECT count(*) FROM comments s LEFT JOIN clashes c
                 ON c.project = s.project AND c.id = s.clash_id WHERE c.id IS NULL",
            ),
        ] {
            let n =
                self.conn.query_one(sql, &[]).map_err(fail)?.map(|r| r.int(0)).transpose().map_err(fail)?;
            if n.unwrap_or(0) > 0 {
                findings.push(format!("{what}: {}", n.unwrap_or(0)));
            }
        }
        if findings.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Corrupt { path: self.path.clone(), detail: findings.join("; ") })
        }
    }

    /// Every clash the history holds, of every project, open or not, sorted by id, then project.
    pub fn all_clashes(&self) -> Result<Vec<StoredClash>> {
        self.db().all_clashes()
    }

    fn db(&self) -> Db<'_> {
        Db::new(&self.conn, &self.path)
    }

    fn begin_write(&self) -> Result<()> {
        self.conn.begin_write().map_err(|e| db_error(&self.path, e))
    }

    fn commit(&self) -> Result<()> {
        self.conn.commit().map_err(|e| {
            self.conn.rollback();
            db_error(&self.path, e)
        })
    }

    /// Runs `f` in a write transaction (see the crate docs on concurrency): all of it or none.
    fn write<T>(&mut self, f: impl FnOnce(&Db<'_>) -> Result<T>) -> Result<T> {
        self.begin_write()?;
        match f(&self.db()) {
            Ok(v) => {
                self.commit()?;
                Ok(v)
            }
            Err(e) => {
                self.conn.rollback();
                Err(e)
            }
        }
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
}

/// The project of clash `clash_id` for a lookup by id: the `chosen` one, else the only project
/// that has the id; `None` when none has it. Sites copied from one template share GlobalIds and
/// so clash ids: an id that several projects have names no clash until a project is chosen.
fn clash_project(db: &Db<'_>, chosen: Option<&str>, clash_id: &str) -> Result<Option<String>> {
    if let Some(project) = chosen {
        return Ok(Some(project.to_string()));
    }
    let mut projects = db.projects_of(clash_id)?;
    match projects.len() {
        0 => Ok(None),
        1 => Ok(projects.pop()),
        _ => Err(StoreError::Ambiguous {
            path: db.path().to_path_buf(),
            reference: clash_id.to_string(),
            projects,
        }),
    }
}

/// As [`clash_project`], for a change: an unknown clash is [`StoreError::UnknownClash`].
fn known_project(db: &Db<'_>, chosen: Option<&str>, clash_id: &str) -> Result<String> {
    clash_project(db, chosen, clash_id)?.ok_or_else(|| unknown(db, clash_id))
}

fn unknown(db: &Db<'_>, clash_id: &str) -> StoreError {
    StoreError::UnknownClash { path: db.path().to_path_buf(), id: clash_id.to_string() }
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

/// Either backend's error as the user's error.
fn db_error(path: &Path, e: DbError) -> StoreError {
    match e {
        DbError::Sqlite(e) => classify(path, e),
        DbError::Postgres(e) if e.is_closed() => StoreError::Unreachable {
            path: path.to_path_buf(),
            timeout_s: DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
            detail: format!("the connection was lost: {e}"),
        },
        DbError::Postgres(source) => StoreError::Postgres { path: path.to_path_buf(), source },
        DbError::Column(detail) => StoreError::Corrupt { path: path.to_path_buf(), detail },
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_pg;
#[cfg(test)]
mod tests_projects;
#[cfg(test)]
mod tests_revision;
#[cfg(test)]
mod tests_sqlite;

/// The comment that records a change of review fields, in the words a reviewer would write.
fn describe_review_change(before: &Review, after: &Review) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "nobody".into());
    let mut parts = Vec::new();
    if before.assigned_to != after.assigned_to {
        parts.push(format!("assigned to {}", text(&after.assigned_to)));
    }
    if before.priority != after.priority {
        parts.push(format!("priority {}", after.priority.as_deref().unwrap_or("none")));
    }
    if before.due_date != after.due_date {
        parts.push(match after.due_date {
            Some(d) => format!("due {d}"),
            None => "no due date".into(),
        });
    }
    if before.labels != after.labels {
        parts.push(if after.labels.is_empty() {
            "no labels".into()
        } else {
            format!("labels {}", after.labels.join(", "))
        });
    }
    parts.join("; ")
}
