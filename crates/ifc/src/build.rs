//! Turning ifc-lite's output into a [`Model`].

use crate::analytic;
use crate::coverings;
use crate::geometry;
use crate::ids::IdMap;
use crate::index::{Decoders, Index};
use crate::missing;
use crate::read::Header;
use crate::schedule::ScheduleShelf;
use crate::semantics::{self, RelKind, Rooted, ScheduleRecord, Semantics};
use crate::LoadError;
use ifc_lite_core::SchemaVersion;
use plumbline_model::{
    ClassTable, Element, ElementIdx, Failure, MeshScope, Model, Relations, Solid, Storey, System, TypeObject,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// What a load is asked for beyond the file itself (from its `LoadOptions`).
pub(crate) struct Asked<'a> {
    pub scope: &'a MeshScope,
    pub exact_solids: bool,
    /// Where to leave the file's work schedule, read from this load's scan.
    pub schedules: Option<&'a ScheduleShelf>,
}

pub(crate) fn load(
    path: &Path,
    bytes: Vec<u8>,
    header: &Header,
    asked: Asked<'_>,
    cancel: Arc<AtomicBool>,
    progress: Option<Arc<crate::LoadProgress>>,
) -> Result<Model, LoadError> {
    let Asked { scope, exact_solids, schedules } = asked;
    // The two whole-file checks that only warn read the bytes beside the scan.
    let (scan, (truncated, oversized)) = rayon::join(
        || semantics::scan(&bytes, header.family),
        || (crate::read::truncation(&bytes), crate::read::oversized_ids(&bytes)),
    );
    let semantics::Scan { index, jobs, covers, schedule, entity_count } = scan;
    // ifc-lite still resolves the whole file (a chosen wall keeps the openings that cut it);
    // only products outside the scope never reach its tessellator.
    let chosen = match scope {
        MeshScope::Everything => None,
        MeshScope::Physical => Some(Arc::new(semantics::physical_products(&jobs))),
        MeshScope::Classes(classes) => {
            Some(Arc::new(semantics::scoped_products(&bytes, &index, header.family, &jobs, classes)))
        }
    };
    // Exact solids (`analytic.rs`). The solids of the products to be meshed (every product
    // of a whole load, the chosen ones of a scoped load) are read first: those products are
    // not tessellated, their meshes are the solids' own. Reading a solid and meshing it costs
    // a fraction of ifc-lite's tessellation (half of the 1M hall's load), and every load then
    // gives an element the same triangles, whichever cache entry serves it. Products outside
    // a scope get no solid: they have no mesh by choice, and the clash engine measures only
    // elements with one (reading their solids was 8 % of a clash run over Office_A x10).
    let voided = if exact_solids { analytic::voided_hosts(&bytes, &index, &jobs) } else { HashSet::new() };
    let products = semantics::product_ids(&jobs);
    // The progress counts the products meshed: those with a solid as they are read, then the
    // tessellated ones.
    if let Some(p) = &progress {
        p.set(0, chosen.as_ref().map_or(products.len(), |chosen| chosen.len()));
    }
    // One decoder per thread for the passes below (see `Decoders`).
    let decoders = Decoders::new(&bytes, &index);
    let early_solids = match exact_solids {
        true => analytic::solids(
            &decoders,
            &jobs,
            &voided,
            |id| chosen.as_ref().is_none_or(|chosen| chosen.contains(&id)),
            progress.as_deref(),
        ),
        false => Vec::new(),
    };
    // What ifc-lite meshes: the products to be meshed that have no solid.
    let tessellated = match early_solids.is_empty() {
        true => chosen.clone(),
        false => {
            let solid: HashSet<u32> = early_solids.iter().map(|(id, _)| *id).collect();
            let meshed = products.iter().copied().filter(|id| chosen.as_ref().is_none_or(|c| c.contains(id)));
            Some(Arc::new(meshed.filter(|id| !solid.contains(id)).collect::<HashSet<u32>>()))
        }
    };
    let work = geometry::Work {
        bytes: &bytes,
        index: &index,
        products,
        chosen: tessellated.as_ref(),
        cancel,
        progress,
    };
    // The semantic pass needs no geometry, so it runs beside the tessellation with the rest:
    // ifc-lite begins each call with a scan and resolution of the whole file on one thread
    // (about 0.1 s on Office_A x10), which the semantic pass now fills instead of running
    // before it beside the solids (Office_A x10 on two threads 0.90 -> 0.82 s, the 100k hall
    // 0.85 -> 0.75 s, with `Decoders`).
    let (mut geometry, ((sem, work_schedule), (solid_meshes, coverings))) =
        geometry::tessellate(work, || {
            rayon::join(
                || {
                    rayon::join(
                        || semantics::extract(&decoders, header.family, &jobs, entity_count),
                        // The work schedule from this scan, for the run that looks for one next.
                        || schedules.map(|_| schedule_of(path, &bytes, header.family, &index, &schedule)),
                    )
                },
                || {
                    rayon::join(
                        // The solids' meshes, in the solids' order.
                        || {
                            early_solids
                                .par_iter()
                                .map(|(id, solid)| (*id, Some(solid.to_mesh())))
                                .collect::<Vec<_>>()
                        },
                        || coverings::Coverings::read(&bytes, &index, &covers, &jobs),
                    )
                },
            )
        });
    if let Some(id) = geometry.length_unit_refused {
        return Err(LoadError::BadUnit { path: path.into(), entity: format!("#{id}") });
    }
    // The solids' meshes come last, as one more part: every element still has triangles
    // (the viewer, reports, snapshots), and none is reported as missing geometry.
    if !solid_meshes.is_empty() {
        geometry.meshes.push(solid_meshes);
    }
    let mut solids: IdMap<Box<Solid>> =
        IdMap::with_capacity_and_hasher(early_solids.len(), Default::default());
    solids.extend(early_solids);
    let mut builder = Builder::new(header);
    let plan = builder.plan(sem, &geometry.meshes, chosen.as_deref(), &bytes, &index);
    // The file, its index and its scan are not read again: they go before the elements are
    // built, the largest allocation of the load (on a 476 MB file they hold 0.7 GB).
    drop(decoders);
    drop((bytes, index, jobs, covers));
    let mut model = builder.build(path, header, plan, geometry.meshes, &solids);
    model.mesh_scope = scope.clone();
    let warnings = crate::text::check_text(&mut model);
    model.warnings.extend(warnings);
    // Insulation and lagging on elements, for rules that count it.
    coverings.apply(&mut model);
    model.warnings.extend(truncated);
    model.warnings.extend(oversized);
    // Only a model that loaded leaves its schedule.
    if let (Some(shelf), Some(read)) = (schedules, work_schedule) {
        shelf.put(path, read);
    }
    Ok(model)
}

/// The work schedule of a scanned file: an empty one, as the schedule reader gives, when the
/// file holds no task.
fn schedule_of(
    path: &Path,
    bytes: &[u8],
    family: SchemaVersion,
    index: &Index,
    records: &[(u32, ScheduleRecord)],
) -> Result<plumbline_schedule::Schedule, plumbline_schedule::ScheduleError> {
    if !records.iter().any(|(_, r)| *r == ScheduleRecord::Task) {
        return Ok(crate::schedule::no_tasks(path));
    }
    crate::schedule::read_scanned(path, bytes, family, index, records)
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

struct Builder {
    family: SchemaVersion,
    classes: ClassTable,
    /// The schema's spelling of each class name met so far, as the file writes it: a million
    /// elements name a few dozen classes.
    spelled: HashMap<String, String>,
}

/// What the model's assembly needs from the file, gathered so that the file can go first.
struct Plan {
    sem: Semantics,
    /// The position of each product's element (the last product of a repeated id).
    idx_of: IdMap<ElementIdx>,
    /// Elements whose meshes are unusable (non-finite coordinates): they get none.
    unusable: BTreeSet<ElementIdx>,
    /// The failures found so far: unusable meshes, then missing geometry.
    failures: Vec<Failure>,
}

impl Builder {
    fn new(header: &Header) -> Self {
        Builder { family: header.family, classes: ClassTable::default(), spelled: HashMap::new() }
    }

    /// The schema's spelling of a class (`IFCWALL` -> `IfcWall`), recording its ancestry.
    fn class_name(&mut self, raw: &str) -> String {
        if let Some(name) = self.spelled.get(raw) {
            return name.clone();
        }
        let name = crate::canonical_class_name(raw).unwrap_or_else(|| raw.to_string());
        if self.family.entity_info(raw).is_some() && !self.classes.contains(&name) {
            let ancestors: Vec<String> = supertypes(self.family, raw)
                .into_iter()
                .map(|s| crate::canonical_class_name(s).unwrap_or_else(|| s.to_string()))
                .collect();
            let refs: Vec<&str> = ancestors.iter().map(String::as_str).collect();
            self.classes.insert(&name, &refs);
        }
        self.spelled.insert(raw.to_string(), name.clone());
        name
    }

    /// The class names of the products (they fill the class table), the elements' positions,
    /// and every failure that needs the file to be told: unusable meshes and, for products
    /// with a body representation and no triangles, why.
    fn plan(
        &mut self,
        sem: Semantics,
        meshes: &[geometry::Meshes],
        chosen: Option<&HashSet<u32>>,
        bytes: &[u8],
        index: &Index,
    ) -> Plan {
        for (r, _) in &sem.products {
            self.class_name(&r.raw_class);
        }
        let mut idx_of: IdMap<ElementIdx> =
            IdMap::with_capacity_and_hasher(sem.products.len(), Default::default());
        for (i, (r, _)) in sem.products.iter().enumerate() {
            idx_of.insert(r.id, i as ElementIdx);
        }
        let mut meshed = vec![false; sem.products.len()];
        let mut unusable = BTreeSet::new();
        for (id, mesh) in meshes.iter().flatten() {
            let Some(&idx) = idx_of.get(id) else { continue };
            match mesh {
                Some(mesh) if mesh.triangle_count() > 0 => meshed[idx as usize] = true,
                Some(_) => {}
                None => {
                    unusable.insert(idx);
                }
            }
        }
        fn spelling<'r>(spelled: &'r HashMap<String, String>, r: &'r Rooted) -> &'r str {
            spelled.get(&r.raw_class).map_or(r.raw_class.as_str(), String::as_str)
        }
        let spelled = &self.spelled;
        let mut failures: Vec<Failure> = unusable
            .iter()
            .map(|&idx| {
                let r = &sem.products[idx as usize].0;
                Failure {
                    global_id: r.global_id_or_id().into_owned(),
                    class: spelling(spelled, r).to_string(),
                    reason: "tessellation produced non-finite coordinates; geometry dropped".into(),
                }
            })
            .collect();
        let unusable_ids: BTreeSet<String> = failures.iter().map(|f| f.global_id.clone()).collect();
        let products = sem.products.iter().enumerate().map(|(i, (r, role))| missing::Product {
            rooted: r,
            role: *role,
            class: spelling(spelled, r),
            meshed: meshed[i] && !unusable.contains(&(i as ElementIdx)),
        });
        failures.extend(missing::missing_geometry(bytes, index, products, &unusable_ids, chosen));
        Plan { sem, idx_of, unusable, failures }
    }

    fn build(
        mut self,
        path: &Path,
        header: &Header,
        plan: Plan,
        meshes: Vec<geometry::Meshes>,
        solids: &IdMap<Box<Solid>>,
    ) -> Model {
        let Plan { mut sem, idx_of, unusable, mut failures } = plan;
        // The elements on every thread, each taking its strings from its product instead of
        // copying them.
        let products = std::mem::take(&mut sem.products);
        let spelled = &self.spelled;
        let product_ids: Vec<u32> = products.iter().map(|(r, _)| r.id).collect();
        let mut elements: Vec<Element> = products
            .into_par_iter()
            .map(|(r, role)| (*r, role))
            .map(|(r, role)| Element {
                express_id: r.id,
                global_id: r.global_id.unwrap_or_else(|| format!("#{}", r.id)),
                class: spelled.get(&r.raw_class).cloned().unwrap_or(r.raw_class),
                role,
                predefined_type: r.predefined_type,
                object_type: r.object_type,
                name: r.name,
                type_object: None,
                storey: None,
                building: None,
                property_sets: Vec::new(),
                quantity_sets: Vec::new(),
                materials: Vec::new(),
                placement: r.placement,
                mesh: None,
                solid: solids.get(&r.id).cloned(),
            })
            .collect();
        attach_meshes(&mut elements, &idx_of, &unusable, meshes);
        let relations = self.attach_relations(&mut elements, &idx_of, &sem);
        let storeys = attach_spatial(&mut elements, &idx_of, &product_ids, &sem);
        failures.append(&mut sem.broken);
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

    fn attach_relations(
        &mut self,
        elements: &mut [Element],
        idx_of: &IdMap<ElementIdx>,
        sem: &Semantics,
    ) -> Relations {
        let mut rel = Relations::default();
        let mut type_of: IdMap<u32> = IdMap::default();
        let mut port_owner: IdMap<ElementIdx> = IdMap::default();
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

        // Type objects, with the properties and materials they give their occurrences: the
        // types' class names first, in element order (they fill the class table), then every
        // element on every thread.
        let type_ids: Vec<Option<u32>> =
            (0..elements.len()).map(|i| type_of.get(&(i as ElementIdx)).copied()).collect();
        for t in type_ids.iter().flatten().filter_map(|t| sem.types.get(t)) {
            self.class_name(&t.raw_class);
        }
        let spelled = &self.spelled;
        elements.par_iter_mut().zip(type_ids.par_iter()).for_each(|(e, &type_id)| {
            if let Some(t) = type_id.and_then(|t| sem.types.get(&t)) {
                e.type_object = Some(TypeObject {
                    global_id: t.global_id.clone().unwrap_or_else(|| format!("#{}", t.id)),
                    class: spelled.get(&t.raw_class).cloned().unwrap_or_else(|| t.raw_class.clone()),
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
        });

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
    idx_of: &IdMap<ElementIdx>,
    product_ids: &[u32],
    sem: &Semantics,
) -> Vec<Storey> {
    let mut up: IdMap<u32> = IdMap::default();
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
    let shared: IdMap<Option<std::sync::Arc<str>>> =
        sem.spatial.keys().map(|&id| (id, name_of(id).map(Into::into))).collect();
    let shared_name = |id: u32| shared.get(&id).cloned().flatten();
    // An element gets its place from the last product of its id (ids are unique in a sound
    // file; a repeated one names the last record, as the entity index does).
    elements.par_iter_mut().zip(product_ids.par_iter()).enumerate().for_each(|(i, (e, &id))| {
        if idx_of.get(&id) == Some(&(i as ElementIdx)) {
            e.storey = find_up(id, "IfcBuildingStorey").and_then(shared_name);
            e.building = find_up(id, "IfcBuilding").and_then(shared_name);
        }
    });
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

/// Puts every mesh onto its element, but for the elements whose meshes are `unusable`.
fn attach_meshes(
    elements: &mut [Element],
    idx_of: &IdMap<ElementIdx>,
    unusable: &BTreeSet<ElementIdx>,
    meshes: Vec<geometry::Meshes>,
) {
    for (express_id, mesh) in meshes.into_iter().flatten() {
        let Some(&idx) = idx_of.get(&express_id) else { continue };
        match mesh {
            Some(mesh) if mesh.triangle_count() > 0 && !unusable.contains(&idx) => {
                match &mut elements[idx as usize].mesh {
                    Some(existing) => existing.append(&mesh),
                    slot @ None => *slot = Some(mesh),
                }
            }
            _ => {}
        }
    }
}
