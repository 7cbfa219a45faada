//! `regowasm compliance`: run OPA's compliance YAML cases on regowasm's
//! engines and report per folder and engine.

use anyhow::Context;
use regowasm_compat::compliance::{
    Baseline, ComplianceEngine, EngineReport, OracleEngine, RegoEngine, Report, WasmEngine,
    engines::find_opa, load_corpus, run_engine,
};
use regowasm_compat::oracle::{Oracle, absent_reason};
use std::path::PathBuf;
use std::process::ExitCode;

/// An engine to run the cases on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineArg {
    /// Rego source on regorus.
    Rego,
    /// OPA v1.20.2 itself (libopabridge.so in a helper process).
    Oracle,
    /// `opa build -t wasm` per case, run on the Wasm engine.
    Wasm,
}

/// Arguments of `regowasm compliance`.
#[derive(clap::Args)]
pub struct Args {
    /// The corpus directory (e.g. `../shared/opa-compliance`); searched
    /// recursively for `.yaml` files.
    pub dir: PathBuf,
    /// Engines to run (repeatable). Default: rego.
    #[arg(long = "engine", value_enum)]
    pub engines: Vec<EngineArg>,
    /// Write the full report (every case) as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the summary and per-folder tables as Markdown.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Baseline of passing cases; exit 1 when one of them now fails. With
    /// several engines, `{engine}` in the path is replaced by the engine.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Rewrite the baseline from this run instead of checking it.
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// The `opa` executable for the wasm engine (else `$OPA`, else PATH).
    #[arg(long)]
    pub opa: Option<PathBuf>,
    /// Precompiled modules for the wasm engine
    /// (`<file with / as __>--<index>.wasm`).
    #[arg(long)]
    pub wasm_dir: Option<PathBuf>,
    /// Print every failing case.
    #[arg(long, short)]
    pub verbose: bool,
}

fn engine_for(arg: EngineArg, args: &Args) -> anyhow::Result<Option<Box<dyn ComplianceEngine>>> {
    Ok(match arg {
        EngineArg::Rego => Some(Box::new(RegoEngine::default())),
        EngineArg::Oracle => match Oracle::spawn().context("starting the OPA oracle")? {
            Some(o) => Some(Box::new(OracleEngine::new(o))),
            None => {
                eprintln!("oracle engine skipped: {}", absent_reason());
                None
            }
        },
        EngineArg::Wasm => Some(Box::new(WasmEngine {
            opa: find_opa(args.opa.as_deref()),
            wasm_dir: args.wasm_dir.clone(),
            work_dir: std::env::temp_dir()
                .join(format!("regowasm-compliance-{}", std::process::id())),
            executor: Some(regowasm_compat::compliance::runtime_executor()),
        })),
    })
}

fn baseline_file(template: &std::path::Path, engine: &str) -> PathBuf {
    PathBuf::from(template.to_string_lossy().replace("{engine}", engine))
}

/// Run `regowasm compliance`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cases =
        load_corpus(&args.dir).with_context(|| format!("loading {}", args.dir.display()))?;
    let mut engines = args.engines.clone();
    if engines.is_empty() {
        engines.push(EngineArg::Rego);
    }
    engines.dedup();
    let mut report = Report::default();
    for arg in &engines {
        if let Some(mut engine) = engine_for(*arg, &args)? {
            report.engines.push(run_engine(engine.as_mut(), &cases));
        }
    }
    print!("{}", report.markdown());
    if args.verbose {
        for e in &report.engines {
            for c in e
                .cases
                .iter()
                .filter(|c| c.status == regowasm_compat::compliance::Status::Fail)
            {
                println!("FAIL [{}] {} ({}): {}", e.engine, c.id, c.note, c.detail);
            }
        }
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.markdown {
        std::fs::write(path, report.markdown())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let mut regressed = false;
    if let Some(template) = &args.baseline {
        for e in &report.engines {
            let path = baseline_file(template, &e.engine);
            if args.update_baseline {
                let base = Baseline::from_report(e);
                std::fs::write(&path, serde_json::to_string_pretty(&base)? + "\n")
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!(
                    "{}: baseline of {} passing cases written",
                    path.display(),
                    base.passing.len()
                );
            } else if path.is_file() {
                regressed |= check_baseline(&path, e)?;
            } else {
                eprintln!(
                    "{}: no baseline for engine {}; not checked",
                    path.display(),
                    e.engine
                );
            }
        }
    }
    Ok(if regressed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check_baseline(path: &std::path::Path, e: &EngineReport) -> anyhow::Result<bool> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let base: Baseline =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let regressions = base.regressions(e);
    for r in &regressions {
        eprintln!(
            "REGRESSION [{}] {} ({}): {}",
            e.engine, r.id, r.note, r.detail
        );
    }
    Ok(!regressions.is_empty())
}
