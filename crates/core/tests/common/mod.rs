//! What the hostile-input tests check of every bundle: each file is what its tree says, and
//! parses as what it is (YAML, HCL, JSON), and no `${{` reaches a workflow's `run:` script.
// Each test file uses what it needs of this.
#![allow(dead_code)]

use proptest::prelude::*;
use serde::Deserialize;
use shipshape_core::generate;
use shipshape_core::model::Project;

/// Runs of `default` cases, or `PROPTEST_CASES` when set: the long run sets it (README).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

pub fn check_bundle(project: &Project) -> Result<(), TestCaseError> {
    let bundle = generate(project);
    for file in bundle.files() {
        // The rules read the tree each generator wrote the file from, not the text.
        file.tree_matches_text().map_err(TestCaseError::fail)?;
        let fail = |what: String| TestCaseError::fail(format!("{what}\n{}", file.contents));
        if file.path.ends_with(".tf") {
            hcl_rs::parse(&file.contents)
                .map_err(|e| fail(format!("{} is not HCL: {e}", file.path)))?;
        }
        if file.path.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&file.contents)
                .map_err(|e| fail(format!("{} is not JSON: {e}", file.path)))?;
        }
        // Helm templates are Go templates; their output is checked by rendering in conformance.
        let is_yaml = (file.path.ends_with(".yml") || file.path.ends_with(".yaml"))
            && !file.path.contains("/templates/");
        if !is_yaml {
            continue;
        }
        // Multi-document files (Kubernetes) parse document by document.
        let mut docs = Vec::new();
        for document in serde_norway::Deserializer::from_str(&file.contents) {
            let doc = serde_norway::Value::deserialize(document)
                .map_err(|e| fail(format!("{} does not parse: {e}", file.path)))?;
            docs.push(doc);
        }
        let doc = docs.into_iter().next().unwrap_or(serde_norway::Value::Null);
        if let Some(jobs) = doc.get("jobs").and_then(|j| j.as_mapping()) {
            for (_, job) in jobs {
                for step in job["steps"].as_sequence().into_iter().flatten() {
                    if let Some(script) = step.get("run").and_then(|r| r.as_str()) {
                        prop_assert!(!script.contains("${{"), "{}: {script}", file.path);
                    }
                }
            }
        }
    }
    Ok(())
}
