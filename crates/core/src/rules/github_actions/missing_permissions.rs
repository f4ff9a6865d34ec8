use super::{Rule, jobs};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a job with no `permissions` when the workflow sets none either.
    ///
    /// ## Why is this bad?
    /// The job's token then gets the repository's default, often write access to code, packages and releases.
    ///
    /// ## Example
    /// ```yaml
    /// on: push
    /// jobs:
    ///   test: ...
    /// ```
    ///
    /// ## Fix
    /// `permissions: {contents: read}` at the top; widen per job where needed.
    pub struct MissingPermissions;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG004",
    name: "missing-permissions",
    family: Family::GithubActions,
    severity: Severity::Warning,
    fix: "Set permissions at the top, least privilege (contents: read).",
    docs: MissingPermissions::DOCS,
};

impl Rule for MissingPermissions {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        if workflow.get("permissions").is_some() {
            return Vec::new();
        }
        jobs(workflow)
            .iter()
            .filter(|(_, job)| job.get("permissions").is_none())
            .map(|(id, _)| {
                (
                    id,
                    format!(
                        "Job {} runs with the default token permissions.",
                        id.as_str().unwrap_or("")
                    ),
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
        let text: String = GOOD_WORKFLOW.replace("permissions:\n  contents: read\n", "");
        assert!(!findings(&MissingPermissions, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&MissingPermissions, &text), vec![]);
    }
}
