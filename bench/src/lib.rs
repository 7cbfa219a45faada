//! Shared fixtures for regowasm's criterion benchmarks: realistic
//! AdmissionReviews (a Pod with several containers, a Deployment, an
//! Ingress) of controlled size, and `data.inventory` documents of
//! controlled object count. Everything is generated deterministically, so
//! every run measures the same bytes.

pub mod corpus;
pub mod regov1;

use serde_json::{Value, json};

/// A container spec with `i` as its index.
fn container(i: usize, registry: &str) -> Value {
    json!({
        "name": format!("app-{i}"),
        "image": format!("{registry}/team/app-{i}:1.{i}.0"),
        "imagePullPolicy": "IfNotPresent",
        "args": ["--port=8080", "--log-level=info", format!("--shard={i}")],
        "env": (0..8).map(|e| json!({"name": format!("ENV_{e}"), "value": format!("value-{i}-{e}")})).collect::<Vec<_>>(),
        "ports": [{"containerPort": 8080 + i, "name": "http", "protocol": "TCP"}],
        "resources": {
            "limits": {"cpu": "500m", "memory": "256Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"}
        },
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "runAsNonRoot": true,
            "capabilities": {"drop": ["ALL"]}
        },
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}, "periodSeconds": 5},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": true}]
    })
}

/// A Pod spec with `containers` containers and a padding annotation of
/// `pad` bytes (to reach a target size).
fn pod_spec(containers: usize, registry: &str) -> Value {
    json!({
        "serviceAccountName": "app",
        "automountServiceAccountToken": false,
        "containers": (0..containers).map(|i| container(i, registry)).collect::<Vec<_>>(),
        "initContainers": [container(99, registry)],
        "volumes": [{"name": "config", "configMap": {"name": "app-config"}}],
        "securityContext": {"runAsUser": 1000, "fsGroup": 2000}
    })
}

fn metadata(name: &str, namespace: &str, pad: usize) -> Value {
    json!({
        "name": name,
        "namespace": namespace,
        "uid": "3f8c0b1e-7d4e-4a5b-9c2d-1e0f2a3b4c5d",
        "labels": {"app": name, "owner": "team-a", "tier": "backend", "app.kubernetes.io/name": name},
        "annotations": {"example.com/padding": "x".repeat(pad)}
    })
}

/// Wrap an object into an AdmissionReview v1 CREATE request.
pub fn admission_review(object: Value) -> Value {
    let kind = object["kind"].as_str().unwrap_or("Pod").to_string();
    let api_version = object["apiVersion"].as_str().unwrap_or("v1").to_string();
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.clone()),
    };
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_lowercase())},
            "name": object["metadata"]["name"],
            "namespace": object["metadata"]["namespace"],
            "operation": "CREATE",
            "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
            "object": object,
            "oldObject": null,
            "dryRun": false
        }
    })
}

/// A Pod with `containers` containers from `registry`.
pub fn pod(containers: usize, registry: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata("web", "default", 0),
        "spec": pod_spec(containers, registry)
    })
}

/// A Deployment with `containers` containers.
pub fn deployment(containers: usize) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata("web", "default", 0),
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": metadata("web", "default", 0), "spec": pod_spec(containers, "registry.example.com")}
        }
    })
}

/// An Ingress with `hosts` rules.
pub fn ingress(hosts: usize) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata("web", "default", 0),
        "spec": {
            "tls": [{"hosts": (0..hosts).map(|h| format!("h{h}.example.com")).collect::<Vec<_>>(), "secretName": "tls"}],
            "rules": (0..hosts).map(|h| json!({
                "host": format!("h{h}.example.com"),
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}
            })).collect::<Vec<_>>()
        }
    })
}

/// A Pod AdmissionReview padded to about `bytes` bytes of JSON.
pub fn pod_review_of_size(bytes: usize) -> Value {
    let base = admission_review(pod(2, "registry.example.com"));
    let have = base.to_string().len();
    let mut object = pod(2, "registry.example.com");
    object["metadata"] = metadata("web", "default", bytes.saturating_sub(have));
    admission_review(object)
}

/// The objects of [`inventory`]: `objects` Pods spread over 10
/// namespaces (labels `app: app-<i % 50>`), then the 10 Namespaces.
pub fn inventory_objects(objects: usize) -> Vec<Value> {
    let mut out: Vec<Value> = (0..objects)
        .map(|i| {
            let ns = format!("ns-{}", i % 10);
            json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("pod-{i}"), "namespace": ns, "labels": {"app": format!("app-{}", i % 50)}},
                "spec": {"containers": [{"name": "c", "image": "registry.example.com/app:1"}]}
            })
        })
        .collect();
    out.extend((0..10).map(|i| {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns-{i}")}})
    }));
    out
}

/// A `data.inventory` document (Gatekeeper's namespace layout) holding
/// `objects` Pods spread over 10 namespaces, plus the cluster layout for
/// Namespaces.
pub fn inventory(objects: usize) -> Value {
    let mut namespaces = serde_json::Map::new();
    for i in 0..objects {
        let ns = format!("ns-{}", i % 10);
        let name = format!("pod-{i}");
        let entry = namespaces
            .entry(ns.clone())
            .or_insert_with(|| json!({"v1": {"Pod": {}}}));
        entry["v1"]["Pod"][name.as_str()] = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": format!("app-{}", i % 50)}},
            "spec": {"containers": [{"name": "c", "image": "registry.example.com/app:1"}]}
        });
    }
    let cluster: serde_json::Map<String, Value> = (0..10)
        .map(|i| {
            (
                format!("ns-{i}"),
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns-{i}")}}),
            )
        })
        .collect();
    json!({"cluster": {"v1": {"Namespace": cluster}}, "namespace": namespaces})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_as_asked() {
        for target in [1_000usize, 10_000, 100_000] {
            let len = pod_review_of_size(target).to_string().len();
            assert!(
                len >= target && len < target + target / 2 + 4_000,
                "{target} -> {len}"
            );
        }
        let pod_len = admission_review(pod(4, "r.example.com")).to_string().len();
        assert!(
            (5_000..50_000).contains(&pod_len),
            "pod review is {pod_len} bytes"
        );
    }

    #[test]
    fn inventory_counts_objects() {
        let inv = inventory(1000);
        let total: usize = inv["namespace"]
            .as_object()
            .map(|m| {
                m.values()
                    .map(|ns| ns["v1"]["Pod"].as_object().map_or(0, |p| p.len()))
                    .sum()
            })
            .unwrap_or(0);
        assert_eq!(total, 1000);
    }
}
