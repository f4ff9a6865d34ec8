use super::{Rule, budgets_of, kind, minimum_replicas, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a Deployment, StatefulSet or Rollout that runs a single pod (`replicas: 1`, or no
    /// `replicas` and no autoscaler with a higher minimum) and has no PodDisruptionBudget in the
    /// same file.
    ///
    /// ## Why is this bad?
    /// A node drain (a cluster upgrade, a scale-down) evicts the only pod, and the service is
    /// down until another is scheduled and ready. Nothing tells the cluster to wait.
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

static INFO: RuleInfo = RuleInfo {
    code: "SK016",
    name: "single-replica-without-pdb",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Run two or more replicas with a PodDisruptionBudget.",
    docs: SingleReplicaWithoutPdb::DOCS,
};

impl Rule for SingleReplicaWithoutPdb {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        workloads(documents)
            .filter(|w| kind(w) != "DaemonSet")
            .filter(|w| minimum_replicas(documents, w) <= 1)
            .filter(|w| budgets_of(documents, w).next().is_none())
            .map(|w| {
                let at = w.at(&["spec", "replicas"]).unwrap_or(w);
                (
                    at,
                    format!(
                        "{} runs one pod and no PodDisruptionBudget covers it: a node drain takes it down.",
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
    fn stays_silent() {
        let with_budget = format!("{GOOD_DEPLOYMENT}{PDB}");
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
