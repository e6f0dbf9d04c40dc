//! The egui panels: tool bar with load progress, model tree (storey and class visibility),
//! clash list, properties of the selection or the focused clash, and the 4D timeline.
//!
//! Panels sit around the 3D view, and the camera's viewport is the rectangle they leave free
//! ([`ViewRect`]), so fitting centres the model in what is visible and clicks on a panel never
//! reach the model.
//!
//! State is only written when a widget changed it: a `ResMut` written every frame would look
//! like a change to [`crate::scene_plugin::apply_appearance`] and redo every element.

use crate::camera_plugin::{CameraCommand, StandardView, ViewRect};
use crate::clash_plugin::{BcfExportRequest, ClashKey, ClashReview, ReportSource};
use crate::dialog_plugin::{BrowseFiles, FileDialog};
use crate::i18n::{Lang, Strings};
use crate::load_plugin::{LoadPhase, LoadStage, LoadState, OpenFeedback, OpenFiles};
use crate::scene_plugin::{class_color, ModelScene, Selection, ViewFilter};
use crate::section_plugin::SectionBox;
use crate::timeline_plugin::{Timeline, TimelineData};
use bevy::camera::visibility::RenderLayers;
use bevy::camera::CameraOutputMode;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy_egui::{
    egui, EguiContexts, EguiGlobalSettings, EguiPlugin, EguiPrimaryContextPass, PrimaryEguiContext,
};
use plumbline_model::{Element, ElementRef};
use plumbline_schedule::{Basis, ElementState};
use std::sync::Arc;

/// Noto Sans CJK SC, subset (see `assets/fonts/OFL.txt`): egui's own fonts have no Chinese.
pub const CJK_FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular-subset.otf");

/// Which list the left panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeftTab {
    #[default]
    Model,
    Clashes,
}

/// Panel state that is not the model's.
#[derive(Resource, Debug, Default)]
pub struct UiState {
    pub left_tab: LeftTab,
    /// Whether the left tab was chosen for a newly loaded report.
    tab_set_for_report: bool,
    /// The review being written for the focused clash: its status and comment.
    status_draft: Option<(ClashKey, plumbline_review::Status)>,
    comment_draft: String,
    /// The focused clash's status history from the database, as shown lines.
    history_lines: Option<(ClashKey, Vec<String>)>,
    /// The Open box: shown, and the path typed into it.
    open_box: bool,
    open_path: String,
}

/// What the tool bar's Open controls read and write.
#[derive(bevy::ecs::system::SystemParam)]
struct OpenControls<'w> {
    files: MessageWriter<'w, OpenFiles>,
    feedback: Res<'w, OpenFeedback>,
    browse: MessageWriter<'w, BrowseFiles>,
    dialog: Res<'w, FileDialog>,
}

/// What the clash panel asked for.
enum ClashAction {
    None,
    Leave,
    Save(ClashKey, plumbline_review::Status, String),
    ExportBcf(ClashKey),
}

/// The egui panels.
#[derive(Debug, Default)]
pub struct UiPlugin;

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(EguiPlugin::default())
            .init_resource::<UiState>()
            .add_systems(Startup, setup_egui_camera)
            .add_systems(EguiPrimaryContextPass, (setup_fonts, panels).chain());
    }
}

/// egui gets a camera of its own over the whole window (as bevy_egui's `side_panel` example
/// does): its screen is its camera's viewport, and the 3D camera's viewport is only the part
/// the panels leave free.
fn setup_egui_camera(mut commands: Commands, mut settings: ResMut<EguiGlobalSettings>) {
    settings.auto_create_primary_context = false;
    commands.spawn((
        PrimaryEguiContext,
        Camera2d,
        RenderLayers::none(),
        Camera {
            order: 1,
            output_mode: CameraOutputMode::Write {
                blend_state: Some(BlendState::ALPHA_BLENDING),
                clear_color: ClearColorConfig::None,
            },
            clear_color: ClearColorConfig::Custom(Color::NONE),
            ..default()
        },
    ));
}

/// Registers the CJK font as a fallback after egui's own fonts.
pub fn font_definitions() -> egui::FontDefinitions {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert("noto_sans_sc".into(), Arc::new(egui::FontData::from_static(CJK_FONT)));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("noto_sans_sc".into());
    }
    fonts
}

fn setup_fonts(mut contexts: EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    contexts.ctx_mut()?.set_fonts(font_definitions());
    *done = true;
    Ok(())
}

fn color32(c: Color) -> egui::Color32 {
    let s = c.to_srgba();
    egui::Color32::from_rgb((s.red * 255.0) as u8, (s.green * 255.0) as u8, (s.blue * 255.0) as u8)
}

const RED: egui::Color32 = egui::Color32::from_rgb(235, 70, 70);
const GREEN: egui::Color32 = egui::Color32::from_rgb(70, 200, 90);

#[allow(clippy::too_many_arguments, reason = "a Bevy system drawing every panel from the state it shows")]
fn panels(
    mut contexts: EguiContexts,
    scene: Res<ModelScene>,
    load: Res<LoadState>,
    mut lang: ResMut<Lang>,
    mut selection: ResMut<Selection>,
    mut filter: ResMut<ViewFilter>,
    mut review: ResMut<ClashReview>,
    mut timeline: ResMut<Timeline>,
    mut ui_state: ResMut<UiState>,
    mut view_rect: ResMut<ViewRect>,
    mut camera: MessageWriter<CameraCommand>,
    mut bcf_request: MessageWriter<BcfExportRequest>,
    (mut open, mut section): (OpenControls, ResMut<SectionBox>),
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let t = lang.strings();
    if review.report.is_some() && !ui_state.tab_set_for_report {
        ui_state.tab_set_for_report = true;
        ui_state.left_tab = LeftTab::Clashes;
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "plumbline-root".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );

    egui::Panel::top("toolbar").show(&mut root, |ui| {
        ui.horizontal(|ui| {
            ui.strong("Plumbline");
            ui.separator();
            // The native dialog opens at once; the row below stays for typed or pasted paths
            // (and is the way in where the system has no dialog to show).
            if ui.selectable_label(ui_state.open_box, t.open).clicked() {
                ui_state.open_box = !ui_state.open_box;
                if ui_state.open_box {
                    open.browse.write(BrowseFiles);
                }
            }
            if ui.button(t.fit_all).clicked() {
                camera.write(CameraCommand::FitAll);
            }
            if ui.button(t.fit_selection).clicked() {
                camera.write(CameraCommand::FitSelection);
            }
            let mut xray = filter.xray;
            if ui.checkbox(&mut xray, t.xray).changed() {
                filter.xray = xray;
            }
            let mut cut = section.enabled;
            if ui.checkbox(&mut cut, t.section_box).changed() {
                section.enabled = cut;
                if cut && section.bounds.is_empty() {
                    section.bounds = scene.bounds.unwrap_or(plumbline_model::Aabb::EMPTY);
                }
            }
            egui::ComboBox::from_id_salt("standard-view").selected_text(t.view).show_ui(ui, |ui| {
                for v in StandardView::ALL {
                    if ui.selectable_label(false, view_name(t, v)).clicked() {
                        camera.write(CameraCommand::View(v));
                    }
                }
            });
            if ui.add_enabled(!selection.is_empty(), egui::Button::new(t.clear_selection)).clicked() {
                selection.select_element(None);
            }
            ui.separator();
            let mut l = *lang;
            egui::ComboBox::from_id_salt("language")
                .selected_text(format!("{}: {}", t.language, if l == Lang::Zh { "中文" } else { "English" }))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut l, Lang::En, "English");
                    ui.selectable_value(&mut l, Lang::Zh, "中文");
                });
            if l != *lang {
                *lang = l;
            }
            ui.separator();
            load_status(ui, t, &load, &scene);
            for e in &open.feedback.errors {
                ui.colored_label(RED, e);
            }
        });
        if section.enabled {
            section_controls(ui, t, &scene, &selection, &mut section);
        }
        if ui_state.open_box {
            ui.horizontal(|ui| {
                if ui.add_enabled(!open.dialog.is_open(), egui::Button::new(t.browse)).clicked() {
                    open.browse.write(BrowseFiles);
                }
                let field = ui.add(
                    egui::TextEdit::singleline(&mut ui_state.open_path)
                        .hint_text(t.open_hint)
                        .desired_width(720.0),
                );
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui.button(t.open_button).clicked() || enter) && !ui_state.open_path.trim().is_empty() {
                    let path = std::path::PathBuf::from(ui_state.open_path.trim());
                    open.files.write(OpenFiles(vec![path]));
                    ui_state.open_path.clear();
                    ui_state.open_box = false;
                }
            });
        }
    });

    if timeline.data.is_some() || timeline.error.is_some() {
        let mut clicked_task = None;
        egui::Panel::bottom("timeline").resizable(true).default_size(300.0).show(&mut root, |ui| {
            clicked_task = timeline_panel(ui, t, &mut timeline, selection.task);
        });
        if let Some(task) = clicked_task {
            let elements = timeline.data.as_ref().map(|d| d.task_elements[task].clone()).unwrap_or_default();
            let any = !elements.is_empty();
            selection.select_task(task, elements);
            if review.focused.is_some() {
                review.focused = None;
            }
            if any {
                camera.write(CameraCommand::FitSelection);
            }
        }
    }

    egui::Panel::left("left").resizable(true).default_size(300.0).show(&mut root, |ui| {
        ui.horizontal(|ui| {
            let mut tab = ui_state.left_tab;
            ui.selectable_value(&mut tab, LeftTab::Model, t.model_tree);
            ui.selectable_value(&mut tab, LeftTab::Clashes, t.clashes);
            if tab != ui_state.left_tab {
                ui_state.left_tab = tab;
            }
        });
        ui.separator();
        egui::ScrollArea::vertical().id_salt("left-scroll").auto_shrink([false, false]).show(ui, |ui| {
            match ui_state.left_tab {
                LeftTab::Model => model_tree(ui, t, &scene, &mut filter),
                LeftTab::Clashes => {
                    if let Some(cmd) = clash_list(ui, *lang, &mut review) {
                        if !selection.is_empty() {
                            selection.select_element(None);
                        }
                        camera.write(cmd);
                    }
                }
            }
            if !scene.errors.is_empty() {
                ui.separator();
                ui.colored_label(RED, t.errors);
                for e in &scene.errors {
                    ui.colored_label(RED, e);
                }
            }
        });
    });

    egui::Panel::right("right").resizable(true).default_size(320.0).show(&mut root, |ui| {
        egui::ScrollArea::vertical().id_salt("right-scroll").auto_shrink([false, false]).show(ui, |ui| {
            if review.focused_clash().is_some() {
                match clash_details(ui, *lang, &review, &scene, &mut ui_state) {
                    ClashAction::None => {}
                    ClashAction::Leave => review.focused = None,
                    ClashAction::Save(key, status, comment) => {
                        let outcome = review.set_status(key, status, &comment);
                        ui_state.history_lines = None;
                        if outcome.is_ok() {
                            ui_state.comment_draft.clear();
                        }
                        review.last_action = Some(match outcome {
                            Ok(()) => (true, format!("{}: {}", status_text(*lang, status), t.save_review)),
                            Err(e) => (false, e),
                        });
                    }
                    ClashAction::ExportBcf(key) => {
                        bcf_request.write(BcfExportRequest { key });
                    }
                }
            } else {
                ui.heading(t.properties);
                match (selection.element, selection.task, timeline.data.as_ref()) {
                    (Some(r), _, _) => properties(ui, t, &scene, r),
                    (None, Some(task), Some(d)) => {
                        task_properties(ui, t, &scene, d, &timeline, task, &selection)
                    }
                    _ => {
                        ui.label(t.nothing_selected);
                    }
                }
            }
            ui.separator();
            ui.small(t.help);
        });
    });

    let free = root.available_rect_before_wrap();
    let rect = Some(Rect::new(free.min.x, free.min.y, free.max.x, free.max.y));
    if view_rect.0 != rect {
        view_rect.0 = rect;
    }
    Ok(())
}

fn load_status(ui: &mut egui::Ui, t: &Strings, load: &LoadState, scene: &ModelScene) {
    match load.phase {
        LoadPhase::Idle => {
            if !scene.loaded {
                ui.label(t.no_model);
            }
        }
        LoadPhase::Loading => {
            ui.add(egui::Spinner::new());
            let done = load.watch.files_done.load(std::sync::atomic::Ordering::Relaxed);
            let text = match load.watch.stage() {
                LoadStage::Models => format!(
                    "{} {}/{} {} · {:.0} %",
                    t.loading,
                    (done + 1).min(load.files_total),
                    load.files_total,
                    t.files,
                    load.progress() * 100.0
                ),
                LoadStage::Meshes => t.stage_meshes.to_string(),
                LoadStage::Schedule => t.stage_schedule.to_string(),
                LoadStage::Clashes => t.stage_clashes.to_string(),
            };
            ui.add(egui::ProgressBar::new(load.progress()).desired_width(260.0).text(text));
        }
        LoadPhase::Done { secs } => {
            ui.label(format!(
                "{}: {} {}, {} {}, {secs:.1} {}",
                t.loaded,
                scene.set.models.len(),
                t.files,
                scene.drawn(),
                t.elements,
                t.seconds
            ));
        }
    }
}

/// One row of the model tree: a checkbox that shows or hides `key` (with its element count),
/// and *Isolate*, which hides every other key. Returns whether `hidden` changed.
fn visibility_row(
    ui: &mut egui::Ui,
    t: &Strings,
    hidden: &mut std::collections::BTreeSet<String>,
    counts: &std::collections::BTreeMap<String, usize>,
    key: &str,
    label: &str,
) -> bool {
    let mut changed = false;
    let mut shown = !hidden.contains(key);
    let count = counts.get(key).copied().unwrap_or(0);
    if ui.checkbox(&mut shown, format!("{label} ({count})")).changed() {
        if shown {
            hidden.remove(key);
        } else {
            hidden.insert(key.to_string());
        }
        changed = true;
    }
    if counts.len() > 1 && ui.small_button(t.isolate).on_hover_text(t.isolate_hint).clicked() {
        crate::scene_plugin::isolate(hidden, key, counts.keys());
        changed = true;
    }
    changed
}

fn model_tree(ui: &mut egui::Ui, t: &Strings, scene: &ModelScene, filter: &mut ResMut<ViewFilter>) {
    if ui.button(t.show_all).clicked()
        && (!filter.hidden_storeys.is_empty()
            || !filter.hidden_classes.is_empty()
            || !filter.hidden_files.is_empty())
    {
        filter.hidden_storeys.clear();
        filter.hidden_classes.clear();
        filter.hidden_files.clear();
    }
    egui::CollapsingHeader::new(t.model_files).default_open(true).show(ui, |ui| {
        for (i, model) in scene.set.models.iter().enumerate() {
            let file = i as u32;
            let name = std::path::Path::new(&model.path)
                .file_name()
                .map_or(model.path.clone(), |n| n.to_string_lossy().into_owned());
            let mut shown = !filter.hidden_files.contains(&file);
            if ui
                .checkbox(&mut shown, format!("{name} ({})", model.physical().count()))
                .on_hover_text(&model.path)
                .changed()
            {
                if shown {
                    filter.hidden_files.remove(&file);
                } else {
                    filter.hidden_files.insert(file);
                }
            }
        }
    });
    egui::CollapsingHeader::new(t.storeys).default_open(true).show(ui, |ui| {
        for name in scene.storeys.keys() {
            let label = if name.is_empty() { t.no_storey } else { name.as_str() };
            ui.horizontal(|ui| {
                let hidden = &mut filter.bypass_change_detection().hidden_storeys;
                if visibility_row(ui, t, hidden, &scene.storeys, name, label) {
                    filter.set_changed();
                }
            });
        }
    });
    egui::CollapsingHeader::new(t.classes).default_open(true).show(ui, |ui| {
        for class in scene.classes.keys() {
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, color32(class_color(class)));
                let hidden = &mut filter.bypass_change_detection().hidden_classes;
                if visibility_row(ui, t, hidden, &scene.classes, class, class) {
                    filter.set_changed();
                }
            });
        }
    });
}

fn grid_row(ui: &mut egui::Ui, key: &str, value: &str) {
    ui.label(egui::RichText::new(key).weak());
    ui.label(value);
    ui.end_row();
}

fn properties(ui: &mut egui::Ui, t: &Strings, scene: &ModelScene, r: ElementRef) {
    let e: &Element = scene.element(r);
    egui::Grid::new("identity").num_columns(2).striped(true).show(ui, |ui| {
        grid_row(ui, t.global_id, &e.global_id);
        grid_row(ui, t.class, &e.class);
        grid_row(ui, t.name, e.name.as_deref().unwrap_or("—"));
        grid_row(ui, t.storey, e.storey.as_deref().unwrap_or("—"));
        grid_row(ui, t.file, scene.file_of(r));
        if let Some(ty) = &e.type_object {
            let name = ty.name.as_deref().unwrap_or("");
            grid_row(ui, t.type_object, &format!("{} {name}", ty.class));
        }
        if let Some(p) = &e.predefined_type {
            grid_row(ui, "PredefinedType", p);
        }
        if !e.materials.is_empty() {
            grid_row(ui, t.materials, &e.materials.join(", "));
        }
    });
    if !e.property_sets.is_empty() {
        ui.separator();
        ui.strong(t.property_sets);
        for (i, pset) in e.property_sets.iter().enumerate() {
            egui::CollapsingHeader::new(&pset.name).id_salt(("pset", i)).default_open(true).show(ui, |ui| {
                egui::Grid::new(("pset-grid", i)).num_columns(2).striped(true).show(ui, |ui| {
                    for p in &pset.properties {
                        grid_row(ui, &p.name, &p.value);
                    }
                });
            });
        }
    }
    if !e.quantity_sets.is_empty() {
        ui.separator();
        ui.strong(t.quantities);
        for (i, qset) in e.quantity_sets.iter().enumerate() {
            egui::CollapsingHeader::new(&qset.name).id_salt(("qset", i)).default_open(true).show(ui, |ui| {
                egui::Grid::new(("qset-grid", i)).num_columns(2).striped(true).show(ui, |ui| {
                    for q in &qset.quantities {
                        grid_row(ui, &q.name, &format!("{} {}", trim_number(q.value), unit_of(&q.kind)));
                    }
                });
            });
        }
    }
}

/// A quantity's unit from its IFC kind (values are SI).
fn unit_of(kind: &str) -> &'static str {
    match kind {
        "IfcQuantityLength" => "m",
        "IfcQuantityArea" => "m²",
        "IfcQuantityVolume" => "m³",
        "IfcQuantityWeight" => "kg",
        "IfcQuantityTime" => "s",
        _ => "",
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn status_text(lang: Lang, s: plumbline_review::Status) -> &'static str {
    match lang {
        Lang::En => s.as_str(),
        Lang::Zh => s.as_zh(),
    }
}

fn text_of(lang: Lang, t: &plumbline_review::Text) -> &str {
    match lang {
        Lang::En => &t.en,
        Lang::Zh if !t.zh.is_empty() => &t.zh,
        Lang::Zh => &t.en,
    }
}

/// The tests → groups → clashes list; returns where to fly when a clash was clicked.
fn clash_list(ui: &mut egui::Ui, lang: Lang, review: &mut ResMut<ClashReview>) -> Option<CameraCommand> {
    let t = lang.strings();
    let Some(report) = review.report.as_ref() else {
        match &review.error {
            Some(e) => ui.colored_label(RED, e),
            None => ui.label(t.no_clashes_loaded),
        };
        return None;
    };
    if let Some(source) = &review.source {
        let name = |p: &std::path::Path| {
            p.file_name().map_or(p.display().to_string(), |n| n.to_string_lossy().into())
        };
        let line = match source {
            ReportSource::File(p) => name(p),
            ReportSource::Rules(p) => format!("{}: {}", name(p), t.tests_run_on_load),
            ReportSource::History(p) => format!("{}: {}", name(p), t.open_in_history),
        };
        ui.weak(format!("{}: {line}", t.results_from));
    }
    let focused = review.focused;
    let mut clicked: Option<Option<ClashKey>> = None;
    for (ti, test) in report.tests.iter().enumerate() {
        let index: std::collections::HashMap<&str, usize> =
            test.clashes.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        egui::CollapsingHeader::new(format!("{} ({})", test.name, test.clashes.len()))
            .id_salt(("test", ti))
            .default_open(true)
            .show(ui, |ui| {
                for (gi, group) in test.groups.iter().enumerate() {
                    let holds_focus = focused.is_some_and(|f| {
                        f.test == ti
                            && group.clash_ids.iter().any(|id| index.get(id.as_str()) == Some(&f.clash))
                    });
                    egui::CollapsingHeader::new(text_of(lang, &group.title))
                        .id_salt(("group", ti, gi))
                        .open(holds_focus.then_some(true))
                        .show(ui, |ui| {
                            for id in &group.clash_ids {
                                let Some(&ci) = index.get(id.as_str()) else { continue };
                                let c = &test.clashes[ci];
                                let key = ClashKey { test: ti, clash: ci };
                                let label = format!(
                                    "[{}] {} × {}  {:.0} mm",
                                    status_text(lang, c.status),
                                    c.a.label(),
                                    c.b.label(),
                                    c.distance_m * 1000.0
                                );
                                if ui.selectable_label(focused == Some(key), label).clicked() {
                                    clicked = Some(if focused == Some(key) { None } else { Some(key) });
                                }
                            }
                        });
                }
            });
    }
    let key = clicked?;
    review.focus(key)
}

/// The focused clash; returns whether the user asked to leave it.
fn clash_details(
    ui: &mut egui::Ui,
    lang: Lang,
    review: &ClashReview,
    scene: &ModelScene,
    state: &mut UiState,
) -> ClashAction {
    let t = lang.strings();
    let (Some(key), Some(c)) = (review.focused, review.focused_clash()) else { return ClashAction::None };
    let mut action = ClashAction::None;
    ui.heading(t.clash);
    egui::Grid::new("clash").num_columns(2).striped(true).show(ui, |ui| {
        grid_row(ui, "id", &c.id);
        grid_row(ui, t.status, status_text(lang, c.status));
        grid_row(ui, "kind", &format!("{:?}", c.kind).to_lowercase());
        grid_row(ui, t.distance, &format!("{:.1} mm", c.distance_m * 1000.0));
        grid_row(ui, "test", &c.test);
    });
    ui.separator();
    ui.strong(t.explanation);
    ui.label(text_of(lang, &c.explanation));
    ui.separator();
    for (label, color, info) in [(t.element_a, RED, &c.a), (t.element_b, GREEN, &c.b)] {
        ui.colored_label(color, label);
        egui::Grid::new(("clash-el", label)).num_columns(2).show(ui, |ui| {
            grid_row(ui, t.class, &info.class);
            grid_row(ui, t.name, info.name.as_deref().unwrap_or("—"));
            grid_row(ui, t.global_id, &info.global_id);
            grid_row(ui, t.storey, info.storey.as_deref().unwrap_or("—"));
            grid_row(ui, t.file, &info.file);
        });
        if !scene.by_global_id.contains_key(&info.global_id) {
            ui.colored_label(RED, t.not_in_model);
        }
    }
    ui.separator();
    // Review: status and comment into the clash history.
    match &review.history {
        Some(history) => {
            let mut status = match state.status_draft {
                Some((k, s)) if k == key => s,
                _ => c.status,
            };
            ui.horizontal(|ui| {
                ui.label(t.status);
                egui::ComboBox::from_id_salt("status-draft")
                    .selected_text(status_text(lang, status))
                    .show_ui(ui, |ui| {
                        for s in plumbline_review::Status::ALL {
                            ui.selectable_value(&mut status, s, status_text(lang, s));
                        }
                    });
            });
            state.status_draft = Some((key, status));
            ui.label(t.comment);
            ui.add(
                egui::TextEdit::multiline(&mut state.comment_draft)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            );
            if ui.button(t.save_review).clicked() {
                action = ClashAction::Save(key, status, state.comment_draft.clone());
            }
            if state.history_lines.as_ref().is_none_or(|(k, _)| *k != key) {
                let lines = match history.status_history(&c.id) {
                    Ok(changes) => changes
                        .iter()
                        .rev()
                        .map(|ch| {
                            let from = ch.from.map_or("—", |s| status_text(lang, s));
                            let note = ch.comment.as_deref().map(|c| format!(": {c}")).unwrap_or_default();
                            format!(
                                "{} {} {from} → {}{note}",
                                ch.at_utc.format("%Y-%m-%d %H:%M"),
                                ch.by,
                                status_text(lang, ch.to)
                            )
                        })
                        .collect(),
                    Err(e) => vec![e],
                };
                state.history_lines = Some((key, lines));
            }
            if let Some((_, lines)) = &state.history_lines {
                egui::CollapsingHeader::new(t.review_history).default_open(true).show(ui, |ui| {
                    for l in lines.iter().take(20) {
                        ui.small(l);
                    }
                });
            }
        }
        None => {
            ui.small(t.no_history);
        }
    }
    if ui.button(t.export_bcf).clicked() {
        action = ClashAction::ExportBcf(key);
    }
    if let Some((ok, message)) = &review.last_action {
        ui.colored_label(if *ok { GREEN } else { RED }, message);
    }
    ui.separator();
    if ui.button(t.leave_clash).clicked() {
        action = ClashAction::Leave;
    }
    action
}

fn state_label(t: &Strings, s: ElementState) -> &'static str {
    match s {
        ElementState::Unscheduled => t.state_unscheduled,
        ElementState::NotStarted => t.state_not_started,
        ElementState::InProgress => t.state_in_progress,
        ElementState::Complete => t.state_complete,
        ElementState::TemporaryPresent => t.state_temporary,
        ElementState::Demolishing => t.state_demolishing,
        ElementState::Demolished => t.state_demolished,
    }
}

fn state_color(s: ElementState) -> egui::Color32 {
    match s {
        ElementState::Unscheduled => egui::Color32::from_gray(170),
        ElementState::NotStarted => egui::Color32::from_gray(90),
        ElementState::InProgress => egui::Color32::from_rgb(255, 140, 25),
        ElementState::Complete => egui::Color32::from_rgb(200, 200, 190),
        ElementState::TemporaryPresent => egui::Color32::from_rgb(165, 90, 230),
        ElementState::Demolishing => egui::Color32::from_rgb(205, 40, 40),
        ElementState::Demolished => egui::Color32::from_gray(60),
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

fn view_name(t: &Strings, v: StandardView) -> &'static str {
    match v {
        StandardView::Top => t.view_top,
        StandardView::Front => t.view_front,
        StandardView::Back => t.view_back,
        StandardView::Left => t.view_left,
        StandardView::Right => t.view_right,
        StandardView::Iso => t.view_iso,
    }
}

/// The selected task: its dates, critical path figures, lateness and linked elements.
fn task_properties(
    ui: &mut egui::Ui,
    t: &Strings,
    scene: &ModelScene,
    d: &TimelineData,
    timeline: &Timeline,
    task: usize,
    selection: &Selection,
) {
    let Some(k) = d.schedule.tasks.get(task) else { return };
    let date =
        |x: Option<plumbline_schedule::chrono::NaiveDate>| x.map_or("—".to_string(), |d| d.to_string());
    egui::Grid::new("task-grid").num_columns(2).striped(true).show(ui, |ui| {
        grid_row(ui, t.task, &format!("{} ({})", k.name, k.id));
        grid_row(ui, t.planned, &format!("{} → {}", date(k.start), date(k.finish)));
        grid_row(ui, t.actual, &format!("{} → {}", date(k.actual_start), date(k.actual_finish)));
        if let Some(c) = d.cpm.as_ref().and_then(|c| c.of(task)) {
            let float = format!("{:.1}", c.total_float_days);
            grid_row(ui, t.critical_path, &if c.critical { format!("✔ {float}") } else { float });
        }
        if let Some(days) = timeline.late_by(task) {
            grid_row(ui, t.late, &format!("{days} {}", t.days_late));
        }
        grid_row(ui, t.linked_elements, &selection.group.len().to_string());
    });
    for r in selection.group.iter().take(40) {
        let e = scene.element(*r);
        ui.label(format!("{} {}", e.class, e.name.as_deref().unwrap_or(&e.global_id)));
    }
    if selection.group.len() > 40 {
        ui.label(format!("… +{}", selection.group.len() - 40));
    }
}

/// Colours of the Gantt chart.
const GANTT_PLANNED: egui::Color32 = egui::Color32::from_rgb(150, 155, 165);
const GANTT_ACTUAL: egui::Color32 = egui::Color32::from_rgb(70, 130, 220);
const GANTT_CRITICAL: egui::Color32 = egui::Color32::from_rgb(220, 50, 50);
const GANTT_LATE: egui::Color32 = egui::Color32::from_rgb(240, 30, 150);

/// A small Gantt chart: one row per task (summary tasks left out) in start order, the planned
/// bar (red when critical) under the actual or forecast bar, late tasks named in magenta with
/// their delay, and the shown day as a vertical line. Returns the task whose row was clicked.
fn gantt(ui: &mut egui::Ui, t: &Strings, timeline: &Timeline, selected: Option<usize>) -> Option<usize> {
    let d = timeline.data.as_ref()?;
    let day_x = |rect: egui::Rect, day: plumbline_schedule::chrono::NaiveDate| {
        let span = (d.end - d.start).num_days().max(1) as f32;
        rect.left() + rect.width() * ((day - d.start).num_days() as f32 / span).clamp(0.0, 1.0)
    };
    let mut rows: Vec<usize> = (0..d.schedule.tasks.len())
        .filter(|&i| !d.schedule.tasks[i].summary && d.schedule.tasks[i].start.is_some())
        .collect();
    rows.sort_by_key(|&i| (d.schedule.tasks[i].start, i));
    let mut clicked = None;
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(format!("■ {}", t.critical_path)).color(GANTT_CRITICAL));
        ui.label(egui::RichText::new(format!("■ {}", t.actual)).color(GANTT_ACTUAL));
        ui.label(egui::RichText::new(format!("■ {}", t.planned)).color(GANTT_PLANNED));
        ui.label(egui::RichText::new(format!("■ {}", t.late)).color(GANTT_LATE));
        if let Some(e) = &d.cpm_error {
            ui.colored_label(RED, format!("{}: {e}", t.no_cpm));
        }
    });
    egui::ScrollArea::vertical().id_salt("gantt").max_height(150.0).auto_shrink([false, true]).show(
        ui,
        |ui| {
            let name_w = 230.0;
            for &i in &rows {
                let task = &d.schedule.tasks[i];
                let (rect, response) =
                    ui.allocate_exact_size(egui::vec2(ui.available_width(), 16.0), egui::Sense::click());
                let painter = ui.painter_at(rect);
                if selected == Some(i) {
                    painter.rect_filled(rect, 0.0, egui::Color32::from_rgba_unmultiplied(255, 200, 40, 60));
                } else if response.hovered() {
                    painter.rect_filled(rect, 0.0, ui.visuals().faint_bg_color);
                }
                let late = timeline.late_by(i);
                let label = match late {
                    Some(days) => format!("{} (+{days} {})", task.name, t.days_late),
                    None => task.name.clone(),
                };
                let colour = if late.is_some() { GANTT_LATE } else { ui.visuals().text_color() };
                let name_rect = egui::Rect::from_min_size(rect.min, egui::vec2(name_w, rect.height()));
                ui.painter_at(name_rect).text(
                    name_rect.left_center() + egui::vec2(2.0, 0.0),
                    egui::Align2::LEFT_CENTER,
                    label,
                    egui::FontId::proportional(12.0),
                    colour,
                );
                let bars = egui::Rect::from_min_max(egui::pos2(rect.left() + name_w, rect.top()), rect.max);
                if let (Some(s), Some(f)) = (task.start, task.finish.or(task.start)) {
                    let x0 = day_x(bars, s);
                    let x1 = day_x(bars, f).max(x0 + 2.0);
                    let planned =
                        egui::Rect::from_x_y_ranges(x0..=x1, bars.center().y + 1.0..=bars.bottom() - 2.0);
                    let colour = if d.is_critical(i) { GANTT_CRITICAL } else { GANTT_PLANNED };
                    painter.rect_filled(planned, 1.0, colour);
                }
                if let Some(s) = task.actual_start.filter(|s| *s <= timeline.day) {
                    let f = task.actual_finish.filter(|f| *f <= timeline.day).unwrap_or(timeline.day);
                    let x0 = day_x(bars, s);
                    let x1 = day_x(bars, f).max(x0 + 2.0);
                    let actual =
                        egui::Rect::from_x_y_ranges(x0..=x1, bars.top() + 2.0..=bars.center().y - 1.0);
                    painter.rect_filled(actual, 1.0, if late.is_some() { GANTT_LATE } else { GANTT_ACTUAL });
                }
                let x = day_x(bars, timeline.day);
                painter.line_segment([egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())], (1.5, RED));
                if response.clicked() {
                    clicked = Some(i);
                }
                response.on_hover_text(format!(
                    "{} · {} → {}",
                    task.name,
                    task.start.map_or("—".into(), |d| d.to_string()),
                    task.finish.map_or("—".into(), |d| d.to_string())
                ));
            }
        },
    );
    clicked
}

fn timeline_panel(
    ui: &mut egui::Ui,
    t: &Strings,
    timeline: &mut ResMut<Timeline>,
    selected_task: Option<usize>,
) -> Option<usize> {
    if let Some(e) = &timeline.error {
        ui.colored_label(RED, format!("{}: {e}", t.timeline));
        return None;
    }
    let (pos, len) = timeline.position()?;
    ui.horizontal(|ui| {
        ui.strong(t.timeline);
        let mut enabled = timeline.enabled;
        if ui.checkbox(&mut enabled, t.show_4d).changed() {
            timeline.enabled = enabled;
        }
        let playing = timeline.playing;
        if ui.button(if playing { t.pause } else { t.play }).clicked() {
            if !playing && pos >= len {
                timeline.set_position(0);
            }
            timeline.playing = !playing;
            timeline.enabled = true;
        }
        let mut p = pos;
        let slider = egui::Slider::new(&mut p, 0..=len.max(1)).show_value(false).trailing_fill(true);
        if ui.add_sized([ui.available_width().min(520.0), 18.0], slider).changed() {
            timeline.set_position(p);
            timeline.enabled = true;
        }
        ui.strong(format!("{}: {}", t.date, timeline.day.format("%Y-%m-%d")));
        let mut speed = timeline.speed_days_per_sec;
        if ui
            .add(
                egui::DragValue::new(&mut speed)
                    .range(0.5..=365.0)
                    .suffix(format!(" {}", t.speed_days_per_sec)),
            )
            .changed()
        {
            timeline.speed_days_per_sec = speed;
        }
        let mut basis = timeline.basis;
        ui.radio_value(&mut basis, Basis::Planned, t.planned);
        ui.radio_value(&mut basis, Basis::Actual, t.actual);
        if basis != timeline.basis {
            timeline.set_basis(basis);
        }
    });
    ui.horizontal_wrapped(|ui| {
        for s in ElementState::ALL {
            let n = timeline.counts.get(s);
            if n == 0 {
                continue;
            }
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, state_color(s));
            ui.label(format!("{} {n}", state_label(t, s)));
        }
        if timeline.counts.late > 0 {
            ui.colored_label(GANTT_LATE, format!("{} {}", t.late, timeline.counts.late));
        }
        let mut highlight = timeline.highlight_late;
        if ui.checkbox(&mut highlight, t.highlight_late).changed() {
            timeline.highlight_late = highlight;
        }
    });
    if let Some(d) = &timeline.data {
        let names: Vec<&str> =
            timeline.active.iter().take(6).map(|&i| d.schedule.tasks[i].name.as_str()).collect();
        if !names.is_empty() {
            let more = timeline.active.len().saturating_sub(names.len());
            let tail = if more > 0 { format!(" +{more}") } else { String::new() };
            ui.label(format!("{}: {}{tail}", t.active_tasks, names.join(" · ")));
        }
    }
    egui::CollapsingHeader::new(t.gantt)
        .default_open(true)
        .show(ui, |ui| gantt(ui, t, timeline, selected_task))
        .body_returned
        .flatten()
}
