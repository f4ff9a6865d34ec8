use super::{Rule, services};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a service image without a tag, or tagged `latest`.
    ///
    /// ## Why is this bad?
    /// Each developer's machine then runs whatever version it last pulled; bugs appear on one laptop only.
    ///
    /// ## Example
    /// ```yaml
    /// image: postgres
    /// ```
    ///
    /// ## Fix
    /// `image: postgres:17-alpine`.
    pub struct ImageWithoutTag;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC002",
    name: "image-without-tag",
    family: Family::Compose,
    severity: Severity::Warning,
    fix: "Name the image's version tag.",
    docs: ImageWithoutTag::DOCS,
};

impl Rule for ImageWithoutTag {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        services(compose)
            .iter()
            .filter_map(|(_, service)| service.get("image"))
            .filter(|image| {
                let text = image.as_str().unwrap_or("");
                let name = text.rsplit('/').next().unwrap_or(text);
                !text.contains('$')
                    && !text.contains('@')
                    && (!name.contains(':') || name.ends_with(":latest"))
            })
            .map(|image| {
                (
                    image,
                    format!("{} has no fixed version.", image.as_str().unwrap_or("")),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compose::{GOOD_COMPOSE, findings};

    #[test]
    fn fires() {
        let text: String = GOOD_COMPOSE.replace("postgres:17-alpine", "postgres");
        assert!(!findings(&ImageWithoutTag, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&ImageWithoutTag, GOOD_COMPOSE), vec![]);
    }
}
