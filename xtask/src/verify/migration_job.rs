//! The migration Job of every preset service with PostgreSQL (issue 22, item 5), on each path.
//!
//! - **Helm and Argo CD**: the chart rendered by the real Helm engine for each environment, with
//!   a new digest on every track as a deploy sets it. The Job must be a pre-install and
//!   pre-upgrade hook (Argo CD maps both to PreSync), deleted before the next one and once it
//!   succeeds; everything its pod needs (account, ConfigMap, Secret, an egress policy selecting
//!   it) must exist before it on a first install, so be a hook of a lower weight (a Secret made
//!   by hand, without a secrets store, is the one thing made before any deploy); it runs the
//!   image of the workload that takes the new version, with that workload's hardening, env
//!   names and config; no Service selects its pod; it runs the service's migration command.
//! - **kubectl**: `k8s/<env>/<service>-migration.yaml` holds the same Job outside the
//!   kustomization, and k8s/README.md deletes the last run, applies it and waits for it before
//!   the first `kubectl apply -k`.
//! - **Alembic, for real**: the full-stack backend's image laid out from its Dockerfile's
//!   runtime WORKDIR and COPY lines (over a source tree with the planner's migration), then the
//!   rendered Job's command and the runbook's undo run there against a real PostgreSQL.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use shipshape_core::migration::{Change, Request, plan, runner};
use shipshape_core::model::{AppService, PRESETS, Project, Runtime, SecretsProvider, Stage};
use shipshape_core::{Bundle, generate};

use super::services::Postgres;
use super::{Outcome, Report};

/// Renders one chart with one values file plus digests; prints the documents as JSON.
const RENDER: &str = "\
import json, sys, yaml
import helm_python as helm
chart, values_path, namespace = sys.argv[1:4]
with open(values_path) as handle:
    values = helm.values_from_yaml(handle.read())
image = values.setdefault('image', {})
image['digest'] = 'sha256:' + '1' * 64
image['digests'] = {track: 'sha256:' + str(n) * 64 for n, track in ((2, 'blue'), (3, 'green'), (4, 'stable'), (5, 'canary'))}
# The first deploy writes `terraform output -json database` in (docs/RUNBOOK.md); charts
# without a rotated database password ignore it.
values.setdefault('externalSecret', {})['database'] = {'host': 'db.example.internal', 'masterSecretArn': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0'}
rendered = helm.Chart.load(chart).render(values, name=chart.rstrip('/').split('/')[-1], namespace=namespace)
print(json.dumps([d for p, t in sorted(rendered.items()) if p.endswith('.yaml') for d in yaml.safe_load_all(t) if d]))
";

pub(super) fn cases(
    report: &mut Report,
    python: &Path,
    root: &Path,
    out: &Path,
) -> Result<(), String> {
    for preset in PRESETS {
        let project = preset.project();
        let mut bundle = None;
        for service in &project.services {
            if !service.uses_postgres {
                continue;
            }
            let name = format!("migration-job {}/{}", preset.name, service.name);
            if !report.wants(&name) {
                continue;
            }
            let bundle = bundle.get_or_insert_with(|| generate(&project));
            let dir = out.join(preset.name);
            report.case(&name, || {
                paths(python, &project, service, bundle, &dir.join(&service.name))
            });
        }
    }
    let name = "migration-job fullstack-fastapi-react/backend: Alembic runs in the image";
    if report.wants(name) {
        // The apps' virtualenv (tools.toml [pypi-apps]) has Alembic, SQLAlchemy and psycopg.
        let pins = crate::tools::pinned_packages(root, "pypi-apps")?;
        let venv = crate::tools::ensure_venv(&crate::tools::cache_dir()?, "snippet-python", &pins)?;
        report.case(name, || alembic(&venv.join("bin"), &out.join("alembic")));
    }
    Ok(())
}

fn text<'a>(bundle: &'a Bundle, path: &str) -> Result<&'a str, String> {
    bundle
        .get(path)
        .map(|file| file.contents.as_str())
        .ok_or_else(|| format!("the bundle has no {path}"))
}

fn write(bundle: &Bundle, dir: &Path) -> Result<(), String> {
    for file in bundle.files() {
        let path = dir.join(&file.path);
        fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(|e| e.to_string())?;
        fs::write(&path, &file.contents).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn render(
    python: &Path,
    dir: &Path,
    bundle: &Bundle,
    service: &str,
    stage: Stage,
    ns: &str,
) -> Result<Vec<Value>, String> {
    write(bundle, dir)?;
    let chart = dir.join("charts").join(service);
    let values = chart.join("values").join(format!("{}.yaml", stage.key()));
    let output = Command::new(python)
        .args(["-c", RENDER])
        .arg(&chart)
        .arg(&values)
        .arg(ns)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "render failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("render is not JSON: {e}"))
}

fn s<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn annotation<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Whether `labels` has every pair of `selector`.
fn selects(selector: &Value, labels: &Value) -> bool {
    selector.as_object().is_some_and(|pairs| {
        !pairs.is_empty() && pairs.iter().all(|(k, v)| labels.get(k) == Some(v))
    })
}

/// The hook weight of a pre-install hook, or None for an object of the release itself.
fn first_install_weight(doc: &Value) -> Option<i64> {
    annotation(doc, "helm.sh/hook")
        .split(',')
        .any(|h| h == "pre-install")
        .then(|| annotation(doc, "helm.sh/hook-weight").parse().unwrap_or(0))
}

fn paths(
    python: &Path,
    project: &Project,
    service: &AppService,
    bundle: &Bundle,
    dir: &Path,
) -> Result<Outcome, String> {
    let mut outcome = Outcome::default();
    let name = &service.name;
    let up: Vec<&str> = runner(service).up.to_vec();
    for stage in Stage::ALL {
        let ns = &project.environment(stage).namespace;
        let env = stage.key();
        let docs = render(python, dir, bundle, name, stage, ns)?;
        outcome.processes += 1;
        let find = |kind: &str, name: &str| {
            docs.iter()
                .find(|d| s(d, "/kind") == kind && s(d, "/metadata/name") == name)
        };
        let jobs: Vec<&Value> = docs.iter().filter(|d| s(d, "/kind") == "Job").collect();
        outcome.check(jobs.len() == 1, || {
            format!(
                "{env}: the chart renders {} Jobs, not one migration Job",
                jobs.len()
            )
        });
        let Some(job) = jobs.first() else { continue };
        let hooks = annotation(job, "helm.sh/hook");
        outcome.check(
            hooks.contains("pre-install") && hooks.contains("pre-upgrade"),
            || format!("{env}: the Job's helm.sh/hook is {hooks:?}"),
        );
        let policy = annotation(job, "helm.sh/hook-delete-policy");
        outcome.check(
            policy.contains("before-hook-creation") && policy.contains("hook-succeeded"),
            || format!("{env}: hook-delete-policy {policy:?}"),
        );
        for field in [
            "backoffLimit",
            "activeDeadlineSeconds",
            "ttlSecondsAfterFinished",
        ] {
            outcome.check(
                job.pointer(&format!("/spec/{field}"))
                    .is_some_and(Value::is_u64),
                || format!("{env}: the Job has no {field}"),
            );
        }
        let weight = first_install_weight(job).unwrap_or(0);
        let pod = &job["spec"]["template"]["spec"];
        let labels = &job["spec"]["template"]["metadata"]["labels"];
        let container = &pod["containers"][0];
        // What the pod needs, and whether it exists before the Job on a first install.
        let before = |doc: Option<&Value>| {
            doc.and_then(first_install_weight)
                .is_some_and(|w| w < weight)
        };
        let account = s(pod, "/serviceAccountName");
        outcome.check(before(find("ServiceAccount", account)), || {
            format!(
                "{env}: ServiceAccount {account} does not exist before the Job on a first install"
            )
        });
        let config = s(container, "/envFrom/0/configMapRef/name");
        outcome.check(before(find("ConfigMap", config)), || {
            format!("{env}: ConfigMap {config} does not exist before the Job on a first install")
        });
        let secret = s(container, "/env/0/valueFrom/secretKeyRef/name").to_owned();
        let by_hand = project.secrets_provider == SecretsProvider::None;
        let made = docs
            .iter()
            .find(|d| s(d, "/kind") == "ExternalSecret" && s(d, "/spec/target/name") == secret);
        outcome.check(by_hand || before(made), || {
            format!("{env}: Secret {secret} is not made before the Job on a first install")
        });
        let egress = docs.iter().find(|d| {
            s(d, "/kind") == "NetworkPolicy"
                && selects(&d["spec"]["podSelector"]["matchLabels"], labels)
        });
        outcome.check(before(egress), || {
            format!("{env}: no NetworkPolicy lets the Job's pod out before it runs (default deny)")
        });
        // The workload taking the new version: the colour the Service selects, the canary,
        // else the only one.
        let service_doc = find("Service", name).ok_or("no Service")?;
        let selector = &service_doc["spec"]["selector"];
        outcome.check(!selects(selector, labels), || {
            format!("{env}: the Service {name} selects the migration pod")
        });
        let workloads: Vec<&Value> = docs
            .iter()
            .filter(|d| matches!(s(d, "/kind"), "Deployment" | "Rollout"))
            .collect();
        let new = workloads
            .iter()
            .find(|d| s(d, "/metadata/name").ends_with("-canary"))
            .or_else(|| {
                workloads.iter().find(|d| {
                    selects(selector, &d["spec"]["template"]["metadata"]["labels"])
                        && !s(d, "/metadata/labels/version").is_empty()
                })
            })
            .or(workloads.first())
            .ok_or("no workload")?;
        let app_pod = &new["spec"]["template"]["spec"];
        let app = &app_pod["containers"][0];
        let image = s(container, "/image");
        outcome.check(
            image == s(app, "/image") && image.contains("@sha256:"),
            || {
                format!(
                    "{env}: the Job runs {image}, the new pods {}",
                    s(app, "/image")
                )
            },
        );
        outcome.check(
            pod["securityContext"] == app_pod["securityContext"]
                && container["securityContext"] == app["securityContext"],
            || format!("{env}: the Job's pod is not hardened as the app's"),
        );
        let names = |c: &Value| {
            c["env"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|e| s(e, "/name").to_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        outcome.check(names(container) == names(app), || {
            format!(
                "{env}: env {:?}, the app's {:?}",
                names(container),
                names(app)
            )
        });
        let app_config = find("ConfigMap", s(app, "/envFrom/0/configMapRef/name"));
        outcome.check(
            find("ConfigMap", config).map(|c| &c["data"]) == app_config.map(|c| &c["data"]),
            || format!("{env}: the Job's config differs from the app's"),
        );
        let command: Vec<&str> = container["command"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        outcome.check(command == up, || {
            format!("{env}: the Job runs {command:?}, not {up:?}")
        });
        // kubectl: the same Job in its own file, outside the kustomization, run first.
        let file = format!("k8s/{env}/{name}-migration.yaml");
        let manifests = text(bundle, &file).unwrap_or_default();
        outcome.check(
            manifests.contains("kind: Job") && manifests.contains(&format!("- {}", up[0])),
            || format!("{file}: no migration Job"),
        );
        let kustomization = text(bundle, &format!("k8s/{env}/kustomization.yaml"))?;
        outcome.check(!kustomization.contains("-migration.yaml"), || {
            format!(
                "k8s/{env}/kustomization.yaml lists the Job: re-applying it with a new image fails"
            )
        });
        let readme = text(bundle, "k8s/README.md")?;
        // Each step, as written, or (with the rotated RDS password) through envsubst.
        let steps = [
            [
                format!("kubectl -n {ns} delete job {name}-migration --ignore-not-found"),
                String::new(),
            ],
            [
                format!("kubectl apply -f {file}"),
                format!("< {file} | kubectl apply -f -"),
            ],
            [
                format!("kubectl -n {ns} wait --for=condition=complete job/{name}-migration"),
                String::new(),
            ],
            [
                format!("kubectl apply -k k8s/{env}\n"),
                format!("kubectl kustomize k8s/{env} | envsubst"),
            ],
        ];
        let at: Vec<Option<usize>> = steps
            .iter()
            .map(|[step, or]| {
                readme
                    .find(step.as_str())
                    .or_else(|| (!or.is_empty()).then(|| readme.find(or.as_str())).flatten())
            })
            .collect();
        outcome.check(
            at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]),
            || {
                format!(
                    "k8s/README.md does not run {file} before kubectl apply -k k8s/{env} ({at:?})"
                )
            },
        );
    }
    Ok(outcome)
}

/// The full-stack backend's migration, run as its image would run it.
fn alembic(bin: &Path, dir: &Path) -> Result<Outcome, String> {
    let mut outcome = Outcome::default();
    let project = shipshape_core::model::preset("fullstack-fastapi-react")
        .ok_or("no preset")?
        .project();
    let service = project
        .services
        .iter()
        .find(|s| s.name == "backend")
        .ok_or("no backend")?;
    if service.runtime != Runtime::Python {
        return Err("the backend is not Python".into());
    }
    let bundle = generate(&project);
    let _ = fs::remove_dir_all(dir);
    // The service's folder as its repository holds it: Alembic's files and the planner's
    // migration, over a table the app made before.
    let source = dir.join("source");
    let request = Request {
        change: Change::AddNullableColumn,
        table: "orders".into(),
        column: "note".into(),
        column_type: "text".into(),
        new_name: String::new(),
    };
    let planned = plan(service, &request).map_err(|(_, why)| why)?;
    let mut files: Vec<(String, String)> = vec![
        (
            "alembic.ini".into(),
            "[alembic]\nscript_location = migrations\n".into(),
        ),
        ("migrations/env.py".into(), ENV_PY.into()),
        ("app/main.py".into(), "app = None\n".into()),
    ];
    for (path, text) in &planned.files {
        files.push((path.trim_start_matches("backend/").to_owned(), text.clone()));
    }
    for (path, text) in &files {
        let path = source.join(path);
        fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        fs::write(&path, text).map_err(|e| e.to_string())?;
    }
    // The runtime stage's WORKDIR and the files it copies from the build stage (whose
    // WORKDIR /app holds the source).
    let dockerfile = text(&bundle, "backend/Dockerfile")?;
    let runtime = dockerfile
        .split(" AS runtime\n")
        .nth(1)
        .ok_or("no runtime stage")?;
    let workdir = runtime
        .lines()
        .find_map(|l| l.strip_prefix("WORKDIR "))
        .ok_or("no WORKDIR")?;
    let image = dir.join("image");
    let root = image.join(workdir.trim_start_matches('/'));
    fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    for line in runtime
        .lines()
        .filter(|l| l.starts_with("COPY --from=build "))
    {
        let parts: Vec<&str> = line
            .split_whitespace()
            .filter(|p| !p.starts_with("--"))
            .collect();
        let (from, to) = (parts[1], parts[2]);
        let from = source.join(from.trim_start_matches("/app/"));
        let to = if to.ends_with('/') {
            root.join(to).join(from.file_name().unwrap())
        } else {
            root.join(to)
        };
        outcome.check(from.exists(), || {
            format!("COPY {} finds nothing", from.display())
        });
        crate::run::status(Command::new("cp").arg("-r").arg(&from).arg(&to))?;
    }
    let postgres = Postgres::start(&dir.join("db"))?;
    outcome.processes += 1;
    postgres.psql("app", "CREATE TABLE orders (id bigserial PRIMARY KEY)")?;
    let url = postgres.url();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[String]| -> Result<(bool, String), String> {
        let out = Command::new(&args[0])
            .args(&args[1..])
            .current_dir(&root)
            .env("PATH", &path)
            .env("DATABASE_URL", &url)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {args:?}: {e}"))?;
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        Ok((out.status.success(), text))
    };
    let columns = || {
        postgres.psql("app", "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'orders'")
    };
    // The rendered Job's command, with Kubernetes' $(VAR) expansion.
    let manifests = text(&bundle, "k8s/production/backend-migration.yaml")?;
    let command: Vec<String> = manifests
        .split("command:\n")
        .nth(1)
        .ok_or("no command in the Job")?
        .lines()
        .map_while(|l| l.trim_start().strip_prefix("- "))
        .map(|arg| arg.replace("$(DATABASE_URL)", &url))
        .collect();
    let (ok, log) = run(&command)?;
    outcome.processes += 1;
    outcome.check(ok, || {
        format!("{command:?} failed in the image's layout:\n{log}")
    });
    let after = columns()?;
    outcome.check(after.trim() == "id,note", || {
        format!("after the Job: orders has {after:?}")
    });
    // The runbook's undo, as `kubectl exec` runs it in the pod.
    let runbook = text(&bundle, "docs/RUNBOOK.md")?;
    let undo = runbook
        .lines()
        .find_map(|l| {
            l.split_once("-- sh -c '")
                .map(|(_, rest)| rest.trim_end_matches('\''))
        })
        .ok_or("the runbook runs no undo")?;
    let (ok, log) = run(&["sh".into(), "-c".into(), undo.into()])?;
    outcome.processes += 1;
    outcome.check(ok, || format!("the runbook's {undo:?} failed:\n{log}"));
    let undone = columns()?;
    outcome.check(undone.trim() == "id", || {
        format!("after the undo: orders has {undone:?}")
    });
    Ok(outcome)
}

/// A minimal Alembic environment reading DATABASE_URL, as an app's env.py does.
const ENV_PY: &str = "import os
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(os.environ['DATABASE_URL'])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
";
