//! The section box: geometry outside a world-aligned box is cut away (per fragment, in the
//! element material's shader), so a reviewer sees inside a closed building, as in Navisworks'
//! sectioning. The box is kept in world metres ([`SectionBox`]); every element material carries
//! it in render space ([`SectionClip`]), updated when the box changes. While it is on, a row
//! under the tool bar drags its six faces.

use crate::state::config::ViewerConfig;
use crate::state::i18n::{Lang, Strings};
use crate::state::palette::Palette;
use crate::state::scene::{ModelScene, Selection};
use crate::state::section::{ElementMaterial, SectionBox, SectionClip};
use crate::state::ui::{register_panel, PanelSlot};
use bevy::pbr::MaterialExtension;
use bevy::prelude::*;
use bevy::shader::ShaderRef;
use bevy_egui::egui;
use plumbline_model::Aabb;

impl MaterialExtension for SectionClip {
    fn fragment_shader() -> ShaderRef {
        "embedded://plumbline_viewer/section.wgsl".into()
    }

    // The prepass would write depth for geometry the box cuts away; the viewer uses no depth
    // prepass and no shadow maps, so the material skips both.
    fn enable_prepass() -> bool {
        false
    }

    fn enable_shadows() -> bool {
        false
    }
}

/// Keeps every element material's section uniform equal to the [`SectionBox`], and shows the
/// box's faces under the tool bar while it is on.
#[derive(Debug, Default)]
pub struct SectionPlugin;

impl Plugin for SectionPlugin {
    fn build(&self, app: &mut App) {
        let initial = app.world().get_resource::<ViewerConfig>().and_then(|c| c.section_box);
        app.insert_resource(SectionBox {
            enabled: initial.is_some(),
            bounds: initial.unwrap_or(Aabb::EMPTY),
        })
        .add_systems(PostUpdate, apply_section);
        register_panel(app, PanelSlot::SectionRow, section_panel);
    }
}

/// Adds the shader (embedded in the binary) and the material; needs the render app.
#[derive(Debug, Default)]
pub struct SectionRenderPlugin;

impl Plugin for SectionRenderPlugin {
    fn build(&self, app: &mut App) {
        bevy::asset::embedded_asset!(app, "section.wgsl");
        app.add_plugins(MaterialPlugin::<ElementMaterial>::default());
    }
}

fn apply_section(
    section: Res<SectionBox>,
    scene: Res<ModelScene>,
    palette: Res<Palette>,
    mut materials: ResMut<Assets<ElementMaterial>>,
    mut redraw: MessageWriter<bevy::window::RequestRedraw>,
) {
    if !(section.is_changed() || scene.is_changed() || palette.is_changed()) {
        return;
    }
    let uniform = section.uniform(scene.origin_m);
    for handle in palette.all() {
        let unchanged = materials.get(handle).is_none_or(|m| m.extension.section == uniform);
        if !unchanged {
            if let Some(mut m) = materials.get_mut(handle) {
                m.extension.section = uniform;
            }
        }
    }
    redraw.write(bevy::window::RequestRedraw);
}

/// The row under the tool bar while the section box is on.
fn section_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    selection: Res<Selection>,
    mut section: ResMut<SectionBox>,
) {
    if section.enabled {
        section_controls(ui, lang.strings(), &scene, &selection, &mut section);
    }
}

/// The section box's six faces (world metres, Z up) and two shortcuts.
fn section_controls(
    ui: &mut egui::Ui,
    t: &Strings,
    scene: &ModelScene,
    selection: &Selection,
    section: &mut ResMut<SectionBox>,
) {
    let Some(model) = scene.bounds else { return };
    let mut b = section.bounds;
    ui.horizontal(|ui| {
        ui.label(t.section_box);
        for (axis, name) in ["X", "Y", "Z"].iter().enumerate() {
            // A margin around the model, so a face can be pulled clear of it.
            let lo = model.min[axis] - 1.0;
            let hi = model.max[axis] + 1.0;
            ui.label(format!("{name} m"));
            ui.add(
                egui::DragValue::new(&mut b.min[axis]).range(lo..=b.max[axis]).speed(0.05).max_decimals(2),
            );
            ui.add(
                egui::DragValue::new(&mut b.max[axis]).range(b.min[axis]..=hi).speed(0.05).max_decimals(2),
            );
        }
        if ui.add_enabled(!selection.is_empty(), egui::Button::new(t.section_to_selection)).clicked() {
            let boxes = selection.element.iter().chain(selection.group.iter()).filter_map(|r| scene.aabb(*r));
            if let Some(around) = boxes.reduce(|x, y| x.union(&y)) {
                // Half a metre of context around what is selected.
                b = plumbline_model::Aabb {
                    min: around.min.map(|c| c - 0.5),
                    max: around.max.map(|c| c + 0.5),
                };
            }
        }
        if ui.button(t.section_reset).clicked() {
            b = model;
        }
    });
    if b != section.bounds {
        section.bounds = b;
    }
}
