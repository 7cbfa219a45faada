//! `regowasm inspect`: what an OPA-compiled Wasm module or bundle is —
//! ABI version, entrypoints, and how each builtin it needs is served.

use anyhow::Context;
use regowasm_builtins::Registry;
use regowasm_runtime::wasm::{SourceKind, WasmOptions, WasmPolicy};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `regowasm inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// A Wasm module (`policy.wasm`) or an OPA bundle (`bundle.tar.gz`);
    /// the kind is detected from the file's first bytes.
    #[arg(value_name = "MODULE|BUNDLE")]
    pub path: PathBuf,
    /// Print a JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// List the `opa_*` functions compiled into each module.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Run `regowasm inspect`. Exits 1 when a builtin the module needs
/// cannot be served.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.path)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    let kind = SourceKind::detect(&bytes).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: neither a Wasm module nor a gzip-compressed OPA bundle",
            args.path.display()
        )
    })?;
    let options = WasmOptions {
        registry: Registry::with_defaults(),
        allow_missing_builtins: true,
        max_idle_instances: 1,
        ..WasmOptions::default()
    };
    let policy = WasmPolicy::load(&bytes, &options)
        .with_context(|| format!("cannot load {}", args.path.display()))?;
    let info = policy.info();
    let missing = info.missing_builtins();
    if args.json {
        let modules: Vec<serde_json::Value> = info
            .modules
            .iter()
            .map(|m| {
                serde_json::json!({
                    "path": m.path,
                    "size_bytes": m.size_bytes,
                    "abi_version": format!("{}.{}", m.abi.major, m.abi.minor),
                    "abi_declared": m.abi.declared,
                    "eval_path": m.eval_path.to_string(),
                    "memory_pages": {"declared_min": m.declared_min_pages, "initial": m.initial_pages},
                    "entrypoints": m.entrypoints.as_ref().map(|e| e.iter()
                        .map(|(n, i)| serde_json::json!({"name": n, "id": i})).collect::<Vec<_>>()),
                    "host_builtins": m.host_builtins.iter().map(|b| serde_json::json!({
                        "name": b.name,
                        "id": b.id,
                        "served": b.served.map(|s| s.to_string()),
                    })).collect::<Vec<_>>(),
                    "native_functions": m.native_functions,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "kind": match kind { SourceKind::Module => "module", SourceKind::Bundle => "bundle" },
            "modules": modules,
            "manifest": info.manifest.as_ref().map(|m| serde_json::json!({
                "revision": m.revision,
                "roots": m.roots,
                "rego_version": m.rego_version,
                "wasm": m.wasm.iter().map(|w| serde_json::json!({
                    "entrypoint": w.entrypoint, "module": w.module})).collect::<Vec<_>>(),
            })),
            "missing_builtins": missing,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let kind_name = match kind {
            SourceKind::Module => "Wasm module",
            SourceKind::Bundle => "OPA bundle",
        };
        println!("{}: {kind_name}", args.path.display());
        if let Some(m) = &info.manifest {
            println!("manifest:");
            if !m.revision.is_empty() {
                println!("  revision: {}", m.revision);
            }
            match &m.roots {
                Some(r) => println!("  roots: {}", r.join(", ")),
                None => println!("  roots: (all)"),
            }
            if let Some(v) = m.rego_version {
                println!("  rego_version: {v}");
            }
        }
        for m in &info.modules {
            println!("module {} ({} bytes)", m.path, m.size_bytes);
            println!("  ABI version: {}", m.abi);
            println!("  evaluation: {}", m.eval_path);
            println!(
                "  memory: {} page(s) declared, {} at start",
                m.declared_min_pages, m.initial_pages
            );
            match &m.entrypoints {
                Some(list) => {
                    println!("  entrypoints ({}):", list.len());
                    let mut list = list.clone();
                    list.sort_by_key(|(_, id)| *id);
                    for (name, id) in list {
                        println!("    {id:>3}  {name}");
                    }
                }
                None => println!("  entrypoints: none exported (single entrypoint, id 0)"),
            }
            println!("  builtins left to the host ({}):", m.host_builtins.len());
            for b in &m.host_builtins {
                match b.served {
                    Some(s) => println!("    {:<32} served: {s}", b.name),
                    None => println!("    {:<32} MISSING (not served by this runtime)", b.name),
                }
            }
            println!(
                "  implemented natively in the module: {} opa_* function(s){}",
                m.native_functions.len(),
                if m.native_functions.is_empty() {
                    " (no name section)"
                } else {
                    ""
                }
            );
            if args.verbose {
                for f in &m.native_functions {
                    println!("    {f}");
                }
            }
        }
        if !missing.is_empty() {
            println!("missing builtins: {}", missing.join(", "));
        }
    }
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
