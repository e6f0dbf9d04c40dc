//! Loading state: what a load produces, how far the running one has come, and the requests to
//! open more files.

use crate::state::scene::PreparedScene;
use crate::state::timeline::TimelineIndex;
use bevy::prelude::*;
use plumbline_model::ModelSet;
use plumbline_review::Report;
use plumbline_schedule::Schedule;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Everything a load produces, handed to the main thread in one piece.
#[derive(Debug)]
pub struct LoadOutput {
    pub set: ModelSet,
    /// Files that could not be read, as messages naming the file.
    pub errors: Vec<String>,
    pub scene: PreparedScene,
    pub report: Option<Result<Report, String>>,
    /// The schedule with its element links indexed, when one was given or the models hold one.
    pub schedule: Option<Result<LoadedSchedule, String>>,
    pub load_secs: f64,
}

/// A schedule a load found, its links to the loaded elements indexed on the loading thread.
#[derive(Debug)]
pub struct LoadedSchedule {
    pub schedule: Schedule,
    pub index: TimelineIndex,
}

/// Where loading stands.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub enum LoadPhase {
    /// Nothing asked for.
    #[default]
    Idle,
    Loading,
    /// Loaded and spawned, after this many seconds.
    Done {
        secs: f64,
    },
}

/// What the loading thread is doing, for the progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStage {
    /// Reading and tessellating the IFC files.
    Models,
    /// Building render meshes.
    Meshes,
    /// Reading the 4D schedule.
    Schedule,
    /// Reading the clash report or history, or running the rule matrix's tests.
    Clashes,
}

impl LoadStage {
    const ALL: [LoadStage; 4] =
        [LoadStage::Models, LoadStage::Meshes, LoadStage::Schedule, LoadStage::Clashes];
}

/// How far the loading thread has come, shared with the main thread while it runs.
#[derive(Debug, Default)]
pub struct LoadWatch {
    /// Files finished so far.
    pub files_done: AtomicUsize,
    /// The geometry of the file being loaded.
    pub geometry: Arc<plumbline_ifc::LoadProgress>,
    stage: AtomicU8,
}

impl LoadWatch {
    pub fn stage(&self) -> LoadStage {
        LoadStage::ALL
            .get(usize::from(self.stage.load(Ordering::Relaxed)))
            .copied()
            .unwrap_or(LoadStage::Models)
    }

    /// Moves the progress line to `stage` (the loading thread calls it).
    pub fn enter(&self, stage: LoadStage) {
        self.stage.store(stage as u8, Ordering::Relaxed);
    }
}

/// The running load, if any, and its progress.
#[derive(Resource, Debug, Default)]
pub struct LoadState {
    pub phase: LoadPhase,
    pub files_total: usize,
    /// Progress, updated by the loading thread.
    pub watch: Arc<LoadWatch>,
    pub started: Option<Instant>,
}

impl LoadState {
    /// Fraction of the models loaded, the file in progress counted by its geometry, for the
    /// progress bar.
    pub fn progress(&self) -> f32 {
        if self.files_total == 0 {
            return 0.0;
        }
        let done = self.watch.files_done.load(Ordering::Relaxed).min(self.files_total);
        let current = if done < self.files_total { self.watch.geometry.fraction() } else { 0.0 };
        (done as f32 + current) / self.files_total as f32
    }
}

/// Asks for files to be opened (from the Open box or dropped on the window).
#[derive(Message, Debug, Clone, PartialEq)]
pub struct OpenFiles(pub Vec<PathBuf>);

/// What the last open asked for and could not do, shown in the tool bar.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct OpenFeedback {
    pub errors: Vec<String>,
}

/// Extensions of the models the viewer opens (lower case).
pub const MODEL_EXTENSIONS: &[&str] = &["ifc", "ifczip"];
/// Extensions of the clash results it opens: report, rule matrix, history.
pub const CLASH_EXTENSIONS: &[&str] = &["json", "toml", "db"];
/// Extensions of the schedules it opens (an IFC model may hold one too).
pub const SCHEDULE_EXTENSIONS: &[&str] = &["xml", "xer", "csv"];

/// Asks for the native Open dialog.
#[derive(Message, Debug, Clone, Copy, Default)]
pub struct BrowseFiles;

/// A finished load waiting to be put into the world. The loading plugin hands it over; in
/// [`PreUpdate`], along the [`InstallStep`]s, each feature takes its part (the scene its models
/// and meshes, clash review the report, 4D the schedule) and the last step clears it.
#[derive(Resource, Debug, Default)]
pub struct PendingLoad(pub Option<LoadOutput>);

impl PendingLoad {
    /// Whether a load is waiting: the run condition of every install step.
    pub fn waiting(pending: Res<PendingLoad>) -> bool {
        pending.0.is_some()
    }
}

/// The order in which a finished load is installed (in [`PreUpdate`], one after the other in
/// the same frame): each step sees what the ones before it installed.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstallStep {
    /// The loading thread's result arrives in [`PendingLoad`].
    Receive,
    /// The models become entities (the scene).
    Scene,
    /// `--select` and `--storey` pick out of the new scene.
    Select,
    /// The clash report, with the history's statuses and `--focus-clash`.
    Clashes,
    /// The 4D schedule, at `--date`.
    Schedule,
    /// `--select-task`, and the load is marked done.
    Finish,
}
