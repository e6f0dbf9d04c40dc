//! The database layout and the checks that decide whether a file is ours and how old it is.
//!
//! A Plumbline history database carries two markers in its header: `application_id` (the
//! constant [`APPLICATION_ID`]) says that Plumbline wrote it, and `user_version` says which
//! version of the layout below it has. Opening checks both before anything is written, so a
//! foreign SQLite file is never changed by accident and a file from a newer Plumbline is refused
//! instead of being misread.

use rusqlite::Connection;

/// `PRAGMA application_id` of a Plumbline history database: "PLBL" in ASCII.
pub const APPLICATION_ID: i32 = 0x504C_424C;

/// The layout version this build writes and reads ([`MIGRATIONS`] has one entry per version).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The statements that bring a database from version `i` to `i + 1`. Entries are only ever
/// appended: a released entry never changes, because databases in the field already ran it.
pub const MIGRATIONS: [&str; 4] = [
    r#"
CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,   -- the run number that `plumbline history` shows
    started_utc  TEXT NOT NULL,         -- RFC 3339, UTC
    models       TEXT NOT NULL,         -- JSON array of the model paths, as given
    config       TEXT,                  -- the rule file, when there was one
    tests        TEXT NOT NULL,         -- JSON array of the names of the tests that ran
    clashes      INTEGER NOT NULL,      -- clashes found
    new          INTEGER NOT NULL,      -- found clashes by their status after the run
    active       INTEGER NOT NULL,
    reviewed     INTEGER NOT NULL,
    approved     INTEGER NOT NULL,
    resolved     INTEGER NOT NULL       -- open clashes this run no longer found
) STRICT;

CREATE TABLE clashes (
    id             TEXT PRIMARY KEY,    -- the engine's stable id (test name + GlobalId pair)
    test           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    a_global_id    TEXT NOT NULL,
    a_class        TEXT NOT NULL,
    a_name         TEXT,
    a_file         TEXT NOT NULL,
    a_storey       TEXT,
    b_global_id    TEXT NOT NULL,
    b_class        TEXT NOT NULL,
    b_name         TEXT,
    b_file         TEXT NOT NULL,
    b_storey       TEXT,
    group_id       TEXT NOT NULL,
    group_guid     TEXT,                -- the BCF topic GUID of the group
    first_seen_run INTEGER NOT NULL REFERENCES runs(id),
    last_seen_run  INTEGER NOT NULL REFERENCES runs(id),
    distance_m     REAL,                -- NULL only when the engine gave no finite value
    point_x        REAL,
    point_y        REAL,
    point_z        REAL,
    status         TEXT NOT NULL
        CHECK (status IN ('new', 'active', 'reviewed', 'approved', 'resolved')),
    status_by      TEXT NOT NULL,       -- who set the status ("plumbline" for a run)
    status_utc     TEXT NOT NULL        -- when
) STRICT;
CREATE INDEX clashes_by_test ON clashes(test, status);
CREATE INDEX clashes_by_group ON clashes(group_guid);
CREATE INDEX clashes_by_a ON clashes(a_global_id);
CREATE INDEX clashes_by_b ON clashes(b_global_id);

CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    clash_id    TEXT NOT NULL REFERENCES clashes(id),
    run_id      INTEGER REFERENCES runs(id),   -- the run that made the change; NULL for a person
    from_status TEXT,                          -- NULL when the clash was first seen
    to_status   TEXT NOT NULL,
    by          TEXT NOT NULL,
    at_utc      TEXT NOT NULL,
    comment     TEXT
) STRICT;
CREATE INDEX status_changes_by_clash ON status_changes(clash_id, id);

CREATE TABLE comments (
    id       INTEGER PRIMARY KEY,
    clash_id TEXT NOT NULL REFERENCES clashes(id),
    by       TEXT NOT NULL,
    at_utc   TEXT NOT NULL,
    text     TEXT NOT NULL
) STRICT;
CREATE INDEX comments_by_clash ON comments(clash_id, id);
"#,
    // Version 2: clash numbers people can say (`#12`), given in the order clashes were first
    // seen and never reused; `test` becomes the test's stable id (`id` in the rule file, which
    // defaults to the name, so existing rows already hold it) with the display name beside it;
    // and the review fields that BCF carries.
    r#"
ALTER TABLE clashes ADD COLUMN number INTEGER;
ALTER TABLE clashes ADD COLUMN test_name TEXT;
ALTER TABLE clashes ADD COLUMN assigned_to TEXT;
ALTER TABLE clashes ADD COLUMN priority TEXT;
ALTER TABLE clashes ADD COLUMN due_date TEXT;          -- ISO 8601 date
ALTER TABLE clashes ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';  -- JSON array of strings
UPDATE clashes SET test_name = test, number = (
    SELECT count(*) FROM clashes AS c
    WHERE c.first_seen_run < clashes.first_seen_run
       OR (c.first_seen_run = clashes.first_seen_run AND c.id <= clashes.id));
CREATE UNIQUE INDEX clashes_by_number ON clashes(number);
"#,
    // Version 3: several projects in one history (numbers count per project; a history from
    // before projects is the project `default`), why a resolved clash is resolved (its element
    // was removed), and what model revisions need: each element's matching key (class, name,
    // geometry fingerprint), position (the order in which copies sharing a key are paired) and
    // state as the last run that found the clash saw them, and the
    // state a person's last decision was made on (a clash whose elements changed since is
    // flagged).
    r#"
ALTER TABLE runs ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
ALTER TABLE runs ADD COLUMN element_removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clashes ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
ALTER TABLE clashes ADD COLUMN resolution TEXT;      -- 'element-removed' when a run knows why
ALTER TABLE clashes ADD COLUMN a_key TEXT;
ALTER TABLE clashes ADD COLUMN b_key TEXT;
ALTER TABLE clashes ADD COLUMN a_state TEXT;
ALTER TABLE clashes ADD COLUMN b_state TEXT;
ALTER TABLE clashes ADD COLUMN a_order TEXT;
ALTER TABLE clashes ADD COLUMN b_order TEXT;
ALTER TABLE clashes ADD COLUMN reviewed_state TEXT;
DROP INDEX clashes_by_number;
CREATE UNIQUE INDEX clashes_by_project_number ON clashes(project, number);
DROP INDEX clashes_by_test;
CREATE INDEX clashes_by_test ON clashes(test, project, status);
CREATE INDEX runs_by_project ON runs(project, id);
"#,
    // Version 4: a clash is identified by its project and its id. Sites copied from one
    // template share GlobalIds, so two projects of one history find clashes with the same id;
    // each keeps its own status, history and comments. SQLite cannot change a primary key in
    // place, so the three tables are rebuilt, copied and swapped in; history rows and comments
    // take their clash's project. The migration runs in one transaction (`migrate`), so a
    // failure anywhere leaves version 3 as it was.
    r#"
CREATE TABLE clashes_v4 (
    project        TEXT NOT NULL,
    id             TEXT NOT NULL,       -- the engine's stable id (test + GlobalId pair)
    test           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    a_global_id    TEXT NOT NULL,
    a_class        TEXT NOT NULL,
    a_name         TEXT,
    a_file         TEXT NOT NULL,
    a_storey       TEXT,
    b_global_id    TEXT NOT NULL,
    b_class        TEXT NOT NULL,
    b_name         TEXT,
    b_file         TEXT NOT NULL,
    b_storey       TEXT,
    group_id       TEXT NOT NULL,
    group_guid     TEXT,
    first_seen_run INTEGER NOT NULL REFERENCES runs(id),
    last_seen_run  INTEGER NOT NULL REFERENCES runs(id),
    distance_m     REAL,
    point_x        REAL,
    point_y        REAL,
    point_z        REAL,
    status         TEXT NOT NULL
        CHECK (status IN ('new', 'active', 'reviewed', 'approved', 'resolved')),
    status_by      TEXT NOT NULL,
    status_utc     TEXT NOT NULL,
    number         INTEGER,
    test_name      TEXT,
    assigned_to    TEXT,
    priority       TEXT,
    due_date       TEXT,
    labels         TEXT NOT NULL DEFAULT '[]',
    resolution     TEXT,
    a_key          TEXT,
    b_key          TEXT,
    a_state        TEXT,
    b_state        TEXT,
    a_order        TEXT,
    b_order        TEXT,
    reviewed_state TEXT,
    PRIMARY KEY (project, id)
) STRICT;
INSERT INTO clashes_v4 (project, id, test, kind,
    a_global_id, a_class, a_name, a_file, a_storey, b_global_id, b_class, b_name, b_file, b_storey,
    group_id, group_guid, first_seen_run, last_seen_run, distance_m, point_x, point_y, point_z,
    status, status_by, status_utc, number, test_name, assigned_to, priority, due_date, labels,
    resolution, a_key, b_key, a_state, b_state, a_order, b_order, reviewed_state)
SELECT project, id, test, kind,
    a_global_id, a_class, a_name, a_file, a_storey, b_global_id, b_class, b_name, b_file, b_storey,
    group_id, group_guid, first_seen_run, last_seen_run, distance_m, point_x, point_y, point_z,
    status, status_by, status_utc, number, test_name, assigned_to, priority, due_date, labels,
    resolution, a_key, b_key, a_state, b_state, a_order, b_order, reviewed_state
FROM clashes;

CREATE TABLE status_changes_v4 (
    id          INTEGER PRIMARY KEY,
    project     TEXT NOT NULL,
    clash_id    TEXT NOT NULL,
    run_id      INTEGER REFERENCES runs(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    by          TEXT NOT NULL,
    at_utc      TEXT NOT NULL,
    comment     TEXT,
    FOREIGN KEY (project, clash_id) REFERENCES clashes_v4(project, id)
) STRICT;
-- A row whose clash is missing keeps a NULL project and fails the NOT NULL check: the
-- migration stops rather than lose it.
INSERT INTO status_changes_v4 (id, project, clash_id, run_id, from_status, to_status, by, at_utc, comment)
SELECT s.id, (SELECT c.project FROM clashes AS c WHERE c.id = s.clash_id), s.clash_id, s.run_id,
    s.from_status, s.to_status, s.by, s.at_utc, s.comment
FROM status_changes AS s;

CREATE TABLE comments_v4 (
    id       INTEGER PRIMARY KEY,
    project  TEXT NOT NULL,
    clash_id TEXT NOT NULL,
    by       TEXT NOT NULL,
    at_utc   TEXT NOT NULL,
    text     TEXT NOT NULL,
    FOREIGN KEY (project, clash_id) REFERENCES clashes_v4(project, id)
) STRICT;
INSERT INTO comments_v4 (id, project, clash_id, by, at_utc, text)
SELECT m.id, (SELECT c.project FROM clashes AS c WHERE c.id = m.clash_id), m.clash_id, m.by, m.at_utc, m.text
FROM comments AS m;

-- Children first: dropping a table with foreign keys on deletes its rows, and no row may
-- point at a clash that is gone.
DROP TABLE comments;
DROP TABLE status_changes;
DROP TABLE clashes;
-- Renaming rewrites the references of the new tables to the final name.
ALTER TABLE clashes_v4 RENAME TO clashes;
ALTER TABLE status_changes_v4 RENAME TO status_changes;
ALTER TABLE comments_v4 RENAME TO comments;
CREATE UNIQUE INDEX clashes_by_project_number ON clashes(project, number);
CREATE INDEX clashes_by_test ON clashes(test, project, status);
CREATE INDEX clashes_by_id ON clashes(id);
CREATE INDEX clashes_by_group ON clashes(group_guid);
CREATE INDEX clashes_by_a ON clashes(a_global_id);
CREATE INDEX clashes_by_b ON clashes(b_global_id);
CREATE INDEX status_changes_by_project_clash ON status_changes(project, clash_id, id);
CREATE INDEX comments_by_project_clash ON comments(project, clash_id, id);
"#,
];

/// What the header and the table list say about an open database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No tables and no markers: a new file (or an empty one) that we may initialise.
    Empty,
    /// Ours, at this layout version.
    Plumbline { version: i64 },
    /// Another application's database (or a hand-made one): never touched.
    Foreign { application_id: i32, tables: i64 },
}

/// Reads the markers. The first read of a file that is not SQLite at all fails here with
/// `SQLITE_NOTADB`, which the caller turns into an error naming the file. The three reads must
/// see one state of the file: run them inside a transaction ([`inspect_snapshot`], or the write
/// transaction of [`migrate`]); read one by one, they could see the markers of an empty file and
/// then the tables that another process's migration committed meanwhile, and call the file
/// foreign.
pub fn inspect(conn: &Connection) -> rusqlite::Result<Kind> {
    let application_id: i32 = conn.pragma_query_one(None, "application_id")?;
    let version: i64 = conn.pragma_query_one(None, "user_version")?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(match application_id {
        0 if tables == 0 && version == 0 => Kind::Empty,
        APPLICATION_ID => Kind::Plumbline { version },
        _ => Kind::Foreign { application_id, tables },
    })
}

/// [`inspect`] inside a read transaction: one consistent view of the file, taking no write lock,
/// so opening an up-to-date history never waits for a run that is writing it.
pub fn inspect_snapshot(conn: &mut Connection) -> rusqlite::Result<Kind> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
    let kind = inspect(&tx)?;
    tx.commit()?;
    Ok(kind)
}

/// Brings the database to [`SCHEMA_VERSION`]: takes the write lock (`BEGIN IMMEDIATE`) first,
/// then inspects the markers again and asks `check` for the version to start from (the caller's
/// refusals of foreign and newer files apply to what is there now: another process may have
/// created or upgraded the file since the caller's first look). The migrations and the markers
/// are one transaction, so an interrupted or failed upgrade leaves the old version intact.
pub fn migrate<E>(
    conn: &mut Connection,
    check: impl Fn(Kind) -> Result<i64, E>,
    fail: impl Fn(rusqlite::Error) -> E,
) -> Result<(), E> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(&fail)?;
    let from = check(inspect(&tx).map_err(&fail)?)?;
    if from >= SCHEMA_VERSION {
        // The other process did the work meanwhile; dropping `tx` rolls back the empty
        // transaction.
        return Ok(());
    }
    for sql in MIGRATIONS.iter().skip(from.max(0) as usize) {
        tx.execute_batch(sql).map_err(&fail)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(&fail)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(&fail)?;
    tx.commit().map_err(&fail)
}
