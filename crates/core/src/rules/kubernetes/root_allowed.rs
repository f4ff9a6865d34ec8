use super::{Rule, containers, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container that may run as root: neither it nor its pod sets `runAsNonRoot: true`.
    ///
    /// ## Why is this bad?
    /// If the image's user is root, the process is root in the container, one escape from root on the node. Restricted Pod Security refuses such pods.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {}
    /// ```
    ///
    /// ## Fix
    /// `securityContext: {runAsNonRoot: true, runAsUser: 10001}` on the pod.
    pub struct RootAllowed;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK005",
    name: "root-allowed",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Set runAsNonRoot: true on the pod or the container.",
    docs: RootAllowed::DOCS,
};

impl Rule for RootAllowed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for workload in workloads(documents) {
            let pod = workload
                .at(&[
                    "spec",
                    "template",
                    "spec",
                    "securityContext",
                    "runAsNonRoot",
                ])
                .and_then(Node::as_bool);
            for container in containers(workload) {
                let own = container
                    .at(&["securityContext", "runAsNonRoot"])
                    .and_then(Node::as_bool);
                if own.or(pod) != Some(true) {
                    found.push((
                        container,
                        "Nothing stops this container from running as root.".to_owned(),
                    ));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_DEPLOYMENT.replace(
            "        runAsNonRoot: true\n",
            "        runAsNonRoot: false\n",
        );
        assert!(!findings(&RootAllowed, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&RootAllowed, &text), vec![]);
    }
}
