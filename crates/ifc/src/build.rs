//! Turning ifc-lite's output into a [`Model`].

use crate::read::Header;
use crate::LoadError;
use ifc_lite_core::{EntityDecoder, EntityIndex, SchemaVersion};
use ifc_lite_processing::data_model::{extract_data_model, DataModel, EntityMetadata};
use ifc_lite_processing::{process, Batching, MeshData, ProcessingRequest, ProcessingResult};
use plumbline_model::{
    ClassTable, Element, ElementIdx, Failure, Mesh, Model, Property, PropertySet, Quantity, QuantitySet,
    Relations, Role, Storey, System, TypeObject,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// `IfcProduct.Representation` is attribute 6 in every IFC schema.
const REPRESENTATION_ATTRIBUTE: usize = 6;

pub(crate) fn load(
    path: &Path,
    bytes: &[u8],
    header: &Header,
    cancel: Arc<AtomicBool>,
) -> Result<Model, LoadError> {
    let index = Arc::new(ifc_lite_core::build_entity_index(bytes));
    // Chunks of a few hundred jobs let the cancel flag stop a runaway pass between chunks.
    let request = ProcessingRequest::full_pass()
        .batching(Batching::new(512, 512))
        .retain_meshes(true)
        .index(index.clone())
        .cancel(cancel);
    let (geometry, data) = rayon::join(|| process(bytes, &request, &mut ()), || extract_data_model(bytes));
    if let Some(id) = geometry.metadata.length_unit_refused {
        return Err(LoadError::BadUnit { path: path.into(), entity: format!("#{id}") });
    }
    let mut model = Builder::new(bytes, &index, header, &data).build(path, header, geometry);
    crate::text::repair_legacy_encoding(&mut model);
    Ok(model)
}

/// What an entity is, from its class's place in the schema.
pub(crate) fn role_of(family: SchemaVersion, class: &str) -> Option<Role> {
    let is = |ancestor: &str| family.is_subtype_of(class, ancestor);
    if is("IfcSpace") {
        Some(Role::Space)
    } else if is("IfcFeatureElementSubtraction") {
        Some(Role::Opening)
    } else if is("IfcVirtualElement") || is("IfcFeatureElement") {
        Some(Role::Virtual)
    } else if is("IfcElement") {
        Some(Role::Physical)
    } else {
        None
    }
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
    data: &'a DataModel,
    by_id: HashMap<u32, &'a EntityMetadata>,
    classes: ClassTable,
}

impl<'a> Builder<'a> {
    fn new(bytes: &'a [u8], index: &'a EntityIndex, header: &Header, data: &'a DataModel) -> Self {
        let by_id = data.entities.iter().map(|e| (e.entity_id, e)).collect();
        Builder { bytes, index, family: header.family, data, by_id, classes: ClassTable::default() }
    }

    /// The schema's spelling of a class (`IFCWALL` -> `IfcWall`), recording its ancestry.
    fn class_name(&mut self, raw: &str) -> String {
        let name = crate::canonical_class_name(raw).unwrap_or_else(|| raw.to_string());
        if self.family.entity_info(raw).is_some() {
            let ancestors: Vec<String> = supertypes(self.family, raw)
                .into_iter()
                .map(|s| crate::canonical_class_name(s).unwrap_or_else(|| s.to_string()))
                .collect();
            let refs: Vec<&str> = ancestors.iter().map(String::as_str).collect();
            self.classes.insert(&name, &refs);
        }
        name
    }

    fn build(mut self, path: &Path, header: &Header, geometry: ProcessingResult) -> Model {
        let data = self.data;
        // Elements, in file order.
        let mut elements: Vec<Element> = Vec::new();
        let mut idx_of: HashMap<u32, ElementIdx> = HashMap::new();
        for e in &data.entities {
            let Some(role) = self.family.entity_info(&e.type_name).and_then(|i| role_of(self.family, i.name))
            else {
                continue;
            };
            let class = self.class_name(&e.type_name);
            idx_of.insert(e.entity_id, elements.len() as ElementIdx);
            elements.push(Element {
                express_id: e.entity_id,
                global_id: e.global_id.clone().unwrap_or_else(|| format!("#{}", e.entity_id)),
                class,
                role,
                predefined_type: e.predefined_type.clone().filter(|p| p != "NOTDEFINED"),
                object_type: e.object_type.clone(),
                name: e.name.clone(),
                type_object: None,
                storey: None,
                building: None,
                property_sets: Vec::new(),
                quantity_sets: Vec::new(),
                materials: Vec::new(),
                mesh: None,
            });
        }

        let mut failures = self.attach_meshes(&mut elements, &idx_of, geometry);
        let relations = self.attach_relations(&mut elements, &idx_of);
        let storeys = self.attach_spatial(&mut elements, &idx_of, &relations);
        failures.extend(self.missing_geometry(&elements));
        failures.sort_by(|a, b| (&a.class, &a.global_id).cmp(&(&b.class, &b.global_id)));

        Model {
            path: path.display().to_string(),
            schema: header.schema.clone(),
            entity_count: self.index.len(),
            elements,
            storeys,
            relations,
            failures,
            classes: self.classes,
            load_secs: 0.0,
        }
    }

    /// Moves every mesh into world coordinates and onto its element. Returns the elements whose
    /// meshes were unusable (non-finite coordinates).
    fn attach_meshes(
        &self,
        elements: &mut [Element],
        idx_of: &HashMap<u32, ElementIdx>,
        geometry: ProcessingResult,
    ) -> Vec<Failure> {
        let to_world = geometry.frame.world_mapper();
        let mut bad: BTreeSet<ElementIdx> = BTreeSet::new();
        for md in geometry.meshes {
            // Type-library shapes (geometry_class 1 and 2) are not occurrences: skip them.
            if md.geometry_class == 1 || md.geometry_class == 2 {
                continue;
            }
            let Some(&idx) = idx_of.get(&md.express_id) else { continue };
            match world_mesh(&md, &to_world) {
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

    /// Elements with a body representation that produced no triangles.
    fn missing_geometry(&self, elements: &[Element]) -> Vec<Failure> {
        let mut decoder: Option<EntityDecoder> = None;
        let mut out = Vec::new();
        for e in elements {
            if e.mesh.is_some() || e.role != Role::Physical {
                continue;
            }
            let Some(&(start, end)) = self.index.get(&e.express_id) else { continue };
            if !ifc_lite_core::nth_attribute_is_present(&self.bytes[start..end], REPRESENTATION_ATTRIBUTE) {
                continue;
            }
            let decoder = decoder.get_or_insert_with(|| EntityDecoder::new(self.bytes));
            let kinds = representation_kinds(decoder, e.express_id);
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

    fn attach_relations(&mut self, elements: &mut [Element], idx_of: &HashMap<u32, ElementIdx>) -> Relations {
        let data = self.data;
        let mut rel = Relations::default();
        let psets: HashMap<u32, &_> = data.property_sets.iter().map(|p| (p.pset_id, p)).collect();
        let qsets: HashMap<u32, &_> = data.quantity_sets.iter().map(|q| (q.qset_id, q)).collect();
        let mut type_of: HashMap<ElementIdx, u32> = HashMap::new();
        let mut type_psets: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut port_owner: HashMap<u32, ElementIdx> = HashMap::new();
        let mut port_links: Vec<(u32, u32)> = Vec::new();
        let mut groups: BTreeMap<u32, Vec<ElementIdx>> = BTreeMap::new();
        let mut serves: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let is_port =
            |id: u32| self.by_id.get(&id).is_some_and(|e| self.family.is_subtype_of(&e.type_name, "IfcPort"));
        for r in &data.relationships {
            let a = idx_of.get(&r.relating_id).copied();
            let b = idx_of.get(&r.related_id).copied();
            match r.rel_type.to_ascii_uppercase().as_str() {
                "IFCRELVOIDSELEMENT" => {
                    if let (Some(a), Some(b)) = (a, b) {
                        rel.voids.push((a, b));
                    }
                }
                "IFCRELFILLSELEMENT" => {
                    if let (Some(a), Some(b)) = (a, b) {
                        rel.fills.push((a, b));
                    }
                }
                "IFCRELAGGREGATES" | "IFCRELNESTS" => match (a, b) {
                    (Some(a), Some(b)) => rel.aggregates.push((a, b)),
                    // IFC4 nests ports under their element.
                    (Some(a), None) if is_port(r.related_id) => {
                        port_owner.insert(r.related_id, a);
                    }
                    _ => {}
                },
                "IFCRELCONNECTSPORTTOELEMENT" => {
                    if let Some(a) = a {
                        port_owner.insert(r.related_id, a);
                    } else if let Some(b) = b {
                        port_owner.insert(r.relating_id, b);
                    }
                }
                "IFCRELCONNECTSPORTS" => port_links.push((r.relating_id, r.related_id)),
                "IFCRELDEFINESBYTYPE" => {
                    if let Some(b) = b {
                        type_of.insert(b, r.relating_id);
                    }
                }
                "IFCRELDEFINESBYPROPERTIES" => {
                    if let Some(b) = b {
                        if let Some(p) = psets.get(&r.relating_id) {
                            elements[b as usize].property_sets.push(convert_pset(p));
                        } else if let Some(q) = qsets.get(&r.relating_id) {
                            elements[b as usize].quantity_sets.push(convert_qset(q));
                        }
                    }
                }
                "TYPEHASPROPERTYSETS" => type_psets.entry(r.related_id).or_default().push(r.relating_id),
                "IFCRELASSIGNSTOGROUP" => {
                    if let Some(b) = b {
                        groups.entry(r.relating_id).or_default().push(b);
                    }
                }
                "IFCRELSERVICESBUILDINGS" => serves.entry(r.relating_id).or_default().push(r.related_id),
                _ => {}
            }
        }

        // Type objects, with the properties and materials they give their occurrences.
        let mut materials: HashMap<u32, Vec<String>> = HashMap::new();
        for m in &self.data.materials {
            let list = materials.entry(m.element_id).or_default();
            if !m.material_name.is_empty() && !list.contains(&m.material_name) {
                list.push(m.material_name.clone());
            }
        }
        for (i, e) in elements.iter_mut().enumerate() {
            let type_id = type_of.get(&(i as ElementIdx)).copied();
            if let Some(t) = type_id.and_then(|t| self.by_id.get(&t).copied()) {
                let class = self.class_name(&t.type_name);
                e.type_object = Some(TypeObject {
                    global_id: t.global_id.clone().unwrap_or_else(|| format!("#{}", t.entity_id)),
                    class,
                    name: t.name.clone(),
                    predefined_type: t.predefined_type.clone().filter(|p| p != "NOTDEFINED"),
                });
                for pid in type_psets.get(&t.entity_id).into_iter().flatten() {
                    if let Some(p) = psets.get(pid) {
                        if !e.property_sets.iter().any(|own| own.name == p.pset_name) {
                            e.property_sets.push(convert_pset(p));
                        }
                    } else if let Some(q) = qsets.get(pid) {
                        if !e.quantity_sets.iter().any(|own| own.name == q.qset_name) {
                            e.quantity_sets.push(convert_qset(q));
                        }
                    }
                }
            }
            e.materials = materials
                .get(&e.express_id)
                .or_else(|| type_id.and_then(|t| materials.get(&t)))
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
            let Some(g) = self.by_id.get(&group_id).copied() else { continue };
            if !self.family.is_subtype_of(&g.type_name, "IfcSystem") {
                continue;
            }
            members.sort_unstable();
            members.dedup();
            let class = self.class_name(&g.type_name);
            let served = serves
                .get(&group_id)
                .into_iter()
                .flatten()
                .filter_map(|id| self.by_id.get(id).and_then(|s| s.name.clone()))
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

    /// Storey and building of each element, and the storey list.
    fn attach_spatial(
        &self,
        elements: &mut [Element],
        idx_of: &HashMap<u32, ElementIdx>,
        relations: &Relations,
    ) -> Vec<Storey> {
        let h = &self.data.spatial_hierarchy;
        let nodes: HashMap<u32, _> = h.nodes.iter().map(|n| (n.entity_id, n)).collect();
        let name_of = |id: u32| -> Option<String> {
            nodes
                .get(&id)
                .and_then(|n| n.name.clone())
                .or_else(|| self.by_id.get(&id).and_then(|e| e.name.clone()))
                .or_else(|| Some(format!("#{id}")))
        };
        for &(el, storey) in &h.element_to_storey {
            if let Some(&i) = idx_of.get(&el) {
                elements[i as usize].storey = name_of(storey);
            }
        }
        for &(el, building) in &h.element_to_building {
            if let Some(&i) = idx_of.get(&el) {
                elements[i as usize].building = name_of(building);
            }
        }
        // Parts of an assembly, openings and fillings are often placed only through their
        // whole or host: they inherit its storey.
        for _ in 0..4 {
            let links = relations.aggregates.iter().chain(&relations.voids).chain(&relations.fills);
            for &(whole, part) in links {
                if elements[part as usize].storey.is_none() {
                    elements[part as usize].storey = elements[whole as usize].storey.clone();
                    elements[part as usize].building = elements[whole as usize].building.clone();
                }
            }
        }
        let mut storeys: Vec<Storey> = h
            .nodes
            .iter()
            .filter(|n| n.type_name.eq_ignore_ascii_case("IfcBuildingStorey"))
            .map(|n| Storey {
                global_id: self
                    .by_id
                    .get(&n.entity_id)
                    .and_then(|e| e.global_id.clone())
                    .unwrap_or_else(|| format!("#{}", n.entity_id)),
                name: name_of(n.entity_id).unwrap_or_default(),
                elevation_m: n.elevation,
                building: nodes.get(&n.parent_id).and_then(|p| p.name.clone()),
            })
            .collect();
        storeys.sort_by(|a, b| {
            a.elevation_m
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&b.elevation_m.unwrap_or(f64::NEG_INFINITY))
                .then_with(|| a.name.cmp(&b.name))
        });
        storeys
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
    let vertices = world
        .iter()
        .map(|p| [(p[0] - origin_m[0]) as f32, (p[1] - origin_m[1]) as f32, (p[2] - origin_m[2]) as f32])
        .collect();
    let triangles = md.indices.chunks_exact(3).map(|t| [t[0], t[1], t[2]]).collect();
    Some(Mesh::new(origin_m, vertices, triangles))
}

fn convert_pset(p: &ifc_lite_processing::data_model::PropertySet) -> PropertySet {
    PropertySet {
        name: p.pset_name.clone(),
        properties: p
            .properties
            .iter()
            .map(|q| Property { name: q.property_name.clone(), value: q.property_value.clone() })
            .collect(),
    }
}

fn convert_qset(q: &ifc_lite_processing::data_model::QuantitySet) -> QuantitySet {
    QuantitySet {
        name: q.qset_name.clone(),
        quantities: q
            .quantities
            .iter()
            .map(|x| Quantity {
                name: x.quantity_name.clone(),
                value: x.quantity_value,
                kind: x.quantity_type.clone(),
            })
            .collect(),
    }
}
