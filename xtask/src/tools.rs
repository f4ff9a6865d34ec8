//! Installs the pinned tools into a per-user cache when missing, and runs commands with them.
//!
//! Each tool goes into `<cache>/<tool>-<version>/`, so clones of the project on one machine
//! share the installs, and a version bump installs beside the old one. A folder counts as
//! installed only once its marker file is written, so an interrupted install is redone.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{Captured, captured, command, output, status};

const MARKER: &str = ".shipshape-installed";

/// What the caller is about to do, and so which tools it needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Building the site: the wasm target, Trunk, wasm-bindgen, wasm-opt and terser.
    Build,
    /// Every check: the above plus cargo-deny, Chromium, chromedriver and the validators from
    /// PyPI.
    Everything,
}

/// The installed tools, and the environment commands run with.
pub struct Toolchain {
    bin_dirs: Vec<PathBuf>,
    trunk: PathBuf,
    browser: Option<Browser>,
    venv: Option<PathBuf>,
    scanners: Option<PathBuf>,
    axe: Option<PathBuf>,
}

struct Browser {
    chromedriver: PathBuf,
}

/// Versions from xtask/tools.toml, plus wasm-bindgen from Cargo.lock.
struct Pins {
    trunk: String,
    cargo_deny: String,
    binaryen: String,
    terser: String,
    axe_core: String,
    wasm_bindgen: String,
    pypi: Vec<(String, String)>,
    scanners: Vec<(String, String)>,
    apt: Vec<String>,
}

impl Toolchain {
    pub fn prepare(root: &Path, need: Need) -> Result<Toolchain, String> {
        let pins = Pins::read(root)?;
        let cache = cache_dir()?;
        fs::create_dir_all(&cache)
            .map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
        println!("tools cache: {}", cache.display());

        ensure_wasm_target()?;
        let trunk_dir = cargo_install(&cache, "trunk", &pins.trunk, "10 minutes")?;
        let bindgen_dir = ensure_installed(&cache, "wasm-bindgen", &pins.wasm_bindgen, |dir| {
            println!(
                "installing wasm-bindgen-cli {} (about 4 minutes, once per version)",
                pins.wasm_bindgen
            );
            // Not --locked: its lockfile names a crate version that is no longer on the registry.
            status(
                Command::new(cargo_program())
                    .args([
                        "install",
                        "wasm-bindgen-cli",
                        "--version",
                        &pins.wasm_bindgen,
                        "--root",
                    ])
                    .arg(dir),
            )
        })?;
        let binaryen_dir = npm_install(&cache, "binaryen", &pins.binaryen)?;
        let terser_dir = npm_install(&cache, "terser", &pins.terser)?;

        let mut toolchain = Toolchain {
            bin_dirs: vec![
                trunk_dir.join("bin"),
                bindgen_dir.join("bin"),
                binaryen_dir.join("node_modules/.bin"),
                terser_dir.join("node_modules/.bin"),
            ],
            trunk: trunk_dir.join("bin/trunk"),
            browser: None,
            venv: None,
            scanners: None,
            axe: None,
        };
        if need == Need::Everything {
            let deny_dir = cargo_install(&cache, "cargo-deny", &pins.cargo_deny, "4 minutes")?;
            toolchain.bin_dirs.push(deny_dir.join("bin"));
            toolchain.browser = Some(ensure_browser(&pins.apt)?);
            toolchain.venv = Some(ensure_venv(&cache, "validators", &pins.pypi)?);
            toolchain.scanners = Some(ensure_venv(&cache, "scanners", &pins.scanners)?);
            let axe_dir = npm_install(&cache, "axe-core", &pins.axe_core)?;
            toolchain.axe = Some(axe_dir.join("node_modules/axe-core/axe.min.js"));
        }
        toolchain.check_versions(&pins)?;
        Ok(toolchain)
    }

    pub fn trunk(&self) -> PathBuf {
        self.trunk.clone()
    }

    /// axe-core's script, which the end-to-end suite injects to check accessibility.
    pub fn axe(&self) -> Result<PathBuf, String> {
        self.axe
            .clone()
            .ok_or_else(|| "axe-core was not installed".into())
    }

    /// Runs `command` with the installed tools first on PATH and the browser's driver set.
    pub fn run(&self, command: &mut Command) -> Result<(), String> {
        status(self.configure(command))
    }

    /// Runs `command` like `run`, but keeps what it printed (stdout, then stderr) for the
    /// caller to read, whether it succeeded or not.
    pub fn capture(&self, command: &mut Command) -> Result<Captured, String> {
        captured(self.configure(command))
    }

    fn configure<'a>(&self, command: &'a mut Command) -> &'a mut Command {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = self
            .bin_dirs
            .iter()
            .cloned()
            .chain(std::env::split_paths(&path));
        command.env(
            "PATH",
            std::env::join_paths(dirs).expect("PATH entries have no separator"),
        );
        if let Some(browser) = &self.browser {
            command.env("CHROMEDRIVER", &browser.chromedriver);
        }
        command
    }

    /// A validator installed from PyPI (actionlint, shellcheck, hadolint, yamllint, ...).
    pub fn validator(&self, name: &str) -> Result<PathBuf, String> {
        venv_program(&self.venv, "validators", name)
    }

    /// A policy scanner installed from PyPI (checkov).
    pub fn scanner(&self, name: &str) -> Result<PathBuf, String> {
        venv_program(&self.scanners, "scanners", name)
    }

    /// Runs a validator and returns the first line it prints for `--version`.
    pub fn validator_version(&self, name: &str, flag: &str) -> String {
        self.validator(name)
            .and_then(|path| output(Command::new(path).arg(flag)))
            .map(|text| {
                let line = text
                    .lines()
                    .find(|l| l.contains(|c: char| c.is_ascii_digit()));
                format!("{name}: {}", line.unwrap_or_default().trim())
            })
            .or_else(|_| self.package_version(name))
            .unwrap_or_else(|error| error)
    }

    /// The pinned version of a PyPI validator that has no version flag of its own.
    fn package_version(&self, name: &str) -> Result<String, String> {
        let pip = self.validator("pip")?;
        let shown = output(Command::new(pip).args(["show", name]))?;
        let version = shown
            .lines()
            .find_map(|l| l.strip_prefix("Version: "))
            .unwrap_or("?");
        Ok(format!("{name}: {version}"))
    }

    /// actionlint, with shellcheck for `run:` scripts, over `workflows`.
    pub fn actionlint(&self, workflows: &[PathBuf]) -> Result<(), String> {
        if workflows.is_empty() {
            return Err("no workflows to check".into());
        }
        self.run(
            Command::new(self.validator("actionlint")?)
                .arg("-shellcheck")
                .arg(self.validator("shellcheck")?)
                .args(workflows),
        )
    }

    /// The tools must report the pinned versions, or Trunk --offline would refuse them later
    /// with a far less clear message.
    fn check_versions(&self, pins: &Pins) -> Result<(), String> {
        let check = |program: &str, expected: &str| -> Result<(), String> {
            let mut cmd = Command::new(program);
            let found = output(self.configure(cmd.arg("--version")))?;
            if found.contains(expected) {
                Ok(())
            } else {
                Err(format!(
                    "{program} --version says {:?}, expected {expected}",
                    found.trim()
                ))
            }
        };
        check("trunk", &pins.trunk)?;
        check("wasm-bindgen", &pins.wasm_bindgen)?;
        check("wasm-opt", &format!("version {}", major(&pins.binaryen)))?;
        check("terser", &pins.terser)
    }
}

impl Pins {
    fn read(root: &Path) -> Result<Pins, String> {
        let tools = read_toml(&root.join("xtask/tools.toml"))?;
        let get = |section: &str, key: &str| -> Result<String, String> {
            tools
                .get(section)
                .and_then(|s| s.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| format!("xtask/tools.toml: missing [{section}] {key}"))
        };
        let packages = |section: &str| section_packages(&tools, section);
        let pypi = packages("pypi")?;
        let scanners = packages("pypi-scanners")?;
        let apt = tools
            .get("apt")
            .and_then(|t| t.get("packages"))
            .and_then(|p| p.as_array())
            .ok_or("xtask/tools.toml: missing [apt] packages")?
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect();

        let lock = read_toml(&root.join("Cargo.lock"))?;
        let wasm_bindgen = lock
            .get("package")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .find(|p| p.get("name").and_then(|n| n.as_str()) == Some("wasm-bindgen"))
            .and_then(|p| p.get("version")?.as_str().map(str::to_owned))
            .ok_or("Cargo.lock has no wasm-bindgen package")?;

        let pins = Pins {
            trunk: get("cargo", "trunk")?,
            cargo_deny: get("cargo", "cargo-deny")?,
            binaryen: get("npm", "binaryen")?,
            terser: get("npm", "terser")?,
            axe_core: get("npm", "axe-core")?,
            wasm_bindgen,
            pypi,
            scanners,
            apt,
        };
        pins.check_trunk_toml(&read_toml(&root.join("Trunk.toml"))?)?;
        Ok(pins)
    }

    /// Trunk.toml repeats two versions for `--offline` builds; they must match the pins.
    fn check_trunk_toml(&self, trunk: &toml::Table) -> Result<(), String> {
        let tool = |key: &str| {
            trunk
                .get("tools")
                .and_then(|t| t.get(key))
                .and_then(|v| v.as_str())
        };
        let expected_opt = format!("version_{}", major(&self.binaryen));
        if tool("wasm_bindgen") != Some(self.wasm_bindgen.as_str()) {
            return Err(format!(
                "Trunk.toml [tools] wasm_bindgen is {:?} but Cargo.lock has wasm-bindgen {}: set it to \"{}\"",
                tool("wasm_bindgen"),
                self.wasm_bindgen,
                self.wasm_bindgen
            ));
        }
        if tool("wasm_opt") != Some(expected_opt.as_str()) {
            return Err(format!(
                "Trunk.toml [tools] wasm_opt is {:?} but xtask/tools.toml pins binaryen {}: set it to \"{expected_opt}\"",
                tool("wasm_opt"),
                self.binaryen
            ));
        }
        Ok(())
    }
}

/// The `name = "version"` pairs of `[section]` in xtask/tools.toml.
pub fn pinned_packages(root: &Path, section: &str) -> Result<Vec<(String, String)>, String> {
    section_packages(&read_toml(&root.join("xtask/tools.toml"))?, section)
}

fn section_packages(tools: &toml::Table, section: &str) -> Result<Vec<(String, String)>, String> {
    tools
        .get(section)
        .and_then(|t| t.as_table())
        .ok_or(format!("xtask/tools.toml: missing [{section}]"))?
        .iter()
        .map(|(name, version)| {
            Ok((
                name.clone(),
                version
                    .as_str()
                    .ok_or(format!("[{section}] {name}: not a string"))?
                    .to_owned(),
            ))
        })
        .collect()
}

fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

fn read_toml(path: &Path) -> Result<toml::Table, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.parse::<toml::Table>()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `$SHIPSHAPE_CACHE`, else `$XDG_CACHE_HOME/shipshape`, else `~/.cache/shipshape`.
pub fn cache_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("SHIPSHAPE_CACHE").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("shipshape"));
    }
    let home = std::env::var_os("HOME")
        .ok_or("neither SHIPSHAPE_CACHE, XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/shipshape"))
}

fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Returns `<cache>/<tool>-<version>`, running `install` into it first when it is not complete.
pub fn ensure_installed(
    cache: &Path,
    tool: &str,
    version: &str,
    install: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, String> {
    let dir = cache.join(format!("{tool}-{version}"));
    if dir.join(MARKER).exists() {
        return Ok(dir);
    }
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| {
            format!(
                "cannot clear an unfinished install at {}: {e}",
                dir.display()
            )
        })?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    install(&dir)?;
    fs::write(dir.join(MARKER), format!("{tool} {version}\n"))
        .map_err(|e| format!("cannot write marker in {}: {e}", dir.display()))?;
    Ok(dir)
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    println!("adding the wasm32-unknown-unknown target");
    status(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_browser(packages: &[String]) -> Result<Browser, String> {
    let find = || (which("chromium"), which("chromedriver"));
    if let (Some(_), Some(chromedriver)) = find() {
        return Ok(Browser { chromedriver });
    }
    apt_install(packages)?;
    match find() {
        (Some(_), Some(chromedriver)) => Ok(Browser { chromedriver }),
        _ => Err(format!(
            "installed {} but chromium or chromedriver is still not on PATH",
            packages.join(" ")
        )),
    }
}

/// Finds `program` on PATH or installs the Debian `packages` that provide it.
pub fn require_program(program: &str, packages: &[&str]) -> Result<PathBuf, String> {
    if let Some(path) = which(program) {
        return Ok(path);
    }
    apt_install(&packages.iter().map(|p| p.to_string()).collect::<Vec<_>>())?;
    which(program).ok_or_else(|| {
        format!(
            "installed {} but {program} is still not on PATH",
            packages.join(" ")
        )
    })
}

/// Whether xtask runs as root (it may then install Debian packages, and run servers as
/// their own users).
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// Installs Debian packages when running as root; otherwise says exactly what to install.
fn apt_install(packages: &[String]) -> Result<(), String> {
    if !is_root() {
        return Err(format!(
            "missing Debian packages: {0}. Install them with `sudo apt-get install -y {0}` and run again.",
            packages.join(" ")
        ));
    }
    println!("installing Debian packages: {}", packages.join(" "));
    status(Command::new("apt-get").args(["update", "-qq"]))?;
    status(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages),
    )
}

/// A virtualenv with the pinned validators from PyPI, named after the pins so a change of
/// version makes a new one.
/// `cargo install --locked <krate>@<version>` into the cache, once per machine; `takes` says
/// roughly how long it compiles on two cores.
fn cargo_install(cache: &Path, krate: &str, version: &str, takes: &str) -> Result<PathBuf, String> {
    ensure_installed(cache, krate, version, |dir| {
        println!("installing {krate} {version} (about {takes} on 2 cores, once per machine)");
        status(
            Command::new(cargo_program())
                .args(["install", "--locked"])
                .arg(format!("{krate}@{version}"))
                .arg("--root")
                .arg(dir),
        )
    })
}

/// `npm install <package>@<version>` into the cache; its programs land in node_modules/.bin.
fn npm_install(cache: &Path, package: &str, version: &str) -> Result<PathBuf, String> {
    ensure_installed(cache, package, version, |dir| {
        println!("installing {package} {version} from npm");
        let npm = require_program("npm", &["nodejs", "npm"])?;
        status(
            Command::new(npm)
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(dir)
                .arg(format!("{package}@{version}")),
        )
    })
}

/// `npm install` of exactly `packages` into one folder named `kind`, keyed by that list; the
/// packages land in its node_modules.
pub fn npm_packages(
    cache: &Path,
    kind: &str,
    packages: &[(String, String)],
) -> Result<PathBuf, String> {
    let specs: Vec<String> = packages
        .iter()
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    let key = fnv1a(specs.join(" ").as_bytes());
    ensure_installed(cache, kind, &format!("{key:016x}"), |dir| {
        println!("installing {kind} from npm: {}", specs.join(" "));
        let npm = require_program("npm", &["nodejs", "npm"])?;
        status(
            Command::new(npm)
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(dir)
                .args(&specs),
        )
    })
}

/// The program `name` of the virtualenv `venv` (of `kind`), if it was installed.
fn venv_program(venv: &Option<PathBuf>, kind: &str, name: &str) -> Result<PathBuf, String> {
    let venv = venv
        .as_ref()
        .ok_or_else(|| format!("the {kind} were not installed"))?;
    Ok(venv.join("bin").join(name))
}

/// A virtualenv named `kind` holding exactly `pypi`, keyed by that list.
pub fn ensure_venv(cache: &Path, kind: &str, pypi: &[(String, String)]) -> Result<PathBuf, String> {
    let requirements: Vec<String> = pypi
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    let key = fnv1a(requirements.join(" ").as_bytes());
    ensure_installed(cache, kind, &format!("{key:016x}"), |dir| {
        println!("installing {kind} from PyPI: {}", requirements.join(" "));
        let python = require_program("python3", &["python3", "python3-venv"])?;
        status(command(python, cache).args(["-m", "venv"]).arg(dir))?;
        status(
            Command::new(dir.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-input",
                ])
                .args(&requirements),
        )
    })
}

pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
