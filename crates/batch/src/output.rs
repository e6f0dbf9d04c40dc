//! What a batch writes: `portfolio.{json,html,xlsx}` for a whole run, `shard-I.json` for a
//! shard, and the merge of every shard's file into the same portfolio, byte for byte.

use crate::error::BatchError;
use crate::file::PortfolioFile;
use crate::shard::Shard;
use plumbline_pipeline::{write_atomically, ReportLang};
use plumbline_report::{Portfolio, SiteResult, PORTFOLIO_SCHEMA_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The portfolio files of a batch's output folder.
pub const PORTFOLIO_JSON: &str = "portfolio.json";
pub const PORTFOLIO_HTML: &str = "portfolio.html";
pub const PORTFOLIO_XLSX: &str = "portfolio.xlsx";

/// One shard's results (`shard-I.json`): enough to merge without the portfolio file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    pub schema_version: u32,
    /// The portfolio's name.
    pub portfolio: String,
    pub needed_within_days: u32,
    pub shard: usize,
    pub shards: usize,
    /// Sites in the whole portfolio (the merge checks the shards cover them all).
    pub sites_total: usize,
    /// The SHA-256 of the portfolio file the shard ran (empty in shard files of earlier
    /// versions): shards of one batch ran the same file.
    #[serde(default)]
    pub portfolio_sha256: String,
    /// The batch's `--run-id` (a Kubernetes Job's uid, a Slurm array's job id): shards of one
    /// batch carry the same, so a shard left in the folder by an earlier run is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// This shard's sites, in portfolio order.
    pub sites: Vec<SiteResult>,
}

/// The file name of shard `index`.
pub fn shard_file_name(index: usize) -> String {
    format!("shard-{index}.json")
}

/// Writes `OUT/shard-I.json`.
pub fn write_shard(
    out: &Path,
    file: &PortfolioFile,
    shard: Shard,
    run_id: Option<&str>,
    sites: Vec<SiteResult>,
) -> Result<PathBuf, BatchError> {
    let shard_file = ShardFile {
        schema_version: PORTFOLIO_SCHEMA_VERSION,
        portfolio: file.name.clone(),
        needed_within_days: file.needed_within_days,
        shard: shard.index,
        shards: shard.count,
        sites_total: file.sites.len(),
        portfolio_sha256: file.sha256.clone(),
        run_id: run_id.map(str::to_string),
        sites,
    };
    let path = out.join(shard_file_name(shard.index));
    let mut text = serde_json::to_string_pretty(&shard_file)
        .map_err(|e| BatchError::Write { path: path.clone(), message: e.to_string() })?;
    text.push('\n');
    write_atomically(&path, text.as_bytes())?;
    Ok(path)
}

/// Writes `portfolio.json`, `portfolio.html` and `portfolio.xlsx` into `out` for `sites`, and
/// returns the portfolio. The JSON goes last: a tool that waits for it finds the others there.
pub fn write_portfolio(
    out: &Path,
    name: &str,
    needed_within_days: u32,
    sites: Vec<SiteResult>,
    lang: ReportLang,
) -> Result<Portfolio, BatchError> {
    let generated = plumbline_pipeline::report_time()?;
    let generated = chrono::DateTime::from_timestamp(generated.unix_seconds(), 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let portfolio = Portfolio::new(name.to_string(), generated, needed_within_days, sites);
    write_atomically(
        &out.join(PORTFOLIO_HTML),
        plumbline_report::portfolio_html(&portfolio, lang).as_bytes(),
    )?;
    write_atomically(&out.join(PORTFOLIO_XLSX), &plumbline_report::portfolio_xlsx(&portfolio, lang)?)?;
    write_atomically(&out.join(PORTFOLIO_JSON), portfolio.to_json().as_bytes())?;
    Ok(portfolio)
}

/// Reads every `shard-*.json` of `dir`, checks that they are shards `0..N` of one portfolio
/// covering each site once, and writes the portfolio as the unsharded run would have.
///
/// With `expect_run_id`, every shard must carry that `--run-id`. Returns the portfolio and the
/// run id the shards carry (`None` when they were run without one, which the caller warns of:
/// a stale shard cannot then be told apart).
pub fn merge(
    dir: &Path,
    lang: ReportLang,
    expect_run_id: Option<&str>,
) -> Result<(Portfolio, Option<String>), BatchError> {
    let fail = |message: String| BatchError::Merge { dir: dir.to_path_buf(), message };
    let entries = std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read the folder: {e}")))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
        })
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(fail(
            "no shard-*.json files: run `plumbline batch … --shard I/N --out DIR` first".into(),
        ));
    }
    let mut shards: Vec<ShardFile> = Vec::with_capacity(paths.len());
    for path in &paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BatchError::Read { path: path.clone(), message: e.to_string() })?;
        let shard: ShardFile = serde_json::from_str(&text).map_err(|e| BatchError::Read {
            path: path.clone(),
            message: format!("not a shard file: {e}"),
        })?;
        if shard.schema_version != PORTFOLIO_SCHEMA_VERSION {
            return Err(BatchError::Read {
                path: path.clone(),
                message: format!(
                    "shard file version {} (this plumbline reads version {PORTFOLIO_SCHEMA_VERSION})",
                    shard.schema_version
                ),
            });
        }
        let expected = shard_file_name(shard.shard);
        if path.file_name().and_then(|n| n.to_str()) != Some(expected.as_str()) {
            return Err(BatchError::Read {
                path: path.clone(),
                message: format!("holds shard {}, which belongs in {expected}", shard.shard),
            });
        }
        shards.push(shard);
    }
    let first = &shards[0];
    let (name, count, total, days) =
        (first.portfolio.clone(), first.shards, first.sites_total, first.needed_within_days);
    for s in &shards {
        if s.portfolio != name || s.shards != count || s.sites_total != total || s.needed_within_days != days
        {
            return Err(fail(format!(
                "{} is shard {}/{} of '{}' ({} sites) but {} is shard {}/{} of '{}' ({} sites): the folder mixes two batches",
                shard_file_name(first.shard), first.shard, first.shards, first.portfolio, first.sites_total,
                shard_file_name(s.shard), s.shard, s.shards, s.portfolio, s.sites_total
            )));
        }
    }
    // A shard left in the folder by an earlier run of the same portfolio would otherwise merge
    // last week's clashes into this week's report without a word.
    for s in &shards {
        if s.run_id != first.run_id {
            let run =
                |r: &Option<String>| r.as_deref().map_or("no --run-id".to_string(), |r| format!("run '{r}'"));
            return Err(fail(format!(
                "{} comes from {} but {} from {}: a shard of another run is in the folder (a stale shard of an earlier batch, or a rerun of one shard with a new id); rerun the missing shards with the same --run-id, or clear the folder",
                shard_file_name(first.shard),
                run(&first.run_id),
                shard_file_name(s.shard),
                run(&s.run_id)
            )));
        }
        if s.portfolio_sha256 != first.portfolio_sha256 {
            return Err(fail(format!(
                "{} and {} ran different versions of portfolio '{}' (the file changed between their runs): rerun every shard on the same file",
                shard_file_name(first.shard),
                shard_file_name(s.shard),
                first.portfolio
            )));
        }
    }
    if let Some(expected) = expect_run_id {
        if first.run_id.as_deref() != Some(expected) {
            return Err(fail(format!(
                "the shards come from {} but --run-id '{expected}' was asked for",
                first.run_id.as_deref().map_or("no --run-id".to_string(), |r| format!("run '{r}'"))
            )));
        }
    }
    let run_id = first.run_id.clone();
    let present: BTreeSet<usize> = shards.iter().map(|s| s.shard).collect();
    let missing: Vec<String> = (0..count).filter(|i| !present.contains(i)).map(|i| i.to_string()).collect();
    if !missing.is_empty() {
        return Err(fail(format!(
            "shards {} of {count} are missing: a shard failed or has not finished; the portfolio is not written until every shard is there",
            missing.join(", ")
        )));
    }
    let mut names = BTreeSet::new();
    let mut sites = Vec::with_capacity(total);
    for s in shards {
        for site in s.sites {
            if !names.insert(site.name.to_lowercase()) {
                return Err(fail(format!("site '{}' is in two shards", site.name)));
            }
            sites.push(site);
        }
    }
    if sites.len() != total {
        return Err(fail(format!("the shards hold {} sites but the portfolio has {total}", sites.len())));
    }
    Ok((write_portfolio(dir, &name, days, sites, lang)?, run_id))
}
