use super::{Rule, blocks};
use crate::rules::hcl::Item;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a `terraform` block that pins providers but not Terraform itself.
    ///
    /// ## Why is this bad?
    /// Another Terraform version may read or write the state differently; an old one can corrupt what a new one wrote.
    ///
    /// ## Example
    /// ```hcl
    /// terraform {
    ///   required_providers { aws = { source = "hashicorp/aws", version = "~> 6.0" } }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Add `required_version = ">= 1.10.0"`.
    pub struct MissingRequiredVersion;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST001",
    name: "missing-required-version",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Set terraform { required_version = \">= 1.10.0\" }.",
    docs: MissingRequiredVersion::DOCS,
};

impl Rule for MissingRequiredVersion {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        blocks(items, "terraform")
            .filter(|t| {
                t.blocks("required_providers").next().is_some()
                    && t.attribute("required_version").is_none()
            })
            .map(|t| (t, "Terraform's own version is not pinned.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::findings;

    #[test]
    fn fires() {
        assert!(!findings(&MissingRequiredVersion, "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\", version = \"~> 6.0\" }\n  }\n}\n").is_empty());
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &MissingRequiredVersion,
                "terraform {\n  required_version = \">= 1.10.0\"\n  required_providers {\n    aws = { source = \"hashicorp/aws\", version = \"~> 6.0\" }\n  }\n}\n"
            ),
            vec![]
        );
    }
}
