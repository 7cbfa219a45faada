//! `regowasm eval`.

use std::process::ExitCode;

/// Arguments of `regowasm eval`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm eval`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm eval` is not implemented yet")
}
