//! Kubernetes rules, over every document of a manifest file (kube-score, kube-linter and
//! Polaris's most valuable checks, and a few across documents of the same file).

mod autoscaler_target_missing;
mod capabilities_not_dropped;
mod default_namespace;
mod deprecated_api_version;
mod identical_probes;
mod ingress_backend_missing;
mod ingress_without_tls;
mod missing_probes;
mod missing_resources;
mod mutable_image_tag;
mod pdb_blocks_eviction;
mod privilege_escalation_allowed;
mod privileged_container;
mod probe_port_not_container_port;
mod replicas_beside_autoscaler;
mod root_allowed;
mod secret_in_env_value;
mod selector_not_matching_template;
mod service_selects_nothing;
mod single_replica_without_pdb;
mod target_port_not_container_port;
mod writable_root_filesystem;

use super::yaml::Node;
use super::{Diagnostic, RuleInfo};

/// A Kubernetes rule over the documents of one file.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Findings, each at the node it is about.
    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)>;
}

pub static RULES: &[&dyn Rule] = &[
    &missing_resources::MissingResources,
    &missing_probes::MissingProbes,
    &identical_probes::IdenticalProbes,
    &probe_port_not_container_port::ProbePortNotContainerPort,
    &root_allowed::RootAllowed,
    &privilege_escalation_allowed::PrivilegeEscalationAllowed,
    &writable_root_filesystem::WritableRootFilesystem,
    &capabilities_not_dropped::CapabilitiesNotDropped,
    &mutable_image_tag::MutableImageTag,
    &selector_not_matching_template::SelectorNotMatchingTemplate,
    &service_selects_nothing::ServiceSelectsNothing,
    &ingress_without_tls::IngressWithoutTls,
    &replicas_beside_autoscaler::ReplicasBesideAutoscaler,
    &default_namespace::DefaultNamespace,
    &deprecated_api_version::DeprecatedApiVersion,
    &single_replica_without_pdb::SingleReplicaWithoutPdb,
    &pdb_blocks_eviction::PdbBlocksEviction,
    &autoscaler_target_missing::AutoscalerTargetMissing,
    &target_port_not_container_port::TargetPortNotContainerPort,
    &ingress_backend_missing::IngressBackendMissing,
    &secret_in_env_value::SecretInEnvValue,
    &privileged_container::PrivilegedContainer,
];

/// What each of [`RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static INFOS: &[&RuleInfo] = &[
    &missing_resources::INFO,
    &missing_probes::INFO,
    &identical_probes::INFO,
    &probe_port_not_container_port::INFO,
    &root_allowed::INFO,
    &privilege_escalation_allowed::INFO,
    &writable_root_filesystem::INFO,
    &capabilities_not_dropped::INFO,
    &mutable_image_tag::INFO,
    &selector_not_matching_template::INFO,
    &service_selects_nothing::INFO,
    &ingress_without_tls::INFO,
    &replicas_beside_autoscaler::INFO,
    &default_namespace::INFO,
    &deprecated_api_version::INFO,
    &single_replica_without_pdb::INFO,
    &pdb_blocks_eviction::INFO,
    &autoscaler_target_missing::INFO,
    &target_port_not_container_port::INFO,
    &ingress_backend_missing::INFO,
    &secret_in_env_value::INFO,
    &privileged_container::INFO,
];

/// Whether a document is a Kubernetes object: it has an apiVersion and a kind.
pub fn is_object(document: &Node) -> bool {
    document.get("apiVersion").and_then(Node::as_str).is_some()
        && document.get("kind").and_then(Node::as_str).is_some()
}

pub fn kind(document: &Node) -> &str {
    document.get("kind").and_then(Node::as_str).unwrap_or("")
}

/// Objects that run pods from a template.
pub fn workloads(documents: &[Node]) -> impl Iterator<Item = &Node> {
    documents.iter().filter(|d| {
        matches!(
            kind(d),
            "Deployment" | "StatefulSet" | "DaemonSet" | "Rollout"
        )
    })
}

/// The containers of a workload's pod template.
pub fn containers(workload: &Node) -> &[Node] {
    workload
        .at(&["spec", "template", "spec", "containers"])
        .map_or(&[], Node::items)
}

/// Every workload container whose `securityContext.<setting>` is not set to `wanted`.
pub fn containers_without<'a>(
    documents: &'a [Node],
    setting: &'static str,
    wanted: bool,
) -> impl Iterator<Item = &'a Node> {
    workloads(documents).flat_map(containers).filter(move |c| {
        c.at(&["securityContext", setting]).and_then(Node::as_bool) != Some(wanted)
    })
}

/// Whether every label a selector asks for is on `labels` with the same value.
pub fn selects(selector: &Node, labels: &Node) -> bool {
    !selector.entries().is_empty()
        && selector.entries().iter().all(|(key, value)| {
            labels.get(key.as_str().unwrap_or("")).map(|l| &l.value) == Some(&value.value)
        })
}

/// The pod template of an object that runs pods from one (a CronJob's, two levels down).
pub fn pod_template(object: &Node) -> Option<&Node> {
    match kind(object) {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Rollout" | "Job" | "ReplicaSet" => {
            object.at(&["spec", "template"])
        }
        "CronJob" => object.at(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

/// The pod spec of any object that runs pods: a Pod's own, or its template's.
pub fn pod_spec(object: &Node) -> Option<&Node> {
    match kind(object) {
        "Pod" => object.get("spec"),
        _ => pod_template(object)?.get("spec"),
    }
}

/// A workload's pod labels.
pub fn pod_labels(workload: &Node) -> Option<&Node> {
    workload.at(&["spec", "template", "metadata", "labels"])
}

/// An object's `metadata.name`.
pub fn name(object: &Node) -> &str {
    object
        .at(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or("")
}

/// The HorizontalPodAutoscaler of the file that scales `workload`.
pub fn autoscaler_of<'a>(documents: &'a [Node], workload: &Node) -> Option<&'a Node> {
    documents.iter().find(|d| {
        kind(d) == "HorizontalPodAutoscaler"
            && d.at(&["spec", "scaleTargetRef", "kind"])
                .and_then(Node::as_str)
                == Some(kind(workload))
            && d.at(&["spec", "scaleTargetRef", "name"])
                .and_then(Node::as_str)
                == Some(name(workload))
    })
}

/// The fewest pods a workload runs: its autoscaler's minReplicas, else `replicas` (default 1).
pub fn minimum_replicas(documents: &[Node], workload: &Node) -> u64 {
    match autoscaler_of(documents, workload) {
        Some(hpa) => hpa
            .at(&["spec", "minReplicas"])
            .and_then(Node::as_u64)
            .unwrap_or(1),
        None => workload
            .at(&["spec", "replicas"])
            .and_then(Node::as_u64)
            .unwrap_or(1),
    }
}

/// The PodDisruptionBudgets of the file whose selector matches the workload's pods.
pub fn budgets_of<'a>(documents: &'a [Node], workload: &'a Node) -> impl Iterator<Item = &'a Node> {
    let labels = pod_labels(workload);
    documents.iter().filter(move |d| {
        kind(d) == "PodDisruptionBudget"
            && d.at(&["spec", "selector", "matchLabels"])
                .zip(labels)
                .is_some_and(|(selector, labels)| selects(selector, labels))
    })
}

/// The annotation prefix that records a deliberate exception on an object:
/// `ignore-check.shipshape.dev/SK016: "why"` silences SK016 for that object (kube-linter's
/// convention). The reason is the value, so the choice is documented where it is made.
pub const IGNORE_PREFIX: &str = "ignore-check.shipshape.dev/";

/// Whether the object holding `node` (the last document starting at or before it) records a
/// deliberate exception to `code`.
fn ignored(documents: &[Node], node: &Node, code: &str) -> bool {
    documents
        .iter()
        .rev()
        .find(|d| (d.line, d.column) <= (node.line, node.column))
        .and_then(|d| d.at(&["metadata", "annotations"]))
        .is_some_and(|annotations| {
            annotations.entries().iter().any(|(key, reason)| {
                key.as_str()
                    .and_then(|k| k.strip_prefix(IGNORE_PREFIX))
                    .is_some_and(|k| k.eq_ignore_ascii_case(code))
                    && reason.as_str().is_some_and(|r| !r.trim().is_empty())
            })
        })
}

/// Every finding in the documents of the file named `path`, but those an object records as
/// a deliberate exception (with a reason) in an [`IGNORE_PREFIX`] annotation.
pub fn lint(path: &str, text: &str, documents: &[Node]) -> Vec<Diagnostic> {
    RULES
        .iter()
        .flat_map(|rule| {
            let code = rule.info().code;
            let kept = rule
                .check(documents)
                .into_iter()
                .filter(|(node, _)| !ignored(documents, node, code))
                .collect();
            Diagnostic::at_nodes(rule.info(), path, text, kept)
        })
        .collect()
}

#[cfg(test)]
pub(crate) fn findings(rule: &dyn Rule, text: &str) -> Vec<(usize, String)> {
    let documents = super::yaml::parse(text).unwrap();
    rule.check(&documents)
        .into_iter()
        .map(|(n, m)| (n.line, m))
        .collect()
}

/// A Deployment that every rule is silent about, for tests to change one thing in.
#[cfg(test)]
pub(crate) const GOOD_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: ghcr.io/acme/api:1.2.3
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 512Mi
          livenessProbe:
            httpGet:
              path: /health/live
              port: http
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
";

/// A PodDisruptionBudget for [`GOOD_DEPLOYMENT`], as a further document.
#[cfg(test)]
pub(crate) const PDB: &str = "\
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
  namespace: shop
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: api
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_annotation_with_a_reason_records_a_deliberate_exception() {
        let codes = |text: &str| -> Vec<&str> {
            let documents = super::super::yaml::parse(text).unwrap();
            lint("x.yaml", text, &documents)
                .iter()
                .map(|d| d.code)
                .collect()
        };
        let plain = format!("{GOOD_DEPLOYMENT}{PDB}");
        assert!(codes(&plain).contains(&"SK016"));
        let annotated = plain.replacen(
            "  namespace: shop\n",
            "  namespace: shop\n  annotations:\n    ignore-check.shipshape.dev/SK016: \"one pod by choice\"\n",
            1,
        );
        assert!(!codes(&annotated).contains(&"SK016"), "{annotated}");
        // Without a reason, nothing is silenced; and only the named rule is.
        let no_reason = annotated.replace("\"one pod by choice\"", "\"\"");
        assert!(codes(&no_reason).contains(&"SK016"));
        let other = annotated.replace("/SK016", "/SK001");
        assert!(codes(&other).contains(&"SK016"));
    }

    #[test]
    fn the_good_deployment_is_clean() {
        let two =
            GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 2\n  selector:");
        let text = format!("{two}{PDB}");
        let documents = super::super::yaml::parse(&text).unwrap();
        for rule in RULES {
            assert_eq!(rule.check(&documents).len(), 0, "{}", rule.info().code);
        }
    }
}
