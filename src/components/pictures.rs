//! The pictures: the selected service's pipeline, read back from its generated workflow, with
//! the environments it deploys to and the approval gate; the branches; and the project's
//! architecture, from the users to the data and the secrets store. The page's second module
//! (`src/extras.rs`) draws them.

use yew::prelude::*;

use crate::components::extras::{Extra, SEP, about, use_extra, waiting};
use crate::state::StateContext;

#[component]
pub fn Pictures() -> Html {
    let state = use_context::<StateContext>().expect("Pictures needs the StateContext");
    let extra = use_extra(
        (
            "pictures",
            state.project.clone(),
            state.selected_service,
            Vec::new(),
        ),
        about,
    );
    // Each SVG is escaped by the core's picture writer: no user text is markup here.
    let mut drawn = [Html::default(), Html::default(), Html::default()];
    match &extra {
        Extra::Answer(text) => {
            for (slot, svg) in drawn.iter_mut().zip(text.split(SEP)) {
                *slot = Html::from_html_unchecked(svg.to_owned().into());
            }
        }
        other => drawn[0] = waiting(other),
    }
    let [pipeline, branches, architecture] = drawn;
    html! {
        <>
            <section class="changes picture" aria-labelledby="pipeline-title">
                <h2 id="pipeline-title">{ "The pipeline" }</h2>
                <p class="help">
                    { "Each job starts once the jobs whose arrows reach it pass. A deploy names its environment and branch; \"approval\" waits for a reviewer." }
                </p>
                { pipeline }
            </section>
            <section class="changes picture" aria-labelledby="branches-title">
                <h2 id="branches-title">{ "The branches" }</h2>
                <p class="help">
                    { "Every change arrives by pull request: one approval into staging, two into production, and the \"All checks passed\" check each time. .github/rulesets/ holds the rules to import under Settings > Rules." }
                </p>
                { branches }
            </section>
            <section class="changes picture" aria-labelledby="architecture-title">
                <h2 id="architecture-title">{ "The architecture" }</h2>
                <p class="help">
                    { "What runs where in production. Dashed: secrets, from the store through External Secrets." }
                </p>
                { architecture }
            </section>
        </>
    }
}
