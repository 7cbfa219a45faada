//! The default [`PolicyLoader`]: policy sets from the admission layer.

use super::config::ServerConfig;
use super::handler::{AdmissionHandler, LoadError};
use std::sync::Arc;

/// The loader `regowasm serve` uses: the configuration's policy set
/// directory and explicit policies, through the admission layer.
pub fn default_loader()
-> impl Fn(&ServerConfig) -> Result<Arc<dyn AdmissionHandler>, LoadError> + Send + Sync + 'static {
    |_cfg: &ServerConfig| {
        Err(LoadError(
            "the admission layer (runtime/src/admission) is not available in this build yet".into(),
        ))
    }
}

/// Start syncing inventory from the cluster (feature `cluster-sync`).
pub fn start_cluster_sync(_cfg: &ServerConfig) -> Result<(), LoadError> {
    Err(LoadError(
        "inventory sync from a cluster needs the `cluster-sync` build feature".into(),
    ))
}
