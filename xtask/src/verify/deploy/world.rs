//! One scenario's world: a bare remote holding the generated repository, the stand-in cluster
//! (`xtask/standins/cluster.py`), and runs of a deploy job against both, as a runner would.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::Job;
use crate::run::output;

/// How long one step of a run (or one harness call) may take in real time.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The tools a deploy script finds first on PATH.
const STANDINS: [&str; 7] = ["kubectl", "helm", "argocd", "yq", "sleep", "curl", "aws"];

/// The generated repository of one preset, committed once on every branch a job deploys from;
/// each scenario clones it.
pub(super) struct Template {
    pub files: PathBuf,
    remote: PathBuf,
}

impl Template {
    pub fn new(
        bundle: &shipshape_core::Bundle,
        branches: &[String],
        dir: &Path,
    ) -> Result<Self, String> {
        let files = dir.join("files");
        let remote = dir.join("remote.git");
        for file in bundle.files() {
            let path = files.join(&file.path);
            fs::create_dir_all(path.parent().expect("a file has a folder"))
                .map_err(|e| e.to_string())?;
            fs::write(&path, &file.contents).map_err(|e| e.to_string())?;
        }
        git(&files, &["init", "--quiet", "-b", "main"])?;
        git(&files, &["add", "--all"])?;
        git(&files, &["commit", "--quiet", "-m", "generated"])?;
        fs::create_dir_all(&remote).map_err(|e| e.to_string())?;
        git(&remote, &["init", "--quiet", "--bare", "-b", "main"])?;
        let mut push = vec![
            "push".to_owned(),
            "--quiet".into(),
            remote.display().to_string(),
        ];
        let mut all: Vec<&String> = branches.iter().collect();
        let main = "main".to_owned();
        if !all.contains(&&main) {
            all.push(&main);
        }
        push.extend(all.iter().map(|b| format!("HEAD:refs/heads/{b}")));
        git(&files, &push.iter().map(String::as_str).collect::<Vec<_>>())?;
        Ok(Template { files, remote })
    }
}

/// Python code that runs the stand-in as an imported module, which Python keeps compiled.
/// Python starts with -S (no site: a third quicker), so the code adds the folder that holds
/// PyYAML itself.
fn entry(standin: &Path, packages: &str) -> String {
    format!(
        "import sys; sys.path[:0] = [\"{}\", \"{packages}\"]; import cluster; cluster.main()",
        standin.parent().unwrap_or(Path::new(".")).display()
    )
}

/// Where `python` finds PyYAML.
fn packages(python: &Path) -> Result<String, String> {
    let found = output(Command::new(python).args([
        "-c",
        "import os, yaml; print(os.path.dirname(os.path.dirname(yaml.__file__)))",
    ]))?;
    Ok(found.trim().to_owned())
}

/// The stand-in commands a deploy script finds first on PATH, in `bin`.
pub(super) fn standins(python: &Path, standin: &Path, bin: &Path) -> Result<(), String> {
    fs::create_dir_all(bin).map_err(|e| e.to_string())?;
    let packages = packages(python)?;
    fs::write(bin.join("packages"), &packages).map_err(|e| e.to_string())?;
    for tool in STANDINS {
        let wrapper = bin.join(tool);
        fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec \"{}\" -S -c '{}' {tool} \"$@\"\n",
                python.display(),
                entry(standin, &packages)
            ),
        )
        .map_err(|e| e.to_string())?;
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(dir).map_err(|e| e.to_string())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

pub(super) fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    output(crate::run::git(dir).args(args))
}

/// What a run is given beyond the job itself.
#[derive(Default, Clone)]
pub(super) struct RunOptions {
    /// Secrets as the runner gives them, where they differ from a configured stand-in value
    /// (an empty string: the secret is not set).
    pub secrets: Vec<(String, String)>,
    /// A git hooks folder for the job's checkout.
    pub hooks: Option<PathBuf>,
}

pub(super) struct Run {
    pub id: String,
    pub result: Result<(), String>,
}

pub(super) struct World<'a> {
    python: &'a Path,
    standin: &'a Path,
    pub dir: PathBuf,
    pub remote: PathBuf,
    pub files: PathBuf,
    bin: PathBuf,
    /// Images whose pods fail, and how, as IMAGE=MODE lines for the stand-in.
    failing: String,
    runs: AtomicUsize,
}

impl<'a> World<'a> {
    /// A world holding the template's repository, with Argo CD (where the bundle has
    /// Applications) synced to it; `bin` holds the stand-in wrappers (see `standins`).
    pub fn new(
        python: &'a Path,
        standin: &'a Path,
        template: &Template,
        bin: &Path,
        dir: &Path,
    ) -> Result<Self, String> {
        fresh_dir(dir)?;
        let remote = dir.join("remote.git");
        let cloned = Command::new("git")
            .args(["clone", "--quiet", "--bare"])
            .arg(&template.remote)
            .arg(&remote)
            .status()
            .map_err(|e| e.to_string())?;
        if !cloned.success() {
            return Err("git clone --bare of the template remote failed".into());
        }
        let world = World {
            python,
            standin,
            dir: dir.to_path_buf(),
            remote,
            files: template.files.clone(),
            bin: bin.to_path_buf(),
            failing: String::new(),
            runs: AtomicUsize::new(0),
        };
        world.standin_call(&["init"])?;
        Ok(world)
    }

    /// A copy of this world as it stands (remote, cluster, clock) in `dir`, where the images
    /// in `failing` fail as named ("never-ready" or "errors").
    pub fn fork(&self, dir: &Path, failing: &[(String, &str)]) -> Result<World<'a>, String> {
        fresh_dir(dir)?;
        copy_tree(&self.remote, &dir.join("remote.git"))?;
        fs::copy(self.dir.join("cluster.json"), dir.join("cluster.json"))
            .map_err(|e| format!("copying the cluster's state: {e}"))?;
        Ok(World {
            python: self.python,
            standin: self.standin,
            dir: dir.to_path_buf(),
            remote: dir.join("remote.git"),
            files: self.files.clone(),
            bin: self.bin.clone(),
            failing: failing
                .iter()
                .map(|(image, mode)| format!("{image}={mode}\n"))
                .collect(),
            runs: AtomicUsize::new(self.runs.load(Ordering::SeqCst)),
        })
    }

    /// The environment every stand-in call needs.
    fn standin_env(&self, command: &mut Command) {
        command
            .env("STANDIN_STATE", self.dir.join("cluster.json"))
            .env("STANDIN_LOG", self.dir.join("calls.log"))
            .env("STANDIN_REMOTE", &self.remote)
            .env("STANDIN_ARGOCD", self.files.join("argocd"))
            .env("STANDIN_FAILING", &self.failing)
            .env("PYTHONPYCACHEPREFIX", self.bin.join("pycache"));
    }

    fn standin_call(&self, args: &[&str]) -> Result<String, String> {
        let packages = fs::read_to_string(self.bin.join("packages")).map_err(|e| e.to_string())?;
        let mut command = Command::new(self.python);
        command
            .args(["-S", "-c"])
            .arg(entry(self.standin, &packages))
            .args(args);
        self.standin_env(&mut command);
        output(&mut command)
    }

    /// Lets `seconds` of simulated time pass (controllers finish what they started), then
    /// reports (see `report`).
    pub fn settle(&self, seconds: u32) -> Result<serde_json::Value, String> {
        let text = self.standin_call(&["settle", &seconds.to_string()])?;
        serde_json::from_str(&text).map_err(|e| format!("the stand-in's report: {e}"))
    }

    /// The cluster as the stand-in sees it: traffic per Service, workloads, Applications, runs.
    pub fn report(&self) -> Result<serde_json::Value, String> {
        let text = self.standin_call(&["report"])?;
        serde_json::from_str(&text).map_err(|e| format!("the stand-in's report: {e}"))
    }

    fn path(&self) -> Result<std::ffi::OsString, String> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::join_paths(std::iter::once(self.bin.clone()).chain(std::env::split_paths(&path)))
            .map_err(|e| e.to_string())
    }

    /// One run of `job` deploying `reference`, on a fresh runner: a shallow checkout of the
    /// branch, the image reference the build job left, and each `run:` step in `bash -e`.
    pub fn run(&self, job: &Job, reference: &str, options: &RunOptions) -> Result<Run, String> {
        let number = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        let id = format!("run-{number}");
        let home = self.dir.join(&id);
        let work = home.join("work");
        let temp = home.join("temp");
        fs::create_dir_all(&temp).map_err(|e| e.to_string())?;
        fs::write(temp.join("image-ref.txt"), format!("{reference}\n"))
            .map_err(|e| e.to_string())?;
        // actions/checkout: one commit deep, of the branch the job names.
        let cloned = Command::new("git")
            .args(["clone", "--quiet", "--depth", "1", "--branch", &job.branch])
            .arg(format!("file://{}", self.remote.display()))
            .arg(&work)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .map_err(|e| e.to_string())?;
        if !cloned.success() {
            return Err("the job's checkout of the stand-in remote failed".into());
        }
        if !job.can_push {
            // No token left in the checkout (persist-credentials: false) or a read-only one.
            git(
                &work,
                &[
                    "remote",
                    "set-url",
                    "--push",
                    "origin",
                    "/nonexistent/no-credentials.git",
                ],
            )?;
        }
        let path = self.path()?;
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
                .env("HOME", &home)
                .env("RUNNER_TEMP", &temp)
                .env("GITHUB_OUTPUT", temp.join("github-output"))
                .env("GITHUB_ENV", temp.join("github-env"))
                .env("STANDIN_RUN", &id)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            self.standin_env(&mut command);
            if let Some(hooks) = &options.hooks {
                command
                    .env("GIT_CONFIG_COUNT", "1")
                    .env("GIT_CONFIG_KEY_0", "core.hooksPath")
                    .env("GIT_CONFIG_VALUE_0", hooks);
            }
            for (key, value) in env {
                command.env(key, expression_value(value, &options.secrets)?);
            }
            let child = command
                .spawn()
                .map_err(|e| format!("cannot start bash: {e}"))?;
            let output = wait_bounded(child, RUN_LIMIT)?;
            if !output.status.success() {
                return Ok(Run {
                    id,
                    result: Err(format!(
                        "{} step {index} exits {}:\n{}\n{}",
                        job.id,
                        output.status.code().unwrap_or(-1),
                        tail(&String::from_utf8_lossy(&output.stdout), 3),
                        tail(&String::from_utf8_lossy(&output.stderr), 4)
                    )),
                });
            }
        }
        Ok(Run { id, result: Ok(()) })
    }

    /// Commands a person runs from a full clone of `branch`, with cluster and Argo CD access
    /// (the runbook's), in `bash -e`.
    pub fn by_hand(&self, branch: &str, script: &str) -> Result<Result<(), String>, String> {
        let number = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        let home = self.dir.join(format!("person-{number}"));
        let clone = home.join("repository");
        fs::create_dir_all(&home).map_err(|e| e.to_string())?;
        let cloned = Command::new("git")
            .args(["clone", "--quiet", "--branch", branch])
            .arg(&self.remote)
            .arg(&clone)
            .status()
            .map_err(|e| e.to_string())?;
        if !cloned.success() {
            return Err("a clone of the stand-in remote failed".into());
        }
        let script = fill_placeholders(&clone, script)?;
        fs::write(home.join("kubeconfig"), "stand-in kubeconfig\n").map_err(|e| e.to_string())?;
        fs::write(home.join("commands.sh"), &script).map_err(|e| e.to_string())?;
        let mut command = Command::new("bash");
        command
            .arg("-e")
            .arg(home.join("commands.sh"))
            .current_dir(&clone)
            .env_clear()
            .env("PATH", self.path()?)
            .env("HOME", &home)
            .env("KUBECONFIG", home.join("kubeconfig"))
            .env("ARGOCD_SERVER", "argocd.stand-in")
            .env("ARGOCD_AUTH_TOKEN", "stand-in-token")
            .env("GIT_AUTHOR_NAME", "On-call")
            .env("GIT_AUTHOR_EMAIL", "on-call@example.com")
            .env("GIT_COMMITTER_NAME", "On-call")
            .env("GIT_COMMITTER_EMAIL", "on-call@example.com")
            .env("GIT_EDITOR", "true")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.standin_env(&mut command);
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start bash: {e}"))?;
        let output = wait_bounded(child, RUN_LIMIT)?;
        Ok(if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "exits {}:\n{}\n{}",
                output.status.code().unwrap_or(-1),
                tail(&String::from_utf8_lossy(&output.stdout), 3),
                tail(&String::from_utf8_lossy(&output.stderr), 4)
            ))
        })
    }

    /// The text of `path` on `branch` of the remote.
    pub fn remote_file(&self, branch: &str, path: &str) -> Option<String> {
        output(
            Command::new("git")
                .arg("--git-dir")
                .arg(&self.remote)
                .args(["show", &format!("{branch}:{path}")]),
        )
        .ok()
    }
}

/// The runbook's `<deploy-commit>`: what a person picks from the `git log -- FILE` line above
/// it, the newest commit that changed that file.
fn fill_placeholders(clone: &Path, script: &str) -> Result<String, String> {
    let mut filled = script.to_owned();
    if filled.contains("<deploy-commit>") {
        let file = script
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("git log")
                    .and_then(|rest| rest.split(" -- ").nth(1))
            })
            .ok_or("the runbook names <deploy-commit> without a git log line to find it")?;
        let commit = git(clone, &["log", "-1", "--format=%H", "--", file.trim()])?;
        filled = filled.replace("<deploy-commit>", commit.trim());
    }
    if let Some(start) = filled.find('<')
        && let Some(end) = filled[start..].find('>')
        && filled[start + 1..start + end]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-')
    {
        return Err(format!(
            "the runbook's {} is a placeholder the harness cannot fill",
            &filled[start..=start + end]
        ));
    }
    Ok(filled)
}

/// A GitHub expression in an env value, as the runner would give it here.
fn expression_value(value: &str, secrets: &[(String, String)]) -> Result<String, String> {
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
    if let Some(name) = inner.strip_prefix("secrets.") {
        if let Some((_, given)) = secrets.iter().find(|(k, _)| k == name) {
            return Ok(given.clone());
        }
        return Ok(format!("stand-in-{}", name.to_ascii_lowercase()));
    }
    if let Some(name) = inner.strip_prefix("vars.") {
        return Ok(format!("stand-in-{}", name.to_ascii_lowercase()));
    }
    Err(format!("expression not modelled: {value}"))
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
    // Read both pipes while waiting, so a chatty script cannot fill one and stall.
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let read = |pipe: Option<std::process::ChildStdout>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = std::io::Read::read_to_end(&mut pipe, &mut text);
            }
            text
        })
    };
    let out = read(stdout);
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut pipe) = stderr {
            let _ = std::io::Read::read_to_end(&mut pipe, &mut text);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(std::process::Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}
