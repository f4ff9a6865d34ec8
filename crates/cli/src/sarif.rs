//! Findings as SARIF 2.1.0, the format GitHub code scanning reads
//! (`github/codeql-action/upload-sarif`). Built from typed structs: every rule of the catalogue
//! as a reporting descriptor with its docs, every finding as a result with its rule, level,
//! message and physical location.

use serde::Serialize;
use shipshape_core::rules::{self, Diagnostic, RuleInfo, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<Finding>,
    /// Columns count characters, as the rule engine does.
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Finding {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(rule: &RuleInfo) -> Descriptor {
    let docs: String = rule
        .docs
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let what = docs
        .split("## Why is this bad?")
        .next()
        .unwrap_or("")
        .replace("## What it does", "")
        .trim()
        .to_owned();
    Descriptor {
        id: rule.code.into(),
        name: rule.name.into(),
        short_description: Text {
            text: rule.fix.into(),
        },
        full_description: Text { text: what },
        help: Help {
            text: docs.clone(),
            markdown: docs,
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
    }
}

/// A file path as a URI relative to where the lint ran: forward slashes, no leading `./`,
/// and characters a URI cannot hold percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The SARIF log for these findings.
pub fn log(found: &[Diagnostic]) -> Log {
    let mut descriptors: Vec<Descriptor> = rules::catalogue().into_iter().map(descriptor).collect();
    let mut results = Vec::with_capacity(found.len());
    for diagnostic in found {
        // "Unreadable file" findings (SD000, SY000, SH000) are not catalogue rules: describe
        // each the first time it appears.
        let index = match descriptors.iter().position(|d| d.id == diagnostic.code) {
            Some(index) => index,
            None => {
                descriptors.push(Descriptor {
                    id: diagnostic.code.into(),
                    name: diagnostic.name.into(),
                    short_description: Text {
                        text: diagnostic.fix.into(),
                    },
                    full_description: Text {
                        text: "The file could not be read, so no other rule could check it.".into(),
                    },
                    help: Help {
                        text: diagnostic.fix.into(),
                        markdown: diagnostic.fix.into(),
                    },
                    default_configuration: Configuration {
                        level: level(diagnostic.severity),
                    },
                });
                descriptors.len() - 1
            }
        };
        results.push(Finding {
            rule_id: diagnostic.code.into(),
            rule_index: index,
            level: level(diagnostic.severity),
            message: Text {
                text: format!("{} Fix: {}", diagnostic.message, diagnostic.fix),
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri(&diagnostic.file),
                    },
                    region: Region {
                        start_line: diagnostic.line.max(1),
                        start_column: diagnostic.column.max(1),
                        end_line: diagnostic.end_line.max(diagnostic.line).max(1),
                        end_column: diagnostic.end_column.max(1),
                    },
                },
            }],
        });
    }
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "Shipshape",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: descriptors,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./k8s/app.yaml"), "k8s/app.yaml");
        assert_eq!(
            uri("dir with space/Dockerfile"),
            "dir%20with%20space/Dockerfile"
        );
        assert_eq!(uri("a\\b.tf"), "a/b.tf");
    }
}
