use super::Rule;
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a top-level `version:` key.
    ///
    /// ## Why is this bad?
    /// The Compose Specification ignores it, and Compose v2 warns on every command; readers think it pins a format it does not.
    ///
    /// ## Example
    /// ```yaml
    /// version: "3.8"
    /// services: ...
    /// ```
    ///
    /// ## Fix
    /// Remove the line.
    pub struct ObsoleteVersionKey;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC001",
    name: "obsolete-version-key",
    family: Family::Compose,
    severity: Severity::Warning,
    fix: "Delete the top-level version key.",
    docs: ObsoleteVersionKey::DOCS,
};

impl Rule for ObsoleteVersionKey {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        compose
            .entries()
            .iter()
            .filter(|(k, _)| k.as_str() == Some("version"))
            .map(|(k, _)| (k, "version is obsolete and ignored.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compose::{GOOD_COMPOSE, findings};

    #[test]
    fn fires() {
        let text: String = format!("version: \"3.8\"\n{GOOD_COMPOSE}");
        assert!(!findings(&ObsoleteVersionKey, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&ObsoleteVersionKey, GOOD_COMPOSE), vec![]);
    }
}
