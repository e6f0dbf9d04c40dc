//! The branch programme in one command (`plumbline batch`): a portfolio file lists the sites
//! (models, rules, schedule, region, project); each site's rule matrix runs through the clash
//! pipeline, is recorded in the history under the site's project and writes its reports under
//! `OUT/<site>/`; then the portfolio report sums up every site, worst first.
//!
//! **Stages.** [`PortfolioFile::read`] checks the whole file before anything runs.
//! [`run_batch`] runs the sites side by side (up to `jobs`, within the memory [`budget`]),
//! each through [`run_site`]. A whole run ends in [`write_portfolio`]; a shard
//! ([`Shard`], `--shard I/N`) writes `shard-I.json` ([`write_shard`]) and [`merge`] later
//! combines the shards into the same portfolio, byte for byte.
//!
//! **Failures.** A site that cannot run (a missing model, bad rules, a broken file) is a
//! [`plumbline_report::SiteOutcome::Failed`] result with its reason; the batch goes on. Only a
//! broken portfolio file, or shards that do not belong together, are [`BatchError`]s.
//!
//! **Determinism.** A site's results do not depend on which sites ran beside it or in what
//! order; the portfolio is sorted worst first with ties by name; shards are assigned from the
//! portfolio alone. Scheduling engines (Kubernetes, Slurm) run the shards; this crate never
//! schedules across machines itself.

pub mod budget;
mod error;
mod file;
mod output;
mod run;
mod shard;
mod site;

pub use error::BatchError;
pub use file::{PortfolioFile, Site, DEFAULT_NEEDED_WITHIN_DAYS};
pub use output::{
    merge, shard_file_name, write_portfolio, write_shard, ShardFile, PORTFOLIO_HTML, PORTFOLIO_JSON,
    PORTFOLIO_XLSX,
};
pub use run::{run_batch, selected, BatchObserver, BatchOptions, QuietBatch};
pub use shard::Shard;
pub use site::{run_site, SiteReport, SiteSettings};
