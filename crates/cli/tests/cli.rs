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

#[test]
fn generate_never_overwrites_a_changed_file_without_force() {
    let dir = temp_dir("force");
    let out = dir.join("out");
    let out_arg = out.to_str().unwrap();
    let first = shipshape(&["generate", "--preset", "go-api", "--out", out_arg]);
    assert!(first.status.success(), "{}", stderr(&first));

    // Unchanged files are left alone.
    let again = shipshape(&["generate", "--preset", "go-api", "--out", out_arg]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).starts_with("wrote 0 files"),
        "{}",
        stdout(&again)
    );

    // The user's own edit and their own file survive; the run says why it stopped.
    let dockerfile = out.join("Dockerfile");
    std::fs::write(&dockerfile, "FROM my-own-base\n").unwrap();
    std::fs::write(out.join("NOTES.md"), "mine\n").unwrap();
    let refused = shipshape(&["generate", "--preset", "go-api", "--out", out_arg]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("Dockerfile"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert_eq!(
        std::fs::read_to_string(&dockerfile).unwrap(),
        "FROM my-own-base\n"
    );

    let forced = shipshape(&[
        "generate", "--preset", "go-api", "--out", out_arg, "--force",
    ]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(
        stdout(&forced).starts_with("wrote 1 file "),
        "{}",
        stdout(&forced)
    );
    assert_ne!(
        std::fs::read_to_string(&dockerfile).unwrap(),
        "FROM my-own-base\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("NOTES.md")).unwrap(),
        "mine\n"
    );
}

#[test]
fn generate_zip_is_the_bundle_under_the_project_folder() {
    let dir = temp_dir("zip");
    let zip = dir.join("bundle.zip");
    let output = shipshape(&[
        "generate",
        "--preset",
        "fullstack-fastapi-react",
        "--zip",
        zip.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let bytes = std::fs::read(&zip).unwrap();
    let project = shipshape_core::model::preset("fullstack-fastapi-react")
        .unwrap()
        .project();
    let bundle = shipshape_core::generate(&project);
    // Byte for byte what core builds, and so what the web app downloads.
    assert_eq!(bytes, shipshape_core::zip::bundle(&bundle, &project.name));
    let read = shipshape_core::zip::read(&bytes, |_| true).unwrap();
    let names: Vec<String> = read.entries.iter().map(|e| e.name.clone()).collect();
    let expected: Vec<String> = bundle
        .files()
        .iter()
        .map(|f| format!("{}/{}", project.name, f.path))
        .collect();
    assert_eq!(names, expected);

    // A zip that differs is kept unless --force.
    std::fs::write(&zip, b"not this").unwrap();
    let refused = shipshape(&[
        "generate",
        "--preset",
        "go-api",
        "--zip",
        zip.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert_eq!(std::fs::read(&zip).unwrap(), b"not this");
}

#[test]
fn generate_needs_somewhere_to_write() {
    let output = shipshape(&["generate", "--preset", "go-api"]);
    assert_eq!(output.status.code(), Some(2));
}
