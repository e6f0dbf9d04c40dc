//! The rayon pool a load runs on.
//!
//! A load's work runs on a thread of its own (so that a hung tessellator can be abandoned at the
//! time limit), and rayon sends the parallel work of a thread outside every pool to the global
//! pool. A caller that runs inside a pool of its own (`ThreadPoolBuilder::install`, as
//! `plumbline clash --threads N` does) asks for that many threads, so the load gets a pool of
//! the same size; the caller's pool itself cannot be used, because the caller's thread waits
//! for the load and a pool of one would then have no thread left to do it.

use std::sync::Arc;

/// Where a load's parallel work runs.
#[derive(Clone)]
pub(crate) enum Pool {
    /// rayon's global pool: the caller is on no pool's thread.
    Global,
    /// A pool as large as the caller's own.
    Own(Arc<rayon::ThreadPool>),
}

impl Pool {
    /// The pool for a load asked for on the calling thread: the global pool outside every pool,
    /// else a new one with as many threads as the caller's. Fails only when the threads cannot
    /// be started.
    pub(crate) fn of_caller() -> Result<Pool, rayon::ThreadPoolBuildError> {
        if rayon::current_thread_index().is_none() {
            return Ok(Pool::Global);
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("plumbline-load-{i}"))
            .build()
            .map(|pool| Pool::Own(Arc::new(pool)))
    }

    /// Runs `f` with its parallel work on this pool. `f` must not wait for anything that needs a
    /// thread of the pool while it holds one (the loader's time limit is kept outside).
    pub(crate) fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match self {
            Pool::Global => f(),
            Pool::Own(pool) => pool.install(f),
        }
    }

    /// How many threads the pool has.
    pub(crate) fn threads(&self) -> usize {
        match self {
            Pool::Global => rayon::current_num_threads(),
            Pool::Own(pool) => pool.current_num_threads(),
        }
    }
}
