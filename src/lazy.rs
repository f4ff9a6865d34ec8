//! The answers of the page's second WebAssembly module, `shipshape-extras` (`src/extras.rs`,
//! which only calls [`register`]): what a visit needs only after its first preview (the rollout
//! simulator, the migration planner, the pictures, "Check your own files"). The page loads it
//! after its first render (`components::extras`), so the first load carries none of this code.
//!
//! Its interface is one function, set on `globalThis.shipshapeExtras`: it takes a request and
//! returns the answer, both text. A request is fields joined by [`SEP`]: what to work out, the
//! settings as their YAML file, the index of the service the form shows, then that request's
//! own fields ("lint" differs: see [`lint`]). Each answer is described where it is made.

use std::fmt::Write as _;

use shipshape_core::migration::{self, Change, Input, Request};
use shipshape_core::rollout::{self, Pod};
use shipshape_core::{
    GeneratedFile, architecture, breakage, diff, generate, model, pipeline, rules,
};
use wasm_bindgen::prelude::*;

/// Between the fields of a request or an answer: no settings file, typed text or SVG holds it.
pub const SEP: char = '\u{1}';
/// Between a rollout step's picture and its text.
pub const PART: char = '\u{2}';

/// Sets the module's one function on `globalThis`, where the page finds it. The browser tests
/// call it too, so that the sections work without the module's files.
pub fn register() {
    let answer = Closure::<dyn Fn(String) -> String>::new(|request: String| answer(&request));
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &JsValue::from_str("shipshapeExtras"),
        answer.as_ref(),
    );
    // The page keeps calling it for as long as it is open.
    answer.forget();
}

/// The answer to `request`; empty when the request is not one this module knows, or its
/// settings do not load (the page only sends what its own state holds).
fn answer(request: &str) -> String {
    if let Some(files) = request
        .strip_prefix("lint")
        .and_then(|r| r.strip_prefix(SEP))
    {
        return lint(files);
    }
    let fields: Vec<&str> = request.split(SEP).collect();
    let [kind, settings, index, rest @ ..] = fields.as_slice() else {
        return String::new();
    };
    let Ok(project) = model::from_yaml(settings) else {
        return String::new();
    };
    let Some(service) = index
        .parse::<usize>()
        .ok()
        .and_then(|i| project.services.get(i))
    else {
        return String::new();
    };
    match *kind {
        // `O`, whether old code survives the change (`1` or `0`), the summary and the plan as the
        // CLI prints it; or `E`, the refused input's place in [`Input`] order and why.
        "plan" => {
            let [change, table, column, column_type, new_name] = rest else {
                return String::new();
            };
            let request = Request {
                change: Change::from_id(change).unwrap_or(Change::AddNotNullColumn),
                table: (*table).into(),
                column: (*column).into(),
                column_type: (*column_type).into(),
                new_name: (*new_name).into(),
            };
            match migration::plan(service, &request) {
                Ok(plan) => format!(
                    "O{}{SEP}{}{SEP}{}",
                    u8::from(plan.backward_compatible),
                    plan.summary,
                    plan.text(&service.name)
                ),
                Err((input, why)) => {
                    let at = match input {
                        Input::Table => 0,
                        Input::Column => 1,
                        Input::Type => 2,
                        Input::NewName => 3,
                    };
                    format!("E{at}{SEP}{why}")
                }
            }
        }
        // The lesson, then each step: its pods as SVG and its text.
        "rollout" => {
            let replicas = rollout::production_replicas(&project, service);
            let plan = rollout::plan(service, replicas);
            let mut out = format!(
                "{}, {}: {}",
                service.name,
                plan.strategy.label(),
                plan.lesson()
            );
            let last = plan.steps.len();
            for (n, step) in plan.steps.iter().enumerate() {
                out.push(SEP);
                pods(&mut out, &step.pods, step.serving());
                out.push(PART);
                let [old, stopping, starting, new] = step.counts();
                let _ = write!(
                    out,
                    "Step {} of {last}. {} Serving: {} for {replicas} wanted ({old} old, {new} new); {stopping} stopping, {starting} starting. The new version gets {}% of requests.",
                    n + 1,
                    step.note,
                    step.serving(),
                    step.new_traffic
                );
            }
            out
        }
        // The pipeline (empty when the service has no workflow), the branches and the
        // architecture, as SVG written by the core's picture writer, which escapes all text.
        "pictures" => {
            let bundle = generate(&project);
            let pipeline = pipeline::of(&project, &bundle, service)
                .map(|graph| graph.svg())
                .unwrap_or_default();
            let branches = generate::repository::picture(&project).svg(
                "branches",
                "Feature branches merge into staging, staging into production.",
            );
            format!(
                "{pipeline}{SEP}{branches}{SEP}{}",
                architecture::svg(&project)
            )
        }
        // Every finding over the generated files, length-prefixed: each one's code, severity,
        // message, file, line, column, end line and end column. The page finds the rule's name
        // and fix in its catalogue, and the setting with `rules::fields::field_for`.
        "findings" => {
            let bundle = generate(&project);
            let mut out = String::new();
            for d in rules::lint_project(&project, &bundle) {
                for field in [
                    d.code,
                    d.severity.id(),
                    &d.message,
                    &d.file,
                    &d.line.to_string(),
                    &d.column.to_string(),
                    &d.end_line.to_string(),
                    &d.end_column.to_string(),
                ] {
                    put(&mut out, field);
                }
            }
            out
        }
        // "What changed" (fields: the settings before, the file picked): length-prefixed, the
        // summary, how many files changed, each one's path and kind, then the shown file's
        // header and its diff, one line each, marked `@` (a hunk), ` `, `-` or `+`.
        "changes" => {
            let [before, picked] = rest else {
                return String::new();
            };
            let Ok(before) = model::from_yaml(before) else {
                return String::new();
            };
            let (before, after) = (generate(&before), generate(&project));
            let files = diff::changed(&before, &after);
            let mut out = String::new();
            put(&mut out, &diff::summary(&files));
            put(&mut out, &files.len().to_string());
            for (path, change) in &files {
                put(&mut out, path);
                put(
                    &mut out,
                    match change {
                        diff::Change::Added => "added",
                        diff::Change::Removed => "removed",
                        diff::Change::Modified => "modified",
                    },
                );
            }
            // The picked file if it changed this time, else the first that did.
            let shown = files
                .iter()
                .find(|(path, _)| path == picked)
                .or(files.first());
            if let Some((path, change)) = shown {
                let file = diff::file(&before, &after, path, *change);
                put(&mut out, &file.path);
                put(
                    &mut out,
                    &format!("{}: +{} −{} lines", file.path, file.added, file.removed),
                );
                let mut lines = String::new();
                for hunk in &file.hunks {
                    let _ = writeln!(
                        lines,
                        "@@@ line {} before, line {} now @@",
                        hunk.before_start, hunk.after_start
                    );
                    for line in &hunk.lines {
                        let (mark, text) = match line {
                            diff::Line::Same(text) => (' ', text),
                            diff::Line::Removed(text) => ('-', text),
                            diff::Line::Added(text) => ('+', text),
                        };
                        let _ = writeln!(lines, "{mark}{text}");
                    }
                }
                put(&mut out, &lines);
            }
            out
        }
        // "Break it" (field: the breakage's id): length-prefixed, why it matters, the summary,
        // then each new finding as one line.
        "break" => {
            let Some(breakage) = rest
                .first()
                .and_then(|id| breakage::Breakage::ALL.into_iter().find(|b| b.id() == *id))
            else {
                return String::new();
            };
            let bundle = generate(&project);
            let (files, found) = breakage::findings(&bundle, breakage);
            let summary = if files.is_empty() {
                "This project has nothing of the kind to break.".to_owned()
            } else {
                let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
                format!(
                    "{} new {} in {}.",
                    found.len(),
                    if found.len() == 1 {
                        "finding"
                    } else {
                        "findings"
                    },
                    paths.join(", ")
                )
            };
            let mut out = String::new();
            put(&mut out, breakage.why());
            put(&mut out, &summary);
            for d in &found {
                put(&mut out, &format!("{} {}", d.code, d.name));
                put(&mut out, &format!(" {}:{}: {}", d.file, d.line, d.message));
            }
            out
        }
        _ => String::new(),
    }
}

/// `text` as one length-prefixed field (`LEN:TEXT`), for text that may hold any character.
pub fn put(out: &mut String, text: &str) {
    out.push_str(&text.len().to_string());
    out.push(':');
    out.push_str(text);
}

/// The next length-prefixed field of `rest`, and what follows it.
pub fn take(rest: &str) -> Option<(&str, &str)> {
    let (len, rest) = rest.split_once(':')?;
    let len: usize = len.parse().ok()?;
    Some((rest.get(..len)?, &rest[len..]))
}

/// "Check your own files": `files` holds each file's name and text, length-prefixed. The
/// answer, length-prefixed too: how many files, the path each is read as, then each finding's
/// code, name, severity, message, file, line, column and fix.
pub fn lint(mut files: &str) -> String {
    let mut pasted = Vec::new();
    while let Some((name, rest)) = take(files) {
        let Some((text, rest)) = take(rest) else {
            break;
        };
        pasted.push((name, text));
        files = rest;
    }
    let mut paths: Vec<String> = Vec::with_capacity(pasted.len());
    let mut named = Vec::new();
    for (name, text) in &pasted {
        let path = rules::path_for_pasted(name, text);
        // Two files read under one path would share their findings: number the repeats.
        let path = if paths.contains(&path) {
            format!("{}/{path}", paths.len() + 1)
        } else {
            path
        };
        if !text.trim().is_empty() {
            named.push(GeneratedFile::new(path.clone(), *text));
        }
        paths.push(path);
    }
    let mut out = String::new();
    put(&mut out, &paths.len().to_string());
    for path in &paths {
        put(&mut out, path);
    }
    for d in rules::lint_files(&named) {
        for field in [
            d.code,
            d.name,
            d.severity.id(),
            &d.message,
            &d.file,
            &d.line.to_string(),
            &d.column.to_string(),
            d.fix,
        ] {
            put(&mut out, field);
        }
    }
    out
}

/// Pod boxes: size and gap, in SVG units, and how many to a row.
const BOX: usize = 44;
const GAP: usize = 8;
const PER_ROW: usize = 10;

/// A step's pods as SVG. Only numbers and this module's constants go into it, never text a
/// user typed, so it is written directly.
fn pods(svg: &mut String, pods: &[Pod], serving: usize) {
    let rows = pods.len().div_ceil(PER_ROW).max(1);
    let width = PER_ROW.min(pods.len().max(1)) * (BOX + GAP);
    let _ = write!(
        svg,
        "<svg id=\"rollout-pods\" viewBox=\"0 0 {width} {}\" width=\"{width}\" role=\"img\" aria-label=\"{} pods, {serving} serving\">",
        rows * (BOX + GAP),
        pods.len(),
    );
    for (i, pod) in pods.iter().enumerate() {
        let version = if matches!(pod, Pod::Old | Pod::Stopping) {
            1
        } else {
            2
        };
        let _ = write!(
            svg,
            "<g class=\"{}\" transform=\"translate({} {})\"><rect width=\"44\" height=\"44\" rx=\"6\"/><text x=\"22\" y=\"27\" text-anchor=\"middle\">v{version}</text></g>",
            pod.id(),
            i % PER_ROW * (BOX + GAP),
            i / PER_ROW * (BOX + GAP)
        );
    }
    svg.push_str("</svg>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(kind: &str, preset: &str, rest: &[&str]) -> String {
        let project = model::preset(preset).unwrap().project();
        let mut request = format!("{kind}{SEP}{}{SEP}0", model::to_yaml(&project));
        for field in rest {
            request.push(SEP);
            request.push_str(field);
        }
        answer(&request)
    }

    #[test]
    fn a_plan_is_the_one_the_cli_prints() {
        let answer = ask(
            "plan",
            "python-fastapi",
            &["add-not-null-column", "orders", "customer_id", "bigint", ""],
        );
        let project = model::preset("python-fastapi").unwrap().project();
        let service = &project.services[0];
        let plan = migration::plan(
            service,
            &Request {
                change: Change::AddNotNullColumn,
                table: "orders".into(),
                column: "customer_id".into(),
                column_type: "bigint".into(),
                new_name: String::new(),
            },
        )
        .unwrap();
        let expected = format!("O0{SEP}{}{SEP}{}", plan.summary, plan.text(&service.name));
        assert_eq!(answer, expected);
    }

    #[test]
    fn a_refused_input_says_which_and_why() {
        let answer = ask("plan", "go-api", &["add-index", "or ders", "id", "", ""]);
        assert!(answer.starts_with(&format!("E0{SEP}")), "{answer}");
    }

    #[test]
    fn a_rollout_has_one_picture_and_text_per_step() {
        let answer = ask("rollout", "node-express", &[]);
        let project = model::preset("node-express").unwrap().project();
        let service = &project.services[0];
        let plan = rollout::plan(service, rollout::production_replicas(&project, service));
        let fields: Vec<&str> = answer.split(SEP).collect();
        assert_eq!(fields.len(), plan.steps.len() + 1);
        assert!(fields[1].starts_with("<svg id=\"rollout-pods\""));
        assert!(fields[1].contains(&format!("{PART}Step 1 of {}.", plan.steps.len())));
    }

    #[test]
    fn the_pictures_are_the_cores() {
        let answer = ask("pictures", "fullstack-fastapi-react", &[]);
        let project = model::preset("fullstack-fastapi-react").unwrap().project();
        let fields: Vec<&str> = answer.split(SEP).collect();
        assert_eq!(fields.len(), 3);
        assert!(fields[0].starts_with("<svg"), "the backend has a pipeline");
        assert_eq!(fields[2], architecture::svg(&project));
    }

    #[test]
    fn pasted_files_get_the_rules_findings() {
        let mut request = format!("lint{SEP}");
        for (name, text) in [("", "FROM node\nCMD node server.js\n"), ("x", "a:\u{1}b")] {
            put(&mut request, name);
            put(&mut request, text);
        }
        let answer = answer(&request);
        let (count, rest) = take(&answer).unwrap();
        assert_eq!(count, "2");
        let (dockerfile, rest) = take(rest).unwrap();
        assert_eq!(dockerfile, "Dockerfile");
        let (_, mut rest) = take(rest).unwrap();
        let mut codes = Vec::new();
        while let Some((code, after)) = take(rest) {
            codes.push(code.to_owned());
            rest = after;
            for _ in 0..7 {
                rest = take(rest).unwrap().1;
            }
        }
        let expected: Vec<String> = rules::lint_files(&[GeneratedFile::new(
            "Dockerfile",
            "FROM node\nCMD node server.js\n",
        )])
        .iter()
        .map(|d| d.code.to_owned())
        .collect();
        assert!(!expected.is_empty());
        assert!(codes.starts_with(&expected), "{codes:?} {expected:?}");
    }

    #[test]
    fn what_it_cannot_read_gets_an_empty_answer() {
        assert_eq!(answer("plan"), "");
        assert_eq!(answer(&format!("plan{SEP}name: [{SEP}0")), "");
        assert!(!ask("rollout", "go-api", &[]).is_empty());
        assert_eq!(ask("unknown", "go-api", &[]), "");
    }
}
