//! Opening a history: an SQLite file (the default) or a PostgreSQL database named by a
//! `postgresql://` (or `postgres://`) URL, and the checks both make before anything is written
//! (ours? how old?), then the migrations.
//!
//! A PostgreSQL URL takes libpq's forms (`postgresql://user@host:port/dbname?connect_timeout=5`
//! and its query parameters); what it leaves out comes from the environment as libpq would take
//! it (`PGUSER`, `PGHOST`, `PGPORT`, `PGDATABASE`, then the password from `PGPASSWORD` or the
//! password file, `PGPASSFILE` or `~/.pgpass`). The connection gives up after
//! [`DEFAULT_CONNECT_TIMEOUT`] unless the URL says otherwise.

use crate::backend::{Conn, DbError, PgConn};
use crate::schema::{self, Kind, SCHEMA_VERSION};
use crate::{pg_schema, StoreError};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long opening a PostgreSQL history waits for its server.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `location` names a PostgreSQL database rather than an SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("postgresql://") || lower.starts_with("postgres://")
}

/// The URL as messages show it: without its password.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}{}", &url[..scheme_end + 3], &authority[..colon], &rest[at..])
        }
        _ => url.to_string(),
    }
}

/// Opens (and, with `create`, initialises) the SQLite history at `path`.
pub fn sqlite(path: &Path, create: bool) -> Result<Conn, StoreError> {
    if path.is_dir() {
        return Err(StoreError::Invalid {
            path: path.to_path_buf(),
            message: "is a directory, not a database file".into(),
        });
    }
    let conn = if create {
        Connection::open(path)
    } else {
        if !path.exists() {
            return Err(StoreError::NotFound { path: path.to_path_buf() });
        }
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Connection::open_with_flags(path, flags)
    };
    let conn = conn.map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    sqlite_init(conn, path.to_path_buf())
}

/// A history in memory only.
pub fn sqlite_in_memory() -> Result<Conn, StoreError> {
    let path = PathBuf::from(":memory:");
    let conn =
        Connection::open_in_memory().map_err(|source| StoreError::Open { path: path.clone(), source })?;
    sqlite_init(conn, path)
}

/// The journal is WAL with `synchronous=FULL`. WAL lets the viewer read the history while a
/// clash run writes it, and a transaction that a crash interrupts is simply not in the log. With
/// WAL, `synchronous=NORMAL` would already keep the file consistent, but it may lose the last
/// commits on a power cut or an OS crash; those commits are people's review decisions (who
/// approved what), and one fsync per commit costs nothing next to a clash run, so FULL it is. WAL
/// needs a local file system: SQLite's shared-memory index does not work on network shares.
fn sqlite_init(mut conn: Connection, path: PathBuf) -> Result<Conn, StoreError> {
    let fail = |e: rusqlite::Error| crate::classify(&path, e);
    // Another process (the viewer, a second run) may hold the write lock for a whole run.
    conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
    conn.set_prepared_statement_cache_capacity(64);
    // The markers are read before anything is written, so a foreign file stays untouched.
    let version =
        checked_version(&path, schema::inspect_snapshot(&mut conn).map_err(fail)?, "an SQLite database")?;
    // `journal_mode` answers with the mode it got; in memory that is "memory", not "wal".
    let mode = wal_mode(&conn, BUSY_TIMEOUT).map_err(fail)?;
    if path != Path::new(":memory:") && !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Invalid {
            path,
            message: format!("SQLite refused WAL mode (got '{mode}'); is the file on a network share?"),
        });
    }
    conn.pragma_update(None, "synchronous", "FULL").map_err(fail)?;
    conn.pragma_update(None, "foreign_keys", true).map_err(fail)?;
    if version < SCHEMA_VERSION {
        // New or older: `migrate` takes the write lock before it looks again, so of two
        // processes creating the same file at once, one creates it and the other finds it made.
        schema::migrate(&mut conn, |kind| checked_version(&path, kind, "an SQLite database"), fail)?;
    }
    Ok(Conn::Sqlite(conn))
}

/// How long opening and writing wait for another process's lock: it may hold the write lock
/// for a whole run.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Switches the file to WAL and answers the mode it got. The switch needs the file to itself for
/// a moment, and SQLite answers `SQLITE_BUSY` at once, without its busy handler, while another
/// connection reads or writes it (several processes opening a new history at once): so it is
/// retried, up to `timeout`, as the busy handler would wait. Once in WAL the mode is kept in the
/// file and the pragma no longer needs the lock.
fn wal_mode(conn: &Connection, timeout: Duration) -> rusqlite::Result<String> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < timeout =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            answer => return answer,
        }
    }
}

/// What the markers allow: the version to migrate from, or the refusal.
fn checked_version(path: &Path, kind: Kind, what: &str) -> Result<i64, StoreError> {
    match kind {
        Kind::Empty => Ok(0),
        Kind::Plumbline { version } if version > SCHEMA_VERSION => {
            Err(StoreError::TooNew { path: path.to_path_buf(), found: version, supported: SCHEMA_VERSION })
        }
        Kind::Plumbline { version } => Ok(version),
        Kind::Foreign { application_id, tables } => {
            let reason = if application_id == 0 {
                format!("{what} with {tables} schema entries but no Plumbline marker")
            } else {
                format!("{what} of another application, application_id {application_id:#x}")
            };
            Err(StoreError::Foreign { path: path.to_path_buf(), reason })
        }
    }
}

/// Connects to the PostgreSQL history at `url`; with `create`, an empty database becomes a
/// history, otherwise it is [`StoreError::NotFound`].
pub fn postgres(url: &str, create: bool) -> Result<Conn, StoreError> {
    let shown = PathBuf::from(redact(url));
    let mut config: postgres::Config = url.trim().parse().map_err(|e| StoreError::Invalid {
        path: shown.clone(),
        message: format!("not a PostgreSQL URL: {e}"),
    })?;
    fill_from_environment(&mut config);
    let client = config.connect(postgres::NoTls).map_err(|e| connect_error(&shown, &config, e))?;
    let conn = Conn::Postgres(Box::new(PgConn::new(client)));
    let fail = |e: DbError| crate::db_error(&shown, e);
    let kind = pg_schema::inspect(&conn).map_err(fail)?;
    if kind == Kind::Empty && !create {
        return Err(StoreError::NotFound { path: shown });
    }
    let version = checked_version(&shown, kind, "a PostgreSQL database")?;
    if version < SCHEMA_VERSION {
        pg_schema::migrate(&conn).map_err(fail)?;
    }
    Ok(conn)
}

/// Fills in what libpq would take from the environment when the URL leaves it out.
fn fill_from_environment(config: &mut postgres::Config) {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        let host = env("PGHOST").unwrap_or_else(|| "localhost".into());
        config.host(&host);
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT").and_then(|p| p.parse().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        if let Some(user) = env("PGUSER").or_else(|| env("USER")).or_else(|| env("LOGNAME")) {
            config.user(&user);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(db) = env("PGDATABASE") {
            config.dbname(&db);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("plumbline");
    }
    if config.get_password().is_none() {
        if let Some(password) = env("PGPASSWORD").or_else(|| pgpass_lookup(config)) {
            config.password(password);
        }
    }
}

/// The password the password file gives for this host, port, database and user: the first line
/// that matches, `*` matching anything, as libpq reads it.
fn pgpass_lookup(config: &postgres::Config) -> Option<String> {
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let user = config.get_user().unwrap_or_default().to_string();
    let db = config.get_dbname().map_or_else(|| user.clone(), str::to_string);
    pgpass_find(&text, [&host, &port, &db, &user])
}

/// Finds the password for `[host, port, database, user]` in a password file's text.
pub(crate) fn pgpass_find(text: &str, want: [&str; 4]) -> Option<String> {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            return None;
        }
        let matches = fields[..4].iter().zip(want).all(|(f, w)| f == "*" || f == w);
        matches.then(|| fields[4].clone())
    })
}

/// Splits a password file line at unescaped colons, undoing `\:` and `\\`.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), fields.last_mut()) {
                    last.push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// Names what went wrong while connecting: credentials, a database that does not exist, or a
/// server that could not be reached in time.
fn connect_error(shown: &Path, config: &postgres::Config, e: postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let path = shown.to_path_buf();
    let detail = error_chain(&e);
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
            return StoreError::Auth { path, detail: db.message().to_string() };
        }
        if *code == SqlState::INVALID_CATALOG_NAME {
            return StoreError::Invalid {
                path,
                message: format!(
                    "the server has no database '{}' (create it first, e.g. `createdb`)",
                    config.get_dbname().unwrap_or_default()
                ),
            };
        }
        return StoreError::Postgres { path, source: e };
    }
    if detail.contains("password missing") {
        return StoreError::Auth {
            path,
            detail: "the server asks for a password: give it in PGPASSWORD or ~/.pgpass".into(),
        };
    }
    let timeout = config.get_connect_timeout().copied().unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    StoreError::Unreachable { path, timeout_s: timeout.as_secs_f64(), detail }
}

/// An error and its causes in one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognised_and_shown_without_their_password() {
        assert!(is_postgres_url("postgresql://li@db/plumbline"));
        assert!(is_postgres_url("Postgres://db"));
        assert!(!is_postgres_url("plumbline.db"));
        assert!(!is_postgres_url("./postgres/plumbline.db"));
        assert_eq!(redact("postgresql://li:s3cret@db:5433/p?x=1"), "postgresql://li@db:5433/p?x=1");
        assert_eq!(redact("postgresql://li@db/p"), "postgresql://li@db/p");
        assert_eq!(redact("postgresql://db:5432/p"), "postgresql://db:5432/p");
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let text = "# comment\ndb:5432:other:li:wrong\n*:5432:plumbline:li:pa\\:ss\n*:*:*:*:fallback\n";
        assert_eq!(pgpass_find(text, ["db", "5432", "plumbline", "li"]).as_deref(), Some("pa:ss"));
        assert_eq!(pgpass_find(text, ["db", "5432", "other", "li"]).as_deref(), Some("wrong"));
        assert_eq!(pgpass_find(text, ["x", "1", "y", "z"]).as_deref(), Some("fallback"));
        assert_eq!(pgpass_find("a:b:c\n", ["a", "b", "c", "d"]), None);
    }
}
