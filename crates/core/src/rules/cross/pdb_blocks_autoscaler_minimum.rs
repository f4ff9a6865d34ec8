use super::{Finding, Rule, View, finding, name};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a PodDisruptionBudget whose minAvailable is not below the minReplicas of the HPA scaling the same workload.
    ///
    /// ## Why is this bad?
    /// At the minimum no pod may be evicted: node drains, and so cluster upgrades, hang.
    ///
    /// ## Example
    /// ```yaml
    /// minAvailable: 2   # the HPA's minReplicas is 2
    /// ```
    ///
    /// ## Fix
    /// `minAvailable: 1`, or raise minReplicas.
    pub struct PdbBlocksAutoscalerMinimum;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX007",
    name: "pdb-blocks-autoscaler-minimum",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Keep minAvailable below the autoscaler's minReplicas.",
    docs: PdbBlocksAutoscalerMinimum::DOCS,
};

impl Rule for PdbBlocksAutoscalerMinimum {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        for (file, pdb) in view.kind("PodDisruptionBudget") {
            let Some(min_available) = pdb
                .at(&["spec", "minAvailable"])
                .filter(|m| m.as_u64().is_some())
            else {
                continue;
            };
            let namespace = pdb.at(&["metadata", "namespace"]).and_then(Node::as_str);
            let floor = view
                .kind("HorizontalPodAutoscaler")
                .filter(|(_, h)| {
                    h.at(&["metadata", "namespace"]).and_then(Node::as_str) == namespace
                })
                .find(|(_, h)| {
                    h.at(&["spec", "scaleTargetRef", "name"])
                        .and_then(Node::as_str)
                        == Some(name(pdb))
                })
                .and_then(|(_, h)| h.at(&["spec", "minReplicas"]).and_then(Node::as_u64));
            if let (Some(floor), Some(min)) = (floor, min_available.as_u64())
                && min >= floor
            {
                found.push(finding(file, min_available, format!("minAvailable {min} with an autoscaler minimum of {floor}: no pod can ever be evicted.")));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cross::{check, edit, full_stack};

    #[test]
    fn fires() {
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/backend.yaml",
            "minAvailable: 1",
            "minAvailable: 2",
        );
        assert!(!check(&PdbBlocksAutoscalerMinimum, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&PdbBlocksAutoscalerMinimum, &files).is_empty());
    }
}
