use super::{Finding, Rule, View, finding};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a Kubernetes liveness probe whose path differs from the Dockerfile HEALTHCHECK's.
    ///
    /// ## Why is this bad?
    /// One of them checks an endpoint the app does not serve: Docker marks the container unhealthy, or Kubernetes restarts it forever.
    ///
    /// ## Example
    /// ```yaml
    /// # Dockerfile: HEALTHCHECK ... /health/live
    /// # k8s: livenessProbe: {httpGet: {path: /healthz}}
    /// ```
    ///
    /// ## Fix
    /// Change the path in the settings; every file follows.
    pub struct HealthPathMismatch;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX002",
    name: "health-path-mismatch",
    family: Family::CrossFile,
    severity: Severity::Warning,
    fix: "Use the service's health paths in every file.",
    docs: HealthPathMismatch::DOCS,
};

impl Rule for HealthPathMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        for built in view.built_services() {
            let Some(check) = built
                .dockerfile
                .stage(built.dockerfile.final_stage())
                .find(|i| i.keyword == "HEALTHCHECK")
            else {
                continue;
            };
            let Some(url) = check
                .args
                .split("127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
            else {
                continue;
            };
            let path: String = url
                .chars()
                .take_while(|c| !matches!(c, '\'' | '"' | ' ' | ')'))
                .collect();
            for (file, workload) in view.workloads_of(built.name) {
                for container in super::super::kubernetes::containers(workload) {
                    if let Some(probe) = container
                        .at(&["livenessProbe", "httpGet", "path"])
                        .filter(|p| p.as_str() != Some(path.as_str()))
                    {
                        found.push(finding(
                            file,
                            probe,
                            format!("The liveness probe checks {}, the HEALTHCHECK in {} checks {path}.", probe.as_str().unwrap_or(""), built.docker_path),
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
    use crate::rules::cross::{check, edit, full_stack};

    #[test]
    fn fires() {
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/staging/backend.yaml",
            "path: /health/live",
            "path: /healthz",
        );
        assert!(!check(&HealthPathMismatch, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&HealthPathMismatch, &files).is_empty());
    }
}
