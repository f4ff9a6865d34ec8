use super::{Finding, Rule, View, finding};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a Deployment whose image repository is not the one the CI workflow pushes for that service.
    ///
    /// ## Why is this bad?
    /// The cluster keeps running an image CI never updates, or pulls one nobody built: releases silently do nothing.
    ///
    /// ## Example
    /// ```yaml
    /// # workflow: IMAGE_NAME: ghcr.io/acme/shop-api
    /// # k8s: image: ghcr.io/acme/api:main
    /// ```
    ///
    /// ## Fix
    /// Change the registry or image name in the settings; every file follows.
    pub struct ImageMismatch;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX003",
    name: "image-mismatch",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Deploy the image the pipeline pushes.",
    docs: ImageMismatch::DOCS,
};

impl Rule for ImageMismatch {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        for (workflow_path, documents) in &view.yaml {
            let Some(workflow) = documents
                .iter()
                .find(|d| super::super::github_actions::is_workflow(d))
            else {
                continue;
            };
            let Some(pushed) = workflow.at(&["env", "IMAGE_NAME"]).and_then(Node::as_str) else {
                continue;
            };
            let Some(service) = workflow_path
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".yml"))
            else {
                continue;
            };
            for (file, workload) in view.workloads_of(service) {
                for container in super::super::kubernetes::containers(workload) {
                    let Some(image) = container.get("image") else {
                        continue;
                    };
                    let reference = image.as_str().unwrap_or("");
                    let repository = reference.split('@').next().unwrap_or(reference);
                    let repository = match repository.rsplit_once(':') {
                        Some((repo, tag)) if !tag.contains('/') => repo,
                        _ => repository,
                    };
                    if repository != pushed {
                        found.push(finding(
                            file,
                            image,
                            format!("{service} deploys {repository}, but CI pushes {pushed}."),
                        ));
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
    use crate::rules::cross::{check, edit, full_stack};

    #[test]
    fn fires() {
        let mut files = full_stack();
        edit(
            &mut files,
            "k8s/production/backend.yaml",
            "image: ghcr.io/acme/assistant-backend:main",
            "image: ghcr.io/acme/assistant-api:main",
        );
        assert!(!check(&ImageMismatch, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&ImageMismatch, &files).is_empty());
    }
}
