//! `regowasm serve`.

use std::process::ExitCode;

/// Arguments of `regowasm serve`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm serve`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm serve` is not implemented yet")
}
