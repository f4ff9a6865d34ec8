//! Field validation: every value of a project is checked here, with a message written to be
//! shown next to its field, naming the problem and the fix.

use std::fmt;

use super::field::{
    CommandKind, EnvironmentField, Field, ProbeKind, ProbeSetting, ServiceField, Stage,
};
use super::project::{Postgres, Project, Redis, RegistryKind, SCHEMA_VERSION, SecretsProvider};
use super::service::AppService;

/// Why a value was refused, addressed to the field it was typed into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl FieldError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.path(), self.message)
    }
}

impl std::error::Error for FieldError {}

/// Longest DNS-1123 label; Kubernetes object names built from names must fit.
pub const MAX_NAME_LEN: usize = 63;
/// Longest URL path we accept; far beyond any real one.
pub const MAX_PATH_LEN: usize = 256;
/// Longest shell command we accept in one field.
pub const MAX_COMMAND_LEN: usize = 1000;
/// Most app services in one project.
pub const MAX_SERVICES: usize = 20;
/// Most replicas of one service.
pub const MAX_REPLICAS: u32 = 100;

impl Project {
    /// Every problem with this project, in form order. Empty means every generator may run.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: Field, result: Result<(), String>| {
            if let Err(message) = result {
                errors.push(FieldError::new(field, message));
            }
        };
        if self.schema_version != SCHEMA_VERSION {
            check(
                Field::ProjectName,
                Err(format!(
                    "Settings schema version {} is not {SCHEMA_VERSION}; load them through the migration.",
                    self.schema_version
                )),
            );
        }
        check(
            Field::ProjectName,
            dns_label(&self.name, "a project name", "shop"),
        );
        check(Field::RepositoryOwner, github_owner(&self.repository.owner));
        check(
            Field::RepositoryName,
            repository_name(&self.repository.name),
        );
        check(Field::ProductionBranch, branch(&self.branches.production));
        check(Field::StagingBranch, branch(&self.branches.staging));
        if self.branches.staging == self.branches.production {
            check(
                Field::StagingBranch,
                Err("Staging and production need different branches.".into()),
            );
        }
        check(
            Field::FeaturePrefix,
            feature_prefix(&self.branches.feature_prefix),
        );
        check(
            Field::RegistryAddress,
            registry_address(self.registry.kind, &self.registry.address),
        );

        if self.services.is_empty() {
            check(Field::Services, Err("Add at least one app service.".into()));
        }
        if self.services.len() > MAX_SERVICES {
            check(
                Field::Services,
                Err(format!("At most {MAX_SERVICES} app services.")),
            );
        }
        // A name or port an earlier service already has. The lists are short (at most
        // MAX_SERVICES), so a scan costs nothing and needs no map.
        for (index, service) in self.services.iter().enumerate() {
            let earlier = &self.services[..index];
            for (field, result) in validate_service(service) {
                check(Field::Service(index, field), result);
            }
            let field = |f| Field::Service(index, f);
            for (var, env) in service.env.iter().enumerate() {
                for (_, _, name) in super::service::url_references(&env.value) {
                    if !self.services.iter().any(|s| s.name == name) {
                        let mut names = Vec::new();
                        for s in &self.services {
                            names.push(s.name.as_str());
                        }
                        check(
                            field(ServiceField::EnvValue(var)),
                            Err(format!(
                                "No service is named {name}: {{{{SERVICE.url}}}} takes one of {}.",
                                names.join(", ")
                            )),
                        );
                    }
                }
            }
            if let Some(first) = earlier.iter().position(|s| s.name == service.name) {
                check(
                    field(ServiceField::Name),
                    Err(format!(
                        "Service {} is already called \"{}\"; names must differ.",
                        first + 1,
                        service.name
                    )),
                );
            }
            if let Some(first) = earlier.iter().position(|s| s.port == service.port) {
                check(
                    field(ServiceField::Port),
                    Err(format!(
                        "Service {} already uses port {}; ports must differ so both run side by side locally.",
                        first + 1,
                        service.port
                    )),
                );
            }
            let image = service.image_name(&self.name);
            if service.image.is_some() {
                check(field(ServiceField::Image), image_name(&image));
            } else if image.len() > 128 {
                check(field(ServiceField::Name), Err("Project and service names together make an image name over 128 characters; shorten one.".into()));
            }
            if service.uses_postgres && self.postgres.is_none() {
                check(field(ServiceField::Name), Err("This service uses PostgreSQL, but the project has none: turn PostgreSQL on.".into()));
            }
            if service.uses_redis && self.redis.is_none() {
                check(
                    field(ServiceField::Name),
                    Err("This service uses Redis, but the project has none: turn Redis on.".into()),
                );
            }
        }
        if let Some(postgres) = &self.postgres {
            check(
                Field::PostgresVersion,
                one_of(&postgres.version, &Postgres::VERSIONS, "PostgreSQL"),
            );
            check(Field::PostgresDatabase, database_name(&postgres.database));
        }
        if let Some(redis) = &self.redis {
            check(
                Field::RedisVersion,
                one_of(&redis.version, &Redis::VERSIONS, "Redis"),
            );
            check(Field::RedisMaxMemory, redis_memory(&redis.max_memory));
        }
        for stage in Stage::ALL {
            let environment = match stage {
                Stage::Staging => &self.environments.staging,
                Stage::Production => &self.environments.production,
            };
            let field = |f| Field::Environment(stage, f);
            check(
                field(EnvironmentField::Name),
                environment_name(&environment.name),
            );
            check(
                field(EnvironmentField::Namespace),
                dns_label(&environment.namespace, "a namespace", "shop-staging"),
            );
            check(
                field(EnvironmentField::Hostname),
                hostname(&environment.hostname),
            );
            if let Some(replicas) = environment.replicas {
                check(
                    field(EnvironmentField::Replicas),
                    in_range(replicas, 1, MAX_REPLICAS, "Replicas"),
                );
            }
        }
        if self.observability.enabled {
            let observability = &self.observability;
            check(
                Field::ObservabilityNamespace,
                dns_label(
                    &observability.namespace,
                    "the monitoring namespace",
                    "monitoring",
                ),
            );
            check(
                Field::PrometheusRelease,
                dns_label(
                    &observability.prometheus_release,
                    "the Prometheus release",
                    "kube-prometheus-stack",
                ),
            );
        }
        check(
            Field::IngressClass,
            dns_label(&self.kubernetes.ingress_class, "an ingress class", "nginx"),
        );
        check(
            Field::IngressNamespace,
            dns_label(
                &self.kubernetes.ingress_namespace,
                "a namespace",
                "ingress-nginx",
            ),
        );
        if !self.kubernetes.cluster_issuer.is_empty() {
            check(
                Field::ClusterIssuer,
                dns_label(
                    &self.kubernetes.cluster_issuer,
                    "an issuer name",
                    "letsencrypt",
                ),
            );
        }
        if self.kubernetes.in_cluster_postgres && self.postgres.is_none() {
            check(
                Field::PostgresInCluster,
                Err("PostgreSQL in the cluster needs PostgreSQL turned on.".into()),
            );
        }
        let store = &self.secrets_store;
        match self.secrets_provider {
            SecretsProvider::None => {}
            SecretsProvider::AwsSecretsManager => {
                check(Field::SecretsStoreAddress, aws_region(&store.aws_region))
            }
            SecretsProvider::Vault => {
                let address_ok = store
                    .vault_address
                    .strip_prefix("https://")
                    .is_some_and(|rest| {
                        let host = rest.split([':', '/']).next().unwrap_or("");
                        hostname(host).is_ok()
                            && rest
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || ".-:/".contains(c))
                    });
                check(
                    Field::SecretsStoreAddress,
                    if address_ok {
                        Ok(())
                    } else {
                        Err("Enter the Vault address over TLS, e.g. \"https://vault.example.com:8200\".".into())
                    },
                );
                check(
                    Field::SecretsStoreIdentity,
                    dns_label(&store.vault_kv_mount, "the KV v2 mount", "secret"),
                );
            }
            SecretsProvider::AzureKeyVault => {
                let name = &store.azure_vault_name;
                let name_ok = (3..=24).contains(&name.len())
                    && name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !name.ends_with('-')
                    && !name.contains("--");
                check(
                    Field::SecretsStoreAddress,
                    if name_ok {
                        Ok(())
                    } else {
                        Err("Key Vault names have 3 to 24 letters, digits and single hyphens, starting with a letter.".into())
                    },
                );
                check(Field::SecretsStoreIdentity, guid(&store.azure_client_id));
            }
            SecretsProvider::GcpSecretManager => {
                let project = &store.gcp_project;
                let project_ok = (6..=30).contains(&project.len())
                    && project.starts_with(|c: char| c.is_ascii_lowercase())
                    && project
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !project.ends_with('-');
                check(
                    Field::SecretsStoreAddress,
                    if project_ok {
                        Ok(())
                    } else {
                        Err(
                            "GCP project ids have 6 to 30 lowercase letters, digits and hyphens."
                                .into(),
                        )
                    },
                );
                let account_ok = store
                    .gcp_service_account
                    .strip_suffix(".iam.gserviceaccount.com")
                    .and_then(|rest| rest.split_once('@'))
                    .is_some_and(|(name, project)| {
                        dns_label(name, "", "").is_ok() && dns_label(project, "", "").is_ok()
                    });
                check(
                    Field::SecretsStoreIdentity,
                    if account_ok {
                        Ok(())
                    } else {
                        Err("Enter the Google service account email, e.g. \"external-secrets@acme.iam.gserviceaccount.com\".".into())
                    },
                );
            }
        }
        if let Some(aws) = &self.aws {
            check(Field::AwsRegion, aws_region(&aws.region));
            check(
                Field::AwsZones,
                in_range(aws.availability_zones, 2, 3, "Availability zones"),
            );
            check(Field::AwsVpcCidr, vpc_cidr(&aws.vpc_cidr));
            check(
                Field::AwsClusterVersion,
                one_of(
                    &aws.cluster_version,
                    &super::project::Aws::CLUSTER_VERSIONS,
                    "EKS",
                ),
            );
            for cidr in &aws.public_endpoint_cidrs {
                check(
                    Field::AwsPublicEndpointCidrs,
                    ipv4_cidr(cidr).map_err(|m| format!("{cidr}: {m}")),
                );
            }
            if aws.public_endpoint && aws.public_endpoint_cidrs.is_empty() {
                check(Field::AwsPublicEndpointCidrs, Err("A public API endpoint needs the addresses allowed to reach it, e.g. your office's 203.0.113.0/24.".into()));
            }
            for (field, value, prefix) in [
                (Field::AwsNodeType, &aws.node_instance_type, ""),
                (Field::AwsDbClass, &aws.db_instance_class, "db."),
                (Field::AwsCacheType, &aws.cache_node_type, "cache."),
            ] {
                check(field, instance_type(value, prefix));
            }
        }
        if self.environments.staging.namespace == self.environments.production.namespace {
            check(
                Field::Environment(Stage::Production, EnvironmentField::Namespace),
                Err("Staging and production need different namespaces.".into()),
            );
        }
        if self.environments.staging.name == self.environments.production.name {
            check(
                Field::Environment(Stage::Production, EnvironmentField::Name),
                Err("Staging and production need different names.".into()),
            );
        }
        errors
    }
}

fn validate_service(service: &AppService) -> Vec<(ServiceField, Result<(), String>)> {
    let runtime = service.runtime;
    let mut results = vec![
        (
            ServiceField::Name,
            dns_label(&service.name, "a service name", "api"),
        ),
        (ServiceField::Path, folder(&service.path)),
        (
            ServiceField::Version,
            one_of(&service.version, runtime.versions(), runtime.label()),
        ),
        (
            ServiceField::PackageManager,
            if runtime
                .package_managers()
                .contains(&service.package_manager)
            {
                Ok(())
            } else {
                Err(format!(
                    "{} does not work with {}; choose {}.",
                    service.package_manager.label(),
                    runtime.label(),
                    runtime
                        .package_managers()
                        .iter()
                        .map(|pm| pm.label())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ))
            },
        ),
        (
            ServiceField::TestVersions,
            service
                .test_versions
                .iter()
                .try_for_each(|version| one_of(version, runtime.versions(), runtime.label())),
        ),
        (
            ServiceField::Port,
            if service.port == 0 {
                Err("Port 0 cannot be listened on; use 1 to 65535.".into())
            } else {
                Ok(())
            },
        ),
        (
            ServiceField::StartupPath,
            http_path(&service.health.startup),
        ),
        (
            ServiceField::LivenessPath,
            http_path(&service.health.liveness),
        ),
        (
            ServiceField::ReadinessPath,
            http_path(&service.health.readiness),
        ),
        (
            ServiceField::Replicas,
            in_range(service.replicas, 1, MAX_REPLICAS, "Replicas"),
        ),
        (
            ServiceField::CpuRequest,
            cpu(&service.resources.cpu_request),
        ),
        (ServiceField::CpuLimit, cpu(&service.resources.cpu_limit)),
        (
            ServiceField::MemoryRequest,
            memory(&service.resources.memory_request),
        ),
        (
            ServiceField::MemoryLimit,
            memory(&service.resources.memory_limit),
        ),
    ];
    if let (Ok(request), Ok(limit)) = (
        millicores(&service.resources.cpu_request),
        millicores(&service.resources.cpu_limit),
    ) && request > limit
    {
        results.push((
            ServiceField::CpuLimit,
            Err("The limit must be at least the request.".into()),
        ));
    }
    if let (Ok(request), Ok(limit)) = (
        bytes(&service.resources.memory_request),
        bytes(&service.resources.memory_limit),
    ) && request > limit
    {
        results.push((
            ServiceField::MemoryLimit,
            Err("The limit must be at least the request.".into()),
        ));
    }
    for kind in CommandKind::ALL {
        let text = service.command(kind);
        let required = matches!(kind, CommandKind::Test | CommandKind::Dev);
        results.push((ServiceField::Command(kind), command(text, required)));
    }
    for (index, var) in service.env.iter().enumerate() {
        results.push((ServiceField::EnvName(index), env_name(&var.name)));
        if service.env[..index].iter().any(|v| v.name == var.name) {
            results.push((
                ServiceField::EnvName(index),
                Err(format!("{} is set twice.", var.name)),
            ));
        }
        if matches!(var.name.as_str(), "PORT" | "DATABASE_URL" | "REDIS_URL") {
            results.push((
                ServiceField::EnvName(index),
                Err(format!(
                    "{} is set by Shipshape from the port and backing services.",
                    var.name
                )),
            ));
        }
        let value = if var.secret && !var.value.is_empty() {
            Err("Secret values are never stored here: leave it empty and set it in your secrets store.".into())
        } else {
            env_value(&var.value)
        };
        results.push((ServiceField::EnvValue(index), value));
    }
    if let Some(autoscaling) = &service.autoscaling {
        results.push((
            ServiceField::AutoscalingMin,
            in_range(
                autoscaling.min_replicas,
                1,
                MAX_REPLICAS,
                "Minimum replicas",
            ),
        ));
        results.push((
            ServiceField::AutoscalingMax,
            in_range(
                autoscaling.max_replicas,
                1,
                MAX_REPLICAS,
                "Maximum replicas",
            ),
        ));
        if autoscaling.min_replicas > autoscaling.max_replicas {
            results.push((
                ServiceField::AutoscalingMax,
                Err("The maximum must be at least the minimum.".into()),
            ));
        }
        results.push((
            ServiceField::AutoscalingCpu,
            in_range(autoscaling.cpu_percent, 10, 100, "Target CPU"),
        ));
    }
    if let Some(ingress) = &service.ingress {
        results.push((ServiceField::IngressHost, ingress_host(&ingress.host)));
        results.push((ServiceField::IngressPath, http_path(&ingress.path)));
    }
    if let Some(percent) = service.autoscaling.as_ref().and_then(|a| a.memory_percent) {
        results.push((
            ServiceField::AutoscalingMemory,
            in_range(percent, 10, 100, "Target memory"),
        ));
    }
    let rollout = &service.rollout;
    let surge = surge_or_unavailable(&rollout.max_surge);
    let unavailable = surge_or_unavailable(&rollout.max_unavailable);
    if let (Ok(0), Ok(0)) = (&surge, &unavailable) {
        results.push((
            ServiceField::MaxUnavailable,
            Err(
                "Max surge and max unavailable cannot both be 0: the update could never start."
                    .into(),
            ),
        ));
    }
    results.push((ServiceField::MaxSurge, surge.map(|_| ())));
    results.push((ServiceField::MaxUnavailable, unavailable.map(|_| ())));
    results.push((
        ServiceField::CanarySteps,
        canary_steps(&rollout.canary_steps),
    ));
    results.push((
        ServiceField::TerminationGrace,
        in_range(rollout.termination_grace_seconds, 1, 3600, "Grace period"),
    ));
    for (kind, timing) in [
        (ProbeKind::Startup, &rollout.probes.startup),
        (ProbeKind::Liveness, &rollout.probes.liveness),
        (ProbeKind::Readiness, &rollout.probes.readiness),
    ] {
        for setting in ProbeSetting::ALL {
            let (min, max, name) = setting.range();
            let value = super::edit::probe_value(timing, setting);
            results.push((
                ServiceField::Probe(kind, setting),
                in_range(value, min, max, name),
            ));
        }
    }
    results
}

impl AppService {
    pub fn command(&self, kind: CommandKind) -> &str {
        let commands = &self.commands;
        match kind {
            CommandKind::Lint => &commands.lint,
            CommandKind::Typecheck => &commands.typecheck,
            CommandKind::Test => &commands.test,
            CommandKind::Build => &commands.build,
            CommandKind::Audit => &commands.audit,
            CommandKind::Dev => &commands.dev,
        }
    }
}

/// A DNS-1123 label: it names images, containers and Kubernetes objects, and each of those
/// refuses anything else.
pub fn dns_label(text: &str, what: &str, example: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err(format!("Enter {what}, e.g. \"{example}\"."));
    }
    let length = text.chars().count();
    if length > MAX_NAME_LEN {
        return Err(format!(
            "At most {MAX_NAME_LEN} characters; this one has {length}."
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let hint = if bad.is_ascii_uppercase() {
            " Use lowercase letters."
        } else {
            ""
        };
        return Err(format!(
            "{} is not allowed: use lowercase letters, digits and hyphens.{hint}",
            describe(bad)
        ));
    }
    if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("Start with a letter or a digit, not a hyphen.".into());
    }
    if !text.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err("End with a letter or a digit, not a hyphen.".into());
    }
    Ok(())
}

/// A TCP port: a whole number from 1 to 65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    if text.is_empty() {
        return Err("Enter a port from 1 to 65535, e.g. 8080.".into());
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err("Use digits only: a whole number from 1 to 65535.".into());
    }
    match text.parse::<u32>() {
        Ok(0) => Err("Port 0 cannot be listened on; use 1 to 65535.".into()),
        Ok(port) if port <= u32::from(u16::MAX) => Ok(port as u16),
        _ => Err("Ports go up to 65535.".into()),
    }
}

/// A whole number typed into a field.
pub fn parse_count(text: &str, what: &str) -> Result<u32, String> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("{what}: enter a whole number, e.g. 2."));
    }
    text.parse::<u32>()
        .map_err(|_| format!("{what}: that number is too large."))
}

/// A GUID such as an Azure client id.
fn guid(text: &str) -> Result<(), String> {
    let groups: Vec<&str> = text.split('-').collect();
    let ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err("Enter the client id as a GUID, e.g. 1b4f0c2e-....".into())
    }
}

/// An AWS region code such as eu-west-1 or us-gov-west-1.
fn aws_region(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.split('-').collect();
    let shaped = (3..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if shaped {
        Ok(())
    } else {
        Err("Enter an AWS region code, e.g. \"eu-west-1\".".into())
    }
}

/// The VPC's range: an IPv4 CIDR block from /16 to /20, so the subnets carved from it fit.
fn vpc_cidr(text: &str) -> Result<(), String> {
    ipv4_cidr(text)?;
    match text
        .split_once('/')
        .and_then(|(_, p)| p.parse::<u32>().ok())
    {
        Some(prefix) if (16..=20).contains(&prefix) => Ok(()),
        _ => {
            Err("Use a /16 to /20 block, e.g. \"10.0.0.0/16\": subnets are carved from it.".into())
        }
    }
}

/// An IPv4 CIDR block.
fn ipv4_cidr(text: &str) -> Result<(), String> {
    let Some((address, prefix)) = text.split_once('/') else {
        return Err("Enter a CIDR block, e.g. \"10.0.0.0/16\".".into());
    };
    let octets: Vec<&str> = address.split('.').collect();
    let octets_ok = octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.chars().all(|c| c.is_ascii_digit())
                && o.parse::<u32>().is_ok_and(|n| n <= 255)
        });
    if !octets_ok {
        return Err("Enter an IPv4 address before the \"/\", e.g. \"10.0.0.0/16\".".into());
    }
    match prefix.parse::<u32>() {
        Ok(p) if (0..=32).contains(&p) => Ok(()),
        _ => Err("The prefix after \"/\" is a number from 0 to 32.".into()),
    }
}

/// An EC2, RDS or ElastiCache instance type such as t3.large, db.t4g.medium or cache.t4g.small.
fn instance_type(text: &str, prefix: &str) -> Result<(), String> {
    let rest = text.strip_prefix(prefix).unwrap_or("");
    let parts: Vec<&str> = rest.split('.').collect();
    let shaped = text.starts_with(prefix)
        && parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if shaped {
        Ok(())
    } else {
        Err(format!(
            "Enter an instance type such as \"{prefix}t4g.medium\"."
        ))
    }
}

/// A rolling-update bound: a whole number, or a percentage from 0% to 100%. Returns the number
/// (or percentage) so the caller can tell whether it is zero.
fn surge_or_unavailable(text: &str) -> Result<u32, String> {
    let (digits, percent) = match text.strip_suffix('%') {
        Some(digits) => (digits, true),
        None => (text, false),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("Enter a number of pods (\"1\") or a percentage (\"25%\").".into());
    }
    let value: u32 = digits
        .parse()
        .map_err(|_| "That number is too large.".to_owned())?;
    if percent && value > 100 {
        return Err("A percentage goes up to 100%.".into());
    }
    Ok(value)
}

fn canary_steps(steps: &[u32]) -> Result<(), String> {
    if steps.is_empty() {
        return Err("Enter the traffic percentages, e.g. 10, 50, 100.".into());
    }
    if steps.len() > 10 {
        return Err("At most 10 steps.".into());
    }
    if steps.iter().any(|step| *step == 0 || *step > 100) {
        return Err("Each step is a percentage from 1 to 100.".into());
    }
    if steps.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err("Each step must send more traffic than the one before.".into());
    }
    if steps.last() != Some(&100) {
        return Err("End at 100, so the new version takes all traffic.".into());
    }
    Ok(())
}

fn in_range(value: u32, min: u32, max: u32, what: &str) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{what} must be from {min} to {max}; this is {value}."
        ))
    }
}

/// An absolute URL path. It is written into HEALTHCHECKs, probes and ingress rules, so only
/// characters that need no quoting in any of those files are accepted.
pub fn http_path(text: &str) -> Result<(), String> {
    if !text.starts_with('/') {
        return Err("Start with \"/\", e.g. \"/healthz\".".into());
    }
    let length = text.chars().count();
    if length > MAX_PATH_LEN {
        return Err(format!(
            "At most {MAX_PATH_LEN} characters; this one has {length}."
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~/:@+,=%".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed in a path: use letters, digits and - . _ ~ / : @ + , = %.",
            describe(bad)
        ));
    }
    let bytes = text.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !escapes_ok {
        return Err("\"%\" must start an escape such as %20.".into());
    }
    Ok(())
}

/// A folder inside the repository: relative, no `..`, characters that need no quoting.
pub fn folder(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter the service's folder, or \".\" for the repository root.".into());
    }
    if text.starts_with('/') {
        return Err("Use a path relative to the repository root, e.g. \"backend\".".into());
    }
    if text.len() > 200 {
        return Err("At most 200 characters.".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._/".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed in a folder: use letters, digits and - . _ /.",
            describe(bad)
        ));
    }
    let trimmed = text.trim_end_matches('/');
    if trimmed != "."
        && trimmed
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(
            "Use plain folder names separated by single \"/\", without \".\" or \"..\" parts."
                .into(),
        );
    }
    Ok(())
}

/// A shell command CI runs. Expressions (`${{ }}`) would be expanded by GitHub before the
/// shell sees them, which is how script injection happens, so they are refused.
pub fn command(text: &str, required: bool) -> Result<(), String> {
    if text.trim().is_empty() {
        return if required && text.is_empty() {
            Err("Enter a command; CI and the dev environment run it.".into())
        } else if text.is_empty() {
            Ok(())
        } else {
            Err("Only spaces: enter a command or leave the field empty.".into())
        };
    }
    if text.chars().count() > MAX_COMMAND_LEN {
        return Err(format!("At most {MAX_COMMAND_LEN} characters."));
    }
    if text.contains("${{") {
        return Err("GitHub expressions (${{ }}) are expanded before the shell runs, which allows script injection: use an environment variable instead.".into());
    }
    if text.contains(['\n', '\r']) {
        return Err("Use one line; chain steps with &&.".into());
    }
    if let Some(bad) = text.chars().find(|c| c.is_control() || is_format_char(*c)) {
        return Err(format!("{} is not allowed in a command.", describe(bad)));
    }
    Ok(())
}

fn env_name(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter a variable name, e.g. LOG_LEVEL.".into());
    }
    if text.len() > 128 {
        return Err("At most 128 characters.".into());
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("Start with a letter or \"_\", not a digit.".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(format!(
            "{} is not allowed: use letters, digits and \"_\".",
            describe(bad)
        ));
    }
    Ok(())
}

fn env_value(text: &str) -> Result<(), String> {
    if text.len() > 4096 {
        return Err("At most 4096 bytes.".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| (c.is_control() && *c != '\n' && *c != '\t') || is_format_char(*c))
    {
        return Err(format!("{} is not allowed in a value.", describe(bad)));
    }
    Ok(())
}

fn one_of(text: &str, allowed: &[&str], what: &str) -> Result<(), String> {
    if allowed.contains(&text) {
        Ok(())
    } else {
        Err(format!(
            "{what} {text:?} is not offered; choose {}.",
            allowed.join(", ")
        ))
    }
}

/// GitHub user or organisation: letters, digits and single hyphens, at most 39 characters.
fn github_owner(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter the GitHub user or organisation, e.g. \"acme\".".into());
    }
    if text.len() > 39 {
        return Err("GitHub names have at most 39 characters.".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "{} is not allowed: GitHub names use letters, digits and hyphens.",
            describe(bad)
        ));
    }
    if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
        return Err("Hyphens go between letters or digits, one at a time.".into());
    }
    Ok(())
}

fn repository_name(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter the repository name, e.g. \"shop\".".into());
    }
    if text.len() > 100 {
        return Err("GitHub repository names have at most 100 characters.".into());
    }
    if text == "." || text == ".." {
        return Err("Choose a real name.".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed: use letters, digits, \"-\", \".\" and \"_\".",
            describe(bad)
        ));
    }
    Ok(())
}

/// A branch name Git accepts and that needs no quoting in a shell or a path filter.
fn branch(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter a branch name, e.g. \"main\".".into());
    }
    branch_chars(text)?;
    if text.ends_with('/') || text.ends_with('.') || text.ends_with(".lock") {
        return Err("A branch cannot end with \"/\", \".\" or \".lock\".".into());
    }
    Ok(())
}

fn feature_prefix(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter a prefix for feature branches, e.g. \"feature/\".".into());
    }
    branch_chars(text)
}

fn branch_chars(text: &str) -> Result<(), String> {
    if text.len() > 100 {
        return Err("At most 100 characters.".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._/".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed: use letters, digits and - . _ /.",
            describe(bad)
        ));
    }
    if text.starts_with(['/', '.', '-']) || text.contains("..") || text.contains("//") {
        return Err("Start with a letter or digit, and do not use \"..\" or \"//\".".into());
    }
    Ok(())
}

fn registry_address(kind: RegistryKind, text: &str) -> Result<(), String> {
    let (example, shape_ok) = match kind {
        RegistryKind::Ghcr => {
            return if text.is_empty() {
                Ok(())
            } else {
                Err("GHCR uses the repository owner; leave the address empty.".into())
            };
        }
        RegistryKind::DockerHub => ("acme", text.split('/').count() == 1),
        RegistryKind::Ecr => ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", {
            let parts: Vec<&str> = text.split('.').collect();
            parts.len() == 6
                && parts[0].len() == 12
                && parts[0].chars().all(|c| c.is_ascii_digit())
                && parts[1..3] == ["dkr", "ecr"]
                && parts[4..] == ["amazonaws", "com"]
        }),
        RegistryKind::ArtifactRegistry => ("europe-west1-docker.pkg.dev/acme-prod/containers", {
            let parts: Vec<&str> = text.split('/').collect();
            parts.len() == 3 && parts[0].ends_with("-docker.pkg.dev")
        }),
        RegistryKind::Acr => (
            "acme.azurecr.io",
            text.ends_with(".azurecr.io") && text.split('.').count() == 3,
        ),
    };
    if text.is_empty() {
        return Err(format!("Enter the registry address, e.g. \"{example}\"."));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "-._/".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed: use lowercase letters, digits and - . _ /.",
            describe(bad)
        ));
    }
    if !shape_ok {
        return Err(format!(
            "This does not look like a {} address; expected e.g. \"{example}\".",
            kind.label()
        ));
    }
    Ok(())
}

fn image_name(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 128 {
        return Err("Enter an image name of at most 128 characters, e.g. \"shop-api\".".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "-._/".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed in an image name: use lowercase letters, digits and - . _ /.",
            describe(bad)
        ));
    }
    if text.split('/').any(|part| {
        !part.starts_with(|c: char| c.is_ascii_alphanumeric())
            || !part.ends_with(|c: char| c.is_ascii_alphanumeric())
    }) {
        return Err("Each part must start and end with a letter or digit.".into());
    }
    Ok(())
}

fn database_name(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 63 {
        return Err("Enter a database name of at most 63 characters, e.g. \"app\".".into());
    }
    if !text.starts_with(|c: char| c.is_ascii_lowercase())
        || !text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err("Use lowercase letters, digits and \"_\", starting with a letter.".into());
    }
    Ok(())
}

fn environment_name(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 255 {
        return Err("Enter an environment name, e.g. \"staging\".".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_".contains(*c)))
    {
        return Err(format!(
            "{} is not allowed: use letters, digits, \"-\" and \"_\".",
            describe(bad)
        ));
    }
    Ok(())
}

/// A DNS name (RFC 1123 subdomain), lowercase.
fn hostname(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("Enter a hostname, e.g. \"example.com\".".into());
    }
    if text.len() > 253 {
        return Err("Hostnames have at most 253 characters.".into());
    }
    for label in text.split('.') {
        dns_label(label, "each part between dots", "example")
            .map_err(|message| format!("In \"{label}\": {message}"))?;
    }
    Ok(())
}

fn ingress_host(text: &str) -> Result<(), String> {
    hostname(text)
}

fn redis_memory(text: &str) -> Result<(), String> {
    let lower = text.to_ascii_lowercase();
    let digits = lower.trim_end_matches(['k', 'm', 'g', 'b']);
    let unit = &lower[digits.len()..];
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !["", "b", "kb", "mb", "gb"].contains(&unit)
        || digits.trim_start_matches('0').is_empty()
    {
        return Err("Enter a size such as 256mb or 1gb.".into());
    }
    Ok(())
}

fn cpu(text: &str) -> Result<(), String> {
    match millicores(text) {
        Ok(0) => Err("Must be more than zero.".into()),
        Ok(_) => Ok(()),
        Err(()) => Err("Enter CPU as millicores (\"250m\") or cores (\"0.5\", \"2\").".into()),
    }
}

fn memory(text: &str) -> Result<(), String> {
    match bytes(text) {
        Ok(0) => Err("Must be more than zero.".into()),
        Ok(_) => Ok(()),
        Err(()) => Err("Enter memory with a unit, e.g. \"256Mi\" or \"1Gi\".".into()),
    }
}

/// "250m" -> 250, "0.5" -> 500, "2" -> 2000.
pub(crate) fn millicores(text: &str) -> Result<u64, ()> {
    if let Some(milli) = text.strip_suffix('m') {
        return if !milli.is_empty() && milli.len() <= 9 && milli.chars().all(|c| c.is_ascii_digit())
        {
            milli.parse().map_err(|_| ())
        } else {
            Err(())
        };
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 6
        || fraction.len() > 3
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        || (text.contains('.') && fraction.is_empty())
    {
        return Err(());
    }
    let whole: u64 = whole.parse().map_err(|_| ())?;
    let fraction: u64 = format!("{fraction:0<3}").parse().map_err(|_| ())?;
    Ok(whole * 1000 + fraction)
}

/// "512Mi" -> bytes. Kubernetes also takes plain bytes and decimal units.
pub(crate) fn bytes(text: &str) -> Result<u64, ()> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    if digits.is_empty() || digits.len() > 15 {
        return Err(());
    }
    let multiplier: u64 = match unit {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        _ => return Err(()),
    };
    digits
        .parse::<u64>()
        .map_err(|_| ())?
        .checked_mul(multiplier)
        .ok_or(())
}

/// Names a character so the user can find it, even when it is invisible.
fn describe(c: char) -> String {
    match c {
        ' ' => "A space".to_owned(),
        '\t' => "A tab".to_owned(),
        '\n' | '\r' => "A line break".to_owned(),
        c if c.is_control() || c.is_whitespace() || is_format_char(c) => {
            format!("The invisible character U+{:04X}", c as u32)
        }
        c => format!("\"{c}\""),
    }
}

fn is_format_char(c: char) -> bool {
    crate::text::is_invisible_mark(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnvVar, Runtime};

    fn errors_for(project: &Project) -> Vec<String> {
        project.validate().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn names_must_be_dns_labels() {
        assert_eq!(dns_label("api", "", ""), Ok(()));
        assert_eq!(dns_label(&"a".repeat(63), "", ""), Ok(()));
        assert!(
            dns_label("", "a service name", "api")
                .unwrap_err()
                .contains("Enter a service name")
        );
        assert!(
            dns_label(&"a".repeat(64), "", "")
                .unwrap_err()
                .contains("this one has 64")
        );
        assert!(
            dns_label("Api", "", "")
                .unwrap_err()
                .contains("Use lowercase")
        );
        assert!(
            dns_label("my_api", "", "")
                .unwrap_err()
                .contains("\"_\" is not allowed")
        );
        assert!(dns_label("my api", "", "").unwrap_err().contains("A space"));
        assert!(
            dns_label("api\u{202E}", "", "")
                .unwrap_err()
                .contains("U+202E")
        );
        assert!(
            dns_label("-api", "", "")
                .unwrap_err()
                .contains("Start with")
        );
        assert!(dns_label("api-", "", "").unwrap_err().contains("End with"));
    }

    #[test]
    fn ports_are_1_to_65535() {
        assert_eq!(parse_port("1"), Ok(1));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert!(parse_port("").unwrap_err().contains("Enter a port"));
        assert!(parse_port("0").unwrap_err().contains("Port 0"));
        assert!(parse_port("65536").unwrap_err().contains("up to 65535"));
        assert!(
            parse_port("99999999999999999999")
                .unwrap_err()
                .contains("up to 65535")
        );
        assert!(parse_port("80a").unwrap_err().contains("digits only"));
        assert!(parse_port(" 80").unwrap_err().contains("digits only"));
    }

    #[test]
    fn paths_need_no_quoting() {
        for path in ["/", "/healthz", "/health/live", "/a%20b", "/_ah/health"] {
            assert_eq!(http_path(path), Ok(()), "{path}");
        }
        assert!(
            http_path("healthz")
                .unwrap_err()
                .contains("Start with \"/\"")
        );
        assert!(http_path("/a b").unwrap_err().contains("A space"));
        assert!(http_path("/$(reboot)").unwrap_err().contains("\"$\""));
        assert!(http_path("/a%2").unwrap_err().contains("escape"));
        assert!(
            http_path(&format!("/{}", "a".repeat(300)))
                .unwrap_err()
                .contains("At most")
        );
    }

    #[test]
    fn folders_stay_inside_the_repository() {
        for ok in [".", "backend", "apps/web", "apps/web/"] {
            assert_eq!(folder(ok), Ok(()), "{ok}");
        }
        assert!(folder("/etc").unwrap_err().contains("relative"));
        assert!(folder("../x").unwrap_err().contains(".."));
        assert!(folder("a//b").is_err());
        assert!(folder("my app").unwrap_err().contains("A space"));
    }

    #[test]
    fn commands_refuse_expressions() {
        assert_eq!(command("npm test", true), Ok(()));
        assert_eq!(command("", false), Ok(()));
        assert!(command("", true).is_err());
        assert!(
            command("echo ${{ github.event.issue.title }}", true)
                .unwrap_err()
                .contains("script injection")
        );
        assert!(command("a\u{0}b", true).unwrap_err().contains("U+0000"));
        assert!(
            command("npm ci\nnpm test", true)
                .unwrap_err()
                .contains("one line")
        );
    }

    #[test]
    fn quantities_parse_like_kubernetes() {
        assert_eq!(millicores("250m"), Ok(250));
        assert_eq!(millicores("0.5"), Ok(500));
        assert_eq!(millicores("2"), Ok(2000));
        assert!(millicores("1.").is_err());
        assert!(millicores("m").is_err());
        assert_eq!(bytes("512Mi"), Ok(512 << 20));
        assert_eq!(bytes("1G"), Ok(1_000_000_000));
        assert!(bytes("1GB").is_err());
        assert!(bytes("99999999999999999Ti").is_err());
    }

    #[test]
    fn the_default_project_is_valid() {
        assert_eq!(errors_for(&Project::default()), Vec::<String>::new());
    }

    #[test]
    fn duplicates_are_reported_on_the_second_service() {
        let mut project = Project::default();
        let mut second = AppService::new("api", "web", Runtime::Node);
        second.port = project.services[0].port;
        project.services.push(second);
        let fields: Vec<String> = project.validate().iter().map(|e| e.field.path()).collect();
        assert_eq!(fields, ["services[1].name", "services[1].port"]);
    }

    #[test]
    fn cross_field_rules_hold() {
        let mut project = Project::default();
        project.services[0].resources.cpu_request = "2".into();
        project.services[0].resources.cpu_limit = "500m".into();
        project.services[0].uses_postgres = true;
        project.services[0].env.push(EnvVar {
            name: "API_KEY".into(),
            value: "hunter2".into(),
            secret: true,
        });
        project.branches.staging = "main".into();
        let errors = errors_for(&project);
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("services[0].resources.cpu_limit: The limit")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("services[0].name: This service uses PostgreSQL")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("services[0].env[0].value: Secret values are never stored")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("branches.staging: Staging and production")),
            "{errors:?}"
        );
    }

    #[test]
    fn versions_must_exist_for_the_runtime() {
        let mut project = Project::default();
        project.services[0].version = "3.13".into();
        let errors = errors_for(&project);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("Node.js \"3.13\" is not offered; choose 22, 24, 26."),
            "{errors:?}"
        );
    }

    #[test]
    fn registry_addresses_have_their_kind_s_shape() {
        assert_eq!(registry_address(RegistryKind::Ghcr, ""), Ok(()));
        assert_eq!(
            registry_address(
                RegistryKind::Ecr,
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
            ),
            Ok(())
        );
        assert!(
            registry_address(RegistryKind::Ecr, "example.com")
                .unwrap_err()
                .contains("Amazon ECR")
        );
        assert_eq!(
            registry_address(RegistryKind::Acr, "acme.azurecr.io"),
            Ok(())
        );
        assert_eq!(
            registry_address(
                RegistryKind::ArtifactRegistry,
                "europe-west1-docker.pkg.dev/p/r"
            ),
            Ok(())
        );
        assert!(
            registry_address(RegistryKind::DockerHub, "")
                .unwrap_err()
                .contains("Enter the registry address")
        );
    }
}
