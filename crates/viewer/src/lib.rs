//! The Plumbline viewer: Bevy plugins and egui panels over the Plumbline crates.
//!
//! Each feature is a plugin in its own `*_plugin.rs`; `main.rs` only parses arguments and adds
//! [`ViewerPlugin`]. The plugins split in two layers:
//! - [`CorePlugin`]: the state a user changes (loaded scene, selection, visibility, x-ray, clash
//!   focus, 4D date) and the systems that turn it into entity visibility and materials. It needs
//!   no window and no GPU, so the tests run it headless with `App::new()` + `app.update()`.
//! - The interactive plugins (camera, picking, egui panels, screenshots), added by
//!   [`ViewerPlugin`] on top of Bevy's `DefaultPlugins`.
//!
//! **Architecture invariant:** this crate only uses what the core crates provide
//! (`plumbline_ifc`, `plumbline_review`, `plumbline_schedule`, `plumbline_rules` to run a rule
//! matrix, and `plumbline_store` and `plumbline_bcf` for reviews written to the clash history
//! and BCF); no clash, schedule, history or BCF logic lives here. It is the only workspace crate
//! allowed to depend on Bevy and egui.
//!
//! **Coordinates:** the models are Z-up in `f64` world metres; Bevy renders Y-up in `f32`. Every
//! world point goes through [`render_from_world`], which subtracts the scene origin (the centre
//! of all loaded models) in `f64` before rounding, so a model 500 km from its map origin renders
//! without jitter.

pub mod bcf_plugin;
pub mod camera_plugin;
pub mod clash_plugin;
pub mod dialog_plugin;
pub mod i18n;
pub mod load_plugin;
pub mod picking_plugin;
pub mod scene_plugin;
pub mod screenshot_plugin;
pub mod section_plugin;
pub mod timeline_plugin;
pub mod ui_plugin;

use bevy::prelude::*;
use std::path::PathBuf;

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, Resource)]
pub struct ViewerConfig {
    /// IFC models to load at start.
    pub models: Vec<PathBuf>,
    /// A clash report (`plumbline_review::Report` JSON).
    pub clashes: Option<PathBuf>,
    /// A clash rule matrix (`plumbline clash --config`): its tests run on the models once they
    /// load, and their results are reviewed (ignored when `clashes` is given).
    pub rules: Option<PathBuf>,
    /// A schedule file; without it, the models' own IFC work schedule is used if they have one.
    pub schedule: Option<PathBuf>,
    /// Element-task link files (CSV tables or TOML rules).
    pub links: Vec<PathBuf>,
    /// Take a screenshot into this PNG after `exit_after_frames` frames with the model shown,
    /// then exit.
    pub screenshot: Option<PathBuf>,
    pub exit_after_frames: Option<u32>,
    /// UI language; `None` follows the system locale.
    pub lang: Option<i18n::Lang>,
    /// Select this element (GlobalId) once loaded.
    pub select: Option<String>,
    /// Focus this clash (its id, or its position in the report counting from 0) once loaded.
    pub focus_clash: Option<String>,
    /// Show the 4D state at this date (YYYY-MM-DD) once loaded.
    pub date: Option<String>,
    /// Ghost everything but the selection.
    pub xray: bool,
    /// Open on this standard view instead of the default corner.
    pub view: Option<camera_plugin::StandardView>,
    /// Select the elements of this 4D task (its id, else its name) once loaded.
    pub select_task: Option<String>,
    /// IFC classes to hide at start, as unticking them in the model tree does.
    pub hide_classes: Vec<String>,
    /// Show only this storey once loaded, as *Isolate* in the model tree does.
    pub isolate_storey: Option<String>,
    /// The clash history (`plumbline clash --db`): statuses are read from it, and statuses and
    /// comments set in the viewer are written to it.
    pub db: Option<PathBuf>,
    /// Who statuses and comments are recorded as (default: `$USER`).
    pub user: Option<String>,
    /// Export the focused clash's group to this BCF file, with the view as its snapshot, once
    /// the model is shown, then exit (like `screenshot`).
    pub bcf_out: Option<PathBuf>,
    /// Pick (as a click would) at this window position in logical pixels once the model is
    /// shown, print the ray cast's time and select the hit.
    pub pick_at: Option<Vec2>,
    /// Start with the section box on, at this world box (metres).
    pub section_box: Option<plumbline_model::Aabb>,
    /// Where loaded models are kept for the next opening (`None`: every model is loaded from
    /// its file).
    pub model_cache: Option<std::sync::Arc<plumbline_cache::ModelCache>>,
}

impl ViewerConfig {
    /// Whether there is anything to load: models, or clashes to review without them.
    pub fn has_input(&self) -> bool {
        !self.models.is_empty() || self.clashes.is_some() || self.db.is_some()
    }

    /// Where the reviewed clashes come from: the report file, else the rule matrix (run on
    /// the models), else the history's open clashes.
    pub fn report_source(&self) -> Option<clash_plugin::ReportSource> {
        use clash_plugin::ReportSource;
        match (&self.clashes, &self.rules, &self.db) {
            (Some(p), _, _) => Some(ReportSource::File(p.clone())),
            (None, Some(p), _) => Some(ReportSource::Rules(p.clone())),
            (None, None, Some(p)) => Some(ReportSource::History(p.clone())),
            (None, None, None) => None,
        }
    }
}

/// The headless part of the viewer: state and the systems that apply it to entities.
#[derive(Debug, Default)]
pub struct CorePlugin;

impl Plugin for CorePlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins((
            i18n::I18nPlugin,
            load_plugin::LoadPlugin,
            dialog_plugin::FileDialogPlugin,
            scene_plugin::ScenePlugin,
            clash_plugin::ClashPlugin,
            timeline_plugin::TimelinePlugin,
            section_plugin::SectionPlugin,
        ));
    }
}

/// The whole interactive viewer, to add after Bevy's `DefaultPlugins`.
#[derive(Debug, Default)]
pub struct ViewerPlugin;

impl Plugin for ViewerPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins((
            section_plugin::SectionRenderPlugin,
            CorePlugin,
            camera_plugin::CameraPlugin,
            picking_plugin::ClickSelectPlugin,
            ui_plugin::UiPlugin,
            screenshot_plugin::ScreenshotPlugin,
            bcf_plugin::BcfPlugin,
        ));
    }
}

/// Bevy render space from world metres: Z-up to Y-up (`x, y, z` -> `x, z, -y`), relative to the
/// scene origin, the subtraction done in `f64`.
pub fn render_from_world(origin_m: [f64; 3], p: [f64; 3]) -> Vec3 {
    let d = [p[0] - origin_m[0], p[1] - origin_m[1], p[2] - origin_m[2]];
    Vec3::new(d[0] as f32, d[2] as f32, -d[1] as f32)
}

/// The inverse of [`render_from_world`].
pub fn world_from_render(origin_m: [f64; 3], v: Vec3) -> [f64; 3] {
    [origin_m[0] + f64::from(v.x), origin_m[1] - f64::from(v.z), origin_m[2] + f64::from(v.y)]
}

#[cfg(test)]
mod tests;
