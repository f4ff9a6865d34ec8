use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `FROM ... AS NAME` that reuses an earlier stage's name.
    ///
    /// ## Why is this bad?
    /// `COPY --from=NAME` and `--target NAME` then mean the later stage only, silently.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:24 AS build
    /// FROM golang:1.25 AS build
    /// ```
    ///
    /// ## Fix
    /// Give every stage its own name.
    pub struct DuplicateStageName;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD010",
    name: "duplicate-stage-name",
    family: Family::Dockerfile,
    severity: Severity::Error,
    fix: "Rename one of the stages.",
    docs: DuplicateStageName::DOCS,
};

impl Rule for DuplicateStageName {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let froms: Vec<&Instruction> = file
            .instructions
            .iter()
            .filter(|i| i.keyword == "FROM")
            .collect();
        let mut found = Vec::new();
        for (index, name) in file.stage_names.iter().enumerate() {
            if let Some(name) = name
                && file.stage_names[..index]
                    .iter()
                    .flatten()
                    .any(|earlier| earlier == name)
                && let Some(from) = froms.get(index)
            {
                found.push((
                    *from,
                    format!("Another stage is already called \"{name}\"."),
                ));
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
    fn fires_on_a_reused_name() {
        assert_eq!(
            findings(
                &DuplicateStageName,
                "FROM a:1 AS build\nFROM b:1 AS Build\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_for_distinct_names() {
        assert_eq!(
            findings(
                &DuplicateStageName,
                "FROM a:1 AS deps\nFROM deps AS build\nFROM c:1\n"
            ),
            vec![]
        );
    }
}
