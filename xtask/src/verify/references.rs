//! References resolve per delivery path. Core's rules SX008-SX010 check what the rule engine
//! can read (each kustomization, each Argo CD Application of plain manifests); charts need
//! Helm first. Here every preset's charts are rendered the way each path installs them (with
//! the real Helm engine, offline) and the same rules run on each path's set of objects:
//!
//! - **kubectl**: what `kubectl apply -k k8s/<environment>` applies (the rule engine's view);
//! - **Helm from CI**: every service's chart, rendered with the environment's values file into
//!   the environment's namespace, as the deploy jobs' `helm upgrade --install` does;
//! - **Argo CD**: what each Application of `argocd/<environment>/` syncs: its chart with its
//!   `valueFiles`, into its destination namespace.
//!
//! A Secret counts as delivered when the bundle's docs show how to make it by hand.

use std::fs;
use std::path::Path;
use std::process::Command;

use shipshape_core::model::{DeployTool, PRESETS, Project, Stage};
use shipshape_core::rules::Diagnostic;
use shipshape_core::rules::cross::check_delivery;
use shipshape_core::rules::cross::delivery::{Unit, made_by_hand};
use shipshape_core::rules::kubernetes::kind;
use shipshape_core::rules::yaml::{Node, parse};
use shipshape_core::{Bundle, generate};

use super::{Outcome, Report};

/// Renders charts with helm-python-sdk: reads `chart<TAB>values,...<TAB>namespace<TAB>out`
/// lines from stdin, writes each render's YAML documents to its `out`.
const RENDER: &str = "\
import sys, yaml
import helm_python as helm
for line in sys.stdin.read().splitlines():
    chart, values, namespace, out = line.split('\\t')
    merged = {}
    for path in values.split(','):
        with open(path) as handle:
            merged = helm.merge_values(merged, helm.values_from_yaml(handle.read())) if hasattr(helm, 'merge_values') else {**merged, **helm.values_from_yaml(handle.read())}
    # The first deploy writes `terraform output -json database` in (docs/RUNBOOK.md).
    database = merged.get('externalSecret', {}).get('database')
    if database is not None:
        database.update(host='db.example.internal', masterSecretArn='arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0')
    name = chart.rstrip('/').split('/')[-1]
    rendered = helm.Chart.load(chart).render(merged, name=name, namespace=namespace)
    docs = [d for p, t in sorted(rendered.items()) if p.endswith('.yaml') for d in yaml.safe_load_all(t) if d]
    with open(out, 'w') as handle:
        yaml.safe_dump_all(docs, handle, sort_keys=False)
";

/// One path to check: its name, and the renders (or bundle files) it delivers.
struct Path_ {
    name: String,
    /// For the kubectl path, the environment's folder (the rule engine reads it).
    kubectl: Option<String>,
    how: String,
    namespace: String,
    files: Vec<String>,
}

pub(super) fn cases(report: &mut Report, python: &Path, out: &Path) -> Result<(), String> {
    if !report.wants("references") {
        return Ok(());
    }
    for preset in PRESETS {
        let project = preset.project();
        let bundle = generate(&project);
        let dir = out.join(preset.name);
        fs::create_dir_all(dir.join("render")).map_err(|e| e.to_string())?;
        for file in bundle.files() {
            let path = dir.join(&file.path);
            fs::create_dir_all(path.parent().unwrap_or(&dir)).map_err(|e| e.to_string())?;
            fs::write(&path, &file.contents).map_err(|e| e.to_string())?;
        }
        let paths = delivery_paths(&project, &bundle);
        // Render every chart a path needs, in one Python run per preset.
        let mut jobs = String::new();
        for path in &paths {
            for file in &path.files {
                if let Some(job) = file.strip_prefix("render:") {
                    jobs.push_str(job);
                    jobs.push('\n');
                }
            }
        }
        let rendered = render(python, &dir, &jobs);
        let by_hand = secrets_by_hand(&bundle);
        // The kubectl paths are the rule engine's own: one lint of the bundle serves both.
        let linted = shipshape_core::rules::lint_bundle(&bundle);
        for path in &paths {
            let name = format!("references {}: {}", preset.name, path.name);
            report.case(&name, || {
                rendered.clone()?;
                check_path(&bundle, &dir, path, &by_hand, &linted)
            });
        }
        for stage in [Stage::Staging, Stage::Production] {
            let key = stage.key();
            let name = format!(
                "references {}: {key} namespace-wide objects by {}",
                preset.name,
                project.deploy_tool.label()
            );
            report.case(&name, || {
                rendered.clone()?;
                namespace_wide_objects(&bundle, &dir, key, &paths)
            });
        }
    }
    Ok(())
}

/// The paths of a preset: kubectl for each environment, and the deploy tool's.
fn delivery_paths(project: &Project, bundle: &Bundle) -> Vec<Path_> {
    let mut paths = Vec::new();
    for stage in [Stage::Staging, Stage::Production] {
        let environment = project.environment(stage);
        let namespace = environment.namespace.clone();
        let key = stage.key();
        paths.push(Path_ {
            name: format!("{key} by kubectl apply -k k8s/{key}"),
            how: String::new(),
            namespace: namespace.clone(),
            kubectl: Some(format!("k8s/{key}")),
            files: Vec::new(),
        });
        match project.deploy_tool {
            DeployTool::Helm => {
                let mut files: Vec<String> = project
                    .services
                    .iter()
                    .filter(|s| bundle.get(&format!("charts/{}/Chart.yaml", s.name)).is_some())
                    .map(|s| {
                        let chart = format!("charts/{}", s.name);
                        format!(
                            "render:{chart}\t{chart}/values/{key}.yaml\t{namespace}\trender/{}-{key}-helm.yaml",
                            s.name
                        )
                    })
                    .collect();
                // What the deploy jobs apply with kubectl before the release.
                for folder in applied_by_deploy_jobs(bundle, key) {
                    for plain in bundle.files() {
                        if plain.path.starts_with(&format!("{folder}/"))
                            && !plain.path.ends_with("/kustomization.yaml")
                            && !files.contains(&format!("bundle:{}", plain.path))
                        {
                            files.push(format!("bundle:{}", plain.path));
                        }
                    }
                }
                paths.push(Path_ {
                    name: format!("{key} by helm upgrade --install from CI"),
                    kubectl: None,
                    how: format!("the deploy jobs' helm upgrade --install into {namespace}"),
                    namespace: namespace.clone(),
                    files,
                });
            }
            DeployTool::ArgoCd => {
                // Every Application of the environment syncs into the cluster: the objects
                // of all of them meet in the namespace.
                let mut files = Vec::new();
                let mut apps = Vec::new();
                for file in bundle.files() {
                    if !file.path.starts_with(&format!("argocd/{key}/")) {
                        continue;
                    }
                    let Ok(documents) = parse(&file.contents) else {
                        continue;
                    };
                    for application in documents.iter().filter(|d| kind(d) == "Application") {
                        let source = application.at(&["spec", "source"]);
                        let Some(folder) =
                            source.and_then(|s| s.get("path")).and_then(Node::as_str)
                        else {
                            continue;
                        };
                        let app = application
                            .at(&["metadata", "name"])
                            .and_then(Node::as_str)
                            .unwrap_or("");
                        apps.push(app.to_owned());
                        let target = application
                            .at(&["spec", "destination", "namespace"])
                            .and_then(Node::as_str)
                            .unwrap_or("default");
                        if bundle.get(&format!("{folder}/Chart.yaml")).is_some() {
                            let values: Vec<String> = source
                                .and_then(|s| s.at(&["helm", "valueFiles"]))
                                .map_or(&[][..], Node::items)
                                .iter()
                                .filter_map(Node::as_str)
                                .map(|v| format!("{folder}/{v}"))
                                .collect();
                            files.push(format!(
                                "render:{folder}\t{}\t{target}\trender/{app}.yaml",
                                values.join(",")
                            ));
                        } else {
                            // Plain manifests (the platform's kustomization), as Argo CD reads
                            // them.
                            for plain in bundle.files() {
                                let inside = plain.path.starts_with(&format!("{folder}/"));
                                if inside && !plain.path.ends_with("/kustomization.yaml") {
                                    files.push(format!("bundle:{}", plain.path));
                                }
                            }
                        }
                    }
                }
                paths.push(Path_ {
                    name: format!("{key} by Argo CD"),
                    kubectl: None,
                    how: format!(
                        "the Argo CD Applications of argocd/{key} ({})",
                        apps.join(", ")
                    ),
                    namespace: namespace.clone(),
                    files,
                });
            }
        }
    }
    paths
}

/// The folders the `deploy-<key>` jobs of the workflows apply with `kubectl apply -k`, read
/// from each step's script and its `env:`.
fn applied_by_deploy_jobs(bundle: &Bundle, key: &str) -> Vec<String> {
    let mut folders = Vec::new();
    for file in bundle.files() {
        if !file.path.starts_with(".github/workflows/") {
            continue;
        }
        let Ok(documents) = parse(&file.contents) else {
            continue;
        };
        let job = documents
            .first()
            .and_then(|w| w.at(&["jobs", &format!("deploy-{key}")]));
        for step in job
            .and_then(|j| j.get("steps"))
            .map_or(&[][..], Node::items)
        {
            let script = step.get("run").and_then(Node::as_str).unwrap_or("");
            for line in script.lines() {
                let Some(target) = line.trim().strip_prefix("kubectl apply -k ") else {
                    continue;
                };
                let target = target.trim().trim_matches('"');
                let folder = match target.strip_prefix('$') {
                    Some(variable) => step
                        .at(&["env", variable])
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    None => target.to_owned(),
                };
                if !folder.is_empty() && !folders.contains(&folder) {
                    folders.push(folder);
                }
            }
        }
    }
    folders
}

/// Runs the renders; the error is Helm's.
fn render(python: &Path, dir: &Path, jobs: &str) -> Result<(), String> {
    if jobs.is_empty() {
        return Ok(());
    }
    use std::io::Write;
    let mut child = Command::new(python)
        .args(["-c", RENDER])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(jobs.as_bytes())
        .map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "helm could not render the charts: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Objects that hold for a whole namespace: a NetworkPolicy for every pod, quotas, limits.
fn namespace_wide(object: &Node) -> Option<String> {
    let name = object
        .at(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or("");
    let every_pod = object
        .at(&["spec", "podSelector"])
        .is_some_and(|s| s.entries().is_empty());
    match kind(object) {
        "NetworkPolicy" if every_pod => Some(format!("NetworkPolicy {name}")),
        "ResourceQuota" | "LimitRange" => Some(format!("{} {name}", kind(object))),
        _ => None,
    }
}

/// What `kubectl apply -k k8s/<environment>` sets for the whole namespace (the default-deny
/// policy, the quota) must reach the namespace by the deploy tool's paths too, from one of
/// them.
fn namespace_wide_objects(
    bundle: &Bundle,
    dir: &Path,
    key: &str,
    paths: &[Path_],
) -> Result<Outcome, String> {
    let mut outcome = Outcome::default();
    let mut wanted = Vec::new();
    for file in bundle.files() {
        if file.path.starts_with(&format!("k8s/{key}/")) && file.path.ends_with(".yaml") {
            let documents = parse(&file.contents).map_err(|e| format!("{}: {e:?}", file.path))?;
            wanted.extend(documents.iter().filter_map(namespace_wide));
        }
    }
    let mut delivered = Vec::new();
    let mut tool_paths = 0;
    for path in paths
        .iter()
        .filter(|p| p.kubectl.is_none() && p.name.starts_with(&format!("{key} ")))
    {
        tool_paths += 1;
        for file in &path.files {
            if let Some((_, documents)) = load(bundle, dir, file)? {
                delivered.extend(documents.iter().filter_map(namespace_wide));
            }
        }
    }
    for object in &wanted {
        outcome.check(tool_paths == 0 || delivered.contains(object), || {
            format!("kubectl apply -k k8s/{key} sets {object} for the namespace; the deploy tool's paths never create it")
        });
    }
    Ok(outcome)
}

/// One of a path's files, parsed: a render (`render:...`, by its output file) or a file of
/// the bundle (`bundle:PATH`).
fn load(bundle: &Bundle, dir: &Path, file: &str) -> Result<Option<(String, Vec<Node>)>, String> {
    let (name, text) = if let Some(plain) = file.strip_prefix("bundle:") {
        let text = bundle
            .get(plain)
            .map(|f| f.contents.clone())
            .unwrap_or_default();
        (plain.to_owned(), text)
    } else if let Some(job) = file.strip_prefix("render:") {
        let out = job.rsplit('\t').next().unwrap_or("");
        let text =
            fs::read_to_string(dir.join(out)).map_err(|e| format!("no render {out}: {e}"))?;
        (out.to_owned(), text)
    } else {
        return Ok(None);
    };
    let documents = parse(&text).map_err(|e| format!("{name}: {e:?}"))?;
    Ok(Some((name, documents)))
}

/// The Secrets the bundle's docs show how to make by hand.
fn secrets_by_hand(bundle: &Bundle) -> Vec<String> {
    let parsed: Vec<(&str, Vec<Node>)> = bundle
        .files()
        .iter()
        .filter(|f| f.path.ends_with(".yaml") && !f.path.contains("/templates/"))
        .filter_map(|f| Some((f.path.as_str(), parse(&f.contents).ok()?)))
        .collect();
    let yaml: Vec<(&str, &[Node])> = parsed.iter().map(|(p, d)| (*p, d.as_slice())).collect();
    let docs: Vec<&str> = bundle
        .files()
        .iter()
        .filter(|f| f.path.ends_with(".md"))
        .map(|f| f.contents.as_str())
        .collect();
    made_by_hand(&docs, &yaml)
}

fn check_path(
    bundle: &Bundle,
    dir: &Path,
    path: &Path_,
    by_hand: &[String],
    linted: &[Diagnostic],
) -> Result<Outcome, String> {
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    if let Some(folder) = &path.kubectl {
        let findings: Vec<String> = linted
            .iter()
            .filter(|d| matches!(d.code, "SX008" | "SX009" | "SX010" | "SX011"))
            .filter(|d| d.message.contains(&format!("apply -k {folder} ")))
            .map(|d| d.to_string())
            .collect();
        outcome.checks += 1;
        outcome.failures.extend(findings);
        return Ok(outcome);
    }

    let mut renders = Vec::new();
    for file in &path.files {
        renders.extend(load(bundle, dir, file)?);
    }
    let files: Vec<(&str, &[Node])> = renders
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let unit = Unit::new(path.how.clone(), Some(path.namespace.as_str()), &files);
    outcome.checks += unit.objects.len();
    for (rule, finding) in check_delivery(&unit, by_hand) {
        outcome.failures.push(format!(
            "{}: {} {} {}",
            finding.file, rule.code, rule.name, finding.message
        ));
    }
    Ok(outcome)
}
