//! Loading models, the clash report and the schedule off the main thread.
//!
//! A load runs on its own thread: `plumbline_ifc::load_set` (which already spreads one file over
//! every core), then the render meshes are built there too, so the main thread only adds
//! finished meshes to the asset store and spawns entities. The window keeps drawing the progress
//! bar meanwhile.

use crate::clash_plugin::ReportSource;
use crate::scene_plugin::{prepare_meshes, PreparedScene};
use crate::ViewerConfig;
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use plumbline_model::{ModelSet, Role};
use plumbline_review::Report;
use plumbline_schedule::{Link, Schedule};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Everything a load produces, handed to the main thread in one piece.
#[derive(Debug)]
pub struct LoadOutput {
    pub set: ModelSet,
    /// Files that could not be read, as messages naming the file.
    pub errors: Vec<String>,
    pub scene: PreparedScene,
    pub report: Option<Result<Report, String>>,
    /// The schedule and its element links, when one was given or the models hold one.
    pub schedule: Option<Result<(Schedule, Vec<Link>), String>>,
    pub load_secs: f64,
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

    fn enter(&self, stage: LoadStage) {
        self.stage.store(stage as u8, Ordering::Relaxed);
    }
}

/// The running load, if any, and its progress.
#[derive(Resource, Default)]
pub struct LoadState {
    pub phase: LoadPhase,
    pub files_total: usize,
    /// Progress, updated by the loading thread.
    pub watch: Arc<LoadWatch>,
    pub started: Option<Instant>,
    receiver: Option<Mutex<Receiver<LoadOutput>>>,
}

impl std::fmt::Debug for LoadState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadState")
            .field("phase", &self.phase)
            .field("files_total", &self.files_total)
            .finish()
    }
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

/// Starts loading the configured models at startup and installs the result when it arrives.
#[derive(Debug, Default)]
pub struct LoadPlugin;

impl Plugin for LoadPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LoadState>()
            .init_resource::<ViewerConfig>()
            .init_resource::<OpenFeedback>()
            .add_message::<RequestRedraw>()
            .add_message::<OpenFiles>()
            .add_message::<bevy::window::FileDragAndDrop>()
            .add_systems(Startup, start_configured_load)
            .add_systems(Update, (files_dropped, open_files).chain())
            .add_systems(PreUpdate, poll_load.run_if(|s: Res<LoadState>| s.phase == LoadPhase::Loading));
    }
}

fn start_configured_load(config: Option<Res<ViewerConfig>>, mut state: ResMut<LoadState>) {
    let Some(config) = config else { return };
    if config.has_input() {
        start_load(&mut state, (*config).clone());
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

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// Adds files to what the viewer shows, by kind: IFC models join the federated set, a `.json`
/// is the clash report, a `.db` the clash history, a `.toml` the clash rules whose tests run on
/// the models, and a schedule (`.xml`, `.xer`, `.csv`)
/// the 4D schedule. Returns one message per file it cannot use.
pub fn add_files(config: &mut ViewerConfig, paths: &[PathBuf]) -> Vec<String> {
    let mut errors = Vec::new();
    for path in paths {
        let ext = extension(path);
        match ext.as_str() {
            e if MODEL_EXTENSIONS.contains(&e) => {
                if !config.models.contains(path) {
                    config.models.push(path.clone());
                }
            }
            "json" => config.clashes = Some(path.clone()),
            "db" => config.db = Some(path.clone()),
            e if SCHEDULE_EXTENSIONS.contains(&e) => config.schedule = Some(path.clone()),
            "toml" => config.rules = Some(path.clone()),
            "bcf" | "bcfzip" => errors.push(format!(
                "{}: BCF reviews go into the clash history with `plumbline bcf import`",
                path.display()
            )),
            _ => errors.push(format!(
                "{}: not a file the viewer opens (IFC .ifc/.ifczip, clash report .json, history .db, clash rules .toml, schedule .xml/.xer/.csv)",
                path.display()
            )),
        }
    }
    errors
}

fn files_dropped(
    mut drops: MessageReader<bevy::window::FileDragAndDrop>,
    mut open: MessageWriter<OpenFiles>,
) {
    let paths: Vec<PathBuf> = drops
        .read()
        .filter_map(|d| match d {
            bevy::window::FileDragAndDrop::DroppedFile { path_buf, .. } => Some(path_buf.clone()),
            _ => None,
        })
        .collect();
    if !paths.is_empty() {
        open.write(OpenFiles(paths));
    }
}

/// Opens files: the configuration grows and everything is loaded again in the background
/// (the models are one federated set, and the report and schedule refer to all of them).
fn open_files(
    mut requests: MessageReader<OpenFiles>,
    mut config: ResMut<ViewerConfig>,
    mut state: ResMut<LoadState>,
    mut feedback: ResMut<OpenFeedback>,
) {
    let paths: Vec<PathBuf> = requests.read().flat_map(|r| r.0.iter().cloned()).collect();
    if paths.is_empty() {
        return;
    }
    let errors = add_files(&mut config, &paths);
    if *feedback != (OpenFeedback { errors: errors.clone() }) {
        feedback.errors = errors;
    }
    if state.phase == LoadPhase::Loading {
        // The running load finishes first; its result is replaced by the next one.
        warn!("a load is running; the new files load after it");
    }
    if config.has_input() {
        start_load(&mut state, config.clone());
    }
}

/// Starts loading on a background thread.
pub fn start_load(state: &mut LoadState, config: ViewerConfig) {
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = Arc::new(LoadWatch::default());
    state.files_total = config.models.len();
    state.watch = watch.clone();
    state.phase = LoadPhase::Loading;
    state.started = Some(Instant::now());
    state.receiver = Some(Mutex::new(rx));
    let spawned = std::thread::Builder::new().name("plumbline-load".into()).spawn(move || {
        let out = load_now(&config, &watch);
        // The receiver is gone only when the app has exited: nothing to report to.
        let _ = tx.send(out);
    });
    if let Err(e) = spawned {
        error!("cannot start the loading thread: {e}");
        state.phase = LoadPhase::Done { secs: 0.0 };
    }
}

/// Loads everything the configuration names, on the calling thread.
pub fn load_now(config: &ViewerConfig, watch: &LoadWatch) -> LoadOutput {
    let started = Instant::now();
    watch.enter(LoadStage::Models);
    let options = plumbline_ifc::LoadOptions {
        progress: Some(watch.geometry.clone()),
        cache: config.model_cache.clone(),
        ..Default::default()
    };
    let (set, errors) = plumbline_ifc::load_set(&config.models, &options, |_, _| {
        watch.files_done.fetch_add(1, Ordering::Relaxed);
    });
    // Cache trouble costs time, never the model: logged, not shown as a model problem.
    for note in config.model_cache.iter().flat_map(|c| c.take_notes()) {
        warn!("model cache: {note}");
    }
    let mut errors: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    // What loaded only in part is said too: a reviewer must know the picture is incomplete.
    for m in &set.models {
        errors.extend(m.warnings.iter().map(|w| format!("{}: {w}", m.path)));
        if let (Some(summary), Some(first)) = (m.skipped_summary(), m.failures.first()) {
            errors.push(format!(
                "{}: {summary} (first: {} {}: {})",
                m.path, first.class, first.global_id, first.reason
            ));
        }
    }
    watch.enter(LoadStage::Meshes);
    let scene = prepare_meshes(&set);
    watch.enter(LoadStage::Schedule);
    let schedule = read_schedule_for(config, &set);
    watch.enter(LoadStage::Clashes);
    let report = config.report_source().map(|source| match source {
        ReportSource::File(path) => read_report(&path),
        ReportSource::Rules(rules) => {
            let linked = schedule.as_ref().and_then(|s| s.as_ref().ok());
            run_rule_matrix(&rules, config.db.as_deref(), &set, linked)
        }
        ReportSource::History(db) => report_from_history(&db),
    });
    LoadOutput { set, errors, scene, report, schedule, load_secs: started.elapsed().as_secs_f64() }
}

/// Runs the tests of a rule file on the loaded set, as `plumbline clash --config` does: time
/// tests see the 4D schedule when there is one. With a history, the run is recorded in it
/// (clashes found again keep their status; elements that could not be loaded leave their
/// clashes open, not resolved), so reviews written from the viewer land on this run's clashes.
pub fn run_rule_matrix(
    rules_path: &Path,
    db: Option<&Path>,
    set: &ModelSet,
    schedule: Option<&(Schedule, Vec<Link>)>,
) -> Result<Report, String> {
    let rules = plumbline_rules::RuleSet::read(rules_path, &plumbline_ifc::canonical_class_name)
        .map_err(|e| e.to_string())?;
    let index = schedule.map(|(s, links)| plumbline_schedule::SimIndex::for_models(s, links, &set.models));
    let cx = plumbline_rules::RunContext { schedule: index.as_ref(), ..Default::default() };
    let mut report = plumbline_rules::run_report(set, &rules, &cx).map_err(|e| e.to_string())?;
    if let Some(db) = db {
        let mut store = crate::clash_plugin::open_existing(db)?;
        let meta = plumbline_store::RunMeta {
            started_utc: chrono::Utc::now(),
            models: report.models.clone(),
            config: Some(rules_path.display().to_string()),
        };
        store
            .record_partial_run(&mut report, &meta, &plumbline_store::Unchecked::of_set(set))
            .map_err(|e| format!("{}: {e}", db.display()))?;
    }
    Ok(report)
}

/// The open clashes of a clash history, as a report.
pub fn report_from_history(db: &Path) -> Result<Report, String> {
    crate::clash_plugin::open_existing(db)?.open_report().map_err(|e| e.to_string())
}

/// Reads a clash report written by `Report::to_json`.
pub fn read_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Report::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn is_ifc(path: &Path) -> bool {
    MODEL_EXTENSIONS.contains(&extension(path).as_str())
}

/// The schedule as `plumbline schedule` finds it: `--schedule FILE`, or the first model that
/// holds an IFC work schedule; links from the schedule itself plus the link files.
fn read_schedule_for(config: &ViewerConfig, set: &ModelSet) -> Option<Result<(Schedule, Vec<Link>), String>> {
    let schedule =
        match &config.schedule {
            Some(path) => {
                let read = if is_ifc(path) {
                    plumbline_ifc::schedule::read_schedule(path).map_err(|e| e.to_string())
                } else {
                    plumbline_schedule::read_schedule(path).map_err(|e| e.to_string())
                };
                match read {
                    Ok(s) => s,
                    Err(e) => return Some(Err(e)),
                }
            }
            None => config.models.iter().filter(|p| is_ifc(p)).find_map(|p| {
                plumbline_ifc::schedule::read_schedule(p).ok().filter(|s| !s.tasks.is_empty())
            })?,
        };
    Some(
        plumbline_schedule::gather_links(&schedule, &config.links, &set.models)
            .map(|links| (schedule, links))
            .map_err(|e| e.to_string()),
    )
}

/// Number of physical elements, the ones the viewer draws and the 4D engine simulates.
pub fn physical_count(set: &ModelSet) -> usize {
    set.models.iter().map(|m| m.elements.iter().filter(|e| e.role == Role::Physical).count()).sum()
}

fn poll_load(world: &mut World) {
    let received = {
        let mut state = world.resource_mut::<LoadState>();
        let Some(rx) = state.receiver.as_ref() else { return };
        let result = rx.lock().map(|rx| rx.try_recv()).map_err(|_| ());
        match result {
            Ok(Ok(out)) => {
                state.receiver = None;
                Some(out)
            }
            Ok(Err(TryRecvError::Empty)) => None,
            Ok(Err(TryRecvError::Disconnected)) | Err(_) => {
                state.receiver = None;
                state.phase = LoadPhase::Done { secs: 0.0 };
                error!("the loading thread ended without a result");
                return;
            }
        }
    };
    match received {
        Some(out) => install(world, out),
        // Keep frames coming while the loader works, so progress shows and the result is
        // picked up, even in reactive (render on demand) mode.
        None => {
            world.write_message(RequestRedraw);
        }
    }
}

/// Puts a finished load into the world: scene entities, clash report, timeline.
pub fn install(world: &mut World, out: LoadOutput) {
    let LoadOutput { set, errors, scene, report, schedule, load_secs } = out;
    for e in &errors {
        error!("{e}");
    }
    crate::scene_plugin::install_scene(world, set, scene, errors);
    let select = world.get_resource::<ViewerConfig>().and_then(|c| c.select.clone());
    if let Some(gid) = select {
        match world.resource::<crate::scene_plugin::ModelScene>().by_global_id.get(gid.trim()).copied() {
            Some(r) => world.resource_mut::<crate::scene_plugin::Selection>().select_element(Some(r)),
            None => warn!("--select {gid}: no element with this GlobalId"),
        }
    }
    let storey = world.get_resource::<ViewerConfig>().and_then(|c| c.isolate_storey.clone());
    if let Some(wanted) = storey {
        let storeys = world.resource::<crate::scene_plugin::ModelScene>().storeys.clone();
        if storeys.contains_key(wanted.trim()) {
            world
                .resource_mut::<crate::scene_plugin::ViewFilter>()
                .isolate_storey(wanted.trim(), storeys.keys());
        } else {
            let names: Vec<&str> = storeys.keys().map(String::as_str).filter(|s| !s.is_empty()).collect();
            warn!("--storey {wanted}: no such storey (the models have: {})", names.join(", "));
        }
    }
    crate::clash_plugin::install_report(world, report);
    crate::timeline_plugin::install_schedule(world, schedule);
    let task = world.get_resource::<ViewerConfig>().and_then(|c| c.select_task.clone());
    if let Some(wanted) = task {
        let found = world.resource::<crate::timeline_plugin::Timeline>().data.as_ref().and_then(|d| {
            let tasks = &d.schedule.tasks;
            let i = d
                .schedule
                .task_index(wanted.trim())
                .or_else(|| tasks.iter().position(|t| t.name == wanted.trim()))?;
            Some((i, d.task_elements[i].clone()))
        });
        match found {
            Some((i, elements)) => {
                world.resource_mut::<crate::scene_plugin::Selection>().select_task(i, elements)
            }
            None => warn!("--select-task {wanted}: no such task in the schedule"),
        }
    }
    let secs = world.resource::<LoadState>().started.map_or(load_secs, |s| s.elapsed().as_secs_f64());
    let mut state = world.resource_mut::<LoadState>();
    state.phase = LoadPhase::Done { secs };
    info!("loaded in {secs:.2} s (models {load_secs:.2} s)");
    world.write_message(RequestRedraw);
}
