//! `regowasm serve`: the admission webhook server.
//!
//! Thin: read flags and the config file, start
//! `regowasm_runtime::server`, print how to wire it into a cluster, run
//! until SIGTERM/SIGINT.

use anyhow::Context as _;
use regowasm_runtime::server::{self, ServeOptions, ServerConfig};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Log output format.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Arguments of `regowasm serve`.
#[derive(clap::Args)]
pub struct Args {
    /// YAML configuration file (see `runtime/src/server/config.rs`; every
    /// field has a default). Watched for changes.
    #[arg(long, short = 'c', env = "REGOWASM_CONFIG")]
    config: Option<PathBuf>,
    /// Policy set directory (overrides the config's `policySet`). Default:
    /// `./policies` if present, else the set embedded in the binary.
    #[arg(long)]
    policies: Option<PathBuf>,
    /// Address to listen on (overrides the config's `listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// PEM certificate chain (with --key). Without it a CA and certificate
    /// are generated at start-up.
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// PEM private key for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Require client certificates signed by this PEM CA (mTLS).
    #[arg(long)]
    client_ca: Option<PathBuf>,
    /// DNS name for a generated certificate (repeatable). Default: the
    /// Service's names and localhost.
    #[arg(long = "dns-name")]
    dns_names: Vec<String>,
    /// IP address for a generated certificate (repeatable). Default 127.0.0.1.
    #[arg(long = "ip")]
    ips: Vec<IpAddr>,
    /// Use `url:` in the printed webhook YAML (e.g. a host reachable from
    /// a local kind cluster) instead of a Service.
    #[arg(long)]
    webhook_url: Option<String>,
    /// Plain HTTP, for local testing only (the API server requires HTTPS).
    #[arg(long)]
    insecure_http: bool,
    /// Log format.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Log filter (tracing `EnvFilter` syntax; `RUST_LOG` also works).
    #[arg(long, default_value = "info")]
    log_level: String,
    /// Seconds to drain in-flight requests after SIGTERM/SIGINT.
    #[arg(long, default_value_t = 25)]
    drain_seconds: u64,
    /// Sync inventory (`data.inventory`) from the cluster with watchers
    /// (needs the `cluster-sync` build feature and a kubeconfig or
    /// in-cluster service account).
    #[arg(long)]
    sync_inventory: bool,
    /// Print the webhook configuration YAML and exit once policies load.
    #[arg(long)]
    print_webhook: bool,
}

fn init_logs(format: LogFormat, level: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .context("--log-level")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let r = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    r.map_err(|e| anyhow::anyhow!("initialising logs: {e}"))
}

/// Build the effective configuration from the file and the flags.
fn configure(args: &Args) -> anyhow::Result<ServerConfig> {
    let mut cfg = match &args.config {
        Some(p) => ServerConfig::from_file(p)?,
        None => ServerConfig::default(),
    };
    if let Some(p) = &args.policies {
        cfg.policy_set = Some(p.clone());
    }
    if let Some(l) = args.listen {
        cfg.listen = l;
    }
    if args.cert.is_some() {
        cfg.tls.cert = args.cert.clone();
        cfg.tls.key = args.key.clone();
    }
    if args.client_ca.is_some() {
        cfg.tls.client_ca = args.client_ca.clone();
    }
    if !args.dns_names.is_empty() {
        cfg.tls.dns_names = args.dns_names.clone();
    }
    if !args.ips.is_empty() {
        cfg.tls.ip_addresses = args.ips.clone();
    }
    if args.webhook_url.is_some() {
        cfg.service.url = args.webhook_url.clone();
    }
    cfg.insecure_http |= args.insecure_http;
    cfg.inventory.cluster |= args.sync_inventory;
    if cfg.policy_set.is_none() && cfg.policies.is_empty() {
        let local = PathBuf::from("policies");
        cfg.policy_set = Some(if local.is_dir() {
            local
        } else {
            embedded_policies()?
        });
    }
    cfg.validate()?;
    Ok(cfg)
}

/// The project's `policies/` folder, built into the binary.
static EMBEDDED_POLICIES: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/policies");

/// Write the embedded policy set to a fresh directory under the system's
/// temporary directory and return it (used when there is no
/// `./policies` and no configuration).
fn embedded_policies() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("regowasm-policies-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    EMBEDDED_POLICIES
        .extract(&dir)
        .with_context(|| format!("writing the built-in policies to {}", dir.display()))?;
    tracing::info!(dir = %dir.display(), "no ./policies here: serving the built-in policy set");
    Ok(dir)
}

/// Run `regowasm serve`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logs(args.log_format, &args.log_level)?;
    let cfg = configure(&args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(serve(args, cfg))
}

async fn serve(args: Args, cfg: ServerConfig) -> anyhow::Result<ExitCode> {
    let loader = server::loader::default_loader();
    let mut opts = ServeOptions::new(cfg.clone(), Arc::new(loader));
    opts.config_path = args.config.clone();
    let running = server::start(opts).await?;
    running
        .wait_ready(Duration::from_secs(120))
        .await
        .context("loading the policy set")?;
    let yaml = running.webhook_yaml();
    if args.print_webhook {
        print!("{yaml}");
        running.shutdown(Duration::from_secs(1));
        running.join().await?;
        return Ok(ExitCode::SUCCESS);
    }
    let base = running.base_url();
    let policies = running.policies();
    println!(
        "regowasm webhook serving {} policies on {base}",
        policies.len()
    );
    println!("  POST /validate (all policies, merged)");
    for p in &policies {
        if p.mutating {
            println!("  POST /validate/{0}   POST /mutate/{0}", p.name);
        } else {
            println!("  POST /validate/{}", p.name);
        }
    }
    println!("  GET  /healthz  /readyz  /metrics");
    if running.cert_generated() {
        println!(
            "\nTLS: generated a CA and a certificate for {:?} (pass --cert/--key for your own).",
            cfg.cert_dns_names()
        );
        if let Some(ca) = running.ca_pem() {
            println!("CA certificate (trust this to call the webhook):\n{ca}");
        }
    }
    println!(
        "To wire it into a cluster, run this server behind Service {}/{} (port {} → {}) and apply:\n",
        cfg.service.namespace,
        cfg.service.name,
        cfg.service.port,
        running.local_addr().port()
    );
    println!("{yaml}");
    println!(
        "Try it: curl -sk {base}/validate -H 'content-type: application/json' -d @review.json"
    );
    if cfg.inventory.cluster {
        server::loader::start_cluster_sync(&cfg)?;
    }
    running
        .run_until_signal(Duration::from_secs(args.drain_seconds))
        .await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
