//! IFC loading for Plumbline: bytes in, [`plumbline_model::Model`] and diagnostics out.
//!
//! **Architecture invariant:** this is the only crate that knows ifc-lite. Everything ifc-lite
//! returns is turned into plain model types here, so an ifc-lite upgrade (its API breaks often;
//! it is pinned exactly) touches this crate alone.
//!
//! How a file is loaded:
//! 1. [`read`]: the file is read (`.ifczip` unpacked, with a size cap) and its STEP header
//!    checked, so a file that is not IFC is a clear error naming the file and line.
//! 2. On a worker thread, ifc-lite's geometry pass (`ifc_lite_processing::process`, split into
//!    parts that run side by side on a pool of several threads: `geometry.rs`) and the data
//!    model extraction (properties, relations, spatial tree) run side by side on rayon, on the
//!    caller's pool or one as large (`pool.rs`). [`load_set`] loads a few files at once.
//!    The caller waits at most [`LoadOptions::time_limit`]: past it the cancel flag is raised and
//!    the load fails with [`LoadError::TimedOut`] (one IFC2X file in the corpus makes the
//!    tessellator loop forever; the abandoned thread ends with the process).
//!    Before this step, with [`LoadOptions::cache`], the bytes' key is looked up: a hit returns
//!    the cached model (same bytes, same [`LOADER_REVISION`]) and skips this step and the next;
//!    after a miss the loaded model is written to the cache.
//!    With a [`MeshScope`] for the file ([`LoadOptions::mesh_scopes`]) only the products it
//!    asks for are tessellated (the scan finds them by class and type object first); the cache
//!    serves such a load from an entry of the whole file or of the same scope.
//!    With [`LoadOptions::exact_solids`], `analytic.rs` reads beside them the exact solid (`Element::solid`) of each physical
//!    product whose body is one straight extrusion of a rectangle, circle, ring or convex
//!    polygon, or one disk swept along a straight segment, with ifc-lite's analytic extractors.
//!    The solids of the products to be meshed (all of a whole load's, the chosen ones of a
//!    scoped load) are read first, and those products are not tessellated: their meshes are
//!    the solids' `to_mesh()`, so an element has the same triangles in every load.
//! 3. [`build`]: meshes, moved from ifc-lite's frame into world coordinates as each batch comes
//!    (`origin + vertex` then the frame's site rotation and translation), are attached to
//!    elements with their properties, type, storey, materials and relations. An element whose
//!    geometry fails is reported in `Model::failures` and the rest of the model loads. The
//!    file and its index are let go before the elements are built, the largest allocation.

mod analytic;
mod build;
pub mod coverings;
mod error;
mod geometry;
mod ids;
mod index;
mod missing;
mod pool;
mod read;
pub mod schedule;
mod semantics;
mod set;
mod text;

pub use error::LoadError;
pub use set::load_set;

use plumbline_model::{MeshScope, Model};
use pool::Pool;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// How to load a file.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Longest one file may take before it is stopped with [`LoadError::TimedOut`].
    pub time_limit: Duration,
    /// Largest `.ifc` accepted from inside an `.ifczip` (a guard against zip bombs).
    pub max_unzipped_bytes: u64,
    /// Longest run of bytes without a `;` (the STEP record terminator) accepted. Parsing
    /// amplifies one giant record several times over in memory (a 2 GiB name took 14.7 GB), so
    /// a file with a longer one is refused with [`LoadError::RecordTooLong`] instead of being
    /// killed for lack of memory. The largest real records (point lists of big meshes) are
    /// tens of megabytes.
    pub max_record_bytes: u64,
    /// Where a caller on another thread reads how far the file being loaded has come (a
    /// progress bar); `None` when nobody watches.
    pub progress: Option<Arc<LoadProgress>>,
    /// Where loaded models are kept for the next run (see [`plumbline_cache`]): a file whose
    /// bytes this build has loaded before comes back from the cache without being parsed or
    /// tessellated, and a freshly loaded one is written to it. `None` (the default) loads every
    /// file from scratch. Cache trouble never fails a load; it leaves notes in the cache.
    pub cache: Option<Arc<plumbline_cache::ModelCache>>,
    /// Files whose elements need not all be tessellated, with what they need (a clash run
    /// tessellates what its tests select, as IfcClash does); files not listed get every
    /// element's geometry. Keyed by the path as given to [`load_file`] or [`load_set`]. The
    /// loaded model says what it holds in [`Model::mesh_scope`].
    pub mesh_scopes: HashMap<PathBuf, MeshScope>,
    /// Whether to read each element's exact solid (`Element::solid`: a body that is one
    /// straight extrusion of a rectangle, circle, ring or convex polygon, or one disk swept
    /// along a straight segment), which the clash engine measures instead of its triangles.
    /// On by default: products with a solid are then not tessellated, their meshes are the
    /// solids' own ([`plumbline_model::Solid::to_mesh`]), which costs a fraction of ifc-lite's
    /// tessellation. Off, every product is tessellated by ifc-lite and no solid is read (the
    /// tests that hold solids against ifc-lite's meshes). Cached entries are kept apart by
    /// this choice ([`plumbline_cache::CacheKey::with_solids`]).
    pub exact_solids: bool,
    /// Where a load leaves the file's work schedule, for the run that looks for a schedule next
    /// (the clash triage, 4D), which then does not read and scan the file again: read from the
    /// load's own scan, or, for a model from the model cache, from the file's bytes beside the
    /// entry's decoding. `None` (the default) reads no schedule.
    pub schedules: Option<Arc<schedule::ScheduleShelf>>,
}

/// The revision of the loader, the model types and the cache format (a hash of their sources
/// and of `Cargo.lock`, made by `build.rs`): cached models are only read back by the same one.
pub const LOADER_REVISION: &str = env!("PLUMBLINE_LOADER_REVISION");

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            time_limit: Duration::from_secs(120),
            max_unzipped_bytes: 4 << 30,
            max_record_bytes: 256 << 20,
            progress: None,
            cache: None,
            mesh_scopes: HashMap::new(),
            exact_solids: true,
            schedules: None,
        }
    }
}

/// How far the geometry of the file being loaded has come, shared with a watching thread: the
/// products meshed, those with an exact solid as their solids are read, then those ifc-lite
/// tessellates, which it reports batch by batch (a few thousand elements each), so this moves
/// smoothly on large models and jumps on small ones.
#[derive(Debug, Default)]
pub struct LoadProgress {
    done: AtomicU64,
    total: AtomicU64,
}

impl LoadProgress {
    /// Fraction of the current file's products meshed, 0 to 1 (0 before the geometry starts).
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.done.load(Ordering::Relaxed) as f64 / total as f64).clamp(0.0, 1.0) as f32
    }

    pub(crate) fn set(&self, done: usize, total: usize) {
        self.total.store(total as u64, Ordering::Relaxed);
        self.done.store(done as u64, Ordering::Relaxed);
    }

    /// Counts `done` more of the total (the parts of one file report side by side).
    pub(crate) fn add(&self, done: usize) {
        self.done.fetch_add(done as u64, Ordering::Relaxed);
    }

    /// Shows what `other` shows (the file of a set that a watcher is told about).
    pub(crate) fn copy_from(&self, other: &LoadProgress) {
        self.total.store(other.total.load(Ordering::Relaxed), Ordering::Relaxed);
        self.done.store(other.done.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

/// A new file starts from zero, whatever the last one reached or however this one ends.
fn restart_progress(options: &LoadOptions) {
    if let Some(p) = &options.progress {
        p.set(0, 0);
    }
}

/// Loads one `.ifc` or `.ifczip` file (from the cache when [`LoadOptions::cache`] holds it).
/// The parallel work runs on the caller's rayon pool, or on as many threads when the caller
/// is inside a pool of its own.
pub fn load_file(path: &Path, options: &LoadOptions) -> Result<Model, LoadError> {
    load_file_in(path, options, &caller_pool(path)?)
}

/// Loads a model from STEP bytes already in memory; `path` names it in messages and results.
pub fn load_bytes(path: &Path, bytes: Vec<u8>, options: &LoadOptions) -> Result<Model, LoadError> {
    let started = Instant::now();
    restart_progress(options);
    load_cached(path, bytes, options, &caller_pool(path)?, started)
}

/// The pool for a load asked for on the calling thread, or the error that names `path`.
fn caller_pool(path: &Path) -> Result<Pool, LoadError> {
    Pool::of_caller().map_err(|e| LoadError::Internal {
        path: path.into(),
        message: format!("cannot start the loader's threads: {e}"),
    })
}

/// [`load_file`] on a given pool.
pub(crate) fn load_file_in(path: &Path, options: &LoadOptions, pool: &Pool) -> Result<Model, LoadError> {
    let started = Instant::now();
    restart_progress(options);
    let bytes = read::read_model_bytes(path, options.max_unzipped_bytes)?;
    load_cached(path, bytes, options, pool, started)
}

/// The model of `bytes`: from the cache on a hit, else loaded and then cached.
fn load_cached(
    path: &Path,
    bytes: Vec<u8>,
    options: &LoadOptions,
    pool: &Pool,
    started: Instant,
) -> Result<Model, LoadError> {
    let scope = options.mesh_scopes.get(path).cloned().unwrap_or(MeshScope::Everything);
    let mut model = match &options.cache {
        Some(cache) => {
            let whole = plumbline_cache::CacheKey::of(&bytes, LOADER_REVISION);
            let whole = if options.exact_solids { whole.with_solids() } else { whole };
            let scoped = whole.scoped(&scope);
            // An entry of the whole file serves every scope; one of this scope, this scope.
            // The cache decodes and encodes on every thread of the pool it runs on.
            let get = || {
                cache
                    .get(&whole, LOADER_REVISION)
                    .or_else(|| (scoped != whole).then(|| cache.get(&scoped, LOADER_REVISION)).flatten())
                    .filter(|m| m.mesh_scope.covers(&scope))
            };
            // A model from the cache is not scanned, so the schedule a caller asked for is read
            // from the bytes beside the entry's decoding, when there is an entry to decode (a
            // miss leaves it to the load's own scan); a file without a task is not scanned for
            // one, as a run looking for a schedule skips it.
            let shelf = options.schedules.as_ref().filter(|_| cache.holds(&whole) || cache.holds(&scoped));
            let read_schedule = || match schedule::holds_task_keyword(&bytes) {
                true => schedule::read_schedule_bytes(path, &bytes),
                false => Ok(schedule::no_tasks(path)),
            };
            let (hit, schedule) = pool.install(|| rayon::join(get, || shelf.map(|_| read_schedule())));
            match hit {
                Some(mut model) => {
                    model.path = path.display().to_string();
                    if let Some(p) = &options.progress {
                        p.set(1, 1);
                    }
                    if let (Some(shelf), Some(read)) = (shelf, schedule) {
                        shelf.put_read(path, read);
                    }
                    model
                }
                None => {
                    let model = load_bytes_inner(path, bytes, options, &scope, pool)?;
                    pool.install(|| cache.put(&scoped, LOADER_REVISION, &model));
                    model
                }
            }
        }
        None => load_bytes_inner(path, bytes, options, &scope, pool)?,
    };
    model.load_secs = started.elapsed().as_secs_f64();
    Ok(model)
}

/// The class name as the IFC schemas spell it (`ifcductsegment` -> `IfcDuctSegment`), or `None`
/// when no supported schema declares it. Used to reject typos in selectors with a clear error.
pub fn canonical_class_name(name: &str) -> Option<String> {
    use ifc_lite_core::SchemaVersion as V;
    let known = [V::Ifc4x3, V::Ifc4, V::Ifc2x3, V::Ifc4x2, V::Ifc4x1]
        .into_iter()
        .any(|v| v.entity_info(name).is_some());
    // ifc-lite's merged type universe spells every class of every bundled schema.
    known.then(|| ifc_lite_core::IfcType::from_str(name).name().to_string())
}

/// What an element of `class` would be in a file of `schema` (its `FILE_SCHEMA` label):
/// physical, space, opening or virtual; `None` for classes that are not elements (storeys,
/// annotations, structural analysis items, ports) or names the schema does not declare.
pub fn role_of_class(schema: &str, class: &str) -> Option<plumbline_model::Role> {
    read::schema_family(schema).and_then(|family| semantics::role_of(family, class))
}

fn load_bytes_inner(
    path: &Path,
    bytes: Vec<u8>,
    options: &LoadOptions,
    scope: &MeshScope,
    pool: &Pool,
) -> Result<Model, LoadError> {
    let header = read::check_header(path, &bytes)?;
    read::check_record_lengths(path, &bytes, options.max_record_bytes)?;
    let cancel = Arc::new(AtomicBool::new(false));
    let progress = options.progress.clone();
    let (tx, rx) = mpsc::channel();
    let worker_cancel = cancel.clone();
    let worker_path = path.to_path_buf();
    let worker_scope = scope.clone();
    let exact_solids = options.exact_solids;
    let schedules = options.schedules.clone();
    let worker_pool = pool.clone();
    let spawned = std::thread::Builder::new().name("plumbline-ifc-load".into()).spawn(move || {
        // A panic inside the tessellator must not take the program down: it becomes an error
        // (rayon hands a panic of a pool's thread back to the thread that waits on it).
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            worker_pool.install(|| {
                let asked =
                    build::Asked { scope: &worker_scope, exact_solids, schedules: schedules.as_deref() };
                build::load(&worker_path, bytes, &header, asked, worker_cancel, progress)
            })
        }));
        let _ignored_if_caller_gave_up = tx.send(outcome);
    });
    if let Err(e) = spawned {
        return Err(LoadError::Internal {
            path: path.into(),
            message: format!("cannot start a thread: {e}"),
        });
    }
    match rx.recv_timeout(options.time_limit) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(LoadError::Internal { path: path.into(), message: panic_message(&panic) }),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            cancel.store(true, Ordering::Relaxed);
            Err(LoadError::TimedOut { path: path.into(), limit: options.time_limit })
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(LoadError::Internal { path: path.into(), message: "the loader thread stopped".into() })
        }
    }
}

pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}
