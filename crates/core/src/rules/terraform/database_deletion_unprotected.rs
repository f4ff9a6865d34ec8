use super::{Rule, resources};
use crate::rules::hcl::{Item, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Notes an RDS instance without deletion protection.
    ///
    /// ## Why is this bad?
    /// One `terraform destroy`, or a renamed resource, deletes the database.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "db" {
    ///   engine = "postgres"
    /// }
    /// ```
    ///
    /// ## Fix
    /// `deletion_protection = var.environment == \"production\"`.
    pub struct DatabaseDeletionUnprotected;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST008",
    name: "database-deletion-unprotected",
    family: Family::Terraform,
    severity: Severity::Info,
    fix: "Set deletion_protection (at least in production).",
    docs: DatabaseDeletionUnprotected::DOCS,
};

impl Rule for DatabaseDeletionUnprotected {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        resources(items, "aws_db_instance")
            .filter(|db| {
                matches!(
                    db.attribute("deletion_protection"),
                    None | Some((_, Value::Bool(false)))
                )
            })
            .map(|db| {
                (
                    db,
                    "Nothing stops this database from being deleted.".to_owned(),
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
                &DatabaseDeletionUnprotected,
                "resource \"aws_db_instance\" \"db\" {\n  engine = \"postgres\"\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &DatabaseDeletionUnprotected,
                "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = var.production\n}\n"
            ),
            vec![]
        );
    }
}
