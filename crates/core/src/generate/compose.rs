//! docker-compose.yml for local development: every app service built from its folder and run
//! with hot reload, plus PostgreSQL and Redis with health checks and named volumes.

use crate::yaml::Map;
use serde::Serialize;

use crate::model::{AppService, EnvVar, Project, Runtime};

/// Host ports other software on a developer's machine commonly holds (AirPlay on 5000 and
/// 7000, local databases), so the app is not mapped there.
const BUSY_HOST_PORTS: &[u16] = &[5000, 5432, 6379, 7000, 3306, 27017];
/// Host ports for the backing services: next to the defaults, so a local install keeps its own.
const POSTGRES_HOST_PORT: u16 = 5437;
const REDIS_HOST_PORT: u16 = 6380;
/// Local-only password, overridable from the developer's `.env`.
const LOCAL_DB_PASSWORD: &str = "${POSTGRES_PASSWORD:-localdev}";

#[derive(Serialize)]
struct Compose {
    name: String,
    services: Map<String, Service>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    volumes: Map<&'static str, crate::yaml::Empty>,
}

#[derive(Serialize, Default)]
struct Service {
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    build: Option<Build>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    command: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    environment: Map<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volumes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    depends_on: Map<&'static str, DependsOn>,
    #[serde(skip_serializing_if = "Option::is_none")]
    restart: Option<&'static str>,
}

#[derive(Serialize)]
struct Build {
    context: String,
    /// The dependencies stage: the source comes from the bind mount, for hot reload.
    target: &'static str,
}

#[derive(Serialize)]
struct Healthcheck {
    test: Vec<String>,
    interval: &'static str,
    timeout: &'static str,
    retries: u32,
    start_period: &'static str,
}

#[derive(Serialize)]
struct DependsOn {
    condition: &'static str,
}

pub const PATH: &str = "docker-compose.yml";

pub fn compose(project: &Project) -> crate::yaml::Yaml {
    let mut services = Map::new();
    for (service, host_port) in project.services.iter().zip(host_ports(project)) {
        services.insert(
            service.name.clone(),
            app_service(project, service, host_port),
        );
    }
    let mut volumes = Map::new();
    if let Some(postgres) = &project.postgres {
        let image = postgres.image();
        // PostgreSQL 18 images keep data in a versioned folder below /var/lib/postgresql.
        let data = if postgres.version.parse::<u32>().unwrap_or(0) >= 18 {
            "/var/lib/postgresql"
        } else {
            "/var/lib/postgresql/data"
        };
        services.insert(
            "postgres".into(),
            Service {
                image: Some(image),
                // Only this machine reaches the local database, not the whole network.
                ports: vec![format!("127.0.0.1:{POSTGRES_HOST_PORT}:5432")],
                environment: Map::from([
                    ("POSTGRES_USER".into(), postgres.database.clone()),
                    ("POSTGRES_PASSWORD".into(), LOCAL_DB_PASSWORD.into()),
                    ("POSTGRES_DB".into(), postgres.database.clone()),
                ]),
                volumes: vec![format!("pgdata:{data}")],
                healthcheck: Some(Healthcheck {
                    test: vec![
                        "CMD-SHELL".into(),
                        format!("pg_isready -U {0} -d {0}", postgres.database),
                    ],
                    interval: "5s",
                    timeout: "5s",
                    retries: 10,
                    start_period: "10s",
                }),
                restart: Some("unless-stopped"),
                ..Service::default()
            },
        );
        volumes.insert("pgdata", crate::yaml::Empty {});
    }
    if let Some(redis) = &project.redis {
        let mut command = vec!["redis-server".to_owned()];
        command.extend([
            "--appendonly".into(),
            if redis.append_only { "yes" } else { "no" }.into(),
        ]);
        command.extend(["--maxmemory".into(), redis.max_memory.clone()]);
        command.extend([
            "--maxmemory-policy".into(),
            redis.eviction_policy.id().into(),
        ]);
        services.insert(
            "redis".into(),
            Service {
                image: Some(format!("redis:{}-alpine", redis.version)),
                command,
                ports: vec![format!("127.0.0.1:{REDIS_HOST_PORT}:6379")],
                volumes: vec!["redisdata:/data".into()],
                healthcheck: Some(Healthcheck {
                    test: vec!["CMD".into(), "redis-cli".into(), "ping".into()],
                    interval: "5s",
                    timeout: "3s",
                    retries: 10,
                    start_period: "5s",
                }),
                restart: Some("unless-stopped"),
                ..Service::default()
            },
        );
        volumes.insert("redisdata", crate::yaml::Empty {});
    }
    let compose = Compose {
        name: project.name.clone(),
        services,
        volumes,
    };
    let mut out =
        String::from("# Generated by Shipshape; change the settings rather than this file.\n");
    out.push_str(&format!("# Project: {}\n", project.name));
    out.push_str("# Local development: `docker compose up --build`; edits in each\n");
    out.push_str("# service folder reload live.\n");
    out.push_str("# Put secret values in a .env file next to this one (never commit it).\n");
    let mut yaml = crate::yaml::Yaml::with_comments(&out);
    yaml.document(&compose);
    yaml
}

fn app_service(project: &Project, service: &AppService, host_port: u16) -> Service {
    let workdir = workdir(service.runtime);
    let mut environment = Map::from([("PORT".to_owned(), service.port.to_string())]);
    for EnvVar {
        name,
        value,
        secret,
    } in &service.env
    {
        let value = if *secret {
            // Read from the developer's shell or .env file; empty when unset.
            format!("${{{name}:-}}")
        } else {
            // Compose expands `$` in values; `$$` keeps the user's text as typed.
            super::fill_urls(project, value, super::Place::Local).replace('$', "$$")
        };
        environment.insert(name.clone(), value);
    }
    let mut depends_on = Map::new();
    if let (true, Some(postgres)) = (service.uses_postgres, &project.postgres) {
        environment.insert(
            "DATABASE_URL".into(),
            format!(
                "postgresql://{0}:{LOCAL_DB_PASSWORD}@postgres:5432/{0}",
                postgres.database
            ),
        );
        depends_on.insert(
            "postgres",
            DependsOn {
                condition: "service_healthy",
            },
        );
    }
    if service.uses_redis && project.redis.is_some() {
        environment.insert("REDIS_URL".into(), "redis://redis:6379/0".into());
        depends_on.insert(
            "redis",
            DependsOn {
                condition: "service_healthy",
            },
        );
    }
    let context = match service.path.trim_end_matches('/') {
        "." | "" => ".".to_owned(),
        path => format!("./{path}"),
    };
    let mut volumes = vec![format!("{context}:{workdir}")];
    // Folders the image filled at build time, kept from being hidden by the bind mount.
    volumes.extend(
        kept_folders(service)
            .iter()
            .map(|folder| format!("{workdir}/{folder}")),
    );
    Service {
        build: Some(Build {
            context,
            target: "deps",
        }),
        command: vec![
            "sh".into(),
            "-c".into(),
            service.commands.dev.replace('$', "$$"),
        ],
        ports: vec![format!("{host_port}:{}", service.port)],
        environment,
        volumes,
        depends_on,
        ..Service::default()
    }
}

/// The working directory of the dependencies stage of each Dockerfile.
fn workdir(runtime: Runtime) -> &'static str {
    match runtime {
        Runtime::Go | Runtime::Java | Runtime::Rust | Runtime::Dotnet => "/src",
        _ => "/app",
    }
}

fn kept_folders(service: &AppService) -> &'static [&'static str] {
    match service.runtime {
        Runtime::Node | Runtime::Static => &["node_modules"],
        Runtime::Python if service.package_manager == crate::model::PackageManager::Poetry => {
            &[".venv"]
        }
        Runtime::Rust | Runtime::Java => &["target"],
        Runtime::Dotnet => &["bin", "obj"],
        Runtime::Php => &["vendor"],
        _ => &[],
    }
}

/// The service's own port on the host, unless something else commonly holds it.
/// The port each app service is published on, on the developer's machine, in service order.
pub fn host_ports(project: &Project) -> Vec<u16> {
    let mut used = vec![POSTGRES_HOST_PORT, REDIS_HOST_PORT];
    for service in &project.services {
        let port = host_port(service.port, &used);
        used.push(port);
    }
    used.split_off(2)
}

fn host_port(port: u16, used: &[u16]) -> u16 {
    let mut candidate = port;
    while candidate < 1024 || BUSY_HOST_PORTS.contains(&candidate) || used.contains(&candidate) {
        candidate = if candidate < 1024 {
            8000 + candidate
        } else {
            candidate.checked_add(1).unwrap_or(1024)
        };
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    #[test]
    fn host_ports_avoid_common_conflicts() {
        assert_eq!(host_port(8000, &[]), 8000);
        assert_eq!(host_port(5000, &[]), 5001);
        assert_eq!(host_port(8000, &[8000]), 8001);
        assert_eq!(host_port(80, &[]), 8080);
    }

    #[test]
    fn the_full_stack_waits_for_healthy_backing_services() {
        let project = crate::model::preset("fullstack-fastapi-react")
            .unwrap()
            .project();
        let text = compose(&project).into_text();
        let doc: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        assert!(
            doc.get("version").is_none(),
            "no obsolete top-level version"
        );
        let backend = &doc["services"]["backend"];
        assert_eq!(
            backend["depends_on"]["postgres"]["condition"].as_str(),
            Some("service_healthy")
        );
        assert_eq!(
            backend["depends_on"]["redis"]["condition"].as_str(),
            Some("service_healthy")
        );
        assert!(
            backend["environment"]["DATABASE_URL"]
                .as_str()
                .unwrap()
                .contains("@postgres:5432/assistant")
        );
        assert_eq!(
            backend["environment"]["REDIS_URL"].as_str(),
            Some("redis://redis:6379/0")
        );
        assert_eq!(
            backend["environment"]["OPENAI_API_KEY"].as_str(),
            Some("${OPENAI_API_KEY:-}")
        );
        assert_eq!(
            doc["services"]["postgres"]["image"].as_str(),
            Some("pgvector/pgvector:pg17")
        );
        assert_eq!(
            doc["services"]["postgres"]["ports"][0].as_str(),
            Some("127.0.0.1:5437:5432")
        );
        assert!(
            doc["services"]["postgres"]["healthcheck"]["test"][1]
                .as_str()
                .unwrap()
                .starts_with("pg_isready")
        );
        let redis_command: Vec<&str> = doc["services"]["redis"]["command"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            redis_command
                .windows(2)
                .any(|w| w == ["--appendonly", "yes"])
        );
        assert!(
            redis_command
                .windows(2)
                .any(|w| w == ["--maxmemory-policy", "allkeys-lru"])
        );
    }

    #[test]
    fn every_preset_composes() {
        for preset in PRESETS {
            let project = preset.project();
            let doc: serde_norway::Value =
                serde_norway::from_str(compose(&project).text()).unwrap();
            assert!(doc["services"].as_mapping().unwrap().len() >= project.services.len());
        }
    }

    #[test]
    fn dollar_signs_in_values_stay_literal() {
        let mut project = Project::default();
        project.services[0].env.push(EnvVar {
            name: "GREETING".into(),
            value: "cost $5".into(),
            secret: false,
        });
        let doc: serde_norway::Value = serde_norway::from_str(compose(&project).text()).unwrap();
        assert_eq!(
            doc["services"]["api"]["environment"]["GREETING"].as_str(),
            Some("cost $$5")
        );
    }
}
