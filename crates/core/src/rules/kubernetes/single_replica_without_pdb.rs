use super::{Rule, budgets_of, kind, minimum_replicas, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a Deployment, StatefulSet or Rollout that runs a single pod (`replicas: 1`, or no
    /// `replicas` and no autoscaler with a higher minimum) with no PodDisruptionBudget in the
    /// same file that keeps it, or with one that lets its only pod go (`maxUnavailable: 1`).
    /// A budget that keeps it blocks node drains instead, which SK017 reports.
    ///
    /// ## Why is this bad?
    /// A node drain (a cluster upgrade, a scale-down) evicts the only pod, and the service is
    /// down until another is scheduled and ready. With one pod, no budget can both keep the
    /// service up and let the node drain.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 1
    /// ```
    ///
    /// ## Fix
    /// Run at least two replicas and add a PodDisruptionBudget with `maxUnavailable: 1`.
    pub struct SingleReplicaWithoutPdb;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK016",
    name: "single-replica-without-pdb",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Run two or more replicas with a PodDisruptionBudget.",
    docs: SingleReplicaWithoutPdb::DOCS,
};

/// Whether a budget forbids evicting the last pod (minAvailable of 1 or more, or
/// maxUnavailable 0).
fn keeps_a_pod(budget: &Node) -> bool {
    let min = budget.at(&["spec", "minAvailable"]).and_then(Node::as_str);
    let max = budget
        .at(&["spec", "maxUnavailable"])
        .and_then(Node::as_str);
    min.is_some_and(|m| !matches!(m.trim(), "0" | "0%"))
        || matches!(max.map(str::trim), Some("0" | "0%"))
}

impl Rule for SingleReplicaWithoutPdb {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        workloads(documents)
            .filter(|w| kind(w) != "DaemonSet")
            .filter(|w| minimum_replicas(documents, w) <= 1)
            .filter(|w| !budgets_of(documents, w).any(keeps_a_pod))
            .map(|w| {
                let at = w.at(&["spec", "replicas"]).unwrap_or(w);
                (
                    at,
                    format!(
                        "{} runs one pod and no PodDisruptionBudget keeps it: a node drain takes the service down.",
                        kind(w)
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, PDB, findings};

    #[test]
    fn fires() {
        let text =
            GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 1\n  selector:");
        assert_eq!(findings(&SingleReplicaWithoutPdb, &text).len(), 1, "{text}");
        // No replicas at all means one.
        assert_eq!(findings(&SingleReplicaWithoutPdb, GOOD_DEPLOYMENT).len(), 1);
    }

    #[test]
    fn fires_when_the_budget_lets_the_only_pod_go() {
        let text = format!("{GOOD_DEPLOYMENT}{PDB}");
        assert_eq!(findings(&SingleReplicaWithoutPdb, &text).len(), 1, "{text}");
    }

    #[test]
    fn stays_silent() {
        // A budget that keeps the one pod is SK017's finding, not this one's.
        let with_budget = format!(
            "{GOOD_DEPLOYMENT}{}",
            PDB.replace("maxUnavailable: 1", "minAvailable: 1")
        );
        assert_eq!(findings(&SingleReplicaWithoutPdb, &with_budget), vec![]);
        let three =
            GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 3\n  selector:");
        assert_eq!(findings(&SingleReplicaWithoutPdb, &three), vec![]);
        let autoscaled = format!(
            "{GOOD_DEPLOYMENT}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: api\n  minReplicas: 2\n  maxReplicas: 5\n"
        );
        assert_eq!(findings(&SingleReplicaWithoutPdb, &autoscaled), vec![]);
    }
}
