use super::{Rule, kind, name, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a HorizontalPodAutoscaler whose `scaleTargetRef` names no workload of the same
    /// file, when the file has workloads (kind and name must both match).
    ///
    /// ## Why is this bad?
    /// The autoscaler reports `FailedGetScale` and scales nothing: the service stays at its
    /// replica count however high the load goes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: apii}
    /// ```
    ///
    /// ## Fix
    /// Copy the kind and `metadata.name` of the workload it should scale.
    pub struct AutoscalerTargetMissing;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK018",
    name: "autoscaler-target-missing",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Point scaleTargetRef at a workload's kind and name.",
    docs: AutoscalerTargetMissing::DOCS,
};

impl Rule for AutoscalerTargetMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        if workloads(documents).next().is_none() {
            return Vec::new();
        }
        documents
            .iter()
            .filter(|d| kind(d) == "HorizontalPodAutoscaler")
            .filter_map(|hpa| {
                let target = hpa.at(&["spec", "scaleTargetRef"])?;
                let target_kind = target.get("kind").and_then(Node::as_str).unwrap_or("");
                let target_name = target.get("name").and_then(Node::as_str).unwrap_or("");
                let found = workloads(documents)
                    .any(|w| kind(w) == target_kind && name(w) == target_name);
                (!found).then(|| {
                    (
                        target,
                        format!("No {target_kind} named {target_name:?} in this file: the autoscaler scales nothing."),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, findings};

    const HPA: &str = "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: api\n  minReplicas: 2\n  maxReplicas: 5\n";

    #[test]
    fn fires() {
        for hpa in [
            HPA.replace("name: api\n  minReplicas", "name: apii\n  minReplicas"),
            HPA.replace("kind: Deployment", "kind: StatefulSet"),
        ] {
            let text = format!("{GOOD_DEPLOYMENT}{hpa}");
            assert_eq!(findings(&AutoscalerTargetMissing, &text).len(), 1, "{text}");
        }
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(&AutoscalerTargetMissing, &format!("{GOOD_DEPLOYMENT}{HPA}")),
            vec![]
        );
        // Alone in its file, the target may be in another file.
        assert_eq!(findings(&AutoscalerTargetMissing, HPA), vec![]);
    }
}
