use super::{Rule, services};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `depends_on` with `condition: service_healthy` on a service that has no healthcheck.
    ///
    /// ## Why is this bad?
    /// Compose waits for a health status that never comes: `docker compose up` fails.
    ///
    /// ## Example
    /// ```yaml
    /// depends_on:
    ///   redis:
    ///     condition: service_healthy   # redis has no healthcheck
    /// ```
    ///
    /// ## Fix
    /// Add `healthcheck` to the dependency.
    pub struct DependsOnWithoutHealthcheck;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC004",
    name: "depends-on-without-healthcheck",
    family: Family::Compose,
    severity: Severity::Error,
    fix: "Give the service a healthcheck, or wait for service_started.",
    docs: DependsOnWithoutHealthcheck::DOCS,
};

impl Rule for DependsOnWithoutHealthcheck {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        let all = services(compose);
        let mut found = Vec::new();
        for (_, service) in all {
            for (dependency, condition) in service.get("depends_on").map_or(&[][..], Node::entries)
            {
                let healthy =
                    condition.get("condition").and_then(Node::as_str) == Some("service_healthy");
                let target = all
                    .iter()
                    .find(|(name, _)| name.as_str() == dependency.as_str());
                if healthy && target.is_some_and(|(_, t)| t.get("healthcheck").is_none()) {
                    found.push((
                        dependency,
                        format!(
                            "{} has no healthcheck to become healthy.",
                            dependency.as_str().unwrap_or("")
                        ),
                    ));
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compose::{GOOD_COMPOSE, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_COMPOSE.replace(
            "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n",
            "",
        );
        assert!(
            !findings(&DependsOnWithoutHealthcheck, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&DependsOnWithoutHealthcheck, GOOD_COMPOSE), vec![]);
    }
}
