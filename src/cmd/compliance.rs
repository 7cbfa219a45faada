//! `regowasm compliance`.

use std::process::ExitCode;

/// Arguments of `regowasm compliance`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm compliance`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm compliance` is not implemented yet")
}
