use super::{Rule, containers, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container without CPU and memory requests and limits.
    ///
    /// ## Why is this bad?
    /// Without requests the scheduler packs pods blindly; without limits one pod can starve its node.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: api:1.0
    /// ```
    ///
    /// ## Fix
    /// Set `resources.requests` and `resources.limits` for `cpu` and `memory`.
    pub struct MissingResources;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK001",
    name: "missing-resources",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Set CPU and memory requests and limits on every container.",
    docs: MissingResources::DOCS,
};

impl Rule for MissingResources {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for workload in workloads(documents) {
            for container in containers(workload) {
                for (part, resource) in [
                    ("requests", "cpu"),
                    ("requests", "memory"),
                    ("limits", "cpu"),
                    ("limits", "memory"),
                ] {
                    if container.at(&["resources", part, resource]).is_none() {
                        found.push((
                            container,
                            format!("No {resource} {part} on this container."),
                        ));
                        break;
                    }
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
            "            limits:\n              cpu: 500m\n              memory: 512Mi\n",
            "",
        );
        assert!(!findings(&MissingResources, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&MissingResources, &text), vec![]);
    }
}
