//! Sample-model generation speed: a ~10,000-element data centre and the bank branch.
//!
//! Throughput is reported in bytes of IFC text, the quantity that bounds generating the
//! million-element model (about 475 MB) well inside a minute.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plumbline_samples::{branch, datacenter, BranchParams, DatacenterParams};

fn generate(c: &mut Criterion) {
    let dc = DatacenterParams::for_elements(10_000, 1);
    let dc_bytes = datacenter(&dc).ifc.len() as u64;
    let mut group = c.benchmark_group("generate");
    group.throughput(Throughput::Bytes(dc_bytes));
    group.bench_function("datacenter_10k", |b| b.iter(|| datacenter(black_box(&dc))));

    let br = BranchParams::default();
    group.throughput(Throughput::Bytes(branch(&br).ifc.len() as u64));
    group.bench_function("branch", |b| b.iter(|| branch(black_box(&br))));
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
