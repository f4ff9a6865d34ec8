use super::{Rule, resources};
use crate::rules::hcl::{Item, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a security group rule open to 0.0.0.0/0 on SSH, RDP or a database port.
    ///
    /// ## Why is this bad?
    /// Every scanner on the internet finds it within hours and starts guessing passwords.
    ///
    /// ## Example
    /// ```hcl
    /// ingress {
    ///   from_port   = 22
    ///   to_port     = 22
    ///   cidr_blocks = ["0.0.0.0/0"]
    /// }
    /// ```
    ///
    /// ## Fix
    /// `security_groups = [module.eks.node_security_group_id]`.
    pub struct OpenAdminPort;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST009",
    name: "open-admin-port",
    family: Family::Terraform,
    severity: Severity::Error,
    fix: "Allow SSH and database ports from known addresses or security groups only.",
    docs: OpenAdminPort::DOCS,
};

impl Rule for OpenAdminPort {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        const SENSITIVE: &[u64] = &[22, 3389, 5432, 3306, 6379, 27017];
        let mut found = Vec::new();
        for group in resources(items, "aws_security_group") {
            for rule in group.blocks("ingress") {
                let open = matches!(rule.attribute("cidr_blocks"), Some((_, Value::List(cidrs))) if cidrs.contains(&Value::Str("0.0.0.0/0".into())));
                let port = |key: &str| match rule.attribute(key) {
                    Some((_, Value::Number(n))) => n.parse::<u64>().ok(),
                    _ => None,
                };
                if let (true, Some(from), Some(to)) = (open, port("from_port"), port("to_port"))
                    && let Some(exposed) = SENSITIVE.iter().find(|p| (from..=to).contains(p))
                {
                    found.push((
                        rule,
                        format!("Port {exposed} is open to the whole internet."),
                    ));
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
        assert!(!findings(&OpenAdminPort, "resource \"aws_security_group\" \"db\" {\n  ingress {\n    from_port   = 5432\n    to_port     = 5432\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n").is_empty());
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &OpenAdminPort,
                "resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n"
            ),
            vec![]
        );
    }
}
