//! How features put their egui panels into the window without knowing its layout.
//!
//! The UI plugin draws the frame (tool bar, left, right and bottom panels) and, at each
//! [`PanelSlot`], runs the panel systems that features registered for it with
//! [`register_panel`]. A panel system is an ordinary Bevy system that takes the `egui::Ui` to
//! draw into as its input, so it reads and writes its feature's state like any other system.

use bevy::ecs::system::SystemId;
use bevy::prelude::*;
use bevy_egui::egui;
use std::collections::BTreeMap;

/// A registered panel system: it draws into the `egui::Ui` it is given.
pub type PanelSystem = SystemId<InMut<'static, egui::Ui>>;

/// The places of the window a feature can draw in, listed in the order they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PanelSlot {
    /// The tool bar's main row.
    Toolbar,
    /// A row under it for the section box's faces (when the box is on).
    SectionRow,
    /// A row under it to open files by path (when the Open box is shown).
    OpenRow,
    /// A row under it for the measure tool (while it is on or shows a result).
    MeasureRow,
    /// A row under it for walking and flying (while walking or flying).
    WalkRow,
    /// A row under it for the redline tool (while it is on).
    RedlineRow,
    /// The bottom panel (4D), shown when a schedule was loaded or failed to load.
    Bottom,
    /// The left panel's *Model* tab.
    ModelTab,
    /// The left panel's *Clashes* tab.
    ClashesTab,
    /// The left panel's *Search* tab.
    SearchTab,
    /// The left panel's *Colour* tab (colour by, the legend).
    ColourTab,
    /// The left panel's *Views* tab (saved viewpoints).
    ViewsTab,
    /// The right panel while a clash is in focus.
    ClashDetails,
    /// The right panel for a selected element.
    ElementProperties,
    /// The right panel for a selected 4D task.
    TaskProperties,
    /// Drawn over the 3D view, after the panels (dimension lines, labels); paint only.
    ViewOverlay,
}

/// The panel systems registered for each slot, drawn in the order they were registered.
#[derive(Resource, Debug, Default)]
pub struct UiPanels {
    slots: BTreeMap<PanelSlot, Vec<PanelSystem>>,
}

impl UiPanels {
    /// The panel systems of a slot.
    pub fn of(&self, slot: PanelSlot) -> &[PanelSystem] {
        self.slots.get(&slot).map_or(&[], Vec::as_slice)
    }
}

/// Registers a panel system for a slot. Call it from a plugin's `build`.
pub fn register_panel<M>(
    app: &mut App,
    slot: PanelSlot,
    panel: impl IntoSystem<InMut<'static, egui::Ui>, (), M> + 'static,
) {
    let id = app.register_system(panel);
    app.world_mut().get_resource_or_init::<UiPanels>().slots.entry(slot).or_default().push(id);
}

/// Whether the tool bar's Open box (a row to type or paste a path into) is shown: the tool bar's
/// *Open…* toggles it, opening a file closes it.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OpenRow {
    pub shown: bool,
}
