use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a final stage without a `HEALTHCHECK`.
    ///
    /// ## Why is this bad?
    /// Without one, Docker and Compose report a container as healthy as long as its process
    /// exists, even when it no longer answers. (Kubernetes ignores HEALTHCHECK and uses probes.)
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.29
    /// ```
    ///
    /// ## Fix
    /// Add one that uses a tool the image has:
    /// `HEALTHCHECK CMD ["wget", "--quiet", "--spider", "http://127.0.0.1:8080/healthz"]`.
    pub struct MissingHealthcheck;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD004",
    name: "missing-healthcheck",
    family: Family::Dockerfile,
    severity: Severity::Info,
    fix: "Add a HEALTHCHECK to the final stage.",
    docs: MissingHealthcheck::DOCS,
};

impl Rule for MissingHealthcheck {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let stage = file.final_stage();
        let Some(from) = file.stage(stage).find(|i| i.keyword == "FROM") else {
            return Vec::new();
        };
        if file.stage(stage).any(|i| i.keyword == "HEALTHCHECK") {
            return Vec::new();
        }
        vec![(from, "The final image has no HEALTHCHECK.".into())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_without_a_healthcheck() {
        assert_eq!(findings(&MissingHealthcheck, "FROM nginx:1.29\n").len(), 1);
    }

    #[test]
    fn stays_silent_with_one() {
        assert_eq!(
            findings(
                &MissingHealthcheck,
                "FROM nginx:1.29\nHEALTHCHECK CMD [\"true\"]\n"
            ),
            vec![]
        );
    }
}
