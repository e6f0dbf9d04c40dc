//! Small egui helpers the panels of several features share: colours and the label/value row.

use bevy::prelude::*;
use bevy_egui::egui;

/// Errors, and a clash's element A.
pub const RED: egui::Color32 = egui::Color32::from_rgb(235, 70, 70);
/// Success, and a clash's element B.
pub const GREEN: egui::Color32 = egui::Color32::from_rgb(70, 200, 90);

/// A Bevy colour as egui's (sRGB, opaque).
pub fn color32(c: Color) -> egui::Color32 {
    let s = c.to_srgba();
    egui::Color32::from_rgb((s.red * 255.0) as u8, (s.green * 255.0) as u8, (s.blue * 255.0) as u8)
}

/// One row of a two-column grid: the key dimmed, then the value.
pub fn grid_row(ui: &mut egui::Ui, key: &str, value: &str) {
    ui.label(egui::RichText::new(key).weak());
    ui.label(value);
    ui.end_row();
}
