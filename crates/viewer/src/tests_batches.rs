//! Headless tests of merged batches: the same scene drawn instanced and merged puts the same
//! triangles on screen with the same materials, whatever the user changes (selection, x-ray,
//! filters, a focused clash), and a change re-merges only the chunks it touches.

use crate::state::batch::{BatchMode, BatchOf, Batches, InChunk};
use crate::state::clash::{ClashKey, ClashReview};
use crate::state::config::ViewerConfig;
use crate::state::scene::{ElementId, ModelScene, Selection, ViewFilter};
use crate::state::section::ElementMaterial;
use crate::tests::{headless_app, load_into, looks, report_between};
use bevy::asset::AssetId;
use bevy::mesh::{Indices, VertexAttributeValues};
use bevy::prelude::*;
use plumbline_model::ModelSet;
use std::collections::BTreeMap;

/// A generated hall of several thousand elements: several chunks.
fn hall() -> ModelSet {
    let params = plumbline_samples::DatacenterParams::for_elements(6000, 3);
    let ifc = plumbline_samples::datacenter(&params).ifc.into_bytes();
    let model = plumbline_ifc::load_bytes(
        std::path::Path::new("hall.ifc"),
        ifc,
        &plumbline_ifc::LoadOptions::default(),
    )
    .expect("sample loads");
    ModelSet { models: vec![model] }
}

fn app_drawing(set: ModelSet, batches: BatchMode, report: Option<plumbline_review::Report>) -> App {
    let mut app = headless_app();
    app.insert_resource(ViewerConfig { batches, ..Default::default() });
    load_into(&mut app, set, None, report);
    app.update();
    app
}

/// What is on screen per material: the triangles' count, the sum and the sum of squares of
/// their corners (render space) and their box. Equal summaries mean the same corners drawn
/// with the same materials, up to the order (and f32 rounding) of the sums.
#[derive(Debug, Default)]
struct Drawn {
    triangles: usize,
    sum: [f64; 3],
    squares: [f64; 3],
    lo: [f64; 3],
    hi: [f64; 3],
}

fn drawn(app: &mut App) -> BTreeMap<AssetId<ElementMaterial>, Drawn> {
    let mut q = app.world_mut().query::<(
        &Mesh3d,
        &MeshMaterial3d<ElementMaterial>,
        &Transform,
        &Visibility,
        Option<&ElementId>,
        Option<&BatchOf>,
    )>();
    let meshes = app.world().resource::<Assets<Mesh>>();
    let mut out: BTreeMap<AssetId<ElementMaterial>, Drawn> = BTreeMap::new();
    for (mesh, material, transform, vis, id, batch) in q.iter(app.world()) {
        // Only the scene: element entities and batches (not the pipeline warm-ups).
        if (id.is_none() && batch.is_none()) || *vis == Visibility::Hidden {
            continue;
        }
        let mesh = meshes.get(&mesh.0).expect("a drawn mesh is in the store");
        let (Some(VertexAttributeValues::Float32x3(vertices)), Some(Indices::U32(indices))) =
            (mesh.attribute(Mesh::ATTRIBUTE_POSITION), mesh.indices())
        else {
            panic!("a drawn mesh has positions and u32 indices");
        };
        let corners: Vec<[f32; 3]> = indices.iter().map(|&i| vertices[i as usize]).collect();
        let d = out.entry(material.0.id()).or_insert_with(|| Drawn {
            lo: [f64::INFINITY; 3],
            hi: [f64::NEG_INFINITY; 3],
            ..Default::default()
        });
        d.triangles += corners.len() / 3;
        for c in &corners {
            let p = Vec3::from_array(*c) + transform.translation;
            for k in 0..3 {
                let v = f64::from(p[k]);
                d.sum[k] += v;
                d.squares[k] += v * v;
                d.lo[k] = d.lo[k].min(v);
                d.hi[k] = d.hi[k].max(v);
            }
        }
    }
    out
}

fn assert_same_picture(instanced: &mut App, merged: &mut App, what: &str) {
    let (a, b) = (drawn(instanced), drawn(merged));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: the materials drawn");
    for (m, x) in &a {
        let y = &b[m];
        assert_eq!(x.triangles, y.triangles, "{what}: triangles of {m:?}");
        let n = (x.triangles * 3) as f64;
        for k in 0..3 {
            assert!((x.sum[k] - y.sum[k]).abs() <= 1e-4 * n, "{what}: {x:?} {y:?}");
            assert!(
                (x.squares[k] - y.squares[k]).abs() <= 1e-2 * n.max(1.0) + 1e-6 * x.squares[k].abs(),
                "{what}: {x:?} {y:?}"
            );
            assert!(
                (x.lo[k] - y.lo[k]).abs() < 1e-4 && (x.hi[k] - y.hi[k]).abs() < 1e-4,
                "{what}: {x:?} {y:?}"
            );
        }
    }
}

/// The batch entities of each chunk.
fn batch_entities(app: &App) -> Vec<Vec<Entity>> {
    app.world().resource::<Batches>().chunks.iter().map(|c| c.batches.clone()).collect()
}

#[test]
fn merged_batches_draw_what_instancing_draws_whatever_the_user_changes() {
    let set = hall();
    let mut instanced = app_drawing(set.clone(), BatchMode::Instanced, None);
    let mut merged = app_drawing(set, BatchMode::Merged, None);
    assert!(!instanced.world().resource::<Batches>().merged());
    let chunks = merged.world().resource::<Batches>().chunks.len();
    assert!(chunks >= 3, "several chunks: {chunks}");
    // The proxies carry the looks and no mesh; the batches, a mesh per chunk and material.
    let drawn_elements = merged.world().resource::<ModelScene>().drawn();
    let mut proxies = merged.world_mut().query_filtered::<Entity, (With<InChunk>, Without<Mesh3d>)>();
    assert_eq!(proxies.iter(merged.world()).count(), drawn_elements);
    assert_eq!(looks(&mut merged).len(), drawn_elements);
    let batches: usize = batch_entities(&merged).iter().map(Vec::len).sum();
    assert!(batches >= chunks && batches < drawn_elements / 20, "{batches} batches");
    assert_same_picture(&mut instanced, &mut merged, "as loaded");

    // A selection re-merges the selected element's chunk alone.
    let picked = looks(&mut merged)[100].0;
    let before = batch_entities(&merged);
    for app in [&mut instanced, &mut merged] {
        app.world_mut().resource_mut::<Selection>().element = Some(picked);
        app.update();
    }
    assert_same_picture(&mut instanced, &mut merged, "one element selected");
    let after = batch_entities(&merged);
    let remerged = before.iter().zip(&after).filter(|(b, a)| b != a).count();
    assert_eq!(remerged, 1, "only the selected element's chunk");

    // X-ray ghosts everything else; a hidden class leaves the picture; then all back.
    let class = merged.world().resource::<ModelScene>().element(picked).class.clone();
    type Step<'a> = (&'a str, &'a dyn Fn(&mut App));
    let steps: [Step; 3] = [
        ("x-ray", &|app: &mut App| app.world_mut().resource_mut::<ViewFilter>().xray = true),
        ("a class hidden", &|app: &mut App| {
            app.world_mut().resource_mut::<ViewFilter>().hidden_classes.insert(class.clone());
        }),
        ("all back", &|app: &mut App| {
            *app.world_mut().resource_mut::<ViewFilter>() = ViewFilter::default();
            app.world_mut().resource_mut::<Selection>().element = None;
        }),
    ];
    for (what, step) in steps {
        for app in [&mut instanced, &mut merged] {
            step(app);
            app.update();
        }
        assert_same_picture(&mut instanced, &mut merged, what);
    }
}

#[test]
fn a_focused_clash_in_merged_batches_shows_its_pair_over_the_ghosted_rest() {
    let set = hall();
    let refs: Vec<_> = set.elements().filter(|(_, e)| e.mesh.is_some()).map(|(r, _)| r).collect();
    let report = report_between(&set, refs[10], refs[refs.len() - 10]);
    let mut instanced = app_drawing(set.clone(), BatchMode::Instanced, Some(report.clone()));
    let mut merged = app_drawing(set, BatchMode::Merged, Some(report));
    for app in [&mut instanced, &mut merged] {
        app.world_mut().resource_mut::<ClashReview>().focus(Some(ClashKey { test: 0, clash: 0 }));
        app.update();
    }
    assert_same_picture(&mut instanced, &mut merged, "a clash focused");
}
