//! `regowasm verify`: run gator `verify` suites.
//!
//! Output and exit codes follow `gator verify`: Go-test style lines
//! (`ok  <suite> <time>`, `--- FAIL: <case>` with the reason), a final
//! `PASS` or `FAIL`, exit 0 when everything passed and 1 otherwise
//! (including suites that could not be read). Unlike gator, a directory is
//! searched recursively (a trailing `/...` is accepted too).

use regowasm_runtime::admission::verify;
use std::process::ExitCode;

/// Arguments of `regowasm verify`.
#[derive(clap::Args)]
pub struct Args {
    /// A suite file, or a directory searched recursively for suites.
    pub path: String,
    /// Regular expression selecting tests and cases by name:
    /// `<regex>` matches a test or a case, `<test-regex>//<case-regex>`
    /// must match both.
    #[arg(short, long, default_value = "")]
    pub run: String,
    /// Print every test and case.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Run `regowasm verify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let filter = match verify::Filter::new(&args.run) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Error: compiling filter: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let suites = match verify::find_suites(&args.path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: listing test files: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let results: Vec<_> = suites
        .iter()
        .map(|s| verify::run_suite(s, &filter))
        .collect();
    print!("{}", verify::print_go(&results, args.verbose));
    let c = verify::counts(&results);
    eprintln!(
        "{} suites: {} passed, {} failed, {} skipped cases; {} tests could not run",
        c.suites, c.passed, c.failed, c.skipped, c.test_errors
    );
    let failed = results.iter().any(verify::SuiteResult::is_failure);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
