//! External Secrets Operator (`external-secrets.io/v1`): a SecretStore per namespace for the
//! chosen provider, with that provider's own way of proving who is asking, and an
//! ExternalSecret per service that fills `<service>-secrets` with exactly the keys its pods read.

use crate::yaml::Yaml;
use serde::Serialize;

use crate::yaml::Map;

use super::types::{Metadata, Object, ServiceAccountBody};
use super::{Context, documents, namespace_metadata};
use crate::model::{Project, SecretsProvider, Stage};

/// The SecretStore every ExternalSecret of a namespace reads through.
pub const STORE_NAME: &str = "secrets-store";

#[derive(Serialize)]
struct Spec<T: Serialize> {
    spec: T,
}

#[derive(Serialize)]
struct StoreSpec<'a> {
    provider: Provider<'a>,
}

/// Each provider's settings, as External Secrets names them.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Provider<'a> {
    Aws {
        service: &'static str,
        region: &'a str,
    },
    Vault {
        server: &'a str,
        path: &'a str,
        version: &'static str,
        auth: VaultAuth,
    },
    #[serde(rename_all = "camelCase")]
    Azurekv {
        vault_url: String,
        auth_type: &'static str,
        service_account_ref: Option<AccountRef>,
    },
    #[serde(rename_all = "camelCase")]
    Gcpsm {
        #[serde(rename = "projectID")]
        project_id: &'a str,
        auth: GcpAuth,
    },
}

#[derive(Serialize)]
struct VaultAuth {
    kubernetes: VaultKubernetes,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VaultKubernetes {
    mount_path: &'static str,
    role: String,
    service_account_ref: Option<AccountRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GcpAuth {
    workload_identity: WorkloadIdentity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkloadIdentity {
    service_account_ref: Option<AccountRef>,
}

#[derive(Serialize)]
struct AccountRef {
    name: &'static str,
}

/// One key of an ExternalSecret: the Secret's key and where its value is in the store.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecretData {
    secret_key: String,
    remote_ref: RemoteRef,
}

#[derive(Serialize, Clone, Debug, PartialEq)]
struct RemoteRef {
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    property: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalSecretSpec {
    refresh_interval: &'static str,
    secret_store_ref: StoreRef,
    target: Target,
    data: Vec<SecretData>,
}

#[derive(Serialize)]
struct StoreRef {
    name: &'static str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    name: String,
    creation_policy: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<TargetTemplate>,
}

/// Keys built from the fetched ones; Merge keeps the fetched keys beside them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetTemplate {
    engine_version: &'static str,
    merge_policy: &'static str,
    data: Map<&'static str, String>,
}

/// The RDS database DATABASE_URL is built from, in the chart's values
/// (`externalSecret.database`), as `terraform output database` gives it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseValues {
    host: &'static str,
    port: u16,
    name: String,
    master_secret_arn: &'static str,
}

/// Stand-ins in `k8s/` for what only `terraform output database` knows; the chart refuses to
/// render until its values hold them. `envsubst` fills these (k8s/README.md).
pub const HOST_VARIABLE: &str = "${DATABASE_HOST}";
pub const SECRET_VARIABLE: &str = "${DATABASE_MASTER_SECRET_ARN}";

/// DATABASE_URL from the master secret RDS rotates every 7 days, rebuilt by External Secrets
/// at each refresh, rather than a copy of the password that stops working after a week.
pub fn rotated_database(context: &Context) -> Option<DatabaseValues> {
    let postgres = context.project.postgres.as_ref()?;
    (context.service.uses_postgres
        && crate::generate::terraform::rotated_database_url(context.project))
    .then(|| DatabaseValues {
        host: "",
        port: 5432,
        name: postgres.database.clone(),
        master_secret_arn: "",
    })
}

/// The URL template External Secrets fills with the rotated `username` and `password`; the
/// chart writes the same from its values (chart/externalsecret.yaml).
fn database_url(host: &str, database: &DatabaseValues) -> String {
    format!(
        "postgresql://{{{{ .username | urlquery }}}}:{{{{ .password | urlquery }}}}@{host}:{}/{}?sslmode=require",
        database.port, database.name
    )
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
    let account = || reader_account(provider).map(|name| AccountRef { name });
    let provider_spec = match provider {
        SecretsProvider::None => return None,
        // The controller's EKS Pod Identity (terraform/secrets.tf) grants read access.
        SecretsProvider::AwsSecretsManager => Provider::Aws {
            service: "SecretsManager",
            region: &store.aws_region,
        },
        SecretsProvider::Vault => Provider::Vault {
            server: &store.vault_address,
            path: &store.vault_kv_mount,
            version: "v2",
            auth: VaultAuth {
                kubernetes: VaultKubernetes {
                    mount_path: "kubernetes",
                    role: format!("{}-{}", project.name, stage.key()),
                    service_account_ref: account(),
                },
            },
        },
        SecretsProvider::AzureKeyVault => Provider::Azurekv {
            vault_url: format!("https://{}.vault.azure.net", store.azure_vault_name),
            auth_type: "WorkloadIdentity",
            service_account_ref: account(),
        },
        SecretsProvider::GcpSecretManager => Provider::Gcpsm {
            project_id: &store.gcp_project,
            auth: GcpAuth {
                workload_identity: WorkloadIdentity {
                    service_account_ref: account(),
                },
            },
        },
    };
    let spec = StoreSpec {
        provider: provider_spec,
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
/// A rotated DATABASE_URL is not among them: it is built from the master secret instead.
pub fn external_secret_data(context: &Context) -> Option<Vec<SecretData>> {
    let keys = context.service.secret_keys();
    if context.project.secrets_provider == SecretsProvider::None || keys.is_empty() {
        return None;
    }
    let rotated = rotated_database(context).is_some();
    let mut data = Vec::new();
    for key in keys {
        if rotated && key == "DATABASE_URL" {
            continue;
        }
        let (remote, property) = remote_key(context.project, context.stage, context.name(), &key);
        data.push(SecretData {
            secret_key: key,
            remote_ref: RemoteRef {
                key: remote,
                property,
            },
        });
    }
    Some(data)
}

/// Without a secrets store, the Secret the pods read, with every key and no value. It is kept
/// out of the kustomization, so applying the manifests again never blanks values set since.
/// Without a secrets store, the service's secret keys need a Secret the team fills in.
pub fn needs_placeholder_secret(context: &Context) -> bool {
    context.project.secrets_provider == SecretsProvider::None
        && !context.service.secret_keys().is_empty()
}

pub fn placeholder_secret(context: &Context) -> Option<Yaml> {
    if !needs_placeholder_secret(context) {
        return None;
    }
    let keys = context.service.secret_keys();
    let mut metadata = context.metadata(&context.secret_name());
    metadata
        .annotations
        .insert("helm.sh/resource-policy".into(), "keep".into());
    let string_data: Map<String, &str> = keys.into_iter().map(|key| (key, "")).collect();
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct SecretBody {
        #[serde(rename = "type")]
        kind: &'static str,
        string_data: Map<String, &'static str>,
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
    external_secret_as(context, context.metadata(&context.secret_name()))
}

/// The service's ExternalSecret under other metadata; its Secret takes the same name.
pub fn external_secret_as(context: &Context, metadata: Metadata) -> Option<Yaml> {
    let mut data = external_secret_data(context)?;
    let name = metadata.name.clone();
    let template = rotated_database(context).map(|database| {
        for key in ["username", "password"] {
            data.push(SecretData {
                secret_key: key.into(),
                remote_ref: RemoteRef {
                    key: SECRET_VARIABLE.into(),
                    property: Some(key.into()),
                },
            });
        }
        TargetTemplate {
            engine_version: "v2",
            merge_policy: "Merge",
            data: Map::from([("DATABASE_URL", database_url(HOST_VARIABLE, &database))]),
        }
    });
    Some(documents(&[Object {
        api_version: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata,
        body: Spec {
            spec: ExternalSecretSpec {
                refresh_interval: REFRESH_INTERVAL,
                secret_store_ref: StoreRef {
                    name: STORE_NAME,
                    kind: "SecretStore",
                },
                target: Target {
                    name,
                    creation_policy: "Owner",
                    template,
                },
                data,
            },
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
    fn rds_database_url_follows_the_rotated_master_secret() {
        let project = preset("fullstack-fastapi-react").unwrap().project();
        let backend = &project.services[0];
        let context = Context::new(&project, backend, Stage::Production);
        let text = external_secret(&context).unwrap();
        let doc: serde_norway::Value = serde_norway::from_str(text.text()).unwrap();
        let url = doc["spec"]["target"]["template"]["data"]["DATABASE_URL"]
            .as_str()
            .unwrap();
        assert!(
            url.contains("{{ .password | urlquery }}@${DATABASE_HOST}:5432/assistant"),
            "{url}"
        );
        let from_master: Vec<&str> = doc["spec"]["data"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter(|d| d["remoteRef"]["key"] == SECRET_VARIABLE)
            .map(|d| d["remoteRef"]["property"].as_str().unwrap())
            .collect();
        assert_eq!(from_master, ["username", "password"]);
        let mut in_cluster = project.clone();
        in_cluster.kubernetes.in_cluster_postgres = true;
        assert!(rotated_database(&Context::new(&in_cluster, backend, Stage::Production)).is_none());
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
                    let mut provided: Vec<&str> = doc["spec"]["data"]
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .map(|d| d["secretKey"].as_str().unwrap())
                        .collect();
                    // A templated DATABASE_URL replaces the parts it is built from.
                    if let Some(built) = doc["spec"]["target"]["template"]["data"].as_mapping() {
                        provided.retain(|key| !["username", "password"].contains(key));
                        provided.extend(built.keys().filter_map(|key| key.as_str()));
                    }
                    let mut wanted = context.service.secret_keys();
                    provided.sort_unstable();
                    wanted.sort_unstable();
                    assert_eq!(provided, wanted, "{}", preset.name);
                    assert_eq!(
                        doc["spec"]["target"]["name"].as_str(),
                        Some(context.secret_name().as_str())
                    );
                }
            }
        }
    }
}
