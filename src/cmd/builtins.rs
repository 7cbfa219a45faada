//! `regowasm builtins`: every builtin of OPA's catalogue and how each
//! engine serves it; `regowasm capabilities`: OPA's capabilities document
//! for this runtime.

use anyhow::Context;
use regowasm_builtins::catalogue::{self, OPA_VERSION, WasmServing};
use regowasm_builtins::{Capabilities, Registry};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `regowasm builtins`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Enable outside-world builtins as a policy host would (a JSON or YAML
    /// file in the `Capabilities` format: `http`, `net_lookup`, `runtime`).
    #[arg(long, value_name = "FILE")]
    capabilities_config: Option<PathBuf>,
}

/// Arguments of `regowasm capabilities`.
#[derive(clap::Args)]
pub struct CapabilitiesArgs {
    /// Include the capability-gated builtins (`http.send`, ...), for hosts
    /// that enable them.
    #[arg(long)]
    include_gated: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn registry(config: Option<&PathBuf>) -> anyhow::Result<Registry> {
    let Some(path) = config else {
        return Ok(Registry::with_defaults());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let caps: Capabilities =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(Registry::with_capabilities(&caps))
}

/// Run `regowasm builtins`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let registry = registry(args.capabilities_config.as_ref())?;
    let rows = catalogue::coverage(&registry)?;
    let mut wasm_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut rego_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut host_counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        *wasm_counts.entry(r.wasm.to_string()).or_default() += 1;
        *rego_counts.entry(r.rego.to_string()).or_default() += 1;
        if r.wasm != WasmServing::InModule {
            *host_counts.entry(r.wasm.to_string()).or_default() += 1;
        }
    }
    let known: BTreeSet<&str> = rows.iter().map(|r| r.builtin.name.as_str()).collect();
    let extra: Vec<(&str, usize, String)> = registry
        .iter()
        .filter(|b| !known.contains(b.name()))
        .map(|b| (b.name(), b.arity(), b.served().to_string()))
        .collect();
    let wasm_host = rows
        .iter()
        .filter(|r| r.wasm != WasmServing::InModule)
        .count();
    if args.json {
        let out = serde_json::json!({
            "opa_version": OPA_VERSION,
            "builtins": rows.iter().map(|r| serde_json::json!({
                "name": r.builtin.name,
                "arity": r.builtin.arity(),
                "wasm": r.wasm.to_string(),
                "rego": r.rego.to_string(),
            })).collect::<Vec<_>>(),
            "not_in_opa_catalogue": extra.iter().map(|(n, a, s)| serde_json::json!({
                "name": n, "arity": a, "served": s,
            })).collect::<Vec<_>>(),
            "counts": {
                "wasm": wasm_counts,
                "wasm_host": host_counts,
                "rego": rego_counts,
            },
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<56} {:>5}  {:<26} rego path",
        format!("OPA v{OPA_VERSION} builtin"),
        "arity",
        "wasm path"
    );
    for r in &rows {
        println!(
            "{:<56} {:>5}  {:<26} {}",
            r.builtin.name,
            r.builtin.arity(),
            r.wasm.to_string(),
            r.rego
        );
    }
    println!();
    println!("{} builtins in OPA v{OPA_VERSION}'s catalogue", rows.len());
    println!("wasm path:");
    for (how, n) in &wasm_counts {
        println!("  {how}: {n}");
    }
    println!("  of the {wasm_host} left to the host by OPA's Wasm compiler:");
    for (how, n) in &host_counts {
        println!("    {how}: {n}");
    }
    println!("rego path:");
    for (how, n) in &rego_counts {
        println!("  {how}: {n}");
    }
    if !extra.is_empty() {
        println!(
            "also registered, not in OPA's catalogue: {}",
            extra
                .iter()
                .map(|(n, _, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Run `regowasm capabilities`.
pub fn capabilities(args: CapabilitiesArgs) -> anyhow::Result<ExitCode> {
    let doc = catalogue::capabilities_document(&Registry::with_defaults(), args.include_gated)?;
    let text = serde_json::to_string_pretty(&doc)? + "\n";
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
