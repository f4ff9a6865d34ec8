use super::{Rule, blocks};
use crate::rules::hcl::{Item, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a module from a registry or Git without a pinned version.
    ///
    /// ## Why is this bad?
    /// The module's next release is applied to your infrastructure the next time anyone runs init.
    ///
    /// ## Example
    /// ```hcl
    /// module "vpc" {
    ///   source = "terraform-aws-modules/vpc/aws"
    /// }
    /// ```
    ///
    /// ## Fix
    /// `version = "6.4.0"`.
    pub struct UnpinnedModule;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST003",
    name: "unpinned-module",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Pin registry modules with version, Git modules with ?ref=.",
    docs: UnpinnedModule::DOCS,
};

impl Rule for UnpinnedModule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        blocks(items, "module")
            .filter(|module| {
                let source = match module.attribute("source") {
                    Some((_, Value::Str(source))) => source.as_str(),
                    _ => return false,
                };
                let local = source.starts_with("./") || source.starts_with("../");
                let git_pinned = source.contains("?ref=");
                !local && !git_pinned && module.attribute("version").is_none()
            })
            .map(|module| {
                (
                    module,
                    format!(
                        "Module {} is not pinned to a version.",
                        module.labels().first().map_or("", String::as_str)
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
                &UnpinnedModule,
                "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &UnpinnedModule,
                "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"6.4.0\"\n}\nmodule \"own\" {\n  source = \"./modules/own\"\n}\n"
            ),
            vec![]
        );
    }
}
