use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `FROM` whose image has neither a tag nor a digest.
    ///
    /// ## Why is this bad?
    /// An untagged image means `latest`: the next build may get a different base, with
    /// different packages and vulnerabilities, and nobody changed a line.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node
    /// ```
    ///
    /// ## Fix
    /// Pin a tag (`FROM node:24-trixie-slim`) or a digest (`FROM node@sha256:...`).
    pub struct UntaggedBaseImage;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD001",
    name: "untagged-base-image",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Pin the base image to a tag or a digest.",
    docs: UntaggedBaseImage::DOCS,
};

/// The image of a FROM, unless it names an earlier stage, scratch, or a build argument.
pub(crate) fn base_image<'a>(file: &Dockerfile, instruction: &'a Instruction) -> Option<&'a str> {
    let image = instruction
        .args
        .split_whitespace()
        .find(|w| !w.starts_with("--"))?;
    let earlier = file.stage_names[..instruction.stage]
        .iter()
        .flatten()
        .any(|name| name.eq_ignore_ascii_case(image));
    (!earlier && image != "scratch" && !image.contains('$')).then_some(image)
}

impl Rule for UntaggedBaseImage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "FROM")
            .filter_map(|i| {
                let image = base_image(file, i)?;
                let name = image.rsplit('/').next().unwrap_or(image);
                (!name.contains(':') && !image.contains('@')).then(|| {
                    (
                        i,
                        format!("{image} has no tag: builds get whatever is latest."),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_an_untagged_image() {
        assert_eq!(findings(&UntaggedBaseImage, "FROM node\n").len(), 1);
        assert_eq!(
            findings(
                &UntaggedBaseImage,
                "FROM registry.example.com:5000/team/app\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_for_tags_digests_stages_and_scratch() {
        let text = "FROM node:24 AS build\nFROM build\nFROM scratch\nFROM alpine@sha256:abc\nFROM ${BASE}\n";
        assert_eq!(findings(&UntaggedBaseImage, text), vec![]);
    }
}
