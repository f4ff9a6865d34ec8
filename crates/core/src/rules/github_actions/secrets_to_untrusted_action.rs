use super::{Rule, jobs, steps};
use crate::rules::yaml::{Node, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a secret (`${{ secrets.* }}`) passed in `with:` or `env:` to a third-party action
    /// that is not pinned to a full commit SHA, and a reusable workflow of another owner called
    /// with `secrets: inherit` or named secrets without such a pin. GitHub's own actions
    /// (`actions/*`, `github/*`) and those of the verified publishers Docker, AWS, Azure, Google
    /// Cloud and HashiCorp count as trusted.
    ///
    /// ## Why is this bad?
    /// A tag is a moving pointer: whoever controls the action's repository (or steals access
    /// to it) can move the tag to code that sends your secret away, as happened to
    /// `tj-actions/changed-files` in 2025. Every workflow run then leaks it.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: some-user/deploy-action@v2
    ///   with:
    ///     token: ${{ secrets.DEPLOY_TOKEN }}
    /// ```
    ///
    /// ## Fix
    /// Pin the action to a reviewed commit SHA (`@<40 hex digits> # v2.1.0`), or use a trusted
    /// action or a `run:` step instead.
    pub struct SecretsToUntrustedAction;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SG010",
    name: "secrets-to-untrusted-action",
    family: Family::GithubActions,
    severity: Severity::Warning,
    fix: "Pin third-party actions that get secrets to a commit SHA.",
    docs: SecretsToUntrustedAction::DOCS,
};

const TRUSTED_OWNERS: &[&str] = &[
    "actions",
    "github",
    "docker",
    "aws-actions",
    "azure",
    "google-github-actions",
    "hashicorp",
];

/// Whether `uses` names an action or workflow of another owner, not pinned to a commit.
fn untrusted(uses: &str) -> bool {
    if uses.starts_with("./") || uses.starts_with("docker://") {
        return false;
    }
    let (name, reference) = uses.split_once('@').unwrap_or((uses, ""));
    let owner = name.split('/').next().unwrap_or("");
    let pinned = reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit());
    !pinned
        && !TRUSTED_OWNERS
            .iter()
            .any(|trusted| owner.eq_ignore_ascii_case(trusted))
}

/// The first value under `node` (a mapping of inputs or variables) that reads a secret.
fn secret_in(node: Option<&Node>) -> Option<&Node> {
    node?
        .entries()
        .iter()
        .map(|(_, value)| value)
        .find(|value| {
            matches!(&value.value, Value::Scalar { text, .. }
            if text.contains("${{") && text.contains("secrets."))
        })
}

impl Rule for SecretsToUntrustedAction {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, workflow: &'a Node) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for step in steps(workflow) {
            let Some(uses) = step.get("uses").and_then(Node::as_str) else {
                continue;
            };
            if !untrusted(uses) {
                continue;
            }
            if let Some(secret) = secret_in(step.get("with")).or_else(|| secret_in(step.get("env")))
            {
                found.push((
                    secret,
                    format!(
                        "A secret goes to {uses}, a third-party action not pinned to a commit."
                    ),
                ));
            }
        }
        for (_, job) in jobs(workflow) {
            let Some(uses) = job.get("uses").and_then(Node::as_str) else {
                continue;
            };
            if let Some(secrets) = job.get("secrets")
                && untrusted(uses)
            {
                found.push((
                    secrets,
                    format!(
                        "Secrets go to {uses}, another owner's workflow not pinned to a commit."
                    ),
                ));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::github_actions::{GOOD_WORKFLOW, findings};

    const DEPLOY_STEP: &str = "      - uses: some-user/deploy-action@v2\n        with:\n          token: ${{ secrets.DEPLOY_TOKEN }}\n";

    fn with_step(step: &str) -> String {
        GOOD_WORKFLOW.replace(
            "      - run: npm run build\n",
            &format!("      - run: npm run build\n{step}"),
        )
    }

    #[test]
    fn fires() {
        let reusable = format!(
            "{GOOD_WORKFLOW}  deploy:\n    needs: build\n    uses: some-org/workflows/.github/workflows/deploy.yml@main\n    secrets: inherit\n"
        );
        for text in [
            with_step(DEPLOY_STEP),
            with_step(&DEPLOY_STEP.replace("with:\n          token", "env:\n          TOKEN")),
            reusable,
        ] {
            assert_eq!(
                findings(&SecretsToUntrustedAction, &text).len(),
                1,
                "{text}"
            );
        }
    }

    #[test]
    fn stays_silent() {
        for step in [
            DEPLOY_STEP.replace("@v2", "@08c6903cd8c0fde910a37f88322edcfb5dd907a8"),
            DEPLOY_STEP.replace("${{ secrets.DEPLOY_TOKEN }}", "${{ github.sha }}"),
            "      - uses: docker/login-action@v4\n        with:\n          password: ${{ secrets.GITHUB_TOKEN }}\n".to_owned(),
        ] {
            let text = with_step(&step);
            assert_eq!(findings(&SecretsToUntrustedAction, &text), vec![], "{text}");
        }
    }
}
