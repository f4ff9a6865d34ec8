//! A Helm chart per app service (`charts/<service>/`) that renders exactly the objects of
//! `k8s/<environment>/<service>.yaml` with `values.yaml` plus `values/<environment>.yaml`.
//!
//! The templates are Go templates kept as files beside this module (they are not data); the
//! values are cut from the very objects the Kubernetes generator builds, so the two agree by
//! construction, and conformance renders every chart with the real Helm engine to prove it.

use serde_json::{Value, json};

use super::secrets::{REFRESH_INTERVAL, STORE_NAME, external_secret_data};
use super::{Context, disruption_budget, monitoring};
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
        let per_stage =
            Stage::ALL.map(|stage| (stage, values(&Context::new(project, service, stage))));
        let staging = per_stage
            .iter()
            .find_map(|(stage, values)| (*stage == Stage::Staging).then_some(values))
            .expect("staging is a stage");
        let mut yaml = Yaml::with_comments(
            "# Generated by Shipshape; change the settings rather than this file.\n\
             # Defaults are staging's; values/<environment>.yaml sets what differs.\n",
        );
        yaml.document_commented(staging, |key| {
            COMMENTS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, comment)| *comment)
        });
        files.push(yaml.into_file(format!("{root}/values.yaml")));
        for (stage, all) in &per_stage {
            let stage = *stage;
            let subset: serde_json::Map<String, Value> = PER_ENVIRONMENT
                .iter()
                .map(|key| (key.to_string(), all[*key].clone()))
                .collect();
            let header = format!(
                "# Values for {}: helm upgrade --install -f values/{}.yaml\n",
                project.environment(stage).name,
                stage.key()
            );
            let mut yaml = Yaml::with_comments(&header);
            yaml.document(&subset);
            files.push(yaml.into_file(format!("{root}/values/{}.yaml", stage.key())));
        }
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

fn chart_yaml(project: &Project, service: &str) -> Yaml {
    let chart = json!({
        "apiVersion": "v2",
        "name": service,
        "description": format!("The {service} service of {}.", project.name),
        "type": "application",
        "version": "0.1.0",
        "appVersion": "1.0.0",
        // The preStop sleep action needs Kubernetes 1.30 or later.
        "kubeVersion": ">= 1.30.0-0",
    });
    let mut yaml = Yaml::with_comments(
        "# Generated by Shipshape; change the settings rather than this file.\n",
    );
    yaml.document(&chart);
    yaml
}

/// The pointer `path` in `value`, cloned; null when absent.
fn at(value: &Value, path: &str) -> Value {
    value.pointer(path).cloned().unwrap_or(Value::Null)
}

/// All values for one environment, cut from the Kubernetes generator's own objects.
fn values(context: &Context) -> Value {
    let service = context.service;
    let rollout = &service.rollout;
    let template =
        serde_json::to_value(context.pod_template(&[], context.image())).expect("serializes");
    let container = at(&template, "/spec/containers/0");
    let replicas = (!context.uses_hpa()).then(|| context.replicas());
    let name = context.name().to_owned();
    let workload = |name: String, track: &str, labels: Value, replicas: Option<u32>| json!({ "name": name, "track": track, "extraLabels": labels, "replicas": replicas });
    let argo =
        rollout.strategy == Strategy::Canary && rollout.canary_engine == CanaryEngine::ArgoRollouts;
    let workloads = match (rollout.strategy, rollout.canary_engine) {
        (Strategy::BlueGreen, _) => vec![
            workload(
                format!("{name}-blue"),
                "blue",
                json!({ "version": "blue" }),
                Some(context.replicas()),
            ),
            workload(
                format!("{name}-green"),
                "green",
                json!({ "version": "green" }),
                Some(context.replicas()),
            ),
        ],
        (Strategy::Canary, CanaryEngine::Istio) => vec![
            workload(
                name.clone(),
                "stable",
                json!({ "version": "stable" }),
                replicas,
            ),
            workload(
                format!("{name}-canary"),
                "canary",
                json!({ "version": "canary" }),
                Some(1),
            ),
        ],
        _ => vec![workload(name.clone(), "", json!({}), replicas)],
    };
    let steps: Vec<Value> = rollout
        .canary_steps
        .iter()
        .filter(|w| **w < 100)
        .flat_map(|weight| {
            [
                json!({ "setWeight": weight }),
                json!({ "pause": { "duration": "5m" } }),
            ]
        })
        .collect();
    let (rule, value) = match disruption_budget(context.replicas()) {
        (Some(min), _) => ("minAvailable", min),
        (None, max) => ("maxUnavailable", max.unwrap_or(1)),
    };
    let policy = serde_json::to_value(context.network_policy()).expect("serializes");
    let autoscaling = service.autoscaling.as_ref();
    let external = external_secret_data(context);
    let image = context.project.image(service);
    let tag = context
        .image()
        .rsplit_once(':')
        .map(|(_, tag)| tag.to_owned())
        .unwrap_or_default();
    json!({
        "name": name,
        "instance": context.selector_labels()["app.kubernetes.io/instance"],
        "partOf": context.project.name,
        // The deploy jobs set `digest` (or `digests.<track>`) to the exact image CI built.
        "image": { "repository": image, "tag": tag, "pullPolicy": "Always", "digest": "", "digests": {} },
        "port": service.port,
        "workloads": workloads,
        "rollingUpdate": serde_json::to_value(context.rolling_update()).expect("serializes"),
        "argoRollout": { "enabled": argo, "steps": steps },
        "podSecurityContext": at(&template, "/spec/securityContext"),
        "securityContext": at(&container, "/securityContext"),
        "terminationGracePeriodSeconds": at(&template, "/spec/terminationGracePeriodSeconds"),
        "preStopSleepSeconds": at(&container, "/lifecycle/preStop/sleep/seconds"),
        "topologySpreadConstraints": template.pointer("/spec/topologySpreadConstraints").cloned().unwrap_or(json!([])),
        "writableDirs": container["volumeMounts"].as_array().into_iter().flatten().map(|m| m["mountPath"].clone()).collect::<Vec<_>>(),
        "config": serde_json::to_value(context.config_map().body.data).expect("serializes"),
        "secretKeys": context.secret_keys(),
        "secret": { "create": super::secrets::placeholder_secret(context).is_some() },
        "externalSecret": {
            "enabled": external.is_some(),
            "refreshInterval": REFRESH_INTERVAL,
            "storeName": STORE_NAME,
            "data": external.unwrap_or_default(),
        },
        "probes": {
            "startup": at(&container, "/startupProbe"),
            "liveness": at(&container, "/livenessProbe"),
            "readiness": at(&container, "/readinessProbe"),
        },
        "resources": at(&container, "/resources"),
        "service": {
            "port": super::SERVICE_PORT,
            "extraSelector": if rollout.strategy == Strategy::BlueGreen { json!({ "version": "blue" }) } else { json!({}) },
        },
        "ingress": {
            "enabled": service.ingress.is_some(),
            "className": context.project.kubernetes.ingress_class,
            "clusterIssuer": context.project.kubernetes.cluster_issuer,
            "host": context.host().unwrap_or_default(),
            "path": service.ingress.as_ref().map(|i| i.path.clone()).unwrap_or_else(|| "/".into()),
        },
        "autoscaling": {
            "enabled": context.uses_hpa(),
            "minReplicas": autoscaling.map_or(1, |a| a.min_replicas),
            "maxReplicas": autoscaling.map_or(1, |a| a.max_replicas),
            "targetCPUUtilizationPercentage": autoscaling.map_or(80, |a| a.cpu_percent),
            "targetMemoryUtilizationPercentage": autoscaling.and_then(|a| a.memory_percent),
        },
        "podDisruptionBudget": { "rule": rule, "value": value },
        "networkPolicy": { "ingress": at(&policy, "/spec/ingress"), "egress": at(&policy, "/spec/egress") },
        "monitoring": {
            "enabled": monitoring::enabled(context),
            "release": context.project.observability.prometheus_release,
            "endpoints": monitoring::service_monitor_spec(context)["endpoints"].clone(),
            "ruleGroups": monitoring::rule_groups(context),
        },
    })
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
        for key in values.as_object().unwrap().keys() {
            assert!(
                COMMENTS.iter().any(|(k, _)| k == key),
                "{key} has no comment"
            );
        }
    }

    #[test]
    fn environment_files_set_every_value_that_differs() {
        for preset in PRESETS {
            let project = preset.project();
            for service in &project.services {
                let staging = values(&Context::new(&project, service, Stage::Staging));
                let production = values(&Context::new(&project, service, Stage::Production));
                for (key, value) in staging.as_object().unwrap() {
                    if production[key] != *value {
                        assert!(
                            PER_ENVIRONMENT.contains(&key.as_str()),
                            "{}: {key} differs but is not per environment",
                            preset.name
                        );
                    }
                }
            }
        }
    }
}
