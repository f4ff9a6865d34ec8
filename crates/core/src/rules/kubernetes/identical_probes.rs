use super::{Rule, containers, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container whose liveness and readiness probes are the same check.
    ///
    /// ## Why is this bad?
    /// Readiness should fail when a dependency is down; liveness should not. The same check for both restarts healthy pods whenever the database is slow.
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   httpGet: {path: /health, port: http}
    /// readinessProbe:
    ///   httpGet: {path: /health, port: http}
    /// ```
    ///
    /// ## Fix
    /// Liveness on an endpoint that only says alive, readiness on one that checks dependencies.
    pub struct IdenticalProbes;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK003",
    name: "identical-probes",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Point liveness and readiness at different endpoints.",
    docs: IdenticalProbes::DOCS,
};

impl Rule for IdenticalProbes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for workload in workloads(documents) {
            for container in containers(workload) {
                if let (Some(live), Some(ready)) = (
                    container.get("livenessProbe"),
                    container.get("readinessProbe"),
                ) && live.same_as(ready)
                {
                    found.push((
                        live,
                        "Liveness and readiness run the same check.".to_owned(),
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
        let text: String = GOOD_DEPLOYMENT.replace("/health/ready", "/health/live");
        assert!(!findings(&IdenticalProbes, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&IdenticalProbes, &text), vec![]);
    }
}
