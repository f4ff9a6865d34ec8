//! `shipshape-extras`: the page's second WebAssembly module, for what a visit needs only after
//! its first preview (the rollout simulator, the migration planner, the pictures). The page
//! loads it after its first render (`components::extras`), so the first load carries none of
//! their code; the service worker stores it with the page for offline use.
//!
//! Its interface is one function, set on `globalThis.shipshapeExtras` when the module starts:
//! it takes a request and returns the answer, both text. A request is fields joined by
//! [`SEP`]: what to work out, the settings as their YAML file, the index of the service the
//! form shows, then that request's own fields. Each answer is described where it is made.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use std::fmt::Write as _;

use shipshape_core::migration::{self, Change, Input, Request};
use shipshape_core::rollout::{self, Pod};
use shipshape_core::{architecture, generate, model, pipeline};
use wasm_bindgen::prelude::*;

/// Between the fields of a request or an answer: no settings file, typed text or SVG holds it.
const SEP: char = '\u{1}';
/// Between a rollout step's picture and its text.
const PART: char = '\u{2}';

fn main() {
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
        _ => String::new(),
    }
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
    fn what_it_cannot_read_gets_an_empty_answer() {
        assert_eq!(answer("plan"), "");
        assert_eq!(answer(&format!("plan{SEP}name: [{SEP}0")), "");
        assert!(!ask("rollout", "go-api", &[]).is_empty());
        assert_eq!(ask("unknown", "go-api", &[]), "");
    }
}
