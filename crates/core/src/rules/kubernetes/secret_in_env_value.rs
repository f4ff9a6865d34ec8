use super::{Rule, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};
use crate::secrets::suspicion;

rule! {
    /// ## What it does
    /// Flags a container environment variable set with a plain `value` when its name says it
    /// holds a secret (password, token, key...) or the value looks like a credential (a vendor
    /// token, an AWS key id, a URL with a password).
    ///
    /// ## Why is this bad?
    /// The manifest is in Git and readable by everyone with read access to the namespace
    /// (`kubectl get deploy -o yaml`): the secret is no longer secret, and rotating it means a
    /// commit.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DATABASE_PASSWORD
    ///     value: hunter2
    /// ```
    ///
    /// ## Fix
    /// Keep it in a Secret (synced by External Secrets from your store) and use
    /// `valueFrom.secretKeyRef`.
    pub struct SecretInEnvValue;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK021",
    name: "secret-in-env-value",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Read the value from a Secret with valueFrom.secretKeyRef.",
    docs: SecretInEnvValue::DOCS,
};

impl Rule for SecretInEnvValue {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for workload in workloads(documents) {
            let pod = workload.at(&["spec", "template", "spec"]);
            let containers = ["initContainers", "containers"]
                .iter()
                .flat_map(|list| pod.and_then(|p| p.get(list)).map_or(&[][..], Node::items));
            for container in containers {
                for variable in container.get("env").map_or(&[][..], Node::items) {
                    let name = variable.get("name").and_then(Node::as_str).unwrap_or("");
                    let Some(value) = variable.get("value") else {
                        continue;
                    };
                    let Some(reason) = suspicion(name, value.as_str().unwrap_or("")) else {
                        continue;
                    };
                    found.push((
                        value,
                        format!("{name} {reason} and is written in the manifest in plain text."),
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

    fn with_env(env: &str) -> String {
        GOOD_DEPLOYMENT.replace(
            "          image: ghcr.io/acme/api:1.2.3\n",
            &format!("          image: ghcr.io/acme/api:1.2.3\n          env:\n{env}"),
        )
    }

    #[test]
    fn fires() {
        for env in [
            "            - name: DATABASE_PASSWORD\n              value: hunter2\n",
            "            - name: DATABASE_URL\n              value: postgresql://app:hunter2@db/app\n",
            "            - name: GH\n              value: ghp_abcdefghijklmnopqrstuvwxyz0123\n",
        ] {
            let text = with_env(env);
            assert_eq!(findings(&SecretInEnvValue, &text).len(), 1, "{text}");
        }
    }

    #[test]
    fn stays_silent() {
        for env in [
            "            - name: LOG_LEVEL\n              value: info\n",
            "            - name: DATABASE_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: api\n                  key: DATABASE_PASSWORD\n",
            "            - name: DATABASE_URL\n              value: postgresql://app:$(DATABASE_PASSWORD)@db/app\n",
            "            - name: API_TOKEN\n              value: $(TOKEN_FROM_SECRET)\n",
        ] {
            let text = with_env(env);
            assert_eq!(findings(&SecretInEnvValue, &text), vec![], "{text}");
        }
    }
}
