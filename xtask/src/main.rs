//! Project automation. `cargo xtask serve` and `cargo xtask test` do all the set-up a fresh
//! machine needs, then build and serve the app or run every check.

mod budget;
mod checkov;
mod conformance;
mod fresh;
mod http;
mod run;
mod site;
mod supply_chain;
mod tools;
mod verify;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use run::{Stages, cargo, command};
use tools::Toolchain;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N]          install what is missing, build, serve the app on http://127.0.0.1:N (default 8080)
  test                      install what is missing, run every check (what CI runs)
  dist [--public-url PATH]  install what is missing, build the release site into dist/ (default PATH /)
  conformance               run the real validators on every preset's generated files
  verify [FILTER]           run what the generated files set up (nginx, ...) and check it works;
                            with FILTER, only the cases whose name contains it
  supply-chain              cargo deny over the dependency graph (deny.toml), RustSec advisories included
  fresh-check [--purge-browser] [--dir DIR]
                            clone HEAD and run `serve`, then `test`, with an empty CARGO_HOME and tools
                            cache, as on a new machine (--purge-browser removes Chromium first; as root)
";

/// The sub-path the end-to-end suite serves the release build under, like GitHub Pages does.
const E2E_PUBLIC_URL: &str = "/shipshape/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result =
        match args.first().map(String::as_str) {
            Some("serve") => option(&args[1..], "--port")
                .and_then(|port| serve(port.as_deref().unwrap_or("8080"))),
            Some("test") => no_options(&args[1..]).and_then(|()| test()),
            Some("conformance") => no_options(&args[1..]).and_then(|()| {
                let root = root();
                conformance::run(&Toolchain::prepare(&root, tools::Need::Everything)?, &root)
            }),
            Some("supply-chain") => no_options(&args[1..]).and_then(|()| {
                let root = root();
                supply_chain::run(&Toolchain::prepare(&root, tools::Need::Everything)?, &root)
            }),
            Some("verify") => {
                let root = root();
                Toolchain::prepare(&root, tools::Need::Everything).and_then(|toolchain| {
                    verify::run(&toolchain, &root, args.get(1).map(String::as_str))
                })
            }
            Some("fresh-check") => fresh::run(&root(), &args[1..]),
            Some("dist") => option(&args[1..], "--public-url")
                .and_then(|url| dist(url.as_deref().unwrap_or("/"))),
            Some("-h" | "--help" | "help") => {
                print!("{USAGE}");
                Ok(())
            }
            _ => Err(format!("unknown or missing command\n\n{USAGE}")),
        };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads an optional `--name value` (or `--name=value`); anything else is a usage error.
fn option(args: &[String], name: &str) -> Result<Option<String>, String> {
    match args {
        [] => Ok(None),
        [flag, value] if flag == name => Ok(Some(value.clone())),
        [flag] if flag.starts_with(&format!("{name}=")) => {
            Ok(Some(flag[name.len() + 1..].to_owned()))
        }
        _ => Err(format!("unexpected arguments {args:?}\n\n{USAGE}")),
    }
}

fn no_options(args: &[String]) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected arguments {args:?}\n\n{USAGE}"))
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn serve(port: &str) -> Result<(), String> {
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("--port takes a number from 1 to 65535, not {port:?}"))?;
    let root = root();
    let toolchain = Toolchain::prepare(&root, tools::Need::Build)?;
    println!("xtask: serving the app at http://127.0.0.1:{port}/ (Ctrl-C stops)");
    toolchain.run(command(toolchain.trunk(), &root).args([
        "serve",
        "--offline",
        // dist/ holds the release build that `test` and `dist` check; a dev build goes elsewhere.
        "--dist",
        "target/serve-dist",
        "--address",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]))
}

fn dist(public_url: &str) -> Result<(), String> {
    let root = root();
    let toolchain = Toolchain::prepare(&root, tools::Need::Build)?;
    build_release(&toolchain, &root, public_url)?;
    budget::check(&root)
}

fn build_release(toolchain: &Toolchain, root: &Path, public_url: &str) -> Result<(), String> {
    toolchain.run(command(toolchain.trunk(), root).args([
        "build",
        "--release",
        "--offline",
        "--public-url",
        public_url,
    ]))?;
    // Minify the scripts and add the Content Security Policy (see site.rs).
    site::finish(toolchain, &root.join("dist"))
}

/// Where cargo builds: `CARGO_TARGET_DIR` when set, else `target/` in the workspace.
pub fn target_dir(root: &Path) -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

fn test() -> Result<(), String> {
    let started = Instant::now();
    let root = root();
    let mut stages = Stages::default();
    let toolchain = stages.run("install tools", || {
        Toolchain::prepare(&root, tools::Need::Everything)
    })?;
    let wasm = ["--target", "wasm32-unknown-unknown"];
    stages.run("fmt --check", || {
        toolchain.run(cargo(&root).args(["fmt", "--all", "--check"]))
    })?;
    stages.run("supply chain (cargo deny)", || {
        supply_chain::run(&toolchain, &root)
    })?;
    stages.run("clippy native", || {
        toolchain.run(cargo(&root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    stages.run("clippy wasm32", || {
        toolchain.run(
            cargo(&root)
                .args([
                    "clippy",
                    "-p",
                    "shipshape",
                    "-p",
                    "shipshape-core",
                    "--all-targets",
                ])
                .args(wasm)
                .args(["--", "-D", "warnings"]),
        )
    })?;
    stages.run("native tests", || {
        toolchain.run(cargo(&root).args(["test", "--workspace"]))
    })?;
    stages.run("speed budgets (criterion)", || {
        toolchain.run(cargo(&root).args([
            "bench",
            "-p",
            "shipshape-core",
            "--bench",
            "budgets",
            "--",
            "--warm-up-time",
            "1",
            "--measurement-time",
            "3",
        ]))?;
        budget::check_speed(&root, &target_dir(&root).join("criterion"))
    })?;
    stages.run("actionlint on this repo's workflows", || {
        let workflows = conformance::files_named(&root.join(".github/workflows"), |name| {
            name.ends_with(".yml")
        })?;
        toolchain.actionlint(&workflows)
    })?;
    stages.run("conformance of every preset", || {
        conformance::run(&toolchain, &root)
    })?;
    stages.run("verify: run the generated setup", || {
        verify::run(&toolchain, &root, None)
    })?;
    stages.run("wasm tests in headless Chromium", || {
        // wasm-bindgen-test-runner gives the whole run 20 s unless told otherwise. The 26
        // browser tests of the unoptimised build take 15 to 18 s here, so a loaded host ran
        // past it (810bc8a's first CI run). This is a watchdog against a hang, not a speed
        // budget: speed is held by the browser benchmark on the release build.
        toolchain.run(
            cargo(&root)
                .args(["test", "-p", "shipshape"])
                .args(wasm)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        )
    })?;
    stages.run("release build (trunk)", || {
        build_release(&toolchain, &root, E2E_PUBLIC_URL)
    })?;
    stages.run("bundle-size budget", || budget::check(&root))?;
    // The end-to-end suite's browser benchmark writes its figures here; a stale file from an
    // earlier run must not pass for this one's.
    let browser_bench = target_dir(&root).join("browser-bench.toml");
    let _ = std::fs::remove_file(&browser_bench);
    stages.run("end-to-end in Chromium", || {
        toolchain.run(
            cargo(&root)
                .args([
                    "test",
                    "-p",
                    "shipshape",
                    "--test",
                    "e2e",
                    "--",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env("SHIPSHAPE_E2E_DIST", root.join("dist"))
                .env("SHIPSHAPE_E2E_PUBLIC_URL", E2E_PUBLIC_URL)
                .env("SHIPSHAPE_BROWSER_BENCH", &browser_bench)
                .env("SHIPSHAPE_AXE", toolchain.axe()?),
        )
    })?;
    stages.run("browser speed budgets", || {
        budget::check_browser(&root, &browser_bench)
    })?;
    stages.finish(started);
    Ok(())
}
