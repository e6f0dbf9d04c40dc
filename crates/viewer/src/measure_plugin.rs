//! The measure tool: the minimum distance between two elements, computed by the clash engine
//! (`plumbline_clash::distance`, the query `plumbline clash --mode clearance` reports), shown
//! in a row under the tool bar and drawn over the 3D view as a dimension line with its value.
//!
//! *Measure* in the tool bar (or M) turns it on; the next two elements clicked are measured and
//! selected together. `--measure GLOBALID,GLOBALID` measures two elements once the models are
//! loaded, prints `plumbline-viewer measure: distance_m=…` and exits (after the screenshot
//! when one is asked for).

use crate::state::camera::{CameraCommand, OrbitCamera};
use crate::state::config::ViewerConfig;
use crate::state::coords::render_from_world;
use crate::state::i18n::{Lang, Strings};
use crate::state::measure::{
    format_length, snap_to_mesh, Measure, Measurement, PickedPoint, Snap, HARD_TOLERANCE_M,
};
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::ui::{register_panel, PanelSlot};
use crate::widgets::RED;
use bevy::prelude::*;
use bevy_egui::egui;
use bevy_egui::input::EguiWantsInput;
use parry3d::query::PointQuery;
use plumbline_clash::ElementShape;
use plumbline_model::{ElementRef, ModelSet};

/// The dimension line's colour: yellow reads on the ghosted model and on red and green.
const DIMENSION: egui::Color32 = egui::Color32::from_rgb(255, 214, 10);

/// Picks pairs of elements, measures them, and shows the result.
#[derive(Debug, Default)]
pub struct MeasurePlugin;

impl Plugin for MeasurePlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Measure>()
            .add_systems(Update, (toggle_key, follow_selection, take_points, scripted_measure));
        register_panel(app, PanelSlot::MeasureRow, measure_row);
        register_panel(app, PanelSlot::ViewOverlay, dimension_overlay);
    }
}

/// The minimum distance between two elements' solids, as `plumbline clash --mode clearance`
/// reports it (see [`Measurement::distance_m`]), with the closest points.
pub fn measure_elements(
    set: &ModelSet,
    a: ElementRef,
    b: ElementRef,
    t: &Strings,
) -> Result<Measurement, String> {
    let shapes = plumbline_clash::Shapes::new(set);
    let shape = |r: ElementRef| {
        shapes.get(r).ok_or_else(|| format!("{} {}", set.element(r).global_id, t.no_geometry))
    };
    let (sa, sb) = (shape(a)?, shape(b)?);
    // Far enough for any two elements: the diagonal of the box around both.
    let both = sa.aabb.union(&sb.aabb);
    let reach_m = both.size().iter().map(|s| s * s).sum::<f64>().sqrt() + 1.0;
    let (gap_m, point) = plumbline_clash::distance(sa, sb, reach_m).ok_or_else(|| {
        format!("{} × {}: {}", set.element(a).global_id, set.element(b).global_id, t.no_distance)
    })?;
    // As the clearance test: an overlap deeper than the hard tolerance is a negative gap.
    let depth_m = (gap_m <= 0.0)
        .then(|| plumbline_clash::overlap(sa, sb))
        .flatten()
        .map(|o| o.depth_m)
        .filter(|d| *d > HARD_TOLERANCE_M);
    let (from_m, to_m) =
        if gap_m > 0.0 { (closest_on(sa, point), closest_on(sb, point)) } else { (point, point) };
    Ok(Measurement { a, b, distance_m: depth_m.map_or(gap_m, |d| -d), from_m, to_m })
}

/// The point of a solid's surface nearest to a world point (the engine gives the midpoint of
/// the two closest points; each end of the dimension line is that midpoint's projection).
fn closest_on(shape: &ElementShape, p: [f64; 3]) -> [f64; 3] {
    let Some(mesh) = &shape.trimesh else { return p };
    let q = mesh.project_local_point(shape.to_local(p), false).point;
    let o = shape.origin_m;
    [o[0] + f64::from(q.x), o[1] + f64::from(q.y), o[2] + f64::from(q.z)]
}

/// M turns the tool on and off, Esc forgets the measurement (not while typing into a text box).
fn toggle_key(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    egui: Option<Res<EguiWantsInput>>,
    mut measure: ResMut<Measure>,
) {
    let Some(keys) = keys else { return };
    if egui.is_some_and(|e| e.wants_keyboard_input()) {
        return;
    }
    if keys.just_pressed(KeyCode::KeyM) {
        measure.active = !measure.active;
        measure.clear();
    } else if keys.just_pressed(KeyCode::Escape) && (measure.result.is_some() || !measure.picked.is_empty()) {
        measure.clear();
    }
}

/// While the tool is on, each element clicked (selected) is picked; the second one is
/// measured against the first, and both are selected together.
fn follow_selection(
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut selection: ResMut<Selection>,
    mut measure: ResMut<Measure>,
) {
    if !measure.active || measure.points_mode || !selection.is_changed() {
        return;
    }
    let Some(e) = selection.element else { return };
    if measure.picked.len() >= 2 {
        measure.clear();
    }
    if measure.picked.last() == Some(&e) {
        return;
    }
    measure.picked.push(e);
    if let [a, b] = measure.picked[..] {
        measure.result = Some(measure_elements(&scene.set, a, b, lang.strings()));
        select_pair(&mut selection, a, b);
    }
}

/// How far a picked point looks for a vertex or an edge to snap to (metres).
pub const SNAP_RADIUS_M: f64 = 0.05;

/// Point mode: a click's surface point, snapped to a vertex or an edge of its element, is the
/// next end of the line; a third click starts again.
fn take_points(scene: Res<ModelScene>, mut measure: ResMut<Measure>) {
    let Some((element, p)) = measure.clicked else { return };
    measure.clicked = None;
    let Some(mesh) = scene.element(element).mesh.as_ref() else { return };
    let (point_m, snap) = snap_to_mesh(mesh, p, SNAP_RADIUS_M);
    if measure.points.len() >= 2 {
        measure.points.clear();
    }
    measure.result = None;
    measure.points.push(PickedPoint { element, point_m, snap });
}

/// Selects both measured elements (drawn as selected; the properties panel stays empty).
fn select_pair(selection: &mut Selection, a: ElementRef, b: ElementRef) {
    let mut group = vec![a, b];
    group.sort_unstable();
    group.dedup();
    *selection = Selection { element: None, task: None, group };
}

/// The box to frame a measurement on: the dimension line with room around it (at least 1 m,
/// and the line's own length), so the line and the faces it joins fill the middle of the view.
pub fn gap_box(m: &Measurement) -> plumbline_model::Aabb {
    let mut b = plumbline_model::Aabb::EMPTY;
    b.grow(m.from_m);
    b.grow(m.to_m);
    b.inflated(m.distance_m.abs().max(1.0))
}

/// `--measure A,B`: once the models are loaded, measure, print, frame both, and exit unless a
/// screenshot is to be taken (the screenshot plugin exits after it).
#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each piece of state it combines")]
fn scripted_measure(
    config: Option<Res<ViewerConfig>>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut selection: ResMut<Selection>,
    mut filter: ResMut<ViewFilter>,
    mut measure: ResMut<Measure>,
    mut camera: MessageWriter<CameraCommand>,
    mut exit: MessageWriter<AppExit>,
    mut done: Local<bool>,
) {
    let Some(config) = config else { return };
    let Some((ga, gb)) = &config.measure else { return };
    // A frame after the install, so its fit to the measured pair follows the fit to the model.
    if *done || !scene.loaded || scene.is_changed() {
        return;
    }
    *done = true;
    let find =
        |g: &str| scene.element_by_global_id(g.trim()).ok_or_else(|| format!("--measure: no element {g}"));
    let outcome = find(ga).and_then(|a| Ok((a, find(gb)?))).and_then(|(a, b)| {
        let m = measure_elements(&scene.set, a, b, lang.strings())?;
        select_pair(&mut selection, a, b);
        // The pair stands out from the ghosted rest, framed on the gap (a whole slab would
        // shrink the dimension line to a dot).
        filter.xray = true;
        camera.write(CameraCommand::FitBox(gap_box(&m)));
        Ok(m)
    });
    match &outcome {
        Ok(m) => println!("plumbline-viewer measure: distance_m={:.6} a={ga} b={gb}", m.distance_m),
        Err(e) => eprintln!("plumbline-viewer measure: {e}"),
    }
    let failed = outcome.is_err();
    measure.result = Some(outcome);
    if config.screenshot.is_none() {
        exit.write(if failed { AppExit::error() } else { AppExit::Success });
    }
}

/// The row under the tool bar: what to click, or the measured distance.
fn measure_row(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut measure: ResMut<Measure>,
) {
    if !measure.active && measure.result.is_none() && measure.points.is_empty() {
        return;
    }
    let t = lang.strings();
    ui.horizontal(|ui| {
        ui.strong(t.measure);
        let mut points = measure.points_mode;
        if ui.checkbox(&mut points, t.point_to_point).changed() {
            measure.clear();
            measure.points_mode = points;
        }
        if measure.points_mode {
            let snap = |s: Snap| match s {
                Snap::Vertex => t.snap_vertex,
                Snap::Edge => t.snap_edge,
                Snap::Face => t.snap_face,
            };
            match (measure.points.as_slice(), measure.line()) {
                ([a, b], Some((_, _, d))) => {
                    let text =
                        format!("{}: {} ({} → {})", t.distance, format_length(d), snap(a.snap), snap(b.snap));
                    ui.label(egui::RichText::new(text).color(DIMENSION).strong());
                }
                ([_], _) => {
                    ui.label(t.measure_second_point);
                }
                _ => {
                    ui.label(t.measure_points_hint);
                }
            }
            if !measure.points.is_empty() && ui.button(t.clear).clicked() {
                measure.clear();
            }
            return;
        }
        match &measure.result {
            Some(Ok(m)) => {
                let name = |r: ElementRef| {
                    let e = scene.element(r);
                    format!("{} '{}'", e.class, e.name.as_deref().unwrap_or(&e.global_id))
                };
                let overlap =
                    if m.distance_m < 0.0 { format!(" ({})", t.overlapping) } else { String::new() };
                ui.label(
                    egui::RichText::new(format!(
                        "{}: {}{overlap}",
                        t.min_distance,
                        format_length(m.distance_m)
                    ))
                    .color(DIMENSION)
                    .strong(),
                );
                let pair = format!("{} × {}", name(m.a), name(m.b));
                ui.add(egui::Label::new(egui::RichText::new(&pair).weak()).truncate());
            }
            Some(Err(e)) => {
                ui.colored_label(RED, e);
            }
            None if measure.picked.len() == 1 => {
                ui.label(t.measure_second);
            }
            None => {
                ui.label(t.measure_hint);
            }
        }
        if measure.result.is_some() && ui.button(t.clear).clicked() {
            measure.clear();
        }
    });
}

/// The dimension line between the two closest points, with end ticks and the value, drawn
/// over the 3D view.
fn dimension_overlay(
    InMut(ui): InMut<egui::Ui>,
    scene: Res<ModelScene>,
    measure: Res<Measure>,
    cameras: Query<(&Camera, &GlobalTransform), With<OrbitCamera>>,
) {
    let Some((from_m, to_m, length_m)) = measure.line() else {
        // One picked point: a dot where it snapped.
        if let ([p], Ok((camera, transform))) = (measure.points.as_slice(), cameras.single()) {
            if let Ok(v) = camera.world_to_viewport(transform, render_from_world(scene.origin_m, p.point_m)) {
                ui.painter().circle_filled(egui::pos2(v.x, v.y), 4.5, DIMENSION);
            }
        }
        return;
    };
    let Ok((camera, transform)) = cameras.single() else { return };
    let to_screen = |p: [f64; 3]| {
        camera
            .world_to_viewport(transform, render_from_world(scene.origin_m, p))
            .ok()
            .map(|v| egui::pos2(v.x, v.y))
    };
    let (Some(from), Some(to)) = (to_screen(from_m), to_screen(to_m)) else { return };
    let painter = ui.painter();
    let stroke = egui::Stroke::new(2.5, DIMENSION);
    let outline = egui::Stroke::new(5.0, egui::Color32::from_black_alpha(160));
    let along = (to - from).normalized();
    let across =
        if along.length() > 0.5 { egui::vec2(-along.y, along.x) * 8.0 } else { egui::vec2(0.0, 8.0) };
    for s in [outline, stroke] {
        painter.line_segment([from, to], s);
        for end in [from, to] {
            painter.line_segment([end - across, end + across], s);
        }
    }
    painter.circle_filled(from, 3.5, DIMENSION);
    painter.circle_filled(to, 3.5, DIMENSION);
    let label = format_length(length_m);
    let at = egui::pos2(0.5 * (from.x + to.x), 0.5 * (from.y + to.y)) + across * 2.0;
    let font = egui::FontId::proportional(16.0);
    let galley = painter.layout_no_wrap(label, font, egui::Color32::BLACK);
    let rect = egui::Rect::from_center_size(at, galley.size() + egui::vec2(10.0, 6.0));
    painter.rect_filled(rect, 4.0, DIMENSION);
    painter.galley(rect.center() - 0.5 * galley.size(), galley, egui::Color32::BLACK);
}
