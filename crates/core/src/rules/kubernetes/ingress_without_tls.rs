use super::{Rule, kind};
use crate::rules::yaml::Node;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an Ingress without a `tls` section.
    ///
    /// ## Why is this bad?
    /// Traffic, cookies and tokens then cross the internet in clear text.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules: [...]
    /// ```
    ///
    /// ## Fix
    /// `tls: [{hosts: [api.example.com], secretName: api-tls}]`, and cert-manager to issue it.
    pub struct IngressWithoutTls;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "SK012",
    name: "ingress-without-tls",
    family: Family::Kubernetes,
    severity: Severity::Warning,
    fix: "Add a tls section for the Ingress's hosts.",
    docs: IngressWithoutTls::DOCS,
};

impl Rule for IngressWithoutTls {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, documents: &'a [Node]) -> Vec<(&'a Node, String)> {
        documents
            .iter()
            .filter(|d| {
                kind(d) == "Ingress"
                    && d.at(&["spec", "tls"])
                        .is_none_or(|tls| tls.items().is_empty())
            })
            .map(|ingress| (ingress, "This Ingress serves plain HTTP.".to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::kubernetes::findings;

    #[test]
    fn fires() {
        let text: String = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  rules: []\n".to_owned();
        assert!(!findings(&IngressWithoutTls, &text).is_empty(), "{text}");
    }

    #[test]
    fn stays_silent() {
        let text: String = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  tls:\n    - hosts: [a.example.com]\n      secretName: a-tls\n".to_owned();
        assert_eq!(findings(&IngressWithoutTls, &text), vec![]);
    }
}
