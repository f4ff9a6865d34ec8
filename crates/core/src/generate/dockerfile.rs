//! Dockerfile and .dockerignore per app service: dependencies -> build -> a minimal runtime
//! image running as a non-root user, with the migration tool and migrations of a service that
//! has a database. Tests run in CI's test job, beside the databases they need, not in
//! `docker build`, where none exists.
//!
//! A Dockerfile is not a data format, so it is written as text. No free text from the user goes
//! into it: names, ports and paths are validated to need no quoting, exec-form arguments are
//! JSON-escaped.

use std::fmt::Write as _;

use super::provenance;
use crate::model::{AppService, PackageManager, Project, Runtime};

/// Non-root user and group id of every runtime image; Kubernetes `runAsUser` uses the same.
pub const APP_UID: u32 = 10001;

/// How the runtime image creates the app user.
enum UserSetup {
    /// Debian-based images: groupadd/useradd.
    Debian,
    /// Alpine-based images: addgroup/adduser from busybox.
    Alpine,
    /// The image prepares its own folders; only the USER line is written.
    None,
}

/// Everything that differs between ecosystems.
struct Recipe {
    /// Stages before the runtime one, ending in a stage named `build`.
    stages: String,
    runtime_image: String,
    runtime_env: Vec<String>,
    user: UserSetup,
    /// The group of the USER line; 0 for images whose folders are group-root writable.
    group: u32,
    /// Lines after the user is created: COPY --from=build and any set-up the runtime needs.
    copy: String,
    health: Vec<String>,
    command: Vec<String>,
}

pub fn dockerfile(project: &Project, service: &AppService) -> String {
    let recipe = recipe(service);
    let mut out = String::new();
    // The syntax directive must be the first line, so it comes before the provenance comment.
    out.push_str("# syntax=docker/dockerfile:1\n");
    out.push_str(&provenance(project, service));
    let _ = writeln!(
        out,
        "# Build: docker build -t {} {}\n",
        service.name, service.path
    );
    let runner = service
        .uses_postgres
        .then(|| crate::migration::runner(service));
    if let Some(runner) = &runner {
        out.push_str(runner.stage);
    }
    out.push_str(&recipe.stages);
    out.push_str("\n# Runtime: only what runs, as a non-root user.\n");
    let _ = writeln!(out, "FROM {} AS runtime", recipe.runtime_image);
    let mut env = recipe.runtime_env.clone();
    env.push(format!("PORT={}", service.port));
    let _ = writeln!(out, "ENV {}", env.join(" \\\n    "));
    match recipe.user {
        UserSetup::Debian => {
            out.push_str("WORKDIR /app\n");
            let _ = writeln!(
                out,
                "RUN groupadd --system --gid {APP_UID} app \\\n && useradd --system --uid {APP_UID} --gid app --no-create-home --shell /usr/sbin/nologin app"
            );
        }
        UserSetup::Alpine => {
            out.push_str("WORKDIR /app\n");
            let _ = writeln!(
                out,
                "RUN addgroup -S -g {APP_UID} app && adduser -S -D -H -u {APP_UID} -G app app"
            );
        }
        UserSetup::None => {}
    }
    out.push_str(&recipe.copy);
    if let Some(runner) = runner.filter(|r| !r.copy.is_empty()) {
        let _ = writeln!(
            out,
            "# {}: the migration Job runs it from this image.",
            runner.tool
        );
        out.push_str(runner.copy);
    }
    let _ = writeln!(out, "USER {APP_UID}:{}", recipe.group);
    let _ = writeln!(out, "EXPOSE {}", service.port);
    let _ = writeln!(
        out,
        "HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \\\n  CMD {}",
        exec_form(&recipe.health)
    );
    let _ = writeln!(out, "CMD {}", exec_form(&recipe.command));
    out
}

fn recipe(service: &AppService) -> Recipe {
    let version = service.version.as_str();
    let port = service.port;
    let liveness = format!("http://127.0.0.1:{port}{}", service.health.liveness);
    let wget = vec![
        "wget".into(),
        "--quiet".into(),
        "--spider".into(),
        liveness.clone(),
    ];
    let strings = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    match service.runtime {
        Runtime::Node => Recipe {
            stages: node_stages(version, service.package_manager, true),
            runtime_image: format!("node:{version}-trixie-slim"),
            runtime_env: vec!["NODE_ENV=production".into()],
            user: UserSetup::Debian,
            group: APP_UID,
            copy: "COPY --from=prod-deps --chown=10001:10001 /app/node_modules ./node_modules\n\
                   COPY --from=build --chown=10001:10001 /app/package.json ./\n\
                   COPY --from=build --chown=10001:10001 /app/dist ./dist\n"
                .into(),
            health: vec![
                "node".into(),
                "-e".into(),
                format!("fetch('{liveness}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"),
            ],
            command: strings(&["node", "dist/server.js"]),
        },
        Runtime::Static => Recipe {
            stages: node_stages(version, service.package_manager, false),
            runtime_image: "nginxinc/nginx-unprivileged:1.29-alpine".into(),
            runtime_env: vec![],
            user: UserSetup::None,
            // nginx-unprivileged keeps its cache and pid folders writable by group root.
            group: 0,
            copy: "COPY --from=build --chown=10001:0 /app/dist /usr/share/nginx/html\n\
                   # Health paths, client-side routes and caching.\n\
                   COPY nginx.conf /etc/nginx/conf.d/default.conf\n"
                .into(),
            health: wget,
            command: strings(&["nginx", "-g", "daemon off;"]),
        },
        Runtime::Python => {
            let (stages, venv) = python_stages(version, service.package_manager);
            Recipe {
                stages,
                runtime_image: format!("python:{version}-slim-trixie"),
                runtime_env: vec![format!("PATH=\"{venv}/bin:$PATH\""), "PYTHONUNBUFFERED=1".into(), "PYTHONDONTWRITEBYTECODE=1".into()],
                user: UserSetup::Debian,
                group: APP_UID,
                copy: format!(
                    "COPY --from=deps {venv} {venv}\n\
                     COPY --from=build --chown=10001:10001 /app/app ./app\n"
                ),
                health: vec![
                    "python".into(),
                    "-c".into(),
                    format!("import urllib.request; urllib.request.urlopen('{liveness}', timeout=2)"),
                ],
                command: vec!["uvicorn".into(), "app.main:app".into(), "--host".into(), "0.0.0.0".into(), "--port".into(), port.to_string()],
            }
        }
        Runtime::Go => Recipe {
            stages: format!(
                "# Dependencies: cached until go.mod or go.sum changes.\n\
                 FROM golang:{version}-trixie AS deps\n\
                 WORKDIR /src\n\
                 COPY go.mod go.sum ./\n\
                 RUN go mod download\n\
                 \n\
                 # Build: a static binary that needs no libc at runtime.\n\
                 FROM deps AS build\n\
                 COPY . .\n\
                 RUN CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/server .\n"
            ),
            runtime_image: "alpine:3.22".into(),
            runtime_env: vec![],
            user: UserSetup::Alpine,
            group: APP_UID,
            copy: "COPY --from=build /out/server /usr/local/bin/server\n".into(),
            health: wget,
            command: strings(&["/usr/local/bin/server"]),
        },
        Runtime::Java => {
            let gradle = service.package_manager == PackageManager::Gradle;
            let stages = if gradle {
                format!(
                    "# Dependencies: cached until the build files change.\n\
                     FROM eclipse-temurin:{version}-jdk AS deps\n\
                     WORKDIR /src\n\
                     COPY gradlew build.gradle.kts settings.gradle.kts ./\n\
                     COPY gradle ./gradle\n\
                     RUN ./gradlew dependencies --no-daemon\n\
                     \n\
                     # Build: the jar, without the tests (CI runs them).\n\
                     FROM deps AS build\n\
                     COPY src ./src\n\
                     RUN ./gradlew assemble --no-daemon \\\n \
                     && find build/libs -name '*.jar' ! -name '*-plain.jar' -exec cp {{}} /tmp/app.jar \\;\n"
                )
            } else {
                format!(
                    "# Dependencies: cached until pom.xml changes.\n\
                     FROM eclipse-temurin:{version}-jdk AS deps\n\
                     WORKDIR /src\n\
                     COPY mvnw pom.xml ./\n\
                     COPY .mvn ./.mvn\n\
                     RUN ./mvnw --batch-mode dependency:go-offline\n\
                     \n\
                     # Build: the jar, without the tests (CI runs them).\n\
                     FROM deps AS build\n\
                     COPY src ./src\n\
                     RUN ./mvnw --batch-mode package -DskipTests \\\n \
                     && find target -maxdepth 1 -name '*.jar' -exec cp {{}} /tmp/app.jar \\;\n"
                )
            };
            Recipe {
                stages,
                runtime_image: format!("eclipse-temurin:{version}-jre-alpine"),
                runtime_env: vec!["JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75\"".into()],
                user: UserSetup::Alpine,
                group: APP_UID,
                copy: "COPY --from=build /tmp/app.jar ./app.jar\n".into(),
                health: wget,
                command: strings(&["java", "-jar", "app.jar"]),
            }
        }
        Runtime::Rust => Recipe {
            stages: format!(
                "# Dependencies: built once against an empty main, cached until Cargo.toml or\n\
                 # Cargo.lock changes.\n\
                 FROM rust:{version}-alpine AS deps\n\
                 WORKDIR /src\n\
                 COPY Cargo.toml Cargo.lock ./\n\
                 RUN mkdir src && echo 'fn main() {{}}' > src/main.rs \\\n \
                 && cargo build --release --locked \\\n \
                 && rm -rf src\n\
                 \n\
                 # Build: a static musl binary.\n\
                 FROM deps AS build\n\
                 COPY . .\n\
                 RUN touch src/main.rs \\\n \
                 && cargo build --release --locked \\\n \
                 && find target/release -maxdepth 1 -type f -perm -u+x -exec cp {{}} /tmp/server \\;\n"
            ),
            runtime_image: "alpine:3.22".into(),
            runtime_env: vec![],
            user: UserSetup::Alpine,
            group: APP_UID,
            copy: "COPY --from=build /tmp/server /usr/local/bin/server\n".into(),
            health: wget,
            command: strings(&["/usr/local/bin/server"]),
        },
        Runtime::Dotnet => Recipe {
            stages: format!(
                "# Dependencies: restored once, cached until the project file changes.\n\
                 FROM mcr.microsoft.com/dotnet/sdk:{version} AS deps\n\
                 WORKDIR /src\n\
                 COPY *.csproj ./\n\
                 RUN dotnet restore\n\
                 \n\
                 # Build: publish as app.dll.\n\
                 FROM deps AS build\n\
                 COPY . .\n\
                 RUN dotnet publish --no-restore --configuration Release --output /out -p:AssemblyName=app\n"
            ),
            runtime_image: format!("mcr.microsoft.com/dotnet/aspnet:{version}-alpine"),
            runtime_env: vec![format!("ASPNETCORE_HTTP_PORTS={port}")],
            user: UserSetup::Alpine,
            group: APP_UID,
            copy: "COPY --from=build /out ./\n".into(),
            health: wget,
            command: strings(&["dotnet", "app.dll"]),
        },
        Runtime::Ruby => Recipe {
            stages: format!(
                "# Dependencies: production gems, cached until the Gemfile or its lock changes.\n\
                 FROM ruby:{version}-slim-trixie AS deps\n\
                 ENV BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development:test\n\
                 WORKDIR /app\n\
                 # Compilers for gems with native extensions. Versions are not pinned: the\n\
                 # base image tag pins the Debian release, and its security updates replace\n\
                 # exact versions.\n\
                 # hadolint ignore=DL3008\n\
                 RUN apt-get update \\\n \
                 && apt-get install -y --no-install-recommends build-essential \\\n \
                 && rm -rf /var/lib/apt/lists/*\n\
                 COPY Gemfile Gemfile.lock ./\n\
                 RUN bundle install\n\
                 \n\
                 # Build: the app's files on top of the production gems.\n\
                 FROM deps AS build\n\
                 COPY . .\n"
            ),
            runtime_image: format!("ruby:{version}-slim-trixie"),
            runtime_env: vec!["BUNDLE_DEPLOYMENT=1".into(), "BUNDLE_WITHOUT=development:test".into(), "RAILS_ENV=production".into()],
            user: UserSetup::Debian,
            group: APP_UID,
            copy: "COPY --from=deps /usr/local/bundle /usr/local/bundle\n\
                   COPY --from=build --chown=10001:10001 /app ./\n"
                .into(),
            health: vec![
                "ruby".into(),
                "-rnet/http".into(),
                "-e".into(),
                format!("exit Net::HTTP.get_response(URI('{liveness}')).is_a?(Net::HTTPSuccess)"),
            ],
            command: vec!["bundle".into(), "exec".into(), "rails".into(), "server".into(), "--binding".into(), "0.0.0.0".into(), "--port".into(), port.to_string()],
        },
        Runtime::Php => Recipe {
            stages: "# Dependencies: production packages, cached until composer.json or its lock changes.\n\
                     FROM composer:2 AS deps\n\
                     WORKDIR /app\n\
                     COPY composer.json composer.lock ./\n\
                     RUN composer install --no-dev --no-scripts --no-autoloader --prefer-dist --no-interaction\n\
                     \n\
                     # Build: an optimised production autoloader.\n\
                     FROM deps AS build\n\
                     COPY . .\n\
                     RUN composer install --no-dev --no-scripts --optimize-autoloader --no-interaction\n"
                .into(),
            runtime_image: format!("dunglas/frankenphp:1-php{version}-alpine"),
            runtime_env: vec![format!("SERVER_NAME=:{port}")],
            user: UserSetup::Alpine,
            group: APP_UID,
            copy: "COPY --from=build --chown=10001:10001 /app ./\n\
                   # Caddy keeps its state here; the app user must own it.\n\
                   RUN chown -R 10001:10001 /data/caddy /config/caddy\n"
                .into(),
            health: wget,
            command: strings(&["frankenphp", "run", "--config", "/etc/frankenphp/Caddyfile"]),
        },
    }
}

/// Dependencies, production-only dependencies and the build, for Node.js tooling.
fn node_stages(version: &str, package_manager: PackageManager, server: bool) -> String {
    let (setup, install, prod_install, build) = match package_manager {
        PackageManager::Pnpm => (
            "RUN npm install --global pnpm@10\n",
            "pnpm install --frozen-lockfile",
            "pnpm install --frozen-lockfile --prod",
            "pnpm run build",
        ),
        PackageManager::Yarn => (
            "RUN npm install --global corepack@0.34.0 && corepack enable\n",
            "yarn install --immutable",
            "yarn workspaces focus --all --production",
            "yarn run build",
        ),
        _ => ("", "npm ci", "npm ci --omit=dev", "npm run build"),
    };
    let manifests = package_manager.manifests().join(" ");
    let mut out = format!(
        "# Dependencies: cached until package.json or the lockfile changes.\n\
         FROM node:{version}-trixie-slim AS deps\n\
         WORKDIR /app\n\
         {setup}\
         COPY {manifests} ./\n\
         RUN {install}\n"
    );
    if server {
        let _ = write!(
            out,
            "\n# Production dependencies only, for the runtime image.\n\
             FROM deps AS prod-deps\n\
             RUN {prod_install}\n"
        );
    }
    let _ = write!(
        out,
        "\n# Build: into dist/.\n\
         FROM deps AS build\n\
         COPY . .\n\
         RUN {build}\n"
    );
    out
}

/// Stages for Python; returns them with the virtualenv folder the runtime copies.
fn python_stages(version: &str, package_manager: PackageManager) -> (String, &'static str) {
    let base = format!(
        "FROM python:{version}-slim-trixie AS deps\n\
         ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1\n\
         WORKDIR /app\n"
    );
    match package_manager {
        PackageManager::Poetry => (
            format!(
                "# Dependencies: production packages in /app/.venv, cached until the lockfile changes.\n\
                 {base}\
                 ENV POETRY_NO_INTERACTION=1 POETRY_VIRTUALENVS_IN_PROJECT=1\n\
                 RUN pip install --no-cache-dir poetry==2.2.1\n\
                 COPY pyproject.toml poetry.lock ./\n\
                 RUN poetry install --only main --no-root\n\
                 \n\
                 # Build: the app's files; the runtime copies what it runs.\n\
                 FROM deps AS build\n\
                 COPY . .\n"
            ),
            "/app/.venv",
        ),
        PackageManager::Uv => (
            format!(
                "# uv itself, from its pinned image.\n\
                 FROM ghcr.io/astral-sh/uv:0.9 AS uv\n\
                 \n\
                 # Dependencies: production packages in /opt/venv, cached until uv.lock changes.\n\
                 {base}\
                 ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv\n\
                 COPY --from=uv /uv /usr/local/bin/uv\n\
                 COPY pyproject.toml uv.lock ./\n\
                 RUN uv sync --locked --no-dev --no-install-project\n\
                 \n\
                 # Build: the app's files; the runtime copies what it runs.\n\
                 FROM deps AS build\n\
                 COPY . .\n"
            ),
            "/opt/venv",
        ),
        _ => (
            format!(
                "# Dependencies: production packages in /opt/venv, cached until requirements.txt changes.\n\
                 {base}\
                 RUN python -m venv /opt/venv\n\
                 ENV PATH=\"/opt/venv/bin:$PATH\"\n\
                 COPY requirements.txt ./\n\
                 RUN pip install --no-cache-dir -r requirements.txt\n\
                 \n\
                 # Build: the app's files; the runtime copies what it runs.\n\
                 FROM deps AS build\n\
                 COPY . .\n"
            ),
            "/opt/venv",
        ),
    }
}

/// Writes an exec-form argument list (a JSON array), escaping each argument.
fn exec_form(args: &[String]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|arg| crate::yaml::json::string(arg))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Keeps the build context small and secrets out of image layers.
pub fn dockerignore(project: &Project, service: &AppService) -> String {
    let mut out = provenance(project, service);
    out.push_str(
        "# Version control, editor and OS files\n.git\n.gitignore\n.vscode\n.idea\n.DS_Store\n\n\
         # Local secrets never belong in an image\n.env\n.env.*\n*.pem\n*.key\n\n\
         # Container and CI files are not needed inside the image\nDockerfile\n.dockerignore\ndocker-compose*.yml\n.github\n\n",
    );
    out.push_str(match service.runtime {
        Runtime::Node | Runtime::Static => "# Installed and built inside the image\nnode_modules\ndist\ncoverage\nnpm-debug.log*\n.pnpm-store\n.yarn/cache\n",
        Runtime::Python => "# Created inside the image\n__pycache__\n*.pyc\n.venv\n.pytest_cache\n.mypy_cache\n.ruff_cache\n.coverage\ncoverage.xml\nhtmlcov\n",
        Runtime::Go => "# Built inside the image\nbin\n*.test\ncoverage.out\n",
        Runtime::Java => "# Built inside the image\ntarget\nbuild\n.gradle\n",
        Runtime::Rust => "# Built inside the image\ntarget\n",
        Runtime::Dotnet => "# Built inside the image\nbin\nobj\nTestResults\n",
        Runtime::Ruby => "# Installed or written at runtime\nvendor/bundle\nlog\ntmp\ncoverage\n",
        Runtime::Php => "# Installed inside the image\nvendor\n.phpunit.cache\n",
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PRESETS;

    fn every_service() -> Vec<(Project, AppService)> {
        let mut all = Vec::new();
        for preset in PRESETS {
            let project = preset.project();
            for service in &project.services {
                all.push((project.clone(), service.clone()));
            }
        }
        for runtime in Runtime::ALL {
            for pm in runtime.package_managers() {
                let mut project = Project::single("demo", runtime);
                project.services[0].package_manager = *pm;
                all.push((project.clone(), project.services[0].clone()));
            }
        }
        all
    }

    #[test]
    fn every_image_builds_in_stages_and_runs_as_non_root() {
        for (project, service) in every_service() {
            let file = dockerfile(&project, &service);
            let what = format!("{:?}/{:?}", service.runtime, service.package_manager);
            assert!(file.starts_with("# syntax=docker/dockerfile:1\n"), "{what}");
            assert!(
                file.matches("\nFROM ").count() >= 3,
                "{what}: deps, build, runtime"
            );
            assert!(
                file.contains(" AS deps\n") && file.contains(" AS build\n"),
                "{what}"
            );
            assert!(!file.contains(":latest"), "{what}");
            let last_user = file.lines().rfind(|l| l.starts_with("USER "));
            assert!(
                last_user.is_some_and(|u| u.starts_with("USER 10001:")),
                "{what}"
            );
            assert!(
                file.contains(&format!("\nEXPOSE {}\n", service.port)),
                "{what}"
            );
            assert!(file.contains(&format!("PORT={}", service.port)), "{what}");
            let liveness = format!(
                "http://127.0.0.1:{}{}",
                service.port, service.health.liveness
            );
            assert!(file.contains(&liveness), "{what}");
            assert_eq!(
                file.matches("\nCMD [").count(),
                1,
                "{what}: one exec-form CMD"
            );
            assert_eq!(file.matches("HEALTHCHECK").count(), 1, "{what}");
            assert!(
                !file.contains("curl"),
                "{what}: no curl in the runtime images"
            );
        }
    }

    #[test]
    fn manifests_are_copied_before_the_source() {
        for (project, service) in every_service() {
            let file = dockerfile(&project, &service);
            let lines: Vec<&str> = file.lines().collect();
            let manifest = service.package_manager.manifests()[0];
            let manifest = lines
                .iter()
                .position(|l| l.starts_with("COPY ") && l.contains(manifest))
                .unwrap_or(usize::MAX);
            let source = lines
                .iter()
                .position(|l| *l == "COPY . ." || *l == "COPY src ./src")
                .unwrap();
            assert!(
                manifest < source,
                "{:?}/{:?}",
                service.runtime,
                service.package_manager
            );
        }
    }

    /// Tests need the databases CI's test job has; `docker build` has none.
    #[test]
    fn the_build_runs_no_tests_and_a_database_brings_its_migrations() {
        let tests = [
            "pytest",
            "go test",
            "cargo test",
            "dotnet test",
            "rspec",
            "phpunit",
            "npm test",
            "pnpm test",
            "yarn test",
            "gradlew build --",
            "package \\",
        ];
        for (project, mut service) in every_service() {
            for database in [false, true] {
                service.uses_postgres = database;
                let file = dockerfile(&project, &service);
                let what = format!("{:?}/{:?}", service.runtime, service.package_manager);
                for test in tests {
                    assert!(!file.contains(test), "{what}: {test}");
                }
                let runner = crate::migration::runner(&service);
                let runtime = file.split(" AS runtime\n").nth(1).unwrap();
                for line in runner.copy.lines() {
                    assert_eq!(runtime.contains(line), database, "{what}: {line}");
                }
            }
        }
    }

    #[test]
    fn static_site_listens_on_the_service_port() {
        let mut project = Project::single("docs", Runtime::Static);
        project.services[0].port = 3000;
        let file = dockerfile(&project, &project.services[0]);
        assert!(file.contains("COPY nginx.conf /etc/nginx/conf.d/default.conf\n"));
        let conf = super::super::nginx::config(&project.services[0]);
        assert!(conf.contains("listen 3000;"));
    }

    #[test]
    fn exec_form_escapes_json() {
        assert_eq!(exec_form(&["a".into(), "b c".into()]), r#"["a", "b c"]"#);
        assert_eq!(exec_form(&["say \"hi\"\\".into()]), r#"["say \"hi\"\\"]"#);
    }

    #[test]
    fn dockerignore_keeps_secrets_and_build_output_out() {
        for (project, service) in every_service() {
            let file = dockerignore(&project, &service);
            assert!(file.lines().any(|l| l == ".env"));
            assert!(file.lines().any(|l| l == ".git"));
        }
    }
}
