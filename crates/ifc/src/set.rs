//! Loading the files of a federation side by side.
//!
//! A file's load has serial stretches (reading it, scanning it, assembling the model), so on a
//! pool of several threads a few files load at once and fill each other's gaps; all of them
//! share one pool, so the threads are not oversubscribed. Results and `on_file_done` come in
//! the order the files were given, on the calling thread, whatever order the loads end in.

use crate::pool::Pool;
use crate::{LoadError, LoadOptions, LoadProgress};
use plumbline_model::{Model, ModelSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

/// The most files loaded at once: each holds its bytes and its half-built model until it is
/// done, so the peak memory grows with every file in flight.
const MAX_FILES_AT_ONCE: usize = 4;

/// How often the caller's progress is brought up to date while files load side by side.
const PROGRESS_PERIOD: Duration = Duration::from_millis(50);

/// Loads several files into one federated set, the models in the order of `paths`. On a pool
/// of several threads a few files load at once; `on_file_done` is called on the calling thread
/// once per file, in the order given, as soon as that file and every one before it are done
/// (for progress bars: [`LoadOptions::progress`] shows the first file not yet done). A file
/// that fails is returned in the error list (in file order) and does not stop the others.
pub fn load_set(
    paths: &[PathBuf],
    options: &LoadOptions,
    mut on_file_done: impl FnMut(usize, &Path),
) -> (ModelSet, Vec<LoadError>) {
    let mut set = ModelSet::default();
    let mut errors = Vec::new();
    let mut take = |i: usize, result: Result<Model, LoadError>| {
        match result {
            Ok(model) => set.models.push(model),
            Err(e) => errors.push(e),
        }
        if let Some(path) = paths.get(i) {
            on_file_done(i, path);
        }
    };
    match Pool::of_caller() {
        Err(e) => {
            for (i, path) in paths.iter().enumerate() {
                let message = format!("cannot start the loader's threads: {e}");
                take(i, Err(LoadError::Internal { path: path.clone(), message }));
            }
        }
        Ok(pool) => {
            let at_once = pool.threads().clamp(1, MAX_FILES_AT_ONCE).min(paths.len());
            if at_once <= 1 {
                for (i, path) in paths.iter().enumerate() {
                    take(i, crate::load_file_in(path, options, &pool));
                }
            } else {
                side_by_side(paths, options, &pool, at_once, &mut take);
            }
        }
    }
    (set, errors)
}

/// Loads `paths` on `at_once` threads, handing each result to `take` in file order.
fn side_by_side(
    paths: &[PathBuf],
    options: &LoadOptions,
    pool: &Pool,
    at_once: usize,
    take: &mut dyn FnMut(usize, Result<Model, LoadError>),
) {
    let n = paths.len();
    // Each file reports into its own progress; the caller's mirrors the first not yet done.
    let own_progress: Vec<Option<Arc<LoadProgress>>> =
        (0..n).map(|_| options.progress.as_ref().map(|_| Arc::default())).collect();
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Result<Model, LoadError>)>();
    std::thread::scope(|scope| {
        for k in 0..at_once {
            let tx = tx.clone();
            let (next, own_progress) = (&next, &own_progress);
            let loader = move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                let mut file_options = options.clone();
                file_options.progress = own_progress[i].clone();
                // The tessellator's panics are caught where it runs; this catches the rest, so
                // that one file's bug never takes the others with it.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::load_file_in(path, &file_options, pool)
                }))
                .unwrap_or_else(|panic| {
                    Err(LoadError::Internal { path: path.clone(), message: crate::panic_message(&panic) })
                });
                if tx.send((i, result)).is_err() {
                    break;
                }
            };
            // A thread that cannot be started leaves its files to the others, or to the loop
            // at the end.
            let _started = std::thread::Builder::new()
                .name(format!("plumbline-load-file-{k}"))
                .spawn_scoped(scope, loader);
        }
        drop(tx);
        let mut results: Vec<Option<Result<Model, LoadError>>> = (0..n).map(|_| None).collect();
        let mut reported = 0;
        while reported < n {
            let received = match &options.progress {
                Some(_) => rx.recv_timeout(PROGRESS_PERIOD),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Ok((i, result)) => results[i] = Some(result),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            while let Some(result) = results.get_mut(reported).and_then(Option::take) {
                take(reported, result);
                reported += 1;
            }
            if let (Some(shown), Some(Some(current))) = (&options.progress, own_progress.get(reported)) {
                shown.copy_from(current);
            }
        }
        // Only when no loader thread could be started (or every one stopped): the files that
        // are left load here, in order.
        for i in reported..n {
            let result = results[i].take().unwrap_or_else(|| crate::load_file_in(&paths[i], options, pool));
            take(i, result);
        }
    });
}
