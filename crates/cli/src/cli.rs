// The command line's shape: commands, arguments and their help. Plain clap definitions, so
// the build script can include this file to write the man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "shipshape",
    version,
    about = "Generate and check the delivery setup of a service"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
        /// Output: human (file:line:col, coloured on a terminal), json, or sarif (SARIF 2.1.0,
        /// for GitHub code scanning).
        #[arg(long, default_value = "human", value_parser = ["human", "json", "sarif"])]
        format: String,
        /// Colour the human output: auto (on a terminal, unless NO_COLOR is set), always, never.
        #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
        color: String,
        /// Exit with 1 when a finding is at least this severe.
        #[arg(long, default_value = "error", value_parser = ["error", "warning", "info"])]
        fail_on: String,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule's code, e.g. SD001.
        code: String,
    },
    /// Print a generated file with why its lines are there, and what goes wrong without them.
    Why {
        #[command(flatten)]
        source: Source,
        /// The file's path in the bundle, e.g. backend/Dockerfile.
        path: String,
    },
    /// Step through a service's rollout: which pods serve, stop and start at each step, for its
    /// strategy, maxSurge and maxUnavailable.
    Rollout {
        #[command(flatten)]
        source: Source,
        /// The app service; the first one when not given.
        #[arg(long)]
        service: Option<String>,
        /// Pods to roll out; the service's production count when not given.
        #[arg(long)]
        replicas: Option<u32>,
    },
    /// Plan a schema change without downtime: whether old code survives it, and if not the
    /// expand, migrate and contract phases, with PostgreSQL and migration files for the
    /// service's tool (Alembic, Knex, golang-migrate, Flyway, or plain SQL).
    Migrate {
        #[command(flatten)]
        source: Source,
        /// The app service whose database it is; the first one when not given.
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
        /// add-nullable-column, add-not-null-column, rename-column, drop-column,
        /// change-column-type or add-index.
        change: String,
        #[arg(long)]
        table: String,
        #[arg(long)]
        column: String,
        /// The column's PostgreSQL type (add, change type, and the undo of a drop).
        #[arg(long = "type", default_value = "text")]
        column_type: String,
        /// The new name, for rename-column.
        #[arg(long, default_value = "")]
        new_name: String,
    },
    /// List every rule.
    Rules,
    /// Print a shell completion script, e.g. `shipshape completions bash > /etc/bash_completion.d/shipshape`.
    Completions { shell: Shell },
    /// Print the manual page (roff), generated at build time: `shipshape man | man -l -`.
    Man,
}

/// The shells completions are written for.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// Start from a preset.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Read settings from a YAML file (as printed by `shipshape settings`).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

#[derive(Args)]
#[group(required = true, multiple = true)]
pub struct Target {
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the zip the web app's "Download all" gives, byte for byte.
    #[arg(long, value_name = "FILE")]
    pub zip: Option<PathBuf>,
}
