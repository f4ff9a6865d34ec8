//! `cargo xtask verify`: run what the generated files set up, where this machine can run it,
//! and fail on what would break on first use. Validators read files; this starts processes.
//!
//! Cases so far:
//! - **nginx** serving each static or single-page service the way its image does: the server
//!   configuration its Dockerfile puts in place (the bundle's `nginx.conf`, or the image's stock
//!   one when the Dockerfile copies none), with the port and health paths read from the
//!   Dockerfile's HEALTHCHECK and every environment's probes. The health paths must answer
//!   200, a client-side route `index.html`, a hashed asset with a year-long cache, a missing asset
//!   404, and responses carry the security headers.
//!
//! - **deploy scripts**: every deploy job of every preset's workflows, run in bash -e as the
//!   runner would, with a real git and a local bare remote for the repository, and stand-in
//!   `kubectl`, `helm`, `argocd`, `yq` and `sleep` that keep a small model of the cluster, Argo CD
//!   and Argo Rollouts on a simulated clock (`xtask/standins/cluster.py`): the first deploy, the
//!   same digest again, a new digest after it, the runbook's rollbacks, canary steps and a
//!   failing canary, racing deploys and pushes, and a GitOps deploy without cluster credentials
//!   (`deploy.rs` lists them). Each must leave every client of the Service on the image it
//!   should run, the remote and the cluster agreeing.
//!
//! - **snippets** (`snippets.rs`): the generated metrics and health snippets in minimal real
//!   FastAPI, Express and axum apps, against a real PostgreSQL and Redis (`services.rs`):
//!   readiness 200 with both up and 503 while either is stopped, liveness 200 throughout,
//!   `/metrics` with the series and labels the alerts and the dashboard query.
//!
//! - **migration** (`migration.rs`): every plan of the migration planner, for every tool,
//!   applied phase by phase to a real PostgreSQL while the old and new versions' queries run
//!   as the plan claims, each undo too, and an interrupted index build retried.
//!
//! - **migration Job** (`migration_job.rs`): each service with PostgreSQL migrates before its
//!   new pods on every path: the chart's hooks rendered by the real Helm engine (for Helm and
//!   Argo CD, on a first install too), the kubectl file and commands, and Alembic run for real
//!   in the layout its Dockerfile makes.
//!
//! - **references** (`references.rs`): the reference rules (SX008-SX010) on each delivery
//!   path with the charts rendered by the real Helm engine: kubectl, Helm from CI (with what
//!   the deploy jobs apply first) and the Argo CD Applications of each environment together;
//!   and what holds for a whole namespace (default-deny, quota) arrives by every path.
//!
//! - **postgres** (`volumes.rs`): the in-cluster PostgreSQL's data directory on a volume laid
//!   out as a new one arrives (root's, `lost+found`, group set by fsGroup), initialised by the
//!   real initdb as an unprivileged user.
//!
//! Everything runs on loopback, every wait is bounded, and what a case starts it stops. A case
//! listed in `EXPECTED_FAILURES` must fail, with the issue that fixes it; when it passes the
//! run fails until the entry is removed, so the list cannot go stale.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shipshape_core::model::{PRESETS, Project, Runtime, Stage};
use shipshape_core::rules::kubernetes::containers;
use shipshape_core::rules::yaml::{Node, parse};
use shipshape_core::{Bundle, generate};

use crate::http::{free_port, get};
use crate::tools::Toolchain;

mod deploy;
mod gate;
mod migration;
mod migration_job;
mod references;
pub(crate) mod services;
mod snippets;
mod volumes;

/// Cases known to fail today, by name (a prefix, where `*` stands for any text), with the
/// issue that fixes them.
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    // The migration planner's own defects, found by this harness and named in no issue yet:
    // tracked in issue 21's closing note until one is filed; fixed with issue 22's migrations.
    // Phase 3 validates its CHECK in the transaction that added it, under ACCESS EXCLUSIVE, and
    // the backfill's NULL placeholder, run as written, never stops updating.
    ("migration add-not-null-column", "issue 22"),
    // Code reading and writing only the new column cannot insert (the old column stays NOT
    // NULL), old pods read stale values, the new column loses NOT NULL, an empty type makes it text.
    ("migration rename-column", "issue 22"),
    // The same, and phase 3's name swap breaks the code it just deployed (total_cents_new vanishes).
    ("migration change-column-type", "issue 22"),
    // The Istio canary's GitOps deploy still applies its steps with kubectl, so it needs the
    // cluster; its weights move into the chart with the canary's fix (issue 23, item 10).
    (
        "deploy go-api/api deploy-production: without cluster credentials",
        "issue 23",
    ),
    // Istio canary, first deploy: step 1's VirtualService routes to subsets no DestinationRule
    // defines yet (only <service>-mesh.yaml, applied last, does): mesh requests get 503.
    ("deploy go-api/api deploy-staging: first deploy", "issue 23"),
    (
        "deploy go-api/api deploy-production: first deploy",
        "issue 23",
    ),
    // Istio canary: ingress-nginx sends public traffic to the Service's endpoints, canary pods
    // included, past the VirtualService: 33% before step 1, and still after a revert.
    (
        "deploy go-api/api deploy-production: canary steps",
        "issue 23",
    ),
    (
        "deploy go-api/api deploy-production: roll back with git revert",
        "issue 23",
    ),
    // The runbook's "all traffic back to stable" undoes nothing once stable runs the new image;
    // for Argo Rollouts it names a file the bundle lacks (k8s/<env>/<service>-mesh.yaml).
    (
        "deploy * deploy-production: roll back with kubectl apply",
        "issue 24",
    ),
    // No analysis anywhere: a canary answering with errors is promoted to 100%.
    (
        "deploy * deploy-production: canary answers with errors",
        "issue 24",
    ),
    // Argo Rollouts without traffic routing: the weights are replica counts; with 2 replicas the
    // 5% and 25% steps send 33%.
    (
        "deploy dotnet-api/api deploy-production: canary steps",
        "issue 23",
    ),
];

/// Whether `name` starts with `pattern`, where each `*` of the pattern stands for any text.
fn matches_pattern(name: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(rest) = parts.next().and_then(|first| name.strip_prefix(first)) else {
        return false;
    };
    let mut rest = rest;
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// How long nginx may take to answer after it starts.
const START_LIMIT: Duration = Duration::from_secs(15);

/// Runs every case, or with `filter` only those whose name contains it.
pub fn run(toolchain: &Toolchain, root: &Path, filter: Option<&str>) -> Result<(), String> {
    let started = Instant::now();
    // A filtered run works in a folder of its own, so two runs of different cases at once do
    // not clear each other's servers and files.
    let folder = match filter {
        Some(f) => format!(
            "verify-{}",
            f.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        ),
        None => "verify".to_owned(),
    };
    let out = crate::target_dir(root).join(folder);
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let nginx = crate::tools::require_program("nginx", &["nginx"])?;
    // The deploy scripts read Argo CD's answers with jq, as GitHub's runners have it, and the
    // gate's stand-in gh filters with it.
    crate::tools::require_program("jq", &["jq"])?;
    let mut report = Report {
        filter: filter.map(str::to_owned),
        ..Report::default()
    };
    for preset in PRESETS {
        let project = preset.project();
        let bundle = generate(&project);
        for service in &project.services {
            if service.runtime != Runtime::Static {
                continue;
            }
            let name = format!("nginx {}/{}", preset.name, service.name);
            let dir = out.join(format!("{}-{}", preset.name, service.name));
            report.case(&name, || {
                nginx_case(&nginx, &project, &bundle, &service.name, &dir)
            });
        }
    }
    deploy::cases(
        &mut report,
        &toolchain.validator("python")?,
        root,
        &out.join("deploy"),
    )?;
    snippets::cases(&mut report, root, &out.join("snippets"))?;
    migration::cases(&mut report, &out.join("migration"))?;
    migration_job::cases(
        &mut report,
        &toolchain.validator("python")?,
        root,
        &out.join("migration-job"),
    )?;
    references::cases(
        &mut report,
        &toolchain.validator("python")?,
        &out.join("references"),
    )?;
    volumes::cases(&mut report, &out.join("volumes"))?;
    gate::cases(&mut report, &out.join("gate"))?;
    report.finish(started)
}

#[cfg(test)]
mod tests {
    use super::matches_pattern;

    #[test]
    fn expected_failures_match_by_prefix_with_stars() {
        assert!(matches_pattern(
            "migration add-index (sql)",
            "migration add-index"
        ));
        assert!(matches_pattern(
            "references go-api: staging by the Argo CD Application api-staging",
            "references go-api: * by the Argo CD Application"
        ));
        assert!(!matches_pattern(
            "references go-api: staging by kubectl apply -k k8s/staging",
            "references go-api: * by the Argo CD Application"
        ));
        assert!(!matches_pattern(
            "references go-api",
            "references rust-axum"
        ));
    }
}

#[derive(Default)]
struct Report {
    /// Only cases whose name contains this run.
    filter: Option<String>,
    passed: Vec<String>,
    failed: Vec<(String, String)>,
    expected: Vec<(String, String)>,
    checks: usize,
    processes: usize,
}

impl Report {
    /// Whether a case of this name runs (see `filter`); check before costly set-up.
    fn wants(&self, name: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| name.contains(f.as_str()))
    }

    fn case(&mut self, name: &str, case: impl FnOnce() -> Result<Outcome, String>) {
        if !self.wants(name) {
            return;
        }
        let expected = EXPECTED_FAILURES
            .iter()
            .find(|(pattern, _)| matches_pattern(name, pattern));
        let outcome = match case() {
            Ok(outcome) => outcome,
            // A case that could not run has checked nothing: it fails even where its checks
            // are expected to, so a broken set-up never hides as an expected failure.
            Err(why) => {
                println!("verify: FAIL  {name}: could not run: {why}");
                self.failed.push((name.to_owned(), why));
                return;
            }
        };
        self.checks += outcome.checks;
        self.processes += outcome.processes;
        match (outcome.result(), expected) {
            (Ok(()), None) => {
                println!("verify: ok    {name}");
                self.passed.push(name.to_owned());
            }
            (Err(why), Some((_, issue))) => {
                println!("verify: xfail {name} (expected until {issue}): {why}");
                self.expected.push((name.to_owned(), why));
            }
            (Ok(()), Some((_, issue))) => {
                println!(
                    "verify: FAIL  {name}: passes now; remove it from EXPECTED_FAILURES ({issue})"
                );
                self.failed
                    .push((name.to_owned(), "unexpectedly passes".to_owned()));
            }
            (Err(why), None) => {
                println!("verify: FAIL  {name}:\n{why}");
                self.failed.push((name.to_owned(), why));
            }
        }
    }

    fn finish(&self, started: Instant) -> Result<(), String> {
        println!(
            "\nverify summary: {} cases ({} passed, {} expected failures, {} failed), {} checks, {} processes started, {:.1} s",
            self.passed.len() + self.expected.len() + self.failed.len(),
            self.passed.len(),
            self.expected.len(),
            self.failed.len(),
            self.checks,
            self.processes,
            started.elapsed().as_secs_f64()
        );
        if self.failed.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "verify: {} case(s) failed: {}",
                self.failed.len(),
                self.failed
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }
}

/// What a case checked: each failed check's message, and how much it did.
#[derive(Default)]
struct Outcome {
    failures: Vec<String>,
    checks: usize,
    processes: usize,
}

impl Outcome {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.failures.push(what());
        }
    }

    fn result(self) -> Result<(), String> {
        if self.failures.is_empty() {
            Ok(())
        } else {
            Err(self
                .failures
                .iter()
                .map(|f| format!("  - {f}"))
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}

/// The server block nginx-unprivileged ships in /etc/nginx/conf.d/default.conf: files from the
/// html folder, index.html for a folder, nothing else.
const STOCK_SERVER: &str = "server {
    listen 8080;
    server_name localhost;
    location / {
        root /usr/share/nginx/html;
        index index.html index.htm;
    }
}
";

const SITE_ROOT: &str = "/usr/share/nginx/html";
const INDEX_MARKER: &str = "shipshape-verify-index";

fn nginx_case(
    nginx: &Path,
    project: &Project,
    bundle: &Bundle,
    service: &str,
    dir: &Path,
) -> Result<Outcome, String> {
    let service = project
        .services
        .iter()
        .find(|s| s.name == service)
        .ok_or("no such service")?;
    let folder = service.folder_prefix();
    let text = |path: &str| {
        bundle
            .get(path)
            .map(|f| f.contents.as_str())
            .ok_or_else(|| format!("the bundle has no {path}"))
    };
    let dockerfile = text(&format!("{folder}Dockerfile"))?;
    let mut outcome = Outcome::default();

    // The server configuration the image runs: the one the Dockerfile copies in, else stock.
    let copied = dockerfile.lines().find_map(|line| {
        let rest = line.strip_prefix("COPY ")?;
        let (from, to) = rest.split_once(' ')?;
        (to.trim() == "/etc/nginx/conf.d/default.conf" && !from.starts_with("--")).then_some(from)
    });
    let server = match copied {
        Some(from) => text(&format!("{folder}{from}"))?.to_owned(),
        None => STOCK_SERVER.to_owned(),
    };

    // Every port and path the image and the cluster will ask for.
    let mut health = Vec::new();
    let mut ports = Vec::new();
    for line in dockerfile.lines() {
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            let url: String = rest.chars().take_while(|c| *c != '"').collect();
            let (port, path) = url.split_at(url.find('/').unwrap_or(url.len()));
            ports.push(("HEALTHCHECK".to_owned(), port.to_owned()));
            health.push(("HEALTHCHECK".to_owned(), path.to_owned()));
        }
        if let Some(port) = line.strip_prefix("EXPOSE ") {
            ports.push(("EXPOSE".to_owned(), port.trim().to_owned()));
        }
    }
    for stage in [Stage::Staging, Stage::Production] {
        let path = format!("k8s/{}/{}.yaml", stage.key(), service.name);
        let documents = parse(text(&path)?).map_err(|e| format!("{path}: {e:?}"))?;
        for container in documents.iter().flat_map(containers) {
            for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
                if let Some(p) = container
                    .at(&[probe, "httpGet", "path"])
                    .and_then(Node::as_str)
                {
                    health.push((format!("{path} {probe}"), p.to_owned()));
                }
            }
            for port in container.get("ports").map_or(&[][..], Node::items) {
                if let Some(n) = port.get("containerPort").and_then(Node::as_u64) {
                    ports.push((format!("{path} containerPort"), n.to_string()));
                }
            }
        }
    }
    outcome.check(!health.is_empty(), || {
        "no health path found to check".into()
    });
    let listens: Vec<&str> = server
        .lines()
        .filter_map(|l| l.trim().strip_prefix("listen "))
        .map(|l| l.trim_end_matches(';').trim_start_matches("[::]:"))
        .collect();
    for (from, port) in &ports {
        outcome.check(listens.contains(&port.as_str()), || {
            format!("{from} uses port {port}, but nginx listens on {listens:?}")
        });
    }

    // The site as the image holds it, and nginx on a loopback port.
    let site = dir.join("html");
    fs::create_dir_all(site.join("assets")).map_err(|e| e.to_string())?;
    fs::create_dir_all(dir.join("temp")).map_err(|e| e.to_string())?;
    fs::write(
        site.join("index.html"),
        format!("<!doctype html><html><body>{INDEX_MARKER}</body></html>\n"),
    )
    .map_err(|e| e.to_string())?;
    fs::write(site.join("assets/app-1a2b3c4d.js"), "console.log(1);\n")
        .map_err(|e| e.to_string())?;
    let port = free_port()?;
    let local = server
        .lines()
        .filter(|l| !l.trim().starts_with("listen [::]"))
        .map(|l| {
            if l.trim().starts_with("listen ") {
                format!("    listen 127.0.0.1:{port};")
            } else {
                l.replace(SITE_ROOT, &site.to_string_lossy())
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(dir.join("default.conf"), local).map_err(|e| e.to_string())?;
    let d = dir.to_string_lossy();
    let main = format!(
        "worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  \
         access_log off;\n  client_body_temp_path {d}/temp/body;\n  proxy_temp_path {d}/temp/proxy;\n  \
         fastcgi_temp_path {d}/temp/fastcgi;\n  uwsgi_temp_path {d}/temp/uwsgi;\n  \
         scgi_temp_path {d}/temp/scgi;\n  include {d}/default.conf;\n}}\n"
    );
    fs::write(dir.join("nginx.conf"), main).map_err(|e| e.to_string())?;
    let configured = Command::new(nginx)
        .arg("-t")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .output()
        .map_err(|e| format!("cannot run nginx: {e}"))?;
    outcome.processes += 1;
    if !configured.status.success() {
        outcome.check(false, || {
            format!(
                "nginx refuses the configuration: {}",
                String::from_utf8_lossy(&configured.stderr).trim()
            )
        });
        return Ok(outcome);
    }
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start nginx: {e}"))?;
    outcome.processes += 1;
    let answered = {
        let started = Instant::now();
        loop {
            if get(port, "/").is_some() {
                break true;
            }
            if started.elapsed() > START_LIMIT || matches!(child.try_wait(), Ok(Some(_))) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    if answered {
        requests(port, &health, &mut outcome);
    } else {
        outcome.check(false, || {
            format!(
                "nginx did not answer within {} s: {}",
                START_LIMIT.as_secs(),
                fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            )
        });
    }
    crate::run::stop(&mut child);
    Ok(outcome)
}

fn requests(port: u16, health: &[(String, String)], outcome: &mut Outcome) {
    let status = |path: &str| get(port, path).map_or(0, |r| r.status);
    let mut seen = Vec::new();
    for (from, path) in health {
        if seen.contains(path) {
            continue;
        }
        seen.push(path.clone());
        let got = status(path);
        outcome.check(got == 200, || {
            format!("{from} asks for {path}: nginx answers {got}, the pod never becomes ready")
        });
    }
    for route in ["/", "/orders/42"] {
        let page = get(port, route);
        outcome.check(
            page.as_ref()
                .is_some_and(|r| r.status == 200 && r.body.contains(INDEX_MARKER)),
            || {
                format!(
                    "{route}: expected index.html, got {}",
                    page.as_ref().map_or(0, |r| r.status)
                )
            },
        );
    }
    let asset = get(port, "/assets/app-1a2b3c4d.js");
    outcome.check(
        asset.as_ref().is_some_and(|r| {
            r.status == 200
                && r.header("cache-control")
                    .is_some_and(|c| c.contains("max-age=31536000"))
        }),
        || "a hashed asset is not served with a year-long cache".into(),
    );
    for missing in ["/assets/app-00000000.js", "/missing.png"] {
        let got = status(missing);
        outcome.check(got == 404, || {
            format!("{missing} does not exist: expected 404, got {got}")
        });
    }
    let page = get(port, "/");
    outcome.check(
        page.as_ref()
            .and_then(|r| r.header("x-content-type-options"))
            == Some("nosniff"),
        || "responses lack X-Content-Type-Options: nosniff".into(),
    );
}
