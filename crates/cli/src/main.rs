//! `shipshape`: list presets, print settings, and write the generated bundle, using the same
//! core as the web app so the files are the same.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use shipshape_core::GeneratedFile;
use shipshape_core::model::{self, LoadError, PRESETS, Project};
use shipshape_core::rules::{self, Severity};

#[derive(Parser)]
#[command(
    name = "shipshape",
    version,
    about = "Generate and check the delivery setup of a service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the presets.
    Presets,
    /// Print a preset's settings as YAML, to save and edit.
    Settings {
        #[arg(long, value_name = "NAME")]
        preset: String,
    },
    /// Write every generated file into a folder, or as the zip the web app downloads.
    ///
    /// Files that already hold exactly the generated text are left alone; a file that differs
    /// is not overwritten unless --force is given, and nothing is ever deleted.
    Generate {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        target: Target,
        /// Overwrite files (and a zip) whose contents differ from what is generated.
        #[arg(long)]
        force: bool,
    },
    /// Check files or folders with the rule engine (Dockerfile, Kubernetes, GitHub Actions,
    /// compose, Terraform, and across files).
    Lint {
        /// Files or folders; folders are read recursively.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output: human or json.
        #[arg(long, default_value = "human", value_parser = ["human", "json"])]
        format: String,
        /// Exit with 1 when a finding is at least this severe.
        #[arg(long, default_value = "error", value_parser = ["error", "warning", "info"])]
        fail_on: String,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule's code, e.g. SD001.
        code: String,
    },
    /// List every rule.
    Rules,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct Source {
    /// Start from a preset.
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
    /// Read settings from a YAML file (as printed by `shipshape settings`).
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
}

#[derive(Args)]
#[group(required = true, multiple = true)]
struct Target {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write the zip the web app's "Download all" gives, byte for byte.
    #[arg(long, value_name = "FILE")]
    zip: Option<PathBuf>,
}

/// What went wrong, and the exit code it maps to: 1 for bad settings, 2 for usage or I/O.
enum Failure {
    Settings(String),
    Usage(String),
    /// Findings at or above the threshold; they were printed already.
    Findings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Settings(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Findings) => ExitCode::from(1),
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Presets => {
            let width = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for preset in PRESETS {
                println!("{:width$}  {}", preset.name, preset.description);
            }
            Ok(())
        }
        Command::Settings { preset } => {
            print!("{}", model::to_yaml(&preset_project(&preset)?));
            Ok(())
        }
        Command::Lint {
            paths,
            format,
            fail_on,
        } => lint(&paths, &format, &fail_on),
        Command::Explain { code } => {
            let rule = rules::find(&code).ok_or_else(|| {
                Failure::Usage(format!("no rule {code:?}; `shipshape rules` lists them"))
            })?;
            println!(
                "{} {} ({}, {})\n",
                rule.code,
                rule.name,
                rule.family.label(),
                rule.severity.id()
            );
            for line in rule.docs.lines() {
                println!("{}", line.strip_prefix(' ').unwrap_or(line));
            }
            Ok(())
        }
        Command::Rules => {
            for rule in rules::catalogue() {
                println!(
                    "{:6} {:8} {:15} {}",
                    rule.code,
                    rule.severity.id(),
                    rule.family.label(),
                    rule.name
                );
            }
            Ok(())
        }
        Command::Generate {
            source,
            target,
            force,
        } => {
            let project = match (source.preset, source.settings) {
                (Some(name), _) => preset_project(&name)?,
                (None, Some(file)) => load(&file)?,
                (None, None) => unreachable!("clap requires one source"),
            };
            let bundle = shipshape_core::generate(&project);
            if let Some(out) = &target.out {
                let files: Vec<(PathBuf, &[u8])> = bundle
                    .files()
                    .iter()
                    .map(|f| (out.join(&f.path), f.contents.as_bytes()))
                    .collect();
                let written = write_all(&files, force)?;
                println!(
                    "wrote {} to {} ({} unchanged)",
                    plural(written, "file"),
                    out.display(),
                    files.len() - written
                );
            }
            if let Some(zip) = &target.zip {
                let bytes = shipshape_core::zip::bundle(&bundle, &project.name);
                let written = write_all(&[(zip.clone(), bytes.as_slice())], force)?;
                println!(
                    "{} {} ({} files, {} bytes)",
                    if written == 1 { "wrote" } else { "unchanged:" },
                    zip.display(),
                    bundle.files().len(),
                    bytes.len()
                );
            }
            Ok(())
        }
    }
}

fn lint(paths: &[PathBuf], format: &str, fail_on: &str) -> Result<(), Failure> {
    let threshold = Severity::from_id(fail_on)
        .ok_or_else(|| Failure::Usage(format!("unknown severity {fail_on:?}")))?;
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, path, &mut files)?;
        } else {
            let contents = fs::read_to_string(path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
            files.push(GeneratedFile {
                path: path.display().to_string(),
                contents,
            });
        }
    }
    let found = rules::lint_files(&files);
    if format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&found).expect("diagnostics serialize")
        );
    } else {
        for diagnostic in &found {
            println!("{diagnostic}");
            println!("  fix: {}", diagnostic.fix);
        }
        let count = |severity| found.iter().filter(|d| d.severity == severity).count();
        println!(
            "{} checked: {}, {}, {} info",
            plural(files.len(), "file"),
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            count(Severity::Info)
        );
    }
    if found.iter().any(|d| d.severity <= threshold) {
        Err(Failure::Findings)
    } else {
        Ok(())
    }
}

/// Text files below `dir`, named relative to `root`, skipping VCS and dependency folders.
fn collect(root: &Path, dir: &Path, files: &mut Vec<GeneratedFile>) -> Result<(), Failure> {
    let entries = fs::read_dir(dir)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(
                name,
                ".git" | "node_modules" | "target" | ".terraform" | "vendor"
            ) {
                collect(root, &path, files)?;
            }
        } else if let Ok(contents) = fs::read_to_string(&path) {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.push(GeneratedFile {
                path: relative,
                contents,
            });
        }
    }
    Ok(())
}

fn preset_project(name: &str) -> Result<Project, Failure> {
    model::preset(name).map(|p| p.project()).ok_or_else(|| {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        Failure::Usage(format!(
            "no preset named {name:?}; choose one of: {}",
            names.join(", ")
        ))
    })
}

fn load(file: &Path) -> Result<Project, Failure> {
    let text = fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
    model::from_yaml(&text).map_err(|error| match error {
        LoadError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("  {}: {}", e.field.path(), e.message))
                .collect();
            Failure::Settings(format!(
                "{}: {} invalid value(s); nothing was written\n{}",
                file.display(),
                errors.len(),
                lines.join("\n")
            ))
        }
        other => Failure::Settings(format!("{}: {other}; nothing was written", file.display())),
    })
}

/// Writes each file whose contents differ from what is on disk, and returns how many it
/// wrote. Without `force`, nothing is written if any existing file differs: the user's own
/// edits are never overwritten by surprise.
fn write_all(files: &[(PathBuf, &[u8])], force: bool) -> Result<usize, Failure> {
    let mut changed = Vec::new();
    let mut differing = Vec::new();
    for (path, contents) in files {
        match fs::read(path) {
            Ok(existing) if existing == *contents => {}
            Ok(_) => {
                differing.push(path.display().to_string());
                changed.push((path, contents));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => changed.push((path, contents)),
            Err(e) => {
                return Err(Failure::Usage(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        }
    }
    if !differing.is_empty() && !force {
        let shown: Vec<&str> = differing.iter().take(10).map(String::as_str).collect();
        let more = differing.len().saturating_sub(shown.len());
        return Err(Failure::Usage(format!(
            "{} already {} and {} from what would be generated; nothing was written. \
             Use --force to overwrite.\n  {}{}",
            plural(differing.len(), "file"),
            if differing.len() == 1 {
                "exists"
            } else {
                "exist"
            },
            if differing.len() == 1 {
                "differs"
            } else {
                "differ"
            },
            shown.join("\n  "),
            if more > 0 {
                format!("\n  ... and {more} more")
            } else {
                String::new()
            }
        )));
    }
    for (path, contents) in &changed {
        write(path, contents)?;
    }
    Ok(changed.len())
}

fn write(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", parent.display())))?;
    }
    fs::write(path, contents)
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))
}

/// `1 file`, `2 files`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
