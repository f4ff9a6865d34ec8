//! Property tests with hostile text in every free-text field: a value is either refused with a
//! message (and the project is unchanged), or accepted, and then every generated YAML file
//! parses, the value comes back unchanged, and no `${{` reaches a `run:` script.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cases, check_bundle};
use proptest::prelude::*;
use shipshape_core::generate;
use shipshape_core::model::{
    CommandKind, EnvVar, EnvironmentField, Field, Project, ServiceField, Stage, from_yaml, preset,
    to_yaml,
};

/// Pieces that break naive YAML, shells, GitHub expressions, HCL and HTML.
const HOSTILE: &[&str] = &[
    "\"",
    "'",
    "\\",
    ": ",
    "#",
    " #",
    "---",
    "...",
    "\n",
    "\n  ",
    "\r\n",
    "\t",
    "${{ github.token }}",
    "}}",
    "{{ .Values }}",
    "$(reboot)",
    "`id`",
    "${HOME}",
    "%{ if }",
    "<script>",
    "\u{202E}",
    "\u{200B}",
    "🚢",
    "-",
    "*",
    "&a",
    "!!str",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "|",
    ">",
    "@",
    "%",
    "0x1F",
    "true",
    "null",
    "~",
    "1e3",
    " ",
    "a",
    "Z",
    "9",
    "/",
];

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(HOSTILE), 0..12)
            .prop_map(|parts| parts.concat()),
        any::<String>(),
        "[a-z0-9-]{1,70}",
        "/[a-z/._%0-9-]{0,40}",
    ]
}

fn fields() -> Vec<Field> {
    let service = |f| Field::Service(0, f);
    let mut fields = vec![
        Field::ProjectName,
        Field::RepositoryOwner,
        Field::RepositoryName,
        Field::ProductionBranch,
        Field::StagingBranch,
        Field::FeaturePrefix,
        Field::Environment(Stage::Staging, EnvironmentField::Namespace),
        Field::Environment(Stage::Production, EnvironmentField::Hostname),
        Field::ObservabilityNamespace,
        Field::PrometheusRelease,
        service(ServiceField::Name),
        service(ServiceField::Path),
        service(ServiceField::Port),
        service(ServiceField::StartupPath),
        service(ServiceField::LivenessPath),
        service(ServiceField::ReadinessPath),
        service(ServiceField::Image),
        service(ServiceField::EnvName(0)),
        service(ServiceField::EnvValue(0)),
        service(ServiceField::CpuRequest),
        service(ServiceField::MemoryLimit),
        service(ServiceField::IngressHost),
    ];
    fields.extend(
        CommandKind::ALL
            .iter()
            .map(|kind| service(ServiceField::Command(*kind))),
    );
    fields
}

fn base() -> Project {
    let mut project = preset("fullstack-fastapi-react").unwrap().project();
    project.services[0].env.insert(
        0,
        EnvVar {
            name: "GREETING".into(),
            value: "hello".into(),
            secret: false,
        },
    );
    project
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn hostile_text_is_refused_or_survives_every_file(field_index in 0..fields().len(), text in hostile_text()) {
        let field = fields()[field_index];
        let mut project = base();
        let before = project.clone();
        match project.set(field, &text) {
            Err(error) => {
                prop_assert!(!error.message.is_empty());
                prop_assert_eq!(error.field, field);
                prop_assert_eq!(&project, &before, "a refused value changes nothing");
            }
            Ok(()) => {
                prop_assert_eq!(project.validate(), vec![]);
                check_bundle(&project)?;
                prop_assert_eq!(from_yaml(&to_yaml(&project)), Ok(project.clone()), "settings round-trip");
                prop_assert_eq!(shipshape_core::model::share::decode(&shipshape_core::model::share::encode(&project)), Ok(project.clone()), "share link round-trip");
                let bundle = generate(&project);
                let compose: serde_norway::Value = serde_norway::from_str(&bundle.get("docker-compose.yml").unwrap().contents).unwrap();
                let service = &project.services[0];
                match field {
                    Field::Service(0, ServiceField::EnvValue(0)) => {
                        let written = compose["services"][service.name.as_str()]["environment"]["GREETING"].as_str().unwrap();
                        prop_assert_eq!(written.replace("$$", "$"), text);
                    }
                    Field::Service(0, ServiceField::Command(CommandKind::Lint)) if !text.is_empty() => {
                        let workflow = bundle.get(&format!(".github/workflows/{}.yml", service.name)).unwrap();
                        let doc: serde_norway::Value = serde_norway::from_str(&workflow.contents).unwrap();
                        let steps = doc["jobs"]["lint"]["steps"].as_sequence().unwrap();
                        let lint = steps.iter().find(|s| s["name"].as_str() == Some("Lint")).unwrap();
                        prop_assert_eq!(lint["run"].as_str(), Some(text.as_str()));
                    }
                    Field::ProjectName => prop_assert_eq!(compose["name"].as_str(), Some(text.as_str())),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn expressions_in_commands_are_refused() {
    let mut project = base();
    let error = project
        .set(
            Field::Service(0, ServiceField::Command(CommandKind::Test)),
            "pytest ${{ github.event.pull_request.title }}",
        )
        .unwrap_err();
    assert!(error.message.contains("script injection"));
}

#[test]
fn every_hostile_piece_that_a_field_allows_comes_back_unchanged() {
    // Values may hold line breaks and tabs, not carriage returns or invisible marks.
    let env_value: String = HOSTILE
        .iter()
        .filter(|p| !p.contains(['\r', '\u{202E}', '\u{200B}']))
        .copied()
        .collect();
    let command: String = HOSTILE
        .iter()
        .filter(|p| !p.contains(['\n', '\r', '\t', '\u{202E}', '\u{200B}']) && !p.contains("${{"))
        .copied()
        .collect();
    let mut project = base();
    project
        .set(Field::Service(0, ServiceField::EnvValue(0)), &env_value)
        .unwrap();
    project
        .set(
            Field::Service(0, ServiceField::Command(CommandKind::Lint)),
            &command,
        )
        .unwrap();
    check_bundle(&project).unwrap();
    let bundle = generate(&project);
    let compose: serde_norway::Value =
        serde_norway::from_str(&bundle.get("docker-compose.yml").unwrap().contents).unwrap();
    assert_eq!(
        compose["services"]["backend"]["environment"]["GREETING"]
            .as_str()
            .unwrap()
            .replace("$$", "$"),
        env_value
    );
    let workflow: serde_norway::Value = serde_norway::from_str(
        &bundle
            .get(".github/workflows/backend.yml")
            .unwrap()
            .contents,
    )
    .unwrap();
    let lint = workflow["jobs"]["lint"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Lint"))
        .unwrap()
        .clone();
    assert_eq!(lint["run"].as_str(), Some(command.as_str()));
    assert_eq!(from_yaml(&to_yaml(&project)), Ok(project));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// Pasted Dockerfiles never crash the rules, whatever they hold.
    #[test]
    fn the_dockerfile_rules_read_anything_without_panicking(
        lines in prop::collection::vec(
            prop_oneof![
                any::<String>(),
                prop::sample::select(vec![
                    "FROM", "FROM a AS", "FROM a:1 AS b", "COPY --from=", "COPY --from=9 / /", "RUN <<EOF", "EOF",
                    "\\", "RUN a | b", "SHELL", "USER", "EXPOSE 99999999999999999999", "WORKDIR", "ARG TOKEN", "#",
                ]).prop_map(str::to_owned),
            ],
            0..30,
        )
    ) {
        let text = lines.join("\n");
        for diagnostic in shipshape_core::rules::lint_file("Dockerfile", &text) {
            prop_assert!(diagnostic.line >= 1 && diagnostic.end_line >= diagnostic.line, "{diagnostic}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// Pasted YAML never crashes the parser or the Kubernetes rules, whatever it holds.
    #[test]
    fn the_yaml_rules_read_anything_without_panicking(
        lines in prop::collection::vec(
            prop_oneof![
                any::<String>(),
                prop::sample::select(vec![
                    "apiVersion: apps/v1", "kind: Deployment", "kind: Service", "spec:", "  selector:", "    app: x",
                    "  template:", "    metadata:", "      labels: {app: y}", "---", "- &a [*a]", "a: &b {c: *b}",
                    "  containers:", "    - name: x", "      ports: [{name: http, containerPort: 8080}]", "  replicas: 2",
                    "on: push", "jobs:", "  build:", "    runs-on: ubuntu-24.04", "    steps:", "      - uses: actions/checkout@v5",
                    "      - run: echo ${{ github.event.issue.title }}", "permissions: write-all", "services:", "  db:",
                    "    image: postgres", "    depends_on: [db]", "    healthcheck: {test: [CMD, true]}", "    ports: [\"5432:5432\"]",
                ]).prop_map(str::to_owned),
            ],
            0..30,
        )
    ) {
        let text = lines.join("\n");
        // The path picks the rules: manifests, a workflow, compose, Argo CD, Helm values.
        for path in ["k8s/staging/x.yaml", ".github/workflows/ci.yml", "docker-compose.yml", "argocd/app.yaml", "helm/x/values.yaml"] {
            for diagnostic in shipshape_core::rules::lint_file(path, &text) {
                prop_assert!(diagnostic.line >= 1, "{diagnostic}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// Pasted Terraform never crashes the HCL reader or the rules.
    #[test]
    fn the_terraform_rules_read_anything_without_panicking(
        lines in prop::collection::vec(
            prop_oneof![
                any::<String>(),
                prop::sample::select(vec![
                    "resource \"aws_db_instance\" \"db\" {", "}", "  publicly_accessible = true", "module \"m\" {",
                    "  source = \"x/y/z\"", "terraform {", "  backend \"s3\" {", "variable \"v\" {}", "  ingress {",
                    "    from_port = 22", "    to_port = 22", "    cidr_blocks = [\"0.0.0.0/0\"]", "x = \"${", "é",
                ]).prop_map(str::to_owned),
            ],
            0..30,
        )
    ) {
        let text = lines.join("\n");
        for diagnostic in shipshape_core::rules::lint_file("terraform/main.tf", &text) {
            prop_assert!(diagnostic.line >= 1, "{diagnostic}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// A dropped archive never crashes the ZIP reader: random bytes, and real archives with
    /// bytes changed anywhere (headers, sizes, offsets, compressed data).
    #[test]
    fn the_zip_reader_reads_anything_without_panicking(
        noise in prop::collection::vec(any::<u8>(), 0..600),
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let _ = shipshape_core::zip::read(&noise, |_| true);
        let text = "kind: Deployment\nmetadata:\n  name: api\n".repeat(20);
        let mut archive = shipshape_core::zip::write([
            ("p/a.yaml", text.as_bytes()),
            ("p/Dockerfile", b"FROM alpine:3.22\n".as_slice()),
        ]);
        for (index, byte) in changes {
            let at = index.index(archive.len());
            archive[at] = byte;
        }
        if let Ok(read) = shipshape_core::zip::read(&archive, |_| true) {
            for entry in read.entries {
                prop_assert!(entry.contents.len() <= shipshape_core::zip::MAX_FILE_BYTES);
            }
        }
    }
}

/// A settings file with `changes` applied: each picks a line and deletes it, repeats it, or
/// puts a character into it.
fn damaged(text: &str, changes: &[(prop::sample::Index, u8, char)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for (at, how, c) in changes {
        if lines.is_empty() {
            break;
        }
        let i = at.index(lines.len());
        match how % 3 {
            0 => {
                lines.remove(i);
            }
            1 => lines.insert(i, lines[i].clone()),
            _ => {
                let line = &mut lines[i];
                let cut = line.floor_char_boundary(line.len() / 2);
                line.insert(cut, *c);
            }
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// An opened settings file or share link, however damaged or hand-edited, is refused with a
    /// message or loaded; what loads is a valid project that generates and lints without a panic.
    #[test]
    fn damaged_settings_and_share_links_are_refused_or_load_into_a_valid_project(
        preset_index in 0..shipshape_core::model::PRESETS.len(),
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), prop::sample::select(vec![':', ' ', '-', '"', '#', '9', 'x', '[', '{', '\n', '\t'])), 1..4),
        noise in any::<String>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let project = shipshape_core::model::PRESETS[preset_index].project();
        let text = damaged(&to_yaml(&project), &changes);
        let mut code = shipshape_core::model::share::encode(&project).into_bytes();
        for (at, byte) in flips {
            let i = at.index(code.len());
            code[i] = b'A' + byte % 26;
        }
        let code = String::from_utf8(code).unwrap();
        for loaded in [from_yaml(&text), from_yaml(&noise), shipshape_core::model::share::decode(&code), shipshape_core::model::share::decode(&noise)] {
            match loaded {
                Err(error) => prop_assert!(!error.to_string().trim().is_empty()),
                Ok(project) => {
                    prop_assert_eq!(project.validate(), vec![]);
                    let bundle = generate(&project);
                    let _ = shipshape_core::rules::lint_bundle(&bundle);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// Pasted text of any kind is sorted and named without a panic, and linted as what it was
    /// taken for.
    #[test]
    fn pasted_text_is_recognised_and_linted_without_panicking(text in any::<String>(), name in "[a-zA-Z0-9._/ -]{0,20}") {
        let path = shipshape_core::rules::path_for_pasted(&name, &text);
        let _ = shipshape_core::rules::detect_kind(&text);
        let _ = shipshape_core::rules::lint_file(&path, &text);
    }
}
