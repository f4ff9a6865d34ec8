use super::{Rule, containers, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container that does not drop all Linux capabilities.
    ///
    /// ## Why is this bad?
    /// The default set includes capabilities such as NET_RAW that web services never need and attackers use.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    /// ```
    ///
    /// ## Fix
    /// `capabilities: {drop: [ALL]}`.
    pub struct CapabilitiesNotDropped;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK008",
    name: "capabilities-not-dropped",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Drop ALL capabilities and add back only what is needed.",
    docs: CapabilitiesNotDropped::DOCS,
};

impl Rule for CapabilitiesNotDropped {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        workloads(documents)
            .flat_map(containers)
            .filter(|c| {
                !c.at(&["securityContext", "capabilities", "drop"])
                    .is_some_and(|drop| drop.items().iter().any(|cap| cap.as_str() == Some("ALL")))
            })
            .map(|c| {
                (
                    c,
                    "This container keeps the default Linux capabilities.".to_owned(),
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
        let text: String =
            GOOD_DEPLOYMENT.replace("                - ALL\n", "                - NET_RAW\n");
        assert!(
            !findings(&CapabilitiesNotDropped, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&CapabilitiesNotDropped, &text), vec![]);
    }
}
