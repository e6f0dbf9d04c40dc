use crate::Element;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The class ancestry of every IFC class present in one file, as its own schema declares it.
///
/// The IFC loader fills this from the file's schema so that queries here stay pure: asking for
/// `IfcFlowSegment` finds `IfcDuctSegment` (a subtype in IFC4), and asking for `IfcDuctSegment`
/// in an IFC2X3 file finds an `IfcFlowSegment` typed by `IfcDuctSegmentType`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassTable {
    /// Lower-case class name -> lower-case names of the class and all its supertypes.
    ancestry: BTreeMap<String, Vec<String>>,
}

impl ClassTable {
    /// Records `class` with its supertypes (nearest first; the class itself need not be listed).
    pub fn insert(&mut self, class: &str, supertypes: &[&str]) {
        let mut chain = vec![class.to_ascii_lowercase()];
        chain.extend(supertypes.iter().map(|s| s.to_ascii_lowercase()));
        self.ancestry.insert(class.to_ascii_lowercase(), chain);
    }

    /// Whether the table already holds `class`.
    pub fn contains(&self, class: &str) -> bool {
        self.ancestry.contains_key(&class.to_ascii_lowercase())
    }

    /// Is `class` the class `ancestor` or one of its subtypes? Classes the table does not know
    /// only match themselves.
    pub fn is_a(&self, class: &str, ancestor: &str) -> bool {
        match self.ancestry.get(&class.to_ascii_lowercase()) {
            Some(chain) => chain.iter().any(|c| c.eq_ignore_ascii_case(ancestor)),
            None => class.eq_ignore_ascii_case(ancestor),
        }
    }

    /// Does the element answer the query? True when its class is one of the queried classes or
    /// a subtype, or when its type object is `QueriedClassType` (or a subtype): that is how
    /// IFC2X3 says "duct segment" (`IfcFlowSegment` typed by `IfcDuctSegmentType`).
    pub fn element_matches(&self, element: &Element, query: &ClassQuery) -> bool {
        query.classes.iter().any(|q| {
            self.is_a(&element.class, q)
                || element.type_object.as_ref().is_some_and(|t| self.is_a(&t.class, &format!("{q}Type")))
        })
    }
}

/// Which elements of a file a run needs the geometry of: those its selections can pick there.
/// A clash run that only tests ducts against walls need not tessellate the doors and the
/// furniture (IfcClash does not either); the viewer and `info` load everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeshScope {
    /// Every element has its geometry.
    Everything,
    /// Every physical element has its geometry (what a selection without classes, `*`, can
    /// pick); spaces, openings and virtual elements have none by choice. Unlike
    /// [`MeshScope::Everything`] this is a scoped load: with exact solids, the elements that
    /// have one are not tessellated.
    Physical,
    /// Only elements answering a query for one of these classes (lower case; as
    /// [`ClassTable::element_matches`] answers it: subtypes and IFC2X3 type objects included)
    /// have their geometry; the others have none by choice, which is not a failure. Empty: none.
    Classes(BTreeSet<String>),
}

impl MeshScope {
    /// No element needs geometry: a file no selection can pick from.
    pub fn nothing() -> MeshScope {
        MeshScope::Classes(BTreeSet::new())
    }

    /// The elements of these classes (case-insensitive).
    pub fn classes<S: AsRef<str>>(classes: impl IntoIterator<Item = S>) -> MeshScope {
        MeshScope::Classes(classes.into_iter().map(|c| c.as_ref().to_ascii_lowercase()).collect())
    }

    /// What either scope needs.
    pub fn union(self, other: MeshScope) -> MeshScope {
        match (self, other) {
            (MeshScope::Everything, _) | (_, MeshScope::Everything) => MeshScope::Everything,
            (MeshScope::Physical, _) | (_, MeshScope::Physical) => MeshScope::Physical,
            (MeshScope::Classes(mut a), MeshScope::Classes(b)) => {
                a.extend(b);
                MeshScope::Classes(a)
            }
        }
    }

    /// Whether the scope holds everything that `other` needs, so a model loaded with this scope
    /// serves a run that needs `other`.
    pub fn covers(&self, other: &MeshScope) -> bool {
        match (self, other) {
            (MeshScope::Everything, _) => true,
            (_, MeshScope::Everything) => false,
            // Class scopes only ever take physical elements.
            (MeshScope::Physical, _) => true,
            (MeshScope::Classes(_), MeshScope::Physical) => false,
            (MeshScope::Classes(a), MeshScope::Classes(b)) => b.is_subset(a),
        }
    }

    /// A stable one-line form (`everything`, `physical elements`, or the sorted classes joined
    /// by commas), for cache keys and messages; no class name has a space.
    pub fn label(&self) -> String {
        match self {
            MeshScope::Everything => "everything".into(),
            MeshScope::Physical => "physical elements".into(),
            MeshScope::Classes(c) => c.iter().map(String::as_str).collect::<Vec<_>>().join(","),
        }
    }
}

/// A set of IFC class names to select elements by (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassQuery {
    pub classes: Vec<String>,
}

impl ClassQuery {
    pub fn new<S: AsRef<str>>(classes: impl IntoIterator<Item = S>) -> Self {
        ClassQuery { classes: classes.into_iter().map(|s| s.as_ref().to_string()).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_scopes_unite_and_cover() {
        let walls = MeshScope::classes(["IfcWall"]);
        let ducts = MeshScope::classes(["ifcductsegment", "IfcWall"]);
        let both = walls.clone().union(ducts.clone());
        assert_eq!(both, MeshScope::classes(["IfcDuctSegment", "IFCWALL"]));
        assert_eq!(both.label(), "ifcductsegment,ifcwall");
        assert!(both.covers(&walls) && both.covers(&ducts) && !walls.covers(&ducts));
        assert!(MeshScope::Everything.covers(&both) && !both.covers(&MeshScope::Everything));
        assert_eq!(walls.clone().union(MeshScope::Everything), MeshScope::Everything);
        assert_eq!(MeshScope::nothing().union(walls.clone()), walls);
        assert!(walls.covers(&MeshScope::nothing()));
        // Every physical element: more than any classes, less than everything.
        let physical = MeshScope::Physical;
        assert_eq!(both.clone().union(physical.clone()), physical);
        assert_eq!(physical.clone().union(MeshScope::Everything), MeshScope::Everything);
        assert!(physical.covers(&both) && physical.covers(&MeshScope::nothing()) && !both.covers(&physical));
        assert!(MeshScope::Everything.covers(&physical) && !physical.covers(&MeshScope::Everything));
        assert_eq!(physical.label(), "physical elements");
    }
}
