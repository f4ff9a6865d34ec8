use super::{Rule, kind, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a workload that sets `replicas` while a HorizontalPodAutoscaler in the same file scales it.
    ///
    /// ## Why is this bad?
    /// Every apply resets the count the autoscaler chose: a deploy at peak load scales the service down.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 2   # and an HPA targets it
    /// ```
    ///
    /// ## Fix
    /// Leave `replicas` out; the HPA's minReplicas is the floor.
    pub struct ReplicasBesideAutoscaler;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK013",
    name: "replicas-beside-autoscaler",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Remove replicas from a workload an HPA scales.",
    docs: ReplicasBesideAutoscaler::DOCS,
};

impl Rule for ReplicasBesideAutoscaler {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let targets: Vec<&str> = documents
            .iter()
            .filter(|d| kind(d) == "HorizontalPodAutoscaler")
            .filter_map(|h| {
                h.at(&["spec", "scaleTargetRef", "name"])
                    .and_then(Node::as_str)
            })
            .collect();
        workloads(documents)
            .filter(|w| {
                w.at(&["metadata", "name"])
                    .and_then(Node::as_str)
                    .is_some_and(|n| targets.contains(&n))
            })
            .filter_map(|w| w.at(&["spec", "replicas"]))
            .map(|replicas| {
                (
                    replicas,
                    "An HPA scales this workload; this count undoes its work on every apply."
                        .to_owned(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, findings};

    #[test]
    fn fires() {
        let text: String = format!(
            "{}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  scaleTargetRef:\n    name: api\n",
            GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 2\n  selector:")
        );
        assert!(
            !findings(&ReplicasBesideAutoscaler, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = format!(
            "{GOOD_DEPLOYMENT}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  scaleTargetRef:\n    name: api\n"
        );
        assert_eq!(findings(&ReplicasBesideAutoscaler, &text), vec![]);
    }
}
