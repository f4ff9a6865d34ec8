use super::{Rule, services};
use crate::rules::yaml::{Node, Value};
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a service key whose value has a shape the Compose Specification does not allow: `ports`, `expose`, `volumes`, `secrets` and `configs` that are not lists; `environment`, `labels`, `depends_on`, `networks` and `extra_hosts` that are neither a list nor a mapping; `command`, `entrypoint` and `env_file` that are neither text nor a list; `healthcheck`, `build` given as a list.
    ///
    /// ## Why is this bad?
    /// `docker compose` refuses the whole file ("services.api.ports must be a array"), so nothing starts, and the message points at a key, not at the line.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     ports:
    ///       http: "8080:8080"
    /// ```
    ///
    /// ## Fix
    /// Write the value in the shape the key takes: `ports: ["8080:8080"]`.
    pub struct WrongShape;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC007",
    name: "wrong-shape",
    family: Family::Compose,
    severity: Severity::Error,
    fix: "Give the key a value of the shape the Compose Specification allows.",
    docs: WrongShape::DOCS,
};

/// Which shapes a key allows: a list, a mapping, text (any scalar).
const LIST: u8 = 1;
const MAP: u8 = 2;
const TEXT: u8 = 4;

const KEYS: [(&str, u8); 15] = [
    ("ports", LIST),
    ("expose", LIST),
    ("volumes", LIST),
    ("secrets", LIST),
    ("configs", LIST),
    ("environment", LIST | MAP),
    ("labels", LIST | MAP),
    ("depends_on", LIST | MAP),
    ("networks", LIST | MAP),
    ("extra_hosts", LIST | MAP),
    ("command", LIST | TEXT),
    ("entrypoint", LIST | TEXT),
    ("env_file", LIST | TEXT),
    ("healthcheck", MAP),
    ("build", MAP | TEXT),
];

/// The shape of a value; an empty value (null) passes as any shape, as Compose drops it.
fn shape(node: &Node) -> u8 {
    match &node.value {
        Value::Sequence(_) => LIST,
        Value::Mapping(_) => MAP,
        Value::Scalar {
            text,
            quoted: false,
        } if matches!(text.as_str(), "" | "~" | "null") => LIST | MAP | TEXT,
        Value::Scalar { .. } => TEXT,
    }
}

impl Rule for WrongShape {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        let mut found = Vec::new();
        for (_, service) in services(compose) {
            for (key, value) in service.entries() {
                let Some(key) = key.as_str() else { continue };
                for (name, allowed) in KEYS {
                    if name == key && allowed & shape(value) == 0 {
                        let wanted = match allowed {
                            LIST => "a list",
                            MAP => "a mapping",
                            x if x == LIST | MAP => "a list or a mapping",
                            x if x == LIST | TEXT => "text or a list",
                            _ => "text or a mapping",
                        };
                        found.push((value, format!("{key} must be {wanted} here.")));
                    }
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
        let text = GOOD_COMPOSE.replace(
            "ports:\n      - \"8080:8080\"",
            "ports:\n      http: \"8080:8080\"",
        );
        assert_eq!(
            findings(&WrongShape, &text),
            vec![(7, "ports must be a list here.".to_owned())],
            "{text}"
        );
        let text = GOOD_COMPOSE.replace("ports:\n      - \"8080:8080\"", "command: {run: server}");
        assert_eq!(findings(&WrongShape, &text).len(), 1, "{text}");
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&WrongShape, GOOD_COMPOSE), vec![]);
    }
}
