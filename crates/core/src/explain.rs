//! "Why is this line here?": explanations for the lines of the generated files, in a side
//! table keyed by file and line rather than as comments in the output.
//!
//! Each [`Topic`] names the kind of file and the key that starts a line (a Dockerfile
//! instruction, a YAML key, a Terraform attribute). [`explain`] finds every line of a bundle
//! that a topic covers. A test requires every topic to match a line of some preset's output,
//! so a generator change cannot orphan an explanation silently, and prints how many lines of
//! each kind of file are explained.

use crate::bundle::{Bundle, GeneratedFile};
use crate::model::{
    CommandKind, EnvironmentField, Field, ProbeKind, ProbeSetting, Project, ServiceField, Stage,
};

/// The kinds of generated file that have explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dockerfile,
    Manifest,
    Workflow,
    Compose,
    Terraform,
    ArgoCd,
    Dependabot,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Dockerfile,
        Kind::Manifest,
        Kind::Workflow,
        Kind::Compose,
        Kind::Terraform,
        Kind::ArgoCd,
        Kind::Dependabot,
    ];

    pub fn of(path: &str) -> Option<Kind> {
        if path.ends_with("Dockerfile") {
            Some(Kind::Dockerfile)
        } else if path.starts_with("k8s/") && path.ends_with(".yaml") {
            Some(Kind::Manifest)
        } else if path.starts_with(".github/workflows/") {
            Some(Kind::Workflow)
        } else if path == "docker-compose.yml" {
            Some(Kind::Compose)
        } else if path.ends_with(".tf") {
            Some(Kind::Terraform)
        } else if path.starts_with("argocd/") {
            Some(Kind::ArgoCd)
        } else if path == ".github/dependabot.yml" {
            Some(Kind::Dependabot)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Dockerfile => "Dockerfile",
            Kind::Manifest => "Kubernetes manifests",
            Kind::Workflow => "GitHub Actions workflows",
            Kind::Compose => "docker-compose",
            Kind::Terraform => "Terraform",
            Kind::ArgoCd => "Argo CD",
            Kind::Dependabot => "Dependabot",
        }
    }
}

/// Why lines starting with `key` are in files of `kind`, and what goes wrong without them.
pub struct Topic {
    pub kind: Kind,
    pub key: &'static str,
    pub why: &'static str,
    pub without: &'static str,
    /// The setting that changes what the topic explains.
    pub control: Control,
}

/// Which setting a topic's lines come from; [`field`] turns it into the form field for the
/// file's service or environment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Nothing,
    StateLocking,
    Vpc,
    Cluster,
    DbClass,
    CacheType,
    Region,
    Secrets,
    DeployTool,
    /// The ingress class for a shared file, the service's host for its own.
    Ingress,
    Namespace,
    Version,
    Port,
    Startup,
    Liveness,
    Readiness,
    /// The path of the probe the line is in.
    ProbePath,
    /// A timing of the probe the line is in.
    Probe(ProbeSetting),
    Cpu,
    MaxSurge,
    MaxUnavailable,
    Strategy,
    TestVersions,
    AutoscalingMin,
    AutoscalingMax,
    AutoscalingCpu,
    Grace,
    Image,
    Replicas,
    Command(CommandKind),
    Approval(Stage),
}

/// A topic. In WebAssembly (the web app) `why` and `without` are left out of the binary: the
/// page fetches them after its first render from `static/explanations.txt`, which
/// [`prose_asset`] writes, and finds them with [`prose_in_asset`].
const fn topic(kind: Kind, key: &'static str, why: &'static str, without: &'static str) -> Topic {
    let (why, without) = if cfg!(target_arch = "wasm32") {
        ("", "")
    } else {
        (why, without)
    };
    Topic {
        kind,
        key,
        why,
        without,
        control: Control::Nothing,
    }
}

/// Where each topic's texts start in [`prose_asset`]: a line of its own with this, the kind
/// and the key.
pub const PROSE_MARK: &str = "@@topic ";

/// Every topic's `why` and `without`, for the web app to fetch when it first explains a
/// line (`static/explanations.txt`): `@@topic KIND KEY`, then one line each.
#[cfg(not(target_arch = "wasm32"))]
pub fn prose_asset() -> String {
    let mut out = String::new();
    for topic in TOPICS {
        out.push_str(&format!(
            "{PROSE_MARK}{} {}\n{}\n{}\n",
            topic.kind.label(),
            topic.key,
            topic.why,
            topic.without
        ));
    }
    out
}

/// A topic's `why` and `without` in a [`prose_asset`] text.
pub fn prose_in_asset<'a>(asset: &'a str, topic: &Topic) -> Option<(&'a str, &'a str)> {
    let head = format!("{PROSE_MARK}{} {}\n", topic.kind.label(), topic.key);
    let at = asset.find(&head)? + head.len();
    let mut lines = asset[at..].lines();
    Some((lines.next()?, lines.next()?))
}

impl Topic {
    const fn sets(mut self, control: Control) -> Topic {
        self.control = control;
        self
    }
}

use Kind::{ArgoCd, Compose, Dependabot, Dockerfile, Manifest, Terraform, Workflow};

pub static TOPICS: &[Topic] = &[
    // Dockerfile instructions; the migration tool's lines first, as the first match wins.
    topic(
        Dockerfile,
        "FROM flyway/flyway",
        "Flyway's command line from its official image, pinned: the migration Job runs it.",
        "The Job has no tool to run, and each build could bring a different one.",
    ),
    topic(
        Dockerfile,
        "COPY --from=flyway",
        "Flyway in the runtime image, run by the image's own Java.",
        "The migration Job cannot run: new pods meet the old schema.",
    ),
    topic(
        Dockerfile,
        "COPY --from=build /src/src/main/resources/db/migration",
        "The migrations, as files Flyway's command line reads.",
        "The Job finds nothing to migrate.",
    ),
    topic(
        Dockerfile,
        "COPY --from=build --chown=10001:10001 /app/alembic.ini",
        "Alembic's settings, which name the migrations folder.",
        "`alembic upgrade head` fails in the migration Job: no config.",
    ),
    topic(
        Dockerfile,
        "COPY --from=build --chown=10001:10001 /app/migrations",
        "The migrations the Job runs before new pods start.",
        "The image cannot migrate: new code meets the old schema.",
    ),
    topic(
        Dockerfile,
        "FROM",
        "A stage from a pinned base image; only the last stage ships, so build tools stay behind.",
        "The image ships compilers; an unpinned tag builds differently tomorrow.",
    )
    .sets(Control::Version),
    topic(
        Dockerfile,
        "ENV",
        "Settings the process reads at run time, fixed in the image.",
        "The service depends on whatever the platform happens to set.",
    ),
    topic(
        Dockerfile,
        "WORKDIR",
        "An absolute working directory, so relative paths mean one thing.",
        "Files land in / and commands run from a surprising place.",
    ),
    topic(
        Dockerfile,
        "COPY",
        "The lockfile first, the source later: the dependency layer stays cached.",
        "Every code change reinstalls every dependency.",
    ),
    topic(
        Dockerfile,
        "RUN",
        "A build step; cache mounts keep package downloads out of the layers.",
        "Layers grow with caches, and builds redo work.",
    ),
    topic(
        Dockerfile,
        "USER",
        "Runs the process as an unprivileged user.",
        "A process that escapes the container is root on the node.",
    ),
    topic(
        Dockerfile,
        "EXPOSE",
        "The port the process listens on; compose and Kubernetes use the same.",
        "Files disagree about the port.",
    )
    .sets(Control::Port),
    topic(
        Dockerfile,
        "HEALTHCHECK",
        "Docker and compose learn when the service answers its liveness path.",
        "depends_on starts dependents before the service is ready.",
    )
    .sets(Control::Liveness),
    topic(
        Dockerfile,
        "CMD",
        "The default command, in exec form so signals reach the process.",
        "A shell swallows the stop signal; shutdowns wait for the kill.",
    ),
    // Kubernetes: probes, security, rollout, scaling, disruption.
    topic(
        Manifest,
        "startupProbe:",
        "Gives a slow start its own allowance before liveness takes over.",
        "A liveness probe kills pods that are only slow to start.",
    )
    .sets(Control::Startup),
    topic(
        Manifest,
        "livenessProbe:",
        "Restarts a container that stops answering.",
        "A hung process keeps its pod, and its traffic, forever.",
    )
    .sets(Control::Liveness),
    topic(
        Manifest,
        "readinessProbe:",
        "Sends traffic only to pods whose dependencies answer.",
        "Requests reach pods that cannot serve them, during rollouts too.",
    )
    .sets(Control::Readiness),
    topic(
        Manifest,
        "runAsNonRoot:",
        "Refuses to start the container as root.",
        "A container escape is root on the node.",
    ),
    topic(
        Manifest,
        "allowPrivilegeEscalation:",
        "No process may gain more rights than its parent (setuid binaries).",
        "A setuid binary in the image can become root.",
    ),
    topic(
        Manifest,
        "readOnlyRootFilesystem:",
        "Nothing can change the image at run time.",
        "An attacker can drop tools into the container's filesystem.",
    ),
    topic(
        Manifest,
        "capabilities:",
        "Drops every Linux capability; none is needed to serve HTTP.",
        "The process keeps rights such as changing file owners or raw sockets.",
    ),
    topic(
        Manifest,
        "seccompProfile:",
        "Filters system calls to the runtime's default set.",
        "Every system call is open to an attacker.",
    ),
    topic(
        Manifest,
        "resources:",
        "Requests reserve CPU and memory; limits cap them.",
        "A leaking pod starves its neighbours; the quota refuses the pod.",
    )
    .sets(Control::Cpu),
    topic(
        Manifest,
        "maxSurge:",
        "How many extra pods a rollout may start above the desired count.",
        "Rollouts are slow, or need spare capacity.",
    )
    .sets(Control::MaxSurge),
    topic(
        Manifest,
        "maxUnavailable:",
        "How many pods may be down during a rollout; 0 keeps full capacity.",
        "A rollout can take capacity away while new pods start.",
    )
    .sets(Control::MaxUnavailable),
    topic(
        Manifest,
        "minReplicas:",
        "The fewest pods the autoscaler keeps, so a quiet hour does not leave one pod.",
        "Scaled down to one, a node drain means downtime.",
    )
    .sets(Control::AutoscalingMin),
    topic(
        Manifest,
        "maxReplicas:",
        "The most pods the autoscaler adds; the namespace quota holds them.",
        "A traffic spike or a bug scales without bound.",
    )
    .sets(Control::AutoscalingMax),
    topic(
        Manifest,
        "averageUtilization:",
        "The CPU share of the request the autoscaler aims for.",
        "The autoscaler has no target to scale on.",
    )
    .sets(Control::AutoscalingCpu),
    topic(
        Manifest,
        "minAvailable:",
        "Pods a voluntary disruption (a node drain) must leave running.",
        "A drain can stop every pod at once.",
    )
    .sets(Control::Replicas),
    topic(
        Manifest,
        "terminationGracePeriodSeconds:",
        "Time a pod has to finish its requests after SIGTERM.",
        "In-flight requests are cut off at every deploy.",
    )
    .sets(Control::Grace),
    topic(
        Manifest,
        "preStop:",
        "Waits before shutdown, so load balancers stop sending traffic first.",
        "Requests reach a pod that is shutting down.",
    )
    .sets(Control::Grace),
    topic(
        Manifest,
        "kind: Deployment",
        "Keeps the pods running and replaces them step by step on each release.",
        "Nothing restarts, scales or rolls out the pods.",
    ),
    topic(
        Manifest,
        "kind: Job",
        "Runs the migration once, from the new image, before the new pods (k8s/README.md).",
        "New pods start against the old schema, or each pod migrates at once.",
    ),
    topic(
        Manifest,
        "backoffLimit:",
        "One retry, for a database that was briefly unreachable; then the Job fails.",
        "A broken migration is retried six times, the deploy waiting.",
    ),
    topic(
        Manifest,
        "activeDeadlineSeconds:",
        "A hung migration fails before the deploy's 10-minute wait, with its own logs.",
        "The deploy times out with no word of why.",
    ),
    topic(
        Manifest,
        "ttlSecondsAfterFinished:",
        "A finished Job is removed a day later, a failed one kept that long for its logs.",
        "Finished Jobs pile up; or a failed one vanishes before anyone reads it.",
    ),
    topic(
        Manifest,
        "restartPolicy:",
        "A failed run is a new pod, counted against the retry limit.",
        "The container restarts in place, mid-migration, without end.",
    ),
    topic(
        Manifest,
        "kind: StatefulSet",
        "Runs a pod that keeps its name and its volume across restarts, as a database needs.",
        "The data would live and die with one pod.",
    ),
    topic(
        Manifest,
        "kind: Rollout",
        "Shifts traffic to the new version in steps, and can stop halfway.",
        "Every release reaches all users at once.",
    )
    .sets(Control::Strategy),
    topic(
        Manifest,
        "kind: Service",
        "A stable name and address in front of the pods, which come and go.",
        "Callers would chase pod IPs that change on every restart.",
    ),
    topic(
        Manifest,
        "kind: ServiceAccount",
        "The service's own identity, with no rights unless granted.",
        "Pods share the namespace's default account.",
    ),
    topic(
        Manifest,
        "kind: ConfigMap",
        "Plain settings as environment variables; secrets live elsewhere.",
        "Settings get baked into the image.",
    ),
    topic(
        Manifest,
        "kind: Ingress",
        "Routes the hostname to the Service, over TLS.",
        "Nothing outside the cluster reaches the service.",
    )
    .sets(Control::Ingress),
    topic(
        Manifest,
        "kind: HorizontalPodAutoscaler",
        "Adds pods when they get busy and removes them when traffic drops.",
        "A fixed count is either too few for peaks or wasted at night.",
    )
    .sets(Control::AutoscalingMax),
    topic(
        Manifest,
        "kind: PodDisruptionBudget",
        "Limits how many pods a node drain or cluster upgrade may stop at once.",
        "An upgrade can take every pod down together.",
    )
    .sets(Control::Replicas),
    topic(
        Manifest,
        "kind: Namespace",
        "One namespace per environment, so staging and production cannot touch each other.",
        "A staging mistake can delete production objects.",
    ),
    topic(
        Manifest,
        "kind: ResourceQuota",
        "Caps the namespace's total use; every pod must declare resources.",
        "One runaway release takes the whole cluster.",
    ),
    topic(
        Manifest,
        "kind: Kustomization",
        "Lists the environment's files so `kubectl apply -k` applies them together.",
        "Files are applied one by one, and one gets forgotten.",
    ),
    topic(
        Manifest,
        "kind: SecretStore",
        "Tells External Secrets how to reach the secrets store and log in to it.",
        "ExternalSecrets have nowhere to read from.",
    )
    .sets(Control::Secrets),
    topic(
        Manifest,
        "DATABASE_URL:",
        "Built from the master password RDS rotates every 7 days, and rebuilt at each refresh.",
        "A copied password stops working at the first rotation, a week later.",
    ),
    topic(
        Manifest,
        "kind: Secret",
        "The in-cluster database's credentials, filled in by hand, never from Git.",
        "The database has no password, or the password is in Git.",
    ),
    topic(
        Manifest,
        "kind: ServiceMonitor",
        "Tells Prometheus to scrape the service's metrics endpoint.",
        "Dashboards and alerts have no data.",
    ),
    topic(
        Manifest,
        "kind: PrometheusRule",
        "Alerts on errors, latency and restarts, so people hear about problems before users do.",
        "Outages are found by customers.",
    ),
    topic(
        Manifest,
        "kind: VirtualService",
        "Istio's routing: splits traffic between the stable and the canary version by weight.",
        "A canary gets no share of the traffic.",
    ),
    topic(
        Manifest,
        "kind: DestinationRule",
        "Names the stable and canary pod subsets that Istio routes to.",
        "Istio cannot tell the two versions apart.",
    ),
    topic(
        Manifest,
        "labels:",
        "The standard app.kubernetes.io labels that selectors and tools find objects by.",
        "Objects cannot be found reliably.",
    ),
    topic(
        Manifest,
        "selector:",
        "The pods this object manages or serves; it matches the pods' labels.",
        "The object manages no pods, or someone else's.",
    ),
    topic(
        Manifest,
        "namespace:",
        "The environment's namespace, with its own quota and network policies.",
        "Objects land in `default`, shared with everything else.",
    )
    .sets(Control::Namespace),
    topic(
        Manifest,
        "replicas:",
        "How many pods run; two or more survive a node going away.",
        "One pod means downtime on every node drain.",
    )
    .sets(Control::Replicas),
    topic(
        Manifest,
        "revisionHistoryLimit:",
        "Keeps a few old ReplicaSets for `kubectl rollout undo`, not hundreds.",
        "Old ReplicaSets pile up in the cluster forever.",
    ),
    topic(
        Manifest,
        "strategy:",
        "How a release replaces the old pods with new ones.",
        "The default may take capacity away during a release.",
    )
    .sets(Control::Strategy),
    topic(
        Manifest,
        "automountServiceAccountToken:",
        "No Kubernetes API token in the pod; the service needs none.",
        "An intruder can use the token against the cluster.",
    ),
    topic(
        Manifest,
        "serviceAccountName:",
        "Runs the pods as the service's own account.",
        "Pods run as the namespace's default account.",
    ),
    topic(
        Manifest,
        "runAsUser:",
        "A fixed numeric user, the one the Dockerfile creates.",
        "Kubernetes cannot check that the user is not root.",
    ),
    topic(
        Manifest,
        "runAsGroup:",
        "A fixed numeric group for the process.",
        "Files are written with the root group.",
    ),
    topic(
        Manifest,
        "fsGroup:",
        "Mounted volumes are writable by the pod's group.",
        "The non-root user cannot write to its volumes.",
    ),
    topic(
        Manifest,
        "topologySpreadConstraints:",
        "Spreads the pods over zones and nodes.",
        "All pods can land on one node and go down with it.",
    ),
    topic(
        Manifest,
        "image:",
        "The image CI built and scanned; each release pins the exact digest it pushed.",
        "The cluster could run an image nobody tested.",
    )
    .sets(Control::Image),
    topic(
        Manifest,
        "imagePullPolicy:",
        "When the node fetches the image again rather than using its copy.",
        "A moved tag could leave nodes running different images.",
    ),
    topic(
        Manifest,
        "ports:",
        "The ports offered, named so probes and Services refer to them by name.",
        "Repeated port numbers drift apart.",
    )
    .sets(Control::Port),
    topic(
        Manifest,
        "containerPort:",
        "The port the process listens on: the same as the Dockerfile's EXPOSE and compose.",
        "Traffic goes to a port nothing listens on.",
    )
    .sets(Control::Port),
    topic(
        Manifest,
        "envFrom:",
        "Loads the ConfigMap (and the synced Secret) as environment variables.",
        "The container starts without its settings.",
    ),
    topic(
        Manifest,
        "httpGet:",
        "The probe asks the service's health path over HTTP on the named port.",
        "The probe checks nothing the service controls.",
    )
    .sets(Control::ProbePath),
    topic(
        Manifest,
        "initialDelaySeconds:",
        "Seconds to wait after start before the first probe.",
        "Early probes fail while the process boots.",
    )
    .sets(Control::Probe(ProbeSetting::InitialDelay)),
    topic(
        Manifest,
        "periodSeconds:",
        "How often the probe runs.",
        "Problems are noticed late, or the endpoint is hammered.",
    )
    .sets(Control::Probe(ProbeSetting::Period)),
    topic(
        Manifest,
        "timeoutSeconds:",
        "How long one probe may wait for an answer.",
        "A slow moment counts as a failure, or a hang goes unnoticed.",
    )
    .sets(Control::Probe(ProbeSetting::Timeout)),
    topic(
        Manifest,
        "failureThreshold:",
        "Failures in a row before the probe acts.",
        "One slow answer restarts the pod or takes it out of the Service.",
    )
    .sets(Control::Probe(ProbeSetting::FailureThreshold)),
    topic(
        Manifest,
        "volumeMounts:",
        "Writable scratch space, such as /tmp, on a read-only filesystem.",
        "The first temporary file fails.",
    ),
    topic(
        Manifest,
        "volumes:",
        "The pod's volumes: size-limited emptyDirs that vanish with the pod.",
        "Scratch files could fill the node's disk.",
    ),
    topic(
        Manifest,
        "kind: NetworkPolicy",
        "Allows only the ingress controller and Prometheus in.",
        "Any pod in the cluster can reach the service.",
    ),
    topic(
        Manifest,
        "kind: ExternalSecret",
        "Copies secret keys from the store into a Secret; values never touch Git.",
        "Secrets land in manifests, or are made by hand and drift.",
    )
    .sets(Control::Secrets),
    topic(
        Manifest,
        "remoteRef:",
        "Where each key's value lives in the secrets store.",
        "The key maps to nothing, and the pod fails to start.",
    )
    .sets(Control::Secrets),
    // GitHub Actions.
    topic(
        Workflow,
        "permissions:",
        "The token reads by default; only jobs that must, write.",
        "A compromised step can push with the token.",
    ),
    topic(
        Workflow,
        "concurrency:",
        "One run per branch at a time; a newer push cancels an outdated pull request run.",
        "Runs pile up, and two deploys race.",
    ),
    topic(
        Workflow,
        "timeout-minutes:",
        "Stops a stuck job before the six-hour default.",
        "A hung job burns runner minutes for hours.",
    ),
    topic(
        Workflow,
        "needs:",
        "Orders the jobs: test after lint, deploy after build.",
        "A deploy can start before the checks pass.",
    ),
    topic(
        Workflow,
        "environment:",
        "Deploys through a GitHub environment, with its approvals and secrets.",
        "No approval, and every job sees every secret.",
    ),
    topic(
        Workflow,
        "\"on\":",
        "Pushes and pull requests to the two branches that touch this service, or a manual run.",
        "It runs for every commit, or never.",
    ),
    topic(
        Workflow,
        "env:",
        "Expressions reach scripts as environment variables, so text cannot inject shell.",
        "A branch named `$(curl ...)` runs in the script.",
    ),
    topic(
        Workflow,
        "jobs:",
        "The pipeline's jobs; each runs on a fresh runner.",
        "Nothing runs.",
    ),
    topic(
        Workflow,
        "lint:",
        "Lint and type-check first: the cheapest way to fail.",
        "Style and type errors are found by reviewers, or in production.",
    )
    .sets(Control::Command(CommandKind::Lint)),
    topic(
        Workflow,
        "test:",
        "Runs the test suite, on each runtime version the service supports.",
        "Broken code reaches the image.",
    )
    .sets(Control::Command(CommandKind::Test)),
    topic(
        Workflow,
        "security:",
        "Audits dependencies and scans the source for known vulnerabilities.",
        "A vulnerable package ships unnoticed.",
    ),
    topic(
        Workflow,
        "build:",
        "Builds, scans and pushes the image once.",
        "Each environment builds a different image.",
    ),
    topic(
        Workflow,
        "deploy-staging:",
        "Deploys the built image to staging after a push to the staging branch.",
        "Changes reach production without a staging run.",
    )
    .sets(Control::Approval(Stage::Staging)),
    topic(
        Workflow,
        "deploy-production:",
        "Deploys the same image to production, behind the environment's approval.",
        "Production runs an untested image, unapproved.",
    )
    .sets(Control::Approval(Stage::Production)),
    topic(
        Workflow,
        "all-checks:",
        "The one check the rulesets require: it waits for every check this commit started.",
        "Path filters skip other services' workflows, and their required checks never arrive.",
    ),
    topic(
        Workflow,
        "runs-on:",
        "A pinned runner image: a new `ubuntu-latest` cannot change the build.",
        "Builds break when the default moves.",
    ),
    topic(
        Workflow,
        "defaults:",
        "Runs every step in the service's folder of the repository.",
        "Each step repeats the folder, or runs in the wrong one.",
    ),
    topic(
        Workflow,
        "steps:",
        "The job's steps run in order; the job stops at the first that fails.",
        "The job does nothing.",
    ),
    topic(
        Workflow,
        "outputs:",
        "Hands the pushed image's reference to the jobs that need it.",
        "Later jobs cannot know what was built.",
    ),
    topic(
        Workflow,
        "strategy:",
        "A matrix: the tests run once per supported runtime version.",
        "A version you support is never tested.",
    )
    .sets(Control::TestVersions),
    topic(
        Workflow,
        "if:",
        "Pushes publish and deploy; pull requests only check.",
        "A pull request could deploy.",
    ),
    topic(
        Workflow,
        "run:",
        "A shell command, with its inputs passed through env.",
        "Nothing runs in this step.",
    ),
    topic(
        Workflow,
        "uses: actions/checkout",
        "Checks out the commit being built.",
        "The job has no code to work on.",
    ),
    topic(
        Workflow,
        "uses: actions/setup-python",
        "The service's Python.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: actions/setup-node",
        "The service's Node.js.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: actions/setup-go",
        "The service's Go, with its module cache.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: actions/setup-java",
        "The service's JDK, with its build cache.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: actions/setup-dotnet",
        "The service's .NET SDK.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: ruby/setup-ruby",
        "The service's Ruby, with its gems cached.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: shivammathur/setup-php",
        "The service's PHP and Composer.",
        "Whatever the runner has is used.",
    ),
    topic(
        Workflow,
        "uses: Swatinem/rust-cache",
        "Caches the compiled dependencies between runs.",
        "Every run compiles every crate again.",
    ),
    topic(
        Workflow,
        "uses: actions/download-artifact",
        "Fetches the build's image reference, so the deploy releases exactly that image.",
        "The deploy would guess the image by tag.",
    ),
    topic(
        Workflow,
        "uses: aquasecurity/trivy-action",
        "Scans for known vulnerabilities; the image scan fails the build on critical ones.",
        "Known-vulnerable images reach production.",
    ),
    topic(
        Workflow,
        "uses: github/codeql-action/upload-sarif",
        "Shows the findings in the Security tab.",
        "The findings are buried in a log.",
    ),
    topic(
        Workflow,
        "uses: docker/setup-buildx-action",
        "BuildKit, for cache export and multi-stage builds.",
        "The build cannot use the GitHub Actions cache.",
    ),
    topic(
        Workflow,
        "uses: docker/metadata-action",
        "Tags the image with the commit and branch.",
        "Tags say nothing about the source.",
    ),
    topic(
        Workflow,
        "uses: docker/build-push-action",
        "Builds the Dockerfile with the layer cache; the scanned image is the one pushed.",
        "A different image than the one scanned could ship.",
    ),
    topic(
        Workflow,
        "uses: docker/login-action",
        "Logs in with the workflow's token, only to push.",
        "The push fails, or a password is stored.",
    ),
    topic(
        Workflow,
        "uses: actions/cache",
        "Restores the package manager's download cache keyed on the lockfile.",
        "Every run downloads every dependency again.",
    ),
    topic(
        Workflow,
        "uses: actions/upload-artifact",
        "Keeps a report or the image reference for later jobs and for people.",
        "The deploy job cannot know which image the build pushed.",
    ),
    topic(
        Workflow,
        "uses: aws-actions/configure-aws-credentials",
        "Assumes an IAM role with GitHub's OIDC token: the role trusts only this repository's jobs, and no AWS key is stored.",
        "Long-lived AWS keys sit in the repository's secrets until someone rotates them.",
    ),
    topic(
        Workflow,
        "id-token:",
        "Lets this job ask GitHub for the OIDC token its cloud role trusts.",
        "The cloud login fails, or needs stored keys.",
    ),
    topic(
        Workflow,
        "services:",
        "The project's PostgreSQL and Redis, same images, ready before the tests start; the test step gets their URLs.",
        "Tests that need the database fail in CI, or only mocks get tested.",
    ),
    topic(
        Workflow,
        "preflight:",
        "Fails first, naming each secret or variable the workflow reads that is not set, and where to set it.",
        "A missing setting shows only at the push or the deploy, after the whole build.",
    ),
    topic(
        Workflow,
        "ARGOCD_SERVER:",
        "The deploy asks Argo CD's API, with a read-only token, whether the pushed commit runs and is healthy: no cluster credentials.",
        "The job passes before the release runs, or holds cluster credentials that GitOps exists to avoid.",
    ),
    topic(
        Workflow,
        "persist-credentials:",
        "Checks out without leaving the token in the repository's Git config.",
        "Later steps could push with the token.",
    ),
    // docker-compose.
    topic(
        Compose,
        "services:",
        "Every container of the local environment.",
        "Everyone starts the pieces by hand, differently.",
    ),
    topic(
        Compose,
        "build:",
        "Builds the Dockerfile's stage with the dev dependencies.",
        "Local runs use an image unlike production's.",
    ),
    topic(
        Compose,
        "image:",
        "A pinned image of the same major version as the cloud service.",
        "Local tests pass against a version production does not run.",
    ),
    topic(
        Compose,
        "ports:",
        "Publishes the port on 127.0.0.1 only, for your browser and tools.",
        "Anyone on your network could reach the database.",
    ),
    topic(
        Compose,
        "environment:",
        "Local settings and throwaway passwords; real ones never go in this file.",
        "The app starts without its settings.",
    ),
    topic(
        Compose,
        "command:",
        "The development command, with reload on save.",
        "Every change needs a rebuild.",
    ),
    topic(
        Compose,
        "volumes:",
        "Named volumes keep data between restarts; source folders mount for live reload.",
        "Data is lost on every `docker compose down`.",
    ),
    topic(
        Compose,
        "restart:",
        "Restarts a crashed container until you stop it.",
        "A crash leaves the environment half down.",
    ),
    topic(
        Compose,
        "healthcheck:",
        "Compose learns when the container is ready.",
        "depends_on starts dependents too early.",
    ),
    topic(
        Compose,
        "depends_on:",
        "Starts the app once its database and cache are healthy.",
        "The app crashes while the database starts.",
    ),
    // Terraform.
    topic(
        Terraform,
        "terraform",
        "Pins Terraform and provider versions, so every machine plans with the same code.",
        "A new provider release changes plans unannounced.",
    ),
    topic(
        Terraform,
        "provider \"aws\"",
        "The AWS region, and default tags on every resource for cost and ownership.",
        "Resources are untagged, and nobody knows whose they are.",
    )
    .sets(Control::Region),
    topic(
        Terraform,
        "variable",
        "An input that differs between environments, set in environments/<name>.tfvars.",
        "Values are copied between environments and drift.",
    ),
    topic(
        Terraform,
        "output",
        "A value other tools need after apply, such as the cluster's name.",
        "People copy values from the console.",
    ),
    topic(
        Terraform,
        "locals",
        "Names computed once and used across files.",
        "The same expression is repeated and drifts.",
    ),
    topic(
        Terraform,
        "module \"vpc\"",
        "Private subnets in several zones; public ones only for load balancers.",
        "Databases and nodes sit in public subnets.",
    )
    .sets(Control::Vpc),
    topic(
        Terraform,
        "module \"eks\"",
        "The Kubernetes cluster and its managed node group, in the private subnets.",
        "There is no cluster to deploy to.",
    )
    .sets(Control::Cluster),
    topic(
        Terraform,
        "resource \"aws_db_instance\"",
        "Managed PostgreSQL: encrypted, private, backed up, Multi-AZ in production.",
        "Backups, failover and patching are yours to do.",
    )
    .sets(Control::DbClass),
    topic(
        Terraform,
        "resource \"aws_db_parameter_group\"",
        "Database settings, such as forcing TLS for every connection.",
        "Clients may connect unencrypted.",
    ),
    topic(
        Terraform,
        "resource \"aws_elasticache_replication_group\"",
        "Managed Redis with encryption in transit and at rest, inside the VPC.",
        "Cache traffic and data are readable on the network.",
    )
    .sets(Control::CacheType),
    topic(
        Terraform,
        "resource \"aws_security_group\"",
        "Lets only the cluster's nodes reach the database or cache port.",
        "Anything in the VPC can connect.",
    ),
    topic(
        Terraform,
        "resource \"aws_secretsmanager_secret\"",
        "Each service's secrets; values are set outside Terraform, never in its state.",
        "Secret values end up in Terraform state files.",
    ),
    topic(
        Terraform,
        "resource \"aws_s3_bucket\"",
        "The bucket that holds Terraform's state.",
        "State stays on one laptop.",
    ),
    topic(
        Terraform,
        "resource \"aws_s3_bucket_versioning\"",
        "Keeps every version of the state, so a bad apply can be rolled back.",
        "A corrupted state file is gone for good.",
    ),
    topic(
        Terraform,
        "resource \"aws_s3_bucket_server_side_encryption_configuration\"",
        "Encrypts the state, which holds resource details and addresses.",
        "Anyone who reads the bucket reads the state.",
    ),
    topic(
        Terraform,
        "resource \"aws_s3_bucket_public_access_block\"",
        "The state bucket can never be made public.",
        "One wrong policy publishes the state.",
    ),
    topic(
        Terraform,
        "resource \"aws_s3_bucket_policy\"",
        "Refuses any request to the state bucket that is not over TLS.",
        "State could travel unencrypted.",
    ),
    topic(
        Terraform,
        "resource \"aws_iam_role\"",
        "A role for one workload, with only the permissions it needs.",
        "Workloads share broad credentials.",
    ),
    topic(
        Terraform,
        "resource \"aws_eks_pod_identity_association\"",
        "Gives External Secrets' service account its AWS role, with no keys stored anywhere.",
        "Long-lived AWS keys sit in a Kubernetes Secret.",
    ),
    topic(
        Terraform,
        "resource \"aws_iam_openid_connect_provider\"",
        "Lets GitHub Actions prove which repository and environment a job runs for; one per account.",
        "CI needs long-lived AWS keys stored as repository secrets.",
    )
    .sets(Control::DeployTool),
    topic(
        Terraform,
        "data \"aws_iam_openid_connect_provider\"",
        "Finds the account's GitHub OIDC provider, which bootstrap/main.tf creates once.",
        "Each environment would create the account's one provider, and the second apply fails.",
    )
    .sets(Control::DeployTool),
    topic(
        Terraform,
        "access_entries",
        "Lets CI's deploy role change the environment's namespace, and nothing else in the cluster.",
        "The cluster refuses CI's role, or CI is handed cluster-admin.",
    )
    .sets(Control::DeployTool),
    topic(
        Terraform,
        "endpoint_public_access",
        "The API is public only when asked for or when CI deploys from GitHub's runners, from listed addresses.",
        "GitHub-hosted runners cannot reach a private API; an open one is a stolen token away from anyone.",
    )
    .sets(Control::Cluster),
    topic(
        Terraform,
        "vpc-cni",
        "The pod network, with its network policy agent on, so NetworkPolicies are enforced.",
        "NetworkPolicies are accepted but not enforced: every pod reaches every other.",
    ),
    topic(
        Terraform,
        "backend \"s3\"",
        "State in a shared, versioned, encrypted bucket.",
        "State on a laptop gets lost or overwritten.",
    )
    .sets(Control::StateLocking),
    topic(
        Terraform,
        "use_lockfile",
        "S3's own lock file lets one run at a time change the infrastructure.",
        "Two applies at once corrupt the state.",
    )
    .sets(Control::StateLocking),
    topic(
        Terraform,
        "dynamodb_table",
        "A DynamoDB lock lets one run at a time change the infrastructure.",
        "Two applies at once corrupt the state.",
    )
    .sets(Control::StateLocking),
    topic(
        Terraform,
        "storage_encrypted",
        "Encrypts the database's disks and snapshots.",
        "A copied snapshot is readable by anyone who gets it.",
    ),
    topic(
        Terraform,
        "publicly_accessible",
        "Keeps the database off the internet; it is reached from inside the VPC.",
        "Only the password stands between the database and everyone.",
    ),
    topic(
        Terraform,
        "deletion_protection",
        "A production database cannot be deleted by an apply.",
        "One wrong plan deletes the data.",
    ),
    topic(
        Terraform,
        "backup_retention_period",
        "Keeps automated backups for point-in-time recovery.",
        "A bad migration cannot be undone.",
    ),
    // Argo CD.
    topic(
        ArgoCd,
        "kind: Application",
        "Argo CD keeps the cluster equal to this folder in Git.",
        "kubectl by hand, and drift from Git.",
    )
    .sets(Control::DeployTool),
    topic(
        ArgoCd,
        "kind: ApplicationSet",
        "Creates one Argo CD Application per service and environment from one template.",
        "Applications are written by hand and differ.",
    )
    .sets(Control::DeployTool),
    topic(
        ArgoCd,
        "destination:",
        "The cluster Argo CD runs in; on AWS each environment's cluster runs its own Argo CD.",
        "One Argo CD deploying both environments into whichever cluster it runs in.",
    )
    .sets(Control::DeployTool),
    topic(
        ArgoCd,
        "syncPolicy:",
        "How Argo CD applies changes from Git.",
        "Changes wait for someone to press sync.",
    )
    .sets(Control::DeployTool),
    topic(
        ArgoCd,
        "prune:",
        "Deletes objects that were removed from Git.",
        "Removed objects linger in the cluster.",
    ),
    topic(
        ArgoCd,
        "selfHeal:",
        "Reverts changes made by hand in the cluster back to what Git says.",
        "The cluster drifts from Git after a kubectl edit.",
    ),
    topic(
        Dependabot,
        "package-ecosystem:",
        "Dependabot proposes updates for this ecosystem's packages in this folder.",
        "Dependencies age until a vulnerability forces a rushed upgrade.",
    ),
    topic(
        Dependabot,
        "target-branch:",
        "Update pull requests go to staging first, like any change.",
        "Updates land straight on the production branch.",
    ),
    topic(
        Dependabot,
        "groups:",
        "One pull request a week for all of a folder's updates, not one per package.",
        "A pull request per package buries reviewers.",
    ),
];

/// One explained line.
pub struct Explained {
    pub path: String,
    /// 1-based.
    pub line: usize,
    pub why: Why,
}

/// Why a line is there: a topic of its own, or the topic of the block or list item it is part of
/// (the fields under `livenessProbe:`, the `with:` of a workflow step, a `RUN` continuation).
#[derive(Clone, Copy)]
pub struct Why {
    pub topic: &'static Topic,
    /// 1-based number of the line the topic belongs to; this line's own number when it is its
    /// own topic.
    pub line: usize,
}

/// The topic that explains `line` of a file of `kind`, if any.
pub fn topic_of(kind: Kind, line: &str) -> Option<&'static Topic> {
    let line = line.trim_start();
    let line = line.strip_prefix("- ").unwrap_or(line);
    TOPICS.iter().find(|topic| {
        topic.kind == kind
            && line.starts_with(topic.key)
            && line[topic.key.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
    })
}

/// A topic that names what a whole item is (a step's action, a document's kind): it explains
/// the item's other keys.
fn names_item(topic: &Topic) -> bool {
    ["kind:", "uses:", "run:"]
        .iter()
        .any(|key| topic.key.starts_with(key))
}

/// A block that is open at some indentation while the lines under it are read.
struct Open {
    level: usize,
    line: usize,
    /// The list item (or YAML document) whose keys sit one level in, when this is one.
    item: Option<usize>,
}

/// Why each line of `text`, a file of `kind`, is there (index 0 is line 1). Comments, blank
/// lines and lines outside any explained block have none.
///
/// Lines nest by indentation: a line with no topic of its own takes its enclosing block's. The
/// keys of a list item (a workflow step) or of a YAML document share the topic that names the
/// item (`uses:`, `kind:`), or else its first topic.
pub fn lines(kind: Kind, text: &str) -> Vec<Option<Why>> {
    let yaml = !matches!(kind, Kind::Dockerfile | Kind::Terraform);
    let count = text.lines().count();
    let mut own: Vec<Option<&'static Topic>> = vec![None; count];
    let mut parent: Vec<Option<usize>> = vec![None; count];
    let mut member: Vec<Option<usize>> = vec![None; count];
    let mut skipped = vec![false; count];
    // Per item: the line of its topic, and whether the item is a whole YAML document.
    let mut items: Vec<(Option<usize>, bool)> = Vec::new();
    let mut document = yaml.then(|| {
        items.push((None, true));
        0
    });
    let mut open: Vec<Open> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            skipped[index] = true;
            continue;
        }
        if yaml && content == "---" {
            skipped[index] = true;
            open.clear();
            items.push((None, true));
            document = Some(items.len() - 1);
            continue;
        }
        let column = line.len() - content.len();
        let closes = content.starts_with(['}', ']', ')']);
        while open
            .last()
            .is_some_and(|o| o.level > column || (o.level == column && !closes))
        {
            open.pop();
        }
        if closes && open.last().is_some_and(|o| o.level == column) {
            parent[index] = open.pop().map(|o| o.line);
            continue;
        }
        parent[index] = open.last().map(|o| o.line);
        if kind != Kind::Dockerfile || column == 0 {
            own[index] = topic_of(kind, line);
        }
        let is_item = yaml && (content.starts_with("- ") || content == "-");
        member[index] = if is_item {
            items.push((None, false));
            Some(items.len() - 1)
        } else {
            match open.last() {
                Some(o) if o.item.is_some() && o.level + 2 == column => o.item,
                None if column == 0 => document,
                _ => None,
            }
        };
        if is_item {
            open.push(Open {
                level: column,
                line: index,
                item: member[index],
            });
            open.push(Open {
                level: column + 2,
                line: index,
                item: None,
            });
        } else {
            open.push(Open {
                level: column,
                line: index,
                item: None,
            });
        }
        if let (Some(topic), Some(item)) = (own[index], member[index]) {
            let (chosen, whole_document) = items[item];
            let better = match chosen.and_then(|line| own[line]) {
                None => names_item(topic) || !whole_document,
                Some(current) => names_item(topic) && !names_item(current),
            };
            if better {
                items[item].0 = Some(index);
            }
        }
    }
    let mut why: Vec<Option<Why>> = vec![None; count];
    for index in 0..count {
        if skipped[index] {
            continue;
        }
        why[index] = if let Some(topic) = own[index] {
            Some(Why {
                topic,
                line: index + 1,
            })
        } else if let Some(line) = member[index].and_then(|item| items[item].0) {
            own[line].map(|topic| Why {
                topic,
                line: line + 1,
            })
        } else {
            parent[index].and_then(|line| why[line])
        };
    }
    why
}

/// Every explained line of `file`.
pub fn file(file: &GeneratedFile) -> Vec<Explained> {
    let Some(kind) = Kind::of(&file.path) else {
        return Vec::new();
    };
    lines(kind, &file.contents)
        .into_iter()
        .enumerate()
        .filter_map(|(index, why)| {
            Some(Explained {
                path: file.path.clone(),
                line: index + 1,
                why: why?,
            })
        })
        .collect()
}

/// Every explained line of the bundle.
pub fn explain(bundle: &Bundle) -> Vec<Explained> {
    bundle.files().iter().flat_map(file).collect()
}

/// Coverage of one kind of file: lines of content (comments and blank lines not counted), how
/// many have a topic of their own, and how many are explained at all (their own or their
/// block's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coverage {
    pub kind: Kind,
    pub lines: usize,
    pub own: usize,
    pub explained: usize,
}

/// Coverage per kind of file over `bundle`.
pub fn coverage(bundle: &Bundle) -> Vec<Coverage> {
    Kind::ALL
        .iter()
        .map(|&kind| {
            let mut found = Coverage {
                kind,
                lines: 0,
                own: 0,
                explained: 0,
            };
            for file in bundle.files() {
                if Kind::of(&file.path) != Some(kind) {
                    continue;
                }
                for (index, (line, why)) in file
                    .contents
                    .lines()
                    .zip(lines(kind, &file.contents))
                    .enumerate()
                {
                    let content = line.trim();
                    if content.is_empty() || content.starts_with('#') || content == "---" {
                        continue;
                    }
                    found.lines += 1;
                    if let Some(why) = why {
                        found.explained += 1;
                        found.own += usize::from(why.line == index + 1);
                    }
                }
            }
            found
        })
        .collect()
}

/// The form field that decides what `why` explains on line `line` (1-based) of the file at
/// `path`, when one does: the link from an explanation to the setting to change.
pub fn field(project: &Project, path: &str, text: &str, why: &Why) -> Option<Field> {
    use crate::rules::fields::{replicas_field, service_of, stage_of};
    let stage = stage_of(path);
    let index = service_of(project, path);
    let service = |field| Some(Field::Service(index?, field));
    // The probe whose block holds the line that owns the topic.
    let probe = || {
        let lines: Vec<&str> = text.lines().take(why.line).collect();
        let mut column = lines.last().map_or(0, |l| l.len() - l.trim_start().len());
        for line in lines.iter().rev() {
            let content = line.trim_start();
            let indent = line.len() - content.len();
            if indent < column && !content.is_empty() {
                if let Some(name) = content.strip_suffix("Probe:") {
                    return ProbeKind::ALL.into_iter().find(|probe| probe.key() == name);
                }
                column = indent;
            }
        }
        None
    };
    match why.topic.control {
        Control::Nothing => None,
        Control::StateLocking => Some(Field::AwsStateLocking),
        Control::Vpc => Some(Field::AwsVpcCidr),
        Control::Cluster => Some(Field::AwsClusterVersion),
        Control::DbClass => Some(Field::AwsDbClass),
        Control::CacheType => Some(Field::AwsCacheType),
        Control::Region => Some(Field::AwsRegion),
        Control::Secrets => Some(Field::SecretsProvider),
        Control::DeployTool => Some(Field::DeployTool),
        Control::Ingress if index.is_none() => Some(Field::IngressClass),
        Control::Ingress => service(ServiceField::IngressHost),
        Control::Namespace => {
            stage.map(|stage| Field::Environment(stage, EnvironmentField::Namespace))
        }
        Control::Approval(stage) => Some(Field::Environment(
            stage,
            EnvironmentField::ApprovalRequired,
        )),
        Control::Replicas => Some(replicas_field(project, index?, stage)),
        Control::ProbePath => service(match probe()? {
            ProbeKind::Startup => ServiceField::StartupPath,
            ProbeKind::Liveness => ServiceField::LivenessPath,
            ProbeKind::Readiness => ServiceField::ReadinessPath,
        }),
        Control::Probe(setting) => service(ServiceField::Probe(probe()?, setting)),
        Control::Version => service(ServiceField::Version),
        Control::Port => service(ServiceField::Port),
        Control::Startup => service(ServiceField::StartupPath),
        Control::Liveness => service(ServiceField::LivenessPath),
        Control::Readiness => service(ServiceField::ReadinessPath),
        Control::Cpu => service(ServiceField::CpuRequest),
        Control::MaxSurge => service(ServiceField::MaxSurge),
        Control::MaxUnavailable => service(ServiceField::MaxUnavailable),
        Control::Strategy => service(ServiceField::Strategy),
        Control::TestVersions => service(ServiceField::TestVersions),
        Control::AutoscalingMin => service(ServiceField::AutoscalingMin),
        Control::AutoscalingMax => service(ServiceField::AutoscalingMax),
        Control::AutoscalingCpu => service(ServiceField::AutoscalingCpu),
        Control::Grace => service(ServiceField::TerminationGrace),
        Control::Image => service(ServiceField::Image),
        Control::Command(kind) => service(ServiceField::Command(kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::model::PRESETS;

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn the_web_app_s_explanations_are_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/explanations.txt");
        let expected = prose_asset();
        if std::env::var_os("UPDATE_CATALOGUE").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            current == expected,
            "static/explanations.txt is out of date: run UPDATE_CATALOGUE=1 cargo test -p shipshape-core explain"
        );
        for (index, topic) in TOPICS.iter().enumerate() {
            assert!(
                !topic.why.contains('\n') && !topic.without.contains('\n'),
                "{}",
                topic.key
            );
            // The first topic with a kind and key is the one `topic_of` finds, and the one
            // the file gives.
            let first = TOPICS
                .iter()
                .position(|t| t.kind == topic.kind && t.key == topic.key);
            if first == Some(index) {
                assert_eq!(
                    prose_in_asset(&current, topic),
                    Some((topic.why, topic.without))
                );
            }
        }
    }

    /// Every explanation explains a line some preset generates: a generator change that
    /// removes or renames its target fails here rather than leaving it orphaned.
    #[test]
    fn every_topic_explains_a_generated_line() {
        let mut bundles: Vec<Bundle> = PRESETS.iter().map(|p| generate(&p.project())).collect();
        // The full stack deploying with Helm from CI, which is what gets the deploy role.
        let mut helm = crate::model::preset("fullstack-fastapi-react")
            .unwrap()
            .project();
        helm.deploy_tool = crate::model::DeployTool::Helm;
        bundles.push(generate(&helm));
        let explained: Vec<Explained> = bundles.iter().flat_map(explain).collect();
        let orphans: Vec<String> = TOPICS
            .iter()
            .filter(|topic| {
                !explained.iter().any(|e| {
                    e.why.line == e.line
                        && e.why.topic.kind == topic.kind
                        && e.why.topic.key == topic.key
                })
            })
            .map(|topic| format!("{:?} {:?}", topic.kind, topic.key))
            .collect();
        assert!(orphans.is_empty(), "no preset has a line for: {orphans:?}");
    }

    #[test]
    fn keys_match_whole_words_only() {
        assert!(topic_of(Kind::Dockerfile, "USER 10001:10001").is_some());
        assert!(topic_of(Kind::Dockerfile, "USERNAME x").is_none());
        assert!(topic_of(Kind::Workflow, "      - uses: actions/cache@v4").is_some());
        assert!(topic_of(Kind::Manifest, "  maxSurge: 1").is_some());
    }

    /// Prints the coverage (run with --nocapture) and holds the files a new engineer reads
    /// first to explaining nearly every line: the Dockerfile, the Deployment's file and the
    /// workflow.
    #[test]
    fn coverage_per_kind_of_file() {
        let bundle = generate(&PRESETS[0].project());
        for found in coverage(&bundle) {
            println!(
                "{}: {} of {} lines explained ({} by a topic of their own)",
                found.kind.label(),
                found.explained,
                found.lines,
                found.own
            );
            assert!(found.lines > 0, "{found:?}");
            let wanted = match found.kind {
                Kind::Dockerfile | Kind::Workflow | Kind::Manifest => 95,
                _ => 60,
            };
            assert!(
                found.explained * 100 >= found.lines * wanted,
                "{}: only {} of {} lines explained",
                found.kind.label(),
                found.explained,
                found.lines
            );
        }
    }

    fn whys(kind: Kind, text: &str) -> Vec<Option<(&'static str, usize)>> {
        lines(kind, text)
            .into_iter()
            .map(|why| why.map(|w| (w.topic.key, w.line)))
            .collect()
    }

    #[test]
    fn lines_take_the_topic_of_their_block() {
        let text = "spec:\n  livenessProbe:\n    httpGet:\n      path: /live\n    periodSeconds: 5\n\n  # note\n  other: 1\n";
        assert_eq!(
            whys(Kind::Manifest, text),
            [
                None,
                Some(("livenessProbe:", 2)),
                Some(("httpGet:", 3)),
                Some(("httpGet:", 3)),
                Some(("periodSeconds:", 5)),
                None,
                None,
                None,
            ]
        );
    }

    #[test]
    fn a_step_s_keys_share_the_action_that_names_it() {
        let text = "steps:\n  - name: Cache\n    if: always()\n    uses: actions/cache@v5\n    with:\n      path: x\n  - name: Next\n    run: make\n";
        assert_eq!(
            whys(Kind::Workflow, text),
            [
                Some(("steps:", 1)),
                Some(("uses: actions/cache", 4)),
                Some(("if:", 3)),
                Some(("uses: actions/cache", 4)),
                Some(("uses: actions/cache", 4)),
                Some(("uses: actions/cache", 4)),
                Some(("run:", 8)),
                Some(("run:", 8)),
            ]
        );
    }

    #[test]
    fn a_document_s_keys_share_its_kind() {
        let text = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n---\napiVersion: v1\nkind: Unknown\n";
        assert_eq!(
            whys(Kind::Manifest, text),
            [
                None,
                Some(("kind: Service", 3)),
                Some(("kind: Service", 3)),
                Some(("kind: Service", 3)),
                Some(("kind: Service", 3)),
                None,
                None,
                None,
            ]
        );
    }

    #[test]
    fn continuations_and_closing_braces_belong_to_their_opener() {
        let dockerfile = "RUN a \\\n  && b\nHEALTHCHECK --retries=3 \\\n  CMD [\"x\"]\n";
        assert_eq!(
            whys(Kind::Dockerfile, dockerfile),
            [
                Some(("RUN", 1)),
                Some(("RUN", 1)),
                Some(("HEALTHCHECK", 3)),
                Some(("HEALTHCHECK", 3)),
            ]
        );
        let hcl = "terraform {\n  backend \"s3\" {\n    key = 1\n  }\n}\n";
        assert_eq!(
            whys(Kind::Terraform, hcl),
            [
                Some(("terraform", 1)),
                Some(("backend \"s3\"", 2)),
                Some(("backend \"s3\"", 2)),
                Some(("backend \"s3\"", 2)),
                Some(("terraform", 1)),
            ]
        );
    }

    /// Explanations link to the setting that changes their line, for the right service and
    /// probe.
    #[test]
    fn explanations_name_their_setting() {
        let project = PRESETS[0].project();
        let bundle = generate(&project);
        let service = &project.services[1];
        let path = format!("k8s/production/{}.yaml", service.name);
        let file = bundle.get(&path).expect("the production manifest");
        let found = |needle: &str| {
            let (index, _) = file
                .contents
                .lines()
                .enumerate()
                .find(|(_, line)| line.trim_start().starts_with(needle))
                .unwrap_or_else(|| panic!("no {needle} in {path}"));
            let why = lines(Kind::Manifest, &file.contents)[index].expect("explained");
            field(&project, &path, &file.contents, &why)
        };
        assert_eq!(
            found("containerPort:"),
            Some(Field::Service(1, ServiceField::Port))
        );
        assert_eq!(
            found("maxUnavailable:"),
            Some(Field::Service(1, ServiceField::MaxUnavailable))
        );
        // The first periodSeconds is the startup probe's.
        assert_eq!(
            found("periodSeconds:"),
            Some(Field::Service(
                1,
                ServiceField::Probe(ProbeKind::Startup, ProbeSetting::Period)
            ))
        );
        assert_eq!(
            found("namespace:"),
            Some(Field::Environment(
                Stage::Production,
                EnvironmentField::Namespace
            ))
        );
        let dockerfile = bundle
            .get(&format!("{}Dockerfile", service.folder_prefix()))
            .expect("a Dockerfile");
        let whys = lines(Kind::Dockerfile, &dockerfile.contents);
        let expose = whys
            .iter()
            .flatten()
            .find(|w| w.topic.key == "EXPOSE")
            .expect("EXPOSE");
        assert_eq!(
            field(&project, &dockerfile.path, &dockerfile.contents, expose),
            Some(Field::Service(1, ServiceField::Port))
        );
    }
}
