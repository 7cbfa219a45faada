//! `regowasm inspect`.

use std::process::ExitCode;

/// Arguments of `regowasm inspect`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm inspect`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm inspect` is not implemented yet")
}
