//! Clash review: the loaded report and the clash in focus.
//!
//! The report is `plumbline_review::Report` as `plumbline clash --json` writes it. Focusing a
//! clash flies the camera to `plumbline_review::frame_box` of its overlap (the same view a BCF
//! viewpoint or a report snapshot uses), draws A red and B green and ghosts the rest.

use crate::camera_plugin::CameraCommand;
use crate::scene_plugin::{ModelScene, Selection};
use bevy::prelude::*;
use plumbline_model::{Aabb, ElementRef};
use plumbline_review::{ClashRecord, Report};

/// A clash's place in the report: test index, clash index within the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClashKey {
    pub test: usize,
    pub clash: usize,
}

/// The loaded clash report and the clash in focus.
#[derive(Resource, Debug, Default)]
pub struct ClashReview {
    pub report: Option<Report>,
    /// Why the report could not be read.
    pub error: Option<String>,
    pub focused: Option<ClashKey>,
}

impl ClashReview {
    pub fn clash(&self, key: ClashKey) -> Option<&ClashRecord> {
        self.report.as_ref()?.tests.get(key.test)?.clashes.get(key.clash)
    }

    pub fn focused_clash(&self) -> Option<&ClashRecord> {
        self.clash(self.focused?)
    }

    /// The loaded elements of the focused clash (`None` inside for an element not loaded).
    pub fn focused_pair(&self, scene: &ModelScene) -> Option<(Option<ElementRef>, Option<ElementRef>)> {
        let c = self.focused_clash()?;
        Some((
            scene.by_global_id.get(&c.a.global_id).copied(),
            scene.by_global_id.get(&c.b.global_id).copied(),
        ))
    }

    /// Finds a clash by id, or by its position in report order (counting from 0).
    pub fn find(&self, id_or_index: &str) -> Option<ClashKey> {
        let report = self.report.as_ref()?;
        let keys: Vec<ClashKey> = report
            .tests
            .iter()
            .enumerate()
            .flat_map(|(t, test)| (0..test.clashes.len()).map(move |c| ClashKey { test: t, clash: c }))
            .collect();
        if let Ok(n) = id_or_index.trim().parse::<usize>() {
            return keys.get(n).copied();
        }
        keys.into_iter().find(|k| self.clash(*k).is_some_and(|c| c.id == id_or_index.trim()))
    }

    /// Focuses a clash (or none) and returns where the camera should go.
    pub fn focus(&mut self, key: Option<ClashKey>) -> Option<CameraCommand> {
        self.focused = key.filter(|k| self.clash(*k).is_some());
        let c = self.focused_clash()?;
        // A clash without an overlap box (clearance, duplicate) is framed around its point.
        let b = if c.overlap_aabb.is_empty() { Aabb { min: c.point, max: c.point } } else { c.overlap_aabb };
        Some(CameraCommand::Review { camera: plumbline_review::frame_box(&b), target_m: b.center() })
    }
}

/// Holds the clash report.
#[derive(Debug, Default)]
pub struct ClashPlugin;

impl Plugin for ClashPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ClashReview>().add_message::<CameraCommand>();
    }
}

/// Puts a loaded report into the world and focuses the clash the configuration names.
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
    let wanted = world.get_resource::<crate::ViewerConfig>().and_then(|c| c.focus_clash.clone());
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
