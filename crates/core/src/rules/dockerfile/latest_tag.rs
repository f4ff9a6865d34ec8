use super::untagged_base_image::base_image;
use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `FROM` image tagged `latest`.
    ///
    /// ## Why is this bad?
    /// `latest` moves: two builds of the same commit can produce different images, and a
    /// rollback does not bring the old base back.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:latest
    /// ```
    ///
    /// ## Fix
    /// Name the version: `FROM python:3.13-slim-trixie`.
    pub struct LatestTag;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD002",
    name: "latest-tag",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Use a version tag instead of latest.",
    docs: LatestTag::DOCS,
};

impl Rule for LatestTag {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "FROM")
            .filter_map(|i| {
                let image = base_image(file, i)?;
                image
                    .ends_with(":latest")
                    .then(|| (i, format!("{image} moves with every release.")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_latest() {
        assert_eq!(findings(&LatestTag, "FROM python:latest\n").len(), 1);
    }

    #[test]
    fn stays_silent_on_a_version() {
        assert_eq!(findings(&LatestTag, "FROM python:3.13-slim\n"), vec![]);
    }
}
