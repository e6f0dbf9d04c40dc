//! Small egui helpers the panels of several features share: colours, the label/value row, and
//! rows that elide long model names instead of widening their panel.

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

/// The widest a grid row's key may be before it is elided, logical pixels.
pub const GRID_KEY_MAX_PX: f32 = 150.0;

/// One row of a two-column grid: the key dimmed, then the value, each elided to one line when
/// too long (the full text shows on hover), so a long path or name never widens the panel.
pub fn grid_row(ui: &mut egui::Ui, key: &str, value: &str) {
    // A grid's first column is as wide as its widest cell: cap the key, or an elided key would
    // keep the width of the frame it was first drawn in.
    ui.allocate_ui(egui::vec2(GRID_KEY_MAX_PX, ui.spacing().interact_size.y), |ui| {
        ui.add(egui::Label::new(egui::RichText::new(key).weak()).truncate());
    });
    ui.add(egui::Label::new(value).truncate());
    ui.end_row();
}

/// A selectable row (a list entry) on one line, elided to the width left, with its full text
/// on hover.
pub fn elided_selectable(ui: &mut egui::Ui, selected: bool, text: &str) -> egui::Response {
    ui.add(egui::Button::selectable(selected, text).truncate()).on_hover_text(text)
}

/// `text` laid out on one line and elided to `width`, for widgets that never elide on their
/// own (collapsing headers always lay their title out on one unbounded line).
pub fn elided_text(ui: &egui::Ui, text: &str, width: f32) -> egui::WidgetText {
    egui::WidgetText::from(text)
        .into_galley(ui, Some(egui::TextWrapMode::Truncate), width.max(16.0), egui::TextStyle::Button)
        .into()
}

/// The width a collapsing header's title may take in `ui`: the row less the arrow's indent
/// and the button's padding.
pub fn header_title_width(ui: &egui::Ui) -> f32 {
    ui.available_width() - ui.spacing().indent - 2.0 * ui.spacing().button_padding.x
}
