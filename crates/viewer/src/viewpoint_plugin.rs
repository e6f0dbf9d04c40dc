//! Saved viewpoints (`state::viewpoint`): the *Views* tab saves the view under a name, lists
//! the saved views (a click goes to one), deletes them, exports them as BCF topics, imports a
//! BCF archive's viewpoints, and hides or isolates the selected elements one by one. Going to a
//! view also puts back its colours, 4D day and focused clash (`state::viewpoint_apply`). The views live in `MODEL.plumbline-views.json` beside the first
//! model, with the last view, which is written while the viewer runs (two seconds after the view
//! last changed) and on exit, and restored when the same models are opened next time.
//!
//! `--viewpoint NAME` opens a saved view once the models are loaded; it, `--focus-clash` and the
//! other options that choose a view (`--view`, `--section-box`, `--select`, `--select-task`,
//! `--hide-class`, `--storey`, `--measure`) keep the last view from being restored. Batch runs
//! (`--screenshot`, `--bcf-out`, `--measure`, `--export-views`) neither restore nor record it,
//! so their pictures do not depend on the run before.
//!
//! [`ViewpointPlugin`] needs no window (the tests run it headless); [`ViewExportPlugin`]
//! captures each view's snapshot from the window for the BCF export (`--export-views FILE`
//! exports every saved view and exits).

use crate::snapshot::{encode_png, view_crop};
use crate::state::camera::{CameraCommand, CameraFlight, OrbitCamera, ViewRect};
use crate::state::clash::{default_user, ClashReview};
use crate::state::colour::Colouring;
use crate::state::config::ViewerConfig;
use crate::state::i18n::Lang;
use crate::state::load::{LoadPhase, LoadState};
use crate::state::redline::Redlining;
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::section::{ElementMaterial, SectionBox};
use crate::state::timeline::Timeline;
use crate::state::ui::{register_panel, PanelSlot};
use crate::state::viewpoint::{
    capture, model_names, now_utc, same_view, views_path, SavedView, ViewBook, ViewChanges, ViewNow,
    ViewStrings,
};
use crate::state::viewpoint_apply::{
    apply_colours, apply_four_d, build_overlay, focus_clash, sync_overlay_section, ClashOutcome, FourDOutcome,
};
use crate::state::viewpoint_bcf::{export_path, export_views, import_views};
use crate::widgets::{GREEN, RED};
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::{PrimaryWindow, RequestRedraw};
use bevy_egui::egui;
use std::collections::VecDeque;
use std::path::PathBuf;

/// The lens the viewer's camera has when no camera is found (headless): 45°.
const DEFAULT_FOV_Y: f32 = std::f32::consts::FRAC_PI_4;

/// A view to go to as soon as the scene allows (one frame after a load is installed, so the
/// load's own fit comes first).
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct PendingView {
    pub view: Option<SavedView>,
    /// The clash the last view gone to names, while no clash report is loaded: focused when one
    /// is.
    pub clash: Option<String>,
    /// Leave the clash in focus as it is (`--focus-clash` chose it, over the first view's).
    pub keep_clash: bool,
}

/// Records the last view: after it has not changed for `debounce_secs`, and on exit.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct LastViewTracker {
    /// Off in batch runs.
    pub enabled: bool,
    pub debounce_secs: f64,
    dirty: bool,
    last_change_secs: f64,
}

/// Saved views, the last view and the *Views* tab.
#[derive(Debug, Default)]
pub struct ViewpointPlugin;

impl Plugin for ViewpointPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().get_resource::<ViewerConfig>().cloned().unwrap_or_default();
        app.init_resource::<ViewBook>()
            .init_resource::<PendingView>()
            .init_resource::<Redlining>()
            .insert_resource(LastViewTracker {
                enabled: !is_batch(&config),
                debounce_secs: 2.0,
                dirty: false,
                last_change_secs: 0.0,
            })
            .add_systems(
                Update,
                (open_book, apply_pending, focus_waiting_clash, overlay_upkeep, track_last_view).chain(),
            )
            .add_systems(Last, save_last_on_exit);
        register_panel(app, PanelSlot::ViewsTab, views_panel);
        register_panel(app, PanelSlot::ViewsTab, elements_panel);
    }
}

/// Whether the run takes a picture or a number and exits.
fn is_batch(config: &ViewerConfig) -> bool {
    config.screenshot.is_some()
        || config.bcf_out.is_some()
        || config.measure.is_some()
        || config.export_views.is_some()
}

/// Whether the command line leaves the view to the last one: nothing on it chooses a view.
pub fn restores_last_view(config: &ViewerConfig) -> bool {
    !is_batch(config)
        && config.viewpoint.is_none()
        && config.focus_clash.is_none()
        && config.view.is_none()
        && config.section_box.is_none()
        && config.select.is_none()
        && config.select_task.is_none()
        && config.hide_classes.is_empty()
        && config.isolate_storey.is_none()
}

fn strings(lang: &Lang) -> &'static ViewStrings {
    lang.strings().views
}

/// A newly installed scene opens its views file; the first load of the session goes to
/// `--viewpoint NAME` or, when nothing on the command line chooses a view, to the last view.
#[allow(clippy::too_many_arguments, reason = "a Bevy system reading what decides the first view")]
fn open_book(
    scene: Res<ModelScene>,
    config: Option<Res<ViewerConfig>>,
    lang: Res<Lang>,
    mut book: ResMut<ViewBook>,
    mut pending: ResMut<PendingView>,
    mut exit: MessageWriter<AppExit>,
    mut first_done: Local<bool>,
    walk_start: Option<Res<crate::state::walk::WalkStart>>,
    review: Res<ClashReview>,
) {
    if !scene.is_changed() || !scene.loaded {
        return;
    }
    let t = strings(&lang);
    // Views are kept beside a model file; models that are not files (generated, read from
    // bytes) have no place for them.
    *book = match scene.set.models.first().map(|m| std::path::Path::new(&m.path)).filter(|p| p.is_file()) {
        Some(first) => ViewBook::open(views_path(first), model_names(&scene)),
        None => ViewBook { models: model_names(&scene), ..Default::default() },
    };
    if std::mem::replace(&mut *first_done, true) {
        return;
    }
    let config = config.map(|c| c.clone()).unwrap_or_default();
    if let Some(name) = &config.viewpoint {
        match book.find(name) {
            Some(v) => {
                pending.view = Some(command_line_wins(v.clone(), &config));
                pending.keep_clash = config.focus_clash.is_some();
            }
            None => {
                let where_ = book.path.as_ref().map_or_else(String::new, |p| format!(" ({})", p.display()));
                let message = format!("{} '{name}'{where_}", t.not_found);
                eprintln!("plumbline-viewer --viewpoint: {message}");
                book.message = Some((false, message));
                // A batch run must not take a picture of some other view.
                if is_batch(&config) {
                    exit.write(AppExit::error());
                }
            }
        }
    } else if restores_last_view(&config) && walk_start.is_none() {
        // `--walk`/`--fly` place the eye themselves: the last view must not move it away.
        if let Some(mut v) = book.restorable().cloned() {
            // The last view's clash is looked for in this run's report only, never waited for.
            v.clash = v.clash.filter(|_| review.report.is_some());
            pending.view = Some(command_line_wins(v, &config));
            book.message = Some((true, t.restored.to_string()));
        }
    }
}

/// A view to go to at start without what the command line chose itself: `--date` keeps its day,
/// `--colour-by` its colouring.
fn command_line_wins(mut view: SavedView, config: &ViewerConfig) -> SavedView {
    if config.date.is_some() {
        view.four_d = None;
    }
    if config.colour_by.is_some() {
        view.colour_by = None;
    }
    view
}

/// The state a view sets, written by going to one.
#[derive(SystemParam)]
struct ViewTargets<'w> {
    filter: ResMut<'w, ViewFilter>,
    section: ResMut<'w, SectionBox>,
    selection: ResMut<'w, Selection>,
    redlining: ResMut<'w, Redlining>,
    timeline: ResMut<'w, Timeline>,
    colouring: ResMut<'w, Colouring>,
    review: ResMut<'w, ClashReview>,
}

/// Goes to the pending view: visibility, x-ray, section box, selection, redlines, colours, the
/// 4D day, the focused clash and the camera.
#[allow(clippy::too_many_arguments, reason = "a Bevy system writing each piece of state a view sets")]
fn apply_pending(
    mut pending: ResMut<PendingView>,
    scene: Res<ModelScene>,
    lang: Res<Lang>,
    cameras: Query<&Projection, With<OrbitCamera>>,
    mut to: ViewTargets,
    mut book: ResMut<ViewBook>,
    mut camera: MessageWriter<CameraCommand>,
    mut walker: Option<ResMut<crate::state::walk::Walker>>,
) {
    if pending.view.is_none() || !scene.loaded || scene.is_changed() {
        return;
    }
    let Some(view) = pending.view.take() else { return };
    let t = strings(&lang);
    let fov = cameras.single().map_or(DEFAULT_FOV_Y, fov_of);
    let changes = ViewChanges::of(&view, &scene, fov);
    // Only what differs is written: a written resource redoes every element's look.
    if *to.filter != changes.filter {
        *to.filter = changes.filter.clone();
    }
    if *to.section != changes.section {
        *to.section = changes.section;
    }
    if *to.selection != changes.selection {
        *to.selection = changes.selection.clone();
    }
    to.redlining.commit_text();
    to.redlining.show(changes.redlines.clone(), changes.pose);
    apply_colours(&changes, &mut to.colouring);
    let mut notes = Vec::new();
    match apply_four_d(changes.four_d.as_ref(), &mut to.timeline) {
        FourDOutcome::Shown => {}
        FourDOutcome::NoSchedule => notes.push(t.no_schedule.to_string()),
        FourDOutcome::BadDate => notes.push(t.bad_date.to_string()),
    }
    pending.clash = None;
    let clash = if std::mem::take(&mut pending.keep_clash) {
        ClashOutcome::NoClash
    } else {
        focus_clash(changes.clash.as_deref(), &mut to.review)
    };
    match clash {
        ClashOutcome::NoClash | ClashOutcome::Focused => {}
        ClashOutcome::NotInReport(id) => notes.push(format!("{} {id} {}", t.clash, t.clash_not_in_report)),
        ClashOutcome::NoReport(id) => {
            notes.push(format!("{} {id} {}", t.clash, t.clash_waits));
            pending.clash = Some(id);
        }
    }
    book.note = (!notes.is_empty()).then(|| notes.join("; "));
    // A view is seen from the orbit camera: walking or flying ends.
    if let Some(w) = walker.as_mut().filter(|w| w.walking()) {
        w.requested = Some(crate::state::walk::NavMode::Orbit);
    }
    camera.write(changes.camera);
    book.shown = Some(view.name.clone()).filter(|n| !n.is_empty());
    if !changes.missing.is_empty() && !view.name.is_empty() {
        let shown: Vec<&str> = changes.missing.iter().take(3).map(String::as_str).collect();
        book.message = Some((
            false,
            format!("{}: {} {} ({})", view.name, changes.missing.len(), t.missing, shown.join(", ")),
        ));
    }
}

fn fov_of(projection: &Projection) -> f32 {
    match projection {
        Projection::Perspective(p) => p.fov,
        _ => DEFAULT_FOV_Y,
    }
}

/// A clash a view named while no report was loaded is focused once one is (or said to be
/// missing from it).
fn focus_waiting_clash(
    mut pending: ResMut<PendingView>,
    mut review: ResMut<ClashReview>,
    lang: Res<Lang>,
    mut book: ResMut<ViewBook>,
) {
    if pending.clash.is_none() || review.report.is_none() || pending.view.is_some() {
        return;
    }
    let Some(id) = pending.clash.take() else { return };
    let t = strings(&lang);
    book.note = match focus_clash(Some(&id), &mut review) {
        ClashOutcome::NotInReport(id) => Some(format!("{} {id} {}", t.clash, t.clash_not_in_report)),
        _ => None,
    };
}

/// Makes the materials of the element colours a view set, finds their elements again after a
/// load, and gives them the section box.
fn overlay_upkeep(
    scene: Res<ModelScene>,
    section: Res<SectionBox>,
    mut colouring: ResMut<Colouring>,
    materials: Option<ResMut<Assets<ElementMaterial>>>,
) {
    let Some(mut materials) = materials else { return };
    if !scene.loaded {
        return;
    }
    let uniform = section.uniform(scene.origin_m);
    let overlay = &colouring.overlay;
    if overlay.stale || (scene.is_changed() && !overlay.is_empty()) {
        build_overlay(&mut colouring, &scene, uniform, &mut materials);
    } else if section.is_changed() && !overlay.entries.is_empty() {
        sync_overlay_section(&colouring, uniform, &mut materials);
    }
}

/// What a view is made of, read.
#[derive(SystemParam)]
struct ViewSources<'w> {
    section: Res<'w, SectionBox>,
    filter: Res<'w, ViewFilter>,
    selection: Res<'w, Selection>,
    redlining: Res<'w, Redlining>,
    timeline: Res<'w, Timeline>,
    colouring: Res<'w, Colouring>,
    review: Res<'w, ClashReview>,
}

impl ViewSources<'_> {
    /// The view the viewer shows now, as a saved view named `name`.
    fn now(&self, name: &str, scene: &ModelScene, orbit: &OrbitCamera, projection: &Projection) -> SavedView {
        let now = ViewNow {
            scene,
            orbit,
            fov_y: fov_of(projection),
            section: &self.section,
            filter: &self.filter,
            selection: &self.selection,
            redlines: &self.redlining.set,
            timeline: &self.timeline,
            colouring: &self.colouring,
            review: &self.review,
        };
        capture(&now, name, &now_utc())
    }

    /// Whether any of it changed since the system last ran.
    fn changed(&self) -> bool {
        self.section.is_changed()
            || self.filter.is_changed()
            || self.selection.is_changed()
            || self.redlining.is_changed()
            || self.timeline.is_changed()
            || self.colouring.is_changed()
            || self.review.is_changed()
    }
}

/// Notes when the view changes, and records it as the last view once it has stood still for the
/// tracker's debounce (not while a flight or a view to go to is under way).
#[allow(clippy::too_many_arguments, reason = "a Bevy system watching each piece of state a view is made of")]
fn track_last_view(
    time: Res<Time<Real>>,
    mut tracker: ResMut<LastViewTracker>,
    pending: Res<PendingView>,
    flight: Res<CameraFlight>,
    scene: Res<ModelScene>,
    cameras: Query<(Ref<OrbitCamera>, &Projection)>,
    sources: ViewSources,
    mut book: ResMut<ViewBook>,
) {
    if !tracker.enabled || !scene.loaded || pending.view.is_some() {
        return;
    }
    let Ok((orbit, projection)) = cameras.single() else { return };
    let now = time.elapsed_secs_f64();
    let changed = orbit.is_changed() || sources.changed() || scene.is_changed();
    if changed {
        tracker.dirty = true;
        tracker.last_change_secs = now;
    }
    if !tracker.dirty || flight.target.is_some() || now - tracker.last_change_secs < tracker.debounce_secs {
        return;
    }
    tracker.dirty = false;
    if book.writable() {
        let view = sources.now("", &scene, &orbit, projection);
        // Panels that only looked at a resource may have marked it changed: a view that is the
        // one recorded is not written again.
        if book.last.as_ref().is_some_and(|l| l.models == book.models && same_view(&l.view, &view)) {
            return;
        }
        if let Err(e) = book.set_last(view) {
            book.message = Some((false, e));
        }
    }
}

/// On exit, records the view the viewer was left at.
#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each piece of state a view is made of")]
fn save_last_on_exit(
    mut exits: MessageReader<AppExit>,
    tracker: Res<LastViewTracker>,
    pending: Res<PendingView>,
    scene: Res<ModelScene>,
    cameras: Query<(&OrbitCamera, &Projection)>,
    sources: ViewSources,
    mut book: ResMut<ViewBook>,
) {
    if exits.read().count() == 0
        || !tracker.enabled
        || !scene.loaded
        || pending.view.is_some()
        || !book.writable()
    {
        return;
    }
    let Ok((orbit, projection)) = cameras.single() else { return };
    let view = sources.now("", &scene, orbit, projection);
    if let Err(e) = book.set_last(view) {
        warn!("the last view was not saved: {e}");
    }
}

/// The *Views* tab.
#[allow(
    clippy::too_many_arguments,
    reason = "a Bevy system drawing a panel over each piece of state a view is made of"
)]
fn views_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut book: ResMut<ViewBook>,
    mut pending: ResMut<PendingView>,
    export: Option<ResMut<ViewExport>>,
    cameras: Query<(&OrbitCamera, &Projection)>,
    sources: ViewSources,
    config: Option<Res<ViewerConfig>>,
    mut typed: Local<(String, String)>,
) {
    let t = strings(&lang);
    let (name, import) = &mut *typed;
    if !scene.loaded || scene.set.models.is_empty() {
        ui.label(t.open_model_first);
        return;
    }
    let exporting = export.as_ref().is_some_and(|e| e.busy());
    ui.horizontal(|ui| {
        let field = ui.add(egui::TextEdit::singleline(name).hint_text(t.name_hint).desired_width(170.0));
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let save = ui.add_enabled(!name.trim().is_empty() && !exporting, egui::Button::new(t.save_view));
        if (save.on_hover_text(t.save_hint).clicked() || enter) && !name.trim().is_empty() && !exporting {
            if let Ok((orbit, projection)) = cameras.single() {
                let view = sources.now(name, &scene, orbit, projection);
                let saved = view.name.clone();
                book.message = Some(match book.save(view) {
                    Ok(()) => (true, format!("{} '{saved}'", t.saved)),
                    Err(e) => (false, format!("{}: {e}", t.not_written)),
                });
                name.clear();
            }
        }
    });
    if let Some(e) = &book.error {
        ui.add(egui::Label::new(egui::RichText::new(e).color(RED)).wrap());
    }
    if let Some((ok, m)) = &book.message {
        ui.add(egui::Label::new(egui::RichText::new(m).color(if *ok { GREEN } else { RED })).wrap());
    }
    if let Some(note) = &book.note {
        ui.add(egui::Label::new(egui::RichText::new(note).weak()).wrap());
    }
    ui.separator();
    if book.views.is_empty() {
        ui.add(egui::Label::new(egui::RichText::new(t.no_views).weak()).wrap());
    }
    let mut delete = None;
    for v in &book.views {
        ui.horizontal(|ui| {
            if ui.add_enabled(!exporting, egui::Button::new("✖").small()).on_hover_text(t.delete).clicked()
            {
                delete = Some(v.name.clone());
            }
            let redlines = v.redlines.items.len();
            let label = if redlines > 0 { format!("{}  ✏ {redlines}", v.name) } else { v.name.clone() };
            let row =
                crate::widgets::elided_selectable(ui, book.shown.as_deref() == Some(v.name.as_str()), &label)
                    .on_hover_text(t.go_to);
            if row.clicked() && !exporting {
                pending.view = Some(v.clone());
            }
        });
    }
    if let Some(n) = delete {
        if let Err(e) = book.delete(&n) {
            book.message = Some((false, format!("{}: {e}", t.not_written)));
        }
    }
    ui.separator();
    if let Some(mut export) = export {
        ui.horizontal(|ui| {
            let can = !book.views.is_empty() && !exporting && book.path.is_some();
            if ui.add_enabled(can, egui::Button::new(t.export_bcf)).on_hover_text(t.export_hint).clicked() {
                if let (Some(path), Ok((orbit, projection))) =
                    (book.path.as_ref().map(|p| export_path(p)), cameras.single())
                {
                    let restore = sources.now("", &scene, orbit, projection);
                    export.start(book.views.clone(), path, Some(restore), author_of(config.as_deref()));
                }
            }
            if let Some((done, total)) = export.progress() {
                ui.add(egui::Spinner::new());
                ui.label(format!("{} {done}/{total}", t.exporting));
            }
        });
    }
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(import).hint_text(t.import_hint).desired_width(170.0));
        if ui.add_enabled(!import.trim().is_empty() && !exporting, egui::Button::new(t.import_bcf)).clicked()
        {
            let path = PathBuf::from(import.trim());
            book.message = Some(match import_views(&path, &scene, &now_utc()) {
                Ok((views, notes)) => {
                    let views = book.unique_names(views);
                    let n = views.len();
                    let written = book.save_all(&views);
                    let m = format!("{} {} ({n}){}", t.imported, path.display(), notes.message(t));
                    match written {
                        Ok(()) => (true, m),
                        Err(e) => (false, format!("{m}; {}: {e}", t.not_written)),
                    }
                }
                Err(e) => (false, e),
            });
            import.clear();
        }
    });
    if let Some(p) = &book.path {
        ui.add(
            egui::Label::new(egui::RichText::new(format!("{}: {}", t.file, p.display())).small().weak())
                .truncate(),
        );
    }
}

/// The *Views* tab's row for elements hidden or isolated one by one and coloured by a view:
/// hide or isolate the selection, show them all again, clear the colours.
fn elements_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    selection: Res<Selection>,
    mut filter: ResMut<ViewFilter>,
    mut colouring: ResMut<Colouring>,
) {
    if !scene.loaded || scene.set.models.is_empty() {
        return;
    }
    let t = strings(&lang);
    ui.separator();
    ui.label(t.elements);
    let selected: std::collections::BTreeSet<String> = selection
        .element
        .iter()
        .chain(selection.group.iter())
        .filter(|r| (r.file as usize) < scene.set.models.len())
        .map(|r| scene.element(*r).global_id.clone())
        .collect();
    ui.horizontal_wrapped(|ui| {
        if ui.add_enabled(!selected.is_empty(), egui::Button::new(t.hide_selection)).clicked() {
            filter.hidden_elements.extend(selected.iter().cloned());
        }
        if ui.add_enabled(!selected.is_empty(), egui::Button::new(t.isolate_selection)).clicked() {
            filter.isolated_elements = Some(selected.clone());
        }
        if ui.add_enabled(filter.filters_elements(), egui::Button::new(t.show_all_elements)).clicked() {
            filter.hidden_elements.clear();
            filter.isolated_elements = None;
        }
    });
    let mut said = Vec::new();
    if !filter.hidden_elements.is_empty() {
        said.push(format!("{} {}", filter.hidden_elements.len(), t.hidden_one_by_one));
    }
    if let Some(shown) = &filter.isolated_elements {
        said.push(format!("{} {}", shown.len(), t.isolated));
    }
    if !said.is_empty() {
        ui.add(egui::Label::new(egui::RichText::new(said.join(", ")).weak()).wrap());
    }
    if !colouring.overlay.is_empty() {
        ui.horizontal(|ui| {
            let n: usize = colouring.overlay.entries.iter().map(|e| e.count).sum();
            ui.label(egui::RichText::new(format!("{n} {}", t.coloured)).weak());
            if ui.button(t.clear_colours).clicked() {
                colouring.overlay.set(Default::default());
            }
        });
    }
}

/// Who exported topics are written by: `--user`, else `$USER`.
fn author_of(config: Option<&ViewerConfig>) -> String {
    config.and_then(|c| c.user.clone()).filter(|u| !u.trim().is_empty()).unwrap_or_else(default_user)
}

/// A BCF export of saved views under way: each view is gone to, drawn for a few frames, and
/// captured; then the archive is written and the view the user had is restored.
#[derive(Resource, Debug, Default)]
pub struct ViewExport {
    queue: VecDeque<SavedView>,
    path: Option<PathBuf>,
    author: String,
    total: usize,
    current: Option<SavedView>,
    frames: u32,
    capturing: bool,
    done: Vec<(SavedView, Option<Vec<u8>>)>,
    restore: Option<SavedView>,
    instant_before: bool,
    /// Exit once written (`--export-views`).
    exit_after: bool,
}

/// Frames after the load before `--export-views` begins.
const BATCH_FRAMES_AFTER_LOAD: u32 = 10;

/// Frames drawn at a view before its snapshot is taken (its elements' looks and the redlines
/// settle in two; software renderers may lag one more).
const FRAMES_BEFORE_CAPTURE: u32 = 4;

impl ViewExport {
    pub fn busy(&self) -> bool {
        self.path.is_some()
    }

    /// (views captured, views in all) while busy.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.busy().then_some((self.done.len(), self.total))
    }

    fn start(&mut self, views: Vec<SavedView>, path: PathBuf, restore: Option<SavedView>, author: String) {
        *self = ViewExport {
            total: views.len(),
            queue: views.into(),
            path: Some(path),
            author,
            restore,
            exit_after: self.exit_after,
            ..Default::default()
        };
    }
}

/// Captures saved views' snapshots from the window and writes them as BCF.
#[derive(Debug, Default)]
pub struct ViewExportPlugin;

/// `--export-views FILE`: frames counted after the load, and whether the export was started.
#[derive(Resource, Debug)]
struct BatchViews {
    path: PathBuf,
    frames: u32,
    started: bool,
}

impl Plugin for ViewExportPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ViewExport>().add_systems(Update, step_export.before(apply_pending));
        let out = app.world().get_resource::<ViewerConfig>().and_then(|c| c.export_views.clone());
        if let Some(path) = out {
            app.world_mut().resource_mut::<ViewExport>().exit_after = true;
            app.insert_resource(BatchViews { path, frames: 0, started: false })
                .add_systems(Startup, |mut flight: ResMut<CameraFlight>| flight.instant = true)
                .add_systems(Last, batch_export_views);
        }
    }
}

/// `--export-views FILE`: once the models have been shown for a few frames, exports every saved
/// view.
fn batch_export_views(
    load: Res<LoadState>,
    book: Res<ViewBook>,
    config: Option<Res<ViewerConfig>>,
    mut batch: ResMut<BatchViews>,
    mut export: ResMut<ViewExport>,
    mut exit: MessageWriter<AppExit>,
) {
    if matches!(load.phase, LoadPhase::Loading) || batch.started {
        return;
    }
    batch.frames += 1;
    // As the screenshot's frames: a software renderer may still be compiling the model's
    // pipelines in the first frames after the load.
    if batch.frames < BATCH_FRAMES_AFTER_LOAD {
        return;
    }
    batch.started = true;
    if book.views.is_empty() {
        let file = book.path.as_ref().map_or_else(|| "(no model)".into(), |p| p.display().to_string());
        eprintln!("plumbline-viewer --export-views: no saved views in {file}");
        exit.write(AppExit::error());
        return;
    }
    let path = batch.path.clone();
    export.start(book.views.clone(), path, None, author_of(config.as_deref()));
}

/// One step of an export: go to the next view, wait for it to be drawn, capture it; at the end,
/// write the archive and go back to the view the user had.
#[allow(clippy::too_many_arguments, reason = "a Bevy system driving the export through the shared state")]
fn step_export(
    mut commands: Commands,
    mut export: ResMut<ViewExport>,
    mut pending: ResMut<PendingView>,
    mut flight: ResMut<CameraFlight>,
    mut redlining: ResMut<Redlining>,
    mut book: ResMut<ViewBook>,
    scene: Res<ModelScene>,
    lang: Res<Lang>,
    rect: Res<ViewRect>,
    windows: Query<&Window, With<PrimaryWindow>>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut exit: MessageWriter<AppExit>,
) {
    if !export.busy() || export.capturing {
        return;
    }
    redraw.write(RequestRedraw);
    if export.current.is_none() {
        if let Some(next) = export.queue.pop_front() {
            if export.done.is_empty() {
                // Every frame must show the view itself, not a flight toward it.
                export.instant_before = flight.instant;
                flight.instant = true;
                redlining.commit_text();
                redlining.active = false;
            }
            pending.view = Some(next.clone());
            export.current = Some(next);
            export.frames = 0;
            return;
        }
        finish_export(&mut export, &mut pending, &mut flight, &mut book, &scene, strings(&lang), &mut exit);
        return;
    }
    export.frames += 1;
    if export.frames < FRAMES_BEFORE_CAPTURE {
        return;
    }
    export.capturing = true;
    let scale = windows.single().map_or(1.0, |w| w.scale_factor());
    let crop = view_crop(&rect, scale);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut export: ResMut<ViewExport>| {
            let png = encode_png(&captured.image, crop);
            if let Err(e) = &png {
                warn!("view snapshot: {e}; the topic is written without one");
            }
            if let Some(view) = export.current.take() {
                export.done.push((view, png.ok()));
            }
            export.capturing = false;
        },
    );
}

/// Writes the captured views, reports, restores the user's view (or exits after a batch export).
fn finish_export(
    export: &mut ViewExport,
    pending: &mut PendingView,
    flight: &mut CameraFlight,
    book: &mut ViewBook,
    scene: &ModelScene,
    t: &ViewStrings,
    exit: &mut MessageWriter<AppExit>,
) {
    let Some(path) = export.path.take() else { return };
    let outcome = export_views(&export.done, scene, &export.author, &path);
    let message = match &outcome {
        Ok(()) => format!("{} {} ({})", t.exported, path.display(), export.done.len()),
        Err(e) => e.clone(),
    };
    info!("{message}");
    if export.exit_after {
        println!("plumbline-viewer views BCF: {message}");
        exit.write(if outcome.is_ok() { AppExit::Success } else { AppExit::error() });
    }
    book.message = Some((outcome.is_ok(), message));
    flight.instant = export.instant_before;
    pending.view = export.restore.take();
    export.done.clear();
}
