//! The deploy jobs of every preset's workflows, run against stand-ins (see the parent module).

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shipshape_core::generate;
use shipshape_core::model::PRESETS;
use shipshape_core::rules::yaml::{Node, parse};

use super::{Outcome, Report};
use crate::run::output;

/// How long one run of a deploy script may take against the stand-ins.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The scenarios: the digests deployed one after the other, on one cluster and remote.
const SCENARIOS: [(&str, &[char]); 3] = [
    ("first deploy", &['a']),
    ("same digest again", &['a', 'a']),
    ("a new digest", &['a', 'b']),
];

/// One deploy job: where it is, and what it runs.
struct Job {
    name: String,
    /// The job's `run:` scripts, in order, with their step's environment.
    steps: Vec<(Vec<(String, String)>, String)>,
    working_directory: String,
    deployment: String,
    image: String,
}

pub(super) fn cases(
    report: &mut Report,
    python: &Path,
    root: &Path,
    out: &Path,
) -> Result<(), String> {
    let standin = root.join("xtask/standins/cluster.py");
    for preset in PRESETS {
        let project = preset.project();
        let bundle = generate(&project);
        for service in &project.services {
            let path = format!(".github/workflows/{}.yml", service.name);
            let Some(file) = bundle.get(&path) else {
                continue;
            };
            let documents = parse(&file.contents).map_err(|e| format!("{path}: {e:?}"))?;
            let workflow = documents.first().ok_or("an empty workflow")?;
            for job_id in ["deploy-staging", "deploy-production"] {
                let Some(job) = read_job(workflow, job_id, &service.name)? else {
                    continue;
                };
                for (index, (scenario, digests)) in SCENARIOS.iter().enumerate() {
                    let name = format!(
                        "deploy {}/{} {job_id}: {scenario}",
                        preset.name, service.name
                    );
                    let dir =
                        out.join(format!("{}-{}-{job_id}-{index}", preset.name, service.name));
                    report.case(&name, || {
                        scenario_case(python, &standin, &bundle, &job, digests, &dir)
                    });
                }
            }
        }
    }
    Ok(())
}

fn read_job(workflow: &Node, id: &str, service: &str) -> Result<Option<Job>, String> {
    let Some(job) = workflow.at(&["jobs", id]) else {
        return Ok(None);
    };
    let scalar_map = |node: Option<&Node>| -> Vec<(String, String)> {
        node.map_or(&[][..], Node::entries)
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
            .collect()
    };
    let mut environment = scalar_map(workflow.get("env"));
    environment.extend(scalar_map(job.get("env")));
    let image = environment
        .iter()
        .find(|(k, _)| k == "IMAGE_NAME")
        .map(|(_, v)| v.clone())
        .ok_or("the workflow sets no IMAGE_NAME")?;
    let mut steps = Vec::new();
    for step in job.get("steps").map_or(&[][..], Node::items) {
        if let Some(script) = step.get("run").and_then(Node::as_str) {
            let mut env = environment.clone();
            env.extend(scalar_map(step.get("env")));
            steps.push((env, script.to_owned()));
        }
    }
    let deployment = steps
        .iter()
        .flat_map(|(env, _)| env)
        .find(|(k, _)| k == "DEPLOYMENT")
        .map_or_else(|| service.to_owned(), |(_, v)| v.clone());
    Ok(Some(Job {
        name: id.to_owned(),
        steps,
        working_directory: job
            .at(&["defaults", "run", "working-directory"])
            .and_then(Node::as_str)
            .unwrap_or(".")
            .to_owned(),
        deployment,
        image,
    }))
}

/// A GitHub expression in an env value, as the runner would give it here.
fn expression_value(value: &str) -> Result<String, String> {
    let Some(inner) = value
        .strip_prefix("${{")
        .and_then(|v| v.strip_suffix("}}"))
        .map(str::trim)
    else {
        if value.contains("${{") {
            return Err(format!(
                "an expression inside a value is not modelled: {value}"
            ));
        }
        return Ok(value.to_owned());
    };
    if let Some(name) = inner
        .strip_prefix("secrets.")
        .or_else(|| inner.strip_prefix("vars."))
    {
        return Ok(format!("stand-in-{}", name.to_ascii_lowercase()));
    }
    Err(format!("expression not modelled: {value}"))
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    output(crate::run::git(dir).args(args))
}

fn scenario_case(
    python: &Path,
    standin: &Path,
    bundle: &shipshape_core::Bundle,
    job: &Job,
    digests: &[char],
    dir: &Path,
) -> Result<Outcome, String> {
    let mut outcome = Outcome::default();
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let branch = job
        .steps
        .iter()
        .flat_map(|(env, _)| env)
        .find(|(k, _)| k == "BRANCH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "main".into());

    // The repository: every generated file, committed on the job's branch of a bare remote,
    // and the job's checkout of that branch.
    let seed = dir.join("seed");
    let remote = dir.join("remote.git");
    let work = dir.join("work");
    for file in bundle.files() {
        let path = seed.join(&file.path);
        fs::create_dir_all(path.parent().expect("a file has a folder"))
            .map_err(|e| e.to_string())?;
        fs::write(&path, &file.contents).map_err(|e| e.to_string())?;
    }
    git(&seed, &["init", "--quiet", "-b", &branch])?;
    git(&seed, &["add", "--all"])?;
    git(&seed, &["commit", "--quiet", "-m", "generated"])?;
    fs::create_dir_all(&remote).map_err(|e| e.to_string())?;
    git(&remote, &["init", "--quiet", "--bare"])?;
    git(
        &seed,
        &[
            "push",
            "--quiet",
            &remote.to_string_lossy(),
            &format!("HEAD:{branch}"),
        ],
    )?;
    let cloned = Command::new("git")
        .args(["clone", "--quiet", "--branch", &branch])
        .arg(&remote)
        .arg(&work)
        .status()
        .map_err(|e| e.to_string())?;
    if !cloned.success() {
        return Err("git clone of the stand-in remote failed".into());
    }

    // The stand-in commands, first on PATH.
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    for tool in ["kubectl", "helm", "yq", "sleep"] {
        let wrapper = bin.join(tool);
        fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec \"{}\" \"{}\" {tool} \"$@\"\n",
                python.display(),
                standin.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
    }

    let mut previous: Option<String> = None;
    for (run, fill) in digests.iter().enumerate() {
        let digest = fill.to_string().repeat(64);
        let reference = format!("{}@sha256:{digest}", job.image);
        let last = run + 1 == digests.len();
        let result = run_job(job, dir, &bin, &work, &remote, &reference, &branch);
        outcome.processes += 1;
        match result {
            Ok(()) => {}
            Err(why) if last => {
                outcome.check(false, || why);
                return Ok(outcome);
            }
            Err(why) => {
                outcome.check(false, || {
                    format!(
                        "deploy {} of {} failed first: {why}",
                        run + 1,
                        digests.len()
                    )
                });
                return Ok(outcome);
            }
        }
        if last {
            check_cluster(job, dir, &reference, previous.as_deref(), &mut outcome)?;
        }
        if previous.as_deref() != Some(reference.as_str()) {
            previous = Some(reference);
        }
    }
    Ok(outcome)
}

fn run_job(
    job: &Job,
    dir: &Path,
    bin: &Path,
    work: &Path,
    remote: &Path,
    reference: &str,
    branch: &str,
) -> Result<(), String> {
    let temp = dir.join("runner-temp");
    if temp.exists() {
        fs::remove_dir_all(&temp).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(&temp).map_err(|e| e.to_string())?;
    fs::write(temp.join("image-ref.txt"), format!("{reference}\n")).map_err(|e| e.to_string())?;
    // The job's checkout is fresh each run, as on a new runner.
    git(work, &["fetch", "--quiet", "origin"])?;
    git(
        work,
        &["reset", "--quiet", "--hard", &format!("origin/{branch}")],
    )?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path)),
    )
    .map_err(|e| e.to_string())?;
    for (index, (env, script)) in job.steps.iter().enumerate() {
        let script_path = temp.join(format!("step-{index}.sh"));
        fs::write(&script_path, script).map_err(|e| e.to_string())?;
        let mut command = Command::new("bash");
        // What the runner runs for a `run:` step with no `shell:` on Linux.
        command
            .arg("-e")
            .arg(&script_path)
            .current_dir(work.join(&job.working_directory))
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir)
            .env("RUNNER_TEMP", &temp)
            .env("GITHUB_OUTPUT", temp.join("github-output"))
            .env("GITHUB_ENV", temp.join("github-env"))
            .env("STANDIN_STATE", dir.join("cluster.json"))
            .env("STANDIN_LOG", dir.join("calls.log"))
            .env("STANDIN_REMOTE", remote)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, expression_value(value)?);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start bash: {e}"))?;
        let output = wait_bounded(child, RUN_LIMIT)?;
        if !output.status.success() {
            return Err(format!(
                "{} step {index} exits {}:\n{}\n{}",
                job.name,
                output.status.code().unwrap_or(-1),
                tail(&String::from_utf8_lossy(&output.stdout), 3),
                tail(&String::from_utf8_lossy(&output.stderr), 4)
            ));
        }
    }
    Ok(())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..]
        .iter()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wait_bounded(
    mut child: std::process::Child,
    limit: Duration,
) -> Result<std::process::Output, String> {
    let started = Instant::now();
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            return child.wait_with_output().map_err(|e| e.to_string());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// After a run: the Service's pods run the image just deployed, and for blue-green the other
/// colour still runs the one before it.
fn check_cluster(
    job: &Job,
    dir: &Path,
    reference: &str,
    previous: Option<&str>,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let text = fs::read_to_string(dir.join("cluster.json"))
        .map_err(|e| format!("no cluster state after the run: {e}"))?;
    let state: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let objects = &state["objects"];
    let image = |name: &str| objects[format!("deployment/{name}")]["image"].as_str();
    let version = objects[format!("service/{}", job.deployment)]["selector"]["version"]
        .as_str()
        .unwrap_or("");
    let serving = match version {
        "blue" | "green" => format!("{}-{version}", job.deployment),
        _ => job.deployment.clone(),
    };
    outcome.check(image(&serving) == Some(reference), || {
        format!(
            "the Service sends traffic to {serving}, which runs {:?}, not {reference}",
            image(&serving)
        )
    });
    if let Some(previous) = previous.filter(|p| *p != reference)
        && matches!(version, "blue" | "green")
    {
        let other = if version == "blue" { "green" } else { "blue" };
        let idle = format!("{}-{other}", job.deployment);
        outcome.check(image(&idle) == Some(previous), || {
            format!(
                "{idle} no longer runs the previous image {previous}: nothing to switch back to"
            )
        });
    }
    Ok(())
}
