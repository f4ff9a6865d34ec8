use super::{Rule, services};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a service with neither `build` nor `image`.
    ///
    /// ## Why is this bad?
    /// Compose has nothing to run and refuses the file.
    ///
    /// ## Example
    /// ```yaml
    /// worker:
    ///   command: [\"run\"]
    /// ```
    ///
    /// ## Fix
    /// `build: ./worker` or `image: ...`.
    pub struct NoBuildOrImage;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SC005",
    name: "no-build-or-image",
    family: Family::Compose,
    severity: Severity::Error,
    fix: "Give the service an image or a build.",
    docs: NoBuildOrImage::DOCS,
};

impl Rule for NoBuildOrImage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)> {
        services(compose)
            .iter()
            .filter(|(_, service)| {
                service.get("build").is_none()
                    && service.get("image").is_none()
                    && service.get("extends").is_none()
            })
            .map(|(name, _)| {
                (
                    name,
                    format!(
                        "Service {} has neither build nor image.",
                        name.as_str().unwrap_or("")
                    ),
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
        let text: String = format!("{GOOD_COMPOSE}  worker:\n    command: [run]\n");
        assert!(!findings(&NoBuildOrImage, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&NoBuildOrImage, GOOD_COMPOSE), vec![]);
    }
}
