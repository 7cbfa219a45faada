//! `regowasm eval`: evaluate an entrypoint of an OPA-compiled Wasm module
//! or bundle and print OPA's result set.

use anyhow::Context;
use regowasm_builtins::{Registry, Value};
use regowasm_runtime::wasm::{WasmOptions, WasmPolicy, merge_at};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `regowasm eval`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("policy").required(true).args(["module", "bundle"])))]
pub struct Args {
    /// An OPA-compiled Wasm module (`opa build -t wasm`, `policy.wasm`).
    #[arg(short = 'm', long, value_name = "FILE")]
    pub module: Option<PathBuf>,
    /// An OPA bundle (`bundle.tar.gz`) holding `/policy.wasm` (and/or the
    /// modules its `.manifest` names) and its data files.
    #[arg(short = 'b', long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// The entrypoint to evaluate: `a/b`, `data.a.b`, or a numeric id.
    #[arg(short = 'e', long, value_name = "ENTRYPOINT")]
    pub entrypoint: String,
    /// The input document (JSON); `-` reads standard input. Without it,
    /// `input` is undefined.
    #[arg(short = 'i', long, value_name = "FILE|-")]
    pub input: Option<String>,
    /// A data document (JSON, or YAML by `.yaml`/`.yml` extension) merged
    /// at the root of `data`, over the bundle's data. Repeatable.
    #[arg(short = 'd', long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Wall-clock limit for the evaluation, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub timeout_ms: u64,
    /// Memory cap for the Wasm instance, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub max_memory_mib: usize,
    /// Fuel budget (roughly, Wasm instructions); unlimited when absent.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Fail on builtin errors instead of treating the call as undefined.
    #[arg(long)]
    pub strict_builtin_errors: bool,
    /// Load even if the module needs builtins this runtime cannot serve
    /// (calling one fails the evaluation).
    #[arg(long)]
    pub allow_missing_builtins: bool,
    /// Print compact JSON on one line instead of indented JSON.
    #[arg(long)]
    pub compact: bool,
}

fn read_doc(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if yaml {
        let v = regowasm_runtime::wasm::bundle::yaml_to_json(&text)
            .with_context(|| format!("{} is not valid YAML", path.display()))?;
        Ok(Value::from_serde(&v))
    } else {
        Value::from_json_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
    }
}

/// Run `regowasm eval`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut options = WasmOptions {
        registry: Registry::with_defaults(),
        strict_builtin_errors: args.strict_builtin_errors,
        allow_missing_builtins: args.allow_missing_builtins,
        ..WasmOptions::default()
    };
    options.limits.timeout = Duration::from_millis(args.timeout_ms);
    options.limits.max_memory_bytes = args.max_memory_mib.saturating_mul(1 << 20);
    options.limits.fuel = args.fuel;
    let (path, bytes) = match (&args.module, &args.bundle) {
        (Some(m), _) => (m, std::fs::read(m)),
        (None, Some(b)) => (b, std::fs::read(b)),
        (None, None) => anyhow::bail!("one of --module or --bundle is required"),
    };
    let bytes = bytes.with_context(|| format!("cannot read {}", path.display()))?;
    let policy = if args.module.is_some() {
        WasmPolicy::load_module(&bytes, &options)
    } else {
        WasmPolicy::load_bundle(&bytes, &options)
    }
    .with_context(|| format!("cannot load {}", path.display()))?;
    if !args.data.is_empty() {
        let mut data = policy.data();
        for d in &args.data {
            let doc = read_doc(d)?;
            data =
                merge_at(&data, &[], doc).map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))?;
        }
        policy.set_data(data).context("cannot load data")?;
    }
    let input = match args.input.as_deref() {
        None => None,
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("cannot read input from stdin")?;
            Some(s)
        }
        Some(file) => {
            Some(std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?)
        }
    };
    if let Some(text) = &input {
        // Check it is JSON here for a clear message.
        Value::from_json_str(text).context("input is not valid JSON")?;
    }
    let ev = policy
        .eval_json(&args.entrypoint, input.as_deref().map(str::as_bytes))
        .context("evaluation failed")?;
    for line in &ev.prints {
        eprintln!("{line}");
    }
    let out = serde_json::Value::Array(ev.results.iter().map(Value::to_json).collect());
    let text = if args.compact {
        serde_json::to_string(&out)?
    } else {
        serde_json::to_string_pretty(&out)?
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
