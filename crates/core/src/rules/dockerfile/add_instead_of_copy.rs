use super::{Dockerfile, Instruction, Rule};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags `ADD` of local files or folders, where `COPY` does the same.
    ///
    /// ## Why is this bad?
    /// `ADD` also unpacks archives and downloads URLs, so what it does depends on what the
    /// source turns out to be. `COPY` only copies.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD . /app
    /// ```
    ///
    /// ## Fix
    /// `COPY . /app`; keep `ADD` for archives you mean to unpack.
    pub struct AddInsteadOfCopy;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SD006",
    name: "add-instead-of-copy",
    family: Family::Dockerfile,
    severity: Severity::Warning,
    fix: "Use COPY for local files.",
    docs: AddInsteadOfCopy::DOCS,
};

impl Rule for AddInsteadOfCopy {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, file: &'a Dockerfile) -> Vec<(&'a Instruction, String)> {
        let archive = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip"];
        file.instructions
            .iter()
            .filter(|i| i.keyword == "ADD")
            .filter(|i| {
                let sources: Vec<&str> = i
                    .args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let sources = &sources[..sources.len().saturating_sub(1)];
                !sources.is_empty()
                    && sources
                        .iter()
                        .all(|s| !s.contains("://") && !archive.iter().any(|a| s.ends_with(a)))
            })
            .map(|i| {
                (
                    i,
                    "ADD of local files: COPY says the same with no surprises.".to_owned(),
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
    fn fires_on_local_files() {
        assert_eq!(
            findings(&AddInsteadOfCopy, "FROM a:1\nADD . /app\n").len(),
            1
        );
    }

    #[test]
    fn stays_silent_for_archives_and_urls() {
        assert_eq!(
            findings(
                &AddInsteadOfCopy,
                "FROM a:1\nADD app.tar.gz /app\nADD https://example.com/x /x\n"
            ),
            vec![]
        );
    }
}
