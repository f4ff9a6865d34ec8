//! GitHub Actions: one CI/CD workflow per app service, path-filtered on its folder.
//!
//! lint -> test (coverage, optional version matrix) and security (dependency audit, Trivy,
//! SARIF) -> build, scan and push the image -> deploy staging (staging branch) or production
//! (production branch, behind the environment's approval). Built from typed structs, so no
//! user value can change the workflow's structure; user values reach scripts only as
//! environment variables, never through `${{ }}`.

use crate::yaml::{Map, Scalar as Input};
use serde::Serialize;

use super::provenance;
use crate::model::{
    AppService, CanaryEngine, CommandKind, DeployTool, PackageManager, Project, RegistryKind,
    Runtime, Stage, Strategy,
};

/// An action pinned to the commit of a release tag, and that tag. A tag can be moved or
/// deleted by whoever controls the action's repository; a commit cannot. The workflow writes the
/// version beside the SHA (`uses: actions/checkout@<sha>  # v5.1.0`), which is how Dependabot's
/// github-actions updates find and bump it. The commits and each action's inputs were read from
/// the actions' own repositories on 2026-12-07 (crates/core/tests/fixtures/actions.toml, where
/// a test checks every `with:` of every workflow against them).
#[derive(Clone, Copy)]
pub struct Pin {
    pub uses: &'static str,
    pub version: &'static str,
}

const CHECKOUT: Pin = Pin {
    uses: "actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09",
    version: "v5.1.0",
};
const CACHE: Pin = Pin {
    uses: "actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae",
    version: "v5.0.5",
};
const UPLOAD_ARTIFACT: Pin = Pin {
    uses: "actions/upload-artifact@b7c566a772e6b6bfb58ed0dc250532a479d7789f",
    version: "v6.0.0",
};
const DOWNLOAD_ARTIFACT: Pin = Pin {
    uses: "actions/download-artifact@37930b1c2abaa49bbe596cd826c3c89aef350131",
    version: "v7.0.0",
};
const SETUP_NODE: Pin = Pin {
    uses: "actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444",
    version: "v5.0.0",
};
const SETUP_PYTHON: Pin = Pin {
    uses: "actions/setup-python@ece7cb06caefa5fff74198d8649806c4678c61a1",
    version: "v6.3.0",
};
const SETUP_GO: Pin = Pin {
    uses: "actions/setup-go@924ae3a1cded613372ab5595356fb5720e22ba16",
    version: "v6.5.0",
};
const SETUP_JAVA: Pin = Pin {
    uses: "actions/setup-java@b6effb05e454b25005698d916606bdc6ffcbf961",
    version: "v5.7.0",
};
const SETUP_DOTNET: Pin = Pin {
    uses: "actions/setup-dotnet@26b0ec14cb23fa6904739307f278c14f94c95bf1",
    version: "v5.4.0",
};
const SETUP_RUBY: Pin = Pin {
    uses: "ruby/setup-ruby@0dafeac902942906541bc140009cdbf32665b601",
    version: "v1.315.0",
};
const SETUP_PHP: Pin = Pin {
    uses: "shivammathur/setup-php@f3e473d116dcccaddc5834248c87452386958240",
    version: "2.37.2",
};
const RUST_CACHE: Pin = Pin {
    uses: "Swatinem/rust-cache@6323deb102c322ba6fcbdcafc7e3dddab59af2b6",
    version: "v2.9.2",
};
const TRIVY: Pin = Pin {
    uses: "aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25",
    version: "v0.36.0",
};
const UPLOAD_SARIF: Pin = Pin {
    uses: "github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e",
    version: "v4.36.2",
};
const BUILDX: Pin = Pin {
    uses: "docker/setup-buildx-action@37fe631027851001ddb9b187196cc803df7f5f0e",
    version: "v4.3.0",
};
const LOGIN: Pin = Pin {
    uses: "docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121",
    version: "v4.1.0",
};
const METADATA: Pin = Pin {
    uses: "docker/metadata-action@dc802804100637a589fabce1cb79ff13a1411302",
    version: "v6.2.0",
};
const BUILD_PUSH: Pin = Pin {
    uses: "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
    version: "v7.3.0",
};
const AWS_CREDENTIALS: Pin = Pin {
    uses: "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c",
    version: "v6.2.3",
};
const GCP_AUTH: Pin = Pin {
    uses: "google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093",
    version: "v3.0.0",
};

/// Every pinned action, for the version comments.
const PINS: [Pin; 20] = [
    CHECKOUT,
    CACHE,
    UPLOAD_ARTIFACT,
    DOWNLOAD_ARTIFACT,
    SETUP_NODE,
    SETUP_PYTHON,
    SETUP_GO,
    SETUP_JAVA,
    SETUP_DOTNET,
    SETUP_RUBY,
    SETUP_PHP,
    RUST_CACHE,
    TRIVY,
    UPLOAD_SARIF,
    BUILDX,
    LOGIN,
    METADATA,
    BUILD_PUSH,
    AWS_CREDENTIALS,
    GCP_AUTH,
];

/// The release tag of a pinned `uses:` value.
fn pinned_version(uses: &str) -> Option<&'static str> {
    PINS.iter()
        .find(|pin| pin.uses == uses)
        .map(|pin| pin.version)
}

const RUNNER: &str = "ubuntu-24.04";

#[derive(Serialize)]
struct Workflow {
    name: String,
    on: Map<&'static str, Trigger>,
    permissions: Map<&'static str, &'static str>,
    concurrency: Concurrency,
    #[serde(skip_serializing_if = "Map::is_empty")]
    env: Map<&'static str, String>,
    jobs: Map<&'static str, Job>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Concurrency {
    group: String,
    /// A boolean, or an expression that gives one.
    cancel_in_progress: Input,
}

/// When a workflow runs: pushes and pull requests to these branches touching these paths.
#[derive(Serialize, Default, Clone)]
struct Trigger {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    branches: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct MatrixStrategy {
    fail_fast: bool,
    matrix: Matrix,
}

#[derive(Serialize)]
struct Matrix {
    version: Vec<String>,
}

#[derive(Serialize)]
struct Defaults {
    run: RunDefaults,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RunDefaults {
    working_directory: String,
}

/// An action's `with:` inputs, in order.
fn with<const N: usize>(inputs: [(&'static str, Input); N]) -> Map<&'static str, Input> {
    Map::from(inputs)
}

#[derive(Serialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Job {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<&'static str>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    runs_on: &'static str,
    timeout_minutes: u32,
    #[serde(skip_serializing_if = "Map::is_empty")]
    permissions: Map<&'static str, &'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<JobEnvironment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<MatrixStrategy>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    outputs: Map<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    defaults: Option<Defaults>,
    steps: Vec<Step>,
}

#[derive(Serialize)]
struct JobEnvironment {
    name: String,
    url: String,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Step {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'static str>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<&'static str>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    with: Map<&'static str, Input>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    env: Map<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
}

fn uses(name: &str, action: Pin, with: Map<&'static str, Input>) -> Step {
    Step {
        name: name.into(),
        uses: Some(action.uses),
        with,
        ..Step::default()
    }
}

fn run(name: &str, script: impl Into<String>) -> Step {
    Step {
        name: name.into(),
        run: Some(script.into()),
        ..Step::default()
    }
}

/// The workflow file's path in the repository.
pub fn path(service: &AppService) -> String {
    format!(".github/workflows/{}.yml", service.name)
}

pub fn workflow(project: &Project, service: &AppService) -> crate::yaml::Yaml {
    let folder = service.folder_prefix();
    let filters = vec![format!("{folder}**"), path(service)];
    let branches = vec![
        project.branches.production.clone(),
        project.branches.staging.clone(),
    ];
    let trigger = Trigger {
        branches,
        paths: filters,
    };
    let workflow = Workflow {
        name: service.name.clone(),
        on: Map::from([
            ("push", trigger.clone()),
            ("pull_request", trigger),
            ("workflow_dispatch", Trigger::default()),
        ]),
        permissions: Map::from([("contents", "read")]),
        concurrency: Concurrency {
            group: "${{ github.workflow }}-${{ github.ref }}".into(),
            cancel_in_progress: "${{ github.event_name == 'pull_request' }}".into(),
        },
        env: Map::from([
            ("REGISTRY", project.registry_host()),
            ("IMAGE_NAME", project.image(service)),
        ]),
        jobs: Map::from([
            ("lint", lint_job(service)),
            ("test", test_job(service)),
            ("security", security_job(service)),
            ("build", build_job(project, service)),
            (
                "deploy-staging",
                deploy_job(project, service, Stage::Staging),
            ),
            (
                "deploy-production",
                deploy_job(project, service, Stage::Production),
            ),
        ]),
    };
    let mut out = provenance(project, service);
    out.push_str("# Production deploys wait for the approval rule of the GitHub\n");
    out.push_str("# environment that deploy-production names; set its reviewers under\n");
    out.push_str("# Settings > Environments.\n");
    if project.deploy_tool == DeployTool::ArgoCd {
        out.push_str("# Deploy jobs push the new image digest to the environment's branch;\n");
        out.push_str("# let github-actions[bot] push there if the branch is protected.\n");
    }
    let mut yaml = crate::yaml::Yaml::with_comments(&out);
    yaml.comment_values(pinned_version).document(&workflow);
    yaml
}

/// The gate workflow, and the one check the repository rulesets require.
pub const GATE_PATH: &str = ".github/workflows/required-checks.yml";
pub const GATE_CHECK: &str = "All checks passed";

/// Path filters skip the workflows of services a pull request leaves alone, and GitHub would
/// wait forever for checks that never start. So the rulesets require one check that always
/// runs: it waits for every other check run of the commit and fails if one did not pass.
pub fn gate(project: &Project) -> crate::yaml::Yaml {
    let workflow = Workflow {
        name: "required-checks".into(),
        on: Map::from([(
            "pull_request",
            Trigger {
                branches: vec![
                    project.branches.production.clone(),
                    project.branches.staging.clone(),
                ],
                paths: Vec::new(),
            },
        )]),
        permissions: Map::default(),
        concurrency: Concurrency {
            group: "${{ github.workflow }}-${{ github.ref }}".into(),
            cancel_in_progress: true.into(),
        },
        env: Map::default(),
        jobs: Map::from([(
            "all-checks",
            Job {
                name: GATE_CHECK.into(),
                runs_on: RUNNER,
                timeout_minutes: 60,
                permissions: Map::from([("checks", "read")]),
                steps: vec![Step {
                    env: Map::from([
                        ("GH_TOKEN", "${{ github.token }}".into()),
                        ("REPO", "${{ github.repository }}".into()),
                        ("SHA", "${{ github.event.pull_request.head.sha }}".into()),
                        ("GATE", GATE_CHECK.into()),
                    ]),
                    ..run("Wait for every other check of this commit", GATE_SCRIPT)
                }],
                ..Job::default()
            },
        )]),
    };
    let mut yaml = crate::yaml::Yaml::with_comments(
        "# Generated by Shipshape; change the settings rather than this file.\n\
         # The one check the repository rulesets require (.github/rulesets/).\n",
    );
    yaml.document(&workflow);
    yaml
}

/// Polls the commit's check runs (the latest of each) until all are complete.
const GATE_SCRIPT: &str = "# Give the other workflows a minute to start their checks.
sleep 60
runs=\"repos/$REPO/commits/$SHA/check-runs?per_page=100\"
query='.check_runs[] | select(.name != env.GATE)
  | \"\\(.status) \\(.conclusion)\"'
while true; do
  states=\"$(gh api \"$runs\" --jq \"$query\")\"
  if [ -z \"$states\" ]; then
    echo \"No other check ran for this commit.\"
    exit 0
  fi
  if grep -qv '^completed ' <<<\"$states\"; then
    sleep 30
    continue
  fi
  # Success, skipped or neutral pass; anything else fails.
  if grep -qvE ' (success|skipped|neutral)$' <<<\"$states\"; then
    echo \"$states\"
    echo \"::error::A check of this commit did not pass.\"
    exit 1
  fi
  echo \"Every check of this commit passed.\"
  exit 0
done
";

fn working_directory(service: &AppService) -> Option<Defaults> {
    Some(Defaults {
        run: RunDefaults {
            working_directory: service.path.clone(),
        },
    })
}

fn checkout() -> Step {
    uses(
        "Check out",
        CHECKOUT,
        with([("persist-credentials", Input::from(false))]),
    )
}

/// Steps that set up the runtime, restore the dependency cache and install dependencies.
fn setup(service: &AppService, version: &str) -> Vec<Step> {
    let folder = service.folder_prefix();
    let lockfile = format!("{folder}{}", service.package_manager.lockfile());
    let cache_key = |prefix: &str| {
        format!("{prefix}-${{{{ runner.os }}}}-{version}-${{{{ hashFiles('{lockfile}') }}}}")
    };
    let restore = |prefix: &str| format!("{prefix}-${{{{ runner.os }}}}-{version}-");
    match service.runtime {
        Runtime::Node | Runtime::Static => match service.package_manager {
            PackageManager::Pnpm => vec![
                uses(
                    "Set up Node.js",
                    SETUP_NODE,
                    with([("node-version", Input::from(&version))]),
                ),
                run("Install pnpm", "npm install --global pnpm@10"),
                uses(
                    "Cache the pnpm store",
                    CACHE,
                    with([
                        ("path", Input::from("~/.local/share/pnpm/store")),
                        ("key", Input::from(cache_key("pnpm"))),
                        ("restore-keys", Input::from(restore("pnpm"))),
                    ]),
                ),
                run("Install dependencies", "pnpm install --frozen-lockfile"),
            ],
            PackageManager::Yarn => vec![
                uses(
                    "Set up Node.js",
                    SETUP_NODE,
                    with([("node-version", Input::from(&version))]),
                ),
                run(
                    "Enable Yarn through Corepack",
                    "npm install --global corepack@0.34.0 && corepack enable",
                ),
                uses(
                    "Cache Yarn packages",
                    CACHE,
                    with([
                        ("path", Input::from("~/.yarn/berry/cache")),
                        ("key", Input::from(cache_key("yarn"))),
                        ("restore-keys", Input::from(restore("yarn"))),
                    ]),
                ),
                run("Install dependencies", "yarn install --immutable"),
            ],
            _ => vec![
                uses(
                    "Set up Node.js",
                    SETUP_NODE,
                    with([
                        ("node-version", Input::from(&version)),
                        ("cache", Input::from("npm")),
                        ("cache-dependency-path", Input::from(&lockfile)),
                    ]),
                ),
                run("Install dependencies", "npm ci"),
            ],
        },
        Runtime::Python => {
            let python = uses(
                "Set up Python",
                SETUP_PYTHON,
                with([("python-version", Input::from(&version))]),
            );
            match service.package_manager {
                PackageManager::Poetry => vec![
                    python,
                    run("Install Poetry", "pipx install poetry==2.2.1"),
                    uses(
                        "Cache the virtualenv",
                        CACHE,
                        with([
                            ("path", Input::from(format!("{folder}.venv"))),
                            ("key", Input::from(cache_key("poetry"))),
                            ("restore-keys", Input::from(restore("poetry"))),
                        ]),
                    ),
                    Step {
                        env: Map::from([("POETRY_VIRTUALENVS_IN_PROJECT", "true".to_owned())]),
                        ..run("Install dependencies", "poetry install --no-interaction")
                    },
                ],
                PackageManager::Uv => vec![
                    python,
                    run("Install uv", "pipx install uv==0.9.*"),
                    uses(
                        "Cache uv downloads",
                        CACHE,
                        with([
                            ("path", Input::from("~/.cache/uv")),
                            ("key", Input::from(cache_key("uv"))),
                            ("restore-keys", Input::from(restore("uv"))),
                        ]),
                    ),
                    run("Install dependencies", "uv sync --locked"),
                ],
                _ => vec![
                    uses(
                        "Set up Python",
                        SETUP_PYTHON,
                        with([
                            ("python-version", Input::from(&version)),
                            ("cache", Input::from("pip")),
                            (
                                "cache-dependency-path",
                                Input::from(format!("{folder}requirements*.txt")),
                            ),
                        ]),
                    ),
                    run(
                        "Install dependencies",
                        "python -m pip install -r requirements.txt -r requirements-dev.txt",
                    ),
                ],
            }
        }
        Runtime::Go => vec![
            uses(
                "Set up Go",
                SETUP_GO,
                with([
                    ("go-version", Input::from(&version)),
                    ("cache-dependency-path", Input::from(&lockfile)),
                ]),
            ),
            run("Download modules", "go mod download"),
        ],
        Runtime::Java => {
            let gradle = service.package_manager == PackageManager::Gradle;
            vec![
                uses(
                    "Set up Java",
                    SETUP_JAVA,
                    with([
                        ("distribution", Input::from("temurin")),
                        ("java-version", Input::from(&version)),
                        (
                            "cache",
                            Input::from(if gradle { "gradle" } else { "maven" }),
                        ),
                        (
                            "cache-dependency-path",
                            Input::from(if gradle {
                                format!("{folder}*.gradle*")
                            } else {
                                lockfile
                            }),
                        ),
                    ]),
                ),
                run(
                    "Download dependencies",
                    if gradle {
                        "./gradlew dependencies"
                    } else {
                        "./mvnw --batch-mode dependency:go-offline"
                    },
                ),
            ]
        }
        Runtime::Rust => vec![
            run(
                "Set up Rust",
                format!(
                    "rustup toolchain install {version} --profile minimal --component clippy,rustfmt && rustup default {version}"
                ),
            ),
            uses(
                "Cache cargo builds",
                RUST_CACHE,
                with([("workspaces", Input::from(&service.path))]),
            ),
            run("Fetch dependencies", "cargo fetch --locked"),
        ],
        Runtime::Dotnet => vec![
            uses(
                "Set up .NET",
                SETUP_DOTNET,
                with([
                    ("dotnet-version", Input::from(format!("{version}.x"))),
                    ("cache", Input::from(true)),
                    ("cache-dependency-path", Input::from(&lockfile)),
                ]),
            ),
            run("Restore packages", "dotnet restore --locked-mode"),
        ],
        Runtime::Ruby => vec![uses(
            "Set up Ruby and install gems",
            SETUP_RUBY,
            with([
                ("ruby-version", Input::from(&version)),
                ("bundler-cache", Input::from(true)),
                ("working-directory", Input::from(&service.path)),
            ]),
        )],
        Runtime::Php => vec![
            uses(
                "Set up PHP",
                SETUP_PHP,
                with([
                    ("php-version", Input::from(&version)),
                    ("tools", Input::from("composer:v2")),
                    ("coverage", Input::from("xdebug")),
                ]),
            ),
            uses(
                "Cache Composer packages",
                CACHE,
                with([
                    ("path", Input::from("~/.cache/composer/files")),
                    ("key", Input::from(cache_key("composer"))),
                    ("restore-keys", Input::from(restore("composer"))),
                ]),
            ),
            run(
                "Install dependencies",
                "composer install --prefer-dist --no-interaction --no-progress",
            ),
        ],
    }
}

fn lint_job(service: &AppService) -> Job {
    let mut steps = vec![checkout()];
    steps.extend(setup(service, &service.version));
    for (kind, name) in [
        (CommandKind::Lint, "Lint"),
        (CommandKind::Typecheck, "Type-check"),
    ] {
        let command = service.command(kind);
        if !command.is_empty() {
            steps.push(run(name, command));
        }
    }
    Job {
        name: "Lint and type-check".into(),
        runs_on: RUNNER,
        timeout_minutes: 15,
        defaults: working_directory(service),
        steps,
        ..Job::default()
    }
}

/// Where each ecosystem's usual test command writes its coverage report.
fn coverage_paths(service: &AppService) -> Option<String> {
    let folder = service.folder_prefix();
    let paths = match service.runtime {
        Runtime::Node | Runtime::Static | Runtime::Ruby => "coverage/",
        Runtime::Python => "coverage.xml",
        Runtime::Go => "coverage.out",
        Runtime::Java if service.package_manager == PackageManager::Gradle => {
            "build/reports/jacoco/"
        }
        Runtime::Java => "target/site/jacoco/",
        Runtime::Dotnet => "**/TestResults/**/coverage.cobertura.xml",
        Runtime::Php => "coverage.xml",
        Runtime::Rust => return None,
    };
    Some(format!("{folder}{paths}"))
}

fn test_job(service: &AppService) -> Job {
    let versions = service.ci_versions();
    let matrix = versions.len() > 1;
    let version = if matrix {
        "${{ matrix.version }}".to_owned()
    } else {
        service.version.clone()
    };
    let mut steps = vec![checkout()];
    steps.extend(setup(service, &version));
    steps.push(run(
        "Test with coverage",
        service.command(CommandKind::Test),
    ));
    if !service.commands.build.is_empty() {
        steps.push(run("Build", service.commands.build.clone()));
    }
    if let Some(path) = coverage_paths(service) {
        let artifact = if matrix {
            format!("coverage-{}-${{{{ matrix.version }}}}", service.name)
        } else {
            format!("coverage-{}", service.name)
        };
        steps.push(Step {
            condition: Some("always()".into()),
            ..uses(
                "Upload the coverage report",
                UPLOAD_ARTIFACT,
                with([
                    ("name", Input::from(&artifact)),
                    ("path", Input::from(&path)),
                    ("retention-days", Input::from(14)),
                    ("if-no-files-found", Input::from("warn")),
                ]),
            )
        });
    }
    Job {
        name: if matrix {
            format!(
                "Test ({} ${{{{ matrix.version }}}})",
                service.runtime.label()
            )
        } else {
            "Test".into()
        },
        needs: vec!["lint"],
        runs_on: RUNNER,
        timeout_minutes: 30,
        strategy: matrix.then(|| MatrixStrategy {
            fail_fast: false,
            matrix: Matrix {
                version: versions.iter().map(|v| v.to_string()).collect(),
            },
        }),
        defaults: working_directory(service),
        steps,
        ..Job::default()
    }
}

fn security_job(service: &AppService) -> Job {
    let mut steps = vec![checkout()];
    let audit = service.command(CommandKind::Audit);
    if !audit.is_empty() {
        steps.extend(setup(service, &service.version));
        steps.push(run("Audit dependencies", audit));
    }
    let sarif = format!("trivy-{}.sarif", service.name);
    steps.push(uses(
        "Scan the source with Trivy",
        TRIVY,
        with([
            ("scan-type", Input::from("fs")),
            ("scan-ref", Input::from(&service.path)),
            ("format", Input::from("sarif")),
            ("output", Input::from(&sarif)),
            ("severity", Input::from("CRITICAL,HIGH")),
            ("ignore-unfixed", Input::from(true)),
        ]),
    ));
    steps.push(Step {
        condition: Some("always()".into()),
        ..uses(
            "Upload findings to code scanning",
            UPLOAD_SARIF,
            with([
                ("sarif_file", Input::from(&sarif)),
                ("category", Input::from(format!("{}-source", service.name))),
            ]),
        )
    });
    Job {
        name: "Security scan".into(),
        needs: vec!["lint"],
        runs_on: RUNNER,
        timeout_minutes: 20,
        permissions: Map::from([("contents", "read"), ("security-events", "write")]),
        defaults: working_directory(service),
        steps,
        ..Job::default()
    }
}

/// Registry login; only on pushes, since pull requests build and scan without pushing.
fn login_steps(project: &Project) -> Vec<Step> {
    let on_push = Some("github.event_name == 'push'".to_owned());
    let login = |inputs: Map<&'static str, Input>| Step {
        condition: on_push.clone(),
        ..uses("Log in to the registry", LOGIN, inputs)
    };
    match project.registry.kind {
        RegistryKind::Ghcr => vec![login(with([
            ("registry", Input::from("${{ env.REGISTRY }}")),
            ("username", Input::from("${{ github.actor }}")),
            ("password", Input::from("${{ secrets.GITHUB_TOKEN }}")),
        ]))],
        RegistryKind::DockerHub => vec![login(with([
            ("username", Input::from("${{ vars.DOCKERHUB_USERNAME }}")),
            ("password", Input::from("${{ secrets.DOCKERHUB_TOKEN }}")),
        ]))],
        RegistryKind::Ecr => vec![
            Step {
                condition: on_push.clone(),
                ..uses(
                    "Assume the AWS role (OIDC, no stored keys)",
                    AWS_CREDENTIALS,
                    with([
                        ("role-to-assume", Input::from("${{ vars.AWS_ROLE_ARN }}")),
                        ("aws-region", Input::from("${{ vars.AWS_REGION }}")),
                    ]),
                )
            },
            login(with([("registry", Input::from("${{ env.REGISTRY }}"))])),
        ],
        RegistryKind::ArtifactRegistry => vec![
            Step {
                id: Some("gcp"),
                condition: on_push.clone(),
                ..uses(
                    "Authenticate to Google Cloud (OIDC, no stored keys)",
                    GCP_AUTH,
                    with([
                        (
                            "workload_identity_provider",
                            Input::from("${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}"),
                        ),
                        (
                            "service_account",
                            Input::from("${{ vars.GCP_SERVICE_ACCOUNT }}"),
                        ),
                        ("token_format", Input::from("access_token")),
                    ]),
                )
            },
            login(with([
                ("registry", Input::from("${{ env.REGISTRY }}")),
                ("username", Input::from("oauth2accesstoken")),
                (
                    "password",
                    Input::from("${{ steps.gcp.outputs.access_token }}"),
                ),
            ])),
        ],
        RegistryKind::Acr => vec![login(with([
            ("registry", Input::from("${{ env.REGISTRY }}")),
            ("username", Input::from("${{ vars.ACR_USERNAME }}")),
            ("password", Input::from("${{ secrets.ACR_PASSWORD }}")),
        ]))],
    }
}

fn build_job(project: &Project, service: &AppService) -> Job {
    let cache_scope = format!("scope={}", service.name);
    let mut permissions = Map::from([("contents", "read")]);
    match project.registry.kind {
        RegistryKind::Ghcr => {
            permissions.insert("packages", "write");
        }
        RegistryKind::Ecr | RegistryKind::ArtifactRegistry => {
            permissions.insert("id-token", "write");
        }
        RegistryKind::DockerHub | RegistryKind::Acr => {}
    }
    let mut steps = vec![
        checkout(),
        uses("Set up Docker Buildx", BUILDX, with([])),
        Step {
            id: Some("meta"),
            ..uses(
                "Image tags from the commit",
                METADATA,
                with([
                    ("images", Input::from("${{ env.IMAGE_NAME }}")),
                    (
                        "tags",
                        Input::from("type=sha,format=long\ntype=ref,event=branch\n"),
                    ),
                ]),
            )
        },
        uses(
            "Build the image for scanning",
            BUILD_PUSH,
            with([
                ("context", Input::from(&service.path)),
                ("load", Input::from(true)),
                ("push", Input::from(false)),
                ("tags", Input::from("${{ env.IMAGE_NAME }}:scan")),
                ("cache-from", Input::from(format!("type=gha,{cache_scope}"))),
                (
                    "cache-to",
                    Input::from(format!("type=gha,mode=max,{cache_scope}")),
                ),
            ]),
        ),
        uses(
            "Scan the image: fail on critical vulnerabilities",
            TRIVY,
            with([
                ("image-ref", Input::from("${{ env.IMAGE_NAME }}:scan")),
                ("severity", Input::from("CRITICAL")),
                ("ignore-unfixed", Input::from(true)),
                ("exit-code", Input::from("1")),
                ("format", Input::from("table")),
            ]),
        ),
    ];
    steps.extend(login_steps(project));
    steps.push(Step {
        id: Some("push"),
        condition: Some("github.event_name == 'push'".into()),
        ..uses(
            "Push the scanned image",
            BUILD_PUSH,
            with([
                ("context", Input::from(&service.path)),
                ("push", Input::from(true)),
                ("tags", Input::from("${{ steps.meta.outputs.tags }}")),
                ("labels", Input::from("${{ steps.meta.outputs.labels }}")),
                ("cache-from", Input::from(format!("type=gha,{cache_scope}"))),
                ("provenance", Input::from("mode=max")),
                ("sbom", Input::from(true)),
            ]),
        )
    });
    steps.push(Step {
        id: Some("image"),
        condition: Some("github.event_name == 'push'".into()),
        env: Map::from([("DIGEST", "${{ steps.push.outputs.digest }}".to_owned())]),
        ..run(
            "Record the exact image to deploy",
            "echo \"${IMAGE_NAME}@${DIGEST}\" > \"$RUNNER_TEMP/image-ref.txt\"\necho \"ref=${IMAGE_NAME}@${DIGEST}\" >> \"$GITHUB_OUTPUT\"\n",
        )
    });
    steps.push(Step {
        condition: Some("github.event_name == 'push'".into()),
        ..uses(
            "Keep the image reference for the deploy jobs",
            UPLOAD_ARTIFACT,
            with([
                ("name", Input::from(format!("image-{}", service.name))),
                ("path", Input::from("${{ runner.temp }}/image-ref.txt")),
                ("retention-days", Input::from(30)),
                ("if-no-files-found", Input::from("error")),
            ]),
        )
    });
    Job {
        name: "Build, scan and push the image".into(),
        needs: vec!["test", "security"],
        runs_on: RUNNER,
        timeout_minutes: 30,
        permissions,
        outputs: Map::from([("image", "${{ steps.image.outputs.ref }}".to_owned())]),
        steps,
        ..Job::default()
    }
}

/// Seconds each canary step runs before the next raises the share.
const CANARY_PAUSE_SECONDS: u32 = 300;

/// Shell that every deploy starts with: kubectl access, and the exact image the build pushed.
const PRELUDE: &str = "install -m 600 /dev/null \"$RUNNER_TEMP/kubeconfig\"
printf '%s' \"$KUBECONFIG_DATA\" > \"$RUNNER_TEMP/kubeconfig\"
export KUBECONFIG=\"$RUNNER_TEMP/kubeconfig\"
ref=\"$(cat \"$RUNNER_TEMP/image-ref.txt\")\"
export DIGEST=\"${ref#*@}\"
kube() { kubectl --namespace \"$NAMESPACE\" \"$@\"; }
";

/// With Helm: the namespace's platform first (the chart's objects need its secrets store,
/// and its policy and quota hold for every pod), then upgrade the release in place, keeping
/// earlier deploys' digests.
const HELM: &str = "kubectl apply -k \"$PLATFORM\"
release() {
  helm upgrade --install \"$DEPLOYMENT\" \"$CHART\" \\
    --namespace \"$NAMESPACE\" \\
    --reset-then-reuse-values -f \"$VALUES\" \\
    --atomic --wait --timeout 10m \"$@\"
}
";

/// With Argo CD: commit the values change to the environment's branch, then wait until the
/// cluster runs it. Pushes made with the workflow's token start no new workflow run.
const GITOPS: &str = "git config user.name \"github-actions[bot]\"
bot=\"41898282+github-actions[bot]@users.noreply.github.com\"
git config user.email \"$bot\"
# publish EXPRESSION MESSAGE: set a value with yq, commit, push
# (rebasing on commits that landed meanwhile).
publish() {
  yq -i \"$1\" \"$VALUES\"
  git add \"$VALUES\"
  # Nothing to commit when re-deploying the same digest.
  if git diff --cached --quiet; then return 0; fi
  git commit -m \"$2\"
  for attempt in 1 2 3; do
    if git pull --rebase origin \"$BRANCH\" &&
      git push origin \"HEAD:$BRANCH\"; then
      return 0
    fi
    sleep $((attempt * 10))
  done
  return 1
}
# synced KIND/NAME: wait until Argo CD has applied the new image.
synced() {
  image='{.spec.template.spec.containers[0].image}'
  kube wait --for=jsonpath=\"$image\"=\"$ref\" \"$1\" --timeout=15m
}
";

/// The release steps for the service's strategy and the project's deploy tool. Every name the
/// script needs arrives through `env:`; values are set with yq's `strenv`, never pasted.
fn rollout_script(service: &AppService, tool: DeployTool) -> String {
    let mut script = String::from(PRELUDE);
    script.push_str(match tool {
        DeployTool::Helm => HELM,
        DeployTool::ArgoCd => GITOPS,
    });
    let argo = tool == DeployTool::ArgoCd;
    // Sets `path` to the digest and applies it, through Git or Helm.
    let set_digest = |path: &str, message: &str, target: &str| {
        if argo {
            format!("publish '{path} = strenv(DIGEST)' \\\n  \"{message}\"\nsynced \"{target}\"\n")
        } else {
            format!(
                "release --set-string \"{path}=$DIGEST\"\n",
                path = path.trim_start_matches('.')
            )
        }
    };
    match (service.rollout.strategy, service.rollout.canary_engine) {
        (Strategy::Rolling, _) => {
            script += &set_digest(
                ".image.digest",
                "Deploy $DEPLOYMENT $DIGEST",
                "deployment/$DEPLOYMENT",
            );
            script += "kube rollout status \"deployment/$DEPLOYMENT\" --timeout=10m\n";
        }
        (Strategy::Canary, CanaryEngine::ArgoRollouts) => {
            // The Rollout runs the canary steps itself once its image changes.
            script += &set_digest(
                ".image.digest",
                "Deploy $DEPLOYMENT $DIGEST",
                "rollout/$DEPLOYMENT",
            );
            script += "kube wait --for=jsonpath='{.status.phase}'=Healthy \\\n  \"rollout/$DEPLOYMENT\" --timeout=60m\n";
        }
        (Strategy::BlueGreen, _) => {
            // Before the first deploy there is no Service yet: no live colour, not an error.
            script += "live=\"$(kube get service \"$DEPLOYMENT\" --ignore-not-found \\\n  -o jsonpath='{.spec.selector.version}')\"\n";
            script += "if [ \"$live\" = blue ]; then idle=green; else idle=blue; fi\n";
            script += "export idle\n";
            if argo {
                // One static yq path per colour: no key is built from a variable.
                script += "if [ \"$idle\" = blue ]; then\n  publish '.image.digests.blue = strenv(DIGEST)' \\\n    \"Deploy $DEPLOYMENT $DIGEST to blue\"\nelse\n  publish '.image.digests.green = strenv(DIGEST)' \\\n    \"Deploy $DEPLOYMENT $DIGEST to green\"\nfi\n";
                script += "synced \"deployment/$DEPLOYMENT-$idle\"\n";
            } else {
                // Traffic stays on the live colour; on a first deploy nothing serves yet, so
                // the new Service points at the new colour straight away.
                script += "release --set-string \"image.digests.$idle=$DIGEST\" \\\n  --set-string \"service.extraSelector.version=${live:-$idle}\"\n";
            }
            script += "kube rollout status \"deployment/$DEPLOYMENT-$idle\" --timeout=10m\n";
            script += "# The new colour is ready: switch all traffic to it.\n";
            if argo {
                script += "publish '.service.extraSelector.version = strenv(idle)' \\\n  \"Switch $DEPLOYMENT to $idle\"\n";
                script += "kube wait --for=jsonpath='{.spec.selector.version}'=\"$idle\" \\\n  \"service/$DEPLOYMENT\" --timeout=15m\n";
            } else {
                script += "release --set-string \"service.extraSelector.version=$idle\"\n";
            }
            script +=
                "echo \"Switched $DEPLOYMENT: ${live:-nothing} -> $idle (switch back to undo).\"\n";
        }
        (Strategy::Canary, CanaryEngine::Istio) => {
            script += &set_digest(
                ".image.digests.canary",
                "Deploy $DEPLOYMENT $DIGEST to canary",
                "deployment/$DEPLOYMENT-canary",
            );
            script += "kube rollout status \"deployment/$DEPLOYMENT-canary\" --timeout=10m\n";
            script += "for step in \"$MANIFESTS/$DEPLOYMENT\"-canary-step-*.yaml; do\n  echo \"Applying $step\"\n  kubectl apply -f \"$step\"\n  sleep \"$PAUSE_SECONDS\"\ndone\n";
            script += "# Promote: stable takes the image, then all traffic returns to it.\n";
            script += &set_digest(
                ".image.digests.stable",
                "Promote $DEPLOYMENT $DIGEST",
                "deployment/$DEPLOYMENT",
            );
            script += "kube rollout status \"deployment/$DEPLOYMENT\" --timeout=10m\n";
            script += "kubectl apply -f \"$MANIFESTS/$DEPLOYMENT-mesh.yaml\"\n";
        }
    }
    script
}

fn deploy_job(project: &Project, service: &AppService, stage: Stage) -> Job {
    let environment = project.environment(stage);
    let branch = project.branch(stage);
    let tool = project.deploy_tool;
    let host = service
        .ingress
        .as_ref()
        .map(|ingress| super::ingress_host(&ingress.host, &environment.hostname))
        .unwrap_or_else(|| environment.hostname.clone());
    let chart = super::kubernetes::helm::folder(&service.name);
    let mut env = Map::from([
        ("KUBECONFIG_DATA", "${{ secrets.KUBECONFIG }}".to_owned()),
        ("NAMESPACE", environment.namespace.clone()),
        ("DEPLOYMENT", service.name.clone()),
        ("CHART", chart.clone()),
        ("VALUES", format!("{chart}/values/{}.yaml", stage.key())),
        ("BRANCH", branch.to_owned()),
    ]);
    if tool == DeployTool::Helm {
        env.insert(
            "PLATFORM",
            format!(
                "{}/{}",
                super::kubernetes::folder(stage),
                super::kubernetes::PLATFORM
            ),
        );
    }
    let mut timeout = 20;
    if service.rollout.strategy == Strategy::Canary {
        match service.rollout.canary_engine {
            CanaryEngine::Istio => {
                env.insert("MANIFESTS", super::kubernetes::folder(stage));
                env.insert("PAUSE_SECONDS", CANARY_PAUSE_SECONDS.to_string());
                timeout += service.rollout.canary_steps.len() as u32 * CANARY_PAUSE_SECONDS / 60;
            }
            CanaryEngine::ArgoRollouts => timeout = 75,
        }
    }
    // The chart and the step manifests come from the repository; Argo CD deploys push to it.
    let mut checkout_step = checkout();
    let mut permissions = Map::from([("contents", "read")]);
    if tool == DeployTool::ArgoCd {
        checkout_step
            .with
            .insert("persist-credentials", true.into());
        checkout_step.with.insert("ref", branch.into());
        permissions.insert("contents", "write");
    }
    let steps = vec![
        checkout_step,
        uses(
            "Fetch the image reference the build job pushed",
            DOWNLOAD_ARTIFACT,
            with([
                ("name", Input::from(format!("image-{}", service.name))),
                ("path", Input::from("${{ runner.temp }}")),
            ]),
        ),
        Step {
            env,
            ..run(
                &format!(
                    "Release that exact image ({}, {})",
                    tool.label(),
                    service.rollout.strategy.label()
                ),
                rollout_script(service, tool),
            )
        },
    ];
    Job {
        name: format!("Deploy to {}", environment.name),
        needs: vec!["build"],
        condition: Some(format!(
            "github.event_name == 'push' && github.ref == 'refs/heads/{branch}'"
        )),
        runs_on: RUNNER,
        timeout_minutes: timeout,
        permissions,
        environment: Some(JobEnvironment {
            name: environment.name.clone(),
            url: format!("https://{host}"),
        }),
        concurrency: Some(Concurrency {
            group: format!("deploy-{}-{}", environment.name, service.name),
            cancel_in_progress: false.into(),
        }),
        steps,
        ..Job::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    fn parse(text: &str) -> serde_norway::Value {
        serde_norway::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn every_preset_yields_a_parseable_workflow_with_the_stages_in_order() {
        for preset in PRESETS {
            let project = preset.project();
            for service in &project.services {
                let text = workflow(&project, service).into_text();
                let doc = parse(&text);
                let jobs = doc["jobs"].as_mapping().unwrap();
                let names: Vec<&str> = jobs.keys().map(|k| k.as_str().unwrap()).collect();
                assert_eq!(
                    names,
                    [
                        "lint",
                        "test",
                        "security",
                        "build",
                        "deploy-staging",
                        "deploy-production"
                    ]
                );
                for (_, job) in jobs {
                    assert!(job["timeout-minutes"].as_u64().is_some(), "{}", preset.name);
                }
                assert_eq!(
                    doc["jobs"]["deploy-production"]["environment"]["name"].as_str(),
                    Some("production")
                );
                assert_eq!(doc["permissions"]["contents"].as_str(), Some("read"));
            }
        }
    }

    #[test]
    fn user_values_never_reach_a_script_through_an_expression() {
        for preset in PRESETS {
            let project = preset.project();
            for service in &project.services {
                let text = workflow(&project, service).into_text();
                let doc = parse(&text);
                for (_, job) in doc["jobs"].as_mapping().unwrap() {
                    for step in job["steps"].as_sequence().unwrap() {
                        if let Some(script) = step["run"].as_str() {
                            assert!(!script.contains("${{"), "{}: {script}", preset.name);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_version_matrix_is_used_when_more_versions_are_tested() {
        let project = crate::model::preset("python-fastapi").unwrap().project();
        let doc = parse(workflow(&project, &project.services[0]).text());
        let versions = doc["jobs"]["test"]["strategy"]["matrix"]["version"]
            .as_sequence()
            .unwrap();
        assert_eq!(versions.len(), 3);
        assert_eq!(
            doc["jobs"]["test"]["steps"][1]["with"]["python-version"].as_str(),
            Some("${{ matrix.version }}")
        );
    }
}
