use super::delivery::{Unit, units};
use super::{Finding, Rule, View, finding, name};
use crate::rules::kubernetes::{kind, pod_template, selects};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags pods whose egress NetworkPolicies, among those the same delivery path applies, allow no DNS (port 53).
    ///
    /// ## Why is this bad?
    /// Once any policy restricts a pod's egress, only what a policy allows gets out. Without port 53 the pod cannot resolve the database's or any other name: every connection fails with a name-resolution error, although the policy allows the port it wanted.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - ports: [{port: 5432, protocol: TCP}]
    /// ```
    ///
    /// ## Fix
    /// Allow UDP and TCP port 53 to the cluster's DNS (kube-dns in kube-system) in a policy that selects the pods.
    pub struct EgressBlocksDns;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX010",
    name: "egress-blocks-dns",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Allow port 53 to the cluster's DNS for pods whose egress is restricted.",
    docs: EgressBlocksDns::DOCS,
};

impl Rule for EgressBlocksDns {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        units(view).iter().flat_map(check_unit).collect()
    }
}

/// Whether the policy restricts traffic of `kind` (`Ingress`, `Egress`): it says so, or has
/// rules under `key`.
fn restricts(policy: &Node, kind: &str, key: &str) -> bool {
    let types = policy
        .at(&["spec", "policyTypes"])
        .map_or(&[][..], Node::items);
    types.iter().any(|t| t.as_str() == Some(kind)) || policy.at(&["spec", key]).is_some()
}

/// The NetworkPolicies of the path that apply to pods with `labels` in `namespace` and
/// restrict traffic of `kind` (`Ingress`, `Egress`; the rules under `key`).
pub(super) fn restricting<'a>(
    unit: &Unit<'a>,
    namespace: &str,
    labels: &Node,
    kind: &str,
    key: &str,
) -> Vec<&'a Node> {
    let mut found = unit.find("NetworkPolicy", namespace);
    found.retain(|policy| restricts(policy, kind, key) && applies_to(policy, labels));
    found
}

/// Whether the policy selects pods with these labels (an empty selector selects all).
fn applies_to(policy: &Node, labels: &Node) -> bool {
    match policy.at(&["spec", "podSelector", "matchLabels"]) {
        Some(selector) if !selector.entries().is_empty() => selects(selector, labels),
        _ => policy
            .at(&["spec", "podSelector", "matchExpressions"])
            .is_none_or(|e| e.items().is_empty()),
    }
}

/// Whether one of the policy's egress rules lets port 53 out.
fn allows_dns(policy: &Node) -> bool {
    allows_out(policy, &[53], "dns")
}

/// Whether one of the policy's egress rules lets one of `wanted` (or the named port) out; a
/// rule without ports allows every port.
pub(super) fn allows_out(policy: &Node, wanted: &[u64], named: &str) -> bool {
    for rule in policy.at(&["spec", "egress"]).map_or(&[][..], Node::items) {
        let Some(ports) = rule.get("ports") else {
            return true;
        };
        for port in ports.items() {
            let port = port.get("port");
            if port
                .and_then(Node::as_u64)
                .is_some_and(|p| wanted.contains(&p))
                || port.and_then(Node::as_str) == Some(named)
            {
                return true;
            }
        }
    }
    false
}

/// The findings of one delivery path; `cargo xtask verify` calls it on rendered charts.
pub fn check_unit(unit: &Unit) -> Vec<Finding> {
    let mut found = Vec::new();
    for (_, workload) in &unit.objects {
        let Some(labels) = pod_template(workload).and_then(|t| t.at(&["metadata", "labels"]))
        else {
            continue;
        };
        let policies = restricting(
            unit,
            unit.namespace_of(workload),
            labels,
            "Egress",
            "egress",
        );
        if let Some(policy) = policies.first()
            && !policies.iter().any(|p| allows_dns(p))
        {
            let file = unit.file_of(policy);
            found.push(finding(
                file,
                policy,
                format!(
                    "{} {} cannot resolve names: the egress policies that {} applies to its pods allow no port 53.",
                    kind(workload),
                    name(workload),
                    unit.how
                ),
            ));
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
        for port in ["UDP", "TCP"] {
            edit(
                &mut files,
                "k8s/staging/backend.yaml",
                &format!("        - protocol: {port}\n          port: 53\n"),
                &format!("        - protocol: {port}\n          port: 5353\n"),
            );
        }
        let found = check(&EgressBlocksDns, &files);
        assert!(
            found.iter().any(|f| f
                .message
                .starts_with("Deployment backend cannot resolve names")),
            "{:?}",
            messages(&found)
        );
    }

    #[test]
    fn stays_silent() {
        let found = check(&EgressBlocksDns, &full_stack());
        assert!(found.is_empty(), "{:?}", messages(&found));
    }
}
