//! What elements look like: the [`Look`] the state gives each one, the shared materials of
//! the palette, and the class colours.

use crate::state::section::ElementMaterial;
use bevy::prelude::*;
use std::collections::HashMap;

/// What an element looks like, before it becomes a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Look {
    Hidden,
    /// Its class colour.
    Normal,
    Selected,
    Ghost,
    ClashA,
    ClashB,
    InProgress,
    Temporary,
    Demolishing,
    /// 4D: the element's work is behind its plan on the shown day.
    Late,
}

/// Materials shared by every element (one per class, one per highlight).
#[derive(Resource, Debug, Default)]
pub struct Palette {
    pub by_class: HashMap<String, Handle<ElementMaterial>>,
    pub selected: Handle<ElementMaterial>,
    pub ghost: Handle<ElementMaterial>,
    pub clash_a: Handle<ElementMaterial>,
    pub clash_b: Handle<ElementMaterial>,
    pub in_progress: Handle<ElementMaterial>,
    pub temporary: Handle<ElementMaterial>,
    pub demolishing: Handle<ElementMaterial>,
    pub late: Handle<ElementMaterial>,
    /// The colours of a colouring other than by class (its legend's materials), listed here so
    /// everything that reaches every element material (the section box) reaches them too.
    pub extra: Vec<Handle<ElementMaterial>>,
}

impl Palette {
    /// Every material of the palette (class colours and highlights).
    pub fn all(&self) -> impl Iterator<Item = &Handle<ElementMaterial>> {
        self.by_class
            .values()
            .chain([
                &self.selected,
                &self.ghost,
                &self.clash_a,
                &self.clash_b,
                &self.in_progress,
                &self.temporary,
                &self.demolishing,
                &self.late,
            ])
            .chain(&self.extra)
    }

    /// The material of a look for an element of `class` (`None`: hidden, or a class without
    /// one).
    pub fn material(&self, look: Look, class: &str) -> Option<Handle<ElementMaterial>> {
        Some(match look {
            Look::Hidden => return None,
            Look::Normal => self.by_class.get(class)?.clone(),
            Look::Selected => self.selected.clone(),
            Look::Ghost => self.ghost.clone(),
            Look::ClashA => self.clash_a.clone(),
            Look::ClashB => self.clash_b.clone(),
            Look::InProgress => self.in_progress.clone(),
            Look::Temporary => self.temporary.clone(),
            Look::Demolishing => self.demolishing.clone(),
            Look::Late => self.late.clone(),
        })
    }
}

/// The colour of an IFC class: fixed for the common building and MEP classes, a stable hue from
/// the name for the rest.
pub fn class_color(class: &str) -> Color {
    let known: &[(&str, [f32; 3])] = &[
        ("IfcWall", [0.86, 0.84, 0.80]),
        ("IfcWallStandardCase", [0.86, 0.84, 0.80]),
        ("IfcSlab", [0.70, 0.70, 0.72]),
        ("IfcRoof", [0.60, 0.45, 0.40]),
        ("IfcColumn", [0.62, 0.64, 0.70]),
        ("IfcBeam", [0.55, 0.58, 0.68]),
        ("IfcMember", [0.55, 0.58, 0.68]),
        ("IfcPlate", [0.60, 0.62, 0.66]),
        ("IfcDoor", [0.62, 0.42, 0.26]),
        ("IfcWindow", [0.55, 0.75, 0.90]),
        ("IfcStair", [0.70, 0.66, 0.60]),
        ("IfcRailing", [0.50, 0.50, 0.50]),
        ("IfcCovering", [0.90, 0.88, 0.82]),
        ("IfcFurnishingElement", [0.75, 0.60, 0.45]),
        ("IfcFurniture", [0.75, 0.60, 0.45]),
        ("IfcDuctSegment", [0.45, 0.70, 0.90]),
        ("IfcDuctFitting", [0.40, 0.65, 0.85]),
        ("IfcAirTerminal", [0.50, 0.80, 0.95]),
        ("IfcPipeSegment", [0.30, 0.75, 0.45]),
        ("IfcPipeFitting", [0.25, 0.70, 0.40]),
        ("IfcCableCarrierSegment", [0.95, 0.75, 0.20]),
        ("IfcCableCarrierFitting", [0.90, 0.70, 0.15]),
        ("IfcCableSegment", [0.95, 0.55, 0.15]),
        ("IfcElectricDistributionBoard", [0.85, 0.35, 0.30]),
        ("IfcElectricAppliance", [0.25, 0.28, 0.34]),
        ("IfcUnitaryEquipment", [0.35, 0.55, 0.75]),
        ("IfcBuildingElementProxy", [0.65, 0.55, 0.75]),
        ("IfcFlowSegment", [0.45, 0.70, 0.90]),
        ("IfcFlowFitting", [0.40, 0.65, 0.85]),
        ("IfcFlowTerminal", [0.50, 0.80, 0.95]),
    ];
    if let Some((_, c)) = known.iter().find(|(k, _)| *k == class) {
        return Color::srgb(c[0], c[1], c[2]);
    }
    // FNV-1a of the name: the same class always gets the same hue.
    let mut h: u32 = 0x811c_9dc5;
    for b in class.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    Color::hsl((h % 360) as f32, 0.45, 0.62)
}
