use super::{Rule, host_port, services};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags two services publishing the same host port.
    ///
    /// ## Why is this bad?
    /// The second container cannot start: the port is taken.
    ///
    /// ## Example
    /// ```yaml
    /// api:
    ///   ports: ["8080:8080"]
    /// web:
    ///   ports: ["8080:80"]
    /// ```
    ///
    /// ## Fix
    /// `web: {ports: [\"8081:80\"]}`.
    pub struct DuplicateHostPort;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC003",
    name: "duplicate-host-port",
    family: Family::Compose,
    severity: Severity::Error,
    fix: "Give each service its own host port.",
    docs: DuplicateHostPort::DOCS,
};

impl Rule for DuplicateHostPort {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        let mut seen: Vec<(Option<String>, String)> = Vec::new();
        let mut found = Vec::new();
        for (_, service) in services(compose) {
            for port in service.get("ports").map_or(&[][..], Node::items) {
                let Some(host) = host_port(port) else {
                    continue;
                };
                if seen.contains(&host) {
                    found.push((
                        port,
                        format!(
                            "Host port {} is already published by another service.",
                            host.1
                        ),
                    ));
                } else {
                    seen.push(host);
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
        let text: String = GOOD_COMPOSE.replace("127.0.0.1:5437:5432", "8080:5432");
        assert!(!findings(&DuplicateHostPort, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&DuplicateHostPort, GOOD_COMPOSE), vec![]);
    }
}
