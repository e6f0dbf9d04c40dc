//! 4D: the state of every element at a date, from `plumbline_schedule::SimIndex`, played
//! forward; the timeline panel with its Gantt chart, and a selected task's properties.
//!
//! Elements not started or already demolished are hidden, running work is orange, temporary
//! works purple, demolition red and see-through; complete and unscheduled elements keep their
//! class colour (the scene's `apply_appearance` reads [`Timeline`]).

use crate::state::camera::CameraCommand;
use crate::state::clash::ClashReview;
use crate::state::config::ViewerConfig;
use crate::state::i18n::{Lang, Strings};
use crate::state::load::{InstallStep, PendingLoad};
use crate::state::scene::{ModelScene, Selection};
use crate::state::timeline::{Timeline, TimelineData};
use crate::state::ui::{register_panel, PanelSlot};
use crate::widgets::{grid_row, RED};
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy_egui::egui;
use plumbline_schedule::chrono::NaiveDate;
use plumbline_schedule::{Basis, ElementState, Link, Schedule};

/// Holds the 4D timeline, plays it, and shows the timeline panel.
#[derive(Debug, Default)]
pub struct TimelinePlugin;

impl Plugin for TimelinePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Timeline>().add_message::<RequestRedraw>().add_systems(Update, play).add_systems(
            PreUpdate,
            install_loaded_schedule.in_set(InstallStep::Schedule).run_if(PendingLoad::waiting),
        );
        register_panel(app, PanelSlot::Bottom, timeline_bottom_panel);
        register_panel(app, PanelSlot::TaskProperties, task_panel);
    }
}

fn play(time: Res<Time>, mut timeline: ResMut<Timeline>, mut redraw: MessageWriter<RequestRedraw>) {
    if !timeline.playing {
        return;
    }
    timeline.advance(time.delta_secs());
    // Playing is an animation: keep frames coming in reactive mode.
    redraw.write(RequestRedraw);
}

/// [`InstallStep::Schedule`]: the schedule of a finished load becomes the timeline.
fn install_loaded_schedule(world: &mut World) {
    let Some(schedule) = world.resource_mut::<PendingLoad>().0.as_mut().map(|out| out.schedule.take()) else {
        return;
    };
    let timeline = schedule.map(|found| found.map(|l| Timeline::from_index(l.schedule, l.index)));
    install_timeline(world, timeline);
}

/// Puts a schedule into the world, linked to the loaded scene, at the configured date if there
/// is one.
pub fn install_schedule(world: &mut World, schedule: Option<Result<(Schedule, Vec<Link>), String>>) {
    let timeline = schedule.map(|found| {
        found.map(|(schedule, links)| Timeline::new(schedule, &links, world.resource::<ModelScene>()))
    });
    install_timeline(world, timeline);
}

/// Puts a timeline into the world (`Ok(None)`: the schedule has no dated task), at the
/// configured date if there is one.
fn install_timeline(world: &mut World, timeline: Option<Result<Option<Timeline>, String>>) {
    let mut timeline = match timeline {
        None => Timeline::default(),
        Some(Err(e)) => {
            error!("schedule: {e}");
            Timeline::failed(e)
        }
        Some(Ok(timeline)) => {
            timeline.unwrap_or_else(|| Timeline::failed("the schedule has no dated tasks".into()))
        }
    };
    let date = world.get_resource::<ViewerConfig>().and_then(|c| c.date.clone());
    match date {
        Some(text) => match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(day) => timeline.set_day(day),
            Err(e) => warn!("--date {text}: {e}"),
        },
        // Without a date asked for, open on the finished building: 4D is there to scrub.
        None => {
            if let Some(end) = timeline.data.as_ref().map(|d| d.end) {
                timeline.set_day(end);
                timeline.enabled = false;
            }
        }
    }
    world.insert_resource(timeline);
}

/// The bottom panel: date, playback and the Gantt chart. A click on a task's row selects its
/// elements (leaving clash review) and fits the view to them.
fn timeline_bottom_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    mut timeline: ResMut<Timeline>,
    mut selection: ResMut<Selection>,
    mut review: ResMut<ClashReview>,
    mut camera: MessageWriter<CameraCommand>,
) {
    let clicked_task = timeline_panel(ui, lang.strings(), &mut timeline, selection.task);
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

/// The right panel for the selected task.
fn task_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    timeline: Res<Timeline>,
    selection: Res<Selection>,
) {
    if let (Some(task), Some(d)) = (selection.task, timeline.data.as_ref()) {
        task_properties(ui, lang.strings(), &scene, d, &timeline, task, &selection);
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
