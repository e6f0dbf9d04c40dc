//! The loaded scene and what the user picked out of it: the model set with its drawn entities,
//! the selection, and which elements are shown.

use crate::state::global_ids::GlobalIds;
use bevy::prelude::*;
use plumbline_model::{Aabb, Element, ElementRef, ModelSet};
// FxHash: a million element refs are hashed on every load (SipHash took several times as
// long); it does not resist crafted collisions, so a crafted file could make a load slow, never
// wrong.
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};

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
    /// The elements' boxes and triangles for picking and walking, when built beside the meshes
    /// (else the install builds it).
    pub world: Option<crate::state::spatial::ElementWorld>,
    /// Every element by GlobalId, when built beside the meshes (else the install builds it).
    pub by_global_id: Option<GlobalIds>,
}

/// The loaded models and the entities drawn for them.
#[derive(Resource, Debug, Default)]
pub struct ModelScene {
    pub set: ModelSet,
    pub origin_m: [f64; 3],
    pub bounds: Option<Aabb>,
    pub entities: HashMap<ElementRef, Entity>,
    /// Every element of `set` by GlobalId ([`ModelScene::element_by_global_id`]).
    pub by_global_id: GlobalIds,
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
    /// The element with GlobalId `id` (the last one, when several have it).
    pub fn element_by_global_id(&self, id: &str) -> Option<ElementRef> {
        self.by_global_id.get(&self.set, id)
    }

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

/// What is selected: one element (a click), the elements of a 4D task (a Gantt row), or several
/// elements one by one (a search's *Select all*, a saved view), one of which may be described.
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

    /// Whether several elements are selected one by one (a search's *Select all*, a saved view
    /// or a BCF viewpoint), not as a task's: the properties panel then lists them.
    pub fn is_list(&self) -> bool {
        self.task.is_none() && !self.group.is_empty()
    }

    /// Shows `r`'s properties, a member of the selected list, keeping the list selected (as a
    /// properties window shows one item of a selection of many).
    pub fn show_member(&mut self, r: ElementRef) {
        if self.group.binary_search(&r).is_ok() {
            self.element = Some(r);
        }
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
    /// Elements hidden one by one (a BCF viewpoint's exceptions, *Hide selection*), by
    /// GlobalId, so they stay hidden across a reload.
    pub hidden_elements: BTreeSet<String>,
    /// When set, only these elements are shown (a BCF viewpoint that hides all but a few,
    /// *Isolate selection*), by GlobalId; files, storeys and classes still hide their own.
    pub isolated_elements: Option<BTreeSet<String>>,
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
            && !self.hidden_elements.contains(&e.global_id)
            && self.isolated_elements.as_ref().is_none_or(|shown| shown.contains(&e.global_id))
    }

    /// Whether elements are hidden or isolated one by one.
    pub fn filters_elements(&self) -> bool {
        !self.hidden_elements.is_empty() || self.isolated_elements.is_some()
    }
}

/// Hides every one of `all` but `keep`.
pub fn isolate<'a>(hidden: &mut BTreeSet<String>, keep: &str, all: impl IntoIterator<Item = &'a String>) {
    *hidden = all.into_iter().filter(|k| k.as_str() != keep).cloned().collect();
}

/// The drawn element under the pointer, for the hover tooltip (set by picking).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Hovered(pub Option<ElementRef>);

/// What the hover tooltip says about an element: its class and name (or GlobalId).
pub fn hover_text(e: &Element) -> String {
    match e.name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(name) => format!("{} '{name}'", e.class),
        None => format!("{} {}", e.class, e.global_id),
    }
}
