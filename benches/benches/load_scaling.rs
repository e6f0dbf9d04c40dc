//! Load scaling: the same loads on one thread and on every thread of the machine. A generated
//! data hall of about 20,000 elements (one file, its products tessellated in parts side by
//! side), and the duplex federation of the corpus (architecture and electrical, loaded side by
//! side by `load_set`; skipped with a notice when the corpus is absent). The ratio of the two
//! timings is the load's parallel speed-up; issue 22 asks for 2 threads to take at most 0.55x
//! the time of one.

use criterion::{criterion_group, criterion_main, Criterion};
use plumbline_ifc::{load_file, load_set, LoadOptions};
use std::path::PathBuf;
use std::time::Duration;

/// One thread, and every thread the machine has (when that is more).
fn thread_counts() -> Vec<usize> {
    let all = std::thread::available_parallelism().map_or(1, usize::from);
    if all > 1 {
        vec![1, all]
    } else {
        vec![1]
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

fn scaling(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let hall = dir.path().join("hall-20k.ifc");
    let generated =
        plumbline_samples::datacenter(&plumbline_samples::DatacenterParams::for_elements(20_000, 1));
    std::fs::write(&hall, generated.ifc).expect("hall written");
    let duplex: Option<Vec<PathBuf>> =
        ["yousheng/Ifc2x3_Duplex_Architecture.ifc", "yousheng/Ifc2s3_Duplex_Electrical.ifc"]
            .into_iter()
            .map(plumbline_testkit::ifc_file)
            .collect();
    let options = LoadOptions::default();

    let mut group = c.benchmark_group("load_scaling");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for threads in thread_counts() {
        let pool = pool(threads);
        group.bench_function(format!("hall_20k/{threads}_threads"), |b| {
            b.iter(|| {
                let model = pool.install(|| load_file(&hall, &options)).expect("the hall loads");
                std::hint::black_box(model.physical_triangles())
            })
        });
        if let Some(paths) = &duplex {
            group.bench_function(format!("duplex_set/{threads}_threads"), |b| {
                b.iter(|| {
                    let (set, errors) = pool.install(|| load_set(paths, &options, |_, _| {}));
                    assert!(errors.is_empty(), "{errors:?}");
                    std::hint::black_box(set.models.len())
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
