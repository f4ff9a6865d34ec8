use super::{Dockerfile, Instruction, Rule, commands};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `RUN` that installs with apt-get but does not remove `/var/lib/apt/lists`.
    ///
    /// ## Why is this bad?
    /// The package lists stay in the layer: tens of megabytes that only go stale.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// End the same `RUN` with `&& rm -rf /var/lib/apt/lists/*`.
    pub struct AptListsKept;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD012",
    name: "apt-lists-kept",
    family: Family::Dockerfile,
    severity: Severity::Info,
    fix: "Remove /var/lib/apt/lists/* in the same RUN.",
    docs: AptListsKept::DOCS,
};

impl Rule for AptListsKept {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .filter(|i| {
                commands(&i.args)
                    .iter()
                    .any(|w| w.windows(2).any(|p| p[0] == "apt-get" && p[1] == "install"))
            })
            .filter(|i| !i.args.contains("/var/lib/apt/lists"))
            .map(|i| (i, "The apt package lists stay in this layer.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_when_lists_stay() {
        assert_eq!(
            findings(
                &AptListsKept,
                "FROM a:1\nRUN apt-get update && apt-get install -y x\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_when_cleaned() {
        assert_eq!(
            findings(
                &AptListsKept,
                "FROM a:1\nRUN apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"
            ),
            vec![]
        );
    }
}
