//! `regowasm test`.

use std::process::ExitCode;

/// Arguments of `regowasm test`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm test`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm test` is not implemented yet")
}
