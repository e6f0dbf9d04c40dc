//! Running a portfolio's sites side by side: up to `jobs` at once, largest first, within the
//! memory budget; one site's failure (even a bug that panics) is that site's result, and the
//! others go on.

use crate::budget::{estimate_bytes, Budget};
use crate::file::PortfolioFile;
use crate::shard::Shard;
use crate::site::{blank, run_site, SiteSettings};
use plumbline_report::SiteResult;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Sites at once (at least 1).
    pub jobs: usize,
    /// The memory the sites running at once may use together (see [`crate::budget`]).
    pub budget_bytes: u64,
    /// Run only this shard's sites.
    pub shard: Option<Shard>,
    pub settings: SiteSettings,
}

/// Listens to a batch; called from the worker threads.
pub trait BatchObserver: Sync {
    /// `sites` sites are about to run.
    fn started(&self, _sites: usize) {}
    /// A site finished (or failed) after `elapsed`, with the warnings of its run.
    fn site_done(&self, _result: &SiteResult, _warnings: &[String], _elapsed: Duration) {}
}

/// A batch observer that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuietBatch;

impl BatchObserver for QuietBatch {}

/// The indices of the sites this invocation runs: the shard's, else every site.
pub fn selected(file: &PortfolioFile, shard: Option<Shard>) -> Vec<usize> {
    match shard {
        Some(s) => s.select(&file.sites),
        None => (0..file.sites.len()).collect(),
    }
}

/// Runs the selected sites and returns their results in portfolio order.
pub fn run_batch(
    file: &PortfolioFile,
    options: &BatchOptions,
    observer: &dyn BatchObserver,
) -> Vec<SiteResult> {
    let mut order = selected(file, options.shard);
    // Largest first: the long sites start early and the small ones fill in beside them, so
    // the batch ends soon after its largest site.
    order.sort_by(|&a, &b| {
        let (a, b) = (&file.sites[a], &file.sites[b]);
        b.model_bytes.cmp(&a.model_bytes).then_with(|| a.name.cmp(&b.name))
    });
    observer.started(order.len());
    let queue = Mutex::new(order.into_iter().collect::<VecDeque<usize>>());
    let results = Mutex::new(Vec::new());
    let budget = Budget::new(options.budget_bytes);
    let next = || queue.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                while let Some(i) = next() {
                    let site = &file.sites[i];
                    let _memory = budget.reserve(estimate_bytes(site.model_bytes));
                    let started = Instant::now();
                    let (result, warnings) =
                        catch_unwind(AssertUnwindSafe(|| run_site(site, &options.settings)))
                            .unwrap_or_else(|panic| (crashed(site, panic.as_ref()), Vec::new()));
                    observer.site_done(&result, &warnings, started.elapsed());
                    results.lock().unwrap_or_else(PoisonError::into_inner).push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The result of a site whose run panicked: failed, with the panic's message, so that a bug
/// met on one model costs that site and not the programme.
fn crashed(site: &crate::file::Site, panic: &(dyn std::any::Any + Send)) -> SiteResult {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    SiteResult {
        error: Some(format!("internal error while running the site (please report it): {message}")),
        ..blank(site)
    }
}
