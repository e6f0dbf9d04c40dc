//! Loading models, the clash report and the schedule off the main thread.
//!
//! A load runs on its own thread: `plumbline_ifc::load_set` (which already spreads one file over
//! every core), then the render meshes are built there too, so the main thread only adds
//! finished meshes to the asset store and spawns entities. The models named on the command line
//! start loading before Bevy starts ([`start_before_window`]), beside its renderer and window.
//! The window keeps drawing the progress bar meanwhile. The finished load is handed over in
//! [`PendingLoad`]; each feature installs its part along the [`InstallStep`]s, and this plugin
//! applies the configured selection around them.
//!
//! A rule file and the 4D schedule go through the clash pipeline (`plumbline_pipeline`), the
//! one workflow the CLI runs too: [`run_rule_matrix`] and `find_four_d`.

use crate::meshes::prepare_meshes;
use crate::state::camera::software_adapter;
use crate::state::clash::{open_existing, ReportSource};
use crate::state::config::ViewerConfig;
use crate::state::global_ids::GlobalIds;
use crate::state::load::{
    InstallStep, LoadOutput, LoadPhase, LoadStage, LoadState, LoadWatch, LoadedSchedule, OpenFeedback,
    OpenFiles, PendingLoad, MODEL_EXTENSIONS, SCHEDULE_EXTENSIONS,
};
use crate::state::scene::{ModelScene, Selection, ViewFilter};
use crate::state::spatial::ElementWorld;
use crate::state::timeline::{Timeline, TimelineIndex};
use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy::winit::{EventLoopProxyWrapper, UpdateMode, WinitSettings, WinitUserEvent};
use plumbline_model::{ModelSet, Role};
use plumbline_pipeline::{ClashRequest, FourD, HistoryChoice, Outputs, PipelineError, Plan, Quiet, Tests};
use plumbline_review::Report;
use plumbline_schedule::Schedule;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the running load's result arrives (behind a mutex: a resource must be `Sync`).
#[derive(Resource, Debug, Default)]
pub struct LoadChannel {
    receiver: Option<Mutex<Receiver<LoadOutput>>>,
    waker: Waker,
}

/// Wakes the window's event loop from the loading thread when its result is ready, so the
/// result is installed at once rather than at the next paced frame ([`LOADING_FRAME_INTERVAL`]).
///
/// A slot filled once the event loop exists ([`keep_waker`]): a load started before the window
/// ([`start_before_window`]) holds the slot from the start. Should it finish before the slot is
/// filled, its result is already in the channel, and the first frame's [`poll_load`] (which
/// runs after `Startup`, where the slot is filled) takes it.
#[derive(Clone, Default)]
struct Waker(Arc<Mutex<Option<WakeFn>>>);

/// What wakes the event loop (sends it a user event).
type WakeFn = Box<dyn Fn() + Send>;

impl Waker {
    fn wake(&self) {
        if let Ok(slot) = self.0.lock() {
            if let Some(wake) = slot.as_ref() {
                wake();
            }
        }
    }
}

impl std::fmt::Debug for Waker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Waker")
    }
}

/// How often the window draws while a load runs (the progress bar). On a software renderer a
/// frame of the window costs about a third of a second of the same cores the loader uses: drawn
/// back to back they doubled the load of a 100k-element hall.
pub const LOADING_FRAME_INTERVAL: Duration = Duration::from_secs(1);

/// Starts loading the configured models at startup and installs the result when it arrives.
#[derive(Debug, Default)]
pub struct LoadPlugin;

impl Plugin for LoadPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<LoadState>()
            .init_resource::<LoadChannel>()
            .init_resource::<PendingLoad>()
            .init_resource::<ViewerConfig>()
            .init_resource::<OpenFeedback>()
            .add_message::<RequestRedraw>()
            .add_message::<OpenFiles>()
            .add_message::<bevy::window::FileDragAndDrop>()
            .add_systems(Startup, (keep_waker, start_configured_load).chain())
            .add_systems(Update, ((files_dropped, open_files).chain(), pace_frames_while_loading))
            .add_systems(Last, drop_redraw_requests_while_loading)
            .add_systems(
                PreUpdate,
                (
                    poll_load
                        .in_set(InstallStep::Receive)
                        .run_if(|s: Res<LoadState>| s.phase == LoadPhase::Loading),
                    select_configured.in_set(InstallStep::Select).run_if(PendingLoad::waiting),
                    finish_install.in_set(InstallStep::Finish).run_if(PendingLoad::waiting),
                ),
            );
    }
}

/// Keeps a way to wake the window's event loop (there is none in the headless tests).
fn keep_waker(proxy: Option<Res<EventLoopProxyWrapper>>, channel: Res<LoadChannel>) {
    let Some(proxy) = proxy else { return };
    let proxy = (**proxy).clone();
    let wake = move || {
        // The event loop is gone only when the app is closing: nothing to wake.
        let _ = proxy.send_event(WinitUserEvent::WakeUp);
    };
    if let Ok(mut slot) = channel.waker.0.lock() {
        *slot = Some(Box::new(wake));
    }
}

/// While a load runs the window draws every [`LOADING_FRAME_INTERVAL`] instead of as its
/// settings say (back to back for a screenshot run, on demand otherwise); the settings come
/// back when the load is done. The loading thread wakes the window when it ends.
///
/// On a GPU the window also draws at once on input and when egui asks for a frame. On a
/// software renderer it does not: a frame there costs about a fifth of a second of the cores
/// the loader runs on, and the window's first second (focus, the cursor entering, egui's
/// layout passes asking for the next frame) drew six frames instead of two. Input is kept and
/// answered at the next paced frame.
fn pace_frames_while_loading(
    load: Res<LoadState>,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    settings: Option<ResMut<WinitSettings>>,
    mut saved: Local<Option<WinitSettings>>,
) {
    let Some(mut settings) = settings else { return };
    let loading = load.phase == LoadPhase::Loading;
    if loading && saved.is_none() {
        *saved = Some(settings.clone());
        let paced = loading_update_mode(software_adapter(adapter.as_deref()));
        *settings = WinitSettings { focused_mode: paced, unfocused_mode: paced };
    } else if !loading {
        if let Some(before) = saved.take() {
            *settings = before;
        }
    }
}

/// How the window updates while a load runs: every [`LOADING_FRAME_INTERVAL`], and on a GPU
/// also at once on input (see [`pace_frames_while_loading`]).
fn loading_update_mode(software_renderer: bool) -> UpdateMode {
    if software_renderer {
        UpdateMode::Reactive {
            wait: LOADING_FRAME_INTERVAL,
            react_to_device_events: false,
            // The loading thread's wake-up when it is done.
            react_to_user_events: true,
            react_to_window_events: false,
        }
    } else {
        UpdateMode::reactive(LOADING_FRAME_INTERVAL)
    }
}

/// Whether the requests for another frame are dropped: while a load runs on a software
/// renderer (see [`pace_frames_while_loading`]).
fn drops_redraw_requests(software_renderer: bool, phase: &LoadPhase) -> bool {
    software_renderer && *phase == LoadPhase::Loading
}

/// Drops the requests for another frame made during a paced frame when
/// [`drops_redraw_requests`] says so (egui asks after input and for its layout passes), so the
/// next frame waits for the pace; the loading thread's wake-up is not such a request and still
/// draws at once.
fn drop_redraw_requests_while_loading(
    load: Res<LoadState>,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    redraws: Option<ResMut<Messages<RequestRedraw>>>,
) {
    let software = software_adapter(adapter.as_deref());
    if let (true, Some(mut redraws)) = (drops_redraw_requests(software, &load.phase), redraws) {
        redraws.clear();
    }
}

fn start_configured_load(
    config: Option<Res<ViewerConfig>>,
    mut state: ResMut<LoadState>,
    mut channel: ResMut<LoadChannel>,
) {
    let Some(config) = config else { return };
    // Already running when `main` started it before the window (`start_before_window`).
    if config.has_input() && state.phase != LoadPhase::Loading {
        start_load(&mut state, &mut channel, (*config).clone());
    }
}

/// Starts loading the configured models before the app's plugins are added, so the load runs
/// beside Bevy's start (the renderer's instance and device, the window, the first frame's
/// pipelines: 0.3-0.4 s of one core on a software renderer, more on some GPU drivers) instead
/// of after it. Called by `main` between `App::new` and the plugins; [`LoadPlugin`] then finds
/// the load running and only installs its result. Does nothing without a [`ViewerConfig`] that
/// names something to load.
pub fn start_before_window(app: &mut App) {
    let Some(config) = app.world().get_resource::<ViewerConfig>().filter(|c| c.has_input()).cloned() else {
        return;
    };
    let mut state = LoadState::default();
    let mut channel = LoadChannel::default();
    start_load(&mut state, &mut channel, config);
    app.insert_resource(state).insert_resource(channel);
}

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
    mut channel: ResMut<LoadChannel>,
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
        start_load(&mut state, &mut channel, config.clone());
    }
}

/// Starts loading on a background thread.
pub fn start_load(state: &mut LoadState, channel: &mut LoadChannel, config: ViewerConfig) {
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = Arc::new(LoadWatch::default());
    state.files_total = config.models.len();
    state.watch = watch.clone();
    state.phase = LoadPhase::Loading;
    state.started = Some(Instant::now());
    channel.receiver = Some(Mutex::new(rx));
    let waker = channel.waker.clone();
    let spawned = std::thread::Builder::new().name("plumbline-load".into()).spawn(move || {
        let out = load_now(&config, &watch);
        // The receiver is gone only when the app has exited: nothing to report to.
        let _ = tx.send(out);
        waker.wake();
    });
    if let Err(e) = spawned {
        error!("cannot start the loading thread: {e}");
        state.phase = LoadPhase::Done { secs: 0.0 };
    }
}

/// Loads everything the configuration names, on the calling thread.
///
/// What does not need the loaded models runs beside the load: the models' own schedule is read
/// by their loads from the same scan (or beside a cache entry's decoding), a `--schedule` file
/// on a thread of its own, and the schedule is linked to the models while their render meshes
/// are built. Each stage's time is logged
/// (`load stages: …`), the figures `benches/viewer_scale.sh` reads.
pub fn load_now(config: &ViewerConfig, watch: &LoadWatch) -> LoadOutput {
    let started = Instant::now();
    watch.enter(LoadStage::Models);
    // A schedule in the models is read by their loads, from each load's own scan (or beside a
    // cache entry's decoding); a schedule file named apart is read beside the load.
    let shelf = config.schedule.is_none().then(|| Arc::new(plumbline_ifc::schedule::ScheduleShelf::new()));
    let options = plumbline_ifc::LoadOptions {
        progress: Some(watch.geometry.clone()),
        cache: config.model_cache.clone(),
        // The viewer's clash tests and measurements are the CLI's: the same exact solids.
        exact_solids: true,
        schedules: shelf.clone(),
        ..Default::default()
    };
    let ((set, errors), early_schedule) = std::thread::scope(|s| {
        let schedule = config.schedule.as_deref().and_then(|file| {
            std::thread::Builder::new()
                .name("plumbline-schedule".into())
                .spawn_scoped(s, move || read_schedule_file(file))
                .ok()
        });
        let loaded = plumbline_ifc::load_set(&config.models, &options, |_, _| {
            watch.files_done.fetch_add(1, Ordering::Relaxed);
        });
        (loaded, schedule.and_then(|h| h.join().ok()))
    });
    let models_secs = started.elapsed().as_secs_f64();
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
    // The elements by GlobalId serve the scene and the timeline's links: built once, first
    // on the meshes' side, and handed to the schedule's side, which needs them only after
    // linking.
    let (ids_to_link, ids_for_link) = std::sync::mpsc::sync_channel::<Arc<GlobalIds>>(1);
    let (scene, meshes_secs, (four_d, schedule_secs)) = std::thread::scope(|s| {
        // The schedule's links are indexed for the timeline here too, not on the main thread.
        let (set, shelf) = (&set, shelf.as_deref());
        let linking = move || {
            let t = Instant::now();
            let four_d = match early_schedule {
                Some(found) => link_four_d(found, config, set),
                None => find_four_d(config, set, shelf),
            };
            // Should the meshes' side fail before it sends them, the table is built here.
            let ids = || ids_for_link.recv().unwrap_or_else(|_| Arc::new(GlobalIds::new(set)));
            (with_timeline_index(four_d, set, ids), t.elapsed().as_secs_f64())
        };
        let helper = std::thread::Builder::new().name("plumbline-schedule".into()).spawn_scoped(s, linking);
        let t = Instant::now();
        let ids = Arc::new(GlobalIds::new(set));
        // Refused only when the schedule's thread never started: it then runs below.
        let _ = ids_to_link.send(ids.clone());
        let mut scene = prepare_meshes(set);
        // The element world that picking and walking query, beside the schedule's link too
        // (0.4 s of the main thread's install at 1M elements).
        scene.world = Some(ElementWorld::new(set, scene.origin_m));
        let meshes_secs = t.elapsed().as_secs_f64();
        watch.enter(LoadStage::Schedule);
        let four_d = match helper {
            Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to spare: found and linked here, after the meshes.
            Err(_) => {
                let t = Instant::now();
                let four_d = find_four_d(config, set, shelf);
                (with_timeline_index(four_d, set, || ids.clone()), t.elapsed().as_secs_f64())
            }
        };
        // The schedule's side has let go of its copy by now.
        scene.by_global_id = Some(Arc::try_unwrap(ids).unwrap_or_else(|shared| (*shared).clone()));
        (scene, meshes_secs, four_d)
    });
    let both_secs = started.elapsed().as_secs_f64() - models_secs;
    watch.enter(LoadStage::Clashes);
    let report = config.report_source().map(|source| match source {
        ReportSource::File(path) => read_report(&path),
        ReportSource::Rules(rules) => {
            let linked = four_d.as_ref().and_then(|s| s.as_ref().ok()).map(|(f, _)| f);
            run_rule_matrix(&rules, config.db.as_deref(), config.project.as_deref(), &set, linked)
        }
        ReportSource::History(db) => report_from_history(&db, config.project.as_deref()),
    });
    let schedule = four_d.map(|found| found.map(|(f, index)| LoadedSchedule { schedule: f.schedule, index }));
    let load_secs = started.elapsed().as_secs_f64();
    info!(
        "load stages: models_secs={models_secs:.3} meshes_secs={meshes_secs:.3} schedule_secs={schedule_secs:.3} \
         meshes_and_schedule_secs={both_secs:.3} clashes_secs={:.3} load_thread_secs={load_secs:.3} \
         elements={} meshes={}",
        load_secs - models_secs - both_secs,
        scene.elements.len(),
        scene.meshes.len()
    );
    LoadOutput { set, errors, scene, report, schedule, load_secs }
}

/// A schedule linked to the loaded models, with the timeline's index of it (made with the
/// simulation index the link made: a copy of a few bytes per element, as a rule run still
/// needs the `FourD`). The set's elements by GlobalId are asked for only when there is a
/// schedule.
fn with_timeline_index(
    four_d: Option<Result<FourD, String>>,
    set: &ModelSet,
    ids: impl FnOnce() -> Arc<GlobalIds>,
) -> Option<Result<(FourD, TimelineIndex), String>> {
    four_d.map(|found| {
        found.map(|f| {
            let index = TimelineIndex::with_sim(&f.schedule, &f.links, set, &ids(), f.sim.index().clone());
            (f, index)
        })
    })
}

/// The schedule file named apart from the models (`--schedule`), read without the loaded models.
fn read_schedule_file(file: &Path) -> Result<Option<Schedule>, PipelineError> {
    plumbline_pipeline::find_schedule(Some(file), &[], None)
}

/// Links a schedule read by [`read_schedule_file`] to the loaded models, as `FourD::find` does.
fn link_four_d(
    found: Result<Option<Schedule>, PipelineError>,
    config: &ViewerConfig,
    set: &ModelSet,
) -> Option<Result<FourD, String>> {
    found
        .and_then(|schedule| schedule.map(|s| FourD::new(s, &config.links, set)).transpose())
        .map_err(|e| e.to_string())
        .transpose()
}

/// Runs the tests of a rule file on the loaded set through the clash pipeline, as `plumbline
/// clash --config` does: time tests see the 4D schedule when there is one. With a history, the
/// run is recorded in it (clashes found again keep their status; elements that could not be
/// loaded leave their clashes open, not resolved), so reviews written from the viewer land on
/// this run's clashes. The viewer only records into a history that exists.
pub fn run_rule_matrix(
    rules_path: &Path,
    db: Option<&Path>,
    project: Option<&str>,
    set: &ModelSet,
    four_d: Option<&FourD>,
) -> Result<Report, String> {
    let request = ClashRequest {
        models: set.models.iter().map(|m| PathBuf::from(&m.path)).collect(),
        tests: Tests::RuleFile(rules_path.to_path_buf()),
        schedule: None,
        links: Vec::new(),
        group_by: None,
        history: HistoryChoice::Off,
        fail_on: None,
        today: None,
        project: project.map(str::to_string),
        outputs: Outputs::default(),
        threads: None,
        basis: plumbline_schedule::Basis::Planned,
    };
    let plan = Plan::new(request, &plumbline_ifc::canonical_class_name).map_err(|e| e.to_string())?;
    let mut report = plumbline_pipeline::clash(set, &plan, four_d, &mut Quiet).map_err(|e| e.to_string())?;
    // The 4D triage, as `plumbline clash` does it: the Clashes tab can then list clashes by
    // when the schedule needs them fixed. A schedule without a critical path (a cycle) leaves
    // the clashes untriaged, said in the log; the clash run itself stands.
    if let Some(f) = four_d {
        let today = chrono::Utc::now().date_naive();
        if let Err(e) = plumbline_pipeline::triage(&mut report, f, None, today) {
            bevy::log::warn!("no 4D clash triage: {e}");
        }
    }
    if let Some(db) = db {
        let mut store = open_existing(db)?;
        store.set_project(project);
        plumbline_pipeline::record_in(&mut store, &mut report, Some(rules_path), set, chrono::Utc::now())
            .map_err(|e| format!("{}: {e}", db.display()))?;
    }
    Ok(report)
}

/// The open clashes of a clash history, as a report: of `project`, else of every project.
pub fn report_from_history(db: &Path, project: Option<&str>) -> Result<Report, String> {
    let mut store = open_existing(db)?;
    store.set_project(project);
    store.open_report().map_err(|e| e.to_string())
}

/// Reads a clash report written by `Report::to_json`.
pub fn read_report(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Report::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The 4D schedule as every Plumbline command finds it (the pipeline's one rule): `--schedule
/// FILE`, or the first model that holds an IFC work schedule, linked by the schedule's own
/// links plus the link files. A schedule that cannot be read is an error shown to the user,
/// never silently skipped.
fn find_four_d(
    config: &ViewerConfig,
    set: &ModelSet,
    shelf: Option<&plumbline_ifc::schedule::ScheduleShelf>,
) -> Option<Result<FourD, String>> {
    FourD::find(config.schedule.as_deref(), &config.links, set, shelf).map_err(|e| e.to_string()).transpose()
}

/// Number of physical elements, the ones the viewer draws and the 4D engine simulates.
pub fn physical_count(set: &ModelSet) -> usize {
    set.models.iter().map(|m| m.elements.iter().filter(|e| e.role == Role::Physical).count()).sum()
}

/// [`InstallStep::Receive`]: takes the loading thread's result when it has arrived.
fn poll_load(world: &mut World) {
    let received = {
        let mut channel = world.resource_mut::<LoadChannel>();
        let Some(rx) = channel.receiver.as_ref() else { return };
        let result = rx.lock().map(|rx| rx.try_recv()).map_err(|_| ());
        match result {
            Ok(Ok(out)) => {
                channel.receiver = None;
                Ok(Some(out))
            }
            Ok(Err(TryRecvError::Empty)) => Ok(None),
            Ok(Err(TryRecvError::Disconnected)) | Err(_) => {
                channel.receiver = None;
                Err(())
            }
        }
    };
    match received {
        Ok(Some(out)) => queue_install(world, out),
        // The paced frames show the progress meanwhile (`pace_frames_while_loading`), and the
        // loading thread wakes the window when it is done: no redraw asked for here.
        Ok(None) => {}
        Err(()) => {
            world.resource_mut::<LoadState>().phase = LoadPhase::Done { secs: 0.0 };
            error!("the loading thread ended without a result");
        }
    }
}

/// Hands a finished load to the install steps, which put it into the world (scene entities,
/// clash report, timeline) in [`PreUpdate`], this frame when called before them, else the next.
pub fn queue_install(world: &mut World, out: LoadOutput) {
    for e in &out.errors {
        error!("{e}");
    }
    world.resource_mut::<PendingLoad>().0 = Some(out);
}

/// [`InstallStep::Select`]: `--select` and `--storey` in the newly installed scene.
fn select_configured(world: &mut World) {
    let select = world.get_resource::<ViewerConfig>().and_then(|c| c.select.clone());
    if let Some(gid) = select {
        match world.resource::<ModelScene>().element_by_global_id(gid.trim()) {
            Some(r) => world.resource_mut::<Selection>().select_element(Some(r)),
            None => warn!("--select {gid}: no element with this GlobalId"),
        }
    }
    let storey = world.get_resource::<ViewerConfig>().and_then(|c| c.isolate_storey.clone());
    if let Some(wanted) = storey {
        let storeys = world.resource::<ModelScene>().storeys.clone();
        if storeys.contains_key(wanted.trim()) {
            world.resource_mut::<ViewFilter>().isolate_storey(wanted.trim(), storeys.keys());
        } else {
            let names: Vec<&str> = storeys.keys().map(String::as_str).filter(|s| !s.is_empty()).collect();
            warn!("--storey {wanted}: no such storey (the models have: {})", names.join(", "));
        }
    }
}

/// [`InstallStep::Finish`]: `--select-task` in the newly installed timeline, and the load is done.
fn finish_install(world: &mut World) {
    let Some(out) = world.resource_mut::<PendingLoad>().0.take() else { return };
    let load_secs = out.load_secs;
    let task = world.get_resource::<ViewerConfig>().and_then(|c| c.select_task.clone());
    if let Some(wanted) = task {
        let found = world.resource::<Timeline>().data.as_ref().and_then(|d| {
            let tasks = &d.schedule.tasks;
            let i = d
                .schedule
                .task_index(wanted.trim())
                .or_else(|| tasks.iter().position(|t| t.name == wanted.trim()))?;
            Some((i, d.task_elements[i].clone()))
        });
        match found {
            Some((i, elements)) => world.resource_mut::<Selection>().select_task(i, elements),
            None => warn!("--select-task {wanted}: no such task in the schedule"),
        }
    }
    let secs = world.resource::<LoadState>().started.map_or(load_secs, |s| s.elapsed().as_secs_f64());
    let mut state = world.resource_mut::<LoadState>();
    state.phase = LoadPhase::Done { secs };
    info!("loaded in {secs:.2} s (models {load_secs:.2} s)");
    world.write_message(RequestRedraw);
}

#[cfg(test)]
mod pacing_tests {
    use super::*;

    /// The loading thread takes its copy of the waker when the load starts, which for a load
    /// started before the window is before the event loop exists: filling the slot later must
    /// reach that copy, and waking an empty slot does nothing.
    #[test]
    fn a_waker_filled_after_the_load_started_wakes_the_load_s_copy() {
        use std::sync::atomic::AtomicUsize;
        let channel = LoadChannel::default();
        let loads_copy = channel.waker.clone();
        loads_copy.wake();
        let woken = Arc::new(AtomicUsize::new(0));
        let counter = woken.clone();
        *channel.waker.0.lock().expect("slot") = Some(Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        }));
        loads_copy.wake();
        assert_eq!(woken.load(Ordering::Relaxed), 1, "the wake before the slot was filled did nothing");
    }

    /// On a software renderer a load's window waits for the pace whatever happens to the window;
    /// the loading thread's wake-up (a user event) still draws at once. A GPU draws on input too.
    #[test]
    fn a_load_on_a_software_renderer_draws_only_at_its_pace() {
        let UpdateMode::Reactive {
            wait,
            react_to_device_events,
            react_to_user_events,
            react_to_window_events,
        } = loading_update_mode(true)
        else {
            panic!("a load never draws back to back");
        };
        assert_eq!(wait, LOADING_FRAME_INTERVAL);
        assert!(!react_to_window_events && !react_to_device_events, "input waits for the next paced frame");
        assert!(react_to_user_events, "the load's end is drawn at once");
        assert_eq!(loading_update_mode(false), UpdateMode::reactive(LOADING_FRAME_INTERVAL));

        assert!(drops_redraw_requests(true, &LoadPhase::Loading));
        assert!(!drops_redraw_requests(false, &LoadPhase::Loading), "a GPU draws when egui asks");
        for after in [LoadPhase::Idle, LoadPhase::Done { secs: 1.0 }] {
            assert!(!drops_redraw_requests(true, &after), "{after:?}: the window draws as it asks again");
        }
    }
}
