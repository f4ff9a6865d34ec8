//! Running commands and timing the stages of `cargo xtask test`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// A `cargo` command in the workspace root, using the cargo that runs xtask.
pub fn cargo(root: &Path) -> Command {
    command(
        std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        root,
    )
}

pub fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir);
    command
}

/// Runs `command`, echoing it first; a non-zero exit is an error naming the command.
pub fn status(command: &mut Command) -> Result<(), String> {
    let shown = describe(command);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|error| format!("could not start `{shown}`: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// `git -C dir` with an identity and settings of its own, so the repositories xtask makes
/// (the RustSec snapshot, verify's stand-in remotes) do not depend on the user's git config.
pub fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=xtask", "-c", "user.email=xtask@localhost"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ]);
    command
}

/// Ends a child started in a process group of its own, and everything it started: SIGTERM,
/// then SIGKILL after five seconds.
pub fn stop(child: &mut std::process::Child) {
    stop_with(child, "-TERM");
}

/// [`stop`] with another first signal: PostgreSQL's fast shutdown is SIGINT (SIGTERM waits
/// for its clients to leave).
pub fn stop_with(child: &mut std::process::Child, signal: &str) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args([signal, "--", &group]).status();
    for _ in 0..50 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = child.wait();
}

/// Runs `command` and returns its standard output, for version checks and look-ups.
pub fn output(command: &mut Command) -> Result<String, String> {
    let shown = describe(command);
    let output = command
        .output()
        .map_err(|error| format!("could not start `{shown}`: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "`{shown}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// What a command printed, and whether it succeeded.
pub struct Captured {
    pub success: bool,
    pub text: String,
}

/// Runs `command`, echoing it first, and keeps what it printed (stdout, then stderr) whether
/// it succeeded or not; only a command that cannot start is an error.
pub fn captured(command: &mut Command) -> Result<Captured, String> {
    let shown = describe(command);
    println!("$ {shown}");
    let output = command
        .output()
        .map_err(|error| format!("could not start `{shown}`: {error}"))?;
    Ok(Captured {
        success: output.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program()).file_name().map_or_else(
        || command.get_program().to_string_lossy(),
        |name| name.to_string_lossy(),
    );
    let args: Vec<String> = command
        .get_args()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    // Validators get dozens of file paths; show the first few and how many more.
    const SHOWN: usize = 8;
    let mut shown: Vec<String> = std::iter::once(program.into_owned())
        .chain(args.iter().take(SHOWN).cloned())
        .collect();
    if args.len() > SHOWN {
        shown.push(format!("... (+{} more)", args.len() - SHOWN));
    }
    shown.join(" ")
}

/// The stages of a test run: one line each with its time, and a summary line at the end.
#[derive(Default)]
pub struct Stages {
    done: Vec<(String, f64)>,
}

impl Stages {
    pub fn run<T>(
        &mut self,
        name: &str,
        stage: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("\n==> stage: {name}");
        let started = Instant::now();
        let result = stage();
        let seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(value) => {
                println!("==> stage ok: {name} ({seconds:.1} s)");
                self.done.push((name.to_owned(), seconds));
                Ok(value)
            }
            Err(error) => {
                println!("==> stage FAILED: {name} ({seconds:.1} s)");
                self.print_times();
                println!(
                    "xtask test: {} passed, 1 failed (stopped at \"{name}\")",
                    self.done.len()
                );
                Err(error)
            }
        }
    }

    pub fn finish(&self, started: Instant) {
        self.print_times();
        println!(
            "xtask test: all {} stages passed in {:.1} s",
            self.done.len(),
            started.elapsed().as_secs_f64()
        );
        println!("stages: {} passed, 0 failed", self.done.len());
    }

    fn print_times(&self) {
        println!("\nstage times:");
        for (name, seconds) in &self.done {
            println!("  {seconds:>8.1} s  {name}");
        }
    }
}
