use super::{Rule, is_true, resources};
use crate::rules::hcl::Item;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an RDS instance without `storage_encrypted = true`.
    ///
    /// ## Why is this bad?
    /// Disks, snapshots and backups then hold the data in clear; encryption cannot be turned on later without a copy.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "db" {
    ///   engine = "postgres"
    /// }
    /// ```
    ///
    /// ## Fix
    /// `storage_encrypted = true`.
    pub struct DatabaseUnencrypted;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST006",
    name: "database-unencrypted",
    family: Family::Terraform,
    severity: Severity::Error,
    fix: "Set storage_encrypted = true.",
    docs: DatabaseUnencrypted::DOCS,
};

impl Rule for DatabaseUnencrypted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        resources(items, "aws_db_instance")
            .filter(|db| !is_true(db.attribute("storage_encrypted")))
            .map(|db| (db, "This database's storage is not encrypted.".to_owned()))
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
                &DatabaseUnencrypted,
                "resource \"aws_db_instance\" \"db\" {\n  engine = \"postgres\"\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &DatabaseUnencrypted,
                "resource \"aws_db_instance\" \"db\" {\n  storage_encrypted = true\n}\n"
            ),
            vec![]
        );
    }
}
