use super::{Rule, kind, minimum_replicas, pod_labels, selects, workloads};
use crate::rules::yaml::{Node, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a PodDisruptionBudget that allows no voluntary eviction: `maxUnavailable: 0` (or
    /// `0%`), `minAvailable: 100%`, or a `minAvailable` at or above the fewest pods the
    /// workloads it covers in the same file run together.
    ///
    /// ## Why is this bad?
    /// `kubectl drain` waits forever for a pod it may not evict: node upgrades and autoscaler
    /// scale-downs hang until someone deletes the budget by hand.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   minAvailable: 2   # and the Deployment runs 2 replicas
    /// ```
    ///
    /// ## Fix
    /// Use `maxUnavailable: 1`, or keep `minAvailable` below the replica count.
    pub struct PdbBlocksEviction;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK017",
    name: "pdb-blocks-eviction",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Use maxUnavailable: 1, or minAvailable below the replicas.",
    docs: PdbBlocksEviction::DOCS,
};

fn text(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text.trim()),
        _ => None,
    }
}

impl Rule for PdbBlocksEviction {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for pdb in documents
            .iter()
            .filter(|d| kind(d) == "PodDisruptionBudget")
        {
            if let Some(max) = pdb.at(&["spec", "maxUnavailable"])
                && matches!(text(max), Some("0" | "0%"))
            {
                found.push((
                    max,
                    "maxUnavailable 0 lets no pod be evicted: node drains hang.".to_owned(),
                ));
                continue;
            }
            let Some(min) = pdb.at(&["spec", "minAvailable"]) else {
                continue;
            };
            if text(min) == Some("100%") {
                found.push((
                    min,
                    "minAvailable 100% lets no pod be evicted: node drains hang.".to_owned(),
                ));
                continue;
            }
            let (Some(min_count), Some(selector)) =
                (min.as_u64(), pdb.at(&["spec", "selector", "matchLabels"]))
            else {
                continue;
            };
            // The budget counts every pod it selects, across workloads (a canary's and the
            // stable track's together).
            let covered: Vec<&Node> = workloads(documents)
                .filter(|w| pod_labels(w).is_some_and(|labels| selects(selector, labels)))
                .collect();
            let replicas: u64 = covered.iter().map(|w| minimum_replicas(documents, w)).sum();
            if !covered.is_empty() && min_count >= replicas {
                found.push((
                    min,
                    format!(
                        "minAvailable {min_count} with as few as {replicas} replica(s) lets no pod be evicted: node drains hang."
                    ),
                ));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, PDB, findings};

    #[test]
    fn fires() {
        for budget in [
            PDB.replace("maxUnavailable: 1", "maxUnavailable: 0"),
            PDB.replace("maxUnavailable: 1", "minAvailable: \"100%\""),
            PDB.replace("maxUnavailable: 1", "minAvailable: 2"),
        ] {
            let text = format!(
                "{}{budget}",
                GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 2\n  selector:")
            );
            assert_eq!(findings(&PdbBlocksEviction, &text).len(), 1, "{text}");
        }
    }

    #[test]
    fn stays_silent() {
        // Two workloads under one budget: 2 + 1 pods, one may go.
        let canary = GOOD_DEPLOYMENT
            .replace("name: api\n  namespace", "name: api-canary\n  namespace")
            .replace("spec:\n  selector:", "spec:\n  replicas: 1\n  selector:");
        let stable =
            GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 2\n  selector:");
        let text = format!(
            "{stable}---\n{canary}{}",
            PDB.replace("maxUnavailable: 1", "minAvailable: 1")
        );
        assert_eq!(findings(&PdbBlocksEviction, &text), vec![], "{text}");
        let three =
            GOOD_DEPLOYMENT.replace("spec:\n  selector:", "spec:\n  replicas: 3\n  selector:");
        for budget in [
            PDB.to_owned(),
            PDB.replace("maxUnavailable: 1", "minAvailable: 2"),
        ] {
            let text = format!("{three}{budget}");
            assert_eq!(findings(&PdbBlocksEviction, &text), vec![], "{text}");
        }
    }
}
