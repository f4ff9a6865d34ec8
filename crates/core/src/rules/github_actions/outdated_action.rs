use super::{Rule, steps};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags actions at a major version whose runtime GitHub has deprecated (Node.js 20 and older).
    ///
    /// ## Why is this bad?
    /// GitHub warns, then stops running them; workflows break on a date nobody chose.
    ///
    /// ## Example
    /// ```yaml
    /// uses: actions/checkout@v4
    /// ```
    ///
    /// ## Fix
    /// `uses: actions/checkout@v5`.
    pub struct OutdatedAction;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG007",
    name: "outdated-action",
    family: Family::GithubActions,
    severity: Severity::Warning,
    fix: "Move to the action's current major version.",
    docs: OutdatedAction::DOCS,
};

impl Rule for OutdatedAction {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        // The first major version that runs on a current runtime, per action.
        const CURRENT: &[(&str, u32)] = &[
            ("actions/checkout", 5),
            ("actions/setup-node", 5),
            ("actions/setup-python", 6),
            ("actions/setup-go", 6),
            ("actions/setup-java", 5),
            ("actions/setup-dotnet", 5),
            ("actions/cache", 5),
            ("actions/upload-artifact", 6),
            ("actions/download-artifact", 7),
            ("actions/deploy-pages", 5),
            ("actions/configure-pages", 6),
            ("actions/upload-pages-artifact", 4),
            ("docker/build-push-action", 7),
            ("docker/metadata-action", 6),
            ("docker/login-action", 4),
            ("docker/setup-buildx-action", 4),
            ("github/codeql-action/upload-sarif", 4),
        ];
        steps(workflow)
            .filter_map(|step| step.get("uses"))
            .filter_map(|uses| {
                let (action, reference) = uses.as_str()?.split_once('@')?;
                let major: u32 = reference
                    .strip_prefix('v')?
                    .split('.')
                    .next()?
                    .parse()
                    .ok()?;
                let (_, current) = CURRENT.iter().find(|(name, _)| *name == action)?;
                (major < *current).then(|| {
                    (
                        uses,
                        format!(
                            "{action}@v{major} runs on a deprecated runtime; v{current} is current."
                        ),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::github_actions::{GOOD_WORKFLOW, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_WORKFLOW.replace("actions/checkout@v5", "actions/checkout@v4");
        assert!(!findings(&OutdatedAction, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&OutdatedAction, &text), vec![]);
    }
}
