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

#[test]
fn lint_sarif_has_what_github_code_scanning_requires() {
    let dir = temp_dir("sarif");
    std::fs::write(dir.join("Dockerfile"), "FROM node:latest\nUSER root\n").unwrap();
    std::fs::write(dir.join("broken.yaml"), "a: [1, 2\n").unwrap();
    let output = shipshape(&[
        "lint",
        "--format",
        "sarif",
        "--fail-on",
        "warning",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(run["tool"]["driver"]["name"], "Shipshape");
    assert!(rules.len() >= shipshape_core::rules::catalogue().len());
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.ends_with("Dockerfile") || uri.ends_with("broken.yaml"),
            "{uri}"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"SD002"), "{ids:?}");
    assert!(
        ids.contains(&"SY000"),
        "the unreadable YAML is a result too: {ids:?}"
    );
}

#[test]
fn lint_colours_only_when_asked_or_on_a_terminal() {
    let dir = temp_dir("colour");
    std::fs::write(dir.join("Dockerfile"), "FROM node:latest\n").unwrap();
    let piped = shipshape(&["lint", dir.to_str().unwrap()]);
    assert!(!stdout(&piped).contains('\u{1b}'), "no escapes into a pipe");
    let forced = shipshape(&["lint", "--color", "always", dir.to_str().unwrap()]);
    assert!(
        stdout(&forced).contains("\u{1b}[1;33mwarning"),
        "{}",
        stdout(&forced)
    );
}

#[test]
fn completions_and_the_man_page_cover_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = shipshape(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        assert!(stdout(&output).contains("generate"), "{shell}");
    }
    let man = shipshape(&["man"]);
    assert!(man.status.success());
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH shipshape 1"),
        "{page:.200}"
    );
    for command in [
        "presets",
        "settings",
        "generate",
        "lint",
        "explain",
        "rules",
        "completions",
    ] {
        assert!(page.contains(command), "the man page lacks {command}");
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("rules")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, as `| head -1` does.
    let output = child.wait_with_output().unwrap();
    assert!(first.starts_with("SD001"), "{first}");
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

#[test]
fn why_prints_a_generated_file_with_its_explanations() {
    let output = shipshape(&["why", "--preset", "go-api", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let user = lines
        .iter()
        .position(|l| l.contains("| USER "))
        .expect("a USER line");
    assert!(lines[user + 1].contains("why: Runs the process as an unprivileged user."));
    assert!(lines[user + 2].contains("without it:"));
    // Every line of the file is printed, numbered.
    let bundle =
        shipshape_core::generate(&shipshape_core::model::preset("go-api").unwrap().project());
    let file = bundle.get("Dockerfile").unwrap();
    assert_eq!(
        lines.iter().filter(|l| l.contains(" | ")).count(),
        file.contents.lines().count()
    );
    let missing = shipshape(&["why", "--preset", "go-api", "nope.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no generated file"));
}

#[test]
fn migrate_plans_a_not_null_column_in_three_phases_for_the_service_tool() {
    let output = shipshape(&[
        "migrate",
        "--preset",
        "go-api",
        "add-not-null-column",
        "--table",
        "orders",
        "--column",
        "paid_at",
        "--type",
        "timestamptz",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("Not backward compatible"), "{text}");
    assert_eq!(text.matches("\n## ").count(), 3, "{text}");
    assert!(text.contains("ALTER TABLE orders ADD COLUMN paid_at timestamptz;"));
    assert!(text.contains("(golang-migrate)"));
    assert!(text.contains("--- migrations/000003_add_not_null_column_orders_paid_at.up.sql"));
    let unknown = shipshape(&[
        "migrate", "--preset", "go-api", "truncate", "--table", "t", "--column", "c",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    let hostile = shipshape(&[
        "migrate",
        "--preset",
        "go-api",
        "add-index",
        "--table",
        "t; DROP TABLE x",
        "--column",
        "c",
    ]);
    assert_eq!(hostile.status.code(), Some(2));
    assert!(stderr(&hostile).contains("lowercase letters"));
}

#[test]
fn rollout_steps_through_a_rolling_update_without_losing_capacity() {
    let output = shipshape(&[
        "rollout",
        "--preset",
        "fullstack-fastapi-react",
        "--service",
        "backend",
        "--replicas",
        "3",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("backend: Rolling update of 3 pods"),
        "{text}"
    );
    let steps: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert!(steps.first().unwrap().contains("  OOO "), "{text}");
    assert!(steps.last().unwrap().contains("  NNN "), "{text}");
    assert!(
        steps.iter().all(|s| s.contains("3 serving for 3 wanted")),
        "{text}"
    );
    assert!(lines.last().unwrap().contains("no downtime"), "{text}");
    let missing = shipshape(&["rollout", "--preset", "go-api", "--service", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no service"));
}
