use super::{Rule, blocks, is_true};
use crate::rules::hcl::Item;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an S3 backend without `encrypt = true`.
    ///
    /// ## Why is this bad?
    /// State files hold every resource's attributes, often passwords and keys, in clear text.
    ///
    /// ## Example
    /// ```hcl
    /// backend "s3" {
    ///   bucket = "state"
    /// }
    /// ```
    ///
    /// ## Fix
    /// `encrypt = true`.
    pub struct StateUnencrypted;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST011",
    name: "state-unencrypted",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Set encrypt = true in the s3 backend.",
    docs: StateUnencrypted::DOCS,
};

impl Rule for StateUnencrypted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        blocks(items, "terraform")
            .flat_map(|t| t.blocks("backend"))
            .filter(|b| {
                b.labels().first().map(String::as_str) == Some("s3")
                    && !is_true(b.attribute("encrypt"))
            })
            .map(|b| (b, "The remote state is stored unencrypted.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::findings;

    #[test]
    fn fires() {
        assert!(
            !findings(
                &StateUnencrypted,
                "terraform {\n  backend \"s3\" {\n    bucket = \"state\"\n  }\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &StateUnencrypted,
                "terraform {\n  backend \"s3\" {\n    bucket  = \"state\"\n    encrypt = true\n  }\n}\n"
            ),
            vec![]
        );
    }
}
