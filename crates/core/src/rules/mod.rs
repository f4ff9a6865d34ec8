//! The rule engine: checks generated or pasted files and reports findings with a code, a
//! severity, a position and a fix, like hadolint, kube-score and actionlint do.
//!
//! One rule per file, grouped by the kind of file it reads. Each rule's docs are its doc
//! comment (What it does / Why is this bad? / Example / Fix), captured by [`rule!`] so the
//! catalogue (`docs/RULES.md`, checked to be current by a test) is generated from the code.

pub mod compose;
pub mod cross;
pub mod dockerfile;
pub mod fields;
pub mod github_actions;
pub mod hcl;
pub mod kubernetes;
pub mod terraform;
pub mod yaml;

pub use fields::lint_project;

use std::borrow::Cow;
use std::fmt;

use crate::bundle::Tree;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn from_id(id: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|s| s.id() == id)
    }

    pub fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What kind of file a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Dockerfile,
    Kubernetes,
    GithubActions,
    Compose,
    Terraform,
    /// Several files that must agree with each other.
    CrossFile,
    /// Any YAML file: only whether it can be read.
    Yaml,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Dockerfile => "Dockerfile",
            Family::Kubernetes => "Kubernetes",
            Family::GithubActions => "GitHub Actions",
            Family::Compose => "docker-compose",
            Family::Terraform => "Terraform",
            Family::CrossFile => "Across files",
            Family::Yaml => "YAML",
        }
    }
}

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable code, e.g. `SD001`; never reused for another rule.
    pub code: &'static str,
    /// Kebab-case name of the flagged pattern.
    pub name: &'static str,
    pub family: Family,
    pub severity: Severity,
    /// One line: what to change.
    pub fix: &'static str,
    /// The rule's doc comment: What it does / Why is this bad? / Example / Fix.
    pub docs: &'static str,
}

/// One finding, at a 1-based line and column span of a file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub fix: &'static str,
    /// For a generated file, the setting the finding comes from (see [`lint_project`]), as
    /// its settings-file path (`services[0].replicas`) in JSON.
    #[serde(serialize_with = "field_path", skip_serializing_if = "Option::is_none")]
    pub field: Option<crate::model::Field>,
}

fn field_path<S: serde::Serializer>(
    field: &Option<crate::model::Field>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match field {
        Some(field) => serializer.serialize_str(&field.path()),
        None => serializer.serialize_none(),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} {} [{}] {}",
            self.file,
            self.line,
            self.column,
            self.severity.id(),
            self.code,
            self.name,
            self.message
        )
    }
}

impl Diagnostic {
    /// A finding of `info` at `line`:`column` of `path` (ending there; see `at_nodes` for
    /// findings that span to the end of their line).
    pub(crate) fn at(
        info: &'static RuleInfo,
        path: &str,
        line: usize,
        column: usize,
        message: String,
    ) -> Diagnostic {
        Diagnostic {
            code: info.code,
            name: info.name,
            severity: info.severity,
            message,
            file: path.into(),
            line,
            column,
            end_line: line,
            end_column: column,
            fix: info.fix,
            field: None,
        }
    }

    /// An error for a file its reader could not read, at the point where reading stopped.
    pub(crate) fn unreadable(
        code: &'static str,
        name: &'static str,
        path: &str,
        (line, column): (usize, usize),
        message: String,
        fix: &'static str,
    ) -> Diagnostic {
        Diagnostic {
            code,
            name,
            severity: Severity::Error,
            message,
            file: path.into(),
            line,
            column,
            end_line: line,
            end_column: column,
            fix,
            field: None,
        }
    }

    /// A rule's findings at the YAML nodes they name.
    pub(crate) fn at_nodes<'a>(
        info: &'static RuleInfo,
        path: &'a str,
        text: &'a str,
        found: Vec<(&'a yaml::Node, String)>,
    ) -> impl Iterator<Item = Diagnostic> + 'a {
        // Where each line starts, found once for all the findings (only when there are any).
        let starts: Vec<usize> = if found.is_empty() {
            Vec::new()
        } else {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(at, _)| at + 1))
                .collect()
        };
        found.into_iter().map(move |(node, message)| {
            let mut diagnostic = Diagnostic::at(info, path, node.line, node.column, message);
            if let Some(&start) = starts.get(node.line.wrapping_sub(1)) {
                let line = text[start..].lines().next().unwrap_or("");
                diagnostic.end_column = line.chars().count() + 1;
            }
            diagnostic
        })
    }
}

/// Declares a rule: a unit struct whose doc comment becomes its `DOCS` constant.
macro_rules! rule {
    ($(#[doc = $doc:expr])* pub struct $name:ident;) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            /// The rule's documentation, from its doc comment. In WebAssembly (the web app)
            /// it is empty: the page fetches the texts after its first render from
            /// `static/rule-docs.txt`, which [`docs_asset`] writes. (A cargo feature would
            /// not do: Trunk builds the workspace's default members, and the CLI's features
            /// would switch it back on.)
            #[cfg(not(target_arch = "wasm32"))]
            pub const DOCS: &'static str = concat!($($doc, "\n"),*);
            #[cfg(target_arch = "wasm32")]
            pub const DOCS: &'static str = "";
        }
    };
}
pub(crate) use rule;

/// Every rule, in catalogue order.
pub fn catalogue() -> Vec<&'static RuleInfo> {
    // The INFOS arrays, not the RULES: reading a rule's info through its trait object would
    // link every rule's check into a build that only shows the catalogue.
    let mut all = Vec::new();
    for infos in [
        dockerfile::INFOS,
        kubernetes::INFOS,
        github_actions::INFOS,
        github_actions::DEPENDABOT_INFOS,
        github_actions::ACTION_INFOS,
        compose::INFOS,
        terraform::INFOS,
        cross::INFOS,
    ] {
        all.extend_from_slice(infos);
    }
    all
}

/// The rule with this code.
pub fn find(code: &str) -> Option<&'static RuleInfo> {
    catalogue()
        .into_iter()
        .find(|rule| rule.code.eq_ignore_ascii_case(code))
}

/// Every finding over files read from disk: each file's own, then those across files. Each
/// file is parsed once, for its own rules and the cross-file ones.
pub fn lint_files(files: &[crate::GeneratedFile]) -> Vec<Diagnostic> {
    let parsed: Vec<Parsed> = files.iter().map(Parsed::of).collect();
    let mut found: Vec<Diagnostic> = parsed.iter().flat_map(Parsed::lint).collect();
    found.extend(cross::lint(&parsed));
    found
}

/// Runs every rule that reads a file named `path` (by its name: `Dockerfile`, ...).
pub fn lint_file(path: &str, text: &str) -> Vec<Diagnostic> {
    Parsed::new(path, text).lint()
}

/// One file as the rules read it.
pub(crate) struct Parsed<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub form: Form<'a>,
}

pub(crate) enum Form<'a> {
    Dockerfile(dockerfile::Dockerfile),
    /// Parsed here, or (borrowed) as the generator wrote it.
    Yaml(Result<Cow<'a, [yaml::Node]>, yaml::YamlError>),
    Terraform(Result<Cow<'a, [hcl::Item]>, hcl::HclError>),
    /// Not a kind of file the rules read (Helm templates are Go templates, not YAML).
    Other,
}

impl<'a> Parsed<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Parsed<'a> {
        let form = match kind_of(path) {
            Some(Kind::Dockerfile) => Form::Dockerfile(dockerfile::Dockerfile::parse(text)),
            Some(Kind::Terraform) => Form::Terraform(hcl::parse(text).map(Cow::Owned)),
            Some(Kind::Yaml) if !path.contains("/templates/") => {
                Form::Yaml(yaml::parse(text).map(Cow::Owned))
            }
            _ => Form::Other,
        };
        Parsed { path, text, form }
    }

    /// A file, read from the tree its generator wrote it from when it has one.
    pub fn of(file: &'a crate::GeneratedFile) -> Parsed<'a> {
        let (path, text) = (file.path.as_str(), file.contents.as_str());
        let form = match (&file.tree, kind_of(path)) {
            (Some(Tree::Yaml(documents)), Some(Kind::Yaml)) => {
                Form::Yaml(Ok(Cow::Borrowed(documents)))
            }
            (Some(Tree::Hcl(items)), Some(Kind::Terraform)) => {
                Form::Terraform(Ok(Cow::Borrowed(items)))
            }
            _ => return Parsed::new(path, text),
        };
        Parsed { path, text, form }
    }

    /// The file's own findings, by position.
    pub fn lint(&self) -> Vec<Diagnostic> {
        let (path, text) = (self.path, self.text);
        let mut found = Vec::new();
        match &self.form {
            Form::Dockerfile(file) => found.extend(dockerfile::lint(path, text, file)),
            Form::Terraform(Err(error)) => found.push(Diagnostic::unreadable(
                "SH000",
                "unreadable-hcl",
                path,
                (error.line, error.column),
                error.message.clone(),
                "Correct the HCL at this position.",
            )),
            Form::Terraform(Ok(items)) => found.extend(terraform::lint(path, items)),
            Form::Yaml(Err(error)) => found.push(Diagnostic::unreadable(
                "SY000",
                "unreadable-yaml",
                path,
                (error.line, error.column),
                error.message.clone(),
                "Correct the YAML at this position.",
            )),
            Form::Yaml(Ok(documents)) => {
                if documents.iter().any(kubernetes::is_object) {
                    found.extend(kubernetes::lint(path, text, documents));
                } else if let Some(workflow) =
                    documents.iter().find(|d| github_actions::is_workflow(d))
                {
                    found.extend(github_actions::lint(path, text, workflow));
                } else if let Some(compose) = documents.iter().find(|d| compose::is_compose(d)) {
                    found.extend(compose::lint(path, text, compose));
                } else if let Some(config) =
                    documents.iter().find(|d| github_actions::is_dependabot(d))
                {
                    found.extend(github_actions::lint_with(
                        github_actions::DEPENDABOT_RULES,
                        path,
                        text,
                        config,
                    ));
                } else if let Some(action) = documents.iter().find(|d| github_actions::is_action(d))
                {
                    found.extend(github_actions::lint_with(
                        github_actions::ACTION_RULES,
                        path,
                        text,
                        action,
                    ));
                }
            }
            Form::Other => {}
        }
        crate::order::sort_by(&mut found, |a, b| {
            (a.line, a.column, a.code, &a.message).cmp(&(b.line, b.column, b.code, &b.message))
        });
        found
    }
}

/// The kinds of file the rules read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    /// Kubernetes manifests, GitHub Actions workflows and Compose files; which one is told
    /// from the content.
    Yaml,
    Terraform,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Dockerfile => "Dockerfile",
            Kind::Yaml => "YAML (Kubernetes, GitHub Actions or Compose)",
            Kind::Terraform => "Terraform",
        }
    }

    /// A file name that [`kind_of`] reads as this kind.
    fn default_name(self) -> &'static str {
        match self {
            Kind::Dockerfile => "Dockerfile",
            Kind::Yaml => "pasted.yaml",
            Kind::Terraform => "main.tf",
        }
    }
}

/// The kind of file a path names, as tools name them: `Dockerfile`, `api.Dockerfile`,
/// `Dockerfile.dev`, `*.tf`, `*.yaml` / `*.yml`. None for anything else.
pub fn kind_of(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "Dockerfile" || name.ends_with(".Dockerfile") || name.starts_with("Dockerfile.") {
        Some(Kind::Dockerfile)
    } else if name.ends_with(".tf") {
        Some(Kind::Terraform)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some(Kind::Yaml)
    } else {
        None
    }
}

/// Guesses what pasted text is from its first instruction: a Dockerfile starts with `FROM`,
/// `ARG` or a parser directive; Terraform with a block such as `resource "..."` or
/// `terraform {`; anything else is read as YAML.
pub fn detect_kind(text: &str) -> Kind {
    let first = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && (!line.starts_with('#') || is_directive(line)));
    let Some(first) = first else {
        return Kind::Yaml;
    };
    let word = first
        .split(|c: char| c.is_whitespace() || c == '{')
        .next()
        .unwrap_or("");
    if first.starts_with('#') || ["FROM", "ARG"].contains(&word.to_ascii_uppercase().as_str()) {
        // `# syntax=...` and `# escape=...` directives only open Dockerfiles.
        return Kind::Dockerfile;
    }
    let block = [
        "terraform",
        "resource",
        "data",
        "module",
        "variable",
        "output",
        "locals",
        "provider",
    ];
    let opens_block = first.ends_with('{') || first.contains(" {");
    if block.contains(&word) && opens_block {
        return Kind::Terraform;
    }
    Kind::Yaml
}

/// A Dockerfile parser directive: `# syntax=...`, `# escape=...` or `# check=...`.
fn is_directive(line: &str) -> bool {
    let body = line
        .trim_start_matches('#')
        .trim_start()
        .to_ascii_lowercase();
    ["syntax=", "escape=", "check="]
        .iter()
        .any(|directive| body.starts_with(directive))
}

/// The path a pasted file is linted under: the name the user gave when it names a kind of
/// file the rules read, otherwise that name (or a default) with the kind detected from the
/// content.
pub fn path_for_pasted(name: &str, text: &str) -> String {
    let name = name.trim();
    if kind_of(name).is_some() {
        return name.to_owned();
    }
    let kind = detect_kind(text);
    match (name.is_empty(), kind) {
        (true, kind) => kind.default_name().to_owned(),
        (false, Kind::Dockerfile) => format!("{name}.Dockerfile"),
        (false, Kind::Yaml) => format!("{name}.yaml"),
        (false, Kind::Terraform) => format!("{name}.tf"),
    }
}

/// Every finding over a bundle of files: each file's own, then those across files.
pub fn lint_bundle(bundle: &crate::Bundle) -> Vec<Diagnostic> {
    lint_files(bundle.files())
}

/// Where each rule's docs start in [`docs_asset`]: a line of its own with this and the code.
pub const DOCS_ASSET_MARK: &str = "@@rule ";

/// Every rule's docs in one text file, for the web app to fetch when it first needs them
/// (`static/rule-docs.txt`): each rule is a line `@@rule CODE`, then its docs.
#[cfg(not(target_arch = "wasm32"))]
pub fn docs_asset() -> String {
    let mut out = String::new();
    for rule in catalogue() {
        out.push_str(DOCS_ASSET_MARK);
        out.push_str(rule.code);
        out.push('\n');
        out.push_str(rule.docs);
    }
    out
}

/// The docs of the rule `code` in a [`docs_asset`] text.
pub fn docs_in_asset<'a>(asset: &'a str, code: &str) -> Option<&'a str> {
    let start = asset
        .match_indices(DOCS_ASSET_MARK)
        .map(|(at, _)| at + DOCS_ASSET_MARK.len())
        .find(|&at| asset[at..].split('\n').next() == Some(code))?;
    let body = &asset[start..];
    let body = &body[body.find('\n')? + 1..];
    Some(body.split(DOCS_ASSET_MARK).next().unwrap_or(body))
}

/// The catalogue as Markdown: `docs/RULES.md`.
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "<!-- Generated from the rules' doc comments by `cargo test -p shipshape-core rules` \
         (UPDATE_CATALOGUE=1 rewrites it). -->\n# Rules\n\n| Code | Name | File | Severity | Fix |\n|---|---|---|---|---|\n",
    );
    let rules = catalogue();
    for rule in &rules {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            rule.code,
            rule.name,
            rule.family.label(),
            rule.severity.id(),
            rule.fix
        ));
    }
    for rule in &rules {
        out.push_str(&format!("\n## {} {}\n\n", rule.code, rule.name));
        for line in rule.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_every_rule_in_order() {
        let mut from_rules: Vec<&'static RuleInfo> = Vec::new();
        from_rules.extend(dockerfile::RULES.iter().map(|r| r.info()));
        from_rules.extend(kubernetes::RULES.iter().map(|r| r.info()));
        from_rules.extend(github_actions::RULES.iter().map(|r| r.info()));
        from_rules.extend(github_actions::DEPENDABOT_RULES.iter().map(|r| r.info()));
        from_rules.extend(github_actions::ACTION_RULES.iter().map(|r| r.info()));
        from_rules.extend(compose::RULES.iter().map(|r| r.info()));
        from_rules.extend(terraform::RULES.iter().map(|r| r.info()));
        from_rules.extend(cross::RULES.iter().map(|r| r.info()));
        let catalogue = catalogue();
        assert_eq!(catalogue.len(), from_rules.len());
        for (a, b) in catalogue.iter().zip(&from_rules) {
            assert!(
                std::ptr::eq(*a, *b),
                "{} listed where {} runs",
                a.code,
                b.code
            );
        }
    }

    #[test]
    fn codes_and_names_are_unique_and_every_rule_is_documented() {
        let rules = catalogue();
        let mut codes: Vec<_> = rules.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), rules.len(), "duplicate codes");
        for rule in rules {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
            ] {
                assert!(rule.docs.contains(section), "{} lacks {section}", rule.code);
            }
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn pasted_files_are_read_by_their_name_or_else_by_their_content() {
        assert_eq!(
            path_for_pasted("deploy/api.yml", "FROM x"),
            "deploy/api.yml"
        );
        assert_eq!(path_for_pasted(" Dockerfile.dev ", ""), "Dockerfile.dev");
        assert_eq!(
            path_for_pasted("", "# syntax=docker/dockerfile:1\nFROM a"),
            "Dockerfile"
        );
        assert_eq!(
            path_for_pasted("", "\n  from alpine:3.22 AS build\n"),
            "Dockerfile"
        );
        assert_eq!(
            path_for_pasted("api", "ARG VERSION=1\nFROM a:${VERSION}"),
            "api.Dockerfile"
        );
        assert_eq!(path_for_pasted("", "# state\nterraform {\n}\n"), "main.tf");
        assert_eq!(
            path_for_pasted("db", "resource \"aws_db_instance\" \"db\" {"),
            "db.tf"
        );
        assert_eq!(
            path_for_pasted("", "# comment\napiVersion: v1\nkind: Service"),
            "pasted.yaml"
        );
        assert_eq!(path_for_pasted("", "data: {a: 1}"), "pasted.yaml");
        assert_eq!(path_for_pasted("", "# a=b\nkind: Pod"), "pasted.yaml");
        assert_eq!(path_for_pasted("", ""), "pasted.yaml");
        assert_eq!(path_for_pasted("notes", "on: push"), "notes.yaml");
    }

    #[test]
    fn a_pasted_file_is_linted_as_what_it_is() {
        let text = "FROM node\nCMD npm start\n";
        let path = path_for_pasted("", text);
        let codes: Vec<_> = lint_file(&path, text).iter().map(|d| d.code).collect();
        assert!(codes.contains(&"SD001"), "{codes:?}");
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_web_app_s_rule_docs_are_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/rule-docs.txt");
        let expected = docs_asset();
        if std::env::var_os("UPDATE_CATALOGUE").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == expected,
            "static/rule-docs.txt is out of date: run UPDATE_CATALOGUE=1 cargo test -p shipshape-core rules"
        );
        for rule in catalogue() {
            assert_eq!(
                docs_in_asset(&current, rule.code),
                Some(rule.docs),
                "{}",
                rule.code
            );
        }
        assert_eq!(docs_in_asset(&current, "SD99"), None);
    }

    #[test]
    fn the_catalogue_page_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/RULES.md");
        let expected = catalogue_markdown();
        if std::env::var_os("UPDATE_CATALOGUE").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == expected,
            "docs/RULES.md is out of date: run UPDATE_CATALOGUE=1 cargo test -p shipshape-core rules"
        );
    }

    #[test]
    fn every_preset_s_files_are_clean_of_errors_and_warnings() {
        for preset in crate::model::PRESETS {
            let found = lint_bundle(&crate::generate(&preset.project()));
            let serious: Vec<String> = found
                .iter()
                .filter(|d| d.severity != Severity::Info)
                .map(ToString::to_string)
                .collect();
            assert!(serious.is_empty(), "{}: {serious:#?}", preset.name);
        }
    }
}
