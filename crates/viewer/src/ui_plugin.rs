//! The window's layout: the tool bar, the left, right and bottom panels around the 3D view,
//! and the egui setup (its own camera, the CJK font).
//!
//! The layout draws each panel's frame and, at every [`PanelSlot`], runs the panel systems the
//! features registered for it (`crate::state::ui`): the model tree and properties come from the
//! scene plugin, the clash list and details from the clash plugin, the timeline from the 4D
//! plugin, the section box's row from the section plugin and the Open row from the dialog
//! plugin. It decides only which slot shows: the left tab, and in the right panel the focused
//! clash, else the selected element, else the selected task. The tool bar's main row (buttons
//! that write shared state: camera requests, x-ray, the section box, the language, the load's
//! progress) is its own.
//!
//! Panels sit around the 3D view, and the camera's viewport is the rectangle they leave free
//! ([`ViewRect`]), so fitting centres the model in what is visible and clicks on a panel never
//! reach the model.
//!
//! State is only written when a widget changed it: a `ResMut` written every frame would look
//! like a change to the scene's `apply_appearance` and redo every element.

use crate::state::camera::{CameraCommand, OrbitCamera, StandardView, ViewRect};
use crate::state::clash::ClashReview;
use crate::state::config::ViewerConfig;
use crate::state::i18n::{Lang, Strings};
use crate::state::load::{BrowseFiles, LoadPhase, LoadStage, LoadState, OpenFeedback};
use crate::state::measure::Measure;
use crate::state::redline::Redlining;
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::section::SectionBox;
use crate::state::timeline::Timeline;
use crate::state::ui::{register_panel, OpenRow, PanelSlot, UiPanels};
use crate::state::walk::{NavMode, Walker};
use crate::widgets::RED;
use bevy::camera::visibility::RenderLayers;
use bevy::camera::CameraOutputMode;
use bevy::ecs::system::SystemState;
use bevy::prelude::*;
use bevy::render::render_resource::BlendState;
use bevy_egui::{
    egui, EguiContexts, EguiGlobalSettings, EguiPlugin, EguiPrimaryContextPass, PrimaryEguiContext,
};
use std::sync::Arc;

/// Noto Sans CJK SC, subset (see `assets/fonts/OFL.txt`): egui's own fonts have no Chinese.
pub const CJK_FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular-subset.otf");

/// Which list the left panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeftTab {
    #[default]
    Model,
    Clashes,
    Search,
    Colour,
    Views,
}

/// The layout's own state.
#[derive(Resource, Debug, Default)]
pub struct UiLayout {
    pub left_tab: LeftTab,
    /// Whether the left tab was chosen for a newly loaded report.
    tab_set_for_report: bool,
    /// Whether the keyboard shortcuts window is open (F1).
    pub shortcuts: bool,
}

/// The egui panels: the layout, and the tool bar's main row.
#[derive(Debug, Default)]
pub struct UiPlugin;

impl Plugin for UiPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(EguiPlugin::default())
            .add_systems(Startup, setup_egui_camera)
            .add_systems(EguiPrimaryContextPass, (setup_fonts, panels).chain())
            .add_systems(Update, (shortcuts_key, rest_the_3d_view_while_loading))
            .add_systems(
                PreUpdate,
                quiet_unchanged_modifiers
                    .after(bevy_egui::EguiPreUpdateSet::ProcessInput)
                    .before(bevy_egui::EguiPreUpdateSet::BeginPass),
            );
        add_layout(app);
    }
}

/// bevy_egui 0.42 gives egui a `ModifiersChanged` event on every pass, changed or not; egui
/// takes any event as input to answer at once and asks for the next frame, and bevy_egui turns
/// that into a `RequestRedraw`. So the window never rested: it redrew back to back while idle
/// (a desktop app costing a core) and while loading (the paced progress frames ran every
/// 70-80 ms instead of once a second, taking the loader's cores on a software renderer).
/// Events that repeat the modifiers egui already has are dropped.
fn quiet_unchanged_modifiers(
    mut inputs: Query<(Entity, &mut bevy_egui::EguiInput)>,
    mut last: Local<std::collections::HashMap<Entity, egui::Modifiers>>,
) {
    for (entity, mut input) in &mut inputs {
        let known = last.entry(entity).or_default();
        drop_repeated_modifiers(&mut input.bypass_change_detection().events, known);
    }
}

/// Removes the `ModifiersChanged` events that repeat `known` (the modifiers egui last heard
/// of), keeping every real change and updating `known` to it.
fn drop_repeated_modifiers(events: &mut Vec<egui::Event>, known: &mut egui::Modifiers) {
    events.retain(|e| match e {
        egui::Event::ModifiersChanged(m) if m == known => false,
        egui::Event::ModifiersChanged(m) => {
            *known = *m;
            true
        }
        _ => true,
    });
}

/// The layout's state and the tool bar's row, without egui's Bevy integration: the tests lay
/// the window out with a plain `egui::Context` ([`layout`]).
pub fn add_layout(app: &mut App) {
    app.init_resource::<UiLayout>().init_resource::<UiPanels>().init_resource::<OpenRow>();
    // A search, a colouring or a saved viewpoint asked for on the command line opens its tab.
    let config = app.world().get_resource::<ViewerConfig>().cloned().unwrap_or_default();
    let tab = match (&config.search, &config.colour_by) {
        (Some(_), _) => Some(LeftTab::Search),
        (None, Some(_)) => Some(LeftTab::Colour),
        (None, None) => config.viewpoint.as_ref().map(|_| LeftTab::Views),
    };
    if let Some(tab) = tab {
        let mut layout = app.world_mut().resource_mut::<UiLayout>();
        layout.left_tab = tab;
        // The tab asked for stays chosen when a report loads.
        layout.tab_set_for_report = true;
    }
    register_panel(app, PanelSlot::Toolbar, toolbar);
}

/// Side panel sizes, logical pixels: each opens at its default width, can be dragged between
/// the smallest width and its share of the window, and the two together never take more than
/// half the window, so the 3D view keeps at least half whatever names the panels hold.
pub const LEFT_DEFAULT_PX: f32 = 320.0;
pub const RIGHT_DEFAULT_PX: f32 = 340.0;
pub const SIDE_MIN_PX: f32 = 180.0;
/// The most of the window's width the left panel may take.
pub const LEFT_MAX_SHARE: f32 = 0.3;
/// The most of the window's width both side panels may take together.
pub const SIDES_MAX_SHARE: f32 = 0.5;
/// The most of the window's height the 4D panel may take.
pub const BOTTOM_MAX_SHARE: f32 = 0.45;

/// A side panel's (smallest, default, largest) width when it may take up to `max_px`.
fn side_sizes(default_px: f32, max_px: f32) -> (f32, f32, f32) {
    let max = max_px.max(1.0);
    let min = SIDE_MIN_PX.min(max);
    (min, default_px.clamp(min, max), max)
}

/// egui gets a camera of its own over the whole window (as bevy_egui's `side_panel` example
/// does): its screen is its camera's viewport, and the 3D camera's viewport is only the part
/// the panels leave free.
fn setup_egui_camera(mut commands: Commands, mut settings: ResMut<EguiGlobalSettings>) {
    settings.auto_create_primary_context = false;
    commands.spawn((
        PrimaryEguiContext,
        UiCamera,
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

/// The camera egui draws the panels with (our own marker: the tests spawn it without egui).
#[derive(Component, Debug)]
pub struct UiCamera;

/// Whether the 3D view rests: while the first load runs on a software renderer there is
/// nothing to draw, and each paced progress frame of the 3D view (a 1600×1000 clear, FXAA and
/// tone mapping on lavapipe) took the loader's cores. Resting it brought the 100k hall's first
/// frame from 3.8–4.1 s to 2.7–3.1 s on 2 cores. On a GPU the view keeps drawing, so the
/// pipelines' stand-ins (`scene_plugin`'s `PipelineWarmup`) compile beside the load.
pub fn rest_3d_view(software_renderer: bool, phase: &LoadPhase, scene_loaded: bool) -> bool {
    software_renderer && *phase == LoadPhase::Loading && !scene_loaded
}

/// Turns the 3D camera off while [`rest_3d_view`] says so; the panels' camera then clears the
/// window to the background colour itself (it otherwise draws over the 3D view uncleared).
fn rest_the_3d_view_while_loading(
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    load: Res<LoadState>,
    scene: Res<ModelScene>,
    mut views: Query<&mut Camera, With<OrbitCamera>>,
    mut panels: Query<&mut Camera, (With<UiCamera>, Without<OrbitCamera>)>,
) {
    let software = crate::state::camera::software_adapter(adapter.as_deref());
    let rest = rest_3d_view(software, &load.phase, scene.loaded);
    for mut camera in &mut views {
        if camera.is_active == rest {
            camera.is_active = !rest;
        }
    }
    for mut camera in &mut panels {
        let CameraOutputMode::Write { clear_color, .. } = &mut camera.output_mode else { continue };
        let cleared = matches!(clear_color, ClearColorConfig::Default);
        if cleared != rest {
            *clear_color = if rest { ClearColorConfig::Default } else { ClearColorConfig::None };
        }
    }
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

/// Runs the panel systems registered for a slot, drawing into `ui`.
fn show_slot(world: &mut World, slot: PanelSlot, ui: &mut egui::Ui) {
    let panels = world.resource::<UiPanels>().of(slot).to_vec();
    for panel in panels {
        if let Err(e) = world.run_system_with(panel, ui) {
            warn_once!("panel {slot:?}: {e}");
        }
    }
}

/// The egui pass: lays the panels out in the primary window.
fn panels(world: &mut World, contexts: &mut SystemState<EguiContexts<'static, 'static>>) -> Result {
    let ctx = contexts.get_mut(world)?.ctx_mut()?.clone();
    layout(world, &ctx);
    Ok(())
}

/// Lays the panels out around the 3D view and records the rectangle they leave free.
pub fn layout(world: &mut World, ctx: &egui::Context) {
    let t = world.resource::<Lang>().strings();
    let report_loaded = world.resource::<ClashReview>().report.is_some();
    if report_loaded && !world.resource::<UiLayout>().tab_set_for_report {
        let mut layout = world.resource_mut::<UiLayout>();
        layout.tab_set_for_report = true;
        layout.left_tab = LeftTab::Clashes;
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "plumbline-root".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );

    egui::Panel::top("toolbar").show(&mut root, |ui| {
        show_slot(world, PanelSlot::Toolbar, ui);
        show_slot(world, PanelSlot::SectionRow, ui);
        show_slot(world, PanelSlot::OpenRow, ui);
        show_slot(world, PanelSlot::MeasureRow, ui);
        show_slot(world, PanelSlot::WalkRow, ui);
        show_slot(world, PanelSlot::RedlineRow, ui);
    });

    let window = ctx.viewport_rect().size();
    let timeline = world.resource::<Timeline>();
    if timeline.data.is_some() || timeline.error.is_some() {
        let max = (BOTTOM_MAX_SHARE * window.y).max(1.0);
        egui::Panel::bottom("timeline").resizable(true).default_size(300.0f32.min(max)).max_size(max).show(
            &mut root,
            |ui| {
                show_slot(world, PanelSlot::Bottom, ui);
            },
        );
    }

    let (min, default, max) = side_sizes(LEFT_DEFAULT_PX, LEFT_MAX_SHARE * window.x);
    let left = egui::Panel::left("left").resizable(true).min_size(min).default_size(default).max_size(max);
    let left_px = left
        .show(&mut root, |ui| {
            // Rows elide instead of wrapping or widening the panel (labels show the full text on
            // hover); the few texts that must wrap say so.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            ui.horizontal(|ui| {
                let mut tab = world.resource::<UiLayout>().left_tab;
                ui.selectable_value(&mut tab, LeftTab::Model, t.model_tree);
                ui.selectable_value(&mut tab, LeftTab::Clashes, t.clashes);
                ui.selectable_value(&mut tab, LeftTab::Search, t.search);
                ui.selectable_value(&mut tab, LeftTab::Colour, t.colour);
                ui.selectable_value(&mut tab, LeftTab::Views, t.views.views);
                if tab != world.resource::<UiLayout>().left_tab {
                    world.resource_mut::<UiLayout>().left_tab = tab;
                }
            });
            ui.separator();
            egui::ScrollArea::vertical().id_salt("left-scroll").auto_shrink([false, false]).show(ui, |ui| {
                let slot = match world.resource::<UiLayout>().left_tab {
                    LeftTab::Model => PanelSlot::ModelTab,
                    LeftTab::Clashes => PanelSlot::ClashesTab,
                    LeftTab::Search => PanelSlot::SearchTab,
                    LeftTab::Colour => PanelSlot::ColourTab,
                    LeftTab::Views => PanelSlot::ViewsTab,
                };
                show_slot(world, slot, ui);
                let scene = world.resource::<ModelScene>();
                if !scene.errors.is_empty() {
                    ui.separator();
                    ui.colored_label(RED, t.errors);
                    for e in &scene.errors {
                        ui.colored_label(RED, e);
                    }
                }
            });
        })
        .response
        .rect
        .width();

    let (min, default, max) = side_sizes(RIGHT_DEFAULT_PX, SIDES_MAX_SHARE * window.x - left_px);
    let right = egui::Panel::right("right").resizable(true).min_size(min).default_size(default).max_size(max);
    right.show(&mut root, |ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        egui::ScrollArea::vertical().id_salt("right-scroll").auto_shrink([false, false]).show(ui, |ui| {
            if world.resource::<ClashReview>().focused_clash().is_some() {
                show_slot(world, PanelSlot::ClashDetails, ui);
            } else {
                ui.heading(t.properties);
                let (element, task, list) = {
                    let selection = world.resource::<Selection>();
                    (selection.element, selection.task, selection.is_list())
                };
                let scheduled = world.resource::<Timeline>().data.is_some();
                match (element, task, scheduled) {
                    // One element, or several selected one by one (listed, one of them described).
                    _ if list || element.is_some() => show_slot(world, PanelSlot::ElementProperties, ui),
                    (None, Some(_), true) => show_slot(world, PanelSlot::TaskProperties, ui),
                    _ => {
                        ui.label(t.nothing_selected);
                    }
                }
            }
            ui.separator();
            ui.add(egui::Label::new(egui::RichText::new(t.help).small()).wrap());
        });
    });

    let free = root.available_rect_before_wrap();
    // Drawn over the 3D view on a layer above the panels; paint only, so clicks still reach
    // the model.
    let mut overlay = root.new_child(
        egui::UiBuilder::new()
            .max_rect(free)
            .layer_id(egui::LayerId::new(egui::Order::Foreground, egui::Id::new("view-overlay"))),
    );
    overlay.set_clip_rect(free);
    show_slot(world, PanelSlot::ViewOverlay, &mut overlay);
    let rect = Some(Rect::new(free.min.x, free.min.y, free.max.x, free.max.y));
    if world.resource::<ViewRect>().0 != rect {
        world.resource_mut::<ViewRect>().0 = rect;
    }

    let mut open = world.resource::<UiLayout>().shortcuts;
    if open {
        egui::Window::new(t.shortcuts)
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_pos(free.center() - egui::vec2(200.0, 150.0))
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts").num_columns(2).striped(true).show(ui, |ui| {
                    for (key, what) in t.shortcut_list {
                        ui.strong(*key);
                        ui.label(*what);
                        ui.end_row();
                    }
                });
            });
        if !open {
            world.resource_mut::<UiLayout>().shortcuts = false;
        }
    }
}

/// F1 opens and closes the keyboard shortcuts window.
fn shortcuts_key(keys: Option<Res<ButtonInput<KeyCode>>>, mut layout: ResMut<UiLayout>) {
    if keys.is_some_and(|k| k.just_pressed(KeyCode::F1)) {
        layout.shortcuts = !layout.shortcuts;
    }
}

/// The tool bar's main row: opening files, the camera, x-ray, the section box, standard views,
/// the selection, the language, and where loading stands.
#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system drawing the buttons of every piece of state they change"
)]
fn toolbar(
    InMut(ui): InMut<egui::Ui>,
    scene: Res<ModelScene>,
    load: Res<LoadState>,
    feedback: Res<OpenFeedback>,
    mut lang: ResMut<Lang>,
    mut selection: ResMut<Selection>,
    mut filter: ResMut<ViewFilter>,
    mut section: ResMut<SectionBox>,
    mut open_row: ResMut<OpenRow>,
    mut measure: ResMut<Measure>,
    mut walker: ResMut<Walker>,
    mut redlining: ResMut<Redlining>,
    mut layout: ResMut<UiLayout>,
    mut camera: MessageWriter<CameraCommand>,
    mut browse: MessageWriter<BrowseFiles>,
) {
    let t = lang.strings();
    ui.horizontal(|ui| {
        ui.strong("Plumbline");
        ui.separator();
        // The native dialog opens at once; the row below stays for typed or pasted paths
        // (and is the way in where the system has no dialog to show).
        if ui.selectable_label(open_row.shown, t.open).clicked() {
            open_row.shown = !open_row.shown;
            if open_row.shown {
                browse.write(BrowseFiles);
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
        let mut measuring = measure.active;
        if ui.checkbox(&mut measuring, t.measure).on_hover_text(t.measure_hint).changed() {
            measure.active = measuring;
            measure.clear();
        }
        let mut redline = redlining.active;
        if ui.checkbox(&mut redline, t.views.redline).on_hover_text(t.views.redline_hint).changed() {
            redlining.commit_text();
            redlining.active = redline;
        }
        for (mode, label, hint) in [(NavMode::Walk, t.walk, t.walk_hint), (NavMode::Fly, t.fly, t.fly_hint)] {
            if ui.selectable_label(walker.mode == mode, label).on_hover_text(hint).clicked() {
                walker.requested = Some(if walker.mode == mode { NavMode::Orbit } else { mode });
            }
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
        if ui.selectable_label(layout.shortcuts, "?").on_hover_text(t.shortcuts).clicked() {
            layout.shortcuts = !layout.shortcuts;
        }
        ui.separator();
        load_status(ui, t, &load, &scene);
        for e in &feedback.errors {
            ui.colored_label(RED, e);
        }
    });
}

fn load_status(ui: &mut egui::Ui, t: &Strings, load: &LoadState, scene: &ModelScene) {
    match load.phase {
        LoadPhase::Idle => {
            if !scene.loaded {
                ui.label(t.no_model);
            }
        }
        LoadPhase::Loading => {
            // No spinner: an animated widget asks egui for the next frame at once, so the window
            // redrew back to back through the whole load (on a software renderer, a core taken
            // from the loader) instead of once a second; the bar moves at each paced frame.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_3d_view_rests_only_during_a_first_load_on_a_software_renderer() {
        let done = LoadPhase::Done { secs: 1.0 };
        assert!(rest_3d_view(true, &LoadPhase::Loading, false));
        assert!(!rest_3d_view(false, &LoadPhase::Loading, false), "a GPU keeps drawing");
        assert!(!rest_3d_view(true, &LoadPhase::Loading, true), "a scene on screen stays");
        assert!(!rest_3d_view(true, &done, true) && !rest_3d_view(true, &LoadPhase::Idle, false));
    }

    #[test]
    fn the_resting_3d_camera_is_off_and_the_panels_clear_the_window_until_the_scene_comes() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins)
            .init_resource::<LoadState>()
            .init_resource::<ModelScene>()
            .add_systems(Update, rest_the_3d_view_while_loading);
        let adapter = wgpu_types::AdapterInfo {
            name: "llvmpipe".into(),
            vendor: 0,
            device: 0,
            device_type: wgpu_types::DeviceType::Cpu,
            device_pci_bus_id: String::new(),
            driver: String::new(),
            driver_info: String::new(),
            backend: wgpu_types::Backend::Vulkan,
            subgroup_min_size: 4,
            subgroup_max_size: 4,
            transient_saves_memory: false,
        };
        let adapter = bevy::render::renderer::WgpuWrapper::new(adapter);
        app.insert_resource(bevy::render::renderer::RenderAdapterInfo(adapter));
        let view = app.world_mut().spawn((Camera::default(), OrbitCamera::default())).id();
        let write = CameraOutputMode::Write { blend_state: None, clear_color: ClearColorConfig::None };
        let ui = app.world_mut().spawn((Camera { output_mode: write, ..default() }, UiCamera)).id();
        let state = |app: &App| {
            let active = app.world().get::<Camera>(view).is_some_and(|c| c.is_active);
            let clears = app.world().get::<Camera>(ui).is_some_and(|c| {
                matches!(
                    c.output_mode,
                    CameraOutputMode::Write { clear_color: ClearColorConfig::Default, .. }
                )
            });
            (active, clears)
        };
        app.world_mut().resource_mut::<LoadState>().phase = LoadPhase::Loading;
        app.update();
        assert_eq!(state(&app), (false, true), "loading, nothing on screen");
        app.world_mut().resource_mut::<ModelScene>().loaded = true;
        app.update();
        assert_eq!(state(&app), (true, false), "the scene is installed");
        app.world_mut().resource_mut::<LoadState>().phase = LoadPhase::Done { secs: 1.0 };
        app.update();
        assert_eq!(state(&app), (true, false));
    }

    /// Regression: the load status had a spinner, whose animation asks for the next frame at
    /// once, so the window redrew back to back while loading instead of once a second.
    #[test]
    fn the_load_status_asks_for_no_frame_of_its_own() {
        let load = LoadState { phase: LoadPhase::Loading, files_total: 2, ..Default::default() };
        let scene = ModelScene::default();
        let t = Lang::En.strings();
        let ctx = egui::Context::default();
        // A new context asks for its first two passes itself (measured: an empty one does too).
        for _ in 0..4 {
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| load_status(ui, t, &load, &scene));
            // No painter here: the font atlas it would upload is dropped on purpose.
            out.textures_delta.clear();
        }
        assert!(!ctx.has_requested_repaint(), "the loading status keeps the window redrawing");
    }

    /// Regression: a `ModifiersChanged` on every pass kept egui asking for the next frame.
    #[test]
    fn only_modifier_changes_reach_egui() {
        let shift = egui::Modifiers { shift: true, ..Default::default() };
        let moved = egui::Event::PointerMoved(egui::pos2(1.0, 2.0));
        let mut known = egui::Modifiers::default();
        let mut events = vec![egui::Event::ModifiersChanged(egui::Modifiers::NONE), moved.clone()];
        drop_repeated_modifiers(&mut events, &mut known);
        assert_eq!(events, vec![moved.clone()], "no change: dropped, the rest kept");
        let mut events = vec![egui::Event::ModifiersChanged(shift)];
        drop_repeated_modifiers(&mut events, &mut known);
        assert_eq!((events.len(), known), (1, shift), "Shift pressed: passed on");
        let mut events = vec![egui::Event::ModifiersChanged(shift)];
        drop_repeated_modifiers(&mut events, &mut known);
        assert!(events.is_empty(), "still Shift: dropped");
        let mut events = vec![egui::Event::ModifiersChanged(egui::Modifiers::NONE)];
        drop_repeated_modifiers(&mut events, &mut known);
        assert_eq!((events.len(), known), (1, egui::Modifiers::NONE), "Shift released: passed on");
        // An idle pass: egui asks for no frame once the repeats are gone.
        let ctx = egui::Context::default();
        let mut known = egui::Modifiers::default();
        for _ in 0..4 {
            let mut input = egui::RawInput::default();
            input.events.push(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
            drop_repeated_modifiers(&mut input.events, &mut known);
            let mut out = ctx.run_ui(input, |ui| {
                ui.label("idle");
            });
            out.textures_delta.clear();
        }
        assert!(!ctx.has_requested_repaint(), "an idle window rests");
    }

    #[test]
    fn the_cjk_font_is_an_opentype_font_registered_as_fallback() {
        assert_eq!(&CJK_FONT[..4], b"OTTO");
        let fonts = font_definitions();
        let prop = &fonts.families[&bevy_egui::egui::FontFamily::Proportional];
        assert_eq!(prop.last().map(String::as_str), Some("noto_sans_sc"));
        assert!(prop.len() > 1, "egui's own fonts stay first");
    }
}
