use super::{Finding, Rule, View, finding};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an Argo CD Application whose chart path or values file is not in the bundle (a folder with a `kustomization.yaml` and no Helm settings is fine too).
    ///
    /// ## Why is this bad?
    /// Argo CD reports the application as unknown and deploys nothing, while the pipeline reports success.
    ///
    /// ## Example
    /// ```yaml
    /// source:
    ///   path: charts/api
    ///   helm: {valueFiles: [values/prod.yaml]}   # the file is values/production.yaml
    /// ```
    ///
    /// ## Fix
    /// Keep the Application files generated with the charts.
    pub struct ArgoPointsNowhere;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX005",
    name: "argo-points-nowhere",
    family: Family::CrossFile,
    severity: Severity::Error,
    fix: "Point the Application at a chart and values file, or a kustomization, of the bundle.",
    docs: ArgoPointsNowhere::DOCS,
};

impl Rule for ArgoPointsNowhere {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        let mut found = Vec::new();
        for (file, application) in view.kind("Application") {
            let Some(source) = application.at(&["spec", "source"]) else {
                continue;
            };
            let Some(path) = source.get("path").and_then(Node::as_str) else {
                continue;
            };
            let has = |name: &str| view.paths.iter().any(|p| *p == format!("{path}/{name}"));
            // A chart, or a kustomization with no Helm settings.
            if source.get("helm").is_none() && has("kustomization.yaml") {
                continue;
            }
            if !has("Chart.yaml") {
                found.push(finding(file, source, format!("No chart at {path}.")));
                continue;
            }
            for values in source
                .at(&["helm", "valueFiles"])
                .map_or(&[][..], Node::items)
            {
                let wanted = format!("{path}/{}", values.as_str().unwrap_or(""));
                if !view.paths.iter().any(|p| *p == wanted) {
                    found.push(finding(file, values, format!("No values file {wanted}.")));
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
            "argocd/staging/backend.yaml",
            "- values/staging.yaml",
            "- values/stage.yaml",
        );
        assert!(!check(&ArgoPointsNowhere, &files).is_empty());
    }

    #[test]
    fn stays_silent() {
        let files = full_stack();
        assert!(check(&ArgoPointsNowhere, &files).is_empty());
    }
}
