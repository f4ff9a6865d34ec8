//! Dockerfile and .dockerignore: a multi-stage build per runtime.
//!
//! A Dockerfile is not a data format, so it is written as text; every value placed in it has
//! been validated (service name, port, health path) or is JSON-escaped in exec form.

use std::fmt::Write as _;

use super::provenance;
use crate::model::{Runtime, Settings};

/// Non-root user and group id of every runtime image; Kubernetes `runAsUser` uses the same.
pub(crate) const APP_UID: u32 = 1001;

pub(crate) fn dockerfile(settings: &Settings) -> String {
    let mut out = String::new();
    // The syntax directive must be the first line, so it comes before the provenance comment.
    out.push_str("# syntax=docker/dockerfile:1\n");
    let _ = writeln!(out, "# {}", provenance(settings));
    out.push('\n');
    out.push_str(&build_stages(settings.runtime));
    out.push('\n');
    out.push_str(&runtime_stage(settings));
    out
}

/// Dependency manifests are copied before the source, so the dependency layer stays cached
/// until they change; tests run in the build stage, so a failing test fails the image build.
fn build_stages(runtime: Runtime) -> String {
    match runtime {
        Runtime::Node => "\
# Dependencies: cached until package.json or the lockfile changes.
FROM node:24-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

# Build: run the tests, build, then drop dev dependencies.
FROM deps AS build
COPY . .
RUN npm test && npm run build && npm prune --omit=dev
",
        Runtime::Python => "\
# Dependencies: installed into a virtualenv that the runtime stage copies whole.
FROM python:3.13-slim-trixie AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=\"/opt/venv/bin:$PATH\"
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Build: the source, checked by the test suite.
FROM deps AS build
COPY . .
RUN python -m unittest discover --start-directory tests
",
        Runtime::Go => "\
# Dependencies: cached until go.mod or go.sum changes.
FROM golang:1.25-alpine AS deps
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

# Build: test, then a static binary that needs no libc in the runtime image.
FROM deps AS build
COPY . .
RUN go test ./... && CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o /out/server .
",
        Runtime::Java => "\
# Dependencies: cached until pom.xml changes.
FROM maven:3.9-eclipse-temurin-25 AS deps
WORKDIR /src
COPY pom.xml ./
RUN mvn --batch-mode --quiet dependency:go-offline

# Build: `package` runs the tests before it writes the jar.
FROM deps AS build
COPY src ./src
RUN mvn --batch-mode --quiet package && cp target/*.jar /tmp/app.jar
",
        Runtime::Rust => "\
# Dependencies: built once against an empty main, cached until Cargo.toml or Cargo.lock changes.
FROM rust:1.95-alpine AS deps
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release --locked && rm -rf src

# Build: test, then a static musl binary.
FROM deps AS build
COPY . .
RUN touch src/main.rs && cargo test --release --locked && cargo build --release --locked && cp \"target/release/$(cargo pkgid | sed 's|.*/||; s|[#@].*||')\" /tmp/server
",
        Runtime::Static => "\
# Dependencies: cached until package.json or the lockfile changes.
FROM node:24-trixie-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

# Build: the static site, into dist/.
FROM deps AS build
COPY . .
RUN npm test && npm run build
",
    }
    .to_owned()
}

/// The final stage: only what runs, as a non-root user, with a health check that uses a tool
/// the image really has (no curl where there is none).
fn runtime_stage(settings: &Settings) -> String {
    let port = settings.port;
    let url = format!("http://127.0.0.1:{port}{}", settings.health_path);
    let wget = exec_form(&["wget", "--quiet", "--spider", &url]);
    let mut out =
        String::from("# Runtime: the smallest image that runs the service, as a non-root user.\n");
    let (user_setup, copy, health, command) = match settings.runtime {
        Runtime::Node => (
            debian_user(),
            "COPY --from=build --chown=1001:1001 /app/package.json ./\n\
             COPY --from=build --chown=1001:1001 /app/node_modules ./node_modules\n\
             COPY --from=build --chown=1001:1001 /app/dist ./dist\n"
                .to_owned(),
            exec_form(&[
                "node",
                "-e",
                &format!(
                    "fetch('{url}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
                ),
            ]),
            exec_form(&["node", "dist/server.js"]),
        ),
        Runtime::Python => (
            debian_user(),
            "COPY --from=build /opt/venv /opt/venv\n\
             COPY --from=build --chown=1001:1001 /app .\n"
                .to_owned(),
            exec_form(&[
                "python",
                "-c",
                &format!("import urllib.request; urllib.request.urlopen('{url}', timeout=2)"),
            ]),
            exec_form(&["python", "-m", "app"]),
        ),
        Runtime::Go => (
            alpine_user(),
            "COPY --from=build /out/server /usr/local/bin/server\n".to_owned(),
            wget.clone(),
            exec_form(&["/usr/local/bin/server"]),
        ),
        Runtime::Java => (
            alpine_user(),
            "COPY --from=build /tmp/app.jar ./app.jar\n".to_owned(),
            wget.clone(),
            exec_form(&["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]),
        ),
        Runtime::Rust => (
            alpine_user(),
            "COPY --from=build /tmp/server /usr/local/bin/server\n".to_owned(),
            wget.clone(),
            exec_form(&["/usr/local/bin/server"]),
        ),
        Runtime::Static => (
            String::new(),
            format!(
                "COPY --from=build --chown=1001:0 /app/dist /usr/share/nginx/html\n\
                 # nginx-unprivileged listens on 8080; move it to the service port.\n\
                 RUN sed -i 's/listen  *8080;/listen {port};/; s/listen  *\\[::\\]:8080;/listen [::]:{port};/' /etc/nginx/conf.d/default.conf\n"
            ),
            wget.clone(),
            exec_form(&["nginx", "-g", "daemon off;"]),
        ),
    };
    let base = match settings.runtime {
        Runtime::Node => "node:24-trixie-slim",
        Runtime::Python => "python:3.13-slim-trixie",
        Runtime::Go | Runtime::Rust => "alpine:3.22",
        Runtime::Java => "eclipse-temurin:25-jre-alpine",
        Runtime::Static => "nginxinc/nginx-unprivileged:1.29-alpine",
    };
    let _ = writeln!(out, "FROM {base} AS runtime");
    match settings.runtime {
        Runtime::Node => {
            let _ = writeln!(out, "ENV NODE_ENV=production PORT={port}");
        }
        Runtime::Python => {
            let _ = writeln!(
                out,
                "ENV PATH=\"/opt/venv/bin:$PATH\" PYTHONUNBUFFERED=1 PORT={port}"
            );
        }
        Runtime::Go | Runtime::Java | Runtime::Rust => {
            let _ = writeln!(out, "ENV PORT={port}");
        }
        Runtime::Static => {}
    }
    if settings.runtime == Runtime::Static {
        // nginx runs as root's group so it can write its pid and cache folders.
        out.push_str(&copy);
        let _ = writeln!(out, "USER {APP_UID}:0");
    } else {
        out.push_str("WORKDIR /app\n");
        out.push_str(&user_setup);
        out.push_str(&copy);
        let _ = writeln!(out, "USER {APP_UID}:{APP_UID}");
    }
    let _ = writeln!(out, "EXPOSE {port}");
    let _ = writeln!(
        out,
        "HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \\\n  CMD {health}"
    );
    let _ = writeln!(out, "CMD {command}");
    out
}

fn debian_user() -> String {
    format!(
        "RUN groupadd --system --gid {APP_UID} app \\\n \
         && useradd --system --uid {APP_UID} --gid app --no-create-home --shell /usr/sbin/nologin app\n"
    )
}

fn alpine_user() -> String {
    format!("RUN addgroup -S -g {APP_UID} app && adduser -S -D -H -u {APP_UID} -G app app\n")
}

/// Writes an exec-form argument list (a JSON array), escaping each argument.
fn exec_form(args: &[&str]) -> String {
    let quoted: Vec<String> = args.iter().map(|arg| json_string(arg)).collect();
    format!("[{}]", quoted.join(", "))
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Keeps the build context small and secrets out of image layers.
pub(crate) fn dockerignore(settings: &Settings) -> String {
    let mut out = format!("# {}\n", provenance(settings));
    out.push_str(
        "# Version control, editor and OS files\n.git\n.gitignore\n.vscode\n.idea\n.DS_Store\n\n\
         # Local secrets never belong in an image\n.env\n.env.*\n*.pem\n*.key\n\n\
         # Container and CI files are not needed inside the image\nDockerfile\n.dockerignore\ndocker-compose*.yml\n.github\n\n",
    );
    out.push_str(match settings.runtime {
        Runtime::Node | Runtime::Static => {
            "# Installed and built inside the image\nnode_modules\ndist\ncoverage\nnpm-debug.log*\n"
        }
        Runtime::Python => {
            "# Created inside the image\n__pycache__\n*.pyc\n.venv\n.pytest_cache\n.mypy_cache\n.ruff_cache\n.coverage\nhtmlcov\n"
        }
        Runtime::Go => "# Built inside the image\nbin\n*.test\ncoverage.out\n",
        Runtime::Java => "# Built inside the image\ntarget\n.mvn/wrapper/maven-wrapper.jar\n",
        Runtime::Rust => "# Built inside the image\ntarget\n",
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(runtime: Runtime) -> Settings {
        Settings {
            service_name: "billing".into(),
            runtime,
            port: 3000,
            health_path: "/health/live".into(),
        }
    }

    #[test]
    fn every_runtime_builds_in_stages_and_runs_as_non_root() {
        for runtime in Runtime::ALL {
            let file = dockerfile(&settings(runtime));
            assert!(
                file.starts_with("# syntax=docker/dockerfile:1\n"),
                "{runtime:?}"
            );
            assert!(
                file.contains("Generated by Shipshape for service billing"),
                "{runtime:?}"
            );
            assert!(
                file.matches("\nFROM ").count() >= 2,
                "{runtime:?} is not multi-stage"
            );
            assert!(!file.contains(":latest"), "{runtime:?} uses latest");
            let last_user = file.lines().rfind(|l| l.starts_with("USER "));
            assert!(
                last_user.is_some_and(|u| u.starts_with("USER 1001")),
                "{runtime:?}"
            );
            assert!(file.contains("\nEXPOSE 3000\n"), "{runtime:?}");
            assert!(
                file.contains("http://127.0.0.1:3000/health/live"),
                "{runtime:?}"
            );
            assert_eq!(
                file.matches("\nCMD [").count(),
                1,
                "{runtime:?}: one exec-form CMD"
            );
            assert_eq!(file.matches("HEALTHCHECK").count(), 1, "{runtime:?}");
        }
    }

    #[test]
    fn health_check_uses_a_tool_the_runtime_image_has() {
        let node = dockerfile(&settings(Runtime::Node));
        assert!(
            node.contains("CMD [\"node\", \"-e\", \"fetch('http://127.0.0.1:3000/health/live')")
        );
        let python = dockerfile(&settings(Runtime::Python));
        assert!(python.contains("CMD [\"python\", \"-c\""));
        for runtime in [Runtime::Go, Runtime::Java, Runtime::Rust, Runtime::Static] {
            assert!(
                dockerfile(&settings(runtime)).contains("CMD [\"wget\""),
                "{runtime:?}"
            );
        }
        for runtime in Runtime::ALL {
            assert!(
                !dockerfile(&settings(runtime)).contains("curl"),
                "{runtime:?}"
            );
        }
    }

    #[test]
    fn static_site_listens_on_the_service_port() {
        let file = dockerfile(&settings(Runtime::Static));
        assert!(file.contains("listen 3000;"));
        assert!(file.contains("listen [::]:3000;"));
    }

    #[test]
    fn exec_form_escapes_json() {
        assert_eq!(exec_form(&["a", "b c"]), r#"["a", "b c"]"#);
        assert_eq!(exec_form(&["say \"hi\"\\\n"]), r#"["say \"hi\"\\\n"]"#);
        assert_eq!(exec_form(&["\u{1}"]), r#"["\u0001"]"#);
    }

    #[test]
    fn dockerignore_keeps_secrets_and_build_output_out() {
        for runtime in Runtime::ALL {
            let file = dockerignore(&settings(runtime));
            assert!(file.lines().any(|l| l == ".env"), "{runtime:?}");
            assert!(file.lines().any(|l| l == ".git"), "{runtime:?}");
        }
        assert!(
            dockerignore(&settings(Runtime::Node))
                .lines()
                .any(|l| l == "node_modules")
        );
        assert!(
            dockerignore(&settings(Runtime::Rust))
                .lines()
                .any(|l| l == "target")
        );
    }
}
