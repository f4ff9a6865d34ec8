//! "Watch a rollout": a service's release step by step, drawn as pods, for its strategy and its
//! maxSurge and maxUnavailable, with the count of pods serving at each step. The steps are
//! worked out by the page's second module (`src/extras.rs`).

use yew::prelude::*;

use crate::components::extras::{Extra, PART, SEP, about, use_extra, waiting};
use crate::state::StateContext;

#[component]
pub fn Rollout() -> Html {
    let state = use_context::<StateContext>().expect("Rollout needs the StateContext");
    let at = use_state(|| 0usize);
    let extra = use_extra(
        (
            "rollout",
            state.project.clone(),
            state.selected_service,
            Vec::new(),
        ),
        about,
    );
    if state.project.services.get(state.selected_service).is_none() {
        return Html::default();
    }
    let step_to = {
        let at = at.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            at.set(input.value().parse().unwrap_or(0));
        })
    };
    // The lesson, then per step its pods (SVG with no user text) and what happens.
    let body = match &extra {
        Extra::Answer(text) if !text.is_empty() => {
            let mut fields = text.split(SEP);
            let why = fields.next().unwrap_or_default();
            let steps: Vec<&str> = fields.collect();
            let last = steps.len().max(1) - 1;
            let (svg, said) = steps[(*at).min(last)].split_once(PART).unwrap_or_default();
            html! {
                <>
                    <p id="rollout-why" class="help">{ why }</p>
                    { Html::from_html_unchecked(svg.to_owned().into()) }
                    <p id="rollout-step" role="status">{ said }</p>
                    <label for="rollout-at">{ "Step " }</label>
                    <input type="range" id="rollout-at" min="0" max={last.to_string()}
                           value={(*at).min(last).to_string()} oninput={step_to} />
                    <p class="help">{ "Grey: old. Red: stopping. Dashed: starting. Green: new." }</p>
                </>
            }
        }
        Extra::Answer(_) => Html::default(),
        waiting_for => waiting(waiting_for),
    };
    html! {
        <section class="changes rollout" aria-labelledby="rollout-title">
            <h2 id="rollout-title">{ "Watch a rollout" }</h2>
            { body }
        </section>
    }
}
