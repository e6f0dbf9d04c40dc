//! The model cache flags shared by every command that loads models.

use plumbline_cache::ModelCache;
use std::path::PathBuf;
use std::sync::Arc;

/// Where loaded models are kept for the next run.
#[derive(Debug, Clone, clap::Args)]
pub struct CacheArgs {
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

impl CacheArgs {
    /// The cache these flags ask for; `None` with `--no-cache` or where the platform has no
    /// cache folder and none is named.
    pub fn cache(&self) -> Option<Arc<ModelCache>> {
        ModelCache::chosen(self.no_cache, self.cache_dir.clone()).map(Arc::new)
    }
}
