//! What the user asked for on the command line (or by opening files since).

use crate::state::camera::StandardView;
use crate::state::clash::ReportSource;
use crate::state::i18n::Lang;
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
    pub lang: Option<Lang>,
    /// Select this element (GlobalId) once loaded.
    pub select: Option<String>,
    /// Focus this clash (its id, or its position in the report counting from 0) once loaded.
    pub focus_clash: Option<String>,
    /// Show the 4D state at this date (YYYY-MM-DD) once loaded.
    pub date: Option<String>,
    /// Ghost everything but the selection.
    pub xray: bool,
    /// Open on this standard view instead of the default corner.
    pub view: Option<StandardView>,
    /// Select the elements of this 4D task (its id, else its name) once loaded.
    pub select_task: Option<String>,
    /// IFC classes to hide at start, as unticking them in the model tree does.
    pub hide_classes: Vec<String>,
    /// Show only this storey once loaded, as *Isolate* in the model tree does.
    pub isolate_storey: Option<String>,
    /// The clash history (`plumbline clash --db`): statuses are read from it, and statuses and
    /// comments set in the viewer are written to it.
    pub db: Option<PathBuf>,
    /// The history project whose clashes are reviewed (`--project`): needed where several
    /// projects share clash ids (sites built from one template).
    pub project: Option<String>,
    /// Who statuses and comments are recorded as (default: `$USER`).
    pub user: Option<String>,
    /// Export the focused clash's group to this BCF file, with the view as its snapshot, once
    /// the model is shown, then exit (like `screenshot`).
    pub bcf_out: Option<PathBuf>,
    /// Pick (as a click would) at this window position in logical pixels once the model is
    /// shown, print the ray cast's time and select the hit.
    pub pick_at: Option<Vec2>,
    /// Measure the minimum distance between these two elements (GlobalIds) once loaded, print
    /// `distance_m=…`, and exit (after the screenshot when one is asked for).
    pub measure: Option<(String, String)>,
    /// Open the Search tab with this text searched (`--search`).
    pub search: Option<String>,
    /// Colour the elements by this instead of their class (`--colour-by`).
    pub colour_by: Option<crate::state::colour::ColourBy>,
    /// Open this saved viewpoint (by name) once loaded (`--viewpoint`).
    pub viewpoint: Option<String>,
    /// Export every saved viewpoint to this BCF file, each with its snapshot, then exit
    /// (`--export-views`).
    pub export_views: Option<PathBuf>,
    /// Start with the section box on, at this world box (metres).
    pub section_box: Option<plumbline_model::Aabb>,
    /// Where loaded models are kept for the next opening (`None`: every model is loaded from
    /// its file).
    pub model_cache: Option<std::sync::Arc<plumbline_cache::ModelCache>>,
    /// Draw instanced, in merged batches, or whichever the device can bind (`--batches`).
    pub batches: crate::state::batch::BatchMode,
}

impl ViewerConfig {
    /// Whether there is anything to load: models, or clashes to review without them.
    pub fn has_input(&self) -> bool {
        !self.models.is_empty() || self.clashes.is_some() || self.db.is_some()
    }

    /// Where the reviewed clashes come from: the report file, else the rule matrix (run on
    /// the models), else the history's open clashes.
    pub fn report_source(&self) -> Option<ReportSource> {
        match (&self.clashes, &self.rules, &self.db) {
            (Some(p), _, _) => Some(ReportSource::File(p.clone())),
            (None, Some(p), _) => Some(ReportSource::Rules(p.clone())),
            (None, None, Some(p)) => Some(ReportSource::History(p.clone())),
            (None, None, None) => None,
        }
    }
}
