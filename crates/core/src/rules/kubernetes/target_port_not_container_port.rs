use super::{Rule, containers, kind, pod_labels, selects, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a Service port whose `targetPort` (or, without one, its `port`) is neither the
    /// number nor the name of a container port of the pods it selects in the same file.
    ///
    /// ## Why is this bad?
    /// The Service sends traffic to a port nothing listens on: every connection is refused,
    /// while the pods look healthy.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8000   # the container listens on 8080
    /// ```
    ///
    /// ## Fix
    /// Name the container port (`name: http`) and use `targetPort: http`.
    pub struct TargetPortNotContainerPort;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK019",
    name: "target-port-not-container-port",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Set targetPort to a container port's name or number.",
    docs: TargetPortNotContainerPort::DOCS,
};

impl Rule for TargetPortNotContainerPort {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for service in documents.iter().filter(|d| kind(d) == "Service") {
            let Some(selector) = service.at(&["spec", "selector"]) else {
                continue;
            };
            let ports: Vec<&Node> = workloads(documents)
                .filter(|w| pod_labels(w).is_some_and(|labels| selects(selector, labels)))
                .flat_map(containers)
                .flat_map(|c| c.get("ports").map_or(&[][..], Node::items))
                .collect();
            if ports.is_empty() {
                continue;
            }
            for port in service.at(&["spec", "ports"]).map_or(&[][..], Node::items) {
                let Some(target) = port.get("targetPort").or_else(|| port.get("port")) else {
                    continue;
                };
                let listens = match target.as_u64() {
                    Some(number) => ports
                        .iter()
                        .any(|p| p.get("containerPort").and_then(Node::as_u64) == Some(number)),
                    None => ports
                        .iter()
                        .any(|p| p.get("name").and_then(Node::as_str) == target.as_str()),
                };
                if !listens {
                    found.push((
                        target,
                        format!(
                            "No container of the selected pods has port {}: connections are refused.",
                            target.as_str().unwrap_or("")
                        ),
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

    const SERVICE: &str = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n";

    #[test]
    fn fires() {
        for service in [
            SERVICE.replace("targetPort: http", "targetPort: 8000"),
            SERVICE.replace("targetPort: http", "targetPort: web"),
            SERVICE.replace("      targetPort: http\n", ""),
        ] {
            let text = format!("{GOOD_DEPLOYMENT}{service}");
            assert_eq!(
                findings(&TargetPortNotContainerPort, &text).len(),
                1,
                "{text}"
            );
        }
    }

    #[test]
    fn stays_silent() {
        for service in [
            SERVICE.to_owned(),
            SERVICE.replace("targetPort: http", "targetPort: 8080"),
        ] {
            let text = format!("{GOOD_DEPLOYMENT}{service}");
            assert_eq!(
                findings(&TargetPortNotContainerPort, &text),
                vec![],
                "{text}"
            );
        }
        // Pods elsewhere: nothing to compare with.
        assert_eq!(findings(&TargetPortNotContainerPort, SERVICE), vec![]);
    }
}
