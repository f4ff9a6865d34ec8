use super::delivery::{Unit, units};
use super::{Finding, Rule, View, finding, name};
use crate::rules::kubernetes::{kind, pod_template, selects};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a label selector that matches no pod that the same delivery path runs in the same namespace: a Service's, a PodDisruptionBudget's, a NetworkPolicy's pods, a DestinationRule subset's labels. Selectors in a file with workloads of its own are SK011's.
    ///
    /// ## Why is this bad?
    /// A Service with no endpoints fails every request; a budget or policy that selects nothing protects nothing, silently. Kubernetes accepts all of them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api-v2}   # the Deployment's pods say app: api
    /// ```
    ///
    /// ## Fix
    /// Select the labels of the pod template the path delivers.
    pub struct SelectorNotDelivered;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SX009",
    name: "selector-matches-no-delivered-pods",
    family: Family::CrossFile,
    severity: Severity::Warning,
    fix: "Select the labels of a pod template the same path delivers.",
    docs: SelectorNotDelivered::DOCS,
};

impl Rule for SelectorNotDelivered {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, view: &View) -> Vec<Finding> {
        units(view).iter().flat_map(check_unit).collect()
    }
}

/// The selectors of `object`, each with what it is for.
fn selectors(object: &Node) -> Vec<(&Node, &'static str)> {
    let spec = object.get("spec");
    let at = |path: &[&str]| spec.and_then(|s| s.at(path));
    let mut found = Vec::new();
    match kind(object) {
        "Service" => found.extend(at(&["selector"]).map(|s| (s, "sends traffic to"))),
        "PodDisruptionBudget" => {
            found.extend(at(&["selector", "matchLabels"]).map(|s| (s, "protects")))
        }
        "NetworkPolicy" => {
            found.extend(at(&["podSelector", "matchLabels"]).map(|s| (s, "applies to")))
        }
        "DestinationRule" => {
            for subset in at(&["subsets"]).map_or(&[][..], Node::items) {
                found.extend(subset.get("labels").map(|s| (s, "routes a subset to")));
            }
        }
        _ => {}
    }
    found
}

/// The findings of one delivery path; `cargo xtask verify` calls it on rendered charts.
pub fn check_unit(unit: &Unit) -> Vec<Finding> {
    let mut found = Vec::new();
    // Every pod template's labels, with its namespace, found once.
    let mut pods = Vec::new();
    for (_, object) in &unit.objects {
        if let Some(labels) = pod_template(object).and_then(|t| t.at(&["metadata", "labels"])) {
            pods.push((unit.namespace_of(object), labels));
        }
    }
    for (file, object) in &unit.objects {
        let is_service = kind(object) == "Service";
        // A Service in a file with workloads of its own is SK011's to judge.
        if is_service
            && unit
                .objects
                .iter()
                .any(|(f, o)| f == file && pod_template(o).is_some())
        {
            continue;
        }
        let namespace = unit.namespace_of(object);
        for (selector, what) in selectors(object) {
            // An empty selector selects every pod (or, for a Service, none by design).
            if selector.entries().is_empty()
                || pods
                    .iter()
                    .any(|(ns, labels)| *ns == namespace && selects(selector, labels))
            {
                continue;
            }
            found.push(finding(
                file,
                selector,
                format!(
                    "{} {} {what} no pod that {} runs in namespace {namespace}.",
                    kind(object),
                    name(object),
                    unit.how
                ),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cross::{check, edit, full_stack, messages};

    #[test]
    fn fires() {
        let mut files = full_stack();
        // The budget of the backend, moved to a file of its own, selects a label no pod has.
        let backend = files
            .iter()
            .find(|f| f.path == "k8s/staging/backend.yaml")
            .unwrap();
        let at = backend.contents.find("kind: PodDisruptionBudget").unwrap();
        let start = backend.contents[..at].rfind("---\n").unwrap();
        let end = backend.contents[at..]
            .find("---\n")
            .map_or(backend.contents.len(), |e| at + e);
        let budget = backend.contents[start..end]
            .replace("instance: backend-staging", "instance: backend-stagin");
        let rest = format!("{}{}", &backend.contents[..start], &backend.contents[end..]);
        files
            .iter_mut()
            .find(|f| f.path == "k8s/staging/backend.yaml")
            .unwrap()
            .contents = rest;
        files.push(crate::GeneratedFile::new("k8s/staging/budget.yaml", budget));
        edit(
            &mut files,
            "k8s/staging/kustomization.yaml",
            "  - backend.yaml\n",
            "  - backend.yaml\n  - budget.yaml\n",
        );
        let found = check(&SelectorNotDelivered, &files);
        assert!(
            found
                .iter()
                .any(|f| f.file == "k8s/staging/budget.yaml"
                    && f.message.contains("protects no pod")),
            "{:?}",
            messages(&found)
        );
    }

    #[test]
    fn stays_silent() {
        let found = check(&SelectorNotDelivered, &full_stack());
        assert!(found.is_empty(), "{:?}", messages(&found));
    }
}
