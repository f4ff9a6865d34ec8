use super::{Rule, pod_labels, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a workload whose `selector.matchLabels` are not all labels of its pod template.
    ///
    /// ## Why is this bad?
    /// The API server refuses it, or, for a Rollout, the controller never finds its pods.
    ///
    /// ## Example
    /// ```yaml
    /// selector:
    ///   matchLabels: {app: api}
    /// template:
    ///   metadata:
    ///     labels: {app: web}
    /// ```
    ///
    /// ## Fix
    /// Use the same labels in both places.
    pub struct SelectorNotMatchingTemplate;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK010",
    name: "selector-not-matching-template",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Make every selector label a label of the pod template.",
    docs: SelectorNotMatchingTemplate::DOCS,
};

impl Rule for SelectorNotMatchingTemplate {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        workloads(documents)
            .filter_map(|w| {
                let selector = w.at(&["spec", "selector", "matchLabels"])?;
                let labels = pod_labels(w);
                let missing = selector.entries().iter().find(|(k, v)| {
                    labels
                        .and_then(|l| l.get(k.as_str().unwrap_or("")))
                        .map(|l| &l.value)
                        != Some(&v.value)
                })?;
                Some((
                    selector,
                    format!(
                        "The selector's {} is not a label of the pod template.",
                        missing.0.as_str().unwrap_or("?")
                    ),
                ))
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
        let text: String =
            GOOD_DEPLOYMENT.replace("        app: api\n    spec:", "        app: web\n    spec:");
        assert!(
            !findings(&SelectorNotMatchingTemplate, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&SelectorNotMatchingTemplate, &text), vec![]);
    }
}
