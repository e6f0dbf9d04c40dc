//! A real PostgreSQL server for the tests, started once per test binary: `initdb` and `postgres`
//! from the distribution's package (`PLUMBLINE_PG_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin`, else `PATH`) on a temporary directory and a free port, password
//! authentication over TCP. Each test asks for a database of its own ([`PgServer::fresh_url`]),
//! so tests run in parallel without seeing each other.
//!
//! PostgreSQL refuses to run as root; a test process running as root starts it as the `postgres`
//! user through `runuser` (the package creates that user; `.ci/postgres-setup.sh` checks). A
//! small shell watchdog started with the server stops it and removes its directory once the test
//! process is gone, because a test binary has no hook that runs when it exits.
//!
//! Where the binaries are absent the PostgreSQL tests print a notice and pass, except when `CI`
//! is set: there a missing server is a failure, never a silent skip.

#![allow(dead_code, reason = "each test binary uses part of the support module")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The superuser the tests connect as, and its password.
pub const USER: &str = "plumbline";
pub const PASSWORD: &str = "plumbline-test-password";

#[derive(Debug)]
pub struct PgServer {
    pub port: u16,
    pub dir: PathBuf,
    next_db: AtomicUsize,
}

static SERVER: OnceLock<Option<PgServer>> = OnceLock::new();
static DURABLE: OnceLock<Option<PgServer>> = OnceLock::new();

/// The test binary's server, started on first use; `None` (with a printed notice) where the
/// binaries are absent and `CI` is not set. It runs without fsync: tests kill clients, never
/// the machine, and a test suite should not wait on the disk.
pub fn server() -> Option<&'static PgServer> {
    started(&SERVER, false)
}

/// A server with PostgreSQL's default durability (fsync, synchronous commit): for benchmarks.
pub fn durable_server() -> Option<&'static PgServer> {
    started(&DURABLE, true)
}

fn started(cell: &'static OnceLock<Option<PgServer>>, durable: bool) -> Option<&'static PgServer> {
    cell.get_or_init(|| match find_bin() {
            Some(bin) => Some(start(&bin, durable)),
            None if std::env::var_os("CI").is_some() => {
                panic!("CI is set but no PostgreSQL binaries were found (run .ci/postgres-setup.sh)")
            }
            None => {
                eprintln!(
                    "NOTICE: PostgreSQL binaries (initdb, postgres) not found; the PostgreSQL store tests are skipped. \
                     Install the `postgresql` package or set PLUMBLINE_PG_BIN."
                );
                None
            }
        })
        .as_ref()
}

impl PgServer {
    /// A URL for the server's maintenance database.
    pub fn admin_url(&self) -> String {
        self.url_for("postgres")
    }

    pub fn url_for(&self, db: &str) -> String {
        format!("postgresql://{USER}:{PASSWORD}@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates an empty database of its own for one test and returns its URL.
    pub fn fresh_url(&self, label: &str) -> String {
        let n = self.next_db.fetch_add(1, Ordering::SeqCst);
        let clean: String = label.chars().filter(|c| c.is_ascii_alphanumeric()).take(40).collect();
        let name = format!("t{n}_{}", clean.to_ascii_lowercase());
        self.sql(&format!("CREATE DATABASE {name}"));
        self.url_for(&name)
    }

    /// Runs statements on the maintenance database.
    pub fn sql(&self, sql: &str) {
        let mut client =
            postgres::Client::connect(&self.admin_url(), postgres::NoTls).expect("admin connects");
        client.batch_execute(sql).expect("admin statement");
    }

    /// Runs statements on one database.
    pub fn sql_in(&self, url: &str, sql: &str) {
        let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connects");
        client.batch_execute(sql).expect("statement");
    }
}

fn find_bin() -> Option<PathBuf> {
    let has = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("PLUMBLINE_PG_BIN").map(PathBuf::from) {
        return has(&dir).then_some(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| has(d))
        .collect();
    versions.sort_by_key(|d| {
        d.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    if let Some(dir) = versions.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| has(d))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

/// Runs a command line, as the `postgres` user when this process is root.
fn command(root: bool, program: &Path, args: &[&str]) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

fn start(bin: &Path, durable: bool) -> PgServer {
    let root = is_root();
    let dir = std::env::temp_dir().join(format!("plumbline-pg-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).expect("server directory");
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).expect("password file");
    if root {
        let status = Command::new("chown").args(["-R", "postgres:"]).arg(&dir).status().expect("chown runs");
        assert!(status.success(), "chown {} to postgres", dir.display());
    }
    let data = dir.join("data");
    let out = command(
        root,
        &bin.join("initdb"),
        &[
            "-D",
            &data.to_string_lossy(),
            "-U",
            USER,
            &format!("--pwfile={}", pwfile.display()),
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
    )
    .output()
    .expect("initdb runs");
    assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));

    let port = free_port();
    let postgres = bin.join("postgres");
    // The watchdog: the server runs in the background; when the test process is gone the server
    // is stopped at once (SIGQUIT, immediate shutdown) and its directory removed.
    let speed = if durable { "" } else { "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" };
    let script = format!(
        "'{postgres}' -D '{data}' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 {speed} \
         -c max_connections=200 >'{dir}/log' 2>&1 &\n\
         pg=$!\n\
         while [ -d /proc/{watch} ]; do sleep 0.5; done\n\
         kill -QUIT $pg; wait $pg; rm -rf '{dir}'\n",
        postgres = postgres.display(),
        data = data.display(),
        dir = dir.display(),
        watch = std::process::id(),
    );
    let mut watchdog = command(root, Path::new("sh"), &["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    // Reaped in the background should it end while the tests run; it outlives the test process
    // on purpose, to stop the server after it.
    std::thread::spawn(move || watchdog.wait());

    let server = PgServer { port, dir: dir.clone(), next_db: AtomicUsize::new(0) };
    let started = Instant::now();
    loop {
        match postgres::Client::connect(&server.admin_url(), postgres::NoTls) {
            Ok(_) => return server,
            Err(e) if started.elapsed() > Duration::from_secs(60) => {
                let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
                panic!("PostgreSQL did not start: {e}\n{log}");
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
