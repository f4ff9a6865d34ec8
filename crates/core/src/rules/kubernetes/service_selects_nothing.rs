use super::{Rule, kind, pod_labels, selects, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a Service whose selector matches no pod template in the same file, when the file has workloads.
    ///
    /// ## Why is this bad?
    /// The Service then has no endpoints: every request to it fails.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: {app: apii}
    /// ```
    ///
    /// ## Fix
    /// Copy the selector from the workload's `matchLabels`.
    pub struct ServiceSelectsNothing;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK011",
    name: "service-selects-nothing",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Select the labels of a pod template in the same file.",
    docs: ServiceSelectsNothing::DOCS,
};

impl Rule for ServiceSelectsNothing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let templates: Vec<&Node> = workloads(documents).filter_map(pod_labels).collect();
        if templates.is_empty() {
            return Vec::new();
        }
        documents
            .iter()
            .filter(|d| kind(d) == "Service")
            .filter_map(|service| {
                let selector = service.at(&["spec", "selector"])?;
                // An empty selector asks for nothing, so it is not this rule's finding.
                let selected = selector.entries().is_empty()
                    || templates.iter().any(|labels| selects(selector, labels));
                (!selected).then(|| {
                    (
                        selector,
                        "This Service selects no pods of this file.".to_owned(),
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

    #[test]
    fn fires() {
        let text: String = format!(
            "{GOOD_DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: apii\n"
        );
        assert!(
            !findings(&ServiceSelectsNothing, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = format!(
            "{GOOD_DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n"
        );
        assert_eq!(findings(&ServiceSelectsNothing, &text), vec![]);
    }
}
