//! Presets: complete, valid projects to start from, one per runtime plus a full stack.

use super::project::{Aws, DeployTool, Postgres, Project, Redis, SecretsProvider, StateLocking};
use super::runtime::{PackageManager, Runtime};
use super::service::{
    AppService, Autoscaling, CanaryEngine, Commands, EnvVar, Ingress, Resources, Strategy,
};

/// A named starting point.
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    build: fn() -> Project,
}

impl Preset {
    pub fn project(&self) -> Project {
        (self.build)()
    }
}

/// Every preset, in the order the picker lists them.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "fullstack-fastapi-react",
        description: "FastAPI backend (Poetry), React/Vite frontend, PostgreSQL with pgvector, Redis",
        build: fullstack,
    },
    Preset {
        name: "node-express",
        description: "Node.js API (npm)",
        build: || single("orders", Runtime::Node),
    },
    Preset {
        name: "python-fastapi",
        description: "Python FastAPI service (uv)",
        build: python_fastapi,
    },
    Preset {
        name: "go-api",
        description: "Go HTTP service",
        build: go_canary,
    },
    Preset {
        name: "java-spring",
        description: "Java Spring Boot service (Maven)",
        build: java_blue_green,
    },
    Preset {
        name: "rust-axum",
        description: "Rust axum service, secrets in Azure Key Vault",
        build: rust_azure,
    },
    Preset {
        name: "dotnet-api",
        description: ".NET minimal API",
        build: dotnet_rollouts,
    },
    Preset {
        name: "ruby-rails",
        description: "Ruby on Rails app (Bundler)",
        build: rails_with_postgres,
    },
    Preset {
        name: "php-laravel",
        description: "PHP Laravel app (Composer), secrets in HashiCorp Vault",
        build: php_vault,
    },
    Preset {
        name: "static-site",
        description: "Static frontend built with Node.js, served by nginx",
        build: static_site,
    },
    Preset {
        name: "start-from-scratch",
        description: "One Node.js service and nothing else: no database, cache, ingress or cloud. Add what you need.",
        build: || Project::single("app", Runtime::Node),
    },
];

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|preset| preset.name == name)
}

fn single(name: &str, runtime: Runtime) -> Project {
    let mut project = Project::single(name, runtime);
    let service = &mut project.services[0];
    service.env.push(EnvVar {
        name: "LOG_LEVEL".into(),
        value: "info".into(),
        secret: false,
    });
    service.ingress = Some(Ingress {
        host: "api".into(),
        path: "/".into(),
    });
    project
}

/// A Go service released as an Istio canary: 10% -> 50% -> 100%.
fn go_canary() -> Project {
    let mut project = single("catalog", Runtime::Go);
    project.services[0].rollout.strategy = Strategy::Canary;
    project
}

/// A Spring Boot service released blue-green.
/// A Spring Boot service released blue-green, on AWS with a managed PostgreSQL and S3-native
/// state locking.
fn java_blue_green() -> Project {
    let mut project = single("billing", Runtime::Java);
    project.services[0].rollout.strategy = Strategy::BlueGreen;
    project.deploy_tool = DeployTool::Helm;
    project.services[0].uses_postgres = true;
    project.postgres = Some(Postgres {
        version: "17".into(),
        pgvector: false,
        database: "billing".into(),
    });
    project.aws = Some(Aws {
        availability_zones: 2,
        state_locking: StateLocking::S3Native,
        ..Aws::default()
    });
    project.secrets_provider = SecretsProvider::AwsSecretsManager;
    project
}

/// A .NET service released as a canary by Argo Rollouts.
fn dotnet_rollouts() -> Project {
    let mut project = single("payments", Runtime::Dotnet);
    let rollout = &mut project.services[0].rollout;
    rollout.strategy = Strategy::Canary;
    rollout.canary_engine = CanaryEngine::ArgoRollouts;
    rollout.canary_steps = vec![5, 25, 50, 100];
    project
}

/// A Rails app with PostgreSQL running in the cluster (no managed database).
fn rails_with_postgres() -> Project {
    // (AWS below runs the cluster only: the database stays in it.)
    let mut project = single("storefront", Runtime::Ruby);
    project.services[0].uses_postgres = true;
    project.postgres = Some(Postgres {
        version: "17".into(),
        pgvector: false,
        database: "storefront".into(),
    });
    project.kubernetes.in_cluster_postgres = true;
    project.aws = Some(Aws::default());
    project
}

/// A Rust service whose API key lives in Azure Key Vault.
fn rust_azure() -> Project {
    let mut project = single("search", Runtime::Rust);
    project.services[0].env.push(EnvVar {
        name: "INDEX_API_KEY".into(),
        value: String::new(),
        secret: true,
    });
    project.secrets_provider = SecretsProvider::AzureKeyVault;
    project
}

/// A Laravel app whose APP_KEY lives in Vault.
fn php_vault() -> Project {
    let mut project = single("cms", Runtime::Php);
    project.services[0].env.push(EnvVar {
        name: "APP_KEY".into(),
        value: String::new(),
        secret: true,
    });
    project.secrets_provider = SecretsProvider::Vault;
    project
}

fn python_fastapi() -> Project {
    let mut project = single("inference", Runtime::Python);
    project.services[0].env.push(EnvVar {
        name: "MODEL_API_TOKEN".into(),
        value: String::new(),
        secret: true,
    });
    project.secrets_provider = SecretsProvider::GcpSecretManager;
    let service = &mut project.services[0];
    service.package_manager = PackageManager::Uv;
    service.commands = Commands::defaults(Runtime::Python, PackageManager::Uv);
    service.test_versions = vec!["3.12".into(), "3.14".into()];
    project
}

fn static_site() -> Project {
    let mut project = Project::single("docs", Runtime::Static);
    project.deploy_tool = DeployTool::Helm;
    let site = &mut project.services[0];
    site.name = "web".into();
    site.ingress = Some(Ingress {
        host: "docs".into(),
        path: "/".into(),
    });
    site.resources = Resources {
        cpu_request: "50m".into(),
        cpu_limit: "200m".into(),
        memory_request: "32Mi".into(),
        memory_limit: "64Mi".into(),
    };
    project
}

/// Modelled on a real product team: an AI assistant with a FastAPI backend (Poetry), a
/// React/Vite frontend, PostgreSQL with pgvector for embeddings, and Redis for caching.
fn fullstack() -> Project {
    let mut project = Project::single("assistant", Runtime::Python);
    let mut backend = AppService::new("backend", "backend", Runtime::Python);
    backend.package_manager = PackageManager::Poetry;
    backend.commands = Commands::defaults(Runtime::Python, PackageManager::Poetry);
    backend.health.startup = "/health/startup".into();
    backend.env = vec![
        EnvVar {
            name: "LOG_LEVEL".into(),
            value: "info".into(),
            secret: false,
        },
        EnvVar {
            name: "CORS_ORIGINS".into(),
            value: "{{frontend.url}}".into(),
            secret: false,
        },
        EnvVar {
            name: "OPENAI_API_KEY".into(),
            value: String::new(),
            secret: true,
        },
        EnvVar {
            name: "JWT_SECRET".into(),
            value: String::new(),
            secret: true,
        },
    ];
    backend.resources = Resources {
        cpu_request: "250m".into(),
        cpu_limit: "1".into(),
        memory_request: "256Mi".into(),
        memory_limit: "1Gi".into(),
    };
    backend.autoscaling = Some(Autoscaling {
        min_replicas: 2,
        max_replicas: 6,
        cpu_percent: 70,
        memory_percent: Some(80),
    });
    backend.ingress = Some(Ingress {
        host: "api".into(),
        path: "/".into(),
    });
    backend.uses_postgres = true;
    backend.uses_redis = true;

    let mut frontend = AppService::new("frontend", "frontend", Runtime::Static);
    frontend.env = vec![EnvVar {
        name: "VITE_API_URL".into(),
        value: "{{backend.url}}".into(),
        secret: false,
    }];
    frontend.ingress = Some(Ingress {
        host: "app".into(),
        path: "/".into(),
    });
    frontend.resources = Resources {
        cpu_request: "50m".into(),
        cpu_limit: "200m".into(),
        memory_request: "32Mi".into(),
        memory_limit: "128Mi".into(),
    };

    project.services = vec![backend, frontend];
    project.postgres = Some(Postgres {
        version: "17".into(),
        pgvector: true,
        database: "assistant".into(),
    });
    project.redis = Some(Redis::default());
    project.secrets_provider = SecretsProvider::AwsSecretsManager;
    project.aws = Some(Aws::default());
    project
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid() {
        for preset in PRESETS {
            let errors = preset.project().validate();
            assert!(errors.is_empty(), "{}: {errors:?}", preset.name);
        }
    }

    #[test]
    fn every_runtime_has_a_preset() {
        for runtime in Runtime::ALL {
            assert!(
                PRESETS
                    .iter()
                    .any(|p| p.project().services.iter().any(|s| s.runtime == runtime)),
                "{runtime:?}"
            );
        }
    }

    #[test]
    fn names_are_unique_and_found() {
        for preset_entry in PRESETS {
            assert_eq!(preset(preset_entry.name).unwrap().name, preset_entry.name);
        }
        assert!(preset("nope").is_none());
    }
}
