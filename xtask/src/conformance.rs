//! `cargo xtask conformance`: every preset's generated files through the real validators.
//!
//! The CLI writes each preset's bundle into target/conformance/<preset>/, then each tool runs
//! once over all files of its kind. Any finding fails the run; the summary prints the tool
//! versions and how many files each checked.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{cargo, output};
use crate::tools::Toolchain;

pub fn run(toolchain: &Toolchain, root: &Path) -> Result<(), String> {
    toolchain.run(cargo(root).args(["build", "--quiet", "-p", "shipshape-cli"]))?;
    let cli = root.join("target/debug/shipshape");
    let out = root.join("target/conformance");
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let listing = output(Command::new(&cli).arg("presets"))?;
    let presets: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    if presets.is_empty() {
        return Err("the CLI listed no presets".into());
    }
    for preset in &presets {
        output(
            Command::new(&cli)
                .args(["generate", "--preset", preset, "--out"])
                .arg(out.join(preset)),
        )?;
    }

    let workflows = files_named(&out, |name| {
        name.ends_with(".yml") && !name.starts_with("docker-compose")
    })?;
    let composes = files_named(&out, |name| name == "docker-compose.yml")?;
    let dockerfiles = files_named(&out, |name| name == "Dockerfile")?;
    let manifests = files_named(&out, |name| {
        name.ends_with(".yaml") && name != "kustomization.yaml"
    })?
    .into_iter()
    .filter(|path| path.components().any(|c| c.as_os_str() == "k8s"))
    .collect::<Vec<_>>();
    let kustomizations = files_named(&out, |name| name == "kustomization.yaml")?;
    let terraform = files_named(&out, |name| {
        name.ends_with(".tf") || name.ends_with(".tfvars") || name.ends_with(".tfbackend")
    })?;
    let yaml: Vec<PathBuf> = workflows
        .iter()
        .chain(&composes)
        .chain(&manifests)
        .chain(&kustomizations)
        .cloned()
        .collect();

    println!(
        "conformance: {} presets, {} workflows, {} compose files, {} Dockerfiles, {} manifests",
        presets.len(),
        workflows.len(),
        composes.len(),
        dockerfiles.len(),
        manifests.len()
    );
    let validator = |name: &str| toolchain.validator(name);
    toolchain.actionlint(&workflows)?;
    toolchain.run(
        Command::new(validator("check-jsonschema")?)
            .args(["--builtin-schema", "vendor.github-workflows"])
            .args(&workflows),
    )?;
    toolchain.run(
        Command::new(validator("check-jsonschema")?)
            .args(["--builtin-schema", "vendor.compose-spec"])
            .args(&composes),
    )?;
    // Strictest threshold: style and info findings fail too.
    toolchain.run(
        Command::new(validator("hadolint")?)
            .args(["--failure-threshold", "style"])
            .args(&dockerfiles),
    )?;
    // Every core-kind document against Kubernetes 1.33's schemas; --strict refuses unknown
    // fields. Istio and Argo Rollouts kinds have no schema here and are reported as skipped.
    toolchain.run(
        Command::new(validator("kubernetes-validate")?)
            .args(["--strict", "--kubernetes-version", "1.33.0", "--quiet"])
            .args(&manifests),
    )?;
    // Every Terraform file through python-hcl2's parser (no terraform binary runs here).
    toolchain.run(
        Command::new(validator("python")?)
            .args(["-c", HCL_PARSE])
            .args(&terraform),
    )?;
    // Default rules, and --strict so warnings fail as well as errors.
    toolchain.run(
        Command::new(validator("yamllint")?)
            .arg("--strict")
            .args(&yaml),
    )?;

    println!("\nconformance summary (zero findings from every tool):");
    let rows = [
        (
            "actionlint",
            "-version",
            format!("{} workflows", workflows.len()),
        ),
        ("shellcheck", "--version", "every run: script".to_owned()),
        (
            "check-jsonschema",
            "--version",
            format!(
                "{} workflows and compose files",
                workflows.len() + composes.len()
            ),
        ),
        (
            "hadolint",
            "--version",
            format!("{} Dockerfiles", dockerfiles.len()),
        ),
        (
            "kubernetes-validate",
            "--version",
            format!("{} manifests, Kubernetes 1.33, --strict", manifests.len()),
        ),
        (
            "python-hcl2",
            "-c",
            format!("{} Terraform files parsed", terraform.len()),
        ),
        (
            "yamllint",
            "--version",
            format!("{} YAML files", yaml.len()),
        ),
    ];
    for (tool, flag, checked) in rows {
        println!(
            "  {:<56} {checked}",
            toolchain.validator_version(tool, flag)
        );
    }
    Ok(())
}

/// Parses each file named on the command line with python-hcl2; any error names the file.
const HCL_PARSE: &str = "\
import sys, hcl2
for path in sys.argv[1:]:
    with open(path) as handle:
        try:
            hcl2.load(handle)
        except Exception as error:
            sys.exit(f'{path}: {error}')
print(f'python-hcl2: {len(sys.argv) - 1} files parsed')
";

/// Every file below `dir` whose name passes `keep`, sorted.
pub fn files_named(dir: &Path, keep: impl Fn(&str) -> bool + Copy) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            found.extend(files_named(&path, keep)?);
        } else if path.file_name().and_then(|n| n.to_str()).is_some_and(keep) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}
