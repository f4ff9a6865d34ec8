use super::{Rule, steps};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `pull_request_target` workflow that checks out the pull request's head.
    ///
    /// ## Why is this bad?
    /// pull_request_target runs with the base repository's secrets and write token; checking out the fork's code and running it hands both to the fork's author.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// ...
    /// - uses: actions/checkout@v5
    ///   with:
    ///     ref: ${{ github.event.pull_request.head.sha }}
    /// ```
    ///
    /// ## Fix
    /// Use `pull_request` for building fork code; keep pull_request_target for labelling and comments.
    pub struct PullRequestTargetCheckout;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG009",
    name: "pull-request-target-checkout",
    family: Family::GithubActions,
    severity: Severity::Error,
    fix: "Do not check out the pull request's code in pull_request_target.",
    docs: PullRequestTargetCheckout::DOCS,
};

impl Rule for PullRequestTargetCheckout {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        let triggers = workflow.get("on");
        let targeted = triggers.is_some_and(|on| {
            on.as_str() == Some("pull_request_target")
                || on.get("pull_request_target").is_some()
                || on
                    .items()
                    .iter()
                    .any(|t| t.as_str() == Some("pull_request_target"))
        });
        if !targeted {
            return Vec::new();
        }
        steps(workflow)
            .filter(|step| {
                step.get("uses")
                    .and_then(Node::as_str)
                    .is_some_and(|u| u.starts_with("actions/checkout@"))
            })
            .filter_map(|step| step.at(&["with", "ref"]))
            .filter(|reference| {
                reference.as_str().is_some_and(|r| {
                    r.contains("pull_request.head") || r.contains("github.head_ref")
                })
            })
            .map(|reference| {
                (
                    reference,
                    "The fork's code runs with this repository's secrets.".to_owned(),
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
        let text: String = GOOD_WORKFLOW.replace("  push:\n    branches: [main]", "  pull_request_target:").replace("      - uses: actions/checkout@v5\n", "      - uses: actions/checkout@v5\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n");
        assert!(
            !findings(&PullRequestTargetCheckout, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&PullRequestTargetCheckout, &text), vec![]);
    }
}
