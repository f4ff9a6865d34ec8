//! GitHub Actions rules (actionlint's and zizmor's most valuable), over a workflow file.

mod composite_step_without_shell;
mod dependabot_schedule;
mod expression_in_run;
mod missing_permissions;
mod missing_timeout;
mod needs_cycle;
mod outdated_action;
mod pull_request_target_checkout;
mod secrets_to_untrusted_action;
mod unknown_needs;
mod unpinned_action;
mod write_all_permissions;

use super::yaml::Node;
use super::{Diagnostic, RuleInfo};

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)>;
}

pub static RULES: &[&dyn Rule] = &[
    &unknown_needs::UnknownNeeds,
    &needs_cycle::NeedsCycle,
    &expression_in_run::ExpressionInRun,
    &missing_permissions::MissingPermissions,
    &write_all_permissions::WriteAllPermissions,
    &missing_timeout::MissingTimeout,
    &outdated_action::OutdatedAction,
    &unpinned_action::UnpinnedAction,
    &pull_request_target_checkout::PullRequestTargetCheckout,
    &secrets_to_untrusted_action::SecretsToUntrustedAction,
];

/// What each of [`RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static INFOS: &[&RuleInfo] = &[
    &unknown_needs::INFO,
    &needs_cycle::INFO,
    &expression_in_run::INFO,
    &missing_permissions::INFO,
    &write_all_permissions::INFO,
    &missing_timeout::INFO,
    &outdated_action::INFO,
    &unpinned_action::INFO,
    &pull_request_target_checkout::INFO,
    &secrets_to_untrusted_action::INFO,
];

/// Rules over a Dependabot configuration (`.github/dependabot.yml`).
pub static DEPENDABOT_RULES: &[&dyn Rule] = &[&dependabot_schedule::DependabotSchedule];

/// What each of [`DEPENDABOT_RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static DEPENDABOT_INFOS: &[&RuleInfo] = &[&dependabot_schedule::INFO];

/// Rules over an action's metadata (`action.yml`).
pub static ACTION_RULES: &[&dyn Rule] = &[&composite_step_without_shell::CompositeStepWithoutShell];

/// What each of [`ACTION_RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static ACTION_INFOS: &[&RuleInfo] = &[&composite_step_without_shell::INFO];

/// Whether a document is a Dependabot configuration: a version and updates.
pub fn is_dependabot(document: &Node) -> bool {
    document.get("version").is_some() && document.get("updates").is_some()
}

/// Whether a document is an action's metadata: how it runs, and no jobs.
pub fn is_action(document: &Node) -> bool {
    document.at(&["runs", "using"]).is_some() && document.get("jobs").is_none()
}

/// Whether a document is a workflow: it has jobs and triggers.
pub fn is_workflow(document: &Node) -> bool {
    document.get("jobs").is_some() && document.get("on").is_some()
}

/// The workflow's jobs as (id node, job node).
pub fn jobs(workflow: &Node) -> &[(Node, Node)] {
    workflow.get("jobs").map_or(&[], Node::entries)
}

/// The job ids a job's `needs` names, with their nodes.
pub fn needs(job: &Node) -> Vec<&Node> {
    match job.get("needs") {
        Some(single) if single.as_str().is_some() => vec![single],
        Some(list) => list.items().iter().collect(),
        None => Vec::new(),
    }
}

/// Every step of every job.
pub fn steps(workflow: &Node) -> impl Iterator<Item = &Node> {
    jobs(workflow)
        .iter()
        .flat_map(|(_, job)| job.get("steps").map_or(&[][..], Node::items))
}

pub fn lint(path: &str, text: &str, workflow: &Node) -> Vec<Diagnostic> {
    lint_with(RULES, path, text, workflow)
}

/// The findings of `rules` over one document.
pub fn lint_with(rules: &[&dyn Rule], path: &str, text: &str, workflow: &Node) -> Vec<Diagnostic> {
    rules
        .iter()
        .flat_map(|rule| Diagnostic::at_nodes(rule.info(), path, text, rule.check(workflow)))
        .collect()
}

#[cfg(test)]
pub(crate) fn findings(rule: &dyn Rule, text: &str) -> Vec<(usize, String)> {
    let documents = super::yaml::parse(text).unwrap();
    rule.check(&documents[0])
        .into_iter()
        .map(|(n, m)| (n.line, m))
        .collect()
}

/// A workflow every rule is silent about, apart from the info-level pinning one.
#[cfg(test)]
pub(crate) const GOOD_WORKFLOW: &str = "\
name: ci
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v5
      - run: npm test
  build:
    needs: test
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - run: npm run build
";
