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
    // The full stack once more with every other secrets store and with Helm deploys, so each
    // provider's SecretStore, ExternalSecret and chart go through the validators too.
    let settings = output(Command::new(&cli).args(["settings", "--preset", FULL_STACK]))?;
    let provider = "secrets_provider: aws-secrets-manager";
    let variants = [
        ("none", provider, "secrets_provider: none"),
        ("vault", provider, "secrets_provider: vault"),
        (
            "azure-key-vault",
            provider,
            "secrets_provider: azure-key-vault",
        ),
        (
            "gcp-secret-manager",
            provider,
            "secrets_provider: gcp-secret-manager",
        ),
        ("helm", "deploy_tool: argo-cd", "deploy_tool: helm"),
    ];
    for (name, from, to) in variants {
        let varied = settings.replace(from, to);
        if varied == settings {
            return Err(format!(
                "the {FULL_STACK} settings no longer contain {from:?}"
            ));
        }
        let dir = out.join(format!("{FULL_STACK}+{name}"));
        fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // The settings are the input, kept beside the output so only generated files are checked.
        let file = out.with_file_name(format!("conformance-{FULL_STACK}+{name}.yaml"));
        fs::write(&file, varied).map_err(|e| e.to_string())?;
        output(
            Command::new(&cli)
                .arg("generate")
                .arg("--settings")
                .arg(&file)
                .arg("--out")
                .arg(&dir),
        )?;
    }

    let in_folder = |paths: Vec<PathBuf>, folder: &str| -> Vec<PathBuf> {
        paths
            .into_iter()
            .filter(|path| path.to_string_lossy().contains(folder))
            .collect()
    };
    let workflows = in_folder(
        files_named(&out, |name| name.ends_with(".yml"))?,
        "/.github/workflows/",
    );
    let dependabot = files_named(&out, |name| name == "dependabot.yml")?;
    let rulesets = in_folder(
        files_named(&out, |name| name.ends_with(".json"))?,
        "/.github/rulesets/",
    );
    if dependabot.len() != rulesets.len() / 2 || rulesets.is_empty() {
        return Err(format!(
            "expected one dependabot.yml and two rulesets per bundle, found {} and {}",
            dependabot.len(),
            rulesets.len()
        ));
    }
    let yamllint_configs = files_named(&out, |name| name == ".yamllint.yaml")?;
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
    let argocd = files_named(&out, |name| name.ends_with(".yaml"))?
        .into_iter()
        .filter(|path| path.to_string_lossy().contains("/argocd/"))
        .collect::<Vec<_>>();
    // Chart.yaml and the values files; templates are Go templates, not YAML.
    let chart_yaml = files_named(&out, |name| name.ends_with(".yaml"))?
        .into_iter()
        .filter(|path| {
            let text = path.to_string_lossy();
            text.contains("/charts/") && !text.contains("/templates/")
        })
        .collect::<Vec<_>>();
    let yaml: Vec<PathBuf> = workflows
        .iter()
        .chain(&composes)
        .chain(&manifests)
        .chain(&kustomizations)
        .chain(&chart_yaml)
        .chain(&argocd)
        .chain(&dependabot)
        .chain(&yamllint_configs)
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
    // GitHub publishes no JSON schema for rulesets; ours follows its REST API's request body
    // and refuses unknown keys.
    let ruleset_schema = root.join("xtask/schemas/github-ruleset.json");
    let schemas: [(&str, &std::ffi::OsStr, &[PathBuf]); 4] = [
        (
            "--builtin-schema",
            "vendor.github-workflows".as_ref(),
            &workflows,
        ),
        (
            "--builtin-schema",
            "vendor.compose-spec".as_ref(),
            &composes,
        ),
        (
            "--builtin-schema",
            "vendor.dependabot".as_ref(),
            &dependabot,
        ),
        ("--schemafile", ruleset_schema.as_os_str(), &rulesets),
    ];
    for (flag, schema, files) in schemas {
        toolchain.run(
            Command::new(validator("check-jsonschema")?)
                .arg(flag)
                .arg(schema)
                .args(files),
        )?;
    }
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
    // Every chart: helm lint --strict with each environment's values, then an offline render
    // compared object by object with k8s/<environment>/<service>.yaml. The renders are written
    // next to the bundle and go through kubernetes-validate below with the other manifests.
    toolchain.run(
        Command::new(validator("python")?)
            .args(["-c", HELM_CHECK])
            .arg(&out),
    )?;
    let renders = files_named(&out, |name| name.starts_with("helm-render-"))?;
    toolchain.run(
        Command::new(validator("kubernetes-validate")?)
            .args(["--strict", "--kubernetes-version", "1.33.0", "--quiet"])
            .args(&renders),
    )?;
    // The Grafana dashboards are JSON; the Python and Node.js snippets must at least compile.
    let dashboards = in_folder(
        files_named(&out, |name| name.ends_with(".json"))?,
        "/observability/",
    );
    let python_snippets = files_named(&out, |name| name == "observability.py")?;
    let node_snippets = files_named(&out, |name| name == "observability.js")?;
    toolchain.run(
        Command::new(validator("python")?)
            .args(["-c", JSON_PARSE])
            .args(&dashboards),
    )?;
    toolchain.run(
        Command::new(validator("python")?)
            .args(["-m", "py_compile"])
            .args(&python_snippets),
    )?;
    for snippet in &node_snippets {
        toolchain.run(Command::new("node").arg("--check").arg(snippet))?;
    }
    // Every Terraform file through python-hcl2's parser (no terraform binary runs here).
    toolchain.run(
        Command::new(validator("python")?)
            .args(["-c", HCL_PARSE])
            .args(&terraform),
    )?;
    // zizmor's offline audits over the workflows and Dependabot configs: zero findings at its
    // default persona (its pedantic one only adds "permissions without a comment" hints).
    toolchain.run(
        Command::new(validator("zizmor")?)
            .args(["--offline", "--format", "plain"])
            .args(&workflows)
            .args(&dependabot),
    )?;
    // Each bundle with its own .yamllint.yaml (default rules, 120 columns), as the user's
    // repository runs it, and --strict so warnings fail as well as errors.
    for config in &yamllint_configs {
        let bundle = config.parent().expect("a config is inside its bundle");
        let files: Vec<&PathBuf> = yaml.iter().filter(|f| f.starts_with(bundle)).collect();
        toolchain.run(
            Command::new(validator("yamllint")?)
                .arg("--strict")
                .arg("--config-file")
                .arg(config)
                .args(files),
        )?;
    }
    if yamllint_configs.len() != dependabot.len() {
        return Err(format!(
            "expected a .yamllint.yaml per bundle: {} bundles, {} configs",
            dependabot.len(),
            yamllint_configs.len()
        ));
    }

    let checkov = crate::checkov::run(toolchain, &out)?;

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
                "{} workflows, compose files, Dependabot configs and rulesets",
                workflows.len() + composes.len() + dependabot.len() + rulesets.len()
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
            "helm-python-sdk",
            "-c",
            "helm lint --strict, render equal to k8s/".to_owned(),
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
        (
            "zizmor",
            "--version",
            format!(
                "{} workflows and {} Dependabot configs",
                workflows.len(),
                dependabot.len()
            ),
        ),
    ];
    for (tool, flag, checked) in rows {
        println!(
            "  {:<56} {checked}",
            toolchain.validator_version(tool, flag)
        );
    }
    println!(
        "  {:<56} {checkov}",
        "checkov (policy scanner, see checkov.rs)"
    );
    Ok(())
}

/// Lints and renders every chart below the folder given, for each environment, and compares
/// the rendered objects with the Kubernetes generator's; any difference fails.
const HELM_CHECK: &str = "\
import glob, json, os, sys, yaml
import helm_python as helm
out, failures, compared, charts = sys.argv[1], 0, 0, 0
for chart in sorted(glob.glob(os.path.join(out, '*', 'charts', '*'))):
    charts += 1
    bundle, service = os.path.dirname(os.path.dirname(chart)), os.path.basename(chart)
    for environment in ('staging', 'production'):
        expected = []
        for name in (service + '.yaml', service + '-secret.yaml', service + '-migration.yaml'):
            path = os.path.join(bundle, 'k8s', environment, name)
            if os.path.exists(path):
                with open(path) as handle:
                    expected += [doc for doc in yaml.safe_load_all(handle) if doc]
        namespace = expected[0]['metadata']['namespace']
        with open(os.path.join(chart, 'values', environment + '.yaml')) as handle:
            values = helm.values_from_yaml(handle.read())
        database = values.get('externalSecret', {}).get('database')
        if database is not None:
            # Until the runbook writes `terraform output database` in, the chart must refuse.
            try:
                helm.Chart.load(chart).render(values, name=service, namespace=namespace)
                failures += 1
                print(f'{chart} ({environment}): renders with no database host')
            except Exception as error:
                if 'terraform output -json database' not in str(error):
                    failures += 1
                    print(f'{chart} ({environment}): unclear error without a database host: {error}')
            # As written in: the manifests hold the variables envsubst fills (k8s/README.md).
            database.update(host='${DATABASE_HOST}', masterSecretArn='${DATABASE_MASTER_SECRET_ARN}')
        report = helm.lint(chart, values, strict=True, kube_version='v1.33.0')
        findings = [m for m in report['messages'] if m['severity'] >= 2] + list(report.get('errors') or [])
        if findings:
            failures += 1
            print(f'helm lint {chart} ({environment}): {findings}')
        rendered = helm.Chart.load(chart).render(values, name=service, namespace=namespace)
        got = [doc for path, text in sorted(rendered.items()) if path.endswith('.yaml') for doc in yaml.safe_load_all(text) if doc]
        # The migration's hook annotations are Helm's alone; k8s/ runs the same objects by hand.
        for doc in got:
            notes = doc['metadata'].get('annotations') or {}
            if 'helm.sh/hook' in notes:
                doc['metadata']['annotations'] = {k: v for k, v in notes.items() if not k.startswith('helm.sh/hook')}
                if not doc['metadata']['annotations']:
                    del doc['metadata']['annotations']
        with open(os.path.join(bundle, f'helm-render-{service}-{environment}.yaml'), 'w') as handle:
            yaml.safe_dump_all(got, handle)
        key = lambda doc: (doc['kind'], doc['metadata']['name'])
        want, have = {key(d): d for d in expected}, {key(d): d for d in got}
        for missing in sorted(set(want) ^ set(have)):
            failures += 1
            print(f'{chart} ({environment}): {missing} is only in the ' + ('chart' if missing in have else 'manifests'))
        for name in sorted(set(want) & set(have)):
            compared += 1
            if want[name] != have[name]:
                failures += 1
                print(f'{chart} ({environment}): {name} differs')
                print('  manifests:', json.dumps(want[name], sort_keys=True))
                print('  chart:    ', json.dumps(have[name], sort_keys=True))
print(f'helm: {charts} charts linted for 2 environments, {compared} rendered objects equal to the manifests')
sys.exit(1 if failures else 0)
";

/// The preset varied over every secrets store and deploy tool.
const FULL_STACK: &str = "fullstack-fastapi-react";

/// Parses each file named on the command line as JSON.
const JSON_PARSE: &str = "\
import json, sys
for path in sys.argv[1:]:
    with open(path) as handle:
        json.load(handle)
print(f'json: {len(sys.argv) - 1} Grafana dashboards parsed')
";

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
