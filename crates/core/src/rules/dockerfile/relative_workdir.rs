use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `WORKDIR` that is not an absolute path.
    ///
    /// ## Why is this bad?
    /// A relative WORKDIR depends on every WORKDIR before it, including the base image's;
    /// a change upstream moves your files.
    ///
    /// ## Example
    /// ```dockerfile
    /// WORKDIR app
    /// ```
    ///
    /// ## Fix
    /// `WORKDIR /app`.
    pub struct RelativeWorkdir;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD008",
    name: "relative-workdir",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Use an absolute WORKDIR.",
    docs: RelativeWorkdir::DOCS,
};

impl Rule for RelativeWorkdir {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "WORKDIR")
            .filter(|i| {
                let path = i.args.trim_matches('"');
                !path.starts_with('/') && !path.starts_with('$')
            })
            .map(|i| {
                (
                    i,
                    format!("WORKDIR {} is relative to whatever came before.", i.args),
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
    fn fires_on_a_relative_path() {
        assert_eq!(
            findings(&RelativeWorkdir, "FROM a:1\nWORKDIR app\n").len(),
            1
        );
    }

    #[test]
    fn stays_silent_on_absolute_paths_and_variables() {
        assert_eq!(
            findings(&RelativeWorkdir, "FROM a:1\nWORKDIR /app\nWORKDIR $HOME\n"),
            vec![]
        );
    }
}
