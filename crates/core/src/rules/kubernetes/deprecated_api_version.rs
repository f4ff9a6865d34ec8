use super::Rule;
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags apiVersions that current Kubernetes no longer serves.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object: the deploy fails on a cluster upgrade nobody connected to this file.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: extensions/v1beta1
    /// kind: Ingress
    /// ```
    ///
    /// ## Fix
    /// `networking.k8s.io/v1` for Ingress, `apps/v1` for Deployment, `policy/v1` for PodDisruptionBudget, `autoscaling/v2` for HPA.
    pub struct DeprecatedApiVersion;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK015",
    name: "deprecated-api-version",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Use the current apiVersion for the kind.",
    docs: DeprecatedApiVersion::DOCS,
};

impl Rule for DeprecatedApiVersion {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        const REMOVED: &[(&str, &str)] = &[
            ("extensions/v1beta1", "the current group's v1"),
            ("apps/v1beta1", "apps/v1"),
            ("apps/v1beta2", "apps/v1"),
            ("networking.k8s.io/v1beta1", "networking.k8s.io/v1"),
            ("policy/v1beta1", "policy/v1"),
            ("autoscaling/v2beta1", "autoscaling/v2"),
            ("autoscaling/v2beta2", "autoscaling/v2"),
            ("batch/v1beta1", "batch/v1"),
        ];
        documents
            .iter()
            .filter_map(|d| {
                let version = d.get("apiVersion")?;
                let (_, current) = REMOVED
                    .iter()
                    .find(|(old, _)| version.as_str() == Some(old))?;
                Some((
                    version,
                    format!(
                        "{} is no longer served; use {current}.",
                        version.as_str().unwrap_or("")
                    ),
                ))
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
        let text: String = GOOD_DEPLOYMENT.replace("apps/v1", "apps/v1beta2");
        assert!(!findings(&DeprecatedApiVersion, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&DeprecatedApiVersion, &text), vec![]);
    }
}
