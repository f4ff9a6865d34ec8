use super::{Rule, containers_without};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container that does not set `allowPrivilegeEscalation: false`.
    ///
    /// ## Why is this bad?
    /// A setuid binary in the image can then gain more privileges than the process started with.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    /// ```
    ///
    /// ## Fix
    /// Add `allowPrivilegeEscalation: false` to the container's securityContext.
    pub struct PrivilegeEscalationAllowed;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK006",
    name: "privilege-escalation-allowed",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Set allowPrivilegeEscalation: false.",
    docs: PrivilegeEscalationAllowed::DOCS,
};

impl Rule for PrivilegeEscalationAllowed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        containers_without(documents, "allowPrivilegeEscalation", false)
            .map(|c| {
                (
                    c,
                    "This container may gain privileges (setuid binaries).".to_owned(),
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
        let text: String = GOOD_DEPLOYMENT.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true",
        );
        assert!(
            !findings(&PrivilegeEscalationAllowed, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&PrivilegeEscalationAllowed, &text), vec![]);
    }
}
