//! `plumbline gen`: writes generated sample models (wired to `plumbline-samples` once it lands).

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum GenCommand {}

pub fn run(cmd: &GenCommand) -> anyhow::Result<ExitCode> {
    match *cmd {}
}
