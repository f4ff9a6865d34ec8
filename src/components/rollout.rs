//! "Watch a rollout": a service's release step by step, drawn as pods, for its strategy and its
//! maxSurge and maxUnavailable, with the count of pods serving at each step.

use shipshape_core::rollout::{self, Pod};
use std::fmt::Write as _;

use yew::prelude::*;

use crate::state::StateContext;

/// Pod boxes: size and gap, in SVG units.
const BOX: usize = 44;
const GAP: usize = 8;
const PER_ROW: usize = 10;

#[component]
pub fn Rollout() -> Html {
    let state = use_context::<StateContext>().expect("Rollout needs the StateContext");
    let at = use_state(|| 0usize);
    // The service the form shows.
    let Some(service) = state.project.services.get(state.selected_service) else {
        return Html::default();
    };
    let plan = rollout::plan(
        service,
        rollout::production_replicas(&state.project, service),
    );
    let last = plan.steps.len() - 1;
    let shown = (*at).min(last);
    let step = &plan.steps[shown];

    // The pods as SVG text: only this module's constants and numbers go into it, never text
    // a user typed, so it is written directly rather than built node by node (smaller code).
    let mut svg = String::new();
    let rows = step.pods.len().div_ceil(PER_ROW).max(1);
    let width = PER_ROW.min(step.pods.len().max(1)) * (BOX + GAP);
    let _ = write!(
        svg,
        "<svg id=\"rollout-pods\" viewBox=\"0 0 {width} {}\" width=\"{width}\" role=\"img\" aria-label=\"{} pods, {} serving\">",
        rows * (BOX + GAP),
        step.pods.len(),
        step.serving()
    );
    for (i, pod) in step.pods.iter().enumerate() {
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
    let replicas = plan.replicas;
    let why = plan.lesson();
    let step_to = {
        let at = at.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            at.set(input.value().parse().unwrap_or(0));
        })
    };
    html! {
        <section class="changes rollout" aria-labelledby="rollout-title">
            <h2 id="rollout-title">{ "Watch a rollout" }</h2>
            <p id="rollout-why" class="help">
                { format!("{}, {}: {why}", service.name, plan.strategy.label()) }
            </p>
            { Html::from_html_unchecked(svg.into()) }
            <p id="rollout-step" role="status">
                { {
                    let [old, stopping, starting, new] = step.counts();
                    format!(
                        "Step {} of {}. {} Serving: {} for {replicas} wanted ({old} old, {new} new); {stopping} stopping, {starting} starting. The new version gets {}% of requests.",
                        shown + 1,
                        last + 1,
                        step.note,
                        step.serving(),
                        step.new_traffic
                    )
                } }
            </p>
            <label for="rollout-at">{ "Step " }</label>
            <input type="range" id="rollout-at" min="0" max={last.to_string()}
                   value={shown.to_string()} oninput={step_to} />
            <p class="help">{ "Grey: old. Red: stopping. Dashed: starting. Green: new." }</p>
        </section>
    }
}
