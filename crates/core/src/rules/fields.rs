//! Which setting a finding on a generated file comes from, so the app can take the user from
//! the finding to the form field that changes it.
//!
//! The file tells the service and the environment (`k8s/staging/api.yaml`, `api/Dockerfile`,
//! `.github/workflows/api.yml`, `charts/api/...`); the rule tells which of the service's
//! settings. A finding no setting explains (an action pinned to a tag, say) names none.

use super::Diagnostic;
use crate::model::{AppService, EnvironmentField, Field, Project, ServiceField, Stage};

/// Every finding over the project's generated bundle, each with the setting it comes from.
pub fn lint_project(project: &Project, bundle: &crate::Bundle) -> Vec<Diagnostic> {
    let mut found = super::lint_bundle(bundle);
    for diagnostic in &mut found {
        diagnostic.field = field_for(project, diagnostic);
    }
    found
}

/// The environment a generated file is for.
pub(crate) fn stage_of(path: &str) -> Option<Stage> {
    let parts: Vec<&str> = path.split('/').collect();
    let key = match parts.as_slice() {
        ["k8s" | "argocd", stage, _] => *stage,
        ["charts", _, "values", file] => file.strip_suffix(".yaml")?,
        ["terraform", "environments", file] => file.split('.').next()?,
        _ => return None,
    };
    Stage::ALL.into_iter().find(|stage| stage.key() == key)
}

/// The app service a generated file is for.
pub(crate) fn service_of(project: &Project, path: &str) -> Option<usize> {
    project.services.iter().position(|service| {
        let name = &service.name;
        let folder = service.folder_prefix();
        path == format!("{folder}Dockerfile")
            || path == format!("{folder}.dockerignore")
            || path == format!(".github/workflows/{name}.yml")
            || path.starts_with(&format!("charts/{name}/"))
            || path.starts_with(&format!("observability/snippets/{name}/"))
            || matches!(
                path.split('/').collect::<Vec<_>>().as_slice(),
                ["k8s" | "argocd", _, file] if file.strip_suffix(".yaml") == Some(name)
            )
    })
}

/// The setting that decides how many pods a service runs in `stage`.
pub(crate) fn replicas_field(project: &Project, index: usize, stage: Option<Stage>) -> Field {
    let service = &project.services[index];
    if service.autoscaling.is_some() {
        Field::Service(index, ServiceField::AutoscalingMin)
    } else if let Some(stage) = stage
        && project.environment(stage).replicas.is_some()
    {
        Field::Environment(stage, EnvironmentField::Replicas)
    } else {
        Field::Service(index, ServiceField::Replicas)
    }
}

/// The environment variable of `service` that a message names.
fn env_named_in(service: &AppService, message: &str) -> Option<usize> {
    service.env.iter().position(|variable| {
        !variable.name.is_empty()
            && message
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| word == variable.name)
    })
}

pub fn field_for(project: &Project, diagnostic: &Diagnostic) -> Option<Field> {
    let path = diagnostic.file.as_str();
    let stage = stage_of(path);
    // Findings about settings of the whole project.
    match diagnostic.code {
        "ST012" => return Some(Field::AwsPublicEndpointCidrs),
        "SX005" => return Some(Field::DeployTool),
        "SK014" => {
            return stage.map(|stage| Field::Environment(stage, EnvironmentField::Namespace));
        }
        _ => {}
    }
    let index = service_of(project, path)?;
    let service = &project.services[index];
    let field = |field: ServiceField| Some(Field::Service(index, field));
    match diagnostic.code {
        "SD001" | "SD002" => field(ServiceField::Version),
        "SD016" => env_named_in(service, &diagnostic.message)
            .and_then(|env| field(ServiceField::EnvName(env))),
        "SK021" => env_named_in(service, &diagnostic.message)
            .and_then(|env| field(ServiceField::EnvValue(env))),
        "SD017" | "SK004" | "SK019" | "SK020" | "SX001" => field(ServiceField::Port),
        "SK001" => field(ServiceField::CpuRequest),
        "SK002" | "SK003" => field(ServiceField::LivenessPath),
        "SX002" => field(ServiceField::ReadinessPath),
        "SK009" | "SX003" => field(ServiceField::Image),
        "SK012" => field(ServiceField::IngressHost),
        "SK013" | "SK016" | "SK017" | "SX007" => Some(replicas_field(project, index, stage)),
        "SX006" if service.autoscaling.is_some() => field(ServiceField::AutoscalingMax),
        "SX006" => Some(replicas_field(project, index, stage)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;

    fn project() -> Project {
        preset("fullstack-fastapi-react").unwrap().project()
    }

    #[test]
    fn files_name_their_service_and_environment() {
        let project = project();
        let bundle = crate::generate(&project);
        for (index, service) in project.services.iter().enumerate() {
            let owned: Vec<&str> = bundle
                .files()
                .iter()
                .map(|f| f.path.as_str())
                .filter(|path| service_of(&project, path) == Some(index))
                .collect();
            // Dockerfile, .dockerignore, workflow, two manifests, two Argo CD apps, a chart.
            for wanted in [
                format!("{}Dockerfile", service.folder_prefix()),
                format!(".github/workflows/{}.yml", service.name),
                format!("k8s/staging/{}.yaml", service.name),
                format!("argocd/production/{}.yaml", service.name),
                format!("charts/{}/values.yaml", service.name),
            ] {
                assert!(
                    owned.contains(&wanted.as_str()),
                    "{wanted} not in {owned:?}"
                );
            }
        }
        assert_eq!(service_of(&project, "docker-compose.yml"), None);
        assert_eq!(
            stage_of("k8s/production/backend.yaml"),
            Some(Stage::Production)
        );
        assert_eq!(
            stage_of("charts/backend/values/staging.yaml"),
            Some(Stage::Staging)
        );
        assert_eq!(
            stage_of("terraform/environments/production.tfvars"),
            Some(Stage::Production)
        );
        assert_eq!(stage_of("charts/backend/values.yaml"), None);
    }

    #[test]
    fn one_replica_is_traced_to_the_replica_field() {
        let mut project = project();
        let index = project
            .services
            .iter()
            .position(|s| s.autoscaling.is_none())
            .unwrap_or(0);
        project.services[index].autoscaling = None;
        project.services[index].replicas = 1;
        for stage in Stage::ALL {
            project.environment_mut(stage).replicas = None;
        }
        let found = lint_project(&project, &crate::generate(&project));
        let single: Vec<&Diagnostic> = found.iter().filter(|d| d.code == "SK016").collect();
        assert!(!single.is_empty(), "{found:#?}");
        for diagnostic in single {
            assert_eq!(
                diagnostic.field,
                Some(Field::Service(index, ServiceField::Replicas)),
                "{diagnostic}"
            );
        }
    }

    #[test]
    fn an_environment_override_is_traced_to_the_environment() {
        let mut project = project();
        let index = 0;
        project.services[index].autoscaling = None;
        project.environment_mut(Stage::Staging).replicas = Some(1);
        let found = lint_project(&project, &crate::generate(&project));
        let staging = found
            .iter()
            .find(|d| d.code == "SK016" && d.file.starts_with("k8s/staging/"))
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert_eq!(
            staging.field,
            Some(Field::Environment(
                Stage::Staging,
                EnvironmentField::Replicas
            ))
        );
    }

    #[test]
    fn a_public_cluster_endpoint_is_traced_to_its_cidrs() {
        let diagnostic = Diagnostic {
            code: "ST012",
            ..sample("terraform/eks.tf")
        };
        assert_eq!(
            field_for(&project(), &diagnostic),
            Some(Field::AwsPublicEndpointCidrs)
        );
    }

    #[test]
    fn findings_no_setting_explains_name_none() {
        let project = project();
        let name = project.services[0].name.clone();
        let in_workflow = sample(&format!(".github/workflows/{name}.yml"));
        assert_eq!(field_for(&project, &in_workflow), None);
        assert_eq!(field_for(&project, &sample("docker-compose.yml")), None);
    }

    fn sample(file: &str) -> Diagnostic {
        Diagnostic {
            code: "SG006",
            name: "x",
            severity: super::super::Severity::Info,
            message: String::new(),
            file: file.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            fix: "",
            field: None,
        }
    }
}
