use super::{Rule, host_port, services};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Notes a database or cache port published on every interface of the developer's machine.
    ///
    /// ## Why is this bad?
    /// Anyone on the same network (a café's Wi-Fi) can reach a database whose password is a local default.
    ///
    /// ## Example
    /// ```yaml
    /// ports: ["5432:5432"]
    /// ```
    ///
    /// ## Fix
    /// `ports: ["127.0.0.1:5432:5432"]`.
    pub struct DatabasePortOnAllInterfaces;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC006",
    name: "database-port-on-all-interfaces",
    family: Family::Compose,
    severity: Severity::Info,
    fix: "Bind database ports to 127.0.0.1.",
    docs: DatabasePortOnAllInterfaces::DOCS,
};

impl Rule for DatabasePortOnAllInterfaces {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        const DATABASES: &[&str] = &[
            "postgres", "pgvector", "mysql", "mariadb", "redis", "valkey", "mongo",
        ];
        let mut found = Vec::new();
        for (_, service) in services(compose) {
            let image = service.get("image").and_then(Node::as_str).unwrap_or("");
            if !DATABASES.iter().any(|d| image.contains(d)) {
                continue;
            }
            for port in service.get("ports").map_or(&[][..], Node::items) {
                if host_port(port)
                    .is_some_and(|(ip, _)| ip.is_none() || ip.as_deref() == Some("0.0.0.0"))
                {
                    found.push((
                        port,
                        "This database port is open to the whole network.".to_owned(),
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
    use crate::rules::compose::{GOOD_COMPOSE, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_COMPOSE.replace("127.0.0.1:5437:5432", "5437:5432");
        assert!(
            !findings(&DatabasePortOnAllInterfaces, &text).is_empty(),
            "{text}"
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&DatabasePortOnAllInterfaces, GOOD_COMPOSE), vec![]);
    }
}
