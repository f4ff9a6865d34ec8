//! "Break it": turn one safe default of the generated files off, as a careless hand would,
//! and let the rules say what that costs. The user's settings are not touched; the broken
//! files are a what-if, made from the generated ones by editing their text, so what the rules
//! find is exactly what they would find in such a file pasted from elsewhere.

use crate::bundle::{Bundle, GeneratedFile};
use crate::rules::{self, Diagnostic};

/// A safe default that can be turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breakage {
    RootUser,
    NoLimits,
    NoProbes,
    PrivilegeEscalation,
    LatestTag,
    PublicDatabase,
}

impl Breakage {
    pub const ALL: [Breakage; 6] = [
        Breakage::RootUser,
        Breakage::NoLimits,
        Breakage::NoProbes,
        Breakage::PrivilegeEscalation,
        Breakage::LatestTag,
        Breakage::PublicDatabase,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Breakage::RootUser => "root-user",
            Breakage::NoLimits => "no-limits",
            Breakage::NoProbes => "no-probes",
            Breakage::PrivilegeEscalation => "privilege-escalation",
            Breakage::LatestTag => "latest-tag",
            Breakage::PublicDatabase => "public-database",
        }
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Breakage::RootUser => "Run as root",
            Breakage::NoLimits => "Drop resource limits",
            Breakage::NoProbes => "Drop the probes",
            Breakage::PrivilegeEscalation => "Allow privilege escalation",
            Breakage::LatestTag => "Use :latest images",
            Breakage::PublicDatabase => "Make the database public",
        }
    }

    /// What goes wrong without the default, for a new engineer.
    pub fn why(self) -> &'static str {
        match self {
            Breakage::RootUser => {
                "A process that breaks out of its container as root owns the node. The Dockerfile's USER and the pod's runAsNonRoot both stop that."
            }
            Breakage::NoLimits => {
                "One leaking pod can take a node's memory and CPU from every other pod on it; limits cap it, and the namespace quota needs them."
            }
            Breakage::NoProbes => {
                "Without probes Kubernetes sends traffic to pods that are not ready and never restarts ones that hang."
            }
            Breakage::PrivilegeEscalation => {
                "A setuid binary in the image could then gain more rights than the container was given."
            }
            Breakage::LatestTag => {
                "latest moves: the same file builds a different image tomorrow, and a rollback may not roll back."
            }
            Breakage::PublicDatabase => {
                "The database gets an address on the internet; only its password stands between it and everyone."
            }
        }
    }

    /// The files this breaks, edited; the rest of the bundle is left out.
    pub fn apply(self, bundle: &Bundle) -> Vec<GeneratedFile> {
        bundle
            .files()
            .iter()
            .filter_map(|file| {
                let path = file.path.as_str();
                let dockerfile = path.ends_with("Dockerfile");
                let manifest = path.starts_with("k8s/") && path.ends_with(".yaml");
                let text = &file.contents;
                let broken = match self {
                    Breakage::RootUser if dockerfile => {
                        drop_lines(text, |l| l.starts_with("USER "))
                    }
                    Breakage::RootUser if manifest => {
                        text.replace("runAsNonRoot: true", "runAsNonRoot: false")
                    }
                    Breakage::NoLimits if manifest => drop_block(text, "limits:"),
                    Breakage::NoProbes if manifest => {
                        ["livenessProbe:", "readinessProbe:", "startupProbe:"]
                            .iter()
                            .fold(text.clone(), |text, key| drop_block(&text, key))
                    }
                    Breakage::PrivilegeEscalation if manifest => text.replace(
                        "allowPrivilegeEscalation: false",
                        "allowPrivilegeEscalation: true",
                    ),
                    Breakage::LatestTag if dockerfile => latest_images(text),
                    // Aligned as terraform fmt aligns it: `publicly_accessible    = false`.
                    Breakage::PublicDatabase if path.ends_with(".tf") => text
                        .lines()
                        .map(|line| {
                            if line.trim_start().starts_with("publicly_accessible") {
                                format!("{}\n", line.replace("false", "true"))
                            } else {
                                format!("{line}\n")
                            }
                        })
                        .collect(),
                    _ => return None,
                };
                (broken != *text).then(|| GeneratedFile::new(path, broken))
            })
            .collect()
    }
}

/// What turning `breakage` off does: the edited files, and the findings in them that the
/// generated files did not have (by rule and file).
pub fn findings(bundle: &Bundle, breakage: Breakage) -> (Vec<GeneratedFile>, Vec<Diagnostic>) {
    let broken = breakage.apply(bundle);
    let mut before: Vec<(String, &'static str)> = Vec::new();
    let originals: Vec<GeneratedFile> = broken
        .iter()
        .filter_map(|f| bundle.get(&f.path).cloned())
        .collect();
    for finding in rules::lint_files(&originals) {
        before.push((finding.file.clone(), finding.code));
    }
    let mut new = Vec::new();
    for finding in rules::lint_files(&broken) {
        match before
            .iter()
            .position(|(file, code)| *file == finding.file && *code == finding.code)
        {
            Some(i) => {
                before.swap_remove(i);
            }
            None => new.push(finding),
        }
    }
    (broken, new)
}

fn drop_lines(text: &str, drop: impl Fn(&str) -> bool) -> String {
    text.lines()
        .filter(|line| !drop(line.trim_start()))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Removes every `key` line of a YAML file and the more indented lines under it.
fn drop_block(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dropping: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(depth) = dropping {
            if line.trim().is_empty() || indent > depth {
                continue;
            }
            dropping = None;
        }
        if line.trim_start() == key {
            dropping = Some(indent);
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every `FROM image:tag` of a Dockerfile as `FROM image:latest`.
fn latest_images(text: &str) -> String {
    text.lines()
        .map(|line| {
            let Some(rest) = line.strip_prefix("FROM ") else {
                return format!("{line}\n");
            };
            let mut words = rest.split(' ');
            let image = words.next().unwrap_or_default();
            let tail: Vec<&str> = words.collect();
            let name = image.split(['@']).next().unwrap_or(image);
            let name = match name.rsplit_once(':') {
                Some((name, tag)) if !tag.contains('/') => name,
                _ => name,
            };
            let mut out = format!("FROM {name}:latest");
            for word in tail {
                out.push(' ');
                out.push_str(word);
            }
            out.push('\n');
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::model::preset;

    /// Each breakage, on the preset with the most of everything, brings the finding that
    /// names it, and the generated files themselves have none of those.
    #[test]
    fn each_breakage_is_caught_by_its_rule() {
        let project = preset("fullstack-fastapi-react").unwrap().project();
        let bundle = generate(&project);
        for (breakage, codes) in [
            (Breakage::RootUser, &["SD003", "SK005"][..]),
            (Breakage::NoLimits, &["SK001"]),
            (Breakage::NoProbes, &["SK002"]),
            (Breakage::PrivilegeEscalation, &["SK006"]),
            (Breakage::LatestTag, &["SD002"]),
            (Breakage::PublicDatabase, &["ST005"]),
        ] {
            let (files, found) = findings(&bundle, breakage);
            assert!(!files.is_empty(), "{breakage:?} changes no file");
            for code in codes {
                assert!(
                    found.iter().any(|f| f.code == *code),
                    "{breakage:?}: no {code} in {:?}",
                    found.iter().map(|f| (f.code, &f.file)).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn a_project_without_a_cloud_database_has_nothing_to_make_public() {
        let bundle = generate(&preset("node-express").unwrap().project());
        assert!(Breakage::PublicDatabase.apply(&bundle).is_empty());
    }

    #[test]
    fn blocks_and_tags_are_edited_as_a_hand_would() {
        let yaml = "a:\n  limits:\n    cpu: 1\n    memory: 2\n  requests:\n    cpu: 1\n";
        assert_eq!(drop_block(yaml, "limits:"), "a:\n  requests:\n    cpu: 1\n");
        assert_eq!(
            latest_images(
                "FROM python:3.13-slim AS build\nFROM gcr.io/distroless/base@sha256:ab\nRUN x\n"
            ),
            "FROM python:latest AS build\nFROM gcr.io/distroless/base:latest\nRUN x\n"
        );
    }
}
