//! docker-compose rules, over a Compose file.

mod database_port_on_all_interfaces;
mod depends_on_without_healthcheck;
mod duplicate_host_port;
mod image_without_tag;
mod no_build_or_image;
mod obsolete_version_key;
mod wrong_shape;

use super::yaml::Node;
use super::{Diagnostic, RuleInfo};

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check<'a>(&self, compose: &'a Node) -> Vec<(&'a Node, String)>;
}

pub static RULES: &[&dyn Rule] = &[
    &obsolete_version_key::ObsoleteVersionKey,
    &image_without_tag::ImageWithoutTag,
    &duplicate_host_port::DuplicateHostPort,
    &depends_on_without_healthcheck::DependsOnWithoutHealthcheck,
    &no_build_or_image::NoBuildOrImage,
    &database_port_on_all_interfaces::DatabasePortOnAllInterfaces,
    &wrong_shape::WrongShape,
];

/// What each of [`RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static INFOS: &[&RuleInfo] = &[
    &obsolete_version_key::INFO,
    &image_without_tag::INFO,
    &duplicate_host_port::INFO,
    &depends_on_without_healthcheck::INFO,
    &no_build_or_image::INFO,
    &database_port_on_all_interfaces::INFO,
    &wrong_shape::INFO,
];

/// Whether a document is a Compose file: top-level `services` of mappings, and no `jobs`.
pub fn is_compose(document: &Node) -> bool {
    document
        .get("services")
        .is_some_and(|s| !s.entries().is_empty())
        && document.get("jobs").is_none()
        && document.get("apiVersion").is_none()
}

pub fn services(compose: &Node) -> &[(Node, Node)] {
    compose.get("services").map_or(&[], Node::entries)
}

/// `[host_ip:]host:container[/proto]` to (host ip, host port) for short-syntax ports.
pub fn host_port(port: &Node) -> Option<(Option<String>, String)> {
    let text = port.as_str()?;
    let text = text.split('/').next().unwrap_or(text);
    let parts: Vec<&str> = text.rsplitn(3, ':').collect();
    match parts.as_slice() {
        [_, host] => Some((None, host.to_string())),
        [_, host, ip] => Some((Some(ip.to_string()), host.to_string())),
        _ => None,
    }
}

pub fn lint(path: &str, text: &str, compose: &Node) -> Vec<Diagnostic> {
    RULES
        .iter()
        .flat_map(|rule| Diagnostic::at_nodes(rule.info(), path, text, rule.check(compose)))
        .collect()
}

#[cfg(test)]
pub(crate) fn findings(rule: &dyn Rule, text: &str) -> Vec<(usize, String)> {
    let documents = super::yaml::parse(text).unwrap();
    rule.check(&documents[0])
        .into_iter()
        .map(|(n, m)| (n.line, m))
        .collect()
}

#[cfg(test)]
pub(crate) const GOOD_COMPOSE: &str = "\
name: shop
services:
  api:
    build:
      context: ./api
    ports:
      - \"8080:8080\"
    depends_on:
      postgres:
        condition: service_healthy
  postgres:
    image: postgres:17-alpine
    ports:
      - \"127.0.0.1:5437:5432\"
    healthcheck:
      test: [\"CMD-SHELL\", \"pg_isready\"]
";
