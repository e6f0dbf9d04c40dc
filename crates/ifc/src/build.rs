//! Turning ifc-lite's output into a [`Model`].

use crate::read::Header;
use crate::semantics::{self, RelKind, Semantics};
use crate::LoadError;
use ifc_lite_core::{EntityDecoder, EntityIndex, SchemaVersion};
use ifc_lite_processing::{
    process, Batching, Features, FrameEvent, MeshData, ProcessingRequest, ProcessingSink,
};
use plumbline_model::{
    ClassTable, Element, ElementIdx, Failure, Mesh, MeshScope, Model, Relations, Role, Storey, System,
    TypeObject,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// `IfcProduct.Representation` is attribute 6 in every IFC schema.
const REPRESENTATION_ATTRIBUTE: usize = 6;

pub(crate) fn load(
    path: &Path,
    bytes: &[u8],
    header: &Header,
    scope: &MeshScope,
    cancel: Arc<AtomicBool>,
    progress: Option<Arc<crate::LoadProgress>>,
) -> Result<Model, LoadError> {
    let semantics::Scan { index, jobs, entity_count } = semantics::scan(bytes, header.family);
    let index = Arc::new(index);
    // ifc-lite still resolves the whole file (a chosen wall keeps the openings that cut it);
    // only products outside the scope never reach its tessellator.
    let chosen = match scope {
        MeshScope::Everything => None,
        MeshScope::Classes(classes) => {
            Some(Arc::new(semantics::scoped_products(bytes, &index, header.family, &jobs, classes)))
        }
    };
    // Chunks of a few thousand jobs let the cancel flag stop a runaway pass between chunks at
    // no measurable cost. ifc-lite's own property and presentation-layer resolution is off: the
    // semantic pass below does that work once, and leaving it on cost 25 % of the geometry time.
    let request = ProcessingRequest::full_pass()
        .batching(Batching::new(4096, 4096))
        // Meshes are moved into world coordinates batch by batch as they are made (MeshSink)
        // instead of being retained: the peak memory of a large model halves.
        .retain_meshes(false)
        .features(Features::default().properties(false).presentation_layers(false))
        .index(index.clone())
        .ids(chosen.clone())
        .cancel(cancel);
    let ((geometry, meshes), sem) = rayon::join(
        || {
            let mut sink = MeshSink { progress, ..MeshSink::default() };
            let result = process(bytes, &request, &mut sink);
            let meshes = sink.finish(&result.frame);
            (result, meshes)
        },
        || semantics::extract(bytes, &index, header.family, &jobs, entity_count),
    );
    if let Some(id) = geometry.metadata.length_unit_refused {
        return Err(LoadError::BadUnit { path: path.into(), entity: format!("#{id}") });
    }
    drop(geometry);
    let mut model = Builder::new(bytes, &index, header).build(path, header, sem, meshes, chosen.as_deref());
    model.mesh_scope = scope.clone();
    crate::text::repair_legacy_encoding(&mut model);
    let warnings = crate::text::text_warnings(&model);
    model.warnings.extend(warnings);
    Ok(model)
}

fn supertypes(family: SchemaVersion, class: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut current = family.entity_info(class).and_then(|i| i.parent);
    while let Some(name) = current {
        out.push(name);
        current = family.entity_info(name).and_then(|i| i.parent);
    }
    out
}

struct Builder<'a> {
    bytes: &'a [u8],
    index: &'a EntityIndex,
    family: SchemaVersion,
    classes: ClassTable,
}

impl<'a> Builder<'a> {
    fn new(bytes: &'a [u8], index: &'a EntityIndex, header: &Header) -> Self {
        Builder { bytes, index, family: header.family, classes: ClassTable::default() }
    }

    /// The schema's spelling of a class (`IFCWALL` -> `IfcWall`), recording its ancestry.
    fn class_name(&mut self, raw: &str) -> String {
        let name = crate::canonical_class_name(raw).unwrap_or_else(|| raw.to_string());
        if self.family.entity_info(raw).is_some() && !self.classes.contains(&name) {
            let ancestors: Vec<String> = supertypes(self.family, raw)
                .into_iter()
                .map(|s| crate::canonical_class_name(s).unwrap_or_else(|| s.to_string()))
                .collect();
            let refs: Vec<&str> = ancestors.iter().map(String::as_str).collect();
            self.classes.insert(&name, &refs);
        }
        name
    }

    fn build(
        mut self,
        path: &Path,
        header: &Header,
        sem: Semantics,
        geometry: Vec<(u32, Option<Mesh>)>,
        chosen: Option<&HashSet<u32>>,
    ) -> Model {
        let mut elements: Vec<Element> = Vec::with_capacity(sem.products.len());
        let mut idx_of: HashMap<u32, ElementIdx> = HashMap::with_capacity(sem.products.len());
        let mut has_representation = Vec::with_capacity(sem.products.len());
        for (r, role) in &sem.products {
            let class = self.class_name(&r.raw_class);
            idx_of.insert(r.id, elements.len() as ElementIdx);
            has_representation.push(r.has_representation);
            elements.push(Element {
                express_id: r.id,
                global_id: r.global_id.clone().unwrap_or_else(|| format!("#{}", r.id)),
                class,
                role: *role,
                predefined_type: r.predefined_type.clone(),
                object_type: r.object_type.clone(),
                name: r.name.clone(),
                type_object: None,
                storey: None,
                building: None,
                property_sets: Vec::new(),
                quantity_sets: Vec::new(),
                materials: Vec::new(),
                placement: r.placement,
                mesh: None,
            });
        }

        let mut failures = attach_meshes(&mut elements, &idx_of, geometry);
        let relations = self.attach_relations(&mut elements, &idx_of, &sem);
        let storeys = attach_spatial(&mut elements, &idx_of, &sem);
        let unusable: BTreeSet<String> = failures.iter().map(|f| f.global_id.clone()).collect();
        failures.extend(self.missing_geometry(&elements, &has_representation, &unusable, chosen));
        failures.extend(sem.broken.iter().cloned());
        failures.sort_by(|a, b| (&a.class, &a.global_id).cmp(&(&b.class, &b.global_id)));
        // One line per element: the first reason found (the most specific) is kept.
        failures.dedup_by(|later, first| later.global_id == first.global_id && later.class == first.class);

        Model {
            path: path.display().to_string(),
            schema: header.schema.clone(),
            entity_count: sem.entity_count,
            elements,
            storeys,
            relations,
            failures,
            mesh_scope: MeshScope::Everything,
            warnings: Vec::new(),
            classes: self.classes,
            load_secs: 0.0,
        }
    }

    /// Elements with a body representation that produced no triangles (of those `chosen` to be
    /// tessellated, when not all were).
    fn missing_geometry(
        &self,
        elements: &[Element],
        has_representation: &[bool],
        unusable: &BTreeSet<String>,
        chosen: Option<&HashSet<u32>>,
    ) -> Vec<Failure> {
        let mut decoder: Option<EntityDecoder> = None;
        let mut out = Vec::new();
        for (e, &has_rep) in elements.iter().zip(has_representation) {
            if e.mesh.is_some() || e.role != Role::Physical || !has_rep || unusable.contains(&e.global_id) {
                continue;
            }
            if chosen.is_some_and(|c| !c.contains(&e.express_id)) {
                continue;
            }
            if self.index.get(&e.express_id).is_none() {
                continue;
            }
            let decoder = decoder.get_or_insert_with(|| EntityDecoder::new(self.bytes));
            // The two common causes of a missing mesh in hand-edited or damaged files, named
            // precisely so the author can find the record: a reference to an entity that is
            // not in the file, and a placement chain that loops.
            if let Some(reason) = self.broken_reference(decoder, e.express_id) {
                out.push(Failure { global_id: e.global_id.clone(), class: e.class.clone(), reason });
                continue;
            }
            let kinds = representation_kinds(decoder, e.express_id);
            if kinds.is_empty() {
                out.push(Failure {
                    global_id: e.global_id.clone(),
                    class: e.class.clone(),
                    reason: "its shape representation cannot be decoded".into(),
                });
                continue;
            }
            let has_body = kinds.iter().any(|(id, _)| {
                matches!(id.to_ascii_lowercase().as_str(), "body" | "facetation" | "" | "body-fallback")
            });
            if !has_body {
                // Only axis, footprint or annotation shapes: nothing solid to draw or clash.
                continue;
            }
            let described: Vec<String> = kinds
                .iter()
                .map(|(id, ty)| if id.is_empty() { ty.clone() } else { format!("{id}/{ty}") })
                .collect();
            out.push(Failure {
                global_id: e.global_id.clone(),
                class: e.class.clone(),
                reason: format!("no triangles from its representation ({})", described.join(", ")),
            });
        }
        out
    }

    /// Why a product's geometry cannot be built, when the reason is a broken reference: its
    /// placement or representation (or anything they refer to, a few levels down) names an
    /// entity the file does not define, or its chain of relative placements comes back to
    /// itself. `None` when its references are sound.
    fn broken_reference(&self, decoder: &mut EntityDecoder, product: u32) -> Option<String> {
        const PLACEMENT_ATTRIBUTE: usize = 5;
        let entity = decoder.decode_by_id(product).ok()?;
        // A placement cycle: IfcLocalPlacement.PlacementRelTo (attribute 0) followed upwards.
        let mut chain = Vec::new();
        let mut next = entity.get_ref(PLACEMENT_ATTRIBUTE);
        while let Some(id) = next {
            if chain.contains(&id) {
                chain.push(id);
                let shown: Vec<String> = chain.iter().map(|id| format!("#{id}")).collect();
                return Some(format!("its placement chain loops ({})", shown.join(" → ")));
            }
            if chain.len() > 256 {
                return Some(format!("its placement chain is deeper than 256 levels (at #{id})"));
            }
            chain.push(id);
            next = match decoder.decode_by_id(id) {
                Ok(p) => p.get_ref(0),
                Err(_) => None,
            };
        }
        // A dangling reference, searched breadth-first from the placement and representation.
        let mut queue: Vec<(u32, u32, usize)> = [PLACEMENT_ATTRIBUTE, REPRESENTATION_ATTRIBUTE]
            .into_iter()
            .filter_map(|a| entity.get_ref(a))
            .map(|id| (product, id, 0))
            .collect();
        let mut seen = BTreeSet::new();
        while let Some((from, id, depth)) = queue.pop() {
            if !seen.insert(id) {
                continue;
            }
            if self.index.get(&id).is_none() {
                return Some(format!("#{from} refers to #{id}, which the file does not define"));
            }
            if depth >= 6 {
                continue;
            }
            if let Ok(child) = decoder.decode_by_id(id) {
                let mut refs = Vec::new();
                for value in child.attributes.iter() {
                    refs_of(value, &mut refs);
                }
                queue.extend(refs.into_iter().map(|r| (id, r, depth + 1)));
            }
        }
        None
    }

    fn attach_relations(
        &mut self,
        elements: &mut [Element],
        idx_of: &HashMap<u32, ElementIdx>,
        sem: &Semantics,
    ) -> Relations {
        let mut rel = Relations::default();
        let mut type_of: HashMap<ElementIdx, u32> = HashMap::new();
        let mut port_owner: HashMap<u32, ElementIdx> = HashMap::new();
        let mut port_links: Vec<(u32, u32)> = Vec::new();
        let mut groups: BTreeMap<u32, Vec<ElementIdx>> = BTreeMap::new();
        let mut serves: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &(kind, relating, related) in &sem.rels {
            let a = idx_of.get(&relating).copied();
            let b = idx_of.get(&related).copied();
            match kind {
                RelKind::Voids => {
                    if let (Some(a), Some(b)) = (a, b) {
                        rel.voids.push((a, b));
                    }
                }
                RelKind::Fills => {
                    if let (Some(a), Some(b)) = (a, b) {
                        rel.fills.push((a, b));
                    }
                }
                RelKind::Aggregates => match (a, b) {
                    (Some(a), Some(b)) => rel.aggregates.push((a, b)),
                    // IFC4 nests ports under their element.
                    (Some(a), None) if sem.ports.contains(&related) => {
                        port_owner.insert(related, a);
                    }
                    _ => {}
                },
                RelKind::PortToElement => {
                    if let Some(b) = b {
                        port_owner.insert(relating, b);
                    }
                }
                RelKind::ConnectsPorts => port_links.push((relating, related)),
                RelKind::DefinesByType => {
                    if let Some(b) = b {
                        type_of.insert(b, relating);
                    }
                }
                RelKind::DefinesByProperties => {
                    if let Some(b) = b {
                        if let Some(p) = sem.psets.get(&relating) {
                            elements[b as usize].property_sets.push(p.clone());
                        } else if let Some(q) = sem.qsets.get(&relating) {
                            elements[b as usize].quantity_sets.push(q.clone());
                        }
                    }
                }
                RelKind::AssignsToGroup => {
                    if let Some(b) = b {
                        groups.entry(relating).or_default().push(b);
                    }
                }
                RelKind::ServicesBuildings => serves.entry(relating).or_default().push(related),
                RelKind::Contains | RelKind::AssociatesMaterial => {}
            }
        }

        // Type objects, with the properties and materials they give their occurrences.
        for (i, e) in elements.iter_mut().enumerate() {
            let type_id = type_of.get(&(i as ElementIdx)).copied();
            if let Some(t) = type_id.and_then(|t| sem.types.get(&t)) {
                let class = self.class_name(&t.raw_class);
                e.type_object = Some(TypeObject {
                    global_id: t.global_id.clone().unwrap_or_else(|| format!("#{}", t.id)),
                    class,
                    name: t.name.clone(),
                    predefined_type: t.predefined_type.clone(),
                });
                for pid in &t.type_psets {
                    if let Some(p) = sem.psets.get(pid) {
                        if !e.property_sets.iter().any(|own| own.name == p.name) {
                            e.property_sets.push(p.clone());
                        }
                    } else if let Some(q) = sem.qsets.get(pid) {
                        if !e.quantity_sets.iter().any(|own| own.name == q.name) {
                            e.quantity_sets.push(q.clone());
                        }
                    }
                }
            }
            e.materials = sem
                .materials
                .get(&e.express_id)
                .or_else(|| type_id.and_then(|t| sem.materials.get(&t)))
                .cloned()
                .unwrap_or_default();
        }

        // Port connections become element pairs.
        for (p, q) in port_links {
            if let (Some(&a), Some(&b)) = (port_owner.get(&p), port_owner.get(&q)) {
                if a != b {
                    rel.port_connections.push((a.min(b), a.max(b)));
                }
            }
        }
        rel.port_connections.sort_unstable();
        rel.port_connections.dedup();

        for (group_id, mut members) in groups {
            let Some(g) = sem.systems.get(&group_id) else { continue };
            members.sort_unstable();
            members.dedup();
            let class = self.class_name(&g.raw_class);
            let served = serves
                .get(&group_id)
                .into_iter()
                .flatten()
                .filter_map(|id| sem.spatial.get(id).and_then(|s| s.name.clone()))
                .collect();
            rel.systems.push(System {
                global_id: g.global_id.clone().unwrap_or_else(|| format!("#{group_id}")),
                class,
                name: g.name.clone(),
                members,
                serves: served,
            });
        }
        rel
    }
}

/// Storey and building of each element, and the storey list. An element's storey is the first
/// storey found walking up from it: its spatial container, or for parts, openings and fillings
/// (often placed only through their whole or host) the container of the whole or host.
fn attach_spatial(
    elements: &mut [Element],
    idx_of: &HashMap<u32, ElementIdx>,
    sem: &Semantics,
) -> Vec<Storey> {
    let mut up: HashMap<u32, u32> = HashMap::new();
    for &(kind, relating, related) in &sem.rels {
        match kind {
            // Containment wins over any other way up.
            RelKind::Contains => {
                up.insert(related, relating);
            }
            RelKind::Aggregates | RelKind::Voids | RelKind::Fills => {
                up.entry(related).or_insert(relating);
            }
            _ => {}
        }
    }
    let is =
        |id: u32, class: &str| sem.spatial.get(&id).is_some_and(|s| s.raw_class.eq_ignore_ascii_case(class));
    let name_of = |id: u32| sem.spatial.get(&id).map(|s| s.name.clone().unwrap_or_else(|| format!("#{id}")));
    let find_up = |start: u32, class: &str| -> Option<u32> {
        let mut cur = start;
        for _ in 0..64 {
            cur = *up.get(&cur)?;
            if is(cur, class) {
                return Some(cur);
            }
        }
        None
    };
    // One shared name per storey and building, however many elements it holds.
    let mut shared: HashMap<u32, Option<std::sync::Arc<str>>> = HashMap::new();
    let mut shared_name = |id: u32| shared.entry(id).or_insert_with(|| name_of(id).map(Into::into)).clone();
    for (r, _) in &sem.products {
        if let Some(&i) = idx_of.get(&r.id) {
            let e = &mut elements[i as usize];
            e.storey = find_up(r.id, "IfcBuildingStorey").and_then(&mut shared_name);
            e.building = find_up(r.id, "IfcBuilding").and_then(&mut shared_name);
        }
    }
    let mut storeys: Vec<Storey> = sem
        .spatial
        .values()
        .filter(|s| s.raw_class.eq_ignore_ascii_case("IfcBuildingStorey"))
        .map(|s| Storey {
            global_id: s.global_id.clone().unwrap_or_else(|| format!("#{}", s.id)),
            name: s.name.clone().unwrap_or_else(|| format!("#{}", s.id)),
            elevation_m: s.elevation,
            building: find_up(s.id, "IfcBuilding").and_then(name_of),
        })
        .collect();
    storeys.sort_by(|a, b| {
        a.elevation_m
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.elevation_m.unwrap_or(f64::NEG_INFINITY))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.global_id.cmp(&b.global_id))
    });
    storeys
}

/// Receives ifc-lite's meshes batch by batch and moves each into world coordinates at once, so
/// that the pass never holds every mesh in its own format.
#[derive(Default)]
struct MeshSink {
    frame: Option<ifc_lite_processing::MeshFrame>,
    /// `(express id, mesh)`; `None` marks a mesh with non-finite coordinates.
    out: Vec<(u32, Option<Mesh>)>,
    /// Meshes that arrived before the frame was announced (kept in ifc-lite's form until then).
    early: Vec<MeshData>,
    progress: Option<Arc<crate::LoadProgress>>,
}

impl ProcessingSink for MeshSink {
    fn on_frame(&mut self, frame: &FrameEvent) {
        self.frame = Some(frame.frame);
    }

    fn on_batch(&mut self, meshes: &[MeshData], processed: usize, total: usize) {
        if let Some(p) = &self.progress {
            p.set(processed, total);
        }
        match self.frame {
            Some(frame) => {
                let to_world = frame.world_mapper();
                self.out.extend(
                    meshes
                        .iter()
                        .filter(|m| is_occurrence(m))
                        .map(|m| (m.express_id, world_mesh(m, &to_world))),
                );
            }
            None => self.early.extend(meshes.iter().filter(|m| is_occurrence(m)).cloned()),
        }
    }
}

impl MeshSink {
    fn finish(mut self, frame: &ifc_lite_processing::MeshFrame) -> Vec<(u32, Option<Mesh>)> {
        let to_world = frame.world_mapper();
        let early = std::mem::take(&mut self.early);
        self.out.extend(early.iter().map(|m| (m.express_id, world_mesh(m, &to_world))));
        self.out
    }
}

/// Type-library shapes (geometry_class 1 and 2) are not occurrences.
fn is_occurrence(m: &MeshData) -> bool {
    m.geometry_class != 1 && m.geometry_class != 2
}

/// Puts every mesh onto its element. Returns the elements whose meshes were unusable
/// (non-finite coordinates).
fn attach_meshes(
    elements: &mut [Element],
    idx_of: &HashMap<u32, ElementIdx>,
    meshes: Vec<(u32, Option<Mesh>)>,
) -> Vec<Failure> {
    let mut bad: BTreeSet<ElementIdx> = BTreeSet::new();
    for (express_id, mesh) in meshes {
        let Some(&idx) = idx_of.get(&express_id) else { continue };
        match mesh {
            Some(mesh) if mesh.triangle_count() > 0 => match &mut elements[idx as usize].mesh {
                Some(existing) => existing.append(&mesh),
                slot @ None => *slot = Some(mesh),
            },
            Some(_) => {}
            None => {
                bad.insert(idx);
            }
        }
    }
    bad.into_iter()
        .map(|idx| {
            let e = &mut elements[idx as usize];
            e.mesh = None;
            Failure {
                global_id: e.global_id.clone(),
                class: e.class.clone(),
                reason: "tessellation produced non-finite coordinates; geometry dropped".into(),
            }
        })
        .collect()
}

/// Every entity reference in an attribute value, nested lists and typed values included.
fn refs_of(value: &ifc_lite_core::AttributeValue, out: &mut Vec<u32>) {
    use ifc_lite_core::AttributeValue as V;
    match value {
        V::EntityRef(id) => out.push(*id),
        V::List(items) => items.iter().for_each(|v| refs_of(v, out)),
        V::Typed { value, .. } => refs_of(value, out),
        _ => {}
    }
}

/// The `(RepresentationIdentifier, RepresentationType)` of each representation of a product.
fn representation_kinds(decoder: &mut EntityDecoder, product: u32) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(p) = decoder.decode_by_id(product) else { return out };
    let Some(shape_id) = p.get_ref(REPRESENTATION_ATTRIBUTE) else { return out };
    let Ok(shape) = decoder.decode_by_id(shape_id) else { return out };
    // IfcProductDefinitionShape: Name, Description, Representations.
    let reps: Vec<u32> = shape.get_refs(2).unwrap_or_default();
    for r in reps {
        if let Ok(rep) = decoder.decode_by_id(r) {
            // IfcShapeRepresentation: ContextOfItems, RepresentationIdentifier, RepresentationType, Items.
            let id = rep.get_string(1).unwrap_or("").to_string();
            let ty = rep.get_string(2).unwrap_or("").to_string();
            out.push((id, ty));
        }
    }
    out
}

/// One ifc-lite mesh in world coordinates, or `None` when a coordinate is not finite.
fn world_mesh(md: &MeshData, to_world: &impl Fn([f64; 3]) -> [f64; 3]) -> Option<Mesh> {
    let world: Vec<[f64; 3]> = md
        .positions
        .chunks_exact(3)
        .map(|p| {
            to_world([
                md.origin[0] + f64::from(p[0]),
                md.origin[1] + f64::from(p[1]),
                md.origin[2] + f64::from(p[2]),
            ])
        })
        .collect();
    if world.iter().any(|p| p.iter().any(|v| !v.is_finite())) {
        return None;
    }
    // The first vertex is the mesh's own origin: offsets stay small whatever the world position.
    let origin_m = world.first().copied().unwrap_or([0.0; 3]);
    // ifc-lite repeats a corner once per face for flat shading; the model keeps each position
    // once (a box: 8 vertices instead of 24), which a million-element model feels.
    let mut vertices: Vec<[f32; 3]> = Vec::with_capacity(world.len() / 2);
    let mut slot: HashMap<[u32; 3], u32> = HashMap::with_capacity(world.len());
    let remap: Vec<u32> = world
        .iter()
        .map(|p| {
            let v = [(p[0] - origin_m[0]) as f32, (p[1] - origin_m[1]) as f32, (p[2] - origin_m[2]) as f32];
            // Bit patterns as the key; -0.0 and 0.0 are the same point.
            let key = v.map(|c| if c == 0.0 { 0 } else { c.to_bits() });
            *slot.entry(key).or_insert_with(|| {
                vertices.push(v);
                vertices.len() as u32 - 1
            })
        })
        .collect();
    let triangles = md
        .indices
        .chunks_exact(3)
        .filter_map(|t| {
            let m = |i: u32| remap.get(i as usize).copied();
            let tri = [m(t[0])?, m(t[1])?, m(t[2])?];
            // A triangle whose corners merged into one point has no area: it would only
            // confuse the normals of its neighbours.
            (tri[0] != tri[1] && tri[1] != tri[2] && tri[2] != tri[0]).then_some(tri)
        })
        .collect();
    vertices.shrink_to_fit();
    Some(Mesh::new(origin_m, vertices, triangles))
}
