//! Editing a project one field at a time, as the form does.

use super::field::{
    CommandKind, EnvironmentField, Field, ProbeKind, ProbeSetting, ServiceField, Stage,
};
use super::project::{
    Aws, DeployTool, EvictionPolicy, Project, RegistryKind, SecretsProvider, StateLocking,
};
use super::runtime::{PackageManager, Runtime};
use super::service::{AppService, CanaryEngine, Commands, ProbeTiming, Strategy};
use super::validate::{FieldError, parse_count, parse_port};

impl Project {
    /// The chosen store's address: region, server, vault name or project.
    pub fn store_address(&self) -> &str {
        let store = &self.secrets_store;
        match self.secrets_provider {
            SecretsProvider::AwsSecretsManager => &store.aws_region,
            SecretsProvider::Vault => &store.vault_address,
            SecretsProvider::AzureKeyVault => &store.azure_vault_name,
            SecretsProvider::GcpSecretManager => &store.gcp_project,
            SecretsProvider::None => "",
        }
    }

    /// The identity that reads the chosen store: the Vault KV mount, the Azure client id, or
    /// the Google service account.
    pub fn store_identity(&self) -> &str {
        let store = &self.secrets_store;
        match self.secrets_provider {
            SecretsProvider::Vault => &store.vault_kv_mount,
            SecretsProvider::AzureKeyVault => &store.azure_client_id,
            SecretsProvider::GcpSecretManager => &store.gcp_service_account,
            _ => "",
        }
    }

    /// The text the form shows for `field`.
    pub fn text(&self, field: Field) -> String {
        let service = |index: usize| self.services.get(index);
        match field {
            Field::ProjectName => self.name.clone(),
            Field::RepositoryOwner => self.repository.owner.clone(),
            Field::RepositoryName => self.repository.name.clone(),
            Field::ProductionBranch => self.branches.production.clone(),
            Field::StagingBranch => self.branches.staging.clone(),
            Field::FeaturePrefix => self.branches.feature_prefix.clone(),
            Field::RegistryKind => self.registry.kind.id().into(),
            Field::RegistryAddress => self.registry.address.clone(),
            Field::Services => String::new(),
            Field::Service(index, field) => service(index)
                .map(|s| service_text(s, field))
                .unwrap_or_default(),
            Field::PostgresVersion => self
                .postgres
                .as_ref()
                .map(|p| p.version.clone())
                .unwrap_or_default(),
            Field::PostgresDatabase => self
                .postgres
                .as_ref()
                .map(|p| p.database.clone())
                .unwrap_or_default(),
            Field::RedisVersion => self
                .redis
                .as_ref()
                .map(|r| r.version.clone())
                .unwrap_or_default(),
            Field::RedisMaxMemory => self
                .redis
                .as_ref()
                .map(|r| r.max_memory.clone())
                .unwrap_or_default(),
            Field::Environment(stage, field) => {
                let environment = match stage {
                    Stage::Staging => &self.environments.staging,
                    Stage::Production => &self.environments.production,
                };
                match field {
                    EnvironmentField::Name => environment.name.clone(),
                    EnvironmentField::Namespace => environment.namespace.clone(),
                    EnvironmentField::Hostname => environment.hostname.clone(),
                    EnvironmentField::Replicas => environment
                        .replicas
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    EnvironmentField::ApprovalRequired => flag(environment.approval_required),
                }
            }
            Field::IngressClass => self.kubernetes.ingress_class.clone(),
            Field::IngressNamespace => self.kubernetes.ingress_namespace.clone(),
            Field::ClusterIssuer => self.kubernetes.cluster_issuer.clone(),
            Field::AwsRegion => self
                .aws
                .as_ref()
                .map(|a| a.region.clone())
                .unwrap_or_default(),
            Field::AwsZones => self
                .aws
                .as_ref()
                .map(|a| a.availability_zones.to_string())
                .unwrap_or_default(),
            Field::AwsVpcCidr => self
                .aws
                .as_ref()
                .map(|a| a.vpc_cidr.clone())
                .unwrap_or_default(),
            Field::AwsClusterVersion => self
                .aws
                .as_ref()
                .map(|a| a.cluster_version.clone())
                .unwrap_or_default(),
            Field::AwsNodeType => self
                .aws
                .as_ref()
                .map(|a| a.node_instance_type.clone())
                .unwrap_or_default(),
            Field::AwsDbClass => self
                .aws
                .as_ref()
                .map(|a| a.db_instance_class.clone())
                .unwrap_or_default(),
            Field::AwsCacheType => self
                .aws
                .as_ref()
                .map(|a| a.cache_node_type.clone())
                .unwrap_or_default(),
            Field::AwsPublicEndpointCidrs => self
                .aws
                .as_ref()
                .map(|a| a.public_endpoint_cidrs.join(", "))
                .unwrap_or_default(),
            Field::SecretsProvider => self.secrets_provider.id().into(),
            Field::DeployTool => self.deploy_tool.id().into(),
            Field::SecretsStoreAddress => self.store_address().to_owned(),
            Field::SecretsStoreIdentity => self.store_identity().to_owned(),
            Field::PostgresPgvector => flag(self.postgres.as_ref().is_some_and(|p| p.pgvector)),
            Field::PostgresInCluster => flag(self.kubernetes.in_cluster_postgres),
            Field::RedisEvictionPolicy => self
                .redis
                .as_ref()
                .map(|r| r.eviction_policy.id().to_owned())
                .unwrap_or_default(),
            Field::RedisAppendOnly => flag(self.redis.as_ref().is_some_and(|r| r.append_only)),
            Field::ObservabilityEnabled => flag(self.observability.enabled),
            Field::ObservabilityNamespace => self.observability.namespace.clone(),
            Field::PrometheusRelease => self.observability.prometheus_release.clone(),
            Field::Aws => flag(self.aws.is_some()),
            Field::AwsStateLocking => self
                .aws
                .as_ref()
                .map(|a| a.state_locking.id().to_owned())
                .unwrap_or_default(),
        }
    }

    /// Every field the form shows for this project, in no particular order.
    pub fn fields(&self) -> Vec<Field> {
        let project = self;
        use Field as F;
        use ServiceField as S;
        let mut fields = vec![
            F::ProjectName,
            F::RepositoryOwner,
            F::RepositoryName,
            F::ProductionBranch,
            F::StagingBranch,
            F::FeaturePrefix,
            F::RegistryKind,
            F::RegistryAddress,
            F::IngressClass,
            F::IngressNamespace,
            F::ClusterIssuer,
            F::SecretsProvider,
            F::DeployTool,
            F::PostgresInCluster,
            F::ObservabilityEnabled,
            F::ObservabilityNamespace,
            F::PrometheusRelease,
            F::Aws,
        ];
        // As the form shows them: the store's address and identity where it has them.
        if project.secrets_provider != SecretsProvider::None {
            fields.push(F::SecretsStoreAddress);
        }
        if !project.store_identity().is_empty() {
            fields.push(F::SecretsStoreIdentity);
        }
        if project.postgres.is_some() {
            fields.extend([F::PostgresVersion, F::PostgresDatabase, F::PostgresPgvector]);
        }
        if project.redis.is_some() {
            fields.extend([
                F::RedisVersion,
                F::RedisMaxMemory,
                F::RedisEvictionPolicy,
                F::RedisAppendOnly,
            ]);
        }
        if project.aws.is_some() {
            fields.extend([
                F::AwsRegion,
                F::AwsZones,
                F::AwsVpcCidr,
                F::AwsClusterVersion,
                F::AwsNodeType,
                F::AwsDbClass,
                F::AwsCacheType,
                F::AwsPublicEndpointCidrs,
                F::AwsStateLocking,
            ]);
        }
        for stage in Stage::ALL {
            for field in [
                EnvironmentField::Name,
                EnvironmentField::Namespace,
                EnvironmentField::Hostname,
                EnvironmentField::Replicas,
                EnvironmentField::ApprovalRequired,
            ] {
                fields.push(F::Environment(stage, field));
            }
        }
        for (index, service) in project.services.iter().enumerate() {
            let mut own = vec![
                S::Name,
                S::Path,
                S::Runtime,
                S::Version,
                S::PackageManager,
                S::TestVersions,
                S::Port,
                S::StartupPath,
                S::LivenessPath,
                S::ReadinessPath,
                S::Image,
                S::Replicas,
                S::CpuRequest,
                S::CpuLimit,
                S::MemoryRequest,
                S::MemoryLimit,
                S::Strategy,
                S::MaxSurge,
                S::MaxUnavailable,
                S::CanarySteps,
                S::CanaryEngine,
                S::TerminationGrace,
            ];
            own.extend(CommandKind::ALL.map(S::Command));
            for variable in 0..service.env.len() {
                own.extend([S::EnvName(variable), S::EnvValue(variable)]);
            }
            if service.autoscaling.is_some() {
                own.extend([
                    S::AutoscalingMin,
                    S::AutoscalingMax,
                    S::AutoscalingCpu,
                    S::AutoscalingMemory,
                ]);
            }
            if service.ingress.is_some() {
                own.extend([S::IngressHost, S::IngressPath]);
            }
            for kind in ProbeKind::ALL {
                own.extend(ProbeSetting::ALL.map(|setting| S::Probe(kind, setting)));
            }
            fields.extend(own.into_iter().map(|f| F::Service(index, f)));
        }
        fields
    }

    /// Sets `field` from what the user typed. A value that is refused, on its own or together
    /// with the rest of the project (a duplicate name, say), leaves the project unchanged and
    /// returns the message to show next to the field.
    pub fn set(&mut self, field: Field, text: &str) -> Result<(), FieldError> {
        let mut next = self.clone();
        next.assign(field, text)
            .map_err(|message| FieldError::new(field, message))?;
        // A renamed service keeps the settings that name its address ({{NAME.url}}).
        if let Field::Service(index, ServiceField::Name) = field
            && let Some(old) = self.services.get(index)
        {
            next.rename_references(&old.name, text);
        }
        let after = next.validate();
        if let Some(error) = after.iter().find(|error| error.field == field) {
            return Err(error.clone());
        }
        // A value fine on its own may break another field (a CPU request above its limit):
        // refuse it here, naming the field it would break, so the project stays valid.
        let before = self.validate();
        if let Some(broken) = after.into_iter().find(|error| !before.contains(error)) {
            let message = match (field, broken.field) {
                // The same field of another service: a duplicate name or port.
                (Field::Service(_, edited), Field::Service(other, clashing))
                    if edited == clashing =>
                {
                    format!(
                        "{text:?} is already used by service {} ({}).",
                        other + 1,
                        next.services[other].name
                    )
                }
                _ => format!("{}: {}", broken.field.label(), broken.message),
            };
            return Err(FieldError::new(field, message));
        }
        *self = next;
        Ok(())
    }

    fn assign(&mut self, field: Field, text: &str) -> Result<(), String> {
        let owned = text.to_owned();
        match field {
            Field::ProjectName => self.name = owned,
            Field::RepositoryOwner => self.repository.owner = owned,
            Field::RepositoryName => self.repository.name = owned,
            Field::ProductionBranch => self.branches.production = owned,
            Field::StagingBranch => self.branches.staging = owned,
            Field::FeaturePrefix => self.branches.feature_prefix = owned,
            Field::RegistryKind => {
                self.registry.kind = RegistryKind::from_id(text)
                    .ok_or_else(|| format!("Unknown registry {text:?}; pick one from the list."))?
            }
            Field::RegistryAddress => self.registry.address = owned,
            Field::Services => return Err("Add or remove services with the buttons.".into()),
            Field::Service(index, field) => {
                let service = self
                    .services
                    .get_mut(index)
                    .ok_or("There is no such service any more.")?;
                let old_port = service.port;
                assign_service(service, field, text)?;
                // A new runtime's default port must not take another service's port.
                let port = self.services[index].port;
                if field == ServiceField::Runtime
                    && port != old_port
                    && self
                        .services
                        .iter()
                        .enumerate()
                        .any(|(i, s)| i != index && s.port == port)
                {
                    self.services[index].port = old_port;
                }
            }
            Field::PostgresVersion => {
                self.postgres.as_mut().ok_or("PostgreSQL is off.")?.version = owned
            }
            Field::PostgresDatabase => {
                self.postgres.as_mut().ok_or("PostgreSQL is off.")?.database = owned
            }
            Field::RedisVersion => self.redis.as_mut().ok_or("Redis is off.")?.version = owned,
            Field::RedisMaxMemory => self.redis.as_mut().ok_or("Redis is off.")?.max_memory = owned,
            Field::PostgresPgvector => {
                self.postgres.as_mut().ok_or("PostgreSQL is off.")?.pgvector = parse_flag(text)?
            }
            Field::PostgresInCluster => self.kubernetes.in_cluster_postgres = parse_flag(text)?,
            Field::RedisEvictionPolicy => {
                self.redis.as_mut().ok_or("Redis is off.")?.eviction_policy =
                    EvictionPolicy::from_id(text).ok_or_else(|| {
                        format!("Unknown policy {text:?}; pick one from the list.")
                    })?
            }
            Field::RedisAppendOnly => {
                self.redis.as_mut().ok_or("Redis is off.")?.append_only = parse_flag(text)?
            }
            Field::ObservabilityEnabled => self.observability.enabled = parse_flag(text)?,
            Field::ObservabilityNamespace => self.observability.namespace = owned,
            Field::PrometheusRelease => self.observability.prometheus_release = owned,
            Field::Aws => {
                let on = parse_flag(text)?;
                if !on {
                    self.aws = None;
                } else if self.aws.is_none() {
                    // In the secrets store's region when that is AWS too.
                    let mut aws = Aws::default();
                    if self.secrets_provider == SecretsProvider::AwsSecretsManager {
                        aws.region = self.secrets_store.aws_region.clone();
                    }
                    self.aws = Some(aws);
                }
            }
            Field::AwsStateLocking => {
                self.aws.as_mut().ok_or("AWS is off.")?.state_locking = StateLocking::from_id(text)
                    .ok_or_else(|| format!("Unknown locking {text:?}; pick one from the list."))?
            }
            Field::Environment(stage, field) => {
                let environment = match stage {
                    Stage::Staging => &mut self.environments.staging,
                    Stage::Production => &mut self.environments.production,
                };
                match field {
                    EnvironmentField::Name => environment.name = owned,
                    EnvironmentField::Namespace => environment.namespace = owned,
                    EnvironmentField::Hostname => environment.hostname = owned,
                    EnvironmentField::Replicas => {
                        environment.replicas = if text.is_empty() {
                            None
                        } else {
                            Some(parse_count(text, "Replicas")?)
                        }
                    }
                    EnvironmentField::ApprovalRequired => {
                        environment.approval_required = parse_flag(text)?
                    }
                }
            }
            Field::IngressClass => self.kubernetes.ingress_class = owned,
            Field::IngressNamespace => self.kubernetes.ingress_namespace = owned,
            Field::ClusterIssuer => self.kubernetes.cluster_issuer = owned,
            Field::SecretsProvider => {
                self.secrets_provider = SecretsProvider::from_id(text).ok_or_else(|| {
                    format!("Unknown secrets store {text:?}; pick one from the list.")
                })?
            }
            Field::DeployTool => {
                self.deploy_tool = DeployTool::from_id(text).ok_or_else(|| {
                    format!("Unknown deploy tool {text:?}; pick one from the list.")
                })?
            }
            Field::SecretsStoreAddress => {
                let store = &mut self.secrets_store;
                match self.secrets_provider {
                    SecretsProvider::AwsSecretsManager => store.aws_region = owned,
                    SecretsProvider::Vault => store.vault_address = owned,
                    SecretsProvider::AzureKeyVault => store.azure_vault_name = owned,
                    SecretsProvider::GcpSecretManager => store.gcp_project = owned,
                    SecretsProvider::None => return Err("Choose a secrets store first.".into()),
                }
            }
            Field::SecretsStoreIdentity => {
                let store = &mut self.secrets_store;
                match self.secrets_provider {
                    SecretsProvider::Vault => store.vault_kv_mount = owned,
                    SecretsProvider::AzureKeyVault => store.azure_client_id = owned,
                    SecretsProvider::GcpSecretManager => store.gcp_service_account = owned,
                    _ => return Err("This store needs no reader identity here.".into()),
                }
            }
            Field::AwsRegion
            | Field::AwsZones
            | Field::AwsVpcCidr
            | Field::AwsClusterVersion
            | Field::AwsNodeType
            | Field::AwsDbClass
            | Field::AwsCacheType
            | Field::AwsPublicEndpointCidrs => {
                let aws = self.aws.as_mut().ok_or("AWS is off.")?;
                match field {
                    Field::AwsRegion => aws.region = owned,
                    Field::AwsZones => {
                        aws.availability_zones = parse_count(text, "Availability zones")?
                    }
                    Field::AwsVpcCidr => aws.vpc_cidr = owned,
                    Field::AwsClusterVersion => aws.cluster_version = owned,
                    Field::AwsNodeType => aws.node_instance_type = owned,
                    Field::AwsDbClass => aws.db_instance_class = owned,
                    Field::AwsPublicEndpointCidrs => {
                        aws.public_endpoint_cidrs = text
                            .split(',')
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_owned)
                            .collect();
                        // Addresses open the endpoint to them; none keeps it private.
                        aws.public_endpoint = !aws.public_endpoint_cidrs.is_empty();
                    }
                    _ => aws.cache_node_type = owned,
                }
            }
        }
        Ok(())
    }
}

fn service_text(service: &AppService, field: ServiceField) -> String {
    match field {
        ServiceField::Name => service.name.clone(),
        ServiceField::Path => service.path.clone(),
        ServiceField::Runtime => service.runtime.id().into(),
        ServiceField::Version => service.version.clone(),
        ServiceField::PackageManager => service.package_manager.id().into(),
        ServiceField::TestVersions => service.test_versions.join(", "),
        ServiceField::Port => service.port.to_string(),
        ServiceField::StartupPath => service.health.startup.clone(),
        ServiceField::LivenessPath => service.health.liveness.clone(),
        ServiceField::ReadinessPath => service.health.readiness.clone(),
        ServiceField::EnvName(index) => service
            .env
            .get(index)
            .map(|v| v.name.clone())
            .unwrap_or_default(),
        ServiceField::EnvValue(index) => service
            .env
            .get(index)
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        ServiceField::Command(kind) => service.command(kind).to_owned(),
        ServiceField::Image => service.image.clone().unwrap_or_default(),
        ServiceField::Replicas => service.replicas.to_string(),
        ServiceField::CpuRequest => service.resources.cpu_request.clone(),
        ServiceField::CpuLimit => service.resources.cpu_limit.clone(),
        ServiceField::MemoryRequest => service.resources.memory_request.clone(),
        ServiceField::MemoryLimit => service.resources.memory_limit.clone(),
        ServiceField::AutoscalingMin => service
            .autoscaling
            .as_ref()
            .map(|a| a.min_replicas.to_string())
            .unwrap_or_default(),
        ServiceField::AutoscalingMax => service
            .autoscaling
            .as_ref()
            .map(|a| a.max_replicas.to_string())
            .unwrap_or_default(),
        ServiceField::AutoscalingCpu => service
            .autoscaling
            .as_ref()
            .map(|a| a.cpu_percent.to_string())
            .unwrap_or_default(),
        ServiceField::IngressHost => service
            .ingress
            .as_ref()
            .map(|i| i.host.clone())
            .unwrap_or_default(),
        ServiceField::IngressPath => service
            .ingress
            .as_ref()
            .map(|i| i.path.clone())
            .unwrap_or_default(),
        ServiceField::Strategy => service.rollout.strategy.id().into(),
        ServiceField::MaxSurge => service.rollout.max_surge.clone(),
        ServiceField::MaxUnavailable => service.rollout.max_unavailable.clone(),
        ServiceField::CanarySteps => service
            .rollout
            .canary_steps
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ServiceField::CanaryEngine => service.rollout.canary_engine.id().into(),
        ServiceField::TerminationGrace => service.rollout.termination_grace_seconds.to_string(),
        ServiceField::AutoscalingMemory => service
            .autoscaling
            .as_ref()
            .and_then(|a| a.memory_percent)
            .map(|p| p.to_string())
            .unwrap_or_default(),
        ServiceField::Probe(kind, setting) => {
            let timing = *probe(service, kind);
            probe_value(&timing, setting).to_string()
        }
    }
}

fn flag(on: bool) -> String {
    if on { "true" } else { "false" }.into()
}

/// A checkbox's value.
fn parse_flag(text: &str) -> Result<bool, String> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("Expected true or false, not {text:?}.")),
    }
}

fn probe(service: &AppService, kind: ProbeKind) -> &ProbeTiming {
    let probes = &service.rollout.probes;
    match kind {
        ProbeKind::Startup => &probes.startup,
        ProbeKind::Liveness => &probes.liveness,
        ProbeKind::Readiness => &probes.readiness,
    }
}

pub(crate) fn probe_value(timing: &ProbeTiming, setting: ProbeSetting) -> u32 {
    match setting {
        ProbeSetting::InitialDelay => timing.initial_delay_seconds,
        ProbeSetting::Period => timing.period_seconds,
        ProbeSetting::Timeout => timing.timeout_seconds,
        ProbeSetting::FailureThreshold => timing.failure_threshold,
    }
}

fn assign_service(service: &mut AppService, field: ServiceField, text: &str) -> Result<(), String> {
    let owned = text.to_owned();
    match field {
        ServiceField::Name => service.name = owned,
        ServiceField::Path => service.path = owned,
        ServiceField::Runtime => {
            let runtime = Runtime::from_id(text)
                .ok_or_else(|| format!("Unknown runtime {text:?}; pick one from the list."))?;
            switch_runtime(service, runtime);
        }
        ServiceField::Version => service.version = owned,
        ServiceField::PackageManager => {
            let package_manager = PackageManager::from_id(text).ok_or_else(|| {
                format!("Unknown package manager {text:?}; pick one from the list.")
            })?;
            // Commands that were the old defaults follow the package manager; edited ones stay.
            if service.commands == Commands::defaults(service.runtime, service.package_manager) {
                service.commands = Commands::defaults(service.runtime, package_manager);
            }
            service.package_manager = package_manager;
        }
        ServiceField::TestVersions => {
            service.test_versions = text
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        }
        ServiceField::Port => service.port = parse_port(text)?,
        ServiceField::StartupPath => service.health.startup = owned,
        ServiceField::LivenessPath => service.health.liveness = owned,
        ServiceField::ReadinessPath => service.health.readiness = owned,
        ServiceField::EnvName(index) => {
            service
                .env
                .get_mut(index)
                .ok_or("There is no such variable any more.")?
                .name = owned
        }
        ServiceField::EnvValue(index) => {
            service
                .env
                .get_mut(index)
                .ok_or("There is no such variable any more.")?
                .value = owned
        }
        ServiceField::Command(kind) => {
            let commands = &mut service.commands;
            let slot = match kind {
                CommandKind::Lint => &mut commands.lint,
                CommandKind::Typecheck => &mut commands.typecheck,
                CommandKind::Test => &mut commands.test,
                CommandKind::Build => &mut commands.build,
                CommandKind::Audit => &mut commands.audit,
                CommandKind::Dev => &mut commands.dev,
            };
            *slot = owned;
        }
        ServiceField::Image => service.image = if text.is_empty() { None } else { Some(owned) },
        ServiceField::Replicas => service.replicas = parse_count(text, "Replicas")?,
        ServiceField::CpuRequest => service.resources.cpu_request = owned,
        ServiceField::CpuLimit => service.resources.cpu_limit = owned,
        ServiceField::MemoryRequest => service.resources.memory_request = owned,
        ServiceField::MemoryLimit => service.resources.memory_limit = owned,
        ServiceField::AutoscalingMin => {
            service
                .autoscaling
                .as_mut()
                .ok_or("Autoscaling is off.")?
                .min_replicas = parse_count(text, "Minimum replicas")?
        }
        ServiceField::AutoscalingMax => {
            service
                .autoscaling
                .as_mut()
                .ok_or("Autoscaling is off.")?
                .max_replicas = parse_count(text, "Maximum replicas")?
        }
        ServiceField::AutoscalingCpu => {
            service
                .autoscaling
                .as_mut()
                .ok_or("Autoscaling is off.")?
                .cpu_percent = parse_count(text, "Target CPU")?
        }
        ServiceField::IngressHost => {
            service.ingress.as_mut().ok_or("Ingress is off.")?.host = owned
        }
        ServiceField::IngressPath => {
            service.ingress.as_mut().ok_or("Ingress is off.")?.path = owned
        }
        ServiceField::Strategy => {
            service.rollout.strategy = Strategy::from_id(text)
                .ok_or_else(|| format!("Unknown strategy {text:?}; pick one from the list."))?
        }
        ServiceField::MaxSurge => service.rollout.max_surge = owned,
        ServiceField::MaxUnavailable => service.rollout.max_unavailable = owned,
        ServiceField::CanarySteps => {
            service.rollout.canary_steps = text
                .split(',')
                .map(str::trim)
                .filter(|step| !step.is_empty())
                .map(|step| parse_count(step, "Each step"))
                .collect::<Result<_, _>>()?
        }
        ServiceField::CanaryEngine => {
            service.rollout.canary_engine = CanaryEngine::from_id(text)
                .ok_or_else(|| format!("Unknown engine {text:?}; pick one from the list."))?
        }
        ServiceField::TerminationGrace => {
            service.rollout.termination_grace_seconds = parse_count(text, "Grace period")?
        }
        ServiceField::AutoscalingMemory => {
            service
                .autoscaling
                .as_mut()
                .ok_or("Autoscaling is off.")?
                .memory_percent = if text.is_empty() {
                None
            } else {
                Some(parse_count(text, "Target memory")?)
            }
        }
        ServiceField::Probe(kind, setting) => {
            let value = parse_count(text, setting.range().2)?;
            let probes = &mut service.rollout.probes;
            let timing = match kind {
                ProbeKind::Startup => &mut probes.startup,
                ProbeKind::Liveness => &mut probes.liveness,
                ProbeKind::Readiness => &mut probes.readiness,
            };
            *match setting {
                ProbeSetting::InitialDelay => &mut timing.initial_delay_seconds,
                ProbeSetting::Period => &mut timing.period_seconds,
                ProbeSetting::Timeout => &mut timing.timeout_seconds,
                ProbeSetting::FailureThreshold => &mut timing.failure_threshold,
            } = value;
        }
    }
    Ok(())
}

/// A new runtime brings its own versions, package managers and commands; the port follows
/// too when it was the old runtime's default.
fn switch_runtime(service: &mut AppService, runtime: Runtime) {
    if runtime == service.runtime {
        return;
    }
    let old = service.runtime;
    if service.port == old.default_port() {
        service.port = runtime.default_port();
    }
    service.runtime = runtime;
    service.version = runtime.default_version().into();
    service.test_versions.clear();
    if !runtime
        .package_managers()
        .contains(&service.package_manager)
    {
        service.package_manager = runtime.package_managers()[0];
    }
    service.commands = Commands::defaults(runtime, service.package_manager);
}

impl Project {
    /// Rewrites every `{{OLD.url}}` in the services' settings to `{{NEW.url}}`.
    fn rename_references(&mut self, old: &str, new: &str) {
        for service in &mut self.services {
            for var in &mut service.env {
                var.value = super::service::replace_references(&var.value, |name| {
                    (name == old).then(|| format!("{{{{{new}.url}}}}"))
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_service_keeps_the_settings_that_name_its_address() {
        let mut project = crate::model::preset("fullstack-fastapi-react")
            .unwrap()
            .project();
        project
            .set(Field::Service(1, ServiceField::Name), "web")
            .unwrap();
        let cors = &project.services[0].env[1];
        assert_eq!(cors.value, "{{web.url}}");
        assert_eq!(project.validate(), vec![]);
    }
    use crate::model::PRESETS;

    fn api(field: ServiceField) -> Field {
        Field::Service(0, field)
    }

    /// What the form shows for a field, typed back in, changes nothing: the form can hold
    /// every value of every preset.
    #[test]
    fn every_field_of_every_preset_takes_back_its_own_text() {
        for preset in PRESETS {
            let project = preset.project();
            for field in project.fields() {
                let mut edited = project.clone();
                let text = project.text(field);
                assert_eq!(
                    edited.set(field, &text),
                    Ok(()),
                    "{}: {field:?}",
                    preset.name
                );
                assert_eq!(edited, project, "{}: {field:?} = {text:?}", preset.name);
            }
        }
    }

    #[test]
    fn the_settings_without_a_form_field_before_have_one_now() {
        let mut project = crate::model::preset("go-api").unwrap().project();
        let probe = api(ServiceField::Probe(
            ProbeKind::Readiness,
            ProbeSetting::Period,
        ));
        project.set(probe, "7").unwrap();
        assert_eq!(
            project.services[0].rollout.probes.readiness.period_seconds,
            7
        );
        let error = project.set(probe, "0").unwrap_err();
        assert!(error.message.contains("Period"), "{}", error.message);
        let approval = Field::Environment(Stage::Staging, EnvironmentField::ApprovalRequired);
        project.set(approval, "true").unwrap();
        assert!(project.environments.staging.approval_required);
        assert!(project.set(approval, "yes").is_err());
        project.set(Field::Aws, "true").unwrap();
        assert!(project.aws.is_some());
        project.set(Field::AwsStateLocking, "s3-native").unwrap();
        assert_eq!(
            project.aws.as_ref().unwrap().state_locking,
            StateLocking::S3Native
        );
        project
            .set(Field::AwsPublicEndpointCidrs, "203.0.113.0/24")
            .unwrap();
        assert!(
            project.aws.as_ref().unwrap().public_endpoint,
            "addresses open the endpoint"
        );
        project.set(Field::AwsPublicEndpointCidrs, "").unwrap();
        assert!(!project.aws.as_ref().unwrap().public_endpoint);
        project.set(Field::Aws, "false").unwrap();
        assert!(project.aws.is_none());
        project
            .set(Field::ObservabilityNamespace, "Not A Label")
            .unwrap_err();
        project.set(Field::ObservabilityEnabled, "false").unwrap();
        assert!(!project.observability.enabled);
    }

    #[test]
    fn a_good_value_is_applied() {
        let mut project = Project::default();
        project.set(api(ServiceField::Name), "payments").unwrap();
        project.set(api(ServiceField::Port), "3001").unwrap();
        project
            .set(api(ServiceField::LivenessPath), "/livez")
            .unwrap();
        assert_eq!(project.services[0].name, "payments");
        assert_eq!(project.services[0].port, 3001);
        assert_eq!(project.text(api(ServiceField::LivenessPath)), "/livez");
    }

    #[test]
    fn a_bad_value_leaves_the_project_unchanged() {
        let mut project = Project::default();
        let before = project.clone();
        let error = project.set(api(ServiceField::Port), "99999").unwrap_err();
        assert_eq!(error.field, api(ServiceField::Port));
        assert!(error.message.contains("65535"));
        let error = project
            .set(api(ServiceField::Runtime), "cobol")
            .unwrap_err();
        assert!(error.message.contains("cobol"));
        assert_eq!(project, before);
    }

    #[test]
    fn a_value_refused_with_the_rest_of_the_project_is_reported_on_its_field() {
        let mut project = Project::default();
        project
            .services
            .push(AppService::new("web", "web", Runtime::Static));
        let error = project
            .set(Field::Service(1, ServiceField::Name), "api")
            .unwrap_err();
        assert!(
            error.message.contains("already called"),
            "{}",
            error.message
        );
        assert_eq!(project.services[1].name, "web");
    }

    #[test]
    fn a_value_that_would_break_another_field_is_refused_on_its_own_field() {
        let mut project = Project::default();
        let before = project.clone();
        let error = project.set(api(ServiceField::CpuRequest), "2").unwrap_err();
        assert_eq!(error.field, api(ServiceField::CpuRequest));
        assert_eq!(
            error.message,
            "CPU limit: The limit must be at least the request."
        );
        assert_eq!(project, before);
        assert_eq!(project.validate(), vec![]);
    }

    #[test]
    fn switching_runtime_brings_its_defaults() {
        let mut project = Project::default();
        project.set(api(ServiceField::Runtime), "python").unwrap();
        let service = &project.services[0];
        assert_eq!(service.runtime, Runtime::Python);
        assert_eq!(service.version, "3.13");
        assert_eq!(service.package_manager, PackageManager::Pip);
        assert_eq!(
            service.port, 8000,
            "the old default port follows the runtime"
        );
        assert!(service.commands.test.contains("pytest"));

        project.set(api(ServiceField::Port), "9000").unwrap();
        project.set(api(ServiceField::Runtime), "go").unwrap();
        assert_eq!(project.services[0].port, 9000, "a chosen port stays");
    }

    #[test]
    fn package_manager_changes_default_commands_only() {
        let mut project = Project::default();
        project
            .set(api(ServiceField::PackageManager), "pnpm")
            .unwrap();
        assert_eq!(project.services[0].commands.lint, "pnpm run lint");
        project
            .set(api(ServiceField::Command(CommandKind::Lint)), "make lint")
            .unwrap();
        project
            .set(api(ServiceField::PackageManager), "yarn")
            .unwrap();
        assert_eq!(project.services[0].commands.lint, "make lint");
    }

    #[test]
    fn every_field_shows_what_was_set() {
        let mut project = Project::default();
        project
            .set(api(ServiceField::TestVersions), "22, 26")
            .unwrap();
        assert_eq!(project.text(api(ServiceField::TestVersions)), "22, 26");
        project
            .set(
                Field::Environment(Stage::Staging, EnvironmentField::Replicas),
                "1",
            )
            .unwrap();
        assert_eq!(project.environments.staging.replicas, Some(1));
        project
            .set(
                Field::Environment(Stage::Staging, EnvironmentField::Replicas),
                "",
            )
            .unwrap();
        assert_eq!(project.environments.staging.replicas, None);
    }
}
