//! Builders for the model types: an element, a model, a model set and a class table, each with
//! plain defaults (no mesh, no properties, an IFC4 file named `test.ifc`) and chainable setters,
//! so that a test states only what it is about.

use plumbline_model::{
    ClassTable, Element, Failure, Mesh, MeshScope, Model, ModelSet, Placement, PropertySet, QuantitySet,
    Relations, Role, Storey, TypeObject,
};
use std::sync::Arc;

/// A physical element of `class` with `global_id`: express id 1, no name, storey, type,
/// properties, placement or mesh until a setter gives one.
pub fn element(class: &str, global_id: &str) -> ElementBuilder {
    ElementBuilder(Element {
        express_id: 1,
        global_id: global_id.into(),
        class: class.into(),
        role: Role::Physical,
        predefined_type: None,
        object_type: None,
        name: None,
        type_object: None,
        storey: None,
        building: None,
        property_sets: vec![],
        quantity_sets: vec![],
        materials: vec![],
        placement: None,
        mesh: None,
        solid: None,
    })
}

/// An [`Element`] being built; see [`element`]. `build()` or `.into()` gives the element.
#[derive(Debug, Clone)]
pub struct ElementBuilder(Element);

impl ElementBuilder {
    pub fn express_id(mut self, express_id: u32) -> Self {
        self.0.express_id = express_id;
        self
    }

    pub fn role(mut self, role: Role) -> Self {
        self.0.role = role;
        self
    }

    pub fn name(mut self, name: &str) -> Self {
        self.0.name = Some(name.into());
        self
    }

    pub fn predefined_type(mut self, predefined_type: &str) -> Self {
        self.0.predefined_type = Some(predefined_type.into());
        self
    }

    pub fn object_type(mut self, object_type: &str) -> Self {
        self.0.object_type = Some(object_type.into());
        self
    }

    /// Defined by a type object of `class` (e.g. `IfcDuctSegmentType`), named after nothing.
    pub fn type_class(self, class: &str) -> Self {
        let global_id = format!("{}-type", self.0.global_id);
        self.type_object(TypeObject { global_id, class: class.into(), name: None, predefined_type: None })
    }

    pub fn type_object(mut self, type_object: TypeObject) -> Self {
        self.0.type_object = Some(type_object);
        self
    }

    /// On the storey named `storey`; pass a shared `Arc<str>` to share it as a loaded model does.
    pub fn storey(mut self, storey: impl Into<Arc<str>>) -> Self {
        self.0.storey = Some(storey.into());
        self
    }

    pub fn building(mut self, building: impl Into<Arc<str>>) -> Self {
        self.0.building = Some(building.into());
        self
    }

    /// Adds a property set after those already given (occurrence sets first, then the type's).
    pub fn property_set(mut self, set: Arc<PropertySet>) -> Self {
        self.0.property_sets.push(set);
        self
    }

    pub fn quantity_set(mut self, set: Arc<QuantitySet>) -> Self {
        self.0.quantity_sets.push(set);
        self
    }

    pub fn material(mut self, material: &str) -> Self {
        self.0.materials.push(material.into());
        self
    }

    pub fn placement(mut self, placement: Placement) -> Self {
        self.0.placement = Some(placement);
        self
    }

    pub fn mesh(mut self, mesh: Mesh) -> Self {
        self.0.mesh = Some(mesh);
        self
    }

    /// The axis-aligned box between the world corners `min_m` and `max_m` as its mesh.
    pub fn cuboid(self, min_m: [f64; 3], max_m: [f64; 3]) -> Self {
        self.mesh(Mesh::cuboid(min_m, max_m))
    }

    pub fn build(self) -> Element {
        self.0
    }
}

impl From<ElementBuilder> for Element {
    fn from(b: ElementBuilder) -> Element {
        b.0
    }
}

/// A model of `elements` in file order: an IFC4 file `test.ifc` with no storeys, relations,
/// failures, warnings or class ancestry until a setter gives them, every mesh in scope.
pub fn model<E: Into<Element>>(elements: impl IntoIterator<Item = E>) -> ModelBuilder {
    ModelBuilder(Model {
        path: "test.ifc".into(),
        schema: "IFC4".into(),
        entity_count: 0,
        elements: elements.into_iter().map(Into::into).collect(),
        storeys: vec![],
        relations: Relations::default(),
        failures: vec![],
        mesh_scope: MeshScope::Everything,
        warnings: vec![],
        classes: ClassTable::default(),
        load_secs: 0.0,
    })
}

/// A [`Model`] being built; see [`model`]. `build()` gives the model, `into_set()` a set of it.
#[derive(Debug, Clone)]
pub struct ModelBuilder(Model);

impl ModelBuilder {
    pub fn path(mut self, path: &str) -> Self {
        self.0.path = path.into();
        self
    }

    pub fn schema(mut self, schema: &str) -> Self {
        self.0.schema = schema.into();
        self
    }

    pub fn entity_count(mut self, entity_count: usize) -> Self {
        self.0.entity_count = entity_count;
        self
    }

    pub fn storey(mut self, storey: Storey) -> Self {
        self.0.storeys.push(storey);
        self
    }

    pub fn relations(mut self, relations: Relations) -> Self {
        self.0.relations = relations;
        self
    }

    pub fn failure(mut self, failure: Failure) -> Self {
        self.0.failures.push(failure);
        self
    }

    pub fn mesh_scope(mut self, mesh_scope: MeshScope) -> Self {
        self.0.mesh_scope = mesh_scope;
        self
    }

    pub fn warning(mut self, warning: &str) -> Self {
        self.0.warnings.push(warning.into());
        self
    }

    pub fn classes(mut self, classes: ClassTable) -> Self {
        self.0.classes = classes;
        self
    }

    pub fn load_secs(mut self, load_secs: f64) -> Self {
        self.0.load_secs = load_secs;
        self
    }

    pub fn build(self) -> Model {
        self.0
    }

    /// A set holding this model alone.
    pub fn into_set(self) -> ModelSet {
        model_set([self.0])
    }
}

impl From<ModelBuilder> for Model {
    fn from(b: ModelBuilder) -> Model {
        b.0
    }
}

/// A federated set of `models`, in file order.
pub fn model_set<M: Into<Model>>(models: impl IntoIterator<Item = M>) -> ModelSet {
    ModelSet { models: models.into_iter().map(Into::into).collect() }
}

/// A class table from `(class, supertypes nearest first)` rows, as a loader records them.
pub fn class_table(rows: &[(&str, &[&str])]) -> ClassTable {
    let mut table = ClassTable::default();
    for (class, supertypes) in rows {
        table.insert(class, supertypes);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use plumbline_model::{ClassQuery, ElementRef};

    #[test]
    fn an_element_has_what_its_setters_gave_and_nothing_else() {
        let e =
            element("IfcWall", "W1").name("wall").storey("Level 1").cuboid([0.0; 3], [1.0, 2.0, 3.0]).build();
        assert_eq!(
            (e.class.as_str(), e.global_id.as_str(), e.name.as_deref()),
            ("IfcWall", "W1", Some("wall"))
        );
        assert_eq!(e.storey.as_deref(), Some("Level 1"));
        assert_eq!(e.role, Role::Physical);
        assert_eq!(e.aabb().map(|b| (b.min, b.max)), Some(([0.0; 3], [1.0, 2.0, 3.0])));
        assert!(e.type_object.is_none() && e.property_sets.is_empty() && e.placement.is_none());
    }

    #[test]
    fn a_set_of_a_model_finds_its_elements_and_classes() {
        let classes = class_table(&[("IfcDuctSegment", &["IfcFlowSegment", "IfcElement"])]);
        let set = model([
            element("IfcWall", "W1"),
            element("IfcDuctSegment", "D1").type_class("IfcDuctSegmentType"),
        ])
        .classes(classes)
        .into_set();
        assert_eq!(set.models.len(), 1);
        let m = &set.models[0];
        assert_eq!((m.path.as_str(), m.schema.as_str()), ("test.ifc", "IFC4"));
        let duct = set.element(ElementRef { file: 0, element: 1 });
        assert_eq!(duct.global_id, "D1");
        assert!(m.element_is(duct, &ClassQuery::new(["IfcFlowSegment"])));
        assert!(!m.element_is(&m.elements[0], &ClassQuery::new(["IfcFlowSegment"])));
    }
}
