use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `CMD` and `ENTRYPOINT` written in shell form instead of exec form (a JSON array).
    ///
    /// ## Why is this bad?
    /// In shell form the process runs under `/bin/sh -c`, which does not pass on SIGTERM: the
    /// app is killed after the grace period instead of shutting down cleanly.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    ///
    /// ## Fix
    /// `CMD ["node", "server.js"]`.
    pub struct ShellFormCommand;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD007",
    name: "shell-form-command",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Write CMD and ENTRYPOINT as a JSON array.",
    docs: ShellFormCommand::DOCS,
};

impl Rule for ShellFormCommand {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
            .filter(|i| !(i.args.starts_with('[') && i.args.ends_with(']')))
            .map(|i| {
                (
                    i,
                    format!(
                        "{} in shell form does not pass signals to the process.",
                        i.keyword
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_shell_form() {
        assert_eq!(
            findings(&ShellFormCommand, "FROM a:1\nCMD node server.js\n").len(),
            1
        );
    }

    #[test]
    fn stays_silent_on_exec_form() {
        assert_eq!(
            findings(
                &ShellFormCommand,
                "FROM a:1\nCMD [\"node\", \"server.js\"]\n"
            ),
            vec![]
        );
    }
}
