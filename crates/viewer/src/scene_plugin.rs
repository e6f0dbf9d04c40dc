//! The loaded scene: one entity per physical element, what each one looks like, and the panels
//! that show the model (the model tree and an element's properties).
//!
//! One entity per element (`../shared/notes/viewer.md`: Bevy 0.19 batches 20,000 separate
//! meshes about as well as 128 merged ones) keeps highlighting and 4D visibility a matter of
//! swapping a material handle or a [`Visibility`]. Elements of the same shape share one render
//! mesh, built off the main thread ([`crate::meshes`]). Past what the device can bind
//! ([`crate::state::batch`]) the element entities carry their look without a mesh, and
//! [`rebuild_batches`] draws them merged per chunk and material; picking never looks at render
//! meshes, it casts into the element world installed with the scene ([`crate::state::spatial`]).
//!
//! What an element looks like is decided in one place, [`apply_appearance`], from the state the
//! user changes: [`Selection`], [`ViewFilter`] (hidden storeys and classes, x-ray), the focused
//! clash and the 4D date. It runs only when one of them changed.

use crate::meshes::{merged_mesh, par_map, shape_mesh, shape_of};
use crate::state::batch::{chunk_order, BatchMode, BatchOf, Batches, Chunk, InChunk, Shape, Slot};
use crate::state::clash::ClashReview;
use crate::state::colour::Colouring;
use crate::state::config::ViewerConfig;
use crate::state::global_ids::GlobalIds;
use crate::state::i18n::{Lang, Strings};
use crate::state::load::{InstallStep, PendingLoad};
use crate::state::palette::{class_color, Look, Palette};
use crate::state::scene::{
    hover_text, isolate, ElementId, Hovered, ModelScene, PreparedScene, Selection, ViewFilter,
};
use crate::state::section::{element_look, element_material, ElementMaterial};
use crate::state::spatial::{ElementWorld, SceneWorld};
use crate::state::timeline::Timeline;
use crate::state::ui::{register_panel, PanelSlot};
use crate::widgets::{color32, grid_row};
use bevy::camera::primitives::{Aabb, MeshAabb};
use bevy::camera::visibility::NoAutoAabb;
use bevy::prelude::*;
use bevy_egui::egui;
use plumbline_model::{Element, ElementRef, ModelSet, Role};
use plumbline_schedule::ElementState;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// Spawns the scene, keeps each element's look up to date, and shows the model tree and an
/// element's properties.
#[derive(Debug, Default)]
pub struct ScenePlugin;

impl Plugin for ScenePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ModelScene>()
            .add_message::<bevy::window::RequestRedraw>()
            .init_resource::<Selection>()
            .init_resource::<ViewFilter>()
            .init_resource::<Palette>()
            .add_systems(Startup, setup_palette)
            // After Startup, where the camera is spawned.
            .add_systems(PostStartup, warm_up_pipelines)
            .add_systems(
                PreUpdate,
                install_loaded_scene.in_set(InstallStep::Scene).run_if(PendingLoad::waiting),
            )
            .init_resource::<SceneWorld>()
            .init_resource::<Batches>()
            .add_systems(
                PostUpdate,
                (apply_appearance, keep_world_shown, rebuild_batches)
                    .chain()
                    .before(bevy::transform::TransformSystems::Propagate),
            );
        register_panel(app, PanelSlot::ModelTab, model_tree_panel);
        register_panel(app, PanelSlot::ElementProperties, element_panel);
        register_panel(app, PanelSlot::ViewOverlay, hover_tooltip);
        let config = app.world().get_resource::<ViewerConfig>().cloned().unwrap_or_default();
        let mut filter = app.world_mut().resource_mut::<ViewFilter>();
        filter.xray = config.xray;
        for class in &config.hide_classes {
            // The IFC spelling (`ifcslab` -> `IfcSlab`), as the model tree names classes.
            let name =
                plumbline_ifc::canonical_class_name(class.trim()).unwrap_or_else(|| class.trim().to_string());
            filter.hidden_classes.insert(name);
        }
    }
}

fn setup_palette(mut palette: ResMut<Palette>, mut materials: ResMut<Assets<ElementMaterial>>) {
    palette.selected = materials.add(element_material(StandardMaterial {
        emissive: LinearRgba::rgb(0.35, 0.22, 0.0),
        ..element_look(Color::srgb(1.0, 0.75, 0.1))
    }));
    palette.ghost = materials.add(element_material(StandardMaterial {
        base_color: Color::srgba(0.55, 0.6, 0.68, 0.07),
        alpha_mode: AlphaMode::Blend,
        unlit: true,
        cull_mode: None,
        double_sided: true,
        ..default()
    }));
    palette.clash_a = materials.add(element_material(StandardMaterial {
        emissive: LinearRgba::rgb(0.4, 0.0, 0.0),
        ..element_look(Color::srgb(0.9, 0.1, 0.1))
    }));
    palette.clash_b = materials.add(element_material(StandardMaterial {
        emissive: LinearRgba::rgb(0.0, 0.3, 0.0),
        ..element_look(Color::srgb(0.1, 0.8, 0.2))
    }));
    palette.in_progress = materials.add(element_material(element_look(Color::srgb(1.0, 0.55, 0.1))));
    palette.temporary = materials.add(element_material(element_look(Color::srgb(0.65, 0.35, 0.9))));
    palette.demolishing = materials.add(element_material(StandardMaterial {
        base_color: Color::srgba(0.8, 0.15, 0.15, 0.45),
        alpha_mode: AlphaMode::Blend,
        ..element_look(Color::srgb(0.8, 0.15, 0.15))
    }));
    // Late work: a saturated magenta, apart from the clash red and the in-progress orange.
    palette.late = materials.add(element_material(StandardMaterial {
        emissive: LinearRgba::rgb(0.3, 0.0, 0.2),
        ..element_look(Color::srgb(0.95, 0.1, 0.6))
    }));
}

/// A stand-in drawn with each palette material while the models load, so the render pipelines
/// compile in the meantime.
#[derive(Component, Debug)]
pub struct PipelineWarmup;

/// Spawns, for every palette material, a triangle of zero area just in front of the camera:
/// drawn (so Bevy compiles its pipeline) but covering no pixel. Without it the pipelines start
/// compiling when the model arrives, and the first frames after a load show no model (on
/// lavapipe four frames, about 0.4 s). They go when a scene is installed.
fn warm_up_pipelines(
    mut commands: Commands,
    palette: Res<Palette>,
    mut meshes: ResMut<Assets<Mesh>>,
    cameras: Query<Entity, With<Camera3d>>,
) {
    let Ok(camera) = cameras.single() else { return };
    let mesh = meshes.add(shape_mesh(vec![[0.0, 0.0, -1.0]; 3], vec![0, 1, 2]));
    // The class colours (made at load) share the opaque highlights' pipeline: colours are not
    // part of a pipeline's key.
    for material in palette.all().cloned() {
        let warm = commands
            .spawn((Mesh3d(mesh.clone()), MeshMaterial3d(material), Transform::IDENTITY, PipelineWarmup))
            .id();
        commands.entity(camera).add_child(warm);
    }
}

/// [`InstallStep::Scene`]: the models of a finished load become the scene.
fn install_loaded_scene(world: &mut World) {
    let taken = world.resource_mut::<PendingLoad>().0.as_mut().map(|out| {
        (std::mem::take(&mut out.set), std::mem::take(&mut out.scene), std::mem::take(&mut out.errors))
    });
    if let Some((set, prepared, errors)) = taken {
        install_scene(world, set, prepared, errors);
    }
}

/// Replaces the scene by a loaded model set: one entity per drawn element.
///
/// This runs on the main thread while the window waits, so it does only what needs the world:
/// the meshes go into the asset store once each, and the entities are spawned in one batch, each
/// with its mesh's box already set (Bevy would otherwise compute the box of every entity from
/// its mesh and insert it, one command per entity, on the first frame).
pub fn install_scene(world: &mut World, set: ModelSet, mut prepared: PreparedScene, errors: Vec<String>) {
    let started = std::time::Instant::now();
    let elements_world = prepared.world.take().unwrap_or_else(|| ElementWorld::new(&set, prepared.origin_m));
    world.insert_resource(SceneWorld { world: Some(elements_world) });
    // Despawn a previous scene, and the pipeline stand-ins (their pipelines are built).
    let mut old: Vec<Entity> = world.resource::<ModelScene>().entities.values().copied().collect();
    old.extend(std::mem::take(&mut *world.resource_mut::<Batches>()).entities());
    for e in old {
        world.despawn(e);
    }
    let warmups: Vec<Entity> = world.query_filtered::<Entity, With<PipelineWarmup>>().iter(world).collect();
    for e in warmups {
        world.despawn(e);
    }
    // Counted by name first and keyed by an owned name once per storey and class, not once per
    // element.
    let mut storey_counts: HashMap<&str, usize> = HashMap::default();
    let mut class_counts: HashMap<&str, usize> = HashMap::default();
    for (_, e) in set.elements().filter(|(_, e)| e.role == Role::Physical) {
        *storey_counts.entry(e.storey.as_deref().unwrap_or("")).or_insert(0) += 1;
        *class_counts.entry(e.class.as_str()).or_insert(0) += 1;
    }
    let storeys: BTreeMap<String, usize> =
        storey_counts.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    let classes: BTreeMap<String, usize> =
        class_counts.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    // One material per class.
    let missing: Vec<String> = {
        let palette = world.resource::<Palette>();
        classes.keys().filter(|c| !palette.by_class.contains_key(*c)).cloned().collect()
    };
    for class in missing {
        let handle = world
            .resource_mut::<Assets<ElementMaterial>>()
            .add(element_material(element_look(class_color(&class))));
        world.resource_mut::<Palette>().by_class.insert(class, handle);
    }
    let by_global_id = prepared.by_global_id.take().unwrap_or_else(|| GlobalIds::new(&set));
    let materials: HashMap<&str, Handle<ElementMaterial>> = {
        let palette = world.resource::<Palette>();
        classes.keys().map(|c| (c.as_str(), palette.by_class.get(c).cloned().unwrap_or_default())).collect()
    };
    let max_binding = world
        .get_resource::<bevy::render::renderer::RenderDevice>()
        .map(|d| d.limits().max_storage_buffer_binding_size);
    let mode = world.get_resource::<ViewerConfig>().map_or(BatchMode::Auto, |c| c.batches);
    let (shapes, origin_m, bounds) = (prepared.meshes.len(), prepared.origin_m, prepared.bounds);
    let entities = if mode.merges(prepared.elements.len(), max_binding) {
        spawn_merged(world, &set, prepared, &materials)
    } else {
        spawn_instanced(world, &set, prepared, &materials)
    };
    *world.resource_mut::<ModelScene>() = ModelScene {
        set,
        origin_m,
        bounds,
        entities,
        by_global_id,
        storeys,
        classes,
        errors,
        loaded: true,
        meshes: shapes,
    };
    *world.resource_mut::<Selection>() = Selection::default();
    let batches = world.resource::<Batches>();
    info!(
        "scene installed: install_secs={:.3} meshes={shapes} merged={} chunks={}",
        started.elapsed().as_secs_f64(),
        batches.merged(),
        batches.chunks.len()
    );
}

/// The material an element starts with: its class's.
fn class_material(
    set: &ModelSet,
    materials: &HashMap<&str, Handle<ElementMaterial>>,
    element: ElementRef,
) -> MeshMaterial3d<ElementMaterial> {
    MeshMaterial3d(materials.get(set.element(element).class.as_str()).cloned().unwrap_or_default())
}

/// One entity per element, with its shape's shared mesh (instancing).
fn spawn_instanced(
    world: &mut World,
    set: &ModelSet,
    prepared: PreparedScene,
    materials: &HashMap<&str, Handle<ElementMaterial>>,
) -> HashMap<ElementRef, Entity> {
    // Each mesh's box, computed once for all the entities that share it.
    let bounds: Vec<Option<Aabb>> = prepared.meshes.iter().map(MeshAabb::compute_aabb).collect();
    let meshes: Vec<Handle<Mesh>> = {
        let mut assets = world.resource_mut::<Assets<Mesh>>();
        prepared.meshes.into_iter().map(|m| assets.add(m)).collect()
    };
    let drawn: Vec<ElementRef> = prepared.elements.iter().map(|p| p.element).collect();
    let bundles: Vec<_> = prepared
        .elements
        .iter()
        .map(|p| {
            (
                Mesh3d(meshes[p.mesh].clone()),
                class_material(set, materials, p.element),
                Transform::from_translation(p.translation),
                Visibility::Inherited,
                ElementId { element: p.element, sim: p.sim },
                // Every prepared mesh has a triangle, so a box: the default is never used.
                bounds[p.mesh].unwrap_or_default(),
                NoAutoAabb,
            )
        })
        .collect();
    let spawned: Vec<Entity> = world.spawn_batch(bundles).collect();
    drawn.into_iter().zip(spawned).collect()
}

/// One proxy per element (its look, no mesh) and the chunks of nearby elements their merged
/// batches are built for ([`rebuild_batches`] builds them on the next frame).
fn spawn_merged(
    world: &mut World,
    set: &ModelSet,
    prepared: PreparedScene,
    materials: &HashMap<&str, Handle<ElementMaterial>>,
) -> HashMap<ElementRef, Entity> {
    let shapes: Vec<Shape> = prepared.meshes.into_iter().map(shape_of).collect();
    let centres: Vec<Vec3> = prepared.elements.iter().map(|p| p.translation).collect();
    let triangles: Vec<usize> = prepared.elements.iter().map(|p| shapes[p.mesh].indices.len() / 3).collect();
    let (order, ranges) = chunk_order(&centres, &triangles);
    let mut chunk_of = vec![0u32; order.len()];
    for (c, range) in ranges.iter().enumerate() {
        for &i in &order[range.clone()] {
            chunk_of[i] = c as u32;
        }
    }
    let bundles: Vec<_> = prepared
        .elements
        .iter()
        .zip(&chunk_of)
        .map(|(p, &chunk)| {
            (
                class_material(set, materials, p.element),
                Visibility::Inherited,
                ElementId { element: p.element, sim: p.sim },
                InChunk(chunk),
            )
        })
        .collect();
    let spawned: Vec<Entity> = world.spawn_batch(bundles).collect();
    let slots: Vec<Slot> = order
        .iter()
        .map(|&i| {
            let p = &prepared.elements[i];
            Slot { proxy: spawned[i], shape: p.mesh as u32, translation: p.translation }
        })
        .collect();
    let chunks = ranges
        .into_iter()
        .map(|range| {
            let (lo, hi) = slots[range.clone()]
                .iter()
                .fold((Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)), |(lo, hi), s| {
                    (lo.min(s.translation), hi.max(s.translation))
                });
            Chunk { slots: range, centre: (lo + hi) * 0.5, batches: Vec::new(), dirty: true }
        })
        .collect();
    *world.resource_mut::<Batches>() = Batches { shapes, slots, chunks };
    prepared.elements.iter().map(|p| p.element).zip(spawned).collect()
}

/// A proxy whose look changed: shown or hidden, or another material.
type LookChanged = Or<(Changed<Visibility>, Changed<MeshMaterial3d<ElementMaterial>>)>;

/// Merges again every chunk one of whose elements changed its look (and every chunk of a new
/// scene): per chunk, the shown elements grouped by material, one batch entity per group.
fn rebuild_batches(
    mut commands: Commands,
    mut batches: ResMut<Batches>,
    changed: Query<&InChunk, LookChanged>,
    proxies: Query<(&Visibility, &MeshMaterial3d<ElementMaterial>)>,
    mut meshes: ResMut<Assets<Mesh>>,
) {
    if !batches.merged() {
        return;
    }
    let batches = batches.as_mut();
    for c in &changed {
        if let Some(chunk) = batches.chunks.get_mut(c.0 as usize) {
            chunk.dirty = true;
        }
    }
    // Per dirty chunk, its shown elements by material, in slot order (deterministic).
    let mut jobs: Vec<(usize, Handle<ElementMaterial>, Vec<Slot>)> = Vec::new();
    for (c, chunk) in batches.chunks.iter_mut().enumerate().filter(|(_, c)| c.dirty) {
        chunk.dirty = false;
        for e in chunk.batches.drain(..) {
            commands.entity(e).despawn();
        }
        let mut groups: Vec<(Handle<ElementMaterial>, Vec<Slot>)> = Vec::new();
        for slot in &batches.slots[chunk.slots.clone()] {
            let Ok((vis, material)) = proxies.get(slot.proxy) else { continue };
            if *vis == Visibility::Hidden {
                continue;
            }
            match groups.iter_mut().find(|(m, _)| *m == material.0) {
                Some((_, g)) => g.push(*slot),
                None => groups.push((material.0.clone(), vec![*slot])),
            }
        }
        jobs.extend(groups.into_iter().map(|(m, g)| (c, m, g)));
    }
    if jobs.is_empty() {
        return;
    }
    let started = std::time::Instant::now();
    let mut merged_chunks: Vec<usize> = jobs.iter().map(|j| j.0).collect();
    merged_chunks.dedup();
    let built =
        par_map(&jobs, |(c, _, slots)| merged_mesh(&batches.shapes, slots, batches.chunks[*c].centre));
    for ((c, material, _), (mesh, aabb)) in jobs.into_iter().zip(built) {
        let centre = batches.chunks[c].centre;
        let entity = commands
            .spawn((
                Mesh3d(meshes.add(mesh)),
                MeshMaterial3d(material),
                Transform::from_translation(centre),
                Visibility::Inherited,
                aabb,
                NoAutoAabb,
                BatchOf(c as u32),
            ))
            .id();
        batches.chunks[c].batches.push(entity);
    }
    // A whole scene merged (a load, x-ray, a 4D date) is worth a line; one selection is not.
    if merged_chunks.len() > 16 {
        info!("batches merged: chunks={} secs={:.3}", merged_chunks.len(), started.elapsed().as_secs_f64());
    }
}

/// The look of one element given the user's state.
pub fn look_of(
    r: ElementRef,
    e: &Element,
    filter: &ViewFilter,
    selection: &Selection,
    clash: Option<(Option<ElementRef>, Option<ElementRef>)>,
    state: Option<ElementState>,
    late: bool,
) -> Look {
    if !filter.shows(e) || filter.hidden_files.contains(&r.file) {
        return Look::Hidden;
    }
    if matches!(state, Some(ElementState::NotStarted | ElementState::Demolished)) {
        return Look::Hidden;
    }
    if let Some((a, b)) = clash {
        return if a == Some(r) {
            Look::ClashA
        } else if b == Some(r) {
            Look::ClashB
        } else {
            Look::Ghost
        };
    }
    if selection.contains(r) {
        return Look::Selected;
    }
    if filter.xray && !selection.is_empty() {
        return Look::Ghost;
    }
    if late {
        return Look::Late;
    }
    match state {
        Some(ElementState::InProgress) => Look::InProgress,
        Some(ElementState::TemporaryPresent) => Look::Temporary,
        Some(ElementState::Demolishing) => Look::Demolishing,
        _ => Look::Normal,
    }
}

/// Sets every element's visibility and material from the user's state, when it changed.
#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each piece of state it combines")]
pub fn apply_appearance(
    scene: Res<ModelScene>,
    filter: Res<ViewFilter>,
    selection: Res<Selection>,
    review: Res<ClashReview>,
    timeline: Res<Timeline>,
    palette: Res<Palette>,
    colouring: Res<Colouring>,
    mut elements: Query<(&ElementId, &mut Visibility, &mut MeshMaterial3d<ElementMaterial>)>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    if !(scene.is_changed()
        || filter.is_changed()
        || selection.is_changed()
        || review.is_changed()
        || timeline.is_changed()
        || palette.is_changed()
        || colouring.is_changed())
    {
        return;
    }
    let clash = review.focused_pair(&scene);
    let states = timeline.active_states();
    for (id, mut vis, mut mat) in &mut elements {
        let e = scene.element(id.element);
        let status = states.and_then(|s| s.get(id.sim));
        let late = timeline.highlight_late && status.is_some_and(|s| s.late);
        let mut look = look_of(id.element, e, &filter, &selection, clash, status.map(|s| s.state), late);
        // A value unticked in the colour legend hides its elements, but never a clash's pair.
        if colouring.hides(id.element) && !matches!(look, Look::ClashA | Look::ClashB) {
            look = Look::Hidden;
        }
        let new_vis = if look == Look::Hidden { Visibility::Hidden } else { Visibility::Inherited };
        if *vis != new_vis {
            *vis = new_vis;
        }
        let coloured = (look == Look::Normal).then(|| colouring.entry_of(id.element)).flatten();
        if let Some(m) = coloured.map(|c| c.material.clone()).or_else(|| palette.material(look, &e.class)) {
            if mat.0 != m {
                mat.0 = m;
            }
        }
    }
    redraw.write(bevy::window::RequestRedraw);
}

/// Keeps the element world's shown flags in step with the elements' visibility: hidden elements
/// (unticked classes, storeys, files, 4D states not yet built) are neither picked nor walked into.
fn keep_world_shown(
    mut world: ResMut<SceneWorld>,
    changed: Query<(&ElementId, &Visibility), Changed<Visibility>>,
) {
    let Some(w) = world.bypass_change_detection().world.as_mut() else { return };
    for (id, v) in &changed {
        w.set_shown(id.element, *v != Visibility::Hidden);
    }
}

/// The left panel's *Model* tab.
fn model_tree_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut filter: ResMut<ViewFilter>,
) {
    model_tree(ui, lang.strings(), &scene, &mut filter);
}

/// The hover tooltip over the 3D view: the class and name of the element under the pointer,
/// beside the pointer (not while a button is held: that is an orbit or a pan).
fn hover_tooltip(
    InMut(ui): InMut<egui::Ui>,
    scene: Res<ModelScene>,
    hovered: Res<Hovered>,
    config: Option<Res<ViewerConfig>>,
) {
    // Batch runs (a screenshot, a BCF export) capture the view with the pointer wherever the
    // X server left it: no tooltip in them.
    if config.is_some_and(|c| c.bcf_out.is_some() || c.screenshot.is_some() || c.export_views.is_some()) {
        return;
    }
    let Some(r) = hovered.0.filter(|r| scene.entities.contains_key(r)) else { return };
    let (pointer, held) = ui.input(|i| (i.pointer.hover_pos(), i.pointer.any_down()));
    let Some(at) = pointer.filter(|p| !held && ui.clip_rect().contains(*p)) else { return };
    let painter = ui.painter();
    let galley = painter.layout(
        hover_text(scene.element(r)),
        egui::FontId::proportional(14.0),
        egui::Color32::WHITE,
        (ui.clip_rect().right() - at.x - 24.0).max(120.0),
    );
    let rect = egui::Rect::from_min_size(at + egui::vec2(16.0, 18.0), galley.size() + egui::vec2(12.0, 8.0));
    painter.rect_filled(rect, 4.0, egui::Color32::from_black_alpha(210));
    painter.galley(rect.min + egui::vec2(6.0, 4.0), galley, egui::Color32::WHITE);
}

/// The right panel for the selected element.
fn element_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut selection: ResMut<Selection>,
) {
    let t = lang.strings();
    if selection.is_list() {
        if let Some(r) = selection_list(ui, t, &scene, &selection) {
            selection.show_member(r);
        }
        ui.separator();
        if selection.element.is_none() {
            ui.label(t.pick_a_row);
        }
    }
    if let Some(r) = selection.element {
        properties(ui, t, &scene, r);
    }
}

/// The elements of a selection of several, as the search lists them (class and name, the
/// GlobalId on hover), at most [`crate::search_plugin::MAX_LISTED`]; returns the row clicked.
fn selection_list(
    ui: &mut egui::Ui,
    t: &Strings,
    scene: &ModelScene,
    selection: &Selection,
) -> Option<ElementRef> {
    use crate::search_plugin::MAX_LISTED;
    let members: Vec<ElementRef> =
        selection.group.iter().copied().filter(|r| (r.file as usize) < scene.set.models.len()).collect();
    let listed = members.len().min(MAX_LISTED);
    if listed < members.len() {
        ui.label(format!("{} {} ({} {listed})", members.len(), t.elements_selected, t.showing_first));
    } else {
        ui.label(format!("{} {}", members.len(), t.elements_selected));
    }
    let mut clicked = None;
    egui::ScrollArea::vertical().id_salt("selection-list").max_height(160.0).show(ui, |ui| {
        for &r in &members[..listed] {
            if crate::search_plugin::element_row(ui, t, scene, r, selection.element == Some(r)).clicked() {
                clicked = Some(r);
            }
        }
    });
    clicked
}

/// One row of the model tree: a checkbox that shows or hides `key` (with its element count),
/// and *Isolate*, which hides every other key. Returns whether `hidden` changed.
fn visibility_row(
    ui: &mut egui::Ui,
    t: &Strings,
    hidden: &mut std::collections::BTreeSet<String>,
    counts: &std::collections::BTreeMap<String, usize>,
    key: &str,
    label: &str,
) -> bool {
    let mut changed = false;
    let mut shown = !hidden.contains(key);
    let count = counts.get(key).copied().unwrap_or(0);
    if ui.checkbox(&mut shown, format!("{label} ({count})")).changed() {
        if shown {
            hidden.remove(key);
        } else {
            hidden.insert(key.to_string());
        }
        changed = true;
    }
    if counts.len() > 1 && ui.small_button(t.isolate).on_hover_text(t.isolate_hint).clicked() {
        isolate(hidden, key, counts.keys());
        changed = true;
    }
    changed
}

fn model_tree(ui: &mut egui::Ui, t: &Strings, scene: &ModelScene, filter: &mut ResMut<ViewFilter>) {
    // Show all also undoes the elements a view or a BCF viewpoint hid or isolated one by one.
    if ui.button(t.show_all).clicked()
        && (!filter.hidden_storeys.is_empty()
            || !filter.hidden_classes.is_empty()
            || !filter.hidden_files.is_empty()
            || filter.filters_elements())
    {
        filter.hidden_storeys.clear();
        filter.hidden_classes.clear();
        filter.hidden_files.clear();
        filter.hidden_elements.clear();
        filter.isolated_elements = None;
    }
    egui::CollapsingHeader::new(t.model_files).default_open(true).show(ui, |ui| {
        for (i, model) in scene.set.models.iter().enumerate() {
            let file = i as u32;
            let name = std::path::Path::new(&model.path)
                .file_name()
                .map_or(model.path.clone(), |n| n.to_string_lossy().into_owned());
            let mut shown = !filter.hidden_files.contains(&file);
            if ui
                .checkbox(&mut shown, format!("{name} ({})", model.physical().count()))
                .on_hover_text(&model.path)
                .changed()
            {
                if shown {
                    filter.hidden_files.remove(&file);
                } else {
                    filter.hidden_files.insert(file);
                }
            }
        }
    });
    egui::CollapsingHeader::new(t.storeys).default_open(true).show(ui, |ui| {
        for name in scene.storeys.keys() {
            let label = if name.is_empty() { t.no_storey } else { name.as_str() };
            ui.horizontal(|ui| {
                let hidden = &mut filter.bypass_change_detection().hidden_storeys;
                if visibility_row(ui, t, hidden, &scene.storeys, name, label) {
                    filter.set_changed();
                }
            });
        }
    });
    egui::CollapsingHeader::new(t.classes).default_open(true).show(ui, |ui| {
        for class in scene.classes.keys() {
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, color32(class_color(class)));
                let hidden = &mut filter.bypass_change_detection().hidden_classes;
                if visibility_row(ui, t, hidden, &scene.classes, class, class) {
                    filter.set_changed();
                }
            });
        }
    });
}

fn properties(ui: &mut egui::Ui, t: &Strings, scene: &ModelScene, r: ElementRef) {
    let e: &Element = scene.element(r);
    egui::Grid::new("identity").num_columns(2).striped(true).show(ui, |ui| {
        grid_row(ui, t.global_id, &e.global_id);
        grid_row(ui, t.class, &e.class);
        grid_row(ui, t.name, e.name.as_deref().unwrap_or("—"));
        grid_row(ui, t.storey, e.storey.as_deref().unwrap_or("—"));
        grid_row(ui, t.file, scene.file_of(r));
        if let Some(ty) = &e.type_object {
            let name = ty.name.as_deref().unwrap_or("");
            grid_row(ui, t.type_object, &format!("{} {name}", ty.class));
        }
        if let Some(p) = &e.predefined_type {
            grid_row(ui, t.predefined_type, p);
        }
        if !e.materials.is_empty() {
            grid_row(ui, t.materials, &e.materials.join(", "));
        }
    });
    if !e.property_sets.is_empty() {
        ui.separator();
        ui.strong(t.property_sets);
        for (i, pset) in e.property_sets.iter().enumerate() {
            egui::CollapsingHeader::new(&pset.name).id_salt(("pset", i)).default_open(true).show(ui, |ui| {
                egui::Grid::new(("pset-grid", i)).num_columns(2).striped(true).show(ui, |ui| {
                    for p in &pset.properties {
                        grid_row(ui, &p.name, &p.value);
                    }
                });
            });
        }
    }
    if !e.quantity_sets.is_empty() {
        ui.separator();
        ui.strong(t.quantities);
        for (i, qset) in e.quantity_sets.iter().enumerate() {
            egui::CollapsingHeader::new(&qset.name).id_salt(("qset", i)).default_open(true).show(ui, |ui| {
                egui::Grid::new(("qset-grid", i)).num_columns(2).striped(true).show(ui, |ui| {
                    for q in &qset.quantities {
                        grid_row(ui, &q.name, &format!("{} {}", trim_number(q.value), unit_of(&q.kind)));
                    }
                });
            });
        }
    }
}

/// A quantity's unit from its IFC kind (values are SI).
fn unit_of(kind: &str) -> &'static str {
    match kind {
        "IfcQuantityLength" => "m",
        "IfcQuantityArea" => "m²",
        "IfcQuantityVolume" => "m³",
        "IfcQuantityWeight" => "kg",
        "IfcQuantityTime" => "s",
        _ => "",
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
