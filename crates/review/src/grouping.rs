//! How a test's clashes are grouped for review: the four groupings and their names.

use serde::{Deserialize, Serialize};

/// How a test's clashes are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Grouping {
    /// Each clash goes to the one of its two elements that takes part in most of the test's
    /// clashes (ties: the smaller GlobalId): moving that element fixes the whole group.
    Element,
    /// By the storey of element A (of B when A has none).
    Storey,
    /// By the pair of classes (`IfcCableCarrierSegment × IfcDuctSegment`).
    TypePair,
    /// Clashes whose points lie within `distance_m` of each other, chained (single linkage).
    Proximity { distance_m: f64 },
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping::Proximity { distance_m: Grouping::DEFAULT_PROXIMITY_M }
    }
}

/// A grouping name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown grouping '{0}': expected element, storey, type-pair, proximity or proximity:METRES (e.g. proximity:2)")]
pub struct GroupingError(pub String);

impl Grouping {
    /// The default proximity distance: 2 m.
    pub const DEFAULT_PROXIMITY_M: f64 = 2.0;

    /// `element`, `storey`, `type-pair`, `proximity` or `proximity:METRES`.
    pub fn parse(text: &str) -> Result<Grouping, GroupingError> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "element" => Ok(Grouping::Element),
            "storey" | "level" => Ok(Grouping::Storey),
            "type-pair" | "type_pair" | "types" => Ok(Grouping::TypePair),
            "proximity" => Ok(Grouping::default()),
            _ => match t.strip_prefix("proximity:").map(|d| d.trim().parse::<f64>()) {
                Some(Ok(d)) if d.is_finite() && d > 0.0 => Ok(Grouping::Proximity { distance_m: d }),
                _ => Err(GroupingError(text.to_string())),
            },
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Grouping::Element => "element",
            Grouping::Storey => "storey",
            Grouping::TypePair => "type-pair",
            Grouping::Proximity { .. } => "proximity",
        }
    }
}
