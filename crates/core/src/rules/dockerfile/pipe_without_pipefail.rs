use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a shell-form `RUN` with a pipe, when the shell does not stop on a failure inside
    /// the pipe (`set -o pipefail`, or a `SHELL` that sets it).
    ///
    /// ## Why is this bad?
    /// A pipe's exit status is its last command's: `curl ... | tar x` "succeeds" when curl fails,
    /// and the image is built without what it needed.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://example.com/tool.tgz | tar xz
    /// ```
    ///
    /// ## Fix
    /// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before it, or start the command with
    /// `set -o pipefail &&`.
    pub struct PipeWithoutPipefail;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD018",
    name: "pipe-without-pipefail",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Set -o pipefail (SHELL or set) before piping.",
    docs: PipeWithoutPipefail::DOCS,
};

/// Whether `command` pipes (a lone `|`, not `||`).
fn has_pipe(command: &str) -> bool {
    let bytes = command.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'|' && bytes.get(i + 1) != Some(&b'|') && (i == 0 || bytes[i - 1] != b'|')
    })
}

impl Rule for PipeWithoutPipefail {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let mut found = Vec::new();
        for stage in 0..=file.final_stage() {
            let mut pipefail = false;
            for instruction in file.stage(stage) {
                match instruction.keyword.as_str() {
                    "SHELL" => pipefail = instruction.args.contains("pipefail"),
                    "RUN"
                        if !instruction.args.starts_with('[')
                            && has_pipe(&instruction.args)
                            && !pipefail
                            && !instruction.args.contains("set -o pipefail")
                            && !instruction.args.contains("set -eo pipefail") =>
                    {
                        found.push((
                            instruction,
                            "A failure before the pipe would not fail the build.".to_owned(),
                        ));
                    }
                    _ => {}
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_a_plain_pipe() {
        assert_eq!(
            findings(
                &PipeWithoutPipefail,
                "FROM a:1\nRUN curl -fsSL x | tar xz\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_with_pipefail_or_without_pipes() {
        assert_eq!(
            findings(
                &PipeWithoutPipefail,
                "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | tar xz\n"
            ),
            vec![]
        );
        assert_eq!(
            findings(
                &PipeWithoutPipefail,
                "FROM a:1\nRUN set -o pipefail && curl x | tar xz\n"
            ),
            vec![]
        );
        assert_eq!(
            findings(&PipeWithoutPipefail, "FROM a:1\nRUN test -f x || exit 1\n"),
            vec![]
        );
    }
}
