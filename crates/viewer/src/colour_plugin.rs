//! Colour by (Navisworks' appearance profiler): the left panel's *Colour* tab chooses what the
//! element colours stand for (class, storey, system, a property's value, clash status or 4D
//! state), shows the legend with each value's colour and count, and hides a value's elements
//! when it is unticked. `--colour-by PSET.PROP|class|storey|system|clash|4d` starts with one.
//!
//! The legend is [`Colouring`] in the shared state; the scene's `apply_appearance` gives each
//! element of normal look its value's material and hides the values unticked.

use crate::state::clash::ClashReview;
use crate::state::colour::{value_colour, ColourBy, Colouring, LegendEntry};
use crate::state::config::ViewerConfig;
use crate::state::i18n::{Lang, Strings};
use crate::state::palette::{class_color, Palette};
use crate::state::scene::ModelScene;
use crate::state::section::{element_look, element_material, ElementMaterial};
use crate::state::timeline::Timeline;
use crate::state::ui::{register_panel, PanelSlot};
use crate::widgets::color32;
use bevy::prelude::*;
use bevy_egui::egui;
use plumbline_model::{ElementRef, ModelSet};
use plumbline_review::Status;
use plumbline_schedule::ElementState;
use std::collections::{BTreeMap, HashMap};

/// The colour tab and the legend's upkeep.
#[derive(Debug, Default)]
pub struct ColourPlugin;

impl Plugin for ColourPlugin {
    fn build(&self, app: &mut App) {
        let start = app.world().get_resource::<ViewerConfig>().and_then(|c| c.colour_by.clone());
        app.init_resource::<Colouring>().add_systems(Update, update_colouring);
        if let Some(by) = start {
            app.world_mut().resource_mut::<Colouring>().by = by;
        }
        register_panel(app, PanelSlot::ColourTab, colour_panel);
    }
}

/// The value each drawn element has under a colouring (`""`: none).
pub fn values(
    scene: &ModelScene,
    by: &ColourBy,
    review: &ClashReview,
    timeline: &Timeline,
    sim_of: &HashMap<ElementRef, usize>,
) -> HashMap<ElementRef, String> {
    let set: &ModelSet = &scene.set;
    let systems = if *by == ColourBy::System { system_names(set) } else { HashMap::new() };
    let clash_status = if *by == ColourBy::ClashStatus { clash_statuses(review) } else { HashMap::new() };
    let states = timeline.active_states();
    scene
        .entities
        .keys()
        .map(|&r| {
            let e = set.element(r);
            let value = match by {
                ColourBy::Class => e.class.clone(),
                ColourBy::Storey => e.storey.as_deref().unwrap_or("").to_string(),
                ColourBy::System => systems.get(&r).cloned().unwrap_or_default(),
                ColourBy::Property { pset, prop } => e.property(pset, prop).unwrap_or("").to_string(),
                ColourBy::ClashStatus => {
                    clash_status.get(e.global_id.as_str()).map_or("", |s| s.as_str()).to_string()
                }
                ColourBy::FourD => {
                    let state = sim_of.get(&r).and_then(|i| states?.get(*i)).map(|s| s.state);
                    state.unwrap_or(ElementState::Unscheduled).as_str().to_string()
                }
            };
            (r, value)
        })
        .collect()
}

/// Each element's systems, names joined in order (`IfcSystem` and subtypes).
fn system_names(set: &ModelSet) -> HashMap<ElementRef, String> {
    let mut out: HashMap<ElementRef, Vec<String>> = HashMap::new();
    for (file, model) in set.models.iter().enumerate() {
        for system in &model.relations.systems {
            let name = system.name.clone().unwrap_or_else(|| system.global_id.clone());
            for &element in &system.members {
                out.entry(ElementRef { file: file as u32, element }).or_default().push(name.clone());
            }
        }
    }
    out.into_iter()
        .map(|(r, mut names)| {
            names.sort();
            names.dedup();
            (r, names.join(", "))
        })
        .collect()
}

/// The most open status among each element's clashes, by GlobalId: new before active before
/// reviewed before approved before resolved.
fn clash_statuses(review: &ClashReview) -> HashMap<&str, Status> {
    let mut out: HashMap<&str, Status> = HashMap::new();
    let Some(report) = &review.report else { return out };
    for c in report.clashes() {
        for g in [c.a.global_id.as_str(), c.b.global_id.as_str()] {
            let slot = out.entry(g).or_insert(c.status);
            let rank = |status: Status| Status::ALL.iter().position(|s| *s == status);
            if rank(c.status) < rank(*slot) {
                *slot = c.status;
            }
        }
    }
    out
}

/// The fixed colours of values that have one: classes keep their class colours, clash
/// statuses and 4D states the colours the rest of the viewer gives them.
fn fixed_colour(by: &ColourBy, value: &str) -> Option<Color> {
    match by {
        ColourBy::Class => Some(class_color(value)),
        ColourBy::ClashStatus => Some(match value {
            "new" => Color::srgb(0.92, 0.27, 0.27),
            "active" => Color::srgb(0.95, 0.60, 0.15),
            "reviewed" => Color::srgb(0.25, 0.55, 0.90),
            "approved" => Color::srgb(0.30, 0.75, 0.40),
            "resolved" => Color::srgb(0.55, 0.55, 0.55),
            _ => Color::srgb(0.80, 0.80, 0.78),
        }),
        ColourBy::FourD => Some(match value {
            "in_progress" => Color::srgb(1.0, 0.55, 0.10),
            "complete" => Color::srgb(0.78, 0.78, 0.75),
            "temporary_present" => Color::srgb(0.65, 0.35, 0.90),
            "demolishing" => Color::srgb(0.80, 0.16, 0.16),
            _ => Color::srgb(0.67, 0.67, 0.67),
        }),
        _ => None,
    }
}

/// Rebuilds the legend when what it depends on changed: the choice, the scene, and for clash
/// status and 4D the review and the shown day.
#[allow(clippy::too_many_arguments, reason = "a Bevy system reading each piece of state it combines")]
fn update_colouring(
    scene: Res<ModelScene>,
    review: Res<ClashReview>,
    timeline: Res<Timeline>,
    mut colouring: ResMut<Colouring>,
    mut palette: ResMut<Palette>,
    mut materials: ResMut<Assets<ElementMaterial>>,
    elements: Query<&crate::state::scene::ElementId>,
    mut built_for: Local<Option<ColourBy>>,
) {
    let stale = built_for.as_ref() != Some(&colouring.by)
        || scene.is_changed()
        || (colouring.by == ColourBy::ClashStatus && review.is_changed())
        || (colouring.by == ColourBy::FourD && timeline.is_changed());
    if !stale || !scene.loaded {
        return;
    }
    *built_for = Some(colouring.by.clone());
    let sim_of: HashMap<ElementRef, usize> = elements.iter().map(|id| (id.element, id.sim)).collect();
    let by = colouring.by.clone();
    let values = values(&scene, &by, &review, &timeline, &sim_of);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values.values() {
        *counts.entry(v.as_str()).or_insert(0) += 1;
    }
    let mut extra = Vec::new();
    let legend: Vec<LegendEntry> = counts
        .iter()
        .enumerate()
        .map(|(i, (value, count))| {
            let color = fixed_colour(&by, value).unwrap_or_else(|| value_colour(i, value));
            // By class, the palette's own class materials: the default view stays as it was.
            let material = match palette.by_class.get(*value).filter(|_| by == ColourBy::Class) {
                Some(m) => m.clone(),
                None => {
                    let m = materials.add(element_material(element_look(color)));
                    extra.push(m.clone());
                    m
                }
            };
            LegendEntry { value: value.to_string(), color, count: *count, material }
        })
        .collect();
    let index: HashMap<&str, usize> = legend.iter().enumerate().map(|(i, e)| (e.value.as_str(), i)).collect();
    let value_of = values.iter().filter_map(|(r, v)| Some((*r, *index.get(v.as_str())?))).collect();
    colouring.legend = legend;
    colouring.value_of = value_of;
    if palette.extra != extra {
        palette.extra = extra;
    }
}

/// A value as the legend shows it: clash statuses and 4D states in the UI language.
fn shown_value<'a>(t: &'a Strings, lang: Lang, by: &ColourBy, value: &'a str) -> &'a str {
    if value.is_empty() {
        return t.no_value;
    }
    match by {
        ColourBy::ClashStatus => Status::ALL.into_iter().find(|s| s.as_str() == value).map_or(value, |s| {
            if lang == Lang::Zh {
                s.as_zh()
            } else {
                s.as_str()
            }
        }),
        ColourBy::FourD => match value {
            "unscheduled" => t.state_unscheduled,
            "not_started" => t.state_not_started,
            "in_progress" => t.state_in_progress,
            "complete" => t.state_complete,
            "temporary_present" => t.state_temporary,
            "demolishing" => t.state_demolishing,
            "demolished" => t.state_demolished,
            _ => value,
        },
        _ => value,
    }
}

/// The choices of the colour tab, with their labels.
fn choices(t: &Strings) -> [(ColourBy, &'static str); 5] {
    [
        (ColourBy::Class, t.class),
        (ColourBy::Storey, t.storey),
        (ColourBy::System, t.system),
        (ColourBy::ClashStatus, t.clash_status),
        (ColourBy::FourD, t.state_4d),
    ]
}

/// The colour tab: what to colour by, and the legend with a tick per value.
fn colour_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut colouring: ResMut<Colouring>,
    mut property_text: Local<String>,
) {
    let t = lang.strings();
    let current = colouring.by.clone();
    let label = match &current {
        ColourBy::Property { pset, prop } => format!("{}: {pset}.{prop}", t.property),
        other => {
            choices(t).into_iter().find(|(c, _)| c == other).map_or(String::new(), |(_, l)| l.to_string())
        }
    };
    let mut chosen = None;
    ui.label(t.colour_by);
    egui::ComboBox::from_id_salt("colour-by").selected_text(label).show_ui(ui, |ui| {
        for (c, l) in choices(t) {
            if ui.selectable_label(current == c, l).clicked() {
                chosen = Some(c);
            }
        }
    });
    ui.horizontal(|ui| {
        ui.label(t.property);
        let edit = ui.add(
            egui::TextEdit::singleline(&mut *property_text)
                .hint_text("Pset_WallCommon.FireRating")
                .desired_width(180.0),
        );
        let apply = ui.button(t.apply).clicked()
            || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
        if apply {
            if let Some(by @ ColourBy::Property { .. }) = ColourBy::parse(&property_text) {
                chosen = Some(by);
            }
        }
    });
    if let Some(by) = chosen.filter(|b| *b != current) {
        colouring.by = by;
        colouring.hidden.clear();
    }
    if !scene.loaded {
        return;
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong(t.legend);
        if !colouring.hidden.is_empty() && ui.small_button(t.show_all).clicked() {
            colouring.hidden.clear();
        }
    });
    let by = colouring.by.clone();
    let mut toggled = None;
    for entry in &colouring.legend {
        ui.horizontal(|ui| {
            let mut shown = !colouring.hidden.contains(&entry.value);
            if ui.checkbox(&mut shown, "").changed() {
                toggled = Some(entry.value.clone());
            }
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, color32(entry.color));
            let text = format!("{} ({})", shown_value(t, *lang, &by, &entry.value), entry.count);
            ui.add(egui::Label::new(text).truncate());
        });
    }
    if let Some(v) = toggled {
        if !colouring.hidden.remove(&v) {
            colouring.hidden.insert(v);
        }
    }
}
