use super::{Rule, blocks, is_true, resources};
use crate::rules::hcl::Item;
use crate::rules::{Family, RuleInfo, Severity, rule};

rule! {
    /// ## What it does
    /// Flags an EKS API endpoint that is public to every address.
    ///
    /// ## Why is this bad?
    /// The Kubernetes API is then one stolen token away from anyone on the internet.
    ///
    /// ## Example
    /// ```hcl
    /// module "eks" {
    ///   endpoint_public_access = true
    /// }
    /// ```
    ///
    /// ## Fix
    /// `endpoint_public_access_cidrs = [\"203.0.113.0/24\"]`, or no public endpoint.
    pub struct PublicClusterEndpoint;
}

pub(super) static INFO: RuleInfo = RuleInfo {
    code: "ST012",
    name: "public-cluster-endpoint",
    family: Family::Terraform,
    severity: Severity::Warning,
    fix: "Keep the API endpoint private, or list the addresses allowed to reach it.",
    docs: PublicClusterEndpoint::DOCS,
};

impl Rule for PublicClusterEndpoint {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)> {
        let modules = blocks(items, "module")
            .map(|m| (m, "endpoint_public_access", "endpoint_public_access_cidrs"));
        let clusters = resources(items, "aws_eks_cluster")
            .flat_map(|c| c.blocks("vpc_config"))
            .map(|v| (v, "endpoint_public_access", "public_access_cidrs"));
        modules
            .chain(clusters)
            .filter(|(block, public, cidrs)| {
                is_true(block.attribute(public)) && block.attribute(cidrs).is_none()
            })
            .map(|(block, _, _)| {
                (
                    block,
                    "The Kubernetes API is open to every address.".to_owned(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::terraform::findings;

    #[test]
    fn fires() {
        assert!(
            !findings(
                &PublicClusterEndpoint,
                "module \"eks\" {\n  endpoint_public_access = true\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stays_silent() {
        assert_eq!(
            findings(
                &PublicClusterEndpoint,
                "module \"eks\" {\n  endpoint_public_access       = true\n  endpoint_public_access_cidrs = [\"203.0.113.0/24\"]\n}\n"
            ),
            vec![]
        );
    }
}
