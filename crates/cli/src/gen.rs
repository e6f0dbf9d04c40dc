//! `plumbline gen`: writes generated sample models (data hall, bank branch) and their truth files.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use plumbline_samples::{BranchParams, DatacenterParams, Generated, Lang};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

/// Writes through a temporary file and a rename (the pipeline's writer, whose errors name the
/// file asked for), so an interrupted run never leaves a half file where a good one was.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(plumbline_pipeline::write_atomically(path, bytes)?)
}
