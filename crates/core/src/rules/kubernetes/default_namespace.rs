use super::{Rule, is_object, kind};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a namespaced object with no namespace, or the `default` one.
    ///
    /// ## Why is this bad?
    /// It lands wherever kubectl's context points, and `default` mixes unrelated apps under one set of policies.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: api
    /// ```
    ///
    /// ## Fix
    /// `metadata: {name: api, namespace: shop-production}`.
    pub struct DefaultNamespace;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK014",
    name: "default-namespace",
    family: Family::Kubernetes,
    severity: Severity::Info,
    fix: "Name the namespace in metadata.",
    docs: DefaultNamespace::DOCS,
};

impl Rule for DefaultNamespace {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        const CLUSTER_SCOPED: &[&str] = &[
            "Namespace",
            "ClusterRole",
            "ClusterRoleBinding",
            "ClusterSecretStore",
            "CustomResourceDefinition",
            "PersistentVolume",
            "StorageClass",
            "ClusterIssuer",
            "Kustomization",
        ];
        documents
            .iter()
            .filter(|d| is_object(d) && !CLUSTER_SCOPED.contains(&kind(d)))
            .filter(|d| {
                d.at(&["metadata", "namespace"])
                    .and_then(Node::as_str)
                    .is_none_or(|n| n == "default")
            })
            .map(|d| {
                (
                    d,
                    format!("This {} goes to the default namespace.", kind(d)),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_DEPLOYMENT.replace("  namespace: shop\n", "");
        assert!(!findings(&DefaultNamespace, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&DefaultNamespace, &text), vec![]);
    }
}
