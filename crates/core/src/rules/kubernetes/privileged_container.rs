use super::{Rule, pod_spec};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags a container, init container or ephemeral container that sets
    /// `securityContext.privileged: true`, in any object that runs pods (Pod, Deployment,
    /// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Argo Rollout).
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every device of the node, and no
    /// seccomp or AppArmor confinement: whoever controls its process controls the node, and
    /// through it every other pod there. The restricted and baseline Pod Security levels refuse
    /// it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// ## Fix
    /// Remove `privileged: true`; add back only the capability the process needs
    /// (`capabilities: add: [NET_BIND_SERVICE]`), or move node-level work to a DaemonSet that
    /// the platform team owns.
    pub struct PrivilegedContainer;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK022",
    name: "privileged-container",
    family: Family::Kubernetes,
    severity: Severity::Error,
    fix: "Remove privileged: true; add only the capabilities needed.",
    docs: PrivilegedContainer::DOCS,
};

impl Rule for PrivilegedContainer {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        documents
            .iter()
            .filter_map(pod_spec)
            .flat_map(|spec| {
                ["containers", "initContainers", "ephemeralContainers"]
                    .into_iter()
                    .filter_map(|list| spec.get(list))
                    .flat_map(Node::items)
            })
            .filter_map(|container| {
                let privileged = container.at(&["securityContext", "privileged"])?;
                (privileged.as_bool() == Some(true)).then(|| {
                    let name = container.get("name").and_then(Node::as_str).unwrap_or("");
                    (
                        privileged,
                        format!("Container {name:?} is privileged: it has the node's devices and every capability."),
                    )
                })
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
        let text: String = GOOD_DEPLOYMENT.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: false\n            privileged: true",
        );
        assert_eq!(findings(&PrivilegedContainer, &text).len(), 1, "{text}");
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  initContainers:\n    - name: setup\n      image: busybox:1.37\n      securityContext:\n        privileged: true\n  containers:\n    - name: app\n      image: busybox:1.37\n";
        assert_eq!(findings(&PrivilegedContainer, pod).len(), 1);
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              image: busybox:1.37\n              securityContext:\n                privileged: true\n";
        assert_eq!(findings(&PrivilegedContainer, cron).len(), 1);
    }

    #[test]
    fn stays_silent() {
        assert_eq!(findings(&PrivilegedContainer, GOOD_DEPLOYMENT), vec![]);
        let text: String = GOOD_DEPLOYMENT.replace(
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: false\n            privileged: false",
        );
        assert_eq!(findings(&PrivilegedContainer, &text), vec![]);
    }
}
