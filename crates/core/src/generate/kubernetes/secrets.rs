//! External Secrets Operator (`external-secrets.io/v1`): a SecretStore per namespace for the
//! chosen provider, with that provider's own way of proving who is asking, and an
//! ExternalSecret per service that fills `<service>-secrets` with exactly the keys its pods read.

use crate::yaml::Yaml;
use serde_json::{Value, json};

use super::types::{Object, ServiceAccountBody};
use super::{Context, documents, namespace_metadata};
use crate::model::{Project, SecretsProvider, Stage};

/// The SecretStore every ExternalSecret of a namespace reads through.
pub const STORE_NAME: &str = "secrets-store";

#[derive(serde::Serialize)]
struct Spec {
    spec: Value,
}

/// The Kubernetes service account a provider's workload identity is bound to, if it needs one.
fn reader_account(provider: SecretsProvider) -> Option<&'static str> {
    match provider {
        SecretsProvider::Vault => Some("vault-auth"),
        SecretsProvider::AzureKeyVault => Some("azure-keyvault-reader"),
        SecretsProvider::GcpSecretManager => Some("gcp-secret-reader"),
        SecretsProvider::AwsSecretsManager | SecretsProvider::None => None,
    }
}

/// Where one service's values live in the store, and whether each key is a property of it.
fn remote_key(
    project: &Project,
    stage: Stage,
    service: &str,
    key: &str,
) -> (String, Option<String>) {
    let path = format!("{}/{}/{service}", project.name, stage.key());
    match project.secrets_provider {
        // Key Vault names allow only letters, digits and hyphens: one secret per key.
        SecretsProvider::AzureKeyVault => (
            format!(
                "{}-{}-{service}-{}",
                project.name,
                stage.key(),
                key.replace('_', "-")
            ),
            None,
        ),
        // Secret Manager ids allow no "/": one JSON secret per service.
        SecretsProvider::GcpSecretManager => (path.replace('/', "-"), Some(key.to_owned())),
        _ => (path, Some(key.to_owned())),
    }
}

/// `secret-store.yaml`: the SecretStore and its reader account, when a provider is chosen.
pub fn store(project: &Project, stage: Stage) -> Option<Yaml> {
    let environment = project.environment(stage);
    let provider = project.secrets_provider;
    let store = &project.secrets_store;
    let metadata = |name: &str| namespace_metadata(project, environment, name);
    let account = reader_account(provider).map(|name| json!({ "name": name }));
    let spec = match provider {
        SecretsProvider::None => return None,
        // The controller's EKS Pod Identity (terraform/secrets.tf) grants read access.
        SecretsProvider::AwsSecretsManager => {
            json!({ "provider": { "aws": { "service": "SecretsManager", "region": store.aws_region } } })
        }
        SecretsProvider::Vault => json!({
            "provider": { "vault": {
                "server": store.vault_address,
                "path": store.vault_kv_mount,
                "version": "v2",
                "auth": { "kubernetes": {
                    "mountPath": "kubernetes",
                    "role": format!("{}-{}", project.name, stage.key()),
                    "serviceAccountRef": account,
                } },
            } },
        }),
        SecretsProvider::AzureKeyVault => json!({
            "provider": { "azurekv": {
                "vaultUrl": format!("https://{}.vault.azure.net", store.azure_vault_name),
                "authType": "WorkloadIdentity",
                "serviceAccountRef": account,
            } },
        }),
        SecretsProvider::GcpSecretManager => json!({
            "provider": { "gcpsm": {
                "projectID": store.gcp_project,
                "auth": { "workloadIdentity": { "serviceAccountRef": account } },
            } },
        }),
    };
    let mut out = Yaml::default();
    if let Some(name) = reader_account(provider) {
        let mut account = metadata(name);
        match provider {
            SecretsProvider::AzureKeyVault => {
                account.annotations.insert(
                    "azure.workload.identity/client-id".into(),
                    store.azure_client_id.clone(),
                );
            }
            SecretsProvider::GcpSecretManager => {
                account.annotations.insert(
                    "iam.gke.io/gcp-service-account".into(),
                    store.gcp_service_account.clone(),
                );
            }
            _ => {}
        }
        out.document(&Object {
            api_version: "v1",
            kind: "ServiceAccount",
            metadata: account,
            body: ServiceAccountBody {
                automount_service_account_token: false,
            },
        });
    }
    out.document(&Object {
        api_version: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: metadata(STORE_NAME),
        body: Spec { spec },
    });
    Some(out)
}

/// The `data` of the service's ExternalSecret: one entry per key its pods read. None when no
/// provider is chosen or the service reads no secret.
pub fn external_secret_data(context: &Context) -> Option<Vec<Value>> {
    let keys = context.secret_keys();
    if context.project.secrets_provider == SecretsProvider::None || keys.is_empty() {
        return None;
    }
    Some(
        keys.iter()
            .map(|key| {
                let (remote, property) =
                    remote_key(context.project, context.stage, context.name(), key);
                let mut reference = json!({ "key": remote });
                if let Some(property) = property {
                    reference["property"] = json!(property);
                }
                json!({ "secretKey": key, "remoteRef": reference })
            })
            .collect(),
    )
}

/// Without a secrets store, the Secret the pods read, with every key and no value. It is kept
/// out of the kustomization, so applying the manifests again never blanks values set since.
/// Without a secrets store, the service's secret keys need a Secret the team fills in.
pub fn needs_placeholder_secret(context: &Context) -> bool {
    context.project.secrets_provider == SecretsProvider::None && !context.secret_keys().is_empty()
}

pub fn placeholder_secret(context: &Context) -> Option<Yaml> {
    if !needs_placeholder_secret(context) {
        return None;
    }
    let keys = context.secret_keys();
    let mut metadata = context.metadata(&context.secret_name());
    metadata
        .annotations
        .insert("helm.sh/resource-policy".into(), "keep".into());
    let string_data: serde_json::Map<String, Value> =
        keys.into_iter().map(|key| (key, json!(""))).collect();
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct SecretBody {
        #[serde(rename = "type")]
        kind: &'static str,
        string_data: serde_json::Map<String, Value>,
    }
    Some(documents(&[Object {
        api_version: "v1",
        kind: "Secret",
        metadata,
        body: SecretBody {
            kind: "Opaque",
            string_data,
        },
    }]))
}

/// How often External Secrets re-reads the store.
pub const REFRESH_INTERVAL: &str = "1h";

/// The ExternalSecret that creates the service's Secret, when it reads any secret.
pub fn external_secret(context: &Context) -> Option<Yaml> {
    let data = external_secret_data(context)?;
    Some(documents(&[Object {
        api_version: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: context.metadata(&context.secret_name()),
        body: Spec {
            spec: json!({
                "refreshInterval": REFRESH_INTERVAL,
                "secretStoreRef": { "name": STORE_NAME, "kind": "SecretStore" },
                "target": { "name": context.secret_name(), "creationPolicy": "Owner" },
                "data": data,
            }),
        },
    }]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::terraform::secret_name;
    use crate::model::{PRESETS, preset};

    #[test]
    fn every_provider_is_covered_by_a_preset() {
        for provider in SecretsProvider::ALL {
            assert!(
                PRESETS
                    .iter()
                    .any(|p| p.project().secrets_provider == provider),
                "{provider:?}"
            );
        }
    }

    #[test]
    fn aws_keys_are_the_secrets_terraform_creates() {
        let project = preset("fullstack-fastapi-react").unwrap().project();
        for stage in Stage::ALL {
            for service in &project.services {
                let (key, property) = remote_key(&project, stage, &service.name, "JWT_SECRET");
                assert_eq!(key, secret_name(&project, stage, &service.name));
                assert_eq!(property.as_deref(), Some("JWT_SECRET"));
            }
        }
    }

    #[test]
    fn the_external_secret_provides_exactly_the_keys_the_pods_read() {
        for preset in PRESETS {
            let project = preset.project();
            for stage in Stage::ALL {
                for service in &project.services {
                    let context = Context::new(&project, service, stage);
                    let Some(text) = external_secret(&context) else {
                        continue;
                    };
                    let doc: serde_norway::Value = serde_norway::from_str(text.text()).unwrap();
                    let provided: Vec<&str> = doc["spec"]["data"]
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .map(|d| d["secretKey"].as_str().unwrap())
                        .collect();
                    assert_eq!(provided, context.secret_keys(), "{}", preset.name);
                    assert_eq!(
                        doc["spec"]["target"]["name"].as_str(),
                        Some(context.secret_name().as_str())
                    );
                }
            }
        }
    }
}
