//! Clash-only benchmark: hard, clearance and duplicate tests of every element against every
//! other on a generated data centre of about 10,000 elements (the model is generated and loaded
//! once, outside the measurement). Larger sizes (100k, 1M) are measured end to end with
//! `plumbline clash` and `/usr/bin/time -v` (see README), since each takes seconds to minutes.

use criterion::{criterion_group, criterion_main, Criterion};
use plumbline_clash::{run_test, Mode, Shapes, Test};
use plumbline_ifc::{load_bytes, LoadOptions};
use plumbline_model::{ElementRef, ModelSet};
use plumbline_samples::DatacenterParams;
use std::path::Path;

fn model(elements: u64) -> ModelSet {
    let g = plumbline_samples::datacenter(&DatacenterParams::for_elements(elements, 1));
    let m = load_bytes(Path::new("dc.ifc"), g.ifc.into_bytes(), &LoadOptions::default())
        .expect("generated model loads");
    ModelSet { models: vec![m] }
}

fn clash(c: &mut Criterion) {
    let set = model(10_000);
    // Physical elements only, as `plumbline clash --a '*'` selects: rooms (spaces) would overlap
    // everything they contain.
    let all: Vec<ElementRef> = set
        .elements()
        .filter(|(_, e)| e.mesh.is_some() && e.role == plumbline_model::Role::Physical)
        .map(|(r, _)| r)
        .collect();
    let mut group = c.benchmark_group("clash_10k_all_vs_all");
    group.sample_size(10);
    for (name, mode) in [
        ("hard", Mode::Hard { tolerance_m: 0.002 }),
        ("clearance_50mm", Mode::Clearance { clearance_m: 0.05, tolerance_m: 0.002 }),
        ("duplicate", Mode::Duplicate { tolerance_m: 0.001 }),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                // Shapes are rebuilt each iteration: a run pays for them once.
                let shapes = Shapes::new(&set);
                let test = Test { name: name.into(), mode, a: all.clone(), b: None };
                std::hint::black_box(run_test(&shapes, &test, &|_, _| false).clashes.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, clash);
criterion_main!(benches);
