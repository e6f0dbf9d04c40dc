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

/// Writes through a temporary file and a rename, so an interrupted run never leaves a half
/// file where a good one was.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp-plumbline");
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot replace", path.display()))?;
    Ok(())
}
