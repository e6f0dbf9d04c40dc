//! Reading a rule set: the TOML structure with the position of every value, then validation
//! into [`RuleSet`], each error pointing at the offending value.

use crate::extras::{DistanceRow, OperableHeight, RawDistance, TestExtras};
use crate::select::{glob, unknown_class, Criteria, PropertyCriterion, Selection};
use crate::RulesError;
use plumbline_clash::{ClashKind, IgnoreRules, Mode, Zone, ZoneSize, DEFAULT_TOLERANCE_M};
use plumbline_model::{ClassQuery, MeshScope};
use plumbline_review::Grouping;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A string or a list of strings.
#[derive(Debug, Clone, Default)]
struct StrList(Vec<String>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrList, E> {
                Ok(StrList(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(StrList(out))
            }
        }
        d.deserialize_any(V)
    }
}

type Field = Option<Spanned<StrList>>;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCriteria {
    class: Field,
    file: Field,
    storey: Field,
    system: Field,
    name: Field,
    object_type: Field,
    predefined_type: Field,
    property: Field,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSelection {
    class: Field,
    file: Field,
    storey: Field,
    system: Field,
    name: Field,
    object_type: Field,
    predefined_type: Field,
    property: Field,
    #[serde(default)]
    include: Vec<RawCriteria>,
    #[serde(default)]
    exclude: Vec<RawCriteria>,
}

/// Which default ignore rules a test keeps (`true`) or switches off (`false`); unset ones
/// come from `[defaults]`, then from the engine's defaults (all on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreSwitches {
    pub fillings: Option<bool>,
    pub openings: Option<bool>,
    pub assemblies: Option<bool>,
    pub ports: Option<bool>,
    pub same_guid: Option<bool>,
}

impl IgnoreSwitches {
    /// These switches over `base`.
    fn over(&self, base: IgnoreSwitches) -> IgnoreSwitches {
        IgnoreSwitches {
            fillings: self.fillings.or(base.fillings),
            openings: self.openings.or(base.openings),
            assemblies: self.assemblies.or(base.assemblies),
            ports: self.ports.or(base.ports),
            same_guid: self.same_guid.or(base.same_guid),
        }
    }

    /// The engine's rules: each switch, or on when unset.
    pub fn rules(&self) -> IgnoreRules {
        let d = IgnoreRules::default();
        IgnoreRules {
            fillings_in_host: self.fillings.unwrap_or(d.fillings_in_host),
            through_openings: self.openings.unwrap_or(d.through_openings),
            same_assembly: self.assemblies.unwrap_or(d.same_assembly),
            port_connected: self.ports.unwrap_or(d.port_connected),
            same_global_id: self.same_guid.unwrap_or(d.same_global_id),
        }
    }
}

/// A test's `mode` as written: the engine's clash kinds, and `reach` (reported as clearance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawMode {
    Hard,
    Clearance,
    Duplicate,
    Time,
    Touch,
    Reach,
}

impl RawMode {
    /// The kind of clash the mode reports.
    fn kind(self) -> ClashKind {
        match self {
            RawMode::Hard => ClashKind::Hard,
            RawMode::Clearance | RawMode::Reach => ClashKind::Clearance,
            RawMode::Duplicate => ClashKind::Duplicate,
            RawMode::Time => ClashKind::Time,
            RawMode::Touch => ClashKind::Touch,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    #[serde(default)]
    id: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    mode: Option<Spanned<RawMode>>,
    a: Option<RawSelection>,
    b: Option<RawSelection>,
    tolerance_mm: Option<Spanned<f64>>,
    clearance_mm: Option<Spanned<f64>>,
    zone: Option<Spanned<Zone>>,
    min_width_mm: Option<Spanned<f64>>,
    min_height_mm: Option<Spanned<f64>>,
    max_height_mm: Option<Spanned<f64>>,
    operable_height_from: Option<Spanned<String>>,
    operable_height_unit: Option<Spanned<String>>,
    beside_factor: Option<Spanned<f64>>,
    beside_max_mm: Option<Spanned<f64>>,
    inflate_by: Option<Spanned<StrList>>,
    inflate_unit: Option<Spanned<String>>,
    min_volume_m3: Option<Spanned<f64>>,
    #[serde(default)]
    distance: Vec<Spanned<RawDistance>>,
    #[serde(default)]
    ignore: IgnoreSwitches,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    tolerance_mm: Option<Spanned<f64>>,
    #[serde(default)]
    ignore: IgnoreSwitches,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawGroupBy {
    Element,
    Storey,
    #[serde(alias = "type_pair")]
    TypePair,
    Proximity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrouping {
    by: Option<Spanned<RawGroupBy>>,
    proximity_m: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleSet {
    #[serde(default)]
    defaults: RawDefaults,
    grouping: Option<RawGrouping>,
    #[serde(default)]
    test: Vec<Spanned<RawTest>>,
}

/// One test of a matrix.
#[derive(Debug, Clone)]
pub struct TestSpec {
    /// The stable key (`id = "…"`, by default the name): clash ids and the history follow it,
    /// so a test's display name can change without orphaning its reviewed clashes.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// What the test computes: the engine's mode (a clearance test with a zone is
    /// [`Mode::Zone`]; a time test is [`Mode::Time`]).
    pub mode: Mode,
    pub a: Selection,
    /// `None`: A against itself, each pair once.
    pub b: Option<Selection>,
    pub ignore: IgnoreRules,
    /// Insulation, a distance table, the least overlap volume (see [`TestExtras`]).
    pub extras: TestExtras,
}

/// A parsed and validated rule matrix.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The file it came from, as given.
    pub path: PathBuf,
    /// Tests in file order.
    pub tests: Vec<TestSpec>,
    pub grouping: Grouping,
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    classes: &'a dyn Fn(&str) -> Option<String>,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> RulesError {
        let (line, column) = line_col(self.text, span.start);
        RulesError::Config { path: self.path.to_path_buf(), line, column, message: message.into() }
    }

    /// A length in millimetres, which must be a finite number not below zero.
    fn mm(&self, key: &str, v: &Spanned<f64>) -> Result<f64, RulesError> {
        distance_mm_to_m(key, *v.get_ref()).map_err(|m| self.err(v.span(), m))
    }

    /// `beside_factor` (a plain number) or `beside_max_mm` (millimetres), with NFPA 13's value
    /// when unset; metres for the distance.
    fn beside(&self, v: &Option<Spanned<f64>>, default: f64, key: &str) -> Result<f64, RulesError> {
        match v {
            None if key.ends_with("_mm") => Ok(default / 1000.0),
            None => Ok(default),
            Some(v) if key.ends_with("_mm") => self.mm(key, v),
            Some(v) if v.get_ref().is_finite() && *v.get_ref() >= 0.0 && *v.get_ref() <= 100.0 => {
                Ok(*v.get_ref())
            }
            Some(v) => {
                Err(self.err(v.span(), format!("{key} must be a number from 0 to 100; got {}", v.get_ref())))
            }
        }
    }

    /// What the test measures beyond the bare solids, each key checked against its mode.
    fn extras(
        &self,
        name: &str,
        t: &RawTest,
        kind: ClashKind,
        zone: Option<Zone>,
    ) -> Result<TestExtras, RulesError> {
        let mut extras = TestExtras::default();
        let unit_m = match &t.inflate_unit {
            Some(u) if t.inflate_by.is_none() => {
                return Err(self.err(u.span(), "inflate_unit only applies with inflate_by"));
            }
            Some(u) => {
                TestExtras::parse_unit("inflate_unit", u.get_ref()).map_err(|m| self.err(u.span(), m))?
            }
            None => 0.001,
        };
        if let Some(list) = &t.inflate_by {
            if kind == ClashKind::Duplicate {
                return Err(self.err(list.span(), "inflate_by does not apply to mode = \"duplicate\""));
            }
            extras.inflate_by = TestExtras::parse_inflate_by(&list.get_ref().0, unit_m)
                .map_err(|m| self.err(list.span(), m))?;
        }
        if let Some(v) = &t.min_volume_m3 {
            if !matches!(kind, ClashKind::Hard | ClashKind::Time | ClashKind::Clearance) {
                return Err(
                    self.err(v.span(), "min_volume_m3 only applies to modes hard, time and clearance")
                );
            }
            let m3 = *v.get_ref();
            if !(m3.is_finite() && (0.0..=1000.0).contains(&m3)) {
                return Err(self.err(
                    v.span(),
                    format!("min_volume_m3 must be a number of cubic metres from 0 to 1000; got {m3}"),
                ));
            }
            extras.min_volume_m3 = Some(m3);
        }
        for row in &t.distance {
            if kind != ClashKind::Clearance || zone.is_some() {
                return Err(self.err(
                    row.span(),
                    format!("test '{name}': [[test.distance]] rows only apply to mode = \"clearance\" without a zone"),
                ));
            }
            let raw = row.get_ref();
            let distance_m =
                distance_mm_to_m("distance_mm", raw.distance_mm).map_err(|m| self.err(row.span(), m))?;
            extras.distances.push(DistanceRow::parse(raw, distance_m).map_err(|m| self.err(row.span(), m))?);
        }
        for (key, v) in [("beside_factor", &t.beside_factor), ("beside_max_mm", &t.beside_max_mm)] {
            if let Some(v) = v.as_ref().filter(|_| zone != Some(Zone::Beside)) {
                return Err(self.err(v.span(), format!("{key} only applies to zone = \"beside\"")));
            }
        }
        Ok(extras)
    }

    /// A reach test's mode and where it reads operable heights. The keys of other modes are
    /// refused by name, so a mix-up (a clearance zone on a reach test) is not silently ignored.
    fn reach(
        &self,
        name: &str,
        t: &RawTest,
        tolerance_m: f64,
        span: Range<usize>,
    ) -> Result<(Mode, Option<OperableHeight>), RulesError> {
        let foreign = [
            ("clearance_mm", t.clearance_mm.as_ref().map(Spanned::span)),
            ("zone", t.zone.as_ref().map(Spanned::span)),
            ("min_width_mm", t.min_width_mm.as_ref().map(Spanned::span)),
            ("beside_factor", t.beside_factor.as_ref().map(Spanned::span)),
            ("beside_max_mm", t.beside_max_mm.as_ref().map(Spanned::span)),
            ("inflate_by", t.inflate_by.as_ref().map(Spanned::span)),
            ("inflate_unit", t.inflate_unit.as_ref().map(Spanned::span)),
            ("min_volume_m3", t.min_volume_m3.as_ref().map(Spanned::span)),
            ("[[test.distance]]", t.distance.first().map(Spanned::span)),
        ];
        if let Some((key, s)) = foreign.into_iter().find_map(|(k, s)| s.map(|s| (k, s))) {
            return Err(self.err(s, format!("test '{name}': {key} does not apply to mode = \"reach\"")));
        }
        if t.b.is_none() {
            return Err(self.err(
                span,
                format!(
                    "test '{name}': mode = \"reach\" needs b, the floors operable parts stand on (e.g. b = {{ class = [\"IfcSlab\", \"IfcCovering\"] }})"
                ),
            ));
        }
        let (Some(min), Some(max)) = (&t.min_height_mm, &t.max_height_mm) else {
            let at = t.min_height_mm.as_ref().or(t.max_height_mm.as_ref()).map_or(span, Spanned::span);
            return Err(self.err(
                at,
                format!(
                    "test '{name}': mode = \"reach\" needs min_height_mm and max_height_mm, the range of heights above the floor that operable parts must stand in"
                ),
            ));
        };
        let (min_m, max_m) = (self.mm("min_height_mm", min)?, self.mm("max_height_mm", max)?);
        if min_m >= max_m {
            return Err(self.err(
                max.span(),
                format!(
                    "test '{name}': max_height_mm ({}) must be above min_height_mm ({}): they bound the reach range",
                    max.get_ref(),
                    min.get_ref()
                ),
            ));
        }
        let unit_m = match &t.operable_height_unit {
            Some(u) if t.operable_height_from.is_none() => {
                return Err(self.err(u.span(), "operable_height_unit only applies with operable_height_from"));
            }
            Some(u) => TestExtras::parse_unit("operable_height_unit", u.get_ref())
                .map_err(|m| self.err(u.span(), m))?,
            None => 0.001,
        };
        let from = t
            .operable_height_from
            .as_ref()
            .map(|f| OperableHeight::parse(f.get_ref(), unit_m).map_err(|m| self.err(f.span(), m)))
            .transpose()?;
        Ok((Mode::Reach { min_m, max_m, tolerance_m }, from))
    }

    fn globs(&self, f: &Field) -> Result<Vec<globset::GlobMatcher>, RulesError> {
        let Some(f) = f else { return Ok(Vec::new()) };
        f.get_ref().0.iter().map(|p| glob(p).map_err(|m| self.err(f.span(), m))).collect()
    }

    fn criteria(&self, c: CriteriaRef<'_>) -> Result<Criteria, RulesError> {
        let classes = match c.class {
            None => None,
            Some(f) => {
                let mut names = Vec::new();
                for raw in &f.get_ref().0 {
                    match (self.classes)(raw.trim()) {
                        Some(n) => names.push(n),
                        None => return Err(self.err(f.span(), unknown_class(raw, self.classes))),
                    }
                }
                Some(ClassQuery::new(names))
            }
        };
        let properties = match c.property {
            None => Vec::new(),
            Some(f) => f
                .get_ref()
                .0
                .iter()
                .map(|p| PropertyCriterion::parse(p).map_err(|m| self.err(f.span(), m)))
                .collect::<Result<_, _>>()?,
        };
        Ok(Criteria {
            classes,
            files: self.globs(c.file)?,
            storeys: self.globs(c.storey)?,
            systems: self.globs(c.system)?,
            names: self.globs(c.name)?,
            object_types: self.globs(c.object_type)?,
            predefined_types: self.globs(c.predefined_type)?,
            properties,
        })
    }

    fn selection(&self, s: &RawSelection) -> Result<Selection, RulesError> {
        Ok(Selection {
            all_of: self.criteria(CriteriaRef {
                class: &s.class,
                file: &s.file,
                storey: &s.storey,
                system: &s.system,
                name: &s.name,
                object_type: &s.object_type,
                predefined_type: &s.predefined_type,
                property: &s.property,
            })?,
            include: s.include.iter().map(|c| self.criteria(CriteriaRef::of(c))).collect::<Result<_, _>>()?,
            exclude: s.exclude.iter().map(|c| self.criteria(CriteriaRef::of(c))).collect::<Result<_, _>>()?,
        })
    }
}

/// The criteria fields of a selection or of one of its include/exclude entries.
#[derive(Clone, Copy)]
struct CriteriaRef<'a> {
    class: &'a Field,
    file: &'a Field,
    storey: &'a Field,
    system: &'a Field,
    name: &'a Field,
    object_type: &'a Field,
    predefined_type: &'a Field,
    property: &'a Field,
}

impl<'a> CriteriaRef<'a> {
    fn of(c: &'a RawCriteria) -> Self {
        CriteriaRef {
            class: &c.class,
            file: &c.file,
            storey: &c.storey,
            system: &c.system,
            name: &c.name,
            object_type: &c.object_type,
            predefined_type: &c.predefined_type,
            property: &c.property,
        }
    }
}

/// The largest tolerance, clearance or zone size a rule file or a command line may give, in
/// millimetres.
pub const MAX_DISTANCE_MM: f64 = 100_000.0;

/// A distance given in millimetres (a tolerance, a clearance, a zone size) in metres: a
/// finite number, 0 or more and at most 100 m. Rule files and command-line flags both come
/// through here, so they accept and refuse the same values with the same words; `key` names
/// the value in the message.
pub fn distance_mm_to_m(key: &str, mm: f64) -> Result<f64, String> {
    if !(mm.is_finite() && mm >= 0.0) {
        Err(format!("{key} must be a number of millimetres, 0 or more; got {mm}"))
    } else if mm > MAX_DISTANCE_MM {
        // Clearances are centimetres to a few metres; beyond 100 m the value is a unit
        // mistake (metres typed as millimetres twice over) and would pair every element.
        let shown = if mm < 1e9 { format!("{mm}") } else { format!("{mm:e}") };
        Err(format!(
            "{key} = {shown} mm is over 100 m ({MAX_DISTANCE_MM} mm): give millimetres (e.g. 50 for 5 cm)"
        ))
    } else {
        Ok(mm / 1000.0)
    }
}

impl RuleSet {
    /// Which elements of the file at `path` (as it will be loaded) any test may pick, on
    /// either side: the geometry a run of the rule set needs from that file.
    pub fn mesh_scope(&self, path: &Path) -> MeshScope {
        self.tests.iter().fold(MeshScope::nothing(), |scope, t| {
            let b = t.b.as_ref().map_or_else(MeshScope::nothing, |b| b.mesh_scope(path));
            scope.union(t.a.mesh_scope(path)).union(b)
        })
    }

    /// Reads and validates a rule file. `classes` resolves an IFC class name to its canonical
    /// spelling, or `None` for a name no schema knows (the CLI passes
    /// `plumbline_ifc::canonical_class_name`; this crate stays free of the IFC parser).
    pub fn read(path: &Path, classes: &dyn Fn(&str) -> Option<String>) -> Result<RuleSet, RulesError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| RulesError::Io { path: path.into(), source })?;
        RuleSet::parse(path, &text, classes)
    }

    /// As [`RuleSet::read`], from text; `path` names the file in messages.
    pub fn parse(
        path: &Path,
        text: &str,
        classes: &dyn Fn(&str) -> Option<String>,
    ) -> Result<RuleSet, RulesError> {
        let cx = Ctx { path, text, classes };
        let raw: RawRuleSet = toml::from_str(text).map_err(|e| {
            // toml's message already names the allowed keys and values (`unknown field
            // `clearence_mm`, expected one of ...`); the position comes from its span.
            cx.err(e.span().unwrap_or(0..0), crate::suggest::with_suggestion(e.message().trim()))
        })?;
        let default_tolerance_m = match &raw.defaults.tolerance_mm {
            Some(t) => cx.mm("tolerance_mm", t)?,
            None => DEFAULT_TOLERANCE_M,
        };
        let default_ignore = raw.defaults.ignore;
        let grouping = match &raw.grouping {
            None => Grouping::default(),
            Some(g) => {
                let distance_m = match &g.proximity_m {
                    Some(d) if !(d.get_ref().is_finite() && *d.get_ref() > 0.0) => {
                        return Err(cx.err(
                            d.span(),
                            format!("proximity_m must be a positive number of metres; got {}", d.get_ref()),
                        ))
                    }
                    Some(d) => *d.get_ref(),
                    None => Grouping::DEFAULT_PROXIMITY_M,
                };
                match g.by.as_ref().map(|b| *b.get_ref()) {
                    Some(RawGroupBy::Element) => Grouping::Element,
                    Some(RawGroupBy::Storey) => Grouping::Storey,
                    Some(RawGroupBy::TypePair) => Grouping::TypePair,
                    Some(RawGroupBy::Proximity) | None => Grouping::Proximity { distance_m },
                }
            }
        };
        if raw.test.is_empty() {
            return Err(cx.err(0..0, "no tests: add at least one [[test]] table with a name and a mode"));
        }
        let mut tests = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        let mut ids: Vec<(&str, &str)> = Vec::new();
        for t in &raw.test {
            let span = t.span();
            let t = t.get_ref();
            let name = t.name.get_ref().trim();
            if name.is_empty() {
                return Err(cx.err(t.name.span(), "a test name cannot be empty"));
            }
            if names.contains(&name) {
                return Err(
                    cx.err(t.name.span(), format!("duplicate test name '{name}': names must be unique"))
                );
            }
            names.push(name);
            let id = match &t.id {
                Some(id) => {
                    let text = id.get_ref().trim();
                    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
                    if text.is_empty() || !text.chars().all(allowed) {
                        return Err(cx.err(
                            id.span(),
                            format!(
                                "test '{name}': id '{text}' must be letters, digits, '-', '_' or '.' (it names the test's clashes in the history; keep it when you rename the test)"
                            ),
                        ));
                    }
                    text
                }
                None => name,
            };
            if let Some(other) = ids.iter().find(|(i, _)| *i == id) {
                let at = t.id.as_ref().map_or(t.name.span(), Spanned::span);
                return Err(cx.err(
                    at,
                    format!(
                        "duplicate test id '{id}' (also test '{}'): ids must be unique, they name the tests' clashes in the history",
                        other.1
                    ),
                ));
            }
            ids.push((id, name));
            let tolerance_m = match &t.tolerance_mm {
                Some(v) => cx.mm("tolerance_mm", v)?,
                None => default_tolerance_m,
            };
            let raw_mode = t.mode.as_ref().map_or(RawMode::Hard, |m| *m.get_ref());
            let kind = raw_mode.kind();
            let reach = match raw_mode {
                RawMode::Reach => Some(cx.reach(name, t, tolerance_m, span.clone())?),
                _ => {
                    for (key, present) in [
                        ("max_height_mm", t.max_height_mm.as_ref().map(Spanned::span)),
                        ("operable_height_from", t.operable_height_from.as_ref().map(Spanned::span)),
                        ("operable_height_unit", t.operable_height_unit.as_ref().map(Spanned::span)),
                    ] {
                        if let Some(s) = present {
                            return Err(cx.err(s, format!("{key} only applies to mode = \"reach\"")));
                        }
                    }
                    None
                }
            };
            let clearance_m = t.clearance_mm.as_ref().map(|v| cx.mm("clearance_mm", v)).transpose()?;
            let min_width_m = t.min_width_mm.as_ref().map(|v| cx.mm("min_width_mm", v)).transpose()?;
            let min_height_m = t.min_height_mm.as_ref().map(|v| cx.mm("min_height_mm", v)).transpose()?;
            let zone = t.zone.as_ref().map(|z| *z.get_ref());
            let mut extras = cx.extras(name, t, kind, zone)?;
            if kind != ClashKind::Clearance {
                for (key, present) in [
                    ("clearance_mm", t.clearance_mm.as_ref().map(Spanned::span)),
                    ("zone", t.zone.as_ref().map(Spanned::span)),
                    ("min_width_mm", t.min_width_mm.as_ref().map(Spanned::span)),
                    ("min_height_mm", t.min_height_mm.as_ref().map(Spanned::span)),
                ] {
                    if let Some(s) = present {
                        return Err(cx.err(s, format!("{key} only applies to mode = \"clearance\"")));
                    }
                }
            }
            if reach.is_none() && !matches!(zone, Some(Zone::Front | Zone::FrontAndBack)) {
                if let Some(v) = t.min_width_mm.as_ref().or(t.min_height_mm.as_ref()) {
                    return Err(cx.err(
                        v.span(),
                        "min_width_mm and min_height_mm only apply to zone = \"front\" or \"front_and_back\"",
                    ));
                }
            }
            let mode = match (kind, reach) {
                (_, Some((mode, from))) => {
                    extras.operable_height = from;
                    mode
                }
                (ClashKind::Hard, None) => Mode::Hard { tolerance_m },
                (ClashKind::Duplicate, None) => Mode::Duplicate { tolerance_m },
                (ClashKind::Time, None) => Mode::Time { tolerance_m },
                (ClashKind::Touch, None) => Mode::Touch { tolerance_m },
                (ClashKind::Clearance, None) => {
                    // A distance table's largest row is how far the test must look; a door's
                    // swing needs no distance of its own (the leaf's width is its depth).
                    let most = extras
                        .distances
                        .iter()
                        .map(|r| r.distance_m)
                        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
                    let clearance_m = match (clearance_m, most, zone) {
                        (c, Some(most), _) => Some(c.unwrap_or(0.0).max(most)),
                        (None, None, Some(Zone::Swing)) => Some(0.0),
                        (c, None, Some(Zone::Swing)) => c,
                        (c, None, _) => c.filter(|c| *c > 0.0),
                    };
                    let Some(clearance_m) = clearance_m else {
                        let at = t.clearance_mm.as_ref().map_or(span.clone(), Spanned::span);
                        return Err(cx.err(
                            at,
                            format!(
                                "test '{name}': mode = \"clearance\" needs clearance_mm, a distance above 0"
                            ),
                        ));
                    };
                    match zone {
                        None => Mode::Clearance { clearance_m, tolerance_m },
                        Some(zone) => Mode::Zone {
                            zone,
                            size: ZoneSize {
                                clearance_m,
                                min_width_m: min_width_m.unwrap_or(0.0),
                                min_height_m: min_height_m.unwrap_or(0.0),
                                // NFPA 13's three times B's width, at most 610 mm, unless the
                                // file says otherwise; other zones do not reach beside.
                                beside_factor: match zone {
                                    Zone::Beside => cx.beside(&t.beside_factor, 3.0, "beside_factor")?,
                                    _ => 0.0,
                                },
                                beside_max_m: match zone {
                                    Zone::Beside => cx.beside(&t.beside_max_mm, 610.0, "beside_max_mm")?,
                                    _ => 0.0,
                                },
                            },
                            tolerance_m,
                        },
                    }
                }
            };
            let a = match &t.a {
                Some(s) => cx.selection(s)?,
                None => Selection::default(),
            };
            let b = t.b.as_ref().map(|s| cx.selection(s)).transpose()?;
            tests.push(TestSpec {
                id: id.to_string(),
                name: name.to_string(),
                description: t.description.clone(),
                mode,
                a,
                b,
                ignore: t.ignore.over(default_ignore).rules(),
                extras,
            });
        }
        Ok(RuleSet { path: path.to_path_buf(), tests, grouping })
    }
}
