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
    #[serde(skip_serializing_if = "Map::is_empty")]
    services: Map<&'static str, ServiceContainer>,
    steps: Vec<Step>,
}

/// A database or cache the job's steps reach on localhost, ready before the first step.
#[derive(Serialize)]
struct ServiceContainer {
    image: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    env: Map<&'static str, &'static str>,
    ports: Vec<&'static str>,
    options: &'static str,
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

/// A secret or variable a workflow reads, which the team sets once in the repository's
/// settings: the workflow's header, its checks and the runbook list the same ones.
pub struct Needed {
    pub name: &'static str,
    /// A secret (masked in logs) rather than a variable.
    pub secret: bool,
    /// Set for each GitHub environment (staging and production differ), not the repository.
    pub per_environment: bool,
    pub what: &'static str,
}

impl Needed {
    /// Where it is set, under the repository's Settings.
    pub fn place(&self) -> String {
        format!(
            "{} {} {}",
            if self.per_environment {
                "Environments > (each environment) >"
            } else {
                "Secrets and variables > Actions >"
            },
            if self.secret { "secret" } else { "variable" },
            self.name
        )
    }

    /// The expression a workflow reads it with.
    fn expression(&self) -> String {
        let scope = if self.secret { "secrets" } else { "vars" };
        format!("${{{{ {scope}.{} }}}}", self.name)
    }
}

/// Whether `service`'s deploy jobs talk to the cluster: Helm upgrades from CI, and the Istio
/// canary's steps (applied with kubectl). Argo CD deploys otherwise only push to Git and ask
/// Argo CD's API.
fn reaches_cluster(project: &Project, service: &AppService) -> bool {
    project.deploy_tool == DeployTool::Helm
        || (service.rollout.strategy == Strategy::Canary
            && service.rollout.canary_engine == CanaryEngine::Istio)
}

/// Every secret and variable `service`'s workflow reads; none has a default.
pub fn needed(project: &Project, service: &AppService) -> Vec<Needed> {
    let mut out = Vec::new();
    let mut add = |name, secret, per_environment, what| {
        out.push(Needed {
            name,
            secret,
            per_environment,
            what,
        })
    };
    match project.registry.kind {
        RegistryKind::Ghcr => {}
        RegistryKind::DockerHub => {
            add(
                "DOCKERHUB_USERNAME",
                false,
                false,
                "the Docker Hub account that pushes",
            );
            add(
                "DOCKERHUB_TOKEN",
                true,
                false,
                "its access token, read and write",
            );
        }
        RegistryKind::Ecr => {
            add(
                "AWS_ROLE_ARN",
                false,
                false,
                "the IAM role the build assumes to push to ECR",
            );
            add("AWS_REGION", false, false, "the ECR registry's region");
        }
        RegistryKind::ArtifactRegistry => {
            add(
                "GCP_WORKLOAD_IDENTITY_PROVIDER",
                false,
                false,
                "the workload identity provider that trusts this repository",
            );
            add(
                "GCP_SERVICE_ACCOUNT",
                false,
                false,
                "the service account that pushes",
            );
        }
        RegistryKind::Acr => {
            add("ACR_USERNAME", false, false, "the registry's token name");
            add(
                "ACR_PASSWORD",
                true,
                false,
                "its password, with push rights",
            );
        }
    }
    if project.deploy_tool == DeployTool::ArgoCd {
        // On AWS each environment's cluster runs its own Argo CD.
        let own = project.aws.is_some();
        add(
            "ARGOCD_SERVER",
            false,
            own,
            "Argo CD's API address (host[:port]), which the deploys ask whether a release runs",
        );
        add(
            "ARGOCD_AUTH_TOKEN",
            true,
            own,
            "the token of an Argo CD account that may only read Applications",
        );
    }
    if reaches_cluster(project, service) {
        if project.aws.is_some() {
            add(
                "AWS_DEPLOY_ROLE_ARN",
                false,
                true,
                "the IAM role the deploy assumes (terraform output github_deploy_role_arn)",
            );
        } else {
            add(
                "KUBECONFIG",
                true,
                true,
                "a kubeconfig for the environment's cluster, allowed only its namespace",
            );
        }
    }
    out
}

/// A step that fails, naming each of `needed` that is not set and where to set it.
fn check_step(needed: &[&Needed]) -> Option<Step> {
    if needed.is_empty() {
        return None;
    }
    let mut env = Map::default();
    let mut script = String::from("missing=0\n");
    for n in needed {
        env.insert(n.name, n.expression());
        script += &format!(
            "if [ -z \"${0}\" ]; then\n  echo \"::error::Set {1}.\"\n  echo \"  {0}: {2}.\"\n  missing=1\nfi\n",
            n.name,
            n.place(),
            n.what
        );
    }
    script += "exit \"$missing\"\n";
    Some(Step {
        env,
        ..run("Check the secrets and variables this job reads", script)
    })
}

/// The workflow file's path in the repository.
pub fn path(service: &AppService) -> String {
    format!(".github/workflows/{}.yml", service.name)
}

/// The paths whose changes start `service`'s workflow.
fn filters(service: &AppService) -> Vec<String> {
    vec![format!("{}**", service.folder_prefix()), path(service)]
}

pub fn workflow(project: &Project, service: &AppService) -> crate::yaml::Yaml {
    let preflight = preflight_job(project, service).is_some();
    let filters = filters(service);
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
        jobs: preflight_job(project, service)
            .into_iter()
            .chain([
                ("lint", lint_job(service, preflight)),
                ("test", test_job(project, service)),
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
            ])
            .collect(),
    };
    let mut out = provenance(project, service);
    let needs = needed(project, service);
    if needs.is_empty() {
        out.push_str("# Reads no secret or variable but GitHub's own token.\n");
    } else {
        out.push_str("# Set these under the repository's Settings first (preflight and the\n");
        out.push_str("# deploy jobs check them):\n");
        for n in &needs {
            out.push_str(&format!("# - {}\n#   {}.\n", n.place(), n.what));
        }
    }
    out.push_str("# Production deploys wait for the approval rule of the GitHub\n");
    out.push_str("# environment that deploy-production names; set its reviewers under\n");
    out.push_str("# Settings > Environments (in a private repository that needs a plan\n");
    out.push_str("# with environment protection rules: GitHub Team or Enterprise).\n");
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
    let mut workflows = String::new();
    for service in &project.services {
        workflows.push_str(&service.name);
        for filter in filters(service) {
            workflows.push(' ');
            workflows.push_str(&filter);
        }
        workflows.push('\n');
    }
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
                permissions: Map::from([
                    ("actions", "read"),
                    ("checks", "read"),
                    ("pull-requests", "read"),
                ]),
                steps: vec![Step {
                    env: Map::from([
                        ("GH_TOKEN", "${{ github.token }}".into()),
                        ("REPO", "${{ github.repository }}".into()),
                        ("PR", "${{ github.event.pull_request.number }}".into()),
                        ("SHA", "${{ github.event.pull_request.head.sha }}".into()),
                        ("GATE", GATE_CHECK.into()),
                        ("WORKFLOWS", workflows),
                    ]),
                    ..run(
                        "Wait for every workflow and check of this pull request",
                        GATE_SCRIPT,
                    )
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

/// Works out from the pull request's files which service workflows it starts (their path
/// filters, in WORKFLOWS: a name and its globs per line), waits until each has run and passed,
/// then until every other check of the commit is complete, and fails if one did not pass. A
/// workflow still queued for a runner is waited for, not taken as absent.
const GATE_SCRIPT: &str = "set -f
files=\"$(gh api --paginate \"repos/$REPO/pulls/$PR/files\" --jq '.[].filename')\"
expected=\"\"
while read -r name globs; do
  for glob in $globs; do
    while IFS= read -r file; do
      # The filters are a path, a folder's `FOLDER/**`, or `**` for everything.
      case \"$file\" in
        \"$glob\" | \"${glob%/\\*\\*}\"/*) ;;
        *) [ \"$glob\" = \"**\" ] || continue ;;
      esac
      expected=\"$expected $name\"
      continue 3
    done <<<\"$files\"
  done
done <<<\"$WORKFLOWS\"
echo \"Workflows this pull request starts:${expected:- none}\"
runs=\"repos/$REPO/actions/runs?head_sha=$SHA&event=pull_request&per_page=100\"
latest='[.workflow_runs[] | select(.name == env.NAME)]
  | max_by(.run_number) | \"\\(.status) \\(.conclusion)\"'
for name in $expected; do
  until state=\"$(NAME=\"$name\" gh api \"$runs\" --jq \"$latest\")\" &&
    [[ \"$state\" == completed* ]]; do
    echo \"$name: ${state:-not started}\"
    sleep 30
  done
  if [ \"$state\" != \"completed success\" ]; then
    echo \"::error::The $name workflow did not pass ($state).\"
    exit 1
  fi
done
checks=\"repos/$REPO/commits/$SHA/check-runs?per_page=100\"
query='.check_runs[] | select(.name != env.GATE)
  | \"\\(.status) \\(.conclusion)\"'
while true; do
  states=\"$(gh api \"$checks\" --jq \"$query\")\"
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

/// The first job: on pushes, which deploy, it fails at once when a secret or variable the
/// workflow reads is not set, instead of at the build's push or the deploy's first command.
/// Each environment's own are checked by its deploy job, which alone can read them.
fn preflight_job(project: &Project, service: &AppService) -> Option<(&'static str, Job)> {
    let needs = needed(project, service);
    let mut repository = Vec::new();
    for n in &needs {
        if !n.per_environment {
            repository.push(n);
        }
    }
    let check = check_step(&repository)?;
    Some((
        "preflight",
        Job {
            name: "Check the repository's settings".into(),
            runs_on: RUNNER,
            timeout_minutes: 5,
            steps: vec![Step {
                condition: Some("github.event_name == 'push'".into()),
                ..check
            }],
            ..Job::default()
        },
    ))
}

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

fn lint_job(service: &AppService, preflight: bool) -> Job {
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
        needs: if preflight {
            vec!["preflight"]
        } else {
            Vec::new()
        },
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

/// What `service`'s tests reach as they do in the cluster: the project's PostgreSQL and Redis,
/// as service containers of the same images, and their URLs in the step's environment.
fn test_services(
    project: &Project,
    service: &AppService,
) -> (
    Map<&'static str, ServiceContainer>,
    Map<&'static str, String>,
) {
    let mut containers = Map::default();
    let mut env = Map::default();
    if let (Some(postgres), true) = (&project.postgres, service.uses_postgres) {
        containers.insert(
            "postgres",
            ServiceContainer {
                image: postgres.image(),
                env: Map::from([
                    ("POSTGRES_USER", "test"),
                    ("POSTGRES_PASSWORD", "test"),
                    ("POSTGRES_DB", "test"),
                ]),
                ports: vec!["5432:5432"],
                options: "--health-cmd \"pg_isready -U test -d test\" --health-interval 5s --health-timeout 5s --health-retries 20",
            },
        );
        env.insert(
            "DATABASE_URL",
            if service.runtime == Runtime::Java {
                "jdbc:postgresql://localhost:5432/test?user=test&password=test"
            } else {
                "postgresql://test:test@localhost:5432/test"
            }
            .to_owned(),
        );
    }
    if let (Some(redis), true) = (&project.redis, service.uses_redis) {
        containers.insert(
            "redis",
            ServiceContainer {
                image: format!("redis:{}-alpine", redis.version),
                env: Map::default(),
                ports: vec!["6379:6379"],
                options: "--health-cmd \"redis-cli ping\" --health-interval 5s --health-timeout 3s --health-retries 20",
            },
        );
        env.insert("REDIS_URL", "redis://localhost:6379/0".to_owned());
    }
    (containers, env)
}

fn test_job(project: &Project, service: &AppService) -> Job {
    let (services, env) = test_services(project, service);
    let versions = service.ci_versions();
    let matrix = versions.len() > 1;
    let version = if matrix {
        "${{ matrix.version }}".to_owned()
    } else {
        service.version.clone()
    };
    let mut steps = vec![checkout()];
    steps.extend(setup(service, &version));
    steps.push(Step {
        env,
        ..run("Test with coverage", service.command(CommandKind::Test))
    });
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
        services,
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

/// Shell that every deploy starts with: the exact image the build pushed.
const PRELUDE: &str = "ref=\"$(cat \"$RUNNER_TEMP/image-ref.txt\")\"
export DIGEST=\"${ref#*@}\"
";

/// Cluster access from a kubeconfig kept as an environment secret.
const KUBECONFIG_ACCESS: &str = "install -m 600 /dev/null \"$RUNNER_TEMP/kubeconfig\"
printf '%s' \"$KUBECONFIG_DATA\" > \"$RUNNER_TEMP/kubeconfig\"
export KUBECONFIG=\"$RUNNER_TEMP/kubeconfig\"
kube() { kubectl --namespace \"$NAMESPACE\" \"$@\"; }
";

/// Cluster access on EKS, as the role the job assumed through OIDC (no stored keys).
const EKS_ACCESS: &str = "export KUBECONFIG=\"$RUNNER_TEMP/kubeconfig\"
aws eks update-kubeconfig --name \"$CLUSTER\" --region \"$REGION\"
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

/// With Argo CD: commit the values change to the environment's branch, then wait until Argo
/// CD runs it, asking its API: the job needs no cluster credentials. Pushes made with the
/// workflow's token start no new workflow run.
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
# synced: wait until Argo CD has synced this commit (or a later one) and
# the Application is healthy; fail once it is degraded.
synced() {
  commit=\"$(git rev-parse HEAD)\"
  api=\"https://$ARGOCD_SERVER/api/v1/applications/$APP?refresh=normal\"
  auth=\"Authorization: Bearer $ARGOCD_AUTH_TOKEN\"
  for attempt in $(seq $((WAIT_SECONDS / 30))); do
    app=\"$(curl -sSf -H \"$auth\" \"$api\" || echo '{}')\"
    at=\"$(jq -r '.status.sync.revision // \"\"' <<<\"$app\")\"
    health=\"$(jq -r '.status.health.status // \"\"' <<<\"$app\")\"
    if [ -n \"$at\" ] && git fetch -q origin \"$BRANCH\" &&
      git merge-base --is-ancestor \"$commit\" \"$at\" 2>/dev/null; then
      case \"$health\" in
        Healthy) return 0 ;;
        Degraded) echo \"::error::$APP is degraded in Argo CD.\"; return 1 ;;
      esac
    fi
    sleep 30
  done
  echo \"::error::$APP did not run $commit healthily in time.\"
  return 1
}
";

/// The release steps for the service's strategy and the project's deploy tool. Every name the
/// script needs arrives through `env:`; values are set with yq's `strenv`, never pasted.
fn rollout_script(project: &Project, service: &AppService) -> String {
    let argo = project.deploy_tool == DeployTool::ArgoCd;
    let mut script = String::from(PRELUDE);
    if reaches_cluster(project, service) {
        script.push_str(if project.aws.is_some() {
            EKS_ACCESS
        } else {
            KUBECONFIG_ACCESS
        });
    }
    script.push_str(if argo { GITOPS } else { HELM });
    // Sets `path` to the digest and applies it, through Git or Helm.
    let set_digest = |path: &str, message: &str| {
        if argo {
            format!("publish '{path} = strenv(DIGEST)' \\\n  \"{message}\"\nsynced\n")
        } else {
            format!(
                "release --set-string \"{path}=$DIGEST\"\n",
                path = path.trim_start_matches('.')
            )
        }
    };
    // Helm's --wait has waited for the pods; so has Argo CD's health for a GitOps deploy.
    match (service.rollout.strategy, service.rollout.canary_engine) {
        (Strategy::Rolling, _) => {
            script += &set_digest(".image.digest", "Deploy $DEPLOYMENT $DIGEST");
            if !argo {
                script += "kube rollout status \"deployment/$DEPLOYMENT\" --timeout=10m\n";
            }
        }
        (Strategy::Canary, CanaryEngine::ArgoRollouts) => {
            // The Rollout runs the canary steps itself once its image changes; it is healthy
            // once fully promoted.
            script += &set_digest(".image.digest", "Deploy $DEPLOYMENT $DIGEST");
            if !argo {
                script += "kube wait --for=jsonpath='{.status.phase}'=Healthy \\\n  \"rollout/$DEPLOYMENT\" --timeout=60m\n";
            }
        }
        (Strategy::BlueGreen, _) => {
            if argo {
                // The live colour is the one the values in Git select; before the first deploy,
                // none.
                script += "live=\"$(yq '.service.extraSelector.version // \"\"' \"$VALUES\")\"\n";
            } else {
                // Before the first deploy there is no Service yet: no live colour, not an error.
                script += "live=\"$(kube get service \"$DEPLOYMENT\" --ignore-not-found \\\n  -o jsonpath='{.spec.selector.version}')\"\n";
            }
            script += "if [ \"$live\" = blue ]; then idle=green; else idle=blue; fi\n";
            script += "export idle\n";
            if argo {
                // One static yq path per colour: no key is built from a variable.
                script += "if [ \"$idle\" = blue ]; then\n  publish '.image.digests.blue = strenv(DIGEST)' \\\n    \"Deploy $DEPLOYMENT $DIGEST to blue\"\nelse\n  publish '.image.digests.green = strenv(DIGEST)' \\\n    \"Deploy $DEPLOYMENT $DIGEST to green\"\nfi\nsynced\n";
                script += "# The new colour is ready: switch all traffic to it.\n";
                script += "publish '.service.extraSelector.version = strenv(idle)' \\\n  \"Switch $DEPLOYMENT to $idle\"\nsynced\n";
            } else {
                // Traffic stays on the live colour; on a first deploy nothing serves yet, so
                // the new Service points at the new colour straight away.
                script += "release --set-string \"image.digests.$idle=$DIGEST\" \\\n  --set-string \"service.extraSelector.version=${live:-$idle}\"\n";
                script += "kube rollout status \"deployment/$DEPLOYMENT-$idle\" --timeout=10m\n";
                script += "# The new colour is ready: switch all traffic to it.\n";
                script += "release --set-string \"service.extraSelector.version=$idle\"\n";
            }
            script +=
                "echo \"Switched $DEPLOYMENT: ${live:-nothing} -> $idle (switch back to undo).\"\n";
        }
        (Strategy::Canary, CanaryEngine::Istio) => {
            script += &set_digest(
                ".image.digests.canary",
                "Deploy $DEPLOYMENT $DIGEST to canary",
            );
            script += "kube rollout status \"deployment/$DEPLOYMENT-canary\" --timeout=10m\n";
            script += "for step in \"$MANIFESTS/$DEPLOYMENT\"-canary-step-*.yaml; do\n  echo \"Applying $step\"\n  kubectl apply -f \"$step\"\n  sleep \"$PAUSE_SECONDS\"\ndone\n";
            script += "# Promote: stable takes the image, then all traffic returns to it.\n";
            script += &set_digest(".image.digests.stable", "Promote $DEPLOYMENT $DIGEST");
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
    let mut permissions = Map::from([("contents", "read")]);
    let mut steps = vec![];
    let needs = needed(project, service);
    let mut own = Vec::new();
    for n in &needs {
        if n.per_environment {
            own.push(n);
        }
    }
    steps.extend(check_step(&own));
    if reaches_cluster(project, service) {
        if let Some(aws) = &project.aws {
            // OIDC: the role trusts only this repository's jobs in this environment.
            permissions.insert("id-token", "write");
            steps.push(uses(
                "Assume the deploy role (OIDC, no stored keys)",
                AWS_CREDENTIALS,
                with([
                    (
                        "role-to-assume",
                        Input::from("${{ vars.AWS_DEPLOY_ROLE_ARN }}"),
                    ),
                    ("aws-region", Input::from(&aws.region)),
                ]),
            ));
            env.insert(
                "CLUSTER",
                super::terraform::AwsNames::new(project, stage).cluster,
            );
            env.insert("REGION", aws.region.clone());
        } else {
            env.insert("KUBECONFIG_DATA", "${{ secrets.KUBECONFIG }}".to_owned());
        }
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
    if tool == DeployTool::ArgoCd {
        env.insert("APP", format!("{}-{}", service.name, stage.key()));
        env.insert("ARGOCD_SERVER", "${{ vars.ARGOCD_SERVER }}".to_owned());
        env.insert(
            "ARGOCD_AUTH_TOKEN",
            "${{ secrets.ARGOCD_AUTH_TOKEN }}".to_owned(),
        );
        env.insert("WAIT_SECONDS", (timeout * 60 - 300).to_string());
    }
    // The chart and the step manifests come from the repository; Argo CD deploys push to it.
    let mut checkout_step = checkout();
    if tool == DeployTool::ArgoCd {
        checkout_step
            .with
            .insert("persist-credentials", true.into());
        checkout_step.with.insert("ref", branch.into());
        permissions.insert("contents", "write");
    }
    steps.insert(0, checkout_step);
    steps.extend([
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
                rollout_script(project, service),
            )
        },
    ]);
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
                let mut names: Vec<&str> = jobs.keys().map(|k| k.as_str().unwrap()).collect();
                // The settings check comes first when the workflow reads a repository secret
                // or variable.
                let preflight = names[0] == "preflight";
                assert_eq!(
                    preflight,
                    needed(&project, service).iter().any(|n| !n.per_environment)
                );
                if preflight {
                    assert_eq!(doc["jobs"]["lint"]["needs"][0].as_str(), Some("preflight"));
                    names.remove(0);
                }
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
    fn tests_reach_the_project_s_database_and_cache_as_the_step_is_told() {
        let project = crate::model::preset("fullstack-fastapi-react")
            .unwrap()
            .project();
        let backend = parse(workflow(&project, &project.services[0]).text());
        let job = &backend["jobs"]["test"];
        let postgres = &job["services"]["postgres"];
        assert_eq!(
            postgres["image"].as_str(),
            Some(project.postgres.as_ref().unwrap().image().as_str())
        );
        let url = format!(
            "postgresql://{}:{}@localhost:{}/{}",
            postgres["env"]["POSTGRES_USER"].as_str().unwrap(),
            postgres["env"]["POSTGRES_PASSWORD"].as_str().unwrap(),
            postgres["ports"][0]
                .as_str()
                .unwrap()
                .split(':')
                .next()
                .unwrap(),
            postgres["env"]["POSTGRES_DB"].as_str().unwrap(),
        );
        let steps = job["steps"].as_sequence().unwrap();
        let test = steps
            .iter()
            .find(|s| s["name"] == "Test with coverage")
            .unwrap();
        assert_eq!(test["env"]["DATABASE_URL"].as_str(), Some(url.as_str()));
        assert!(
            postgres["options"]
                .as_str()
                .unwrap()
                .contains("--health-cmd")
        );
        assert_eq!(
            test["env"]["REDIS_URL"].as_str(),
            Some("redis://localhost:6379/0")
        );
        // The frontend reads neither.
        let frontend = parse(workflow(&project, &project.services[1]).text());
        assert!(frontend["jobs"]["test"]["services"].is_null());
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
