//! `cargo xtask fresh-check`: the README's two commands as a new user runs them, on this
//! machine, with nothing cached.
//!
//! A machine that has built the project before hides missing install steps: crates already in
//! `~/.cargo/registry`, tools in the cache, packages installed by hand. This check clones the
//! committed HEAD into a new folder and runs `cargo xtask serve` (until the page answers) and
//! then `cargo xtask test` there, with `CARGO_HOME` and `SHIPSHAPE_CACHE` pointed at empty
//! folders and no `CARGO_TARGET_DIR`, so every crate is downloaded and every tool installed
//! and built again. The rustup toolchain stays. With `--purge-browser` (as root) it first
//! removes Debian's Chromium and chromedriver, so the test's own install of them is tried too.
//! It prints the time of each step and the test's stage times; the folder is kept for a look,
//! and removed at the start of the next check.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::{free_port, get};
use crate::run::{command, output, status, stop};

/// How long `serve` may take on a fresh machine to install, build and answer: the tool installs
/// alone took about 20 minutes on two cores.
const SERVE_LIMIT: Duration = Duration::from_secs(50 * 60);

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut purge_browser = false;
    let mut folder = crate::target_dir(root).join("fresh-check");
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--purge-browser" => purge_browser = true,
            "--dir" => {
                folder = PathBuf::from(rest.next().ok_or("--dir takes a folder")?);
            }
            other => return Err(format!("fresh-check: unexpected argument {other:?}")),
        }
    }
    let dirty = output(command("git", root).args(["status", "--porcelain"]))?;
    if !dirty.trim().is_empty() {
        println!(
            "fresh-check: WARNING: the work tree has uncommitted changes; the check runs the committed HEAD"
        );
    }
    let head = output(command("git", root).args(["rev-parse", "--short", "HEAD"]))?;
    if folder.exists() {
        println!(
            "fresh-check: removing the previous check at {}",
            folder.display()
        );
        fs::remove_dir_all(&folder)
            .map_err(|e| format!("cannot remove {}: {e}", folder.display()))?;
    }
    let clone = folder.join("clone");
    let cargo_home = folder.join("cargo-home");
    let cache = folder.join("tools-cache");
    for dir in [&cargo_home, &cache] {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    status(
        Command::new("git")
            .args(["clone", "--quiet", "--no-hardlinks"])
            .arg(root)
            .arg(&clone),
    )?;
    // The snapshot of RustSec's database sits beside the workspace on this project's machines;
    // the clone is elsewhere, so it is named explicitly.
    let advisory_db = crate::supply_chain::snapshot_source(root);
    if purge_browser {
        println!("fresh-check: removing Debian's chromium and chromium-driver first");
        status(
            Command::new("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["remove", "-y", "-qq", "chromium", "chromium-driver"]),
        )?;
    } else if crate::tools::which("chromium").is_some() {
        println!(
            "fresh-check: note: Chromium is installed, so the test's own install of it is not tried (--purge-browser removes it first)"
        );
    }
    println!(
        "fresh-check: HEAD {} cloned into {}; CARGO_HOME={} SHIPSHAPE_CACHE={}",
        head.trim(),
        clone.display(),
        cargo_home.display(),
        cache.display()
    );
    let environment = |program: &str| {
        let mut cmd = command(program, &clone);
        // What cargo sets for the xtask process must not leak into the new user's run.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("CARGO") || key == "RUSTC" || key == "RUSTDOC" {
                cmd.env_remove(&key);
            }
        }
        cmd.env("CARGO_HOME", &cargo_home)
            .env("SHIPSHAPE_CACHE", &cache)
            .env_remove("XDG_CACHE_HOME");
        if let Some(db) = &advisory_db {
            cmd.env("SHIPSHAPE_ADVISORY_DB", db);
        }
        cmd
    };

    let started = Instant::now();
    let port = free_port()?;
    println!("\n==> fresh-check: cargo xtask serve --port {port}");
    let serve_log = folder.join("serve.log");
    let mut serve = environment("cargo");
    serve
        .args(["xtask", "serve", "--port", &port.to_string()])
        .stdout(Stdio::from(
            fs::File::create(&serve_log).map_err(|e| e.to_string())?,
        ))
        .stderr(Stdio::from(
            fs::File::create(folder.join("serve.err")).map_err(|e| e.to_string())?,
        ));
    // Its own process group, so stopping it stops trunk and what trunk started.
    use std::os::unix::process::CommandExt;
    serve.process_group(0);
    let mut child = serve
        .spawn()
        .map_err(|e| format!("cannot start cargo xtask serve: {e}"))?;
    let served = wait_for_page(&mut child, port, SERVE_LIMIT);
    stop(&mut child);
    let serve_seconds = started.elapsed().as_secs_f64();
    match served {
        Ok(bytes) => println!(
            "==> fresh-check: serve answered http://127.0.0.1:{port}/ with {bytes} bytes after {serve_seconds:.1} s"
        ),
        Err(error) => {
            return Err(format!(
                "cargo xtask serve did not serve the page: {error} (logs: {} and serve.err)",
                serve_log.display()
            ));
        }
    }

    println!("\n==> fresh-check: cargo xtask test");
    let test_started = Instant::now();
    let log_path = folder.join("test.log");
    let mut test = environment("cargo");
    test.args(["xtask", "test"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = test
        .spawn()
        .map_err(|e| format!("cannot start cargo xtask test: {e}"))?;
    let mut log = fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let mut stages = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            let _ = writeln!(log, "{line}");
            if line.starts_with("==> stage ok:") || line.starts_with("==> stage FAILED:") {
                stages.push(line);
            }
        }
    }
    let exit = child.wait().map_err(|e| e.to_string())?;
    let test_seconds = test_started.elapsed().as_secs_f64();
    println!("\nfresh-check summary (HEAD {}):", head.trim());
    println!("  {serve_seconds:>8.1} s  cargo xtask serve, from nothing to the page answering");
    for line in &stages {
        println!("  {line}");
    }
    println!("  {test_seconds:>8.1} s  cargo xtask test, in all");
    println!("  {:>8.1} s  both, in all", started.elapsed().as_secs_f64());
    if exit.success() {
        println!("fresh-check: passed");
        Ok(())
    } else {
        Err(format!(
            "cargo xtask test failed on the fresh setup ({exit}); log: {}",
            log_path.display()
        ))
    }
}

/// Polls the served page until it answers 200 with the app's HTML, the server exits, or `limit`
/// passes; returns the page's size.
fn wait_for_page(child: &mut Child, port: u16, limit: Duration) -> Result<usize, String> {
    let started = Instant::now();
    loop {
        if let Some(exit) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("it exited first ({exit})"));
        }
        if let Some(page) = get(port, "/")
            && page.status == 200
            && page.body.contains("<html")
        {
            return Ok(page.body.len());
        }
        if started.elapsed() > limit {
            return Err(format!("no page after {} s", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}
