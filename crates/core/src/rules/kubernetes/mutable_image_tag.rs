use super::{Rule, containers, workloads};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container image with no tag or the `latest` tag.
    ///
    /// ## Why is this bad?
    /// Each node may pull a different image for the same manifest; a rollback does not bring the old code back.
    ///
    /// ## Example
    /// ```yaml
    /// image: ghcr.io/acme/api:latest
    /// ```
    ///
    /// ## Fix
    /// `image: ghcr.io/acme/api@sha256:...` (what CI deploys) or a version tag.
    pub struct MutableImageTag;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK009",
    name: "mutable-image-tag",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Reference the image by a version tag or a digest.",
    docs: MutableImageTag::DOCS,
};

impl Rule for MutableImageTag {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        workloads(documents)
            .flat_map(containers)
            .filter_map(|c| c.get("image"))
            .filter(|image| {
                let reference = image.as_str().unwrap_or("");
                let name = reference.rsplit('/').next().unwrap_or(reference);
                !reference.contains('@') && (!name.contains(':') || name.ends_with(":latest"))
            })
            .map(|image| {
                (
                    image,
                    format!(
                        "{} may change under the same name.",
                        image.as_str().unwrap_or("")
                    ),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::{GOOD_DEPLOYMENT, findings};

    #[test]
    fn fires() {
        let text: String =
            GOOD_DEPLOYMENT.replace("ghcr.io/acme/api:1.2.3", "ghcr.io/acme/api:latest");
        assert!(!findings(&MutableImageTag, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = GOOD_DEPLOYMENT.to_owned();
        assert_eq!(findings(&MutableImageTag, &text), vec![]);
    }
}
