//! The required-checks gate (`.github/workflows/required-checks.yml`), run in bash against a
//! stand-in `gh` that answers from a scripted pull request, with `sleep` moving a clock: the
//! gate must not pass before the workflows the pull request starts have run (a workflow still
//! queued for a runner has no check run yet), must fail when one of them fails, and must pass
//! a pull request that starts none.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use shipshape_core::generate;
use shipshape_core::model::preset;
use shipshape_core::rules::yaml::{Node, parse};

use super::{Outcome, Report};

/// The stand-in `gh api`: the answer is the scenario's document for the URL at the current
/// tick, filtered with the real jq as gh's `--jq` does (raw strings, `env` readable).
const GH: &str = r#"#!/usr/bin/env python3
import json, os, subprocess, sys
args = sys.argv[1:]
if args[:1] != ["api"]:
    sys.exit(f"stand-in gh: not modelled: {args}")
args = [a for a in args[1:] if a != "--paginate"]
query = args[args.index("--jq") + 1]
url = [a for a in args if a != "--jq" and a != query][0]
scenario = json.load(open(os.environ["SCENARIO"]))
tick = int(open(os.environ["CLOCK"]).read() or 0)
if "/pulls/" in url:
    doc = [{"filename": f} for f in scenario["files"]]
elif "/actions/runs" in url:
    doc = {"workflow_runs": [r for r in scenario["runs"] if r["from"] <= tick < r.get("until", 10**9)]}
elif "/check-runs" in url:
    doc = {"check_runs": [r for r in scenario["checks"] if r["from"] <= tick < r.get("until", 10**9)]}
else:
    sys.exit(f"stand-in gh: no such endpoint: {url}")
sys.stdout.flush()
sys.exit(subprocess.run(["jq", "-r", query], input=json.dumps(doc).encode()).returncode)
"#;

/// The stand-in `sleep`: one tick, whatever was asked, and no real waiting.
const SLEEP: &str = "#!/bin/sh\nn=$(cat \"$CLOCK\")\necho $((n + 1)) > \"$CLOCK\"\n";

/// A run of `workflow` with `status` and `conclusion`, from tick `from` until `until`.
fn run(
    workflow: &str,
    number: u32,
    status: &str,
    conclusion: Value,
    from: u32,
    until: u32,
) -> Value {
    json!({"name": workflow, "run_number": number, "status": status, "conclusion": conclusion,
           "from": from, "until": until})
}

/// A check run of a job.
fn check(name: &str, status: &str, conclusion: Value, from: u32, until: u32) -> Value {
    json!({"name": name, "status": status, "conclusion": conclusion, "from": from, "until": until})
}

struct Scenario {
    name: &'static str,
    files: &'static [&'static str],
    runs: Vec<Value>,
    checks: Vec<Value>,
    /// Whether the gate must pass, and the earliest tick at which it may finish.
    passes: bool,
    not_before: u32,
}

fn scenarios() -> Vec<Scenario> {
    let gate = || check("All checks passed", "in_progress", Value::Null, 0, 1000);
    vec![
        Scenario {
            // Runners are busy: for three ticks the backend workflow has no run and no check.
            name: "a workflow still queued for a runner is waited for",
            files: &["backend/app/main.py"],
            runs: vec![
                run("backend", 7, "queued", Value::Null, 3, 5),
                run("backend", 7, "in_progress", Value::Null, 5, 8),
                run("backend", 7, "completed", json!("success"), 8, 1000),
            ],
            checks: vec![
                gate(),
                check("Test", "in_progress", Value::Null, 5, 8),
                check("Test", "completed", json!("success"), 8, 1000),
            ],
            passes: true,
            not_before: 8,
        },
        Scenario {
            name: "a failing workflow fails it",
            files: &["frontend/src/App.tsx", "backend/app/main.py"],
            runs: vec![
                run("frontend", 3, "completed", json!("success"), 1, 1000),
                run("backend", 4, "in_progress", Value::Null, 0, 4),
                run("backend", 4, "completed", json!("failure"), 4, 1000),
            ],
            checks: vec![
                gate(),
                check("Test", "completed", json!("failure"), 4, 1000),
            ],
            passes: false,
            not_before: 4,
        },
        Scenario {
            name: "a pull request that starts no workflow passes",
            files: &["README.md"],
            runs: vec![],
            checks: vec![gate()],
            passes: true,
            not_before: 0,
        },
        Scenario {
            // A re-run after a failure: the latest run counts.
            name: "a re-run that passes counts, not the failed run before it",
            files: &[".github/workflows/backend.yml"],
            runs: vec![
                run("backend", 9, "completed", json!("failure"), 0, 1000),
                run("backend", 10, "in_progress", Value::Null, 0, 2),
                run("backend", 10, "completed", json!("success"), 2, 1000),
            ],
            checks: vec![
                gate(),
                check("Test", "completed", json!("success"), 2, 1000),
            ],
            passes: true,
            not_before: 2,
        },
    ]
}

pub(super) fn cases(report: &mut Report, out: &Path) -> Result<(), String> {
    let preset_name = "fullstack-fastapi-react";
    if !report.wants(&format!("gate {preset_name}")) {
        return Ok(());
    }
    let project = preset(preset_name).ok_or("no full-stack preset")?.project();
    let bundle = generate(&project);
    let workflow = bundle
        .get(shipshape_core::generate::github_actions::GATE_PATH)
        .ok_or("no gate workflow")?;
    let documents = parse(&workflow.contents).map_err(|e| format!("{e:?}"))?;
    let step = documents
        .first()
        .and_then(|d| d.at(&["jobs", "all-checks", "steps"]))
        .and_then(|s| s.items().first())
        .ok_or("the gate has no step")?;
    let script = step
        .get("run")
        .and_then(Node::as_str)
        .ok_or("no run:")?
        .to_owned();
    let mut env = Vec::new();
    for (key, value) in step.get("env").map_or(&[][..], Node::entries) {
        let value = value.as_str().unwrap_or_default();
        let value = match value {
            "${{ github.token }}" => "stand-in-token",
            "${{ github.repository }}" => "acme/assistant",
            "${{ github.event.pull_request.number }}" => "42",
            "${{ github.event.pull_request.head.sha }}" => "0123abc",
            v if v.contains("${{") => return Err(format!("gate env not modelled: {v}")),
            v => v,
        };
        env.push((
            key.as_str().unwrap_or_default().to_owned(),
            value.to_owned(),
        ));
    }
    let bin = out.join("bin");
    fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    for (name, text) in [("gh", GH), ("sleep", SLEEP)] {
        let path = bin.join(name);
        fs::write(&path, text).map_err(|e| e.to_string())?;
        let mut permissions = fs::metadata(&path)
            .map_err(|e| e.to_string())?
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        fs::set_permissions(&path, permissions).map_err(|e| e.to_string())?;
    }
    for (n, scenario) in scenarios().into_iter().enumerate() {
        let name = format!("gate {preset_name}: {}", scenario.name);
        let dir = out.join(format!("scenario-{n}"));
        report.case(&name, || run_gate(&script, &env, &bin, &dir, &scenario));
    }
    Ok(())
}

fn run_gate(
    script: &str,
    env: &[(String, String)],
    bin: &Path,
    dir: &Path,
    scenario: &Scenario,
) -> Result<Outcome, String> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let clock = dir.join("clock");
    fs::write(&clock, "0").map_err(|e| e.to_string())?;
    let document =
        json!({"files": scenario.files, "runs": scenario.runs, "checks": scenario.checks});
    fs::write(dir.join("scenario.json"), document.to_string()).map_err(|e| e.to_string())?;
    fs::write(dir.join("gate.sh"), script).map_err(|e| e.to_string())?;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .arg("-e")
        .arg(dir.join("gate.sh"))
        .env_clear()
        .env("PATH", path)
        .env("SCENARIO", dir.join("scenario.json"))
        .env("CLOCK", &clock)
        .stdin(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("bash: {e}"))?;
    // The gate's own timeout is an hour of ticks; a runaway loop is cut off here.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        let ticks: u32 = fs::read_to_string(&clock)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        if ticks > 200 || std::time::Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let ticks: u32 = fs::read_to_string(&clock)
        .map_err(|e| e.to_string())?
        .trim()
        .parse()
        .unwrap_or(0);
    let mut outcome = Outcome {
        processes: 1,
        ..Outcome::default()
    };
    let Some(status) = status else {
        outcome.check(false, || {
            format!("the gate never finished ({ticks} ticks):\n{said}")
        });
        return Ok(outcome);
    };
    outcome.check(status.success() == scenario.passes, || {
        format!(
            "the gate {} (expected it to {}):\n{said}",
            if status.success() { "passed" } else { "failed" },
            if scenario.passes { "pass" } else { "fail" }
        )
    });
    outcome.check(ticks >= scenario.not_before, || {
        format!(
            "the gate finished at tick {ticks}, before the workflows it had to wait for \
             (tick {}):\n{said}",
            scenario.not_before
        )
    });
    Ok(outcome)
}
