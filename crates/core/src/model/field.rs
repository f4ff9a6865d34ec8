//! Addresses of the values a user can edit, so a message can be shown next to its field.

/// One editable value of a [`crate::model::Project`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    ProjectName,
    RepositoryOwner,
    RepositoryName,
    ProductionBranch,
    StagingBranch,
    FeaturePrefix,
    RegistryKind,
    RegistryAddress,
    /// The list of app services as a whole (it must not be empty).
    Services,
    Service(usize, ServiceField),
    PostgresVersion,
    PostgresDatabase,
    RedisVersion,
    RedisMaxMemory,
    Environment(Stage, EnvironmentField),
    IngressClass,
    IngressNamespace,
    ClusterIssuer,
    AwsRegion,
    AwsZones,
    AwsVpcCidr,
    AwsClusterVersion,
    AwsNodeType,
    AwsDbClass,
    AwsCacheType,
    AwsPublicEndpointCidrs,
    SecretsProvider,
    SecretsStoreAddress,
    SecretsStoreIdentity,
    DeployTool,
    PostgresPgvector,
    PostgresInCluster,
    RedisEvictionPolicy,
    RedisAppendOnly,
    ObservabilityEnabled,
    ObservabilityNamespace,
    PrometheusRelease,
    /// The AWS infrastructure as a whole: on or off.
    Aws,
    AwsStateLocking,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceField {
    Name,
    Path,
    Runtime,
    Version,
    PackageManager,
    TestVersions,
    Port,
    StartupPath,
    LivenessPath,
    ReadinessPath,
    EnvName(usize),
    EnvValue(usize),
    Command(CommandKind),
    Image,
    Replicas,
    CpuRequest,
    CpuLimit,
    MemoryRequest,
    MemoryLimit,
    AutoscalingMin,
    AutoscalingMax,
    AutoscalingCpu,
    IngressHost,
    IngressPath,
    Strategy,
    MaxSurge,
    MaxUnavailable,
    CanarySteps,
    CanaryEngine,
    TerminationGrace,
    AutoscalingMemory,
    Probe(ProbeKind, ProbeSetting),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProbeKind {
    Startup,
    Liveness,
    Readiness,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 3] = [
        ProbeKind::Startup,
        ProbeKind::Liveness,
        ProbeKind::Readiness,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProbeKind::Startup => "startup",
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProbeSetting {
    InitialDelay,
    Period,
    Timeout,
    FailureThreshold,
}

impl ProbeSetting {
    pub const ALL: [ProbeSetting; 4] = [
        ProbeSetting::InitialDelay,
        ProbeSetting::Period,
        ProbeSetting::Timeout,
        ProbeSetting::FailureThreshold,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProbeSetting::InitialDelay => "initial_delay_seconds",
            ProbeSetting::Period => "period_seconds",
            ProbeSetting::Timeout => "timeout_seconds",
            ProbeSetting::FailureThreshold => "failure_threshold",
        }
    }

    /// The accepted range, and the name used in messages.
    pub(crate) fn range(self) -> (u32, u32, &'static str) {
        match self {
            ProbeSetting::InitialDelay => (0, 600, "Initial delay"),
            ProbeSetting::Period => (1, 300, "Period"),
            ProbeSetting::Timeout => (1, 60, "Timeout"),
            ProbeSetting::FailureThreshold => (1, 100, "Failure threshold"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandKind {
    Lint,
    Typecheck,
    Test,
    Build,
    Audit,
    Dev,
}

impl CommandKind {
    pub const ALL: [CommandKind; 6] = [
        CommandKind::Lint,
        CommandKind::Typecheck,
        CommandKind::Test,
        CommandKind::Build,
        CommandKind::Audit,
        CommandKind::Dev,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CommandKind::Lint => "lint",
            CommandKind::Typecheck => "typecheck",
            CommandKind::Test => "test",
            CommandKind::Build => "build",
            CommandKind::Audit => "audit",
            CommandKind::Dev => "dev",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Staging,
    Production,
}

impl Stage {
    pub const ALL: [Stage; 2] = [Stage::Staging, Stage::Production];

    pub fn key(self) -> &'static str {
        match self {
            Stage::Staging => "staging",
            Stage::Production => "production",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnvironmentField {
    Name,
    Namespace,
    Hostname,
    Replicas,
    ApprovalRequired,
}

impl Field {
    /// Where the value lives in the settings file, e.g. `services[0].health.liveness`.
    pub fn path(self) -> String {
        match self {
            Field::ProjectName => "name".into(),
            Field::RepositoryOwner => "repository.owner".into(),
            Field::RepositoryName => "repository.name".into(),
            Field::ProductionBranch => "branches.production".into(),
            Field::StagingBranch => "branches.staging".into(),
            Field::FeaturePrefix => "branches.feature_prefix".into(),
            Field::RegistryKind => "registry.kind".into(),
            Field::RegistryAddress => "registry.address".into(),
            Field::Services => "services".into(),
            Field::Service(index, field) => format!("services[{index}].{}", field.path()),
            Field::PostgresVersion => "postgres.version".into(),
            Field::PostgresDatabase => "postgres.database".into(),
            Field::RedisVersion => "redis.version".into(),
            Field::RedisMaxMemory => "redis.max_memory".into(),
            Field::Environment(stage, field) => {
                let key = match field {
                    EnvironmentField::Name => "name",
                    EnvironmentField::Namespace => "namespace",
                    EnvironmentField::Hostname => "hostname",
                    EnvironmentField::Replicas => "replicas",
                    EnvironmentField::ApprovalRequired => "approval_required",
                };
                format!("environments.{}.{key}", stage.key())
            }
            Field::IngressClass => "kubernetes.ingress_class".into(),
            Field::IngressNamespace => "kubernetes.ingress_namespace".into(),
            Field::ClusterIssuer => "kubernetes.cluster_issuer".into(),
            Field::AwsRegion => "aws.region".into(),
            Field::AwsZones => "aws.availability_zones".into(),
            Field::AwsVpcCidr => "aws.vpc_cidr".into(),
            Field::AwsClusterVersion => "aws.cluster_version".into(),
            Field::AwsNodeType => "aws.node_instance_type".into(),
            Field::AwsDbClass => "aws.db_instance_class".into(),
            Field::AwsCacheType => "aws.cache_node_type".into(),
            Field::AwsPublicEndpointCidrs => "aws.public_endpoint_cidrs".into(),
            Field::SecretsProvider => "secrets_provider".into(),
            Field::SecretsStoreAddress => "secrets_store.address".into(),
            Field::SecretsStoreIdentity => "secrets_store.identity".into(),
            Field::DeployTool => "deploy_tool".into(),
            Field::PostgresPgvector => "postgres.pgvector".into(),
            Field::PostgresInCluster => "kubernetes.in_cluster_postgres".into(),
            Field::RedisEvictionPolicy => "redis.eviction_policy".into(),
            Field::RedisAppendOnly => "redis.append_only".into(),
            Field::ObservabilityEnabled => "observability.enabled".into(),
            Field::ObservabilityNamespace => "observability.namespace".into(),
            Field::PrometheusRelease => "observability.prometheus_release".into(),
            Field::Aws => "aws".into(),
            Field::AwsStateLocking => "aws.state_locking".into(),
        }
    }

    /// The form element's `id`: the path with punctuation turned into hyphens.
    pub fn id(self) -> String {
        let mut id = String::new();
        for c in self.path().chars() {
            if c.is_ascii_alphanumeric() {
                id.push(c);
            } else if !id.ends_with('-') {
                id.push('-');
            }
        }
        id.trim_end_matches('-').replace('_', "-")
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::ProjectName => "Project name",
            Field::RepositoryOwner => "GitHub owner",
            Field::RepositoryName => "Repository name",
            Field::ProductionBranch => "Production branch",
            Field::StagingBranch => "Staging branch",
            Field::FeaturePrefix => "Feature branch prefix",
            Field::RegistryKind => "Container registry",
            Field::RegistryAddress => "Registry address",
            Field::Services => "App services",
            Field::Service(_, field) => field.label(),
            Field::PostgresVersion => "PostgreSQL version",
            Field::PostgresDatabase => "Database name",
            Field::RedisVersion => "Redis version",
            Field::RedisMaxMemory => "Redis maxmemory",
            Field::Environment(_, EnvironmentField::Name) => "Environment name",
            Field::Environment(_, EnvironmentField::Namespace) => "Namespace",
            Field::Environment(_, EnvironmentField::Hostname) => "Hostname",
            Field::Environment(_, EnvironmentField::Replicas) => "Replicas",
            Field::Environment(_, EnvironmentField::ApprovalRequired) => "Approval before deploy",
            Field::IngressClass => "Ingress class",
            Field::IngressNamespace => "Ingress controller namespace",
            Field::ClusterIssuer => "cert-manager ClusterIssuer",
            Field::AwsRegion => "AWS region",
            Field::AwsZones => "Availability zones",
            Field::AwsVpcCidr => "VPC CIDR",
            Field::AwsClusterVersion => "EKS version",
            Field::AwsNodeType => "Node instance type",
            Field::AwsDbClass => "Database instance class",
            Field::AwsCacheType => "Cache node type",
            Field::AwsPublicEndpointCidrs => "Public API endpoint allowed from",
            Field::SecretsProvider => "Secrets store",
            Field::SecretsStoreAddress => "Store address",
            Field::SecretsStoreIdentity => "Reader identity",
            Field::DeployTool => "Deploy with",
            Field::PostgresPgvector => "pgvector extension",
            Field::PostgresInCluster => "PostgreSQL in the cluster",
            Field::RedisEvictionPolicy => "Eviction policy",
            Field::RedisAppendOnly => "Append-only file",
            Field::ObservabilityEnabled => "Monitoring and alerts",
            Field::ObservabilityNamespace => "Monitoring namespace",
            Field::PrometheusRelease => "Prometheus release",
            Field::Aws => "Create the cloud on AWS",
            Field::AwsStateLocking => "Terraform state locking",
        }
    }

    /// One line telling the user what the value is for.
    pub fn help(self) -> &'static str {
        match self {
            Field::ProjectName => {
                "Lowercase letters, digits and hyphens; prefixes images, namespaces and cloud resources."
            }
            Field::Service(_, ServiceField::Name) => {
                "Lowercase letters, digits and hyphens; names the image, container and Kubernetes objects."
            }
            Field::Service(_, ServiceField::Path) => {
                "Folder of this service in the repository; \".\" for the root."
            }
            Field::Service(_, ServiceField::Runtime) => {
                "Decides the build stages, the CI steps and the runtime image."
            }
            Field::Service(_, ServiceField::Version) => {
                "Runtime version used to build, test and run."
            }
            Field::Service(_, ServiceField::PackageManager) => {
                "Decides the lockfile, the install command and the CI cache key."
            }
            Field::Service(_, ServiceField::Port) => {
                "The port your process listens on inside the container."
            }
            Field::Service(_, ServiceField::StartupPath) => {
                "Answers once the process has started; may check the database."
            }
            Field::Service(_, ServiceField::LivenessPath) => {
                "Answers while the process is alive; used by the Docker HEALTHCHECK."
            }
            Field::Service(_, ServiceField::ReadinessPath) => {
                "Answers when every dependency is reachable and traffic may come."
            }
            Field::RepositoryOwner => {
                "The GitHub user or organisation; part of the image name on GHCR."
            }
            Field::RepositoryName => "The repository the workflows run in.",
            Field::ProductionBranch => "Merges here deploy to production, after the approval gate.",
            Field::StagingBranch => "Merges here deploy to staging.",
            Field::FeaturePrefix => "Branches starting with this run CI but deploy nowhere.",
            Field::RegistryKind => "Where CI pushes images and the cluster pulls them from.",
            Field::RegistryAddress => {
                "The registry's host and path, where the kind needs one (ECR, ACR, Artifact Registry)."
            }
            Field::Services => "The services of this repository that are built and deployed.",
            Field::PostgresVersion => {
                "Major version for compose, the cluster and the cloud database alike."
            }
            Field::PostgresDatabase => "The database the services connect to.",
            Field::RedisVersion => {
                "Major version for compose, the cluster and the cloud cache alike."
            }
            Field::RedisMaxMemory => "Memory Redis may use before it evicts keys, e.g. 256mb.",
            Field::Environment(_, EnvironmentField::Name) => {
                "Names the GitHub environment and its approval rules."
            }
            Field::Environment(_, EnvironmentField::Namespace) => {
                "The Kubernetes namespace this environment deploys into."
            }
            Field::Environment(_, EnvironmentField::Hostname) => {
                "The domain the ingress serves; each service adds its own host part."
            }
            Field::Environment(_, EnvironmentField::Replicas) => {
                "Replicas here for services without autoscaling; empty keeps each service's own count."
            }
            Field::IngressClass => "The ingress controller's class, e.g. nginx.",
            Field::IngressNamespace => {
                "Where the ingress controller runs; network policies admit traffic from it."
            }
            Field::ClusterIssuer => {
                "The cert-manager issuer that gets TLS certificates for the hosts."
            }
            Field::AwsRegion => "The region everything is created in, e.g. eu-west-1.",
            Field::AwsZones => {
                "How many availability zones the VPC, the nodes and the database span."
            }
            Field::AwsVpcCidr => "The VPC's private address range; subnets are cut from it.",
            Field::AwsClusterVersion => "The EKS Kubernetes version, e.g. 1.33.",
            Field::AwsNodeType => "The EC2 instance type of the worker nodes.",
            Field::AwsDbClass => "The RDS instance class of the PostgreSQL database.",
            Field::AwsCacheType => "The ElastiCache node type of the Redis cache.",
            Field::AwsPublicEndpointCidrs => {
                "Address ranges allowed to reach the cluster's API. Empty keeps it private, unless Helm deploys from GitHub-hosted runners: then any address, guarded by IAM."
            }
            Field::SecretsProvider => {
                "Where secret values live; External Secrets copies them into the cluster."
            }
            Field::SecretsStoreAddress => {
                "The store's region, URL or vault name, as the provider needs."
            }
            Field::SecretsStoreIdentity => "The identity the cluster reads the store as.",
            Field::DeployTool => "Argo CD syncs from Git; Helm deploys from CI.",
            Field::Environment(_, EnvironmentField::ApprovalRequired) => {
                "A reviewer approves each deploy here, in the GitHub environment's protection rules."
            }
            Field::PostgresPgvector => {
                "Runs the pgvector image, for embeddings and similarity search."
            }
            Field::PostgresInCluster => {
                "A StatefulSet in each namespace instead of a managed database; fine for staging."
            }
            Field::RedisEvictionPolicy => {
                "Which keys Redis drops at maxmemory; noeviction refuses writes instead."
            }
            Field::RedisAppendOnly => "Writes every change to disk, so a restart keeps the data.",
            Field::ObservabilityEnabled => {
                "ServiceMonitors scrape /metrics; alerts on errors, latency and restarts; a dashboard."
            }
            Field::ObservabilityNamespace => {
                "Where Prometheus runs; the network policies let its scrapes in."
            }
            Field::PrometheusRelease => {
                "The release label the Prometheus Operator picks monitors and rules by."
            }
            Field::Aws => {
                "Terraform for the network, EKS, the database and the cache; off for a cluster you have."
            }
            Field::AwsStateLocking => {
                "How Terraform runs take turns: a DynamoDB table, or S3's own lock file."
            }
            Field::Service(_, ServiceField::AutoscalingMemory) => {
                "Average memory, in percent of the request, to scale on too; empty scales on CPU only."
            }
            Field::Service(_, ServiceField::Probe(_, ProbeSetting::InitialDelay)) => {
                "Seconds after the container starts before the first check."
            }
            Field::Service(_, ServiceField::Probe(_, ProbeSetting::Period)) => {
                "Seconds between checks."
            }
            Field::Service(_, ServiceField::Probe(_, ProbeSetting::Timeout)) => {
                "Seconds a check may take before it counts as failed."
            }
            Field::Service(_, ServiceField::Probe(kind, ProbeSetting::FailureThreshold)) => {
                match kind {
                    ProbeKind::Startup => {
                        "Failed checks before the pod is restarted; times the period, the time it has to start."
                    }
                    ProbeKind::Liveness => "Failed checks in a row before the pod is restarted.",
                    ProbeKind::Readiness => {
                        "Failed checks in a row before the pod is taken out of traffic."
                    }
                }
            }
            Field::Service(_, ServiceField::TestVersions) => {
                "Runtime versions CI tests on, comma-separated; empty tests on the one above."
            }
            Field::Service(_, ServiceField::EnvName(_)) => {
                "An environment variable the service reads, in UPPER_SNAKE_CASE."
            }
            Field::Service(_, ServiceField::EnvValue(_)) => {
                "Its value; {{api.url}} is service api's address in each environment and locally. Secret values are never typed here, only kept in the store."
            }
            Field::Service(_, ServiceField::Command(_)) => {
                "The command CI runs for this step; empty skips the step."
            }
            Field::Service(_, ServiceField::Image) => {
                "An image to run instead of building one, with a tag; empty builds this folder."
            }
            Field::Service(_, ServiceField::Replicas) => {
                "Pods that run at all times; two or more survive a node drain."
            }
            Field::Service(_, ServiceField::CpuRequest) => {
                "CPU reserved for each pod, e.g. 100m; the scheduler and the autoscaler use it."
            }
            Field::Service(_, ServiceField::CpuLimit) => {
                "The most CPU a pod may use before it is throttled."
            }
            Field::Service(_, ServiceField::MemoryRequest) => {
                "Memory reserved for each pod, e.g. 128Mi."
            }
            Field::Service(_, ServiceField::MemoryLimit) => {
                "The most memory a pod may use before it is killed."
            }
            Field::Service(_, ServiceField::AutoscalingMin) => {
                "The fewest pods the autoscaler keeps."
            }
            Field::Service(_, ServiceField::AutoscalingMax) => {
                "The most pods the autoscaler adds; the namespace quota must hold them."
            }
            Field::Service(_, ServiceField::AutoscalingCpu) => {
                "Average CPU, in percent of the request, the autoscaler aims for."
            }
            Field::Service(_, ServiceField::IngressHost) => {
                "The host part in front of the environment's domain, e.g. api."
            }
            Field::Service(_, ServiceField::IngressPath) => {
                "The path prefix routed to this service, e.g. /."
            }
            Field::Service(_, ServiceField::Strategy) => {
                "How a new version replaces the old: rolling, blue-green or canary."
            }
            Field::Service(_, ServiceField::MaxSurge) => {
                "Extra pods allowed during a rollout, as a count or a percentage."
            }
            Field::Service(_, ServiceField::MaxUnavailable) => {
                "Pods that may be down during a rollout; 0 means no capacity is lost."
            }
            Field::Service(_, ServiceField::CanarySteps) => {
                "Traffic percentages for each canary step, rising, ending at 100."
            }
            Field::Service(_, ServiceField::CanaryEngine) => {
                "What shifts the traffic: Istio routes or Argo Rollouts."
            }
            Field::Service(_, ServiceField::TerminationGrace) => {
                "Seconds a pod has to finish its requests after it is told to stop."
            }
        }
    }
}

impl ServiceField {
    fn path(self) -> String {
        match self {
            ServiceField::Name => "name".into(),
            ServiceField::Path => "path".into(),
            ServiceField::Runtime => "runtime".into(),
            ServiceField::Version => "version".into(),
            ServiceField::PackageManager => "package_manager".into(),
            ServiceField::TestVersions => "test_versions".into(),
            ServiceField::Port => "port".into(),
            ServiceField::StartupPath => "health.startup".into(),
            ServiceField::LivenessPath => "health.liveness".into(),
            ServiceField::ReadinessPath => "health.readiness".into(),
            ServiceField::EnvName(index) => format!("env[{index}].name"),
            ServiceField::EnvValue(index) => format!("env[{index}].value"),
            ServiceField::Command(kind) => format!("commands.{}", kind.key()),
            ServiceField::Image => "image".into(),
            ServiceField::Replicas => "replicas".into(),
            ServiceField::CpuRequest => "resources.cpu_request".into(),
            ServiceField::CpuLimit => "resources.cpu_limit".into(),
            ServiceField::MemoryRequest => "resources.memory_request".into(),
            ServiceField::MemoryLimit => "resources.memory_limit".into(),
            ServiceField::AutoscalingMin => "autoscaling.min_replicas".into(),
            ServiceField::AutoscalingMax => "autoscaling.max_replicas".into(),
            ServiceField::AutoscalingCpu => "autoscaling.cpu_percent".into(),
            ServiceField::IngressHost => "ingress.host".into(),
            ServiceField::IngressPath => "ingress.path".into(),
            ServiceField::Strategy => "rollout.strategy".into(),
            ServiceField::MaxSurge => "rollout.max_surge".into(),
            ServiceField::MaxUnavailable => "rollout.max_unavailable".into(),
            ServiceField::CanarySteps => "rollout.canary_steps".into(),
            ServiceField::CanaryEngine => "rollout.canary_engine".into(),
            ServiceField::TerminationGrace => "rollout.termination_grace_seconds".into(),
            ServiceField::AutoscalingMemory => "autoscaling.memory_percent".into(),
            ServiceField::Probe(kind, setting) => {
                format!("rollout.probes.{}.{}", kind.key(), setting.key())
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            ServiceField::Name => "Service name",
            ServiceField::Path => "Folder",
            ServiceField::Runtime => "Runtime",
            ServiceField::Version => "Runtime version",
            ServiceField::PackageManager => "Package manager",
            ServiceField::TestVersions => "Also test on",
            ServiceField::Port => "Container port",
            ServiceField::StartupPath => "Startup path",
            ServiceField::LivenessPath => "Liveness path",
            ServiceField::ReadinessPath => "Readiness path",
            ServiceField::EnvName(_) => "Variable name",
            ServiceField::EnvValue(_) => "Value",
            ServiceField::Command(CommandKind::Lint) => "Lint command",
            ServiceField::Command(CommandKind::Typecheck) => "Type-check command",
            ServiceField::Command(CommandKind::Test) => "Test command",
            ServiceField::Command(CommandKind::Build) => "Build command",
            ServiceField::Command(CommandKind::Audit) => "Dependency audit command",
            ServiceField::Command(CommandKind::Dev) => "Dev server command",
            ServiceField::Image => "Image name",
            ServiceField::Replicas => "Replicas",
            ServiceField::CpuRequest => "CPU request",
            ServiceField::CpuLimit => "CPU limit",
            ServiceField::MemoryRequest => "Memory request",
            ServiceField::MemoryLimit => "Memory limit",
            ServiceField::AutoscalingMin => "Minimum replicas",
            ServiceField::AutoscalingMax => "Maximum replicas",
            ServiceField::AutoscalingCpu => "Target CPU %",
            ServiceField::IngressHost => "Ingress host",
            ServiceField::IngressPath => "Ingress path",
            ServiceField::Strategy => "Deployment strategy",
            ServiceField::MaxSurge => "Max surge",
            ServiceField::MaxUnavailable => "Max unavailable",
            ServiceField::CanarySteps => "Canary steps (%)",
            ServiceField::CanaryEngine => "Canary traffic by",
            ServiceField::TerminationGrace => "Termination grace (s)",
            ServiceField::AutoscalingMemory => "Target memory %",
            ServiceField::Probe(kind, setting) => {
                use ProbeKind as K;
                use ProbeSetting as S;
                match (kind, setting) {
                    (K::Startup, S::InitialDelay) => "Startup: initial delay (s)",
                    (K::Startup, S::Period) => "Startup: period (s)",
                    (K::Startup, S::Timeout) => "Startup: timeout (s)",
                    (K::Startup, S::FailureThreshold) => "Startup: failures allowed",
                    (K::Liveness, S::InitialDelay) => "Liveness: initial delay (s)",
                    (K::Liveness, S::Period) => "Liveness: period (s)",
                    (K::Liveness, S::Timeout) => "Liveness: timeout (s)",
                    (K::Liveness, S::FailureThreshold) => "Liveness: failures allowed",
                    (K::Readiness, S::InitialDelay) => "Readiness: initial delay (s)",
                    (K::Readiness, S::Period) => "Readiness: period (s)",
                    (K::Readiness, S::Timeout) => "Readiness: timeout (s)",
                    (K::Readiness, S::FailureThreshold) => "Readiness: failures allowed",
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_ids_read_like_the_settings_file() {
        let field = Field::Service(1, ServiceField::LivenessPath);
        assert_eq!(field.path(), "services[1].health.liveness");
        assert_eq!(field.id(), "services-1-health-liveness");
        assert_eq!(
            Field::Service(0, ServiceField::Command(CommandKind::Lint)).id(),
            "services-0-commands-lint"
        );
        assert_eq!(
            Field::Environment(Stage::Production, EnvironmentField::Namespace).path(),
            "environments.production.namespace"
        );
        assert_eq!(
            Field::Service(2, ServiceField::PackageManager).id(),
            "services-2-package-manager"
        );
    }
}
