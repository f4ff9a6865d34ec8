//! The database migration of a service with PostgreSQL: a Job running the migration tool from
//! the service's own image, with the objects it needs brought along (its account, a copy of
//! the config, the secrets, egress to the database), so it runs before anything of the
//! release exists, on a first install too.
//!
//! `k8s/<environment>/<service>-migration.yaml` holds them for `kubectl`, outside the
//! kustomization: a Job's pod template cannot change, so re-applying it with a new image fails;
//! the runbook deletes the last one, applies this file and waits for it before `apply -k`. The
//! chart's `templates/migration.yaml` renders the same objects as pre-install and pre-upgrade
//! hooks.

use serde::Serialize;

use super::types::*;
use super::{Context, documents, secrets};
use crate::yaml::Yaml;

/// Retries of a failed run: one, for a database that was briefly unreachable.
pub const BACKOFF_LIMIT: u32 = 1;
/// A run longer than this fails; below the deploy's `helm --timeout 10m`, so the Job's own
/// failure, with its logs, is what the deploy reports.
pub const DEADLINE_SECONDS: u32 = 480;
/// A finished Job stays a day (a failed one for its logs); a successful hook is deleted at once.
pub const TTL_SECONDS: u32 = 86_400;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JobSpec {
    backoff_limit: u32,
    active_deadline_seconds: u32,
    ttl_seconds_after_finished: u32,
    template: JobTemplate,
}

#[derive(Serialize)]
struct JobTemplate {
    metadata: TemplateMetadata,
    spec: JobPod,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JobPod {
    service_account_name: String,
    automount_service_account_token: bool,
    restart_policy: &'static str,
    security_context: PodSecurityContext,
    containers: [JobContainer; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volumes: Vec<Volume>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JobContainer {
    name: &'static str,
    image: String,
    image_pull_policy: &'static str,
    command: Vec<String>,
    env_from: Vec<EnvFrom>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    env: Vec<EnvVar>,
    resources: Resources,
    security_context: ContainerSecurityContext,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volume_mounts: Vec<VolumeMount>,
}

/// The name of the Job and of everything it brings.
pub fn name(service: &str) -> String {
    format!("{service}-migration")
}

/// The migration's objects, or none for a service without a database.
pub(super) fn documents_for(context: &Context) -> Option<Yaml> {
    if !context.service.uses_postgres {
        return None;
    }
    let name = name(context.name());
    let mut metadata = context.metadata(&name);
    let labels = &mut metadata.labels;
    labels.insert("app.kubernetes.io/name".into(), name.clone());
    labels.insert("app.kubernetes.io/component".into(), "migration".into());
    let labels = metadata.labels.clone();
    let renamed = |suffix: &str| Metadata {
        name: format!("{name}{suffix}"),
        ..metadata.clone()
    };
    let mut out = documents(&[Object {
        api_version: "v1",
        kind: "ServiceAccount",
        metadata: metadata.clone(),
        body: ServiceAccountBody {
            automount_service_account_token: false,
        },
    }]);
    let mut config = context.config_map();
    config.metadata = renamed("-config");
    out.document(&config);
    // With a secrets store, a Secret of its own from the same store keys: the service's is
    // made by an object of the release, which a first install has not created yet.
    let external = secrets::external_secret_as(context, renamed("-secrets"));
    let secret = if external.is_some() {
        format!("{name}-secrets")
    } else {
        context.secret_name()
    };
    if let Some(external) = external {
        out += external;
    }
    let mut policy = context.network_policy();
    policy.metadata = metadata.clone();
    let spec = &mut policy.body.spec;
    spec.pod_selector.match_labels = context.selector_labels();
    spec.pod_selector
        .match_labels
        .insert("app.kubernetes.io/name".into(), name.clone());
    // Nothing connects to the migration; it only reaches DNS, the database and the same
    // services as the app.
    spec.ingress.clear();
    out.document(&policy);
    let pod = context.pod_template(&[], context.image()).spec;
    let [container] = <[Container; 1]>::try_from(pod.containers).ok()?;
    let command = crate::migration::runner(context.service).up;
    let mut env = container.env;
    for var in &mut env {
        var.value_from.secret_key_ref.name = secret.clone();
    }
    out.document(&Object {
        api_version: "batch/v1",
        kind: "Job",
        metadata,
        body: Spec {
            spec: JobSpec {
                backoff_limit: BACKOFF_LIMIT,
                active_deadline_seconds: DEADLINE_SECONDS,
                ttl_seconds_after_finished: TTL_SECONDS,
                template: JobTemplate {
                    metadata: TemplateMetadata { labels },
                    spec: JobPod {
                        service_account_name: name.clone(),
                        automount_service_account_token: false,
                        restart_policy: "Never",
                        security_context: pod.security_context,
                        containers: [JobContainer {
                            name: "migration",
                            image: container.image,
                            image_pull_policy: container.image_pull_policy,
                            command: command.iter().map(|arg| arg.to_string()).collect(),
                            env_from: vec![EnvFrom {
                                config_map_ref: NameRef {
                                    name: format!("{name}-config"),
                                },
                            }],
                            env,
                            resources: container.resources,
                            security_context: container.security_context,
                            volume_mounts: container.volume_mounts,
                        }],
                        volumes: pod.volumes,
                    },
                },
            },
        },
    });
    Some(out)
}
