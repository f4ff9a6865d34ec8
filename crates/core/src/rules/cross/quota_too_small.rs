use super::{Finding, Rule, View, finding, name};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a ResourceQuota whose pod count cannot hold the namespace's workloads at their maximum replicas.
    ///
    /// ## Why is this bad?
    /// The autoscaler asks for pods at peak load and the API server refuses them: the service saturates exactly when it is needed.
    ///
    /// ## Example
    /// ```yaml
    /// hard: {pods: \"2\"}   # an HPA may scale to 6
    /// ```
    ///
    /// ## Fix
    /// Let the generator size the quota from the services' maximum replicas.
    pub struct QuotaTooSmall;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX006",
    name: "quota-too-small",
    family: Family::CrossFile,
    severity: Severity::Warning,
    fix: "Size the namespace quota for every workload at its maximum.",
    docs: QuotaTooSmall::DOCS,
};

impl Rule for QuotaTooSmall {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        for (file, quota) in view.kind("ResourceQuota") {
            let namespace = quota
                .at(&["metadata", "namespace"])
                .and_then(Node::as_str)
                .unwrap_or("");
            let Some(pods) = quota.at(&["spec", "hard", "pods"]) else {
                continue;
            };
            let Some(limit) = pods.as_str().and_then(|p| p.parse::<u64>().ok()) else {
                continue;
            };
            let hpas: Vec<(&str, u64)> = view
                .kind("HorizontalPodAutoscaler")
                .filter(|(_, h)| {
                    h.at(&["metadata", "namespace"]).and_then(Node::as_str) == Some(namespace)
                })
                .filter_map(|(_, h)| {
                    Some((
                        h.at(&["spec", "scaleTargetRef", "name"])
                            .and_then(Node::as_str)?,
                        h.at(&["spec", "maxReplicas"]).and_then(Node::as_u64)?,
                    ))
                })
                .collect();
            let needed: u64 = view
                .objects()
                .filter(|(_, d)| {
                    matches!(
                        super::super::kubernetes::kind(d),
                        "Deployment" | "Rollout" | "StatefulSet"
                    )
                })
                .filter(|(_, d)| {
                    d.at(&["metadata", "namespace"]).and_then(Node::as_str) == Some(namespace)
                })
                .map(|(_, d)| {
                    hpas.iter()
                        .find(|(target, _)| *target == name(d))
                        .map(|(_, max)| *max)
                        .or_else(|| d.at(&["spec", "replicas"]).and_then(Node::as_u64))
                        .unwrap_or(1)
                })
                .sum();
            if needed > limit {
                found.push(finding(file, pods, format!("The quota allows {limit} pods; the workloads need {needed} at their maximum.")));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cross::{check, full_stack};

    #[test]
    fn fires() {
        let mut files = full_stack();
        let namespace = files
            .iter_mut()
            .find(|f| f.path == "k8s/staging/platform/namespace.yaml")
            .unwrap();
        let start = namespace.contents.find("pods: \"").unwrap() + "pods: \"".len();
        let end = start + namespace.contents[start..].find('"').unwrap();
        namespace.contents.replace_range(start..end, "1");
        assert!(!check(&QuotaTooSmall, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&QuotaTooSmall, &files).is_empty());
    }
}
