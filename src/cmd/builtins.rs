//! `regowasm builtins`.

use std::process::ExitCode;

/// Arguments of `regowasm builtins`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `regowasm builtins`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`regowasm builtins` is not implemented yet")
}
