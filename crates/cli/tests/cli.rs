//! The command line as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn shipshape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .output()
        .expect("run shipshape")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shipshape-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn presets_lists_every_preset() {
    let output = shipshape(&["presets"]);
    assert!(output.status.success());
    for preset in shipshape_core::model::PRESETS {
        assert!(
            stdout(&output).lines().any(|l| l.starts_with(preset.name)),
            "{}",
            preset.name
        );
    }
}

#[test]
fn settings_then_generate_from_the_file_matches_generate_from_the_preset() {
    let dir = temp_dir("roundtrip");
    let settings = shipshape(&["settings", "--preset", "fullstack-fastapi-react"]);
    assert!(settings.status.success(), "{}", stderr(&settings));
    let file = dir.join("settings.yaml");
    std::fs::write(&file, &settings.stdout).unwrap();

    let from_file = shipshape(&[
        "generate",
        "--settings",
        file.to_str().unwrap(),
        "--out",
        dir.join("a").to_str().unwrap(),
    ]);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let from_preset = shipshape(&[
        "generate",
        "--preset",
        "fullstack-fastapi-react",
        "--out",
        dir.join("b").to_str().unwrap(),
    ]);
    assert!(from_preset.status.success());

    let project = shipshape_core::model::preset("fullstack-fastapi-react")
        .unwrap()
        .project();
    for generated in shipshape_core::generate(&project).files() {
        let a = std::fs::read_to_string(dir.join("a").join(&generated.path)).unwrap();
        let b = std::fs::read_to_string(dir.join("b").join(&generated.path)).unwrap();
        assert_eq!(a, generated.contents, "{}", generated.path);
        assert_eq!(b, generated.contents, "{}", generated.path);
    }
}

#[test]
fn an_unknown_key_is_refused_with_its_line_and_nothing_is_written() {
    let dir = temp_dir("unknown-key");
    let settings = stdout(&shipshape(&["settings", "--preset", "go-api"]));
    let file = dir.join("settings.yaml");
    let broken = settings.replacen("\nrepository:", "\nrepo_sitory: x\nrepository:", 1);
    let line = broken.lines().position(|l| l == "repo_sitory: x").unwrap() + 1;
    std::fs::write(&file, &broken).unwrap();
    let out = dir.join("out");
    let output = shipshape(&[
        "generate",
        "--settings",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("line {line}, column 1")),
        "{message}"
    );
    assert!(message.contains("unknown field `repo_sitory`"), "{message}");
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn invalid_values_are_reported_per_field() {
    let dir = temp_dir("invalid");
    let settings = stdout(&shipshape(&["settings", "--preset", "go-api"]));
    let file = dir.join("settings.yaml");
    std::fs::write(
        &file,
        settings
            .replace("port: 8080", "port: 0")
            .replace("name: api", "name: API"),
    )
    .unwrap();
    let output = shipshape(&[
        "generate",
        "--settings",
        file.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("services[0].name: \"A\" is not allowed"),
        "{message}"
    );
    assert!(message.contains("services[0].port: Port 0"), "{message}");
}

#[test]
fn an_unknown_preset_names_the_choices() {
    let output = shipshape(&["settings", "--preset", "cobol"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("go-api"));
}

#[test]
fn lint_finds_problems_at_their_lines_and_sets_the_exit_code() {
    let dir = temp_dir("lint");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM node\nCOPY --from=buld /a /a\nCMD node server.js\n",
    )
    .unwrap();
    let output = shipshape(&["lint", dir.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an error-severity finding fails"
    );
    let text = stdout(&output);
    assert!(
        text.contains("Dockerfile:1:1: warning SD001 [untagged-base-image]"),
        "{text}"
    );
    assert!(
        text.contains("Dockerfile:2:1: error SD009 [copy-from-unknown-stage]"),
        "{text}"
    );
    let json = shipshape(&["lint", "--format", "json", dir.to_str().unwrap()]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        parsed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "SD007" && d["line"] == 3)
    );
}

#[test]
fn a_generated_bundle_lints_clean() {
    let dir = temp_dir("lint-bundle");
    let out = dir.join("bundle");
    assert!(
        shipshape(&[
            "generate",
            "--preset",
            "fullstack-fastapi-react",
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let output = shipshape(&["lint", "--fail-on", "warning", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("0 errors, 0 warnings"));
}

#[test]
fn explain_and_rules_print_the_catalogue() {
    let explain = shipshape(&["explain", "sd009"]);
    assert!(explain.status.success());
    assert!(stdout(&explain).contains("## Why is this bad?"));
    assert_eq!(shipshape(&["explain", "XX999"]).status.code(), Some(2));
    let listing = stdout(&shipshape(&["rules"]));
    assert_eq!(
        listing.lines().count(),
        shipshape_core::rules::catalogue().len()
    );
}
