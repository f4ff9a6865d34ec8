//! `cargo deny` over the whole workspace graph, dev-dependencies included, against deny.toml.
//!
//! Licenses, bans and sources read Cargo.lock and the crates' manifests. `cargo deny --offline`
//! runs `cargo metadata --offline`, which needs every crate of the graph *for every target*
//! (Windows-only ones included) in the local registry, so the stage runs `cargo fetch` first: a
//! fresh machine has none of them.
//!
//! Advisories need RustSec's database, a git repository on GitHub. The stage tries it first.
//! Where GitHub cannot be reached (this project's machines reach only the package registries)
//! it falls back to a snapshot of that database, when one is present: `$SHIPSHAPE_ADVISORY_DB`,
//! else `../shared/advisory-db` beside the workspace (where this project's machines keep one).
//! cargo-deny reads a database only from a git checkout, so the snapshot's files are committed
//! once into a repository in the tools cache, dated as the snapshot. Either way the stage prints
//! which database it used and its date, and an advisory against a crate of the graph fails the
//! stage unless deny.toml ignores it with a reason. With neither database it says, loudly, that
//! advisories were not checked.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::conformance::files_named;
use crate::run::{cargo, git, output};
use crate::tools::{Toolchain, cache_dir, ensure_installed};

/// The folder cargo-deny clones `https://github.com/rustsec/advisory-db` into, under its
/// db-path: the name followed by a hash of the URL (cargo-deny 0.20).
const DB_FOLDER: &str = "advisory-db-3157b0e258782691";

pub fn run(toolchain: &Toolchain, root: &Path) -> Result<(), String> {
    // Every crate of every target's graph into the local registry, so --offline can resolve it.
    toolchain.run(cargo(root).args(["fetch", "--locked"]))?;
    toolchain.run(&mut deny(
        root,
        &["--offline"],
        &["licenses", "bans", "sources"],
    ))?;
    advisories(toolchain, root)
}

fn deny(root: &Path, options: &[&str], checks: &[&str]) -> Command {
    let mut command = cargo(root);
    command
        .args(["deny", "--workspace"])
        .args(options)
        .arg("check")
        .args(checks);
    command
}

fn advisories(toolchain: &Toolchain, root: &Path) -> Result<(), String> {
    println!(
        "xtask: RustSec advisories: trying the live database (github.com/rustsec/advisory-db)"
    );
    let live = toolchain.capture(&mut deny(root, &[], &["advisories"]))?;
    print!("{}", live.text);
    if !live.text.contains("failed to fetch advisory database") {
        let date = live_database_date().unwrap_or_else(|| "date unknown".into());
        println!("xtask: RustSec advisories checked against the live database ({date})");
        return if live.success {
            Ok(())
        } else {
            Err("cargo deny check advisories found a problem (above)".into())
        };
    }
    println!("xtask: the live RustSec database cannot be fetched from this machine");
    let Some(source) = snapshot_source(root) else {
        println!(
            "xtask: WARNING: RustSec advisories NOT checked: the live database cannot be fetched, and no \
             snapshot was found (set SHIPSHAPE_ADVISORY_DB to a copy of rustsec/advisory-db)"
        );
        return Ok(());
    };
    let snapshot = Snapshot::read(&source)?;
    let db_path = snapshot.install()?;
    let config = snapshot_config(root, &db_path)?;
    println!(
        "xtask: RustSec advisories: using the snapshot at {} (commit {}, dated {}, {} advisories)",
        source.display(),
        snapshot.commit,
        snapshot.date,
        snapshot.advisories
    );
    // Global options, `--config` included, go before `check`.
    let mut command = cargo(root);
    command
        .args(["deny", "--workspace", "--offline", "--config"])
        .arg(&config)
        .args(["check", "advisories"]);
    let checked = toolchain.capture(&mut command)?;
    print!("{}", checked.text);
    println!(
        "xtask: RustSec advisories checked against the snapshot dated {} (commit {}): {}",
        snapshot.date,
        snapshot.commit,
        if checked.success {
            "no advisory against the graph that deny.toml does not ignore with a reason"
        } else {
            "FAILED"
        }
    );
    if checked.success {
        Ok(())
    } else {
        Err(format!(
            "cargo deny check advisories (snapshot of {}) found a problem (above)",
            snapshot.date
        ))
    }
}

/// The date of the newest commit of the database cargo-deny fetched, in its default place.
fn live_database_date() -> Option<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let db = cargo_home.join("advisory-dbs").join(DB_FOLDER);
    output(Command::new("git").arg("-C").arg(&db).args([
        "log",
        "-1",
        "--format=commit %h, dated %cs",
    ]))
    .ok()
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
}

/// `$SHIPSHAPE_ADVISORY_DB`, else `<workspace>/../shared/advisory-db`, when it holds advisories.
pub fn snapshot_source(root: &Path) -> Option<PathBuf> {
    let candidate = match std::env::var_os("SHIPSHAPE_ADVISORY_DB").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => root.parent()?.join("shared/advisory-db"),
    };
    candidate.join("crates").is_dir().then_some(candidate)
}

/// A plain-files copy of the advisory database.
struct Snapshot {
    source: PathBuf,
    /// The upstream commit the copy was taken at, from SNAPSHOT.md, or "unknown".
    commit: String,
    /// The snapshot's date: SNAPSHOT.md's, else the newest advisory's.
    date: String,
    advisories: usize,
}

impl Snapshot {
    fn read(source: &Path) -> Result<Snapshot, String> {
        let notes = fs::read_to_string(source.join("SNAPSHOT.md")).unwrap_or_default();
        let commit = notes
            .split(|c: char| !c.is_ascii_hexdigit())
            .find(|word| word.len() == 40)
            .map_or_else(|| "unknown".to_owned(), str::to_owned);
        let mut advisories = 0;
        let mut newest = String::new();
        for file in files_named(&source.join("crates"), |name| name.ends_with(".md"))? {
            advisories += 1;
            let text = fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            if let Some(date) = text.lines().find_map(|l| {
                l.strip_prefix("date = \"")
                    .and_then(|rest| rest.get(..10))
                    .filter(|d| is_date(d))
            }) && date > newest.as_str()
            {
                newest = date.to_owned();
            }
        }
        if advisories == 0 {
            return Err(format!("{}: no advisories under crates/", source.display()));
        }
        let date = notes
            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
            .find(|word| is_date(word))
            .map_or(newest, str::to_owned);
        Ok(Snapshot {
            source: source.to_owned(),
            commit,
            date,
            advisories,
        })
    }

    /// Commits the snapshot's files into `<cache>/rustsec-snapshot-<commit>/<DB_FOLDER>`, once,
    /// and returns the db-path (the folder above it).
    fn install(&self) -> Result<PathBuf, String> {
        let key = format!(
            "{}-{}",
            self.date,
            &self.commit[..self.commit.len().min(12)]
        );
        ensure_installed(&cache_dir()?, "rustsec-snapshot", &key, |dir| {
            let repo = dir.join(DB_FOLDER);
            println!(
                "xtask: making a git repository of the RustSec snapshot at {}",
                repo.display()
            );
            copy_tree(&self.source, &repo)?;
            let git = |args: &[&str]| {
                let stamp = format!("{}T00:00:00Z", self.date);
                output(
                    git(&repo)
                        .args(args)
                        .env("GIT_AUTHOR_DATE", &stamp)
                        .env("GIT_COMMITTER_DATE", &stamp),
                )
                .map(|_| ())
            };
            git(&["init", "--quiet"])?;
            git(&["add", "--all"])?;
            git(&[
                "commit",
                "--quiet",
                "-m",
                &format!("RustSec advisory-db snapshot {}", self.commit),
            ])?;
            // cargo-deny reads when the database was last fetched from this file.
            fs::write(repo.join(".git/FETCH_HEAD"), "")
                .map_err(|e| format!("cannot write FETCH_HEAD: {e}"))
        })
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

/// Copies the files of `from` into `to` (created), with owner write bits so git can work in it:
/// the snapshot may be read-only.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == ".git" {
            continue;
        }
        if source.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            fs::copy(&source, &target)
                .map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
            let mut permissions = fs::metadata(&target)
                .map_err(|e| e.to_string())?
                .permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            fs::set_permissions(&target, permissions).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// deny.toml with `[advisories] db-path` pointing at the snapshot's repository, written under
/// target/: every other setting, the ignores and their reasons included, stays deny.toml's.
fn snapshot_config(root: &Path, db_path: &Path) -> Result<PathBuf, String> {
    let path = root.join("deny.toml");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut config: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let advisories = config
        .entry("advisories")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .ok_or("deny.toml: [advisories] is not a table")?;
    advisories.insert(
        "db-path".into(),
        toml::Value::String(db_path.to_string_lossy().into_owned()),
    );
    advisories.insert(
        "db-urls".into(),
        toml::Value::Array(vec![toml::Value::String(
            "https://github.com/rustsec/advisory-db".into(),
        )]),
    );
    let dir = crate::target_dir(root).join("xtask");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let written = dir.join("deny-rustsec-snapshot.toml");
    fs::write(
        &written,
        toml::to_string(&config).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("cannot write {}: {e}", written.display()))?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_recognised_and_nothing_else() {
        assert!(is_date("2026-08-21"));
        assert!(!is_date("2026-8-21"));
        assert!(!is_date("bf5c0d245a"));
        assert!(!is_date("2026-08-2x"));
    }
}
