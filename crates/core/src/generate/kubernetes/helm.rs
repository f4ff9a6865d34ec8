//! A Helm chart per app service (`charts/<service>/`) that renders exactly the objects of
//! `k8s/<environment>/<service>.yaml` with `values.yaml` plus `values/<environment>.yaml`.
//!
//! The templates are Go templates kept as files beside this module (they are not data); the
//! values are cut from the very objects the Kubernetes generator builds, so the two agree by
//! construction, and conformance renders every chart with the real Helm engine to prove it.

use crate::yaml::Map;
use serde::Serialize;

use super::secrets::{REFRESH_INTERVAL, STORE_NAME, external_secret_data};
use super::types::{
    ContainerSecurityContext, Labels, PodSecurityContext, PolicyRule, Probe, Resources,
    RollingUpdate, TopologySpread,
};
use super::{Context, disruption_budget, migration, monitoring};
use crate::bundle::GeneratedFile;
use crate::model::{CanaryEngine, Project, Stage, Strategy};
use crate::yaml::Yaml;

const TEMPLATES: &[(&str, &str)] = &[
    ("_helpers.tpl", include_str!("chart/_helpers.tpl")),
    ("NOTES.txt", include_str!("chart/NOTES.txt")),
    (
        "serviceaccount.yaml",
        include_str!("chart/serviceaccount.yaml"),
    ),
    ("configmap.yaml", include_str!("chart/configmap.yaml")),
    (
        "externalsecret.yaml",
        include_str!("chart/externalsecret.yaml"),
    ),
    ("deployment.yaml", include_str!("chart/deployment.yaml")),
    ("rollout.yaml", include_str!("chart/rollout.yaml")),
    ("service.yaml", include_str!("chart/service.yaml")),
    ("ingress.yaml", include_str!("chart/ingress.yaml")),
    ("hpa.yaml", include_str!("chart/hpa.yaml")),
    ("pdb.yaml", include_str!("chart/pdb.yaml")),
    (
        "networkpolicy.yaml",
        include_str!("chart/networkpolicy.yaml"),
    ),
    ("secret.yaml", include_str!("chart/secret.yaml")),
    (
        "servicemonitor.yaml",
        include_str!("chart/servicemonitor.yaml"),
    ),
    (
        "prometheusrule.yaml",
        include_str!("chart/prometheusrule.yaml"),
    ),
    ("migration.yaml", include_str!("chart/migration.yaml")),
];

/// Values that differ between environments; each environment's file sets all of them.
const PER_ENVIRONMENT: &[&str] = &[
    "instance",
    "image",
    "workloads",
    "topologySpreadConstraints",
    "ingress",
    "externalSecret",
    "podDisruptionBudget",
    "networkPolicy",
    "monitoring",
    // Settings that name another service's address ({{SERVICE.url}}) differ by environment.
    "config",
];

/// What each top-level value is for, written above it in values.yaml.
const COMMENTS: &[(&str, &str)] = &[
    ("name", "Name of every object; the same as the service."),
    (
        "instance",
        "app.kubernetes.io/instance: tells environments' pods apart.",
    ),
    ("partOf", "app.kubernetes.io/part-of: the project."),
    (
        "image",
        "The image CI pushes; deploys pin the exact digest it built.",
    ),
    ("port", "The port the container listens on."),
    (
        "workloads",
        "The Deployments: two for blue-green or a canary. replicas: null = HPA.",
    ),
    (
        "rollingUpdate",
        "Pods an update may add (maxSurge) and take away (maxUnavailable).",
    ),
    (
        "argoRollout",
        "Release as an Argo Rollouts Rollout with these canary steps.",
    ),
    (
        "podSecurityContext",
        "Non-root, RuntimeDefault seccomp: restricted Pod Security.",
    ),
    (
        "securityContext",
        "No privilege escalation, read-only root, no capabilities.",
    ),
    (
        "terminationGracePeriodSeconds",
        "Time to finish requests after SIGTERM, preStop included.",
    ),
    (
        "preStopSleepSeconds",
        "Keep serving while load balancers drop the pod.",
    ),
    (
        "topologySpreadConstraints",
        "Spread pods over zones and nodes, so one failure takes few.",
    ),
    (
        "writableDirs",
        "Folders the app writes to, as emptyDirs under the read-only root.",
    ),
    (
        "config",
        "Plain settings, as environment variables from the ConfigMap.",
    ),
    (
        "secretKeys",
        "Secret settings from <name>-secrets; only their names live here.",
    ),
    (
        "secret",
        "Without a secrets store: create <name>-secrets with empty values, kept.",
    ),
    (
        "externalSecret",
        "Where External Secrets reads each secret key.",
    ),
    (
        "probes",
        "startup: started? liveness: alive? readiness: can take traffic?",
    ),
    ("resources", "Requests reserve capacity; limits cap it."),
    ("service", "The ClusterIP Service in front of the pods."),
    (
        "ingress",
        "Public HTTPS entry: host, path, TLS certificate issuer.",
    ),
    ("autoscaling", "HorizontalPodAutoscaler bounds and targets."),
    (
        "podDisruptionBudget",
        "Keeps enough pods up during node drains, never blocking one.",
    ),
    (
        "networkPolicy",
        "Who may connect to the pods, and where they may connect.",
    ),
    (
        "monitoring",
        "Prometheus scrape of /metrics, and the service's alerts.",
    ),
    (
        "migration",
        "The migration tool, run by a hook Job before any pod changes.",
    ),
];

pub fn folder(service: &str) -> String {
    format!("charts/{service}")
}

/// Every chart of the project.
pub fn charts(project: &Project) -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    for service in &project.services {
        let root = folder(&service.name);
        let file =
            |path: &str, contents: String| GeneratedFile::new(format!("{root}/{path}"), contents);
        files.push(chart_yaml(project, &service.name).into_file(format!("{root}/Chart.yaml")));
        // values.yaml holds staging's values; each environment's file the ones that differ.
        let mut staging = None;
        for stage in Stage::ALL {
            let values = crate::yaml::to_node(&values(&Context::new(project, service, stage)));
            let subset = if stage == Stage::Staging {
                let subset = crate::yaml::subset(&values, PER_ENVIRONMENT);
                staging = Some(values);
                subset
            } else {
                crate::yaml::into_subset(values, PER_ENVIRONMENT)
            };
            let header = format!(
                "# Values for {}: helm upgrade --install -f values/{}.yaml\n",
                project.environment(stage).name,
                stage.key()
            );
            let mut yaml = Yaml::with_comments(&header);
            yaml.node_document(subset, &|_| None);
            files.push(yaml.into_file(format!("{root}/values/{}.yaml", stage.key())));
        }
        let staging = staging.expect("staging is a stage");
        let mut yaml = Yaml::with_comments(
            "# Generated by Shipshape; change the settings rather than this file.\n\
             # Defaults are staging's; values/<environment>.yaml sets what differs.\n",
        );
        yaml.node_document(staging, &|key| {
            COMMENTS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, comment)| *comment)
        });
        files.push(yaml.into_file(format!("{root}/values.yaml")));
        // A template comment renders as nothing, so the rendered objects stay the same.
        let provenance = format!(
            "{{{{- /* Generated by Shipshape for {}/{}; change the settings rather than this file. */ -}}}}\n",
            project.name, service.name
        );
        for (name, text) in TEMPLATES {
            files.push(file(
                &format!("templates/{name}"),
                format!("{provenance}{text}"),
            ));
        }
    }
    files
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Chart<'a> {
    api_version: &'static str,
    name: &'a str,
    description: String,
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'static str,
    app_version: &'static str,
    kube_version: &'static str,
}

fn chart_yaml(project: &Project, service: &str) -> Yaml {
    let chart = Chart {
        api_version: "v2",
        name: service,
        description: format!("The {service} service of {}.", project.name),
        kind: "application",
        version: "0.1.0",
        app_version: "1.0.0",
        // The preStop sleep action needs Kubernetes 1.30 or later.
        kube_version: ">= 1.30.0-0",
    };
    let mut yaml = Yaml::with_comments(
        "# Generated by Shipshape; change the settings rather than this file.\n",
    );
    yaml.document(&chart);
    yaml
}

/// Every value of a chart for one environment, in the order values.yaml lists them. The
/// parts are the Kubernetes generator's own objects, so the chart renders what `k8s/` holds.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Values<'a> {
    name: String,
    instance: String,
    part_of: &'a str,
    image: Image,
    port: u16,
    workloads: Vec<Workload>,
    rolling_update: RollingUpdate,
    argo_rollout: ArgoRollout,
    pod_security_context: PodSecurityContext,
    security_context: ContainerSecurityContext,
    termination_grace_period_seconds: u32,
    pre_stop_sleep_seconds: Option<u32>,
    topology_spread_constraints: Vec<TopologySpread>,
    writable_dirs: Vec<String>,
    config: Map<String, String>,
    secret_keys: Vec<String>,
    secret: SecretValues,
    external_secret: ExternalSecretValues,
    probes: Probes,
    resources: Resources,
    service: ServiceValues,
    ingress: IngressValues<'a>,
    autoscaling: AutoscalingValues,
    pod_disruption_budget: DisruptionBudget,
    network_policy: NetworkPolicyValues,
    monitoring: MonitoringValues<'a>,
    migration: MigrationValues,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MigrationValues {
    enabled: bool,
    command: &'static [&'static str],
    backoff_limit: u32,
    active_deadline_seconds: u32,
    ttl_seconds_after_finished: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Image {
    repository: String,
    tag: String,
    pull_policy: &'static str,
    /// The deploy jobs set `digest` (or `digests.<track>`) to the exact image CI built.
    digest: &'static str,
    digests: Map<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Workload {
    name: String,
    track: &'static str,
    extra_labels: Labels,
    replicas: Option<u32>,
}

#[derive(Serialize)]
struct ArgoRollout {
    enabled: bool,
    steps: Vec<super::canary::CanaryStep>,
}

#[derive(Serialize)]
struct SecretValues {
    create: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalSecretValues {
    enabled: bool,
    refresh_interval: &'static str,
    store_name: &'static str,
    data: Vec<super::secrets::SecretData>,
    /// Where DATABASE_URL comes from when RDS rotates the password: `terraform output database`.
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<super::secrets::DatabaseValues>,
}

#[derive(Serialize)]
struct Probes {
    startup: Option<Probe>,
    liveness: Probe,
    readiness: Probe,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceValues {
    port: u16,
    extra_selector: Labels,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IngressValues<'a> {
    enabled: bool,
    class_name: &'a str,
    cluster_issuer: &'a str,
    host: String,
    path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AutoscalingValues {
    enabled: bool,
    min_replicas: u32,
    max_replicas: u32,
    #[serde(rename = "targetCPUUtilizationPercentage")]
    target_cpu: u32,
    #[serde(rename = "targetMemoryUtilizationPercentage")]
    target_memory: Option<u32>,
}

#[derive(Serialize)]
struct DisruptionBudget {
    rule: &'static str,
    value: u32,
}

/// Null for a direction with no rule, as the policy then leaves it out.
#[derive(Serialize)]
struct NetworkPolicyValues {
    ingress: Option<Vec<PolicyRule>>,
    egress: Option<Vec<PolicyRule>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MonitoringValues<'a> {
    enabled: bool,
    release: &'a str,
    endpoints: [super::monitoring::Endpoint; 1],
    rule_groups: Vec<monitoring::RuleGroup>,
}

/// All values for one environment, cut from the Kubernetes generator's own objects.
fn values<'a>(context: &Context<'a>) -> Values<'a> {
    let service = context.service;
    let rollout = &service.rollout;
    let image = context.image();
    let tag = image
        .rsplit_once(':')
        .map(|(_, tag)| tag.to_owned())
        .unwrap_or_default();
    let template = context.pod_template(&[], image);
    let pod = template.spec;
    let container = pod
        .containers
        .into_iter()
        .next()
        .expect("a pod has its container");
    let replicas = (!context.uses_hpa()).then(|| context.replicas());
    let name = context.name().to_owned();
    let workload = |name: String, track: &'static str, version: Option<&str>, replicas| Workload {
        name,
        track,
        extra_labels: version
            .map(|version| Labels::from([("version".to_owned(), version.to_owned())]))
            .unwrap_or_default(),
        replicas,
    };
    let argo =
        rollout.strategy == Strategy::Canary && rollout.canary_engine == CanaryEngine::ArgoRollouts;
    let workloads = match (rollout.strategy, rollout.canary_engine) {
        (Strategy::BlueGreen, _) => vec![
            workload(
                format!("{name}-blue"),
                "blue",
                Some("blue"),
                Some(context.replicas()),
            ),
            workload(
                format!("{name}-green"),
                "green",
                Some("green"),
                Some(context.replicas()),
            ),
        ],
        (Strategy::Canary, CanaryEngine::Istio) => vec![
            workload(name.clone(), "stable", Some("stable"), replicas),
            workload(format!("{name}-canary"), "canary", Some("canary"), Some(1)),
        ],
        _ => vec![workload(name.clone(), "", None, replicas)],
    };
    let steps = super::canary::canary_steps(&rollout.canary_steps);
    let (rule, value) = match disruption_budget(context.replicas()) {
        (Some(min), _) => ("minAvailable", min),
        (None, max) => ("maxUnavailable", max.unwrap_or(1)),
    };
    let policy = context.network_policy().body.spec;
    let autoscaling = service.autoscaling.as_ref();
    let external = external_secret_data(context);
    let kubernetes = &context.project.kubernetes;
    Values {
        instance: context.selector_labels()["app.kubernetes.io/instance"].clone(),
        name,
        part_of: &context.project.name,
        image: Image {
            repository: context.project.image(service),
            tag,
            pull_policy: "Always",
            digest: "",
            digests: Map::new(),
        },
        port: service.port,
        workloads,
        rolling_update: context.rolling_update(),
        argo_rollout: ArgoRollout {
            enabled: argo,
            steps,
        },
        pod_security_context: pod.security_context,
        security_context: container.security_context,
        termination_grace_period_seconds: pod.termination_grace_period_seconds,
        pre_stop_sleep_seconds: container
            .lifecycle
            .map(|lifecycle| lifecycle.pre_stop.sleep.seconds),
        topology_spread_constraints: pod.topology_spread_constraints,
        writable_dirs: container
            .volume_mounts
            .into_iter()
            .map(|mount| mount.mount_path)
            .collect(),
        config: context.config_map().body.data,
        secret_keys: context.service.secret_keys(),
        secret: SecretValues {
            create: super::secrets::needs_placeholder_secret(context),
        },
        external_secret: ExternalSecretValues {
            enabled: external.is_some(),
            refresh_interval: REFRESH_INTERVAL,
            store_name: STORE_NAME,
            data: external.unwrap_or_default(),
            database: super::secrets::rotated_database(context),
        },
        probes: Probes {
            startup: container.startup_probe,
            liveness: container.liveness_probe,
            readiness: container.readiness_probe,
        },
        resources: container.resources,
        service: ServiceValues {
            port: super::SERVICE_PORT,
            extra_selector: if rollout.strategy == Strategy::BlueGreen {
                Labels::from([("version".to_owned(), "blue".to_owned())])
            } else {
                Labels::new()
            },
        },
        ingress: IngressValues {
            enabled: service.ingress.is_some(),
            class_name: &kubernetes.ingress_class,
            cluster_issuer: &kubernetes.cluster_issuer,
            host: context.host().unwrap_or_default(),
            path: service.ingress.as_ref().map_or("/", |i| i.path.as_str()),
        },
        autoscaling: AutoscalingValues {
            enabled: context.uses_hpa(),
            min_replicas: autoscaling.map_or(1, |a| a.min_replicas),
            max_replicas: autoscaling.map_or(1, |a| a.max_replicas),
            target_cpu: autoscaling.map_or(80, |a| a.cpu_percent),
            target_memory: autoscaling.and_then(|a| a.memory_percent),
        },
        pod_disruption_budget: DisruptionBudget { rule, value },
        network_policy: NetworkPolicyValues {
            ingress: (!policy.ingress.is_empty()).then_some(policy.ingress),
            egress: (!policy.egress.is_empty()).then_some(policy.egress),
        },
        monitoring: MonitoringValues {
            enabled: monitoring::enabled(context),
            release: &context.project.observability.prometheus_release,
            endpoints: monitoring::endpoints(),
            rule_groups: monitoring::rule_groups(context),
        },
        migration: MigrationValues {
            enabled: service.uses_postgres,
            command: if service.uses_postgres {
                crate::migration::runner(service).up
            } else {
                &[]
            },
            backoff_limit: migration::BACKOFF_LIMIT,
            active_deadline_seconds: migration::DEADLINE_SECONDS,
            ttl_seconds_after_finished: migration::TTL_SECONDS,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    #[test]
    fn every_value_has_a_comment_within_80_columns() {
        for (key, comment) in COMMENTS {
            assert!(comment.len() + 2 <= 80, "{key}: {comment}");
        }
        let project = PRESETS[0].project();
        let values = values(&Context::new(
            &project,
            &project.services[0],
            Stage::Staging,
        ));
        let values = crate::yaml::to_node(&values);
        for (key, _) in values.entries() {
            let key = key.as_str().unwrap();
            assert!(
                COMMENTS.iter().any(|(k, _)| *k == key),
                "{key} has no comment"
            );
        }
    }

    #[test]
    fn environment_files_set_every_value_that_differs() {
        for preset in PRESETS {
            let project = preset.project();
            for service in &project.services {
                let values =
                    |stage| crate::yaml::to_node(&values(&Context::new(&project, service, stage)));
                let (staging, production) = (values(Stage::Staging), values(Stage::Production));
                for (key, value) in staging.entries() {
                    let key = key.as_str().unwrap();
                    if !production.get(key).unwrap().same_as(value) {
                        assert!(
                            PER_ENVIRONMENT.contains(&key),
                            "{}: {key} differs but is not per environment",
                            preset.name
                        );
                    }
                }
            }
        }
    }
}
