//! TLS: certificates from files or generated at start-up, optional client
//! certificate verification, and the webhook configuration that trusts
//! them.

use super::config::{ServerConfig, TlsConfig};
use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// TLS set-up errors.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or holds nothing usable.
    #[error("{what} {path}: {why}")]
    Pem {
        /// What the file should hold.
        what: &'static str,
        /// The file.
        path: String,
        /// Why it cannot be used.
        why: String,
    },
    /// Generating a certificate failed.
    #[error("generating a certificate: {0}")]
    Generate(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(String),
}

/// A server certificate, its key, and the CA that clients should trust.
pub struct ServerCert {
    /// Certificate chain (leaf first).
    pub chain: Vec<CertificateDer<'static>>,
    /// Private key.
    pub key: PrivateKeyDer<'static>,
    /// PEM of the CA to trust (the generated CA, or the chain's last
    /// certificate for files). Goes into `caBundle`.
    pub ca_pem: String,
    /// Whether the certificate was generated here.
    pub generated: bool,
}

impl ServerCert {
    /// `caBundle`: the CA PEM, base64.
    pub fn ca_bundle(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes())
    }
}

fn read_certs(path: &Path, what: &'static str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let err = |why: String| TlsError::Pem {
        what,
        path: path.display().to_string(),
        why,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no CERTIFICATE block".into()));
    }
    Ok(certs)
}

/// Load `cert`/`key` from files, or generate a CA and a leaf for the
/// configured names.
pub fn server_cert(cfg: &ServerConfig) -> Result<ServerCert, TlsError> {
    match (&cfg.tls.cert, &cfg.tls.key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert, "certificate")?;
            let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Pem {
                what: "private key",
                path: key.display().to_string(),
                why: e.to_string(),
            })?;
            let ca_pem = std::fs::read_to_string(cert).map_err(|e| TlsError::Pem {
                what: "certificate",
                path: cert.display().to_string(),
                why: e.to_string(),
            })?;
            Ok(ServerCert {
                chain,
                key: key_der,
                ca_pem,
                generated: false,
            })
        }
        _ => generate(&cfg.cert_dns_names(), &cfg.tls),
    }
}

/// Generate a CA and a server certificate signed by it.
pub fn generate(dns_names: &[String], tls: &TlsConfig) -> Result<ServerCert, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose, SanType,
    };
    let g = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(g)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "regowasm webhook CA (generated)");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(g)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(g)?;

    let mut leaf = CertificateParams::new(dns_names.to_vec()).map_err(g)?;
    for ip in &tls.ip_addresses {
        leaf.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    leaf.distinguished_name.push(
        DnType::CommonName,
        dns_names.first().map(String::as_str).unwrap_or("regowasm"),
    );
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let leaf_key = KeyPair::generate().map_err(g)?;
    let cert = leaf.signed_by(&leaf_key, &ca).map_err(g)?;
    let key = PrivateKeyDer::try_from(leaf_key.serialize_der())
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    Ok(ServerCert {
        chain: vec![cert.der().clone(), ca.der().clone()],
        key,
        ca_pem: ca.pem(),
        generated: true,
    })
}

/// The rustls server configuration: ring provider, TLS 1.2+, ALPN h2 and
/// http/1.1, client certificates required when `client_ca` is set.
pub fn rustls_config(
    cert: &ServerCert,
    client_ca: Option<&Path>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in read_certs(path, "client CA")? {
                roots.add(c).map_err(|e| TlsError::Pem {
                    what: "client CA",
                    path: path.display().to_string(),
                    why: e.to_string(),
                })?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| TlsError::Rustls(e.to_string()))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(cert.chain.clone(), cert.key.clone_key())
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Ready-to-apply `ValidatingWebhookConfiguration` and
/// `MutatingWebhookConfiguration` YAML for the given policies, trusting
/// `ca_bundle` (empty when the server's certificate is publicly trusted).
pub fn webhook_yaml(
    cfg: &ServerConfig,
    ca_bundle: Option<&str>,
    validating: &[String],
    mutating: &[String],
) -> String {
    let svc = &cfg.service;
    let client_config = |path: &str| -> String {
        let mut s = String::from("    clientConfig:\n");
        match &svc.url {
            Some(url) => s.push_str(&format!(
                "      url: \"{}{}\"\n",
                url.trim_end_matches('/'),
                path
            )),
            None => s.push_str(&format!(
                "      service:\n        name: {}\n        namespace: {}\n        port: {}\n        path: \"{}\"\n",
                svc.name, svc.namespace, svc.port, path
            )),
        }
        if let Some(b) = ca_bundle {
            s.push_str(&format!("      caBundle: \"{b}\"\n"));
        }
        s
    };
    let rules = "    rules:\n      - apiGroups: [\"*\"]\n        apiVersions: [\"*\"]\n        operations: [\"CREATE\", \"UPDATE\"]\n        resources: [\"*\"]\n        scope: \"*\"\n";
    let common = format!(
        "    admissionReviewVersions: [\"v1\", \"v1beta1\"]\n    sideEffects: None\n    timeoutSeconds: {}\n    failurePolicy: Fail\n    namespaceSelector:\n      matchExpressions:\n        - key: kubernetes.io/metadata.name\n          operator: NotIn\n          values: [\"kube-system\", \"{}\"]\n",
        cfg.limits.request_deadline_ms.div_ceil(1000).clamp(1, 30) + 1,
        svc.namespace
    );
    let mut out = String::new();
    out.push_str(&format!(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: {}\nwebhooks:\n",
        svc.name
    ));
    // One webhook for the merged decision of every policy; per-policy
    // endpoints are listed below as comments for finer wiring.
    out.push_str(&format!(
        "  - name: validate.{}.{}.svc\n",
        svc.name, svc.namespace
    ));
    out.push_str(&client_config("/validate"));
    out.push_str(rules);
    out.push_str(&common);
    for p in validating {
        out.push_str(&format!("  # per-policy endpoint: /validate/{p}\n"));
    }
    if !mutating.is_empty() {
        out.push_str(&format!(
            "---\napiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: {}\nwebhooks:\n",
            svc.name
        ));
        for p in mutating {
            out.push_str(&format!(
                "  - name: {}.mutate.{}.{}.svc\n",
                p.to_ascii_lowercase().replace('_', "-"),
                svc.name,
                svc.namespace
            ));
            out.push_str(&client_config(&format!("/mutate/{p}")));
            out.push_str(rules);
            out.push_str(&common);
            out.push_str("    reinvocationPolicy: IfNeeded\n");
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn generated_cert_builds_a_config_and_yaml_parses() {
        let cfg = ServerConfig::default();
        let cert = server_cert(&cfg).unwrap();
        assert!(cert.generated);
        assert!(cert.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        rustls_config(&cert, None).unwrap();
        let yaml = webhook_yaml(
            &cfg,
            Some(&cert.ca_bundle()),
            &["a".into()],
            &["m_1".into()],
        );
        let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&yaml)
            .map(|d| serde::Deserialize::deserialize(d).unwrap())
            .collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0]["webhooks"][0]["clientConfig"]["service"]["path"],
            serde_yaml::Value::from("/validate")
        );
        assert_eq!(
            docs[1]["webhooks"][0]["clientConfig"]["caBundle"],
            serde_yaml::Value::from(cert.ca_bundle())
        );
        assert_eq!(
            docs[1]["webhooks"][0]["name"],
            serde_yaml::Value::from("m-1.mutate.regowasm.regowasm-system.svc")
        );
    }
}
