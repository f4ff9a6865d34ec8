use super::delivery::{Unit, units};
use super::egress_blocks_dns::{allows_out, restricting};
use super::{Finding, Rule, View, finding, name};
use crate::rules::kubernetes::{kind, pod_template, selects};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags pods whose NetworkPolicies, among those the same delivery path applies, block traffic the other files say they need: in from another namespace when an Ingress routes to their Service (the ingress controller) or a ServiceMonitor scrapes it (Prometheus); out to PostgreSQL (5432) when they read `DATABASE_URL`, to Redis (6379, 6380 or 10000) when they read `REDIS_URL`.
    ///
    /// ## Why is this bad?
    /// Every file is valid and the pods start, then every request through the Ingress times out, the metrics stay empty, or readiness never passes because the database cannot be reached. Nothing names the policy as the cause.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   policyTypes: [Ingress, Egress]
    ///   egress:
    ///     - ports: [{port: 53, protocol: UDP}]   # and DATABASE_URL in the pods
    /// ```
    ///
    /// ## Fix
    /// Allow the traffic in a policy that selects the pods: ingress from the controller's and the monitoring namespace on the pods' port, egress to the database's and the cache's ports.
    pub struct PolicyBlocksNeededTraffic;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX011",
    name: "network-policy-blocks-needed-traffic",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Allow what the pods need (ingress controller, Prometheus, database, cache) in a policy that selects them.",
    docs: PolicyBlocksNeededTraffic::DOCS,
};

impl Rule for PolicyBlocksNeededTraffic {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        units(view).iter().flat_map(check_unit).collect()
    }
}

/// Whether one of the policy's ingress rules lets traffic in from another namespace: a rule
/// without `from`, or one naming namespaces or addresses.
fn lets_in_from_outside(policy: &Node) -> bool {
    for rule in policy.at(&["spec", "ingress"]).map_or(&[][..], Node::items) {
        let Some(from) = rule.get("from") else {
            return true;
        };
        for peer in from.items() {
            if peer.get("namespaceSelector").is_some() || peer.get("ipBlock").is_some() {
                return true;
            }
        }
    }
    false
}

/// Who calls the pods with these labels from another namespace, by what the path delivers.
fn callers(unit: &Unit, namespace: &str, labels: &Node) -> Vec<&'static str> {
    let mut found = Vec::new();
    for service in unit.find("Service", namespace) {
        let Some(selector) = service.at(&["spec", "selector"]) else {
            continue;
        };
        if !selects(selector, labels) {
            continue;
        }
        for ingress in unit.find("Ingress", namespace) {
            let rules = ingress.at(&["spec", "rules"]).map_or(&[][..], Node::items);
            for path in rules
                .iter()
                .flat_map(|r| r.at(&["http", "paths"]).map_or(&[][..], Node::items))
            {
                let backend = path
                    .at(&["backend", "service", "name"])
                    .and_then(Node::as_str);
                if backend == Some(name(service)) && !found.contains(&"the ingress controller") {
                    found.push("the ingress controller");
                }
            }
        }
        let service_labels = service.at(&["metadata", "labels"]);
        for monitor in unit.find("ServiceMonitor", namespace) {
            let wanted = monitor.at(&["spec", "selector", "matchLabels"]);
            if let (Some(wanted), Some(labels)) = (wanted, service_labels)
                && selects(wanted, labels)
                && !found.contains(&"Prometheus")
            {
                found.push("Prometheus");
            }
        }
    }
    found
}

/// Whether a container of the pod template reads the environment variable `variable`.
fn reads(template: &Node, variable: &str) -> bool {
    let containers = template
        .at(&["spec", "containers"])
        .map_or(&[][..], Node::items);
    containers.iter().any(|c| {
        c.get("env")
            .map_or(&[][..], Node::items)
            .iter()
            .any(|e| e.get("name").and_then(Node::as_str) == Some(variable))
    })
}

/// The findings of one delivery path; `cargo xtask verify` calls it on rendered charts.
pub fn check_unit(unit: &Unit) -> Vec<Finding> {
    let mut found = Vec::new();
    for (_, workload) in &unit.objects {
        let Some(template) = pod_template(workload) else {
            continue;
        };
        let Some(labels) = template.at(&["metadata", "labels"]) else {
            continue;
        };
        let namespace = unit.namespace_of(workload);
        let inward = restricting(unit, namespace, labels, "Ingress", "ingress");
        let outward = restricting(unit, namespace, labels, "Egress", "egress");
        let what = format!("{} {}", kind(workload), name(workload));
        if let Some(policy) = inward.first()
            && !inward.iter().any(|p| lets_in_from_outside(p))
        {
            let callers = callers(unit, namespace, labels);
            if !callers.is_empty() {
                found.push(finding(
                    unit.file_of(policy),
                    policy,
                    format!(
                        "{what} is called by {}, but the policies that {} applies let nothing in from another namespace.",
                        callers.join(" and "),
                        unit.how
                    ),
                ));
            }
        }
        if let Some(policy) = outward.first() {
            for (variable, ports, named, service) in [
                ("DATABASE_URL", &[5432][..], "postgres", "PostgreSQL"),
                ("REDIS_URL", &[6379, 6380, 10000][..], "redis", "Redis"),
            ] {
                let allowed = outward.iter().any(|p| allows_out(p, ports, named));
                if !allowed && reads(template, variable) {
                    found.push(finding(
                        unit.file_of(policy),
                        policy,
                        format!(
                            "{what} reads {variable}, but the egress policies that {} applies allow no {service} port.",
                            unit.how
                        ),
                    ));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cross::{check, edit, full_stack, messages};

    #[test]
    fn fires() {
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/backend.yaml",
            "          port: 5432\n",
            "          port: 5433\n",
        );
        let found = check(&PolicyBlocksNeededTraffic, &files);
        assert!(
            messages(&found)
                .iter()
                .any(|m| m.starts_with("Deployment backend reads DATABASE_URL")),
            "{:?}",
            messages(&found)
        );
        // Both ingress rules admit pods of the own namespace only.
        let mut files = full_stack();
        for caller in ["ingress-nginx", "monitoring"] {
            edit(
                &mut files,
                "k8s/staging/backend.yaml",
                &format!(
                    "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: {caller}\n"
                ),
                &format!(
                    "        - podSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: {caller}\n"
                ),
            );
        }
        let found = check(&PolicyBlocksNeededTraffic, &files);
        assert!(
            messages(&found)
                .iter()
                .any(|m| m.contains("is called by the ingress controller and Prometheus")),
            "{:?}",
            messages(&found)
        );
    }

    #[test]
    fn stays_silent() {
        let found = check(&PolicyBlocksNeededTraffic, &full_stack());
        assert!(found.is_empty(), "{:?}", messages(&found));
    }
}
