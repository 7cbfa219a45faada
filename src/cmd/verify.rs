//! `regowasm verify`.

use std::process::ExitCode;

/// Arguments of `regowasm verify`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm verify`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm verify` is not implemented yet")
}
