//! Selections of elements: criteria on class, file, storey, system, property, object type,
//! predefined type and name, with include and exclude lists.

use globset::{GlobBuilder, GlobMatcher};
use plumbline_model::{ClassQuery, Element, ElementRef, MeshScope, Model, ModelSet, Role};

/// One compiled property test.
#[derive(Debug, Clone)]
enum PropertyTest {
    Present,
    Equals(String),
    Contains(String),
}

/// `Pset.Prop = value`, `Pset.Prop contains text` or `Pset.Prop`.
#[derive(Debug, Clone)]
pub(crate) struct PropertyCriterion {
    pset: String,
    prop: String,
    test: PropertyTest,
}

impl PropertyCriterion {
    /// Parses the text form; the error says what is expected.
    pub(crate) fn parse(text: &str) -> Result<PropertyCriterion, String> {
        let expected = "expected 'Pset.Prop = value', 'Pset.Prop contains text' or 'Pset.Prop'";
        let (path, test) = if let Some((p, v)) = text.split_once('=') {
            (p, PropertyTest::Equals(v.trim().to_string()))
        } else if let Some(i) = text.to_ascii_lowercase().find(" contains ") {
            (&text[..i], PropertyTest::Contains(text[i + " contains ".len()..].trim().to_lowercase()))
        } else {
            (text, PropertyTest::Present)
        };
        let Some((pset, prop)) = path.trim().split_once('.') else {
            return Err(format!("bad property criterion '{text}': {expected}"));
        };
        if pset.trim().is_empty() || prop.trim().is_empty() {
            return Err(format!("bad property criterion '{text}': {expected}"));
        }
        Ok(PropertyCriterion { pset: pset.trim().to_string(), prop: prop.trim().to_string(), test })
    }

    pub(crate) fn matches(&self, e: &Element) -> bool {
        let Some(value) = e.property(&self.pset, &self.prop) else { return false };
        match &self.test {
            PropertyTest::Present => true,
            PropertyTest::Equals(v) => value.trim().eq_ignore_ascii_case(v),
            PropertyTest::Contains(t) => value.to_lowercase().contains(t.as_str()),
        }
    }
}

/// The message for a class name no IFC schema knows, with the known class it most likely
/// meant.
pub(crate) fn unknown_class(raw: &str, classes: &dyn Fn(&str) -> Option<String>) -> String {
    match crate::suggest::class_suggestion(raw, classes) {
        Some(meant) => format!("unknown IFC class '{raw}' (did you mean '{meant}'?)"),
        None => format!("unknown IFC class '{raw}': expected a class of IFC2X3, IFC4 or IFC4X3 such as IfcWall, IfcDuctSegment, IfcFlowSegment, IfcBuildingElementProxy"),
    }
}

/// A case-insensitive glob; the error says why a pattern is bad.
pub(crate) fn glob(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("bad pattern '{pattern}': {e}"))
}

/// Criteria an element must all meet; an empty `Criteria` matches every element.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    pub(crate) classes: Option<ClassQuery>,
    pub(crate) files: Vec<GlobMatcher>,
    pub(crate) storeys: Vec<GlobMatcher>,
    pub(crate) systems: Vec<GlobMatcher>,
    pub(crate) names: Vec<GlobMatcher>,
    pub(crate) object_types: Vec<GlobMatcher>,
    pub(crate) predefined_types: Vec<GlobMatcher>,
    pub(crate) properties: Vec<PropertyCriterion>,
}

/// Whether `text` matches one of the patterns; no patterns match everything, a missing text
/// nothing.
fn any(patterns: &[GlobMatcher], text: Option<&str>) -> bool {
    patterns.is_empty() || text.is_some_and(|t| patterns.iter().any(|p| p.is_match(t)))
}

/// What a selection needs to know about one file: its path and each element's systems.
pub(crate) struct FileFacts<'a> {
    pub(crate) model: &'a Model,
    /// Per element, the names of the systems it belongs to.
    pub(crate) systems: Vec<Vec<&'a str>>,
}

impl<'a> FileFacts<'a> {
    pub(crate) fn new(model: &'a Model) -> Self {
        let mut systems: Vec<Vec<&str>> = vec![Vec::new(); model.elements.len()];
        for s in &model.relations.systems {
            let Some(name) = s.name.as_deref() else { continue };
            for &m in &s.members {
                if let Some(list) = systems.get_mut(m as usize) {
                    list.push(name);
                }
            }
        }
        FileFacts { model, systems }
    }
}

impl Criteria {
    fn file_matches(&self, model: &Model) -> bool {
        self.path_matches(std::path::Path::new(&model.path))
    }

    /// Whether the file patterns take the file at `path` (as given), by path or by name.
    fn path_matches(&self, path: &std::path::Path) -> bool {
        if self.files.is_empty() {
            return true;
        }
        let name = path.file_name().map(std::path::Path::new).unwrap_or(path);
        self.files.iter().any(|g| g.is_match(path) || g.is_match(name))
    }

    /// What elements of the file at `path` these criteria may take, judged by file and class
    /// alone (the other criteria only narrow it further).
    fn mesh_scope(&self, path: &std::path::Path) -> MeshScope {
        match &self.classes {
            _ if !self.path_matches(path) => MeshScope::nothing(),
            // Selections only ever pick physical elements.
            None => MeshScope::Physical,
            Some(q) => MeshScope::classes(&q.classes),
        }
    }

    fn matches(&self, facts: &FileFacts<'_>, i: usize) -> bool {
        let e = &facts.model.elements[i];
        self.file_matches(facts.model)
            && self.classes.as_ref().is_none_or(|q| facts.model.element_is(e, q))
            && any(&self.storeys, e.storey.as_deref())
            && any(&self.names, e.name.as_deref())
            && any(&self.object_types, e.object_type.as_deref())
            && any(&self.predefined_types, e.predefined_type.as_deref())
            && (self.systems.is_empty()
                || facts.systems[i].iter().any(|s| self.systems.iter().any(|g| g.is_match(s))))
            && self.properties.iter().all(|p| p.matches(e))
    }
}

/// A selection: the criteria of its own table, any of `include` (when given), none of `exclude`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub(crate) all_of: Criteria,
    pub(crate) include: Vec<Criteria>,
    pub(crate) exclude: Vec<Criteria>,
}

impl Selection {
    fn matches(&self, facts: &FileFacts<'_>, i: usize) -> bool {
        self.all_of.matches(facts, i)
            && (self.include.is_empty() || self.include.iter().any(|c| c.matches(facts, i)))
            && !self.exclude.iter().any(|c| c.matches(facts, i))
    }

    /// Which elements of the file at `path` (as it will be loaded) the selection may pick: the
    /// geometry a run of it needs from that file. Never less than [`Selection::select`] takes.
    pub fn mesh_scope(&self, path: &std::path::Path) -> MeshScope {
        let own = self.all_of.mesh_scope(path);
        if own != MeshScope::Physical || self.include.is_empty() {
            // Classes of its own: the includes can only narrow them.
            return own;
        }
        self.include.iter().fold(MeshScope::nothing(), |scope, c| scope.union(c.mesh_scope(path)))
    }

    /// Parses the command line's short form of a selection, `[FILE_GLOB:]CLASS[,CLASS...]`,
    /// where `*` (or nothing) for the classes takes every physical element: the same selection
    /// a rule file writes as `{ file = "FILE_GLOB", class = [CLASS, ...] }`, with the same
    /// case-insensitive file glob and the same class check (`classes`, as in
    /// [`crate::RuleSet::read`]). The error names the text and says what is wrong.
    pub fn parse_short(text: &str, classes: &dyn Fn(&str) -> Option<String>) -> Result<Selection, String> {
        let (file, class_list) = match text.rsplit_once(':') {
            Some((g, c)) => (Some(g), c),
            None => (None, text),
        };
        let files = match file {
            Some(g) => vec![glob(g).map_err(|e| format!("'{text}': {e}"))?],
            None => Vec::new(),
        };
        let class_list = class_list.trim();
        let classes = if class_list == "*" || class_list.is_empty() {
            None
        } else {
            let mut names = Vec::new();
            for raw in class_list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                match classes(raw) {
                    Some(name) => names.push(name),
                    None => return Err(format!("'{text}': {}", unknown_class(raw, classes))),
                }
            }
            Some(ClassQuery::new(names))
        };
        Ok(Selection { all_of: Criteria { classes, files, ..Criteria::default() }, ..Selection::default() })
    }

    /// The physical elements with geometry that the selection picks, in file then element order.
    pub fn select(&self, set: &ModelSet) -> Vec<ElementRef> {
        let facts: Vec<FileFacts<'_>> = set.models.iter().map(FileFacts::new).collect();
        self.select_in(&facts)
    }

    pub(crate) fn select_in(&self, facts: &[FileFacts<'_>]) -> Vec<ElementRef> {
        let mut out = Vec::new();
        for (f, file) in facts.iter().enumerate() {
            for (i, e) in file.model.elements.iter().enumerate() {
                if e.role == Role::Physical && e.mesh.is_some() && self.matches(file, i) {
                    out.push(ElementRef { file: f as u32, element: i as u32 });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_criteria_parse() {
        let p = PropertyCriterion::parse("Plumbline_Phase.Temporary = TRUE").expect("valid");
        assert_eq!((p.pset.as_str(), p.prop.as_str()), ("Plumbline_Phase", "Temporary"));
        assert!(matches!(p.test, PropertyTest::Equals(ref v) if v == "TRUE"));
        let p = PropertyCriterion::parse("Pset_X.Description contains Fire").expect("valid");
        assert!(matches!(p.test, PropertyTest::Contains(ref v) if v == "fire"));
        assert!(matches!(PropertyCriterion::parse("P.Q").expect("valid").test, PropertyTest::Present));
        assert!(PropertyCriterion::parse("NoDot = 3").is_err());
    }

    fn known(name: &str) -> Option<String> {
        ["IfcWall", "IfcSlab"].iter().find(|c| c.eq_ignore_ascii_case(name)).map(|c| c.to_string())
    }

    #[test]
    fn the_short_form_is_a_selection_by_file_and_class() {
        let scope = |text: &str, file: &str| {
            Selection::parse_short(text, &known).expect("valid").mesh_scope(std::path::Path::new(file))
        };
        assert_eq!(scope("IfcWall,IfcSlab", "models/arch.ifc"), MeshScope::classes(["IfcWall", "IfcSlab"]));
        assert_eq!(scope("arch*.ifc:IfcWall", "models/arch-2.ifc"), MeshScope::classes(["IfcWall"]));
        // File globs are case-insensitive, as in rule files.
        assert_eq!(scope("ARCH*.IFC:ifcwall", "models/arch-2.ifc"), MeshScope::classes(["IfcWall"]));
        assert_eq!(scope("arch*.ifc:IfcWall", "models/mep.ifc"), MeshScope::nothing());
        assert_eq!(scope("*", "mep.ifc"), MeshScope::Physical);
        assert_eq!(scope("mep.ifc:*", "mep.ifc"), MeshScope::Physical);
        assert_eq!(scope("mep.ifc:*", "arch.ifc"), MeshScope::nothing());
        let e = Selection::parse_short("IfcWal", &known).expect_err("typo");
        assert!(e.starts_with("'IfcWal': unknown IFC class 'IfcWal'"), "{e}");
        let e = Selection::parse_short("[a:IfcWall", &known).expect_err("bad glob");
        assert!(e.starts_with("'[a:IfcWall': bad pattern '[a'"), "{e}");
    }
}
