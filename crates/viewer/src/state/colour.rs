//! Colour by: what the elements' colours stand for (their class by default, or their storey,
//! system, a property's value, their clash status or 4D state), the legend that says it, and
//! the values the legend hides.

use crate::state::section::ElementMaterial;
use bevy::prelude::*;
use plumbline_model::ElementRef;
use std::collections::{BTreeSet, HashMap};

/// What the colours stand for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ColourBy {
    #[default]
    Class,
    Storey,
    /// The systems (`IfcSystem`) an element belongs to.
    System,
    /// The value of one property, `PSET.PROP`.
    Property {
        pset: String,
        prop: String,
    },
    /// The most open status among the element's clashes.
    ClashStatus,
    /// The element's 4D state on the shown day.
    FourD,
}

impl ColourBy {
    /// Parses `class`, `storey`, `system`, `clash`, `4d` or `PSET.PROP`.
    pub fn parse(text: &str) -> Option<ColourBy> {
        let t = text.trim();
        Some(match t.to_ascii_lowercase().as_str() {
            "class" => ColourBy::Class,
            "storey" | "level" => ColourBy::Storey,
            "system" => ColourBy::System,
            "clash" | "clash-status" | "status" => ColourBy::ClashStatus,
            "4d" | "4d-state" => ColourBy::FourD,
            _ => {
                let (pset, prop) = t.split_once('.')?;
                let (pset, prop) = (pset.trim(), prop.trim());
                if pset.is_empty() || prop.is_empty() {
                    return None;
                }
                ColourBy::Property { pset: pset.to_string(), prop: prop.to_string() }
            }
        })
    }
}

/// One value of the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// The value (`""`: elements without one).
    pub value: String,
    pub color: Color,
    /// Drawn elements with this value.
    pub count: usize,
    pub material: Handle<ElementMaterial>,
}

/// The colouring in force: the legend and each drawn element's value in it.
#[derive(Resource, Debug, Default)]
pub struct Colouring {
    pub by: ColourBy,
    /// Values whose elements are hidden (unticked in the legend).
    pub hidden: BTreeSet<String>,
    /// The values, sorted, with their colours and counts.
    pub legend: Vec<LegendEntry>,
    /// Each drawn element's index into `legend`.
    pub value_of: HashMap<ElementRef, usize>,
}

impl Colouring {
    /// The legend entry of an element, if it has been given one.
    pub fn entry_of(&self, r: ElementRef) -> Option<&LegendEntry> {
        self.legend.get(*self.value_of.get(&r)?)
    }

    /// Whether the legend hides an element.
    pub fn hides(&self, r: ElementRef) -> bool {
        !self.hidden.is_empty() && self.entry_of(r).is_some_and(|e| self.hidden.contains(&e.value))
    }
}

/// Distinct colours for the first values of a legend, then stable hues from the value.
pub fn value_colour(index: usize, value: &str) -> Color {
    const DISTINCT: [[f32; 3]; 12] = [
        [0.90, 0.30, 0.25],
        [0.20, 0.55, 0.90],
        [0.30, 0.75, 0.35],
        [0.95, 0.65, 0.15],
        [0.60, 0.40, 0.85],
        [0.15, 0.75, 0.75],
        [0.90, 0.45, 0.70],
        [0.65, 0.65, 0.20],
        [0.55, 0.35, 0.25],
        [0.45, 0.55, 0.65],
        [0.95, 0.85, 0.30],
        [0.35, 0.35, 0.75],
    ];
    if value.is_empty() {
        return Color::srgb(0.62, 0.62, 0.62);
    }
    if let Some(c) = DISTINCT.get(index) {
        return Color::srgb(c[0], c[1], c[2]);
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in value.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    Color::hsl((h % 360) as f32, 0.55, 0.58)
}
