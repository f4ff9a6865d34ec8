//! Every registry module the generated Terraform uses is used as it is defined.
//!
//! `tests/fixtures/terraform-modules.toml` records, per module and pinned version, the root
//! module's variables and the attributes of the object-typed ones the generator fills in, read
//! from the module's own repository at the release tag. `terraform validate` would catch an
//! unknown argument, but there is no terraform binary here; this reads every module block of
//! every preset with an independent HCL parser and checks it against that record.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use hcl_rs::{Body, Expression, ObjectKey};
use serde::Deserialize;
use shipshape_core::generate;
use shipshape_core::model::PRESETS;

#[derive(Deserialize)]
struct Table {
    module: Vec<Module>,
}

#[derive(Deserialize)]
struct Module {
    source: String,
    version: String,
    sha: String,
    aws_provider: String,
    variables: Vec<String>,
    required: Vec<String>,
    #[serde(default)]
    attributes: std::collections::BTreeMap<String, Vec<String>>,
}

fn table() -> Vec<Module> {
    toml::from_str::<Table>(include_str!("fixtures/terraform-modules.toml"))
        .expect("tests/fixtures/terraform-modules.toml parses")
        .module
}

fn key_name(key: &ObjectKey) -> String {
    match key {
        ObjectKey::Identifier(id) => id.to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn object_keys(expression: &Expression) -> Option<Vec<String>> {
    match expression {
        Expression::Object(object) => Some(object.keys().map(key_name).collect()),
        _ => None,
    }
}

/// `x.y.z` of a constraint such as "~> 6.20" or ">= 6.0", as numbers.
fn floor(constraint: &str) -> Vec<u32> {
    constraint
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split('.')
        .map(|p| p.parse().expect("a numeric version"))
        .collect()
}

#[test]
fn every_module_block_sets_only_inputs_the_module_has() {
    let table = table();
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    for preset in PRESETS {
        let bundle = generate(&preset.project());
        let mut aws_constraint = None;
        let mut modules_used = Vec::new();
        for file in bundle.files().iter().filter(|f| f.path.ends_with(".tf")) {
            let body: Body = hcl_rs::parse(&file.contents).expect("generated Terraform parses");
            for block in body.blocks() {
                if block.identifier() == "terraform" {
                    for providers in block.body().blocks() {
                        if providers.identifier() != "required_providers" {
                            continue;
                        }
                        for attribute in providers.body().attributes() {
                            if attribute.key() == "aws"
                                && let Expression::Object(object) = attribute.expr()
                            {
                                for (key, value) in object {
                                    if key_name(key) == "version"
                                        && let Expression::String(v) = value
                                    {
                                        aws_constraint = Some(v.clone());
                                    }
                                }
                            }
                        }
                    }
                }
                if block.identifier() != "module" {
                    continue;
                }
                let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
                let place = format!("{}: {}: module {labels:?}", preset.name, file.path);
                let attribute = |name: &str| {
                    block
                        .body()
                        .attributes()
                        .find(|a| a.key() == name)
                        .map(|a| a.expr().clone())
                };
                let Some(Expression::String(source)) = attribute("source") else {
                    problems.push(format!("{place}: no source"));
                    continue;
                };
                let Some(module) = table.iter().find(|m| m.source == source) else {
                    problems.push(format!("{place}: {source} is not in the table"));
                    continue;
                };
                used.insert(source.clone());
                modules_used.push(module);
                if attribute("version") != Some(Expression::String(module.version.clone())) {
                    problems.push(format!("{place}: not pinned to {}", module.version));
                }
                let given: Vec<&str> = block.body().attributes().map(|a| a.key()).collect();
                for key in &given {
                    if ![
                        "source",
                        "version",
                        "providers",
                        "depends_on",
                        "count",
                        "for_each",
                    ]
                    .contains(key)
                        && !module.variables.iter().any(|v| v == key)
                    {
                        problems.push(format!("{place}: `{key}` is not a variable of {source}"));
                    }
                }
                for required in &module.required {
                    if !given.contains(&required.as_str()) {
                        problems.push(format!("{place}: required `{required}` missing"));
                    }
                }
                for (variable, attributes) in &module.attributes {
                    let Some(value) = attribute(variable) else {
                        continue;
                    };
                    // A map of objects (addons, node groups), or one object.
                    let objects: Vec<(String, Vec<String>)> = match &value {
                        Expression::Object(outer)
                            if outer.values().all(|v| matches!(v, Expression::Object(_)))
                                && variable != "encryption_config" =>
                        {
                            outer
                                .iter()
                                .map(|(k, v)| (key_name(k), object_keys(v).unwrap_or_default()))
                                .collect()
                        }
                        other => vec![(String::new(), object_keys(other).unwrap_or_default())],
                    };
                    for (entry, keys) in objects {
                        for key in keys {
                            if !attributes.contains(&key) {
                                problems.push(format!(
                                    "{place}: {variable}{} sets `{key}`, not an attribute of its type",
                                    if entry.is_empty() { String::new() } else { format!(".{entry}") }
                                ));
                            }
                        }
                    }
                }
            }
        }
        if let Some(constraint) = &aws_constraint {
            for module in modules_used {
                if floor(constraint) < floor(&module.aws_provider) {
                    problems.push(format!(
                        "{}: the AWS provider constraint {constraint:?} allows versions below the {} that {} {} needs",
                        preset.name, module.aws_provider, module.source, module.version
                    ));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for module in &table {
        assert!(
            used.contains(&module.source),
            "{} is never generated",
            module.source
        );
        assert_eq!(module.sha.len(), 40, "{}", module.source);
    }
}
