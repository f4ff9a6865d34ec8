use super::{Dockerfile, Instruction, Rule, commands};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `sudo` in a `RUN`.
    ///
    /// ## Why is this bad?
    /// Builds already run as whatever `USER` says; sudo adds a setuid binary and a TTY-shaped
    /// behaviour that breaks in non-interactive builds.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN sudo apt-get update
    /// ```
    ///
    /// ## Fix
    /// Switch `USER` around the step that needs root instead.
    pub struct SudoUsed;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD015",
    name: "sudo-used",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Use USER instead of sudo.",
    docs: SudoUsed::DOCS,
};

impl Rule for SudoUsed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| {
                i.keyword == "RUN" && commands(&i.args).iter().any(|w| w.first() == Some(&"sudo"))
            })
            .map(|i| (i, "sudo in a build step.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_sudo() {
        assert_eq!(
            findings(
                &SudoUsed,
                "FROM a:1\nRUN apt-get update && sudo apt-get install -y x\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_without_it() {
        assert_eq!(findings(&SudoUsed, "FROM a:1\nRUN echo pseudo\n"), vec![]);
    }
}
