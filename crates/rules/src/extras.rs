//! What a test measures beyond two bare solids and one distance: insulation around elements
//! (`inflate_by`), a distance per pair from a table of property rows (`[[test.distance]]`),
//! the least overlap volume worth reporting (`min_volume_m3`), and where a reach test reads the
//! height of an element's operable part (`operable_height_from`).

use crate::select::PropertyCriterion;
use plumbline_model::Element;
use serde::Deserialize;

/// The property the loader gives an element covered by `IfcCovering`s (related by
/// `IfcRelCoversBldgElements`): their total thickness in millimetres. `inflate_by =
/// "coverings"` reads it.
pub const COVERINGS_PROPERTY: (&str, &str) = ("Plumbline_Coverings", "TotalThickness");

/// One row of a test's distance table, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDistance {
    /// Property criteria the A element must all meet (`Pset.Prop = value`, `Pset.Prop
    /// contains text`, `Pset.Prop`); none: every A element.
    #[serde(default)]
    pub a: Vec<String>,
    /// The same for B.
    #[serde(default)]
    pub b: Vec<String>,
    pub distance_mm: f64,
    /// Where the distance comes from, quoted in every clash it decides.
    pub source: Option<String>,
}

/// One row of a distance table: the first row whose criteria the pair meets decides.
#[derive(Debug, Clone)]
pub struct DistanceRow {
    pub(crate) a: Vec<PropertyCriterion>,
    pub(crate) b: Vec<PropertyCriterion>,
    pub distance_m: f64,
    pub source: Option<String>,
}

impl DistanceRow {
    /// Reads a row; the error says which criterion is bad.
    pub(crate) fn parse(raw: &RawDistance, distance_m: f64) -> Result<DistanceRow, String> {
        let criteria = |list: &[String]| -> Result<Vec<PropertyCriterion>, String> {
            list.iter().map(|c| PropertyCriterion::parse(c)).collect()
        };
        Ok(DistanceRow { a: criteria(&raw.a)?, b: criteria(&raw.b)?, distance_m, source: raw.source.clone() })
    }

    fn matches(&self, a: &Element, b: &Element) -> bool {
        self.a.iter().all(|c| c.matches(a)) && self.b.iter().all(|c| c.matches(b))
    }
}

/// One property an insulation thickness is read from.
#[derive(Debug, Clone, PartialEq)]
pub struct InflateBy {
    pub pset: String,
    pub prop: String,
    /// Metres per unit of the property's values (0.001: millimetres).
    pub unit_m: f64,
}

/// Where a reach test reads how high an element's operable part stands above the element's
/// own base: a property holding a length.
#[derive(Debug, Clone, PartialEq)]
pub struct OperableHeight {
    pub pset: String,
    pub prop: String,
    /// Metres per unit of the property's values (0.001: millimetres).
    pub unit_m: f64,
}

impl OperableHeight {
    /// Reads `Pset.Prop`, its values in `unit_m` metres.
    pub(crate) fn parse(text: &str, unit_m: f64) -> Result<OperableHeight, String> {
        match text.trim().split_once('.') {
            Some((p, q)) if !p.trim().is_empty() && !q.trim().is_empty() => {
                Ok(OperableHeight { pset: p.trim().into(), prop: q.trim().into(), unit_m })
            }
            _ => Err(format!(
                "operable_height_from '{}': expected 'Pset.Prop' (a property holding the height of the operable part above the element's base)",
                text.trim()
            )),
        }
    }
}

/// What a test measures beyond the bare solids; the default measures nothing more.
#[derive(Debug, Clone, Default)]
pub struct TestExtras {
    /// Properties (`Pset`, `Prop`, metres per unit of their values) giving an element's
    /// insulation thickness, in the order they are asked; the first one present with a number
    /// wins. The loader's coverings property is always millimetres; the others are in the
    /// rule's `inflate_unit`.
    pub inflate_by: Vec<InflateBy>,
    /// The distance table of a clearance test; empty: the test's one clearance.
    pub distances: Vec<DistanceRow>,
    /// Hard overlaps sharing less volume than this (m³) are not reported.
    pub min_volume_m3: Option<f64>,
    /// Reach tests: the property giving each element's operable height above its base; without
    /// it (or for an element without a usable value) the operable part is the element's top.
    pub operable_height: Option<OperableHeight>,
}

impl TestExtras {
    /// The insulation around an element (m): the first `inflate_by` property that holds a
    /// number, 0 when none does (or the number is not finite and positive).
    pub fn inflation_m(&self, e: &Element) -> f64 {
        self.inflate_by
            .iter()
            .find_map(|i| {
                let v = e.property(&i.pset, &i.prop)?.trim().parse::<f64>().ok()?;
                Some(v * i.unit_m)
            })
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(0.0)
    }

    /// The height (m) of an element's operable part above its own base, read from
    /// `operable_height`: `None` when the test names no property, or the element's value is
    /// missing or not a finite number 0 or more (the reach test then takes the element's top).
    pub fn operable_height_m(&self, e: &Element) -> Option<f64> {
        let h = self.operable_height.as_ref()?;
        let v = e.property(&h.pset, &h.prop)?.trim().parse::<f64>().ok()?;
        Some(v * h.unit_m).filter(|m| m.is_finite() && *m >= 0.0)
    }

    /// The table's row for a pair (A side first); with `either_order` (a test of a set against
    /// itself) the reversed pair is asked too.
    pub fn row(&self, a: &Element, b: &Element, either_order: bool) -> Option<&DistanceRow> {
        self.distances
            .iter()
            .find(|r| r.matches(a, b))
            .or_else(|| either_order.then(|| self.distances.iter().find(|r| r.matches(b, a))).flatten())
    }

    /// Reads `inflate_by` entries: `Pset.Prop` (values in `unit_m` metres), or `coverings`
    /// for the loader's total thickness of the element's coverings (millimetres).
    pub(crate) fn parse_inflate_by(list: &[String], unit_m: f64) -> Result<Vec<InflateBy>, String> {
        list.iter()
            .map(|text| {
                let t = text.trim();
                if t.eq_ignore_ascii_case("coverings") {
                    let (pset, prop) = COVERINGS_PROPERTY;
                    return Ok(InflateBy { pset: pset.into(), prop: prop.into(), unit_m: 0.001 });
                }
                match t.split_once('.') {
                    Some((p, q)) if !p.trim().is_empty() && !q.trim().is_empty() => {
                        Ok(InflateBy { pset: p.trim().into(), prop: q.trim().into(), unit_m })
                    }
                    _ => Err(format!(
                        "inflate_by '{t}': expected 'Pset.Prop' (a property holding the insulation thickness) or 'coverings'"
                    )),
                }
            })
            .collect()
    }

    /// Metres per unit of a unit key's value (`inflate_unit`, `operable_height_unit`: `mm` or
    /// `m`); `key` names it in the message.
    pub(crate) fn parse_unit(key: &str, text: &str) -> Result<f64, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mm" => Ok(0.001),
            "m" => Ok(1.0),
            other => Err(format!("{key} '{other}': expected \"mm\" or \"m\"")),
        }
    }
}
