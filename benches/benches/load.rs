//! Load + tessellate benchmark: `web-ifc/Office_A_20110811.ifc` from the corpus and its 10x
//! tiled copy made by `../shared/peers/setup.sh` (in `$PEERS_HOME/samples`). The peers are timed
//! on the same files in the same sitting by `benches/compare_peers.py`; this benchmark gives
//! Plumbline's own distribution. Inputs that are absent are skipped with a notice.

use criterion::{criterion_group, criterion_main, Criterion};
use plumbline_ifc::{load_file, LoadOptions};
use std::path::PathBuf;
use std::time::Duration;

fn inputs() -> Vec<(&'static str, PathBuf)> {
    let mut inputs = Vec::new();
    if let Some(office) = plumbline_testkit::ifc_file("web-ifc/Office_A_20110811.ifc") {
        inputs.push(("office_a", office));
    }
    let peers =
        std::env::var_os("PEERS_HOME").map(PathBuf::from).unwrap_or_else(|| "/tmp/plumbline-peers".into());
    let tiled = peers.join("samples/Office_A_x10_tiled.ifc");
    if tiled.is_file() {
        inputs.push(("office_a_x10", tiled));
    } else {
        eprintln!("NOTICE: office_a_x10: {} not found; skipped", tiled.display());
    }
    inputs
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_and_tessellate");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (name, path) in inputs() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let model = load_file(&path, &LoadOptions::default()).expect("benchmark model loads");
                std::hint::black_box(model.physical_triangles())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
