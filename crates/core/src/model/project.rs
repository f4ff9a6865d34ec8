//! The project: one repository with its app services, backing services and environments.
//!
//! Everything Shipshape generates reads this one value, so the files agree with each other.

use serde::Serialize;

use super::runtime::Runtime;
use super::service::AppService;

/// The schema version written into saved settings. Bump it when a change needs a migration,
/// and teach [`crate::model::load`] to migrate the old shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Project {
    pub schema_version: u32,
    /// DNS-1123 label; prefixes namespaces, image names and cloud resources.
    pub name: String,
    pub repository: Repository,
    pub branches: Branches,
    pub registry: Registry,
    /// The app services: at least one.
    pub services: Vec<AppService>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postgres: Option<Postgres>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<Redis>,
    pub environments: Environments,
    pub kubernetes: Kubernetes,
    /// Where secret values live; External Secrets copies them into the cluster.
    pub secrets_provider: SecretsProvider,
    /// How to reach the chosen secrets store.
    pub secrets_store: SecretsStore,
    /// How the deploy jobs release: a GitOps commit Argo CD syncs, or `helm upgrade` from CI.
    pub deploy_tool: DeployTool,
    /// Metrics, alerts and dashboards.
    pub observability: Observability,
    /// The cloud the cluster and managed services run in; none for an existing cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<Aws>,
    /// The ids of the deployment checklist's items ticked, in [`CHECKLIST`] order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<String>,
}

/// One item of the deployment checklist: its id in the settings, its phase, what to do.
pub struct CheckItem {
    pub id: &'static str,
    pub phase: &'static str,
    pub text: &'static str,
}

/// The deployment checklist, before, during and after a release, in order: the runbook's
/// checklist, and the one the app ticks.
pub const CHECKLIST: &[CheckItem] = &[
    CheckItem {
        id: "ci-green",
        phase: "Before deploying",
        text: "CI is green on the commit: lint, tests, security scan, image scan.",
    },
    CheckItem {
        id: "digest",
        phase: "Before deploying",
        text: "The image to deploy is the one CI built: note its digest from the build job.",
    },
    CheckItem {
        id: "migrations",
        phase: "Before deploying",
        text: "Database migrations are backward compatible: the running version works with the new schema.",
    },
    CheckItem {
        id: "secrets",
        phase: "Before deploying",
        text: "Secrets the new version reads exist in the secrets store for this environment.",
    },
    CheckItem {
        id: "watching",
        phase: "Before deploying",
        text: "Someone watches the dashboard and the alerts during the rollout; a rollback is agreed.",
    },
    CheckItem {
        id: "ready",
        phase: "During the rollout",
        text: "New pods become ready (readiness probe) and old ones leave only then.",
    },
    CheckItem {
        id: "signals",
        phase: "During the rollout",
        text: "Error rate stays under 5% and p95 latency under 2 s (Grafana, the service's row).",
    },
    CheckItem {
        id: "restarts",
        phase: "During the rollout",
        text: "No pod restarts or CrashLoopBackOff: `kubectl get pods -n <namespace> --watch`.",
    },
    CheckItem {
        id: "health",
        phase: "After deploying",
        text: "The health endpoints answer 200 through the ingress.",
    },
    CheckItem {
        id: "quiet",
        phase: "After deploying",
        text: "No new alerts for 15 minutes; logs show no new errors.",
    },
    CheckItem {
        id: "record",
        phase: "After deploying",
        text: "Record the release (digest, time, who) in the team's log.",
    },
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretsProvider {
    /// Secrets are created by hand in the cluster.
    #[default]
    None,
    AwsSecretsManager,
    Vault,
    AzureKeyVault,
    GcpSecretManager,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeployTool {
    /// CI commits the new image digest to the environment's values file; Argo CD syncs it.
    #[default]
    ArgoCd,
    /// CI runs `helm upgrade --install --atomic` against the cluster.
    Helm,
}

impl DeployTool {
    pub const ALL: [DeployTool; 2] = [DeployTool::ArgoCd, DeployTool::Helm];

    pub fn id(self) -> &'static str {
        match self {
            DeployTool::ArgoCd => "argo-cd",
            DeployTool::Helm => "helm",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeployTool::ArgoCd => "Argo CD (GitOps)",
            DeployTool::Helm => "Helm from CI",
        }
    }

    pub fn from_id(id: &str) -> Option<DeployTool> {
        DeployTool::ALL.into_iter().find(|t| t.id() == id)
    }
}

/// Prometheus Operator and Grafana: scrape each service's /metrics, alert on its error rate,
/// latency and restarts, and chart them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Observability {
    pub enabled: bool,
    /// Where Prometheus runs; its scrapes are let through the NetworkPolicies.
    pub namespace: String,
    /// The `release` label the Prometheus Operator selects ServiceMonitors and rules by.
    pub prometheus_release: String,
}

impl Default for Observability {
    fn default() -> Self {
        Observability {
            enabled: true,
            namespace: "monitoring".into(),
            prometheus_release: "kube-prometheus-stack".into(),
        }
    }
}

/// Where each provider's store is and which identity reads it. Only the chosen provider's
/// fields are used (and checked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretsStore {
    /// AWS: the region of Secrets Manager; the cluster's region when AWS is on.
    pub aws_region: String,
    /// Vault: the server address, and the KV v2 mount holding the secrets.
    pub vault_address: String,
    pub vault_kv_mount: String,
    /// Azure Key Vault: the vault name, and the client id of the managed identity that reads it.
    pub azure_vault_name: String,
    pub azure_client_id: String,
    /// GCP Secret Manager: the project, and the Google service account that reads it.
    pub gcp_project: String,
    pub gcp_service_account: String,
}

impl Default for SecretsStore {
    fn default() -> Self {
        SecretsStore {
            aws_region: "eu-west-1".into(),
            vault_address: "https://vault.example.com:8200".into(),
            vault_kv_mount: "secret".into(),
            azure_vault_name: "acme-secrets".into(),
            azure_client_id: "00000000-0000-0000-0000-000000000000".into(),
            gcp_project: "acme-production".into(),
            gcp_service_account: "external-secrets@acme-production.iam.gserviceaccount.com".into(),
        }
    }
}

impl SecretsProvider {
    pub const ALL: [SecretsProvider; 5] = [
        SecretsProvider::None,
        SecretsProvider::AwsSecretsManager,
        SecretsProvider::Vault,
        SecretsProvider::AzureKeyVault,
        SecretsProvider::GcpSecretManager,
    ];

    pub fn id(self) -> &'static str {
        match self {
            SecretsProvider::None => "none",
            SecretsProvider::AwsSecretsManager => "aws-secrets-manager",
            SecretsProvider::Vault => "vault",
            SecretsProvider::AzureKeyVault => "azure-key-vault",
            SecretsProvider::GcpSecretManager => "gcp-secret-manager",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SecretsProvider::None => "None (create Secrets by hand)",
            SecretsProvider::AwsSecretsManager => "AWS Secrets Manager",
            SecretsProvider::Vault => "HashiCorp Vault",
            SecretsProvider::AzureKeyVault => "Azure Key Vault",
            SecretsProvider::GcpSecretManager => "GCP Secret Manager",
        }
    }

    pub fn from_id(id: &str) -> Option<SecretsProvider> {
        SecretsProvider::ALL.into_iter().find(|p| p.id() == id)
    }
}

/// AWS infrastructure: network, cluster, managed database and cache, remote state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Aws {
    pub region: String,
    /// Availability zones the network and the nodes spread over (2 or 3).
    pub availability_zones: u32,
    pub vpc_cidr: String,
    /// EKS Kubernetes version.
    pub cluster_version: String,
    /// Expose the Kubernetes API on the internet (private only by default).
    pub public_endpoint: bool,
    /// Addresses allowed to reach a public API endpoint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub public_endpoint_cidrs: Vec<String>,
    /// Instance type of the managed node group.
    pub node_instance_type: String,
    pub state_locking: StateLocking,
    pub db_instance_class: String,
    pub cache_node_type: String,
}

/// How Terraform's remote state is locked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateLocking {
    /// A DynamoDB table, as most teams run it today.
    #[default]
    Dynamodb,
    /// S3's own lock file (`use_lockfile`, Terraform 1.10 and later): no table to run.
    S3Native,
}

impl StateLocking {
    pub const ALL: [StateLocking; 2] = [StateLocking::Dynamodb, StateLocking::S3Native];

    pub fn id(self) -> &'static str {
        match self {
            StateLocking::Dynamodb => "dynamodb",
            StateLocking::S3Native => "s3-native",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StateLocking::Dynamodb => "DynamoDB lock table",
            StateLocking::S3Native => "S3 lock file (no table)",
        }
    }

    pub fn from_id(id: &str) -> Option<StateLocking> {
        StateLocking::ALL.into_iter().find(|l| l.id() == id)
    }
}

impl Aws {
    pub const CLUSTER_VERSIONS: [&'static str; 3] = ["1.32", "1.33", "1.34"];
}

impl Default for Aws {
    fn default() -> Self {
        Aws {
            region: "eu-west-1".into(),
            availability_zones: 3,
            vpc_cidr: "10.0.0.0/16".into(),
            cluster_version: "1.33".into(),
            public_endpoint: false,
            public_endpoint_cidrs: Vec::new(),
            node_instance_type: "t3.large".into(),
            state_locking: StateLocking::Dynamodb,
            db_instance_class: "db.t4g.medium".into(),
            cache_node_type: "cache.t4g.small".into(),
        }
    }
}

/// Cluster-wide choices the manifests depend on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Kubernetes {
    /// `ingressClassName` of every Ingress.
    pub ingress_class: String,
    /// Namespace of the ingress controller, the only source of traffic into the apps.
    pub ingress_namespace: String,
    /// cert-manager ClusterIssuer that issues the TLS certificates; empty for none.
    pub cluster_issuer: String,
    /// Run PostgreSQL in the cluster as a StatefulSet, for teams without a managed database.
    pub in_cluster_postgres: bool,
}

impl Default for Kubernetes {
    fn default() -> Self {
        Kubernetes {
            ingress_class: "nginx".into(),
            ingress_namespace: "ingress-nginx".into(),
            cluster_issuer: "letsencrypt".into(),
            in_cluster_postgres: false,
        }
    }
}

/// Where the code lives on GitHub.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Repository {
    pub owner: String,
    pub name: String,
}

/// The branch model: production deploys from one branch, staging from another, and feature
/// branches merge into staging through pull requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Branches {
    pub production: String,
    pub staging: String,
    pub feature_prefix: String,
}

impl Default for Branches {
    fn default() -> Self {
        Branches {
            production: "main".into(),
            staging: "dev".into(),
            feature_prefix: "feature/".into(),
        }
    }
}

/// The container registry images are pushed to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Registry {
    pub kind: RegistryKind,
    /// The registry's own address where its kind needs one: the Docker Hub namespace, the ECR
    /// `<account>.dkr.ecr.<region>.amazonaws.com`, the Artifact Registry
    /// `<region>-docker.pkg.dev/<project>/<repository>`, or the ACR `<name>.azurecr.io`.
    /// Empty for GHCR, which uses the repository owner.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub address: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryKind {
    #[default]
    Ghcr,
    DockerHub,
    Ecr,
    ArtifactRegistry,
    Acr,
}

impl RegistryKind {
    pub const ALL: [RegistryKind; 5] = [
        RegistryKind::Ghcr,
        RegistryKind::DockerHub,
        RegistryKind::Ecr,
        RegistryKind::ArtifactRegistry,
        RegistryKind::Acr,
    ];

    pub fn id(self) -> &'static str {
        match self {
            RegistryKind::Ghcr => "ghcr",
            RegistryKind::DockerHub => "docker-hub",
            RegistryKind::Ecr => "ecr",
            RegistryKind::ArtifactRegistry => "artifact-registry",
            RegistryKind::Acr => "acr",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegistryKind::Ghcr => "GitHub Container Registry",
            RegistryKind::DockerHub => "Docker Hub",
            RegistryKind::Ecr => "Amazon ECR",
            RegistryKind::ArtifactRegistry => "Google Artifact Registry",
            RegistryKind::Acr => "Azure Container Registry",
        }
    }

    pub fn from_id(id: &str) -> Option<RegistryKind> {
        RegistryKind::ALL.into_iter().find(|kind| kind.id() == id)
    }
}

/// PostgreSQL, for the apps whose `uses_postgres` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Postgres {
    /// Major version, e.g. "17".
    pub version: String,
    /// Use the pgvector image, for embeddings and similarity search.
    pub pgvector: bool,
    /// Database and user name.
    pub database: String,
}

impl Postgres {
    pub const VERSIONS: [&'static str; 3] = ["16", "17", "18"];

    /// The container image: compose, CI's test service and the in-cluster database run it.
    pub fn image(&self) -> String {
        if self.pgvector {
            format!("pgvector/pgvector:pg{}", self.version)
        } else {
            format!("postgres:{}-alpine", self.version)
        }
    }
}

impl Default for Postgres {
    fn default() -> Self {
        Postgres {
            version: "17".into(),
            pgvector: false,
            database: "app".into(),
        }
    }
}

/// Redis, for the apps whose `uses_redis` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redis {
    /// Major version, e.g. "8".
    pub version: String,
    /// `maxmemory`, e.g. "256mb".
    pub max_memory: String,
    pub eviction_policy: EvictionPolicy,
    /// Append-only persistence, so a restart keeps the data.
    pub append_only: bool,
}

impl Redis {
    pub const VERSIONS: [&'static str; 2] = ["7.4", "8"];
}

impl Default for Redis {
    fn default() -> Self {
        Redis {
            version: "8".into(),
            max_memory: "256mb".into(),
            eviction_policy: EvictionPolicy::AllkeysLru,
            append_only: true,
        }
    }
}

/// What Redis drops when it reaches `maxmemory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvictionPolicy {
    Noeviction,
    AllkeysLru,
    AllkeysLfu,
    VolatileLru,
    VolatileLfu,
    VolatileTtl,
}

impl EvictionPolicy {
    pub fn from_id(id: &str) -> Option<EvictionPolicy> {
        EvictionPolicy::ALL.into_iter().find(|p| p.id() == id)
    }

    pub const ALL: [EvictionPolicy; 6] = [
        EvictionPolicy::Noeviction,
        EvictionPolicy::AllkeysLru,
        EvictionPolicy::AllkeysLfu,
        EvictionPolicy::VolatileLru,
        EvictionPolicy::VolatileLfu,
        EvictionPolicy::VolatileTtl,
    ];

    /// The name Redis uses in `--maxmemory-policy`.
    pub fn id(self) -> &'static str {
        match self {
            EvictionPolicy::Noeviction => "noeviction",
            EvictionPolicy::AllkeysLru => "allkeys-lru",
            EvictionPolicy::AllkeysLfu => "allkeys-lfu",
            EvictionPolicy::VolatileLru => "volatile-lru",
            EvictionPolicy::VolatileLfu => "volatile-lfu",
            EvictionPolicy::VolatileTtl => "volatile-ttl",
        }
    }
}

/// Staging and production.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Environments {
    pub staging: Environment,
    pub production: Environment,
}

impl Default for Environments {
    fn default() -> Self {
        Environments {
            staging: Environment {
                name: "staging".into(),
                namespace: "app-staging".into(),
                hostname: "staging.example.com".into(),
                replicas: None,
                approval_required: false,
            },
            production: Environment {
                name: "production".into(),
                namespace: "app-production".into(),
                hostname: "example.com".into(),
                replicas: None,
                approval_required: true,
            },
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// The GitHub environment name; protection rules (approvals) are set on it.
    pub name: String,
    /// Kubernetes namespace.
    pub namespace: String,
    /// Base hostname; a service's ingress host is prefixed to it when it is not absolute.
    pub hostname: String,
    /// Replicas for every service here, overriding each service's own count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// A reviewer must approve each deployment (set up as a GitHub environment protection rule).
    pub approval_required: bool,
}

impl Project {
    /// A project with one service of `runtime`, named after the project.
    pub fn single(name: &str, runtime: Runtime) -> Project {
        let mut environments = Environments::default();
        environments.staging.namespace = format!("{name}-staging");
        environments.production.namespace = format!("{name}-production");
        Project {
            schema_version: SCHEMA_VERSION,
            name: name.into(),
            repository: Repository {
                owner: "acme".into(),
                name: name.into(),
            },
            branches: Branches::default(),
            registry: Registry::default(),
            services: vec![AppService::new("api", ".", runtime)],
            postgres: None,
            redis: None,
            environments,
            kubernetes: Kubernetes::default(),
            secrets_provider: SecretsProvider::None,
            secrets_store: SecretsStore::default(),
            deploy_tool: DeployTool::ArgoCd,
            observability: Observability::default(),
            aws: None,
            checklist: Vec::new(),
        }
    }

    /// Ticks or unticks a checklist item, keeping the list in checklist order.
    pub fn toggle_check(&mut self, id: &str) {
        let ticked = |item: &CheckItem, list: &[String]| list.iter().any(|done| done == item.id);
        let flipped: Vec<String> = CHECKLIST
            .iter()
            .filter(|item| ticked(item, &self.checklist) != (item.id == id))
            .map(|item| item.id.to_owned())
            .collect();
        self.checklist = flipped;
    }

    /// The image reference pushed by CI and deployed everywhere, without a tag.
    pub fn image(&self, service: &AppService) -> String {
        let name = service.image_name(&self.name);
        match self.registry.kind {
            RegistryKind::Ghcr => format!(
                "ghcr.io/{}/{name}",
                self.repository.owner.to_ascii_lowercase()
            ),
            RegistryKind::DockerHub => format!("docker.io/{}/{name}", self.registry.address),
            _ => format!("{}/{name}", self.registry.address),
        }
    }

    /// The settings of one environment.
    pub fn environment(&self, stage: super::field::Stage) -> &Environment {
        match stage {
            super::field::Stage::Staging => &self.environments.staging,
            super::field::Stage::Production => &self.environments.production,
        }
    }

    /// The branch whose merges deploy to `stage`.
    pub fn branch(&self, stage: super::field::Stage) -> &str {
        match stage {
            super::field::Stage::Staging => &self.branches.staging,
            super::field::Stage::Production => &self.branches.production,
        }
    }

    pub fn environment_mut(&mut self, stage: super::field::Stage) -> &mut Environment {
        match stage {
            super::field::Stage::Staging => &mut self.environments.staging,
            super::field::Stage::Production => &mut self.environments.production,
        }
    }

    /// The registry host, for `docker login`.
    pub fn registry_host(&self) -> String {
        match self.registry.kind {
            RegistryKind::Ghcr => "ghcr.io".into(),
            RegistryKind::DockerHub => "docker.io".into(),
            _ => self
                .registry
                .address
                .split('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

impl Default for Project {
    fn default() -> Self {
        Project::single("shop", Runtime::Node)
    }
}
