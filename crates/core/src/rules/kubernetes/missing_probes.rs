use super::{Rule, containers, kind, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container of a Deployment, StatefulSet or Rollout without a readiness or a liveness probe.
    ///
    /// ## Why is this bad?
    /// Without readiness, traffic reaches pods that cannot answer yet; without liveness, a hung process is never restarted.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: api
    ///     image: api:1.0
    /// ```
    ///
    /// ## Fix
    /// Add `readinessProbe` and `livenessProbe`, on different endpoints.
    pub struct MissingProbes;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK002",
    name: "missing-probes",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Give every long-running container a readiness and a liveness probe.",
    docs: MissingProbes::DOCS,
};

impl Rule for MissingProbes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for workload in workloads(documents).filter(|w| kind(w) != "DaemonSet") {
            for container in containers(workload) {
                for probe in ["readinessProbe", "livenessProbe"] {
                    if container.get(probe).is_none() {
                        found.push((container, format!("No {probe} on this container.")));
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
        let text: String = GOOD_DEPLOYMENT.replace("          readinessProbe:\n            httpGet:\n              path: /health/ready\n              port: http\n", "");
        assert!(!findings(&MissingProbes, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&MissingProbes, &text), vec![]);
    }
}
