//! `plumbline gen`: writes generated sample models (data hall, bank branch) and their truth files,
//! and portfolios of them for `plumbline batch`.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use plumbline_samples::portfolio::{self, PortfolioParams, Site, SiteModel};
use plumbline_samples::{BranchParams, DatacenterParams, Generated, Lang};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// A data centre: halls of rack rows with cable trays, busways, ducts, pipes, CRAH units and
    /// switchboards, seeded clashes and a 4D schedule.
    Datacenter(DatacenterArgs),
    /// A bank branch under phased renovation: banking hall, vault, ATM lobby, MEP above the
    /// ceiling, temporary works, seeded clashes and a 4D schedule.
    Branch(BranchArgs),
    /// A revision of a model as the next week's export would bring it: some products moved,
    /// deleted, renamed or given new GlobalIds, with a truth file of what changed (for testing
    /// `plumbline diff` and revision tracking in the history).
    Revision(RevisionArgs),
    /// A portfolio for `plumbline batch`: N sites (mostly bank branches of varied size and plan,
    /// one data hall in 50, a third of the sites with their 4D schedule), each with its model and
    /// truth file, the rule sets they are written for, and portfolio.toml listing them.
    Portfolio(PortfolioArgs),
}

#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// How many sites.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    sites: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder to write: portfolio.toml, rules/ and sites/<site>/ (created; it must be absent
    /// or empty, so that no site of an earlier portfolio is left behind).
    #[arg(long)]
    out: PathBuf,
    /// Language of the models' names and of the regions.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
}

#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// The model to revise (an IFC STEP file, e.g. a generated sample).
    #[arg(long)]
    from: PathBuf,
    /// Where to write the revised IFC file.
    #[arg(long)]
    out: PathBuf,
    /// Where to write what changed (JSON, by the products' old GlobalIds).
    #[arg(long)]
    truth: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Move every Nth product (0: none).
    #[arg(long, default_value_t = 7)]
    move_every: usize,
    /// Delete every Nth product (0: none).
    #[arg(long, default_value_t = 11)]
    delete_every: usize,
    /// Rename every Nth product (0: none).
    #[arg(long, default_value_t = 13)]
    rename_every: usize,
    /// Give every Nth product a new GlobalId (0: none).
    #[arg(long, default_value_t = 5)]
    reguid_every: usize,
    /// Give every product a new GlobalId, as an exporter that does not keep them.
    #[arg(long)]
    reguid_all: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

#[derive(Debug, Args)]
pub struct Common {
    /// Where to write the IFC file.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the truth file (seeded clashes and declared non-clashes, JSON).
    #[arg(long)]
    truth: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Language of storey, space and element names.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
}

#[derive(Debug, Args)]
pub struct DatacenterArgs {
    #[command(flatten)]
    common: Common,
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    halls: u32,
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    rows: u32,
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    racks_per_row: u32,
    /// Size the data centre for about this many elements instead (sets halls, rows and racks).
    #[arg(long, conflicts_with_all = ["halls", "rows", "racks_per_row"])]
    elements: Option<u64>,
}

#[derive(Debug, Args)]
pub struct BranchArgs {
    #[command(flatten)]
    common: Common,
}

pub fn run(cmd: &GenCommand) -> anyhow::Result<ExitCode> {
    let (common, generated) = match cmd {
        GenCommand::Revision(a) => return revision(a),
        GenCommand::Portfolio(a) => {
            let p = PortfolioParams { sites: a.sites, seed: a.seed, lang: a.lang.into() };
            let s = write_portfolio(&a.out, &p)?;
            eprintln!(
                "wrote {}: {} sites ({} bank branches, {} data halls; {} with a 4D schedule), {} seeded \
                 clashes, {:.1} MB of models",
                a.out.join(portfolio::PORTFOLIO_FILE).display(),
                s.sites,
                s.sites - s.halls,
                s.halls,
                s.scheduled,
                s.clashes,
                s.model_bytes as f64 / 1e6
            );
            return Ok(ExitCode::SUCCESS);
        }
        GenCommand::Datacenter(a) => {
            let params = match a.elements {
                Some(n) => DatacenterParams {
                    lang: a.common.lang.into(),
                    ..DatacenterParams::for_elements(n, a.common.seed)
                },
                None => DatacenterParams {
                    seed: a.common.seed,
                    halls: a.halls,
                    rows: a.rows,
                    racks_per_row: a.racks_per_row,
                    lang: a.common.lang.into(),
                },
            };
            (&a.common, plumbline_samples::datacenter(&params))
        }
        GenCommand::Branch(a) => (
            &a.common,
            plumbline_samples::branch(&BranchParams { seed: a.common.seed, lang: a.common.lang.into() }),
        ),
    };
    write(common, &generated)?;
    Ok(ExitCode::SUCCESS)
}

fn write(common: &Common, generated: &Generated) -> anyhow::Result<()> {
    write_atomically(&common.out, generated.ifc.as_bytes())?;
    eprintln!("wrote {} ({} bytes)", common.out.display(), generated.ifc.len());
    if let Some(truth) = &common.truth {
        let json = serde_json::to_string_pretty(&generated.truth).context("serialising the truth file")?;
        write_atomically(truth, (json + "\n").as_bytes())?;
        eprintln!(
            "wrote {} ({} seeded clashes, {} declared non-clashes)",
            truth.display(),
            generated.truth.clashes.len(),
            generated.truth.non_clashes.len()
        );
    }
    Ok(())
}

fn revision(a: &RevisionArgs) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(&a.from).with_context(|| format!("{}: cannot read", a.from.display()))?;
    let params = plumbline_samples::revision::RevisionParams {
        seed: a.seed,
        move_every: a.move_every,
        delete_every: a.delete_every,
        rename_every: a.rename_every,
        reguid_every: a.reguid_every,
        reguid_all: a.reguid_all,
        ..Default::default()
    };
    let revised = plumbline_samples::revision::revise(&text, &params);
    write_atomically(&a.out, revised.ifc.as_bytes())?;
    eprintln!("wrote {} ({} bytes)", a.out.display(), revised.ifc.len());
    if let Some(truth) = &a.truth {
        let json = serde_json::to_string_pretty(&revised.truth).context("serialising the truth file")?;
        write_atomically(truth, (json + "\n").as_bytes())?;
        eprintln!("wrote {}", truth.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// What a written portfolio holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct PortfolioSummary {
    sites: usize,
    halls: usize,
    scheduled: usize,
    clashes: usize,
    model_bytes: u64,
}

/// Writes the portfolio `p` into `dir` (absent or empty): the rule files, every site's model
/// and truth (generated on all cores, each site into its own folder, so the bytes do not
/// depend on the order they finish in), and portfolio.toml last, so that an interrupted run
/// never leaves a portfolio file naming models that are not there.
fn write_portfolio(dir: &Path, p: &PortfolioParams) -> anyhow::Result<PortfolioSummary> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("{}: cannot read the folder", dir.display()))?;
        if entries.next().is_some() {
            anyhow::bail!("{}: the folder is not empty; give a new or empty folder", dir.display());
        }
    }
    for (path, text) in portfolio::RULE_FILES {
        write_new(&dir.join(path), text.as_bytes())?;
    }
    let sites = portfolio::plan(p);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, sites.len().max(1));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let per_worker: Vec<anyhow::Result<PortfolioSummary>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut s = PortfolioSummary::default();
                    while !failed.load(Ordering::Relaxed) {
                        let Some(site) = sites.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                        let written = write_site(dir, site);
                        if written.is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        let (clashes, bytes) = written?;
                        s.sites += 1;
                        s.halls += usize::from(matches!(site.model, SiteModel::Datacenter(_)));
                        s.scheduled += usize::from(site.has_schedule());
                        s.clashes += clashes;
                        s.model_bytes += bytes;
                    }
                    Ok(s)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a site generator stopped unexpectedly")))
            })
            .collect()
    });
    let mut total = PortfolioSummary::default();
    for s in per_worker {
        let s = s?;
        total.sites += s.sites;
        total.halls += s.halls;
        total.scheduled += s.scheduled;
        total.clashes += s.clashes;
        total.model_bytes += s.model_bytes;
    }
    write_new(&dir.join(portfolio::PORTFOLIO_FILE), portfolio::portfolio_toml(p, &sites).as_bytes())?;
    Ok(total)
}

/// Writes one site's model and truth; returns its seeded clashes and model bytes.
fn write_site(dir: &Path, site: &Site) -> anyhow::Result<(usize, u64)> {
    let g = site.generate();
    write_new(&dir.join(site.model_path()), g.ifc.as_bytes())?;
    let json = serde_json::to_string_pretty(&g.truth).context("serialising the truth file")?;
    write_new(&dir.join(site.truth_path()), (json + "\n").as_bytes())?;
    Ok((g.truth.clashes.len(), g.ifc.len() as u64))
}

/// Writes a file of a new portfolio, making its folder first.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create the folder", parent.display()))?;
    }
    write_atomically(path, bytes)
}

/// Writes through a temporary file and a rename (the pipeline's writer, whose errors name the
/// file asked for), so an interrupted run never leaves a half file where a good one was.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(plumbline_pipeline::write_atomically(path, bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plumbline_clash::ClashKind;
    use plumbline_model::ModelSet;
    use plumbline_rules::{run_rules, RuleSet, RunContext};
    use plumbline_samples::Truth;
    use std::collections::{BTreeMap, BTreeSet};

    /// Every file under `dir`, by relative path.
    fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("readable") {
                let path = e.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir).expect("inside").to_path_buf();
                    out.insert(rel, std::fs::read(&path).expect("readable"));
                }
            }
        }
        out
    }

    fn params(sites: u32, seed: u64) -> PortfolioParams {
        PortfolioParams { sites, seed, lang: Lang::En }
    }

    #[test]
    fn gen_portfolio_is_byte_identical_for_a_seed() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
        let s = write_portfolio(&a, &params(12, 5)).expect("writes");
        assert_eq!((s.sites, s.halls), (12, 1));
        write_portfolio(&b, &params(12, 5)).expect("writes");
        let (ta, tb) = (tree(&a), tree(&b));
        // portfolio.toml, two rule files, and a model and a truth per site.
        assert_eq!(ta.len(), 3 + 2 * 12);
        assert!(ta.contains_key(Path::new("sites/dc-0001/dc-0001.ifc")));
        assert!(ta.contains_key(Path::new("sites/br-0011/truth.json")));
        assert!(ta == tb, "two runs of one seed differ");
        write_portfolio(&c, &params(12, 6)).expect("writes");
        assert_ne!(ta[Path::new("portfolio.toml")], tree(&c)[Path::new("portfolio.toml")]);
        // An earlier portfolio is never written over.
        let err = write_portfolio(&a, &params(12, 5)).expect_err("refuses a folder in use");
        assert!(err.to_string().contains("not empty"), "{err}");
    }

    fn kind(text: &str) -> ClashKind {
        match text {
            "hard" => ClashKind::Hard,
            "clearance" => ClashKind::Clearance,
            "duplicate" => ClashKind::Duplicate,
            "time" => ClashKind::Time,
            other => panic!("unknown truth kind {other}"),
        }
    }

    /// Runs the site's rule file on its model, as `plumbline clash` would (the schedule taken
    /// from the model when it has one), and lists every disagreement with its truth.
    fn disagreements(dir: &Path, site: &Site) -> Vec<String> {
        let model_path = dir.join(site.model_path());
        let rules = RuleSet::read(&dir.join(site.rules_path()), &plumbline_ifc::canonical_class_name)
            .expect("the copied rules are valid");
        let schedule = plumbline_pipeline::find_schedule(None, std::slice::from_ref(&model_path), None)
            .expect("schedule reads");
        assert_eq!(schedule.is_some(), site.has_schedule(), "{}", site.name);
        let model =
            plumbline_ifc::load_file(&model_path, &plumbline_ifc::LoadOptions::default()).expect("loads");
        assert!(model.failures.is_empty(), "{}: {:?}", site.name, model.failures);
        let set = ModelSet { models: vec![model] };
        let index = schedule.as_ref().map(|s| RunContext::sim_index(&set, s));
        let cx = RunContext { schedule: index.as_ref(), ..RunContext::default() };
        let reports = run_rules(&set, &rules, &cx).expect("runs");
        let truth: Truth =
            serde_json::from_slice(&std::fs::read(dir.join(site.truth_path())).expect("truth"))
                .expect("truth parses");

        // (test, a, b): duplicates have no side, so they key unordered.
        let key = |test: &str, a: &str, b: &str| {
            let (a, b) = if test == plumbline_samples::DUPLICATES && a > b { (b, a) } else { (a, b) };
            (test.to_owned(), a.to_owned(), b.to_owned())
        };
        let mut found = BTreeMap::new();
        for t in &reports {
            for c in &t.clashes {
                found.insert(
                    key(t.info.key(), &c.a.global_id, &c.b.global_id),
                    (c.kind, c.distance_m, c.exact),
                );
            }
        }
        let mut problems = Vec::new();
        let mut seeded = BTreeSet::new();
        for c in &truth.clashes {
            let k = key(&c.test, &c.a, &c.b);
            match found.get(&k) {
                None => problems.push(format!("{}: seeded but not found: {c:?}", site.name)),
                Some(&(got, d, exact)) => {
                    // The sites lie up to 2 km from the world origin, where the engine's f32
                    // meshes resolve distances to a few hundredths of a millimetre (the rules
                    // crate's evidence tests hold it to 0.01 mm at the origin).
                    let tol = if exact { 0.000_1 } else { 0.001 };
                    if got != kind(&c.kind) || (d - c.distance_m).abs() > tol {
                        problems.push(format!("{}: {c:?} found as {got:?} at {d:.6} m", site.name));
                    }
                }
            }
            seeded.insert(k);
        }
        for (k, v) in &found {
            if !seeded.contains(k) {
                problems.push(format!("{}: found but not seeded: {k:?} {v:?}", site.name));
            }
        }
        for n in &truth.non_clashes {
            let reported = reports.iter().flat_map(|t| &t.clashes).any(|c| {
                (c.a.global_id == n.a && c.b.global_id == n.b)
                    || (c.a.global_id == n.b && c.b.global_id == n.a)
            });
            if reported {
                problems.push(format!("{}: non-clash reported: {n:?}", site.name));
            }
        }
        problems
    }

    /// The engine, run on the written folder with the copied rules, reports exactly each site's
    /// truth: sites of every size and plan, with and without a schedule, and a data hall.
    #[test]
    fn gen_portfolio_truth_matches_a_clash_run() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("pf");
        let p = params(14, 2);
        write_portfolio(&dir, &p).expect("writes");
        let sites = portfolio::plan(&p);
        let branches: Vec<_> = sites
            .iter()
            .filter_map(|s| match &s.model {
                SiteModel::Branch(_, l) => Some(l),
                SiteModel::Datacenter(_) => None,
            })
            .collect();
        // The draw covers what the truth has to get right.
        assert!(branches.iter().any(|l| l.bays > 3) && branches.iter().any(|l| l.bays == 3));
        assert!(branches.iter().any(|l| l.mirrored) && branches.iter().any(|l| l.quarter_turns % 2 == 1));
        assert!(branches.iter().any(|l| !l.schedule) && branches.iter().any(|l| l.schedule));
        assert!(branches.iter().any(|l| !l.vault) && branches.iter().any(|l| !l.atm_lobby));
        let problems: Vec<String> = sites.iter().flat_map(|s| disagreements(&dir, s)).collect();
        assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    }
}
