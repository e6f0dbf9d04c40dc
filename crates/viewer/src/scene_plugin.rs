//! The loaded scene: one entity per physical element, and what each one looks like.
//!
//! One entity per element (`../shared/notes/viewer.md`: Bevy 0.19 batches 20,000 separate
//! meshes about as well as 128 merged ones) keeps picking, highlighting and 4D visibility a
//! matter of swapping a material handle or a [`Visibility`].
//!
//! Elements of the same shape share one render mesh (instancing): a data hall's racks, a
//! floor's identical ducts or a mapped item placed many times are uploaded once, and Bevy draws
//! the entities that share a mesh and a material as one instanced batch. Shapes are compared
//! after moving each element's box centre to the origin, on a 0.1 mm grid, so only copies moved
//! without rotation share; a rotated copy keeps a mesh of its own.
//!
//! What an element looks like is decided in one place, [`apply_appearance`], from the state the
//! user changes: [`Selection`], [`ViewFilter`] (hidden storeys and classes, x-ray), the focused
//! clash and the 4D date. It runs only when one of them changed.

use crate::clash_plugin::ClashReview;
use crate::render_from_world;
use crate::section_plugin::{element_material, ElementMaterial};
use crate::timeline_plugin::Timeline;
use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use plumbline_model::{Aabb, Element, ElementRef, ModelSet, Role};
use plumbline_schedule::ElementState;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A drawn element: which shared mesh, and where, built off the main thread.
#[derive(Debug)]
pub struct PreparedElement {
    pub element: ElementRef,
    /// Position of the element's box centre in render space.
    pub translation: Vec3,
    /// Index of its shape in [`PreparedScene::meshes`].
    pub mesh: usize,
    /// Index of the element in the 4D simulation (physical elements in file order).
    pub sim: usize,
}

/// All render meshes of a model set and the frame they are expressed in.
#[derive(Debug, Default)]
pub struct PreparedScene {
    /// The world point (metres) that render space is centred on.
    pub origin_m: [f64; 3],
    /// World box of every drawn element.
    pub bounds: Option<Aabb>,
    pub elements: Vec<PreparedElement>,
    /// The distinct shapes, relative to their box centre; elements refer to them by index.
    pub meshes: Vec<Mesh>,
}

/// The grid shapes are compared on (metres): far below what a screen shows.
const SHAPE_GRID_M: f32 = 1.0e-4;

/// A shape's vertices on the comparison grid, or `None` when one lies too far from the box
/// centre for the grid's integers (such an element keeps a mesh of its own).
fn shape_key(positions: &[[f32; 3]]) -> Option<Vec<[i32; 3]>> {
    let limit = i32::MAX as f32 * 0.5;
    positions
        .iter()
        .map(|p| {
            let q = p.map(|c| (c / SHAPE_GRID_M).round());
            q.iter().all(|c| c.abs() < limit).then(|| q.map(|c| c as i32))
        })
        .collect()
}

/// Builds flat-shaded render meshes for every physical element with geometry, one per distinct
/// shape.
///
/// Vertices are expressed relative to the element's box centre (subtracted in `f64`), and the
/// centre relative to the scene origin: precision does not depend on where the model sits.
/// Elements whose vertices agree on the 0.1 mm grid once centred share the first one's mesh.
pub fn prepare_meshes(set: &ModelSet) -> PreparedScene {
    let mut bounds = Aabb::EMPTY;
    for (_, e) in set.elements() {
        if let (Role::Physical, Some(m)) = (e.role, &e.mesh) {
            if !m.aabb.is_empty() {
                bounds = bounds.union(&m.aabb);
            }
        }
    }
    let origin_m = if bounds.is_empty() { [0.0; 3] } else { bounds.center() };
    let mut elements = Vec::new();
    let mut meshes = Vec::new();
    let mut shapes: HashMap<Vec<[i32; 3]>, usize> = HashMap::new();
    let mut sim = 0usize;
    for (r, e) in set.elements() {
        if e.role != Role::Physical {
            continue;
        }
        let this_sim = sim;
        sim += 1;
        let Some(m) = &e.mesh else { continue };
        if m.triangles.is_empty() || m.aabb.is_empty() {
            continue;
        }
        let centre = m.aabb.center();
        let local = |i: u32| -> Vec3 {
            let w = m.world_vertex(i);
            render_from_world(centre, w)
        };
        let mut positions = Vec::with_capacity(m.triangles.len() * 3);
        for t in &m.triangles {
            positions.extend(t.map(|i| local(i).to_array()));
        }
        let key = shape_key(&positions);
        let shared = key.as_ref().and_then(|k| shapes.get(k).copied());
        let mesh = shared.unwrap_or_else(|| {
            meshes.push(flat_mesh(positions));
            if let Some(k) = key {
                shapes.insert(k, meshes.len() - 1);
            }
            meshes.len() - 1
        });
        elements.push(PreparedElement {
            element: r,
            translation: render_from_world(origin_m, centre),
            mesh,
            sim: this_sim,
        });
    }
    PreparedScene { origin_m, bounds: (!bounds.is_empty()).then_some(bounds), elements, meshes }
}

/// A flat-shaded triangle list: three vertices per triangle, each with its face's normal.
fn flat_mesh(positions: Vec<[f32; 3]>) -> Mesh {
    let mut normals = Vec::with_capacity(positions.len());
    for t in positions.chunks_exact(3) {
        let [a, b, c] = [t[0], t[1], t[2]].map(Vec3::from_array);
        let n = (b - a).cross(c - a).normalize_or_zero().to_array();
        normals.extend([n; 3]);
    }
    let count = positions.len() as u32;
    Mesh::new(PrimitiveTopology::TriangleList, RenderAssetUsages::default())
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
        .with_inserted_indices(Indices::U32((0..count).collect()))
}

/// The loaded models and the entities drawn for them.
#[derive(Resource, Debug, Default)]
pub struct ModelScene {
    pub set: ModelSet,
    pub origin_m: [f64; 3],
    pub bounds: Option<Aabb>,
    pub entities: HashMap<ElementRef, Entity>,
    pub by_global_id: HashMap<String, ElementRef>,
    /// Storey names with their element counts, sorted; `""` for elements without a storey.
    pub storeys: BTreeMap<String, usize>,
    pub classes: BTreeMap<String, usize>,
    pub errors: Vec<String>,
    /// Whether a load has been installed (even an empty one).
    pub loaded: bool,
    /// Distinct render meshes the drawn elements share.
    pub meshes: usize,
}

impl ModelScene {
    pub fn element(&self, r: ElementRef) -> &Element {
        self.set.element(r)
    }

    /// The file an element came from.
    pub fn file_of(&self, r: ElementRef) -> &str {
        &self.set.models[r.file as usize].path
    }

    /// World box of an element, if it has geometry.
    pub fn aabb(&self, r: ElementRef) -> Option<Aabb> {
        self.set.element(r).aabb()
    }

    /// The number of drawn elements.
    pub fn drawn(&self) -> usize {
        self.entities.len()
    }
}

/// One drawn element.
#[derive(Component, Debug, Clone, Copy)]
pub struct ElementId {
    pub element: ElementRef,
    /// Index in the 4D simulation.
    pub sim: usize,
}

/// What is selected: one element (a click), or the elements of a 4D task (a Gantt row).
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Selection {
    pub element: Option<ElementRef>,
    /// The task whose elements are selected (an index into the schedule's tasks).
    pub task: Option<usize>,
    /// The task's elements, sorted.
    pub group: Vec<ElementRef>,
}

impl Selection {
    pub fn contains(&self, r: ElementRef) -> bool {
        self.element == Some(r) || self.group.binary_search(&r).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.element.is_none() && self.group.is_empty()
    }

    /// Selects one element (or nothing), dropping a task's selection.
    pub fn select_element(&mut self, r: Option<ElementRef>) {
        *self = Selection { element: r, task: None, group: Vec::new() };
    }

    /// Selects the elements of a task.
    pub fn select_task(&mut self, task: usize, mut elements: Vec<ElementRef>) {
        elements.sort_unstable();
        elements.dedup();
        *self = Selection { element: None, task: Some(task), group: elements };
    }
}

/// Which elements are shown, and whether the rest of the selection is ghosted.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct ViewFilter {
    /// Files of the federated set that are hidden (indices into the model set).
    pub hidden_files: BTreeSet<u32>,
    pub hidden_storeys: BTreeSet<String>,
    pub hidden_classes: BTreeSet<String>,
    /// Ghost every element but the selection.
    pub xray: bool,
}

impl ViewFilter {
    /// Shows only `storey` (`""`: the elements without one) among `storeys`, as Navisworks'
    /// and Solibri's *Isolate* does; classes and files keep their own visibility.
    pub fn isolate_storey<'a>(&mut self, storey: &str, storeys: impl IntoIterator<Item = &'a String>) {
        isolate(&mut self.hidden_storeys, storey, storeys);
    }

    /// Shows only `class` among `classes`.
    pub fn isolate_class<'a>(&mut self, class: &str, classes: impl IntoIterator<Item = &'a String>) {
        isolate(&mut self.hidden_classes, class, classes);
    }

    pub fn shows(&self, e: &Element) -> bool {
        !self.hidden_classes.contains(&e.class)
            && !self.hidden_storeys.contains(e.storey.as_deref().unwrap_or(""))
    }
}

/// Hides every one of `all` but `keep`.
pub fn isolate<'a>(hidden: &mut BTreeSet<String>, keep: &str, all: impl IntoIterator<Item = &'a String>) {
    *hidden = all.into_iter().filter(|k| k.as_str() != keep).cloned().collect();
}

/// What an element looks like, before it becomes a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Look {
    Hidden,
    /// Its class colour.
    Normal,
    Selected,
    Ghost,
    ClashA,
    ClashB,
    InProgress,
    Temporary,
    Demolishing,
    /// 4D: the element's work is behind its plan on the shown day.
    Late,
}

/// Materials shared by every element (one per class, one per highlight).
#[derive(Resource, Debug, Default)]
pub struct Palette {
    pub by_class: HashMap<String, Handle<ElementMaterial>>,
    pub selected: Handle<ElementMaterial>,
    pub ghost: Handle<ElementMaterial>,
    pub clash_a: Handle<ElementMaterial>,
    pub clash_b: Handle<ElementMaterial>,
    pub in_progress: Handle<ElementMaterial>,
    pub temporary: Handle<ElementMaterial>,
    pub demolishing: Handle<ElementMaterial>,
    pub late: Handle<ElementMaterial>,
}

impl Palette {
    /// Every material of the palette (class colours and highlights).
    pub fn all(&self) -> impl Iterator<Item = &Handle<ElementMaterial>> {
        self.by_class.values().chain([
            &self.selected,
            &self.ghost,
            &self.clash_a,
            &self.clash_b,
            &self.in_progress,
            &self.temporary,
            &self.demolishing,
            &self.late,
        ])
    }

    fn material(&self, look: Look, class: &str) -> Option<Handle<ElementMaterial>> {
        Some(match look {
            Look::Hidden => return None,
            Look::Normal => self.by_class.get(class)?.clone(),
            Look::Selected => self.selected.clone(),
            Look::Ghost => self.ghost.clone(),
            Look::ClashA => self.clash_a.clone(),
            Look::ClashB => self.clash_b.clone(),
            Look::InProgress => self.in_progress.clone(),
            Look::Temporary => self.temporary.clone(),
            Look::Demolishing => self.demolishing.clone(),
            Look::Late => self.late.clone(),
        })
    }
}

/// The colour of an IFC class: fixed for the common building and MEP classes, a stable hue from
/// the name for the rest.
pub fn class_color(class: &str) -> Color {
    let known: &[(&str, [f32; 3])] = &[
        ("IfcWall", [0.86, 0.84, 0.80]),
        ("IfcWallStandardCase", [0.86, 0.84, 0.80]),
        ("IfcSlab", [0.70, 0.70, 0.72]),
        ("IfcRoof", [0.60, 0.45, 0.40]),
        ("IfcColumn", [0.62, 0.64, 0.70]),
        ("IfcBeam", [0.55, 0.58, 0.68]),
        ("IfcMember", [0.55, 0.58, 0.68]),
        ("IfcPlate", [0.60, 0.62, 0.66]),
        ("IfcDoor", [0.62, 0.42, 0.26]),
        ("IfcWindow", [0.55, 0.75, 0.90]),
        ("IfcStair", [0.70, 0.66, 0.60]),
        ("IfcRailing", [0.50, 0.50, 0.50]),
        ("IfcCovering", [0.90, 0.88, 0.82]),
        ("IfcFurnishingElement", [0.75, 0.60, 0.45]),
        ("IfcFurniture", [0.75, 0.60, 0.45]),
        ("IfcDuctSegment", [0.45, 0.70, 0.90]),
        ("IfcDuctFitting", [0.40, 0.65, 0.85]),
        ("IfcAirTerminal", [0.50, 0.80, 0.95]),
        ("IfcPipeSegment", [0.30, 0.75, 0.45]),
        ("IfcPipeFitting", [0.25, 0.70, 0.40]),
        ("IfcCableCarrierSegment", [0.95, 0.75, 0.20]),
        ("IfcCableCarrierFitting", [0.90, 0.70, 0.15]),
        ("IfcCableSegment", [0.95, 0.55, 0.15]),
        ("IfcElectricDistributionBoard", [0.85, 0.35, 0.30]),
        ("IfcElectricAppliance", [0.25, 0.28, 0.34]),
        ("IfcUnitaryEquipment", [0.35, 0.55, 0.75]),
        ("IfcBuildingElementProxy", [0.65, 0.55, 0.75]),
        ("IfcFlowSegment", [0.45, 0.70, 0.90]),
        ("IfcFlowFitting", [0.40, 0.65, 0.85]),
        ("IfcFlowTerminal", [0.50, 0.80, 0.95]),
    ];
    if let Some((_, c)) = known.iter().find(|(k, _)| *k == class) {
        return Color::srgb(c[0], c[1], c[2]);
    }
    // FNV-1a of the name: the same class always gets the same hue.
    let mut h: u32 = 0x811c_9dc5;
    for b in class.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    Color::hsl((h % 360) as f32, 0.45, 0.62)
}

fn opaque(color: Color) -> StandardMaterial {
    StandardMaterial {
        base_color: color,
        perceptual_roughness: 0.85,
        metallic: 0.0,
        reflectance: 0.2,
        // IFC exporters do not agree on winding: draw both sides.
        cull_mode: None,
        double_sided: true,
        ..default()
    }
}

/// Spawns the scene and keeps each element's look up to date.
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
            .add_systems(PostUpdate, apply_appearance.before(bevy::transform::TransformSystems::Propagate));
        let config = app.world().get_resource::<crate::ViewerConfig>().cloned().unwrap_or_default();
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
        ..opaque(Color::srgb(1.0, 0.75, 0.1))
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
        ..opaque(Color::srgb(0.9, 0.1, 0.1))
    }));
    palette.clash_b = materials.add(element_material(StandardMaterial {
        emissive: LinearRgba::rgb(0.0, 0.3, 0.0),
        ..opaque(Color::srgb(0.1, 0.8, 0.2))
    }));
    palette.in_progress = materials.add(element_material(opaque(Color::srgb(1.0, 0.55, 0.1))));
    palette.temporary = materials.add(element_material(opaque(Color::srgb(0.65, 0.35, 0.9))));
    palette.demolishing = materials.add(element_material(StandardMaterial {
        base_color: Color::srgba(0.8, 0.15, 0.15, 0.45),
        alpha_mode: AlphaMode::Blend,
        ..opaque(Color::srgb(0.8, 0.15, 0.15))
    }));
    // Late work: a saturated magenta, apart from the clash red and the in-progress orange.
    palette.late = materials.add(element_material(StandardMaterial {
        emissive: LinearRgba::rgb(0.3, 0.0, 0.2),
        ..opaque(Color::srgb(0.95, 0.1, 0.6))
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
    let mesh = meshes.add(flat_mesh(vec![[0.0, 0.0, -1.0]; 3]));
    // The class colours (made at load) share the opaque highlights' pipeline: colours are not
    // part of a pipeline's key.
    for material in palette.all().cloned() {
        let warm = commands
            .spawn((Mesh3d(mesh.clone()), MeshMaterial3d(material), Transform::IDENTITY, PipelineWarmup))
            .id();
        commands.entity(camera).add_child(warm);
    }
}

/// Replaces the scene by a loaded model set: one entity per drawn element.
pub fn install_scene(world: &mut World, set: ModelSet, prepared: PreparedScene, errors: Vec<String>) {
    // Despawn a previous scene, and the pipeline stand-ins (their pipelines are built).
    let old: Vec<Entity> = world.resource::<ModelScene>().entities.values().copied().collect();
    for e in old {
        world.despawn(e);
    }
    let warmups: Vec<Entity> = world.query_filtered::<Entity, With<PipelineWarmup>>().iter(world).collect();
    for e in warmups {
        world.despawn(e);
    }
    let mut storeys = BTreeMap::new();
    let mut classes = BTreeMap::new();
    for (_, e) in set.elements().filter(|(_, e)| e.role == Role::Physical) {
        *storeys.entry(e.storey.as_deref().unwrap_or("").to_string()).or_insert(0) += 1;
        *classes.entry(e.class.clone()).or_insert(0) += 1;
    }
    // One material per class.
    let missing: Vec<String> = {
        let palette = world.resource::<Palette>();
        classes.keys().filter(|c| !palette.by_class.contains_key(*c)).cloned().collect()
    };
    for class in missing {
        let handle = world
            .resource_mut::<Assets<ElementMaterial>>()
            .add(element_material(opaque(class_color(&class))));
        world.resource_mut::<Palette>().by_class.insert(class, handle);
    }
    let mut entities = HashMap::with_capacity(prepared.elements.len());
    let mut by_global_id = HashMap::new();
    for (r, e) in set.elements() {
        by_global_id.insert(e.global_id.clone(), r);
    }
    let meshes: Vec<Handle<Mesh>> = {
        let mut assets = world.resource_mut::<Assets<Mesh>>();
        prepared.meshes.into_iter().map(|m| assets.add(m)).collect()
    };
    for p in prepared.elements {
        let class = &set.element(p.element).class;
        let material = world.resource::<Palette>().by_class.get(class).cloned().unwrap_or_default();
        let entity = world
            .spawn((
                Mesh3d(meshes[p.mesh].clone()),
                MeshMaterial3d(material),
                Transform::from_translation(p.translation),
                Visibility::Inherited,
                ElementId { element: p.element, sim: p.sim },
            ))
            .id();
        entities.insert(p.element, entity);
    }
    *world.resource_mut::<ModelScene>() = ModelScene {
        set,
        origin_m: prepared.origin_m,
        bounds: prepared.bounds,
        entities,
        by_global_id,
        storeys,
        classes,
        errors,
        loaded: true,
        meshes: meshes.len(),
    };
    *world.resource_mut::<Selection>() = Selection::default();
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
    mut elements: Query<(&ElementId, &mut Visibility, &mut MeshMaterial3d<ElementMaterial>)>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    if !(scene.is_changed()
        || filter.is_changed()
        || selection.is_changed()
        || review.is_changed()
        || timeline.is_changed()
        || palette.is_changed())
    {
        return;
    }
    let clash = review.focused_pair(&scene);
    let states = timeline.active_states();
    for (id, mut vis, mut mat) in &mut elements {
        let e = scene.element(id.element);
        let status = states.and_then(|s| s.get(id.sim));
        let late = timeline.highlight_late && status.is_some_and(|s| s.late);
        let look = look_of(id.element, e, &filter, &selection, clash, status.map(|s| s.state), late);
        let new_vis = if look == Look::Hidden { Visibility::Hidden } else { Visibility::Inherited };
        if *vis != new_vis {
            *vis = new_vis;
        }
        if let Some(m) = palette.material(look, &e.class) {
            if mat.0 != m {
                mat.0 = m;
            }
        }
    }
    redraw.write(bevy::window::RequestRedraw);
}
