use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a second `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in the same stage.
    ///
    /// ## Why is this bad?
    /// Only the last one takes effect; the earlier ones mislead whoever reads the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// CMD ["node", "worker.js"]
    /// ```
    ///
    /// ## Fix
    /// Keep one, the one that should run.
    pub struct RepeatedFinalInstruction;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD005",
    name: "repeated-final-instruction",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Keep a single CMD, ENTRYPOINT and HEALTHCHECK per stage.",
    docs: RepeatedFinalInstruction::DOCS,
};

impl Rule for RepeatedFinalInstruction {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let mut found = Vec::new();
        for keyword in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
            for stage in 0..=file.final_stage() {
                let all: Vec<&Instruction> =
                    file.stage(stage).filter(|i| i.keyword == keyword).collect();
                for earlier in all.iter().take(all.len().saturating_sub(1)) {
                    found.push((
                        *earlier,
                        format!("This {keyword} is overridden by a later one in the same stage."),
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
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_the_overridden_one() {
        let found = findings(
            &RepeatedFinalInstruction,
            "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
    }

    #[test]
    fn stays_silent_across_stages() {
        assert_eq!(
            findings(
                &RepeatedFinalInstruction,
                "FROM a:1 AS x\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n"
            ),
            vec![]
        );
    }
}
