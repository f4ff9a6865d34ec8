//! `shipshape`: list presets, print settings, and write the generated bundle, using the same
//! core as the web app so the files are the same.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use shipshape_core::GeneratedFile;
use shipshape_core::model::{self, LoadError, PRESETS, Project};
use shipshape_core::rules::{self, Severity};
use shipshape_core::{migration, rollout};

/// Like `println!`, but a closed pipe (`shipshape rules | head`) ends the output quietly
/// instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Like `print!`, with the same care for closed pipes.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// The command line's shape (clap definitions the build script also reads for the man page).
mod cli;
mod sarif;

use cli::{Cli, Command, Shell};

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
                outln!("{:width$}  {}", preset.name, preset.description);
            }
            Ok(())
        }
        Command::Settings { preset } => {
            out!("{}", model::to_yaml(&preset_project(&preset)?));
            Ok(())
        }
        Command::Lint {
            paths,
            format,
            color,
            fail_on,
        } => lint(&paths, &format, colour(&color), &fail_on),
        Command::Completions { shell } => {
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
                Shell::Powershell => clap_complete::Shell::PowerShell,
                Shell::Elvish => clap_complete::Shell::Elvish,
            };
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "shipshape", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(())
        }
        Command::Man => {
            out!("{}", include_str!(concat!(env!("OUT_DIR"), "/shipshape.1")));
            Ok(())
        }
        Command::Explain { code } => {
            let rule = rules::find(&code).ok_or_else(|| {
                Failure::Usage(format!("no rule {code:?}; `shipshape rules` lists them"))
            })?;
            outln!(
                "{} {} ({}, {})\n",
                rule.code,
                rule.name,
                rule.family.label(),
                rule.severity.id()
            );
            for line in rule.docs.lines() {
                outln!("{}", line.strip_prefix(' ').unwrap_or(line));
            }
            Ok(())
        }
        Command::Why { source, path } => {
            let project = project_of(source)?;
            let bundle = shipshape_core::generate(&project);
            let file = bundle.get(&path).ok_or_else(|| {
                Failure::Usage(format!(
                    "no generated file {path:?}; `shipshape generate` writes them all"
                ))
            })?;
            // Each topic once, under the line it belongs to; the lines of its block follow.
            let explained = shipshape_core::explain::file(file);
            for (i, line) in file.contents.lines().enumerate() {
                outln!("{:4} | {line}", i + 1);
                if let Some(e) = explained
                    .iter()
                    .find(|e| e.line == i + 1 && e.why.line == e.line)
                {
                    outln!("     = why: {}", e.why.topic.why);
                    outln!("     = without it: {}", e.why.topic.without);
                    let field =
                        shipshape_core::explain::field(&project, &path, &file.contents, &e.why);
                    if let Some(field) = field {
                        outln!("     = setting: {}", field.label());
                    }
                }
            }
            Ok(())
        }
        Command::Rollout {
            source,
            service,
            replicas,
        } => {
            let project = project_of(source)?;
            let service = service_named(&project, service.as_deref())?;
            let replicas =
                replicas.unwrap_or_else(|| rollout::production_replicas(&project, service));
            let plan = rollout::plan(service, replicas);
            outln!(
                "{}: {} of {} pods; maxSurge {} = {} extra at most, maxUnavailable {} = {} down at most",
                service.name,
                plan.strategy.label(),
                plan.replicas,
                service.rollout.max_surge,
                plan.surge,
                service.rollout.max_unavailable,
                plan.unavailable
            );
            outln!("pods: O old serving, x old stopping, s new starting, N new serving");
            let width = plan.steps.iter().map(|s| s.pods.len()).max().unwrap_or(0);
            for (index, step) in plan.steps.iter().enumerate() {
                let pods: String = step
                    .pods
                    .iter()
                    .map(|pod| match pod {
                        rollout::Pod::Old => 'O',
                        rollout::Pod::Stopping => 'x',
                        rollout::Pod::Starting => 's',
                        rollout::Pod::New => 'N',
                    })
                    .collect();
                let line = format!(
                    "{:>3}  {pods:<width$}  {} serving for {} wanted, {:>3}% to the new version  {}",
                    index + 1,
                    step.serving(),
                    plan.replicas,
                    step.new_traffic,
                    step.note
                );
                outln!("{}", line.trim_end());
            }
            outln!("{}", plan.lesson());
            Ok(())
        }
        Command::Migrate {
            source,
            service,
            change,
            table,
            column,
            column_type,
            new_name,
        } => {
            let project = project_of(source)?;
            let service = service_named(&project, service.as_deref())?;
            let kind = migration::Change::from_id(&change).ok_or_else(|| {
                let ids: Vec<&str> = migration::Change::ALL.iter().map(|c| c.id()).collect();
                Failure::Usage(format!(
                    "unknown change {change:?}; one of {}",
                    ids.join(", ")
                ))
            })?;
            let request = migration::Request {
                change: kind,
                table,
                column,
                column_type,
                new_name,
            };
            let plan =
                migration::plan(service, &request).map_err(|(_, why)| Failure::Usage(why))?;
            out!("{}", plan.text(&service.name));
            Ok(())
        }
        Command::Rules => {
            for rule in rules::catalogue() {
                outln!(
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
            let project = project_of(source)?;
            let bundle = shipshape_core::generate(&project);
            if let Some(out) = &target.out {
                let files: Vec<(PathBuf, &[u8])> = bundle
                    .files()
                    .iter()
                    .map(|f| (out.join(&f.path), f.contents.as_bytes()))
                    .collect();
                let written = write_all(&files, force)?;
                outln!(
                    "wrote {} to {} ({} unchanged)",
                    plural(written, "file"),
                    out.display(),
                    files.len() - written
                );
            }
            if let Some(zip) = &target.zip {
                let bytes = shipshape_core::zip::bundle(&bundle, &project.name);
                let written = write_all(&[(zip.clone(), bytes.as_slice())], force)?;
                outln!(
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

/// Whether to colour the human output: `auto` on a terminal unless NO_COLOR is set.
/// The project a `--preset` or `--settings` source names.
/// The app service called `name`, or the first one.
fn service_named<'a>(
    project: &'a Project,
    name: Option<&str>,
) -> Result<&'a model::AppService, Failure> {
    match name {
        Some(name) => project.services.iter().find(|s| s.name == name),
        None => project.services.first(),
    }
    .ok_or_else(|| Failure::Usage(format!("no service {name:?} in the settings")))
}

fn project_of(source: cli::Source) -> Result<Project, Failure> {
    match (source.preset, source.settings) {
        (Some(name), _) => preset_project(&name),
        (None, Some(file)) => load(&file),
        (None, None) => unreachable!("clap requires one source"),
    }
}

fn colour(choice: &str) -> bool {
    use std::io::IsTerminal;
    match choice {
        "always" => true,
        "never" => false,
        _ => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// A finding's line, with the severity coloured (red, yellow, blue) when asked.
fn human_line(diagnostic: &rules::Diagnostic, colour: bool) -> String {
    if !colour {
        return diagnostic.to_string();
    }
    let code = match diagnostic.severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;34",
    };
    format!(
        "\x1b[1m{}:{}:{}:\x1b[0m \x1b[{code}m{}\x1b[0m {} [{}] {}",
        diagnostic.file,
        diagnostic.line,
        diagnostic.column,
        diagnostic.severity.id(),
        diagnostic.code,
        diagnostic.name,
        diagnostic.message
    )
}

fn lint(paths: &[PathBuf], format: &str, colour: bool, fail_on: &str) -> Result<(), Failure> {
    let threshold = Severity::from_id(fail_on)
        .ok_or_else(|| Failure::Usage(format!("unknown severity {fail_on:?}")))?;
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect(path, path, &mut files)?;
        } else {
            let contents = fs::read_to_string(path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
            files.push(GeneratedFile::new(path.display().to_string(), contents));
        }
    }
    let found = rules::lint_files(&files);
    if format == "json" {
        outln!(
            "{}",
            serde_json::to_string_pretty(&found).expect("diagnostics serialize")
        );
    } else if format == "sarif" {
        outln!(
            "{}",
            serde_json::to_string_pretty(&sarif::log(&found)).expect("SARIF serializes")
        );
    } else {
        for diagnostic in &found {
            outln!("{}", human_line(diagnostic, colour));
            outln!("  fix: {}", diagnostic.fix);
        }
        let count = |severity| found.iter().filter(|d| d.severity == severity).count();
        outln!(
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
            files.push(GeneratedFile::new(relative, contents));
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
