//! Cross-file rules, Shipshape's own: the files of a bundle must agree with each other on
//! ports, health paths, images, secret keys, chart paths and capacity. No single-file linter
//! can see these.

mod argo_points_nowhere;
pub mod delivery;
mod egress_blocks_dns;
mod health_path_mismatch;
mod image_mismatch;
mod pdb_blocks_autoscaler_minimum;
mod policy_blocks_needed_traffic;
mod port_mismatch;
mod quota_too_small;
mod reference_not_delivered;
mod secret_key_not_provided;
mod selector_not_delivered;

use super::dockerfile::Dockerfile;
pub use super::kubernetes::name;
use super::yaml::Node;
use super::{Diagnostic, Form, Parsed, RuleInfo};

/// A bundle's files, parsed once for every cross-file rule.
pub struct View<'a> {
    pub paths: Vec<&'a str>,
    /// YAML files that parsed, with their documents.
    pub yaml: Vec<(&'a str, &'a [Node])>,
    /// Dockerfiles, by path.
    pub dockerfiles: Vec<(&'a str, &'a Dockerfile)>,
    /// Markdown files' text: the docs, which may name prerequisites.
    pub docs: Vec<&'a str>,
    /// The delivery paths, found once for the rules that read them ([`delivery::units`]).
    units: std::cell::OnceCell<Vec<delivery::Unit<'a>>>,
}

/// A finding at a place in some file.
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, view: &View) -> Vec<Finding>;
}

pub static RULES: &[&dyn Rule] = &[
    &port_mismatch::PortMismatch,
    &health_path_mismatch::HealthPathMismatch,
    &image_mismatch::ImageMismatch,
    &secret_key_not_provided::SecretKeyNotProvided,
    &argo_points_nowhere::ArgoPointsNowhere,
    &quota_too_small::QuotaTooSmall,
    &pdb_blocks_autoscaler_minimum::PdbBlocksAutoscalerMinimum,
    &reference_not_delivered::ReferenceNotDelivered,
    &selector_not_delivered::SelectorNotDelivered,
    &egress_blocks_dns::EgressBlocksDns,
    &policy_blocks_needed_traffic::PolicyBlocksNeededTraffic,
];

/// What each of [`RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static INFOS: &[&RuleInfo] = &[
    &port_mismatch::INFO,
    &health_path_mismatch::INFO,
    &image_mismatch::INFO,
    &secret_key_not_provided::INFO,
    &argo_points_nowhere::INFO,
    &quota_too_small::INFO,
    &pdb_blocks_autoscaler_minimum::INFO,
    &reference_not_delivered::INFO,
    &selector_not_delivered::INFO,
    &egress_blocks_dns::INFO,
    &policy_blocks_needed_traffic::INFO,
];

/// The reference rules over one delivery path read elsewhere (`cargo xtask verify` renders
/// the charts that the Helm and Argo CD paths install and checks them with this), each
/// finding with its rule. `by_hand` are the Secrets the docs show how to create
/// ([`delivery::made_by_hand`]).
pub fn check_delivery(
    unit: &delivery::Unit,
    by_hand: &[String],
) -> Vec<(&'static RuleInfo, Finding)> {
    let tag = |rule: &'static dyn Rule, found: Vec<Finding>| {
        found.into_iter().map(move |f| (rule.info(), f))
    };
    tag(
        &reference_not_delivered::ReferenceNotDelivered,
        reference_not_delivered::check_unit(unit, by_hand),
    )
    .chain(tag(
        &selector_not_delivered::SelectorNotDelivered,
        selector_not_delivered::check_unit(unit),
    ))
    .chain(tag(
        &egress_blocks_dns::EgressBlocksDns,
        egress_blocks_dns::check_unit(unit),
    ))
    .chain(tag(
        &policy_blocks_needed_traffic::PolicyBlocksNeededTraffic,
        policy_blocks_needed_traffic::check_unit(unit),
    ))
    .collect()
}

impl<'a> View<'a> {
    /// The view over files each parsed once for every rule.
    pub(crate) fn new(files: &'a [Parsed<'a>]) -> View<'a> {
        let mut view = View {
            paths: Vec::new(),
            yaml: Vec::new(),
            dockerfiles: Vec::new(),
            docs: Vec::new(),
            units: std::cell::OnceCell::new(),
        };
        for file in files {
            view.paths.push(file.path);
            if file.path.ends_with(".md") {
                view.docs.push(file.text);
            }
            match &file.form {
                Form::Dockerfile(dockerfile) => view.dockerfiles.push((file.path, dockerfile)),
                Form::Yaml(Ok(documents)) => view.yaml.push((file.path, documents)),
                _ => {}
            }
        }
        view
    }

    /// Every Kubernetes object of the bundle, with its file.
    pub fn objects(&self) -> impl Iterator<Item = (&'a str, &Node)> + '_ {
        self.yaml.iter().flat_map(|(path, docs)| {
            docs.iter()
                .filter(|d| super::kubernetes::is_object(d))
                .map(move |d| (*path, d))
        })
    }

    /// Objects of one kind.
    pub fn kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = (&'a str, &'s Node)> + 's {
        self.objects()
            .filter(move |(_, d)| super::kubernetes::kind(d) == kind)
    }

    /// The compose file's services, with the file's path.
    pub fn compose_services(&self) -> Vec<(&'a str, &Node, &Node)> {
        self.yaml
            .iter()
            .flat_map(|(path, docs)| {
                docs.iter()
                    .filter(|d| super::compose::is_compose(d))
                    .map(move |d| (*path, d))
            })
            .flat_map(|(path, compose)| {
                super::compose::services(compose)
                    .iter()
                    .map(move |(name, service)| (path, name, service))
            })
            .collect()
    }

    /// The Dockerfile built for a compose service, by its build context.
    pub fn dockerfile_for(&self, service: &Node) -> Option<&(&'a str, &'a Dockerfile)> {
        let context = service.at(&["build", "context"]).and_then(Node::as_str)?;
        let folder = context.trim_start_matches("./").trim_end_matches('/');
        let path = if folder.is_empty() || folder == "." {
            "Dockerfile".to_owned()
        } else {
            format!("{folder}/Dockerfile")
        };
        self.dockerfiles.iter().find(|(p, _)| *p == path)
    }
}

/// A compose service built from a Dockerfile of the bundle.
pub struct Built<'v, 'a> {
    pub compose_path: &'a str,
    pub name: &'v str,
    pub service: &'v Node,
    pub docker_path: &'a str,
    pub dockerfile: &'v Dockerfile,
}

impl<'a> View<'a> {
    /// Compose services whose build context holds a Dockerfile of the bundle.
    pub fn built_services(&self) -> Vec<Built<'_, 'a>> {
        self.compose_services()
            .into_iter()
            .filter_map(|(compose_path, name, service)| {
                let (docker_path, dockerfile) = self.dockerfile_for(service)?;
                Some(Built {
                    compose_path,
                    name: name.as_str()?,
                    service,
                    docker_path,
                    dockerfile,
                })
            })
            .collect()
    }

    /// The pod-running objects of `service`: named after it, or after one of its colours or
    /// its canary.
    pub fn workloads_of<'s>(
        &'s self,
        service: &'s str,
    ) -> impl Iterator<Item = (&'a str, &'s Node)> + 's {
        self.objects()
            .filter(|(_, d)| {
                matches!(
                    super::kubernetes::kind(d),
                    "Deployment" | "Rollout" | "StatefulSet"
                )
            })
            .filter(move |(_, d)| {
                let workload = name(d);
                workload == service
                    || workload
                        .strip_prefix(service)
                        .is_some_and(|rest| matches!(rest, "-blue" | "-green" | "-canary"))
            })
    }
}

pub fn finding(file: &str, node: &Node, message: String) -> Finding {
    Finding {
        file: file.into(),
        line: node.line,
        column: node.column,
        message,
    }
}

pub(crate) fn lint(files: &[Parsed]) -> Vec<Diagnostic> {
    let view = View::new(files);
    RULES
        .iter()
        .flat_map(|rule| {
            rule.check(&view)
                .into_iter()
                .map(|f| Diagnostic::at(rule.info(), &f.file, f.line, f.column, f.message))
        })
        .collect()
}

/// The full-stack preset's bundle, for tests to break one thing in.
#[cfg(test)]
pub(crate) fn full_stack() -> Vec<crate::GeneratedFile> {
    crate::generate(
        &crate::model::preset("fullstack-fastapi-react")
            .unwrap()
            .project(),
    )
    .files()
    .to_vec()
}

/// One rule's findings over files, parsed as `lint_files` parses them.
#[cfg(test)]
pub(crate) fn check(rule: &dyn Rule, files: &[crate::GeneratedFile]) -> Vec<Finding> {
    let parsed: Vec<Parsed> = files
        .iter()
        .map(|file| Parsed::new(&file.path, &file.contents))
        .collect();
    rule.check(&View::new(&parsed))
}

/// The messages of findings, for a test's failure message.
#[cfg(test)]
pub(crate) fn messages(found: &[Finding]) -> Vec<&str> {
    found.iter().map(|f| f.message.as_str()).collect()
}

#[cfg(test)]
pub(crate) fn edit(files: &mut [crate::GeneratedFile], path: &str, from: &str, to: &str) {
    let file = files
        .iter_mut()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path}"));
    assert!(file.contents.contains(from), "{path} lacks {from:?}");
    file.contents = file.contents.replacen(from, to, 1);
}
