//! `regowasm test`: run Rego unit tests like `opa test`.
//!
//! Exit codes follow `opa test`: 0 when every test passed, 2 when a test
//! failed, errored or was skipped, 1 when files could not be loaded.

use regowasm_runtime::regotest::{self, TestOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `regowasm test`.
#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (searched recursively for `.rego` files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Run only tests whose `data.<package>.<name>` matches this regex.
    #[arg(short, long)]
    pub run: Option<String>,
    /// Report every test, not only those that did not pass.
    #[arg(short, long)]
    pub verbose: bool,
    /// Deadline per test, in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub timeout: f64,
}

/// Run `regowasm test`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let run = match args.run.as_deref().map(regex::Regex::new).transpose() {
        Ok(r) => r,
        Err(e) => anyhow::bail!("--run: {e}"),
    };
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    let opts = TestOptions {
        run,
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let report = regotest::run(&args.paths, &opts);
    print!("{}", regotest::render(&report, args.verbose));
    Ok(ExitCode::from(report.exit_code()))
}
