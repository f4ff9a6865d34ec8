use super::{Rule, steps};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Notes actions referenced by a tag or branch rather than a commit SHA.
    ///
    /// ## Why is this bad?
    /// Tags can be moved: whoever controls the action's repository controls what your job runs next time.
    ///
    /// ## Example
    /// ```yaml
    /// uses: actions/checkout@v5
    /// ```
    ///
    /// ## Fix
    /// `uses: actions/checkout@<40-character sha> # v5`.
    pub struct UnpinnedAction;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG008",
    name: "unpinned-action",
    family: Family::GithubActions,
    severity: Severity::Info,
    fix: "Pin third-party actions to a full commit SHA.",
    docs: UnpinnedAction::DOCS,
};

impl Rule for UnpinnedAction {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        steps(workflow)
            .filter_map(|step| step.get("uses"))
            .filter(|uses| {
                let text = uses.as_str().unwrap_or("");
                !text.starts_with("./")
                    && !text.starts_with("docker://")
                    && text.split_once('@').is_none_or(|(_, r)| {
                        !(r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit()))
                    })
            })
            .map(|uses| {
                (
                    uses,
                    format!("{} is not pinned to a commit.", uses.as_str().unwrap_or("")),
                )
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
        let text: String = GOOD_WORKFLOW.to_owned();
        assert!(!findings(&UnpinnedAction, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.replace(
            "actions/checkout@v5",
            "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8",
        );
        assert_eq!(findings(&UnpinnedAction, &text), vec![]);
    }
}
