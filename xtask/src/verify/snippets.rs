//! The generated metrics and health snippets, each dropped unchanged into a minimal real app of
//! its framework (xtask/apps/) with one ordinary route, run against a real PostgreSQL and Redis
//! on loopback, and asked what the cluster and Prometheus will ask: the probe paths with both
//! servers up and with each one stopped, and /metrics after a few requests, read for the series
//! and labels the generated alerts and dashboard query.
//!
//! One service per runtime: the first preset's of that runtime. The variables and URL schemes
//! for the two servers are the ones the generated compose file gives the service when it uses
//! both (switched on here when the preset does not), pointed at the servers of this run.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shipshape_core::generate::kubernetes::monitoring::{DURATION_METRIC, REQUESTS_METRIC};
use shipshape_core::model::{PRESETS, Project, Runtime, Stage};
use shipshape_core::rules::kubernetes::containers;
use shipshape_core::rules::yaml::{Node, parse};
use shipshape_core::{Bundle, generate};

use super::services::{Postgres, Redis};
use super::{Outcome, Report};
use crate::http::{free_port, get};
use crate::tools;

/// How long an app may take to answer after it starts.
const START_LIMIT: Duration = Duration::from_secs(30);
/// How often the ordinary route is requested before /metrics is read.
const ORDERS: usize = 3;
/// Readiness requests made before counting the app's database sessions, and how many sessions
/// may still be open then: more means every probe leaves one behind.
const READINESS_CALLS: usize = 10;
const SESSION_LIMIT: usize = READINESS_CALLS / 2;
/// Labels Prometheus puts on a series from the target it scrapes, not from the app.
const TARGET_LABELS: [&str; 6] = [
    "namespace",
    "service",
    "pod",
    "container",
    "job",
    "instance",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Framework {
    FastApi,
    Express,
    Axum,
}

impl Framework {
    const ALL: [Framework; 3] = [Framework::FastApi, Framework::Express, Framework::Axum];

    fn runtime(self) -> Runtime {
        match self {
            Framework::FastApi => Runtime::Python,
            Framework::Express => Runtime::Node,
            Framework::Axum => Runtime::Rust,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Framework::FastApi => "FastAPI",
            Framework::Express => "Express",
            Framework::Axum => "axum",
        }
    }

    /// The app's ordinary route as the framework spells its template.
    fn route(self) -> &'static str {
        match self {
            Framework::Express => "/orders/:id",
            Framework::FastApi | Framework::Axum => "/orders/{id}",
        }
    }
}

/// One case: a service of a preset, run in an app of its framework.
struct Case {
    name: String,
    framework: Framework,
    project: Project,
    service: String,
}

/// What the cases need installed: the Python virtualenv and the Node packages.
#[derive(Default)]
struct Installed {
    venv: Option<PathBuf>,
    node_modules: Option<PathBuf>,
}

pub(super) fn cases(report: &mut Report, root: &Path, out: &Path) -> Result<(), String> {
    let cases: Vec<Case> = Framework::ALL
        .into_iter()
        .filter_map(|framework| {
            let (preset, project, service) = PRESETS.iter().find_map(|preset| {
                let project = preset.project();
                let service = project
                    .services
                    .iter()
                    .find(|s| s.runtime == framework.runtime())?
                    .name
                    .clone();
                Some((preset, project, service))
            })?;
            Some(Case {
                name: format!("snippets {}/{service} ({})", preset.name, framework.name()),
                framework,
                project,
                service,
            })
        })
        .filter(|case| report.wants(&case.name))
        .collect();
    if cases.is_empty() {
        return Ok(());
    }

    let started = Instant::now();
    let cache = tools::cache_dir()?;
    let mut installed = Installed::default();
    if cases.iter().any(|c| c.framework == Framework::FastApi) {
        let pins = tools::pinned_packages(root, "pypi-apps")?;
        installed.venv = Some(tools::ensure_venv(&cache, "snippet-python", &pins)?);
    }
    if cases.iter().any(|c| c.framework == Framework::Express) {
        let pins = tools::pinned_packages(root, "npm-apps")?;
        let dir = tools::npm_packages(&cache, "snippet-node", &pins)?;
        installed.node_modules = Some(dir.join("node_modules"));
    }
    println!(
        "verify snippets: Python and Node packages ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let started = Instant::now();
    let mut servers = Servers {
        postgres: Postgres::start(&out.join("servers"))?,
        redis: Redis::start()?,
        stopped: None,
        // initdb, postgres, psql for the database, redis-server
        unreported: 4,
    };
    println!(
        "verify snippets: PostgreSQL and Redis up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for case in &cases {
        let dir = out.join(format!("{}-{}", case.framework.name(), case.service));
        report.case(&case.name, || {
            snippet_case(case, root, &installed, &mut servers, &dir)
        });
    }
    Ok(())
}

/// The servers every case shares, which one is stopped, and the processes started for them
/// not yet counted.
struct Servers {
    postgres: Postgres,
    redis: Redis,
    stopped: Option<Outage>,
    unreported: usize,
}

#[derive(Clone, Copy)]
enum Outage {
    Postgres,
    Redis,
}

impl Outage {
    fn name(self) -> &'static str {
        match self {
            Outage::Postgres => "PostgreSQL",
            Outage::Redis => "Redis",
        }
    }
}

impl Servers {
    /// Stops a server as an outage does: PostgreSQL drops its sessions first (stopped with
    /// sessions open, it would wait for their clients to leave).
    fn stop(&mut self, outage: Outage, outcome: &mut Outcome) {
        match outage {
            Outage::Postgres => {
                let _ = self.postgres.psql(
                    "postgres",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = 'app' AND pid <> pg_backend_pid()",
                );
                outcome.processes += 1;
                self.postgres.pause();
            }
            Outage::Redis => self.redis.pause(),
        }
        self.stopped = Some(outage);
    }

    /// Starts the stopped server again, if one is.
    fn resume(&mut self, outcome: &mut Outcome) -> Result<(), String> {
        match self.stopped.take() {
            Some(Outage::Postgres) => self.postgres.resume()?,
            Some(Outage::Redis) => self.redis.resume()?,
            None => return Ok(()),
        }
        outcome.processes += 1;
        Ok(())
    }
}

/// The probe paths the generated setup asks for, by what the probe decides.
#[derive(Default)]
struct Probes {
    /// (where it is asked for, path, how long the asker waits)
    startup: Vec<(String, String, Duration)>,
    liveness: Vec<(String, String, Duration)>,
    readiness: Vec<(String, String, Duration)>,
}

impl Probes {
    fn read(bundle: &Bundle, folder: &str, service: &str) -> Result<Probes, String> {
        let mut probes = Probes::default();
        let dockerfile = text(bundle, &format!("{folder}Dockerfile"))?;
        for line in dockerfile.lines() {
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                let url: String = rest
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ' '))
                    .collect();
                if let Some(at) = url.find('/') {
                    let timeout = dockerfile
                        .split("--timeout=")
                        .nth(1)
                        .and_then(|t| t.split('s').next()?.parse().ok())
                        .unwrap_or(30);
                    probes.liveness.push((
                        "Dockerfile HEALTHCHECK".into(),
                        url[at..].to_owned(),
                        Duration::from_secs(timeout),
                    ));
                }
            }
        }
        for stage in [Stage::Staging, Stage::Production] {
            let path = format!("k8s/{}/{service}.yaml", stage.key());
            let documents = parse(text(bundle, &path)?).map_err(|e| format!("{path}: {e:?}"))?;
            for container in documents.iter().flat_map(containers) {
                for (probe, list) in [
                    ("startupProbe", &mut probes.startup),
                    ("livenessProbe", &mut probes.liveness),
                    ("readinessProbe", &mut probes.readiness),
                ] {
                    let Some(path_asked) = container
                        .at(&[probe, "httpGet", "path"])
                        .and_then(Node::as_str)
                    else {
                        continue;
                    };
                    // Kubernetes waits one second unless told otherwise.
                    let timeout = container
                        .at(&[probe, "timeoutSeconds"])
                        .and_then(Node::as_u64)
                        .unwrap_or(1);
                    list.push((
                        format!("{path} {probe}"),
                        path_asked.to_owned(),
                        Duration::from_secs(timeout),
                    ));
                }
            }
        }
        for list in [
            &mut probes.startup,
            &mut probes.liveness,
            &mut probes.readiness,
        ] {
            // One request per path, held to the shortest wait of those asking for it.
            list.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)));
            list.dedup_by(|later, first| later.1 == first.1);
        }
        Ok(probes)
    }

    fn paths(&self) -> impl Iterator<Item = &str> {
        self.startup
            .iter()
            .chain(&self.liveness)
            .chain(&self.readiness)
            .map(|(_, path, _)| path.as_str())
    }
}

fn text<'a>(bundle: &'a Bundle, path: &str) -> Result<&'a str, String> {
    bundle
        .get(path)
        .map(|f| f.contents.as_str())
        .ok_or_else(|| format!("the bundle has no {path}"))
}

/// A variable the app reads to reach a server, and the URL scheme the generated setup uses.
struct Variable {
    name: String,
    scheme: String,
}

/// The variables compose gives the service for PostgreSQL and Redis when it uses both, and the
/// names of the variables the cluster's manifest gives it.
fn variables(
    project: &Project,
    service: &str,
) -> Result<(Variable, Variable, Vec<String>), String> {
    let mut project = project.clone();
    for s in project.services.iter_mut().filter(|s| s.name == service) {
        s.uses_postgres = true;
        s.uses_redis = true;
    }
    project.postgres.get_or_insert_with(Default::default);
    project.redis.get_or_insert_with(Default::default);
    let bundle = generate(&project);
    let compose = parse(text(&bundle, "docker-compose.yml")?)
        .map_err(|e| format!("docker-compose.yml: {e:?}"))?;
    let environment = compose
        .first()
        .and_then(|c| c.at(&["services", service, "environment"]))
        .ok_or_else(|| format!("docker-compose.yml gives {service} no environment"))?;
    let find = |schemes: &[&str]| {
        environment.entries().iter().find_map(|(name, value)| {
            let (scheme, _) = value.as_str()?.split_once("://")?;
            let name = name.as_str()?.to_owned();
            schemes.contains(&scheme).then(|| Variable {
                name,
                scheme: scheme.to_owned(),
            })
        })
    };
    let database = find(&["postgres", "postgresql"])
        .ok_or("docker-compose.yml gives the service no PostgreSQL URL")?;
    let cache =
        find(&["redis", "rediss"]).ok_or("docker-compose.yml gives the service no Redis URL")?;
    let path = format!("k8s/production/{service}.yaml");
    let documents = parse(text(&bundle, &path)?).map_err(|e| format!("{path}: {e:?}"))?;
    let in_cluster = documents
        .iter()
        .flat_map(containers)
        .flat_map(|c| c.get("env").map_or(&[][..], Node::items))
        .filter_map(|v| v.get("name")?.as_str().map(str::to_owned))
        .collect();
    Ok((database, cache, in_cluster))
}

/// `url` with its scheme replaced by `scheme`.
fn with_scheme(url: &str, scheme: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => format!("{scheme}://{rest}"),
        None => url.to_owned(),
    }
}

fn snippet_case(
    case: &Case,
    root: &Path,
    installed: &Installed,
    servers: &mut Servers,
    dir: &Path,
) -> Result<Outcome, String> {
    let mut outcome = Outcome {
        processes: std::mem::take(&mut servers.unreported),
        ..Outcome::default()
    };
    let bundle = generate(&case.project);
    let service = case
        .project
        .services
        .iter()
        .find(|s| s.name == case.service)
        .ok_or("no such service")?;
    let prefix = format!("observability/snippets/{}/", service.name);
    let snippet = bundle
        .files()
        .iter()
        .find(|f| f.path.starts_with(&prefix))
        .ok_or_else(|| format!("the bundle has no {prefix}*"))?;
    let probes = Probes::read(&bundle, &service.folder_prefix(), &service.name)?;
    outcome.check(
        !probes.liveness.is_empty() && !probes.readiness.is_empty(),
        || "the generated setup has no liveness or no readiness path to check".into(),
    );

    let (database, cache, in_cluster) = variables(&case.project, &service.name)?;
    for variable in [&database, &cache] {
        outcome.check(in_cluster.contains(&variable.name), || {
            format!(
                "compose gives the app {}, but the cluster's manifest does not (it gives {in_cluster:?})",
                variable.name
            )
        });
    }

    // The app: the snippet as generated, beside a main file of ours.
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let apps = root.join("xtask/apps");
    let copy = |from: &str, to: &str| -> Result<(), String> {
        let target = dir.join(to);
        fs::create_dir_all(target.parent().unwrap_or(dir)).map_err(|e| e.to_string())?;
        fs::copy(apps.join(from), &target)
            .map(drop)
            .map_err(|e| format!("cannot copy {from}: {e}"))
    };
    let write_snippet = |to: &str| {
        fs::write(dir.join(to), &snippet.contents).map_err(|e| format!("cannot write {to}: {e}"))
    };
    let port = free_port()?;
    let mut command = match case.framework {
        Framework::FastApi => {
            copy("fastapi/app/main.py", "app/main.py")?;
            write_snippet("app/observability.py")?;
            let venv = installed.venv.as_ref().ok_or("no Python packages")?;
            let mut command = Command::new(venv.join("bin/uvicorn"));
            command.args(["app.main:app", "--host", "127.0.0.1", "--port"]);
            command.arg(port.to_string());
            command
        }
        Framework::Express => {
            copy("express/server.js", "server.js")?;
            write_snippet("observability.js")?;
            let modules = installed.node_modules.as_ref().ok_or("no Node packages")?;
            let link = dir.join("node_modules");
            if !link.exists() {
                std::os::unix::fs::symlink(modules, &link)
                    .map_err(|e| format!("cannot link node_modules: {e}"))?;
            }
            let node = tools::require_program("node", &["nodejs"])?;
            let mut command = Command::new(node);
            command.arg("server.js");
            command
        }
        Framework::Axum => match build_axum(root, &snippet.contents, &mut outcome)? {
            Some(server) => Command::new(server),
            None => return Ok(outcome),
        },
    };
    let log = dir.join("app.log");
    let log_file = fs::File::create(&log).map_err(|e| format!("cannot create the app log: {e}"))?;
    let mut app = command
        .current_dir(dir)
        .env("PORT", port.to_string())
        .env(
            &database.name,
            with_scheme(&servers.postgres.url(), &database.scheme),
        )
        .env(
            &cache.name,
            with_scheme(&servers.redis.url(), &cache.scheme),
        )
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the app: {e}"))?;
    outcome.processes += 1;

    let result = exercise(
        case,
        &bundle,
        &probes,
        port,
        servers,
        &mut app,
        &mut outcome,
    );
    if let Err(why) = &result {
        outcome.check(false, || why.clone());
    }
    let exited = app.try_wait().ok().flatten();
    outcome.check(exited.is_none(), || {
        format!("the app exited ({exited:?}) during the checks")
    });
    crate::run::stop(&mut app);
    // Leave both servers running for the next case, whatever happened.
    servers.resume(&mut outcome)?;
    if result.is_err() || exited.is_some() {
        let tail: Vec<String> = fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .rev()
            .take(15)
            .map(str::to_owned)
            .collect();
        if !tail.is_empty() {
            outcome.failures.push(format!(
                "the app's last log lines ({}):\n      {}",
                log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n      ")
            ));
        }
    }
    Ok(outcome)
}

/// Every check against a started app; an Err is a check that could not go on.
fn exercise(
    case: &Case,
    bundle: &Bundle,
    probes: &Probes,
    port: u16,
    servers: &mut Servers,
    app: &mut Child,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let alive = probes
        .liveness
        .first()
        .map_or("/", |(_, path, _)| path.as_str());
    let started = Instant::now();
    loop {
        if get(port, alive).is_some() {
            break;
        }
        if started.elapsed() > START_LIMIT || matches!(app.try_wait(), Ok(Some(_))) {
            return Err(format!(
                "the app did not answer {alive} within {} s",
                START_LIMIT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "verify snippets: {} answered after {:.1} s",
        case.framework.name(),
        started.elapsed().as_secs_f64()
    );

    // Both servers up: every probe answers 200, in the time its asker waits.
    for (from, path, wait) in probes
        .startup
        .iter()
        .chain(&probes.liveness)
        .chain(&probes.readiness)
    {
        let asked = Instant::now();
        let status = status(port, path);
        let took = asked.elapsed();
        outcome.check(status == 200 && took <= *wait, || {
            format!(
                "{from} asks for {path} with both servers up: {status} after {:.2} s (it waits {} s)",
                took.as_secs_f64(),
                wait.as_secs()
            )
        });
    }

    // Each server stopped in turn: not ready, still alive; ready again once it is back.
    for outage in [Outage::Postgres, Outage::Redis] {
        servers.stop(outage, outcome);
        let outage = outage.name();
        for (from, path, _) in &probes.readiness {
            let status = status(port, path);
            outcome.check(status == 503, || {
                format!("{from} asks for {path} while {outage} is stopped: {status}, expected 503")
            });
        }
        for (from, path, _) in &probes.liveness {
            let status = status(port, path);
            outcome.check(status == 200, || {
                format!(
                    "{from} asks for {path} while {outage} is stopped: {status}, expected 200 (a restart cannot bring {outage} back)"
                )
            });
        }
        servers.resume(outcome)?;
        for (from, path, _) in &probes.readiness {
            let status = status(port, path);
            outcome.check(status == 200, || {
                format!("{from} asks for {path} after {outage} is back: {status}, expected 200")
            });
        }
    }

    // Probes every few seconds must not pile up database sessions.
    if let Some((_, path, _)) = probes.readiness.first() {
        for _ in 0..READINESS_CALLS {
            status(port, path);
        }
        let sessions = servers.postgres.psql(
            "postgres",
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'app'",
        )?;
        outcome.processes += 1;
        let sessions: usize = sessions.trim().parse().unwrap_or(usize::MAX);
        outcome.check(sessions <= SESSION_LIMIT, || {
            format!(
                "after {READINESS_CALLS} requests to {path} the app holds {sessions} database sessions (at most {SESSION_LIMIT} expected)"
            )
        });
    }

    // The ordinary route, then what Prometheus reads.
    for _ in 0..ORDERS {
        let status = status(port, "/orders/42");
        outcome.check(status == 200, || {
            format!("/orders/42 answers {status}, expected 200")
        });
    }
    let metrics = get(port, "/metrics").ok_or("/metrics does not answer")?;
    outcome.check(metrics.status == 200, || {
        format!("/metrics answers {}", metrics.status)
    });
    let content_type = metrics.header("content-type").unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    outcome.check(
        matches!(
            media.as_str(),
            "text/plain" | "application/openmetrics-text" | "application/vnd.google.protobuf"
        ) || scrape_fallback(bundle, &case.service),
        || {
            format!(
                "/metrics answers with Content-Type {content_type:?}: Prometheus 3 fails the scrape of a target whose Content-Type is not a scrape protocol, and the generated ServiceMonitor sets no fallbackScrapeProtocol"
            )
        },
    );
    check_series(case, bundle, probes, &metrics.body, outcome);
    Ok(())
}

fn status(port: u16, path: &str) -> u16 {
    get(port, path).map_or(0, |r| r.status)
}

/// The series of /metrics against what the alerts and the dashboard query.
fn check_series(case: &Case, bundle: &Bundle, probes: &Probes, body: &str, outcome: &mut Outcome) {
    let series = parse_exposition(body);
    let queries = queries(bundle, &case.project, &case.service);
    outcome.check(!queries.is_empty(), || {
        "found no alert or dashboard query to compare the series with".into()
    });
    let template = case.framework.route();
    for (metric, sample, mut wanted) in [
        (
            REQUESTS_METRIC,
            REQUESTS_METRIC.to_owned(),
            vec!["method", "route", "status"],
        ),
        (
            DURATION_METRIC,
            format!("{DURATION_METRIC}_count"),
            vec!["method", "route"],
        ),
    ] {
        let used: Vec<String> = queries
            .iter()
            .flat_map(|q| labels_used(q, metric))
            .filter(|l| !TARGET_LABELS.contains(&l.as_str()) && l != "le")
            .collect();
        for label in &used {
            if !wanted.contains(&label.as_str()) {
                wanted.push(label);
            }
        }
        let family: Vec<&Series> = series.iter().filter(|s| s.name == sample).collect();
        let shown = || {
            family
                .iter()
                .map(|s| format!("{}{{{}}} {}", s.name, s.labels_text(), s.value))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let orders = family.iter().find(|s| {
            s.label("route") == Some(template)
                && s.label("method") == Some("GET")
                && (sample != REQUESTS_METRIC || s.label("status") == Some("200"))
        });
        outcome.check(
            orders.is_some_and(|s| s.value >= ORDERS as f64),
            || {
                format!(
                    "after {ORDERS} requests to /orders/42, /metrics has no {sample} series with route=\"{template}\" (the route template) counting them; it has: {}",
                    if family.is_empty() { "none".to_owned() } else { shown() }
                )
            },
        );
        let missing: Vec<String> = family
            .iter()
            .flat_map(|s| {
                wanted
                    .iter()
                    .filter(|l| s.label(l).is_none())
                    .map(move |l| format!("{l} on {}{{{}}}", s.name, s.labels_text()))
            })
            .collect();
        outcome.check(missing.is_empty(), || {
            format!(
                "labels the alerts and dashboard use are missing: {}",
                missing.join(", ")
            )
        });
        let raw: Vec<String> = family
            .iter()
            .filter_map(|s| s.label("route"))
            .filter(|route| *route == "/orders/42")
            .map(str::to_owned)
            .collect();
        outcome.check(raw.is_empty(), || {
            format!("{sample} has route=\"/orders/42\", the raw path: one series per order id")
        });
        // Every snippet says the probes and /metrics are not measured.
        let unmeasured: Vec<&str> = probes.paths().chain(["/metrics"]).collect();
        let measured: Vec<String> = family
            .iter()
            .filter_map(|s| s.label("route"))
            .filter(|route| unmeasured.contains(route))
            .map(str::to_owned)
            .collect();
        outcome.check(measured.is_empty(), || {
            format!("{sample} counts probe or /metrics requests: route {measured:?}")
        });
    }
    let bucket = format!("{DURATION_METRIC}_bucket");
    outcome.check(
        series.iter().any(|s| {
            s.name == bucket && s.label("route") == Some(template) && s.label("le").is_some()
        }),
        || format!("/metrics has no {bucket} series with route=\"{template}\" for the p95 latency alert"),
    );
}

/// One sample of the text exposition format.
struct Series {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

impl Series {
    fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn labels_text(&self) -> String {
        self.labels
            .iter()
            .map(|(n, v)| format!("{n}={v:?}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The samples of a Prometheus text exposition (comments skipped).
fn parse_exposition(body: &str) -> Vec<Series> {
    body.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (name, rest) = match line.find(['{', ' ']) {
                Some(at) => line.split_at(at),
                None => return None,
            };
            let mut labels = Vec::new();
            let mut rest = rest;
            if let Some(mut inside) = rest.strip_prefix('{') {
                loop {
                    inside = inside.trim_start_matches([',', ' ']);
                    if let Some(after) = inside.strip_prefix('}') {
                        rest = after;
                        break;
                    }
                    let (label, after) = inside.split_once("=\"")?;
                    let mut value = String::new();
                    let mut chars = after.char_indices();
                    let end = loop {
                        let (at, c) = chars.next()?;
                        match c {
                            '\\' => match chars.next()?.1 {
                                'n' => value.push('\n'),
                                other => value.push(other),
                            },
                            '"' => break at,
                            c => value.push(c),
                        }
                    };
                    labels.push((label.trim().to_owned(), value));
                    inside = &after[end + 1..];
                }
            }
            let value = rest.split_whitespace().next()?.parse().ok()?;
            Some(Series {
                name: name.to_owned(),
                labels,
                value,
            })
        })
        .collect()
}

/// The documents of the service's manifests for both environments.
fn manifests(bundle: &Bundle, service: &str) -> Vec<Node> {
    [Stage::Staging, Stage::Production]
        .iter()
        .filter_map(|stage| bundle.get(&format!("k8s/{}/{service}.yaml", stage.key())))
        .filter_map(|file| parse(&file.contents).ok())
        .flatten()
        .collect()
}

fn of_kind<'a>(documents: &'a [Node], kind: &'a str) -> impl Iterator<Item = &'a Node> {
    documents
        .iter()
        .filter(move |d| d.get("kind").and_then(Node::as_str) == Some(kind))
}

/// Whether the service's ServiceMonitor tells Prometheus how to read a /metrics answer whose
/// Content-Type it does not know.
fn scrape_fallback(bundle: &Bundle, service: &str) -> bool {
    of_kind(&manifests(bundle, service), "ServiceMonitor").any(|monitor| {
        monitor
            .at(&["spec", "endpoints"])
            .map_or(&[][..], Node::items)
            .iter()
            .any(|e| e.get("fallbackScrapeProtocol").is_some())
    })
}

/// The PromQL expressions of the service's alerts and of the project's dashboard.
fn queries(bundle: &Bundle, project: &Project, service: &str) -> Vec<String> {
    let manifests = manifests(bundle, service);
    let mut found: Vec<String> = of_kind(&manifests, "PrometheusRule")
        .flat_map(|rule| rule.at(&["spec", "groups"]).map_or(&[][..], Node::items))
        .flat_map(|group| group.get("rules").map_or(&[][..], Node::items))
        .filter_map(|rule| rule.get("expr")?.as_str().map(str::to_owned))
        .collect();
    let dashboard = format!("observability/grafana/{}.json", project.name);
    if let Some(json) = bundle
        .get(&dashboard)
        .and_then(|f| serde_json::from_str::<serde_json::Value>(&f.contents).ok())
    {
        let panels = json["panels"].as_array().cloned().unwrap_or_default();
        for target in panels
            .iter()
            .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        {
            if let Some(expr) = target["expr"].as_str() {
                found.push(expr.to_owned());
            }
        }
    }
    found
}

/// The label names `expr` uses on `metric` (or on its `_bucket`, `_count` and `_sum` series): in
/// the metric's selectors, and in the `by (...)` clauses of an expression that reads it.
fn labels_used(expr: &str, metric: &str) -> Vec<String> {
    let identifier = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut labels = Vec::new();
    let mut reads = false;
    let mut rest = expr;
    while let Some(at) = rest.find(metric) {
        let before = rest[..at].chars().next_back();
        let mut after = &rest[at + metric.len()..];
        for suffix in ["_bucket", "_count", "_sum"] {
            after = after.strip_prefix(suffix).unwrap_or(after);
        }
        rest = after;
        if before.is_some_and(identifier) || after.starts_with(identifier) {
            continue;
        }
        reads = true;
        if let Some(selector) = after.strip_prefix('{') {
            let selector = &selector[..selector.find('}').unwrap_or(selector.len())];
            labels.extend(
                selector
                    .split(',')
                    .map(|m| m.split(['=', '!']).next().unwrap_or("").trim().to_owned())
                    .filter(|l| !l.is_empty()),
            );
        }
    }
    if reads {
        let mut rest = expr;
        while let Some(at) = rest.find("by") {
            let before = rest[..at].chars().next_back();
            let after = rest[at + 2..].trim_start();
            rest = &rest[at + 2..];
            if before.is_some_and(identifier) {
                continue;
            }
            if let Some(clause) = after.strip_prefix('(') {
                let clause = &clause[..clause.find(')').unwrap_or(clause.len())];
                labels.extend(
                    clause
                        .split(',')
                        .map(|l| l.trim().to_owned())
                        .filter(|l| !l.is_empty()),
                );
            }
        }
    }
    labels
}

/// Builds xtask/apps/axum with the snippet as its src/observability.rs, once per machine for
/// each lockfile, manifest, main file and snippet: the crates in a target folder of the tools
/// cache kept per lockfile, the program in a folder kept per everything. A snippet that does not
/// build is a failed check (None), not an error.
fn build_axum(
    root: &Path,
    snippet: &str,
    outcome: &mut Outcome,
) -> Result<Option<PathBuf>, String> {
    let app = root.join("xtask/apps/axum");
    let read = |path: &str| {
        fs::read_to_string(app.join(path))
            .map_err(|e| format!("cannot read xtask/apps/axum/{path}: {e}"))
    };
    let (manifest, lock, main) = (
        read("Cargo.toml")?,
        read("Cargo.lock")?,
        read("src/main.rs")?,
    );
    let cache = tools::cache_dir()?;
    let target = cache.join(format!(
        "snippet-axum-target-{:016x}",
        tools::fnv1a(lock.as_bytes())
    ));
    let key = tools::fnv1a(
        [manifest.as_str(), &lock, &main, snippet]
            .join("\0")
            .as_bytes(),
    );
    let mut failure = None;
    let built = tools::ensure_installed(&cache, "snippet-axum", &format!("{key:016x}"), |dir| {
        let write = |path: &str, text: &str| {
            let to = dir.join(path);
            fs::create_dir_all(to.parent().unwrap_or(dir)).map_err(|e| e.to_string())?;
            fs::write(&to, text).map_err(|e| format!("cannot write {}: {e}", to.display()))
        };
        write("Cargo.toml", &manifest)?;
        write("Cargo.lock", &lock)?;
        write("src/main.rs", &main)?;
        write("src/observability.rs", snippet)?;
        let started = Instant::now();
        outcome.processes += 1;
        let cargo = crate::run::captured(
            Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "--locked", "--manifest-path"])
                .arg(dir.join("Cargo.toml"))
                .arg("--target-dir")
                .arg(&target),
        )?;
        println!(
            "verify snippets: built the axum app in {:.1} s (once per machine for this lockfile and snippet)",
            started.elapsed().as_secs_f64()
        );
        if !cargo.success {
            failure = Some(cargo.text);
            return Err("the axum app does not build".into());
        }
        fs::copy(target.join("debug/snippet-axum"), dir.join("server"))
            .map(drop)
            .map_err(|e| format!("cannot copy the axum app: {e}"))
    });
    match (built, failure) {
        (Ok(dir), _) => Ok(Some(dir.join("server"))),
        (Err(_), Some(text)) => {
            let errors: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with("error") || l.trim_start().starts_with("-->"))
                .take(20)
                .collect();
            outcome.check(false, || {
                format!(
                    "the generated observability.rs does not build in an axum app:\n      {}",
                    errors.join("\n      ")
                )
            });
            Ok(None)
        }
        (Err(why), None) => Err(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_samples_are_read_with_their_labels() {
        let body = "# HELP http_requests_total HTTP requests\n\
            # TYPE http_requests_total counter\n\
            http_requests_total{method=\"GET\",route=\"/a \\\"b\\\"\",status=\"200\"} 3.0\n\
            process_open_fds 12\n";
        let series = parse_exposition(body);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].name, "http_requests_total");
        assert_eq!(series[0].label("route"), Some("/a \"b\""));
        assert_eq!(series[0].label("status"), Some("200"));
        assert_eq!(series[0].value, 3.0);
        assert_eq!(series[1].name, "process_open_fds");
        assert!(series[1].labels.is_empty());
    }

    #[test]
    fn labels_are_read_from_selectors_and_by_clauses() {
        let expr = "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=\"x\", route!=\"/\"}[5m])))";
        assert_eq!(
            labels_used(expr, "http_request_duration_seconds"),
            ["namespace", "route", "le"]
        );
        // Another metric whose name starts with this one's is not this one.
        assert!(labels_used(expr, "http_request_duration").is_empty());
        assert!(
            labels_used(
                "sum by (pod) (rate(other_total[5m]))",
                "http_requests_total"
            )
            .is_empty()
        );
    }

    #[test]
    fn the_generated_alerts_and_dashboard_read_status_route_and_le() {
        for preset in PRESETS {
            let project = preset.project();
            let bundle = generate(&project);
            for service in project
                .services
                .iter()
                .filter(|s| s.runtime != Runtime::Static)
            {
                let queries = queries(&bundle, &project, &service.name);
                let used = |metric| -> Vec<String> {
                    queries
                        .iter()
                        .flat_map(|q| labels_used(q, metric))
                        .collect()
                };
                let requests = used(REQUESTS_METRIC);
                assert!(requests.iter().any(|l| l == "status"), "{}", preset.name);
                assert!(requests.iter().any(|l| l == "route"), "{}", preset.name);
                assert!(
                    used(DURATION_METRIC).iter().any(|l| l == "le"),
                    "{}",
                    preset.name
                );
            }
        }
    }
}
