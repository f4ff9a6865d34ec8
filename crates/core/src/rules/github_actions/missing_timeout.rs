use super::{Rule, jobs};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a job without `timeout-minutes`.
    ///
    /// ## Why is this bad?
    /// A hung job runs for six hours, holding a runner and, for deploys, the environment's lock.
    ///
    /// ## Example
    /// ```yaml
    /// test:
    ///   runs-on: ubuntu-24.04
    /// ```
    ///
    /// ## Fix
    /// `timeout-minutes: 15`.
    pub struct MissingTimeout;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG006",
    name: "missing-timeout",
    family: Family::GithubActions,
    severity: Severity::Info,
    fix: "Set timeout-minutes on every job.",
    docs: MissingTimeout::DOCS,
};

impl Rule for MissingTimeout {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        jobs(workflow)
            .iter()
            .filter(|(_, job)| job.get("timeout-minutes").is_none() && job.get("uses").is_none())
            .map(|(id, _)| {
                (
                    id,
                    format!("Job {} may run for 6 hours.", id.as_str().unwrap_or("")),
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
        let text: String = GOOD_WORKFLOW.replacen("    timeout-minutes: 10\n", "", 1);
        assert!(!findings(&MissingTimeout, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&MissingTimeout, &text), vec![]);
    }
}
