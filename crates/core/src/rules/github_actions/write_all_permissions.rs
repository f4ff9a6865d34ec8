use super::{Rule, jobs};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `permissions: write-all`.
    ///
    /// ## Why is this bad?
    /// Any compromised step can then push code, publish packages and change releases.
    ///
    /// ## Example
    /// ```yaml
    /// permissions: write-all
    /// ```
    ///
    /// ## Fix
    /// `permissions: {contents: read, packages: write}`, or what the job needs.
    pub struct WriteAllPermissions;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG005",
    name: "write-all-permissions",
    family: Family::GithubActions,
    severity: Severity::Warning,
    fix: "List only the permissions the job uses.",
    docs: WriteAllPermissions::DOCS,
};

impl Rule for WriteAllPermissions {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        let top = workflow.get("permissions").into_iter();
        let per_job = jobs(workflow)
            .iter()
            .filter_map(|(_, job)| job.get("permissions"));
        top.chain(per_job)
            .filter(|p| p.as_str() == Some("write-all"))
            .map(|p| {
                (
                    p,
                    "write-all gives the token every write permission.".to_owned(),
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
        let text: String = GOOD_WORKFLOW.replace(
            "permissions:\n  contents: read\n",
            "permissions: write-all\n",
        );
        assert!(!findings(&WriteAllPermissions, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&WriteAllPermissions, &text), vec![]);
    }
}
