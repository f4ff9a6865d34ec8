//! The budgets in budgets.toml: bundle size (gzip -9 of the files of dist/ the first load needs,
//! and of all of them), speed (the
//! medians criterion wrote for benches/budgets.rs), and the browser benchmark's latencies.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

pub fn check(root: &Path) -> Result<(), String> {
    let budget = read_budget(&root.join("budgets.toml"))?;
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
    let mut later_gzip = 0;
    let mut later_seen = Vec::new();
    for file in &files {
        let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let gzip = gzip_len(&bytes);
        total_raw += bytes.len();
        total_gzip += gzip;
        let name = file
            .strip_prefix(&dist)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        let later = budget.after_first_render.contains(&name);
        if later {
            later_gzip += gzip;
            later_seen.push(name.clone());
        }
        let when = if later {
            "  (after the first render)"
        } else {
            ""
        };
        println!("{:>10} {gzip:>10}  {name}{when}", bytes.len());
    }
    println!("{total_raw:>10} {total_gzip:>10}  total");
    if let Some(missing) = budget
        .after_first_render
        .iter()
        .find(|name| !later_seen.contains(name))
    {
        return Err(format!(
            "budgets.toml names {missing} as fetched after the first render, but dist/ has no such file"
        ));
    }
    let first = total_gzip - later_gzip;
    let kib = |bytes: usize| bytes as f64 / 1024.0;
    println!(
        "first load: {:.1} KiB gzip of {} KiB budget ({:.0}%)",
        kib(first),
        budget.first_load_kib,
        100.0 * first as f64 / (budget.first_load_kib * 1024) as f64
    );
    println!(
        "everything the app can load: {:.1} KiB gzip of {} KiB budget ({:.0}%)",
        kib(total_gzip),
        budget.total_kib,
        100.0 * total_gzip as f64 / (budget.total_kib * 1024) as f64
    );
    if first > budget.first_load_kib * 1024 {
        return Err(format!(
            "the first load is {first} bytes gzip, over the {} KiB budget in budgets.toml",
            budget.first_load_kib
        ));
    }
    if total_gzip > budget.total_kib * 1024 {
        return Err(format!(
            "dist/ is {total_gzip} bytes gzip, over the {} KiB budget in budgets.toml",
            budget.total_kib
        ));
    }
    Ok(())
}

/// The `[dist]` budgets.
#[derive(Debug)]
struct SizeBudget {
    /// Every file of dist/ but those fetched after the first render, KiB gzip.
    first_load_kib: usize,
    /// Every file of dist/, KiB gzip.
    total_kib: usize,
    /// Files of dist/ (relative names) the page fetches only after its first render.
    after_first_render: Vec<String>,
}

fn read_budget(path: &Path) -> Result<SizeBudget, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let dist = table
        .get("dist")
        .ok_or_else(|| format!("{}: no [dist] budgets", path.display()))?;
    let kib = |key: &str| {
        dist.get(key)
            .and_then(|v| v.as_integer())
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| format!("{}: missing [dist] {key}", path.display()))
    };
    let after_first_render = dist
        .get("after_first_render")
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("{}: missing [dist] after_first_render", path.display()))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| format!("{}: after_first_render holds file names", path.display()))?;
    Ok(SizeBudget {
        first_load_kib: kib("max_first_load_gzip_kib")?,
        total_kib: kib("max_total_gzip_kib")?,
        after_first_render,
    })
}

/// One speed budget from budgets.toml.
#[derive(Debug)]
struct Speed {
    bench: String,
    what: String,
    budget_ms: f64,
    enforced: bool,
}

fn read_speed(path: &Path) -> Result<Vec<Speed>, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let entries = table
        .get("speed")
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("{}: no [[speed]] budgets", path.display()))?;
    entries
        .iter()
        .map(|entry| {
            let field = |name: &str| {
                entry
                    .get(name)
                    .ok_or_else(|| format!("{}: a [[speed]] budget lacks {name}", path.display()))
            };
            Ok(Speed {
                bench: field("bench")?.as_str().unwrap_or_default().to_owned(),
                what: field("what")?.as_str().unwrap_or_default().to_owned(),
                budget_ms: field("budget_ms")?
                    .as_float()
                    .ok_or_else(|| format!("{}: budget_ms is not a number", path.display()))?,
                enforced: field("enforced")?
                    .as_bool()
                    .ok_or_else(|| format!("{}: enforced is not true or false", path.display()))?,
            })
        })
        .collect()
}

/// The median criterion measured for `bench` ("group/name"), in milliseconds.
fn median_ms(criterion: &Path, bench: &str) -> Result<f64, String> {
    let path = criterion.join(bench).join("new/estimates.json");
    let text = fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {} (did the bench run?): {e}", path.display()))?;
    // `"median":{"confidence_interval":{...},"point_estimate":<ns>,...}`
    let median = text
        .split_once("\"median\"")
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split_once("\"point_estimate\":"))
        .map(|(_, rest)| rest)
        .and_then(|rest| {
            rest.split([',', '}'])
                .next()
                .and_then(|n| n.trim().parse::<f64>().ok())
        })
        .ok_or_else(|| format!("{}: no median point estimate", path.display()))?;
    Ok(median / 1e6)
}

/// The fastest time per iteration among criterion's samples for `bench`, in milliseconds.
fn fastest_ms(criterion: &Path, bench: &str) -> Result<f64, String> {
    let path = criterion.join(bench).join("new/sample.json");
    let text = fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {} (did the bench run?): {e}", path.display()))?;
    // `{"sampling_mode":"Linear","iters":[1.0,2.0,...],"times":[<ns>,...]}`
    let numbers = |key: &str| -> Option<Vec<f64>> {
        let (_, rest) = text.split_once(&format!("\"{key}\":["))?;
        let (list, _) = rest.split_once(']')?;
        list.split(',')
            .map(|n| n.trim().parse::<f64>().ok())
            .collect()
    };
    let (iters, times) = numbers("iters")
        .zip(numbers("times"))
        .filter(|(iters, times)| iters.len() == times.len() && !iters.is_empty())
        .ok_or_else(|| format!("{}: no samples", path.display()))?;
    let fastest = iters
        .iter()
        .zip(&times)
        .map(|(iters, time)| time / iters)
        .fold(f64::INFINITY, f64::min);
    Ok(fastest / 1e6)
}

/// Prints every speed budget's median and fastest sample against it; fails when an enforced
/// budget's fastest sample is over. The fastest sample is what the code can do: on a shared
/// two-core machine the median of one commit moved between 22 and 44 ms from run to run (a
/// neighbour's load only ever adds time), so a median check would fail at random.
pub fn check_speed(root: &Path, criterion: &Path) -> Result<(), String> {
    let budgets = read_speed(&root.join("budgets.toml"))?;
    let mut over = Vec::new();
    for budget in &budgets {
        let median = median_ms(criterion, &budget.bench)?;
        let fastest = fastest_ms(criterion, &budget.bench)?;
        let verdict = match (fastest <= budget.budget_ms, budget.enforced) {
            (true, _) => "within budget",
            (false, true) => "OVER BUDGET",
            (false, false) => "over budget, not enforced yet (see budgets.toml)",
        };
        println!(
            "speed: {}: fastest {fastest:.2} ms, median {median:.2} ms, budget {} ms ({:.0}% fastest, {:.0}% median): {verdict}\n       {}",
            budget.bench,
            budget.budget_ms,
            100.0 * fastest / budget.budget_ms,
            100.0 * median / budget.budget_ms,
            budget.what
        );
        if fastest > budget.budget_ms && budget.enforced {
            over.push(format!(
                "{} (fastest {fastest:.2} ms > {} ms)",
                budget.bench, budget.budget_ms
            ));
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!("over the speed budget: {}", over.join(", ")))
    }
}

/// Prints the browser benchmark's figures (written by the end-to-end suite's
/// `browser_speed_benchmark`) against the `[[browser]]` budgets; fails when an enforced one is
/// over. Each figure is the best of the benchmark's rounds, for the reason given above.
pub fn check_browser(root: &Path, figures: &Path) -> Result<(), String> {
    let read = |path: &Path| -> Result<toml::Table, String> {
        fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let budgets = read(&root.join("budgets.toml"))?;
    let measured = read(figures)?;
    let figure = |name: &str| -> Result<f64, String> {
        name.split('.')
            .try_fold(None::<&toml::Value>, |at, key| {
                Ok::<_, String>(match at {
                    None => measured.get(key),
                    Some(value) => value.get(key),
                })
            })?
            .and_then(|v| v.as_float())
            .ok_or_else(|| format!("{}: no figure {name}", figures.display()))
    };
    for (name, what) in [
        (
            "first_load_ms",
            "navigation start to the form's first render",
        ),
        (
            "fullstack.frame_p95_ms",
            "full-stack keystroke to the next frame after the preview updated, p95 (includes the wait for vsync)",
        ),
        (
            "ten_services.frame_p95_ms",
            "ten services, keystroke to the next frame, p95",
        ),
    ] {
        println!("browser: {name}: {:.1} ms ({what})", figure(name)?);
    }
    let entries = budgets
        .get("browser")
        .and_then(|v| v.as_array())
        .ok_or("budgets.toml: no [[browser]] budgets")?;
    let mut over = Vec::new();
    for entry in entries {
        let text = |key: &str| entry.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        let name = text("figure");
        let budget = entry
            .get("budget_ms")
            .and_then(|v| v.as_float())
            .ok_or_else(|| format!("budgets.toml: {name}: budget_ms is not a number"))?;
        let enforced = entry.get("enforced").and_then(|v| v.as_bool()) == Some(true);
        let value = figure(name)?;
        let verdict = match (value <= budget, enforced) {
            (true, _) => "within budget",
            (false, true) => "OVER BUDGET",
            (false, false) => "over budget, not enforced yet (see budgets.toml)",
        };
        println!(
            "browser: {name}: {value:.1} ms, budget {budget} ms ({:.0}%): {verdict}\n         {}",
            100.0 * value / budget,
            text("what")
        );
        if value > budget && enforced {
            over.push(format!("{name} ({value:.1} ms > {budget} ms)"));
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "over the browser speed budget: {}",
            over.join(", ")
        ))
    }
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
        let budget = read_budget(&root.join("budgets.toml")).unwrap();
        assert!(budget.first_load_kib > 0 && budget.total_kib >= budget.first_load_kib);
        let speed = read_speed(&root.join("budgets.toml")).unwrap();
        assert!(
            speed.len() >= 2 && speed.iter().all(|s| s.budget_ms > 0.0),
            "{speed:?}"
        );
    }

    #[test]
    fn a_criterion_median_is_read_in_milliseconds() {
        let dir = std::env::temp_dir().join(format!("xtask-median-{}", std::process::id()));
        let bench = dir.join("group/name/new");
        fs::create_dir_all(&bench).unwrap();
        fs::write(
            bench.join("estimates.json"),
            r#"{"mean":{"confidence_interval":{"lower_bound":1.0},"point_estimate":9000000.0},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":2500000.0,"standard_error":3.0}}"#,
        )
        .unwrap();
        fs::write(
            bench.join("sample.json"),
            r#"{"sampling_mode":"Linear","iters":[2.0,4.0,6.0],"times":[5000000.0,8000000.0,13200000.0]}"#,
        )
        .unwrap();
        let median = median_ms(&dir, "group/name").unwrap();
        let fastest = fastest_ms(&dir, "group/name").unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert!((median - 2.5).abs() < 1e-9, "{median}");
        assert!(
            (fastest - 2.0).abs() < 1e-9,
            "per iteration: 2.5, 2.0, 2.2 ms: {fastest}"
        );
    }
}
