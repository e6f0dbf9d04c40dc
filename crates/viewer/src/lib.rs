//! The Plumbline viewer: Bevy plugins and egui panels over the Plumbline crates.
//!
//! Each feature is a plugin in its own `*_plugin.rs`, with its egui panels beside its systems;
//! `main.rs` only parses arguments and adds [`ViewerPlugin`]. The modules form layers, each
//! using only the ones below it:
//! - [`state`] (bottom): every resource, component, message and type more than one feature
//!   shares (configuration, loaded scene, selection, clash review, timeline, palette, camera
//!   requests, panel slots, UI strings) and the coordinate transform [`render_from_world`].
//!   It imports no plugin.
//! - Helpers that are not plugins: [`meshes`] (render meshes, built off the main thread),
//!   [`priority`] (the threads that yield the cores to a load),
//!   [`widgets`] (egui helpers the panels share) and [`snapshot`] (the view captured as PNG for
//!   BCF).
//! - The plugins. A plugin never imports another plugin: features talk through the resources
//!   and messages of [`state`] (a clash focused in the clash list writes a
//!   [`state::camera::CameraCommand`] the camera plugin follows), a finished load is installed
//!   along [`state::load::InstallStep`] by each feature for its part, and each feature registers
//!   its panels for a [`state::ui::PanelSlot`] that the UI plugin's layout shows.
//! - This file wires the plugins into two layers:
//!   - [`CorePlugin`]: the state a user changes (loaded scene, selection, visibility, x-ray,
//!     clash focus, 4D date) and the systems that turn it into entity visibility and materials.
//!     It needs no window and no GPU, so the tests run it headless with `App::new()` +
//!     `app.update()`.
//!   - [`ViewerPlugin`]: the interactive plugins (camera, picking, egui panels, screenshots) on
//!     top of it, added after Bevy's `DefaultPlugins`.
//!
//! **Architecture invariant:** this crate only uses what the core crates provide
//! (`plumbline_ifc`, `plumbline_review`, `plumbline_schedule`, `plumbline_pipeline` to run a rule
//! matrix, and `plumbline_store` and `plumbline_bcf` for reviews written to the clash history
//! and BCF); no clash, schedule, history or BCF logic lives here. It is the only workspace crate
//! allowed to depend on Bevy and egui.
//!
//! **Coordinates:** the models are Z-up in `f64` world metres; Bevy renders Y-up in `f32`. Every
//! world point goes through [`render_from_world`], which subtracts the scene origin (the centre
//! of all loaded models) in `f64` before rounding, so a model 500 km from its map origin renders
//! without jitter.

pub mod state;

pub mod meshes;
pub mod priority;
pub mod snapshot;
pub mod widgets;

pub mod bcf_plugin;
pub mod camera_plugin;
pub mod clash_plugin;
pub mod colour_plugin;
pub mod dialog_plugin;
pub mod load_plugin;
pub mod measure_plugin;
pub mod picking_plugin;
pub mod redline_plugin;
pub mod scene_plugin;
pub mod screenshot_plugin;
pub mod search_plugin;
pub mod section_plugin;
pub mod timeline_plugin;
pub mod ui_plugin;
pub mod viewpoint_plugin;
pub mod walk_plugin;

pub use state::config::ViewerConfig;
pub use state::coords::{render_from_world, world_from_render};

use bevy::prelude::*;

/// The headless part of the viewer: state and the systems that apply it to entities.
#[derive(Debug, Default)]
pub struct CorePlugin;

impl Plugin for CorePlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins((
            state::StatePlugin,
            load_plugin::LoadPlugin,
            dialog_plugin::FileDialogPlugin,
            scene_plugin::ScenePlugin,
            clash_plugin::ClashPlugin,
            timeline_plugin::TimelinePlugin,
            section_plugin::SectionPlugin,
            measure_plugin::MeasurePlugin,
            search_plugin::SearchPlugin,
            colour_plugin::ColourPlugin,
            redline_plugin::RedlinePlugin,
            viewpoint_plugin::ViewpointPlugin,
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
            viewpoint_plugin::ViewExportPlugin,
            walk_plugin::WalkPlugin,
            priority::PriorityPlugin,
        ));
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_batches;
#[cfg(test)]
mod tests_pick;
#[cfg(test)]
mod tests_review;
#[cfg(test)]
mod tests_tools;
#[cfg(test)]
mod tests_view_state;
#[cfg(test)]
mod tests_viewpoints;
#[cfg(test)]
mod tests_walk;
