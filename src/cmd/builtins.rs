//! `regowasm builtins`: every builtin the host registry serves, and how.

use regowasm_builtins::{Registry, Served};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Arguments of `regowasm builtins`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Run `regowasm builtins`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let registry = Registry::with_defaults();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let rows: Vec<(String, usize, Served)> = registry
        .iter()
        .map(|b| (b.name().to_string(), b.arity(), b.served()))
        .collect();
    for (_, _, served) in &rows {
        *counts.entry(served.to_string()).or_default() += 1;
    }
    if args.json {
        let out = serde_json::json!({
            "builtins": rows.iter().map(|(n, a, s)| serde_json::json!({
                "name": n, "arity": a, "served": s.to_string(),
            })).collect::<Vec<_>>(),
            "counts": counts,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (name, arity, served) in &rows {
            println!("{name:<48} {arity}  {served}");
        }
        println!();
        for (served, n) in &counts {
            println!("{served}: {n}");
        }
        println!("total: {}", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}
