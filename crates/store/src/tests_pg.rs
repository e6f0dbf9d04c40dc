//! The PostgreSQL backend's own checks, on the tests' real server: databases that are not ours
//! or come from a newer Plumbline are refused and left alone, and a server that cannot be
//! reached, refused credentials and a missing database are named errors. Skipped with a notice
//! where the PostgreSQL binaries are absent (never under `CI`).

use crate::tests::pg;
use crate::tests::*;
use crate::*;
use std::time::{Duration, Instant};

fn table_count(url: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connects");
    client
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &[])
        .expect("counts")
        .get(0)
}

#[test]
fn a_new_database_carries_the_markers_and_its_layout() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_url("markers");
    let mut store = Store::open_location(&url).expect("creates");
    assert!(store.is_postgres());
    assert!(!store.path().to_string_lossy().contains(pg::PASSWORD), "the password is never shown");
    run(&mut store, 0, &[("A", "B")]);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    let rows = client.query("SELECT key, value FROM plumbline_meta ORDER BY key", &[]).expect("markers");
    let markers: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        markers,
        [
            ("application".to_string(), "PLBL".to_string()),
            ("schema_version".into(), SCHEMA_VERSION.to_string())
        ]
    );
    store.integrity_check().expect("consistent");
}

#[test]
fn another_applications_database_is_refused_and_left_alone() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_url("foreign");
    server.sql_in(&url, "CREATE TABLE accounts (iban TEXT); INSERT INTO accounts VALUES ('DE00');");
    let e = Store::open_location(&url).expect_err("refused");
    assert!(matches!(e, StoreError::Foreign { .. }), "{e:?}");
    assert!(e.to_string().contains("no Plumbline marker"), "{e}");
    assert_eq!(table_count(&url), 1, "nothing was created");
}

#[test]
fn a_database_from_a_newer_plumbline_is_refused() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_url("future");
    drop(Store::open_location(&url).expect("creates"));
    server.sql_in(
        &url,
        &format!("UPDATE plumbline_meta SET value = '{}' WHERE key = 'schema_version'", SCHEMA_VERSION + 1),
    );
    let e = Store::open_location(&url).expect_err("refused");
    assert!(matches!(e, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1), "{e:?}");
    assert!(e.to_string().contains("newer Plumbline"), "{e}");
}

#[test]
fn an_empty_database_is_no_history_for_commands_that_only_read() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_url("empty");
    let e = Store::open_existing_location(&url).expect_err("not a history yet");
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    assert_eq!(table_count(&url), 0, "open_existing creates nothing");
}

#[test]
fn wrong_credentials_and_a_missing_database_are_named() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_url("auth");
    let wrong = url.replace(pg::PASSWORD, "not-the-password");
    let e = Store::open_location(&wrong).expect_err("refused");
    assert!(matches!(e, StoreError::Auth { .. }), "{e:?}");
    assert!(e.to_string().contains("refused the credentials"), "{e}");
    assert!(!e.to_string().contains("not-the-password"), "the password is never shown: {e}");

    let missing = server.url_for("no_such_database");
    let e = Store::open_location(&missing).expect_err("no database");
    assert!(e.to_string().contains("no database 'no_such_database'"), "{e}");
}

#[test]
fn an_unreachable_server_is_a_clear_error_within_the_timeout() {
    // A port nobody listens on: refused at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let url = format!("postgresql://li:pw@127.0.0.1:{port}/plumbline?connect_timeout=2");
    let started = Instant::now();
    let e = Store::open_location(&url).expect_err("unreachable");
    assert!(matches!(e, StoreError::Unreachable { .. }), "{e:?}");
    assert!(e.to_string().contains("cannot reach the PostgreSQL server"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // An address that never answers: the timeout ends the wait.
    let url = "postgresql://li:pw@10.255.255.1:5432/plumbline?connect_timeout=1";
    let started = Instant::now();
    let e = Store::open_location(url).expect_err("unreachable");
    assert!(matches!(e, StoreError::Unreachable { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn a_url_that_does_not_parse_is_named() {
    let e = Store::open_location("postgresql://li@db:notaport/x").expect_err("bad URL");
    assert!(matches!(e, StoreError::Invalid { .. }), "{e:?}");
    assert!(e.to_string().contains("not a PostgreSQL URL"), "{e}");
}
