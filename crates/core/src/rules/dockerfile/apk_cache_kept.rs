use super::{Dockerfile, Instruction, Rule, commands};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `apk add` without `--no-cache`.
    ///
    /// ## Why is this bad?
    /// The package index stays in the layer, growing the image for nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk add curl
    /// ```
    ///
    /// ## Fix
    /// `apk add --no-cache curl`.
    pub struct ApkCacheKept;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD014",
    name: "apk-cache-kept",
    family: Family::Dockerfile,
    severity: Severity::Info,
    fix: "Add --no-cache to apk add.",
    docs: ApkCacheKept::DOCS,
};

impl Rule for ApkCacheKept {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .filter(|i| {
                commands(&i.args).iter().any(|w| {
                    w.windows(2).any(|p| p[0] == "apk" && p[1] == "add")
                        && !w.contains(&"--no-cache")
                })
            })
            .map(|i| (i, "apk keeps its package index in this layer.".to_owned()))
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
            findings(&ApkCacheKept, "FROM alpine:3.22\nRUN apk add curl\n").len(),
            1
        );
    }

    #[test]
    fn stays_silent_with_it() {
        assert_eq!(
            findings(
                &ApkCacheKept,
                "FROM alpine:3.22\nRUN apk add --no-cache curl\n"
            ),
            vec![]
        );
    }
}
