//! The admission layer end to end: match semantics, enforcement actions,
//! fail-closed errors, inventory, mutation patches and AdmissionReview
//! round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::Engine as _;
use regowasm_runtime::admission::{
    Constraint, ConstraintTemplate, EngineChoice, GatekeeperPolicy, Inventory, OpaPolicy,
    OutcomeKind, PolicySet, ReviewRequest, validate_patch,
};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// A template whose violation reports the object's name, plus anything
/// else given.
fn template(kind: &str, rego: &str) -> ConstraintTemplate {
    ConstraintTemplate::from_value(&json!({
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"name": kind.to_lowercase()},
        "spec": {
            "crd": {"spec": {"names": {"kind": kind}, "validation": {"openAPIV3Schema": {
                "type": "object",
                "properties": {"n": {"type": "integer"}, "names": {"type": "array", "items": {"type": "string"}}}
            }}}},
            "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": rego}]
        }
    }))
    .unwrap()
}

const ALWAYS: &str = r#"package always
violation[{"msg": msg, "details": {"name": input.review.object.metadata.name}}] {
  msg := sprintf("hit %v", [input.review.object.metadata.name])
}"#;

fn constraint(kind: &str, name: &str, spec: Value) -> Constraint {
    Constraint::from_value(&json!({
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": spec
    }))
    .unwrap()
}

fn set_with(kind: &str, rego: &str, constraints: Vec<Constraint>) -> PolicySet {
    let mut set = PolicySet::new();
    set.add_template(GatekeeperPolicy::compile(template(kind, rego)).unwrap())
        .unwrap();
    for c in constraints {
        set.add_constraint(c).unwrap();
    }
    set
}

fn pod(name: &str, ns: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}})
}

fn review(api_version: &str, uid: &str, op: &str, object: Value) -> Value {
    let ns = object["metadata"]["namespace"].clone();
    json!({
        "apiVersion": api_version,
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": object["kind"]},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "name": object["metadata"]["name"],
            "namespace": ns,
            "operation": op,
            "userInfo": {"username": "alice", "groups": ["dev"]},
            "object": object
        }
    })
}

fn decide(set: &PolicySet, obj: &Value) -> regowasm_runtime::admission::Decision {
    set.decide(&ReviewRequest::from_object(obj).unwrap())
}

fn matches(spec_match: Value, obj: &Value, inventory: Option<Inventory>) -> bool {
    let set = set_with(
        "Always",
        ALWAYS,
        vec![constraint("Always", "c", json!({"match": spec_match}))],
    );
    if let Some(inv) = inventory {
        set.set_inventory(inv);
    }
    let d = decide(&set, obj);
    assert!(d.errors().next().is_none(), "{:?}", d.outcomes);
    !d.allowed
}

#[test]
fn match_kinds_scope_and_name() {
    let p = pod("web-1", "shop", json!({}));
    assert!(matches(
        json!({"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}),
        &p,
        None
    ));
    assert!(!matches(
        json!({"kinds": [{"apiGroups": ["apps"], "kinds": ["Pod"]}]}),
        &p,
        None
    ));
    assert!(matches(
        json!({"kinds": [{"apiGroups": ["*"], "kinds": ["*"]}]}),
        &p,
        None
    ));
    assert!(matches(json!({"scope": "Namespaced"}), &p, None));
    assert!(!matches(json!({"scope": "Cluster"}), &p, None));
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    assert!(matches(json!({"scope": "Cluster"}), &ns, None));
    assert!(matches(json!({"name": "web-*"}), &p, None));
    assert!(!matches(json!({"name": "api-*"}), &p, None));
    assert!(matches(json!({"name": "*-1"}), &p, None));
}

#[test]
fn match_namespaces_with_globs() {
    let p = pod("p", "kube-system", json!({}));
    assert!(matches(json!({"namespaces": ["kube-*"]}), &p, None));
    assert!(!matches(
        json!({"namespaces": ["prod", "*-prod"]}),
        &p,
        None
    ));
    assert!(!matches(
        json!({"excludedNamespaces": ["kube-*"]}),
        &p,
        None
    ));
    assert!(!matches(
        json!({"excludedNamespaces": ["*-system"]}),
        &p,
        None
    ));
    assert!(matches(json!({"excludedNamespaces": ["*-prod"]}), &p, None));
    // A Namespace object is matched by its own name.
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-public"}});
    assert!(!matches(
        json!({"excludedNamespaces": ["kube-*"]}),
        &ns,
        None
    ));
    // Cluster-scoped objects are not excluded by namespace rules.
    let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}});
    assert!(matches(json!({"namespaces": ["prod"]}), &node, None));
}

#[test]
fn match_label_and_namespace_selectors() {
    let p = pod("p", "shop", json!({"tier": "web"}));
    assert!(matches(
        json!({"labelSelector": {"matchLabels": {"tier": "web"}}}),
        &p,
        None
    ));
    assert!(!matches(
        json!({"labelSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]}}),
        &p,
        None
    ));
    let inv = || {
        Inventory::from_objects(&[json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"env": "prod"}}})])
        .unwrap()
    };
    assert!(matches(
        json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}}),
        &p,
        Some(inv())
    ));
    assert!(!matches(
        json!({"namespaceSelector": {"matchLabels": {"env": "dev"}}}),
        &p,
        Some(inv())
    ));

    // Unknown namespace: the selector cannot be decided, so the request
    // fails closed with a message saying why.
    let set = set_with(
        "Always",
        ALWAYS,
        vec![constraint(
            "Always",
            "c",
            json!({"match": {"namespaceSelector": {"matchLabels": {"env": "prod"}}}}),
        )],
    );
    let d = decide(&set, &p);
    assert!(!d.allowed);
    assert_eq!(d.code, 500);
    assert!(d.message.contains("namespaceSelector"), "{}", d.message);
}

#[test]
fn invalid_selectors_and_actions_are_rejected_at_load() {
    let bad_selector = Constraint::from_value(&json!({
        "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "Always", "metadata": {"name": "x"},
        "spec": {"match": {"labelSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}}
    }));
    assert!(bad_selector.is_err());
    let bad_action = Constraint::from_value(&json!({
        "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "Always", "metadata": {"name": "x"},
        "spec": {"enforcementAction": "block"}
    }));
    assert!(bad_action.is_err());
}

#[test]
fn parameters_are_validated_against_the_schema() {
    let mut set = set_with("Always", ALWAYS, vec![]);
    let err = set
        .add_constraint(constraint(
            "Always",
            "c",
            json!({"parameters": {"n": "three"}}),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("spec.parameters.n"), "{err}");
    set.add_constraint(constraint("Always", "c", json!({"parameters": {"n": 3}})))
        .unwrap();
    let unknown = set.add_constraint(constraint("Other", "c", json!({})));
    assert!(unknown.is_err());
}

#[test]
fn enforcement_actions() {
    let set = set_with(
        "Always",
        ALWAYS,
        vec![
            constraint("Always", "warn-me", json!({"enforcementAction": "warn"})),
            constraint("Always", "dry", json!({"enforcementAction": "dryrun"})),
        ],
    );
    let d = decide(&set, &pod("p", "ns", json!({})));
    assert!(d.allowed);
    assert_eq!(d.code, 299);
    assert_eq!(d.warnings, vec!["[warn-me] hit p".to_string()]);
    // dryrun is recorded, not enforced
    assert_eq!(d.violations().count(), 2);
    let dry: Vec<_> = d
        .violations()
        .filter(|v| v.constraint_name == "dry")
        .collect();
    assert_eq!(dry.len(), 1);
    assert_eq!(dry[0].details, json!({"name": "p"}));

    let set = set_with(
        "Always",
        ALWAYS,
        vec![
            constraint("Always", "deny-me", json!({})),
            constraint("Always", "warn-me", json!({"enforcementAction": "warn"})),
        ],
    );
    let d = decide(&set, &pod("p", "ns", json!({})));
    assert!(!d.allowed);
    assert_eq!(d.code, 403);
    assert_eq!(d.message, "[deny-me] hit p");
    assert_eq!(d.warnings, vec!["[warn-me] hit p".to_string()]);
    let resp = d.to_response(
        "u",
        kube::core::TypeMeta {
            api_version: "admission.k8s.io/v1".into(),
            kind: "AdmissionReview".into(),
        },
    );
    let v = serde_json::to_value(&resp).unwrap();
    assert_eq!(v["status"]["code"], 403);
    assert_eq!(v["status"]["reason"], "Forbidden");
    assert_eq!(v["warnings"][0], "[warn-me] hit p");
}

#[test]
fn gatekeeper_input_shape() {
    // The review is what Gatekeeper builds; parameters are the constraint's.
    let rego = r#"package shape
violation[{"msg": msg}] {
  msg := json.marshal([input.review.operation, input.review.userInfo.username,
                       input.review.kind.kind, input.review.namespace, input.parameters.n])
}"#;
    let set = set_with(
        "Shape",
        rego,
        vec![constraint("Shape", "s", json!({"parameters": {"n": 7}}))],
    );
    let r = ReviewRequest::from_admission_review(&review(
        "admission.k8s.io/v1",
        "u1",
        "UPDATE",
        pod("p", "shop", json!({})),
    ))
    .unwrap();
    let d = set.decide(&r);
    let msg = &d.violations().next().unwrap().msg;
    assert_eq!(msg, r#"["UPDATE","alice","Pod","shop",7]"#);
}

#[test]
fn errors_fail_closed_and_ignore_allows_with_a_warning() {
    // Conflicting values for a complete rule: an evaluation error.
    let conflict = r#"package conflict
x := 1 { true }
x := 2 { true }
violation[{"msg": "never"}] { x == 3 }"#;
    let set = set_with(
        "Conflict",
        conflict,
        vec![constraint("Conflict", "c", json!({}))],
    );
    let d = decide(&set, &pod("p", "ns", json!({})));
    assert!(!d.allowed);
    assert_eq!(d.code, 500);
    assert!(
        d.message
            .starts_with("[Conflict/c] evaluating data.conflict.violation"),
        "{}",
        d.message
    );

    // failurePolicy: Ignore (annotation) → allowed, with the cause as a warning.
    let ignore = Constraint::from_value(&json!({
        "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "Conflict",
        "metadata": {"name": "c", "annotations": {"regowasm.dev/failure-policy": "Ignore"}},
        "spec": {}
    }))
    .unwrap();
    let set = set_with("Conflict", conflict, vec![ignore]);
    let d = decide(&set, &pod("p", "ns", json!({})));
    assert!(d.allowed);
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].contains("ignored"), "{:?}", d.warnings);

    // dryrun constraints never block, even when they fail.
    let set = set_with(
        "Conflict",
        conflict,
        vec![constraint(
            "Conflict",
            "c",
            json!({"enforcementAction": "dryrun"}),
        )],
    );
    let d = decide(&set, &pod("p", "ns", json!({})));
    assert!(d.allowed);
    assert_eq!(d.errors().count(), 1);
}

#[test]
fn malformed_violations_fail_closed() {
    for (rego, cause) in [
        (
            r#"package m
violation[{"message": "no msg field"}] { true }"#,
            "has no msg",
        ),
        (
            r#"package m
violation[{"msg": 42}] { true }"#,
            "msg is a number",
        ),
        (
            r#"package m
violation := "not a set""#,
            "expected a set of violations",
        ),
    ] {
        let set = set_with(
            "Malformed",
            rego,
            vec![constraint("Malformed", "c", json!({}))],
        );
        let d = decide(&set, &pod("p", "ns", json!({})));
        assert!(!d.allowed, "{rego}");
        assert!(
            d.message.contains("malformed result") && d.message.contains(cause),
            "{}",
            d.message
        );
    }
}

#[test]
fn deadline_fails_closed() {
    let slow = r#"package slow
violation[{"msg": "done"}] {
  count([x | x := numbers.range(1, 50000000)[_]; x % 7 == 0]) < 0
}"#;
    let policy = GatekeeperPolicy::compile_with(
        template("Slow", slow),
        None,
        EngineChoice::Rego,
        Duration::from_millis(20),
    )
    .unwrap();
    let mut set = PolicySet::new();
    set.add_template(policy).unwrap();
    set.add_constraint(constraint("Slow", "c", json!({})))
        .unwrap();
    let d = decide(&set, &pod("p", "ns", json!({})));
    assert!(!d.allowed);
    assert_eq!(d.code, 500);
    assert_eq!(d.errors().count(), 1);
}

#[test]
fn missing_builtin_fails_closed() {
    let rego = r#"package missing
violation[{"msg": "x"}] { not_a_builtin.at_all(1) }"#;
    // Either the template is refused at load, or evaluation fails: never an allow.
    match GatekeeperPolicy::compile(template("Missing", rego)) {
        Err(e) => assert!(e.to_string().contains("not_a_builtin"), "{e}"),
        Ok(p) => {
            let mut set = PolicySet::new();
            set.add_template(p).unwrap();
            set.add_constraint(constraint("Missing", "c", json!({})))
                .unwrap();
            let d = decide(&set, &pod("p", "ns", json!({})));
            assert!(!d.allowed);
        }
    }
}

#[test]
fn inventory_is_data_inventory() {
    let unique = r#"package unique
violation[{"msg": msg}] {
  input.review.kind.kind == "Pod"
  host := input.review.object.metadata.labels.host
  other := data.inventory.namespace[ns][_]["Pod"][name]
  other.metadata.labels.host == host
  name != input.review.object.metadata.name
  msg := sprintf("host %v already used by %v/%v", [host, ns, name])
}
violation[{"msg": "cluster"}] {
  data.inventory.cluster["v1"]["Namespace"]["shop"].metadata.labels.frozen == "yes"
}"#;
    let set = set_with("Unique", unique, vec![constraint("Unique", "u", json!({}))]);
    let me = pod("b", "shop", json!({"host": "x"}));
    assert!(decide(&set, &me).allowed);
    set.set_inventory(
        Inventory::from_objects(&[
            pod("a", "other", json!({"host": "x"})),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"frozen": "yes"}}}),
        ])
        .unwrap(),
    );
    let d = decide(&set, &me);
    assert!(!d.allowed);
    assert_eq!(d.message, "[u] cluster\n[u] host x already used by other/a");
    set.set_inventory(Inventory::new());
    assert!(decide(&set, &me).allowed);
}

fn label_policy(mutating: bool, patch_rego: &str) -> OpaPolicy {
    let rego = format!(
        r#"package policy
{patch_rego}
main := {{"apiVersion": input.apiVersion, "kind": "AdmissionReview",
  "response": {{"uid": input.request.uid, "allowed": true, "patchType": "JSONPatch",
               "patch": base64.encode(json.marshal(patch))}}}}"#
    );
    OpaPolicy::compile(
        "labeller",
        &[("p.rego".to_string(), rego)],
        "policy/main",
        None,
    )
    .unwrap()
    .with_mutating(mutating)
}

#[test]
fn mutation_patch_is_validated_and_returned() {
    let good = label_policy(
        true,
        r#"patch := [{"op": "add", "path": "/metadata/labels/team", "value": "core"}]"#,
    );
    let mut set = PolicySet::new();
    set.add_opa_policy(good).unwrap();
    let obj = pod("p", "ns", json!({"a": "b"}));
    let out = set.review_json(&review(
        "admission.k8s.io/v1",
        "uid-7",
        "CREATE",
        obj.clone(),
    ));
    let resp = &out["response"];
    assert_eq!(resp["allowed"], true);
    assert_eq!(resp["uid"], "uid-7");
    assert_eq!(resp["patchType"], "JSONPatch");
    let patch: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(resp["patch"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let patched = validate_patch(&patch, &obj).unwrap();
    assert_eq!(
        patched["metadata"]["labels"],
        json!({"a": "b", "team": "core"})
    );

    // A patch that does not apply denies the request.
    let bad = label_policy(
        true,
        r#"patch := [{"op": "replace", "path": "/spec/nothing/here", "value": 1}]"#,
    );
    let mut set = PolicySet::new();
    set.add_opa_policy(bad).unwrap();
    let d = set.decide(
        &ReviewRequest::from_admission_review(&review(
            "admission.k8s.io/v1",
            "u",
            "CREATE",
            obj.clone(),
        ))
        .unwrap(),
    );
    assert!(!d.allowed);
    assert!(d.message.contains("does not apply"), "{}", d.message);
    assert!(d.patch.is_none());

    // A non-mutating policy may not patch.
    let sneaky = label_policy(
        false,
        r#"patch := [{"op": "add", "path": "/metadata/labels/x", "value": "y"}]"#,
    );
    let mut set = PolicySet::new();
    set.add_opa_policy(sneaky).unwrap();
    let d = set.decide(
        &ReviewRequest::from_admission_review(&review("admission.k8s.io/v1", "u", "CREATE", obj))
            .unwrap(),
    );
    assert!(!d.allowed);
    assert!(d.message.contains("not mutating"), "{}", d.message);
}

#[test]
fn validators_see_the_mutated_object() {
    let mut set = PolicySet::new();
    set.add_opa_policy(label_policy(
        true,
        r#"patch := [{"op": "add", "path": "/metadata/labels/team", "value": "core"}]"#,
    ))
    .unwrap();
    let needs_team = r#"package needsteam
violation[{"msg": "no team"}] { not input.review.object.metadata.labels.team }"#;
    set.add_template(GatekeeperPolicy::compile(template("NeedsTeam", needs_team)).unwrap())
        .unwrap();
    set.add_constraint(constraint("NeedsTeam", "t", json!({})))
        .unwrap();
    let d = set.decide(
        &ReviewRequest::from_admission_review(&review(
            "admission.k8s.io/v1",
            "u",
            "CREATE",
            pod("p", "ns", json!({})),
        ))
        .unwrap(),
    );
    assert!(d.allowed, "{}", d.message);
    assert!(d.patch.is_some());
}

#[test]
fn opa_malformed_responses_fail_closed() {
    for (body, cause) in [
        (r#"main := {"allowed": true}"#, "response object"),
        (
            r#"main := {"response": {"allowed": "yes"}}"#,
            "allowed is not a boolean",
        ),
        (
            r#"main := {"response": {"allowed": false, "status": {"code": 99999}}}"#,
            "HTTP status",
        ),
        (
            r#"nothing := 1"#,
            "entrypoint data.policy.main is not defined",
        ),
        (r#"main := x if { x := input.nope }"#, "undefined"),
    ] {
        let p = OpaPolicy::compile(
            "p",
            &[("p.rego".into(), format!("package policy\n{body}"))],
            "policy/main",
            None,
        )
        .unwrap();
        let mut set = PolicySet::new();
        set.add_opa_policy(p).unwrap();
        let d = decide(&set, &pod("x", "ns", json!({})));
        assert!(!d.allowed, "{body}");
        assert!(d.message.contains(cause), "{body}: {}", d.message);
    }
    // ... and Ignore lets the request through with a warning.
    let p = OpaPolicy::compile(
        "p",
        &[("p.rego".into(), "package policy\nmain := 1".into())],
        "policy/main",
        None,
    )
    .unwrap()
    .with_failure_policy(regowasm_runtime::admission::FailurePolicy::Ignore);
    let mut set = PolicySet::new();
    set.add_opa_policy(p).unwrap();
    let d = decide(&set, &pod("x", "ns", json!({})));
    assert!(d.allowed);
    assert_eq!(d.warnings.len(), 1);
}

#[test]
fn opa_settings_are_data_and_denials_carry_the_message() {
    let rego = r#"package policy
main := {"response": {"uid": input.request.uid, "allowed": allowed,
                      "status": {"code": 403, "message": sprintf("max %v", [data.max])}}}
default allowed := false
allowed if count(input.request.object.spec.containers) <= data.max"#;
    let p = OpaPolicy::compile(
        "limit",
        &[("p.rego".into(), rego.into())],
        "data.policy.main",
        Some(&json!({"max": 0})),
    )
    .unwrap();
    let mut set = PolicySet::new();
    set.add_opa_policy(p).unwrap();
    let d = decide(&set, &pod("x", "ns", json!({})));
    assert!(!d.allowed);
    assert_eq!(d.code, 403);
    assert_eq!(d.message, "[limit] max 0");
    assert!(matches!(
        d.outcomes[0].kind,
        OutcomeKind::Verdict { allowed: false, .. }
    ));
}

#[test]
fn admission_review_round_trips_v1_and_v1beta1() {
    let set = set_with(
        "Always",
        ALWAYS,
        vec![constraint(
            "Always",
            "c",
            json!({"match": {"labelSelector": {"matchLabels": {"deny": "yes"}}}}),
        )],
    );
    for api in ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"] {
        let allowed = set.review_json(&review(
            api,
            "uid-allow",
            "CREATE",
            pod("a", "ns", json!({})),
        ));
        assert_eq!(allowed["apiVersion"], api);
        assert_eq!(allowed["kind"], "AdmissionReview");
        assert_eq!(allowed["response"]["uid"], "uid-allow");
        assert_eq!(allowed["response"]["allowed"], true);
        assert!(allowed.get("request").is_none());

        let denied = set.review_json(&review(
            api,
            "uid-deny",
            "CREATE",
            pod("d", "ns", json!({"deny": "yes"})),
        ));
        assert_eq!(denied["apiVersion"], api);
        assert_eq!(denied["response"]["uid"], "uid-deny");
        assert_eq!(denied["response"]["allowed"], false);
        assert_eq!(denied["response"]["status"]["message"], "[c] hit d");

        // Typed API: same answer, types carried over.
        let typed: kube::core::admission::AdmissionReview<kube::core::DynamicObject> =
            serde_json::from_value(review(
                api,
                "uid-typed",
                "CREATE",
                pod("d", "ns", json!({"deny": "yes"})),
            ))
            .unwrap();
        let resp = set.review(&typed);
        assert_eq!(resp.uid, "uid-typed");
        assert!(!resp.allowed);
        let out = serde_json::to_value(resp.into_review()).unwrap();
        assert_eq!(out["apiVersion"], api);
        assert_eq!(out["response"]["status"]["message"], "[c] hit d");
    }
    // A review without a request is answered, denied, not a panic.
    let bad =
        set.review_json(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}));
    assert_eq!(bad["response"]["allowed"], false);
    let garbage = set.review_json(&json!([1, 2, 3]));
    assert_eq!(garbage["response"]["allowed"], false);
}

#[test]
fn delete_requests_review_the_old_object() {
    let set = set_with("Always", ALWAYS, vec![constraint("Always", "c", json!({}))]);
    let mut r = review(
        "admission.k8s.io/v1",
        "u",
        "DELETE",
        pod("gone", "ns", json!({})),
    );
    let old = r["request"]["object"].take();
    r["request"]["oldObject"] = old;
    let out = set.review_json(&r);
    assert_eq!(out["response"]["status"]["message"], "[c] hit gone");
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

#[test]
fn default_policies_load_and_their_suites_pass() {
    let dir = workspace_root().join("policies");
    let set = PolicySet::from_dir(&dir).unwrap();
    assert_eq!(set.templates().len(), 7);
    assert_eq!(set.opa_policies().len(), 3);
    let results =
        regowasm_runtime::admission::verify::run(dir.to_str().unwrap(), &Default::default())
            .unwrap();
    let counts = regowasm_runtime::admission::verify::counts(&results);
    let report = regowasm_runtime::admission::verify::print_go(&results, false);
    assert_eq!(counts.suites, 10, "{report}");
    assert_eq!(counts.failed + counts.test_errors, 0, "{report}");
    assert!(counts.passed >= 40, "{report}");
}

#[test]
fn gatekeeper_library_general_suites_pass() {
    let dir = workspace_root().join("../shared/gatekeeper-library/library/general");
    if !dir.is_dir() {
        eprintln!("SKIPPED: {} is absent", dir.display());
        return;
    }
    let results =
        regowasm_runtime::admission::verify::run(dir.to_str().unwrap(), &Default::default())
            .unwrap();
    let counts = regowasm_runtime::admission::verify::counts(&results);
    let report = regowasm_runtime::admission::verify::print_go(&results, false);
    assert_eq!(counts.suites, 30, "{report}");
    assert_eq!(counts.failed + counts.test_errors, 0, "{report}");
    eprintln!(
        "gatekeeper library: {} cases passed in {} suites",
        counts.passed, counts.suites
    );
}
