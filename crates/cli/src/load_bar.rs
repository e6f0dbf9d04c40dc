//! The terminal's progress line while models load: which file, and how much of all the files'
//! geometry is made, read from [`plumbline_ifc::LoadProgress`] ten times a second. A 476 MB
//! model takes most of a minute; a spinner alone would look hung. Nothing is drawn when stderr
//! is not a terminal (indicatif's rule), so scripts and tests see no bar.

use indicatif::{ProgressBar, ProgressStyle};
use plumbline_ifc::{LoadOptions, LoadProgress};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Steps of the bar per file: the geometry fraction is shown in tenths of a percent.
const STEPS_PER_FILE: u64 = 1000;

/// How often the bar reads the geometry progress.
const READ_PERIOD: Duration = Duration::from_millis(100);

pub struct LoadBar {
    bar: ProgressBar,
    paths: Vec<PathBuf>,
    files_done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
    /// The loads' model cache, whose notes are printed when the bar goes.
    cache: Option<Arc<plumbline_cache::ModelCache>>,
}

impl LoadBar {
    /// A bar for loading `paths` in order; `options` reports its geometry progress into it.
    pub fn new(paths: &[PathBuf], options: &mut LoadOptions) -> LoadBar {
        Self::reading_every(READ_PERIOD, paths, options)
    }

    fn reading_every(period: Duration, paths: &[PathBuf], options: &mut LoadOptions) -> LoadBar {
        let bar = ProgressBar::new(paths.len() as u64 * STEPS_PER_FILE);
        // The template is a constant: it parses.
        if let Ok(style) = ProgressStyle::with_template("{spinner} loading {wide_msg} {percent:>3}%") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        let progress = Arc::new(LoadProgress::default());
        options.progress = Some(progress.clone());
        let files_done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let (bar, files_done, stop) = (bar.clone(), files_done.clone(), stop.clone());
            std::thread::Builder::new()
                .name("load-bar".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let done = files_done.load(Ordering::Relaxed);
                        let current = (f64::from(progress.fraction()) * STEPS_PER_FILE as f64) as u64;
                        bar.set_position(done * STEPS_PER_FILE + current);
                        // Parked rather than asleep, so that `drop` wakes it at once: a plain
                        // sleep made every command wait up to 100 ms after its last file.
                        std::thread::park_timeout(period);
                    }
                })
                .ok()
        };
        let cache = options.cache.clone();
        let this = LoadBar { bar, paths: paths.to_vec(), files_done, stop, ticker, cache };
        this.name(0);
        this
    }

    fn name(&self, i: usize) {
        if let Some(path) = self.paths.get(i) {
            let n = self.paths.len();
            self.bar.set_message(format!("{}/{n} {}", i + 1, path.display()));
        }
    }

    /// Counts file `i` (in the order given) as done, loaded or not, and names the next.
    pub fn loaded(&self, i: usize) {
        self.files_done.store(i as u64 + 1, Ordering::Relaxed);
        self.name(i + 1);
    }

    /// Runs `f` with the bar hidden, for lines printed while loading.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }
}

impl Drop for LoadBar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            t.thread().unpark();
            let _ = t.join();
        }
        self.bar.finish_and_clear();
        // Cache trouble never stops a load, but a cache that never fills should be explained.
        for note in self.cache.iter().flat_map(|c| c.take_notes()) {
            eprintln!("note: model cache: {note}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the reader slept its period out before it saw the stop flag, so every
    /// command waited up to 100 ms after its last file (a third of a small clash run). With a
    /// period of an hour, dropping the bar must still come back at once.
    #[test]
    fn dropping_the_bar_does_not_wait_for_the_next_reading() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut options = LoadOptions::default();
            let bar =
                LoadBar::reading_every(Duration::from_secs(3600), &[PathBuf::from("a.ifc")], &mut options);
            // Let the reader start its wait before the bar goes.
            std::thread::sleep(Duration::from_millis(50));
            drop(bar);
            let _ = tx.send(());
        });
        assert!(
            rx.recv_timeout(Duration::from_secs(30)).is_ok(),
            "dropping the load bar waited for the reader's hour-long period"
        );
    }
}
