//! Terraform rules (tflint's and checkov's most valuable for this stack), over a `.tf` file.

mod database_backups_off;
mod database_deletion_unprotected;
mod database_publicly_accessible;
mod database_unencrypted;
mod missing_required_version;
mod open_admin_port;
mod public_cluster_endpoint;
mod state_bucket_unversioned;
mod state_unencrypted;
mod unpinned_module;
mod unpinned_provider;
mod untyped_variable;

use super::hcl::{Item, Kind, Value};
use super::{Diagnostic, RuleInfo};

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check<'a>(&self, items: &'a [Item]) -> Vec<(&'a Item, String)>;
}

pub static RULES: &[&dyn Rule] = &[
    &missing_required_version::MissingRequiredVersion,
    &unpinned_provider::UnpinnedProvider,
    &unpinned_module::UnpinnedModule,
    &untyped_variable::UntypedVariable,
    &database_publicly_accessible::DatabasePubliclyAccessible,
    &database_unencrypted::DatabaseUnencrypted,
    &database_backups_off::DatabaseBackupsOff,
    &database_deletion_unprotected::DatabaseDeletionUnprotected,
    &open_admin_port::OpenAdminPort,
    &state_bucket_unversioned::StateBucketUnversioned,
    &state_unencrypted::StateUnencrypted,
    &public_cluster_endpoint::PublicClusterEndpoint,
];

/// What each of [`RULES`] is, in the same order, without its check: the catalogue reads these,
/// so a build that never lints (the page's first module) carries no rule's code.
pub static INFOS: &[&RuleInfo] = &[
    &missing_required_version::INFO,
    &unpinned_provider::INFO,
    &unpinned_module::INFO,
    &untyped_variable::INFO,
    &database_publicly_accessible::INFO,
    &database_unencrypted::INFO,
    &database_backups_off::INFO,
    &database_deletion_unprotected::INFO,
    &open_admin_port::INFO,
    &state_bucket_unversioned::INFO,
    &state_unencrypted::INFO,
    &public_cluster_endpoint::INFO,
];

/// Top-level blocks of type `kind` (`resource`, `module`, ...).
pub fn blocks<'a>(items: &'a [Item], kind: &'a str) -> impl Iterator<Item = &'a Item> {
    items
        .iter()
        .filter(move |i| matches!(&i.kind, Kind::Block { kind: k, .. } if k == kind))
}

/// `resource "TYPE" "name"` blocks of one type.
pub fn resources<'a>(items: &'a [Item], resource_type: &'a str) -> impl Iterator<Item = &'a Item> {
    blocks(items, "resource")
        .filter(move |b| b.labels().first().map(String::as_str) == Some(resource_type))
}

pub fn lint(path: &str, items: &[Item]) -> Vec<Diagnostic> {
    RULES
        .iter()
        .flat_map(|rule| {
            rule.check(items).into_iter().map(|(item, message)| {
                Diagnostic::at(rule.info(), path, item.line, item.column, message)
            })
        })
        .collect()
}

pub(crate) fn is_true(value: Option<(&Item, &Value)>) -> bool {
    matches!(value, Some((_, Value::Bool(true))))
}

#[cfg(test)]
pub(crate) fn findings(rule: &dyn Rule, text: &str) -> Vec<(usize, String)> {
    let items = super::hcl::parse(text).unwrap();
    rule.check(&items)
        .into_iter()
        .map(|(i, m)| (i.line, m))
        .collect()
}
