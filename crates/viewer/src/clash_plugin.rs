//! Clash review: the loaded report put into the world, the *Clashes* tab (tests → groups →
//! clashes) and the focused clash's details with its review (status and comment into the clash
//! history, export of its group to BCF).
//!
//! The report and the clash in focus are shared state ([`ClashReview`]): focusing a clash flies
//! the camera to `plumbline_review::frame_box` of its overlap, and the scene draws A red and B
//! green and ghosts the rest.

use crate::state::camera::CameraCommand;
use crate::state::clash::{default_user, BcfExportRequest, ClashKey, ClashReview, History, ReportSource};
use crate::state::config::ViewerConfig;
use crate::state::i18n::Lang;
use crate::state::load::{InstallStep, PendingLoad};
use crate::state::scene::{ModelScene, Selection};
use crate::state::ui::{register_panel, PanelSlot};
use crate::widgets::{elided_selectable, elided_text, grid_row, header_title_width, GREEN, RED};
use bevy::prelude::*;
use bevy_egui::egui;
use plumbline_review::Report;

/// Holds the clash report, installs a loaded one, and shows the clash panels.
#[derive(Debug, Default)]
pub struct ClashPlugin;

impl Plugin for ClashPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ClashReview>()
            .add_message::<CameraCommand>()
            .add_message::<BcfExportRequest>()
            .add_systems(
                PreUpdate,
                install_loaded_report.in_set(InstallStep::Clashes).run_if(PendingLoad::waiting),
            );
        register_panel(app, PanelSlot::ClashesTab, clash_list_panel);
        register_panel(app, PanelSlot::ClashDetails, clash_details_panel);
    }
}

/// [`InstallStep::Clashes`]: the report of a finished load is reviewed.
fn install_loaded_report(world: &mut World) {
    let Some(report) = world.resource_mut::<PendingLoad>().0.as_mut().map(|out| out.report.take()) else {
        return;
    };
    install_report(world, report);
}

/// Puts a loaded report into the world, with the statuses of the clash history when one is
/// configured, and focuses the clash the configuration names.
pub fn install_report(world: &mut World, report: Option<Result<Report, String>>) {
    let mut review = ClashReview::default();
    match report {
        Some(Ok(r)) => review.report = Some(r),
        Some(Err(e)) => {
            error!("clash report: {e}");
            review.error = Some(e);
        }
        None => {}
    }
    let config = world.get_resource::<ViewerConfig>().cloned().unwrap_or_default();
    review.source = config.report_source();
    if let Some(path) = &config.db {
        let user = config.user.clone().unwrap_or_else(default_user);
        match History::open(path, &user, config.project.as_deref()) {
            Ok(h) => {
                if let Some(r) = review.report.as_mut() {
                    // The history is the truth for statuses: the JSON holds those of its run.
                    h.apply_statuses(r);
                }
                review.history = Some(h);
            }
            Err(e) => {
                error!("clash history: {e}");
                review.error = Some(e);
            }
        }
    }
    let wanted = world.get_resource::<ViewerConfig>().and_then(|c| c.focus_clash.clone());
    let mut command = None;
    if let Some(w) = wanted {
        match review.find(&w) {
            Some(key) => command = review.focus(Some(key)),
            None => warn!("--focus-clash {w}: no such clash in the report"),
        }
    }
    world.insert_resource(review);
    if let Some(c) = command {
        world.write_message(c);
        world.resource_mut::<Selection>().select_element(None);
    }
}

/// The review being written for the focused clash, kept between frames.
#[derive(Debug, Default)]
struct ReviewDraft {
    /// The status chosen for a clash, before it is saved.
    status_draft: Option<(ClashKey, plumbline_review::Status)>,
    comment_draft: String,
    /// The clash's status history from the database, as shown lines.
    history_lines: Option<(ClashKey, Vec<String>)>,
}

/// What the clash panel asked for.
enum ClashAction {
    None,
    Leave,
    Save(ClashKey, plumbline_review::Status, String),
    ExportBcf(ClashKey),
}

/// The left panel's *Clashes* tab: clicking a clash focuses it (leaving the selection) and
/// flies to it.
fn clash_list_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    mut review: ResMut<ClashReview>,
    mut selection: ResMut<Selection>,
    mut camera: MessageWriter<CameraCommand>,
) {
    if let Some(cmd) = clash_list(ui, *lang, &mut review) {
        if !selection.is_empty() {
            selection.select_element(None);
        }
        camera.write(cmd);
    }
}

/// The right panel while a clash is in focus.
fn clash_details_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut review: ResMut<ClashReview>,
    mut draft: Local<ReviewDraft>,
    mut bcf_request: MessageWriter<BcfExportRequest>,
) {
    let t = lang.strings();
    match clash_details(ui, *lang, &review, &scene, &mut draft) {
        ClashAction::None => {}
        ClashAction::Leave => review.focused = None,
        ClashAction::Save(key, status, comment) => {
            let outcome = review.set_status(key, status, &comment);
            draft.history_lines = None;
            if outcome.is_ok() {
                draft.comment_draft.clear();
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
    // The 4D triage: when the schedule needs each clash fixed (only when the report has it).
    let triaged = report.clashes().any(|c| c.triage.is_some());
    let (mut by_needed, mut within) = (review.by_needed, review.needed_within_weeks);
    if triaged {
        ui.horizontal(|ui| {
            ui.checkbox(&mut by_needed, t.by_needed_by);
            if by_needed {
                let mut on = within.is_some();
                ui.checkbox(&mut on, t.needed_within_weeks);
                let mut weeks = within.unwrap_or(2);
                if on {
                    ui.add(egui::DragValue::new(&mut weeks).range(0..=520));
                }
                within = on.then_some(weeks);
            }
        });
    }
    if triaged && by_needed {
        let order = crate::state::clash::triage_order(report, within.map(|w| i64::from(w) * 7));
        for key in order {
            let c = &report.tests[key.test].clashes[key.clash];
            let number = c.number.map(|n| format!("#{n} ")).unwrap_or_default();
            let needed = c
                .triage
                .as_ref()
                .map(|x| format!("{} {} ({} d)  ", t.needed_by_short, x.needed_by, x.days_to_needed))
                .unwrap_or_default();
            let label = format!(
                "{number}{needed}[{}] {} × {}",
                status_text(lang, c.status),
                c.a.label(),
                c.b.label()
            );
            if elided_selectable(ui, focused == Some(key), &label).clicked() {
                clicked = Some(if focused == Some(key) { None } else { Some(key) });
            }
        }
    }
    let show_tree = !(triaged && by_needed);
    for (ti, test) in report.tests.iter().enumerate().filter(|_| show_tree) {
        let index: std::collections::HashMap<&str, usize> =
            test.clashes.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let title = format!("{} ({})", test.info.name, test.clashes.len());
        egui::CollapsingHeader::new(elided_text(ui, &title, header_title_width(ui)))
            .id_salt(("test", ti))
            .default_open(true)
            .show(ui, |ui| {
                for (gi, group) in test.groups.iter().enumerate() {
                    let holds_focus = focused.is_some_and(|f| {
                        f.test == ti
                            && group.clash_ids.iter().any(|id| index.get(id.as_str()) == Some(&f.clash))
                    });
                    let title = text_of(lang, &group.title);
                    egui::CollapsingHeader::new(elided_text(ui, title, header_title_width(ui)))
                        .id_salt(("group", ti, gi))
                        .open(holds_focus.then_some(true))
                        .show(ui, |ui| {
                            for id in &group.clash_ids {
                                let Some(&ci) = index.get(id.as_str()) else { continue };
                                let c = &test.clashes[ci];
                                let key = ClashKey { test: ti, clash: ci };
                                // The history's short number first (`#12`): what people
                                // say in a coordination meeting.
                                let number = c.number.map(|n| format!("#{n} ")).unwrap_or_default();
                                let label = format!(
                                    "{number}[{}] {} × {}  {:.0} {}",
                                    status_text(lang, c.status),
                                    c.a.label(),
                                    c.b.label(),
                                    c.distance_m * 1000.0,
                                    lang.strings().mm
                                );
                                if elided_selectable(ui, focused == Some(key), &label).clicked() {
                                    clicked = Some(if focused == Some(key) { None } else { Some(key) });
                                }
                            }
                        })
                        .header_response
                        .on_hover_text(title);
                }
            })
            .header_response
            .on_hover_text(title);
    }
    review.by_needed = by_needed;
    review.needed_within_weeks = within;
    let key = clicked?;
    review.focus(key)
}

/// The focused clash, and its review when a history is open; returns what the user asked for.
fn clash_details(
    ui: &mut egui::Ui,
    lang: Lang,
    review: &ClashReview,
    scene: &ModelScene,
    state: &mut ReviewDraft,
) -> ClashAction {
    let t = lang.strings();
    let (Some(key), Some(c)) = (review.focused, review.focused_clash()) else { return ClashAction::None };
    let mut action = ClashAction::None;
    ui.heading(t.clash);
    egui::Grid::new("clash").num_columns(2).striped(true).show(ui, |ui| {
        if let Some(n) = c.number {
            grid_row(ui, t.number, &format!("#{n}"));
        }
        grid_row(ui, t.clash_id, &c.id);
        grid_row(ui, t.status, status_text(lang, c.status));
        grid_row(ui, t.kind, text_of(lang, &plumbline_report::kind_text(c.kind)));
        grid_row(ui, t.distance, &format!("{:.1} {}", c.distance_m * 1000.0, t.mm));
        grid_row(ui, t.test, &c.test);
    });
    ui.separator();
    ui.strong(t.explanation);
    // The one text of the panel that wraps: the rest is elided so names never widen it.
    ui.add(egui::Label::new(text_of(lang, &c.explanation)).wrap());
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
        if scene.element_by_global_id(&info.global_id).is_none() {
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
