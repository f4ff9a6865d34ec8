use super::{Rule, jobs, needs};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `needs` that names a job the workflow does not define.
    ///
    /// ## Why is this bad?
    /// GitHub refuses the workflow; nothing runs, not even the jobs that are fine.
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   needs: biuld
    /// ```
    ///
    /// ## Fix
    /// `needs: build`.
    pub struct UnknownNeeds;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG001",
    name: "unknown-needs",
    family: Family::GithubActions,
    severity: Severity::Error,
    fix: "Name a job defined in this workflow.",
    docs: UnknownNeeds::DOCS,
};

impl Rule for UnknownNeeds {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        let ids: Vec<&str> = jobs(workflow)
            .iter()
            .filter_map(|(id, _)| id.as_str())
            .collect();
        jobs(workflow)
            .iter()
            .flat_map(|(_, job)| needs(job))
            .filter(|need| need.as_str().is_some_and(|n| !ids.contains(&n)))
            .map(|need| {
                (
                    need,
                    format!("No job is called \"{}\".", need.as_str().unwrap_or("")),
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
        let text: String = GOOD_WORKFLOW.replace("needs: test", "needs: tset");
        assert!(!findings(&UnknownNeeds, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&UnknownNeeds, &text), vec![]);
    }
}
