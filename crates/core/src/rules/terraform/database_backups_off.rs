use super::{Rule, resources};
use crate::rules::hcl::{Item, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an RDS instance with `backup_retention_period = 0`.
    ///
    /// ## Why is this bad?
    /// Zero turns automated backups and point-in-time recovery off: a bad migration is unrecoverable.
    ///
    /// ## Example
    /// ```hcl
    /// backup_retention_period = 0
    /// ```
    ///
    /// ## Fix
    /// `backup_retention_period = 7` (30 in production).
    pub struct DatabaseBackupsOff;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST007",
    name: "database-backups-off",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Keep automated backups (backup_retention_period of 7 or more).",
    docs: DatabaseBackupsOff::DOCS,
};

impl Rule for DatabaseBackupsOff {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        resources(items, "aws_db_instance")
            .filter_map(|db| db.attribute("backup_retention_period"))
            .filter(|(_, value)| matches!(value, Value::Number(n) if n == "0"))
            .map(|(item, _)| (item, "Automated backups are off.".to_owned()))
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
                &DatabaseBackupsOff,
                "resource \"aws_db_instance\" \"db\" {\n  backup_retention_period = 0\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &DatabaseBackupsOff,
                "resource \"aws_db_instance\" \"db\" {\n  backup_retention_period = 7\n}\n"
            ),
            vec![]
        );
    }
}
