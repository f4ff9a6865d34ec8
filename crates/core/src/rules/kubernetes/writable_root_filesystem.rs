use super::{Rule, containers_without};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container whose root filesystem is writable.
    ///
    /// ## Why is this bad?
    /// An attacker who gets code execution can then drop tools and change the app's files; a read-only root stops both.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    /// ```
    ///
    /// ## Fix
    /// `readOnlyRootFilesystem: true`, with an `emptyDir` on `/tmp` and any folder the app writes to.
    pub struct WritableRootFilesystem;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK007",
    name: "writable-root-filesystem",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Set readOnlyRootFilesystem: true and mount emptyDirs where the app writes.",
    docs: WritableRootFilesystem::DOCS,
};

impl Rule for WritableRootFilesystem {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        containers_without(documents, "readOnlyRootFilesystem", true)
            .map(|c| {
                (
                    c,
                    "The root filesystem of this container is writable.".to_owned(),
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
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        );
        assert!(
            !findings(&WritableRootFilesystem, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&WritableRootFilesystem, &text), vec![]);
    }
}
