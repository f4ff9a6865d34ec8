use super::{Rule, kind, name};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an Ingress backend that names a Service missing from the same file (when the file
    /// has Services), or a port that Service does not expose, by number or by name.
    ///
    /// ## Why is this bad?
    /// The ingress controller has nowhere to send the request and answers 503 for that host and
    /// path, though every pod is healthy.
    ///
    /// ## Example
    /// ```yaml
    /// backend:
    ///   service:
    ///     name: api
    ///     port: {number: 8080}   # the Service exposes port 80
    /// ```
    ///
    /// ## Fix
    /// Use the Service's `metadata.name` and one of its `ports` (the port, not the targetPort).
    pub struct IngressBackendMissing;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK020",
    name: "ingress-backend-missing",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Name a Service of the file and one of its ports.",
    docs: IngressBackendMissing::DOCS,
};

/// Every `backend.service` of an Ingress: the default one and one per path.
fn backends(ingress: &Node) -> Vec<&Node> {
    let mut found: Vec<&Node> = ingress
        .at(&["spec", "defaultBackend", "service"])
        .into_iter()
        .collect();
    for rule in ingress.at(&["spec", "rules"]).map_or(&[][..], Node::items) {
        for path in rule.at(&["http", "paths"]).map_or(&[][..], Node::items) {
            found.extend(path.at(&["backend", "service"]));
        }
    }
    found
}

impl Rule for IngressBackendMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let services: Vec<&Node> = documents.iter().filter(|d| kind(d) == "Service").collect();
        if services.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        for ingress in documents.iter().filter(|d| kind(d) == "Ingress") {
            for backend in backends(ingress) {
                let Some(wanted) = backend.get("name") else {
                    continue;
                };
                let wanted_name = wanted.as_str().unwrap_or("");
                let Some(service) = services.iter().find(|s| name(s) == wanted_name) else {
                    found.push((
                        wanted,
                        format!(
                            "No Service named {wanted_name:?} in this file: requests get a 503."
                        ),
                    ));
                    continue;
                };
                let ports = service.at(&["spec", "ports"]).map_or(&[][..], Node::items);
                let port = backend.get("port");
                let (exposed, shown) = match (
                    port.and_then(|p| p.get("number")),
                    port.and_then(|p| p.get("name")),
                ) {
                    (Some(number), _) => (
                        ports
                            .iter()
                            .any(|p| p.get("port").and_then(Node::as_u64) == number.as_u64()),
                        number,
                    ),
                    (None, Some(port_name)) => (
                        ports
                            .iter()
                            .any(|p| p.get("name").and_then(Node::as_str) == port_name.as_str()),
                        port_name,
                    ),
                    (None, None) => continue,
                };
                if !exposed {
                    found.push((
                        shown,
                        format!(
                            "Service {wanted_name:?} has no port {}: requests get a 503.",
                            shown.as_str().unwrap_or("")
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
    use crate::rules::kubernetes::findings;

    const FILE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: api\n                port:\n                  name: http\n";

    #[test]
    fn fires() {
        for text in [
            FILE.replace(
                "                name: api\n",
                "                name: apii\n",
            ),
            FILE.replace(
                "                  name: http\n",
                "                  name: web\n",
            ),
            FILE.replace(
                "                  name: http\n",
                "                  number: 8080\n",
            ),
        ] {
            assert_eq!(findings(&IngressBackendMissing, &text).len(), 1, "{text}");
        }
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&IngressBackendMissing, FILE), vec![]);
        let by_number = FILE.replace(
            "                  name: http\n",
            "                  number: 80\n",
        );
        assert_eq!(findings(&IngressBackendMissing, &by_number), vec![]);
        let alone = FILE.split("---\n").nth(1).unwrap();
        assert_eq!(findings(&IngressBackendMissing, alone), vec![]);
    }
}
