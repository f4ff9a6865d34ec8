//! In-cluster PostgreSQL on a fresh volume: the StatefulSet's data directory, laid out as a new
//! persistent volume arrives (the root owned by root, its group set by `fsGroup`, and a
//! root-only `lost+found`), initialised by the real `initdb` as an unprivileged user, the way
//! the official image's entrypoint does on first start.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use shipshape_core::generate;
use shipshape_core::model::PRESETS;
use shipshape_core::rules::kubernetes::containers;
use shipshape_core::rules::yaml::{Node, parse};

use super::services::postgres_bin;
use super::{Outcome, Report};
use crate::tools::is_root;

/// The data directory of the official images when PGDATA is not set: a versioned folder since
/// PostgreSQL 18, `data` before.
fn image_pgdata(image: &str) -> String {
    let tag = image.rsplit(':').next().unwrap_or("");
    let major: u32 = tag
        .trim_start_matches("pg")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0);
    if major >= 18 {
        format!("/var/lib/postgresql/{major}/docker")
    } else {
        "/var/lib/postgresql/data".to_owned()
    }
}

pub(super) fn cases(report: &mut Report, out: &Path) -> Result<(), String> {
    if !report.wants("postgres") {
        return Ok(());
    }
    if !is_root() {
        println!("verify: postgres volume cases need root (a root-owned volume); not run");
        return Ok(());
    }
    for preset in PRESETS {
        let bundle = generate(&preset.project());
        for file in bundle.files() {
            if !(file.path.starts_with("k8s/") && file.path.ends_with("/postgres.yaml")) {
                continue;
            }
            let name = format!(
                "postgres {} {}: first start on a fresh volume",
                preset.name, file.path
            );
            let dir = out.join(preset.name).join(file.path.replace('/', "-"));
            report.case(&name, || first_start(&file.contents, &dir));
        }
    }
    Ok(())
}

fn first_start(manifest: &str, dir: &Path) -> Result<Outcome, String> {
    let mut outcome = Outcome::default();
    let documents = parse(manifest).map_err(|e| format!("{e:?}"))?;
    let set = documents
        .iter()
        .find(|d| d.get("kind").and_then(Node::as_str) == Some("StatefulSet"))
        .ok_or("no StatefulSet")?;
    let claims: Vec<&str> = set
        .at(&["spec", "volumeClaimTemplates"])
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|c| c.at(&["metadata", "name"]).and_then(Node::as_str))
        .collect();
    let container = containers(set).first().ok_or("no container")?;
    let image = container.get("image").and_then(Node::as_str).unwrap_or("");
    let pgdata = container
        .get("env")
        .map_or(&[][..], Node::items)
        .iter()
        .find(|e| e.get("name").and_then(Node::as_str) == Some("PGDATA"))
        .and_then(|e| e.get("value").and_then(Node::as_str))
        .map_or_else(|| image_pgdata(image), str::to_owned);
    let pgdata = pgdata.as_str();
    let mount = container
        .get("volumeMounts")
        .map_or(&[][..], Node::items)
        .iter()
        .filter(|m| {
            m.get("name")
                .and_then(Node::as_str)
                .is_some_and(|n| claims.contains(&n))
        })
        .filter_map(|m| m.get("mountPath").and_then(Node::as_str))
        .find(|m| pgdata == *m || pgdata.starts_with(&format!("{m}/")))
        .ok_or_else(|| format!("PGDATA {pgdata} is on no volume of the StatefulSet's claims"))?;

    // The volume as it arrives: root's, group-writable for fsGroup, with lost+found.
    let volume = dir.join("volume");
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
    }
    fs::create_dir_all(volume.join("lost+found")).map_err(|e| e.to_string())?;
    let run = |command: &mut Command| -> Result<std::process::Output, String> {
        command.output().map_err(|e| e.to_string())
    };
    run(Command::new("chown").arg("root:postgres").arg(&volume))?;
    fs::set_permissions(&volume, fs::Permissions::from_mode(0o2775)).map_err(|e| e.to_string())?;
    fs::set_permissions(volume.join("lost+found"), fs::Permissions::from_mode(0o700))
        .map_err(|e| e.to_string())?;
    let data = volume.join(
        pgdata
            .strip_prefix(mount)
            .unwrap_or("")
            .trim_start_matches('/'),
    );
    let initdb = run(Command::new("setpriv")
        .args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(postgres_bin()?.join("initdb"))
        .args(["--no-sync", "--auth=trust", "-D"])
        .arg(&data))?;
    outcome.processes += 2;
    outcome.check(initdb.status.success(), || {
        format!(
            "initdb of PGDATA {pgdata} on the volume mounted at {mount} fails on first start: {}",
            String::from_utf8_lossy(&initdb.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or("")
        )
    });
    Ok(outcome)
}
