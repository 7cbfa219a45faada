//! `regowasm`: run OPA-compiled Wasm and Rego policies.
//!
//! A thin binary over `regowasm-runtime`, `regowasm-builtins` and
//! `regowasm-compat`: parse arguments, call the library, print the result.
//! Errors are reported in one line with a non-zero exit.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Run Rego policies compiled to WebAssembly (or as Rego source), verify
/// Gatekeeper suites, and serve them as a Kubernetes admission webhook.
#[derive(Parser)]
#[command(name = "regowasm", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a policy entrypoint on an input and print OPA's result set.
    Eval(cmd::eval::Args),
    /// Show a module's or bundle's ABI version, entrypoints and builtins.
    Inspect(cmd::inspect::Args),
    /// List every OPA builtin and how this runtime serves it.
    Builtins(cmd::builtins::Args),
    /// Print OPA's capabilities document for this runtime (for
    /// `opa build -t wasm --capabilities`).
    Capabilities(cmd::builtins::CapabilitiesArgs),
    /// Run gator-style verify suites (Gatekeeper templates + constraints).
    Verify(cmd::verify::Args),
    /// Run Rego unit tests (`test_*` rules), like `opa test`.
    Test(cmd::test::Args),
    /// Run OPA's compliance YAML cases against regowasm's engines.
    Compliance(cmd::compliance::Args),
    /// Serve policies as a Kubernetes admission webhook.
    Serve(cmd::serve::Args),
}

/// Let `regowasm … | head` end quietly, as Unix tools do, instead of
/// panicking on a closed pipe. Not for `serve`: a server keeps Rust's
/// default (SIGPIPE ignored) so that a client hanging up is an I/O error.
#[cfg(unix)]
fn default_sigpipe() {
    // SAFETY: called at the start of `main`, before any thread exists;
    // `signal` with `SIG_DFL` only restores the default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn default_sigpipe() {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve(_)) {
        default_sigpipe();
    }
    let result = match cli.command {
        Command::Eval(a) => cmd::eval::run(a),
        Command::Inspect(a) => cmd::inspect::run(a),
        Command::Builtins(a) => cmd::builtins::run(a),
        Command::Capabilities(a) => cmd::builtins::capabilities(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Test(a) => cmd::test::run(a),
        Command::Compliance(a) => cmd::compliance::run(a),
        Command::Serve(a) => cmd::serve::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("regowasm: error: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// Flatten an error chain into one line: `outer: cause: root cause`.
fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}
