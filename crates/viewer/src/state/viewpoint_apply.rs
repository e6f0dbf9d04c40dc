//! Putting back what a saved view holds besides the camera and visibility: the 4D day (and
//! whether 4D colouring is on), the colour-by mode, the colours of single elements, and the
//! focused clash. `viewpoint_plugin` calls these when it goes to a view; each writes a resource
//! only when the view changes it, since a written resource redoes every element's look.
//!
//! The colours a view gives single elements (BCF's `Coloring`) are drawn with materials of
//! their own, made here; the section box reaches them through [`sync_overlay_section`], as it
//! reaches the palette's.

use crate::state::clash::{ClashKey, ClashReview};
use crate::state::colour::{parse_bcf_colour, Colouring, LegendEntry};
use crate::state::scene::ModelScene;
use crate::state::section::{element_look, element_material, ElementMaterial, SectionUniform};
use crate::state::timeline::Timeline;
use crate::state::viewpoint::{SavedFourD, ViewChanges};
use bevy::prelude::*;
use plumbline_schedule::chrono::NaiveDate;
use plumbline_schedule::Basis;
use std::ops::DerefMut;

/// How going to a view's 4D day went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FourDOutcome {
    /// The timeline shows the view's day (or the view says nothing about 4D).
    Shown,
    /// No schedule is loaded: the day is not shown.
    NoSchedule,
    /// The view's date is not a date.
    BadDate,
}

/// Shows a view's 4D day, basis and whether 4D applies; playback stops. A day outside the
/// schedule is clamped to it, as the slider does.
pub fn apply_four_d(
    four_d: Option<&SavedFourD>,
    timeline: &mut impl DerefMut<Target = Timeline>,
) -> FourDOutcome {
    let Some(f) = four_d else { return FourDOutcome::Shown };
    if timeline.data.is_none() {
        return FourDOutcome::NoSchedule;
    }
    let Ok(day) = NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d") else {
        return FourDOutcome::BadDate;
    };
    let basis = if f.actual { Basis::Actual } else { Basis::Planned };
    if timeline.basis != basis {
        timeline.set_basis(basis);
    }
    if timeline.day != day {
        timeline.set_day(day);
    }
    if timeline.enabled != f.enabled {
        timeline.enabled = f.enabled;
    }
    if timeline.playing {
        timeline.playing = false;
    }
    FourDOutcome::Shown
}

/// How focusing a view's clash went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClashOutcome {
    /// The view has no clash, and none is focused now.
    NoClash,
    Focused,
    /// The clash report loaded has no clash of this id.
    NotInReport(String),
    /// No clash report is loaded yet: the clash waits for one.
    NoReport(String),
}

/// Focuses the clash a view names (by its id), or leaves clash review when it names none. The
/// camera is not moved: the view's camera is the one to see it from.
pub fn focus_clash(clash: Option<&str>, review: &mut impl DerefMut<Target = ClashReview>) -> ClashOutcome {
    let Some(id) = clash else {
        if review.focused.is_some() {
            review.focused = None;
        }
        return ClashOutcome::NoClash;
    };
    let Some(report) = &review.report else { return ClashOutcome::NoReport(id.to_string()) };
    // By id only: a view's clash is never a position in the report, which changes with it.
    let key = report.tests.iter().enumerate().find_map(|(t, test)| {
        test.clashes.iter().position(|c| c.id == id).map(|c| ClashKey { test: t, clash: c })
    });
    match key {
        Some(k) => {
            if review.focused != Some(k) {
                review.focused = Some(k);
            }
            ClashOutcome::Focused
        }
        None => {
            if review.focused.is_some() {
                review.focused = None;
            }
            ClashOutcome::NotInReport(id.to_string())
        }
    }
}

/// Shows a view's colour-by mode and element colours. Returns whether anything changed.
pub fn apply_colours(changes: &ViewChanges, colouring: &mut impl DerefMut<Target = Colouring>) -> bool {
    let mut changed = false;
    if let Some((by, hidden)) = &changes.colour_by {
        if colouring.by != *by {
            colouring.by = by.clone();
            changed = true;
        }
        if colouring.hidden != *hidden {
            colouring.hidden = hidden.clone();
            changed = true;
        }
    }
    if colouring.overlay.colours != changes.colours {
        colouring.overlay.set(changes.colours.clone());
        changed = true;
    }
    changed
}

/// The material of an element a view colours: opaque as the class colours are, or blended
/// when the colour has an alpha below one.
pub fn overlay_material(color: Color, section: SectionUniform) -> ElementMaterial {
    let alpha = color.alpha();
    let mut m = element_material(StandardMaterial {
        alpha_mode: if alpha < 1.0 { AlphaMode::Blend } else { AlphaMode::Opaque },
        ..element_look(color)
    });
    m.extension.section = section;
    m
}

/// Builds the colours' materials and finds their elements in the scene (after a view set them,
/// and after every load, since a reload numbers elements anew).
pub fn build_overlay(
    colouring: &mut Colouring,
    scene: &ModelScene,
    section: SectionUniform,
    materials: &mut Assets<ElementMaterial>,
) {
    let overlay = &mut colouring.overlay;
    overlay.entries.clear();
    overlay.of.clear();
    overlay.stale = false;
    for (colour, ids) in &overlay.colours {
        let Some(color) = parse_bcf_colour(colour) else { continue };
        let index = overlay.entries.len();
        let mut count = 0;
        for r in ids.iter().filter_map(|g| scene.element_by_global_id(g)) {
            if scene.entities.contains_key(&r) {
                overlay.of.insert(r, index);
                count += 1;
            }
        }
        overlay.entries.push(LegendEntry {
            value: colour.clone(),
            color,
            count,
            material: materials.add(overlay_material(color, section)),
        });
    }
}

/// Gives the element colours' materials the section box the palette's have.
pub fn sync_overlay_section(
    colouring: &Colouring,
    section: SectionUniform,
    materials: &mut Assets<ElementMaterial>,
) {
    for e in &colouring.overlay.entries {
        let unchanged = materials.get(&e.material).is_none_or(|m| m.extension.section == section);
        if !unchanged {
            if let Some(mut m) = materials.get_mut(&e.material) {
                m.extension.section = section;
            }
        }
    }
}
