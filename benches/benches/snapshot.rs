//! One 640×480 clash snapshot on the generated data hall (a few hundred elements): the review
//! camera on the seeded tray-through-duct clash, the pair in colour, the surroundings in grey,
//! encoded as PNG. The model is generated and loaded once, outside the measurement.

use criterion::{criterion_group, criterion_main, Criterion};
use plumbline_ifc::{load_bytes, LoadOptions};
use plumbline_model::ModelSet;
use plumbline_review::frame_box;
use plumbline_samples::{DatacenterParams, TRAYS_VS_DUCTS};
use plumbline_snapshot::{render, Highlight};
use std::path::Path;

fn snapshot(c: &mut Criterion) {
    let g = plumbline_samples::datacenter(&DatacenterParams::default());
    let m = load_bytes(Path::new("dc.ifc"), g.ifc.into_bytes(), &LoadOptions::default())
        .expect("generated model loads");
    let set = ModelSet { models: vec![m] };
    let clash = g.truth.clashes.iter().find(|t| t.test == TRAYS_VS_DUCTS).expect("a seeded tray clash");
    let aabb = |gid: &str| {
        set.elements()
            .find(|(_, e)| e.global_id == gid)
            .and_then(|(_, e)| e.aabb())
            .expect("element has a box")
    };
    let overlap = aabb(&clash.a).intersection(&aabb(&clash.b)).expect("the pair overlaps");
    let camera = frame_box(&overlap);
    let highlight = Highlight { a: vec![clash.a.clone()], b: vec![clash.b.clone()], focus: Some(overlap) };
    c.bench_function("snapshot_640x480_png", |b| {
        b.iter(|| {
            let image = render(&set, &camera, &highlight, 640, 480).expect("renders");
            std::hint::black_box(image.to_png().expect("encodes").len())
        })
    });
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
