//! Redlines over the 3D view: freehand lines, arrows and text (`state::redline`).
//!
//! *Redline* in the tool bar turns the tool on: a row under the tool bar picks the tool and the
//! colour, and the view becomes a canvas. The canvas is an egui area over the 3D view, so while
//! it is on the pointer draws instead of orbiting or picking (the camera and picking plugins
//! leave the pointer to egui wherever egui has an area). The redlines are painted over the view
//! with egui's painter on every frame whose camera is where they were drawn, so a window
//! screenshot (a BCF snapshot, a saved view's export) has them drawn in.

use crate::state::camera::OrbitCamera;
use crate::state::i18n::Lang;
use crate::state::redline::{
    Redline, RedlineSet, RedlineShape, RedlineTool, Redlining, REDLINE_COLOURS, REDLINE_RED,
};
use crate::state::ui::{register_panel, PanelSlot};
use bevy::prelude::*;
use bevy_egui::egui;
use bevy_egui::input::EguiWantsInput;

/// The redline tool: its row, its canvas and the redlines' painting.
#[derive(Debug, Default)]
pub struct RedlinePlugin;

impl Plugin for RedlinePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Redlining>().add_systems(Update, undo_key);
        register_panel(app, PanelSlot::RedlineRow, redline_row);
        register_panel(app, PanelSlot::ViewOverlay, redline_overlay);
    }
}

fn colour32(c: [u8; 3]) -> egui::Color32 {
    egui::Color32::from_rgb(c[0], c[1], c[2])
}

/// Ctrl+Z (or ⌘Z) takes the last redline back while the tool is on and no text box has the
/// keyboard.
fn undo_key(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    egui: Option<Res<EguiWantsInput>>,
    mut redlining: ResMut<Redlining>,
) {
    let Some(keys) = keys else { return };
    if !redlining.active || egui.is_some_and(|e| e.wants_keyboard_input()) {
        return;
    }
    let modifier = keys.any_pressed([
        KeyCode::ControlLeft,
        KeyCode::ControlRight,
        KeyCode::SuperLeft,
        KeyCode::SuperRight,
    ]);
    if modifier && keys.just_pressed(KeyCode::KeyZ) {
        redlining.undo();
    }
}

/// The row under the tool bar while the tool is on: tool, colour, undo, clear, done.
fn redline_row(InMut(ui): InMut<egui::Ui>, lang: Res<Lang>, mut redlining: ResMut<Redlining>) {
    if !redlining.active {
        return;
    }
    let t = lang.strings().views;
    ui.horizontal(|ui| {
        ui.strong(t.redline);
        let mut tool = redlining.tool;
        ui.selectable_value(&mut tool, RedlineTool::Freehand, t.freehand);
        ui.selectable_value(&mut tool, RedlineTool::Arrow, t.arrow);
        ui.selectable_value(&mut tool, RedlineTool::Text, t.text);
        if tool != redlining.tool {
            redlining.commit_text();
            redlining.tool = tool;
        }
        ui.separator();
        ui.label(t.colour);
        let current = redlining.colour.unwrap_or(REDLINE_RED);
        for c in REDLINE_COLOURS {
            let (rect, response) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::click());
            ui.painter().rect_filled(rect.shrink(2.0), 3.0, colour32(c));
            if c == current {
                ui.painter().rect_stroke(
                    rect,
                    3.0,
                    egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
                    egui::StrokeKind::Inside,
                );
            }
            if response.clicked() && c != current {
                redlining.colour = Some(c);
            }
        }
        ui.separator();
        let any = !redlining.set.is_empty() || redlining.typing.is_some();
        if ui.add_enabled(any, egui::Button::new(t.undo)).on_hover_text("Ctrl+Z").clicked() {
            redlining.undo();
        }
        if ui.add_enabled(any, egui::Button::new(t.clear)).clicked() {
            redlining.clear();
        }
        if ui.button(t.done).clicked() {
            redlining.commit_text();
            redlining.active = false;
        }
        let hint = match redlining.tool {
            RedlineTool::Freehand => t.draw_hint,
            RedlineTool::Arrow => t.arrow_hint,
            RedlineTool::Text => t.text_hint,
        };
        ui.add(egui::Label::new(egui::RichText::new(hint).weak()).truncate());
    });
}

/// Paints the redlines over the 3D view while the camera is where they were drawn; while the
/// tool is on, the view is a canvas that takes the pointer.
fn redline_overlay(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    mut redlining: ResMut<Redlining>,
    cameras: Query<&OrbitCamera>,
) {
    let Ok(pose) = cameras.single().copied() else { return };
    let view = ui.max_rect();
    if view.width() < 2.0 || view.height() < 2.0 {
        return;
    }
    if redlining.active {
        // Marked changed only when a redline changed: the last view is saved on changes.
        let r = redlining.bypass_change_detection();
        let before = r.clone();
        canvas(ui, lang.strings().views.text_hint, r, pose, view);
        if *r != before {
            redlining.set_changed();
        }
    }
    if redlining.shown_at(&pose) {
        let painter = ui.painter();
        let set = &redlining.set;
        for r in set.items.iter().chain(redlining.drawing.iter()) {
            paint(painter, set, view, r);
        }
    }
}

/// The canvas: an area over the view that turns presses and drags into redlines, and the text
/// box of a text being typed.
fn canvas(
    ui: &mut egui::Ui,
    text_hint: &str,
    redlining: &mut Redlining,
    pose: OrbitCamera,
    view: egui::Rect,
) {
    let to_bevy = |p: egui::Pos2| Vec2::new(p.x, p.y);
    let rect = Rect::new(view.min.x, view.min.y, view.max.x, view.max.y);
    let sense = match redlining.tool {
        RedlineTool::Text => egui::Sense::click(),
        RedlineTool::Freehand | RedlineTool::Arrow => egui::Sense::drag(),
    };
    let ctx = ui.ctx().clone();
    let area = egui::Area::new(egui::Id::new("redline-canvas"))
        .order(egui::Order::Foreground)
        .fixed_pos(view.min)
        .constrain(false)
        .movable(false)
        .interactable(true);
    let response = area
        .show(&ctx, |ui| {
            let response = ui.allocate_response(view.size(), sense);
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
            response
        })
        .inner;
    let (origin, latest) = ctx.input(|i| (i.pointer.press_origin(), i.pointer.interact_pos()));
    // Redlines belong to one camera pose: the first press at another starts a new set.
    let begin = |r: &mut Redlining| {
        if !r.shown_at(&pose) {
            r.begin_at(pose, view.width() / view.height());
        }
    };
    if response.drag_started() {
        if let Some(p) = origin.or(latest) {
            begin(redlining);
            let n = redlining.set.normalise(rect, to_bevy(p));
            redlining.press(n);
        }
    } else if response.dragged() {
        if let Some(p) = latest {
            let n = redlining.set.normalise(rect, to_bevy(p));
            redlining.drag(n);
        }
    }
    if response.drag_stopped() {
        if let Some(p) = latest {
            let n = redlining.set.normalise(rect, to_bevy(p));
            redlining.release(n);
        }
    }
    if response.clicked() {
        if let Some(p) = response.interact_pointer_pos().or(latest) {
            begin(redlining);
            let n = redlining.set.normalise(rect, to_bevy(p));
            redlining.press(n);
        }
    }
    let Some((at, typed)) = redlining.typing.clone() else { return };
    let pos = redlining.set.to_window(rect, at);
    let font = text_font(view.height());
    let mut text = typed;
    // Frames since this text box opened: the click that opened it takes egui's focus away once
    // more, so for its first frames focus is asked for again rather than read as a click away.
    let age_id = egui::Id::new(("redline-text-age", at[0].to_bits(), at[1].to_bits()));
    let age = ctx.data_mut(|d| {
        let a = d.get_temp_mut_or_default::<u32>(age_id);
        *a = a.saturating_add(1);
        *a
    });
    let colour = colour32(redlining.colour.unwrap_or(REDLINE_RED));
    let (enter, escape, clicked_away) = egui::Area::new(egui::Id::new("redline-text"))
        .order(egui::Order::Tooltip)
        .fixed_pos(egui::pos2(pos.x, pos.y))
        .show(&ctx, |ui| {
            let edit = ui.add(
                egui::TextEdit::singleline(&mut text)
                    .id(egui::Id::new("redline-text-edit"))
                    .font(font)
                    .hint_text(text_hint)
                    .desired_width(260.0)
                    .text_color(colour),
            );
            let (enter, escape) =
                ui.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
            let settled = age > 3;
            let clicked_away = edit.lost_focus() && settled && !enter && !escape;
            let away = edit.lost_focus() && settled;
            if !edit.has_focus() && !away {
                edit.request_focus();
            }
            (edit.lost_focus() && enter, escape, clicked_away)
        })
        .inner;
    if let Some(typing) = redlining.typing.as_mut().filter(|(_, t)| *t != text) {
        typing.1 = text;
    }
    if enter || clicked_away {
        redlining.commit_text();
    } else if escape {
        redlining.typing = None;
    }
    if redlining.typing.is_none() {
        ctx.data_mut(|d| d.remove::<u32>(age_id));
    }
}

/// The font of a text redline: its size follows the view's height, so a snapshot of another
/// size shows it at the same place and scale.
fn text_font(view_height: f32) -> egui::FontId {
    egui::FontId::proportional((0.028 * view_height).clamp(14.0, 40.0))
}

/// Paints one redline of `set` over the view rectangle `view`.
pub fn paint(painter: &egui::Painter, set: &RedlineSet, view: egui::Rect, r: &Redline) {
    let rect = Rect::new(view.min.x, view.min.y, view.max.x, view.max.y);
    let at = |p: [f32; 2]| {
        let v = set.to_window(rect, p);
        egui::pos2(v.x, v.y)
    };
    let h = view.height();
    let width = (0.004 * h).clamp(2.0, 6.0);
    let colour = colour32(r.colour);
    // A dark halo under each line keeps it readable on light and dark parts of the model.
    let halo = egui::Stroke::new(width + 2.5, egui::Color32::from_black_alpha(110));
    let stroke = egui::Stroke::new(width, colour);
    match &r.shape {
        RedlineShape::Freehand { points } => {
            let pts: Vec<egui::Pos2> = points.iter().map(|p| at(*p)).collect();
            for s in [halo, stroke] {
                painter.add(egui::Shape::line(pts.clone(), s));
            }
        }
        RedlineShape::Arrow { from, to } => {
            let (a, b) = (at(*from), at(*to));
            let along = (b - a).normalized();
            let head = (0.03 * h).clamp(10.0, 40.0);
            let side = egui::vec2(-along.y, along.x);
            let left = b - along * head + side * head * 0.45;
            let right = b - along * head - side * head * 0.45;
            for s in [halo, stroke] {
                painter.line_segment([a, b], s);
                painter.line_segment([b, left], s);
                painter.line_segment([b, right], s);
            }
        }
        RedlineShape::Text { at: p, text } => {
            let min = at(*p);
            // A long note wraps at the view's right edge instead of running out of it.
            let wrap_px = (view.max.x - min.x - 16.0).max(80.0);
            let galley = painter.layout(text.clone(), text_font(h), colour, wrap_px);
            let frame = egui::Rect::from_min_size(min, galley.size() + egui::vec2(10.0, 6.0));
            painter.rect_filled(frame, 3.0, egui::Color32::from_white_alpha(215));
            painter.rect_stroke(frame, 3.0, egui::Stroke::new(1.5, colour), egui::StrokeKind::Inside);
            painter.galley(min + egui::vec2(5.0, 3.0), galley, colour);
        }
    }
}
