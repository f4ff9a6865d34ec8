use super::{Rule, jobs, needs};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags jobs whose `needs` form a cycle.
    ///
    /// ## Why is this bad?
    /// GitHub refuses the workflow: each job waits for the other.
    ///
    /// ## Example
    /// ```yaml
    /// a:
    ///   needs: b
    /// b:
    ///   needs: a
    /// ```
    ///
    /// ## Fix
    /// Decide which job comes first and drop the other `needs`.
    pub struct NeedsCycle;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG002",
    name: "needs-cycle",
    family: Family::GithubActions,
    severity: Severity::Error,
    fix: "Break the cycle: a job cannot wait for itself.",
    docs: NeedsCycle::DOCS,
};

impl Rule for NeedsCycle {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        let all = jobs(workflow);
        let edges = |id: &str| -> Vec<&str> {
            all.iter()
                .find(|(k, _)| k.as_str() == Some(id))
                .map_or(Vec::new(), |(_, job)| {
                    needs(job).into_iter().filter_map(Node::as_str).collect()
                })
        };
        let mut found = Vec::new();
        for (id, _) in all {
            let Some(start) = id.as_str() else { continue };
            // A walk that comes back to where it started is a cycle.
            let mut frontier = edges(start);
            let mut seen: Vec<&str> = Vec::new();
            while let Some(next) = frontier.pop() {
                if next == start {
                    found.push((id, format!("Job {start} needs itself through its needs.")));
                    break;
                }
                if !seen.contains(&next) && seen.len() < all.len() {
                    seen.push(next);
                    frontier.extend(edges(next));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::github_actions::{GOOD_WORKFLOW, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_WORKFLOW.replace(
            "  test:\n    runs-on",
            "  test:\n    needs: build\n    runs-on",
        );
        assert!(!findings(&NeedsCycle, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_WORKFLOW.to_owned();
        assert_eq!(findings(&NeedsCycle, &text), vec![]);
    }
}
