use super::{Rule, blocks};
use crate::rules::hcl::{Item, Kind, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a required provider without a `version`.
    ///
    /// ## Why is this bad?
    /// `terraform init` then takes the newest release, including its breaking changes, on a day nobody chose.
    ///
    /// ## Example
    /// ```hcl
    /// required_providers {
    ///   aws = { source = "hashicorp/aws" }
    /// }
    /// ```
    ///
    /// ## Fix
    /// `aws = { source = "hashicorp/aws", version = "~> 6.0" }`.
    pub struct UnpinnedProvider;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST002",
    name: "unpinned-provider",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Give every required provider a version constraint.",
    docs: UnpinnedProvider::DOCS,
};

impl Rule for UnpinnedProvider {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        let mut found = Vec::new();
        for terraform in blocks(items, "terraform") {
            for providers in terraform.blocks("required_providers") {
                for item in providers.body() {
                    if let Kind::Attribute {
                        key,
                        value: Value::Object(fields),
                    } = &item.kind
                        && !fields.iter().any(|(k, _)| k == "version")
                    {
                        found.push((item, format!("Provider {key} has no version constraint.")));
                    }
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::findings;

    #[test]
    fn fires() {
        assert!(!findings(&UnpinnedProvider, "terraform {\n  required_version = \">= 1.10.0\"\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n").is_empty());
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &UnpinnedProvider,
                "terraform {\n  required_version = \">= 1.10.0\"\n  required_providers {\n    aws = { source = \"hashicorp/aws\", version = \"~> 6.0\" }\n  }\n}\n"
            ),
            vec![]
        );
    }
}
