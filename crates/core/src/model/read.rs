//! Reading saved settings: a YAML (or JSON, which is YAML too) tree turned into a [`Project`]
//! by hand, key by key.
//!
//! serde's derived `Deserialize` did this before, but its visitors cost the app about 29 KiB
//! of gzipped wasm, and the app must read settings for share links, autosave and imports. The
//! YAML parser is in the app already (the rules use it), and this reader adds only a call per
//! key. It is as strict as the derive was: an unknown key, a missing key or a value of the
//! wrong type is an error at its line and column, naming the setting's path.

use std::fmt::Display;

use super::load::LoadError;
use super::project::{
    Aws, Branches, DeployTool, Environment, Environments, EvictionPolicy, Kubernetes,
    Observability, Postgres, Project, Redis, Registry, RegistryKind, Repository, SecretsProvider,
    SecretsStore, StateLocking,
};
use super::runtime::{PackageManager, Runtime};
use super::service::{
    AppService, Autoscaling, CanaryEngine, Commands, EnvVar, Health, Ingress, ProbeTiming, Probes,
    Resources, Rollout, Strategy,
};
use crate::rules::yaml::{Node, Value};

type Result<T> = std::result::Result<T, LoadError>;

/// A value picked from a fixed list, written as its id.
pub(crate) trait Choice: Copy + 'static {
    const CHOICES: &'static [Self];
    fn key(self) -> &'static str;
}

macro_rules! choices {
    ($($kind:ty),*) => {$(
        impl Choice for $kind {
            const CHOICES: &'static [Self] = &<$kind>::ALL;
            fn key(self) -> &'static str {
                <$kind>::id(self)
            }
        }
    )*};
}

choices!(
    Runtime,
    PackageManager,
    RegistryKind,
    SecretsProvider,
    DeployTool,
    Strategy,
    CanaryEngine,
    EvictionPolicy,
    StateLocking
);

fn fail<T>(node: &Node, path: &str, message: impl Display) -> Result<T> {
    Err(LoadError::Syntax {
        message: if path.is_empty() {
            message.to_string()
        } else {
            format!("{path}: {message}")
        },
        line: Some(node.line),
        column: Some(node.column),
    })
}

/// YAML's null: `null`, `~` or nothing at all after the key.
fn is_null(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "null" | "~"))
}

/// A mapping of settings, checked against the keys it may have.
struct Object<'a> {
    node: &'a Node,
    path: String,
    keys: &'static [&'static str],
    values: Vec<Option<&'a Node>>,
}

impl<'a> Object<'a> {
    fn new(node: &'a Node, path: String, keys: &'static [&'static str]) -> Result<Object<'a>> {
        let Value::Mapping(entries) = &node.value else {
            return fail(node, &path, "expected a mapping of settings");
        };
        let mut values = vec![None; keys.len()];
        for (key, value) in entries {
            let name = key.as_str().unwrap_or_default();
            match keys.iter().position(|k| *k == name) {
                None => {
                    return fail(
                        key,
                        &path,
                        format!(
                            "unknown field `{name}`, expected one of {}",
                            keys.join(", ")
                        ),
                    );
                }
                Some(i) if values[i].is_some() => {
                    return fail(key, &path, format!("`{name}` is set twice"));
                }
                Some(i) => values[i] = Some(value).filter(|v| !is_null(v)),
            }
        }
        Ok(Object {
            node,
            path,
            keys,
            values,
        })
    }

    fn path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<&'a Node> {
        let index = self.keys.iter().position(|k| *k == key);
        index.and_then(|i| self.values[i])
    }

    /// The value under `key`, read by `read`; an error if it is missing.
    fn read<T>(&self, key: &str, read: impl FnOnce(&'a Node, &str) -> Result<T>) -> Result<T> {
        match self.get(key) {
            Some(node) => read(node, &self.path(key)),
            None => fail(self.node, &self.path, format!("missing field `{key}`")),
        }
    }

    fn optional<T>(
        &self,
        key: &str,
        read: impl FnOnce(&'a Node, &str) -> Result<T>,
    ) -> Result<Option<T>> {
        self.get(key)
            .map(|node| read(node, &self.path(key)))
            .transpose()
    }

    fn or_default<T: Default>(
        &self,
        key: &str,
        read: impl FnOnce(&'a Node, &str) -> Result<T>,
    ) -> Result<T> {
        Ok(self.optional(key, read)?.unwrap_or_default())
    }

    fn text(&self, key: &str) -> Result<String> {
        self.read(key, text)
    }

    fn number<T: TryFrom<u64>>(&self, key: &str) -> Result<T> {
        self.read(key, number)
    }
}

fn text(node: &Node, path: &str) -> Result<String> {
    match node.as_str() {
        Some(text) => Ok(text.to_owned()),
        None => fail(node, path, "expected text"),
    }
}

fn number<T: TryFrom<u64>>(node: &Node, path: &str) -> Result<T> {
    let found = node.as_str().unwrap_or("a list or mapping");
    match node.as_u64() {
        Some(n) => T::try_from(n).or_else(|_| fail(node, path, format!("{n} is too large"))),
        None => fail(
            node,
            path,
            format!("expected a whole number, found `{found}`"),
        ),
    }
}

fn flag(node: &Node, path: &str) -> Result<bool> {
    match node.as_bool() {
        Some(flag) => Ok(flag),
        None => fail(node, path, "expected true or false"),
    }
}

fn choice<T: Choice>(node: &Node, path: &str) -> Result<T> {
    let found = node.as_str().unwrap_or_default();
    match T::CHOICES.iter().find(|c| c.key() == found) {
        Some(c) => Ok(*c),
        None => {
            let ids: Vec<&str> = T::CHOICES.iter().map(|c| c.key()).collect();
            fail(
                node,
                path,
                format!(
                    "unknown value `{found}`, expected one of {}",
                    ids.join(", ")
                ),
            )
        }
    }
}

fn list<'a, T>(
    node: &'a Node,
    path: &str,
    read: impl Fn(&'a Node, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let Value::Sequence(items) = &node.value else {
        return fail(node, path, "expected a list");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read(item, &format!("{path}[{i}]")))
        .collect()
}

fn texts(node: &Node, path: &str) -> Result<Vec<String>> {
    list(node, path, text)
}

/// The project in `root`, the document's top mapping. The schema version has been checked.
pub(crate) fn project(root: &Node) -> Result<Project> {
    let o = Object::new(
        root,
        String::new(),
        &[
            "schema_version",
            "name",
            "repository",
            "branches",
            "registry",
            "services",
            "postgres",
            "redis",
            "environments",
            "kubernetes",
            "secrets_provider",
            "secrets_store",
            "deploy_tool",
            "observability",
            "aws",
        ],
    )?;
    Ok(Project {
        schema_version: o.number("schema_version")?,
        name: o.text("name")?,
        repository: o.read("repository", repository)?,
        branches: o.or_default("branches", branches)?,
        registry: o.or_default("registry", registry)?,
        services: o.read("services", |node, path| list(node, path, service))?,
        postgres: o.optional("postgres", postgres)?,
        redis: o.optional("redis", redis)?,
        environments: o.or_default("environments", environments)?,
        kubernetes: o.or_default("kubernetes", kubernetes)?,
        secrets_provider: o.or_default("secrets_provider", choice)?,
        secrets_store: o.or_default("secrets_store", secrets_store)?,
        deploy_tool: o.or_default("deploy_tool", choice)?,
        observability: o.or_default("observability", observability)?,
        aws: o.optional("aws", aws)?,
    })
}

fn repository(node: &Node, path: &str) -> Result<Repository> {
    let o = Object::new(node, path.into(), &["owner", "name"])?;
    Ok(Repository {
        owner: o.text("owner")?,
        name: o.text("name")?,
    })
}

fn branches(node: &Node, path: &str) -> Result<Branches> {
    let o = Object::new(
        node,
        path.into(),
        &["production", "staging", "feature_prefix"],
    )?;
    Ok(Branches {
        production: o.text("production")?,
        staging: o.text("staging")?,
        feature_prefix: o.text("feature_prefix")?,
    })
}

fn registry(node: &Node, path: &str) -> Result<Registry> {
    let o = Object::new(node, path.into(), &["kind", "address"])?;
    Ok(Registry {
        kind: o.read("kind", choice)?,
        address: o.or_default("address", text)?,
    })
}

fn postgres(node: &Node, path: &str) -> Result<Postgres> {
    let o = Object::new(node, path.into(), &["version", "pgvector", "database"])?;
    Ok(Postgres {
        version: o.text("version")?,
        pgvector: o.or_default("pgvector", flag)?,
        database: o.text("database")?,
    })
}

fn redis(node: &Node, path: &str) -> Result<Redis> {
    let o = Object::new(
        node,
        path.into(),
        &["version", "max_memory", "eviction_policy", "append_only"],
    )?;
    Ok(Redis {
        version: o.text("version")?,
        max_memory: o.text("max_memory")?,
        eviction_policy: o.read("eviction_policy", choice)?,
        append_only: o.read("append_only", flag)?,
    })
}

fn environments(node: &Node, path: &str) -> Result<Environments> {
    let o = Object::new(node, path.into(), &["staging", "production"])?;
    Ok(Environments {
        staging: o.read("staging", environment)?,
        production: o.read("production", environment)?,
    })
}

fn environment(node: &Node, path: &str) -> Result<Environment> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "name",
            "namespace",
            "hostname",
            "replicas",
            "approval_required",
        ],
    )?;
    Ok(Environment {
        name: o.text("name")?,
        namespace: o.text("namespace")?,
        hostname: o.text("hostname")?,
        replicas: o.optional("replicas", number)?,
        approval_required: o.read("approval_required", flag)?,
    })
}

fn kubernetes(node: &Node, path: &str) -> Result<Kubernetes> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "ingress_class",
            "ingress_namespace",
            "cluster_issuer",
            "in_cluster_postgres",
        ],
    )?;
    Ok(Kubernetes {
        ingress_class: o.text("ingress_class")?,
        ingress_namespace: o.text("ingress_namespace")?,
        cluster_issuer: o.or_default("cluster_issuer", text)?,
        in_cluster_postgres: o.or_default("in_cluster_postgres", flag)?,
    })
}

fn secrets_store(node: &Node, path: &str) -> Result<SecretsStore> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "aws_region",
            "vault_address",
            "vault_kv_mount",
            "azure_vault_name",
            "azure_client_id",
            "gcp_project",
            "gcp_service_account",
        ],
    )?;
    Ok(SecretsStore {
        aws_region: o.text("aws_region")?,
        vault_address: o.text("vault_address")?,
        vault_kv_mount: o.text("vault_kv_mount")?,
        azure_vault_name: o.text("azure_vault_name")?,
        azure_client_id: o.text("azure_client_id")?,
        gcp_project: o.text("gcp_project")?,
        gcp_service_account: o.text("gcp_service_account")?,
    })
}

fn observability(node: &Node, path: &str) -> Result<Observability> {
    let o = Object::new(
        node,
        path.into(),
        &["enabled", "namespace", "prometheus_release"],
    )?;
    Ok(Observability {
        enabled: o.read("enabled", flag)?,
        namespace: o.text("namespace")?,
        prometheus_release: o.text("prometheus_release")?,
    })
}

fn aws(node: &Node, path: &str) -> Result<Aws> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "region",
            "availability_zones",
            "vpc_cidr",
            "cluster_version",
            "public_endpoint",
            "public_endpoint_cidrs",
            "node_instance_type",
            "state_locking",
            "db_instance_class",
            "cache_node_type",
        ],
    )?;
    Ok(Aws {
        region: o.text("region")?,
        availability_zones: o.number("availability_zones")?,
        vpc_cidr: o.text("vpc_cidr")?,
        cluster_version: o.text("cluster_version")?,
        public_endpoint: o.or_default("public_endpoint", flag)?,
        public_endpoint_cidrs: o.or_default("public_endpoint_cidrs", texts)?,
        node_instance_type: o.text("node_instance_type")?,
        state_locking: o.read("state_locking", choice)?,
        db_instance_class: o.text("db_instance_class")?,
        cache_node_type: o.text("cache_node_type")?,
    })
}

fn service(node: &Node, path: &str) -> Result<AppService> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "name",
            "path",
            "runtime",
            "version",
            "package_manager",
            "test_versions",
            "port",
            "health",
            "env",
            "commands",
            "image",
            "replicas",
            "resources",
            "autoscaling",
            "ingress",
            "uses_postgres",
            "uses_redis",
            "rollout",
        ],
    )?;
    Ok(AppService {
        name: o.text("name")?,
        path: o.text("path")?,
        runtime: o.read("runtime", choice)?,
        version: o.text("version")?,
        package_manager: o.read("package_manager", choice)?,
        test_versions: o.or_default("test_versions", texts)?,
        port: o.number("port")?,
        health: o.read("health", health)?,
        env: o.or_default("env", |node, path| list(node, path, env_var))?,
        commands: o.read("commands", commands)?,
        image: o.optional("image", text)?,
        replicas: o.number("replicas")?,
        resources: o.read("resources", resources)?,
        autoscaling: o.optional("autoscaling", autoscaling)?,
        ingress: o.optional("ingress", ingress)?,
        uses_postgres: o.or_default("uses_postgres", flag)?,
        uses_redis: o.or_default("uses_redis", flag)?,
        rollout: o.or_default("rollout", rollout)?,
    })
}

fn health(node: &Node, path: &str) -> Result<Health> {
    let o = Object::new(node, path.into(), &["startup", "liveness", "readiness"])?;
    Ok(Health {
        startup: o.text("startup")?,
        liveness: o.text("liveness")?,
        readiness: o.text("readiness")?,
    })
}

fn env_var(node: &Node, path: &str) -> Result<EnvVar> {
    let o = Object::new(node, path.into(), &["name", "value", "secret"])?;
    Ok(EnvVar {
        name: o.text("name")?,
        value: o.or_default("value", text)?,
        secret: o.or_default("secret", flag)?,
    })
}

fn commands(node: &Node, path: &str) -> Result<Commands> {
    let o = Object::new(
        node,
        path.into(),
        &["lint", "typecheck", "test", "build", "audit", "dev"],
    )?;
    Ok(Commands {
        lint: o.text("lint")?,
        typecheck: o.or_default("typecheck", text)?,
        test: o.text("test")?,
        build: o.or_default("build", text)?,
        audit: o.or_default("audit", text)?,
        dev: o.text("dev")?,
    })
}

fn resources(node: &Node, path: &str) -> Result<Resources> {
    let o = Object::new(
        node,
        path.into(),
        &["cpu_request", "cpu_limit", "memory_request", "memory_limit"],
    )?;
    Ok(Resources {
        cpu_request: o.text("cpu_request")?,
        cpu_limit: o.text("cpu_limit")?,
        memory_request: o.text("memory_request")?,
        memory_limit: o.text("memory_limit")?,
    })
}

fn autoscaling(node: &Node, path: &str) -> Result<Autoscaling> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "min_replicas",
            "max_replicas",
            "cpu_percent",
            "memory_percent",
        ],
    )?;
    Ok(Autoscaling {
        min_replicas: o.number("min_replicas")?,
        max_replicas: o.number("max_replicas")?,
        cpu_percent: o.number("cpu_percent")?,
        memory_percent: o.optional("memory_percent", number)?,
    })
}

fn ingress(node: &Node, path: &str) -> Result<Ingress> {
    let o = Object::new(node, path.into(), &["host", "path"])?;
    Ok(Ingress {
        host: o.text("host")?,
        path: o.text("path")?,
    })
}

fn rollout(node: &Node, path: &str) -> Result<Rollout> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "strategy",
            "max_surge",
            "max_unavailable",
            "canary_steps",
            "canary_engine",
            "probes",
            "termination_grace_seconds",
        ],
    )?;
    Ok(Rollout {
        strategy: o.read("strategy", choice)?,
        max_surge: o.text("max_surge")?,
        max_unavailable: o.text("max_unavailable")?,
        canary_steps: o.read("canary_steps", |node, path| list(node, path, number))?,
        canary_engine: o.read("canary_engine", choice)?,
        probes: o.read("probes", probes)?,
        termination_grace_seconds: o.number("termination_grace_seconds")?,
    })
}

fn probes(node: &Node, path: &str) -> Result<Probes> {
    let o = Object::new(node, path.into(), &["startup", "liveness", "readiness"])?;
    Ok(Probes {
        startup: o.read("startup", probe_timing)?,
        liveness: o.read("liveness", probe_timing)?,
        readiness: o.read("readiness", probe_timing)?,
    })
}

fn probe_timing(node: &Node, path: &str) -> Result<ProbeTiming> {
    let o = Object::new(
        node,
        path.into(),
        &[
            "initial_delay_seconds",
            "period_seconds",
            "timeout_seconds",
            "failure_threshold",
        ],
    )?;
    Ok(ProbeTiming {
        initial_delay_seconds: o.number("initial_delay_seconds")?,
        period_seconds: o.number("period_seconds")?,
        timeout_seconds: o.number("timeout_seconds")?,
        failure_threshold: o.number("failure_threshold")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PRESETS, from_yaml, to_yaml};
    use proptest::prelude::{ProptestConfig, any, prop, prop_assert_eq, proptest};

    fn read(text: &str) -> Result<Project> {
        project(&crate::rules::yaml::parse(text).unwrap()[0])
    }

    /// Sets every value of `p`, optional parts included, from the pools; no validation, so
    /// anything the types allow is tried.
    fn fill(p: &mut Project, texts: &[String], numbers: &[u32], flags: &[bool]) {
        let mut t = texts.iter().cycle().cloned();
        let mut n = numbers.iter().copied().cycle();
        let mut f = flags.iter().copied().cycle();
        let mut t = move || t.next().unwrap_or_default();
        let mut n = move || n.next().unwrap_or_default();
        let mut f = move || f.next().unwrap_or_default();
        fn pick<T: Choice>(n: u32) -> T {
            T::CHOICES[n as usize % T::CHOICES.len()]
        }
        p.name = t();
        p.repository = Repository {
            owner: t(),
            name: t(),
        };
        p.branches = Branches {
            production: t(),
            staging: t(),
            feature_prefix: t(),
        };
        p.registry = Registry {
            kind: pick(n()),
            address: t(),
        };
        p.postgres = f().then(|| Postgres {
            version: t(),
            pgvector: f(),
            database: t(),
        });
        p.redis = f().then(|| Redis {
            version: t(),
            max_memory: t(),
            eviction_policy: pick(n()),
            append_only: f(),
        });
        for e in [&mut p.environments.staging, &mut p.environments.production] {
            *e = Environment {
                name: t(),
                namespace: t(),
                hostname: t(),
                replicas: f().then(&mut n),
                approval_required: f(),
            };
        }
        p.kubernetes = Kubernetes {
            ingress_class: t(),
            ingress_namespace: t(),
            cluster_issuer: t(),
            in_cluster_postgres: f(),
        };
        p.secrets_provider = pick(n());
        p.secrets_store = SecretsStore {
            aws_region: t(),
            vault_address: t(),
            vault_kv_mount: t(),
            azure_vault_name: t(),
            azure_client_id: t(),
            gcp_project: t(),
            gcp_service_account: t(),
        };
        p.deploy_tool = pick(n());
        p.observability = Observability {
            enabled: f(),
            namespace: t(),
            prometheus_release: t(),
        };
        p.aws = f().then(|| Aws {
            region: t(),
            availability_zones: n(),
            vpc_cidr: t(),
            cluster_version: t(),
            public_endpoint: f(),
            public_endpoint_cidrs: (0..n() % 3).map(|_| t()).collect(),
            node_instance_type: t(),
            state_locking: pick(n()),
            db_instance_class: t(),
            cache_node_type: t(),
        });
        for s in &mut p.services {
            let timing = |n: &mut dyn FnMut() -> u32| ProbeTiming {
                initial_delay_seconds: n(),
                period_seconds: n(),
                timeout_seconds: n(),
                failure_threshold: n(),
            };
            *s = AppService {
                name: t(),
                path: t(),
                runtime: pick(n()),
                version: t(),
                package_manager: pick(n()),
                test_versions: (0..n() % 3).map(|_| t()).collect(),
                port: n() as u16,
                health: Health {
                    startup: t(),
                    liveness: t(),
                    readiness: t(),
                },
                env: (0..n() % 3)
                    .map(|_| EnvVar {
                        name: t(),
                        value: t(),
                        secret: f(),
                    })
                    .collect(),
                commands: Commands {
                    lint: t(),
                    typecheck: t(),
                    test: t(),
                    build: t(),
                    audit: t(),
                    dev: t(),
                },
                image: f().then(&mut t),
                replicas: n(),
                resources: Resources {
                    cpu_request: t(),
                    cpu_limit: t(),
                    memory_request: t(),
                    memory_limit: t(),
                },
                autoscaling: f().then(|| Autoscaling {
                    min_replicas: n(),
                    max_replicas: n(),
                    cpu_percent: n(),
                    memory_percent: f().then(&mut n),
                }),
                ingress: f().then(|| Ingress {
                    host: t(),
                    path: t(),
                }),
                uses_postgres: f(),
                uses_redis: f(),
                rollout: Rollout {
                    strategy: pick(n()),
                    max_surge: t(),
                    max_unavailable: t(),
                    canary_steps: (0..n() % 4).map(|_| n()).collect(),
                    canary_engine: pick(n()),
                    probes: Probes {
                        startup: timing(&mut n),
                        liveness: timing(&mut n),
                        readiness: timing(&mut n),
                    },
                    termination_grace_seconds: n(),
                },
            };
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Every value the types allow, in every field, comes back exactly from the file the
        /// writer makes of it: what is saved, exported or shared is what is opened.
        #[test]
        fn every_value_survives_writing_and_reading(
            preset in 0..PRESETS.len(),
            texts in prop::collection::vec(any::<String>(), 1..40),
            numbers in prop::collection::vec(any::<u32>(), 1..20),
            flags in prop::collection::vec(any::<bool>(), 1..7),
        ) {
            let mut project = PRESETS[preset].project();
            fill(&mut project, &texts, &numbers, &flags);
            let text = to_yaml(&project);
            prop_assert_eq!(read(&text), Ok(project), "{}", text);
        }
    }

    #[test]
    fn presets_round_trip_through_the_checked_reader() {
        for preset in PRESETS {
            let project = preset.project();
            assert_eq!(
                from_yaml(&to_yaml(&project)),
                Ok(project),
                "{}",
                preset.name
            );
        }
    }

    fn error(text: &str) -> (String, usize, usize) {
        match read(text) {
            Err(LoadError::Syntax {
                message,
                line: Some(l),
                column: Some(c),
            }) => (message, l, c),
            other => panic!("{other:?}"),
        }
    }

    fn default_text() -> String {
        to_yaml(&Project::default())
    }

    #[test]
    fn mistakes_are_named_by_path_at_their_position() {
        let text = default_text();
        let cases = [
            (
                text.replace("  path: \".\"\n", "  path: \".\"\n    colour: blue\n"),
                "services[0]: unknown field `colour`",
            ),
            (
                text.replace("      liveness: /health/live\n", ""),
                "services[0].health: missing field `liveness`",
            ),
            (
                text.replace("runtime: node", "runtime: cobol"),
                "services[0].runtime: unknown value `cobol`, expected one of node, python",
            ),
            (
                text.replace("port: 3000", "port: 70000"),
                "services[0].port: 70000 is too large",
            ),
            (
                text.replace("port: 3000", "port: [1]"),
                "services[0].port: expected a whole number, found `a list or mapping`",
            ),
            (
                text.replace("  owner: acme", "  owner: [acme]"),
                "repository.owner: expected text",
            ),
            (
                text.replace("  path: \".\"\n", "  path: \".\"\n    name: web\n"),
                "services[0]: `name` is set twice",
            ),
            (
                text.replace("approval_required: true", "approval_required: yes"),
                "environments.production.approval_required: expected true or false",
            ),
        ];
        for (broken, expected) in cases {
            assert_ne!(broken, text, "{expected}");
            let (message, line, column) = error(&broken);
            assert!(
                message.starts_with(expected),
                "{message}\nexpected {expected}"
            );
            assert!(line > 0 && column > 0);
        }
        // The position is the offending key's or value's.
        let broken = text.replace("runtime: node", "runtime: cobol");
        let (_, line, column) = error(&broken);
        assert_eq!(
            &broken.lines().nth(line - 1).unwrap()[column - 1..],
            "cobol"
        );
    }

    #[test]
    fn null_and_absent_optional_values_read_as_their_defaults() {
        let text = default_text()
            .replace(
                "branches:\n  production: main\n  staging: dev\n  feature_prefix: feature/\n",
                "branches: ~\n",
            )
            .replace("services:", "postgres: null\nservices:");
        let project = read(&text).unwrap();
        assert_eq!(project, Project::default());
        // A required value cannot be null.
        let (message, ..) = error(&default_text().replace("  owner: acme", "  owner: null"));
        assert_eq!(message, "repository: missing field `owner`");
    }

    #[test]
    fn settings_are_one_document() {
        let text = format!("{}---\nname: other\n", default_text());
        match from_yaml(&text) {
            Err(LoadError::Syntax { message, .. }) => {
                assert!(message.contains("one YAML document"))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(from_yaml(""), Err(LoadError::Version(_))));
        assert!(matches!(from_yaml("- a list"), Err(LoadError::Version(_))));
    }

    fn ids_match_serde<T: Choice + serde::Serialize>() {
        for c in T::CHOICES {
            let written = crate::yaml::to_string(c);
            let written = written.trim_start_matches("---").trim();
            assert_eq!(written, c.key());
        }
    }

    /// The ids the reader accepts are the ones the writer (serde, kebab-case) writes.
    #[test]
    fn choices_are_read_as_they_are_written() {
        ids_match_serde::<Runtime>();
        ids_match_serde::<PackageManager>();
        ids_match_serde::<RegistryKind>();
        ids_match_serde::<SecretsProvider>();
        ids_match_serde::<DeployTool>();
        ids_match_serde::<super::Strategy>();
        ids_match_serde::<CanaryEngine>();
        ids_match_serde::<EvictionPolicy>();
        ids_match_serde::<StateLocking>();
    }
}
