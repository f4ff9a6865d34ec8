use super::{Rule, blocks};
use crate::rules::hcl::Item;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Notes a `variable` without a `type`.
    ///
    /// ## Why is this bad?
    /// Any value is then accepted, and a typo in a tfvars file fails far from where it was made.
    ///
    /// ## Example
    /// ```hcl
    /// variable "region" {}
    /// ```
    ///
    /// ## Fix
    /// `variable "region" { type = string, description = "AWS region." }`.
    pub struct UntypedVariable;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST004",
    name: "untyped-variable",
    family: Family::Terraform,
    severity: Severity::Info,
    fix: "Give every variable a type and a description.",
    docs: UntypedVariable::DOCS,
};

impl Rule for UntypedVariable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        blocks(items, "variable")
            .filter(|v| v.attribute("type").is_none())
            .map(|v| {
                (
                    v,
                    format!(
                        "Variable {} has no type.",
                        v.labels().first().map_or("", String::as_str)
                    ),
                )
            })
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
                &UntypedVariable,
                "variable \"region\" {\n  description = \"AWS region\"\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &UntypedVariable,
                "variable \"region\" {\n  description = \"AWS region\"\n  type        = string\n}\n"
            ),
            vec![]
        );
    }
}
