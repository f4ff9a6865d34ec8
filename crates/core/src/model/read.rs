//! Reading saved settings: a YAML (or JSON, which is YAML too) tree turned into a [`Project`]
//! by hand, key by key.
//!
//! serde's derived `Deserialize` did this before, but its visitors cost the app about 29 KiB
//! of gzipped wasm, and the app must read settings for share links, autosave and imports. The
//! YAML parser is in the app already (the rules use it), and this reader adds only a call per
//! key. It is as strict as the derive was: an unknown key, a missing key or a value of the
//! wrong type is an error at its line and column, naming the setting's path.
//!
//! Keys follow the serde names the writer uses; what may be left out reads as its default.

use std::cell::RefCell;

use super::load::LoadError;
use super::project::{
    Aws, Branches, CHECKLIST, DeployTool, Environment, Environments, EvictionPolicy, Kubernetes,
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

/// The project in `root`, the document's top mapping (its schema version has been checked),
/// or the first mistake in it.
pub(crate) fn project(root: &Node) -> Result<Project> {
    let first = RefCell::new(None);
    let project = read_project(&Object::new(&first, root, String::new(), PROJECT_KEYS));
    match first.into_inner() {
        Some(error) => Err(error),
        None => Ok(project),
    }
}

/// YAML's null: `null`, `~` or nothing at all after the key.
fn is_null(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "null" | "~"))
}

/// A mapping of settings, checked against the keys it may have.
///
/// A mistake is recorded (the first one is reported) and reading goes on with a default in
/// its place, rather than returning early: early returns from inside these struct literals
/// made the compiler write drop code for every partly read value, 36 KB of it.
struct Object<'a> {
    first: &'a RefCell<Option<LoadError>>,
    node: &'a Node,
    path: String,
    keys: &'static [&'static str],
    values: Vec<Option<&'a Node>>,
}

impl<'a> Object<'a> {
    #[inline(never)]
    fn new(
        first: &'a RefCell<Option<LoadError>>,
        node: &'a Node,
        path: String,
        keys: &'static [&'static str],
    ) -> Object<'a> {
        let mut object = Object {
            first,
            node,
            path,
            keys,
            values: vec![None; keys.len()],
        };
        let Value::Mapping(entries) = &node.value else {
            object.fail(node, None, "expected a mapping of settings".into());
            return object;
        };
        for (key, value) in entries {
            let name = key.as_str().unwrap_or_default();
            match keys.iter().position(|k| *k == name) {
                None => object.fail(
                    key,
                    None,
                    format!(
                        "unknown field `{name}`, expected one of {}",
                        keys.join(", ")
                    ),
                ),
                Some(i) if object.values[i].is_some() => {
                    object.fail(key, None, format!("`{name}` is set twice"));
                }
                Some(i) => object.values[i] = Some(value).filter(|v| !is_null(v)),
            }
        }
        object
    }

    /// Records a mistake at `node`, in the value under `key` or in this mapping itself.
    #[inline(never)]
    fn fail(&self, node: &Node, key: Option<&str>, message: String) {
        let mut first = self.first.borrow_mut();
        if first.is_some() {
            return;
        }
        let path = match key {
            Some(key) => self.path(key),
            None => self.path.clone(),
        };
        *first = Some(LoadError::Syntax {
            message: if path.is_empty() {
                message
            } else {
                format!("{path}: {message}")
            },
            line: Some(node.line),
            column: Some(node.column),
        });
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

    /// The value under `key`; a mistake if it is missing.
    #[inline(never)]
    fn required(&self, key: &str) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() {
            self.fail(self.node, None, format!("missing field `{key}`"));
        }
        node
    }

    /// The mapping under `key`, to read with `keys`.
    fn object(&self, node: &'a Node, key: &str, keys: &'static [&'static str]) -> Object<'a> {
        Object::new(self.first, node, self.path(key), keys)
    }

    /// The mapping under `key`, read by `read`; a mistake if it is missing.
    fn read<T: Default>(
        &self,
        key: &str,
        keys: &'static [&'static str],
        read: fn(&Object<'a>) -> T,
    ) -> T {
        self.required(key)
            .map(|node| read(&self.object(node, key, keys)))
            .unwrap_or_default()
    }

    /// The mapping under `key` if it is there, read by `read`.
    fn optional<T>(
        &self,
        key: &str,
        keys: &'static [&'static str],
        read: fn(&Object<'a>) -> T,
    ) -> Option<T> {
        self.get(key)
            .map(|node| read(&self.object(node, key, keys)))
    }

    /// Each mapping of the list under `key`, read by `read`.
    fn list<T>(
        &self,
        key: &str,
        keys: &'static [&'static str],
        read: fn(&Object<'a>) -> T,
    ) -> Vec<T> {
        self.items(key)
            .iter()
            .enumerate()
            .map(|(i, node)| read(&self.object(node, &format!("{key}[{i}]"), keys)))
            .collect()
    }

    #[inline(never)]
    fn items(&self, key: &str) -> &'a [Node] {
        match self.get(key) {
            Some(Node {
                value: Value::Sequence(items),
                ..
            }) => items,
            Some(node) => {
                self.fail(node, Some(key), "expected a list".into());
                &[]
            }
            None => &[],
        }
    }

    #[inline(never)]
    fn scalar_text(&self, node: &Node, key: &str) -> String {
        match node.as_str() {
            Some(text) => text.to_owned(),
            None => {
                self.fail(node, Some(key), "expected text".into());
                String::new()
            }
        }
    }

    /// Text under `key`; a mistake if it is missing.
    fn text(&self, key: &str) -> String {
        self.required(key)
            .map(|node| self.scalar_text(node, key))
            .unwrap_or_default()
    }

    /// Text under `key` if it is there.
    fn optional_text(&self, key: &str) -> Option<String> {
        self.get(key).map(|node| self.scalar_text(node, key))
    }

    fn texts(&self, key: &str) -> Vec<String> {
        let items = self.items(key);
        (0..items.len())
            .map(|i| self.scalar_text(&items[i], &format!("{key}[{i}]")))
            .collect()
    }

    #[inline(never)]
    fn whole(&self, node: &Node, key: &str, max: u64) -> u64 {
        match node.as_u64() {
            Some(n) if n <= max => n,
            Some(n) => {
                self.fail(node, Some(key), format!("{n} is too large"));
                0
            }
            None => {
                let found = node.as_str().unwrap_or("a list or mapping");
                self.fail(
                    node,
                    Some(key),
                    format!("expected a whole number, found `{found}`"),
                );
                0
            }
        }
    }

    fn number(&self, key: &str) -> u32 {
        self.required(key)
            .map_or(0, |node| self.whole(node, key, u32::MAX.into()) as u32)
    }

    fn optional_number(&self, key: &str) -> Option<u32> {
        self.get(key)
            .map(|node| self.whole(node, key, u32::MAX.into()) as u32)
    }

    fn numbers(&self, key: &str) -> Vec<u32> {
        let items = self.items(key);
        (0..items.len())
            .map(|i| self.whole(&items[i], &format!("{key}[{i}]"), u32::MAX.into()) as u32)
            .collect()
    }

    fn port(&self, key: &str) -> u16 {
        self.required(key)
            .map_or(0, |node| self.whole(node, key, u16::MAX.into()) as u16)
    }

    #[inline(never)]
    fn flag_at(&self, node: &Node, key: &str) -> bool {
        node.as_bool().unwrap_or_else(|| {
            self.fail(node, Some(key), "expected true or false".into());
            false
        })
    }

    fn flag(&self, key: &str) -> bool {
        self.required(key)
            .is_some_and(|node| self.flag_at(node, key))
    }

    fn flag_or_false(&self, key: &str) -> bool {
        self.get(key).is_some_and(|node| self.flag_at(node, key))
    }

    /// The position in `ids` of the id under `key`.
    #[inline(never)]
    fn choice_index(&self, key: &str, required: bool, ids: &[&'static str]) -> Option<usize> {
        let node = if required {
            self.required(key)?
        } else {
            self.get(key)?
        };
        let found = node.as_str().unwrap_or_default();
        let index = ids.iter().position(|id| *id == found);
        if index.is_none() {
            self.fail(
                node,
                Some(key),
                format!(
                    "unknown value `{found}`, expected one of {}",
                    ids.join(", ")
                ),
            );
        }
        index
    }

    fn pick<T: Choice>(&self, key: &str, required: bool) -> T {
        let ids: Vec<&'static str> = T::CHOICES.iter().map(|c| c.key()).collect();
        T::CHOICES[self.choice_index(key, required, &ids).unwrap_or(0)]
    }

    fn choice<T: Choice>(&self, key: &str) -> T {
        self.pick(key, true)
    }

    /// The choice under `key`, or the first (the default) when it is not there.
    fn choice_or_first<T: Choice>(&self, key: &str) -> T {
        self.pick(key, false)
    }
}

const PROJECT_KEYS: &[&str] = &[
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
    "checklist",
];

fn read_project(o: &Object) -> Project {
    Project {
        schema_version: o.number("schema_version"),
        name: o.text("name"),
        repository: o.read("repository", &["owner", "name"], |o| Repository {
            owner: o.text("owner"),
            name: o.text("name"),
        }),
        branches: o
            .optional(
                "branches",
                &["production", "staging", "feature_prefix"],
                |o| Branches {
                    production: o.text("production"),
                    staging: o.text("staging"),
                    feature_prefix: o.text("feature_prefix"),
                },
            )
            .unwrap_or_default(),
        registry: o
            .optional("registry", &["kind", "address"], |o| Registry {
                kind: o.choice("kind"),
                address: o.optional_text("address").unwrap_or_default(),
            })
            .unwrap_or_default(),
        services: {
            o.required("services");
            o.list("services", SERVICE_KEYS, service)
        },
        postgres: o.optional("postgres", &["version", "pgvector", "database"], |o| {
            Postgres {
                version: o.text("version"),
                pgvector: o.flag_or_false("pgvector"),
                database: o.text("database"),
            }
        }),
        redis: o.optional(
            "redis",
            &["version", "max_memory", "eviction_policy", "append_only"],
            |o| Redis {
                version: o.text("version"),
                max_memory: o.text("max_memory"),
                eviction_policy: o.choice("eviction_policy"),
                append_only: o.flag("append_only"),
            },
        ),
        environments: o
            .optional("environments", &["staging", "production"], |o| {
                Environments {
                    staging: o.read("staging", ENVIRONMENT_KEYS, environment),
                    production: o.read("production", ENVIRONMENT_KEYS, environment),
                }
            })
            .unwrap_or_default(),
        kubernetes: o
            .optional(
                "kubernetes",
                &[
                    "ingress_class",
                    "ingress_namespace",
                    "cluster_issuer",
                    "in_cluster_postgres",
                ],
                |o| Kubernetes {
                    ingress_class: o.text("ingress_class"),
                    ingress_namespace: o.text("ingress_namespace"),
                    cluster_issuer: o.optional_text("cluster_issuer").unwrap_or_default(),
                    in_cluster_postgres: o.flag_or_false("in_cluster_postgres"),
                },
            )
            .unwrap_or_default(),
        secrets_provider: o.choice_or_first("secrets_provider"),
        secrets_store: o
            .optional(
                "secrets_store",
                &[
                    "aws_region",
                    "vault_address",
                    "vault_kv_mount",
                    "azure_vault_name",
                    "azure_client_id",
                    "gcp_project",
                    "gcp_service_account",
                ],
                |o| SecretsStore {
                    aws_region: o.text("aws_region"),
                    vault_address: o.text("vault_address"),
                    vault_kv_mount: o.text("vault_kv_mount"),
                    azure_vault_name: o.text("azure_vault_name"),
                    azure_client_id: o.text("azure_client_id"),
                    gcp_project: o.text("gcp_project"),
                    gcp_service_account: o.text("gcp_service_account"),
                },
            )
            .unwrap_or_default(),
        deploy_tool: o.choice_or_first("deploy_tool"),
        observability: o
            .optional(
                "observability",
                &["enabled", "namespace", "prometheus_release"],
                |o| Observability {
                    enabled: o.flag("enabled"),
                    namespace: o.text("namespace"),
                    prometheus_release: o.text("prometheus_release"),
                },
            )
            .unwrap_or_default(),
        aws: o.optional(
            "aws",
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
            |o| Aws {
                region: o.text("region"),
                availability_zones: o.number("availability_zones"),
                vpc_cidr: o.text("vpc_cidr"),
                cluster_version: o.text("cluster_version"),
                public_endpoint: o.flag_or_false("public_endpoint"),
                public_endpoint_cidrs: o.texts("public_endpoint_cidrs"),
                node_instance_type: o.text("node_instance_type"),
                state_locking: o.choice("state_locking"),
                db_instance_class: o.text("db_instance_class"),
                cache_node_type: o.text("cache_node_type"),
            },
        ),
        checklist: {
            let ticked = o.texts("checklist");
            let items = o.items("checklist");
            for (id, node) in ticked.iter().zip(items) {
                if !CHECKLIST.iter().any(|item| item.id == id) {
                    o.fail(
                        node,
                        Some("checklist"),
                        format!("no checklist item is called `{id}`"),
                    );
                }
            }
            ticked
        },
    }
}

const ENVIRONMENT_KEYS: &[&str] = &[
    "name",
    "namespace",
    "hostname",
    "replicas",
    "approval_required",
];

fn environment(o: &Object) -> Environment {
    Environment {
        name: o.text("name"),
        namespace: o.text("namespace"),
        hostname: o.text("hostname"),
        replicas: o.optional_number("replicas"),
        approval_required: o.flag("approval_required"),
    }
}

const SERVICE_KEYS: &[&str] = &[
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
];

fn service(o: &Object) -> AppService {
    AppService {
        name: o.text("name"),
        path: o.text("path"),
        runtime: o.choice("runtime"),
        version: o.text("version"),
        package_manager: o.choice("package_manager"),
        test_versions: o.texts("test_versions"),
        port: o.port("port"),
        health: o.read("health", &["startup", "liveness", "readiness"], |o| {
            Health {
                startup: o.text("startup"),
                liveness: o.text("liveness"),
                readiness: o.text("readiness"),
            }
        }),
        env: o.list("env", &["name", "value", "secret"], |o| EnvVar {
            name: o.text("name"),
            value: o.optional_text("value").unwrap_or_default(),
            secret: o.flag_or_false("secret"),
        }),
        commands: o.read(
            "commands",
            &["lint", "typecheck", "test", "build", "audit", "dev"],
            |o| Commands {
                lint: o.text("lint"),
                typecheck: o.optional_text("typecheck").unwrap_or_default(),
                test: o.text("test"),
                build: o.optional_text("build").unwrap_or_default(),
                audit: o.optional_text("audit").unwrap_or_default(),
                dev: o.text("dev"),
            },
        ),
        image: o.optional_text("image"),
        replicas: o.number("replicas"),
        resources: o.read(
            "resources",
            &["cpu_request", "cpu_limit", "memory_request", "memory_limit"],
            |o| Resources {
                cpu_request: o.text("cpu_request"),
                cpu_limit: o.text("cpu_limit"),
                memory_request: o.text("memory_request"),
                memory_limit: o.text("memory_limit"),
            },
        ),
        autoscaling: o.optional(
            "autoscaling",
            &[
                "min_replicas",
                "max_replicas",
                "cpu_percent",
                "memory_percent",
            ],
            |o| Autoscaling {
                min_replicas: o.number("min_replicas"),
                max_replicas: o.number("max_replicas"),
                cpu_percent: o.number("cpu_percent"),
                memory_percent: o.optional_number("memory_percent"),
            },
        ),
        ingress: o.optional("ingress", &["host", "path"], |o| Ingress {
            host: o.text("host"),
            path: o.text("path"),
        }),
        uses_postgres: o.flag_or_false("uses_postgres"),
        uses_redis: o.flag_or_false("uses_redis"),
        rollout: o
            .optional(
                "rollout",
                &[
                    "strategy",
                    "max_surge",
                    "max_unavailable",
                    "canary_steps",
                    "canary_engine",
                    "probes",
                    "termination_grace_seconds",
                ],
                |o| Rollout {
                    strategy: o.choice("strategy"),
                    max_surge: o.text("max_surge"),
                    max_unavailable: o.text("max_unavailable"),
                    canary_steps: {
                        o.required("canary_steps");
                        o.numbers("canary_steps")
                    },
                    canary_engine: o.choice("canary_engine"),
                    probes: o.read("probes", &["startup", "liveness", "readiness"], |o| {
                        Probes {
                            startup: o.read("startup", TIMING_KEYS, probe_timing),
                            liveness: o.read("liveness", TIMING_KEYS, probe_timing),
                            readiness: o.read("readiness", TIMING_KEYS, probe_timing),
                        }
                    }),
                    termination_grace_seconds: o.number("termination_grace_seconds"),
                },
            )
            .unwrap_or_default(),
    }
}

const TIMING_KEYS: &[&str] = &[
    "initial_delay_seconds",
    "period_seconds",
    "timeout_seconds",
    "failure_threshold",
];

fn probe_timing(o: &Object) -> ProbeTiming {
    ProbeTiming {
        initial_delay_seconds: o.number("initial_delay_seconds"),
        period_seconds: o.number("period_seconds"),
        timeout_seconds: o.number("timeout_seconds"),
        failure_threshold: o.number("failure_threshold"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PRESETS, from_yaml, to_yaml};

    fn read(text: &str) -> Result<Project> {
        project(&crate::rules::yaml::parse(text).unwrap()[0])
    }

    #[cfg(not(target_arch = "wasm32"))]
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

    // proptest builds natively only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Every value the types allow, in every field, comes back exactly from the file the
        /// writer makes of it: what is saved, exported or shared is what is opened.
        #[test]
        fn every_value_survives_writing_and_reading(
            preset in 0..PRESETS.len(),
            texts in proptest::collection::vec(proptest::prelude::any::<String>(), 1..40),
            numbers in proptest::collection::vec(proptest::prelude::any::<u32>(), 1..20),
            flags in proptest::collection::vec(proptest::prelude::any::<bool>(), 1..7),
        ) {
            let mut project = PRESETS[preset].project();
            fill(&mut project, &texts, &numbers, &flags);
            let text = to_yaml(&project);
            proptest::prop_assert_eq!(read(&text), Ok(project), "{}", text);
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
