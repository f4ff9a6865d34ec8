use super::{Finding, Rule, View, finding};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a service whose port differs between its Dockerfile `EXPOSE`, its compose port mapping and its Kubernetes containerPort.
    ///
    /// ## Why is this bad?
    /// Traffic then goes to a port nobody listens on: it works locally and fails in the cluster, or the other way round.
    ///
    /// ## Example
    /// ```yaml
    /// # Dockerfile: EXPOSE 8000
    /// # k8s: containerPort: 8080
    /// ```
    ///
    /// ## Fix
    /// Change the port in the settings; every file follows.
    pub struct PortMismatch;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX001",
    name: "port-mismatch",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Use one port for the service everywhere.",
    docs: PortMismatch::DOCS,
};

impl Rule for PortMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        for built in view.built_services() {
            let Some(expose) = built
                .dockerfile
                .stage(built.dockerfile.final_stage())
                .find(|i| i.keyword == "EXPOSE")
            else {
                continue;
            };
            let Ok(exposed) = expose
                .args
                .split(['/', ' '])
                .next()
                .unwrap_or("")
                .parse::<u64>()
            else {
                continue;
            };
            let (service, docker_path) = (built.name, built.docker_path);
            let message = |other: u64| {
                format!("{service} listens on {exposed} ({docker_path} EXPOSE), not {other}.")
            };
            for port in built.service.get("ports").map_or(&[][..], Node::items) {
                let container = port
                    .as_str()
                    .and_then(|p| p.rsplit(':').next())
                    .and_then(|p| p.parse::<u64>().ok());
                if let Some(container) = container.filter(|c| *c != exposed) {
                    found.push(finding(built.compose_path, port, message(container)));
                }
            }
            for (path, workload) in view.workloads_of(service) {
                for container in super::super::kubernetes::containers(workload) {
                    for port in container.get("ports").map_or(&[][..], Node::items) {
                        if let Some(value) = port
                            .get("containerPort")
                            .filter(|p| p.as_u64().is_some_and(|p| p != exposed))
                        {
                            found.push(finding(path, value, message(value.as_u64().unwrap_or(0))));
                        }
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
    use crate::rules::cross::{check, edit, full_stack};

    #[test]
    fn fires() {
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/backend.yaml",
            "containerPort: 8000",
            "containerPort: 8001",
        );
        assert!(!check(&PortMismatch, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&PortMismatch, &files).is_empty());
    }
}
