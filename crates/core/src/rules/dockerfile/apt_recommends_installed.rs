use super::{Dockerfile, Instruction, Rule, commands};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `apt-get install` without `--no-install-recommends`.
    ///
    /// ## Why is this bad?
    /// Recommended packages are not needed to run, yet they grow the image and bring more
    /// code for a scanner to find vulnerabilities in.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y build-essential
    /// ```
    ///
    /// ## Fix
    /// `apt-get install -y --no-install-recommends build-essential`.
    pub struct AptRecommendsInstalled;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD011",
    name: "apt-recommends-installed",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Add --no-install-recommends to apt-get install.",
    docs: AptRecommendsInstalled::DOCS,
};

impl Rule for AptRecommendsInstalled {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .filter(|i| {
                commands(&i.args).iter().any(|words| {
                    words
                        .windows(2)
                        .any(|w| (w[0] == "apt-get" || w[0] == "apt") && w[1] == "install")
                        && !words.contains(&"--no-install-recommends")
                })
            })
            .map(|i| {
                (
                    i,
                    "apt-get install also installs recommended packages.".to_owned(),
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
    fn fires_without_the_flag() {
        assert_eq!(
            findings(
                &AptRecommendsInstalled,
                "FROM a:1\nRUN apt-get update && apt-get install -y curl\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_with_it() {
        assert_eq!(
            findings(
                &AptRecommendsInstalled,
                "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n"
            ),
            vec![]
        );
    }
}
