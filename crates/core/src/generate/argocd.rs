//! Argo CD: an Application per service and environment that syncs that environment's chart
//! values from the repository, and an ApplicationSet that generates the same Applications.

use serde::Serialize;

use crate::bundle::GeneratedFile;
use crate::model::{AppService, DeployTool, Project, Stage};

/// The namespace Argo CD itself runs in, where its Applications live.
pub const NAMESPACE: &str = "argocd";

fn repository_url(project: &Project) -> String {
    format!(
        "https://github.com/{}/{}.git",
        project.repository.owner, project.repository.name
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<T: Serialize> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: T,
}

#[derive(Serialize)]
struct Metadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<Labels>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finalizers: Option<[&'static str; 1]>,
}

#[derive(Serialize)]
struct Labels {
    #[serde(rename = "app.kubernetes.io/part-of")]
    part_of: String,
    #[serde(rename = "app.kubernetes.io/managed-by")]
    managed_by: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    project: &'static str,
    source: Source<'a>,
    destination: Destination<'a>,
    sync_policy: SyncPolicy,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Source<'a> {
    #[serde(rename = "repoURL")]
    repo_url: String,
    target_revision: &'a str,
    path: &'a str,
    /// A chart's release; none for a kustomization (the platform).
    #[serde(skip_serializing_if = "Option::is_none")]
    helm: Option<Helm<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Helm<'a> {
    release_name: &'a str,
    value_files: [&'a str; 2],
}

#[derive(Serialize)]
struct Destination<'a> {
    server: &'static str,
    namespace: &'a str,
}

/// Automated sync that deletes what was removed from Git and undoes changes made by hand,
/// retried with backoff; the namespace is created with restricted Pod Security.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncPolicy {
    automated: Automated,
    sync_options: [&'static str; 1],
    managed_namespace_metadata: ManagedNamespace,
    retry: Retry,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Automated {
    prune: bool,
    self_heal: bool,
}

#[derive(Serialize)]
struct ManagedNamespace {
    labels: PodSecurity,
}

/// Restricted Pod Security, enforced and reported.
#[derive(Serialize)]
struct PodSecurity {
    #[serde(rename = "pod-security.kubernetes.io/enforce")]
    enforce: &'static str,
    #[serde(rename = "pod-security.kubernetes.io/audit")]
    audit: &'static str,
    #[serde(rename = "pod-security.kubernetes.io/warn")]
    warn: &'static str,
}

#[derive(Serialize)]
struct Retry {
    limit: u32,
    backoff: Backoff,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Backoff {
    duration: &'static str,
    factor: u32,
    max_duration: &'static str,
}

fn sync_policy() -> SyncPolicy {
    SyncPolicy {
        automated: Automated {
            prune: true,
            self_heal: true,
        },
        sync_options: ["CreateNamespace=true"],
        managed_namespace_metadata: ManagedNamespace {
            labels: PodSecurity {
                enforce: "restricted",
                audit: "restricted",
                warn: "restricted",
            },
        },
        retry: Retry {
            limit: 5,
            backoff: Backoff {
                duration: "5s",
                factor: 2,
                max_duration: "3m",
            },
        },
    }
}

/// Object metadata an Application carries, named `name`, in `namespace` when given (the
/// ApplicationSet's template takes its namespace from the set).
fn metadata(project: &Project, name: String, namespace: Option<&'static str>) -> Metadata {
    Metadata {
        name,
        namespace,
        labels: Some(Labels {
            part_of: project.name.clone(),
            managed_by: "shipshape",
        }),
        // Deleting the Application deletes what it deployed.
        finalizers: Some(["resources-finalizer.argocd.argoproj.io"]),
    }
}

/// The spec of an Application: the chart at `path` on `revision`, with `values` on top of
/// values.yaml, released as `release` into `namespace`. The ApplicationSet passes templates.
fn spec<'a>(
    project: &Project,
    revision: &'a str,
    path: &'a str,
    release: &'a str,
    values: &'a str,
    namespace: &'a str,
) -> Spec<'a> {
    Spec {
        project: "default",
        source: Source {
            repo_url: repository_url(project),
            target_revision: revision,
            path,
            helm: Some(Helm {
                release_name: release,
                value_files: ["values.yaml", values],
            }),
        },
        destination: Destination {
            server: "https://kubernetes.default.svc",
            namespace,
        },
        sync_policy: sync_policy(),
    }
}

fn application(project: &Project, service: &AppService, stage: Stage) -> GeneratedFile {
    let chart = super::kubernetes::helm::folder(&service.name);
    let values = format!("values/{}.yaml", stage.key());
    let object = Object {
        api_version: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: metadata(
            project,
            format!("{}-{}", service.name, stage.key()),
            Some(NAMESPACE),
        ),
        spec: spec(
            project,
            project.branch(stage),
            &chart,
            &service.name,
            &values,
            &project.environment(stage).namespace,
        ),
    };
    let mut yaml =
        crate::yaml::Yaml::with_comments(&format!("{HEADER}{}", apply_once(project, stage)));
    yaml.document(&object);
    yaml.into_file(format!("argocd/{}/{}.yaml", stage.key(), service.name))
}

/// The environment's platform (`k8s/<environment>/platform`: the namespace, its default-deny
/// policy and quota, the secrets store), synced like the services, so the GitOps path
/// delivers what the charts' objects need.
fn platform(project: &Project, stage: Stage) -> GeneratedFile {
    let path = format!(
        "{}/{}",
        super::kubernetes::folder(stage),
        super::kubernetes::PLATFORM
    );
    let namespace = &project.environment(stage).namespace;
    let mut spec = spec(project, project.branch(stage), &path, "", "", namespace);
    spec.source.helm = None;
    let object = Object {
        api_version: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: metadata(
            project,
            format!("{}-platform-{}", project.name, stage.key()),
            Some(NAMESPACE),
        ),
        spec,
    };
    let mut yaml = crate::yaml::Yaml::with_comments(&format!(
        "{HEADER}# What the services need first.\n{}",
        apply_once(project, stage)
    ));
    yaml.document(&object);
    yaml.into_file(format!("argocd/{}/platform.yaml", stage.key()))
}

/// Where an environment's Applications go. On AWS each environment has its own cluster with
/// its own Argo CD, which deploys into the cluster it runs in: the clusters' API endpoints stay
/// private, no Argo CD holds credentials for another cluster, and staging's cannot touch
/// production. Without a cloud, one Argo CD deploys both namespaces of the existing cluster.
fn apply_once(project: &Project, stage: Stage) -> String {
    match project.aws {
        Some(_) => format!(
            "# Apply once, to the Argo CD in {}'s own cluster ({}):\n#   kubectl apply -n {NAMESPACE} -f <this file>\n",
            project.environment(stage).name,
            super::terraform::AwsNames::new(project, stage).cluster
        ),
        None => format!("# Apply once: kubectl apply -n {NAMESPACE} -f <this file>\n"),
    }
}

const HEADER: &str = "# Generated by Shipshape; change the settings rather than this file.\n";

/// One Application of the set: what its template fills in.
#[derive(Serialize)]
struct Element<'a> {
    service: &'a str,
    environment: &'static str,
    namespace: &'a str,
    branch: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationSetSpec<'a> {
    go_template: bool,
    go_template_options: [&'static str; 1],
    generators: [ListGenerator<'a>; 1],
    template: Template<'a>,
}

#[derive(Serialize)]
struct ListGenerator<'a> {
    list: Elements<'a>,
}

#[derive(Serialize)]
struct Elements<'a> {
    elements: Vec<Element<'a>>,
}

#[derive(Serialize)]
struct Template<'a> {
    metadata: Metadata,
    spec: Spec<'a>,
}

pub fn files(project: &Project) -> Vec<GeneratedFile> {
    if project.deploy_tool != DeployTool::ArgoCd {
        return Vec::new();
    }
    let mut files = Vec::new();
    let mut elements = Vec::new();
    for stage in Stage::ALL {
        files.push(platform(project, stage));
        for service in &project.services {
            files.push(application(project, service, stage));
            elements.push(Element {
                service: &service.name,
                environment: stage.key(),
                namespace: &project.environment(stage).namespace,
                branch: project.branch(stage),
            });
        }
    }
    if project.aws.is_some() {
        // One Argo CD per cluster: a set spanning both environments would put both in each.
        return files;
    }
    let set = Object {
        api_version: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: Metadata {
            name: project.name.clone(),
            namespace: Some(NAMESPACE),
            labels: None,
            finalizers: None,
        },
        spec: ApplicationSetSpec {
            go_template: true,
            go_template_options: ["missingkey=error"],
            generators: [ListGenerator {
                list: Elements { elements },
            }],
            template: Template {
                metadata: metadata(project, "{{ .service }}-{{ .environment }}".into(), None),
                spec: spec(
                    project,
                    "{{ .branch }}",
                    "charts/{{ .service }}",
                    "{{ .service }}",
                    "values/{{ .environment }}.yaml",
                    "{{ .namespace }}",
                ),
            },
        },
    };
    let mut yaml = crate::yaml::Yaml::with_comments(&format!(
        "{HEADER}# The services' Applications from one object; use this or their files per environment.\n# The platform Applications (argocd/<environment>/platform.yaml) are needed either way.\n"
    ));
    yaml.document(&set);
    files.push(yaml.into_file("argocd/applicationset.yaml".into()));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    /// Terraform builds a cluster per environment, each running its own Argo CD: nothing may
    /// send both environments to one cluster. Without a cloud both share the existing one.
    #[test]
    fn each_cluster_gets_only_its_environment() {
        let project = crate::model::preset("fullstack-fastapi-react")
            .unwrap()
            .project();
        let bundle = crate::generate(&project);
        assert!(bundle.get("argocd/applicationset.yaml").is_none());
        let staging = &bundle.get("argocd/staging/backend.yaml").unwrap().contents;
        assert!(staging.contains("Argo CD in staging's own cluster (assistant-staging)"));
        let mut existing = project.clone();
        existing.aws = None;
        assert!(
            crate::generate(&existing)
                .get("argocd/applicationset.yaml")
                .is_some()
        );
    }

    #[test]
    fn applications_point_at_each_chart_and_environment() {
        for preset in PRESETS
            .iter()
            .filter(|p| p.project().deploy_tool == DeployTool::ArgoCd)
        {
            let project = preset.project();
            let bundle = crate::generate(&project);
            for stage in Stage::ALL {
                for service in &project.services {
                    let text = &bundle
                        .get(&format!("argocd/{}/{}.yaml", stage.key(), service.name))
                        .unwrap()
                        .contents;
                    let app: serde_norway::Value = serde_norway::from_str(text).unwrap();
                    let source = &app["spec"]["source"];
                    let chart = source["path"].as_str().unwrap();
                    assert!(
                        bundle.get(&format!("{chart}/Chart.yaml")).is_some(),
                        "{chart}"
                    );
                    let values = source["helm"]["valueFiles"][1].as_str().unwrap();
                    assert!(
                        bundle.get(&format!("{chart}/{values}")).is_some(),
                        "{values}"
                    );
                    assert_eq!(
                        app["spec"]["destination"]["namespace"].as_str(),
                        Some(project.environment(stage).namespace.as_str())
                    );
                    assert_eq!(
                        app["spec"]["syncPolicy"]["automated"]["prune"].as_bool(),
                        Some(true)
                    );
                }
            }
        }
    }
}
