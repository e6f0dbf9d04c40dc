//! Colour by: what the elements' colours stand for (their class by default, or their storey,
//! system, a property's value, their clash status or 4D state), the legend that says it, the
//! values the legend hides, and the colours a viewpoint gives single elements over it.

use crate::state::section::ElementMaterial;
use bevy::prelude::*;
use plumbline_model::ElementRef;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

    /// The text [`ColourBy::parse`] reads back (what a saved view stores).
    pub fn as_text(&self) -> String {
        match self {
            ColourBy::Class => "class".into(),
            ColourBy::Storey => "storey".into(),
            ColourBy::System => "system".into(),
            ColourBy::Property { pset, prop } => format!("{pset}.{prop}"),
            ColourBy::ClashStatus => "clash".into(),
            ColourBy::FourD => "4d".into(),
        }
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
    /// Colours a viewpoint gives single elements, drawn over the legend's.
    pub overlay: ColourOverlay,
}

/// Colours given to single elements by a viewpoint (BCF's `Coloring`): not part of the
/// legend, and drawn over its colours.
#[derive(Debug, Default, Clone)]
pub struct ColourOverlay {
    /// GlobalIds per colour (`RRGGBB`, or `AARRGGBB` with the alpha first, as BCF writes it).
    pub colours: BTreeMap<String, BTreeSet<String>>,
    /// One entry per colour, with its material (`value` is the colour, `count` its drawn
    /// elements).
    pub entries: Vec<LegendEntry>,
    /// Each drawn coloured element's index into `entries`.
    pub of: HashMap<ElementRef, usize>,
    /// Whether `entries` and `of` are still to be built for `colours`.
    pub stale: bool,
}

impl ColourOverlay {
    /// Colours these elements (an empty map: none); the materials follow.
    pub fn set(&mut self, colours: BTreeMap<String, BTreeSet<String>>) {
        *self = ColourOverlay { colours, stale: true, ..Default::default() };
    }

    pub fn is_empty(&self) -> bool {
        self.colours.is_empty()
    }
}

/// A BCF colour (`RRGGBB`, or `AARRGGBB` with the alpha first; a leading `#` is allowed) as a
/// colour, or `None` when it is not one.
pub fn parse_bcf_colour(text: &str) -> Option<Color> {
    let t = text.trim().trim_start_matches('#');
    if !(t.len() == 6 || t.len() == 8) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(t.get(i..i + 2)?, 16).ok();
    let (a, rgb) = if t.len() == 8 { (byte(0)?, 2) } else { (255, 0) };
    Some(Color::srgba_u8(byte(rgb)?, byte(rgb + 2)?, byte(rgb + 4)?, a))
}

/// A colour as BCF writes it: `RRGGBB` when opaque, else `AARRGGBB`.
pub fn bcf_colour_text(color: Color) -> String {
    let c = color.to_srgba();
    let b = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    if b(c.alpha) == 255 {
        format!("{:02X}{:02X}{:02X}", b(c.red), b(c.green), b(c.blue))
    } else {
        format!("{:02X}{:02X}{:02X}{:02X}", b(c.alpha), b(c.red), b(c.green), b(c.blue))
    }
}

impl Colouring {
    /// The legend entry of an element, if it has been given one.
    /// The colour an element is drawn in, if it has been given one: a viewpoint's colour first,
    /// else its legend entry.
    pub fn entry_of(&self, r: ElementRef) -> Option<&LegendEntry> {
        match self.overlay.of.get(&r) {
            Some(i) => self.overlay.entries.get(*i),
            None => self.legend_entry_of(r),
        }
    }

    /// An element's entry in the legend.
    pub fn legend_entry_of(&self, r: ElementRef) -> Option<&LegendEntry> {
        self.legend.get(*self.value_of.get(&r)?)
    }

    /// Whether the legend hides an element.
    pub fn hides(&self, r: ElementRef) -> bool {
        !self.hidden.is_empty() && self.legend_entry_of(r).is_some_and(|e| self.hidden.contains(&e.value))
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
