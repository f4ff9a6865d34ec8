use super::{Rule, containers, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an HTTP or TCP probe whose port is not one of the container's ports.
    ///
    /// ## Why is this bad?
    /// The probe then always fails: the pod never becomes ready, or is restarted forever.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - name: http
    ///     containerPort: 8080
    /// livenessProbe:
    ///   httpGet: {path: /live, port: 3000}
    /// ```
    ///
    /// ## Fix
    /// Use the container port's name (`port: http`) so the two cannot drift.
    pub struct ProbePortNotContainerPort;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK004",
    name: "probe-port-not-container-port",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Probe a port the container declares.",
    docs: ProbePortNotContainerPort::DOCS,
};

impl Rule for ProbePortNotContainerPort {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for workload in workloads(documents) {
            for container in containers(workload) {
                let ports = container.get("ports").map_or(&[][..], Node::items);
                for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                    let Some(port) = container.get(probe).and_then(|p| {
                        p.at(&["httpGet", "port"])
                            .or_else(|| p.at(&["tcpSocket", "port"]))
                    }) else {
                        continue;
                    };
                    let known = match port.as_u64() {
                        Some(number) => ports
                            .iter()
                            .any(|p| p.get("containerPort").and_then(Node::as_u64) == Some(number)),
                        None => ports
                            .iter()
                            .any(|p| p.get("name").and_then(Node::as_str) == port.as_str()),
                    };
                    if !known {
                        found.push((
                            port,
                            format!(
                                "The {probe} port {} is not a port of this container.",
                                port.as_str().unwrap_or("?")
                            ),
                        ));
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
            "              path: /health/live\n              port: http",
            "              path: /health/live\n              port: 3000",
        );
        assert!(
            !findings(&ProbePortNotContainerPort, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&ProbePortNotContainerPort, &text), vec![]);
    }
}
