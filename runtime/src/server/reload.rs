//! Loading, warming and swapping policy sets; SIGHUP and file watching.

use super::{LoadedSet, ServerConfig, Shared};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

/// Load and warm a new set beside the serving one, then swap it in.
/// Serialised: one reload at a time. On error the old set stays.
pub(super) async fn reload(s: &Arc<Shared>) -> Result<u64, String> {
    let _guard = s.reload_lock.lock().await;
    let result = load_and_warm(s).await;
    match result {
        Ok((set, cfg)) => {
            let generation = set.generation;
            let n = set.policies.len();
            let names: Vec<String> = set.policies.iter().map(|p| p.name.clone()).collect();
            s.set.store(Some(Arc::new(set)));
            s.config.store(Arc::new(cfg));
            *s.last_load_error.lock() = None;
            s.metrics
                .reloads
                .get_or_create(&super::metrics::ResultLabel {
                    result: "ok".into(),
                })
                .inc();
            s.metrics
                .generation
                .set(i64::try_from(generation).unwrap_or(i64::MAX));
            s.metrics.policies.set(i64::try_from(n).unwrap_or(i64::MAX));
            tracing::info!(generation, policies = ?names, "policy set loaded, warmed and serving");
            Ok(generation)
        }
        Err(e) => {
            s.metrics
                .reloads
                .get_or_create(&super::metrics::ResultLabel {
                    result: "error".into(),
                })
                .inc();
            let keeping = s.set.load().as_ref().map(|x| x.generation);
            tracing::error!(error = %e, keeping_generation = ?keeping, "reload failed; the serving set is unchanged");
            *s.last_load_error.lock() = Some(e.clone());
            Err(e)
        }
    }
}

async fn load_and_warm(s: &Arc<Shared>) -> Result<(LoadedSet, ServerConfig), String> {
    let cfg = match &s.config_path {
        Some(p) => ServerConfig::from_file(p).map_err(|e| e.to_string())?,
        None => (**s.config.load()).clone(),
    };
    warn_restart_only_changes(&s.config.load(), &cfg);
    let loader = s.loader.clone();
    let cfg_for_load = cfg.clone();
    let handler = tokio::task::spawn_blocking(move || {
        let h = loader.load(&cfg_for_load).map_err(|e| e.to_string())?;
        h.warm().map_err(|e| format!("warming policies: {e}"))?;
        Ok::<_, String>(h)
    })
    .await
    .map_err(|e| format!("loader task failed: {e}"))??;
    let policies = handler.policies();
    let mut settings = std::collections::HashMap::new();
    for p in &policies {
        if settings
            .insert(p.name.clone(), cfg.settings_for(&p.name))
            .is_some()
        {
            return Err(format!("policy name {:?} appears twice in the set", p.name));
        }
    }
    for e in &cfg.policies {
        if !settings.contains_key(&e.name) {
            tracing::warn!(policy = %e.name, "configured policy is not in the loaded set");
        }
    }
    if let (Some(tls), Some(_)) = (&s.tls, &cfg.tls.cert) {
        let cert = super::tls::server_cert(&cfg).map_err(|e| e.to_string())?;
        let rc = super::tls::rustls_config(&cert, cfg.tls.client_ca.as_deref())
            .map_err(|e| e.to_string())?;
        tls.reload_from_config(rc);
        tracing::info!("TLS certificate reloaded");
    }
    let generation = s.generation.fetch_add(1, Ordering::SeqCst) + 1;
    Ok((
        LoadedSet {
            handler,
            policies,
            settings,
            generation,
        },
        cfg,
    ))
}

fn warn_restart_only_changes(old: &ServerConfig, new: &ServerConfig) {
    if old.listen != new.listen
        || old.limits != new.limits
        || old.insecure_http != new.insecure_http
        || old.tls.dns_names != new.tls.dns_names
        || old.tls.ip_addresses != new.tls.ip_addresses
    {
        tracing::warn!(
            "listen, limits, insecureHttp and generated-certificate names take effect only after a restart"
        );
    }
}

/// Reload on SIGHUP.
pub(super) fn spawn_sighup(s: Arc<Shared>) -> Option<tokio::task::JoinHandle<()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::hangup()) {
            Ok(mut hup) => Some(tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    tracing::info!("SIGHUP: reloading policies");
                    let _ = reload(&s).await;
                }
            })),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP");
                None
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = s;
        None
    }
}

/// Poll the config file and the policy files for changes (mtime, size,
/// file set) and reload when they change.
pub(super) fn spawn_watcher(s: Arc<Shared>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let interval = Duration::from_millis(s.config.load().reload.poll_interval_ms.max(100));
        let mut last = fingerprint_of(&s).await;
        loop {
            tokio::time::sleep(interval).await;
            let now = fingerprint_of(&s).await;
            if now != last {
                tracing::info!("policy or config files changed: reloading");
                let _ = reload(&s).await;
                // Baseline on what the (possibly new) config watches now.
                last = fingerprint_of(&s).await;
            }
        }
    })
}

type Fingerprint = Vec<(PathBuf, Option<SystemTime>, u64)>;

async fn fingerprint_of(s: &Arc<Shared>) -> Fingerprint {
    let mut paths = s.config.load().watched_paths();
    if let Some(p) = &s.config_path {
        paths.push(p.clone());
    }
    tokio::task::spawn_blocking(move || fingerprint(&paths))
        .await
        .unwrap_or_default()
}

/// (path, mtime, size) of every file under the given paths (directories
/// walked, at most 20 000 entries and 16 levels deep).
fn fingerprint(paths: &[PathBuf]) -> Fingerprint {
    let mut out = Vec::new();
    for p in paths {
        walk(p, 0, &mut out);
    }
    out.sort();
    out
}

fn walk(p: &Path, depth: usize, out: &mut Fingerprint) {
    if out.len() >= 20_000 || depth > 16 {
        return;
    }
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => {
            if let Ok(rd) = std::fs::read_dir(p) {
                for e in rd.flatten() {
                    walk(&e.path(), depth + 1, out);
                }
            }
        }
        Ok(m) => out.push((p.to_path_buf(), m.modified().ok(), m.len())),
        Err(_) => out.push((p.to_path_buf(), None, 0)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_sees_changes() {
        let dir = std::env::temp_dir().join(format!("regowasm-fp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a.rego"), "package a").unwrap();
        let a = fingerprint(std::slice::from_ref(&dir));
        assert_eq!(a.len(), 1);
        std::fs::write(dir.join("sub/b.rego"), "package b").unwrap();
        let b = fingerprint(std::slice::from_ref(&dir));
        assert_ne!(a, b);
        std::fs::write(dir.join("sub/b.rego"), "package bb").unwrap();
        assert_ne!(b, fingerprint(std::slice::from_ref(&dir)));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            fingerprint(std::slice::from_ref(&dir)),
            vec![(dir, None, 0)]
        );
    }
}
