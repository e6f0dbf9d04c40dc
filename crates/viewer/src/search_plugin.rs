//! Find items: the left panel's *Search* tab looks for elements by name, GlobalId, class or
//! property value (`NAME=VALUE` for one property), lists them, and a click selects the
//! element and frames it (*Select all* takes every result).
//!
//! The search runs as the text changes, over the drawn elements in model order, and lists at
//! most [`MAX_LISTED`] results (the count says how many matched).

use crate::state::camera::CameraCommand;
use crate::state::config::ViewerConfig;
use crate::state::i18n::{Lang, Strings};
use crate::state::scene::{ModelScene, Selection};
use crate::state::ui::{register_panel, PanelSlot};
use crate::widgets::elided_selectable;
use bevy::prelude::*;
use bevy_egui::egui;
use plumbline_model::{Element, ElementRef};

/// The most results listed at once; the rest are counted.
pub const MAX_LISTED: usize = 500;

/// Where to look for the search text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchField {
    /// Name, GlobalId, class, storey, type or any property value.
    #[default]
    Any,
    Name,
    GlobalId,
    Class,
    /// A property value; `NAME=VALUE` looks in the property `NAME` (or `PSET.NAME`) only.
    Property,
}

impl SearchField {
    pub const ALL: [SearchField; 5] = [
        SearchField::Any,
        SearchField::Name,
        SearchField::GlobalId,
        SearchField::Class,
        SearchField::Property,
    ];

    fn label(self, t: &Strings) -> &'static str {
        match self {
            SearchField::Any => t.field_any,
            SearchField::Name => t.name,
            SearchField::GlobalId => t.global_id,
            SearchField::Class => t.class,
            SearchField::Property => t.field_property,
        }
    }
}

/// The search tab's state: the text, where to look, and what was found for them.
#[derive(Resource, Debug, Default)]
pub struct Search {
    pub query: String,
    pub field: SearchField,
    /// The matching drawn elements, in model order.
    pub results: Vec<ElementRef>,
    /// The query and field the results are for.
    searched: Option<(String, SearchField)>,
}

/// The search tab.
#[derive(Debug, Default)]
pub struct SearchPlugin;

impl Plugin for SearchPlugin {
    fn build(&self, app: &mut App) {
        let start = app.world().get_resource::<ViewerConfig>().and_then(|c| c.search.clone());
        app.init_resource::<Search>();
        if let Some(query) = start {
            app.world_mut().resource_mut::<Search>().query = query;
        }
        register_panel(app, PanelSlot::SearchTab, search_panel);
    }
}

/// Whether `text` contains `needle` (already lower case), ignoring case.
fn has(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(needle)
}

/// Whether an element matches a search text (lower case, trimmed) in a field.
pub fn matches(e: &Element, needle: &str, field: SearchField) -> bool {
    let property = |needle: &str| {
        if let Some((name, value)) = needle.split_once('=') {
            let (name, value) = (name.trim(), value.trim());
            e.property_sets.iter().any(|pset| {
                pset.properties.iter().any(|p| {
                    let key = p.name.to_lowercase();
                    (key == name || format!("{}.{key}", pset.name.to_lowercase()) == name)
                        && has(&p.value, value)
                })
            })
        } else {
            e.property_sets.iter().any(|pset| pset.properties.iter().any(|p| has(&p.value, needle)))
        }
    };
    let name = || e.name.as_deref().is_some_and(|n| has(n, needle));
    let global_id = || e.global_id.to_lowercase() == needle || has(&e.global_id, needle);
    let class = || has(&e.class, needle);
    match field {
        SearchField::Name => name(),
        SearchField::GlobalId => global_id(),
        SearchField::Class => class(),
        SearchField::Property => property(needle),
        SearchField::Any => {
            name()
                || global_id()
                || class()
                || e.storey.as_deref().is_some_and(|s| has(s, needle))
                || e.type_object.as_ref().and_then(|t| t.name.as_deref()).is_some_and(|n| has(n, needle))
                || property(needle)
        }
    }
}

/// The drawn elements matching `query` in `field`, in model order; nothing for an empty query.
pub fn search(scene: &ModelScene, query: &str, field: SearchField) -> Vec<ElementRef> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    scene
        .set
        .elements()
        .filter(|(r, e)| scene.entities.contains_key(r) && matches(e, &needle, field))
        .map(|(r, _)| r)
        .collect()
}

/// One element in a list (search results, a selection of several): its class and name, elided,
/// with its GlobalId on hover.
pub fn element_row(
    ui: &mut egui::Ui,
    t: &Strings,
    scene: &ModelScene,
    r: ElementRef,
    selected: bool,
) -> egui::Response {
    let e = scene.element(r);
    let text = format!("{} '{}'", e.class, e.name.as_deref().unwrap_or("—"));
    elided_selectable(ui, selected, &text).on_hover_text(format!("{}: {}", t.global_id, e.global_id))
}

/// The search tab: the text box, the field, the count, and the results.
fn search_panel(
    InMut(ui): InMut<egui::Ui>,
    lang: Res<Lang>,
    scene: Res<ModelScene>,
    mut state: ResMut<Search>,
    mut selection: ResMut<Selection>,
    mut camera: MessageWriter<CameraCommand>,
) {
    let t = lang.strings();
    let s = state.bypass_change_detection();
    ui.add(egui::TextEdit::singleline(&mut s.query).hint_text(t.search_hint).desired_width(f32::INFINITY));
    let mut field = s.field;
    egui::ComboBox::from_id_salt("search-field").selected_text(field.label(t)).show_ui(ui, |ui| {
        for f in SearchField::ALL {
            ui.selectable_value(&mut field, f, f.label(t));
        }
    });
    s.field = field;
    let wanted = (s.query.clone(), s.field);
    if s.searched.as_ref() != Some(&wanted) || scene.is_changed() {
        s.results = search(&scene, &wanted.0, wanted.1);
        s.searched = Some(wanted);
    }
    if s.query.trim().is_empty() {
        return;
    }
    ui.horizontal(|ui| {
        let shown = s.results.len().min(MAX_LISTED);
        if shown < s.results.len() {
            ui.label(format!("{} {} ({} {shown})", s.results.len(), t.results, t.showing_first));
        } else {
            ui.label(format!("{} {}", s.results.len(), t.results));
        }
        if ui.add_enabled(!s.results.is_empty(), egui::Button::new(t.select_all)).clicked() {
            *selection = Selection { element: None, task: None, group: s.results.clone() };
            camera.write(CameraCommand::FitSelection);
        }
    });
    ui.separator();
    for &r in s.results.iter().take(MAX_LISTED) {
        if element_row(ui, t, &scene, r, selection.element == Some(r)).clicked() {
            selection.select_element(Some(r));
            camera.write(CameraCommand::FitSelection);
        }
    }
}
