use super::{Rule, resources};
use crate::rules::hcl::{Item, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags S3 bucket versioning set to anything but Enabled.
    ///
    /// ## Why is this bad?
    /// A bad write or a deleted state file cannot be rolled back: Terraform forgets what it manages.
    ///
    /// ## Example
    /// ```hcl
    /// versioning_configuration {
    ///   status = "Suspended"
    /// }
    /// ```
    ///
    /// ## Fix
    /// `status = "Enabled"`.
    pub struct StateBucketUnversioned;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST010",
    name: "state-bucket-unversioned",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Enable versioning on the state bucket.",
    docs: StateBucketUnversioned::DOCS,
};

impl Rule for StateBucketUnversioned {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        resources(items, "aws_s3_bucket_versioning")
            .flat_map(|v| v.blocks("versioning_configuration"))
            .filter_map(|c| c.attribute("status"))
            .filter(|(_, status)| !matches!(status, Value::Str(s) if s == "Enabled"))
            .map(|(item, _)| (item, "Versioning is not enabled on this bucket.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::findings;

    #[test]
    fn fires() {
        assert!(!findings(&StateBucketUnversioned, "resource \"aws_s3_bucket_versioning\" \"state\" {\n  versioning_configuration {\n    status = \"Suspended\"\n  }\n}\n").is_empty());
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &StateBucketUnversioned,
                "resource \"aws_s3_bucket_versioning\" \"state\" {\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n"
            ),
            vec![]
        );
    }
}
