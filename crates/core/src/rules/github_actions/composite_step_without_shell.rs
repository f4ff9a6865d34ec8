use super::Rule;
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `run` step of a composite action (`action.yml` with `runs.using: composite`) that names no `shell`.
    ///
    /// ## Why is this bad?
    /// Unlike a workflow, a composite action has no default shell: GitHub refuses the action when a workflow first uses it, and every job that calls it fails at "Set up job".
    ///
    /// ## Example
    /// ```yaml
    /// runs:
    ///   using: composite
    ///   steps:
    ///     - run: make test
    /// ```
    ///
    /// ## Fix
    /// Add `shell: bash` (or the shell the script is written for) to the step.
    pub struct CompositeStepWithoutShell;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG012",
    name: "composite-step-without-shell",
    family: Family::GithubActions,
    severity: Severity::Error,
    fix: "Add shell: bash to every run step of the composite action.",
    docs: CompositeStepWithoutShell::DOCS,
};

impl Rule for CompositeStepWithoutShell {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, action: &'a Node) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        if action.at(&["runs", "using"]).and_then(Node::as_str) != Some("composite") {
            return found;
        }
        for step in action.at(&["runs", "steps"]).map_or(&[][..], Node::items) {
            if let Some(run) = step.get("run")
                && step.get("shell").is_none()
            {
                found.push((
                    run,
                    "This run step of a composite action names no shell.".to_owned(),
                ));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::github_actions::findings;

    const GOOD: &str = "name: test\ndescription: Runs the tests\nruns:\n  using: composite\n  steps:\n    - run: make test\n      shell: bash\n    - uses: actions/cache@v4\n";

    #[test]
    fn fires() {
        let text = GOOD.replace("      shell: bash\n", "");
        assert_eq!(
            findings(&CompositeStepWithoutShell, &text).len(),
            1,
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&CompositeStepWithoutShell, GOOD), vec![]);
        let node = GOOD
            .replace("using: composite", "using: node24")
            .replace("      shell: bash\n", "");
        assert_eq!(findings(&CompositeStepWithoutShell, &node), vec![]);
    }
}
