use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `COPY --from=NAME` where no earlier stage is called NAME.
    ///
    /// ## Why is this bad?
    /// Docker then treats NAME as an image and tries to pull it: the build fails, or worse,
    /// copies files from an unrelated public image of that name.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:24 AS build
    /// FROM nginx:1.29
    /// COPY --from=buld /app/dist /usr/share/nginx/html
    /// ```
    ///
    /// ## Fix
    /// Name a stage defined above (`--from=build`).
    pub struct CopyFromUnknownStage;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD009",
    name: "copy-from-unknown-stage",
    family: Family::Dockerfile,
    severity: Severity::Error,
    fix: "Copy from a stage defined earlier, or an image with a tag.",
    docs: CopyFromUnknownStage::DOCS,
};

impl Rule for CopyFromUnknownStage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        file.instructions
            .iter()
            .filter(|i| i.keyword == "COPY")
            .filter_map(|i| {
                let from = i
                    .args
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("--from="))?;
                // A number is a stage index; an image reference has a tag, digest or registry.
                let is_index = from.parse::<usize>().is_ok_and(|n| n < i.stage);
                let is_image = from.contains([':', '@', '/']);
                let is_stage = file.stage_names[..i.stage.min(file.stage_names.len())]
                    .iter()
                    .flatten()
                    .any(|s| s.eq_ignore_ascii_case(from));
                (!is_index && !is_image && !is_stage)
                    .then(|| (i, format!("No earlier stage is called \"{from}\".")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dockerfile::findings;

    #[test]
    fn fires_on_a_misspelled_stage() {
        assert_eq!(
            findings(
                &CopyFromUnknownStage,
                "FROM a:1 AS build\nFROM b:1\nCOPY --from=buld /x /x\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn stays_silent_for_stages_indexes_and_images() {
        let text = "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\nCOPY --from=0 /y /y\nCOPY --from=ghcr.io/astral-sh/uv:0.9 /uv /uv\n";
        assert_eq!(findings(&CopyFromUnknownStage, text), vec![]);
    }
}
