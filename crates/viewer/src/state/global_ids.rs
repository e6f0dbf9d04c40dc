//! The elements of a model set by GlobalId: what `--select`, `--measure`, a clash's or a
//! viewpoint's elements and the 4D links are found by.
//!
//! The table holds element references only, and a lookup compares against the GlobalIds the
//! model set already holds. A map with its own `String` keys cost a million copies of the ids
//! at a million elements (a third of a second of the load, and 50 MB).

use bevy::platform::collections::hash_table::{Entry, HashTable};
use plumbline_model::{ElementRef, ModelSet, Role};
use std::hash::BuildHasher;

/// What a GlobalId finds: the last element with it (a GlobalId repeated across federated files
/// or within one finds the last, in set order) and whether any element with it is physical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub element: ElementRef,
    pub any_physical: bool,
}

/// Every element of one model set by GlobalId. Lookups take that same set.
#[derive(Clone, Default)]
pub struct GlobalIds {
    table: HashTable<Found>,
}

impl std::fmt::Debug for GlobalIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GlobalIds({} ids)", self.table.len())
    }
}

/// FxHash: a million GlobalIds are hashed on every load (SipHash took several times as long). It
/// does not resist crafted collisions: a crafted file could make a load slow, never wrong.
fn hash(id: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// The GlobalId of `r` in `set`; `None` for a reference the set does not have (a table used
/// with another set finds nothing rather than panicking).
fn id_of(set: &ModelSet, r: ElementRef) -> Option<&str> {
    let model = set.models.get(r.file as usize)?;
    Some(model.elements.get(r.element as usize)?.global_id.as_str())
}

impl GlobalIds {
    /// Indexes every element of `set`.
    pub fn new(set: &ModelSet) -> GlobalIds {
        let count = set.models.iter().map(|m| m.elements.len()).sum();
        let mut table: HashTable<Found> = HashTable::with_capacity(count);
        for (r, e) in set.elements() {
            let id = e.global_id.as_str();
            let physical = e.role == Role::Physical;
            let same = |f: &Found| id_of(set, f.element) == Some(id);
            let rehash = |f: &Found| hash(id_of(set, f.element).unwrap_or(""));
            match table.entry(hash(id), same, rehash) {
                Entry::Occupied(mut seen) => {
                    let found = seen.get_mut();
                    found.element = r;
                    found.any_physical |= physical;
                }
                Entry::Vacant(slot) => {
                    slot.insert(Found { element: r, any_physical: physical });
                }
            }
        }
        GlobalIds { table }
    }

    /// What `id` finds in `set` (the set the table was made from).
    pub fn find(&self, set: &ModelSet, id: &str) -> Option<Found> {
        self.table.find(hash(id), |f| id_of(set, f.element) == Some(id)).copied()
    }

    /// The element `id` finds in `set` (the set the table was made from).
    pub fn get(&self, set: &ModelSet, id: &str) -> Option<ElementRef> {
        self.find(set, id).map(|f| f.element)
    }

    /// The number of distinct GlobalIds.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plumbline_testkit::{element, model};

    fn file(path: &str, ids: &[(&str, Role)]) -> plumbline_model::Model {
        model(ids.iter().map(|(id, role)| element("IfcWall", id).role(*role))).path(path).build()
    }

    /// Every id finds what a plain map of owned ids finds (the last element with it), repeated
    /// ids within a file and across files, CJK and empty ids included; an unknown id finds
    /// nothing, and a table asked about another set does not panic.
    #[test]
    fn finds_what_a_map_of_owned_ids_finds() {
        let set = ModelSet {
            models: vec![
                file(
                    "a.ifc",
                    &[("A", Role::Physical), ("B", Role::Space), ("A", Role::Space), ("", Role::Physical)],
                ),
                file("b.ifc", &[("墙1", Role::Physical), ("B", Role::Space), ("C", Role::Physical)]),
            ],
        };
        let ids = GlobalIds::new(&set);
        let mut expected: std::collections::HashMap<&str, (ElementRef, bool)> = Default::default();
        for (r, e) in set.elements() {
            let physical = e.role == Role::Physical;
            let entry = expected.entry(e.global_id.as_str()).or_insert((r, false));
            *entry = (r, entry.1 || physical);
        }
        assert_eq!(ids.len(), expected.len());
        for (id, (r, physical)) in expected {
            assert_eq!(ids.find(&set, id), Some(Found { element: r, any_physical: physical }), "{id}");
        }
        assert_eq!(ids.get(&set, "A"), Some(ElementRef { file: 0, element: 2 }));
        assert_eq!(ids.get(&set, "D"), None);
        assert_eq!(ids.get(&ModelSet::default(), "A"), None);
    }
}
