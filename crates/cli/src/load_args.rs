//! The loading flags shared by every command that loads models: the time limit and the model
//! cache, checked and turned into [`LoadOptions`] in one place.

use plumbline_cache::ModelCache;
use plumbline_ifc::LoadOptions;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How models are loaded.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Stop loading a file after this many seconds.
    #[arg(long, default_value_t = 120.0)]
    pub time_limit_secs: f64,
    /// Load every model from its file and cache nothing. By default a model whose file this
    /// build has loaded before comes back from the model cache, without parsing or
    /// tessellation (like Navisworks' .nwc files); a changed file is always loaded afresh.
    #[arg(long, env = "PLUMBLINE_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
    /// The model cache's folder [default: $PLUMBLINE_CACHE_DIR, else plumbline/models in the
    /// platform's cache folder, e.g. ~/.cache]. Least recently used entries go past 4 GiB.
    /// --no-cache (or PLUMBLINE_NO_CACHE=1) wins over it.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl LoadArgs {
    /// The load options these flags ask for; a time limit that is not a positive number of
    /// seconds is bad input (it would otherwise panic turning into a `Duration`).
    pub fn options(&self) -> anyhow::Result<LoadOptions> {
        let secs = self.time_limit_secs;
        anyhow::ensure!(
            secs.is_finite() && secs > 0.0 && secs <= 1e9,
            "--time-limit-secs must be a positive number of seconds, got {secs}"
        );
        Ok(LoadOptions {
            time_limit: Duration::from_secs_f64(secs),
            cache: ModelCache::chosen(self.no_cache, self.cache_dir.clone()).map(Arc::new),
            ..Default::default()
        })
    }
}
