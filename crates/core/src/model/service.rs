//! An app service: one deployable built from one folder of the repository.

use serde::Serialize;

use super::runtime::{PackageManager, Runtime};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppService {
    /// DNS-1123 label; names the image, the compose service and the Kubernetes objects.
    pub name: String,
    /// Folder in the repository ("." for the root): build context and CI path filter.
    pub path: String,
    pub runtime: Runtime,
    pub version: String,
    pub package_manager: PackageManager,
    /// More versions to test in CI, besides `version` (a build matrix).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test_versions: Vec<String>,
    /// The port the process listens on inside the container.
    pub port: u16,
    pub health: Health,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    pub commands: Commands,
    /// Image name (without registry or tag); derived from project and service when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    pub replicas: u32,
    pub resources: Resources,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Ingress>,
    /// Gets `DATABASE_URL` for the project's PostgreSQL.
    pub uses_postgres: bool,
    /// Gets `REDIS_URL` for the project's Redis.
    pub uses_redis: bool,
    /// How new versions reach users, and how Kubernetes checks the pods.
    pub rollout: Rollout,
}

/// How a new version replaces the old one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Pods are replaced a few at a time; with maxUnavailable 0 no capacity is lost.
    #[default]
    Rolling,
    /// A second full set of pods starts beside the live one; the Service switches at once.
    BlueGreen,
    /// A small share of traffic goes to the new version first, then more, step by step.
    Canary,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Rolling, Strategy::BlueGreen, Strategy::Canary];

    pub fn id(self) -> &'static str {
        match self {
            Strategy::Rolling => "rolling",
            Strategy::BlueGreen => "blue-green",
            Strategy::Canary => "canary",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Strategy::Rolling => "Rolling update",
            Strategy::BlueGreen => "Blue-green",
            Strategy::Canary => "Canary",
        }
    }

    pub fn from_id(id: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// What shifts traffic during a canary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CanaryEngine {
    /// Istio VirtualService weights, one manifest per step.
    #[default]
    Istio,
    /// An Argo Rollouts `Rollout` with the same steps.
    ArgoRollouts,
}

impl CanaryEngine {
    pub const ALL: [CanaryEngine; 2] = [CanaryEngine::Istio, CanaryEngine::ArgoRollouts];

    pub fn id(self) -> &'static str {
        match self {
            CanaryEngine::Istio => "istio",
            CanaryEngine::ArgoRollouts => "argo-rollouts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CanaryEngine::Istio => "Istio VirtualService",
            CanaryEngine::ArgoRollouts => "Argo Rollouts",
        }
    }

    pub fn from_id(id: &str) -> Option<CanaryEngine> {
        CanaryEngine::ALL.into_iter().find(|e| e.id() == id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rollout {
    pub strategy: Strategy,
    /// Extra pods a rolling update may start, as a count or a percentage ("25%").
    pub max_surge: String,
    /// Pods a rolling update may take away; 0 keeps full capacity throughout.
    pub max_unavailable: String,
    /// Canary traffic percentages, rising to 100.
    pub canary_steps: Vec<u32>,
    pub canary_engine: CanaryEngine,
    pub probes: Probes,
    /// Time a pod gets to finish its requests after it is told to stop.
    pub termination_grace_seconds: u32,
}

impl Default for Rollout {
    fn default() -> Self {
        Rollout {
            strategy: Strategy::Rolling,
            max_surge: "25%".into(),
            max_unavailable: "0".into(),
            canary_steps: vec![10, 50, 100],
            canary_engine: CanaryEngine::Istio,
            probes: Probes::default(),
            termination_grace_seconds: 30,
        }
    }
}

/// Timings of the three probes; each has its own job (see [`Health`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Probes {
    pub startup: ProbeTiming,
    pub liveness: ProbeTiming,
    pub readiness: ProbeTiming,
}

impl Default for Probes {
    fn default() -> Self {
        Probes {
            // Up to 30 x 5 s = 150 s to start, before liveness takes over.
            startup: ProbeTiming {
                initial_delay_seconds: 0,
                period_seconds: 5,
                timeout_seconds: 2,
                failure_threshold: 30,
            },
            liveness: ProbeTiming {
                initial_delay_seconds: 60,
                period_seconds: 10,
                timeout_seconds: 2,
                failure_threshold: 3,
            },
            readiness: ProbeTiming {
                initial_delay_seconds: 10,
                period_seconds: 5,
                timeout_seconds: 2,
                failure_threshold: 2,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeTiming {
    pub initial_delay_seconds: u32,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub failure_threshold: u32,
}

/// The three health endpoints, each with its own purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    /// Answers once the process has started (may check the database connection).
    pub startup: String,
    /// Answers while the process is alive; checks nothing else, so a slow dependency does not
    /// get the container restarted.
    pub liveness: String,
    /// Answers when the service can take traffic: every dependency is reachable.
    pub readiness: String,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            startup: "/health/startup".into(),
            liveness: "/health/live".into(),
            readiness: "/health/ready".into(),
        }
    }
}

/// An environment variable the service reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// The value, for plain settings. Empty for secrets: their values live in the secrets store
    /// and never in Shipshape's files.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Comes from the secrets store rather than from configuration.
    #[serde(skip_serializing_if = "is_false")]
    pub secret: bool,
}

/// The services a value names as `{{SERVICE.url}}`, each with where its reference starts and
/// ends in the value. The generators put that service's address there: its URL in each
/// environment, and its published port on a developer's machine, so that a frontend's API URL
/// or a backend's CORS origin is right everywhere.
pub fn url_references(value: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = value[from..].find("{{") {
        let start = from + open;
        let Some(close) = value[start..].find("}}") else {
            break;
        };
        let end = start + close + 2;
        if let Some(name) = value[start + 2..end - 2].trim().strip_suffix(".url") {
            found.push((start, end, name.trim()));
        }
        from = end;
    }
    found
}

/// `value` with each `{{SERVICE.url}}` for which `replace` gives text replaced by that text;
/// the rest, and references it gives nothing for, stay as typed.
pub fn replace_references(value: &str, mut replace: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut from = 0;
    for (start, end, name) in url_references(value) {
        if let Some(text) = replace(name) {
            out.push_str(&value[from..start]);
            out.push_str(&text);
            from = end;
        }
    }
    out.push_str(&value[from..]);
    out
}

fn is_false(value: &bool) -> bool {
    !value
}

/// Shell commands CI runs, from the service's folder. Empty means the step is skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Commands {
    pub lint: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub typecheck: String,
    pub test: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub build: String,
    /// The dependency audit for this ecosystem.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub audit: String,
    /// Runs the service with hot reload, for docker compose.
    pub dev: String,
}

/// Requests and limits, in Kubernetes quantities ("250m", "512Mi").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resources {
    pub cpu_request: String,
    pub cpu_limit: String,
    pub memory_request: String,
    pub memory_limit: String,
}

impl Default for Resources {
    fn default() -> Self {
        Resources {
            cpu_request: "100m".into(),
            cpu_limit: "500m".into(),
            memory_request: "128Mi".into(),
            memory_limit: "512Mi".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Autoscaling {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// Average CPU utilisation to aim for, in percent of the request.
    pub cpu_percent: u32,
    /// Average memory utilisation to aim for, in percent of the request, if memory should scale too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_percent: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ingress {
    /// Hostname prefix (e.g. "api") joined to the environment's hostname, or a full hostname.
    pub host: String,
    pub path: String,
}

impl AppService {
    /// A service with the defaults of its runtime.
    pub fn new(name: &str, path: &str, runtime: Runtime) -> AppService {
        let package_manager = runtime.package_managers()[0];
        AppService {
            name: name.into(),
            path: path.into(),
            runtime,
            version: runtime.default_version().into(),
            package_manager,
            test_versions: Vec::new(),
            port: runtime.default_port(),
            health: Health::default(),
            env: Vec::new(),
            commands: Commands::defaults(runtime, package_manager),
            image: None,
            replicas: 2,
            resources: Resources::default(),
            autoscaling: None,
            ingress: None,
            uses_postgres: false,
            uses_redis: false,
            rollout: Rollout::default(),
        }
    }

    /// The fewest pods that run in normal operation: the autoscaler's minimum, or the
    /// environment's override, or the service's own count.
    pub fn min_replicas(&self, environment_override: Option<u32>) -> u32 {
        match &self.autoscaling {
            Some(autoscaling) => autoscaling.min_replicas,
            None => environment_override.unwrap_or(self.replicas),
        }
    }

    /// The most pods that run in normal operation.
    pub fn max_replicas(&self, environment_override: Option<u32>) -> u32 {
        match &self.autoscaling {
            Some(autoscaling) => autoscaling.max_replicas,
            None => environment_override.unwrap_or(self.replicas),
        }
    }

    /// The image name: the override, or `<project>-<service>`.
    pub fn image_name(&self, project: &str) -> String {
        self.image
            .clone()
            .unwrap_or_else(|| format!("{project}-{}", self.name))
    }

    /// Versions CI tests: the service's own first, then the extra ones.
    pub fn ci_versions(&self) -> Vec<&str> {
        let mut versions = vec![self.version.as_str()];
        for version in &self.test_versions {
            if !versions.contains(&version.as_str()) {
                versions.push(version);
            }
        }
        versions
    }

    /// Keys the service reads from its Secret: its secret variables, and the connection URLs
    /// of the backing services it uses.
    pub fn secret_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .env
            .iter()
            .filter(|v| v.secret)
            .map(|v| v.name.clone())
            .collect();
        if self.uses_postgres {
            keys.push("DATABASE_URL".into());
        }
        if self.uses_redis {
            keys.push("REDIS_URL".into());
        }
        keys
    }

    /// The folder as a path prefix for files in it ("" for the root, "web/" otherwise).
    pub fn folder_prefix(&self) -> String {
        match self.path.trim_end_matches('/') {
            "." | "" => String::new(),
            path => format!("{path}/"),
        }
    }
}

impl Commands {
    /// What teams of this ecosystem usually run.
    pub fn defaults(runtime: Runtime, package_manager: PackageManager) -> Commands {
        use PackageManager as Pm;
        let run = |script: &str| match package_manager {
            Pm::Pnpm => format!("pnpm run {script}"),
            Pm::Yarn => format!("yarn run {script}"),
            _ => format!("npm run {script}"),
        };
        let python = |tool: &str| match package_manager {
            Pm::Poetry => format!("poetry run {tool}"),
            Pm::Uv => format!("uv run {tool}"),
            _ => format!("python -m {tool}"),
        };
        let gradle_or_maven = |gradle: &str, maven: &str| {
            if package_manager == Pm::Gradle {
                gradle.to_owned()
            } else {
                maven.to_owned()
            }
        };
        match runtime {
            Runtime::Node | Runtime::Static => Commands {
                lint: run("lint"),
                typecheck: match package_manager {
                    Pm::Pnpm => "pnpm exec tsc --noEmit".into(),
                    Pm::Yarn => "yarn exec tsc --noEmit".into(),
                    _ => "npx --no-install tsc --noEmit".into(),
                },
                test: run("test -- --coverage"),
                build: run("build"),
                audit: match package_manager {
                    Pm::Pnpm => "pnpm audit --audit-level high".into(),
                    Pm::Yarn => "yarn npm audit --severity high".into(),
                    _ => "npm audit --audit-level=high".into(),
                },
                dev: if runtime == Runtime::Static {
                    run("dev -- --host 0.0.0.0 --port $PORT")
                } else {
                    run("dev")
                },
            },
            Runtime::Python => Commands {
                lint: format!("{} check .", python("ruff")),
                typecheck: format!("{} .", python("mypy")),
                test: format!("{} --cov --cov-report=xml", python("pytest")),
                build: String::new(),
                audit: match package_manager {
                    Pm::Uv => "uvx pip-audit".into(),
                    Pm::Poetry => "pipx run pip-audit".into(),
                    _ => "pipx run pip-audit -r requirements.txt".into(),
                },
                dev: format!(
                    "{} app.main:app --reload --host 0.0.0.0 --port $PORT",
                    python("uvicorn")
                ),
            },
            Runtime::Go => Commands {
                lint: "go vet ./...".into(),
                typecheck: String::new(),
                test: "go test -race -coverprofile=coverage.out ./...".into(),
                build: "go build ./...".into(),
                audit: "go run golang.org/x/vuln/cmd/govulncheck@v1.1.4 ./...".into(),
                dev: "go run .".into(),
            },
            Runtime::Java => Commands {
                lint: gradle_or_maven(
                    "./gradlew check -x test",
                    "./mvnw --batch-mode checkstyle:check",
                ),
                typecheck: String::new(),
                test: gradle_or_maven(
                    "./gradlew test jacocoTestReport",
                    "./mvnw --batch-mode verify",
                ),
                build: gradle_or_maven(
                    "./gradlew bootJar",
                    "./mvnw --batch-mode package -DskipTests",
                ),
                audit: String::new(),
                dev: gradle_or_maven("./gradlew bootRun", "./mvnw spring-boot:run"),
            },
            Runtime::Rust => Commands {
                lint: "cargo clippy --all-targets -- -D warnings".into(),
                typecheck: "cargo fmt --check".into(),
                test: "cargo test".into(),
                build: "cargo build --release".into(),
                audit: String::new(),
                dev: "cargo run".into(),
            },
            Runtime::Dotnet => Commands {
                lint: "dotnet format --verify-no-changes".into(),
                typecheck: String::new(),
                test: "dotnet test --collect:\"XPlat Code Coverage\"".into(),
                build: "dotnet build --configuration Release".into(),
                audit: "dotnet list package --vulnerable --include-transitive".into(),
                dev: "dotnet watch run --urls http://0.0.0.0:$PORT".into(),
            },
            Runtime::Ruby => Commands {
                lint: "bundle exec rubocop".into(),
                typecheck: String::new(),
                test: "bundle exec rspec".into(),
                build: String::new(),
                audit: "bundle exec bundle-audit check --update".into(),
                dev: "bundle exec rails server --binding 0.0.0.0 --port $PORT".into(),
            },
            Runtime::Php => Commands {
                lint: "vendor/bin/php-cs-fixer check".into(),
                typecheck: "vendor/bin/phpstan analyse".into(),
                test: "vendor/bin/phpunit".into(),
                build: String::new(),
                audit: "composer audit".into(),
                dev: "php -S 0.0.0.0:$PORT -t public".into(),
            },
        }
    }
}
