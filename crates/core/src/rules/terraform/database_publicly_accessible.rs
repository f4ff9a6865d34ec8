use super::{Rule, resources};
use crate::rules::hcl::{Item, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an RDS instance with `publicly_accessible = true`.
    ///
    /// ## Why is this bad?
    /// The database gets a public address: its password is the only thing between it and the internet.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "db" {
    ///   publicly_accessible = true
    /// }
    /// ```
    ///
    /// ## Fix
    /// `publicly_accessible = false`, in private subnets.
    pub struct DatabasePubliclyAccessible;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST005",
    name: "database-publicly-accessible",
    family: Family::Terraform,
    severity: Severity::Error,
    fix: "Set publicly_accessible = false and reach the database from inside the VPC.",
    docs: DatabasePubliclyAccessible::DOCS,
};

impl Rule for DatabasePubliclyAccessible {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        resources(items, "aws_db_instance")
            .filter_map(|db| {
                db.attribute("publicly_accessible")
                    .filter(|(_, v)| **v == Value::Bool(true))
            })
            .map(|(item, _)| {
                (
                    item,
                    "This database is reachable from the internet.".to_owned(),
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
                &DatabasePubliclyAccessible,
                "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &DatabasePubliclyAccessible,
                "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = false\n}\n"
            ),
            vec![]
        );
    }
}
