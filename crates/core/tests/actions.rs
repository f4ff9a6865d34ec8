//! Every action the generated workflows use exists, and is used as it is defined.
//!
//! `tests/fixtures/actions.toml` records, per action, the commit of a release tag and the
//! inputs of the action.yml at that commit, read from the action's own repository. Here every
//! workflow of every preset, under every registry and deploy tool, is read back and each
//! `uses:` must be one of those pinned commits with its version written beside it, each `with:`
//! key an input of that action, and each required input given. A tag that does not exist (the
//! old `aquasecurity/trivy-action@0.33.1`) or a misspelt input fails here instead of at "Set up
//! job" in a user's first pipeline.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use shipshape_core::generate;
use shipshape_core::model::{DeployTool, PRESETS, Project, RegistryKind};

#[derive(Deserialize)]
struct Table {
    action: Vec<Action>,
}

#[derive(Deserialize)]
struct Action {
    uses: String,
    version: String,
    sha: String,
    released: String,
    runs: String,
    inputs: Vec<String>,
    required: Vec<String>,
    #[serde(default)]
    deprecated: Vec<String>,
}

fn table() -> Vec<Action> {
    let text = include_str!("fixtures/actions.toml");
    toml::from_str::<Table>(text)
        .expect("tests/fixtures/actions.toml parses")
        .action
}

/// Every preset under every registry and deploy tool: each action the generator can write.
fn projects() -> Vec<(String, Project)> {
    let mut projects = Vec::new();
    for preset in PRESETS {
        for registry in RegistryKind::ALL {
            for tool in DeployTool::ALL {
                let mut project = preset.project();
                project.registry.kind = registry;
                project.deploy_tool = tool;
                projects.push((
                    format!("{} ({}, {})", preset.name, registry.id(), tool.id()),
                    project,
                ));
            }
        }
    }
    projects
}

#[test]
fn the_table_is_well_formed() {
    let table = table();
    let mut seen = BTreeSet::new();
    for action in &table {
        assert!(seen.insert(&action.uses), "{} twice", action.uses);
        assert!(
            action.sha.len() == 40 && action.sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{}: {:?} is not a full commit SHA",
            action.uses,
            action.sha
        );
        let version = action.version.trim_start_matches('v');
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|p| p.parse::<u32>().is_ok()),
            "{}: {:?} is not a full release version",
            action.uses,
            action.version
        );
        assert_eq!(action.released.len(), 10, "{}: released", action.uses);
        // GitHub deprecated the node20 runtime; actions on it are not pinned.
        assert!(
            ["node24", "composite", "docker"].contains(&action.runs.as_str()),
            "{} runs on {}",
            action.uses,
            action.runs
        );
        for required in &action.required {
            assert!(
                action.inputs.contains(required),
                "{}: {required}",
                action.uses
            );
        }
    }
}

#[test]
fn every_workflow_uses_pinned_actions_as_they_are_defined() {
    let table = table();
    let by_name: BTreeMap<&str, &Action> = table.iter().map(|a| (a.uses.as_str(), a)).collect();
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    for (name, project) in projects() {
        let bundle = generate(&project);
        for file in bundle.files() {
            if !file.path.starts_with(".github/workflows/") {
                continue;
            }
            let workflow: serde_norway::Value =
                serde_norway::from_str(&file.contents).expect("workflows parse");
            let jobs = workflow["jobs"].as_mapping().into_iter().flatten();
            for (_, job) in jobs {
                for step in job["steps"].as_sequence().into_iter().flatten() {
                    let Some(uses) = step.get("uses").and_then(|u| u.as_str()) else {
                        continue;
                    };
                    let place = format!("{name}: {}: {uses}", file.path);
                    let Some((action, reference)) = uses.split_once('@') else {
                        problems.push(format!("{place}: no @ref"));
                        continue;
                    };
                    let Some(pinned) = by_name.get(action) else {
                        problems.push(format!("{place}: not in tests/fixtures/actions.toml"));
                        continue;
                    };
                    used.insert(action.to_owned());
                    if reference != pinned.sha {
                        problems.push(format!(
                            "{place}: not the pinned commit {} ({})",
                            pinned.sha, pinned.version
                        ));
                    }
                    // The version is written beside the SHA, as Dependabot keeps it.
                    let line = format!("uses: {uses}  # {}", pinned.version);
                    if !file
                        .contents
                        .lines()
                        .any(|l| l.trim_start().trim_start_matches("- ") == line)
                    {
                        problems.push(format!("{place}: no line {line:?}"));
                    }
                    let given: Vec<&str> = step
                        .get("with")
                        .and_then(|w| w.as_mapping())
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, _)| k.as_str())
                        .collect();
                    for key in &given {
                        if !pinned.inputs.iter().any(|i| i == key) {
                            problems.push(format!("{place}: `{key}` is not an input of {action}"));
                        }
                        if pinned.deprecated.iter().any(|i| i == key) {
                            problems.push(format!("{place}: `{key}` is deprecated"));
                        }
                    }
                    for required in &pinned.required {
                        if !given.contains(&required.as_str()) {
                            problems.push(format!("{place}: required input `{required}` missing"));
                        }
                    }
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Every pin is exercised by some settings, so none goes stale unchecked.
    let unused: Vec<&str> = table
        .iter()
        .map(|a| a.uses.as_str())
        .filter(|a| !used.contains(*a))
        .collect();
    assert!(unused.is_empty(), "pinned but never generated: {unused:?}");
}
