//! Canary releases (Istio weights, one manifest per step, or an Argo Rollouts `Rollout`) and
//! the runbook that says how to drive every strategy by hand.

use crate::yaml::Yaml;
use serde::Serialize;

use super::types::{LabelSelector, Labels, Metadata, Object, PodTemplate};
use super::{Context, documents, folder};
use crate::model::{AppService, CanaryEngine, Project, SecretsProvider, Stage, Strategy};
use crate::yaml::Scalar;

#[derive(Serialize)]
struct Spec<T: Serialize> {
    spec: T,
}

/// `<service>-canary-step-01-10.yaml`: sorted names, so a shell glob applies them in order.
pub fn step_file(service: &AppService, index: usize, weight: u32) -> String {
    format!(
        "{}-canary-step-{:02}-{weight}.yaml",
        service.name,
        index + 1
    )
}

fn istio_metadata(context: &Context) -> Metadata {
    context.metadata(context.name())
}

/// The DestinationRule with the two subsets, and the VirtualService at 100% stable.
pub fn mesh(context: &Context) -> Yaml {
    let rule = Object {
        api_version: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: istio_metadata(context),
        body: Spec {
            spec: DestinationRuleSpec {
                host: context.name(),
                subsets: ["stable", "canary"].map(|version| Subset {
                    name: version,
                    labels: Labels::from([("version".to_owned(), version.to_owned())]),
                }),
            },
        },
    };
    documents(&[rule]) + virtual_service(context, 0)
}

/// The VirtualService sending `weight`% to the canary.
pub fn step(context: &Context, weight: u32) -> Yaml {
    virtual_service(context, weight)
}

fn virtual_service(context: &Context, canary_weight: u32) -> Yaml {
    let host = context.name();
    let route = |subset: &'static str, weight: u32| Route {
        destination: Destination {
            host,
            subset,
            port: Port {
                number: super::SERVICE_PORT,
            },
        },
        weight,
    };
    let service = Object {
        api_version: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: istio_metadata(context),
        body: Spec {
            spec: VirtualServiceSpec {
                http: [HttpRoute {
                    route: [
                        route("stable", 100 - canary_weight),
                        route("canary", canary_weight),
                    ],
                }],
                hosts: [host],
            },
        },
    };
    documents(&[service])
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RolloutSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<u32>,
    revision_history_limit: u32,
    selector: LabelSelector,
    template: PodTemplate,
    strategy: RolloutStrategy,
}

#[derive(Serialize)]
struct DestinationRuleSpec<'a> {
    host: &'a str,
    subsets: [Subset; 2],
}

#[derive(Serialize)]
struct Subset {
    name: &'static str,
    labels: Labels,
}

#[derive(Serialize)]
struct VirtualServiceSpec<'a> {
    hosts: [&'a str; 1],
    http: [HttpRoute<'a>; 1],
}

#[derive(Serialize)]
struct HttpRoute<'a> {
    route: [Route<'a>; 2],
}

#[derive(Serialize)]
struct Route<'a> {
    destination: Destination<'a>,
    weight: u32,
}

#[derive(Serialize)]
struct Destination<'a> {
    host: &'a str,
    subset: &'static str,
    port: Port,
}

#[derive(Serialize)]
struct Port {
    number: u16,
}

#[derive(Serialize)]
struct RolloutStrategy {
    canary: CanaryStrategy,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CanaryStrategy {
    max_surge: Scalar,
    max_unavailable: Scalar,
    steps: Vec<CanaryStep>,
}

/// One step of an Argo Rollouts canary: send this share of traffic, or wait.
#[derive(Serialize)]
#[serde(untagged)]
pub(super) enum CanaryStep {
    Weight {
        #[serde(rename = "setWeight")]
        set_weight: u32,
    },
    Pause {
        pause: Pause,
    },
}

#[derive(Serialize)]
pub(super) struct Pause {
    duration: &'static str,
}

/// Each canary weight below 100%, then a five-minute pause.
pub(super) fn canary_steps(weights: &[u32]) -> Vec<CanaryStep> {
    weights
        .iter()
        .filter(|w| **w < 100)
        .flat_map(|&weight| {
            [
                CanaryStep::Weight { set_weight: weight },
                CanaryStep::Pause {
                    pause: Pause { duration: "5m" },
                },
            ]
        })
        .collect()
}

/// An Argo Rollouts `Rollout` in place of the Deployment: the same pods, released in steps
/// with a pause after each so a person (or an analysis) can stop it.
pub fn rollout(context: &Context) -> Yaml {
    let steps = canary_steps(&context.service.rollout.canary_steps);
    let update = context.rolling_update();
    let object = Object {
        api_version: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: context.metadata(context.name()),
        body: Spec {
            spec: RolloutSpec {
                replicas: (!context.uses_hpa()).then(|| context.replicas()),
                revision_history_limit: 5,
                selector: LabelSelector {
                    match_labels: context.selector_labels(),
                },
                template: context.pod_template(&[], context.image()),
                strategy: RolloutStrategy {
                    canary: CanaryStrategy {
                        max_surge: update.max_surge,
                        max_unavailable: update.max_unavailable,
                        steps,
                    },
                },
            },
        },
    };
    documents(&[object])
}

/// `k8s/README.md`: applying the manifests, and each service's release and rollback commands
/// with this project's own names.
pub fn runbook(project: &Project) -> String {
    let by_hand = project.secrets_provider == SecretsProvider::None;
    let mut out = String::from(
        "<!-- Generated by Shipshape; change the settings rather than this file. -->\n\
         # Kubernetes manifests\n\n\
         Each environment folder is a kustomization: `kubectl apply -k k8s/<environment>`.\n",
    );
    let any_secret = project.services.iter().any(|s| !s.secret_keys().is_empty());
    out.push_str(if !any_secret {
        ""
    } else if by_hand {
        "With no secrets store, the Secrets the pods read (`<service>-secrets`) are yours to\n\
         fill in and apply once, before the first apply; they stay out of the kustomization so\n\
         that applying it again never blanks them.\n"
    } else {
        "The Secrets the pods read (`<service>-secrets`) are created by External Secrets\n\
         from your secrets store; only their key names appear here.\n"
    });
    for stage in Stage::ALL {
        let environment = project.environment(stage);
        let ns = &environment.namespace;
        let dir = folder(stage);
        out.push_str(&format!(
            "\n## {} (`{dir}`, namespace `{ns}`)\n\n",
            environment.name
        ));
        // Secrets made by hand come first, in a namespace that must exist before them.
        let mut first = Vec::new();
        for service in &project.services {
            if by_hand && !service.secret_keys().is_empty() {
                first.push(format!(
                    "# after filling in its values:\nkubectl apply -f {dir}/{}-secret.yaml\n",
                    service.name
                ));
            }
        }
        let postgres = project.kubernetes.in_cluster_postgres && project.postgres.is_some();
        if postgres {
            first.push(format!(
                "kubectl -n {ns} create secret generic postgres-credentials \\\n  \
                 --from-literal=username={db} --from-literal=password=\"$(openssl rand -base64 24)\"\n",
                db = project.postgres.as_ref().map(|p| p.database.as_str()).unwrap_or_default()
            ));
        }
        if !first.is_empty() {
            out.push_str(if postgres {
                "PostgreSQL reads its credentials from the Secret `postgres-credentials` (keys\n\
                 `username` and `password`). Create the namespace (with its policy, quota and\n\
                 secrets store) and the Secrets once, before the first apply:\n\n"
            } else {
                "Create the namespace (with its policy, quota and secrets store) and the Secrets\n\
                 once, before the first apply:\n\n"
            });
            out.push_str(&format!(
                "```sh\nkubectl apply -k {dir}/platform\n{}```\n\nThen, and for every change:\n\n",
                first.concat()
            ));
        }
        let rotated = crate::generate::terraform::rotated_database_url(project);
        // Migrations first, on the first apply too: the new pods expect the new schema.
        // They need the namespace, and the database when it runs in the cluster.
        let mut migrations = if first.is_empty() {
            format!("kubectl apply -k {dir}/platform\n")
        } else {
            String::new()
        };
        if rotated {
            // What the migration's ExternalSecret needs too (see below).
            migrations.push_str(
                "export DATABASE_HOST=\"$(terraform -chdir=terraform output -json database | jq -r .host)\"\n\
                 export DATABASE_MASTER_SECRET_ARN=\"$(terraform -chdir=terraform output -json database | jq -r .masterSecretArn)\"\n",
            );
        }
        if postgres {
            migrations.push_str(&format!(
                "kubectl apply -f {dir}/postgres.yaml\n\
                 kubectl -n {ns} rollout status statefulset/postgres --timeout=5m\n"
            ));
        }
        for service in project.services.iter().filter(|s| s.uses_postgres) {
            let job = super::migration::name(&service.name);
            // With a rotated database password the file holds the same stand-ins as the rest.
            let (apply, tail) = if rotated {
                (
                    "envsubst '$DATABASE_HOST $DATABASE_MASTER_SECRET_ARN' <",
                    " | kubectl apply -f -",
                )
            } else {
                ("kubectl apply -f", "")
            };
            migrations.push_str(&format!(
                "kubectl -n {ns} delete job {job} --ignore-not-found\n\
                 {apply} {dir}/{job}.yaml{tail}\n\
                 kubectl -n {ns} wait --for=condition=complete job/{job} --timeout=10m\n"
            ));
        }
        if project.services.iter().any(|s| s.uses_postgres) {
            out.push_str(&format!(
                "Before the apply, and before each release, run the database migrations from the new\n\
                 images and wait for them. A Job's pod template cannot change, so the last run is\n\
                 deleted first; the files name the branch's tag: set `image:` to IMAGE@DIGEST to\n\
                 migrate with the exact image you release.\n\n```sh\n{migrations}```\n\n"
            ));
        }
        if rotated {
            // The ExternalSecrets hold stand-ins for what only Terraform's output knows.
            out.push_str(&format!(
                "DATABASE_URL is built by External Secrets from the password RDS rotates, so the\n\
                 manifests hold `{}` and `{}`, filled from this\n\
                 environment's Terraform state as they are applied:\n\n\
                 ```sh\n\
                 export DATABASE_HOST=\"$(terraform -chdir=terraform output -json database | jq -r .host)\"\n\
                 export DATABASE_MASTER_SECRET_ARN=\"$(terraform -chdir=terraform output -json database | jq -r .masterSecretArn)\"\n\
                 kubectl kustomize {dir} | envsubst '$DATABASE_HOST $DATABASE_MASTER_SECRET_ARN' | kubectl apply -f -\n\
                 ```\n",
                super::secrets::HOST_VARIABLE,
                super::secrets::SECRET_VARIABLE
            ));
        } else {
            out.push_str(&format!("```sh\nkubectl apply -k {dir}\n```\n"));
        }
        for service in &project.services {
            let name = &service.name;
            out.push_str(&format!(
                "\n### {name}: {}\n\n",
                service.rollout.strategy.label()
            ));
            match (service.rollout.strategy, service.rollout.canary_engine) {
                (Strategy::Rolling, _) => out.push_str(&format!(
                    "A rolling update replaces pods {} at a time (maxSurge {}, maxUnavailable {}).\n\n\
                     ```sh\n\
                     kubectl -n {ns} set image deployment/{name} {name}=IMAGE@DIGEST\n\
                     kubectl -n {ns} rollout status deployment/{name} --timeout=5m\n\
                     # Roll back to the previous ReplicaSet:\n\
                     kubectl -n {ns} rollout undo deployment/{name}\n\
                     ```\n",
                    service.rollout.max_surge, service.rollout.max_surge, service.rollout.max_unavailable
                )),
                (Strategy::BlueGreen, _) => out.push_str(&format!(
                    "Two Deployments, `{name}-blue` and `{name}-green`; the Service `{name}` sends all\n\
                     traffic to the colour in its `version` selector. Release to the idle colour, check\n\
                     it, then switch; switching back is the rollback.\n\n\
                     ```sh\n\
                     live=$(kubectl -n {ns} get service {name} -o jsonpath='{{.spec.selector.version}}')\n\
                     idle=$([ \"$live\" = blue ] && echo green || echo blue)\n\
                     kubectl -n {ns} set image \"deployment/{name}-$idle\" \"{name}=IMAGE@DIGEST\"\n\
                     kubectl -n {ns} rollout status \"deployment/{name}-$idle\" --timeout=5m\n\
                     # Switch all traffic to the new colour:\n\
                     kubectl -n {ns} patch service {name} --type merge -p \"{{\\\"spec\\\":{{\\\"selector\\\":{{\\\"version\\\":\\\"$idle\\\"}}}}}}\"\n\
                     # Roll back: switch to the old colour, still running the old version:\n\
                     kubectl -n {ns} patch service {name} --type merge -p \"{{\\\"spec\\\":{{\\\"selector\\\":{{\\\"version\\\":\\\"$live\\\"}}}}}}\"\n\
                     ```\n"
                )),
                (Strategy::Canary, CanaryEngine::Istio) => {
                    let steps: Vec<String> = service
                        .rollout
                        .canary_steps
                        .iter()
                        .enumerate()
                        .map(|(index, weight)| format!("kubectl apply -f {}/{}   # {weight}%\n", folder(stage), step_file(service, index, *weight)))
                        .collect();
                    out.push_str(&format!(
                        "Deployments `{name}` (stable) and `{name}-canary`; Istio splits the traffic of mesh\n\
                         clients by the weights in the VirtualService `{name}`. Release to the canary,\n\
                         raise its share step by step while watching the error rate, then promote.\n\n\
                         ```sh\n\
                         kubectl -n {ns} set image deployment/{name}-canary {name}=IMAGE@DIGEST\n\
                         kubectl -n {ns} rollout status deployment/{name}-canary --timeout=5m\n\
                         {}\
                         # Promote: the stable Deployment takes the new image, then all traffic returns to it.\n\
                         kubectl -n {ns} set image deployment/{name} {name}=IMAGE@DIGEST\n\
                         kubectl -n {ns} rollout status deployment/{name} --timeout=5m\n\
                         kubectl apply -f {}/{name}-mesh.yaml\n\
                         # Roll back at any step: all traffic to stable.\n\
                         kubectl apply -f {}/{name}-mesh.yaml\n\
                         ```\n",
                        steps.concat(),
                        folder(stage),
                        folder(stage)
                    ));
                }
                (Strategy::Canary, CanaryEngine::ArgoRollouts) => out.push_str(&format!(
                    "An Argo Rollouts `Rollout` named `{name}` replaces the Deployment. A new image starts\n\
                     the steps ({}%), pausing 5 minutes after each.\n\n\
                     ```sh\n\
                     kubectl -n {ns} argo rollouts set image {name} {name}=IMAGE@DIGEST\n\
                     kubectl -n {ns} argo rollouts get rollout {name} --watch\n\
                     # Skip the remaining pauses, or roll back:\n\
                     kubectl -n {ns} argo rollouts promote {name}\n\
                     kubectl -n {ns} argo rollouts abort {name}\n\
                     ```\n",
                    service.rollout.canary_steps.iter().map(u32::to_string).collect::<Vec<_>>().join(" -> ")
                )),
            }
        }
    }
    out
}
