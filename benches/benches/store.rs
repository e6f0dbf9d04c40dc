//! The clash history: recording one run of 100,000 clashes into a new history, on SQLite (a file
//! on local disk, WAL, `synchronous=FULL`) and on PostgreSQL (a server the benchmark starts on
//! this machine with `initdb` and `postgres`, as the store tests do; skipped with a notice where
//! the binaries are absent). Each sample is a whole run: one transaction that numbers, inserts
//! and logs every clash. Figures are in the README ("Clash history: SQLite and PostgreSQL").

#[path = "../../crates/store/tests/support/pg.rs"]
mod pg;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use plumbline_clash::ClashKind;
use plumbline_model::Aabb;
use plumbline_review::{
    ClashRecord, ElementInfo, Grouping, Report, Status, TestInfo, TestReport, Text, Timings,
};
use plumbline_store::{RunMeta, Store};

const CLASHES: usize = 100_000;

fn report() -> Report {
    let element = |gid: String, n: usize| ElementInfo {
        global_id: gid,
        class: "IfcCableCarrierSegment".into(),
        name: Some(format!("Tray {n}")),
        file: "hall.ifc".into(),
        storey: Some("Level 1".into()),
        aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
    };
    let clashes = (0..CLASHES)
        .map(|n| ClashRecord {
            id: format!("trays/{n:06}"),
            number: None,
            test: "trays".into(),
            test_id: "trays".into(),
            kind: ClashKind::Hard,
            distance_m: 0.01,
            hard: true,
            exact: false,
            point: [n as f64, 0.0, 3.0],
            overlap_aabb: Aabb { min: [0.0; 3], max: [1.0; 3] },
            a: element(format!("A{n:06}"), n),
            b: element(format!("B{n:06}"), n),
            status: Status::New,
            group: format!("g{}", n / 10),
            explanation: Text::default(),
            overlap_volume_m3: None,
            basis: None,
            triage: None,
        })
        .collect();
    Report {
        models: vec!["hall.ifc".into()],
        grouping: Grouping::Element,
        tests: vec![TestReport {
            info: TestInfo {
                id: "trays".into(),
                name: "trays".into(),
                mode: ClashKind::Hard,
                tolerance_m: 0.002,
                clearance_m: 0.0,
                zone: None,
                reach: None,
            },
            elements_a: CLASHES,
            elements_b: CLASHES,
            candidate_pairs: CLASHES,
            clashes,
            groups: Vec::new(),
        }],
        timings: Timings::default(),
    }
}

fn record(c: &mut Criterion) {
    let template = report();
    let meta =
        RunMeta { started_utc: chrono::DateTime::UNIX_EPOCH, models: vec!["hall.ifc".into()], config: None };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("store_record_100k");
    group.sample_size(10);
    let mut n = 0;
    group.bench_function("sqlite", |b| {
        b.iter_batched(
            || {
                n += 1;
                let store = Store::open(dir.path().join(format!("h{n}.db"))).expect("creates");
                (store, template.clone())
            },
            |(mut store, mut r)| store.record_run(&mut r, &meta).expect("recorded"),
            BatchSize::PerIteration,
        )
    });
    // A durable server (fsync on), as a team's would run: the SQLite side syncs every commit too.
    if let Some(server) = pg::durable_server() {
        group.bench_function("postgres", |b| {
            b.iter_batched(
                || (Store::open_location(&server.fresh_url("bench")).expect("creates"), template.clone()),
                |(mut store, mut r)| store.record_run(&mut r, &meta).expect("recorded"),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, record);
criterion_main!(benches);
