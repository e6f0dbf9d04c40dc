//! Targeted extraction of the non-geometric part of a model: products, types, spatial structure,
//! relations, property and quantity sets, materials.
//!
//! ifc-lite's own `extract_data_model` decodes every instance of the file (each cartesian point
//! included) and took as long as tessellation itself on Office_A. Here one scan classifies the
//! instances by class name and only the few kinds that matter are decoded, in parallel, with
//! ifc-lite's decoder. Attribute positions are looked up by name in the file's own schema, so
//! the same code reads IFC2X3, IFC4 and IFC4X3.

use crate::ids::{FastMap, IdMap};
use crate::index::{Decoders, Index, Lent};
use ifc_lite_core::{AttributeValue, DecodedEntity, EntityDecoder, EntityScanner, IfcType, SchemaVersion};
use plumbline_model::{Failure, Placement, Property, PropertySet, Quantity, QuantitySet, Role};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Relations the model needs, as `(relating, related)` express-id pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RelKind {
    /// `IfcRelAggregates` and `IfcRelNests`: whole -> part.
    Aggregates,
    /// `IfcRelContainedInSpatialStructure`: structure -> element.
    Contains,
    /// `IfcRelVoidsElement`: host -> opening.
    Voids,
    /// `IfcRelFillsElement`: opening -> filling.
    Fills,
    /// `IfcRelConnectsPorts`: port -> port.
    ConnectsPorts,
    /// `IfcRelConnectsPortToElement`: port -> element.
    PortToElement,
    /// `IfcRelDefinesByType`: type -> occurrence.
    DefinesByType,
    /// `IfcRelDefinesByProperties`: property or quantity set -> object.
    DefinesByProperties,
    /// `IfcRelAssignsToGroup`: group -> member.
    AssignsToGroup,
    /// `IfcRelServicesBuildings`: system -> spatial element.
    ServicesBuildings,
    /// `IfcRelAssociatesMaterial`: material definition -> object.
    AssociatesMaterial,
}

impl RelKind {
    fn of(upper: &str) -> Option<RelKind> {
        Some(match upper {
            "IFCRELAGGREGATES" | "IFCRELNESTS" => RelKind::Aggregates,
            "IFCRELCONTAINEDINSPATIALSTRUCTURE" => RelKind::Contains,
            "IFCRELVOIDSELEMENT" => RelKind::Voids,
            "IFCRELFILLSELEMENT" => RelKind::Fills,
            "IFCRELCONNECTSPORTS" => RelKind::ConnectsPorts,
            "IFCRELCONNECTSPORTTOELEMENT" => RelKind::PortToElement,
            "IFCRELDEFINESBYTYPE" => RelKind::DefinesByType,
            "IFCRELDEFINESBYPROPERTIES" => RelKind::DefinesByProperties,
            "IFCRELASSIGNSTOGROUP" => RelKind::AssignsToGroup,
            "IFCRELSERVICESBUILDINGS" => RelKind::ServicesBuildings,
            "IFCRELASSOCIATESMATERIAL" => RelKind::AssociatesMaterial,
            _ => return None,
        })
    }

    /// The attribute names of the relating and related sides.
    fn slots(self) -> (&'static str, &'static str) {
        match self {
            RelKind::Aggregates => ("RelatingObject", "RelatedObjects"),
            RelKind::Contains => ("RelatingStructure", "RelatedElements"),
            RelKind::Voids => ("RelatingBuildingElement", "RelatedOpeningElement"),
            RelKind::Fills => ("RelatingOpeningElement", "RelatedBuildingElement"),
            RelKind::ConnectsPorts => ("RelatingPort", "RelatedPort"),
            RelKind::PortToElement => ("RelatingPort", "RelatedElement"),
            RelKind::DefinesByType => ("RelatingType", "RelatedObjects"),
            RelKind::DefinesByProperties => ("RelatingPropertyDefinition", "RelatedObjects"),
            RelKind::AssignsToGroup => ("RelatingGroup", "RelatedObjects"),
            RelKind::ServicesBuildings => ("RelatingSystem", "RelatedBuildings"),
            RelKind::AssociatesMaterial => ("RelatingMaterial", "RelatedObjects"),
        }
    }
}

/// What the scan decided an instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Product(Role),
    TypeObject,
    Spatial,
    System,
    Port,
    Rel(RelKind),
    /// `IfcRelCoversBldgElements`, read by [`crate::coverings`] only.
    Covers,
    Skip,
}

/// Identity attributes of a rooted object (`IfcRoot` and below).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rooted {
    pub id: u32,
    /// The class as written in the file, upper case.
    pub raw_class: String,
    pub global_id: Option<String>,
    pub name: Option<String>,
    pub object_type: Option<String>,
    pub predefined_type: Option<String>,
    pub elevation: Option<f64>,
    /// Type objects: their own property sets (`HasPropertySets`).
    pub type_psets: Vec<u32>,
    pub has_representation: bool,
    /// Products: the resolved `ObjectPlacement` in world metres.
    pub placement: Option<Placement>,
}

impl Rooted {
    /// The GlobalId, or `#id` for a record without one (as its element is named).
    pub(crate) fn global_id_or_id(&self) -> std::borrow::Cow<'_, str> {
        match &self.global_id {
            Some(g) => g.as_str().into(),
            None => format!("#{}", self.id).into(),
        }
    }
}

/// Everything non-geometric the model builder needs.
#[derive(Debug, Default)]
pub(crate) struct Semantics {
    /// Products in file order, with their role.
    /// (Boxed as they were decoded: a million of them are not copied once more.)
    pub products: Vec<(Box<Rooted>, Role)>,
    /// Products whose records could not be decoded.
    pub broken: Vec<Failure>,
    pub types: HashMap<u32, Rooted>,
    pub spatial: HashMap<u32, Rooted>,
    pub systems: HashMap<u32, Rooted>,
    pub ports: std::collections::HashSet<u32>,
    pub rels: Vec<(RelKind, u32, u32)>,
    pub psets: HashMap<u32, Arc<PropertySet>>,
    pub qsets: HashMap<u32, Arc<QuantitySet>>,
    /// Material names of each object (element or type) that has a material association.
    pub materials: HashMap<u32, Vec<String>>,
    pub entity_count: usize,
}

/// Per-class attribute positions, looked up once in the file's schema.
struct Slots {
    family: SchemaVersion,
    // Keyed by the record's type, not its name: a name key cost an allocation and a SipHash of
    // the name at every attribute looked up, for every record of the pass.
    cache: FastMap<(IfcType, &'static str), Option<usize>>,
}

impl Slots {
    fn new(family: SchemaVersion) -> Self {
        Slots { family, cache: FastMap::default() }
    }

    /// The position of `attribute` among the attributes of records of type `ty`.
    fn get(&mut self, ty: &IfcType, attribute: &'static str) -> Option<usize> {
        if let Some(&slot) = self.cache.get(&(ty.clone(), attribute)) {
            return slot;
        }
        let slot = self
            .family
            .attribute_names(ty.name())
            .and_then(|names| names.iter().position(|n| n.eq_ignore_ascii_case(attribute)));
        self.cache.insert((ty.clone(), attribute), slot);
        slot
    }
}

fn class_of(e: &DecodedEntity) -> String {
    e.ifc_type.name().to_string()
}

fn text(v: Option<&AttributeValue>) -> Option<String> {
    v.and_then(AttributeValue::as_string).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The text form of a property value: what users see and what rules match on.
pub(crate) fn value_text(v: &AttributeValue) -> String {
    match v {
        AttributeValue::Typed { value, .. } => value_text(value),
        AttributeValue::String(s) => s.clone(),
        AttributeValue::Integer(i) => i.to_string(),
        AttributeValue::Float(f) => format!("{f}"),
        AttributeValue::Enum(e) => match e.as_str() {
            "T" => "TRUE".into(),
            "F" => "FALSE".into(),
            "U" => "UNKNOWN".into(),
            other => other.to_string(),
        },
        AttributeValue::List(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        AttributeValue::EntityRef(id) => format!("#{id}"),
        AttributeValue::Binary(b) => b.clone(),
        AttributeValue::Null | AttributeValue::Derived => String::new(),
    }
}

/// The records a work schedule is read from (`schedule.rs`), as the scan lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScheduleRecord {
    Task,
    Sequence,
    Nests,
    ToProcess,
    ToProduct,
    WorkSchedule,
    Calendar,
}

impl ScheduleRecord {
    /// The record of an upper-case class name, if the schedule reads it.
    pub(crate) fn of(upper: &str) -> Option<ScheduleRecord> {
        Some(match upper {
            "IFCTASK" => ScheduleRecord::Task,
            "IFCRELSEQUENCE" => ScheduleRecord::Sequence,
            "IFCRELNESTS" => ScheduleRecord::Nests,
            "IFCRELASSIGNSTOPROCESS" => ScheduleRecord::ToProcess,
            "IFCRELASSIGNSTOPRODUCT" => ScheduleRecord::ToProduct,
            "IFCWORKSCHEDULE" => ScheduleRecord::WorkSchedule,
            "IFCWORKCALENDAR" => ScheduleRecord::Calendar,
            _ => return None,
        })
    }
}

/// One instance worth decoding: its id, what it is, and its byte span.
pub(crate) type Job = (u32, Kind, usize, usize);

/// What one scan of the file finds.
pub(crate) struct Scan {
    pub index: Index,
    pub jobs: Vec<Job>,
    /// The byte spans of the `IfcRelCoversBldgElements` records, in file order.
    pub covers: Vec<(usize, usize)>,
    /// The records a work schedule is read from (`schedule.rs`), in file order.
    pub schedule: Vec<(u32, ScheduleRecord)>,
    pub entity_count: usize,
}

/// Scans the file once: builds the entity index and lists the instances worth decoding.
///
/// A large file is scanned in byte ranges on every core and the ranges are stitched into what
/// one pass from the start gives (see [`scan_range`]); this module's tests hold any number of
/// ranges against one pass, and `tests/parallel.rs` holds a 9 MB hall's load on two threads
/// (ranges) against its load on one (one pass).
pub(crate) fn scan(bytes: &[u8], family: SchemaVersion) -> Scan {
    scan_in_ranges(bytes, family, range_count(bytes.len()))
}

/// Below this size one pass is quicker than splitting the file and stitching the ranges.
const PARALLEL_SCAN_MIN_BYTES: usize = 4 << 20;
/// The least bytes a range gets, so that a range's start-up (and the records it scans twice
/// near its end) stays small against its scan.
const SCAN_RANGE_MIN_BYTES: usize = 1 << 20;

fn range_count(len: usize) -> usize {
    let threads = rayon::current_num_threads();
    if len < PARALLEL_SCAN_MIN_BYTES || threads <= 1 {
        return 1;
    }
    // A few ranges per thread: the scan runs beside the file's checks, and a thread that
    // finishes them late still finds ranges to take.
    (threads * 4).clamp(1, (len / SCAN_RANGE_MIN_BYTES).max(1))
}

/// What one byte range of the file holds, each list in file order.
#[derive(Default)]
struct RangeScan {
    records: Vec<(u32, usize, usize)>,
    jobs: Vec<Job>,
    covers: Vec<(usize, usize)>,
    /// `(id, record, start)` of the work schedule's records.
    schedule: Vec<(u32, ScheduleRecord, usize)>,
    /// The start of the first record at or past the range's end: where the next range's own
    /// records begin. `None` when the scan met the end of the file (or a record it cannot read
    /// past, where one pass from the start stops too).
    handoff: Option<usize>,
}

impl RangeScan {
    /// The records from the one starting at `from` on; `None` when no record starts there.
    fn kept_from_record_at(mut self, from: usize) -> Option<RangeScan> {
        let first = self.records.partition_point(|&(_, start, _)| start < from);
        if self.records.get(first).is_none_or(|&(_, start, _)| start != from) {
            return None;
        }
        self.records.drain(..first);
        let jobs = self.jobs.partition_point(|&(_, _, start, _)| start < from);
        self.jobs.drain(..jobs);
        let covers = self.covers.partition_point(|&(start, _)| start < from);
        self.covers.drain(..covers);
        let schedule = self.schedule.partition_point(|&(_, _, start)| start < from);
        self.schedule.drain(..schedule);
        Some(self)
    }
}

/// Scans the records that start in `from..to`, beginning at `from`: the start of the file
/// (`from == 0`, past the header), a known record start, or any byte at all. From an arbitrary
/// byte (inside a string or a comment, say) the scanner may first report records that are not
/// there, but STEP resynchronises at the next real record: from the first record whose start is
/// a real one on, it reports exactly what one pass from the start reports, because each record
/// is read afresh from its `#`. [`scan_in_ranges`] keeps only that part (ifc-lite's own
/// `build_entity_index_parallel` rests on the same argument; it gives no classes, so the loader
/// keeps its own stitch).
fn scan_range(bytes: &[u8], family: SchemaVersion, from: usize, to: usize) -> RangeScan {
    let mut scanner = if from == 0 { EntityScanner::new(bytes) } else { EntityScanner::new_at(bytes, from) };
    let mut out = RangeScan::default();
    out.records.reserve(to.saturating_sub(from) / 64);
    // FxHash: the class name of every record is looked up here (SipHash was a third of the scan).
    let mut kinds: FastMap<&str, (Kind, Option<ScheduleRecord>)> = FastMap::default();
    while let Some((id, type_name, start, end)) = scanner.next_entity() {
        if start >= to {
            out.handoff = Some(start);
            break;
        }
        out.records.push((id, start, end));
        let (kind, record) = *kinds.entry(type_name).or_insert_with(|| {
            (classify(family, type_name), ScheduleRecord::of(&type_name.to_ascii_uppercase()))
        });
        if let Some(record) = record {
            out.schedule.push((id, record, start));
        }
        match kind {
            Kind::Skip => {}
            Kind::Covers => out.covers.push((start, end)),
            _ => out.jobs.push((id, kind, start, end)),
        }
    }
    out
}

/// [`scan`] over `ranges` byte ranges scanned side by side, stitched in file order: the first
/// range is read from the start of the file; each later one keeps its records from the first
/// record the range before it did not read (a real record start), and is read again from there
/// in the rare case its own scan never met that record (one record longer than the range, or a
/// scan stopped early by something it took for a broken record).
fn scan_in_ranges(bytes: &[u8], family: SchemaVersion, ranges: usize) -> Scan {
    let ranges = ranges.clamp(1, bytes.len().max(1));
    let bounds: Vec<(usize, usize)> =
        (0..ranges).map(|i| (i * bytes.len() / ranges, (i + 1) * bytes.len() / ranges)).collect();
    let scanned: Vec<RangeScan> =
        bounds.par_iter().map(|&(from, to)| scan_range(bytes, family, from, to)).collect();
    let mut kept: Vec<RangeScan> = Vec::with_capacity(scanned.len());
    let mut next: Option<usize> = Some(0);
    for (range, &(_, to)) in scanned.into_iter().zip(&bounds) {
        let Some(from) = next else { break };
        // A record that runs past this whole range: the next range begins with it.
        if from >= to {
            continue;
        }
        let range = match from {
            0 => range,
            _ => range.kept_from_record_at(from).unwrap_or_else(|| scan_range(bytes, family, from, to)),
        };
        next = range.handoff;
        kept.push(range);
    }
    // The ranges' lists are joined with one allocation each, and their records not at all: the
    // index is built from them range by range. Growing one list by the next (as before) copied
    // the 1M hall's 7 million records (168 MB) several times on one thread, 0.2-0.5 s.
    let jobs = joined(&kept, |r| &r.jobs);
    let covers = joined(&kept, |r| &r.covers);
    let schedule = kept.iter().flat_map(|r| r.schedule.iter().map(|&(id, record, _)| (id, record))).collect();
    let records: Vec<Vec<(u32, usize, usize)>> = kept.into_iter().map(|r| r.records).collect();
    let entity_count = records.iter().map(Vec::len).sum();
    Scan { index: Index::of_ranges(records), jobs, covers, schedule, entity_count }
}

/// The lists `list` picks from each range, joined in range order.
fn joined<T: Copy>(ranges: &[RangeScan], list: impl Fn(&RangeScan) -> &Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(ranges.iter().map(|r| list(r).len()).sum());
    for r in ranges {
        out.extend_from_slice(list(r));
    }
    out
}

/// The products of the scan, in file order.
pub(crate) fn product_ids(jobs: &[Job]) -> Vec<u32> {
    jobs.iter().filter(|(_, kind, _, _)| matches!(kind, Kind::Product(_))).map(|&(id, ..)| id).collect()
}

/// The physical products among `jobs`: what a [`MeshScope::Physical`] load tessellates.
///
/// [`MeshScope::Physical`]: plumbline_model::MeshScope::Physical
pub(crate) fn physical_products(jobs: &[Job]) -> std::collections::HashSet<u32> {
    jobs.iter()
        .filter(|(_, kind, _, _)| matches!(kind, Kind::Product(Role::Physical)))
        .map(|&(id, ..)| id)
        .collect()
}

/// What an entity is, from its class's place in the schema. It lives with the scan that
/// classifies every instance by it; the loader and `role_of_class` only read the answer.
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

fn classify(family: SchemaVersion, type_name: &str) -> Kind {
    let upper = type_name.to_ascii_uppercase();
    if let Some(rel) = RelKind::of(&upper) {
        return Kind::Rel(rel);
    }
    if upper == "IFCRELCOVERSBLDGELEMENTS" {
        return Kind::Covers;
    }
    if family.entity_info(type_name).is_none() {
        return Kind::Skip;
    }
    let is = |a: &str| family.is_subtype_of(type_name, a);
    if let Some(role) = role_of(family, type_name) {
        Kind::Product(role)
    } else if is("IfcTypeObject") {
        Kind::TypeObject
    } else if is("IfcSpatialStructureElement") || is("IfcSpatialElement") {
        Kind::Spatial
    } else if is("IfcSystem") {
        Kind::System
    } else if is("IfcPort") {
        Kind::Port
    } else {
        Kind::Skip
    }
}

/// One decoded record. The rooted objects are boxed: a million-product file decodes millions of
/// records, most of them small relations, into one list before sorting them out, and that list
/// should not be as wide as a product for each of them.
enum Decoded {
    Product(Box<Rooted>, Role),
    Type(Box<Rooted>),
    Spatial(Box<Rooted>),
    System(Box<Rooted>),
    Port(u32),
    Rels(Vec<(RelKind, u32, u32)>),
    Broken(Box<Failure>),
}

/// The bytes of a STEP record's class name (`#12=IFCWALL(...)` gives `IFCWALL`), trimmed.
fn record_class_name(record: &[u8]) -> &[u8] {
    let head = &record[..record.len().min(200)];
    let after_eq = head.iter().position(|&b| b == b'=').map_or(head, |i| &head[i + 1..]);
    after_eq.split(|&b| b == b'(').next().unwrap_or(after_eq).trim_ascii()
}

/// The class name of a raw STEP record, for messages.
fn record_class(record: &[u8]) -> String {
    String::from_utf8_lossy(record_class_name(record)).into_owned()
}

/// The physical products a mesh scope of `classes` (lower case) asks for: those whose class is
/// one of them or a subtype, and those whose type object (`IfcRelDefinesByType`) is
/// `{class}Type` or a subtype, so that the model's class queries find every one of them with
/// its geometry. A product with several type objects (invalid, but met) is asked for when any
/// of them is.
pub(crate) fn scoped_products(
    bytes: &[u8],
    index: &Index,
    family: SchemaVersion,
    jobs: &[Job],
    classes: &std::collections::BTreeSet<String>,
) -> std::collections::HashSet<u32> {
    let occurrence_targets: Vec<String> = classes.iter().cloned().collect();
    let type_targets: Vec<String> = classes.iter().map(|c| format!("{c}type")).collect();
    // Class names repeat thousands of times: the schema is walked once per name and side (a
    // name is asked about as an occurrence class and as a type class separately).
    let mut answers: HashMap<(&[u8], bool), bool> = HashMap::new();
    let mut wanted = move |start: usize, end: usize, as_type: bool| -> bool {
        let name = record_class_name(&bytes[start..end]);
        let targets = if as_type { &type_targets } else { &occurrence_targets };
        *answers.entry((name, as_type)).or_insert_with(|| {
            // A name that is not text names no IFC class: nothing asks for it.
            std::str::from_utf8(name).is_ok_and(|name| targets.iter().any(|t| family.is_subtype_of(name, t)))
        })
    };
    let mut products = std::collections::HashSet::new();
    let mut chosen = std::collections::HashSet::new();
    let mut types = std::collections::HashSet::new();
    let mut type_rels = Vec::new();
    for &(id, kind, start, end) in jobs {
        match kind {
            Kind::Product(Role::Physical) => {
                products.insert(id);
                if wanted(start, end, false) {
                    chosen.insert(id);
                }
            }
            Kind::TypeObject if wanted(start, end, true) => {
                types.insert(id);
            }
            Kind::Rel(RelKind::DefinesByType) => type_rels.push((start, end)),
            _ => {}
        }
    }
    if !types.is_empty() {
        let decoder = index.decoder(bytes);
        let mut slots = Slots::new(family);
        for (start, end) in type_rels {
            // A relation that cannot be decoded is lost here as it is in the model's own pass.
            let Ok(e) = decoder.decode_at_uncached(start, end) else { continue };
            for (_, relating, related) in rel_pairs(&e, RelKind::DefinesByType, &mut slots) {
                if types.contains(&relating) && products.contains(&related) {
                    chosen.insert(related);
                }
            }
        }
    }
    chosen
}

/// Decodes what the scan listed and resolves property sets and materials.
pub(crate) fn extract(
    decoders: &Decoders<'_>,
    family: SchemaVersion,
    jobs: &[Job],
    entity_count: usize,
) -> Semantics {
    // Placements are resolved in file units; one scale turns their origins into metres, as
    // ifc-lite does for the meshes.
    let bytes = decoders.bytes();
    let length_scale = decoders.lend().length_unit_scale();
    let decoded = jobs
        .par_iter()
        .map_init(
            || (decoders.lend(), Slots::new(family)),
            |(decoder, slots), &(id, kind, start, end)| {
                let e = match decoder.decode_at_uncached(start, end) {
                    Ok(e) => e,
                    // A product whose record cannot be decoded is reported, never dropped
                    // silently; a broken relation or property record only loses itself.
                    Err(err) if matches!(kind, Kind::Product(_)) => {
                        return Some(Decoded::Broken(Box::new(Failure {
                            global_id: format!("#{id}"),
                            class: record_class(&bytes[start..end]),
                            reason: format!(
                                "line {}: the record cannot be decoded: {err}",
                                crate::read::line_of(bytes, start)
                            ),
                        })));
                    }
                    Err(_) => return None,
                };
                Some(match kind {
                    Kind::Product(role) => {
                        let mut r = rooted(&e, slots);
                        // A reference, not just "present": `*` (derived) and `$` mean no shape of
                        // its own (an IfcStair whose geometry lives in its flights).
                        r.has_representation = e.get_ref(6).is_some();
                        r.placement = placement(&e, decoder, length_scale);
                        Decoded::Product(Box::new(r), role)
                    }
                    Kind::TypeObject => {
                        let mut r = rooted(&e, slots);
                        r.type_psets = slots
                            .get(&e.ifc_type, "HasPropertySets")
                            .and_then(|i| e.get_refs(i))
                            .unwrap_or_default();
                        Decoded::Type(Box::new(r))
                    }
                    Kind::Spatial => {
                        let mut r = rooted(&e, slots);
                        r.elevation = slots.get(&e.ifc_type, "Elevation").and_then(|i| e.get_float(i));
                        Decoded::Spatial(Box::new(r))
                    }
                    Kind::System => Decoded::System(Box::new(rooted(&e, slots))),
                    Kind::Port => Decoded::Port(id),
                    Kind::Rel(rel) => Decoded::Rels(rel_pairs(&e, rel, slots)),
                    Kind::Covers | Kind::Skip => return None,
                })
            },
        )
        // One slot per job, written in place (a filtered list would be gathered in pieces and
        // copied once more).
        .collect::<Vec<Option<Decoded>>>();

    let mut s = Semantics { entity_count, ..Default::default() };
    // The two long lists are sized once: growing them would copy them and keep both copies a while.
    let (mut products, mut rels) = (0, 0);
    for d in decoded.iter().flatten() {
        match d {
            Decoded::Product(..) => products += 1,
            Decoded::Rels(pairs) => rels += pairs.len(),
            _ => {}
        }
    }
    s.products.reserve_exact(products);
    s.rels.reserve_exact(rels);
    for d in decoded.into_iter().flatten() {
        match d {
            Decoded::Product(r, role) => s.products.push((r, role)),
            Decoded::Broken(f) => s.broken.push(*f),
            Decoded::Type(r) => {
                s.types.insert(r.id, *r);
            }
            Decoded::Spatial(r) => {
                s.spatial.insert(r.id, *r);
            }
            Decoded::System(r) => {
                s.systems.insert(r.id, *r);
            }
            Decoded::Port(id) => {
                s.ports.insert(id);
            }
            Decoded::Rels(pairs) => s.rels.extend(pairs),
        }
    }
    // Spaces are spatial containers too (furniture contained in a room).
    for (r, role) in &s.products {
        if *role == Role::Space {
            s.spatial.insert(r.id, Rooted::clone(r));
        }
    }

    let mut decoder = decoders.lend();
    let scale = decoder.length_unit_scale();
    for r in s.spatial.values_mut() {
        r.elevation = r.elevation.map(|e| e * scale);
    }

    // Property and quantity sets, decoded once each however many objects share them.
    let mut set_ids: Vec<u32> = s
        .rels
        .iter()
        .filter(|(k, _, _)| *k == RelKind::DefinesByProperties)
        .map(|&(_, set, _)| set)
        .chain(s.types.values().flat_map(|t| t.type_psets.iter().copied()))
        .collect();
    set_ids.sort_unstable();
    set_ids.dedup();
    let sets: Vec<(u32, Option<PropertySet>, Option<QuantitySet>)> = set_ids
        .par_iter()
        .map_init(
            || (decoders.lend(), Slots::new(family), IdMap::default()),
            |(decoder, slots, read), &id| {
                let Some(e) = decoder.decode_once(id) else { return (id, None, None) };
                let class = e.ifc_type.name();
                if class.eq_ignore_ascii_case("IfcElementQuantity") {
                    (id, None, Some(quantity_set(decoder, slots, &e, scale)))
                } else if family.is_subtype_of(class, "IfcPropertySet") {
                    (id, Some(property_set(decoder, slots, read, &e)), None)
                } else {
                    (id, None, None)
                }
            },
        )
        .collect();
    for (id, p, q) in sets {
        if let Some(p) = p {
            s.psets.insert(id, Arc::new(p));
        }
        if let Some(q) = q {
            s.qsets.insert(id, Arc::new(q));
        }
    }

    // Materials, resolved once per material definition.
    let mut memo: HashMap<u32, Vec<String>> = HashMap::new();
    let mut slots = Slots::new(family);
    for &(kind, material, object) in &s.rels {
        if kind != RelKind::AssociatesMaterial {
            continue;
        }
        let names = memo
            .entry(material)
            .or_insert_with(|| {
                let mut out = Vec::new();
                material_names(&mut decoder, &mut slots, material, 0, &mut out);
                out
            })
            .clone();
        let list = s.materials.entry(object).or_default();
        for n in names {
            if !list.contains(&n) {
                list.push(n);
            }
        }
    }
    s
}

/// The world frame of a product's `ObjectPlacement`, with its origin in metres and its axes
/// normalised. ifc-lite's memo makes a placement shared by many products (a storey's) cost one
/// lookup after the first. `None` for a missing, broken or degenerate placement: a frame is
/// extra information, never a reason to fail the element.
fn placement(e: &DecodedEntity, decoder: &mut EntityDecoder, length_scale: f64) -> Option<Placement> {
    let m = ifc_lite_geometry::placement::resolve_object_placement(e, decoder).ok()??;
    let mut axes = [[0.0f32; 3]; 3];
    for (c, axis) in axes.iter_mut().enumerate() {
        let v = [m[(0, c)], m[(1, c)], m[(2, c)]];
        let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        if !(len.is_finite() && len > 1e-12) {
            return None;
        }
        *axis = v.map(|x| (x / len) as f32);
    }
    let origin_m = [m[(0, 3)] * length_scale, m[(1, 3)] * length_scale, m[(2, 3)] * length_scale];
    origin_m.iter().all(|v| v.is_finite()).then_some(Placement { origin_m, axes })
}

fn rooted(e: &DecodedEntity, slots: &mut Slots) -> Rooted {
    let predefined_type = slots
        .get(&e.ifc_type, "PredefinedType")
        .and_then(|i| e.get(i))
        .and_then(AttributeValue::as_enum)
        .filter(|p| !p.is_empty() && *p != "NOTDEFINED")
        .map(str::to_string);
    let object_type = slots.get(&e.ifc_type, "ObjectType").and_then(|i| text(e.get(i)));
    Rooted {
        id: e.id,
        raw_class: class_of(e),
        global_id: text(e.get(0)),
        name: text(e.get(2)),
        object_type,
        predefined_type,
        ..Default::default()
    }
}

fn rel_pairs(e: &DecodedEntity, kind: RelKind, slots: &mut Slots) -> Vec<(RelKind, u32, u32)> {
    let (relating_name, related_name) = kind.slots();
    let (Some(a), Some(b)) = (slots.get(&e.ifc_type, relating_name), slots.get(&e.ifc_type, related_name))
    else {
        return Vec::new();
    };
    // Either side may be a single reference or a list (and IFC4 allows a set of property sets).
    let relating = e.get_refs(a).unwrap_or_default();
    let related = e.get_refs(b).unwrap_or_default();
    let mut out = Vec::with_capacity(relating.len() * related.len());
    for &x in &relating {
        for &y in &related {
            out.push((kind, x, y));
        }
    }
    out
}

/// One property set. `read` holds what each property record gave the sets read before in this
/// piece of the pass (rayon's `map_init` state: a few pieces per thread): exporters share one
/// property record among many sets (Office_A x10 refers to its 27,670 properties 160,000 times
/// from 51,640 sets), and a copy of its text is cheaper than decoding the record again or
/// copying it out of the decoder's cache.
fn property_set(
    decoder: &Lent,
    slots: &mut Slots,
    read: &mut IdMap<Vec<Property>>,
    e: &DecodedEntity,
) -> PropertySet {
    let mut properties = Vec::new();
    let ids = slots.get(&e.ifc_type, "HasProperties").and_then(|i| e.get_refs(i)).unwrap_or_default();
    for id in ids {
        let of_id = read.entry(id).or_insert_with(|| {
            let mut out = Vec::new();
            collect_property(decoder, slots, id, "", 0, &mut out);
            out
        });
        properties.extend(of_id.iter().cloned());
    }
    PropertySet { name: text(e.get(2)).unwrap_or_default(), properties }
}

/// Adds one property; complex properties add their parts as `Complex.Part`.
fn collect_property(
    decoder: &Lent,
    slots: &mut Slots,
    id: u32,
    prefix: &str,
    depth: usize,
    out: &mut Vec<Property>,
) {
    if depth > 8 {
        return;
    }
    let Some(p) = decoder.decode_once(id) else { return };
    let Some(name) = text(p.get(0)) else { return };
    let name = if prefix.is_empty() { name } else { format!("{prefix}.{name}") };
    let at = |slots: &mut Slots, attr| slots.get(&p.ifc_type, attr).and_then(|i| p.get(i));
    let value = if let Some(v) = at(slots, "NominalValue") {
        value_text(v)
    } else if let Some(v) = at(slots, "EnumerationValues").or_else(|| at(slots, "ListValues")) {
        value_text(v)
    } else if let (Some(lo), Some(hi)) = (at(slots, "LowerBoundValue"), at(slots, "UpperBoundValue")) {
        format!("{}..{}", value_text(lo), value_text(hi))
    } else if let Some(parts) = slots.get(&p.ifc_type, "HasProperties").and_then(|i| p.get_refs(i)) {
        for part in parts {
            collect_property(decoder, slots, part, &name, depth + 1, out);
        }
        return;
    } else {
        return;
    };
    out.push(Property { name, value });
}

fn quantity_set(
    decoder: &mut EntityDecoder,
    slots: &mut Slots,
    e: &DecodedEntity,
    scale: f64,
) -> QuantitySet {
    let mut quantities = Vec::new();
    let ids = slots.get(&e.ifc_type, "Quantities").and_then(|i| e.get_refs(i)).unwrap_or_default();
    for id in ids {
        let Ok(q) = decoder.decode_by_id(id) else { continue };
        let kind = class_of(&q);
        let Some(name) = text(q.get(0)) else { continue };
        // The value is the fourth attribute of every IfcPhysicalSimpleQuantity.
        let Some(raw) = q.get(3).and_then(AttributeValue::as_float) else { continue };
        let factor = match kind.as_str() {
            "IfcQuantityLength" => scale,
            "IfcQuantityArea" => scale * scale,
            "IfcQuantityVolume" => scale * scale * scale,
            _ => 1.0,
        };
        quantities.push(Quantity { name, value: raw * factor, kind });
    }
    QuantitySet { name: text(e.get(2)).unwrap_or_default(), quantities }
}

/// Names of the materials a material definition stands for (layers, profiles, constituents
/// and lists are followed down to `IfcMaterial`).
fn material_names(
    decoder: &mut EntityDecoder,
    slots: &mut Slots,
    id: u32,
    depth: usize,
    out: &mut Vec<String>,
) {
    if depth > 6 {
        return;
    }
    let Ok(e) = decoder.decode_by_id(id) else { return };
    if e.ifc_type.name().eq_ignore_ascii_case("IfcMaterial") {
        if let Some(n) = text(e.get(0)) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        return;
    }
    for attr in [
        "ForLayerSet",
        "ForProfileSet",
        "MaterialLayers",
        "MaterialProfiles",
        "MaterialConstituents",
        "Materials",
        "Material",
    ] {
        if let Some(refs) = slots.get(&e.ifc_type, attr).and_then(|i| e.get_refs(i)) {
            for r in refs {
                material_names(decoder, slots, r, depth + 1, out);
            }
        }
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    /// Everything a scan gives, in a form two scans can be compared by.
    type Seen = (
        Vec<(u32, Option<(usize, usize)>)>,
        Vec<Job>,
        Vec<(usize, usize)>,
        Vec<(u32, ScheduleRecord)>,
        usize,
    );

    fn seen(scan: &Scan, bytes: &[u8]) -> Seen {
        // Every id the file could name (the largest id a record declares, and a margin).
        let largest = bytes
            .split(|&b| b == b'#')
            .skip(1)
            .filter_map(|s| {
                std::str::from_utf8(&s[..s.iter().take_while(|b| b.is_ascii_digit()).count()]).ok()
            })
            .filter_map(|d| d.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        let spans = (0..=largest + 2).map(|id| (id, scan.index.span(id))).collect();
        (spans, scan.jobs.clone(), scan.covers.clone(), scan.schedule.clone(), scan.entity_count)
    }

    /// The scan in `ranges` ranges gives what one pass from the start gives, for every count
    /// of ranges up to `most` (so the range bounds fall on every kind of byte).
    fn ranges_agree(bytes: &[u8], most: usize) {
        let one = seen(&scan_in_ranges(bytes, SchemaVersion::Ifc4, 1), bytes);
        assert!(one.4 > 0, "the test file has records");
        for ranges in 2..=most {
            let split = seen(&scan_in_ranges(bytes, SchemaVersion::Ifc4, ranges), bytes);
            assert!(split == one, "{ranges} ranges disagree with one pass");
        }
    }

    #[test]
    fn the_generated_hall_scans_alike_in_any_number_of_ranges() {
        let params = plumbline_samples::DatacenterParams { rows: 1, racks_per_row: 3, ..Default::default() };
        let ifc = plumbline_samples::datacenter(&params).ifc;
        let scan = scan_in_ranges(ifc.as_bytes(), SchemaVersion::Ifc4, 1);
        assert!(scan.schedule.iter().any(|(_, r)| *r == ScheduleRecord::Task), "the hall has its 4D tasks");
        ranges_agree(ifc.as_bytes(), 64);
    }

    /// Real files: escaped text (`\X2\`), comments, openings, large ones.
    #[test]
    fn real_files_scan_alike_in_any_number_of_ranges() {
        for rel in [
            "web-ifc/Office_A_20110811.ifc",
            "bimserver-testfiles/revit2014_unicode.ifc",
            "hypar-elements/example_1.ifc",
            "ifc-lite/infra-bridge.ifc",
        ] {
            let Some(path) = plumbline_testkit::ifc_file(rel) else { continue };
            let bytes = std::fs::read(&path).expect("corpus file reads");
            ranges_agree(&bytes, 24);
        }
    }

    /// Every file of the corpus in 7 ranges (`cargo test -p plumbline-ifc --lib -- --ignored`).
    #[test]
    #[ignore = "reads every corpus file: run by hand"]
    fn every_corpus_file_scans_alike_in_ranges() {
        let Some(dir) = plumbline_testkit::ifc_dir() else { return };
        // The scan reads plain STEP: zipped files are left out.
        let files: Vec<_> = plumbline_testkit::ifc_files(&dir)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ifc")))
            .collect();
        for path in &files {
            let bytes = std::fs::read(path).expect("corpus file reads");
            let one = seen(&scan_in_ranges(&bytes, SchemaVersion::Ifc4, 1), &bytes);
            let split = seen(&scan_in_ranges(&bytes, SchemaVersion::Ifc4, 7), &bytes);
            assert!(split == one, "{}: 7 ranges disagree with one pass", path.display());
        }
        println!("{} corpus files scan alike in 7 ranges", files.len());
    }

    /// Strings and comments that look like records, a record longer than many ranges, and a
    /// header `#`: a range that starts inside any of them must still give one pass's records.
    #[test]
    fn strings_and_comments_that_look_like_records_do_not_fool_a_range() {
        let long_name = "x;#9=IFCWALL('y');".repeat(40);
        let ifc = format!(
            "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('a#1=b;'),'2;1');\nFILE_NAME('c:\\\\#5=x.ifc','',(''),(''),'','','');\n\
             FILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n\
             #1=IFCPROJECT('0xScRe4drECQ4DMSqUjd6d',$,'it''s #2=IFCWALL($);',$,$,$,$,$,$);\n\
             /* #3=IFCWALL('commented out'); */\n\
             #4=IFCWALL('1xScRe4drECQ4DMSqUjd6d',$,'{long_name}',$,$,$,$,$,$);\n\
             #5 /* a comment inside */ = IFCSLAB('2xScRe4drECQ4DMSqUjd6d',$,'s;l;a;b',$,$,$,$,$,$,$);\n\
             #6=IFCRELCONTAINEDINSPATIALSTRUCTURE('3xScRe4drECQ4DMSqUjd6d',$,$,$,(#4,#5),#1);\n\
             #7=IFCRELCOVERSBLDGELEMENTS('4xScRe4drECQ4DMSqUjd6d',$,$,$,#4,());\n\
             #4=IFCWALL('5xScRe4drECQ4DMSqUjd6d',$,'the same id again',$,$,$,$,$,$);\n\
             #8=IFCTASK('6xScRe4drECQ4DMSqUjd6d',$,'not #9=IFCTASK(;',$,$,'A',$,$,$,.F.,$,$,.CONSTRUCTION.);\n\
             ENDSEC;\nEND-ISO-10303-21;\n"
        );
        let tasks = scan_in_ranges(ifc.as_bytes(), SchemaVersion::Ifc4, 1).schedule;
        assert_eq!(tasks, vec![(8, ScheduleRecord::Task)], "the task, not the one in its name");
        ranges_agree(ifc.as_bytes(), 200);
    }
}
