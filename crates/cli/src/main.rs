//! `shipshape`: list presets, print settings, and write the generated bundle, using the same
//! core as the web app so the files are the same.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use shipshape_core::model::{self, LoadError, PRESETS, Project};

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
    /// Write every generated file into a folder.
    Generate {
        #[command(flatten)]
        source: Source,
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
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

/// What went wrong, and the exit code it maps to: 1 for bad settings, 2 for usage or I/O.
enum Failure {
    Settings(String),
    Usage(String),
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
        Command::Generate { source, out } => {
            let project = match (source.preset, source.settings) {
                (Some(name), _) => preset_project(&name)?,
                (None, Some(file)) => load(&file)?,
                (None, None) => unreachable!("clap requires one source"),
            };
            let bundle = shipshape_core::generate(&project);
            for file in bundle.files() {
                write(&out.join(&file.path), &file.contents)?;
            }
            println!("wrote {} files to {}", bundle.files().len(), out.display());
            Ok(())
        }
    }
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

fn write(path: &Path, contents: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", parent.display())))?;
    }
    fs::write(path, contents)
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))
}
