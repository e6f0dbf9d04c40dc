//! Plain shared data for Plumbline: elements, meshes, bounding boxes and federated model sets.
//!
//! **Architecture invariant:** this crate does no I/O and knows nothing about IFC parsing, clash
//! detection, schedules or rendering. Every other crate speaks in these types, so they are kept
//! small, owned and `Send + Sync`.
//!
//! Conventions:
//! - Lengths are metres, world coordinates are `f64`. A mesh stores `f32` vertices relative to its
//!   own `origin_m` (the world position of the mesh's local origin), so a building 500 km from the
//!   map origin keeps millimetre precision while vertex buffers stay half the size.
//! - Element indices ([`ElementIdx`]) are positions in [`Model::elements`]; cross-file references
//!   use [`ElementRef`].

mod aabb;
mod class;
mod mesh;
mod placement;
mod solid;

pub use aabb::Aabb;
pub use class::{ClassQuery, ClassTable, MeshScope};
pub use mesh::Mesh;
pub use placement::Placement;
pub use solid::{round_sides, Solid, SolidShape};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Index of an element inside one [`Model`].
pub type ElementIdx = u32;

/// An element anywhere in a [`ModelSet`]: which file, which element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ElementRef {
    pub file: u32,
    pub element: ElementIdx,
}

/// What an element is for the clash engine and the viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A built thing: wall, duct, rack. The only role that takes part in clash tests by default.
    Physical,
    /// An `IfcSpace`: kept for clearance zones and room names, never a physical element.
    Space,
    /// An opening (`IfcFeatureElementSubtraction`): already cut from its host, kept for the
    /// "passes through an opening" ignore rule.
    Opening,
    /// Virtual elements, projections and other non-physical products with a shape.
    Virtual,
}

/// One property: name and value as text (IFC values are typed; the text form is what users see
/// and what rules match on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    pub value: String,
}

/// A named set of properties (`IfcPropertySet`) or quantities (`IfcElementQuantity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertySet {
    pub name: String,
    pub properties: Vec<Property>,
}

/// A quantity with its numeric value in SI units (metres, square metres, cubic metres, kg, s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub name: String,
    pub value: f64,
    /// The IFC quantity kind, e.g. `IfcQuantityLength`.
    pub kind: String,
}

/// A named set of quantities (`IfcElementQuantity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantitySet {
    pub name: String,
    pub quantities: Vec<Quantity>,
}

/// The type object an occurrence is defined by (`IfcRelDefinesByType`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeObject {
    pub global_id: String,
    /// The type's IFC class, e.g. `IfcDuctSegmentType`.
    pub class: String,
    pub name: Option<String>,
    pub predefined_type: Option<String>,
}

/// One element of a model, with everything the clash rules, the 4D engine and the viewer need.
#[derive(Debug, Clone, Serialize)]
pub struct Element {
    /// The STEP instance id (`#123`) in its source file.
    pub express_id: u32,
    pub global_id: String,
    /// The IFC class as the schema spells it, e.g. `IfcDuctSegment`.
    pub class: String,
    pub role: Role,
    pub predefined_type: Option<String>,
    pub object_type: Option<String>,
    pub name: Option<String>,
    pub type_object: Option<TypeObject>,
    /// Storey and building names, shared (`Arc`) by all the elements of a storey: a million
    /// elements would otherwise hold a million copies of "Level 1".
    pub storey: Option<Arc<str>>,
    pub building: Option<Arc<str>>,
    /// Property sets of the occurrence, then those of its type that the occurrence does not
    /// override. Shared (`Arc`): one type's sets serve thousands of occurrences.
    pub property_sets: Vec<Arc<PropertySet>>,
    pub quantity_sets: Vec<Arc<QuantitySet>>,
    pub materials: Vec<String>,
    /// The element's own frame (its `ObjectPlacement`, resolved to the world): where its local
    /// axes point, e.g. local +Y is the front of equipment. `None` when the file gives no
    /// placement or it cannot be resolved.
    pub placement: Option<Placement>,
    /// The element's triangles in world space, or `None` when it has no body geometry or its
    /// geometry failed (see [`Model::failures`]).
    #[serde(skip)]
    pub mesh: Option<Mesh>,
    /// The element's body as an exact solid, when its only body item is one the clash engine
    /// takes without triangles (see [`Solid`]); its mesh then draws it. Boxed: most elements
    /// of most files have none.
    #[serde(skip)]
    pub solid: Option<Box<Solid>>,
}

impl Element {
    /// World-space bounding box of the element's geometry, if it has any: the exact solid's
    /// where there is one (a round solid's facets fall short of it), else the mesh's.
    pub fn aabb(&self) -> Option<Aabb> {
        let mesh = self.mesh.as_ref()?;
        Some(self.solid.as_ref().map_or(mesh.aabb, |s| s.aabb()))
    }

    /// Value of `pset.prop`, if present (occurrence properties first, then the type's).
    pub fn property(&self, pset: &str, prop: &str) -> Option<&str> {
        self.property_sets
            .iter()
            .filter(|p| p.name == pset)
            .flat_map(|p| p.properties.iter())
            .find(|p| p.name == prop)
            .map(|p| p.value.as_str())
    }
}

/// An element whose geometry could not be produced: reported, never fatal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub global_id: String,
    pub class: String,
    pub reason: String,
}

/// A distribution or other system (`IfcSystem` and subtypes) and its member elements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct System {
    pub global_id: String,
    pub class: String,
    pub name: Option<String>,
    pub members: Vec<ElementIdx>,
    /// Names of the buildings or storeys it serves (`IfcRelServicesBuildings`).
    pub serves: Vec<String>,
}

/// The relations between elements that clash rules need. Every pair refers to elements of the
/// same model; relations whose ends are not elements (e.g. a storey) are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Relations {
    /// `(host, opening)` from `IfcRelVoidsElement`.
    pub voids: Vec<(ElementIdx, ElementIdx)>,
    /// `(opening, filling)` from `IfcRelFillsElement`.
    pub fills: Vec<(ElementIdx, ElementIdx)>,
    /// `(whole, part)` from `IfcRelAggregates` and `IfcRelNests` between elements.
    pub aggregates: Vec<(ElementIdx, ElementIdx)>,
    /// Element pairs whose ports are connected (`IfcRelConnectsPorts`), smaller index first.
    pub port_connections: Vec<(ElementIdx, ElementIdx)>,
    pub systems: Vec<System>,
}

/// A building storey, in elevation order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Storey {
    pub global_id: String,
    pub name: String,
    pub elevation_m: Option<f64>,
    pub building: Option<String>,
}

/// One loaded file.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// The path the model was loaded from, as given by the user.
    pub path: String,
    /// `FILE_SCHEMA` as written in the file, e.g. `IFC2X3`, `IFC4`, `IFC4X3_ADD2`.
    pub schema: String,
    /// Number of STEP instances in the file.
    pub entity_count: usize,
    pub elements: Vec<Element>,
    pub storeys: Vec<Storey>,
    pub relations: Relations,
    /// Elements that have a shape representation but produced no usable mesh.
    pub failures: Vec<Failure>,
    /// Which elements were given their geometry: elements outside the scope have no mesh by
    /// choice (a clash run that selects none of them), not by failure.
    pub mesh_scope: MeshScope,
    /// Problems with the file as a whole that did not stop it loading (a truncated file):
    /// each a sentence naming the line. Results from such a model may be incomplete.
    pub warnings: Vec<String>,
    /// Class ancestry of every class present in the file, in the file's own schema.
    pub classes: ClassTable,
    /// Wall-clock seconds spent reading, parsing and tessellating the file.
    pub load_secs: f64,
}

impl Model {
    /// What the load skipped, in one sentence for people ("3 element(s) skipped, their geometry
    /// could not be built"); `None` when nothing was. The CLI lists the failures after it, the
    /// viewer names the first.
    pub fn skipped_summary(&self) -> Option<String> {
        (!self.failures.is_empty())
            .then(|| format!("{} element(s) skipped, their geometry could not be built", self.failures.len()))
    }

    /// Elements with [`Role::Physical`].
    pub fn physical(&self) -> impl Iterator<Item = (ElementIdx, &Element)> {
        self.elements
            .iter()
            .enumerate()
            .filter(|(_, e)| e.role == Role::Physical)
            .map(|(i, e)| (i as ElementIdx, e))
    }

    /// Does `element` answer a query for `class` (subtypes, and IFC2X3 type objects, included)?
    pub fn element_is(&self, element: &Element, query: &ClassQuery) -> bool {
        self.classes.element_matches(element, query)
    }

    /// Number of physical elements per IFC class, sorted by class name.
    pub fn class_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (_, e) in self.physical() {
            *counts.entry(e.class.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// Total triangles over all physical elements.
    pub fn physical_triangles(&self) -> usize {
        self.physical().filter_map(|(_, e)| e.mesh.as_ref()).map(Mesh::triangle_count).sum()
    }
}

/// Several files loaded together (a federated model). Elements keep their file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelSet {
    pub models: Vec<Model>,
}

impl ModelSet {
    pub fn element(&self, r: ElementRef) -> &Element {
        &self.models[r.file as usize].elements[r.element as usize]
    }

    /// Every element of every file, in file then element order.
    pub fn elements(&self) -> impl Iterator<Item = (ElementRef, &Element)> {
        self.models.iter().enumerate().flat_map(|(f, m)| {
            m.elements
                .iter()
                .enumerate()
                .map(move |(i, e)| (ElementRef { file: f as u32, element: i as ElementIdx }, e))
        })
    }
}
