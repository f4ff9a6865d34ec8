use super::{Finding, Rule, View, finding, name};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a secret key a workload reads that the ExternalSecret creating that Secret does not provide.
    ///
    /// ## Why is this bad?
    /// The pod cannot start: Kubernetes refuses to run a container whose secretKeyRef names a missing key.
    ///
    /// ## Example
    /// ```yaml
    /// env: [{name: JWT_SECRET, valueFrom: {secretKeyRef: {name: api-secrets, key: JWT_SECRET}}}]
    /// # the ExternalSecret api-secrets maps only DATABASE_URL
    /// ```
    ///
    /// ## Fix
    /// Mark the variable as secret in the settings; the ExternalSecret follows.
    pub struct SecretKeyNotProvided;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX004",
    name: "secret-key-not-provided",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Map every secret key the pods read in the ExternalSecret.",
    docs: SecretKeyNotProvided::DOCS,
};

impl Rule for SecretKeyNotProvided {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        // (namespace, Secret name) -> the keys its ExternalSecret provides.
        let namespace = |object: &Node| {
            object
                .at(&["metadata", "namespace"])
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let provided: Vec<((String, String), Vec<String>)> = view
            .kind("ExternalSecret")
            .map(|(_, es)| {
                let target = es
                    .at(&["spec", "target", "name"])
                    .and_then(Node::as_str)
                    .unwrap_or_else(|| name(es))
                    .to_owned();
                let mut keys: Vec<String> = es
                    .at(&["spec", "data"])
                    .map_or(&[][..], Node::items)
                    .iter()
                    .filter_map(|d| d.get("secretKey").and_then(Node::as_str))
                    .map(str::to_owned)
                    .collect();
                // Keys the target template builds (a URL from fetched parts).
                for (key, _) in es
                    .at(&["spec", "target", "template", "data"])
                    .map_or(&[][..], Node::entries)
                {
                    keys.extend(key.as_str().map(str::to_owned));
                }
                ((namespace(es), target), keys)
            })
            .collect();
        for (file, workload) in view.kind("Deployment").chain(view.kind("Rollout")) {
            for container in super::super::kubernetes::containers(workload) {
                for variable in container.get("env").map_or(&[][..], Node::items) {
                    let Some(reference) = variable.at(&["valueFrom", "secretKeyRef"]) else {
                        continue;
                    };
                    let (Some(secret), Some(key)) = (
                        reference.get("name").and_then(Node::as_str),
                        reference.get("key").and_then(Node::as_str),
                    ) else {
                        continue;
                    };
                    let wanted = (namespace(workload), secret.to_owned());
                    if let Some((_, keys)) = provided.iter().find(|(target, _)| *target == wanted)
                        && !keys.iter().any(|k| k == key)
                    {
                        found.push(finding(
                            file,
                            reference,
                            format!("{secret} gets no {key} from its ExternalSecret."),
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
            "- secretKey: JWT_SECRET",
            "- secretKey: JWT_SECRET_OLD",
        );
        assert!(!check(&SecretKeyNotProvided, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&SecretKeyNotProvided, &files).is_empty());
    }
}
