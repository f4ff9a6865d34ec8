use super::delivery::{Unit, made_by_hand, units};
use super::{Finding, Rule, View, finding, name};
use crate::rules::kubernetes::{kind, pod_template};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a reference to an object that the same delivery path does not create in the same namespace: a Secret or ConfigMap a pod reads, its ServiceAccount, volume claim or image pull secret, an ExternalSecret's SecretStore, an autoscaler's target, an Ingress's Service and port, a Rollout's Services, VirtualService and DestinationRule, a VirtualService's subset. A path is what one `kubectl apply -k` applies or what one Argo CD Application syncs.
    ///
    /// ## Why is this bad?
    /// Kubernetes accepts the object and it never works: pods wait in CreateContainerConfigError for the Secret, the ExternalSecret never syncs, the Ingress answers 503. That the missing object sits in another folder of the repository does not help when nothing applies it.
    ///
    /// ## Example
    /// ```yaml
    /// # charts/api, synced by Argo CD on its own
    /// kind: ExternalSecret
    /// spec:
    ///   secretStoreRef: {name: secrets-store, kind: SecretStore}
    /// # the SecretStore is only in k8s/staging/, applied by kubectl
    /// ```
    ///
    /// ## Fix
    /// Deliver the object by the same path (add it to the kustomization's resources or the synced folder), or name the one that path creates.
    pub struct ReferenceNotDelivered;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX008",
    name: "reference-not-delivered",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Deliver what it names by the same path, in the same namespace.",
    docs: ReferenceNotDelivered::DOCS,
};

impl Rule for ReferenceNotDelivered {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let by_hand = made_by_hand(&view.docs, &view.yaml);
        units(view)
            .iter()
            .flat_map(|unit| check_unit(unit, &by_hand))
            .collect()
    }
}

/// One reference: the kind and name it asks for, where, and for a Service the port.
struct Reference<'a> {
    kind: &'static str,
    name: &'a str,
    at: &'a Node,
    port: Option<&'a Node>,
}

fn reference<'a>(kind: &'static str, at: Option<&'a Node>) -> Option<Reference<'a>> {
    let at = at?;
    Some(Reference {
        kind,
        name: at.as_str()?,
        at,
        port: None,
    })
}

/// What `object` refers to by name.
fn references(object: &Node) -> Vec<Reference<'_>> {
    let mut found = Vec::new();
    if let Some(pod) = pod_template(object).and_then(|t| t.get("spec")) {
        pod_references(pod, &mut found);
    }
    let spec = object.get("spec");
    let spec_at = |path: &[&str]| spec.and_then(|s| s.at(path));
    match kind(object) {
        "ExternalSecret" => {
            let store = spec_at(&["secretStoreRef"]);
            let store_kind = match store.and_then(|s| s.get("kind")).and_then(Node::as_str) {
                Some("ClusterSecretStore") => "ClusterSecretStore",
                _ => "SecretStore",
            };
            found.extend(reference(store_kind, store.and_then(|s| s.get("name"))));
        }
        "SecretStore" => {
            // The service account the store authenticates as (workload identity, Vault's
            // Kubernetes auth), wherever the provider keeps it.
            let mut accounts = Vec::new();
            service_account_refs(spec, &mut accounts);
            found.extend(
                accounts
                    .into_iter()
                    .filter_map(|n| reference("ServiceAccount", Some(n))),
            );
        }
        "HorizontalPodAutoscaler" => {
            let target = spec_at(&["scaleTargetRef"]);
            let wanted = match target.and_then(|t| t.get("kind")).and_then(Node::as_str) {
                Some("Deployment") => Some("Deployment"),
                Some("StatefulSet") => Some("StatefulSet"),
                Some("Rollout") => Some("Rollout"),
                _ => None,
            };
            if let Some(wanted) = wanted {
                found.extend(reference(wanted, target.and_then(|t| t.get("name"))));
            }
        }
        "Ingress" => {
            let mut backends: Vec<&Node> = spec_at(&["defaultBackend"]).into_iter().collect();
            for rule in spec_at(&["rules"]).map_or(&[][..], Node::items) {
                for path in rule.at(&["http", "paths"]).map_or(&[][..], Node::items) {
                    backends.extend(path.get("backend"));
                }
            }
            for backend in backends {
                if let Some(mut service) = reference("Service", backend.at(&["service", "name"])) {
                    service.port = backend.at(&["service", "port"]);
                    found.push(service);
                }
            }
        }
        "Rollout" => {
            for strategy in ["canary", "blueGreen"] {
                let Some(strategy) = spec_at(&["strategy", strategy]) else {
                    continue;
                };
                for key in [
                    "canaryService",
                    "stableService",
                    "activeService",
                    "previewService",
                ] {
                    found.extend(reference("Service", strategy.get(key)));
                }
                if let Some(istio) = strategy.at(&["trafficRouting", "istio"]) {
                    let mut services: Vec<&Node> =
                        istio.get("virtualService").into_iter().collect();
                    services.extend(istio.get("virtualServices").map_or(&[][..], Node::items));
                    for service in services {
                        found.extend(reference("VirtualService", service.get("name")));
                    }
                    found.extend(reference(
                        "DestinationRule",
                        istio.at(&["destinationRule", "name"]),
                    ));
                }
                let mut analyses: Vec<&Node> = strategy.get("analysis").into_iter().collect();
                for step in strategy.get("steps").map_or(&[][..], Node::items) {
                    analyses.extend(step.get("analysis"));
                }
                for analysis in analyses {
                    for template in analysis.get("templates").map_or(&[][..], Node::items) {
                        if template.get("clusterScope").and_then(Node::as_bool) != Some(true) {
                            found.extend(reference(
                                "AnalysisTemplate",
                                template.get("templateName"),
                            ));
                        }
                    }
                }
            }
            found.extend(reference("Deployment", spec_at(&["workloadRef", "name"])));
        }
        _ => {}
    }
    found
}

fn pod_references<'a>(pod: &'a Node, found: &mut Vec<Reference<'a>>) {
    let optional = |n: &Node| n.get("optional").and_then(Node::as_bool) == Some(true);
    let mut containers: Vec<&Node> = Vec::new();
    for key in ["initContainers", "containers"] {
        containers.extend(pod.get(key).map_or(&[][..], Node::items));
    }
    for container in containers {
        for variable in container.get("env").map_or(&[][..], Node::items) {
            for (key, wanted) in [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")] {
                if let Some(source) = variable.at(&["valueFrom", key]).filter(|s| !optional(s)) {
                    found.extend(reference(wanted, source.get("name")));
                }
            }
        }
        for source in container.get("envFrom").map_or(&[][..], Node::items) {
            for (key, wanted) in [("secretRef", "Secret"), ("configMapRef", "ConfigMap")] {
                if let Some(source) = source.get(key).filter(|s| !optional(s)) {
                    found.extend(reference(wanted, source.get("name")));
                }
            }
        }
    }
    for volume in pod.get("volumes").map_or(&[][..], Node::items) {
        if let Some(secret) = volume.get("secret").filter(|s| !optional(s)) {
            found.extend(reference("Secret", secret.get("secretName")));
        }
        if let Some(map) = volume.get("configMap").filter(|s| !optional(s)) {
            found.extend(reference("ConfigMap", map.get("name")));
        }
        found.extend(reference(
            "PersistentVolumeClaim",
            volume.at(&["persistentVolumeClaim", "claimName"]),
        ));
    }
    // Every namespace has `default`; any other account must be delivered.
    if let Some(account) = reference("ServiceAccount", pod.get("serviceAccountName"))
        && account.name != "default"
    {
        found.push(account);
    }
    for secret in pod.get("imagePullSecrets").map_or(&[][..], Node::items) {
        found.extend(reference("Secret", secret.get("name")));
    }
}

/// Every `serviceAccountRef.name` under `node`.
fn service_account_refs<'a>(node: Option<&'a Node>, found: &mut Vec<&'a Node>) {
    let Some(node) = node else { return };
    for (key, value) in node.entries() {
        if key.as_str() == Some("serviceAccountRef") {
            found.extend(value.get("name"));
        } else {
            service_account_refs(Some(value), found);
        }
    }
    for item in node.items() {
        service_account_refs(Some(item), found);
    }
}

/// The findings of one delivery path; `cargo xtask verify` calls it on rendered charts.
/// `by_hand` are the Secrets the docs show how to create ([`made_by_hand`]).
pub fn check_unit(unit: &Unit, by_hand: &[String]) -> Vec<Finding> {
    let mut found = Vec::new();
    for (file, object) in &unit.objects {
        let namespace = unit.namespace_of(object);
        for wanted in references(object) {
            // Secrets the docs say how to make; the CA bundle Kubernetes puts in every namespace.
            let documented = (wanted.kind == "Secret" && by_hand.iter().any(|n| n == wanted.name))
                || wanted.name == "kube-root-ca.crt";
            if !unit.has(wanted.kind, wanted.name, namespace) && !documented {
                found.push(finding(
                    file,
                    wanted.at,
                    format!(
                        "{} {} refers to {} {}, which {} does not create in namespace {namespace}, and no doc says how to.",
                        kind(object),
                        name(object),
                        wanted.kind,
                        wanted.name,
                        unit.how
                    ),
                ));
            } else if let Some(port) = wanted.port
                && !offers_port(unit, wanted.name, namespace, port)
            {
                found.push(finding(
                    file,
                    port,
                    format!("Service {} has no such port.", wanted.name),
                ));
            }
        }
        if kind(object) == "VirtualService" {
            missing_subsets(unit, file, object, namespace, &mut found);
        }
    }
    found
}

/// Whether the Service `service` has the port an Ingress backend names (by number or name).
fn offers_port(unit: &Unit, service: &str, namespace: &str, port: &Node) -> bool {
    let number = port.get("number");
    let port_name = port.get("name");
    if number.is_none() && port_name.is_none() {
        return true;
    }
    for candidate in unit.find("Service", namespace) {
        if name(candidate) != service {
            continue;
        }
        for offered in candidate
            .at(&["spec", "ports"])
            .map_or(&[][..], Node::items)
        {
            let same = |mine: Option<&Node>, key: &str| {
                mine.is_some_and(|m| offered.get(key).is_some_and(|o| o.value == m.value))
            };
            if same(number, "port") || same(port_name, "name") {
                return true;
            }
        }
    }
    false
}

/// A VirtualService's subsets must be a DestinationRule's for the same host.
fn missing_subsets(
    unit: &Unit,
    file: &str,
    service: &Node,
    namespace: &str,
    found: &mut Vec<Finding>,
) {
    let short = |host: &str| host.split('.').next().unwrap_or(host).to_owned();
    for protocol in ["http", "tcp", "tls"] {
        for route in service.at(&["spec", protocol]).map_or(&[][..], Node::items) {
            for destination in route.get("route").map_or(&[][..], Node::items) {
                let host = destination
                    .at(&["destination", "host"])
                    .and_then(Node::as_str);
                let subset = destination.at(&["destination", "subset"]);
                let (Some(host), Some(subset)) = (host, subset) else {
                    continue;
                };
                let host = short(host);
                let wanted = subset.as_str().unwrap_or("");
                let mut defined = false;
                for rule in unit.find("DestinationRule", namespace) {
                    if rule.at(&["spec", "host"]).and_then(Node::as_str).map(short)
                        != Some(host.clone())
                    {
                        continue;
                    }
                    for candidate in rule.at(&["spec", "subsets"]).map_or(&[][..], Node::items) {
                        defined |= candidate.get("name").and_then(Node::as_str) == Some(wanted);
                    }
                }
                if !defined {
                    found.push(finding(
                        file,
                        subset,
                        format!(
                            "No DestinationRule that {} creates defines the subset {wanted} of {host}.",
                            unit.how
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cross::{check, edit, full_stack, messages};

    #[test]
    fn fires() {
        // The kustomization no longer applies the SecretStore its ExternalSecrets name.
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/platform/kustomization.yaml",
            "  - secret-store.yaml\n",
            "",
        );
        let found = check(&ReferenceNotDelivered, &files);
        assert!(
            found.iter().any(|f| f.file == "k8s/staging/backend.yaml"
                && f.message.contains(
                    "SecretStore secrets-store, which kubectl apply -k k8s/staging does not create"
                )),
            "{:?}",
            messages(&found)
        );
        // An Ingress to a port the Service does not have.
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/backend.yaml",
            "                port:\n                  name: http",
            "                port:\n                  name: web",
        );
        let found = check(&ReferenceNotDelivered, &files);
        assert!(
            found
                .iter()
                .any(|f| f.message == "Service backend has no such port."),
            "{:?}",
            messages(&found)
        );
    }

    #[test]
    fn stays_silent() {
        // The cluster's CA bundle is in every namespace without being delivered.
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/backend.yaml",
            "      volumes:\n",
            "      volumes:\n        - name: ca\n          configMap:\n            name: kube-root-ca.crt\n",
        );
        let found = check(&ReferenceNotDelivered, &files);
        assert!(found.is_empty(), "{:?}", messages(&found));
    }
}
