//! The bundle-size budget: gzip -9 of every file in dist/, against size-budget.toml.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

pub fn check(root: &Path) -> Result<(), String> {
    let budget_kib = read_budget(&root.join("size-budget.toml"))?;
    let dist = root.join("dist");
    let mut files = Vec::new();
    collect(&dist, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("{} is empty: build the site first", dist.display()));
    }

    println!("{:>10} {:>10}  file (gzip -9)", "raw", "gzip");
    let mut total_raw = 0;
    let mut total_gzip = 0;
    for file in &files {
        let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let gzip = gzip_len(&bytes);
        total_raw += bytes.len();
        total_gzip += gzip;
        let name = file.strip_prefix(&dist).unwrap_or(file).display();
        println!("{:>10} {:>10}  {name}", bytes.len(), gzip);
    }
    let budget = budget_kib * 1024;
    println!("{total_raw:>10} {total_gzip:>10}  total");
    println!(
        "bundle size: {:.1} KiB gzip of {budget_kib} KiB budget ({:.0}%)",
        total_gzip as f64 / 1024.0,
        100.0 * total_gzip as f64 / budget as f64
    );
    if total_gzip > budget {
        return Err(format!(
            "dist/ is {total_gzip} bytes gzip, over the {budget_kib} KiB budget in size-budget.toml"
        ));
    }
    Ok(())
}

fn read_budget(path: &Path) -> Result<usize, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    table
        .get("dist")
        .and_then(|d| d.get("max_total_gzip_kib"))
        .and_then(|v| v.as_integer())
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| format!("{}: missing [dist] max_total_gzip_kib", path.display()))
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to memory cannot fail");
    encoder
        .finish()
        .expect("writing to memory cannot fail")
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_shrinks_repetitive_text() {
        let text = "FROM node\n".repeat(1000);
        let len = gzip_len(text.as_bytes());
        assert!(len > 0 && len < text.len() / 20, "{len}");
    }

    #[test]
    fn the_budget_file_parses() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let budget = read_budget(&root.join("size-budget.toml")).unwrap();
        assert!(budget > 0);
    }
}
